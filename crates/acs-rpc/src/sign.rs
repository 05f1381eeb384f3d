//! Signing (client side) and the building blocks of verification (server side).
//!
//! Each step, from canonical query to signature, is a public function, so the conformance
//! harness and the `sign` debugging command can print every intermediate value, and the server's
//! verifier runs exactly the code the client signs with.

use std::borrow::Cow;
use std::fmt;
use std::ops::Range;
use std::sync::OnceLock;
use std::time::SystemTime;

use hmac::{Hmac, Mac};
use sha1::Sha1;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::credentials::{Credentials, Secret};
use crate::encode::{
    Encoder, SortedPairs, canonical_query, canonical_query_of, into_string, push_percent_encoded,
};
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
///
/// Every text and the parameters are borrowed or owned ([`Cow`]), so a client that keeps them can
/// sign each attempt without copying them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RpcRequest<'a> {
    /// The HTTP method; [`Placement::Body`] overrides it with `POST`.
    pub method: HttpMethod,
    /// The endpoint host, such as `cbn.aliyuncs.com`, signed as the V3 `host` header.
    pub host: Cow<'a, str>,
    /// The operation, such as `CreateCen`.
    pub action: Cow<'a, str>,
    /// The API version, such as `2017-09-12`.
    pub version: Cow<'a, str>,
    /// The response format, `JSON` or `XML`.
    pub format: Cow<'a, str>,
    /// The flat API parameters.
    pub params: Cow<'a, crate::params::Params>,
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

/// The HMAC states keyed by one AccessKey secret, ready for a string to sign: HMAC hashes its key
/// into two blocks before any message, and these keep that work from one signature to the next.
/// Each is derived on the first signature of its version, so a caller of one version (or a
/// security token, which never signs) derives nothing it does not use.
#[derive(Clone, Default)]
pub(crate) struct SigningKeys {
    /// HMAC-SHA1 keyed with `secret&`.
    v1: OnceLock<Hmac<Sha1>>,
    /// HMAC-SHA256 keyed with the bare secret.
    v3: OnceLock<Hmac<Sha256>>,
}

impl SigningKeys {
    /// A fresh V1 HMAC keyed with `secret`, which must be the text these keys belong to.
    pub(crate) fn v1(&self, secret: &str) -> Hmac<Sha1> {
        self.v1.get_or_init(|| v1::keyed(secret)).clone()
    }

    /// A fresh V3 HMAC keyed with `secret`, which must be the text these keys belong to.
    pub(crate) fn v3(&self, secret: &str) -> Hmac<Sha256> {
        self.v3.get_or_init(|| v3::keyed(secret)).clone()
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
    req: &RpcRequest<'_>,
    creds: &Credentials,
    ctx: &SigningContext,
) -> WireRequest {
    match version {
        SignatureVersion::V1 => sign_v1(req, creds, ctx),
        SignatureVersion::V3 => sign_v3(req, creds, ctx),
    }
}

/// The method actually sent: form bodies need `POST`.
fn effective_method(req: &RpcRequest<'_>) -> HttpMethod {
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
pub fn sign_v1(req: &RpcRequest<'_>, creds: &Credentials, ctx: &SigningContext) -> WireRequest {
    sign_v1_parts(req, creds, ctx).wire
}

/// [`sign_v1`], also returning the canonical query, string to sign and signature.
pub fn sign_v1_traced(
    req: &RpcRequest<'_>,
    creds: &Credentials,
    ctx: &SigningContext,
) -> SigningTrace {
    let V1Parts {
        wire,
        canonical,
        signature,
    } = sign_v1_parts(req, creds, ctx);
    let text = match req.placement {
        Placement::Query => wire.path_and_query.as_bytes(),
        Placement::Body => wire.body.as_slice(),
    };
    let canonical = String::from_utf8_lossy(text.get(canonical).unwrap_or_default()).into_owned();
    let string_to_sign = v1::string_to_sign_from_canonical(wire.method.as_str(), &canonical);
    SigningTrace {
        canonical,
        string_to_sign,
        signature: signature.as_str().to_owned(),
        wire,
    }
}

/// A V1 signature and where its canonical query sits in the wire text.
struct V1Parts {
    wire: WireRequest,
    /// The byte range of the canonical query in `path_and_query` (query) or `body` (body).
    canonical: Range<usize>,
    signature: Ascii<28>,
}

/// V1 in one pass: the parameters are sorted by reference (no string is copied), then each is
/// percent-encoded into the wire text and, in the same loop, encoded twice straight into the HMAC,
/// so the string to sign is never built.
fn sign_v1_parts(req: &RpcRequest<'_>, creds: &Credentials, ctx: &SigningContext) -> V1Parts {
    let method = effective_method(req);
    let mut params = SortedPairs::with_capacity(req.params.len() + 9);
    params.extend_params(&req.params);
    params.push("Action", &req.action);
    params.push("Version", &req.version);
    params.push("Format", &req.format);
    params.push("AccessKeyId", &creds.access_key_id);
    params.push("SignatureMethod", v1::SIGNATURE_METHOD);
    params.push("SignatureVersion", v1::SIGNATURE_VERSION);
    params.push("SignatureNonce", &ctx.nonce);
    params.push("Timestamp", &ctx.timestamp);
    if let Some(token) = &creds.security_token {
        params.push("SecurityToken", token.expose());
    }
    params.sort();
    let prefix = match req.placement {
        Placement::Query => "/?",
        Placement::Body => "",
    };
    // The signature adds `&Signature=` and at most 28 base64 characters encoded to 3 bytes each.
    let mut text = String::with_capacity(prefix.len() + params.encoded_len_hint() + 96);
    text.push_str(prefix);
    let start = text.len();
    // The string to sign is `METHOD&%2F&` and the canonical query encoded once more; both
    // encodings come from one pass over the parameters, the second straight into the HMAC.
    let mut mac = creds.access_key_secret.hmac_v1();
    mac.update(method.as_str().as_bytes());
    mac.update(b"&%2F&");
    {
        let (mut once, mut twice) = (Encoder::once(), Encoder::twice());
        let mut to_text = into_string(&mut text);
        let mut to_mac = |chunk: &[u8]| mac.update(chunk);
        for (i, (name, value)) in params.iter().enumerate() {
            once.pair(i == 0, name, value, &mut to_text);
            twice.pair(i == 0, name, value, &mut to_mac);
        }
        once.finish(&mut to_text);
        twice.finish(&mut to_mac);
    }
    let signature = v1::base64(mac);
    let canonical = start..text.len();
    if !canonical.is_empty() {
        text.push('&');
    }
    text.push_str("Signature=");
    push_percent_encoded(&mut text, signature.as_str());
    let wire = match req.placement {
        Placement::Query => WireRequest {
            method,
            path_and_query: text,
            headers: Vec::new(),
            body: Vec::new(),
        },
        Placement::Body => WireRequest {
            method,
            path_and_query: "/".to_owned(),
            headers: vec![("content-type".to_owned(), FORM_CONTENT_TYPE.to_owned())],
            body: text.into_bytes(),
        },
    };
    V1Parts {
        wire,
        canonical,
        signature,
    }
}

/// Signs with signature V3 (`ACS3-HMAC-SHA256`) and returns the wire request.
///
/// Sets `host`, `x-acs-action`, `x-acs-version`, `x-acs-date`, `x-acs-signature-nonce`,
/// `x-acs-content-sha256`, `x-acs-security-token` for STS, `content-type` for a body, and
/// `authorization`. The parameters go sorted into the query, or with [`Placement::Body`] into a
/// form body (hashed into `x-acs-content-sha256`) sent with `POST`. `Format` is added to the query
/// only when it is not `JSON`, because the official SDKs omit it and the gateway defaults to JSON.
pub fn sign_v3(req: &RpcRequest<'_>, creds: &Credentials, ctx: &SigningContext) -> WireRequest {
    sign_v3_parts(req, creds, ctx, false).0
}

/// [`sign_v3`], also returning the canonical request, string to sign and signature.
pub fn sign_v3_traced(
    req: &RpcRequest<'_>,
    creds: &Credentials,
    ctx: &SigningContext,
) -> SigningTrace {
    let (wire, trace) = sign_v3_parts(req, creds, ctx, true);
    let (canonical, string_to_sign, signature) = trace.unwrap_or_default();
    SigningTrace {
        canonical,
        string_to_sign,
        signature,
        wire,
    }
}

/// The canonical request, string to sign and signature of a traced V3 signature.
type V3Trace = (String, String, String);

/// V3 in one pass: the query is sorted by reference and encoded once, into the wire path, and
/// the canonical request is hashed piece by piece (built as a string only when traced), over the
/// headers this function sets, whose sorted order it knows.
fn sign_v3_parts(
    req: &RpcRequest<'_>,
    creds: &Credentials,
    ctx: &SigningContext,
    trace: bool,
) -> (WireRequest, Option<V3Trace>) {
    let method = effective_method(req);
    let format = (!req.format.is_empty() && !req.format.eq_ignore_ascii_case("JSON"))
        .then_some(req.format.as_ref());
    let mut query = SortedPairs::with_capacity(req.params.len() + 1);
    let body = match req.placement {
        Placement::Query => {
            query.extend_params(&req.params);
            Vec::new()
        }
        Placement::Body => canonical_query_of(&req.params).into_bytes(),
    };
    if let Some(format) = format {
        query.push("Format", format);
    }
    query.sort();
    let mut path_and_query = String::with_capacity(2 + query.encoded_len_hint());
    path_and_query.push('/');
    if !query.is_empty() {
        path_and_query.push('?');
        query.push_encoded(&mut path_and_query);
    }
    let canonical_query = path_and_query.get(2..).unwrap_or_default();

    let content_sha256 = if body.is_empty() {
        Ascii::from_str(v3::EMPTY_PAYLOAD_SHA256)
    } else {
        lower_hex(&Sha256::digest(&body))
    };
    let token = creds.security_token.as_ref().map(Secret::expose);
    // The headers in wire order; `authorization` follows.
    let mut headers: [(&str, &str); 8] = [
        ("host", &req.host),
        ("x-acs-action", &req.action),
        ("x-acs-version", &req.version),
        ("x-acs-date", &ctx.timestamp),
        ("x-acs-signature-nonce", &ctx.nonce),
        ("x-acs-content-sha256", content_sha256.as_str()),
        ("", ""),
        ("", ""),
    ];
    let mut count = 6;
    if let Some(token) = token {
        headers[count] = (v3::SECURITY_TOKEN_HEADER, token);
        count += 1;
    }
    if req.placement == Placement::Body {
        headers[count] = ("content-type", FORM_CONTENT_TYPE);
        count += 1;
    }
    let headers = headers.get(..count).unwrap_or_default();
    // Every one of them is signed; their names are lower case and distinct.
    let mut sorted = [("", ""); 8];
    let sorted = &mut sorted[..headers.len()];
    sorted.copy_from_slice(headers);
    sorted.sort_unstable_by_key(|&(name, _)| name);

    // The canonical request is `METHOD\n/\n{query}` followed by this tail.
    let mut tail = String::with_capacity(
        headers
            .iter()
            .map(|(n, v)| 2 * n.len() + v.len() + 3)
            .sum::<usize>()
            + 72,
    );
    tail.push('\n');
    for (name, value) in sorted.iter() {
        tail.push_str(name);
        tail.push(':');
        tail.push_str(value.trim());
        tail.push('\n');
    }
    tail.push('\n');
    let signed_start = tail.len();
    for (i, (name, _)) in sorted.iter().enumerate() {
        if i > 0 {
            tail.push(';');
        }
        tail.push_str(name);
    }
    let signed_headers = signed_start..tail.len();
    tail.push('\n');
    tail.push_str(content_sha256.as_str());

    let mut canonical = None;
    let hashed = if trace {
        let mut text =
            String::with_capacity(method.as_str().len() + 3 + canonical_query.len() + tail.len());
        text.push_str(method.as_str());
        text.push_str("\n/\n");
        text.push_str(canonical_query);
        text.push_str(&tail);
        let hashed = Sha256::digest(text.as_bytes());
        canonical = Some(text);
        hashed
    } else {
        let mut hasher = Sha256::new();
        hasher.update(method.as_str().as_bytes());
        hasher.update(b"\n/\n");
        hasher.update(canonical_query.as_bytes());
        hasher.update(tail.as_bytes());
        hasher.finalize()
    };
    let mut string_to_sign = Ascii::<{ v3::ALGORITHM.len() + 1 + 64 }>::from_str(v3::ALGORITHM);
    string_to_sign.push_str("\n");
    string_to_sign.push_str(lower_hex(&hashed).as_str());
    let signature = v3::signature_hex(creds.access_key_secret.hmac_v3(), string_to_sign.as_str());

    let signed_headers = tail.get(signed_headers).unwrap_or_default();
    let mut authorization = String::with_capacity(
        v3::ALGORITHM.len() + 41 + creds.access_key_id.len() + signed_headers.len() + 64,
    );
    authorization.push_str(v3::ALGORITHM);
    authorization.push_str(" Credential=");
    authorization.push_str(&creds.access_key_id);
    authorization.push_str(",SignedHeaders=");
    authorization.push_str(signed_headers);
    authorization.push_str(",Signature=");
    authorization.push_str(signature.as_str());

    let mut wire_headers = Vec::with_capacity(headers.len() + 1);
    wire_headers.extend(
        headers
            .iter()
            .map(|(name, value)| ((*name).to_owned(), (*value).to_owned())),
    );
    wire_headers.push(("authorization".to_owned(), authorization));
    let trace = canonical.map(|canonical| {
        (
            canonical,
            string_to_sign.as_str().to_owned(),
            signature.as_str().to_owned(),
        )
    });
    let wire = WireRequest {
        method,
        path_and_query,
        headers: wire_headers,
        body,
    };
    (wire, trace)
}

/// A short ASCII string kept on the stack: a digest in hex, a signature in base64.
#[derive(Clone, Copy)]
struct Ascii<const N: usize> {
    bytes: [u8; N],
    len: usize,
}

impl<const N: usize> Ascii<N> {
    /// Copies `s`, cut to `N` bytes (callers size `N` for what they store).
    fn from_str(s: &str) -> Self {
        let mut out = Self {
            bytes: [0; N],
            len: 0,
        };
        out.push_str(s);
        out
    }

    /// Appends ASCII text, up to the capacity.
    fn push_str(&mut self, s: &str) {
        for &b in s.as_bytes() {
            if let Some(slot) = self.bytes.get_mut(self.len) {
                *slot = b;
                self.len += 1;
            }
        }
    }

    fn as_str(&self) -> &str {
        std::str::from_utf8(self.bytes.get(..self.len).unwrap_or_default()).unwrap_or_default()
    }
}

/// Lowercase hex of a digest of up to 32 bytes.
fn lower_hex(bytes: &[u8]) -> Ascii<64> {
    const HEX_LOWER: &[u8; 16] = b"0123456789abcdef";
    let mut out = Ascii {
        bytes: [0; 64],
        len: 0,
    };
    for (pair, &b) in out.bytes.chunks_exact_mut(2).zip(bytes) {
        pair[0] = HEX_LOWER[usize::from(b >> 4)];
        pair[1] = HEX_LOWER[usize::from(b & 0x0f)];
        out.len += 2;
    }
    out
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
        let mut signed = SortedPairs::with_capacity(params.len());
        for (name, value) in params {
            if name != "Signature" {
                signed.push(name, value);
            }
        }
        signed.sort();
        let mut canonical = String::with_capacity(signed.encoded_len_hint());
        signed.push_encoded(&mut canonical);
        string_to_sign_from_canonical(method, &canonical)
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
        let mut mac = keyed(secret);
        mac.update(string_to_sign.as_bytes());
        base64(mac).as_str().to_owned()
    }

    /// The HMAC-SHA1 keyed with `secret + "&"`, the key built on the stack when it fits.
    pub(super) fn keyed(secret: &str) -> Hmac<Sha1> {
        let mut key = [0_u8; 128];
        let new = |key: &[u8]| {
            <Hmac<Sha1> as Mac>::new_from_slice(key)
                .unwrap_or_else(|_| unreachable!("HMAC accepts keys of any length"))
        };
        match key.get_mut(..=secret.len()) {
            Some(slot) => {
                let (text, amp) = slot.split_at_mut(secret.len());
                text.copy_from_slice(secret.as_bytes());
                amp.copy_from_slice(b"&");
                new(slot)
            }
            None => new(format!("{secret}&").as_bytes()),
        }
    }

    /// The base64 of the finished HMAC, 28 characters.
    pub(super) fn base64(mac: Hmac<Sha1>) -> Ascii<28> {
        use base64::Engine as _;
        let digest = mac.finalize().into_bytes();
        let mut out = Ascii {
            bytes: [0; 28],
            len: 0,
        };
        out.len = base64::engine::general_purpose::STANDARD
            .encode_slice(digest, &mut out.bytes)
            .unwrap_or_default();
        out
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
        name.eq_ignore_ascii_case("host")
            || name.eq_ignore_ascii_case("content-type")
            || name
                .as_bytes()
                .get(..6)
                .is_some_and(|prefix| prefix.eq_ignore_ascii_case(b"x-acs-"))
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
        lower_hex(&Sha256::digest(body)).as_str().to_owned()
    }

    /// [`hashed_payload`] of an empty body.
    pub const EMPTY_PAYLOAD_SHA256: &str =
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

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
        let mut out = String::with_capacity(ALGORITHM.len() + 1 + 64);
        out.push_str(ALGORITHM);
        out.push('\n');
        out.push_str(lower_hex(&Sha256::digest(canonical_request.as_bytes())).as_str());
        out
    }

    /// Computes the lowercase hex HMAC-SHA256 of the string to sign, keyed by the bare secret.
    pub fn signature(secret: &str, string_to_sign: &str) -> String {
        signature_hex(keyed(secret), string_to_sign)
            .as_str()
            .to_owned()
    }

    /// The HMAC-SHA256 keyed with the bare secret.
    pub(super) fn keyed(secret: &str) -> Hmac<Sha256> {
        <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes())
            .unwrap_or_else(|_| unreachable!("HMAC accepts keys of any length"))
    }

    /// [`signature`] with a keyed HMAC, kept on the stack.
    pub(super) fn signature_hex(mut mac: Hmac<Sha256>, string_to_sign: &str) -> Ascii<64> {
        mac.update(string_to_sign.as_bytes());
        lower_hex(&mac.finalize().into_bytes())
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
