//! Credentials as the official SDKs resolve them, refreshed while the client runs.
//!
//! Everything here is [`acs_rpc::credentials`], plus [`ReqwestHttpClient`], which lets its
//! providers reach STS, the ECS metadata service and credentials URIs over the same HTTP stack as
//! the API calls. A [`Cen`](crate::Cen) asks its provider for credentials before signing each
//! attempt, through a [`CachedProvider`], so temporary credentials are renewed mid-run.
//!
//! A pipeline working in a member account through a role, on top of the default chain:
//!
//! ```no_run
//! use std::sync::Arc;
//!
//! use cen_client::Cen;
//! use cen_client::credentials::{DefaultChain, RamRoleArnProvider, ReqwestHttpClient};
//!
//! # fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let http = ReqwestHttpClient::shared(reqwest::Client::new());
//! let member = RamRoleArnProvider::builder(Arc::new(DefaultChain::new(http.clone())), http)
//!     .role_arn("acs:ram::1234567890123456:role/network-admin")
//!     .role_session_name("cen-pipeline")
//!     .external_id("cen-pipeline")
//!     .build()?;
//! let cen = Cen::builder().credentials_provider(member).build()?;
//! # let _ = cen; Ok(()) }
//! ```

use std::time::Duration;

pub use acs_rpc::credentials::*;

/// The bound on one credentials exchange when the provider sets none.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(15);

/// [`HttpClient`] over reqwest, for the providers that call STS or a metadata endpoint.
#[derive(Debug, Clone, Default)]
pub struct ReqwestHttpClient {
    client: reqwest::Client,
}

impl ReqwestHttpClient {
    /// Uses this reqwest client (its proxy, TLS roots and pool).
    pub fn new(client: reqwest::Client) -> Self {
        Self { client }
    }

    /// A shared handle, as providers take it.
    pub fn shared(client: reqwest::Client) -> SharedHttpClient {
        std::sync::Arc::new(Self::new(client))
    }
}

impl HttpClient for ReqwestHttpClient {
    fn send(&self, request: HttpRequest) -> HttpFuture<'_> {
        Box::pin(async move {
            let method = reqwest::Method::from_bytes(request.method.as_bytes())
                .map_err(|_| format!("unknown HTTP method {}", request.method))?;
            let mut builder = self
                .client
                .request(method, &request.url)
                .timeout(request.timeout.unwrap_or(DEFAULT_TIMEOUT));
            for (name, value) in &request.headers {
                builder = builder.header(name.as_str(), value.as_str());
            }
            if !request.body.is_empty() {
                builder = builder.body(request.body);
            }
            // reqwest's errors name the URL, whose query may hold a token: keep the kind only.
            let describe = |e: reqwest::Error| {
                if e.is_timeout() {
                    "timed out".to_owned()
                } else if e.is_connect() {
                    "connection failed".to_owned()
                } else if e.is_builder() {
                    "the request could not be built".to_owned()
                } else {
                    "the exchange failed".to_owned()
                }
            };
            let response = builder.send().await.map_err(describe)?;
            let status = response.status().as_u16();
            let content_type = response
                .headers()
                .get(reqwest::header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned);
            let body = response.bytes().await.map_err(describe)?.to_vec();
            Ok(HttpResponse {
                status,
                content_type,
                body,
            })
        })
    }
}
