//! Security Token Service (Sts 2015-04-01) on loopback: the roles of the accounts file, temporary
//! AccessKeys with their security tokens, and the key store through which the front door accepts
//! those keys for every product as the role's account.
//!
//! - `AssumeRole`: the caller's account (the owner of the verified AccessKey, or the account of a
//!   role it assumed before) must be among the role's `TrustedAccounts`.
//! - `AssumeRoleWithOIDC`: anonymous; the role must trust the OIDC provider, and the token must
//!   be a JWT whose `iss` is the provider's issuer, whose `aud` names one of its client ids and
//!   whose `exp` is in the future. **The JWT's signature is not verified** (the emulator has no
//!   JWKS to fetch); the structure, issuer, audience and expiry are.
//! - `GetCallerIdentity`: the account, or the assumed role and session.
//!
//! Sessions live in memory only (not in `--data`) and survive `/_emulator/reset`; a restart
//! forgets them, and their keys are then unknown (`InvalidAccessKeyId.NotFound`). Expiry follows
//! the emulator's clock, so tests with a manual clock can expire them. `Policy` is checked for
//! grammar (a JSON object) but narrows nothing: the emulator has no RAM authorization.

use std::collections::HashMap;
use std::fmt;
use std::future::{Future, ready};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, UNIX_EPOCH};

use acs_rpc::credentials::Secret;
use acs_rpc::error::ApiError;
use acs_rpc::time::format_timestamp;
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use cen_server::sts::errors::{assume_role as ar_errors, assume_role_with_oidc as oidc_errors};
use cen_server::sts::types as t;
use cen_server::{Account, KeyStore, RequestContext, SecurityTokenError, StaticKeyStore};
use serde_json::Value;
use subtle::ConstantTimeEq as _;

use crate::config::{Identities, OidcProviderSpec, RoleSpec};
use crate::emulator::Emulator;
use crate::resource::Millis;

/// The prefix of every temporary AccessKey id, which the front door requires a token for.
pub const STS_KEY_PREFIX: &str = "STS.";
/// The prefix of the emulator's security tokens (real ones start the same way).
const TOKEN_PREFIX: &str = "CAIS";
/// The shortest session STS grants, in seconds.
const MIN_DURATION: i64 = 900;
/// The session length when the request names none.
const DEFAULT_DURATION: i64 = 3600;
/// How long an expired session is kept to answer `InvalidSecurityToken.Expired` before its key
/// becomes unknown.
const KEEP_EXPIRED_MS: Millis = 24 * 3600 * 1000;

/// One issued set of temporary credentials.
#[derive(Clone)]
struct Session {
    secret: Secret,
    token: Secret,
    /// The role's account: the caller every product sees.
    uid: i64,
    role_name: String,
    role_id: String,
    session_name: String,
    expires_at: Millis,
}

/// The issued sessions, shared by the STS service and the key store.
#[derive(Default)]
pub struct Sessions {
    by_key: Mutex<HashMap<String, Session>>,
}

impl fmt::Debug for Sessions {
    /// Shows how many sessions there are, never a secret or a token.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sessions")
            .field("len", &self.lock().len())
            .finish()
    }
}

impl Sessions {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Session>> {
        // Every update is one insert or retain, so a poisoned map is still consistent.
        self.by_key.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn get(&self, access_key_id: &str) -> Option<Session> {
        self.lock().get(access_key_id).cloned()
    }

    fn insert(&self, access_key_id: String, session: Session, now: Millis) {
        let mut map = self.lock();
        map.retain(|_, s| s.expires_at + KEEP_EXPIRED_MS > now);
        map.insert(access_key_id, session);
    }
}

/// The front door's key store: the accounts' fixed keys, then the temporary keys STS issued.
pub struct EmulatorKeys {
    fixed: StaticKeyStore,
    sessions: Arc<Sessions>,
    emulator: Arc<Emulator>,
}

impl fmt::Debug for EmulatorKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EmulatorKeys")
            .field("sessions", &self.sessions)
            .finish_non_exhaustive()
    }
}

impl KeyStore for EmulatorKeys {
    fn lookup(&self, access_key_id: &str) -> Option<Account> {
        if let Some(account) = self.fixed.lookup(access_key_id) {
            return Some(account);
        }
        let session = self.sessions.get(access_key_id)?;
        Some(Account::new(
            access_key_id,
            session.secret,
            session.uid.to_string(),
        ))
    }

    /// An STS key's token must be the one issued with it, in constant time, and unexpired by the
    /// emulator's clock. A fixed key's token is ignored, as before STS existed.
    fn check_security_token(
        &self,
        account: &Account,
        security_token: &str,
    ) -> Result<(), SecurityTokenError> {
        if !account.is_sts() {
            return Ok(());
        }
        let named = token_key(security_token).ok_or(SecurityTokenError::Malformed)?;
        if named != account.access_key_id {
            return Err(SecurityTokenError::MismatchWithAccessKey);
        }
        let session = self
            .sessions
            .get(&account.access_key_id)
            .ok_or(SecurityTokenError::MismatchWithAccessKey)?;
        let same: bool = session
            .token
            .expose()
            .as_bytes()
            .ct_eq(security_token.as_bytes())
            .into();
        if !same {
            return Err(SecurityTokenError::MismatchWithAccessKey);
        }
        if self.emulator.now() >= session.expires_at {
            return Err(SecurityTokenError::Expired);
        }
        Ok(())
    }
}

/// The key id a token was issued for, if it has the emulator's token shape:
/// `CAIS` + base64(`<AccessKeyId>\n<random hex>`).
fn token_key(token: &str) -> Option<String> {
    let body = token.strip_prefix(TOKEN_PREFIX)?;
    let decoded = STANDARD.decode(body).ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (key, random) = text.split_once('\n')?;
    (key.starts_with(STS_KEY_PREFIX) && !random.is_empty()).then(|| key.to_owned())
}

/// Replaces the documented message of a catalogue error with a precise one.
trait WithMessage {
    fn with_message(self, message: impl Into<String>) -> Self;
}

impl WithMessage for ApiError {
    fn with_message(mut self, message: impl Into<String>) -> Self {
        self.message = message.into();
        self
    }
}

fn random_hex(bytes: usize) -> String {
    (0..bytes)
        .map(|_| format!("{:02x}", rand::random::<u8>()))
        .collect()
}

fn random_alnum(len: usize) -> String {
    const CHARS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    (0..len)
        .map(|_| char::from(CHARS[rand::random_range(0..CHARS.len())]))
        .collect()
}

/// A stable numeric role id (real ones are 17-19 digits), derived from the ARN.
fn role_id(arn: &str) -> String {
    // FNV-1a, so the id is the same in every run.
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for b in arn.to_ascii_lowercase().bytes() {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    format!("3{:017}", hash % 100_000_000_000_000_000)
}

fn timestamp(ms: Millis) -> String {
    let secs = u64::try_from(ms.max(0) / 1000).unwrap_or_default();
    format_timestamp(UNIX_EPOCH + Duration::from_secs(secs))
}

/// The STS product of the emulator.
pub struct Sts {
    emulator: Arc<Emulator>,
    roles: Vec<RoleSpec>,
    providers: Vec<OidcProviderSpec>,
    sessions: Arc<Sessions>,
}

impl fmt::Debug for Sts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sts")
            .field("roles", &self.roles)
            .field("providers", &self.providers)
            .field("sessions", &self.sessions)
            .finish_non_exhaustive()
    }
}

/// The checked parameters shared by both ways of assuming a role.
struct Assume<'r> {
    role: &'r RoleSpec,
    role_uid: i64,
    role_name: String,
    session_name: String,
    duration: i64,
}

impl Sts {
    /// The STS service and the key store that accepts its keys, sharing one set of sessions.
    pub fn new(emulator: Arc<Emulator>, identities: &Identities) -> (Arc<Self>, Arc<EmulatorKeys>) {
        let sessions = Arc::new(Sessions::default());
        let fixed = StaticKeyStore::new(
            identities
                .accounts
                .iter()
                .map(|a| {
                    let account =
                        Account::new(a.access_key_id.clone(), a.secret.clone(), a.uid.to_string());
                    if a.enabled {
                        account
                    } else {
                        account.disabled()
                    }
                })
                .collect(),
        );
        let keys = Arc::new(EmulatorKeys {
            fixed,
            sessions: Arc::clone(&sessions),
            emulator: Arc::clone(&emulator),
        });
        let sts = Arc::new(Self {
            emulator,
            roles: identities.roles.clone(),
            providers: identities.oidc_providers.clone(),
            sessions,
        });
        (sts, keys)
    }

    fn role(&self, arn: &str) -> Option<&RoleSpec> {
        // RAM matches role names case-insensitively.
        self.roles
            .iter()
            .find(|r| r.role_arn.eq_ignore_ascii_case(arn))
    }

    /// Checks, in order: RoleArn's form, RoleSessionName, DurationSeconds' minimum, Policy's
    /// grammar, the role's existence. The maximum depends on the role and is checked by
    /// [`Sts::issue`] once trust is established.
    fn check<'r>(
        &'r self,
        role_arn: &str,
        session_name: &str,
        duration: Option<i64>,
        policy: Option<&str>,
        role_missing: impl FnOnce(String) -> ApiError,
    ) -> Result<Assume<'r>, ApiError> {
        let (role_uid, role_name) = RoleSpec::parse_arn(role_arn).ok_or_else(|| {
            ar_errors::invalid_parameter_role_arn().with_message(format!(
                "The parameter RoleArn is wrongly formed: {role_arn}."
            ))
        })?;
        let name_ok = (2..=64).contains(&session_name.chars().count())
            && session_name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '@' | '-' | '_'));
        if !name_ok {
            return Err(ar_errors::invalid_parameter_role_session_name());
        }
        let duration = duration.unwrap_or(DEFAULT_DURATION);
        if duration < MIN_DURATION {
            return Err(ar_errors::invalid_parameter_duration_seconds());
        }
        if let Some(policy) = policy.filter(|p| !p.is_empty()) {
            let grammar_ok = policy.chars().count() <= 2048
                && serde_json::from_str::<Value>(policy).is_ok_and(|v| v.is_object());
            if !grammar_ok {
                return Err(ar_errors::invalid_parameter_policy_grammar());
            }
        }
        let role = self
            .role(role_arn)
            .ok_or_else(|| role_missing(format!("The role not exists: {role_arn}.")))?;
        Ok(Assume {
            role,
            role_uid,
            role_name: role_name.to_owned(),
            session_name: session_name.to_owned(),
            duration,
        })
    }

    /// Checks the duration against the role's maximum and issues the credentials.
    fn issue(
        &self,
        assume: &Assume<'_>,
        too_long: ApiError,
    ) -> Result<(t::Credentials, t::AssumedRoleUser), ApiError> {
        let max = assume.role.max_session_duration;
        if assume.duration > max {
            let hours = if max % 3600 == 0 {
                format!("{}hr", max / 3600)
            } else {
                format!("{max}s")
            };
            return Err(too_long.with_message(format!(
                "The Min/Max value of DurationSeconds is 15min/{hours}."
            )));
        }
        let now = self.emulator.now();
        let expires_at = now + assume.duration * 1000;
        let access_key_id = format!("{STS_KEY_PREFIX}{}", random_alnum(24));
        let secret = random_alnum(40);
        let token = format!(
            "{TOKEN_PREFIX}{}",
            STANDARD.encode(format!("{access_key_id}\n{}", random_hex(48)))
        );
        let role_id = role_id(&assume.role.role_arn);
        self.sessions.insert(
            access_key_id.clone(),
            Session {
                secret: Secret::new(secret.clone()),
                token: Secret::new(token.clone()),
                uid: assume.role_uid,
                role_name: assume.role_name.clone(),
                role_id: role_id.clone(),
                session_name: assume.session_name.clone(),
                expires_at,
            },
            now,
        );
        tracing::info!(
            access_key_id = %access_key_id,
            role = %assume.role.role_arn,
            session = %assume.session_name,
            expiration = %timestamp(expires_at),
            "issued temporary credentials"
        );
        let credentials = t::Credentials {
            access_key_id: Some(access_key_id),
            access_key_secret: Some(secret),
            expiration: Some(timestamp(expires_at)),
            security_token: Some(token),
        };
        let user = t::AssumedRoleUser {
            arn: Some(format!(
                "acs:ram::{}:role/{}/{}",
                assume.role_uid,
                assume.role_name.to_ascii_lowercase(),
                assume.session_name
            )),
            assumed_role_id: Some(format!("{role_id}:{}", assume.session_name)),
        };
        Ok((credentials, user))
    }

    /// AssumeRole: the parameters ([`Sts::check`]), the role's trust of the caller's account
    /// (`NoPermission`), its ExternalId when it requires one (`NoPermission`), the duration
    /// against the role's MaxSessionDuration (`InvalidParameter.DurationSeconds`).
    pub fn assume_role(
        &self,
        ctx: &RequestContext,
        request: t::AssumeRoleRequest,
    ) -> Result<t::AssumeRoleResponse, ApiError> {
        let assume = self.check(
            &request.role_arn,
            &request.role_session_name,
            request.duration_seconds,
            request.policy.as_deref(),
            |m| ar_errors::entity_not_exist_role().with_message(m),
        )?;
        let caller: i64 = ctx.caller_uid.parse().unwrap_or_default();
        if !assume.role.trusts_account(caller) {
            return Err(ar_errors::no_permission().with_message(format!(
                "No permission perform sts:AssumeRole on this Role. The role {} does not trust the account {caller}.",
                assume.role.role_arn
            )));
        }
        if let Some(expected) = &assume.role.external_id {
            let given = request.external_id.as_deref().unwrap_or_default();
            let same: bool = given.as_bytes().ct_eq(expected.as_bytes()).into();
            if !same {
                return Err(ar_errors::no_permission().with_message(
                    "No permission perform sts:AssumeRole on this Role. The role's trust policy requires another ExternalId.",
                ));
            }
        }
        let (credentials, user) =
            self.issue(&assume, ar_errors::invalid_parameter_duration_seconds())?;
        Ok(t::AssumeRoleResponse {
            assumed_role_user: Some(user),
            credentials: Some(credentials),
            request_id: None,
            source_identity: request.source_identity,
        })
    }

    /// AssumeRoleWithOIDC: the parameters ([`Sts::check`]; an absent RoleArn, OIDCProviderArn or
    /// RoleSessionName is `MissingParameter`), the provider (`AuthenticationFail.NoPermission`,
    /// `No such OIDC Provider registered.`), the token (`AuthenticationFail.OIDCToken.Invalid`:
    /// empty, not three parts, not base64url, not JSON, `alg` HS256), its issuer
    /// (`...IssuerNotMatch`), audience (`...AudienceNotMatch`) and expiry (`...Expired`), the
    /// role's trust of the provider (`AuthenticationFail.NoPermission`), the duration.
    pub fn assume_role_with_oidc(
        &self,
        request: t::AssumeRoleWithOidcRequest,
    ) -> Result<t::AssumeRoleWithOidcResponse, ApiError> {
        let missing = |name: &str| {
            ApiError::new(
                400,
                "MissingParameter",
                format!(
                    "The input parameter \"{name}\" that is mandatory for processing this request is not supplied."
                ),
            )
        };
        let present = |v: &Option<String>| v.clone().filter(|s| !s.is_empty());
        let role_arn = present(&request.role_arn).ok_or_else(|| missing("RoleArn"))?;
        let provider_arn =
            present(&request.oidc_provider_arn).ok_or_else(|| missing("OIDCProviderArn"))?;
        let session_name =
            present(&request.role_session_name).ok_or_else(|| missing("RoleSessionName"))?;
        let assume = self.check(
            &role_arn,
            &session_name,
            request.duration_seconds,
            request.policy.as_deref(),
            |m| oidc_errors::entity_not_exist_role().with_message(m),
        );
        // A missing role is answered after the token is judged, as the token is the credential.
        let (assume, role_missing) = match assume {
            Ok(a) => (Some(a), None),
            Err(e) if e.code == "EntityNotExist.Role" => (None, Some(e)),
            Err(e) => return Err(oidc_code(e)),
        };
        let provider = self
            .providers
            .iter()
            .find(|p| p.oidc_provider_arn == provider_arn)
            .ok_or_else(|| {
                oidc_errors::authentication_fail_no_permission()
                    .with_message("No such OIDC Provider registered.")
            })?;
        let claims = jwt_claims(request.oidc_token.as_deref().unwrap_or_default())?;
        let text = |name: &str| claims.get(name).and_then(Value::as_str).map(str::to_owned);
        let issuer = text("iss").unwrap_or_default();
        if issuer != provider.issuer_url {
            return Err(oidc_errors::authentication_fail_oidc_token_issuer_not_match());
        }
        let audiences: Vec<String> = match claims.get("aud") {
            Some(Value::String(s)) => vec![s.clone()],
            Some(Value::Array(items)) => items
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect(),
            _ => Vec::new(),
        };
        if !audiences.iter().any(|a| provider.client_ids.contains(a)) {
            return Err(oidc_errors::authentication_fail_oidc_token_audience_not_match());
        }
        let exp = claims.get("exp").and_then(Value::as_i64);
        let now = self.emulator.now();
        match exp {
            Some(exp) if exp.saturating_mul(1000) > now => {}
            Some(_) => return Err(oidc_errors::authentication_fail_oidc_token_expired()),
            None => {
                return Err(oidc_errors::authentication_fail_oidc_token_invalid()
                    .with_message("The Jwt content is invalid that cannot be recognized."));
            }
        }
        if let Some(e) = role_missing {
            return Err(e);
        }
        let Some(assume) = assume else {
            return Err(oidc_errors::authentication_fail_no_permission());
        };
        if !assume.role.trusted_oidc_providers.contains(&provider_arn) {
            return Err(oidc_errors::authentication_fail_no_permission());
        }
        let (credentials, user) =
            self.issue(&assume, oidc_errors::invalid_parameter_duration_seconds())?;
        let info = t::OidcTokenInfo {
            client_ids: Some(audiences.join(",")),
            expiration_time: exp.map(|e| timestamp(e.saturating_mul(1000))),
            issuance_time: claims
                .get("iat")
                .and_then(Value::as_i64)
                .map(|i| timestamp(i.saturating_mul(1000))),
            issuer: Some(issuer),
            subject: text("sub"),
            verification_info: None,
        };
        Ok(t::AssumeRoleWithOidcResponse {
            assumed_role_user: Some(user),
            credentials: Some(credentials),
            oidc_token_info: Some(info),
            request_id: None,
            source_identity: None,
        })
    }

    /// GetCallerIdentity: the assumed role and session for an STS key, else the account.
    pub fn get_caller_identity(&self, ctx: &RequestContext) -> t::GetCallerIdentityResponse {
        match self.sessions.get(&ctx.access_key_id) {
            Some(s) => t::GetCallerIdentityResponse {
                account_id: Some(s.uid.to_string()),
                arn: Some(format!(
                    "acs:ram::{}:assumed-role/{}/{}",
                    s.uid,
                    s.role_name.to_ascii_lowercase(),
                    s.session_name
                )),
                identity_type: Some("AssumedRoleUser".to_owned()),
                principal_id: Some(format!("{}:{}", s.role_id, s.session_name)),
                request_id: None,
                role_id: Some(s.role_id),
                user_id: None,
            },
            None => t::GetCallerIdentityResponse {
                account_id: Some(ctx.caller_uid.clone()),
                arn: Some(format!("acs:ram::{}:root", ctx.caller_uid)),
                identity_type: Some("Account".to_owned()),
                principal_id: Some(ctx.caller_uid.clone()),
                request_id: None,
                role_id: None,
                user_id: Some(ctx.caller_uid.clone()),
            },
        }
    }
}

/// The errors [`Sts::check`] builds with AssumeRole's constructors, rebuilt with
/// AssumeRoleWithOIDC's (same codes and statuses).
fn oidc_code(error: ApiError) -> ApiError {
    let rebuilt = match error.code.as_str() {
        "InvalidParameter.RoleArn" => oidc_errors::invalid_parameter_role_arn(),
        "InvalidParameter.RoleSessionName" => oidc_errors::invalid_parameter_role_session_name(),
        "InvalidParameter.DurationSeconds" => oidc_errors::invalid_parameter_duration_seconds(),
        "InvalidParameter.PolicyGrammar" => oidc_errors::invalid_parameter_policy_grammar(),
        _ => return error,
    };
    rebuilt.with_message(error.message)
}

/// The claims of a JWT, after the structural checks STS documents. The signature is not
/// verified.
fn jwt_claims(token: &str) -> Result<serde_json::Map<String, Value>, ApiError> {
    let invalid = |message: &str| {
        oidc_errors::authentication_fail_oidc_token_invalid().with_message(message.to_owned())
    };
    if token.is_empty() {
        return Err(invalid("The OIDCToken can not empty."));
    }
    let parts: Vec<&str> = token.split('.').collect();
    let [header, payload, _signature] = parts.as_slice() else {
        return Err(invalid(
            "The number of Jwt field should be divided into 3 parts with '.' .",
        ));
    };
    let decode = |part: &str| {
        URL_SAFE_NO_PAD
            .decode(part.trim_end_matches('='))
            .map_err(|_| invalid("Cannot decode base64 encoded response(format invalided)."))
    };
    let json = |bytes: Vec<u8>| match serde_json::from_slice::<Value>(&bytes) {
        Ok(Value::Object(map)) => Ok(map),
        _ => Err(invalid(
            "The Jwt content is invalid that cannot be recognized.",
        )),
    };
    let header = json(decode(header)?)?;
    if let Some(alg) = header.get("alg").and_then(Value::as_str)
        && alg.starts_with("HS")
    {
        return Err(invalid(&format!(
            "The algorithm {alg} that be specified in Jwt header is unknown."
        )));
    }
    json(decode(payload)?)
}

impl cen_server::sts::Sts for Sts {
    fn assume_role(
        &self,
        ctx: &RequestContext,
        request: t::AssumeRoleRequest,
    ) -> impl Future<Output = Result<t::AssumeRoleResponse, ApiError>> + Send {
        ready(Self::assume_role(self, ctx, request))
    }

    fn assume_role_with_oidc(
        &self,
        _ctx: &RequestContext,
        request: t::AssumeRoleWithOidcRequest,
    ) -> impl Future<Output = Result<t::AssumeRoleWithOidcResponse, ApiError>> + Send {
        ready(Self::assume_role_with_oidc(self, request))
    }

    fn get_caller_identity(
        &self,
        ctx: &RequestContext,
        _request: t::GetCallerIdentityRequest,
    ) -> impl Future<Output = Result<t::GetCallerIdentityResponse, ApiError>> + Send {
        ready(Ok(Self::get_caller_identity(self, ctx)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_name_their_key_and_nothing_else_parses() {
        let token = format!("{TOKEN_PREFIX}{}", STANDARD.encode("STS.abc\n00ff"));
        assert_eq!(token_key(&token).as_deref(), Some("STS.abc"));
        assert_eq!(token_key("CAISnotbase64!!"), None);
        assert_eq!(token_key("something"), None);
        assert_eq!(
            token_key(&format!("{TOKEN_PREFIX}{}", STANDARD.encode("LTAI\nff"))),
            None
        );
    }

    #[test]
    fn role_ids_are_stable_and_numeric() {
        let id = role_id("acs:ram::1:role/a");
        assert_eq!(id, role_id("acs:ram::1:role/A"));
        assert_eq!(id.len(), 18);
        assert!(id.chars().all(|c| c.is_ascii_digit()));
    }

    #[test]
    fn jwt_structure_is_checked() {
        let code = |t: &str| jwt_claims(t).unwrap_err().message;
        assert_eq!(code(""), "The OIDCToken can not empty.");
        assert!(code("a.b").contains("3 parts"));
        assert!(code("***.b.c").contains("base64"));
        let part = |v: &str| URL_SAFE_NO_PAD.encode(v);
        assert!(code(&format!("{}.{}.x", part("[1]"), part("{}"))).contains("invalid"));
        assert!(
            code(&format!("{}.{}.x", part(r#"{"alg":"HS256"}"#), part("{}"))).contains("HS256")
        );
        let claims = jwt_claims(&format!(
            "{}.{}.sig",
            part(r#"{"alg":"RS256"}"#),
            part(r#"{"iss":"i","exp":1}"#)
        ))
        .unwrap();
        assert_eq!(claims["iss"], "i");
    }
}
