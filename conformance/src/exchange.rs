//! Exchange cases: a request built and signed at run time (current clock and a fresh nonce unless
//! the case pins them), sent over HTTP, and its response checked.
//!
//! Requests are composed here from the protocol's building blocks (`acs_rpc::sign::v1`/`v3`)
//! rather than with the client's `sign_v1`/`sign_v3`, because cases leave parameters out, split
//! them between query and body, use methods the client never would, and tamper after signing.
//! The building blocks themselves are pinned byte for byte by the signing family.

use std::time::{Duration, SystemTime};

use acs_rpc::Credentials;
use acs_rpc::encode::{canonical_query, form_encode};
use acs_rpc::error::ApiError;
use acs_rpc::sign::{FORM_CONTENT_TYPE, v1, v3};
use acs_rpc::time::format_timestamp;
use serde_json::Value;

use crate::case::{
    Case, CredentialsSpec, Expect, Format, PlacementSpec, RequestSpec, ResponseExpect,
    SignatureKind,
};
use crate::diff::Failure;
use crate::endpoint::Endpoint;
use crate::throttle::send_retrying;

/// A request ready to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prepared {
    /// Any method, even one the protocol rejects.
    pub method: String,
    /// `/` or `/?` and the query.
    pub path_and_query: String,
    /// Headers, lower-case names.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
}

/// What came back.
#[derive(Debug, Clone)]
pub struct Observed {
    /// The HTTP status.
    pub status: u16,
    /// The headers, lower-case names.
    pub headers: Vec<(String, String)>,
    /// The body text.
    pub body: String,
}

/// Why a case cannot run against this endpoint; reported as `skip`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skip(pub String);

type Pairs = Vec<(String, String)>;

fn set_pair(pairs: &mut Pairs, name: &str, value: &str) {
    if pairs.iter().any(|(n, _)| n == name) {
        for pair in pairs.iter_mut().filter(|(n, _)| n == name) {
            pair.1 = value.to_owned();
        }
    } else {
        pairs.push((name.to_owned(), value.to_owned()));
    }
}

fn set_header(headers: &mut Pairs, name: &str, value: &str) {
    let name = name.to_ascii_lowercase();
    headers.retain(|(n, _)| *n != name);
    headers.push((name, value.to_owned()));
}

/// Resolves a named credential role against the endpoint's configuration.
pub fn resolve_credentials(name: &str, endpoint: &Endpoint) -> Result<Credentials, Skip> {
    let set = &endpoint.credentials;
    let missing = |role: &str, flag: &str| {
        Skip(format!(
            "needs `{role}` credentials (--{flag}-access-key-id and --{flag}-access-key-secret)"
        ))
    };
    match name {
        "primary" => set
            .primary
            .clone()
            .ok_or_else(|| Skip("needs `primary` credentials (--access-key-id and --access-key-secret, or ALIBABA_CLOUD_ACCESS_KEY_ID/_SECRET)".to_owned())),
        "secondary" => set.secondary.clone().ok_or_else(|| missing("secondary", "secondary")),
        "disabled" => set.disabled.clone().ok_or_else(|| missing("disabled", "disabled")),
        "wrong-secret" => set
            .primary
            .as_ref()
            .map(|p| Credentials::new(p.access_key_id.as_str(), "conformance-wrong-secret"))
            .ok_or_else(|| Skip("needs `primary` credentials to derive `wrong-secret`".to_owned())),
        "unknown" => {
            let bytes: [u8; 8] = rand::random();
            Ok(Credentials::new(
                format!("LTAIconformanceUnknown{}", hex::encode(bytes)),
                "conformance-unknown-secret",
            ))
        }
        other => Err(Skip(format!("unknown credentials {other:?}"))),
    }
}

/// The `Version` a request sends.
fn version_of(request: &RequestSpec) -> String {
    if let Some(version) = &request.version {
        return version.clone();
    }
    let meta = match request.product.as_deref() {
        Some("Vpc") => &cen_types::operations::VPC,
        _ => &cen_types::operations::CBN,
    };
    meta.version.to_owned()
}

/// Splits pairs between query and body by placement; `split` alternates in sorted order.
fn place(pairs: Pairs, placement: PlacementSpec) -> (Pairs, Pairs) {
    match placement {
        PlacementSpec::Query => (pairs, Vec::new()),
        PlacementSpec::Body => (Vec::new(), pairs),
        PlacementSpec::Split => {
            let mut sorted = pairs;
            sorted.sort();
            let mut query = Vec::new();
            let mut body = Vec::new();
            for (i, pair) in sorted.into_iter().enumerate() {
                if i % 2 == 0 {
                    query.push(pair);
                } else {
                    body.push(pair);
                }
            }
            (query, body)
        }
    }
}

fn path_and_query(query: &str) -> String {
    if query.is_empty() {
        "/".to_owned()
    } else {
        format!("/?{query}")
    }
}

/// The `fill` parameters of a request: each a value of that many `x` characters.
fn filled(req: &RequestSpec) -> Pairs {
    req.fill
        .iter()
        .map(|(name, len)| (name.clone(), "x".repeat(*len)))
        .collect()
}

/// Builds and signs the request of an exchange case for one response format.
pub fn prepare(
    case: &Case,
    format: Format,
    endpoint: &Endpoint,
    now: SystemTime,
) -> Result<Prepared, Skip> {
    prepare_request(&case.operation, &case.request, format, endpoint, now)
}

/// Builds and signs one request of `action` for one response format.
pub fn prepare_request(
    action: &str,
    req: &RequestSpec,
    format: Format,
    endpoint: &Endpoint,
    now: SystemTime,
) -> Result<Prepared, Skip> {
    let method = req.method.clone().unwrap_or_else(|| "POST".to_owned());
    let host = endpoint.host.clone();
    if req.signature == SignatureKind::None {
        let raw = req.raw.clone().unwrap_or_default();
        let mut headers = vec![("host".to_owned(), host)];
        let body = raw.body.unwrap_or_default();
        if !body.is_empty() || raw.content_type.is_some() {
            headers.push((
                "content-type".to_owned(),
                raw.content_type
                    .unwrap_or_else(|| FORM_CONTENT_TYPE.to_owned()),
            ));
        }
        return Ok(Prepared {
            method,
            path_and_query: path_and_query(raw.query.as_deref().unwrap_or_default()),
            headers,
            body: body.into_bytes(),
        });
    }
    let creds = match &req.credentials {
        Some(CredentialsSpec::Named(name)) => resolve_credentials(name, endpoint)?,
        _ => return Err(Skip("no named credentials".to_owned())),
    };
    let timestamp = req.timestamp.clone().unwrap_or_else(|| {
        let skew = req.clock_skew_seconds.unwrap_or(0);
        let at = if skew >= 0 {
            now + Duration::from_secs(skew.unsigned_abs())
        } else {
            now - Duration::from_secs(skew.unsigned_abs())
        };
        format_timestamp(at)
    });
    let nonce = req.nonce.clone().unwrap_or_else(|| {
        let bytes: [u8; 16] = rand::random();
        hex::encode(bytes)
    });
    let signed_method = req.signed_method.clone().unwrap_or_else(|| method.clone());
    let omitted = |name: &str| req.omit.iter().any(|o| o.eq_ignore_ascii_case(name));
    let version = version_of(req);
    match req.signature {
        SignatureKind::V1 => {
            let mut params: Pairs = req.params.0.clone();
            params.extend(filled(req));
            let mut common = vec![
                ("Action", action),
                ("Version", version.as_str()),
                ("Format", format.param()),
                ("AccessKeyId", creds.access_key_id.as_str()),
                ("SignatureMethod", v1::SIGNATURE_METHOD),
                ("SignatureVersion", v1::SIGNATURE_VERSION),
                ("SignatureNonce", nonce.as_str()),
                ("Timestamp", timestamp.as_str()),
            ];
            if let Some(token) = &creds.security_token {
                common.push(("SecurityToken", token.expose()));
            }
            params.extend(
                common
                    .iter()
                    .map(|(n, v)| ((*n).to_owned(), (*v).to_owned())),
            );
            for (name, value) in &req.set.0 {
                set_pair(&mut params, name, value);
            }
            params.retain(|(n, _)| !omitted(n));
            // Extra parameters are signed like the rest: a server signs everything it received.
            let mut signed = params.clone();
            signed.extend(req.extra_query.0.iter().cloned());
            signed.extend(req.extra_body.0.iter().cloned());
            let string_to_sign = v1::string_to_sign(&signed_method, &signed);
            let signature = v1::signature(creds.access_key_secret.expose(), &string_to_sign);
            if !omitted("Signature") {
                params.push(("Signature".to_owned(), signature));
            }
            if let Some(after) = &req.after_signing {
                for (name, value) in &after.set.0 {
                    set_pair(&mut params, name, value);
                }
                params.retain(|(n, _)| !after.remove.contains(n));
            }
            let (mut query, mut body) = place(params, req.placement);
            query.extend(req.extra_query.0.iter().cloned());
            body.extend(req.extra_body.0.iter().cloned());
            let mut headers = vec![("host".to_owned(), host)];
            if !body.is_empty() {
                headers.push(("content-type".to_owned(), FORM_CONTENT_TYPE.to_owned()));
            }
            Ok(Prepared {
                method,
                path_and_query: path_and_query(&form_encode(&query)),
                headers,
                body: form_encode(&body).into_bytes(),
            })
        }
        SignatureKind::V3 | SignatureKind::None => {
            let mut params: Pairs = req.params.0.clone();
            params.extend(filled(req));
            if format == Format::Xml {
                params.push(("Format".to_owned(), format.param().to_owned()));
            }
            for (name, value) in &req.set.0 {
                set_pair(&mut params, name, value);
            }
            params.retain(|(n, _)| !omitted(n));
            let (mut query, mut body_params) = place(params, req.placement);
            query.extend(req.extra_query.0.iter().cloned());
            body_params.extend(req.extra_body.0.iter().cloned());
            // Sorted like the official SDKs send a body; V3 signs only its hash.
            let body = canonical_query(&body_params).into_bytes();
            let mut headers: Pairs = vec![
                ("host".to_owned(), host),
                ("x-acs-action".to_owned(), action.to_owned()),
                ("x-acs-version".to_owned(), version),
                ("x-acs-date".to_owned(), timestamp),
                ("x-acs-signature-nonce".to_owned(), nonce),
                ("x-acs-content-sha256".to_owned(), v3::hashed_payload(&body)),
            ];
            if let Some(token) = &creds.security_token {
                headers.push((
                    v3::SECURITY_TOKEN_HEADER.to_owned(),
                    token.expose().to_owned(),
                ));
            }
            if !body.is_empty() {
                headers.push(("content-type".to_owned(), FORM_CONTENT_TYPE.to_owned()));
            }
            for (name, value) in &req.set_headers.0 {
                set_header(&mut headers, name, value);
            }
            headers.retain(|(n, _)| !omitted(n));
            let canonical = v3::canonical_request(&v3::CanonicalInput {
                method: &signed_method,
                path: "/",
                query: &query,
                headers: &headers,
                body: &body,
            });
            let signature = v3::signature(
                creds.access_key_secret.expose(),
                &v3::string_to_sign(&canonical),
            );
            if !omitted("authorization") {
                let authorization = v3::authorization(
                    &creds.access_key_id,
                    &v3::signed_headers(&headers),
                    &signature,
                );
                headers.push(("authorization".to_owned(), authorization));
            }
            if let Some(after) = &req.after_signing {
                for (name, value) in &after.set.0 {
                    set_pair(&mut query, name, value);
                }
                query.retain(|(n, _)| !after.remove.contains(n));
            }
            Ok(Prepared {
                method,
                path_and_query: path_and_query(&form_encode(&query)),
                headers,
                body,
            })
        }
    }
}

/// Sends a prepared request.
pub async fn send(
    client: &reqwest::Client,
    endpoint: &Endpoint,
    prepared: &Prepared,
) -> Result<Observed, Failure> {
    let method = reqwest::Method::from_bytes(prepared.method.as_bytes())
        .map_err(|e| Failure::message(format!("bad method {:?}: {e}", prepared.method)))?;
    let url = format!("{}{}", endpoint.base_url, prepared.path_and_query);
    let mut builder = client.request(method, &url);
    for (name, value) in &prepared.headers {
        builder = builder.header(name, value);
    }
    let response = builder
        .body(prepared.body.clone())
        .send()
        .await
        // Neither the URL (signature, security token) nor its query goes into the report.
        .map_err(|e| Failure::message(format!("sending to {}: {}", endpoint.base_url, chain(e))))?;
    let status = response.status().as_u16();
    let headers = response
        .headers()
        .iter()
        .map(|(n, v)| {
            (
                n.as_str().to_owned(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect();
    let body = response.text().await.map_err(|e| {
        Failure::message(format!(
            "reading the response from {}: {}",
            endpoint.base_url,
            e.without_url()
        ))
    })?;
    Ok(Observed {
        status,
        headers,
        body,
    })
}

/// An error and its causes, `a: b: c`, without the URL (which carries the signature).
fn chain(e: reqwest::Error) -> String {
    let e = e.without_url();
    let mut text = e.to_string();
    let mut source = std::error::Error::source(&e);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// The value of a response header, by case-insensitive name.
pub fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// The shape of a response body: its error code and message, if an error, and its top-level
/// field names (JSON members; XML root and its children).
#[derive(Debug, Default)]
struct Shape {
    root: Option<String>,
    fields: Vec<String>,
    error: Option<ApiError>,
}

fn shape(observed: &Observed, format: Format) -> Shape {
    let content_type = header(&observed.headers, "content-type");
    let error = ApiError::from_body(observed.status, content_type, observed.body.as_bytes());
    match format {
        Format::Json => {
            let fields = match serde_json::from_str::<Value>(&observed.body) {
                Ok(Value::Object(map)) => map.keys().cloned().collect(),
                _ => Vec::new(),
            };
            Shape {
                root: None,
                fields,
                error,
            }
        }
        Format::Xml => {
            let (root, fields) = xml_shape(&observed.body);
            Shape {
                root,
                fields,
                error,
            }
        }
    }
}

/// The root element's name and its children's names.
fn xml_shape(text: &str) -> (Option<String>, Vec<String>) {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(text);
    let mut depth = 0usize;
    let mut root = None;
    let mut children = Vec::new();
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) => {
                let name = String::from_utf8_lossy(e.name().as_ref()).into_owned();
                match depth {
                    0 => root = Some(name),
                    1 => children.push(name),
                    _ => {}
                }
                depth += 1;
            }
            Ok(Event::Empty(e)) => {
                let name = String::from_utf8_lossy(e.name().as_ref()).into_owned();
                match depth {
                    0 => root = Some(name),
                    1 => children.push(name),
                    _ => {}
                }
            }
            Ok(Event::End(_)) => depth = depth.saturating_sub(1),
            Ok(Event::Eof) | Err(_) => break,
            Ok(_) => {}
        }
    }
    (root, children)
}

fn media_type(content_type: Option<&str>) -> String {
    content_type
        .and_then(|ct| ct.split(';').next())
        .map(|m| m.trim().to_ascii_lowercase())
        .unwrap_or_else(|| "(none)".to_owned())
}

/// The value at a dotted path of a JSON tree; a numeric segment indexes an array.
pub fn json_at<'a>(tree: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.').try_fold(tree, |node, segment| match node {
        Value::Object(map) => map.get(segment),
        Value::Array(items) => segment.parse::<usize>().ok().and_then(|i| items.get(i)),
        _ => None,
    })
}

/// The JSON type name of a value, as `expect.types` writes it.
pub fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Renders the checked facts as expected and as observed, line for line.
fn render(
    action: &str,
    product: Option<&str>,
    expect: &ResponseExpect,
    format: Format,
    observed: &Observed,
) -> (String, String) {
    let shape = shape(observed, format);
    let mut expected = String::new();
    let mut actual = String::new();
    let mut line = |e: String, a: String| {
        expected.push_str(&e);
        expected.push('\n');
        actual.push_str(&a);
        actual.push('\n');
    };
    line(
        format!("status: {}", expect.status),
        format!("status: {}", observed.status),
    );
    let actual_code = shape.error.as_ref().map(|e| e.code.clone());
    line(
        format!("code: {}", expect.code.as_deref().unwrap_or("(none)")),
        format!("code: {}", actual_code.as_deref().unwrap_or("(none)")),
    );
    let actual_message = shape
        .error
        .as_ref()
        .map_or("(none)", |e| e.message.as_str());
    if let Some(message) = &expect.message {
        line(
            format!("message: {message}"),
            format!("message: {actual_message}"),
        );
    }
    if let Some(prefix) = &expect.message_prefix {
        let e = format!("message starts with: {prefix}");
        let a = if actual_message.starts_with(prefix.as_str()) {
            e.clone()
        } else {
            format!("message: {actual_message}")
        };
        line(e, a);
    }
    let content_type = media_type(header(&observed.headers, "content-type"));
    let wanted_type = match format {
        Format::Json => "application/json",
        Format::Xml => "text/xml",
    };
    line(
        format!("content-type: {wanted_type}"),
        format!("content-type: {content_type}"),
    );
    if format == Format::Xml {
        let wanted_root = if expect.code.is_some() {
            "Error".to_owned()
        } else {
            format!("{action}Response")
        };
        line(
            format!("xml root: {wanted_root}"),
            format!("xml root: {}", shape.root.as_deref().unwrap_or("(none)")),
        );
    }
    for field in &expect.fields {
        let present = shape.fields.iter().any(|f| f == field);
        line(
            format!("field {field}: present"),
            format!(
                "field {field}: {}",
                if present { "present" } else { "absent" }
            ),
        );
    }
    if format == Format::Json && !expect.types.is_empty() {
        let tree = serde_json::from_str::<Value>(&observed.body).unwrap_or(Value::Null);
        for (path, kind) in &expect.types {
            let got = json_at(&tree, path).map_or("(absent)", json_type);
            let got = if kind == "number" && got == "integer" {
                "number"
            } else {
                got
            };
            line(
                format!("type {path}: {kind}"),
                format!("type {path}: {got}"),
            );
        }
    }
    if let Some(wanted) = &expect.json {
        let tree = crate::shape::typed_tree(product, action, format, &observed.body);
        let mut mismatches = Vec::new();
        crate::subset::compare(wanted, &tree, "", format == Format::Xml, &mut mismatches);
        for (path, e, a) in mismatches {
            line(format!("json {path}: {e}"), format!("json {path}: {a}"));
        }
    }
    for (name, value) in &expect.headers.0 {
        let got = header(&observed.headers, name);
        let e = if value == "*" {
            format!("header {name}: (any)")
        } else {
            format!("header {name}: {value}")
        };
        let a = match got {
            Some(_) if value == "*" => e.clone(),
            Some(v) => format!("header {name}: {v}"),
            None => format!("header {name}: (absent)"),
        };
        line(e, a);
    }
    (expected, actual)
}

/// Checks a response against the case's expectation.
pub fn check_response(case: &Case, format: Format, observed: &Observed) -> Result<(), Failure> {
    let Expect::Response(expect) = &case.expect else {
        return Err(Failure::message("not an exchange case"));
    };
    check_expect(
        &case.operation,
        case.request.product.as_deref(),
        expect,
        format,
        observed,
    )
}

/// Checks a response to `action` of `product` against an expectation (an exchange case's, or a
/// flow step's), and a success response against the operation's shape in the spec.
pub fn check_expect(
    action: &str,
    product: Option<&str>,
    expect: &ResponseExpect,
    format: Format,
    observed: &Observed,
) -> Result<(), Failure> {
    let (expected, actual) = render(action, product, expect, format, observed);
    Failure::compare("the response differs", &expected, &actual)
        .and_then(|()| {
            if (200..300).contains(&observed.status) {
                crate::shape::check_success(product, action, format, &observed.body)
            } else {
                Ok(())
            }
        })
        .map_err(|f| with_body(f, observed))
}

/// Adds the start of the response body (2000 bytes at most) to a failure, for diagnosis.
pub(crate) fn with_body(failure: Failure, observed: &Observed) -> Failure {
    let mut body = observed.body.clone();
    if body.len() > 2000 {
        let mut cut = 2000;
        while !body.is_char_boundary(cut) {
            cut -= 1;
        }
        body.truncate(cut);
        body.push_str(" ...");
    }
    failure.with_context(&format!("response body: {body}"))
}

/// Runs one exchange case in one format against an endpoint.
pub async fn run_exchange(
    client: &reqwest::Client,
    case: &Case,
    format: Format,
    endpoint: &Endpoint,
) -> Result<Result<(), Failure>, Skip> {
    // A case that cannot be prepared (missing credentials) is skipped before anything is sent.
    prepare(case, format, endpoint, SystemTime::now())?;
    let fresh =
        |now| prepare(case, format, endpoint, now).map_err(|Skip(reason)| Failure::message(reason));
    let (prepared, first) = match send_retrying(client, endpoint, fresh).await {
        Ok(sent) => sent,
        Err(f) => return Ok(Err(f)),
    };
    let observed = if case.request.replay {
        if !(200..300).contains(&first.status) {
            return Ok(Err(Failure::message(format!(
                "the first send of a replayed request must succeed, got {}",
                first.status
            ))
            .with_context(&format!("response body: {}", first.body))));
        }
        // The identical request again, never retried: a retry would be a new request.
        match send(client, endpoint, &prepared).await {
            Ok(observed) => observed,
            Err(f) => return Ok(Err(f)),
        }
    } else {
        first
    };
    Ok(check_response(case, format, &observed))
}
