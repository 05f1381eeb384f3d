//! Credentials answered by a URL (`ALIBABA_CLOUD_CREDENTIALS_URI`), for sidecars and local
//! credential servers.

use serde_json::Value;

use super::sts::credentials_from_json;
use super::{
    CredentialsError, ENV_CREDENTIALS_URI, Env, HttpRequest, ProvideCredentials, ProvideFuture,
    SharedHttpClient,
};

const PROVIDER: &str = "credential_uri";

/// GETs the URL, which answers `{"Code": "Success", "AccessKeyId", "AccessKeySecret",
/// "SecurityToken", "Expiration"}`.
#[derive(Debug)]
pub struct UriProvider {
    http: SharedHttpClient,
    uri: String,
}

impl UriProvider {
    /// A provider reading `uri`.
    pub fn new(http: SharedHttpClient, uri: impl Into<String>) -> Result<Self, CredentialsError> {
        let uri = uri.into();
        if uri.is_empty() {
            return Err(CredentialsError::InvalidConfig {
                provider: PROVIDER,
                reason: format!("no URI given and {ENV_CREDENTIALS_URI} is not set"),
            });
        }
        Ok(Self { http, uri })
    }

    /// A provider reading `ALIBABA_CLOUD_CREDENTIALS_URI`.
    pub fn from_env(http: SharedHttpClient, env: &Env) -> Result<Self, CredentialsError> {
        Self::new(http, env.var(ENV_CREDENTIALS_URI).unwrap_or_default())
    }

    /// The URL without its query, which may hold a token.
    fn shown(&self) -> &str {
        self.uri.split(['?', '#']).next().unwrap_or_default()
    }
}

impl ProvideCredentials for UriProvider {
    fn provide_credentials(&self) -> ProvideFuture<'_> {
        Box::pin(async move {
            let fail = |reason: String| CredentialsError::Fetch {
                provider: PROVIDER,
                reason,
            };
            let response = self
                .http
                .send(HttpRequest::new("GET", self.uri.clone()))
                .await
                .map_err(|e| fail(format!("cannot reach {}: {e}", self.shown())))?;
            if response.status != 200 {
                return Err(fail(format!(
                    "{} answered HTTP {}",
                    self.shown(),
                    response.status
                )));
            }
            let value: Value = serde_json::from_slice(&response.body)
                .map_err(|_| fail(format!("{} answered a body that is not JSON", self.shown())))?;
            if value.get("Code").and_then(Value::as_str) != Some("Success") {
                return Err(fail(format!(
                    "{} did not answer Code Success",
                    self.shown()
                )));
            }
            let credentials = credentials_from_json(&value)
                .map_err(|field| fail(format!("{} answered without {field}", self.shown())))?;
            Ok(credentials.with_provider_name(PROVIDER))
        })
    }
}
