//! The profiles of the shared credentials file, `~/.alibabacloud/credentials` (INI), with types
//! `access_key`, `ecs_ram_role`, `ram_role_arn` and `oidc_role_arn`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use super::{
    CredentialsError, ENV_CREDENTIALS_FILE, ENV_PROFILE, EcsRamRoleProvider, Env,
    OidcRoleArnProvider, ProvideCredentials, ProvideFuture, RamRoleArnProvider,
    SharedCredentialsProvider, SharedHttpClient, StaticProvider,
};

const PROVIDER: &str = "profile";

/// Reads a section of the credentials file on first use and delegates to the provider its
/// `type` describes.
///
/// The file is `ALIBABA_CLOUD_CREDENTIALS_FILE`, else `~/.alibabacloud/credentials` (Go's
/// name), else `~/.alibabacloud/credentials.ini` (Python's); the section is the profile given,
/// else `ALIBABA_CLOUD_PROFILE`, else `default`.
#[derive(Debug)]
pub struct ProfileFileProvider {
    path: Option<PathBuf>,
    profile: String,
    env: Env,
    http: SharedHttpClient,
    inner: Mutex<Option<SharedCredentialsProvider>>,
}

impl ProfileFileProvider {
    /// The provider of the file and profile `env` names.
    pub fn new(env: Env, http: SharedHttpClient) -> Self {
        let path = env
            .var(ENV_CREDENTIALS_FILE)
            .map(PathBuf::from)
            .or_else(|| {
                let dir = env.home()?.join(".alibabacloud");
                let go = dir.join("credentials");
                Some(if go.is_file() {
                    go
                } else {
                    dir.join("credentials.ini")
                })
            });
        Self {
            path,
            profile: env.var(ENV_PROFILE).unwrap_or_else(|| "default".to_owned()),
            env,
            http,
            inner: Mutex::new(None),
        }
    }

    /// Reads another file.
    #[must_use]
    pub fn path(mut self, path: impl Into<PathBuf>) -> Self {
        self.path = Some(path.into());
        self
    }

    /// Uses this section.
    #[must_use]
    pub fn profile(mut self, name: impl Into<String>) -> Self {
        self.profile = name.into();
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
                reason: "no home directory to find .alibabacloud/credentials in".to_owned(),
            });
        };
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(CredentialsError::ConfigNotFound { path: path.clone() });
            }
            Err(e) => {
                return Err(CredentialsError::ConfigUnreadable {
                    path: path.clone(),
                    reason: e.to_string(),
                });
            }
        };
        let sections = parse_ini(&text);
        let section =
            sections
                .get(&self.profile)
                .ok_or_else(|| CredentialsError::ProfileNotFound {
                    profile: self.profile.clone(),
                    path: path.clone(),
                })?;
        self.provider(path, section)
    }

    fn provider(
        &self,
        path: &Path,
        section: &HashMap<String, String>,
    ) -> Result<SharedCredentialsProvider, CredentialsError> {
        let kind = section.get("type").map(String::as_str).unwrap_or_default();
        let optional = |key: &str| section.get(key).filter(|v| !v.is_empty()).cloned();
        let required = |key: &'static str| {
            optional(key).ok_or_else(|| CredentialsError::MissingField {
                profile: self.profile.clone(),
                path: path.to_path_buf(),
                mode: kind.to_owned(),
                field: key,
            })
        };
        Ok(match kind {
            "access_key" => Arc::new(StaticProvider::access_key(
                required("access_key_id")?,
                required("access_key_secret")?,
            )?),
            "ram_role_arn" => {
                let source = Arc::new(StaticProvider::access_key(
                    required("access_key_id")?,
                    required("access_key_secret")?,
                )?);
                let mut builder =
                    RamRoleArnProvider::builder(source, self.http.clone()).env(self.env.clone());
                if let Some(arn) = optional("role_arn") {
                    builder = builder.role_arn(arn);
                }
                if let Some(name) = optional("role_session_name") {
                    builder = builder.role_session_name(name);
                }
                if let Some(policy) = optional("policy") {
                    builder = builder.policy(policy);
                }
                Arc::new(builder.build()?)
            }
            "oidc_role_arn" => {
                let mut builder =
                    OidcRoleArnProvider::builder(self.http.clone()).env(self.env.clone());
                if let Some(arn) = optional("role_arn") {
                    builder = builder.role_arn(arn);
                }
                if let Some(arn) = optional("oidc_provider_arn") {
                    builder = builder.oidc_provider_arn(arn);
                }
                if let Some(file) = optional("oidc_token_file_path") {
                    builder = builder.oidc_token_file(file);
                }
                if let Some(name) = optional("role_session_name") {
                    builder = builder.role_session_name(name);
                }
                if let Some(policy) = optional("policy") {
                    builder = builder.policy(policy);
                }
                Arc::new(builder.build()?)
            }
            "ecs_ram_role" => {
                let mut builder =
                    EcsRamRoleProvider::builder(self.http.clone()).env(self.env.clone());
                if let Some(role) = optional("role_name") {
                    builder = builder.role_name(role);
                }
                Arc::new(builder.build()?)
            }
            other => {
                return Err(CredentialsError::UnsupportedMode {
                    profile: self.profile.clone(),
                    path: path.to_path_buf(),
                    mode: other.to_owned(),
                });
            }
        })
    }
}

/// Parses the INI dialect the official libraries read (Python's `configparser`, Go's `ini`):
/// `[section]` headers, `key = value` or `key: value`, keys in lower case, whole-line comments
/// with `#` or `;`, anything after a `#` in a value dropped, `[DEFAULT]` inherited by every
/// section.
pub(crate) fn parse_ini(text: &str) -> HashMap<String, HashMap<String, String>> {
    let mut sections: HashMap<String, HashMap<String, String>> = HashMap::new();
    let mut defaults: HashMap<String, String> = HashMap::new();
    let mut current: Option<String> = None;
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            let name = name.trim().to_owned();
            if name != "DEFAULT" {
                sections.entry(name.clone()).or_default();
            }
            current = Some(name);
            continue;
        }
        let Some(split) = line.find(['=', ':']) else {
            continue;
        };
        let key = line[..split].trim().to_ascii_lowercase();
        let value = &line[split + 1..];
        let value = value
            .split('#')
            .next()
            .unwrap_or_default()
            .trim()
            .to_owned();
        match current.as_deref() {
            Some("DEFAULT") => {
                defaults.insert(key, value);
            }
            Some(section) => {
                sections
                    .entry(section.to_owned())
                    .or_default()
                    .insert(key, value);
            }
            None => {}
        }
    }
    for section in sections.values_mut() {
        for (key, value) in &defaults {
            section.entry(key.clone()).or_insert_with(|| value.clone());
        }
    }
    sections
}

impl ProvideCredentials for ProfileFileProvider {
    fn provide_credentials(&self) -> ProvideFuture<'_> {
        Box::pin(async move {
            let inner = self.inner()?;
            Ok(inner.provide_credentials().await?.named_under(PROVIDER))
        })
    }
}
