//! Credential providers without a network: the environment and home directory are injected, and
//! STS and the metadata service are functions standing in for HTTP, so every request a provider
//! makes can be checked.

use std::collections::HashMap;
use std::future::Future;
use std::path::{Path, PathBuf};
use std::pin::pin;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};
use std::time::{Duration, SystemTime};

use acs_rpc::credentials::sts::{StsClient, StsEndpoint};
use acs_rpc::credentials::{
    CachedProvider, CliProfileProvider, Credentials, CredentialsError, DefaultChain,
    EcsRamRoleProvider, Env, EnvironmentProvider, HttpClient, HttpFuture, HttpRequest,
    HttpResponse, ProfileFileProvider, ProvideCredentials, ProvideFuture, Secret, StaticProvider,
    UriProvider,
};
use acs_rpc::encode::form_decode;
use acs_rpc::time::format_timestamp;
use rstest::rstest;
use serde_json::json;

/// Runs a future whose I/O is immediate (the fake HTTP answers at once).
fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(value) = future.as_mut().poll(&mut cx) {
            return value;
        }
    }
}

fn env(vars: &[(&str, &str)], home: Option<&Path>) -> Env {
    Env::from_vars(
        vars.iter().map(|(k, v)| (*k, *v)),
        home.map(Path::to_path_buf),
    )
}

type Handler = dyn Fn(&HttpRequest) -> Result<HttpResponse, String> + Send + Sync;

/// An HTTP client answering from a function and recording every request.
struct FakeHttp {
    handler: Box<Handler>,
    requests: Mutex<Vec<HttpRequest>>,
}

impl std::fmt::Debug for FakeHttp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("FakeHttp")
    }
}

impl FakeHttp {
    fn new(
        handler: impl Fn(&HttpRequest) -> Result<HttpResponse, String> + Send + Sync + 'static,
    ) -> Arc<Self> {
        Arc::new(Self {
            handler: Box::new(handler),
            requests: Mutex::default(),
        })
    }

    fn requests(&self) -> Vec<HttpRequest> {
        self.requests.lock().unwrap().clone()
    }
}

impl HttpClient for FakeHttp {
    fn send(&self, request: HttpRequest) -> HttpFuture<'_> {
        self.requests.lock().unwrap().push(request.clone());
        let answer = (self.handler)(&request);
        Box::pin(std::future::ready(answer))
    }
}

fn json_response(status: u16, body: serde_json::Value) -> Result<HttpResponse, String> {
    Ok(HttpResponse {
        status,
        content_type: Some("application/json".to_owned()),
        body: body.to_string().into_bytes(),
    })
}

/// Every parameter of a request, from the query and the form body.
fn params_of(request: &HttpRequest) -> HashMap<String, String> {
    let query = request.url.split_once('?').map_or("", |(_, q)| q);
    let body = std::str::from_utf8(&request.body).unwrap();
    form_decode(query)
        .unwrap()
        .into_iter()
        .chain(form_decode(body).unwrap())
        .collect()
}

fn in_an_hour() -> String {
    format_timestamp(SystemTime::now() + Duration::from_secs(3600))
}

/// STS answering AssumeRole and AssumeRoleWithOIDC with credentials that say what was asked.
fn fake_sts() -> Arc<FakeHttp> {
    FakeHttp::new(|request| {
        let params = params_of(request);
        let action = params.get("Action").cloned().unwrap_or_default();
        let caller = params
            .get("AccessKeyId")
            .cloned()
            .unwrap_or_else(|| "anonymous".to_owned());
        let role = params.get("RoleArn").cloned().unwrap_or_default();
        json_response(
            200,
            json!({
                "RequestId": "req-1",
                "AssumedRoleUser": {"Arn": format!("{role}/session"), "AssumedRoleId": "1:session"},
                "Credentials": {
                    "AccessKeyId": format!("STS.{action}.{caller}"),
                    "AccessKeySecret": format!("secret-for-{role}"),
                    "SecurityToken": format!("token-for-{role}"),
                    "Expiration": in_an_hour(),
                }
            }),
        )
    })
}

const SECRETS: &[&str] = &[
    "default-secret-value",
    "work-secret-value",
    "sts-secret-value",
    "CAIS-sts-token-value",
    "role-secret-value",
    "env-secret",
    "env-token",
    "oidc-jwt-value",
];

#[track_caller]
fn assert_no_secrets(text: &str) {
    for secret in SECRETS {
        assert!(!text.contains(secret), "secret leaked: {text}");
    }
}

fn config() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/cli/config.json")
}

/// A fresh directory under the system's temporary directory.
fn scratch(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("acs-rpc-creds-{}-{tag}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
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
#[case::nothing(&[], Err(CredentialsError::EnvironmentNotSet))]
#[case::empty_counts_as_unset(&[("ALIBABA_CLOUD_ACCESS_KEY_ID", ""), ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "")], Err(CredentialsError::EnvironmentNotSet))]
#[case::pair(
    &[("ALIBABA_CLOUD_ACCESS_KEY_ID", "env-id"), ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "env-secret")],
    Ok(Credentials::new("env-id", "env-secret").with_provider_name("env"))
)]
#[case::sts(
    &[("ALIBABA_CLOUD_ACCESS_KEY_ID", "env-id"), ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "env-secret"), ("ALIBABA_CLOUD_SECURITY_TOKEN", "env-token")],
    Ok(Credentials::new("env-id", "env-secret").with_security_token("env-token").with_provider_name("env"))
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
    #[case] expected: Result<Credentials, CredentialsError>,
) {
    let actual = block_on(EnvironmentProvider::new(env(vars, None)).provide_credentials());
    if let Err(e) = &actual {
        assert_no_secrets(&e.to_string());
    }
    assert_eq!(actual, expected);
}

#[test]
fn static_providers_refuse_empty_values() {
    assert!(StaticProvider::access_key("", "s").is_err());
    assert!(StaticProvider::access_key("id", "").is_err());
    assert!(StaticProvider::sts("id", "s", "").is_err());
    let sts = StaticProvider::sts("id", "s", "t").unwrap();
    let creds = block_on(sts.provide_credentials()).unwrap();
    assert_eq!(creds.provider_name.as_deref(), Some("static_sts"));
    assert_eq!(creds.security_token, Some(Secret::new("t")));
}

fn cli(profile: Option<&str>, vars: &[(&str, &str)], http: Arc<FakeHttp>) -> CliProfileProvider {
    let provider = CliProfileProvider::new(env(vars, None), http).path(config());
    match profile {
        Some(p) => provider.profile(p),
        None => provider,
    }
}

#[rstest]
#[case::by_argument(Some("default"), &[], "LTAIdefault", None, "cli_profile/static_ak")]
#[case::by_env(None, &[("ALIBABA_CLOUD_PROFILE", "sts")], "STS.temporary", Some("CAIS-sts-token-value"), "cli_profile/static_sts")]
#[case::argument_beats_env(Some("default"), &[("ALIBABA_CLOUD_PROFILE", "sts")], "LTAIdefault", None, "cli_profile/static_ak")]
#[case::by_current(None, &[], "LTAIwork", None, "cli_profile/static_ak")]
fn cli_profile_static_modes(
    #[case] profile: Option<&str>,
    #[case] vars: &[(&str, &str)],
    #[case] id: &str,
    #[case] token: Option<&str>,
    #[case] name: &str,
) {
    let creds = block_on(cli(profile, vars, fake_sts()).provide_credentials()).unwrap();
    assert_eq!(creds.access_key_id, id);
    assert_eq!(creds.security_token, token.map(Secret::new));
    assert_eq!(creds.provider_name.as_deref(), Some(name));
}

#[test]
fn cli_profile_ram_role_arn_assumes_the_role_with_every_setting() {
    let http = fake_sts();
    let creds = block_on(cli(Some("role"), &[], http.clone()).provide_credentials()).unwrap();
    assert_eq!(creds.access_key_id, "STS.AssumeRole.LTAIrole");
    assert_eq!(
        creds.provider_name.as_deref(),
        Some("cli_profile/ram_role_arn/static_ak")
    );
    assert!(creds.expiration.is_some());
    let requests = http.requests();
    assert_eq!(requests.len(), 1);
    let request = &requests[0];
    assert!(
        request
            .url
            .starts_with("https://sts-vpc.cn-shanghai.aliyuncs.com/"),
        "{}",
        request.url
    );
    let params = params_of(request);
    for (name, value) in [
        ("Action", "AssumeRole"),
        ("Version", "2015-04-01"),
        ("RoleArn", "acs:ram::123:role/ops"),
        ("RoleSessionName", "pipeline"),
        ("DurationSeconds", "1800"),
        ("ExternalId", "ext-1"),
        ("SignatureMethod", "HMAC-SHA1"),
    ] {
        assert_eq!(params.get(name).map(String::as_str), Some(value), "{name}");
    }
    // The signature is the V1 signature of every other parameter, keyed by the source's secret.
    let mut signed: Vec<(String, String)> = params
        .iter()
        .filter(|(k, _)| *k != "Signature")
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    signed.sort();
    let string_to_sign = acs_rpc::sign::v1::string_to_sign(request.method, &signed);
    assert!(acs_rpc::sign::v1::verify(
        "role-secret-value",
        &string_to_sign,
        &params["Signature"]
    ));
}

#[test]
fn cli_profile_chainable_ram_role_arn_assumes_through_its_source_profile() {
    let http = fake_sts();
    let creds = block_on(cli(Some("chained"), &[], http.clone()).provide_credentials()).unwrap();
    assert_eq!(
        creds.access_key_id,
        "STS.AssumeRole.STS.AssumeRole.LTAIrole"
    );
    assert_eq!(
        creds.provider_name.as_deref(),
        Some("cli_profile/ram_role_arn/ram_role_arn/static_ak")
    );
    let requests = http.requests();
    assert_eq!(requests.len(), 2);
    let second = params_of(&requests[1]);
    assert_eq!(second["RoleArn"], "acs:ram::456:role/member");
    assert_eq!(second["SecurityToken"], "token-for-acs:ram::123:role/ops");
    assert!(requests[1].url.starts_with("https://sts.aliyuncs.com/"));
}

#[test]
fn cli_profile_oidc_reads_the_token_file_at_every_refresh() {
    let dir = scratch("cli-oidc");
    let token = dir.join("token");
    let text = std::fs::read_to_string(config())
        .unwrap()
        .replace("TOKEN_FILE", &token.display().to_string());
    let path = dir.join("config.json");
    std::fs::write(&path, text).unwrap();
    let http = fake_sts();
    let provider = CliProfileProvider::new(env(&[], None), http.clone())
        .path(&path)
        .profile("oidc");
    std::fs::write(&token, "oidc-jwt-value-1").unwrap();
    let creds = block_on(provider.provide_credentials()).unwrap();
    assert_eq!(creds.access_key_id, "STS.AssumeRoleWithOIDC.anonymous");
    assert_eq!(
        creds.provider_name.as_deref(),
        Some("cli_profile/oidc_role_arn")
    );
    std::fs::write(&token, "oidc-jwt-value-2").unwrap();
    block_on(provider.provide_credentials()).unwrap();
    let requests = http.requests();
    let tokens: Vec<_> = requests
        .iter()
        .map(|r| params_of(r)["OIDCToken"].clone())
        .collect();
    assert_eq!(tokens, ["oidc-jwt-value-1", "oidc-jwt-value-2"]);
    let params = params_of(&requests[0]);
    assert!(!params.contains_key("Signature") && !params.contains_key("AccessKeyId"));
    assert_eq!(params["RoleSessionName"], "pod-session");
    assert_eq!(params["OIDCProviderArn"], "acs:ram::789:oidc-provider/ack");
    assert_eq!(requests[0].method, "POST");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[rstest]
#[case::unsupported_mode(
    "sso",
    "profile \"sso\" in {path} uses mode \"CloudSSO\", which is not supported"
)]
#[case::missing_mode(
    "legacy",
    "profile \"legacy\" in {path} uses mode \"\", which is not supported"
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
#[case::cycle(
    "loop-a",
    "configuration file {path} is not valid: profile \"loop-a\" is its own source_profile through [\"loop-a\", \"loop-b\"]"
)]
fn cli_profile_errors(#[case] profile: &str, #[case] message: &str) {
    let path = config();
    let err = block_on(cli(Some(profile), &[], fake_sts()).provide_credentials()).unwrap_err();
    assert_eq!(
        err.to_string(),
        message.replace("{path}", &path.display().to_string())
    );
    assert_no_secrets(&err.to_string());
    assert_no_secrets(&format!("{err:?}"));
}

#[test]
fn cli_profile_files_missing_broken_or_disabled() {
    let dir = scratch("cli-files");
    let missing = dir.join("missing.json");
    let provider = CliProfileProvider::new(env(&[], None), fake_sts()).path(&missing);
    assert_eq!(
        block_on(provider.provide_credentials()),
        Err(CredentialsError::ConfigNotFound { path: missing })
    );
    let broken = dir.join("broken.json");
    std::fs::write(
        &broken,
        "{\"profiles\": [{\"access_key_secret\": \"work-secret-value\",",
    )
    .unwrap();
    let err = block_on(
        CliProfileProvider::new(env(&[], None), fake_sts())
            .path(&broken)
            .provide_credentials(),
    )
    .unwrap_err();
    assert!(matches!(err, CredentialsError::ConfigInvalid { .. }));
    assert_no_secrets(&err.to_string());

    let disabled = CliProfileProvider::new(
        env(&[("ALIBABA_CLOUD_CLI_PROFILE_DISABLED", "TRUE")], None),
        fake_sts(),
    )
    .path(config());
    assert!(matches!(
        block_on(disabled.provide_credentials()),
        Err(CredentialsError::Disabled { .. })
    ));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn credentials_file_profiles() {
    let dir = scratch("ini");
    let file = dir.join("credentials");
    std::fs::write(
        &file,
        "# shared credentials\n[DEFAULT]\nrole_session_name = from-defaults\n\n[default]\ntype = access_key  # inline comment\nACCESS_KEY_ID = LTAIini\naccess_key_secret: ini-secret\n\n[role]\ntype = ram_role_arn\naccess_key_id = LTAIsource\naccess_key_secret = source-secret\nrole_arn = acs:ram::1:role/ini\npolicy = {\"Version\": \"1\"}\n\n[rsa]\ntype = rsa_key_pair\n",
    )
    .unwrap();
    let provider = |vars: &[(&str, &str)]| {
        let mut vars = vars.to_vec();
        let file = file.display().to_string();
        vars.push(("ALIBABA_CLOUD_CREDENTIALS_FILE", file.as_str()));
        ProfileFileProvider::new(env(&vars, None), fake_sts())
    };
    let creds = block_on(provider(&[]).provide_credentials()).unwrap();
    assert_eq!(creds.access_key_id, "LTAIini");
    assert_eq!(creds.access_key_secret, Secret::new("ini-secret"));
    assert_eq!(creds.provider_name.as_deref(), Some("profile/static_ak"));

    let http = fake_sts();
    let role = ProfileFileProvider::new(env(&[], None), http.clone())
        .path(&file)
        .profile("role");
    let creds = block_on(role.provide_credentials()).unwrap();
    assert_eq!(creds.access_key_id, "STS.AssumeRole.LTAIsource");
    let params = params_of(&http.requests()[0]);
    assert_eq!(params["RoleSessionName"], "from-defaults");
    assert_eq!(params["Policy"], "{\"Version\": \"1\"}");

    let err =
        block_on(provider(&[("ALIBABA_CLOUD_PROFILE", "rsa")]).provide_credentials()).unwrap_err();
    assert!(
        matches!(err, CredentialsError::UnsupportedMode { .. }),
        "{err}"
    );
    let err = block_on(provider(&[("ALIBABA_CLOUD_PROFILE", "absent")]).provide_credentials())
        .unwrap_err();
    assert!(
        matches!(err, CredentialsError::ProfileNotFound { .. }),
        "{err}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[rstest]
#[case::central(None, None, &[], "https://sts.aliyuncs.com")]
#[case::region(Some("cn-beijing"), None, &[], "https://sts.cn-beijing.aliyuncs.com")]
#[case::region_from_env(None, None, &[("ALIBABA_CLOUD_STS_REGION", "cn-hangzhou")], "https://sts.cn-hangzhou.aliyuncs.com")]
#[case::vpc_from_env(None, None, &[("ALIBABA_CLOUD_STS_REGION", "cn-hangzhou"), ("ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED", "true")], "https://sts-vpc.cn-hangzhou.aliyuncs.com")]
#[case::vpc_given(Some("ap-southeast-1"), Some(true), &[], "https://sts-vpc.ap-southeast-1.aliyuncs.com")]
#[case::vpc_without_region(None, Some(true), &[], "https://sts.aliyuncs.com")]
#[case::given_false_beats_env(Some("cn-hangzhou"), Some(false), &[("ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED", "true")], "https://sts.cn-hangzhou.aliyuncs.com")]
fn sts_endpoints(
    #[case] region: Option<&str>,
    #[case] vpc: Option<bool>,
    #[case] vars: &[(&str, &str)],
    #[case] expected: &str,
) {
    let endpoint = StsEndpoint {
        endpoint: None,
        region: region.map(str::to_owned),
        enable_vpc: vpc,
    };
    assert_eq!(endpoint.resolve(&env(vars, None)), expected);
    let explicit = StsEndpoint {
        endpoint: Some("http://127.0.0.1:8080".to_owned()),
        ..endpoint
    };
    assert_eq!(explicit.resolve(&env(vars, None)), "http://127.0.0.1:8080");
}

#[test]
fn sts_errors_and_caller_identity() {
    let http = FakeHttp::new(|request| {
        // V3 names the action in a header.
        match request.header("x-acs-action").unwrap_or_default() {
            "GetCallerIdentity" => json_response(
                200,
                json!({"RequestId": "r", "AccountId": "123", "IdentityType": "RAMUser", "Arn": "acs:ram::123:user/ops", "UserId": "u1"}),
            ),
            _ => json_response(
                403,
                json!({"RequestId": "r-err", "Code": "NoPermission", "Message": "You are not authorized to do this action. SecurityToken=CAIS-sts-token-value&x"}),
            ),
        }
    });
    let sts = StsClient::new(http.clone(), &StsEndpoint::default(), &env(&[], None))
        .signature_version(acs_rpc::SignatureVersion::V3);
    let caller = Credentials::new("LTAIcaller", "work-secret-value");
    let identity = block_on(sts.get_caller_identity(&caller)).unwrap();
    assert_eq!(identity.account_id.as_deref(), Some("123"));
    assert_eq!(identity.identity_type.as_deref(), Some("RAMUser"));
    let v3 = &http.requests()[0];
    assert!(
        v3.header("authorization")
            .unwrap()
            .starts_with("ACS3-HMAC-SHA256 Credential=LTAIcaller,")
    );
    let err = block_on(sts.assume_role(
        &caller,
        &acs_rpc::credentials::sts::AssumeRole {
            role_arn: "acs:ram::1:role/x".to_owned(),
            role_session_name: "s".to_owned(),
            duration_seconds: 3600,
            policy: None,
            external_id: None,
        },
    ))
    .unwrap_err();
    assert!(
        err.to_string()
            .starts_with("STS AssumeRole failed with HTTP 403: NoPermission: "),
        "{err}"
    );
    assert!(err.to_string().ends_with("(RequestId r-err)"), "{err}");
    assert_no_secrets(&err.to_string());
}

fn metadata(token_works: bool) -> Arc<FakeHttp> {
    FakeHttp::new(move |request| {
        let path = request.url.trim_start_matches("http://metadata.test");
        let has_token = request.header("x-aliyun-ecs-metadata-token") == Some("imds-token");
        match (request.method, path) {
            ("PUT", "/latest/api/token") if token_works => {
                assert_eq!(
                    request.header("x-aliyun-ecs-metadata-token-ttl-seconds"),
                    Some("21600")
                );
                Ok(HttpResponse {
                    status: 200,
                    content_type: None,
                    body: b"imds-token".to_vec(),
                })
            }
            ("PUT", _) => Err("connection refused".to_owned()),
            ("GET", "/latest/meta-data/ram/security-credentials/") => Ok(HttpResponse {
                status: 200,
                content_type: None,
                body: b"discovered-role".to_vec(),
            }),
            ("GET", p) if p.starts_with("/latest/meta-data/ram/security-credentials/") => {
                let role = p.rsplit('/').next().unwrap();
                json_response(
                    200,
                    json!({
                        "Code": "Success",
                        "AccessKeyId": format!("STS.ecs.{role}.{}", if has_token { "v2" } else { "v1" }),
                        "AccessKeySecret": "ecs-secret",
                        "SecurityToken": "ecs-token",
                        "Expiration": in_an_hour(),
                        "LastUpdated": "2024-01-01T00:00:00Z",
                    }),
                )
            }
            _ => json_response(404, json!({})),
        }
    })
}

#[rstest]
#[case::v2_discovered(true, None, &[], Ok("STS.ecs.discovered-role.v2"), 4)]
#[case::v2_given(true, Some("given"), &[], Ok("STS.ecs.given.v2"), 2)]
#[case::role_from_env(true, None, &[("ALIBABA_CLOUD_ECS_METADATA", "env-role")], Ok("STS.ecs.env-role.v2"), 2)]
#[case::v1_fallback(false, Some("given"), &[], Ok("STS.ecs.given.v1"), 2)]
#[case::v1_disabled(false, Some("given"), &[("ALIBABA_CLOUD_IMDSV1_DISABLED", "true")], Err("ecs_ram_role: failed to get a token from the ECS metadata service (connection refused) and ALIBABA_CLOUD_IMDSV1_DISABLED forbids going without"), 1)]
fn ecs_ram_role(
    #[case] token_works: bool,
    #[case] role: Option<&str>,
    #[case] vars: &[(&str, &str)],
    #[case] expected: Result<&str, &str>,
    #[case] requests: usize,
) {
    let http = metadata(token_works);
    let mut builder = EcsRamRoleProvider::builder(http.clone())
        .env(env(vars, None))
        .endpoint("http://metadata.test");
    if let Some(role) = role {
        builder = builder.role_name(role);
    }
    let result = block_on(builder.build().unwrap().provide_credentials());
    match expected {
        Ok(id) => {
            let creds = result.unwrap();
            assert_eq!(creds.access_key_id, id);
            assert_eq!(creds.provider_name.as_deref(), Some("ecs_ram_role"));
        }
        Err(message) => assert_eq!(result.unwrap_err().to_string(), message),
    }
    assert_eq!(http.requests().len(), requests);
}

#[test]
fn ecs_ram_role_can_be_disabled() {
    let err = EcsRamRoleProvider::builder(metadata(true))
        .env(env(
            &[("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true")],
            None,
        ))
        .build()
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "ecs_ram_role is disabled by ALIBABA_CLOUD_ECS_METADATA_DISABLED"
    );
}

#[test]
fn credentials_uri() {
    let http = FakeHttp::new(|request| {
        if request.url.contains("broken") {
            return json_response(500, json!({"AccessKeySecret": "env-secret"}));
        }
        json_response(
            200,
            json!({"Code": "Success", "AccessKeyId": "STS.uri", "AccessKeySecret": "uri-secret", "SecurityToken": "uri-token", "Expiration": in_an_hour()}),
        )
    });
    let provider = UriProvider::from_env(
        http.clone(),
        &env(
            &[(
                "ALIBABA_CLOUD_CREDENTIALS_URI",
                "http://uri.test/creds?token=x",
            )],
            None,
        ),
    )
    .unwrap();
    let creds = block_on(provider.provide_credentials()).unwrap();
    assert_eq!(creds.access_key_id, "STS.uri");
    assert_eq!(creds.provider_name.as_deref(), Some("credential_uri"));
    assert_eq!(http.requests()[0].url, "http://uri.test/creds?token=x");
    let broken = UriProvider::new(http, "http://uri.test/broken?token=x").unwrap();
    let err = block_on(broken.provide_credentials()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "credential_uri: http://uri.test/broken answered HTTP 500"
    );
}

#[test]
fn chain_order_follows_the_official_library() {
    let all = env(
        &[
            ("ALIBABA_CLOUD_ROLE_ARN", "acs:ram::1:role/x"),
            (
                "ALIBABA_CLOUD_OIDC_PROVIDER_ARN",
                "acs:ram::1:oidc-provider/y",
            ),
            ("ALIBABA_CLOUD_OIDC_TOKEN_FILE", "/nonexistent/token"),
            ("ALIBABA_CLOUD_CREDENTIALS_URI", "http://uri.test/"),
        ],
        None,
    );
    assert_eq!(
        DefaultChain::with_env(all, fake_sts()).sources(),
        [
            "EnvironmentVariableCredentialsProvider",
            "OIDCRoleArnCredentialsProvider",
            "CLIProfileCredentialsProvider",
            "ProfileCredentialsProvider",
            "EcsRamRoleCredentialsProvider",
            "URLCredentialsProvider",
        ]
    );
    let none = env(&[("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true")], None);
    assert_eq!(
        DefaultChain::with_env(none, fake_sts()).sources(),
        [
            "EnvironmentVariableCredentialsProvider",
            "CLIProfileCredentialsProvider",
            "ProfileCredentialsProvider",
        ]
    );
}

#[test]
fn chain_error_lists_every_source_and_no_secret() {
    let home = scratch("chain-home");
    std::fs::create_dir_all(home.join(".aliyun")).unwrap();
    std::fs::write(
        home.join(".aliyun/config.json"),
        r#"{"current": "x", "profiles": [{"name": "x", "mode": "AK", "access_key_id": "LTAIx", "access_key_secret": ""}]}"#,
    )
    .unwrap();
    let unreachable = FakeHttp::new(|_| Err("connection refused".to_owned()));
    let chain = DefaultChain::with_env(
        env(&[("ALIBABA_CLOUD_ACCESS_KEY_ID", "env-id")], Some(&home)),
        unreachable,
    );
    let err = block_on(chain.provide_credentials()).unwrap_err();
    let CredentialsError::NotFound { tried } = &err else {
        panic!("{err}")
    };
    let config = home.join(".aliyun/config.json").display().to_string();
    let ini = home
        .join(".alibabacloud/credentials.ini")
        .display()
        .to_string();
    assert_eq!(
        tried,
        &[
            "EnvironmentVariableCredentialsProvider: environment variable ALIBABA_CLOUD_ACCESS_KEY_SECRET is not set but ALIBABA_CLOUD_ACCESS_KEY_ID is".to_owned(),
            format!("CLIProfileCredentialsProvider: profile \"x\" in {config} (mode AK) has no access_key_secret"),
            format!("ProfileCredentialsProvider: configuration file {ini} does not exist"),
            "EcsRamRoleCredentialsProvider: ecs_ram_role: failed to get RAM session credentials from the ECS metadata service: connection refused".to_owned(),
        ]
    );
    assert!(err.to_string().starts_with(
        "no Alibaba Cloud credentials found: EnvironmentVariableCredentialsProvider: "
    ));
    assert_no_secrets(&err.to_string());
    std::fs::remove_dir_all(&home).unwrap();
}

#[test]
fn chain_remembers_the_source_that_answered() {
    let home = scratch("chain-remember");
    std::fs::create_dir_all(home.join(".aliyun")).unwrap();
    std::fs::copy(config(), home.join(".aliyun/config.json")).unwrap();
    let chain = DefaultChain::with_env(
        env(
            &[("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true")],
            Some(&home),
        ),
        fake_sts(),
    );
    let first = block_on(chain.provide_credentials()).unwrap();
    assert_eq!(first.access_key_id, "LTAIwork");
    assert_eq!(
        first.provider_name.as_deref(),
        Some("default/cli_profile/static_ak")
    );
    // The file is read once: removing it does not move the chain to another source.
    std::fs::remove_dir_all(&home).unwrap();
    let again = block_on(chain.provide_credentials()).unwrap();
    assert_eq!(again, first);
}

/// A provider whose answers expire after `lifetime` of the test clock, numbered by generation,
/// and that can be told to fail or to hold its answer until released.
#[derive(Debug)]
struct Numbered {
    calls: AtomicUsize,
    now: Arc<Mutex<SystemTime>>,
    lifetime: Duration,
    fail: AtomicBool,
    gate: Arc<AtomicBool>,
}

impl ProvideCredentials for Numbered {
    fn provide_credentials(&self) -> ProvideFuture<'_> {
        let n = self.calls.fetch_add(1, Ordering::SeqCst) + 1;
        let gate = self.gate.clone();
        let now = *self.now.lock().unwrap();
        let fail = self.fail.load(Ordering::SeqCst);
        let lifetime = self.lifetime;
        Box::pin(std::future::poll_fn(move |_| {
            if !gate.load(Ordering::SeqCst) {
                return Poll::Pending;
            }
            Poll::Ready(if fail {
                Err(CredentialsError::Fetch {
                    provider: "numbered",
                    reason: "down".to_owned(),
                })
            } else {
                Ok(Credentials::new(format!("gen-{n}"), "s").with_expiration(now + lifetime))
            })
        }))
    }
}

struct Harness {
    cache: CachedProvider<Arc<Numbered>>,
    inner: Arc<Numbered>,
    now: Arc<Mutex<SystemTime>>,
}

fn harness() -> Harness {
    let now = Arc::new(Mutex::new(
        SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000),
    ));
    let inner = Arc::new(Numbered {
        calls: AtomicUsize::new(0),
        now: now.clone(),
        lifetime: Duration::from_secs(3600),
        fail: AtomicBool::new(false),
        gate: Arc::new(AtomicBool::new(true)),
    });
    let clock = now.clone();
    let cache =
        CachedProvider::new(inner.clone()).with_clock(Arc::new(move || *clock.lock().unwrap()));
    Harness { cache, inner, now }
}

impl Harness {
    fn advance(&self, by: Duration) {
        *self.now.lock().unwrap() += by;
    }

    /// Starts `n` calls, lets each reach the provider's gate, then opens it and finishes all.
    fn concurrent(&self, n: usize) -> Vec<Result<Credentials, CredentialsError>> {
        self.inner.gate.store(false, Ordering::SeqCst);
        let mut calls: Vec<_> = (0..n)
            .map(|_| Some(self.cache.provide_credentials()))
            .collect();
        let mut results: Vec<Option<Result<Credentials, CredentialsError>>> = vec![None; n];
        let mut cx = Context::from_waker(Waker::noop());
        for round in 0.. {
            if round == 1 {
                self.inner.gate.store(true, Ordering::SeqCst);
            }
            for (call, result) in calls.iter_mut().zip(results.iter_mut()) {
                if let Some(future) = call
                    && let Poll::Ready(r) = future.as_mut().poll(&mut cx)
                {
                    *result = Some(r);
                    *call = None;
                }
            }
            if calls.iter().all(Option::is_none) {
                break;
            }
        }
        results.into_iter().map(Option::unwrap).collect()
    }
}

#[test]
fn cache_refreshes_once_for_many_concurrent_calls() {
    let h = harness();
    let ids = |results: Vec<Result<Credentials, CredentialsError>>| {
        results
            .into_iter()
            .map(|r| r.unwrap().access_key_id)
            .collect::<Vec<_>>()
    };
    assert_eq!(ids(h.concurrent(50)), vec!["gen-1"; 50]);
    assert_eq!(h.inner.calls.load(Ordering::SeqCst), 1);
    // Still fresh: no call reaches the provider.
    h.advance(Duration::from_secs(3600 - 181));
    assert_eq!(ids(h.concurrent(50)), vec!["gen-1"; 50]);
    assert_eq!(h.inner.calls.load(Ordering::SeqCst), 1);
    // Within 180 s of expiry: exactly one refresh, shared by all.
    h.advance(Duration::from_secs(2));
    assert_eq!(ids(h.concurrent(50)), vec!["gen-2"; 50]);
    assert_eq!(h.inner.calls.load(Ordering::SeqCst), 2);
}

#[test]
fn cache_never_hands_out_expired_credentials() {
    let h = harness();
    assert_eq!(
        block_on(h.cache.provide_credentials())
            .unwrap()
            .access_key_id,
        "gen-1"
    );
    // The source fails while the credentials are near expiry but valid: keep them.
    h.inner.fail.store(true, Ordering::SeqCst);
    h.advance(Duration::from_secs(3500));
    assert_eq!(
        block_on(h.cache.provide_credentials())
            .unwrap()
            .access_key_id,
        "gen-1"
    );
    // Once they have expired, the failure is the answer, for every waiting call too.
    h.advance(Duration::from_secs(100));
    let results = h.concurrent(10);
    assert!(
        results
            .iter()
            .all(|r| matches!(r, Err(CredentialsError::Fetch { .. })))
    );
    assert_eq!(h.inner.calls.load(Ordering::SeqCst), 3);
    // The source recovers.
    h.inner.fail.store(false, Ordering::SeqCst);
    assert_eq!(
        block_on(h.cache.provide_credentials())
            .unwrap()
            .access_key_id,
        "gen-4"
    );
}

#[test]
fn cache_refuses_credentials_that_arrive_expired() {
    let now = SystemTime::now();
    let expired = Credentials::new("old", "s")
        .with_expiration(now - Duration::from_secs(1))
        .with_provider_name("stale_source");
    let cache = CachedProvider::new(expired);
    assert_eq!(
        block_on(cache.provide_credentials())
            .unwrap_err()
            .to_string(),
        "stale_source answered credentials that have already expired"
    );
    // Credentials without an expiration are kept for good.
    let fixed = CachedProvider::new(Credentials::new("fixed", "s"));
    assert_eq!(
        block_on(fixed.provide_credentials()).unwrap().access_key_id,
        "fixed"
    );
}
