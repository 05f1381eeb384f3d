//! The default chain against the official Python `alibabacloud-credentials`: for every case in
//! `tests/credentials_chain/` (an environment, files under a home directory, and what should
//! come out), both resolve credentials, and both must choose the same source and produce the
//! same values, or both fail having tried the same sources.
//!
//! STS, the ECS metadata service and credentials URIs are one fake cloud on loopback; both sides
//! redirect every request to it, naming the host it was meant for, and the fake puts what it was
//! asked (host, role, session, duration, policy, external id, OIDC token, caller) into the
//! credentials it answers, so agreeing on values means agreeing on every request.

mod support;

use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use cen_client::credentials::{
    CredentialsError, DefaultChain, Env, HttpClient, HttpFuture, HttpRequest, ProvideCredentials,
    ReqwestHttpClient,
};
use serde::Deserialize;
use serde_json::{Value, json};
use support::{Canned, Recorded, Scripted};

/// One case: the environment (`{home}` stands for the case's home directory), the files under
/// the home directory (a JSON value is written as JSON), whether the fake metadata service
/// answers, and the expected outcome.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    description: String,
    #[serde(default)]
    env: BTreeMap<String, String>,
    #[serde(default)]
    files: BTreeMap<String, Value>,
    #[serde(default)]
    ecs: bool,
    expect: Outcome,
}

/// What a chain answered, in the shape both sides print.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
struct Outcome {
    #[serde(default)]
    provider: Option<String>,
    #[serde(default)]
    access_key_id: Option<String>,
    #[serde(default)]
    access_key_secret: Option<String>,
    #[serde(default)]
    security_token: Option<String>,
    #[serde(default)]
    error: bool,
    #[serde(default)]
    tried: Vec<String>,
}

fn cases() -> Vec<(String, Case)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/credentials_chain");
    let mut cases: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .map(|p| {
            let name = p.file_stem().unwrap().to_string_lossy().into_owned();
            let case: Case = serde_json::from_slice(&std::fs::read(&p).unwrap())
                .unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            (name, case)
        })
        .collect();
    cases.sort_by(|a, b| a.0.cmp(&b.0));
    assert!(cases.len() >= 20, "the fixtures are missing");
    cases
}

fn in_an_hour() -> String {
    acs_rpc::time::format_timestamp(SystemTime::now() + Duration::from_secs(3600))
}

/// Every parameter of a request, from its query and its form body.
fn params(request: &Recorded) -> HashMap<String, String> {
    let query = request.target.split_once('?').map_or("", |(_, q)| q);
    let mut params: HashMap<String, String> = acs_rpc::encode::form_decode(query)
        .unwrap()
        .into_iter()
        .collect();
    if let Ok(body) = acs_rpc::encode::form_decode(&request.body) {
        params.extend(body);
    }
    params
}

/// The fake cloud: STS, the metadata service and a credentials URI.
async fn fake_cloud(ecs_cases: Vec<String>) -> Scripted {
    Scripted::handled(move |request| {
        let host = request.header("x-test-original-host").unwrap_or("?");
        let scheme = request.header("x-test-original-scheme").unwrap_or("?");
        let case = request.header("x-test-case").unwrap_or("?");
        let path = request.target.split('?').next().unwrap_or_default();
        let success = |id: String, secret: String, token: String| {
            json!({"Code": "Success", "AccessKeyId": id, "AccessKeySecret": secret, "SecurityToken": token, "Expiration": in_an_hour(), "LastUpdated": "2024-01-01T00:00:00Z"})
        };
        if host == "100.100.100.200" {
            if !ecs_cases.iter().any(|c| c == case) {
                return Canned::json(404, json!({}));
            }
            let token = request.header("x-aliyun-ecs-metadata-token");
            return match (request.method.as_str(), path) {
                ("PUT", "/latest/api/token") => Canned {
                    status: 200,
                    headers: vec![],
                    body: "imds-session-token".to_owned(),
                },
                ("GET", "/latest/meta-data/ram/security-credentials/") => Canned {
                    status: 200,
                    headers: vec![],
                    body: "discovered-role".to_owned(),
                },
                ("GET", p) if p.starts_with("/latest/meta-data/ram/security-credentials/") => {
                    let role = p.rsplit('/').next().unwrap_or_default();
                    Canned::json(
                        200,
                        success(
                            format!("STS.ecs.{role}"),
                            "ecs-secret".to_owned(),
                            format!("ecs-token|{}", token.unwrap_or("no-imds-token")),
                        ),
                    )
                }
                _ => Canned::json(404, json!({})),
            };
        }
        let params = params(request);
        let get = |name: &str| params.get(name).cloned().unwrap_or_else(|| "-".to_owned());
        match params.get("Action").map(String::as_str) {
            Some(action @ ("AssumeRole" | "AssumeRoleWithOIDC")) => {
                let session = get("RoleSessionName");
                // Session names the libraries generate differ by design (credentials-python-..).
                let session = if session.starts_with("credentials-") {
                    "<generated>".to_owned()
                } else {
                    session
                };
                let credentials = success(
                    format!("STS.{action}.{}", get("AccessKeyId")),
                    format!(
                        "{}|{}|{}|{}",
                        get("RoleArn"),
                        get("DurationSeconds"),
                        get("ExternalId"),
                        get("Policy")
                    ),
                    format!(
                        "{scheme}://{host}|{session}|{}|{}|{}",
                        get("OIDCProviderArn"),
                        get("OIDCToken"),
                        get("SecurityToken")
                    ),
                );
                Canned::json(
                    200,
                    json!({"RequestId": "fake", "AssumedRoleUser": {"Arn": "arn", "AssumedRoleId": "id"}, "Credentials": credentials}),
                )
            }
            _ if path == "/credentials-uri" => Canned::json(
                200,
                success(
                    "STS.uri".to_owned(),
                    "uri-secret".to_owned(),
                    format!("{scheme}://{host}{}", request.target),
                ),
            ),
            _ => Canned::json(404, json!({"Code": "NotFound", "Message": "not faked"})),
        }
    })
    .await
}

/// Sends every request to the fake cloud, as the Python script does.
#[derive(Debug)]
struct Redirect {
    inner: ReqwestHttpClient,
    fake: String,
    case: String,
}

impl HttpClient for Redirect {
    fn send(&self, mut request: HttpRequest) -> HttpFuture<'_> {
        let (scheme, rest) = request.url.split_once("://").unwrap();
        let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
        let authority = authority
            .strip_suffix(":80")
            .or_else(|| authority.strip_suffix(":443"))
            .unwrap_or(authority);
        request.headers.extend([
            ("x-test-original-host".to_owned(), authority.to_owned()),
            ("x-test-original-scheme".to_owned(), scheme.to_owned()),
            ("x-test-case".to_owned(), self.case.clone()),
        ]);
        request.url = format!("{}{path}", self.fake);
        self.inner.send(request)
    }
}

/// Writes a case's files under a fresh home directory and resolves `{home}` in its environment.
fn materialise(name: &str, case: &Case, root: &Path) -> (PathBuf, BTreeMap<String, String>) {
    let home = root.join(name);
    std::fs::create_dir_all(&home).unwrap();
    for (relative, content) in &case.files {
        let path = home.join(relative);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        let text = match content {
            Value::String(s) => s.replace("{home}", &home.display().to_string()),
            other => serde_json::to_string_pretty(other)
                .unwrap()
                .replace("{home}", &home.display().to_string()),
        };
        std::fs::write(path, text).unwrap();
    }
    let env = case
        .env
        .iter()
        .map(|(k, v)| (k.clone(), v.replace("{home}", &home.display().to_string())))
        .collect();
    (home, env)
}

async fn rust_outcome(
    name: &str,
    env: &BTreeMap<String, String>,
    home: &Path,
    fake: &str,
) -> Outcome {
    let http = Arc::new(Redirect {
        inner: ReqwestHttpClient::default(),
        fake: fake.to_owned(),
        case: name.to_owned(),
    });
    let chain = DefaultChain::with_env(Env::from_vars(env.clone(), Some(home.to_path_buf())), http);
    match chain.provide_credentials().await {
        Ok(c) => Outcome {
            provider: c.provider_name,
            access_key_id: Some(c.access_key_id),
            access_key_secret: Some(c.access_key_secret.expose().to_owned()),
            security_token: c.security_token.map(|t| t.expose().to_owned()),
            error: false,
            tried: vec![],
        },
        Err(CredentialsError::NotFound { tried }) => Outcome {
            provider: None,
            access_key_id: None,
            access_key_secret: None,
            security_token: None,
            error: true,
            tried: tried
                .iter()
                .map(|t| t.split(':').next().unwrap().to_owned())
                .collect(),
        },
        Err(other) => panic!("{name}: the chain failed with {other}, not NotFound"),
    }
}

fn python_has_the_library() -> bool {
    Command::new("python3")
        .args(["-c", "import alibabacloud_credentials"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

fn python_outcomes(input: &Value) -> HashMap<String, Outcome> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/credentials_interop.py");
    let mut child = Command::new("python3")
        .arg(script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.to_string().as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "the Python script failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(|line| {
            let mut value: Value = serde_json::from_str(line).unwrap();
            let name = value["name"].as_str().unwrap().to_owned();
            value.as_object_mut().unwrap().remove("name");
            (name, serde_json::from_value(value).unwrap())
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_rust_chain_agrees_with_alibabacloud_credentials() {
    let cases = cases();
    let ecs_cases = cases
        .iter()
        .filter(|(_, c)| c.ecs)
        .map(|(n, _)| n.clone())
        .collect();
    let server = fake_cloud(ecs_cases).await;
    let fake_authority = server.url.trim_start_matches("http://").to_owned();
    let root = std::env::temp_dir().join(format!("cen-client-chain-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);

    let mut failures = Vec::new();
    let mut rust = HashMap::new();
    let mut python_input = Vec::new();
    for (name, case) in &cases {
        let (home, env) = materialise(name, case, &root);
        let outcome = rust_outcome(name, &env, &home, &server.url).await;
        if outcome != case.expect {
            failures.push(format!(
                "{name} ({}): Rust answered\n  {}\nbut the case expects\n  {}",
                case.description,
                serde_json::to_string(&outcome).unwrap(),
                serde_json::to_string(&case.expect).unwrap()
            ));
        }
        rust.insert(name.clone(), outcome);
        python_input.push(json!({"name": name, "env": env, "home": home}));
    }

    if python_has_the_library() {
        let python = tokio::task::spawn_blocking(move || {
            python_outcomes(&json!({"fake": fake_authority, "cases": python_input}))
        })
        .await
        .unwrap();
        for (name, case) in &cases {
            let theirs = python.get(name).cloned();
            if theirs.as_ref() != rust.get(name) {
                failures.push(format!(
                    "{name} ({}): Python answered\n  {}\nand Rust\n  {}",
                    case.description,
                    serde_json::to_string(&theirs).unwrap(),
                    serde_json::to_string(&rust[name]).unwrap()
                ));
            }
        }
    } else {
        // CI sets CEN_INTEROP=required so that a missing install step fails instead of skipping.
        assert!(
            std::env::var("CEN_INTEROP").as_deref() != Ok("required"),
            "CEN_INTEROP=required but alibabacloud-credentials is not installed \
             (pip install -r crates/cen-emulator/interop/requirements.txt)"
        );
        eprintln!(
            "skipped the comparison with Python: `pip install alibabacloud-credentials` to run it"
        );
    }
    let _ = std::fs::remove_dir_all(&root);
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
