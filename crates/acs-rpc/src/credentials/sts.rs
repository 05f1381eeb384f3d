//! Security Token Service (STS, version 2015-04-01) on this crate's signing runtime.
//!
//! `AssumeRole` and `GetCallerIdentity` are signed like any RPC call (V1 by default, as the
//! official credentials libraries send them, or V3); `AssumeRoleWithOIDC` is anonymous, because
//! the OIDC token is the proof, and is sent without any signature as the official SDKs send it.

use std::fmt;
use std::time::Duration;

use serde_json::Value;

use super::{Credentials, CredentialsError, ENV_STS_REGION, ENV_VPC_ENDPOINT_ENABLED, Env, Secret};
use super::{HttpRequest, HttpResponse, SharedHttpClient};
use crate::encode::percent_encode;
use crate::error::{ApiError, redact_security_token};
use crate::params::Params;
use crate::sign::{self, HttpMethod, Placement, RpcRequest, SignatureVersion, SigningContext};
use crate::time::parse_timestamp;

/// The STS API version.
pub const STS_VERSION: &str = "2015-04-01";
/// The central STS endpoint, used when no region is configured.
pub const STS_DEFAULT_HOST: &str = "sts.aliyuncs.com";
/// The lifetime the official libraries ask for when none is configured.
pub const DEFAULT_DURATION_SECONDS: u32 = 3600;
/// The shortest lifetime STS grants.
pub const MIN_DURATION_SECONDS: u32 = 900;
/// The bound on one STS exchange, as the official libraries set it (5 s connect + 10 s read).
const STS_TIMEOUT: Duration = Duration::from_secs(15);

/// Where STS calls go, resolved as the official libraries resolve it.
///
/// An explicit endpoint wins; otherwise a region (given, else `ALIBABA_CLOUD_STS_REGION`) selects
/// `sts.<region>.aliyuncs.com`, or `sts-vpc.<region>.aliyuncs.com` when the VPC endpoint is
/// enabled (given, else `ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED=true`); without a region it is
/// `sts.aliyuncs.com`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StsEndpoint {
    /// A host (`sts.cn-hangzhou.aliyuncs.com`) or a base URL (`http://127.0.0.1:8080`).
    pub endpoint: Option<String>,
    /// The STS region.
    pub region: Option<String>,
    /// Whether to use the VPC endpoint of the region.
    pub enable_vpc: Option<bool>,
}

impl StsEndpoint {
    /// The base URL (`https://host` unless the endpoint names its scheme).
    pub fn resolve(&self, env: &Env) -> String {
        let host = match self.endpoint.as_deref().filter(|e| !e.is_empty()) {
            Some(endpoint) => endpoint.to_owned(),
            None => {
                let vpc = self
                    .enable_vpc
                    .unwrap_or_else(|| env.is_true(ENV_VPC_ENDPOINT_ENABLED));
                let prefix = if vpc { "sts-vpc" } else { "sts" };
                match self
                    .region
                    .clone()
                    .filter(|r| !r.is_empty())
                    .or_else(|| env.var(ENV_STS_REGION))
                {
                    Some(region) => format!("{prefix}.{region}.aliyuncs.com"),
                    None => STS_DEFAULT_HOST.to_owned(),
                }
            }
        };
        if host.contains("://") {
            host.trim_end_matches('/').to_owned()
        } else {
            format!("https://{host}")
        }
    }
}

/// What `AssumeRole` asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssumeRole {
    /// The role, `acs:ram::<account>:role/<name>`.
    pub role_arn: String,
    /// The session name, visible in ActionTrail.
    pub role_session_name: String,
    /// The lifetime of the credentials, 900 s up to the role's maximum.
    pub duration_seconds: u32,
    /// A policy narrowing the role's permissions, as JSON.
    pub policy: Option<String>,
    /// The external id the role's trust policy may require, against the confused deputy.
    pub external_id: Option<String>,
}

/// What `AssumeRoleWithOIDC` asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssumeRoleWithOidc {
    /// The role, `acs:ram::<account>:role/<name>`.
    pub role_arn: String,
    /// The identity provider, `acs:ram::<account>:oidc-provider/<name>`.
    pub oidc_provider_arn: String,
    /// The OIDC token (a JWT), which is the proof of identity.
    pub oidc_token: Secret,
    /// The session name.
    pub role_session_name: String,
    /// The lifetime of the credentials.
    pub duration_seconds: u32,
    /// A policy narrowing the role's permissions, as JSON.
    pub policy: Option<String>,
}

/// The answer of `AssumeRole` and `AssumeRoleWithOIDC`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssumedRole {
    /// The temporary credentials, with their expiration.
    pub credentials: Credentials,
    /// `AssumedRoleUser.Arn`.
    pub arn: Option<String>,
    /// `AssumedRoleUser.AssumedRoleId`.
    pub assumed_role_id: Option<String>,
    /// The `RequestId`.
    pub request_id: Option<String>,
}

/// The answer of `GetCallerIdentity`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CallerIdentity {
    /// The account the caller belongs to.
    pub account_id: Option<String>,
    /// `Account`, `RAMUser` or `AssumedRoleUser`.
    pub identity_type: Option<String>,
    /// The caller's ARN.
    pub arn: Option<String>,
    /// The user id (RAM users).
    pub user_id: Option<String>,
    /// The role id (assumed roles).
    pub role_id: Option<String>,
    /// The principal id.
    pub principal_id: Option<String>,
    /// The `RequestId`.
    pub request_id: Option<String>,
}

/// A client of STS, sharing the HTTP client of the providers that use it.
#[derive(Clone)]
pub struct StsClient {
    http: SharedHttpClient,
    base_url: String,
    signature_version: SignatureVersion,
}

impl fmt::Debug for StsClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StsClient")
            .field("base_url", &self.base_url)
            .field("signature_version", &self.signature_version)
            .finish_non_exhaustive()
    }
}

impl StsClient {
    /// A client of the endpoint `endpoint` resolves to in `env`.
    pub fn new(http: SharedHttpClient, endpoint: &StsEndpoint, env: &Env) -> Self {
        Self {
            http,
            base_url: endpoint.resolve(env),
            signature_version: SignatureVersion::V1,
        }
    }

    /// Signs with V3 instead of V1 (the official credentials libraries use V1).
    #[must_use]
    pub fn signature_version(mut self, version: SignatureVersion) -> Self {
        self.signature_version = version;
        self
    }

    /// The base URL calls go to.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    fn host(&self) -> &str {
        self.base_url
            .split_once("://")
            .map_or(self.base_url.as_str(), |(_, rest)| rest)
    }

    async fn signed(
        &self,
        action: &'static str,
        caller: &Credentials,
        params: Params,
    ) -> Result<Value, CredentialsError> {
        let rpc = RpcRequest {
            method: HttpMethod::Post,
            host: self.host().into(),
            action: action.into(),
            version: STS_VERSION.into(),
            format: "JSON".into(),
            params: params.into(),
            placement: Placement::Body,
        };
        let context = SigningContext::now();
        let wire = match self.signature_version {
            SignatureVersion::V1 => sign::sign_v1(&rpc, caller, &context),
            SignatureVersion::V3 => sign::sign_v3(&rpc, caller, &context),
        };
        let mut request = HttpRequest::new(
            wire.method.as_str(),
            format!("{}{}", self.base_url, wire.path_and_query),
        );
        request.headers = wire.headers;
        request.body = wire.body;
        request.timeout = Some(STS_TIMEOUT);
        self.exchange(action, request).await
    }

    async fn exchange(
        &self,
        action: &'static str,
        mut request: HttpRequest,
    ) -> Result<Value, CredentialsError> {
        request.headers.push((
            "user-agent".to_owned(),
            concat!("acs-rpc/", env!("CARGO_PKG_VERSION"), " (rust) credentials").to_owned(),
        ));
        let response = self
            .http
            .send(request)
            .await
            .map_err(|reason| CredentialsError::Fetch {
                provider: "sts",
                reason: format!("{action} could not reach {}: {reason}", self.base_url),
            })?;
        parse(action, &response)
    }

    /// Assumes a RAM role with `caller`'s credentials.
    pub async fn assume_role(
        &self,
        caller: &Credentials,
        request: &AssumeRole,
    ) -> Result<AssumedRole, CredentialsError> {
        let mut params = Params::new();
        params.push("RoleArn", &request.role_arn);
        params.push("RoleSessionName", &request.role_session_name);
        params.push("DurationSeconds", &request.duration_seconds.to_string());
        if let Some(policy) = request.policy.as_deref().filter(|p| !p.is_empty()) {
            params.push("Policy", policy);
        }
        if let Some(id) = request.external_id.as_deref().filter(|p| !p.is_empty()) {
            params.push("ExternalId", id);
        }
        let body = self.signed("AssumeRole", caller, params).await?;
        assumed_role("AssumeRole", &body)
    }

    /// Assumes a RAM role with an OIDC token, anonymously: the token is the proof.
    pub async fn assume_role_with_oidc(
        &self,
        request: &AssumeRoleWithOidc,
    ) -> Result<AssumedRole, CredentialsError> {
        let context = SigningContext::now();
        let query = [
            ("Action", "AssumeRoleWithOIDC"),
            ("Format", "JSON"),
            ("Version", STS_VERSION),
            ("Timestamp", context.timestamp.as_str()),
        ];
        let duration = request.duration_seconds.to_string();
        let mut form = vec![
            ("RoleArn", request.role_arn.as_str()),
            ("OIDCProviderArn", request.oidc_provider_arn.as_str()),
            ("OIDCToken", request.oidc_token.expose()),
            ("RoleSessionName", request.role_session_name.as_str()),
            ("DurationSeconds", duration.as_str()),
        ];
        if let Some(policy) = request.policy.as_deref().filter(|p| !p.is_empty()) {
            form.push(("Policy", policy));
        }
        let join = |pairs: &[(&str, &str)]| {
            pairs
                .iter()
                .map(|(k, v)| format!("{}={}", percent_encode(k), percent_encode(v)))
                .collect::<Vec<_>>()
                .join("&")
        };
        let mut http = HttpRequest::new("POST", format!("{}/?{}", self.base_url, join(&query)));
        http.headers.push((
            "content-type".to_owned(),
            sign::FORM_CONTENT_TYPE.to_owned(),
        ));
        http.body = join(&form).into_bytes();
        http.timeout = Some(STS_TIMEOUT);
        let body = self.exchange("AssumeRoleWithOIDC", http).await?;
        assumed_role("AssumeRoleWithOIDC", &body)
    }

    /// Says whose credentials `caller` are: the account, and the user or role.
    pub async fn get_caller_identity(
        &self,
        caller: &Credentials,
    ) -> Result<CallerIdentity, CredentialsError> {
        let body = self
            .signed("GetCallerIdentity", caller, Params::new())
            .await?;
        let text = |name: &str| body.get(name).and_then(Value::as_str).map(str::to_owned);
        Ok(CallerIdentity {
            account_id: text("AccountId"),
            identity_type: text("IdentityType"),
            arn: text("Arn"),
            user_id: text("UserId"),
            role_id: text("RoleId"),
            principal_id: text("PrincipalId"),
            request_id: text("RequestId"),
        })
    }
}

/// The JSON body of a successful answer, or the error STS answered.
fn parse(action: &'static str, response: &HttpResponse) -> Result<Value, CredentialsError> {
    if (200..300).contains(&response.status) {
        return serde_json::from_slice(&response.body).map_err(|_| CredentialsError::Fetch {
            provider: "sts",
            reason: format!(
                "{action} answered HTTP {} with a body that is not JSON",
                response.status
            ),
        });
    }
    match ApiError::from_body(
        response.status,
        response.content_type.as_deref(),
        &response.body,
    ) {
        Some(error) => Err(CredentialsError::Sts {
            action,
            status: error.status,
            message: redact_security_token(&error.message).into_owned(),
            code: error.code,
            request_id: error.request_id,
        }),
        None => Err(CredentialsError::Fetch {
            provider: "sts",
            reason: format!(
                "{action} answered HTTP {} without an error envelope",
                response.status
            ),
        }),
    }
}

/// Reads `Credentials` (and `AssumedRoleUser`) out of an assume-role answer.
fn assumed_role(action: &'static str, body: &Value) -> Result<AssumedRole, CredentialsError> {
    let missing = |what: &str| CredentialsError::Fetch {
        provider: "sts",
        reason: format!("{action} answered without {what}"),
    };
    let creds = body
        .get("Credentials")
        .ok_or_else(|| missing("Credentials"))?;
    let credentials = credentials_from_json(creds).map_err(missing)?;
    let user = body.get("AssumedRoleUser");
    let text = |v: Option<&Value>, name: &str| {
        v.and_then(|v| v.get(name))
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    Ok(AssumedRole {
        credentials,
        arn: text(user, "Arn"),
        assumed_role_id: text(user, "AssumedRoleId"),
        request_id: text(Some(body), "RequestId"),
    })
}

/// Reads `AccessKeyId`, `AccessKeySecret`, `SecurityToken` and `Expiration` out of an object, the
/// shape STS, the metadata service and credentials URIs share. The error names the field.
pub(crate) fn credentials_from_json(value: &Value) -> Result<Credentials, &'static str> {
    let field = |name: &'static str| {
        value
            .get(name)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .ok_or(name)
    };
    let expiration = field("Expiration")?;
    let expiration = parse_timestamp(expiration).map_err(|_| "a valid Expiration")?;
    Ok(
        Credentials::new(field("AccessKeyId")?, field("AccessKeySecret")?)
            .with_security_token(field("SecurityToken")?)
            .with_expiration(expiration),
    )
}
