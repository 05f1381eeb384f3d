//! Credentials, and the providers that resolve them as the official SDKs do.
//!
//! Secrets live in [`Secret`], whose `Debug` prints `***`, so logging a request, a client or an
//! error can never leak them. Every provider reads the environment and the home directory through
//! an [`Env`], so tests never mutate the process environment, and reaches the network through an
//! [`HttpClient`], so this crate stays free of any HTTP stack (the client supplies one).
//!
//! The sources are the ones of Alibaba's credentials libraries (Python `alibabacloud-credentials`,
//! Go `credentials-go`), one module each; [`DefaultChain`] tries them in their order, and
//! [`CachedProvider`] refreshes temporary credentials before they expire, one refresh at a time.

use std::fmt;
use std::future::Future;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::Arc;
use std::time::SystemTime;

use subtle::ConstantTimeEq;
use thiserror::Error;

use crate::sign::SigningKeys;

mod cache;
mod chain;
mod cli_profile;
mod ecs_ram_role;
mod env;
mod http;
mod oidc;
mod profile_file;
mod ram_role_arn;
mod static_key;
pub mod sts;
mod uri;

pub use cache::{CachedProvider, Clock, DEFAULT_REFRESH_BEFORE};
pub use chain::DefaultChain;
pub use cli_profile::CliProfileProvider;
pub use ecs_ram_role::{EcsRamRoleProvider, EcsRamRoleProviderBuilder};
pub use env::EnvironmentProvider;
pub use http::{HttpClient, HttpFuture, HttpRequest, HttpResponse, SharedHttpClient};
pub use oidc::{OidcRoleArnProvider, OidcRoleArnProviderBuilder};
pub use profile_file::ProfileFileProvider;
pub use ram_role_arn::{RamRoleArnProvider, RamRoleArnProviderBuilder};
pub use static_key::StaticProvider;
pub use uri::UriProvider;

/// The variable holding the AccessKey id, as every official SDK reads it.
pub const ENV_ACCESS_KEY_ID: &str = "ALIBABA_CLOUD_ACCESS_KEY_ID";
/// The variable holding the AccessKey secret.
pub const ENV_ACCESS_KEY_SECRET: &str = "ALIBABA_CLOUD_ACCESS_KEY_SECRET";
/// The variable holding an STS security token.
pub const ENV_SECURITY_TOKEN: &str = "ALIBABA_CLOUD_SECURITY_TOKEN";
/// The variable naming the profile to use, in the CLI's `config.json` and in the credentials file.
pub const ENV_PROFILE: &str = "ALIBABA_CLOUD_PROFILE";
/// The variable naming the role to assume (RAM role ARN and OIDC providers).
pub const ENV_ROLE_ARN: &str = "ALIBABA_CLOUD_ROLE_ARN";
/// The variable naming the OIDC identity provider trusted by the role.
pub const ENV_OIDC_PROVIDER_ARN: &str = "ALIBABA_CLOUD_OIDC_PROVIDER_ARN";
/// The variable naming the file holding the OIDC token (RRSA on Container Service mounts it).
pub const ENV_OIDC_TOKEN_FILE: &str = "ALIBABA_CLOUD_OIDC_TOKEN_FILE";
/// The variable holding the session name used when assuming a role.
pub const ENV_ROLE_SESSION_NAME: &str = "ALIBABA_CLOUD_ROLE_SESSION_NAME";
/// The variable naming the ECS instance's RAM role, which skips discovering it.
pub const ENV_ECS_METADATA: &str = "ALIBABA_CLOUD_ECS_METADATA";
/// The variable that, set to `true`, keeps the metadata service out of the default chain.
pub const ENV_ECS_METADATA_DISABLED: &str = "ALIBABA_CLOUD_ECS_METADATA_DISABLED";
/// The variable that, set to `true`, forbids metadata requests without an IMDSv2 token.
pub const ENV_IMDSV1_DISABLED: &str = "ALIBABA_CLOUD_IMDSV1_DISABLED";
/// The variable holding a URL that answers credentials.
pub const ENV_CREDENTIALS_URI: &str = "ALIBABA_CLOUD_CREDENTIALS_URI";
/// The variable naming the credentials file instead of `~/.alibabacloud/credentials`.
pub const ENV_CREDENTIALS_FILE: &str = "ALIBABA_CLOUD_CREDENTIALS_FILE";
/// The variable that, set to `true`, keeps the aliyun CLI's `config.json` out of the chain.
pub const ENV_CLI_PROFILE_DISABLED: &str = "ALIBABA_CLOUD_CLI_PROFILE_DISABLED";
/// The variable naming the region whose STS endpoint (`sts.<region>.aliyuncs.com`) to use.
pub const ENV_STS_REGION: &str = "ALIBABA_CLOUD_STS_REGION";
/// The variable that, set to `true`, sends STS calls to the VPC endpoint of the STS region.
pub const ENV_VPC_ENDPOINT_ENABLED: &str = "ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED";

/// A secret string whose `Debug` output is redacted.
///
/// It deliberately has no `Display`, so the only way to the text is the explicit [`Secret::expose`].
#[derive(Clone)]
pub struct Secret {
    text: String,
    /// The HMAC states keyed by this secret, derived on the first signature and shared by every
    /// clone, so each later signature skips hashing the key (two blocks per signature version).
    keys: Arc<SigningKeys>,
}

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Self {
            text: value.into(),
            keys: Arc::default(),
        }
    }

    /// Returns the secret text, for the signer and nothing else.
    pub fn expose(&self) -> &str {
        &self.text
    }

    /// A V1 (HMAC-SHA1) signer keyed by this secret, as an AccessKey secret signs.
    pub(crate) fn hmac_v1(&self) -> hmac::Hmac<sha1::Sha1> {
        self.keys.v1(&self.text)
    }

    /// A V3 (HMAC-SHA256) signer keyed by this secret.
    pub(crate) fn hmac_v3(&self) -> hmac::Hmac<sha2::Sha256> {
        self.keys.v3(&self.text)
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
        self.text.as_bytes().ct_eq(other.text.as_bytes()).into()
    }
}

impl Eq for Secret {}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Self::new(value)
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Self::new(value)
    }
}

/// An AccessKey pair, optionally with an STS security token and the time it stops working.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credentials {
    /// The AccessKey id, which is not secret and is sent in every request.
    pub access_key_id: String,
    /// The AccessKey secret, which only keys the signature.
    pub access_key_secret: Secret,
    /// The STS token sent as `SecurityToken` (V1) or `x-acs-security-token` (V3).
    pub security_token: Option<Secret>,
    /// When temporary credentials expire; `None` for a long-lived AccessKey.
    pub expiration: Option<SystemTime>,
    /// Which provider produced them, in the official libraries' words
    /// (`default/cli_profile/ram_role_arn/static_ak`), so a caller can tell which source won.
    pub provider_name: Option<String>,
}

impl Credentials {
    /// Creates credentials from an AccessKey pair.
    pub fn new(access_key_id: impl Into<String>, access_key_secret: impl Into<Secret>) -> Self {
        Self {
            access_key_id: access_key_id.into(),
            access_key_secret: access_key_secret.into(),
            security_token: None,
            expiration: None,
            provider_name: None,
        }
    }

    /// Adds an STS security token, which temporary AccessKeys (`STS.` ids) require.
    #[must_use]
    pub fn with_security_token(mut self, token: impl Into<Secret>) -> Self {
        self.security_token = Some(token.into());
        self
    }

    /// Records when temporary credentials expire, so a cache knows when to refresh them.
    #[must_use]
    pub fn with_expiration(mut self, expiration: SystemTime) -> Self {
        self.expiration = Some(expiration);
        self
    }

    /// Records the provider that produced these credentials.
    #[must_use]
    pub fn with_provider_name(mut self, name: impl Into<String>) -> Self {
        self.provider_name = Some(name.into());
        self
    }

    /// Prefixes the provider name (`cli_profile` + `static_ak` = `cli_profile/static_ak`), as the
    /// official libraries name a provider that delegates.
    #[must_use]
    pub(crate) fn named_under(mut self, outer: &str) -> Self {
        self.provider_name = Some(match self.provider_name.take() {
            Some(inner) => format!("{outer}/{inner}"),
            None => outer.to_owned(),
        });
        self
    }

    /// Whether the credentials have expired at `now`.
    pub fn is_expired_at(&self, now: SystemTime) -> bool {
        self.expiration.is_some_and(|e| e <= now)
    }

    /// Reads `ALIBABA_CLOUD_ACCESS_KEY_ID`, `ALIBABA_CLOUD_ACCESS_KEY_SECRET` and the optional
    /// `ALIBABA_CLOUD_SECURITY_TOKEN` of the process.
    ///
    /// Returns `Ok(None)` when neither key variable is set (empty counts as unset), and an error
    /// when only one is, because half a key pair is a mistake worth reporting.
    pub fn from_env() -> Result<Option<Self>, CredentialsError> {
        env::from_env(&Env::process())
    }
}

/// Why credentials could not be loaded.
///
/// Messages name variables, files, profiles, fields and error codes, never their values.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum CredentialsError {
    /// One of the AccessKey variables is set and the other is not.
    #[error("environment variable {missing} is not set but {present} is")]
    IncompleteEnvironment {
        /// The variable that is set.
        present: &'static str,
        /// The variable that is missing or empty.
        missing: &'static str,
    },
    /// The AccessKey variables are not set.
    #[error("environment variables {ENV_ACCESS_KEY_ID} and {ENV_ACCESS_KEY_SECRET} are not set")]
    EnvironmentNotSet,
    /// A configuration file does not exist.
    #[error("configuration file {path} does not exist")]
    ConfigNotFound {
        /// The file that was looked for.
        path: PathBuf,
    },
    /// A configuration file could not be read.
    #[error("cannot read configuration file {path}: {reason}")]
    ConfigUnreadable {
        /// The file that was read.
        path: PathBuf,
        /// The I/O error.
        reason: String,
    },
    /// A configuration file is not what its tool writes.
    #[error("configuration file {path} is not valid: {reason}")]
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
    /// The profile uses a credential mode or type this crate does not implement.
    #[error("profile {profile:?} in {path} uses mode {mode:?}, which is not supported")]
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
        /// The field that is missing, empty or of the wrong type.
        field: &'static str,
    },
    /// A provider was configured with values it cannot work with.
    #[error("{provider}: {reason}")]
    InvalidConfig {
        /// The provider, in the official libraries' words (`ram_role_arn`, `ecs_ram_role`, ...).
        provider: &'static str,
        /// What is wrong, naming settings, never their values.
        reason: String,
    },
    /// A provider is switched off by its environment variable.
    #[error("{provider} is disabled by {variable}")]
    Disabled {
        /// The provider.
        provider: &'static str,
        /// The variable that disables it.
        variable: &'static str,
    },
    /// A credentials endpoint could not be reached or answered something unusable.
    #[error("{provider}: {reason}")]
    Fetch {
        /// The provider.
        provider: &'static str,
        /// What went wrong: the transport error or the HTTP status, never the body.
        reason: String,
    },
    /// STS refused a call.
    #[error("STS {action} failed with HTTP {status}: {code}: {message}{}", request_id.as_deref().map(|id| format!(" (RequestId {id})")).unwrap_or_default())]
    Sts {
        /// The STS action.
        action: &'static str,
        /// The HTTP status.
        status: u16,
        /// STS's error code, such as `NoPermission`.
        code: String,
        /// STS's message, with any security token blanked.
        message: String,
        /// The `RequestId`, for Alibaba support.
        request_id: Option<String>,
    },
    /// A provider answered credentials that had already expired.
    #[error("{provider} answered credentials that have already expired")]
    Expired {
        /// The provider.
        provider: String,
    },
    /// No source in the default chain had credentials.
    #[error("no Alibaba Cloud credentials found: {}", .tried.join("; "))]
    NotFound {
        /// One line per source tried, saying why it gave nothing.
        tried: Vec<String>,
    },
}

/// The future a provider answers: boxed so [`ProvideCredentials`] stays object-safe.
pub type ProvideFuture<'a> =
    Pin<Box<dyn Future<Output = Result<Credentials, CredentialsError>> + Send + 'a>>;

/// A source of credentials, asked again whenever a request is about to be signed.
///
/// Implementations fetch (or read) afresh on every call; wrap them in a [`CachedProvider`] to
/// reuse credentials until shortly before they expire. The future is boxed rather than an
/// `async fn` so that a client can hold any provider as `Arc<dyn ProvideCredentials>`.
pub trait ProvideCredentials: Send + Sync + fmt::Debug {
    /// Resolves credentials, or says why it could not.
    fn provide_credentials(&self) -> ProvideFuture<'_>;
}

/// A provider shared between clients and nested providers.
pub type SharedCredentialsProvider = Arc<dyn ProvideCredentials>;

impl ProvideCredentials for Credentials {
    fn provide_credentials(&self) -> ProvideFuture<'_> {
        let credentials = self.clone();
        Box::pin(std::future::ready(Ok(credentials)))
    }
}

impl<T: ProvideCredentials + ?Sized> ProvideCredentials for Arc<T> {
    fn provide_credentials(&self) -> ProvideFuture<'_> {
        (**self).provide_credentials()
    }
}

/// The environment variables and home directory providers read, injectable for tests.
#[derive(Clone)]
pub struct Env {
    vars: VarLookup,
    home: Option<PathBuf>,
}

/// How an [`Env`] looks a variable up.
type VarLookup = Arc<dyn Fn(&str) -> Option<String> + Send + Sync>;

impl fmt::Debug for Env {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Variable values may be secrets; only the home directory is shown.
        f.debug_struct("Env")
            .field("home", &self.home)
            .finish_non_exhaustive()
    }
}

impl Env {
    /// The process environment, and `$HOME` (or the platform's home directory).
    pub fn process() -> Self {
        let home = std::env::var_os("HOME")
            .filter(|h| !h.is_empty())
            .map(PathBuf::from)
            .or_else(std::env::home_dir);
        Self {
            vars: Arc::new(|name| std::env::var(name).ok()),
            home,
        }
    }

    /// A fixed set of variables and a home directory, so tests never touch the process.
    pub fn from_vars<K, V>(vars: impl IntoIterator<Item = (K, V)>, home: Option<PathBuf>) -> Self
    where
        K: Into<String>,
        V: Into<String>,
    {
        let map: std::collections::HashMap<String, String> = vars
            .into_iter()
            .map(|(k, v)| (k.into(), v.into()))
            .collect();
        Self {
            vars: Arc::new(move |name| map.get(name).cloned()),
            home,
        }
    }

    /// The value of a variable, with empty counting as unset, as the official libraries treat it.
    pub fn var(&self, name: &str) -> Option<String> {
        (self.vars)(name).filter(|v| !v.is_empty())
    }

    /// Whether a switch variable is `true` (any case), the only value the official libraries
    /// honour.
    pub fn is_true(&self, name: &str) -> bool {
        self.var(name)
            .is_some_and(|v| v.eq_ignore_ascii_case("true"))
    }

    /// The home directory under which `.aliyun/` and `.alibabacloud/` are looked for.
    pub fn home(&self) -> Option<&Path> {
        self.home.as_deref()
    }
}

/// A session name for an assumed role when none is configured, unique per second as the
/// official libraries make theirs (`credentials-python-<unix time>`).
pub(crate) fn default_session_name() -> String {
    let secs = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    format!("credentials-rust-{secs}")
}
