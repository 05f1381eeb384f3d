//! Data-driven front door tests: each file under `tests/frontdoor/` is one case, a sequence of
//! requests against one fresh front door, each with the response it must get.
//!
//! Signed requests are built with `acs_rpc::sign::sign_v1`/`sign_v3` (the client's signer, itself
//! checked against Alibaba's public vectors) and then tampered with as the case says.

mod support;

use std::borrow::Cow;
use std::path::{Path, PathBuf};

use acs_rpc::encode::{form_decode, form_encode};
use acs_rpc::error::ApiError;
use acs_rpc::sign::{self, SigningTrace, v3};
use acs_rpc::{Credentials, HttpMethod, Placement, RpcRequest, SigningContext};
use axum::body::Body;
use http::Request;
use http_body_util::BodyExt as _;
use rstest::rstest;
use serde::Deserialize;
use serde_json::Value;
use tower::ServiceExt as _;

use support::*;

type Pairs = Vec<(String, String)>;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    description: String,
    steps: Vec<Step>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Step {
    request: Req,
    expect: Expect,
}

#[derive(Deserialize, Default, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
enum Scheme {
    #[default]
    V1,
    V3,
    Raw,
}

#[derive(Deserialize, Default, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
enum Where {
    #[default]
    Query,
    Body,
    /// V1 only: parameters alternate between query and body.
    Split,
}

#[derive(Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
struct Req {
    scheme: Scheme,
    method: Option<String>,
    placement: Where,
    action: Option<String>,
    version: Option<String>,
    format: Option<String>,
    host: Option<String>,
    key: Option<String>,
    /// Signs with this secret instead of the key's own.
    secret: Option<String>,
    token: Option<String>,
    params: Pairs,
    timestamp: Option<String>,
    nonce: Option<String>,
    /// After signing, V1: parameters removed, renamed or set (replacing every value or added).
    remove: Vec<String>,
    rename: Pairs,
    set: Pairs,
    /// V1: encode spaces as `+`, as Go's SDK does.
    plus_for_space: bool,
    /// After signing, V3: headers removed or set.
    remove_headers: Vec<String>,
    set_headers: Pairs,
    /// After signing, V3: a header name taken out of `SignedHeaders`.
    unsign_header: Option<String>,
    /// After signing: the body replaced.
    replace_body: Option<String>,
    /// Raw requests: sent exactly as written.
    uri: Option<String>,
    headers: Pairs,
    body: Option<String>,
    /// Raw requests: a body of this many `a`s.
    body_len: Option<usize>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Expect {
    status: u16,
    code: Option<String>,
    message: Option<String>,
    /// The message must be `SignatureDoesNotMatch`'s, quoting the client's string to sign.
    #[serde(default)]
    message_quotes_string_to_sign: bool,
    host_id: Option<String>,
    content_type: Option<String>,
    /// The exact body.
    body: Option<String>,
    /// A piece of text the body must contain.
    body_contains: Option<String>,
    /// A JSON value the body must contain (objects compared member by member, all else exactly).
    json: Option<Value>,
}

/// What the harness sent, for computing expectations.
struct Sent {
    request: Request<Body>,
    trace: Option<SigningTrace>,
}

fn pairs_from_wire(path_and_query: &str, body: &[u8]) -> Pairs {
    let query = path_and_query.split_once('?').map_or("", |(_, q)| q);
    let mut pairs = form_decode(query).unwrap();
    pairs.extend(form_decode(std::str::from_utf8(body).unwrap()).unwrap());
    pairs
}

fn encode(pairs: &[(String, String)], plus_for_space: bool) -> String {
    let text = form_encode(pairs);
    if plus_for_space {
        text.replace("%20", "+")
    } else {
        text
    }
}

fn build(req: &Req, step: usize) -> Sent {
    let version = req
        .version
        .clone()
        .unwrap_or_else(|| CBN.version.to_owned());
    let host = req.host.clone().unwrap_or_else(|| {
        if version == VPC.version {
            VPC.host()
        } else {
            CBN.host()
        }
        .to_owned()
    });
    let method = match req.method.as_deref().unwrap_or("POST") {
        "GET" => HttpMethod::Get,
        _ => HttpMethod::Post,
    };
    if req.scheme == Scheme::Raw {
        let mut builder = Request::builder()
            .method(req.method.as_deref().unwrap_or("POST"))
            .uri(req.uri.as_deref().unwrap_or("/"))
            .header("host", &host);
        for (name, value) in &req.headers {
            builder = builder.header(name, value);
        }
        let body = match (req.body_len, &req.body) {
            (Some(len), _) => "a".repeat(len),
            (None, Some(body)) => body.clone(),
            (None, None) => String::new(),
        };
        return Sent {
            request: builder.body(Body::from(body)).unwrap(),
            trace: None,
        };
    }
    let key = req.key.clone().unwrap_or_else(|| KEY.to_owned());
    let secret = req.secret.clone().unwrap_or_else(|| {
        accounts()
            .into_iter()
            .find(|a| a.access_key_id == key)
            .map_or_else(
                || "unknown-secret".to_owned(),
                |a| a.secret.expose().to_owned(),
            )
    });
    let mut creds = Credentials::new(key, secret);
    if let Some(token) = &req.token {
        creds = creds.with_security_token(token.as_str());
    }
    let rpc = RpcRequest {
        method,
        host: host.as_str().into(),
        action: (req.action.clone().unwrap_or_else(|| "Echo".to_owned())).into(),
        version: version.into(),
        format: (req.format.clone().unwrap_or_else(|| "JSON".to_owned())).into(),
        params: Cow::Owned(req.params.clone().into()),
        placement: match req.placement {
            Where::Body if req.scheme == Scheme::V3 => Placement::Body,
            _ => Placement::Query,
        },
    };
    let ctx = SigningContext::new(
        req.timestamp.clone().unwrap_or_else(|| NOW.to_owned()),
        req.nonce.clone().unwrap_or_else(|| format!("nonce-{step}")),
    );
    match req.scheme {
        Scheme::V1 => {
            let trace = sign::sign_v1_traced(&rpc, &creds, &ctx);
            let mut pairs = pairs_from_wire(&trace.wire.path_and_query, &trace.wire.body);
            pairs.retain(|(n, _)| !req.remove.contains(n));
            for (from, to) in &req.rename {
                for pair in pairs.iter_mut().filter(|(n, _)| n == from) {
                    pair.0 = to.clone();
                }
            }
            for (name, value) in &req.set {
                if pairs.iter().any(|(n, _)| n == name) {
                    for pair in pairs.iter_mut().filter(|(n, _)| n == name) {
                        pair.1 = value.clone();
                    }
                } else {
                    pairs.push((name.clone(), value.clone()));
                }
            }
            let (query, body): (Pairs, Pairs) = match req.placement {
                Where::Query => (pairs, Vec::new()),
                Where::Body => (Vec::new(), pairs),
                Where::Split => {
                    let (q, b): (Vec<_>, Vec<_>) =
                        pairs.into_iter().enumerate().partition(|(i, _)| i % 2 == 0);
                    (
                        q.into_iter().map(|(_, p)| p).collect(),
                        b.into_iter().map(|(_, p)| p).collect(),
                    )
                }
            };
            let uri = if query.is_empty() {
                "/".to_owned()
            } else {
                format!("/?{}", encode(&query, req.plus_for_space))
            };
            let mut builder = Request::builder()
                .method(method.as_str())
                .uri(uri)
                .header("host", &host)
                .header("x-acs-action", rpc.action.as_ref());
            if !body.is_empty() {
                builder = builder.header("content-type", sign::FORM_CONTENT_TYPE);
            }
            let body = req
                .replace_body
                .clone()
                .unwrap_or_else(|| encode(&body, req.plus_for_space));
            Sent {
                request: builder.body(Body::from(body)).unwrap(),
                trace: Some(trace),
            }
        }
        Scheme::V3 => {
            let trace = sign::sign_v3_traced(&rpc, &creds, &ctx);
            let mut headers = trace.wire.headers.clone();
            headers.retain(|(n, _)| !req.remove_headers.contains(n));
            for (name, value) in &req.set_headers {
                headers.retain(|(n, _)| n != name);
                headers.push((name.clone(), value.clone()));
            }
            if let Some(unsigned) = &req.unsign_header {
                for (name, value) in headers.iter_mut() {
                    if name == "authorization" {
                        let auth = v3::parse_authorization(value).unwrap();
                        let signed: Vec<String> = auth
                            .signed_headers
                            .into_iter()
                            .filter(|h| h != unsigned)
                            .collect();
                        *value = v3::authorization(&auth.credential, &signed, &auth.signature);
                    }
                }
            }
            let mut builder = Request::builder()
                .method(trace.wire.method.as_str())
                .uri(&trace.wire.path_and_query);
            for (name, value) in &headers {
                builder = builder.header(name, value);
            }
            let body = req
                .replace_body
                .clone()
                .map_or_else(|| trace.wire.body.clone(), String::into_bytes);
            Sent {
                request: builder.body(Body::from(body)).unwrap(),
                trace: Some(trace),
            }
        }
        Scheme::Raw => unreachable!(),
    }
}

/// Whether `actual` contains `expected`: objects member by member, everything else exactly.
fn contains(actual: &Value, expected: &Value) -> bool {
    match (actual, expected) {
        (Value::Object(a), Value::Object(e)) => e
            .iter()
            .all(|(k, ev)| a.get(k).is_some_and(|av| contains(av, ev))),
        _ => actual == expected,
    }
}

#[track_caller]
fn check(
    path: &Path,
    step: usize,
    sent: &Sent,
    status: u16,
    headers: &http::HeaderMap,
    body: &str,
    expect: &Expect,
) {
    let at = format!("{} step {step}", path.display());
    assert_eq!(status, expect.status, "{at}: status; body {body}");
    let request_id = format!("REQ-{}", step + 1);
    assert_eq!(
        headers
            .get("x-acs-request-id")
            .and_then(|v| v.to_str().ok()),
        Some(request_id.as_str()),
        "{at}: x-acs-request-id"
    );
    let content_type = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let expected_type = expect
        .content_type
        .as_deref()
        .unwrap_or("application/json;charset=utf-8");
    assert_eq!(content_type, expected_type, "{at}: content type");
    if let Some(exact) = &expect.body {
        assert_eq!(body, exact, "{at}: body");
    }
    if let Some(piece) = &expect.body_contains {
        assert!(
            body.contains(piece.as_str()),
            "{at}: body {body} lacks {piece}"
        );
    }
    if let Some(expected) = &expect.json {
        let actual: Value =
            serde_json::from_str(body).unwrap_or_else(|e| panic!("{at}: {e}: {body}"));
        assert!(
            contains(&actual, expected),
            "{at}: body {actual:#} does not contain {expected:#}"
        );
    }
    if content_type.contains("json") {
        let value: Value =
            serde_json::from_str(body).unwrap_or_else(|e| panic!("{at}: {e}: {body}"));
        assert_eq!(
            value["RequestId"],
            Value::from(request_id.as_str()),
            "{at}: RequestId"
        );
    }
    let error = ApiError::from_body(status, Some(content_type), body.as_bytes());
    match (&expect.code, &error) {
        (Some(code), Some(error)) => {
            assert_eq!(&error.code, code, "{at}: code; body {body}");
            assert_eq!(
                error.request_id.as_deref(),
                Some(request_id.as_str()),
                "{at}"
            );
            let product = if error.host_id.as_deref() == Some(VPC.host()) {
                "Vpc"
            } else {
                "Cbn"
            };
            assert_eq!(
                error.recommend.as_deref(),
                Some(
                    format!(
                        "https://api.aliyun.com/troubleshoot?q={code}&product={product}&requestId={request_id}"
                    )
                    .as_str()
                ),
                "{at}: Recommend"
            );
            let host_id = expect.host_id.as_deref().unwrap_or(CBN.host());
            assert_eq!(error.host_id.as_deref(), Some(host_id), "{at}: HostId");
            if let Some(message) = &expect.message {
                assert_eq!(&error.message, message, "{at}: message");
            }
            if expect.message_quotes_string_to_sign {
                let trace = sent
                    .trace
                    .as_ref()
                    .unwrap_or_else(|| panic!("{at}: unsigned"));
                assert_eq!(
                    error.message,
                    format!(
                        "Specified signature is not matched with our calculation. server string to sign is:{}",
                        trace.string_to_sign
                    ),
                    "{at}: string to sign"
                );
            }
        }
        (Some(code), None) => panic!("{at}: expected error {code}, got {body}"),
        (None, Some(error)) => panic!("{at}: unexpected error {error}"),
        (None, None) => {}
    }
}

#[rstest]
#[tokio::test]
async fn frontdoor_case(#[files("tests/frontdoor/*.json")] path: PathBuf) {
    let text = std::fs::read_to_string(&path).unwrap();
    let case: Case =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert!(
        !case.description.is_empty(),
        "{}: describe the case",
        path.display()
    );
    let router = builder().build().router();
    for (step, Step { request, expect }) in case.steps.iter().enumerate() {
        let mut sent = build(request, step);
        let wire = std::mem::replace(&mut sent.request, Request::new(Body::empty()));
        let response = router.clone().oneshot(wire).await.unwrap();
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        let body = String::from_utf8(bytes.to_vec()).unwrap();
        check(&path, step, &sent, status, &headers, &body, expect);
    }
}
