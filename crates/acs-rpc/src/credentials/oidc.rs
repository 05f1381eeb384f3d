//! A RAM role assumed with an OIDC token, as pods on Container Service do with RRSA.

use std::fmt;
use std::path::PathBuf;

use super::ram_role_arn::check_duration;
use super::sts::{AssumeRoleWithOidc, StsClient, StsEndpoint};
use super::{
    CredentialsError, ENV_OIDC_PROVIDER_ARN, ENV_OIDC_TOKEN_FILE, ENV_ROLE_ARN,
    ENV_ROLE_SESSION_NAME, Env, ProvideCredentials, ProvideFuture, Secret, SharedHttpClient,
    default_session_name,
};

/// Calls STS `AssumeRoleWithOIDC`, reading the token file anew at every refresh because the
/// cluster rotates the token in place.
pub struct OidcRoleArnProvider {
    role_arn: String,
    oidc_provider_arn: String,
    token_file: PathBuf,
    role_session_name: String,
    duration_seconds: u32,
    policy: Option<String>,
    sts: StsClient,
}

impl fmt::Debug for OidcRoleArnProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OidcRoleArnProvider")
            .field("role_arn", &self.role_arn)
            .field("oidc_provider_arn", &self.oidc_provider_arn)
            .field("token_file", &self.token_file)
            .field("sts", &self.sts)
            .finish_non_exhaustive()
    }
}

/// Configures an [`OidcRoleArnProvider`]; unset values come from `ALIBABA_CLOUD_ROLE_ARN`,
/// `ALIBABA_CLOUD_OIDC_PROVIDER_ARN`, `ALIBABA_CLOUD_OIDC_TOKEN_FILE` and
/// `ALIBABA_CLOUD_ROLE_SESSION_NAME`.
#[derive(Debug)]
pub struct OidcRoleArnProviderBuilder {
    http: SharedHttpClient,
    env: Env,
    role_arn: Option<String>,
    oidc_provider_arn: Option<String>,
    token_file: Option<PathBuf>,
    role_session_name: Option<String>,
    duration_seconds: Option<u32>,
    policy: Option<String>,
    endpoint: StsEndpoint,
}

impl OidcRoleArnProvider {
    /// Starts a provider over `http`.
    pub fn builder(http: SharedHttpClient) -> OidcRoleArnProviderBuilder {
        OidcRoleArnProviderBuilder {
            http,
            env: Env::process(),
            role_arn: None,
            oidc_provider_arn: None,
            token_file: None,
            role_session_name: None,
            duration_seconds: None,
            policy: None,
            endpoint: StsEndpoint::default(),
        }
    }
}

impl OidcRoleArnProviderBuilder {
    /// Reads defaults from this environment instead of the process's.
    #[must_use]
    pub fn env(mut self, env: Env) -> Self {
        self.env = env;
        self
    }

    /// The role to assume.
    #[must_use]
    pub fn role_arn(mut self, arn: impl Into<String>) -> Self {
        self.role_arn = Some(arn.into());
        self
    }

    /// The identity provider the role trusts.
    #[must_use]
    pub fn oidc_provider_arn(mut self, arn: impl Into<String>) -> Self {
        self.oidc_provider_arn = Some(arn.into());
        self
    }

    /// The file holding the OIDC token.
    #[must_use]
    pub fn oidc_token_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.token_file = Some(path.into());
        self
    }

    /// The session name.
    #[must_use]
    pub fn role_session_name(mut self, name: impl Into<String>) -> Self {
        self.role_session_name = Some(name.into());
        self
    }

    /// The lifetime of the credentials in seconds (default 3600, at least 900).
    #[must_use]
    pub fn duration_seconds(mut self, seconds: u32) -> Self {
        self.duration_seconds = Some(seconds);
        self
    }

    /// A policy narrowing the role's permissions.
    #[must_use]
    pub fn policy(mut self, policy: impl Into<String>) -> Self {
        self.policy = Some(policy.into());
        self
    }

    /// Where STS is.
    #[must_use]
    pub fn sts_endpoint(mut self, endpoint: StsEndpoint) -> Self {
        self.endpoint = endpoint;
        self
    }

    /// Checks the settings and builds the provider.
    pub fn build(self) -> Result<OidcRoleArnProvider, CredentialsError> {
        let env = &self.env;
        let required = |given: Option<String>, variable: &'static str, what: &str| {
            given
                .filter(|v| !v.is_empty())
                .or_else(|| env.var(variable))
                .ok_or_else(|| CredentialsError::InvalidConfig {
                    provider: "oidc_role_arn",
                    reason: format!("no {what} given and {variable} is not set"),
                })
        };
        let duration_seconds = check_duration("oidc_role_arn", self.duration_seconds)?;
        let role_arn = required(self.role_arn, ENV_ROLE_ARN, "role ARN")?;
        let oidc_provider_arn = required(
            self.oidc_provider_arn,
            ENV_OIDC_PROVIDER_ARN,
            "OIDC provider ARN",
        )?;
        let token_file = required(
            self.token_file.map(|p| p.to_string_lossy().into_owned()),
            ENV_OIDC_TOKEN_FILE,
            "OIDC token file",
        )?;
        let role_session_name = self
            .role_session_name
            .filter(|n| !n.is_empty())
            .or_else(|| env.var(ENV_ROLE_SESSION_NAME))
            .unwrap_or_else(default_session_name);
        Ok(OidcRoleArnProvider {
            sts: StsClient::new(self.http, &self.endpoint, env),
            role_arn,
            oidc_provider_arn,
            token_file: PathBuf::from(token_file),
            role_session_name,
            duration_seconds,
            policy: self.policy,
        })
    }
}

impl ProvideCredentials for OidcRoleArnProvider {
    fn provide_credentials(&self) -> ProvideFuture<'_> {
        Box::pin(async move {
            let token = std::fs::read_to_string(&self.token_file).map_err(|e| {
                CredentialsError::ConfigUnreadable {
                    path: self.token_file.clone(),
                    reason: e.to_string(),
                }
            })?;
            let request = AssumeRoleWithOidc {
                role_arn: self.role_arn.clone(),
                oidc_provider_arn: self.oidc_provider_arn.clone(),
                oidc_token: Secret::new(token),
                role_session_name: self.role_session_name.clone(),
                duration_seconds: self.duration_seconds,
                policy: self.policy.clone(),
            };
            let assumed = self.sts.assume_role_with_oidc(&request).await?;
            Ok(assumed.credentials.with_provider_name("oidc_role_arn"))
        })
    }
}
