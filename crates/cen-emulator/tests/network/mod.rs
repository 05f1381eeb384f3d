//! Shared by the tests that drive an emulator over loopback: a Rust client with fast retries,
//! and a request to the emulator's `/_emulator/...` endpoints.

#![allow(dead_code)]

use std::time::Duration;

use cen_client::{Cen, Credentials, RetryPolicy};
use serde_json::Value;

/// A client of the first default account at `url`, retrying as `retry` says with short pauses.
pub fn client(url: &str, retry: RetryPolicy) -> Cen {
    let account = &cen_emulator::config::default_accounts()[0];
    Cen::builder()
        .endpoint(url)
        .credentials(Credentials::new(
            account.access_key_id.clone(),
            account.secret.clone(),
        ))
        .retry(retry.backoff_between(Duration::from_millis(5), Duration::from_millis(20)))
        .build()
        .unwrap()
}

/// Sends `body` (JSON) to an admin endpoint and returns the status and the body text.
pub async fn admin(method: reqwest::Method, url: &str, body: Option<Value>) -> (u16, String) {
    let mut request = reqwest::Client::new().request(method, url);
    if let Some(body) = body {
        request = request.body(body.to_string());
    }
    let response = request.send().await.unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}
