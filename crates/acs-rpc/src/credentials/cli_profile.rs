//! The profiles of the aliyun CLI (`~/.aliyun/config.json`), in every mode the official
//! credentials libraries read: `AK`, `StsToken`, `RamRoleArn`, `EcsRamRole`, `OIDC` and
//! `ChainableRamRoleArn`.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use serde_json::Value;

use super::sts::StsEndpoint;
use super::{
    CredentialsError, ENV_CLI_PROFILE_DISABLED, ENV_PROFILE, EcsRamRoleProvider, Env,
    OidcRoleArnProvider, ProvideCredentials, ProvideFuture, RamRoleArnProvider,
    SharedCredentialsProvider, SharedHttpClient, StaticProvider,
};

const PROVIDER: &str = "cli_profile";

/// Reads a profile of the aliyun CLI's configuration on first use and delegates to the provider
/// its mode describes.
///
/// The profile is the one given, else `ALIBABA_CLOUD_PROFILE`, else the file's `current`. The
/// file is read once; a profile that assumes a role refreshes through STS like any other.
#[derive(Debug)]
pub struct CliProfileProvider {
    path: Option<PathBuf>,
    profile: Option<String>,
    env: Env,
    http: SharedHttpClient,
    inner: Mutex<Option<SharedCredentialsProvider>>,
}

impl CliProfileProvider {
    /// The provider of `~/.aliyun/config.json` under `env`'s home directory.
    pub fn new(env: Env, http: SharedHttpClient) -> Self {
        Self {
            path: env.home().map(|h| h.join(".aliyun").join("config.json")),
            profile: env.var(ENV_PROFILE),
            env,
            http,
            inner: Mutex::new(None),
        }
    }

    /// Reads another configuration file.
    #[must_use]
    pub fn path(mut self, path: impl Into<PathBuf>) -> Self {
        self.path = Some(path.into());
        self
    }

    /// Uses this profile instead of `ALIBABA_CLOUD_PROFILE` or `current`.
    #[must_use]
    pub fn profile(mut self, name: impl Into<String>) -> Self {
        self.profile = Some(name.into());
        self
    }

    fn inner(&self) -> Result<SharedCredentialsProvider, CredentialsError> {
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(provider) = &*inner {
            return Ok(provider.clone());
        }
        let provider = self.load()?;
        *inner = Some(provider.clone());
        Ok(provider)
    }

    fn load(&self) -> Result<SharedCredentialsProvider, CredentialsError> {
        let Some(path) = &self.path else {
            return Err(CredentialsError::InvalidConfig {
                provider: PROVIDER,
                reason: "no home directory to find .aliyun/config.json in".to_owned(),
            });
        };
        let config = read_json(path)?;
        let profile = self
            .profile
            .clone()
            .or_else(|| {
                config
                    .get("current")
                    .and_then(Value::as_str)
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned)
            })
            .ok_or_else(|| CredentialsError::ConfigInvalid {
                path: path.clone(),
                reason: format!("no profile named by {ENV_PROFILE} or \"current\""),
            })?;
        let loader = Loader {
            path,
            config: &config,
            env: &self.env,
            http: &self.http,
        };
        loader.provider(&profile, &mut Vec::new())
    }
}

fn read_json(path: &Path) -> Result<Value, CredentialsError> {
    let text = match std::fs::read(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(CredentialsError::ConfigNotFound {
                path: path.to_path_buf(),
            });
        }
        Err(e) => {
            return Err(CredentialsError::ConfigUnreadable {
                path: path.to_path_buf(),
                reason: e.to_string(),
            });
        }
    };
    // Parse into an untyped value: serde's typed errors quote offending values, and a misplaced
    // secret must not end up in an error message.
    serde_json::from_slice(&text).map_err(|e| CredentialsError::ConfigInvalid {
        path: path.to_path_buf(),
        reason: format!("not JSON (line {}, column {})", e.line(), e.column()),
    })
}

struct Loader<'a> {
    path: &'a Path,
    config: &'a Value,
    env: &'a Env,
    http: &'a SharedHttpClient,
}

/// One profile's fields, with errors naming the profile, the mode and the field.
struct Profile<'a> {
    entry: &'a Value,
    name: &'a str,
    mode: &'a str,
    path: &'a Path,
}

impl Profile<'_> {
    fn optional(&self, field: &str) -> Option<String> {
        self.entry
            .get(field)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    }

    fn required(&self, field: &'static str) -> Result<String, CredentialsError> {
        self.optional(field)
            .ok_or_else(|| CredentialsError::MissingField {
                profile: self.name.to_owned(),
                path: self.path.to_path_buf(),
                mode: self.mode.to_owned(),
                field,
            })
    }

    fn seconds(&self, field: &'static str) -> Result<Option<u32>, CredentialsError> {
        match self.entry.get(field) {
            None | Some(Value::Null) => Ok(None),
            Some(v) => v
                .as_u64()
                .and_then(|n| u32::try_from(n).ok())
                .map(Some)
                .ok_or_else(|| CredentialsError::MissingField {
                    profile: self.name.to_owned(),
                    path: self.path.to_path_buf(),
                    mode: self.mode.to_owned(),
                    field,
                }),
        }
    }

    fn sts_endpoint(&self) -> StsEndpoint {
        StsEndpoint {
            endpoint: None,
            region: self.optional("sts_region"),
            enable_vpc: self.entry.get("enable_vpc").and_then(Value::as_bool),
        }
    }
}

impl Loader<'_> {
    fn provider(
        &self,
        name: &str,
        visiting: &mut Vec<String>,
    ) -> Result<SharedCredentialsProvider, CredentialsError> {
        if visiting.iter().any(|v| v == name) {
            return Err(CredentialsError::ConfigInvalid {
                path: self.path.to_path_buf(),
                reason: format!("profile {name:?} is its own source_profile through {visiting:?}"),
            });
        }
        visiting.push(name.to_owned());
        let entry = self
            .config
            .get("profiles")
            .and_then(Value::as_array)
            .and_then(|profiles| {
                profiles
                    .iter()
                    .find(|p| p.get("name").and_then(Value::as_str) == Some(name))
            })
            .ok_or_else(|| CredentialsError::ProfileNotFound {
                profile: name.to_owned(),
                path: self.path.to_path_buf(),
            })?;
        let mode = entry
            .get("mode")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let p = Profile {
            entry,
            name,
            mode,
            path: self.path,
        };
        let provider: SharedCredentialsProvider = match mode {
            "AK" => Arc::new(StaticProvider::access_key(
                p.required("access_key_id")?,
                p.required("access_key_secret")?,
            )?),
            "StsToken" => Arc::new(StaticProvider::sts(
                p.required("access_key_id")?,
                p.required("access_key_secret")?,
                p.required("sts_token")?,
            )?),
            "RamRoleArn" | "ChainableRamRoleArn" => {
                let source: SharedCredentialsProvider = if mode == "RamRoleArn" {
                    Arc::new(StaticProvider::access_key(
                        p.required("access_key_id")?,
                        p.required("access_key_secret")?,
                    )?)
                } else {
                    self.provider(&p.required("source_profile")?, visiting)?
                };
                let mut builder = RamRoleArnProvider::builder(source, self.http.clone())
                    .env(self.env.clone())
                    .role_arn(p.required("ram_role_arn")?)
                    .sts_endpoint(p.sts_endpoint());
                if let Some(name) = p.optional("ram_session_name") {
                    builder = builder.role_session_name(name);
                }
                if let Some(seconds) = p.seconds("expired_seconds")? {
                    builder = builder.duration_seconds(seconds);
                }
                if let Some(policy) = p.optional("policy") {
                    builder = builder.policy(policy);
                }
                if let Some(id) = p.optional("external_id") {
                    builder = builder.external_id(id);
                }
                Arc::new(builder.build()?)
            }
            "EcsRamRole" => {
                let mut builder =
                    EcsRamRoleProvider::builder(self.http.clone()).env(self.env.clone());
                if let Some(role) = p.optional("ram_role_name") {
                    builder = builder.role_name(role);
                }
                Arc::new(builder.build()?)
            }
            "OIDC" => {
                let mut builder = OidcRoleArnProvider::builder(self.http.clone())
                    .env(self.env.clone())
                    .role_arn(p.required("ram_role_arn")?)
                    .oidc_provider_arn(p.required("oidc_provider_arn")?)
                    .oidc_token_file(p.required("oidc_token_file")?)
                    .sts_endpoint(p.sts_endpoint());
                if let Some(name) = p.optional("role_session_name") {
                    builder = builder.role_session_name(name);
                }
                if let Some(seconds) = p.seconds("expired_seconds")? {
                    builder = builder.duration_seconds(seconds);
                }
                if let Some(policy) = p.optional("policy") {
                    builder = builder.policy(policy);
                }
                Arc::new(builder.build()?)
            }
            other => {
                return Err(CredentialsError::UnsupportedMode {
                    profile: name.to_owned(),
                    path: self.path.to_path_buf(),
                    mode: other.to_owned(),
                });
            }
        };
        visiting.pop();
        Ok(provider)
    }
}

impl ProvideCredentials for CliProfileProvider {
    fn provide_credentials(&self) -> ProvideFuture<'_> {
        Box::pin(async move {
            if self.env.is_true(ENV_CLI_PROFILE_DISABLED) {
                return Err(CredentialsError::Disabled {
                    provider: PROVIDER,
                    variable: ENV_CLI_PROFILE_DISABLED,
                });
            }
            let inner = self.inner()?;
            Ok(inner.provide_credentials().await?.named_under(PROVIDER))
        })
    }
}
