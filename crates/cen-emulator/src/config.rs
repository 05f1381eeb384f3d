//! Start-up configuration: accounts and their defaults.

use std::fmt;
use std::path::Path;

use serde::Deserialize;

/// The default address: loopback only, on the port the documentation of this crate names.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:9000";

/// The default duration of asynchronous transitions, in milliseconds: short enough for tests to
/// wait out, long enough that callers see `Creating` and must poll as against the real service.
pub const DEFAULT_DELAY_MS: u64 = 1000;

/// An AccessKey and the account it belongs to.
#[derive(Clone, PartialEq, Eq)]
pub struct AccountSpec {
    /// The AccessKey id.
    pub access_key_id: String,
    /// The AccessKey secret (never logged).
    pub secret: String,
    /// The account UID, a positive number as Alibaba's are.
    pub uid: i64,
    /// A disabled key is known but refused with `InvalidAccessKeyId.Inactive`.
    pub enabled: bool,
    /// Whether the account's transit-router service is open at start (OpenTransitRouterService
    /// opens it later).
    pub transit_router_service: bool,
}

impl fmt::Debug for AccountSpec {
    /// Shows everything but the secret.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AccountSpec")
            .field("access_key_id", &self.access_key_id)
            .field("secret", &"***")
            .field("uid", &self.uid)
            .field("enabled", &self.enabled)
            .field("transit_router_service", &self.transit_router_service)
            .finish()
    }
}

impl AccountSpec {
    fn new(access_key_id: &str, secret: &str, uid: i64) -> Self {
        Self {
            access_key_id: access_key_id.into(),
            secret: secret.into(),
            uid,
            enabled: true,
            transit_router_service: true,
        }
    }

    fn disabled(mut self) -> Self {
        self.enabled = false;
        self
    }
}

/// The accounts that exist when none is configured: two enabled ones (the second serves
/// cross-account flows) and a disabled key of the first account, so that
/// `InvalidAccessKeyId.Inactive` can be exercised. Their secrets are public test values,
/// documented in the README.
pub fn default_accounts() -> Vec<AccountSpec> {
    vec![
        AccountSpec::new(
            "LTAI5tEmulatorDefault1",
            "emulator-secret-1",
            1_234_567_890_123_456,
        ),
        AccountSpec::new(
            "LTAI5tEmulatorDefault2",
            "emulator-secret-2",
            6_543_210_987_654_321,
        ),
        AccountSpec::new(
            "LTAI5tEmulatorDisabled",
            "emulator-secret-disabled",
            1_234_567_890_123_456,
        )
        .disabled(),
    ]
}

/// Why an account could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct AccountError(String);

fn uid(value: &str) -> Result<i64, AccountError> {
    value
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|u| *u > 0)
        .ok_or_else(|| AccountError(format!("account UID {value:?} is not a positive number")))
}

/// Reads `ACCESS_KEY_ID:SECRET:ACCOUNT_UID`; the secret may itself contain colons.
pub fn parse_account(value: &str) -> Result<AccountSpec, AccountError> {
    let malformed = || AccountError("expected ACCESS_KEY_ID:SECRET:ACCOUNT_UID".into());
    let (id, rest) = value.split_once(':').ok_or_else(malformed)?;
    let (secret, account) = rest.rsplit_once(':').ok_or_else(malformed)?;
    if id.is_empty() || secret.is_empty() {
        return Err(malformed());
    }
    Ok(AccountSpec::new(id, secret, uid(account)?))
}

/// One entry of `--accounts-file`.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct FileAccount {
    access_key_id: String,
    access_key_secret: String,
    account_uid: UidValue,
    /// `false` makes the key known but refused (`InvalidAccessKeyId.Inactive`).
    #[serde(default = "enabled_by_default")]
    enabled: bool,
    /// `false` starts the account without the transit-router service.
    #[serde(default = "enabled_by_default")]
    transit_router_service: bool,
}

fn enabled_by_default() -> bool {
    true
}

/// A UID written as a JSON number or string.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum UidValue {
    /// `1234567890123456`.
    Number(i64),
    /// `"1234567890123456"`.
    Text(String),
}

impl UidValue {
    /// The UID, if it is a positive number.
    pub fn value(&self) -> Option<i64> {
        match self {
            Self::Number(n) => Some(*n),
            Self::Text(t) => t.trim().parse().ok(),
        }
        .filter(|u| *u > 0)
    }
}

/// The `--accounts-file` document.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct AccountsFile {
    accounts: Vec<FileAccount>,
    /// The RAM roles STS lets callers assume (none when absent).
    #[serde(default)]
    roles: Vec<RoleSpec>,
    /// The OIDC identity providers roles may trust (none when absent).
    #[serde(default)]
    oidc_providers: Vec<OidcProviderSpec>,
}

/// A RAM role that STS lets trusted callers assume (`"Roles"` of the accounts file).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct RoleSpec {
    /// `acs:ram::<account uid>:role/<name>`; the credentials act as that account.
    pub role_arn: String,
    /// The accounts whose keys (or whose roles' temporary keys) may call AssumeRole.
    #[serde(default)]
    pub trusted_accounts: Vec<UidValue>,
    /// The OIDC providers (`acs:ram::<uid>:oidc-provider/<name>`) whose tokens may call
    /// AssumeRoleWithOIDC.
    #[serde(default, rename = "TrustedOidcProviders")]
    pub trusted_oidc_providers: Vec<String>,
    /// The longest session, in seconds (3600 to 43200, default 3600).
    #[serde(default = "default_max_session")]
    pub max_session_duration: i64,
    /// When set, AssumeRole must send this ExternalId (the trust policy's `sts:ExternalId`).
    #[serde(default)]
    pub external_id: Option<String>,
}

fn default_max_session() -> i64 {
    3600
}

impl RoleSpec {
    /// The account UID and the role name of [`RoleSpec::role_arn`], if it is well formed.
    pub fn parse_arn(arn: &str) -> Option<(i64, &str)> {
        let rest = arn.strip_prefix("acs:ram::")?;
        let (uid, name) = rest.split_once(":role/")?;
        let uid = uid.parse::<i64>().ok().filter(|u| *u > 0)?;
        let valid = !name.is_empty()
            && name.len() <= 64
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'));
        valid.then_some((uid, name))
    }

    /// Whether `uid` may assume the role with AssumeRole.
    pub fn trusts_account(&self, uid: i64) -> bool {
        self.trusted_accounts.iter().any(|u| u.value() == Some(uid))
    }
}

/// An OIDC identity provider (`"OidcProviders"` of the accounts file).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct OidcProviderSpec {
    /// `acs:ram::<account uid>:oidc-provider/<name>`.
    #[serde(rename = "OidcProviderArn")]
    pub oidc_provider_arn: String,
    /// The issuer URL that a token's `iss` must equal.
    pub issuer_url: String,
    /// The audiences (`aud`) a token may name; one must match.
    pub client_ids: Vec<String>,
}

/// The accounts, roles and OIDC providers the emulator starts with.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Identities {
    /// The AccessKeys.
    pub accounts: Vec<AccountSpec>,
    /// The roles STS serves.
    pub roles: Vec<RoleSpec>,
    /// The OIDC providers roles may trust.
    pub oidc_providers: Vec<OidcProviderSpec>,
}

/// The issuer of the default OIDC providers; tests write tokens with it.
pub const DEFAULT_OIDC_ISSUER: &str = "https://oidc.cen-emulator.invalid";
/// The audience of the default OIDC providers, the one RRSA tokens carry.
pub const DEFAULT_OIDC_AUDIENCE: &str = "sts.aliyuncs.com";

/// The roles that exist with the default accounts: each account has a `CenNetworkAdmin` role
/// trusted by the other account and by an OIDC provider of its own, so a cross-account flow
/// works out of the box in both directions.
pub fn default_roles() -> (Vec<RoleSpec>, Vec<OidcProviderSpec>) {
    let pairs = [
        (6_543_210_987_654_321_i64, 1_234_567_890_123_456_i64),
        (1_234_567_890_123_456, 6_543_210_987_654_321),
    ];
    let mut roles = Vec::new();
    let mut providers = Vec::new();
    for (owner, trusted) in pairs {
        let provider = format!("acs:ram::{owner}:oidc-provider/cen-emulator");
        roles.push(RoleSpec {
            role_arn: format!("acs:ram::{owner}:role/CenNetworkAdmin"),
            trusted_accounts: vec![UidValue::Number(trusted)],
            trusted_oidc_providers: vec![provider.clone()],
            max_session_duration: 3600,
            external_id: None,
        });
        providers.push(OidcProviderSpec {
            oidc_provider_arn: provider,
            issuer_url: DEFAULT_OIDC_ISSUER.to_owned(),
            client_ids: vec![DEFAULT_OIDC_AUDIENCE.to_owned()],
        });
    }
    (roles, providers)
}

/// The default accounts ([`default_accounts`]) with their default roles and OIDC providers
/// ([`default_roles`]).
pub fn default_identities() -> Identities {
    let (roles, oidc_providers) = default_roles();
    Identities {
        accounts: default_accounts(),
        roles,
        oidc_providers,
    }
}

/// Reads the whole accounts file: `{"Accounts": [..], "Roles": [..], "OidcProviders": [..]}`,
/// the last two optional. Roles and providers are checked: well-formed ARNs, no duplicates,
/// MaxSessionDuration within 3600..=43200, trusted providers that exist.
pub fn parse_identities_json(text: &str) -> Result<Identities, AccountError> {
    let file: AccountsFile =
        serde_json::from_str(text).map_err(|e| AccountError(format!("accounts file: {e}")))?;
    let accounts = accounts_of(file.accounts)?;
    let identities = Identities {
        accounts,
        roles: file.roles,
        oidc_providers: file.oidc_providers,
    };
    check_roles(&identities)?;
    Ok(identities)
}

fn check_roles(identities: &Identities) -> Result<(), AccountError> {
    let bad = |m: String| Err(AccountError(format!("accounts file: {m}")));
    for (i, p) in identities.oidc_providers.iter().enumerate() {
        let ok = p
            .oidc_provider_arn
            .strip_prefix("acs:ram::")
            .and_then(|r| r.split_once(":oidc-provider/"))
            .is_some_and(|(uid, name)| uid.parse::<i64>().is_ok_and(|u| u > 0) && !name.is_empty());
        if !ok {
            return bad(format!(
                "OidcProviderArn {:?} is not acs:ram::<uid>:oidc-provider/<name>",
                p.oidc_provider_arn
            ));
        }
        if p.issuer_url.is_empty() || p.client_ids.is_empty() {
            return bad(format!(
                "OIDC provider {} needs an IssuerUrl and at least one ClientIds entry",
                p.oidc_provider_arn
            ));
        }
        if identities.oidc_providers[..i]
            .iter()
            .any(|q| q.oidc_provider_arn == p.oidc_provider_arn)
        {
            return bad(format!(
                "OIDC provider {} appears twice",
                p.oidc_provider_arn
            ));
        }
    }
    for (i, role) in identities.roles.iter().enumerate() {
        if RoleSpec::parse_arn(&role.role_arn).is_none() {
            return bad(format!(
                "RoleArn {:?} is not acs:ram::<uid>:role/<name>",
                role.role_arn
            ));
        }
        if identities.roles[..i]
            .iter()
            .any(|r| r.role_arn.eq_ignore_ascii_case(&role.role_arn))
        {
            return bad(format!("role {} appears twice", role.role_arn));
        }
        if !(3600..=43_200).contains(&role.max_session_duration) {
            return bad(format!(
                "role {}: MaxSessionDuration {} is not within 3600..43200",
                role.role_arn, role.max_session_duration
            ));
        }
        if let Some(u) = role.trusted_accounts.iter().find(|u| u.value().is_none()) {
            return bad(format!(
                "role {}: trusted account {u:?} is not a positive number",
                role.role_arn
            ));
        }
        if let Some(p) = role.trusted_oidc_providers.iter().find(|p| {
            !identities
                .oidc_providers
                .iter()
                .any(|q| q.oidc_provider_arn == **p)
        }) {
            return bad(format!(
                "role {} trusts the OIDC provider {p}, which OidcProviders does not declare",
                role.role_arn
            ));
        }
    }
    Ok(())
}

/// Reads `{"Accounts": [{"AccessKeyId", "AccessKeySecret", "AccountUid", "Enabled",
/// "TransitRouterService"}]}` (the last two are optional and true by default).
pub fn parse_accounts_json(text: &str) -> Result<Vec<AccountSpec>, AccountError> {
    parse_identities_json(text).map(|i| i.accounts)
}

fn accounts_of(accounts: Vec<FileAccount>) -> Result<Vec<AccountSpec>, AccountError> {
    accounts
        .into_iter()
        .map(|a| {
            let uid = match a.account_uid {
                UidValue::Number(n) if n > 0 => n,
                UidValue::Number(n) => {
                    return Err(AccountError(format!("account UID {n} is not positive")));
                }
                UidValue::Text(t) => uid(&t)?,
            };
            if a.access_key_id.is_empty() || a.access_key_secret.is_empty() {
                return Err(AccountError(
                    "accounts file: empty AccessKeyId or AccessKeySecret".into(),
                ));
            }
            let mut account = AccountSpec::new(&a.access_key_id, &a.access_key_secret, uid);
            account.transit_router_service = a.transit_router_service;
            Ok(if a.enabled {
                account
            } else {
                account.disabled()
            })
        })
        .collect()
}

/// Reads an accounts file.
pub fn read_accounts_file(path: &Path) -> Result<Vec<AccountSpec>, AccountError> {
    read_identities_file(path).map(|i| i.accounts)
}

/// Reads an accounts file with its roles and OIDC providers.
pub fn read_identities_file(path: &Path) -> Result<Identities, AccountError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| AccountError(format!("{}: {e}", path.display())))?;
    parse_identities_json(&text)
}

/// The UIDs whose transit-router service is closed at start: those with an entry saying so.
pub fn tr_service_closed(accounts: &[AccountSpec]) -> Vec<i64> {
    uids(
        &accounts
            .iter()
            .filter(|a| !a.transit_router_service)
            .cloned()
            .collect::<Vec<_>>(),
    )
}

/// The distinct UIDs of the accounts, in order of first appearance.
pub fn uids(accounts: &[AccountSpec]) -> Vec<i64> {
    let mut out = Vec::new();
    for a in accounts {
        if !out.contains(&a.uid) {
            out.push(a.uid);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accounts_parse_from_the_command_line() {
        assert_eq!(
            parse_account("AK:se:cr:et:42").unwrap(),
            AccountSpec::new("AK", "se:cr:et", 42)
        );
        assert!(parse_account("AK:secret").is_err());
        assert!(parse_account("AK:secret:abc").is_err());
        assert!(parse_account(":secret:1").is_err());
        assert!(parse_account("AK::1").is_err());
        assert!(parse_account("AK:secret:0").is_err());
    }

    #[test]
    fn accounts_parse_from_a_file() {
        let text = r#"{"Accounts": [
            {"AccessKeyId": "a", "AccessKeySecret": "s", "AccountUid": 7},
            {"AccessKeyId": "b", "AccessKeySecret": "t", "AccountUid": "8"}]}"#;
        let accounts = parse_accounts_json(text).unwrap();
        assert_eq!(uids(&accounts), [7, 8]);
        assert!(tr_service_closed(&accounts).is_empty());
        let closed = parse_accounts_json(
            r#"{"Accounts": [{"AccessKeyId": "a", "AccessKeySecret": "s", "AccountUid": 7,
                "TransitRouterService": false}]}"#,
        )
        .unwrap();
        assert_eq!(tr_service_closed(&closed), [7]);
        assert!(parse_accounts_json(r#"{"Accounts": [{"AccessKeyId": "a"}]}"#).is_err());
        assert!(parse_accounts_json("[]").is_err());
    }

    #[test]
    fn roles_and_oidc_providers_parse_and_are_checked() {
        let file = |roles: &str| {
            parse_identities_json(&format!(
                r#"{{"Accounts": [{{"AccessKeyId": "a", "AccessKeySecret": "s", "AccountUid": 7}}],
                   "OidcProviders": [{{"OidcProviderArn": "acs:ram::7:oidc-provider/k8s",
                                       "IssuerUrl": "https://issuer", "ClientIds": ["sts.aliyuncs.com"]}}],
                   "Roles": [{roles}]}}"#
            ))
        };
        let ok = file(
            r#"{"RoleArn": "acs:ram::7:role/Admin", "TrustedAccounts": [8, "9"],
                "TrustedOidcProviders": ["acs:ram::7:oidc-provider/k8s"]}"#,
        )
        .unwrap();
        assert_eq!(ok.roles[0].max_session_duration, 3600);
        assert!(ok.roles[0].trusts_account(8) && ok.roles[0].trusts_account(9));
        assert!(!ok.roles[0].trusts_account(7));
        assert_eq!(
            RoleSpec::parse_arn("acs:ram::7:role/Admin"),
            Some((7, "Admin"))
        );
        for bad in [
            r#"{"RoleArn": "acs:ram::7:user/Admin"}"#,
            r#"{"RoleArn": "acs:ram::7:role/Admin", "MaxSessionDuration": 900}"#,
            r#"{"RoleArn": "acs:ram::7:role/Admin", "TrustedOidcProviders": ["acs:ram::7:oidc-provider/none"]}"#,
            r#"{"RoleArn": "acs:ram::7:role/Admin", "TrustedAccounts": [0]}"#,
            r#"{"RoleArn": "acs:ram::7:role/A"}, {"RoleArn": "acs:ram::7:role/a"}"#,
            r#"{"RoleArn": "acs:ram::7:role/Admin", "Trusted": [8]}"#,
        ] {
            assert!(file(bad).is_err(), "{bad}");
        }
        // An accounts file without roles still reads, with none.
        assert!(
            parse_identities_json(r#"{"Accounts": []}"#)
                .unwrap()
                .roles
                .is_empty()
        );
        let defaults = default_identities();
        assert_eq!(defaults.roles.len(), 2);
        assert!(check_roles(&defaults).is_ok());
    }

    #[test]
    fn secrets_stay_out_of_debug_output() {
        let text = format!("{:?}", default_accounts());
        assert!(!text.contains("emulator-secret"));
        assert!(text.contains("LTAI5tEmulatorDefault1"));
    }
}
