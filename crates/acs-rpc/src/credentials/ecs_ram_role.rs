//! The RAM role of an ECS instance, from the instance metadata service.
//!
//! As the official libraries do: a session token is asked for first (IMDSv2, `PUT
//! /latest/api/token`); when that fails and IMDSv1 is not disabled, requests go without it. The
//! role name is given, or `ALIBABA_CLOUD_ECS_METADATA`, or discovered from
//! `/latest/meta-data/ram/security-credentials/`.

use std::time::Duration;

use serde_json::Value;

use super::sts::credentials_from_json;
use super::{
    CredentialsError, ENV_ECS_METADATA, ENV_ECS_METADATA_DISABLED, ENV_IMDSV1_DISABLED, Env,
    HttpRequest, ProvideCredentials, ProvideFuture, SharedHttpClient,
};

/// The metadata service every ECS instance reaches.
pub const DEFAULT_METADATA_ENDPOINT: &str = "http://100.100.100.200";
const CREDENTIALS_PATH: &str = "/latest/meta-data/ram/security-credentials/";
const TOKEN_PATH: &str = "/latest/api/token";
/// The lifetime of a metadata session token the official libraries ask for (6 hours).
const TOKEN_TTL_SECONDS: &str = "21600";
/// The metadata service answers at once or is not there (1 s connect and 1 s read).
const METADATA_TIMEOUT: Duration = Duration::from_secs(2);
const PROVIDER: &str = "ecs_ram_role";

/// Fetches the instance role's temporary credentials from the metadata service.
#[derive(Debug)]
pub struct EcsRamRoleProvider {
    http: SharedHttpClient,
    endpoint: String,
    role_name: Option<String>,
    imds_v1_disabled: bool,
}

/// Configures an [`EcsRamRoleProvider`].
#[derive(Debug)]
pub struct EcsRamRoleProviderBuilder {
    http: SharedHttpClient,
    env: Env,
    endpoint: Option<String>,
    role_name: Option<String>,
    imds_v1_disabled: Option<bool>,
}

impl EcsRamRoleProvider {
    /// Starts a provider over `http`.
    pub fn builder(http: SharedHttpClient) -> EcsRamRoleProviderBuilder {
        EcsRamRoleProviderBuilder {
            http,
            env: Env::process(),
            endpoint: None,
            role_name: None,
            imds_v1_disabled: None,
        }
    }
}

impl EcsRamRoleProviderBuilder {
    /// Reads defaults from this environment instead of the process's.
    #[must_use]
    pub fn env(mut self, env: Env) -> Self {
        self.env = env;
        self
    }

    /// The role name (default `ALIBABA_CLOUD_ECS_METADATA`, else discovered).
    #[must_use]
    pub fn role_name(mut self, name: impl Into<String>) -> Self {
        self.role_name = Some(name.into());
        self
    }

    /// Another metadata service base URL, for tests (default `http://100.100.100.200`).
    #[must_use]
    pub fn endpoint(mut self, url: impl Into<String>) -> Self {
        self.endpoint = Some(url.into());
        self
    }

    /// Refuses to fall back to requests without a session token (default
    /// `ALIBABA_CLOUD_IMDSV1_DISABLED`).
    #[must_use]
    pub fn imds_v1_disabled(mut self, disabled: bool) -> Self {
        self.imds_v1_disabled = Some(disabled);
        self
    }

    /// Builds the provider, refused when `ALIBABA_CLOUD_ECS_METADATA_DISABLED=true`.
    pub fn build(self) -> Result<EcsRamRoleProvider, CredentialsError> {
        if self.env.is_true(ENV_ECS_METADATA_DISABLED) {
            return Err(CredentialsError::Disabled {
                provider: PROVIDER,
                variable: ENV_ECS_METADATA_DISABLED,
            });
        }
        Ok(EcsRamRoleProvider {
            role_name: self
                .role_name
                .filter(|n| !n.is_empty())
                .or_else(|| self.env.var(ENV_ECS_METADATA)),
            imds_v1_disabled: self
                .imds_v1_disabled
                .unwrap_or_else(|| self.env.is_true(ENV_IMDSV1_DISABLED)),
            endpoint: self
                .endpoint
                .unwrap_or_else(|| DEFAULT_METADATA_ENDPOINT.to_owned())
                .trim_end_matches('/')
                .to_owned(),
            http: self.http,
        })
    }
}

fn fetch_error(reason: String) -> CredentialsError {
    CredentialsError::Fetch {
        provider: PROVIDER,
        reason,
    }
}

impl EcsRamRoleProvider {
    /// A session token, or `None` when the service gives none and IMDSv1 may be used.
    async fn session_token(&self) -> Result<Option<String>, CredentialsError> {
        let mut request = HttpRequest::new("PUT", format!("{}{TOKEN_PATH}", self.endpoint));
        request.headers.push((
            "x-aliyun-ecs-metadata-token-ttl-seconds".to_owned(),
            TOKEN_TTL_SECONDS.to_owned(),
        ));
        request.timeout = Some(METADATA_TIMEOUT);
        let failure = match self.http.send(request).await {
            Ok(r) if r.status == 200 => {
                return Ok(Some(String::from_utf8_lossy(&r.body).into_owned()));
            }
            Ok(r) => format!("HTTP {}", r.status),
            Err(e) => e,
        };
        if self.imds_v1_disabled {
            Err(fetch_error(format!(
                "failed to get a token from the ECS metadata service ({failure}) and {ENV_IMDSV1_DISABLED} forbids going without"
            )))
        } else {
            Ok(None)
        }
    }

    async fn get(&self, path: &str, token: Option<&str>) -> Result<String, CredentialsError> {
        let mut request = HttpRequest::new("GET", format!("{}{path}", self.endpoint));
        if let Some(token) = token {
            request
                .headers
                .push(("x-aliyun-ecs-metadata-token".to_owned(), token.to_owned()));
        }
        request.timeout = Some(METADATA_TIMEOUT);
        let response = self.http.send(request).await.map_err(|e| {
            fetch_error(format!(
                "failed to get RAM session credentials from the ECS metadata service: {e}"
            ))
        })?;
        if response.status != 200 {
            return Err(fetch_error(format!(
                "failed to get RAM session credentials from the ECS metadata service: HTTP {}",
                response.status
            )));
        }
        Ok(String::from_utf8_lossy(&response.body).into_owned())
    }

    /// A metadata read with the session token, retried without it when IMDSv1 is allowed.
    async fn get_with_fallback(&self, path: &str) -> Result<String, CredentialsError> {
        let token = self.session_token().await?;
        match self.get(path, token.as_deref()).await {
            Err(_) if token.is_some() && !self.imds_v1_disabled => self.get(path, None).await,
            other => other,
        }
    }
}

impl ProvideCredentials for EcsRamRoleProvider {
    fn provide_credentials(&self) -> ProvideFuture<'_> {
        Box::pin(async move {
            let role = match &self.role_name {
                Some(role) => role.clone(),
                None => self
                    .get_with_fallback(CREDENTIALS_PATH)
                    .await?
                    .trim()
                    .to_owned(),
            };
            if role.is_empty() {
                return Err(fetch_error(
                    "the ECS metadata service names no RAM role for this instance".to_owned(),
                ));
            }
            let body = self
                .get_with_fallback(&format!("{CREDENTIALS_PATH}{role}"))
                .await?;
            let value: Value = serde_json::from_str(&body).map_err(|_| {
                fetch_error("the ECS metadata service answered a body that is not JSON".to_owned())
            })?;
            if value.get("Code").and_then(Value::as_str) != Some("Success") {
                return Err(fetch_error(
                    "the ECS metadata service did not answer Code Success".to_owned(),
                ));
            }
            let credentials = credentials_from_json(&value).map_err(|field| {
                fetch_error(format!("the ECS metadata service answered without {field}"))
            })?;
            Ok(credentials.with_provider_name(PROVIDER))
        })
    }
}
