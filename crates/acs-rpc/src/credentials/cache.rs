//! Reuse of temporary credentials until shortly before they expire, with one refresh at a time.
//!
//! Written on `std` alone (a mutex and wakers) so the protocol crate needs no async runtime: a
//! call that finds fresh credentials returns at once, the first call that finds them stale
//! refreshes, and every other call arriving meanwhile waits for that refresh's outcome instead of
//! starting its own.

use std::fmt;
use std::future::poll_fn;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Poll, Waker};
use std::time::{Duration, SystemTime};

use super::{Credentials, CredentialsError, ProvideCredentials, ProvideFuture};

/// How long before expiry credentials are refreshed: 180 seconds, as `credentials-go` and the
/// classic `alibabacloud-credentials` clients do (`expiration - 180`).
pub const DEFAULT_REFRESH_BEFORE: Duration = Duration::from_secs(180);

/// The time source of a cache, injectable so tests can expire credentials without waiting.
pub type Clock = Arc<dyn Fn() -> SystemTime + Send + Sync>;

/// Wraps a provider, reusing its credentials until `refresh_before` ahead of their expiration.
///
/// However many calls are in flight, at most one refresh runs; the others wait for its outcome.
/// Credentials that have expired are never handed out: when a refresh fails, the previous
/// credentials are used only while they are still valid. Credentials without an expiration are
/// kept for good.
pub struct CachedProvider<P> {
    inner: P,
    refresh_before: Duration,
    clock: Clock,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    cached: Option<Credentials>,
    refreshing: bool,
    /// How many refreshes have finished; a waiter compares it to know one finished meanwhile.
    generation: u64,
    /// The outcome of the last finished refresh, for the calls that waited on it.
    last: Option<Result<Credentials, CredentialsError>>,
    waiters: Vec<Waker>,
}

impl<P: fmt::Debug> fmt::Debug for CachedProvider<P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CachedProvider")
            .field("inner", &self.inner)
            .field("refresh_before", &self.refresh_before)
            .finish_non_exhaustive()
    }
}

enum Step {
    Ready(Result<Credentials, CredentialsError>),
    Refresh,
}

impl<P: ProvideCredentials> CachedProvider<P> {
    /// Caches `inner`, refreshing [`DEFAULT_REFRESH_BEFORE`] ahead of expiry.
    pub fn new(inner: P) -> Self {
        Self {
            inner,
            refresh_before: DEFAULT_REFRESH_BEFORE,
            clock: Arc::new(SystemTime::now),
            state: Mutex::default(),
        }
    }

    /// Changes how long before expiry credentials are refreshed.
    #[must_use]
    pub fn refresh_before(mut self, margin: Duration) -> Self {
        self.refresh_before = margin;
        self
    }

    /// Replaces the clock, so tests can move time.
    #[must_use]
    pub fn with_clock(mut self, clock: Clock) -> Self {
        self.clock = clock;
        self
    }

    /// The wrapped provider.
    pub fn inner(&self) -> &P {
        &self.inner
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock leaves consistent data (every update is one
        // assignment), so a poisoned lock is still usable.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn is_fresh(&self, credentials: &Credentials, now: SystemTime) -> bool {
        match credentials.expiration {
            None => true,
            Some(expiration) => now + self.refresh_before < expiration,
        }
    }

    async fn get(&self) -> Result<Credentials, CredentialsError> {
        let mut waited_on: Option<u64> = None;
        let step = poll_fn(|cx| {
            let mut state = self.lock();
            let now = (self.clock)();
            if let Some(cached) = &state.cached
                && self.is_fresh(cached, now)
            {
                return Poll::Ready(Step::Ready(Ok(cached.clone())));
            }
            if let Some(generation) = waited_on
                && state.generation > generation
                && let Some(last) = &state.last
            {
                // A refresh finished while this call waited: share its outcome rather than
                // start another one, unless time has since run out on it.
                return Poll::Ready(Step::Ready(match last {
                    Ok(c) if c.is_expired_at(now) => Err(expired(c)),
                    other => other.clone(),
                }));
            }
            if state.refreshing {
                waited_on.get_or_insert(state.generation);
                if !state.waiters.iter().any(|w| w.will_wake(cx.waker())) {
                    state.waiters.push(cx.waker().clone());
                }
                return Poll::Pending;
            }
            state.refreshing = true;
            Poll::Ready(Step::Refresh)
        })
        .await;
        match step {
            Step::Ready(result) => result,
            Step::Refresh => {
                let mut guard = RefreshGuard {
                    cache: self,
                    finished: false,
                };
                let fetched = self.inner.provide_credentials().await;
                guard.finish(fetched)
            }
        }
    }
}

fn expired(credentials: &Credentials) -> CredentialsError {
    CredentialsError::Expired {
        provider: credentials
            .provider_name
            .clone()
            .unwrap_or_else(|| "the credentials provider".to_owned()),
    }
}

/// Ends a refresh: records its outcome and wakes the waiters, also when the refreshing call is
/// dropped half-way (then the next caller refreshes).
struct RefreshGuard<'a, P> {
    cache: &'a CachedProvider<P>,
    finished: bool,
}

impl<P: ProvideCredentials> RefreshGuard<'_, P> {
    fn finish(
        &mut self,
        fetched: Result<Credentials, CredentialsError>,
    ) -> Result<Credentials, CredentialsError> {
        let cache = self.cache;
        let now = (cache.clock)();
        let mut state = cache.lock();
        let previous_still_valid = state.cached.clone().filter(|c| !c.is_expired_at(now));
        let outcome = match fetched {
            Ok(fresh) if !fresh.is_expired_at(now) => {
                state.cached = Some(fresh.clone());
                Ok(fresh)
            }
            // The source failed or answered expired credentials: keep using the previous ones
            // while they last, and try again on the next call.
            Ok(stale) => previous_still_valid.ok_or_else(|| expired(&stale)),
            Err(error) => previous_still_valid.ok_or(error),
        };
        state.generation += 1;
        state.last = Some(outcome.clone());
        state.refreshing = false;
        for waker in state.waiters.drain(..) {
            waker.wake();
        }
        self.finished = true;
        outcome
    }
}

impl<P> Drop for RefreshGuard<'_, P> {
    fn drop(&mut self) {
        if self.finished {
            return;
        }
        let mut state = self.cache.state.lock().unwrap_or_else(|e| e.into_inner());
        state.refreshing = false;
        for waker in state.waiters.drain(..) {
            waker.wake();
        }
    }
}

impl<P: ProvideCredentials> ProvideCredentials for CachedProvider<P> {
    fn provide_credentials(&self) -> ProvideFuture<'_> {
        Box::pin(self.get())
    }
}
