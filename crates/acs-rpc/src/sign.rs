//! Signing (client side) and the building blocks of verification (server side).
//!
//! Each step, from canonical query to signature, is a public function, so the conformance
//! harness and the `sign` debugging command can print every intermediate value, and the server's
//! verifier runs exactly the code the client signs with.

use std::fmt;
use std::time::SystemTime;

use hmac::{Hmac, Mac};
use sha1::Sha1;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::credentials::Credentials;
use crate::encode::{canonical_query, percent_encode};
use crate::error::redact_security_token;
use crate::time::format_timestamp;

/// The media type of form bodies, used by both signature versions.
pub const FORM_CONTENT_TYPE: &str = "application/x-www-form-urlencoded";

/// Which signature scheme to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum SignatureVersion {
    /// HMAC-SHA1 over the sorted parameters (`SignatureVersion=1.0`).
    V1,
    /// `ACS3-HMAC-SHA256` over a canonical request, what current official SDKs use by default.
    #[default]
    V3,
}

/// Where the API parameters travel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Placement {
    /// In the query string of `/?..`.
    #[default]
    Query,
    /// In an `application/x-www-form-urlencoded` body, which forces `POST`; needed when the
    /// parameters would make the URL too long.
    Body,
}

/// The two HTTP methods Alibaba's RPC gateway accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum HttpMethod {
    /// `GET`.
    Get,
    /// `POST`, what the official SDKs use.
    #[default]
    Post,
}

impl HttpMethod {
    /// The method as it appears on the wire and in strings to sign.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Get => "GET",
            Self::Post => "POST",
        }
    }

    /// Parses an upper-case method name; anything else is `UnsupportedHTTPMethod` for a server.
    pub fn parse(method: &str) -> Option<Self> {
        match method {
            "GET" => Some(Self::Get),
            "POST" => Some(Self::Post),
            _ => None,
        }
    }
}

impl fmt::Display for HttpMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An RPC call before signing: the action and its already flattened API parameters.
///
/// `params` must not contain the common parameters the signers add themselves (`Action`,
/// `Version`, `Format`, `AccessKeyId`, `Signature*`, `Timestamp`, `SecurityToken`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RpcRequest {
    /// The HTTP method; [`Placement::Body`] overrides it with `POST`.
    pub method: HttpMethod,
    /// The endpoint host, such as `cbn.aliyuncs.com`, signed as the V3 `host` header.
    pub host: String,
    /// The operation, such as `CreateCen`.
    pub action: String,
    /// The API version, such as `2017-09-12`.
    pub version: String,
    /// The response format, `JSON` or `XML`.
    pub format: String,
    /// The flat API parameters.
    pub params: Vec<(String, String)>,
    /// Where the API parameters go.
    pub placement: Placement,
}

/// The per-attempt values of a signature, separate so tests can fix them and retries can renew
/// them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SigningContext {
    /// The time of signing, `yyyy-MM-ddTHH:mm:ssZ`.
    pub timestamp: String,
    /// A value never used before with the same AccessKey, which defeats replays.
    pub nonce: String,
}

impl SigningContext {
    /// Creates a context with the given values, for reproducible signatures.
    pub fn new(timestamp: impl Into<String>, nonce: impl Into<String>) -> Self {
        Self {
            timestamp: timestamp.into(),
            nonce: nonce.into(),
        }
    }

    /// Creates a context for a new attempt: the current UTC time and 128 random bits as
    /// lowercase hex.
    pub fn now() -> Self {
        let bytes: [u8; 16] = rand::random();
        Self {
            timestamp: format_timestamp(SystemTime::now()),
            nonce: hex::encode(bytes),
        }
    }
}

/// A signed request, ready to send to `https://{host}{path_and_query}`.
#[derive(Clone, PartialEq, Eq)]
pub struct WireRequest {
    /// The method to send with.
    pub method: HttpMethod,
    /// `/` or `/?` followed by the encoded query.
    pub path_and_query: String,
    /// Headers to add, names in lower case.
    pub headers: Vec<(String, String)>,
    /// The body, empty unless parameters travel in a form body.
    pub body: Vec<u8>,
}

impl WireRequest {
    /// Returns the value of a header, matching names case-insensitively.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

impl fmt::Debug for WireRequest {
    /// Shows everything but the security token, which travels as a parameter in V1 and as a
    /// header in V3.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let headers: Vec<(&str, &str)> = self
            .headers
            .iter()
            .map(|(n, v)| {
                if n.eq_ignore_ascii_case(v3::SECURITY_TOKEN_HEADER) {
                    (n.as_str(), "***")
                } else {
                    (n.as_str(), v.as_str())
                }
            })
            .collect();
        let body = String::from_utf8_lossy(&self.body);
        f.debug_struct("WireRequest")
            .field("method", &self.method)
            .field(
                "path_and_query",
                &redact_security_token(&self.path_and_query),
            )
            .field("headers", &headers)
            .field("body", &redact_security_token(&body))
            .finish()
    }
}

/// The intermediate values of one signature, for debugging output and the conformance harness.
#[derive(Clone, PartialEq, Eq)]
pub struct SigningTrace {
    /// V1: the canonicalized query string; V3: the canonical request.
    pub canonical: String,
    /// The string to sign.
    pub string_to_sign: String,
    /// The signature (base64 for V1, lowercase hex for V3).
    pub signature: String,
    /// The resulting request.
    pub wire: WireRequest,
}

impl fmt::Debug for SigningTrace {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningTrace")
            .field("canonical", &redact_security_token(&self.canonical))
            .field(
                "string_to_sign",
                &redact_security_token(&self.string_to_sign),
            )
            .field("signature", &self.signature)
            .field("wire", &self.wire)
            .finish()
    }
}

/// Signs with the chosen scheme, so callers can keep the version as configuration.
pub fn sign(
    version: SignatureVersion,
    req: &RpcRequest,
    creds: &Credentials,
    ctx: &SigningContext,
) -> WireRequest {
    match version {
        SignatureVersion::V1 => sign_v1(req, creds, ctx),
        SignatureVersion::V3 => sign_v3(req, creds, ctx),
    }
}

/// The method actually sent: form bodies need `POST`.
fn effective_method(req: &RpcRequest) -> HttpMethod {
    match req.placement {
        Placement::Query => req.method,
        Placement::Body => HttpMethod::Post,
    }
}

/// Signs with signature V1 (HMAC-SHA1) and returns the wire request.
///
/// Adds `Action`, `Version`, `Format`, `AccessKeyId`, `SignatureMethod`, `SignatureVersion=1.0`,
/// `SignatureNonce`, `Timestamp` and, for STS credentials, `SecurityToken`; the parameters go out
/// sorted with `Signature` last, in the query or (with [`Placement::Body`]) all of them in a form
/// body sent with `POST`, as Node's and PHP's clients do.
pub fn sign_v1(req: &RpcRequest, creds: &Credentials, ctx: &SigningContext) -> WireRequest {
    sign_v1_traced(req, creds, ctx).wire
}

/// [`sign_v1`], also returning the canonical query, string to sign and signature.
pub fn sign_v1_traced(req: &RpcRequest, creds: &Credentials, ctx: &SigningContext) -> SigningTrace {
    let method = effective_method(req);
    let mut params = Vec::with_capacity(req.params.len() + 9);
    params.extend(req.params.iter().cloned());
    let common = [
        ("Action", req.action.as_str()),
        ("Version", req.version.as_str()),
        ("Format", req.format.as_str()),
        ("AccessKeyId", creds.access_key_id.as_str()),
        ("SignatureMethod", v1::SIGNATURE_METHOD),
        ("SignatureVersion", v1::SIGNATURE_VERSION),
        ("SignatureNonce", ctx.nonce.as_str()),
        ("Timestamp", ctx.timestamp.as_str()),
    ];
    params.extend(
        common
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
    );
    if let Some(token) = &creds.security_token {
        params.push(("SecurityToken".to_owned(), token.expose().to_owned()));
    }
    let canonical = canonical_query(&params);
    let string_to_sign = v1::string_to_sign_from_canonical(method.as_str(), &canonical);
    let signature = v1::signature(creds.access_key_secret.expose(), &string_to_sign);
    let mut encoded = canonical.clone();
    if !encoded.is_empty() {
        encoded.push('&');
    }
    encoded.push_str("Signature=");
    encoded.push_str(&percent_encode(&signature));
    let wire = match req.placement {
        Placement::Query => WireRequest {
            method,
            path_and_query: format!("/?{encoded}"),
            headers: Vec::new(),
            body: Vec::new(),
        },
        Placement::Body => WireRequest {
            method,
            path_and_query: "/".to_owned(),
            headers: vec![("content-type".to_owned(), FORM_CONTENT_TYPE.to_owned())],
            body: encoded.into_bytes(),
        },
    };
    SigningTrace {
        canonical,
        string_to_sign,
        signature,
        wire,
    }
}

/// Signs with signature V3 (`ACS3-HMAC-SHA256`) and returns the wire request.
///
/// Sets `host`, `x-acs-action`, `x-acs-version`, `x-acs-date`, `x-acs-signature-nonce`,
/// `x-acs-content-sha256`, `x-acs-security-token` for STS, `content-type` for a body, and
/// `authorization`. The parameters go sorted into the query, or with [`Placement::Body`] into a
/// form body (hashed into `x-acs-content-sha256`) sent with `POST`. `Format` is added to the query
/// only when it is not `JSON`, because the official SDKs omit it and the gateway defaults to JSON.
pub fn sign_v3(req: &RpcRequest, creds: &Credentials, ctx: &SigningContext) -> WireRequest {
    sign_v3_traced(req, creds, ctx).wire
}

/// [`sign_v3`], also returning the canonical request, string to sign and signature.
pub fn sign_v3_traced(req: &RpcRequest, creds: &Credentials, ctx: &SigningContext) -> SigningTrace {
    let method = effective_method(req);
    let format = (!req.format.is_empty() && !req.format.eq_ignore_ascii_case("JSON"))
        .then(|| ("Format".to_owned(), req.format.clone()));
    let (query, body): (Vec<(String, String)>, Vec<u8>) = match req.placement {
        Placement::Query => (
            req.params.iter().cloned().chain(format).collect(),
            Vec::new(),
        ),
        Placement::Body => (
            format.into_iter().collect(),
            canonical_query(&req.params).into_bytes(),
        ),
    };
    let mut headers = vec![
        ("host".to_owned(), req.host.clone()),
        ("x-acs-action".to_owned(), req.action.clone()),
        ("x-acs-version".to_owned(), req.version.clone()),
        ("x-acs-date".to_owned(), ctx.timestamp.clone()),
        ("x-acs-signature-nonce".to_owned(), ctx.nonce.clone()),
        ("x-acs-content-sha256".to_owned(), v3::hashed_payload(&body)),
    ];
    if let Some(token) = &creds.security_token {
        headers.push((
            v3::SECURITY_TOKEN_HEADER.to_owned(),
            token.expose().to_owned(),
        ));
    }
    if req.placement == Placement::Body {
        headers.push(("content-type".to_owned(), FORM_CONTENT_TYPE.to_owned()));
    }
    let input = v3::CanonicalInput {
        method: method.as_str(),
        path: "/",
        query: &query,
        headers: &headers,
        body: &body,
    };
    let canonical = v3::canonical_request(&input);
    let signed_headers = v3::signed_headers(&headers);
    let string_to_sign = v3::string_to_sign(&canonical);
    let signature = v3::signature(creds.access_key_secret.expose(), &string_to_sign);
    headers.push((
        "authorization".to_owned(),
        v3::authorization(&creds.access_key_id, &signed_headers, &signature),
    ));
    let encoded = canonical_query(&query);
    let path_and_query = if encoded.is_empty() {
        "/".to_owned()
    } else {
        format!("/?{encoded}")
    };
    SigningTrace {
        canonical,
        string_to_sign,
        signature,
        wire: WireRequest {
            method,
            path_and_query,
            headers,
            body,
        },
    }
}

/// Compares two ASCII signatures in constant time.
fn constant_time_eq(a: &str, b: &str) -> bool {
    a.as_bytes().ct_eq(b.as_bytes()).into()
}

/// Signature V1: HMAC-SHA1 over the method and the canonicalized parameters.
pub mod v1 {
    use super::*;

    /// The value of `SignatureMethod`.
    pub const SIGNATURE_METHOD: &str = "HMAC-SHA1";
    /// The value of `SignatureVersion`, which V1 (a.k.a. "signature method V2") still sends.
    pub const SIGNATURE_VERSION: &str = "1.0";

    /// Builds `METHOD&%2F&encode(canonicalized query)` from every parameter but `Signature`.
    ///
    /// `params` are the decoded parameters from query and body together; `Signature` is skipped
    /// so a server can pass everything it received.
    pub fn string_to_sign(method: &str, params: &[(String, String)]) -> String {
        let signed: Vec<(String, String)> = params
            .iter()
            .filter(|(name, _)| name != "Signature")
            .cloned()
            .collect();
        string_to_sign_from_canonical(method, &canonical_query(&signed))
    }

    /// Builds the string to sign from an already canonicalized query string.
    pub fn string_to_sign_from_canonical(method: &str, canonical: &str) -> String {
        let mut out = String::with_capacity(method.len() + 4 + canonical.len() * 5 / 4);
        out.push_str(method);
        out.push_str("&%2F&");
        crate::encode::push_percent_encoded(&mut out, canonical);
        out
    }

    /// Computes `base64(HMAC-SHA1(secret + "&", string_to_sign))`.
    pub fn signature(secret: &str, string_to_sign: &str) -> String {
        use base64::Engine as _;
        let mut mac = <Hmac<Sha1> as Mac>::new_from_slice(format!("{secret}&").as_bytes())
            .unwrap_or_else(|_| unreachable!("HMAC accepts keys of any length"));
        mac.update(string_to_sign.as_bytes());
        base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
    }

    /// Checks a provided signature in constant time, so timing reveals nothing about the
    /// expected value.
    pub fn verify(secret: &str, string_to_sign: &str, provided: &str) -> bool {
        constant_time_eq(&signature(secret, string_to_sign), provided)
    }
}

/// Signature V3: `ACS3-HMAC-SHA256` over a canonical request.
pub mod v3 {
    use thiserror::Error;

    use super::*;

    /// The algorithm name, first in the string to sign and in `Authorization`.
    pub const ALGORITHM: &str = "ACS3-HMAC-SHA256";
    /// The header carrying the STS token.
    pub const SECURITY_TOKEN_HEADER: &str = "x-acs-security-token";

    /// The parts of a request that V3 signs.
    #[derive(Debug, Clone, Copy)]
    pub struct CanonicalInput<'a> {
        /// The upper-case method.
        pub method: &'a str,
        /// The canonical path, `/` for RPC.
        pub path: &'a str,
        /// The decoded query parameters.
        pub query: &'a [(String, String)],
        /// The request headers (any case); only signable ones are used.
        pub headers: &'a [(String, String)],
        /// The raw body bytes.
        pub body: &'a [u8],
    }

    /// A parsed `Authorization` header.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct Authorization {
        /// The AccessKey id.
        pub credential: String,
        /// The signed header names, lower case, in the order given.
        pub signed_headers: Vec<String>,
        /// The hex signature as sent.
        pub signature: String,
    }

    /// Why an `Authorization` header could not be parsed.
    #[derive(Debug, Clone, PartialEq, Eq, Error)]
    pub enum AuthorizationError {
        /// The header does not start with `ACS3-HMAC-SHA256 `.
        #[error("authorization header does not use the ACS3-HMAC-SHA256 algorithm")]
        UnsupportedAlgorithm,
        /// A required part is missing or empty.
        #[error("authorization header has no {0}")]
        Missing(&'static str),
        /// A part appears twice.
        #[error("authorization header gives {0} more than once")]
        Duplicate(&'static str),
        /// A part is not `Name=value`.
        #[error("authorization header has a part that is not Name=value")]
        Malformed,
    }

    /// Whether V3 signs a header: `host`, `content-type` and every `x-acs-*`.
    pub fn is_signed_header(name: &str) -> bool {
        let name = name.to_ascii_lowercase();
        name == "host" || name == "content-type" || name.starts_with("x-acs-")
    }

    /// The lower-case names of the signable headers, sorted and without duplicates.
    pub fn signed_headers(headers: &[(String, String)]) -> Vec<String> {
        let mut names: Vec<String> = headers
            .iter()
            .filter(|(n, _)| is_signed_header(n))
            .map(|(n, _)| n.to_ascii_lowercase())
            .collect();
        names.sort();
        names.dedup();
        names
    }

    /// Lowercase hex SHA-256 of the body, the value of `x-acs-content-sha256`.
    pub fn hashed_payload(body: &[u8]) -> String {
        hex::encode(Sha256::digest(body))
    }

    /// Builds the canonical request over every signable header present.
    pub fn canonical_request(input: &CanonicalInput<'_>) -> String {
        canonical_request_with(input, &signed_headers(input.headers))
    }

    /// Builds the canonical request over exactly the named headers, which is what a verifier
    /// does with the `SignedHeaders` of the `Authorization` header it received.
    ///
    /// Names are matched case-insensitively; repeated headers are joined with `,`, and a named
    /// header that is absent contributes an empty value (the signature then fails to match).
    pub fn canonical_request_with(input: &CanonicalInput<'_>, signed: &[String]) -> String {
        let mut names: Vec<String> = signed.iter().map(|n| n.to_ascii_lowercase()).collect();
        names.sort();
        names.dedup();
        let mut out = String::new();
        out.push_str(input.method);
        out.push('\n');
        out.push_str(input.path);
        out.push('\n');
        out.push_str(&canonical_query(input.query));
        out.push('\n');
        for name in &names {
            out.push_str(name);
            out.push(':');
            let mut first = true;
            for (_, value) in input
                .headers
                .iter()
                .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            {
                if !first {
                    out.push(',');
                }
                first = false;
                out.push_str(value.trim());
            }
            out.push('\n');
        }
        out.push('\n');
        out.push_str(&names.join(";"));
        out.push('\n');
        out.push_str(&hashed_payload(input.body));
        out
    }

    /// Builds `ACS3-HMAC-SHA256\n` followed by the hex SHA-256 of the canonical request.
    pub fn string_to_sign(canonical_request: &str) -> String {
        format!(
            "{ALGORITHM}\n{}",
            hex::encode(Sha256::digest(canonical_request.as_bytes()))
        )
    }

    /// Computes the lowercase hex HMAC-SHA256 of the string to sign, keyed by the bare secret.
    pub fn signature(secret: &str, string_to_sign: &str) -> String {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes())
            .unwrap_or_else(|_| unreachable!("HMAC accepts keys of any length"));
        mac.update(string_to_sign.as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }

    /// Formats the `Authorization` header value.
    pub fn authorization(
        access_key_id: &str,
        signed_headers: &[String],
        signature: &str,
    ) -> String {
        format!(
            "{ALGORITHM} Credential={access_key_id},SignedHeaders={},Signature={signature}",
            signed_headers.join(";")
        )
    }

    /// Parses an `Authorization` header; spaces after commas are tolerated and unknown parts
    /// ignored, as a gateway would.
    pub fn parse_authorization(header: &str) -> Result<Authorization, AuthorizationError> {
        let rest = header
            .trim()
            .strip_prefix(ALGORITHM)
            .filter(|r| r.starts_with([' ', '\t']))
            .ok_or(AuthorizationError::UnsupportedAlgorithm)?;
        let mut credential = None;
        let mut signed = None;
        let mut signature = None;
        for part in rest.split(',') {
            let part = part.trim();
            if part.is_empty() {
                continue;
            }
            let (name, value) = part.split_once('=').ok_or(AuthorizationError::Malformed)?;
            let (slot, label) = match name.trim() {
                "Credential" => (&mut credential, "Credential"),
                "SignedHeaders" => (&mut signed, "SignedHeaders"),
                "Signature" => (&mut signature, "Signature"),
                _ => continue,
            };
            if slot.is_some() {
                return Err(AuthorizationError::Duplicate(label));
            }
            *slot = Some(value.trim().to_owned());
        }
        let nonempty = |v: Option<String>, label| {
            v.filter(|s| !s.is_empty())
                .ok_or(AuthorizationError::Missing(label))
        };
        let credential = nonempty(credential, "Credential")?;
        let signed = nonempty(signed, "SignedHeaders")?;
        let signature = nonempty(signature, "Signature")?;
        Ok(Authorization {
            credential,
            signed_headers: signed
                .split(';')
                .map(|s| s.trim().to_ascii_lowercase())
                .filter(|s| !s.is_empty())
                .collect(),
            signature,
        })
    }

    /// Checks a provided hex signature in constant time (hex case does not matter).
    pub fn verify(secret: &str, string_to_sign: &str, provided: &str) -> bool {
        constant_time_eq(
            &signature(secret, string_to_sign),
            &provided.to_ascii_lowercase(),
        )
    }
}
