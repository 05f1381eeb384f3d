//! Client construction: credentials, endpoints, signing and retry settings shared by both products.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use acs_rpc::credentials::{
    CachedProvider, Credentials, DefaultChain, ProvideCredentials, SharedCredentialsProvider,
};
use acs_rpc::meta::ProductMeta;
use acs_rpc::sign::{HttpMethod, Placement, SignatureVersion, SigningContext};

use crate::error::Error;
use crate::generated::{cbn, sts, vpc};
use crate::retry::RetryPolicy;
use cen_types::operations;

/// Produces the timestamp and nonce of each signature. Tests pin it; production uses the clock.
pub type SigningSource = Arc<dyn Fn() -> SigningContext + Send + Sync>;

/// The state every generated client carries: which product it talks to and how to sign.
#[derive(Clone)]
pub struct ClientContext {
    pub(crate) product: &'static ProductMeta,
    pub(crate) settings: Arc<Settings>,
}

impl fmt::Debug for ClientContext {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientContext")
            .field("product", &self.product.product)
            .field("settings", &self.settings)
            .finish()
    }
}

/// Settings shared by the Cbn and Vpc clients of one [`Cen`].
pub(crate) struct Settings {
    /// Asked before each attempt is signed; a [`CachedProvider`], so this is cheap until the
    /// credentials near their expiration.
    pub(crate) credentials: SharedCredentialsProvider,
    pub(crate) signature_version: SignatureVersion,
    pub(crate) placement: Placement,
    pub(crate) method: HttpMethod,
    pub(crate) retry: RetryPolicy,
    pub(crate) signing: SigningSource,
}

impl fmt::Debug for Settings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Credentials print through their own redacting Debug.
        f.debug_struct("Settings")
            .field("credentials", &self.credentials)
            .field("signature_version", &self.signature_version)
            .field("placement", &self.placement)
            .field("method", &self.method)
            .field("retry", &self.retry)
            .finish_non_exhaustive()
    }
}

/// Both CEN clients, built once and cheap to clone.
#[derive(Clone, Debug)]
pub struct Cen {
    cbn: cbn::Client,
    vpc: vpc::Client,
    sts: sts::Client,
}

impl Cen {
    /// Starts a builder with the defaults of the official SDKs: V3 signatures, POST, parameters in
    /// the query, three attempts.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// The client of the Cbn product (version 2017-09-12): every CEN operation.
    pub fn cbn(&self) -> &cbn::Client {
        &self.cbn
    }

    /// The client of the Vpc product (version 2016-04-28): the grants that let CEN attach a VPC
    /// of another account.
    pub fn vpc(&self) -> &vpc::Client {
        &self.vpc
    }

    /// The client of STS (version 2015-04-01), signed with this client's credentials: who am I
    /// (`get_caller_identity`), and roles assumed by hand. Credential providers have their own
    /// STS client (`cen_client::credentials`).
    pub fn sts(&self) -> &sts::Client {
        &self.sts
    }
}

/// Where a [`Cen`] gets its credentials.
enum CredentialsSource {
    Fixed(Credentials),
    Provider(SharedCredentialsProvider),
}

impl fmt::Debug for CredentialsSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Fixed(credentials) => credentials.fmt(f),
            Self::Provider(provider) => provider.fmt(f),
        }
    }
}

/// Configures a [`Cen`].
#[derive(Default)]
pub struct ClientBuilder {
    credentials: Option<CredentialsSource>,
    refresh_before: Option<Duration>,
    cbn_endpoint: Option<String>,
    vpc_endpoint: Option<String>,
    sts_endpoint: Option<String>,
    signature_version: Option<SignatureVersion>,
    placement: Option<Placement>,
    method: Option<HttpMethod>,
    retry: Option<RetryPolicy>,
    signing: Option<SigningSource>,
    http: Option<reqwest::Client>,
    timeout: Option<Duration>,
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("credentials", &self.credentials)
            .field("cbn_endpoint", &self.cbn_endpoint)
            .field("vpc_endpoint", &self.vpc_endpoint)
            .field("sts_endpoint", &self.sts_endpoint)
            .field("signature_version", &self.signature_version)
            .finish_non_exhaustive()
    }
}

impl ClientBuilder {
    /// Uses these fixed credentials instead of the default chain.
    pub fn credentials(mut self, credentials: Credentials) -> Self {
        self.credentials = Some(CredentialsSource::Fixed(credentials));
        self
    }

    /// Asks this provider for credentials before each attempt is signed, instead of the default
    /// chain. The client caches what it answers until shortly before expiry (see
    /// [`refresh_before`](Self::refresh_before)), with one refresh at a time.
    pub fn credentials_provider(mut self, provider: impl ProvideCredentials + 'static) -> Self {
        self.credentials = Some(CredentialsSource::Provider(Arc::new(provider)));
        self
    }

    /// How long before their expiration temporary credentials are renewed (default 180 s, as the
    /// official credentials libraries do).
    pub fn refresh_before(mut self, margin: Duration) -> Self {
        self.refresh_before = Some(margin);
        self
    }

    /// Sends every product (Cbn, Vpc, Sts) to one base URL, as an emulator on loopback serves them.
    pub fn endpoint(mut self, url: impl Into<String>) -> Self {
        let url = url.into();
        self.cbn_endpoint = Some(url.clone());
        self.vpc_endpoint = Some(url.clone());
        self.sts_endpoint = Some(url);
        self
    }

    /// Overrides the Cbn endpoint (default `https://cbn.aliyuncs.com`).
    pub fn cbn_endpoint(mut self, url: impl Into<String>) -> Self {
        self.cbn_endpoint = Some(url.into());
        self
    }

    /// Overrides the Vpc endpoint (default `https://vpc.aliyuncs.com`).
    pub fn vpc_endpoint(mut self, url: impl Into<String>) -> Self {
        self.vpc_endpoint = Some(url.into());
        self
    }

    /// Overrides the endpoint of [`Cen::sts`] (default `https://sts.aliyuncs.com`).
    pub fn sts_endpoint(mut self, url: impl Into<String>) -> Self {
        self.sts_endpoint = Some(url.into());
        self
    }

    /// Chooses the signature scheme: V3 (ACS3-HMAC-SHA256, the default) or V1 (HMAC-SHA1).
    pub fn signature_version(mut self, version: SignatureVersion) -> Self {
        self.signature_version = Some(version);
        self
    }

    /// Puts the API parameters in the query (default) or in a form body.
    pub fn placement(mut self, placement: Placement) -> Self {
        self.placement = Some(placement);
        self
    }

    /// Sends requests as POST (default) or GET. GET forces the parameters into the query.
    pub fn method(mut self, method: HttpMethod) -> Self {
        self.method = Some(method);
        self
    }

    /// Replaces the retry policy.
    pub fn retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = Some(retry);
        self
    }

    /// Replaces the source of timestamps and nonces, so tests can pin the exact request bytes.
    pub fn signing_source(mut self, source: SigningSource) -> Self {
        self.signing = Some(source);
        self
    }

    /// Uses this HTTP client (proxies, TLS roots, connection pools) instead of a default one.
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http = Some(client);
        self
    }

    /// Bounds each HTTP attempt (default 30 s). Ignored when an HTTP client is supplied.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Builds the clients.
    ///
    /// Without credentials or a provider, the default chain of the official SDKs is used
    /// ([`DefaultChain`]: environment, OIDC, aliyun CLI profile, credentials file, ECS metadata,
    /// credentials URI); its environment variables are read now, its files and endpoints on the
    /// first call, whose error lists every source tried when none has credentials.
    pub fn build(self) -> Result<Cen, Error> {
        let http = match self.http {
            Some(http) => http,
            None => reqwest::Client::builder()
                .timeout(self.timeout.unwrap_or(Duration::from_secs(30)))
                .build()
                .map_err(Error::Transport)?,
        };
        let provider: SharedCredentialsProvider = match self.credentials {
            Some(CredentialsSource::Fixed(credentials)) => {
                // Fixed values that could never be signed into a request are refused here, once.
                let header_safe = |what: &str, value: &str| {
                    reqwest::header::HeaderValue::from_str(value)
                        .map(drop)
                        .map_err(|_| {
                            Error::InvalidRequest(format!(
                                "the {what} cannot travel in an HTTP header"
                            ))
                        })
                };
                header_safe("AccessKey id", &credentials.access_key_id)?;
                if let Some(token) = &credentials.security_token {
                    header_safe("security token", token.expose())?;
                }
                Arc::new(credentials)
            }
            Some(CredentialsSource::Provider(provider)) => provider,
            None => Arc::new(DefaultChain::new(
                crate::credentials::ReqwestHttpClient::shared(http.clone()),
            )),
        };
        let cached = CachedProvider::new(provider).refresh_before(
            self.refresh_before
                .unwrap_or(acs_rpc::credentials::DEFAULT_REFRESH_BEFORE),
        );
        let settings = Arc::new(Settings {
            credentials: Arc::new(cached),
            signature_version: self.signature_version.unwrap_or(SignatureVersion::V3),
            placement: self.placement.unwrap_or(Placement::Query),
            method: self.method.unwrap_or(HttpMethod::Post),
            retry: self.retry.unwrap_or_default(),
            signing: self
                .signing
                .unwrap_or_else(|| Arc::new(SigningContext::now)),
        });
        let endpoint = |given: Option<String>, product: &'static ProductMeta| {
            let url = given
                .unwrap_or_else(|| product.endpoint.to_owned())
                .trim_end_matches('/')
                .to_owned();
            match reqwest::Url::parse(&url) {
                Ok(parsed) if parsed.has_host() => Ok(url),
                _ => Err(Error::InvalidRequest(format!(
                    "the {} endpoint {url:?} is not an http(s) URL with a host",
                    product.product
                ))),
            }
        };
        let context = |product| ClientContext {
            product,
            settings: settings.clone(),
        };
        let cbn_endpoint = endpoint(self.cbn_endpoint, &operations::CBN)?;
        let vpc_endpoint = endpoint(self.vpc_endpoint, &operations::VPC)?;
        let sts_endpoint = endpoint(self.sts_endpoint, &operations::STS)?;
        Ok(Cen {
            cbn: cbn::Client::new(cbn::raw::Client::new_with_client(
                &cbn_endpoint,
                http.clone(),
                context(&operations::CBN),
            )),
            vpc: vpc::Client::new(vpc::raw::Client::new_with_client(
                &vpc_endpoint,
                http.clone(),
                context(&operations::VPC),
            )),
            sts: sts::Client::new(sts::raw::Client::new_with_client(
                &sts_endpoint,
                http,
                context(&operations::STS),
            )),
        })
    }
}
