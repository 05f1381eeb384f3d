//! What the client's `tracing` spans reveal. A test binary of its own: `tracing` caches which
//! call sites are enabled per process, so sharing a process with tests that run without a
//! subscriber would hide events from this one.

mod support;

use std::time::Duration;

use cen_client::{Cen, Credentials, RetryPolicy};
use serde_json::json;
use support::{Canned, Scripted};

/// Collects everything a `tracing` subscriber writes, to check what the spans reveal.
#[derive(Clone, Default)]
struct Captured(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("lock").extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn spans_carry_action_attempt_and_request_id_but_never_a_secret_or_signature() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_max_level(tracing::Level::TRACE)
        .with_span_events(tracing_subscriber::fmt::format::FmtSpan::CLOSE)
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let server = Scripted::start(vec![
        Canned::json(
            400,
            json!({"Code": "Throttling.User", "Message": "slow down"}),
        ),
        Canned::json(200, json!({"RequestId": "REQ-42", "CenId": "cen-5"}))
            .with_header("x-acs-request-id", "REQ-42"),
    ])
    .await;
    let cen = Cen::builder()
        .endpoint(&server.url)
        .credentials(
            Credentials::new("testid", "very-secret-value").with_security_token("sts-secret-token"),
        )
        .retry(
            RetryPolicy::default()
                .max_attempts(2)
                .backoff_between(Duration::from_millis(1), Duration::from_millis(5)),
        )
        .build()
        .expect("a client");
    cen.cbn()
        .create_cen()
        .send()
        .await
        .expect("succeeds on the second attempt");

    let log = String::from_utf8(captured.0.lock().expect("lock").clone()).expect("utf-8 log");
    assert!(log.contains("action=CreateCen"), "{log}");
    assert!(log.contains("attempt=2"), "{log}");
    assert!(log.contains("request_id=REQ-42"), "{log}");
    assert!(log.contains("latency_ms="), "{log}");
    let authorization = server.requests()[1]
        .header("authorization")
        .unwrap_or_default()
        .to_owned();
    let signature = authorization
        .rsplit("Signature=")
        .next()
        .unwrap_or_default();
    for secret in ["very-secret-value", "sts-secret-token", signature] {
        assert!(!log.contains(secret), "{secret} leaked into the log: {log}");
    }
}
