//! When and how long to wait before trying a call again.

use std::time::Duration;

use rand::Rng;

/// Bounded exponential backoff with jitter, as Alibaba's SDKs do it.
///
/// A call is retried when the service throttles it (a `Throttling*` code, HTTP 429, or an
/// `x-acs-retry-after` header), when it answers 500, 502, 503 or 504, and when the connection fails
/// or times out. A connection that breaks after the request went out is retried only for an
/// operation that carries a `ClientToken` or only reads (`Describe*`, `List*`, `Check*`,
/// `Get*`), since the service may have served the lost attempt. Each attempt is signed again,
/// with a fresh nonce and timestamp.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct RetryPolicy {
    /// Attempts in all, the first included; 1 disables retries.
    pub max_attempts: u32,
    /// The delay before the second attempt; it doubles for each later one.
    pub initial_backoff: Duration,
    /// No computed delay exceeds this. A server's `x-acs-retry-after` above it ends the retries,
    /// so a call never sleeps longer than the caller allowed.
    pub max_backoff: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 3,
            initial_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(20),
        }
    }
}

impl RetryPolicy {
    /// A policy that never retries.
    pub fn none() -> Self {
        Self {
            max_attempts: 1,
            ..Self::default()
        }
    }

    /// Tries at most `max_attempts` times in all (1 disables retries).
    pub fn max_attempts(mut self, max_attempts: u32) -> Self {
        self.max_attempts = max_attempts;
        self
    }

    /// Waits `initial` before the second attempt, doubling for each later one up to `max`.
    pub fn backoff_between(mut self, initial: Duration, max: Duration) -> Self {
        self.initial_backoff = initial;
        self.max_backoff = max;
        self
    }

    /// The delay before attempt `attempt + 1`, given that `attempt` (1-based) failed.
    ///
    /// "Equal jitter": half the exponential delay is kept, the other half is random, so
    /// clients throttled together do not come back together.
    pub fn backoff(&self, attempt: u32) -> Duration {
        let exponent = attempt.saturating_sub(1).min(20);
        let base = self
            .initial_backoff
            .saturating_mul(1u32 << exponent)
            .min(self.max_backoff);
        let half = base / 2;
        let jitter_nanos =
            rand::rng().random_range(0..=half.as_nanos().min(u64::MAX as u128) as u64);
        half + Duration::from_nanos(jitter_nanos)
    }

    /// The delay to honour for a server's `x-acs-retry-after` (milliseconds), or `None` when it
    /// is longer than this policy allows, in which case the error goes back to the caller.
    pub fn retry_after(&self, millis: u64) -> Option<Duration> {
        let hint = Duration::from_millis(millis);
        (hint <= self.max_backoff).then_some(hint)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_stays_bounded() {
        let policy = RetryPolicy {
            max_attempts: 10,
            initial_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_secs(1),
        };
        for _ in 0..100 {
            let first = policy.backoff(1);
            assert!(first >= Duration::from_millis(50) && first <= Duration::from_millis(100));
            let third = policy.backoff(3);
            assert!(third >= Duration::from_millis(200) && third <= Duration::from_millis(400));
            assert!(policy.backoff(30) <= Duration::from_secs(1));
        }
    }

    #[test]
    fn long_server_hints_end_the_retries() {
        let policy = RetryPolicy::default();
        assert_eq!(policy.retry_after(1500), Some(Duration::from_millis(1500)));
        assert_eq!(policy.retry_after(60_000), None);
    }
}
