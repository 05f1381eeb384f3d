//! The exact requests the client puts on the wire, and what it makes of the answers.
//!
//! Each file in `tests/wire/` is one case: an operation, its typed input, the signing settings with
//! a pinned clock and nonce, and the canned answer of a local server. The snapshot holds the request
//! as the server received it (method, target, headers, body) and the decoded result. V3 signatures
//! cover the `host` header, whose port is random here, so the server verifies them with the known
//! secret and the snapshot records the verdict; V1 signatures do not cover the host and appear
//! verbatim.
//!
//! A case may also state what a user would check by hand: `expect_params` names wire parameters
//! and their values (a string is compared exactly, any other JSON value is compared with the
//! parameter's value parsed as JSON), `expect_absent` lists parameter-name prefixes that must not
//! be sent at all, and `expect_error_code` is what `Error::code()` answers.

mod support;

use std::sync::Arc;

use acs_rpc::sign::v3;
use cen_client::{
    Cen, Credentials, HttpMethod, Placement, RetryPolicy, SignatureVersion, SigningContext, cbn,
    vpc,
};
use serde::Deserialize;
use serde_json::{Value, json};
use support::{Canned, Recorded, Scripted};

const ACCESS_KEY_ID: &str = "testid";
const SECRET: &str = "testsecret";

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    description: String,
    product: String,
    operation: String,
    #[serde(default = "v3")]
    signature: String,
    #[serde(default = "post")]
    method: String,
    #[serde(default = "query")]
    placement: String,
    #[serde(default)]
    security_token: Option<String>,
    input: Value,
    response: CannedResponse,
    #[serde(default)]
    expect_params: serde_json::Map<String, Value>,
    #[serde(default)]
    expect_absent: Vec<String>,
    #[serde(default)]
    expect_error_code: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CannedResponse {
    status: u16,
    #[serde(default)]
    xml: Option<String>,
    #[serde(default)]
    json: Option<Value>,
}

fn v3() -> String {
    "V3".into()
}
fn post() -> String {
    "POST".into()
}
fn query() -> String {
    "Query".into()
}

/// Calls one operation with a JSON input decoded into its generated request type.
macro_rules! dispatch {
    ($cen:expr, $case:expr, { $($product:ident $op:literal => $method:ident($ty:ident)),* $(,)? }) => {
        match ($case.product.as_str(), $case.operation.as_str()) {
            $(
                (stringify!($product), $op) => {
                    let body: $product::types::$ty = serde_json::from_value($case.input.clone())
                        .expect("the fixture's input matches the request type");
                    $cen.$product()
                        .$method()
                        .with_request(body)
                        .send()
                        .await
                        .map(|response| json!({"ok": response}))
                }
            )*
            (product, op) => panic!("no dispatch entry for {product} {op}"),
        }
    };
}

fn describe(error: cen_client::Error) -> Value {
    match error {
        cen_client::Error::Api(api) => json!({
            "status": api.status,
            "code": api.code,
            "message": api.message,
            "request_id": api.request_id,
            "host_id": api.host_id,
            "recommend": api.recommend,
        }),
        other => json!({"other": other.to_string()}),
    }
}

fn canned(response: &CannedResponse) -> Canned {
    match (&response.xml, &response.json) {
        (Some(xml), None) => Canned::xml(response.status, xml),
        (None, Some(json)) => Canned::json(response.status, json.clone()),
        _ => panic!("a canned response has exactly one of xml or json"),
    }
}

/// The parameters of a request, from its query and, for form bodies, its body.
fn wire_params(request: &Recorded) -> Vec<(String, String)> {
    let query = request.target.split_once('?').map_or("", |(_, q)| q);
    let mut params = acs_rpc::encode::form_decode(query).expect("an encoded query");
    let form = request
        .header("content-type")
        .is_some_and(|t| t.starts_with("application/x-www-form-urlencoded"));
    if form {
        params.extend(acs_rpc::encode::form_decode(&request.body).expect("an encoded form body"));
    }
    params
}

/// Checks the case's `expect_params`, `expect_absent` and `expect_error_code` against the request
/// as received and the outcome of the call; `file` names the case in a failure.
fn check_expectations(
    file: &str,
    case: &Case,
    request: &Recorded,
    outcome: &Result<Value, cen_client::Error>,
) {
    let params = wire_params(request);
    for (name, expected) in &case.expect_params {
        let values: Vec<&str> = params
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .collect();
        let [actual] = values.as_slice() else {
            panic!(
                "{file}: {name} is sent exactly once, not {values:?}; all parameters: {params:?}"
            );
        };
        match expected {
            Value::String(text) => assert_eq!(actual, text, "{file}: the value of {name}"),
            _ => {
                let parsed: Value = serde_json::from_str(actual)
                    .unwrap_or_else(|e| panic!("{file}: {name} holds JSON, not {actual:?}: {e}"));
                assert_eq!(&parsed, expected, "{file}: the JSON held by {name}");
            }
        }
    }
    for prefix in &case.expect_absent {
        let sent: Vec<&String> = params
            .iter()
            .map(|(n, _)| n)
            .filter(|n| n.starts_with(prefix.as_str()))
            .collect();
        assert!(
            sent.is_empty(),
            "{file}: nothing named {prefix}* is sent, but {sent:?} was"
        );
    }
    if let Some(code) = &case.expect_error_code {
        match outcome {
            Err(error) => assert_eq!(error.code(), Some(code.as_str()), "{file}: Error::code()"),
            Ok(ok) => panic!("{file}: expected the error {code}, got {ok}"),
        }
    }
}

/// What the snapshot shows of a request: stable values verbatim, the port and V3 signature replaced
/// by what the test could check about them.
fn normalise(request: &Recorded, port: u16, security_token: Option<&str>) -> Value {
    let authority = format!("127.0.0.1:{port}");
    let mut headers: Vec<(String, String)> = request
        .headers
        .iter()
        .map(|(n, v)| (n.clone(), v.replace(&authority, "127.0.0.1:<port>")))
        .collect();
    let mut v3_valid = Value::Null;
    if let Some(authorization) = request.header("authorization") {
        let parsed = v3::parse_authorization(authorization).expect("a V3 Authorization header");
        let (path, query) = request
            .target
            .split_once('?')
            .unwrap_or((&request.target, ""));
        let query = acs_rpc::encode::form_decode(query).expect("an encoded query");
        let signed: Vec<(String, String)> = request
            .headers
            .iter()
            .filter(|(n, _)| parsed.signed_headers.contains(n))
            .cloned()
            .collect();
        let canonical = v3::canonical_request_with(
            &v3::CanonicalInput {
                method: &request.method,
                path,
                query: &query,
                headers: &signed,
                body: request.body.as_bytes(),
            },
            &parsed.signed_headers,
        );
        v3_valid = json!(v3::verify(
            SECRET,
            &v3::string_to_sign(&canonical),
            &parsed.signature
        ));
        for (name, value) in &mut headers {
            if name == "authorization" {
                *value = format!(
                    "ACS3-HMAC-SHA256 Credential={},SignedHeaders={},Signature=<checked>",
                    parsed.credential,
                    parsed.signed_headers.join(";")
                );
            }
        }
    }
    let secret_leaked = request.body.contains(SECRET)
        || request.target.contains(SECRET)
        || request.headers.iter().any(|(_, v)| v.contains(SECRET));
    assert!(!secret_leaked, "the secret itself must never travel");
    if let Some(token) = security_token {
        assert!(
            request.target.contains(token)
                || request.body.contains(token)
                || request.header("x-acs-security-token") == Some(token),
            "the STS token travels with the request"
        );
    }
    headers.sort();
    json!({
        "method": request.method,
        "target": request.target,
        "headers": headers,
        "body": request.body,
        "v3_signature_valid": v3_valid,
    })
}

#[test]
fn wire_cases() {
    insta::glob!("wire/*.json", |path| {
        let case: Case =
            serde_json::from_str(&std::fs::read_to_string(path).expect("readable fixture"))
                .expect("a well-formed case");
        let runtime = tokio::runtime::Runtime::new().expect("a runtime");
        let snapshot = runtime.block_on(async {
            let server = Scripted::start(vec![canned(&case.response)]).await;
            let port: u16 = server
                .url
                .rsplit(':')
                .next()
                .and_then(|p| p.parse().ok())
                .expect("a port");
            let mut credentials = Credentials::new(ACCESS_KEY_ID, SECRET);
            if let Some(token) = &case.security_token {
                credentials = credentials.with_security_token(token.clone());
            }
            let cen = Cen::builder()
                .endpoint(&server.url)
                .credentials(credentials)
                .signature_version(match case.signature.as_str() {
                    "V1" => SignatureVersion::V1,
                    _ => SignatureVersion::V3,
                })
                .method(match case.method.as_str() {
                    "GET" => HttpMethod::Get,
                    _ => HttpMethod::Post,
                })
                .placement(match case.placement.as_str() {
                    "Body" => Placement::Body,
                    _ => Placement::Query,
                })
                .retry(RetryPolicy::none())
                .signing_source(Arc::new(|| {
                    SigningContext::new(
                        "2026-11-23T08:00:00Z",
                        "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf",
                    )
                }))
                .build()
                .expect("a client");
            let outcome = dispatch!(cen, case, {
                cbn "CreateCen" => create_cen(CreateCenRequest),
                cbn "DescribeCens" => describe_cens(DescribeCensRequest),
                cbn "TagResources" => tag_resources(TagResourcesRequest),
                cbn "AttachCenChildInstance" => attach_cen_child_instance(AttachCenChildInstanceRequest),
                cbn "SetCenInterRegionBandwidthLimit" => set_cen_inter_region_bandwidth_limit(SetCenInterRegionBandwidthLimitRequest),
                cbn "CreateTransitRouter" => create_transit_router(CreateTransitRouterRequest),
                cbn "DeleteTransitRouter" => delete_transit_router(DeleteTransitRouterRequest),
                cbn "ListTransitRouters" => list_transit_routers(ListTransitRoutersRequest),
                vpc "GrantInstanceToCen" => grant_instance_to_cen(GrantInstanceToCenRequest),
            });
            let requests = server.requests();
            assert_eq!(requests.len(), 1, "one attempt, no retry");
            let file = path.file_name().map_or_else(
                || path.display().to_string(),
                |name| name.to_string_lossy().into_owned(),
            );
            check_expectations(&file, &case, &requests[0], &outcome);
            let outcome = match outcome {
                Ok(ok) => ok,
                Err(error) => json!({"error": describe(error)}),
            };
            json!({
                "description": case.description,
                "request": normalise(&requests[0], port, case.security_token.as_deref()),
                "outcome": outcome,
            })
        });
        insta::assert_json_snapshot!(snapshot);
    });
}
