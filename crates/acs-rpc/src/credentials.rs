//! Access keys and where to find them.
//!
//! Secrets live in [`Secret`], whose `Debug` prints `***`, so logging a request, a client or an
//! error can never leak them. Lookups of the environment and the home directory go through
//! internal functions that take them as arguments, so tests never mutate the process environment.

use std::fmt;
use std::path::{Path, PathBuf};

use serde_json::Value;
use subtle::ConstantTimeEq;
use thiserror::Error;

/// The variable holding the AccessKey id, as every official SDK reads it.
pub const ENV_ACCESS_KEY_ID: &str = "ALIBABA_CLOUD_ACCESS_KEY_ID";
/// The variable holding the AccessKey secret.
pub const ENV_ACCESS_KEY_SECRET: &str = "ALIBABA_CLOUD_ACCESS_KEY_SECRET";
/// The variable holding an STS security token.
pub const ENV_SECURITY_TOKEN: &str = "ALIBABA_CLOUD_SECURITY_TOKEN";
/// The variable naming the CLI profile to use, as the `aliyun` CLI reads it.
pub const ENV_PROFILE: &str = "ALIBABA_CLOUD_PROFILE";

/// A secret string whose `Debug` output is redacted.
///
/// It deliberately has no `Display`, so the only way to the text is the explicit [`Secret::expose`].
#[derive(Clone, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// Returns the secret text, for the signer and nothing else.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl PartialEq for Secret {
    /// Compares in constant time, because a comparison is the one place a secret's content could
    /// leak through timing.
    fn eq(&self, other: &Self) -> bool {
        self.0.as_bytes().ct_eq(other.0.as_bytes()).into()
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Self(value)
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Self(value.to_owned())
    }
}

/// An AccessKey pair, optionally with an STS security token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credentials {
    /// The AccessKey id, which is not secret and is sent in every request.
    pub access_key_id: String,
    /// The AccessKey secret, which only keys the signature.
    pub access_key_secret: Secret,
    /// The STS token sent as `SecurityToken` (V1) or `x-acs-security-token` (V3).
    pub security_token: Option<Secret>,
}

/// Why credentials could not be loaded.
///
/// Messages name variables, files, profiles and fields, never their values.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CredentialsError {
    /// One of the AccessKey variables is set and the other is not.
    #[error("environment variable {missing} is not set but {present} is")]
    IncompleteEnvironment {
        /// The variable that is set.
        present: &'static str,
        /// The variable that is missing or empty.
        missing: &'static str,
    },
    /// An explicitly named configuration file does not exist.
    #[error("CLI configuration file {path} does not exist")]
    ConfigNotFound {
        /// The file that was looked for.
        path: PathBuf,
    },
    /// The configuration file could not be read.
    #[error("cannot read CLI configuration file {path}: {reason}")]
    ConfigUnreadable {
        /// The file that was read.
        path: PathBuf,
        /// The I/O error.
        reason: String,
    },
    /// The configuration file is not the JSON the `aliyun` CLI writes.
    #[error("CLI configuration file {path} is not valid: {reason}")]
    ConfigInvalid {
        /// The file that was read.
        path: PathBuf,
        /// What was wrong, without any value from the file.
        reason: String,
    },
    /// The requested profile is not in the file.
    #[error("profile {profile:?} not found in {path}")]
    ProfileNotFound {
        /// The profile that was asked for.
        profile: String,
        /// The file that was searched.
        path: PathBuf,
    },
    /// The profile uses a credential mode this crate cannot sign with.
    #[error(
        "profile {profile:?} in {path} uses mode {mode:?}, but only AK and StsToken are supported"
    )]
    UnsupportedMode {
        /// The profile.
        profile: String,
        /// The file.
        path: PathBuf,
        /// The unsupported mode.
        mode: String,
    },
    /// The profile lacks a field its mode needs.
    #[error("profile {profile:?} in {path} (mode {mode}) has no {field}")]
    MissingField {
        /// The profile.
        profile: String,
        /// The file.
        path: PathBuf,
        /// The profile's mode.
        mode: String,
        /// The field that is missing, empty or not a string.
        field: &'static str,
    },
    /// No source in the default chain had credentials.
    #[error("no Alibaba Cloud credentials found: {}", .tried.join("; "))]
    NotFound {
        /// One line per source tried, saying why it gave nothing.
        tried: Vec<String>,
    },
}

impl Credentials {
    /// Creates credentials from an AccessKey pair.
    pub fn new(access_key_id: impl Into<String>, access_key_secret: impl Into<Secret>) -> Self {
        Self {
            access_key_id: access_key_id.into(),
            access_key_secret: access_key_secret.into(),
            security_token: None,
        }
    }

    /// Adds an STS security token, which temporary AccessKeys (`STS.` ids) require.
    #[must_use]
    pub fn with_security_token(mut self, token: impl Into<Secret>) -> Self {
        self.security_token = Some(token.into());
        self
    }

    /// Reads `ALIBABA_CLOUD_ACCESS_KEY_ID`, `ALIBABA_CLOUD_ACCESS_KEY_SECRET` and the optional
    /// `ALIBABA_CLOUD_SECURITY_TOKEN`.
    ///
    /// Returns `Ok(None)` when neither key variable is set (empty counts as unset), and an error
    /// when only one is, because half a key pair is a mistake worth reporting.
    pub fn from_env() -> Result<Option<Self>, CredentialsError> {
        from_env_with(&|name| std::env::var(name).ok())
    }

    /// Reads a profile of the `aliyun` CLI's configuration (`~/.aliyun/config.json` by default).
    ///
    /// The profile is `profile` if given, else `ALIBABA_CLOUD_PROFILE`, else the file's
    /// `current`, else `default`. Modes `AK` and `StsToken` are supported (a missing mode counts
    /// as `AK`, as older CLI versions wrote); any other mode is an error naming it. Returns
    /// `Ok(None)` when no path was given and the default file does not exist, and an error when a
    /// given path does not.
    pub fn from_cli_profile(
        path: Option<&Path>,
        profile: Option<&str>,
    ) -> Result<Option<Self>, CredentialsError> {
        from_cli_profile_with(
            path,
            profile,
            &|name| std::env::var(name).ok(),
            std::env::home_dir().as_deref(),
        )
    }

    /// Tries the environment, then the CLI profile, and returns the first credentials found.
    ///
    /// A source that is configured but broken (half a key pair, an unsupported profile mode)
    /// stops the chain with its own error rather than silently falling through to another
    /// account. When no source is configured the error lists every source tried and why it gave
    /// nothing.
    pub fn default_chain() -> Result<Self, CredentialsError> {
        default_chain_with(
            &|name| std::env::var(name).ok(),
            std::env::home_dir().as_deref(),
        )
    }
}

/// A lookup of environment variables, so tests can supply their own.
#[doc(hidden)]
pub type EnvLookup<'a> = &'a dyn Fn(&str) -> Option<String>;

fn non_empty(lookup: EnvLookup<'_>, name: &str) -> Option<String> {
    lookup(name).filter(|v| !v.is_empty())
}

/// [`Credentials::from_env`] with an injectable environment.
#[doc(hidden)]
pub fn from_env_with(lookup: EnvLookup<'_>) -> Result<Option<Credentials>, CredentialsError> {
    let id = non_empty(lookup, ENV_ACCESS_KEY_ID);
    let secret = non_empty(lookup, ENV_ACCESS_KEY_SECRET);
    let creds = match (id, secret) {
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
    Ok(Some(match non_empty(lookup, ENV_SECURITY_TOKEN) {
        Some(token) => creds.with_security_token(token),
        None => creds,
    }))
}

/// The default location of the CLI configuration under a home directory.
fn default_config_path(home: &Path) -> PathBuf {
    home.join(".aliyun").join("config.json")
}

/// [`Credentials::from_cli_profile`] with an injectable environment and home directory.
#[doc(hidden)]
pub fn from_cli_profile_with(
    path: Option<&Path>,
    profile: Option<&str>,
    lookup: EnvLookup<'_>,
    home: Option<&Path>,
) -> Result<Option<Credentials>, CredentialsError> {
    let (path, explicit) = match (path, home) {
        (Some(path), _) => (path.to_path_buf(), true),
        (None, Some(home)) => (default_config_path(home), false),
        (None, None) => return Ok(None),
    };
    let text = match std::fs::read(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return if explicit {
                Err(CredentialsError::ConfigNotFound { path })
            } else {
                Ok(None)
            };
        }
        Err(e) => {
            return Err(CredentialsError::ConfigUnreadable {
                path,
                reason: e.to_string(),
            });
        }
    };
    // Parse into an untyped value first: serde's typed errors quote offending values, and a
    // misplaced secret must not end up in an error message.
    let config: Value =
        serde_json::from_slice(&text).map_err(|e| CredentialsError::ConfigInvalid {
            path: path.clone(),
            reason: format!("not JSON ({e})"),
        })?;
    let invalid = |reason: &str| CredentialsError::ConfigInvalid {
        path: path.clone(),
        reason: reason.to_owned(),
    };
    let Some(profiles) = config.get("profiles").and_then(Value::as_array) else {
        return Err(invalid("it has no \"profiles\" array"));
    };
    let wanted = match profile {
        Some(p) => p.to_owned(),
        None => non_empty(lookup, ENV_PROFILE)
            .or_else(|| {
                config
                    .get("current")
                    .and_then(Value::as_str)
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned)
            })
            .unwrap_or_else(|| "default".to_owned()),
    };
    let Some(entry) = profiles
        .iter()
        .find(|p| p.get("name").and_then(Value::as_str) == Some(wanted.as_str()))
    else {
        return Err(CredentialsError::ProfileNotFound {
            profile: wanted,
            path,
        });
    };
    let mode = match entry.get("mode") {
        None | Some(Value::Null) => "AK".to_owned(),
        Some(Value::String(s)) if s.is_empty() => "AK".to_owned(),
        Some(Value::String(s)) => s.clone(),
        Some(_) => return Err(invalid("a profile's \"mode\" is not a string")),
    };
    let field = |name: &'static str| {
        entry
            .get(name)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .ok_or_else(|| CredentialsError::MissingField {
                profile: wanted.clone(),
                path: path.clone(),
                mode: mode.clone(),
                field: name,
            })
    };
    match mode.as_str() {
        "AK" => Ok(Some(Credentials::new(
            field("access_key_id")?,
            field("access_key_secret")?,
        ))),
        "StsToken" => Ok(Some(
            Credentials::new(field("access_key_id")?, field("access_key_secret")?)
                .with_security_token(field("sts_token")?),
        )),
        _ => Err(CredentialsError::UnsupportedMode {
            profile: wanted.clone(),
            path: path.clone(),
            mode: mode.clone(),
        }),
    }
}

/// [`Credentials::default_chain`] with an injectable environment and home directory.
#[doc(hidden)]
pub fn default_chain_with(
    lookup: EnvLookup<'_>,
    home: Option<&Path>,
) -> Result<Credentials, CredentialsError> {
    let mut tried = Vec::new();
    match from_env_with(lookup)? {
        Some(creds) => return Ok(creds),
        None => tried.push(format!(
            "environment: {ENV_ACCESS_KEY_ID} and {ENV_ACCESS_KEY_SECRET} are not set"
        )),
    }
    match from_cli_profile_with(None, None, lookup, home)? {
        Some(creds) => return Ok(creds),
        None => tried.push(match home {
            Some(home) => format!(
                "CLI profile: {} does not exist",
                default_config_path(home).display()
            ),
            None => "CLI profile: no home directory to find .aliyun/config.json in".to_owned(),
        }),
    }
    Err(CredentialsError::NotFound { tried })
}
