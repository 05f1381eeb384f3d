//! A fixed AccessKey, or a fixed STS token someone obtained by hand.

use super::{Credentials, CredentialsError, ProvideCredentials, ProvideFuture, Secret};

/// Hands out the same credentials every time, named `static_ak` or `static_sts` as the official
/// libraries name them.
#[derive(Debug, Clone)]
pub struct StaticProvider {
    credentials: Credentials,
}

impl StaticProvider {
    /// A long-lived AccessKey pair; both halves must be non-empty.
    pub fn access_key(
        access_key_id: impl Into<String>,
        access_key_secret: impl Into<Secret>,
    ) -> Result<Self, CredentialsError> {
        let credentials = Credentials::new(access_key_id, access_key_secret);
        check(&credentials, "static_ak")?;
        Ok(Self {
            credentials: credentials.with_provider_name("static_ak"),
        })
    }

    /// A temporary AccessKey with its security token; all three must be non-empty.
    pub fn sts(
        access_key_id: impl Into<String>,
        access_key_secret: impl Into<Secret>,
        security_token: impl Into<Secret>,
    ) -> Result<Self, CredentialsError> {
        let credentials =
            Credentials::new(access_key_id, access_key_secret).with_security_token(security_token);
        check(&credentials, "static_sts")?;
        if credentials
            .security_token
            .as_ref()
            .is_none_or(|t| t.expose().is_empty())
        {
            return Err(invalid("static_sts", "the security token is empty"));
        }
        Ok(Self {
            credentials: credentials.with_provider_name("static_sts"),
        })
    }
}

fn invalid(provider: &'static str, reason: &str) -> CredentialsError {
    CredentialsError::InvalidConfig {
        provider,
        reason: reason.to_owned(),
    }
}

fn check(credentials: &Credentials, provider: &'static str) -> Result<(), CredentialsError> {
    if credentials.access_key_id.is_empty() {
        return Err(invalid(provider, "the access key id is empty"));
    }
    if credentials.access_key_secret.expose().is_empty() {
        return Err(invalid(provider, "the access key secret is empty"));
    }
    Ok(())
}

impl ProvideCredentials for StaticProvider {
    fn provide_credentials(&self) -> ProvideFuture<'_> {
        self.credentials.provide_credentials()
    }
}
