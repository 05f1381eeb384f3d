//! Signature fixtures: public vectors from Alibaba's documentation and cases computed once by an
//! independent implementation (Python's hmac, hashlib and urllib.parse.quote), so these tests
//! compare against something other than this crate.

use std::borrow::Cow;
use std::path::PathBuf;

use acs_rpc::encode::canonical_query;
use acs_rpc::sign::{self, v1, v3};
use acs_rpc::{Credentials, HttpMethod, Placement, RpcRequest, SigningContext, WireRequest};
use rstest::rstest;
use serde::Deserialize;

type Pairs = Vec<(String, String)>;

#[track_caller]
fn load<T: for<'de> Deserialize<'de>>(path: &PathBuf) -> T {
    let text = std::fs::read_to_string(path).unwrap();
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[derive(Deserialize)]
struct V1Case {
    method: String,
    params: Pairs,
    secret: String,
    canonical_query: String,
    string_to_sign: String,
    signature: String,
}

#[rstest]
fn v1_steps(#[files("tests/fixtures/v1/*.json")] path: PathBuf) {
    let case: V1Case = load(&path);
    let without_signature: Pairs = case
        .params
        .iter()
        .filter(|(k, _)| k != "Signature")
        .cloned()
        .collect();
    assert_eq!(canonical_query(&without_signature), case.canonical_query);
    let sts = v1::string_to_sign(&case.method, &case.params);
    assert_eq!(sts, case.string_to_sign);
    assert_eq!(v1::signature(&case.secret, &sts), case.signature);
    assert!(v1::verify(&case.secret, &sts, &case.signature));
    assert!(!v1::verify(&case.secret, &sts, "AAAA"));
    assert!(!v1::verify("other", &sts, &case.signature));
}

#[derive(Deserialize)]
struct V3Case {
    method: String,
    path: String,
    query: Pairs,
    headers: Pairs,
    body: String,
    secret: String,
    access_key_id: String,
    canonical_request: String,
    hashed_canonical_request: String,
    string_to_sign: String,
    signature: String,
    authorization: String,
}

#[rstest]
fn v3_steps(#[files("tests/fixtures/v3/*.json")] path: PathBuf) {
    let case: V3Case = load(&path);
    let input = v3::CanonicalInput {
        method: &case.method,
        path: &case.path,
        query: &case.query,
        headers: &case.headers,
        body: case.body.as_bytes(),
    };
    let canonical = v3::canonical_request(&input);
    assert_eq!(canonical, case.canonical_request);
    let sts = v3::string_to_sign(&canonical);
    assert_eq!(
        sts,
        format!("ACS3-HMAC-SHA256\n{}", case.hashed_canonical_request)
    );
    assert_eq!(sts, case.string_to_sign);
    let signature = v3::signature(&case.secret, &sts);
    assert_eq!(signature, case.signature);
    let signed = v3::signed_headers(&case.headers);
    assert_eq!(
        v3::authorization(&case.access_key_id, &signed, &signature),
        case.authorization
    );

    // The verifier's path: parse the header, rebuild over the named headers, compare.
    let auth = v3::parse_authorization(&case.authorization).unwrap();
    assert_eq!(auth.credential, case.access_key_id);
    let rebuilt = v3::canonical_request_with(&input, &auth.signed_headers);
    assert_eq!(rebuilt, case.canonical_request);
    assert!(v3::verify(
        &case.secret,
        &v3::string_to_sign(&rebuilt),
        &auth.signature
    ));
    assert!(v3::verify(
        &case.secret,
        &sts,
        &auth.signature.to_ascii_uppercase()
    ));
    assert!(!v3::verify("wrong", &sts, &auth.signature));
}

#[derive(Deserialize)]
struct FixtureRequest {
    method: String,
    host: String,
    action: String,
    version: String,
    format: String,
    params: Pairs,
    placement: String,
}

#[derive(Deserialize)]
struct FixtureCredentials {
    access_key_id: String,
    access_key_secret: String,
    security_token: Option<String>,
}

#[derive(Deserialize)]
struct FixtureContext {
    timestamp: String,
    nonce: String,
}

#[derive(Deserialize)]
struct FixtureWire {
    method: String,
    path_and_query: String,
    headers: Pairs,
    body: String,
}

#[derive(Deserialize)]
struct FixtureExpected {
    canonical: String,
    string_to_sign: String,
    signature: String,
    wire: FixtureWire,
}

#[derive(Deserialize)]
struct SignCase {
    request: FixtureRequest,
    credentials: FixtureCredentials,
    context: FixtureContext,
    expected: FixtureExpected,
}

impl SignCase {
    fn parts(&self) -> (RpcRequest<'_>, Credentials, SigningContext) {
        let r = &self.request;
        let request = RpcRequest {
            method: HttpMethod::parse(&r.method).unwrap(),
            host: r.host.as_str().into(),
            action: r.action.as_str().into(),
            version: r.version.as_str().into(),
            format: r.format.as_str().into(),
            params: Cow::Owned(r.params.clone().into()),
            placement: match r.placement.as_str() {
                "Query" => Placement::Query,
                "Body" => Placement::Body,
                other => panic!("unknown placement {other}"),
            },
        };
        let c = &self.credentials;
        let mut creds = Credentials::new(c.access_key_id.clone(), c.access_key_secret.clone());
        if let Some(token) = &c.security_token {
            creds = creds.with_security_token(token.clone());
        }
        let ctx = SigningContext::new(self.context.timestamp.clone(), self.context.nonce.clone());
        (request, creds, ctx)
    }
}

#[track_caller]
fn assert_wire(actual: &WireRequest, expected: &FixtureWire) {
    assert_eq!(actual.method.as_str(), expected.method);
    assert_eq!(actual.path_and_query, expected.path_and_query);
    assert_eq!(actual.headers, expected.headers);
    assert_eq!(
        String::from_utf8(actual.body.clone()).unwrap(),
        expected.body
    );
}

#[rstest]
fn sign_v1_wire(#[files("tests/fixtures/sign_v1/*.json")] path: PathBuf) {
    let case: SignCase = load(&path);
    let (request, creds, ctx) = case.parts();
    let trace = sign::sign_v1_traced(&request, &creds, &ctx);
    assert_eq!(trace.canonical, case.expected.canonical);
    assert_eq!(trace.string_to_sign, case.expected.string_to_sign);
    assert_eq!(trace.signature, case.expected.signature);
    assert_wire(&trace.wire, &case.expected.wire);
    assert_eq!(acs_rpc::sign_v1(&request, &creds, &ctx), trace.wire);
    assert_no_secret_in_debug(&trace, &creds);
    assert_server_accepts_v1(&trace.wire, &creds);
}

#[rstest]
fn sign_v3_wire(#[files("tests/fixtures/sign_v3/*.json")] path: PathBuf) {
    let case: SignCase = load(&path);
    let (request, creds, ctx) = case.parts();
    let trace = sign::sign_v3_traced(&request, &creds, &ctx);
    assert_eq!(trace.canonical, case.expected.canonical);
    assert_eq!(trace.string_to_sign, case.expected.string_to_sign);
    assert_eq!(trace.signature, case.expected.signature);
    assert_wire(&trace.wire, &case.expected.wire);
    assert_eq!(acs_rpc::sign_v3(&request, &creds, &ctx), trace.wire);
    assert_no_secret_in_debug(&trace, &creds);
    assert_server_accepts_v3(&trace.wire, &creds);
}

#[track_caller]
fn assert_no_secret_in_debug(trace: &sign::SigningTrace, creds: &Credentials) {
    let debug = format!("{trace:?} {creds:?}");
    assert!(!debug.contains(creds.access_key_secret.expose()), "{debug}");
    if let Some(token) = &creds.security_token {
        let encoded = acs_rpc::encode::percent_encode(token.expose());
        assert!(!debug.contains(token.expose()), "{debug}");
        assert!(!debug.contains(&encoded), "{debug}");
    }
}

/// Decodes query and body as a server would and checks the V1 signature.
#[track_caller]
fn assert_server_accepts_v1(wire: &WireRequest, creds: &Credentials) {
    let query = wire.path_and_query.strip_prefix("/?").unwrap_or_default();
    let mut params = acs_rpc::encode::form_decode(query).unwrap();
    params.extend(acs_rpc::encode::form_decode(std::str::from_utf8(&wire.body).unwrap()).unwrap());
    let provided = params
        .iter()
        .find(|(k, _)| k == "Signature")
        .map(|(_, v)| v.clone())
        .unwrap();
    let sts = v1::string_to_sign(wire.method.as_str(), &params);
    assert!(v1::verify(
        creds.access_key_secret.expose(),
        &sts,
        &provided
    ));
}

/// Parses the Authorization header and checks the V3 signature as a server would.
#[track_caller]
fn assert_server_accepts_v3(wire: &WireRequest, creds: &Credentials) {
    let query = wire.path_and_query.strip_prefix("/?").unwrap_or_default();
    let params = acs_rpc::encode::form_decode(query).unwrap();
    let auth = v3::parse_authorization(wire.header("Authorization").unwrap()).unwrap();
    assert_eq!(auth.credential, creds.access_key_id);
    let input = v3::CanonicalInput {
        method: wire.method.as_str(),
        path: "/",
        query: &params,
        headers: &wire.headers,
        body: &wire.body,
    };
    let sts = v3::string_to_sign(&v3::canonical_request_with(&input, &auth.signed_headers));
    assert!(v3::verify(
        creds.access_key_secret.expose(),
        &sts,
        &auth.signature
    ));
    assert_eq!(
        wire.header("x-acs-content-sha256").unwrap(),
        v3::hashed_payload(&wire.body)
    );
}

#[test]
fn signing_context_now_is_fresh_and_well_formed() {
    let a = SigningContext::now();
    let b = SigningContext::now();
    assert_ne!(a.nonce, b.nonce);
    assert_eq!(a.nonce.len(), 32);
    assert!(acs_rpc::time::parse_timestamp(&a.timestamp).is_ok());
}

#[rstest]
#[case("ACS3-HMAC-SHA256 Credential=id,SignedHeaders=host;x-acs-date,Signature=ab", Ok(("id", vec!["host", "x-acs-date"], "ab")))]
#[case("ACS3-HMAC-SHA256  Credential=id, SignedHeaders=Host, Signature=ab, Extra=1", Ok(("id", vec!["host"], "ab")))]
#[case(
    "ACS3-HMAC-SHA1 Credential=id,SignedHeaders=host,Signature=ab",
    Err(v3::AuthorizationError::UnsupportedAlgorithm)
)]
#[case(
    "ACS3-HMAC-SHA256Credential=id,SignedHeaders=host,Signature=ab",
    Err(v3::AuthorizationError::UnsupportedAlgorithm)
)]
#[case("", Err(v3::AuthorizationError::UnsupportedAlgorithm))]
#[case(
    "ACS3-HMAC-SHA256 Credential=id,SignedHeaders=host",
    Err(v3::AuthorizationError::Missing("Signature"))
)]
#[case(
    "ACS3-HMAC-SHA256 Credential=,SignedHeaders=host,Signature=ab",
    Err(v3::AuthorizationError::Missing("Credential"))
)]
#[case(
    "ACS3-HMAC-SHA256 Credential=id,Credential=id,SignedHeaders=host,Signature=ab",
    Err(v3::AuthorizationError::Duplicate("Credential"))
)]
#[case("ACS3-HMAC-SHA256 Credential", Err(v3::AuthorizationError::Malformed))]
fn parses_authorization(
    #[case] header: &str,
    #[case] expected: Result<(&str, Vec<&str>, &str), v3::AuthorizationError>,
) {
    let actual = v3::parse_authorization(header);
    match expected {
        Ok((credential, signed, signature)) => {
            let auth = actual.unwrap();
            assert_eq!(auth.credential, credential);
            assert_eq!(auth.signed_headers, signed);
            assert_eq!(auth.signature, signature);
        }
        Err(e) => assert_eq!(actual.unwrap_err(), e),
    }
}
