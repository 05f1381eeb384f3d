//! The bridge between progenitor's JSON-over-HTTP calls and Alibaba's RPC protocol.
//!
//! A generated method sends `POST {endpoint}/{Action}` with the API parameters as a JSON body.
//! [`prepare`] (the `pre` hook) flattens that body into Alibaba's wire parameters once, filling in
//! a `ClientToken` when the operation takes one, so every retry carries the same token.
//! [`execute`] (the `exec` hook) turns it into a signed request to `/`, signs it anew for each
//! attempt and retries what the [`RetryPolicy`](crate::RetryPolicy) allows.

use std::time::{Duration, Instant};

use acs_rpc::credentials::{Credentials, CredentialsError, ProvideCredentials};
use acs_rpc::encode;
use acs_rpc::error::ApiError;
use acs_rpc::flat;
use acs_rpc::sign::{self, HttpMethod, Placement, RpcRequest, SignatureVersion, WireRequest};
use bytes::Bytes;
use progenitor_client::{ClientHooks, ClientInfo, OperationInfo};
use reqwest::header::{CONTENT_TYPE, HeaderName, HeaderValue};
use tracing::Instrument;

use crate::config::ClientContext;
use crate::generated::{cbn, sts, vpc};

/// Content type of the intermediate body that carries flattened parameters from `pre` to `exec`.
const FLAT_BODY: &str = "application/x-www-form-urlencoded";

/// Identifies this client to the service, as the official SDKs identify themselves.
const USER_AGENT: &str = concat!("cen-client/", env!("CARGO_PKG_VERSION"), " (rust)");

/// Rewrites the generated JSON body into flattened wire parameters.
pub(crate) fn prepare(
    context: &ClientContext,
    request: &mut reqwest::Request,
) -> Result<(), String> {
    let action = action_of(request.url())?;
    let operation = context.product.operation(&action).ok_or_else(|| {
        format!(
            "{action} is not an operation of {}",
            context.product.product
        )
    })?;
    let mut body: serde_json::Value = match request.body().and_then(|b| b.as_bytes()) {
        Some(bytes) if !bytes.is_empty() => serde_json::from_slice(bytes)
            .map_err(|e| format!("the request body of {action} is not JSON: {e}"))?,
        _ => serde_json::Value::Object(Default::default()),
    };
    if let (Some(name), Some(map)) = (operation.client_token, body.as_object_mut()) {
        let missing = map.get(name).is_none_or(|v| v.is_null());
        if missing {
            map.insert(
                name.to_owned(),
                serde_json::Value::String(crate::wire::client_token()),
            );
        }
    }
    let params = flat::flatten(&body, operation.json_params)
        .map_err(|e| format!("cannot flatten the parameters of {action}: {e}"))?;
    let encoded = params
        .iter()
        .map(|(k, v)| {
            format!(
                "{}={}",
                encode::percent_encode(k),
                encode::percent_encode(v)
            )
        })
        .collect::<Vec<_>>()
        .join("&");
    request
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static(FLAT_BODY));
    *request.body_mut() = Some(encoded.into());
    Ok(())
}

/// The Action is the last path segment of the virtual path `/{Action}`.
fn action_of(url: &reqwest::Url) -> Result<String, String> {
    url.path_segments()
        .and_then(|mut segments| segments.next_back().map(str::to_owned))
        .filter(|s| !s.is_empty())
        .ok_or_else(|| format!("no Action in the request path of {url}"))
}

/// What one prepared call needs for each of its attempts.
pub(crate) struct Call {
    action: String,
    params: acs_rpc::Params,
    /// `scheme://host[:port]` plus any path prefix of the endpoint, without the Action.
    base: String,
    host: String,
}

/// Action prefixes of operations that only read.
const READ_ONLY_PREFIXES: [&str; 4] = ["Describe", "List", "Check", "Get"];

impl Call {
    /// Whether sending the call again cannot change anything twice: it carries a `ClientToken`
    /// (which this client always fills when the operation takes one) or it only reads.
    fn repeatable(&self, context: &ClientContext) -> bool {
        context
            .product
            .operation(&self.action)
            .is_some_and(|op| op.client_token.is_some())
            || READ_ONLY_PREFIXES
                .iter()
                .any(|prefix| self.action.starts_with(prefix))
    }

    /// A call of `action` with its flat parameters to the endpoint `baseurl`
    /// (`scheme://host[:port][/prefix]`).
    pub(crate) fn new(
        baseurl: &str,
        action: &str,
        params: acs_rpc::Params,
    ) -> Result<Self, String> {
        let url =
            reqwest::Url::parse(baseurl).map_err(|e| format!("bad endpoint URL {baseurl}: {e}"))?;
        let host = match url.port() {
            Some(port) => format!("{}:{port}", url.host_str().unwrap_or_default()),
            None => url.host_str().unwrap_or_default().to_owned(),
        };
        let base = format!(
            "{}://{host}{}",
            url.scheme(),
            url.path().trim_end_matches('/')
        );
        Ok(Self {
            action: action.to_owned(),
            params,
            base,
            host,
        })
    }

    fn from_request(request: &reqwest::Request) -> Result<Self, String> {
        let url = request.url();
        let action = action_of(url)?;
        let body = request
            .body()
            .and_then(|b| b.as_bytes())
            .unwrap_or_default();
        let body = std::str::from_utf8(body).map_err(|e| e.to_string())?;
        let params = encode::form_decode(body).map_err(|e| e.to_string())?;
        let host = match url.port() {
            Some(port) => format!("{}:{port}", url.host_str().unwrap_or_default()),
            None => url.host_str().unwrap_or_default().to_owned(),
        };
        let prefix = url.path().strip_suffix(&action).unwrap_or("/");
        let base = format!("{}://{host}{}", url.scheme(), prefix.trim_end_matches('/'));
        Ok(Self {
            action,
            params: params.into(),
            base,
            host,
        })
    }

    /// Signs one attempt with a fresh timestamp and nonce and the credentials of the moment.
    fn signed(
        &self,
        context: &ClientContext,
        credentials: &Credentials,
    ) -> Result<reqwest::Request, String> {
        let settings = &context.settings;
        let placement = match settings.method {
            HttpMethod::Get => Placement::Query,
            HttpMethod::Post => settings.placement,
        };
        let rpc = RpcRequest {
            method: settings.method,
            host: self.host.as_str().into(),
            action: self.action.as_str().into(),
            version: context.product.version.into(),
            format: "JSON".into(),
            params: (&self.params).into(),
            placement,
        };
        let signing = (settings.signing)();
        let wire = match settings.signature_version {
            SignatureVersion::V1 => sign::sign_v1(&rpc, credentials, &signing),
            SignatureVersion::V3 => sign::sign_v3(&rpc, credentials, &signing),
        };
        self.to_reqwest(wire).map_err(|_| {
            // The reason would quote the header value, which may be a security token.
            "the signed request could not be built: the AccessKey id, the security token or the \
             endpoint cannot travel in an HTTP request"
                .to_owned()
        })
    }

    fn to_reqwest(&self, wire: WireRequest) -> Result<reqwest::Request, String> {
        let method = match wire.method {
            HttpMethod::Get => reqwest::Method::GET,
            HttpMethod::Post => reqwest::Method::POST,
        };
        let url = format!("{}{}", self.base, wire.path_and_query);
        let url = reqwest::Url::parse(&url).map_err(|e| format!("bad endpoint URL {url}: {e}"))?;
        let mut request = reqwest::Request::new(method, url);
        for (name, value) in wire.headers {
            let name = HeaderName::from_bytes(name.as_bytes()).map_err(|e| e.to_string())?;
            let value = HeaderValue::from_str(&value).map_err(|e| e.to_string())?;
            request.headers_mut().insert(name, value);
        }
        request.headers_mut().insert(
            reqwest::header::USER_AGENT,
            HeaderValue::from_static(USER_AGENT),
        );
        if !wire.body.is_empty() {
            *request.body_mut() = Some(wire.body.into());
        }
        Ok(request)
    }
}

/// Fails a call locally. `exec` can only return a `reqwest::Error`, and the only way to make one is
/// to let reqwest refuse a request; a URL scheme it does not speak is refused before any I/O.
async fn refuse(http: &reqwest::Client, reason: &str) -> reqwest::Result<reqwest::Response> {
    tracing::error!(%reason, "could not build the signed request");
    let url = reqwest::Url::parse("cen-client-refused:/")
        .map_err(|_| ())
        .ok();
    match url {
        Some(url) => {
            http.execute(reqwest::Request::new(reqwest::Method::GET, url))
                .await
        }
        None => unreachable!("the constant URL parses"),
    }
}

/// Why an attempt may be worth repeating.
enum Verdict {
    Done(reqwest::Response),
    Retry {
        response: reqwest::Response,
        after: Option<Duration>,
        give_up: bool,
    },
}

/// Why a call ended without an answer.
#[derive(Debug)]
pub(crate) enum CallError {
    /// The service was not reached.
    Transport(reqwest::Error),
    /// The credentials provider could not supply credentials; nothing was sent.
    Credentials(CredentialsError),
    /// The request could not be built; nothing was sent.
    Refused(String),
}

/// Sends a prepared call, retrying and re-signing as the policy allows.
pub(crate) async fn execute(
    context: &ClientContext,
    http: &reqwest::Client,
    request: reqwest::Request,
) -> reqwest::Result<reqwest::Response> {
    let call = match Call::from_request(&request) {
        Ok(call) => call,
        // The builder validated the endpoints, so this cannot happen; fail without sending.
        Err(reason) => return refuse(http, &reason).await,
    };
    match execute_call(context, http, &call).await {
        Ok(response) => Ok(response),
        Err(CallError::Transport(error)) => Err(error),
        // progenitor's hook can only fail with a reqwest error: the reason goes to the log.
        Err(CallError::Credentials(error)) => refuse(http, &error.to_string()).await,
        Err(CallError::Refused(reason)) => refuse(http, &reason).await,
    }
}

/// Sends a call, signing each attempt anew, with the credentials the provider gives at that
/// moment, and retrying as the policy allows.
pub(crate) async fn execute_call(
    context: &ClientContext,
    http: &reqwest::Client,
    call: &Call,
) -> Result<reqwest::Response, CallError> {
    let policy = &context.settings.retry;
    let mut attempt = 1;
    loop {
        let span = tracing::info_span!(
            "cen.call",
            product = context.product.product,
            action = %call.action,
            attempt,
            status = tracing::field::Empty,
            request_id = tracing::field::Empty,
            latency_ms = tracing::field::Empty,
        );
        let credentials = context
            .settings
            .credentials
            .provide_credentials()
            .instrument(span.clone())
            .await
            .map_err(CallError::Credentials)?;
        let signed = call
            .signed(context, &credentials)
            .map_err(CallError::Refused)?;
        let started = Instant::now();
        let outcome = http.execute(signed).instrument(span.clone()).await;
        span.record("latency_ms", started.elapsed().as_millis() as u64);
        let last = attempt >= policy.max_attempts;
        match outcome {
            Ok(response) => {
                span.record("status", response.status().as_u16());
                if let Some(id) = response.headers().get("x-acs-request-id") {
                    span.record(
                        "request_id",
                        tracing::field::display(id.to_str().unwrap_or_default()),
                    );
                }
                match classify(response, policy)
                    .await
                    .map_err(CallError::Transport)?
                {
                    Verdict::Done(response) => return Ok(response),
                    Verdict::Retry {
                        response,
                        after,
                        give_up,
                    } => {
                        if last || give_up {
                            return Ok(response);
                        }
                        let delay = after.unwrap_or_else(|| policy.backoff(attempt));
                        span.in_scope(|| {
                            tracing::info!(delay_ms = delay.as_millis() as u64, "retrying")
                        });
                        tokio::time::sleep(delay).await;
                    }
                }
            }
            Err(error) => {
                // A connection that broke after the request went out may have been served, so
                // that attempt is repeated only when a repeat cannot act twice.
                let transient = error.is_connect()
                    || error.is_timeout()
                    || (error.is_request() && call.repeatable(context));
                if last || !transient {
                    return Err(CallError::Transport(error));
                }
                let delay = policy.backoff(attempt);
                span.in_scope(|| {
                    tracing::info!(delay_ms = delay.as_millis() as u64, error = %error, "retrying")
                });
                tokio::time::sleep(delay).await;
            }
        }
        attempt += 1;
    }
}

/// Decides whether a response ends the call, and normalises XML error bodies to JSON so the
/// generated code decodes them as the typed error.
async fn classify(
    response: reqwest::Response,
    policy: &crate::RetryPolicy,
) -> reqwest::Result<Verdict> {
    let status = response.status();
    if status.is_success() {
        return Ok(Verdict::Done(response));
    }
    let headers = response.headers().clone();
    let version = response.version();
    let bytes = response.bytes().await?;
    let content_type = headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok());
    let api_error = ApiError::from_body(status.as_u16(), content_type, &bytes);
    let retry_after = headers
        .get("x-acs-retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    let throttled = status.as_u16() == 429
        || retry_after.is_some()
        || api_error.as_ref().is_some_and(ApiError::is_throttling);
    let transient = matches!(status.as_u16(), 500 | 502 | 503 | 504);

    // Hand the body back as JSON when it was an XML envelope, so one decoder serves both.
    let (body, json) = match &api_error {
        Some(error) if !looks_like_json(&bytes) => (Bytes::from(error.to_json()), true),
        _ => (bytes, false),
    };
    let mut rebuilt = http::Response::builder().status(status).version(version);
    if let Some(h) = rebuilt.headers_mut() {
        *h = headers;
        if json {
            h.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
            h.remove(reqwest::header::CONTENT_LENGTH);
        }
    }
    let response = match rebuilt.body(body) {
        Ok(r) => reqwest::Response::from(r),
        // Building from parts of a response that already parsed cannot fail; keep a safe answer.
        Err(_) => {
            return Ok(Verdict::Done(reqwest::Response::from(http::Response::new(
                Bytes::new(),
            ))));
        }
    };
    if !(throttled || transient) {
        return Ok(Verdict::Done(response));
    }
    let (after, give_up) = match retry_after {
        Some(ms) => match policy.retry_after(ms) {
            Some(delay) => (Some(delay), false),
            None => (None, true),
        },
        None => (None, false),
    };
    Ok(Verdict::Retry {
        response,
        after,
        give_up,
    })
}

fn looks_like_json(bytes: &[u8]) -> bool {
    bytes
        .iter()
        .find(|b| !b.is_ascii_whitespace())
        .is_some_and(|b| *b == b'{')
}

/// Wires the generated clients to the RPC bridge.
macro_rules! rpc_hooks {
    ($product:ident) => {
        impl ClientHooks<ClientContext> for $product::raw::Client {
            async fn pre<E>(
                &self,
                request: &mut reqwest::Request,
                _info: &OperationInfo,
            ) -> Result<(), progenitor_client::Error<E>> {
                prepare(self.inner(), request).map_err(progenitor_client::Error::Custom)
            }

            async fn exec(
                &self,
                request: reqwest::Request,
                _info: &OperationInfo,
            ) -> reqwest::Result<reqwest::Response> {
                execute(self.inner(), self.client(), request).await
            }
        }
    };
}

rpc_hooks!(cbn);
rpc_hooks!(vpc);
rpc_hooks!(sts);
