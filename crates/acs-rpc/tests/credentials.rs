//! Credential sources, with the environment and home directory injected so tests never touch
//! the process environment.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use acs_rpc::credentials::{
    CredentialsError, default_chain_with, from_cli_profile_with, from_env_with,
};
use acs_rpc::{Credentials, Secret};
use rstest::rstest;

fn env(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
    let map: HashMap<String, String> = vars
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    move |name| map.get(name).cloned()
}

fn config() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/cli/config.json")
}

/// A home directory holding `.aliyun/config.json` copied from the fixture.
fn home_with_config(tag: &str) -> PathBuf {
    let home = std::env::temp_dir().join(format!("acs-rpc-test-{}-{tag}", std::process::id()));
    std::fs::create_dir_all(home.join(".aliyun")).unwrap();
    std::fs::copy(config(), home.join(".aliyun/config.json")).unwrap();
    home
}

fn empty_home(tag: &str) -> PathBuf {
    let home =
        std::env::temp_dir().join(format!("acs-rpc-test-{}-{tag}-empty", std::process::id()));
    std::fs::create_dir_all(&home).unwrap();
    home
}

const SECRETS: &[&str] = &[
    "default-secret-value",
    "work-secret-value",
    "sts-secret-value",
    "CAIS-sts-token-value",
    "role-secret-value",
    "env-secret",
    "env-token",
];

#[track_caller]
fn assert_no_secrets(text: &str) {
    for secret in SECRETS {
        assert!(!text.contains(secret), "secret leaked: {text}");
    }
}

#[test]
fn secret_debug_is_redacted() {
    let creds = Credentials::new("id", "env-secret").with_security_token("env-token");
    let debug = format!("{creds:?} {:?}", Secret::new("env-secret"));
    assert_no_secrets(&debug);
    assert!(debug.contains("***"));
    assert!(debug.contains("\"id\""));
    assert_eq!(creds.access_key_secret.expose(), "env-secret");
}

#[rstest]
#[case::nothing(&[], Ok(None))]
#[case::empty_counts_as_unset(&[("ALIBABA_CLOUD_ACCESS_KEY_ID", ""), ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "")], Ok(None))]
#[case::pair(
    &[("ALIBABA_CLOUD_ACCESS_KEY_ID", "env-id"), ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "env-secret")],
    Ok(Some(Credentials::new("env-id", "env-secret")))
)]
#[case::sts(
    &[("ALIBABA_CLOUD_ACCESS_KEY_ID", "env-id"), ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "env-secret"), ("ALIBABA_CLOUD_SECURITY_TOKEN", "env-token")],
    Ok(Some(Credentials::new("env-id", "env-secret").with_security_token("env-token")))
)]
#[case::id_only(
    &[("ALIBABA_CLOUD_ACCESS_KEY_ID", "env-id")],
    Err(CredentialsError::IncompleteEnvironment { present: "ALIBABA_CLOUD_ACCESS_KEY_ID", missing: "ALIBABA_CLOUD_ACCESS_KEY_SECRET" })
)]
#[case::secret_only(
    &[("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "env-secret")],
    Err(CredentialsError::IncompleteEnvironment { present: "ALIBABA_CLOUD_ACCESS_KEY_SECRET", missing: "ALIBABA_CLOUD_ACCESS_KEY_ID" })
)]
fn environment(
    #[case] vars: &[(&str, &str)],
    #[case] expected: Result<Option<Credentials>, CredentialsError>,
) {
    let actual = from_env_with(&env(vars));
    if let Err(e) = &actual {
        assert_no_secrets(&e.to_string());
    }
    assert_eq!(actual, expected);
}

#[rstest]
#[case::by_argument(Some("default"), &[], "LTAIdefault", "default-secret-value", None)]
#[case::by_env(None, &[("ALIBABA_CLOUD_PROFILE", "sts")], "STS.temporary", "sts-secret-value", Some("CAIS-sts-token-value"))]
#[case::argument_beats_env(Some("default"), &[("ALIBABA_CLOUD_PROFILE", "sts")], "LTAIdefault", "default-secret-value", None)]
#[case::by_current(None, &[], "LTAIwork", "work-secret-value", None)]
#[case::missing_mode_is_ak(Some("legacy"), &[], "LTAIlegacy", "legacy-secret-value", None)]
fn profile_found(
    #[case] profile: Option<&str>,
    #[case] vars: &[(&str, &str)],
    #[case] id: &str,
    #[case] secret: &str,
    #[case] token: Option<&str>,
) {
    let creds = from_cli_profile_with(Some(&config()), profile, &env(vars), None)
        .unwrap()
        .unwrap();
    let mut expected = Credentials::new(id, secret);
    if let Some(token) = token {
        expected = expected.with_security_token(token);
    }
    assert_eq!(creds, expected);
}

#[rstest]
#[case::unknown_mode(
    "role",
    "profile \"role\" in {path} uses mode \"RamRoleArn\", but only AK and StsToken are supported"
)]
#[case::sts_without_token(
    "sts-without-token",
    "profile \"sts-without-token\" in {path} (mode StsToken) has no sts_token"
)]
#[case::no_secret(
    "no-secret",
    "profile \"no-secret\" in {path} (mode AK) has no access_key_secret"
)]
#[case::unknown_profile("nope", "profile \"nope\" not found in {path}")]
fn profile_errors(#[case] profile: &str, #[case] message: &str) {
    let path = config();
    let err = from_cli_profile_with(Some(&path), Some(profile), &env(&[]), None).unwrap_err();
    assert_eq!(
        err.to_string(),
        message.replace("{path}", &path.display().to_string())
    );
    assert_no_secrets(&err.to_string());
    assert_no_secrets(&format!("{err:?}"));
}

#[test]
fn profile_files_missing_or_broken() {
    let missing = Path::new("/nonexistent/acs-rpc/config.json");
    assert_eq!(
        from_cli_profile_with(Some(missing), None, &env(&[]), None),
        Err(CredentialsError::ConfigNotFound {
            path: missing.to_path_buf()
        })
    );
    // The default location missing is not an error: the source is simply not configured.
    let home = empty_home("missing");
    assert_eq!(
        from_cli_profile_with(None, None, &env(&[]), Some(&home)),
        Ok(None)
    );
    assert_eq!(from_cli_profile_with(None, None, &env(&[]), None), Ok(None));

    let broken = home.join("broken.json");
    std::fs::write(
        &broken,
        "{\"profiles\": [{\"access_key_secret\": \"work-secret-value\",",
    )
    .unwrap();
    let err = from_cli_profile_with(Some(&broken), None, &env(&[]), None).unwrap_err();
    assert!(matches!(err, CredentialsError::ConfigInvalid { .. }));
    assert_no_secrets(&err.to_string());

    let wrong_type = home.join("wrong-type.json");
    std::fs::write(
        &wrong_type,
        "{\"current\": \"x\", \"profiles\": [{\"name\": \"x\", \"mode\": \"AK\", \"access_key_id\": \"a\", \"access_key_secret\": 12345}]}",
    )
    .unwrap();
    let err = from_cli_profile_with(Some(&wrong_type), None, &env(&[]), None).unwrap_err();
    assert!(!err.to_string().contains("12345"), "{err}");
    std::fs::remove_dir_all(&home).unwrap();
}

#[test]
fn chain_prefers_environment() {
    let home = home_with_config("prefers-env");
    let creds = default_chain_with(
        &env(&[
            ("ALIBABA_CLOUD_ACCESS_KEY_ID", "env-id"),
            ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "env-secret"),
        ]),
        Some(&home),
    )
    .unwrap();
    assert_eq!(creds.access_key_id, "env-id");
    std::fs::remove_dir_all(&home).unwrap();
}

#[test]
fn chain_falls_back_to_the_cli_profile() {
    let home = home_with_config("fallback");
    let creds = default_chain_with(&env(&[]), Some(&home)).unwrap();
    assert_eq!(creds.access_key_id, "LTAIwork");
    let creds = default_chain_with(&env(&[("ALIBABA_CLOUD_PROFILE", "sts")]), Some(&home)).unwrap();
    assert_eq!(creds.access_key_id, "STS.temporary");
    std::fs::remove_dir_all(&home).unwrap();
}

#[test]
fn chain_error_lists_every_source() {
    let home = empty_home("chain");
    let err = default_chain_with(&env(&[]), Some(&home)).unwrap_err();
    let config = home.join(".aliyun").join("config.json");
    assert_eq!(
        err,
        CredentialsError::NotFound {
            tried: vec![
                "environment: ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET are not set".to_owned(),
                format!("CLI profile: {} does not exist", config.display()),
            ]
        }
    );
    assert!(
        err.to_string()
            .starts_with("no Alibaba Cloud credentials found: environment: ")
    );
    let err = default_chain_with(&env(&[]), None).unwrap_err();
    assert!(err.to_string().contains("no home directory"), "{err}");
    std::fs::remove_dir_all(&home).unwrap();
}

#[test]
fn chain_stops_at_a_broken_source() {
    let home = home_with_config("broken-source");
    let err = default_chain_with(
        &env(&[("ALIBABA_CLOUD_ACCESS_KEY_ID", "env-id")]),
        Some(&home),
    )
    .unwrap_err();
    assert!(matches!(
        err,
        CredentialsError::IncompleteEnvironment { .. }
    ));
    let err =
        default_chain_with(&env(&[("ALIBABA_CLOUD_PROFILE", "role")]), Some(&home)).unwrap_err();
    assert!(matches!(err, CredentialsError::UnsupportedMode { .. }));
    std::fs::remove_dir_all(&home).unwrap();
}
