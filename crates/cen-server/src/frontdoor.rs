//! The protocol front door: everything a request goes through before an operation sees it.
//!
//! In order, a request to `/` is checked for:
//!
//! 1. the HTTP method: anything but `GET` and `POST` is 403 `UnsupportedHTTPMethod`;
//! 2. the body size: more than the limit (1 MiB by default) is 413 `RequestEntityTooLarge`
//!    (emulator rule: PROTOCOL.md is silent, and 413 says what happened to any HTTP client);
//! 3. the parameters: query and `application/x-www-form-urlencoded` body (a body without a content
//!    type is read as a form too) are decoded with form rules and merged, query first; malformed
//!    escapes or non-UTF-8 are 400 `RequestParameterMalformed`;
//! 4. `Format`: JSON or XML, case-insensitively, JSON when absent or empty; anything else is 400
//!    `InvalidParameter.Format` (and errors up to this point are rendered as JSON);
//! 5. a character XML 1.0 cannot carry (a control character other than tab, LF and CR, or
//!    U+FFFE/U+FFFF) in any parameter's name or value: 400 `InvalidParameter`, naming the
//!    parameter and the character (emulator rule: refusing it keeps every stored name,
//!    description and tag representable in both formats, where dropping it would lose data);
//! 6. `Action` then `Version` present (`MissingAction`, `MissingVersion`); the product serving the
//!    version (`InvalidVersion`); the action among its operations (404 `InvalidAction.NotFound`);
//! 7. the signature, V3 when the `Authorization` header starts with `ACS3-`, V1 otherwise (see
//!    [`FrontDoor::handle`] for the order of those checks);
//! 8. the nonce, only after the signature verified, so that nobody can burn another caller's
//!    nonces: 400 `SignatureNonceUsed`.
//!
//! Then the product's [`ProductService::call`] runs; a panic in it (or anywhere in the front door)
//! is answered with 500 `InternalError` instead of a dropped connection.
//!
//! Emulator rules where PROTOCOL.md is silent:
//!
//! - An empty value counts as missing for every required common parameter and header.
//! - When a common parameter is given more than once, the first occurrence (query before body)
//!   is used; all occurrences are signed, as the client signed them.
//! - V1 `SignatureMethod` other than `HMAC-SHA1` is 400 `InvalidSignatureMethod`
//!   (`Specified signature method is not supported.`); `SignatureVersion` other than `1.0` is 400
//!   `InvalidSignatureVersion` (`Specified signature version is not supported.`).
//! - A V3 `Authorization` header with another `ACS3-` algorithm is 400 `InvalidSignatureMethod`;
//!   one that cannot be parsed, a missing or wrong `x-acs-content-sha256`, or a present common
//!   header (`host`, `x-acs-action`, `x-acs-version`, `x-acs-date`, `x-acs-signature-nonce`,
//!   `x-acs-content-sha256`, `x-acs-security-token`) left out of `SignedHeaders` is 400
//!   `IncompleteSignature` (`The request signature does not conform to Aliyun standards.` followed
//!   by the reason), the code Alibaba uses for structurally bad signatures. A missing
//!   `x-acs-signature-nonce` or `x-acs-date` is `MissingSignatureNonce` or `MissingTimestamp`.
//! - V3 takes `Action` and `Version` from `x-acs-action` and `x-acs-version`, falling back to the
//!   (signed) query parameters.
//! - A key whose id starts with `STS.` needs a security token (`SecurityToken` in V1,
//!   `x-acs-security-token` in V3), else 400 `MissingSecurityToken`
//!   (`SecurityToken is mandatory for this action.`). Once the signature verified, the key
//!   store judges the token ([`KeyStore::check_security_token`]): 400
//!   `InvalidSecurityToken.Malformed`, `InvalidSecurityToken.MismatchWithAccessKey` or
//!   `InvalidSecurityToken.Expired`, with Alibaba's messages. The token is judged after the
//!   signature, so that only the holder of the key's secret learns why a token is refused.
//! - An operation the spec marks `x-acs-auth: anonymous` (STS's `AssumeRoleWithOIDC`) is served
//!   without a signature when the request carries none (no `Signature`, no `AccessKeyId`, no
//!   `ACS3-` `Authorization`), as the official SDKs send it: a `Timestamp` it carries is still
//!   checked, no nonce is remembered, and the operation sees an empty `access_key_id` and
//!   `caller_uid`. A signed request to such an operation is verified like any other.
//! - Errors raised before the product is known carry the `HostId` of the product whose endpoint
//!   matches the `Host` header's first label (`vpc.cn-hangzhou.aliyuncs.com` is Vpc), else of the
//!   first product registered.
//! - A result that is neither an object nor `null` is a bug in the product: 500 `InternalError`.

use std::fmt;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use acs_rpc::encode::form_decode;
use acs_rpc::error::{ApiError, xml_allows};
use acs_rpc::meta::ProductMeta;
use acs_rpc::sign::{HttpMethod, v1, v3};
use acs_rpc::time::parse_timestamp;
use axum::Router;
use axum::body::Body;
use axum::routing::any;
use futures::FutureExt as _;
use http::header::{AUTHORIZATION, CONTENT_TYPE, HOST};
use http::{HeaderMap, Request, Response};
use http_body_util::{BodyExt as _, LengthLimitError, Limited};
use serde_json::Value;

use crate::auth::{Account, KeyStore, NonceCache, SecurityTokenError, StaticKeyStore};
use crate::context::{Format, RequestContext};
use crate::hooks::{Answered, Call, Hooks, NoHooks, Outcome};
use crate::render::{recommend_url, render_error, render_success};
use crate::service::ProductService;

/// The clock the front door checks timestamps and nonces against.
pub type Clock = Arc<dyn Fn() -> SystemTime + Send + Sync>;
/// A source of fresh request ids.
pub type RequestIdGenerator = Arc<dyn Fn() -> String + Send + Sync>;

/// The parameters that belong to the protocol, never passed to an operation.
pub const PROTOCOL_PARAMS: &[&str] = &[
    "Action",
    "Version",
    "Format",
    "AccessKeyId",
    "SignatureMethod",
    "SignatureVersion",
    "SignatureNonce",
    "SignatureType",
    "Timestamp",
    "Signature",
    "SecurityToken",
];

/// The default body limit, 1 MiB, far above any CEN request.
pub const DEFAULT_BODY_LIMIT: usize = 1024 * 1024;
/// How far a timestamp may be from the clock, either side, and still be accepted.
pub const DEFAULT_MAX_CLOCK_SKEW: Duration = Duration::from_secs(15 * 60);

/// The message of every `InternalError`.
pub const INTERNAL_ERROR_MESSAGE: &str =
    "The request processing has failed due to some unknown error, exception or failure.";

/// The V3 headers that, when present, must be covered by the signature.
const MUST_SIGN: &[&str] = &[
    "host",
    "x-acs-action",
    "x-acs-version",
    "x-acs-date",
    "x-acs-signature-nonce",
    "x-acs-content-sha256",
    v3::SECURITY_TOKEN_HEADER,
];

/// The common errors of the protocol, with PROTOCOL.md's codes, statuses and messages.
pub mod errors {
    use acs_rpc::error::{ApiError, xml_allows};

    /// `Missing{Name}`: a required common parameter is absent or empty.
    pub fn missing(name: &str) -> ApiError {
        ApiError::new(
            400,
            format!("Missing{name}"),
            format!("{name} is mandatory for this action."),
        )
    }

    /// `MissingSignature`.
    pub fn missing_signature() -> ApiError {
        missing("Signature")
    }

    /// `SignatureDoesNotMatch`, quoting the server's string to sign.
    pub fn signature_does_not_match(string_to_sign: &str) -> ApiError {
        ApiError::new(
            400,
            "SignatureDoesNotMatch",
            format!(
                "Specified signature is not matched with our calculation. server string to sign is:{string_to_sign}"
            ),
        )
    }

    /// `InvalidAccessKeyId.NotFound`.
    pub fn access_key_not_found() -> ApiError {
        ApiError::new(
            404,
            "InvalidAccessKeyId.NotFound",
            "Specified access key is not found.",
        )
    }

    /// `InvalidAccessKeyId.Inactive`.
    pub fn access_key_inactive() -> ApiError {
        ApiError::new(
            400,
            "InvalidAccessKeyId.Inactive",
            "Specified access key is disabled.",
        )
    }

    /// `SignatureNonceUsed`.
    pub fn nonce_used() -> ApiError {
        ApiError::new(
            400,
            "SignatureNonceUsed",
            "Specified signature nonce was used already.",
        )
    }

    /// `InvalidSecurityToken.Malformed`.
    pub fn security_token_malformed() -> ApiError {
        ApiError::new(
            400,
            "InvalidSecurityToken.Malformed",
            "Specified SecurityToken is malformed.",
        )
    }

    /// `InvalidSecurityToken.MismatchWithAccessKey`.
    pub fn security_token_mismatch() -> ApiError {
        ApiError::new(
            400,
            "InvalidSecurityToken.MismatchWithAccessKey",
            "Specified SecurityToken mismatch with the AccessKey.",
        )
    }

    /// `InvalidSecurityToken.Expired`.
    pub fn security_token_expired() -> ApiError {
        ApiError::new(
            400,
            "InvalidSecurityToken.Expired",
            "Specified SecurityToken is expired.",
        )
    }

    /// `InvalidTimeStamp.Expired`.
    pub fn timestamp_expired() -> ApiError {
        ApiError::new(
            400,
            "InvalidTimeStamp.Expired",
            "Specified time stamp or date value is expired.",
        )
    }

    /// `InvalidTimeStamp.Format`.
    pub fn timestamp_format() -> ApiError {
        ApiError::new(
            400,
            "InvalidTimeStamp.Format",
            "Specified time stamp or date value is not well formatted.",
        )
    }

    /// `RequestParameterMalformed`.
    pub fn malformed() -> ApiError {
        ApiError::new(
            400,
            "RequestParameterMalformed",
            "Request parameters has malformed encoded characters.",
        )
    }

    /// `InvalidParameter` for a parameter name or value with a character XML 1.0 cannot carry;
    /// the message spells such characters as `U+XXXX`, so it is itself representable.
    pub fn xml_forbidden_character(name: &str, character: char) -> ApiError {
        let spelled: String = name
            .chars()
            .map(|c| {
                if xml_allows(c) {
                    c.to_string()
                } else {
                    format!("U+{:04X}", u32::from(c))
                }
            })
            .collect();
        ApiError::new(
            400,
            "InvalidParameter",
            format!(
                "The parameter {spelled} contains U+{:04X}, a character that XML 1.0 cannot carry.",
                u32::from(character)
            ),
        )
    }

    /// `NotFound` (emulator rule): a path other than `/`.
    pub fn path_not_found() -> ApiError {
        ApiError::new(
            404,
            "NotFound",
            "The specified path is not served: RPC requests go to /.",
        )
    }

    /// `InvalidParameter.Format`.
    pub fn invalid_format() -> ApiError {
        ApiError::new(
            400,
            "InvalidParameter.Format",
            "Specified parameter format is not valid.",
        )
    }

    /// `InvalidVersion`.
    pub fn invalid_version() -> ApiError {
        ApiError::new(
            400,
            "InvalidVersion",
            "Specified parameter Version is not valid.",
        )
    }

    /// `InvalidAction.NotFound`.
    pub fn action_not_found() -> ApiError {
        ApiError::new(
            404,
            "InvalidAction.NotFound",
            "Specified api is not found, please check your url and method.",
        )
    }

    /// `NotImplemented` (this project's rule, HTTP 501): the server serves the product but has no
    /// implementation of this operation. The generated trait methods answer it by default, so an
    /// implementation can land one operation at a time and a caller learns which one is missing.
    pub fn not_implemented(action: &str) -> ApiError {
        ApiError::new(
            501,
            NOT_IMPLEMENTED,
            format!("The operation {action} is not implemented by this server."),
        )
    }

    /// The code of [`not_implemented`].
    pub const NOT_IMPLEMENTED: &str = "NotImplemented";

    /// `UnsupportedHTTPMethod`.
    pub fn unsupported_method() -> ApiError {
        ApiError::new(
            403,
            "UnsupportedHTTPMethod",
            "This HTTP method is not supported.",
        )
    }

    /// `InternalError`.
    pub fn internal() -> ApiError {
        ApiError::new(500, "InternalError", super::INTERNAL_ERROR_MESSAGE)
    }

    /// `RequestEntityTooLarge` (emulator rule): the body exceeds the configured limit.
    pub fn body_too_large(limit: usize) -> ApiError {
        ApiError::new(
            413,
            "RequestEntityTooLarge",
            format!("The request body exceeds the limit of {limit} bytes."),
        )
    }

    /// `InvalidSignatureMethod` (emulator rule).
    pub fn invalid_signature_method() -> ApiError {
        ApiError::new(
            400,
            "InvalidSignatureMethod",
            "Specified signature method is not supported.",
        )
    }

    /// `InvalidSignatureVersion` (emulator rule).
    pub fn invalid_signature_version() -> ApiError {
        ApiError::new(
            400,
            "InvalidSignatureVersion",
            "Specified signature version is not supported.",
        )
    }

    /// `IncompleteSignature` (emulator rule for structurally bad V3 signatures).
    pub fn incomplete_signature(reason: &str) -> ApiError {
        ApiError::new(
            400,
            "IncompleteSignature",
            format!("The request signature does not conform to Aliyun standards. {reason}"),
        )
    }
}

/// The protocol front door for one or more products; turn it into an axum router with
/// [`FrontDoor::router`].
pub struct FrontDoor {
    products: Vec<Arc<dyn ProductService>>,
    keys: Arc<dyn KeyStore>,
    nonces: NonceCache,
    clock: Clock,
    request_ids: RequestIdGenerator,
    body_limit: usize,
    max_clock_skew: Duration,
    hooks: Arc<dyn Hooks>,
}

/// Builds a [`FrontDoor`].
pub struct FrontDoorBuilder {
    products: Vec<Arc<dyn ProductService>>,
    hooks: Option<Arc<dyn Hooks>>,
    keys: Option<Arc<dyn KeyStore>>,
    nonces: Option<NonceCache>,
    clock: Option<Clock>,
    request_ids: Option<RequestIdGenerator>,
    body_limit: usize,
    max_clock_skew: Duration,
}

impl FrontDoorBuilder {
    /// Serves a product; requests are routed to it by its `Version`.
    pub fn product(mut self, product: Arc<dyn ProductService>) -> Self {
        self.products.push(product);
        self
    }

    /// Sets the AccessKeys (without this call no key is known and every signed request is
    /// `InvalidAccessKeyId.NotFound`).
    pub fn keys(mut self, keys: Arc<dyn KeyStore>) -> Self {
        self.keys = Some(keys);
        self
    }

    /// Installs hooks that may delay, answer or drop verified calls and that see every answer
    /// (default: none).
    pub fn hooks(mut self, hooks: Arc<dyn Hooks>) -> Self {
        self.hooks = Some(hooks);
        self
    }

    /// Sets the nonce memory (default: [`NonceCache::new`]).
    pub fn nonces(mut self, nonces: NonceCache) -> Self {
        self.nonces = Some(nonces);
        self
    }

    /// Sets the clock (default: [`SystemTime::now`]), so tests can fix the time.
    pub fn clock(mut self, clock: impl Fn() -> SystemTime + Send + Sync + 'static) -> Self {
        self.clock = Some(Arc::new(clock));
        self
    }

    /// Sets the request id source (default: random upper-case UUIDs, as Alibaba's look).
    pub fn request_ids(mut self, ids: impl Fn() -> String + Send + Sync + 'static) -> Self {
        self.request_ids = Some(Arc::new(ids));
        self
    }

    /// Sets the largest accepted body in bytes (default [`DEFAULT_BODY_LIMIT`]).
    pub fn body_limit(mut self, bytes: usize) -> Self {
        self.body_limit = bytes;
        self
    }

    /// Sets how far timestamps may be from the clock (default [`DEFAULT_MAX_CLOCK_SKEW`]).
    pub fn max_clock_skew(mut self, skew: Duration) -> Self {
        self.max_clock_skew = skew;
        self
    }

    /// Builds the front door.
    ///
    /// # Panics
    ///
    /// If two products serve the same `Version`, because routing would be ambiguous.
    pub fn build(self) -> FrontDoor {
        for (i, product) in self.products.iter().enumerate() {
            let version = product.meta().version;
            assert!(
                self.products[..i]
                    .iter()
                    .all(|p| p.meta().version != version),
                "two products serve version {version}"
            );
        }
        FrontDoor {
            products: self.products,
            keys: self
                .keys
                .unwrap_or_else(|| Arc::new(StaticKeyStore::default())),
            nonces: self.nonces.unwrap_or_default(),
            clock: self.clock.unwrap_or_else(|| Arc::new(SystemTime::now)),
            request_ids: self.request_ids.unwrap_or_else(|| Arc::new(new_request_id)),
            body_limit: self.body_limit,
            max_clock_skew: self.max_clock_skew,
            hooks: self.hooks.unwrap_or_else(|| Arc::new(NoHooks)),
        }
    }
}

impl fmt::Debug for FrontDoorBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FrontDoorBuilder")
            .field(
                "products",
                &self
                    .products
                    .iter()
                    .map(|p| p.meta().product)
                    .collect::<Vec<_>>(),
            )
            .field("body_limit", &self.body_limit)
            .field("max_clock_skew", &self.max_clock_skew)
            .finish_non_exhaustive()
    }
}

impl fmt::Debug for FrontDoor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FrontDoor")
            .field(
                "products",
                &self
                    .products
                    .iter()
                    .map(|p| p.meta().product)
                    .collect::<Vec<_>>(),
            )
            .field("nonces", &self.nonces)
            .field("body_limit", &self.body_limit)
            .field("max_clock_skew", &self.max_clock_skew)
            .finish_non_exhaustive()
    }
}

/// Creates an id shaped like Alibaba's: an upper-case version-4 UUID.
pub fn new_request_id() -> String {
    let mut b: [u8; 16] = rand::random();
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h: String = b.iter().map(|x| format!("{x:02X}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

/// What is known about a request so far, for error rendering and the access log.
#[derive(Default)]
struct Progress {
    format: Format,
    product: Option<&'static ProductMeta>,
    action: Option<String>,
    access_key_id: Option<String>,
    /// A hook chose to close the connection instead of answering.
    closed: bool,
}

/// The outcome of signature verification.
struct Verified {
    account: Account,
    nonce: String,
    security_token: Option<String>,
}

/// Returns the first non-empty value of a parameter.
/// A response whose body fails before its first byte, so the server drops the connection
/// without completing an answer: what a client sees when the network breaks.
fn closed_connection() -> Response<Body> {
    let failing = futures::stream::once(async {
        Err::<axum::body::Bytes, _>(std::io::Error::other(
            "the connection was closed on purpose",
        ))
    });
    Response::new(Body::from_stream(failing))
}

fn param<'a>(params: &'a [(String, String)], name: &str) -> Option<&'a str> {
    params
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
        .filter(|v| !v.is_empty())
}

/// Returns the first non-empty value of a header, read as UTF-8 where possible.
fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty())
}

impl FrontDoor {
    /// Starts a builder with the defaults.
    pub fn builder() -> FrontDoorBuilder {
        FrontDoorBuilder {
            products: Vec::new(),
            hooks: None,
            keys: None,
            nonces: None,
            clock: None,
            request_ids: None,
            body_limit: DEFAULT_BODY_LIMIT,
            max_clock_skew: DEFAULT_MAX_CLOCK_SKEW,
        }
    }

    /// A router serving `/` for every method, and answering any path no other router claims
    /// with 404 `NotFound` in the error envelope, so the emulator can merge its own routes
    /// (`front.router().merge(admin)`).
    pub fn router(self) -> Router {
        let door = Arc::new(self);
        let unrouted = Arc::clone(&door);
        Router::new()
            .route(
                "/",
                any(move |request: Request<Body>| {
                    let door = Arc::clone(&door);
                    async move { door.handle(request).await }
                }),
            )
            .fallback(move |request: Request<Body>| {
                let door = Arc::clone(&unrouted);
                async move { door.not_found(&request) }
            })
    }

    /// Answers a request to a path the API does not serve (emulator rule: the RPC API lives at
    /// `/` only, and an envelope tells any client what happened where an empty 404 would not):
    /// 404 `NotFound`, in the format of a `Format` query parameter.
    fn not_found(&self, request: &Request<Body>) -> Response<Body> {
        let started = Instant::now();
        let request_id = (self.request_ids)();
        let params = form_decode(request.uri().query().unwrap_or_default()).unwrap_or_default();
        let progress = Progress {
            format: Format::parse(param(&params, "Format")).unwrap_or_default(),
            ..Progress::default()
        };
        let host = header(request.headers(), HOST.as_str());
        let error = errors::path_not_found();
        let code = error.code.clone();
        let response = self.error_response(error, &progress, &request_id, host);
        self.hooks.after_response(&Answered {
            product: None,
            action: None,
            status: response.status().as_u16(),
            code: Some(&code),
            latency: started.elapsed(),
        });
        response
    }

    /// Answers one request; never fails and never panics.
    ///
    /// The signature checks run in this order. V1: `Signature`, `AccessKeyId`, `SignatureMethod`,
    /// `SignatureVersion`, `SignatureNonce`, `Timestamp` present (`MissingSignature`,
    /// `Missing{Name}`; a misspelled `TimeStamp` is simply absent); method and version supported;
    /// timestamp well formed and within the skew; key known and enabled; security token for STS
    /// keys; signature. V3: `Authorization` well formed (its `Credential` is the AccessKey id);
    /// `x-acs-signature-nonce` and `x-acs-date` present; date well formed and within the skew;
    /// `x-acs-content-sha256` present and equal to the body's hash; the common headers signed;
    /// key known and enabled; security token for STS keys; signature. Then, for both, the
    /// security token as the key store judges it, and the nonce. An anonymous operation sent
    /// unsigned skips all of it but the timestamp, when it has one.
    pub async fn handle(&self, request: Request<Body>) -> Response<Body> {
        let started = Instant::now();
        let request_id = (self.request_ids)();
        let host = header(request.headers(), HOST.as_str()).map(str::to_owned);
        let mut progress = Progress::default();
        let outcome = AssertUnwindSafe(self.process(request, &request_id, &mut progress))
            .catch_unwind()
            .await;
        let (response, code) = match outcome {
            Ok(Ok(response)) => (response, None),
            Ok(Err(error)) => {
                let code = error.code.clone();
                let response = self.error_response(error, &progress, &request_id, host.as_deref());
                (response, Some(code))
            }
            Err(panic) => {
                let reason = panic
                    .downcast_ref::<&str>()
                    .map(|s| (*s).to_owned())
                    .or_else(|| panic.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "non-string panic payload".to_owned());
                tracing::error!(
                    request_id = %request_id,
                    action = progress.action.as_deref().unwrap_or("-"),
                    panic = %reason,
                    "request handler panicked"
                );
                let error = errors::internal();
                let code = error.code.clone();
                let response = self.error_response(error, &progress, &request_id, host.as_deref());
                (response, Some(code))
            }
        };
        let status = if progress.closed {
            0
        } else {
            response.status().as_u16()
        };
        let latency = started.elapsed();
        // One line per request; never the signature, the secret or the security token.
        tracing::info!(
            target: "cen_server::access",
            request_id = %request_id,
            action = %progress.action.as_deref().unwrap_or("-"),
            product = %progress.product.map_or("-", |p| p.product),
            status,
            code = %code.as_deref().unwrap_or("-"),
            latency_ms = u64::try_from(latency.as_millis()).unwrap_or(u64::MAX),
            access_key_id = %progress.access_key_id.as_deref().unwrap_or("-"),
            "request"
        );
        self.hooks.after_response(&Answered {
            product: progress.product.map(|p| p.product),
            action: progress.action.as_deref(),
            status,
            code: code.as_deref(),
            latency,
        });
        response
    }

    /// Fills what the envelope needs and renders it.
    fn error_response(
        &self,
        mut error: ApiError,
        progress: &Progress,
        request_id: &str,
        host: Option<&str>,
    ) -> Response<Body> {
        let meta = progress.product.or_else(|| self.product_for_host(host));
        let (product, endpoint) =
            meta.map_or(("Cbn", "cbn.aliyuncs.com"), |m| (m.product, m.host()));
        error.request_id = Some(request_id.to_owned());
        if error.host_id.is_none() {
            error.host_id = Some(endpoint.to_owned());
        }
        if error.recommend.is_none() {
            error.recommend = Some(recommend_url(&error.code, product, request_id));
        }
        render_error(progress.format, &error)
    }

    /// The product an unrouted request was probably meant for, by the `Host` header.
    fn product_for_host(&self, host: Option<&str>) -> Option<&'static ProductMeta> {
        let first_label = |h: &str| {
            h.split(['.', ':'])
                .next()
                .unwrap_or_default()
                .to_ascii_lowercase()
        };
        let wanted = host.map(first_label);
        self.products
            .iter()
            .map(|p| p.meta())
            .find(|m| wanted.as_deref() == Some(first_label(m.host()).as_str()))
            .or_else(|| self.products.first().map(|p| p.meta()))
    }

    async fn process(
        &self,
        request: Request<Body>,
        request_id: &str,
        progress: &mut Progress,
    ) -> Result<Response<Body>, ApiError> {
        let method =
            HttpMethod::parse(request.method().as_str()).ok_or_else(errors::unsupported_method)?;
        let (parts, body) = request.into_parts();
        let body = match Limited::new(body, self.body_limit).collect().await {
            Ok(collected) => collected.to_bytes(),
            Err(e) if e.is::<LengthLimitError>() => {
                return Err(errors::body_too_large(self.body_limit));
            }
            // A body that cannot be read (a broken upload) is no better than a malformed one.
            Err(_) => return Err(errors::malformed()),
        };

        let mut params =
            form_decode(parts.uri.query().unwrap_or_default()).map_err(|_| errors::malformed())?;
        let is_form = match header(&parts.headers, CONTENT_TYPE.as_str()) {
            Some(ct) => ct
                .to_ascii_lowercase()
                .starts_with(acs_rpc::sign::FORM_CONTENT_TYPE),
            None => true,
        };
        if is_form && !body.is_empty() {
            let text = std::str::from_utf8(&body).map_err(|_| errors::malformed())?;
            params.extend(form_decode(text).map_err(|_| errors::malformed())?);
        }

        progress.format = Format::parse(
            params
                .iter()
                .find(|(n, _)| n == "Format")
                .map(|(_, v)| v.as_str()),
        )
        .ok_or_else(errors::invalid_format)?;
        if let Some((name, c)) = params.iter().find_map(|(name, value)| {
            name.chars()
                .chain(value.chars())
                .find(|c| !xml_allows(*c))
                .map(|c| (name, c))
        }) {
            return Err(errors::xml_forbidden_character(name, c));
        }

        let authorization = parts
            .headers
            .get(AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
            .filter(|v| v.starts_with("ACS3-"));
        let v3_header = |name: &str| authorization.and(header(&parts.headers, name));

        let action = v3_header("x-acs-action")
            .or_else(|| param(&params, "Action"))
            .ok_or_else(|| errors::missing("Action"))?;
        progress.action = Some(action.to_owned());
        let version = v3_header("x-acs-version")
            .or_else(|| param(&params, "Version"))
            .ok_or_else(|| errors::missing("Version"))?;
        let product = self
            .products
            .iter()
            .find(|p| p.meta().version == version)
            .ok_or_else(errors::invalid_version)?;
        let meta = product.meta();
        progress.product = Some(meta);
        let Some(operation) = meta.operation(action) else {
            return Err(errors::action_not_found());
        };
        let action = action.to_owned();

        let now = (self.clock)();
        let unsigned = authorization.is_none()
            && param(&params, "Signature").is_none()
            && param(&params, "AccessKeyId").is_none();
        let verified = match authorization {
            None if operation.anonymous && unsigned => {
                if let Some(timestamp) = param(&params, "Timestamp") {
                    self.check_timestamp(timestamp, now)?;
                }
                None
            }
            Some(authorization) => self
                .verify_v3(
                    method,
                    authorization,
                    &parts.headers,
                    parts.uri.query().unwrap_or_default(),
                    &body,
                    now,
                    progress,
                )
                .map(Some)?,
            None => Some(self.verify_v1(method, &params, now, progress)?),
        };
        if let Some(verified) = &verified {
            if let Some(token) = &verified.security_token {
                self.keys
                    .check_security_token(&verified.account, token)
                    .map_err(|e| match e {
                        SecurityTokenError::Malformed => errors::security_token_malformed(),
                        SecurityTokenError::MismatchWithAccessKey => {
                            errors::security_token_mismatch()
                        }
                        SecurityTokenError::Expired => errors::security_token_expired(),
                    })?;
            }
            if !self
                .nonces
                .check_and_insert(&verified.account.access_key_id, &verified.nonce, now)
            {
                return Err(errors::nonce_used());
            }
        }
        let (access_key_id, caller_uid, security_token) = match verified {
            Some(v) => (v.account.access_key_id, v.account.uid, v.security_token),
            None => (String::new(), String::new(), None),
        };

        let ctx = RequestContext {
            request_id: request_id.to_owned(),
            product: meta.product,
            action,
            format: progress.format,
            access_key_id,
            caller_uid,
            security_token,
            region_id: param(&params, "RegionId").map(str::to_owned),
            host_id: meta.host(),
        };
        params.retain(|(name, _)| !PROTOCOL_PARAMS.contains(&name.as_str()));
        let plan = self.hooks.before_call(&Call {
            product: meta.product,
            action: &ctx.action,
            caller_uid: &ctx.caller_uid,
            params: &params,
        });
        if let Some(plan) = plan {
            if !plan.delay.is_zero() {
                tokio::time::sleep(plan.delay).await;
            }
            match plan.outcome {
                Some(Outcome::Error(mut error)) => {
                    error.host_id.get_or_insert_with(|| meta.host().to_owned());
                    return Err(error);
                }
                Some(Outcome::CloseConnection) => {
                    progress.closed = true;
                    return Ok(closed_connection());
                }
                None => {}
            }
        }
        match product.call(&ctx, params).await {
            Ok(value @ (Value::Object(_) | Value::Null)) => Ok(render_success(
                ctx.format,
                &ctx.action,
                &ctx.request_id,
                value,
            )),
            Ok(other) => {
                tracing::error!(
                    request_id = %ctx.request_id,
                    action = %ctx.action,
                    kind = json_kind(&other),
                    "operation returned a result that is not an object"
                );
                Err(errors::internal())
            }
            Err(mut error) => {
                error.host_id.get_or_insert_with(|| meta.host().to_owned());
                Err(error)
            }
        }
    }

    /// Checks a timestamp's form and distance from the clock.
    fn check_timestamp(&self, text: &str, now: SystemTime) -> Result<(), ApiError> {
        let at = parse_timestamp(text).map_err(|_| errors::timestamp_format())?;
        let skew = match now.duration_since(at) {
            Ok(behind) => behind,
            Err(ahead) => ahead.duration(),
        };
        if skew > self.max_clock_skew {
            return Err(errors::timestamp_expired());
        }
        Ok(())
    }

    /// Finds an enabled account for a key.
    fn account(&self, access_key_id: &str) -> Result<Account, ApiError> {
        let account = self
            .keys
            .lookup(access_key_id)
            .ok_or_else(errors::access_key_not_found)?;
        if !account.enabled {
            return Err(errors::access_key_inactive());
        }
        Ok(account)
    }

    fn verify_v1(
        &self,
        method: HttpMethod,
        params: &[(String, String)],
        now: SystemTime,
        progress: &mut Progress,
    ) -> Result<Verified, ApiError> {
        let signature = param(params, "Signature").ok_or_else(errors::missing_signature)?;
        let access_key_id =
            param(params, "AccessKeyId").ok_or_else(|| errors::missing("AccessKeyId"))?;
        progress.access_key_id = Some(access_key_id.to_owned());
        let required =
            |name: &'static str| param(params, name).ok_or_else(|| errors::missing(name));
        let signature_method = required("SignatureMethod")?;
        let signature_version = required("SignatureVersion")?;
        let nonce = required("SignatureNonce")?;
        let timestamp = required("Timestamp")?;
        if signature_method != v1::SIGNATURE_METHOD {
            return Err(errors::invalid_signature_method());
        }
        if signature_version != v1::SIGNATURE_VERSION {
            return Err(errors::invalid_signature_version());
        }
        self.check_timestamp(timestamp, now)?;
        let account = self.account(access_key_id)?;
        let security_token = param(params, "SecurityToken").map(str::to_owned);
        if account.is_sts() && security_token.is_none() {
            return Err(errors::missing("SecurityToken"));
        }
        let string_to_sign = v1::string_to_sign(method.as_str(), params);
        if !v1::verify(account.secret.expose(), &string_to_sign, signature) {
            return Err(errors::signature_does_not_match(&string_to_sign));
        }
        Ok(Verified {
            account,
            nonce: nonce.to_owned(),
            security_token,
        })
    }

    // V3 signs pieces of the request (query text, headers, body) that were split apart when the
    // body was read, so they arrive separately rather than as one request value.
    #[allow(clippy::too_many_arguments)]
    fn verify_v3(
        &self,
        method: HttpMethod,
        authorization: &str,
        headers: &HeaderMap,
        query: &str,
        body: &[u8],
        now: SystemTime,
        progress: &mut Progress,
    ) -> Result<Verified, ApiError> {
        let auth = v3::parse_authorization(authorization).map_err(|e| match e {
            v3::AuthorizationError::UnsupportedAlgorithm => errors::invalid_signature_method(),
            other => errors::incomplete_signature(&format!("The {other}.")),
        })?;
        progress.access_key_id = Some(auth.credential.clone());
        let nonce = header(headers, "x-acs-signature-nonce")
            .ok_or_else(|| errors::missing("SignatureNonce"))?;
        let date = header(headers, "x-acs-date").ok_or_else(|| errors::missing("Timestamp"))?;
        self.check_timestamp(date, now)?;
        let content_sha256 = header(headers, "x-acs-content-sha256").ok_or_else(|| {
            errors::incomplete_signature("The x-acs-content-sha256 header is missing.")
        })?;
        if !content_sha256.eq_ignore_ascii_case(&v3::hashed_payload(body)) {
            return Err(errors::incomplete_signature(
                "The x-acs-content-sha256 header does not match the body.",
            ));
        }
        if let Some(unsigned) = MUST_SIGN.iter().find(|name| {
            headers.contains_key(**name) && !auth.signed_headers.iter().any(|s| s == *name)
        }) {
            return Err(errors::incomplete_signature(&format!(
                "The {unsigned} header must be signed."
            )));
        }
        let account = self.account(&auth.credential)?;
        let security_token = header(headers, v3::SECURITY_TOKEN_HEADER).map(str::to_owned);
        if account.is_sts() && security_token.is_none() {
            return Err(errors::missing("SecurityToken"));
        }
        // The query was decoded once already; decoding it again cannot fail differently.
        let query = form_decode(query).map_err(|_| errors::malformed())?;
        let header_list: Vec<(String, String)> = headers
            .iter()
            .map(|(name, value)| {
                (
                    name.as_str().to_owned(),
                    String::from_utf8_lossy(value.as_bytes()).into_owned(),
                )
            })
            .collect();
        let canonical = v3::canonical_request_with(
            &v3::CanonicalInput {
                method: method.as_str(),
                path: "/",
                query: &query,
                headers: &header_list,
                body,
            },
            &auth.signed_headers,
        );
        let string_to_sign = v3::string_to_sign(&canonical);
        if !v3::verify(account.secret.expose(), &string_to_sign, &auth.signature) {
            return Err(errors::signature_does_not_match(&string_to_sign));
        }
        Ok(Verified {
            account,
            nonce: nonce.to_owned(),
            security_token,
        })
    }
}

fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_ids_look_like_alibaba_ids() {
        let id = new_request_id();
        assert_eq!(id.len(), 36);
        assert_eq!(id.matches('-').count(), 4);
        assert_eq!(id, id.to_ascii_uppercase());
        assert_ne!(id, new_request_id());
    }
}
