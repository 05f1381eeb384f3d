//! The runner's HTTP path end to end on 127.0.0.1, against a bare `cen-server` front door with a
//! tiny fake product serving `DescribeCens`, `ListTransitRouters` and
//! `ListTransitRouterAvailableResource`: every exchange case of the `auth` family, and the
//! runner's own behaviour (diffs, skips, JUnit) independently of emulator changes. The same
//! cases run one test per file against the emulator in `exchange_cases.rs`.

use std::sync::Arc;

use acs_rpc::Credentials;
use acs_rpc::error::ApiError;
use acs_rpc::meta::ProductMeta;
use cen_conformance::case::{load_built_in, load_dir};
use cen_conformance::endpoint::{AbortOnDrop, CredentialSet, Endpoint, EndpointKind};
use cen_conformance::runner::{FormatSelection, Outcome, RunOptions, plan, run};
use cen_server::{Account, BoxFuture, FrontDoor, ProductService, RequestContext, StaticKeyStore};
use serde_json::{Value, json};

const PRIMARY: (&str, &str) = ("LTAIconformancePrimary", "primary-secret");
const SECONDARY: (&str, &str) = ("LTAIconformanceSecondary", "secondary-secret");
const DISABLED: (&str, &str) = ("LTAIconformanceDisabled", "disabled-secret");

/// Serves `DescribeCens` and `ListTransitRouters` with an empty page and
/// `ListTransitRouterAvailableResource` with one zone, and nothing else.
struct FakeCbn;

impl ProductService for FakeCbn {
    fn meta(&self) -> &'static ProductMeta {
        &cen_types::operations::CBN
    }

    fn call<'a>(
        &'a self,
        ctx: &'a RequestContext,
        _params: Vec<(String, String)>,
    ) -> BoxFuture<'a, Result<Value, ApiError>> {
        Box::pin(async move {
            match ctx.action.as_str() {
                "DescribeCens" => Ok(json!({
                    "Cens": {"Cen": []},
                    "TotalCount": 0,
                    "PageNumber": 1,
                    "PageSize": 10
                })),
                "ListTransitRouters" => Ok(json!({
                    "TransitRouters": [],
                    "TotalCount": 0,
                    "PageNumber": 1,
                    "PageSize": 10
                })),
                "ListTransitRouterAvailableResource" => Ok(json!({
                    "AvailableZones": ["cn-hangzhou-h"],
                    "MasterZones": [],
                    "SlaveZones": []
                })),
                other => Err(ApiError::new(
                    400,
                    "Unsupported",
                    format!("the fake product does not serve {other}"),
                )),
            }
        })
    }
}

async fn serve_fake() -> Endpoint {
    let door = FrontDoor::builder()
        .product(Arc::new(FakeCbn))
        .keys(Arc::new(StaticKeyStore::new(vec![
            Account::new(PRIMARY.0, PRIMARY.1, "1000000000000001"),
            Account::new(SECONDARY.0, SECONDARY.1, "1000000000000002"),
            Account::new(DISABLED.0, DISABLED.1, "1000000000000003").disabled(),
        ])))
        .build();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind loopback");
    let addr = listener.local_addr().expect("local address");
    let server = tokio::spawn(async move {
        axum::serve(listener, door.router()).await.expect("serve");
    });
    let credentials = CredentialSet {
        primary: Some(Credentials::new(PRIMARY.0, PRIMARY.1)),
        secondary: Some(Credentials::new(SECONDARY.0, SECONDARY.1)),
        disabled: Some(Credentials::new(DISABLED.0, DISABLED.1)),
    };
    Endpoint::new(
        &format!("http://{addr}"),
        EndpointKind::Emulator,
        credentials,
    )
    .expect("valid URL")
    .with_guard(Box::new(AbortOnDrop(server)))
}

#[tokio::test(flavor = "multi_thread")]
async fn auth_cases_pass_against_a_front_door() {
    let cases = load_built_in().expect("cases load");
    let options = RunOptions {
        filter: Some("auth/".to_owned()),
        formats: FormatSelection::Both,
        ..RunOptions::default()
    };
    let planned = plan(&cases, &options);
    assert!(planned.len() > 40, "{} planned", planned.len());
    let endpoint = serve_fake().await;
    let mut out = Vec::new();
    let report = run(&planned, Some(&endpoint), "no endpoint", &options, &mut out)
        .await
        .expect("run");
    let text = String::from_utf8(out).expect("UTF-8 output");
    assert_eq!(report.failed(), 0, "{text}");
    assert_eq!(report.skipped(), 0, "{text}");
    let summary = format!("{} passed, 0 failed, 0 skipped", planned.len());
    assert_eq!(text.lines().last(), Some(summary.as_str()), "{text}");
    assert!(
        text.contains("ok auth/accept-v1-post-split[xml]\n"),
        "{text}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_wrong_expectation_fails_with_a_diff_and_real_endpoints_gate_writes() {
    let dir = std::env::temp_dir().join(format!("cen-conformance-{}", std::process::id()));
    let family = dir.join("demo");
    std::fs::create_dir_all(&family).expect("temp dir");
    std::fs::write(
        family.join("wrong.yaml"),
        r#"id: wrong
kind: exchange
description: Expects the wrong code, to see the diff.
operation: DescribeCens
format: JSON
provenance: {source: reference, details: a test of the runner}
request: {signature: v1, credentials: primary}
expect: {status: 200, code: Nope}
"#,
    )
    .expect("write case");
    std::fs::write(
        family.join("writes.yaml"),
        r#"id: writes
kind: exchange
description: A write, which a real endpoint only gets with --allow-writes.
operation: CreateCen
format: JSON
tags: [writes]
provenance: {source: reference, details: a test of the runner}
request: {signature: v1, credentials: primary}
expect: {status: 200}
"#,
    )
    .expect("write case");
    let cases = load_dir(&dir).expect("cases load");
    std::fs::remove_dir_all(&dir).expect("clean up");
    let options = RunOptions::default();
    let planned = plan(&cases, &options);
    let fake = serve_fake().await;
    let mut out = Vec::new();
    let report = run(&planned, Some(&fake), "", &options, &mut out)
        .await
        .expect("run");
    let text = String::from_utf8(out).expect("UTF-8 output");
    assert_eq!(report.failed(), 2, "{text}");
    assert!(text.contains("FAIL demo/wrong\n"), "{text}");
    assert!(
        text.contains("    - code: Nope\n    + code: (none)\n"),
        "{text}"
    );
    assert!(matches!(report.results[0].outcome, Outcome::Fail(_)));

    // The same server presented as a real endpoint: the write is skipped, not sent.
    let remote = Endpoint::new(
        &fake.base_url,
        EndpointKind::Remote,
        fake.credentials.clone(),
    )
    .expect("valid URL");
    let mut out = Vec::new();
    let report = run(&planned, Some(&remote), "", &options, &mut out)
        .await
        .expect("run");
    let text = String::from_utf8(out).expect("UTF-8 output");
    assert!(text.contains("skip demo/writes (tagged `writes`"), "{text}");
    assert_eq!(text.lines().last(), Some("0 passed, 1 failed, 1 skipped"));
    let junit = report.junit();
    assert!(
        junit.contains("<testcase classname=\"demo\" name=\"demo/wrong\""),
        "{junit}"
    );
    assert!(
        junit.contains("<skipped message=\"tagged `writes`"),
        "{junit}"
    );
}
