//! Shared by the HTTP-level tests: an emulator behind its router with a manual clock, and
//! requests signed for real (V1 or V3) and sent in process with `tower::ServiceExt::oneshot`.

#![allow(dead_code)]

use std::borrow::Cow;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, UNIX_EPOCH};

use acs_rpc::meta::ProductMeta;
use acs_rpc::{Credentials, HttpMethod, Placement, RpcRequest, SigningContext};
use axum::Router;
use axum::body::Body;
use cen_emulator::config::{AccountSpec, default_accounts};
use cen_emulator::{Emulator, EmulatorConfig};
use http_body_util::BodyExt as _;
use tower::ServiceExt as _;

/// The emulator clock's start: 2024-05-01T12:00:00Z.
pub const START_MS: u64 = 1_714_564_800_000;

/// A clock that moves only when told.
#[derive(Debug, Clone)]
pub struct ManualClock(Arc<AtomicU64>);

impl ManualClock {
    /// A clock at [`START_MS`].
    pub fn new() -> Self {
        Self(Arc::new(AtomicU64::new(START_MS)))
    }

    /// Moves the clock forward.
    pub fn advance(&self, ms: u64) {
        self.0.fetch_add(ms, Ordering::SeqCst);
    }

    /// The clock in the emulator's form.
    pub fn clock(&self) -> cen_emulator::Clock {
        let ms = Arc::clone(&self.0);
        Arc::new(move || UNIX_EPOCH + Duration::from_millis(ms.load(Ordering::SeqCst)))
    }
}

/// The emulator's configuration with the default accounts and inventory.
pub fn config(delay_ms: u64) -> EmulatorConfig {
    let uids = cen_emulator::config::uids(&default_accounts());
    EmulatorConfig::new(&uids, Duration::from_millis(delay_ms))
}

/// The product a request goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Product {
    /// Cbn 2017-09-12.
    #[default]
    Cbn,
    /// Vpc 2016-04-28.
    Vpc,
}

impl Product {
    /// The product's metadata.
    pub fn meta(self) -> &'static ProductMeta {
        match self {
            Self::Cbn => &cen_types::operations::CBN,
            Self::Vpc => &cen_types::operations::VPC,
        }
    }
}

/// The response format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// `Format=JSON`.
    Json,
    /// `Format=XML`.
    Xml,
}

impl Format {
    /// The wire value.
    pub fn wire(self) -> &'static str {
        match self {
            Self::Json => "JSON",
            Self::Xml => "XML",
        }
    }
}

/// The signature scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Signature {
    /// HMAC-SHA1, parameters in the query.
    V1,
    /// ACS3-HMAC-SHA256.
    #[default]
    V3,
}

/// One answer.
#[derive(Debug)]
pub struct Reply {
    /// The HTTP status.
    pub status: u16,
    /// The `x-acs-request-id` header.
    pub request_id_header: Option<String>,
    /// The `content-type` header.
    pub content_type: Option<String>,
    /// The body.
    pub body: String,
}

/// The emulator's router and its accounts.
#[derive(Clone)]
pub struct Api {
    /// The router of `cen_emulator::app`.
    pub router: Router,
    /// The accounts the router knows.
    pub accounts: Vec<AccountSpec>,
}

impl Api {
    /// Serves an emulator.
    pub fn new(emulator: Arc<Emulator>) -> Self {
        let accounts = default_accounts();
        Self {
            router: cen_emulator::app(emulator, &accounts),
            accounts,
        }
    }

    /// The UID of account `n` (1-based).
    pub fn uid(&self, account: usize) -> i64 {
        self.accounts[account - 1].uid
    }

    /// Signs and sends one call as account `n` (1-based).
    pub async fn call(
        &self,
        account: usize,
        product: Product,
        action: &str,
        params: Vec<(String, String)>,
        format: Format,
        signature: Signature,
    ) -> Reply {
        let spec = &self.accounts[account - 1];
        let meta = product.meta();
        let rpc = RpcRequest {
            method: HttpMethod::Post,
            host: meta.endpoint.into(),
            action: action.into(),
            version: meta.version.into(),
            format: format.wire().into(),
            params: Cow::Owned(params.into()),
            placement: Placement::Query,
        };
        let creds = Credentials::new(spec.access_key_id.clone(), spec.secret.clone());
        let ctx = SigningContext::now();
        let wire = match signature {
            Signature::V1 => acs_rpc::sign_v1(&rpc, &creds, &ctx),
            Signature::V3 => acs_rpc::sign_v3(&rpc, &creds, &ctx),
        };
        let mut builder = http::Request::builder()
            .method(wire.method.as_str())
            .uri(&wire.path_and_query);
        if wire.header("host").is_none() {
            builder = builder.header("host", meta.endpoint);
        }
        for (name, value) in &wire.headers {
            builder = builder.header(name, value);
        }
        let request = builder.body(Body::from(wire.body.clone())).unwrap();
        let response = self.router.clone().oneshot(request).await.unwrap();
        let (parts, body) = response.into_parts();
        let header = |name: &str| {
            parts
                .headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        let status = parts.status.as_u16();
        let request_id_header = header("x-acs-request-id");
        let content_type = header("content-type");
        let bytes = body.collect().await.unwrap().to_bytes();
        Reply {
            status,
            request_id_header,
            content_type,
            body: String::from_utf8(bytes.to_vec()).unwrap(),
        }
    }
}

/// Builds flat parameters from `(name, value)` pairs.
pub fn params(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
        .collect()
}
