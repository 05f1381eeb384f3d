//! Fault injection as a team's CI uses it: rules make calls fail, slow down or lose their
//! connection, the Rust client's retries and waiters get through them, the draws repeat with
//! the seed, and every injected fault is counted.

mod network;

use std::sync::Arc;
use std::time::Duration;

use cen_client::RetryPolicy;
use cen_emulator::config::{Identities, default_accounts};
use cen_emulator::faults::FaultDocument;
use cen_emulator::store::Store;
use cen_emulator::{Emulator, EmulatorConfig};
use network::{admin, client};
use serde_json::{Value, json};

/// Serves an emulator whose transitions last `delay_ms`, with these fault rules.
async fn serve(delay_ms: u64, faults: Value) -> String {
    let accounts = default_accounts();
    let uids: Vec<i64> = accounts.iter().map(|a| a.uid).collect();
    let emulator = Emulator::new(
        EmulatorConfig::new(&uids, Duration::from_millis(delay_ms)),
        Store::Memory,
    )
    .unwrap();
    let identities = Identities {
        accounts,
        ..Identities::default()
    };
    let faults: FaultDocument = serde_json::from_value(faults).unwrap();
    let app = cen_emulator::app_with_faults(Arc::new(emulator), &identities, faults).unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{address}")
}

async fn rules(url: &str) -> Value {
    let (status, body) = admin(
        reqwest::Method::GET,
        &format!("{url}/_emulator/faults"),
        None,
    )
    .await;
    assert_eq!(status, 200);
    serde_json::from_str(&body).unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_client_retries_through_throttling_and_a_dropped_connection_without_duplicating() {
    let url = serve(
        0,
        json!({"Faults": [
            {"Action": "CreateCen", "Error": "Throttling.User", "Times": 1},
            {"Action": "CreateCen", "CloseConnection": true, "Times": 1}
        ]}),
    )
    .await;
    let cen = client(&url, RetryPolicy::default().max_attempts(3));
    let created = cen.cbn().create_cen().name("retried").send().await.unwrap();
    let listed = cen.cbn().describe_cens().send().await.unwrap();
    // The retries carried one ClientToken, so the dropped attempt did not leave a second CEN.
    assert_eq!(listed.total_count, Some(1));
    assert_eq!(
        listed.cens.unwrap().cen[0].cen_id,
        created.cen_id,
        "the listed CEN is the created one"
    );
    let faults = rules(&url).await;
    let injected: Vec<i64> = faults["Faults"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["Injected"].as_i64().unwrap())
        .collect();
    assert_eq!(injected, [1, 1]);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_waiter_gets_through_unavailable_polls() {
    let url = serve(
        300,
        json!({"Faults": [{"Action": "DescribeCens", "Error": "ServiceUnavailable", "Times": 2}]}),
    )
    .await;
    let cen = client(&url, RetryPolicy::default().max_attempts(3));
    let cen_id = cen.cbn().create_cen().send().await.unwrap().cen_id.unwrap();
    let waited = cen
        .cbn()
        .wait_until_cen_active(&cen_id)
        .poll_interval(Duration::from_millis(50))
        .timeout(Duration::from_secs(10))
        .await
        .unwrap();
    assert_eq!(waited.status.as_deref(), Some("Active"));
    assert_eq!(rules(&url).await["Faults"][0]["Injected"], 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn without_retries_the_caller_sees_the_documented_status_and_code() {
    let url = serve(0, json!({})).await;
    // Added at run time, for one operation of one account, on calls naming matching ids.
    let (status, body) = admin(
        reqwest::Method::POST,
        &format!("{url}/_emulator/faults"),
        Some(json!({
            "Action": "DeleteCen",
            "Account": default_accounts()[0].uid,
            "ResourceId": "cen-*",
            "Error": "ParameterCenInstanceId",
            "LatencyMs": 10
        })),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let cen = client(&url, RetryPolicy::none());
    let cen_id = cen.cbn().create_cen().send().await.unwrap().cen_id.unwrap();
    let error = cen
        .cbn()
        .delete_cen()
        .cen_id(&cen_id)
        .send()
        .await
        .unwrap_err();
    assert_eq!(error.code(), Some("ParameterCenInstanceId"));
    assert_eq!(error.status(), Some(404));
    // The CEN is still there: the fault answered instead of the operation.
    let listed = cen.cbn().describe_cens().send().await.unwrap();
    assert_eq!(listed.total_count, Some(1));

    let (status, metrics) = admin(
        reqwest::Method::GET,
        &format!("{url}/_emulator/metrics"),
        None,
    )
    .await;
    assert_eq!(status, 200);
    for line in [
        r#"cen_emulator_requests_total{product="Cbn",action="DeleteCen",code="ParameterCenInstanceId",status="404"} 1"#,
        r#"cen_emulator_requests_total{product="Cbn",action="CreateCen",code="Success",status="200"} 1"#,
        r#"cen_emulator_injected_faults_total{action="DeleteCen",fault="ParameterCenInstanceId"} 1"#,
        r#"cen_emulator_resources{kind="cen"} 1"#,
    ] {
        assert!(metrics.contains(line), "{line} not in\n{metrics}");
    }
    assert!(metrics.contains("cen_emulator_request_duration_seconds_bucket{"));
}

#[tokio::test(flavor = "multi_thread")]
async fn draws_repeat_with_the_seed() {
    let document = json!({"Seed": 7, "Faults": [
        {"Action": "DescribeCens", "Error": "Throttling.User", "Probability": 0.5}
    ]});
    let url = serve(0, document.clone()).await;
    let cen = client(&url, RetryPolicy::none());
    let mut runs = Vec::new();
    for _ in 0..2 {
        let (status, body) = admin(
            reqwest::Method::PUT,
            &format!("{url}/_emulator/faults"),
            Some(document.clone()),
        )
        .await;
        assert_eq!(status, 200, "{body}");
        let mut pattern = String::new();
        for _ in 0..32 {
            let throttled = cen.cbn().describe_cens().send().await.is_err();
            pattern.push(if throttled { 'x' } else { '.' });
        }
        runs.push(pattern);
    }
    assert_eq!(runs[0], runs[1]);
    assert!(
        runs[0].contains('x') && runs[0].contains('.'),
        "{}",
        runs[0]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn rules_that_cannot_apply_are_refused_saying_why() {
    let url = serve(0, json!({})).await;
    for (rule, says) in [
        (json!({"Action": "CreateCen"}), "exactly one of"),
        (
            json!({"Action": "CreateCen", "Error": "Throttling", "CloseConnection": true}),
            "cannot both",
        ),
        (
            json!({"Action": "CreateCen", "Error": "Throttling", "Probability": 2}),
            "between 0 and 1",
        ),
        (
            json!({"Action": "CreateCens", "Error": "Throttling"}),
            "unknown action",
        ),
        (
            json!({"Product": "Ecs", "Error": "Throttling"}),
            "unknown product",
        ),
        (
            json!({"Action": "CreateCen", "Error": "InvalidTransitRouterId.NotFound"}),
            "not an error CreateCen documents",
        ),
        (json!({"Error": "Throttling", "Bogus": 1}), "unknown field"),
    ] {
        let (status, body) = admin(
            reqwest::Method::POST,
            &format!("{url}/_emulator/faults"),
            Some(rule.clone()),
        )
        .await;
        assert_eq!(status, 400, "{rule}: {body}");
        assert!(body.contains(says), "{rule}: {body}");
    }
    let (status, body) = admin(
        reqwest::Method::DELETE,
        &format!("{url}/_emulator/faults/99"),
        None,
    )
    .await;
    assert_eq!(
        (status, body.contains("InvalidFault.NotFound")),
        (404, true)
    );
}
