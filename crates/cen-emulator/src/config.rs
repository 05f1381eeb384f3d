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
#[derive(Deserialize)]
#[serde(untagged)]
enum UidValue {
    Number(i64),
    Text(String),
}

/// The `--accounts-file` document.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct AccountsFile {
    accounts: Vec<FileAccount>,
}

/// Reads `{"Accounts": [{"AccessKeyId", "AccessKeySecret", "AccountUid", "Enabled",
/// "TransitRouterService"}]}` (the last two are optional and true by default).
pub fn parse_accounts_json(text: &str) -> Result<Vec<AccountSpec>, AccountError> {
    let file: AccountsFile =
        serde_json::from_str(text).map_err(|e| AccountError(format!("accounts file: {e}")))?;
    file.accounts
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
    let text = std::fs::read_to_string(path)
        .map_err(|e| AccountError(format!("{}: {e}", path.display())))?;
    parse_accounts_json(&text)
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
    fn secrets_stay_out_of_debug_output() {
        let text = format!("{:?}", default_accounts());
        assert!(!text.contains("emulator-secret"));
        assert!(text.contains("LTAI5tEmulatorDefault1"));
    }
}
