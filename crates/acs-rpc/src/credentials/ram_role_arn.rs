//! A RAM role assumed with credentials from another provider: the usual way one pipeline works
//! in several accounts of a multi-account network.

use std::fmt;

use super::sts::{
    AssumeRole, DEFAULT_DURATION_SECONDS, MIN_DURATION_SECONDS, StsClient, StsEndpoint,
};
use super::{
    CredentialsError, ENV_ROLE_ARN, ENV_ROLE_SESSION_NAME, Env, ProvideCredentials, ProvideFuture,
    SharedCredentialsProvider, SharedHttpClient, default_session_name,
};

/// Calls STS `AssumeRole` with the source provider's credentials at every refresh.
pub struct RamRoleArnProvider {
    source: SharedCredentialsProvider,
    request: AssumeRole,
    sts: StsClient,
}

impl fmt::Debug for RamRoleArnProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RamRoleArnProvider")
            .field("source", &self.source)
            .field("role_arn", &self.request.role_arn)
            .field("role_session_name", &self.request.role_session_name)
            .field("duration_seconds", &self.request.duration_seconds)
            .field("sts", &self.sts)
            .finish_non_exhaustive()
    }
}

/// Configures a [`RamRoleArnProvider`]; unset values come from the environment, then the
/// official defaults (3600 seconds, a generated session name, `sts.aliyuncs.com`).
#[derive(Debug)]
pub struct RamRoleArnProviderBuilder {
    source: SharedCredentialsProvider,
    http: SharedHttpClient,
    env: Env,
    role_arn: Option<String>,
    role_session_name: Option<String>,
    duration_seconds: Option<u32>,
    policy: Option<String>,
    external_id: Option<String>,
    endpoint: StsEndpoint,
}

impl RamRoleArnProvider {
    /// Starts a provider assuming a role with `source`'s credentials, over `http`.
    pub fn builder(
        source: SharedCredentialsProvider,
        http: SharedHttpClient,
    ) -> RamRoleArnProviderBuilder {
        RamRoleArnProviderBuilder {
            source,
            http,
            env: Env::process(),
            role_arn: None,
            role_session_name: None,
            duration_seconds: None,
            policy: None,
            external_id: None,
            endpoint: StsEndpoint::default(),
        }
    }
}

impl RamRoleArnProviderBuilder {
    /// Reads defaults from this environment instead of the process's.
    #[must_use]
    pub fn env(mut self, env: Env) -> Self {
        self.env = env;
        self
    }

    /// The role to assume (default `ALIBABA_CLOUD_ROLE_ARN`).
    #[must_use]
    pub fn role_arn(mut self, arn: impl Into<String>) -> Self {
        self.role_arn = Some(arn.into());
        self
    }

    /// The session name (default `ALIBABA_CLOUD_ROLE_SESSION_NAME`, else generated).
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

    /// The external id the role's trust policy requires.
    #[must_use]
    pub fn external_id(mut self, id: impl Into<String>) -> Self {
        self.external_id = Some(id.into());
        self
    }

    /// Where STS is: an explicit endpoint, a region, the VPC endpoint.
    #[must_use]
    pub fn sts_endpoint(mut self, endpoint: StsEndpoint) -> Self {
        self.endpoint = endpoint;
        self
    }

    /// Checks the settings and builds the provider.
    pub fn build(self) -> Result<RamRoleArnProvider, CredentialsError> {
        let role_arn = self
            .role_arn
            .filter(|a| !a.is_empty())
            .or_else(|| self.env.var(ENV_ROLE_ARN))
            .ok_or_else(|| CredentialsError::InvalidConfig {
                provider: "ram_role_arn",
                reason: format!("no role ARN given and {ENV_ROLE_ARN} is not set"),
            })?;
        let duration_seconds = check_duration("ram_role_arn", self.duration_seconds)?;
        let role_session_name = self
            .role_session_name
            .filter(|n| !n.is_empty())
            .or_else(|| self.env.var(ENV_ROLE_SESSION_NAME))
            .unwrap_or_else(default_session_name);
        Ok(RamRoleArnProvider {
            source: self.source,
            request: AssumeRole {
                role_arn,
                role_session_name,
                duration_seconds,
                policy: self.policy,
                external_id: self.external_id,
            },
            sts: StsClient::new(self.http, &self.endpoint, &self.env),
        })
    }
}

/// The lifetime to ask for: the default when unset, refused below STS's minimum.
pub(crate) fn check_duration(
    provider: &'static str,
    seconds: Option<u32>,
) -> Result<u32, CredentialsError> {
    let seconds = seconds.unwrap_or(DEFAULT_DURATION_SECONDS);
    if seconds < MIN_DURATION_SECONDS {
        return Err(CredentialsError::InvalidConfig {
            provider,
            reason: format!(
                "session duration should be in the range of {MIN_DURATION_SECONDS}s - max session duration"
            ),
        });
    }
    Ok(seconds)
}

impl RamRoleArnProvider {
    /// The STS client, for callers that also want `GetCallerIdentity`.
    pub fn sts(&self) -> &StsClient {
        &self.sts
    }
}

impl ProvideCredentials for RamRoleArnProvider {
    fn provide_credentials(&self) -> ProvideFuture<'_> {
        Box::pin(async move {
            let caller = self.source.provide_credentials().await?;
            let assumed = self.sts.assume_role(&caller, &self.request).await?;
            let name = format!(
                "ram_role_arn/{}",
                caller.provider_name.as_deref().unwrap_or("static_ak")
            );
            Ok(assumed.credentials.with_provider_name(name))
        })
    }
}
