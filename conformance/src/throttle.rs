//! Throttling answers of a real endpoint, retried with backoff: a run of many cases against an
//! account's API rate limits must report what the API does, not that it was busy.

use std::time::{Duration, SystemTime};

use acs_rpc::error::ApiError;

use crate::diff::Failure;
use crate::endpoint::{Endpoint, EndpointKind};
use crate::exchange::{Observed, Prepared, header, send};

/// Tries after the first: about a minute of backoff in all before the answer is reported.
pub const MAX_RETRIES: u32 = 5;

/// The longest wait between two tries, whatever `Retry-After` says.
const MAX_WAIT: Duration = Duration::from_secs(30);

/// How long to wait before trying again, if `observed` says the endpoint is throttling: status
/// 429, a 503 with `Retry-After`, or an error code `Throttling*`. `Retry-After` (seconds) is
/// honoured; otherwise the wait doubles from one second with each try.
pub fn throttle_wait(observed: &Observed, retry: u32) -> Option<Duration> {
    let retry_after = header(&observed.headers, "retry-after")
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map(Duration::from_secs);
    let throttling_code = ApiError::from_body(
        observed.status,
        header(&observed.headers, "content-type"),
        observed.body.as_bytes(),
    )
    .is_some_and(|e| e.code.starts_with("Throttling"));
    let throttled = observed.status == 429
        || (observed.status == 503 && retry_after.is_some())
        || throttling_code;
    throttled.then(|| {
        retry_after
            .unwrap_or_else(|| Duration::from_secs(1 << retry.min(5)))
            .min(MAX_WAIT)
    })
}

/// Sends a request, prepared afresh for each try (a new nonce and timestamp, since a server
/// refuses a nonce twice), retrying throttling answers of a real endpoint ([`throttle_wait`]) up
/// to [`MAX_RETRIES`] times. An emulator's answers are never retried: a throttling emulator is
/// what a case sees. Returns the request last sent and its answer.
pub async fn send_retrying(
    client: &reqwest::Client,
    endpoint: &Endpoint,
    prepare: impl Fn(SystemTime) -> Result<Prepared, Failure>,
) -> Result<(Prepared, Observed), Failure> {
    let mut retry = 0;
    loop {
        let prepared = prepare(SystemTime::now())?;
        let observed = send(client, endpoint, &prepared).await?;
        let wait = (endpoint.kind == EndpointKind::Remote && retry < MAX_RETRIES)
            .then(|| throttle_wait(&observed, retry))
            .flatten();
        match wait {
            Some(wait) => {
                tokio::time::sleep(wait).await;
                retry += 1;
            }
            None => return Ok((prepared, observed)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(status: u16, headers: &[(&str, &str)], body: &str) -> Observed {
        Observed {
            status,
            headers: headers
                .iter()
                .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
                .collect(),
            body: body.to_owned(),
        }
    }

    #[test]
    fn throttling_answers_are_recognised() {
        let json = [("content-type", "application/json")];
        let throttled = answer(
            400,
            &json,
            r#"{"Code":"Throttling.User","Message":"Request was denied due to user flow control.","RequestId":"x"}"#,
        );
        assert_eq!(throttle_wait(&throttled, 0), Some(Duration::from_secs(1)));
        assert_eq!(throttle_wait(&throttled, 3), Some(Duration::from_secs(8)));
        assert_eq!(throttle_wait(&throttled, 9), Some(Duration::from_secs(30)));
        let too_many = answer(429, &[("retry-after", "3")], "");
        assert_eq!(throttle_wait(&too_many, 0), Some(Duration::from_secs(3)));
        let unavailable = answer(503, &[("Retry-After", "2")], "");
        assert_eq!(throttle_wait(&unavailable, 4), Some(Duration::from_secs(2)));
    }

    #[test]
    fn other_answers_are_not_retried() {
        let json = [("content-type", "application/json")];
        let error = answer(
            400,
            &json,
            r#"{"Code":"InvalidParameter","Message":"x","RequestId":"x"}"#,
        );
        assert_eq!(throttle_wait(&error, 0), None);
        assert_eq!(throttle_wait(&answer(503, &[], ""), 0), None);
        assert_eq!(throttle_wait(&answer(200, &json, "{}"), 0), None);
    }
}
