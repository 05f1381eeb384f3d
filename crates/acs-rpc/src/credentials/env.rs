//! The AccessKey in the environment, the first source of every official chain.

use super::{
    Credentials, CredentialsError, ENV_ACCESS_KEY_ID, ENV_ACCESS_KEY_SECRET, ENV_SECURITY_TOKEN,
    Env, ProvideCredentials, ProvideFuture,
};

/// Reads `ALIBABA_CLOUD_ACCESS_KEY_ID`, `ALIBABA_CLOUD_ACCESS_KEY_SECRET` and the optional
/// `ALIBABA_CLOUD_SECURITY_TOKEN` when asked, so a changed variable is seen by the next call.
#[derive(Debug, Clone)]
pub struct EnvironmentProvider {
    env: Env,
}

impl EnvironmentProvider {
    /// The provider reading this environment.
    pub fn new(env: Env) -> Self {
        Self { env }
    }
}

impl ProvideCredentials for EnvironmentProvider {
    fn provide_credentials(&self) -> ProvideFuture<'_> {
        let result = from_env(&self.env).and_then(|found| {
            found
                .map(|c| c.with_provider_name("env"))
                .ok_or(CredentialsError::EnvironmentNotSet)
        });
        Box::pin(std::future::ready(result))
    }
}

/// The AccessKey of `env`, `None` when neither variable is set, an error for half a pair.
pub(crate) fn from_env(env: &Env) -> Result<Option<Credentials>, CredentialsError> {
    let creds = match (env.var(ENV_ACCESS_KEY_ID), env.var(ENV_ACCESS_KEY_SECRET)) {
        (None, None) => return Ok(None),
        (Some(_), None) => {
            return Err(CredentialsError::IncompleteEnvironment {
                present: ENV_ACCESS_KEY_ID,
                missing: ENV_ACCESS_KEY_SECRET,
            });
        }
        (None, Some(_)) => {
            return Err(CredentialsError::IncompleteEnvironment {
                present: ENV_ACCESS_KEY_SECRET,
                missing: ENV_ACCESS_KEY_ID,
            });
        }
        (Some(id), Some(secret)) => Credentials::new(id, secret),
    };
    Ok(Some(match env.var(ENV_SECURITY_TOKEN) {
        Some(token) => creds.with_security_token(token),
        None => creds,
    }))
}
