//! The default chain of the official credentials libraries.

use std::sync::{Arc, Mutex};

use super::{
    CliProfileProvider, CredentialsError, ENV_CREDENTIALS_URI, ENV_ECS_METADATA_DISABLED,
    ENV_OIDC_PROVIDER_ARN, ENV_OIDC_TOKEN_FILE, ENV_ROLE_ARN, EcsRamRoleProvider, Env,
    EnvironmentProvider, OidcRoleArnProvider, ProfileFileProvider, ProvideCredentials,
    ProvideFuture, SharedCredentialsProvider, SharedHttpClient, UriProvider,
};

/// Tries, in the order of `alibabacloud-credentials`' `DefaultCredentialsProvider`:
///
/// 1. the environment (`ALIBABA_CLOUD_ACCESS_KEY_ID`, `..._SECRET`, `..._SECURITY_TOKEN`);
/// 2. OIDC, when `ALIBABA_CLOUD_ROLE_ARN`, `ALIBABA_CLOUD_OIDC_PROVIDER_ARN` and
///    `ALIBABA_CLOUD_OIDC_TOKEN_FILE` are all set;
/// 3. the aliyun CLI's `~/.aliyun/config.json` (unless `ALIBABA_CLOUD_CLI_PROFILE_DISABLED`);
/// 4. the credentials file `~/.alibabacloud/credentials`;
/// 5. the ECS metadata service (unless `ALIBABA_CLOUD_ECS_METADATA_DISABLED=true`);
/// 6. `ALIBABA_CLOUD_CREDENTIALS_URI`, when set.
///
/// A source that fails, whether unconfigured or broken, passes to the next, as in the official
/// libraries; when all fail, the error lists each with its reason. The source that answered is
/// remembered and asked directly from then on, so refreshes never jump to another account.
#[derive(Debug)]
pub struct DefaultChain {
    providers: Vec<(&'static str, SharedCredentialsProvider)>,
    last_used: Mutex<Option<usize>>,
}

impl DefaultChain {
    /// The chain for the process environment.
    pub fn new(http: SharedHttpClient) -> Self {
        Self::with_env(Env::process(), http)
    }

    /// The chain for `env`, whose variables are read now and whose files are read when first
    /// asked.
    pub fn with_env(env: Env, http: SharedHttpClient) -> Self {
        let mut providers: Vec<(&'static str, SharedCredentialsProvider)> = vec![(
            "EnvironmentVariableCredentialsProvider",
            Arc::new(EnvironmentProvider::new(env.clone())),
        )];
        let oidc_configured = [ENV_ROLE_ARN, ENV_OIDC_PROVIDER_ARN, ENV_OIDC_TOKEN_FILE]
            .iter()
            .all(|v| env.var(v).is_some());
        if oidc_configured {
            providers.push((
                "OIDCRoleArnCredentialsProvider",
                match OidcRoleArnProvider::builder(http.clone())
                    .env(env.clone())
                    .build()
                {
                    Ok(p) => Arc::new(p),
                    Err(e) => Arc::new(Broken(e)),
                },
            ));
        }
        providers.push((
            "CLIProfileCredentialsProvider",
            Arc::new(CliProfileProvider::new(env.clone(), http.clone())),
        ));
        providers.push((
            "ProfileCredentialsProvider",
            Arc::new(ProfileFileProvider::new(env.clone(), http.clone())),
        ));
        if !env.is_true(ENV_ECS_METADATA_DISABLED) {
            providers.push((
                "EcsRamRoleCredentialsProvider",
                match EcsRamRoleProvider::builder(http.clone())
                    .env(env.clone())
                    .build()
                {
                    Ok(p) => Arc::new(p),
                    Err(e) => Arc::new(Broken(e)),
                },
            ));
        }
        if env.var(ENV_CREDENTIALS_URI).is_some() {
            providers.push((
                "URLCredentialsProvider",
                match UriProvider::from_env(http, &env) {
                    Ok(p) => Arc::new(p),
                    Err(e) => Arc::new(Broken(e)),
                },
            ));
        }
        Self {
            providers,
            last_used: Mutex::new(None),
        }
    }

    /// The sources, by the official libraries' class names, in the order they are tried.
    pub fn sources(&self) -> Vec<&'static str> {
        self.providers.iter().map(|(name, _)| *name).collect()
    }
}

/// A source whose configuration was refused when the chain was built; it fails with that error.
#[derive(Debug)]
struct Broken(CredentialsError);

impl ProvideCredentials for Broken {
    fn provide_credentials(&self) -> ProvideFuture<'_> {
        Box::pin(std::future::ready(Err(self.0.clone())))
    }
}

impl ProvideCredentials for DefaultChain {
    fn provide_credentials(&self) -> ProvideFuture<'_> {
        Box::pin(async move {
            let last = *self.last_used.lock().unwrap_or_else(|e| e.into_inner());
            if let Some(index) = last {
                let credentials = self.providers[index].1.provide_credentials().await?;
                return Ok(credentials.named_under("default"));
            }
            let mut tried = Vec::with_capacity(self.providers.len());
            for (index, (name, provider)) in self.providers.iter().enumerate() {
                match provider.provide_credentials().await {
                    Ok(credentials) => {
                        *self.last_used.lock().unwrap_or_else(|e| e.into_inner()) = Some(index);
                        return Ok(credentials.named_under("default"));
                    }
                    Err(error) => tried.push(format!("{name}: {error}")),
                }
            }
            Err(CredentialsError::NotFound { tried })
        })
    }
}
