//! Interoperability: the `cen-emulator` binary, as a user runs it, driven by Alibaba Cloud's
//! official Python SDKs and by this workspace's Rust client.
//!
//! One emulator process (`--listen 127.0.0.1:0 --delay-ms 200`) serves every test of this file
//! that runs at the same time; the flows take turns (they attach the same inventory VPCs) and
//! each starts from `POST /_emulator/reset`. The process is killed when the last test holding it
//! ends, panicking or not.
//!
//! The Python flows (`interop/flow_tea.py` and the transit-router hub and spoke of
//! `interop/flow_transit.py` with V3 and V1 signatures, `interop/flow_core.py` with JSON and XML
//! responses) need the SDKs of `interop/requirements.txt`. Without them these tests
//! print how to install them and pass, unless `CEN_INTEROP=required` (set by CI) makes them fail.
//! `CEN_INTEROP_PYTHON` names the interpreter (default `python3`). The Rust-client flow always
//! runs.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, Once, OnceLock, Weak};
use std::time::{Duration, Instant};

use cen_client::cbn::types as cbn;
use cen_client::vpc::types as vpc;
use cen_client::{Cen, Credentials, SignatureVersion};

/// The modules the Python flows import.
const PYTHON_MODULES: &str = "alibabacloud_cbn20170912, alibabacloud_vpc20160428, \
     alibabacloud_tea_openapi, aliyunsdkcore, aliyunsdkcbn, aliyunsdkvpc";

const PIP_COMMAND: &str = "python3 -m pip install -r crates/cen-emulator/interop/requirements.txt";

/// How long one Python flow may take before it is killed (each of its waits is bounded at 30 s).
const FLOW_TIMEOUT: Duration = Duration::from_secs(180);

/// The emulator's default accounts: AccessKey id, secret, UID.
const ACCOUNT_1: (&str, &str, i64) = (
    "LTAI5tEmulatorDefault1",
    "emulator-secret-1",
    1_234_567_890_123_456,
);
const ACCOUNT_2: (&str, &str, i64) = (
    "LTAI5tEmulatorDefault2",
    "emulator-secret-2",
    6_543_210_987_654_321,
);

// ---------------------------------------------------------------------------------------------
// The emulator process
// ---------------------------------------------------------------------------------------------

/// A running `cen-emulator`; dropping it kills the process.
struct EmulatorProcess {
    child: Child,
    /// `http://127.0.0.1:<port>`.
    url: String,
    /// Where the emulator's stderr (its log) goes.
    log: PathBuf,
    /// Kept open so the emulator never writes into a closed pipe.
    _stdout: BufReader<ChildStdout>,
}

/// Set when a flow failed: the emulator's log is then kept for diagnosis.
static KEEP_LOG: AtomicBool = AtomicBool::new(false);

impl Drop for EmulatorProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if !KEEP_LOG.load(Ordering::SeqCst) && !std::thread::panicking() {
            let _ = std::fs::remove_file(&self.log);
        }
    }
}

impl EmulatorProcess {
    fn start() -> Self {
        let log = Path::new(env!("CARGO_TARGET_TMPDIR"))
            .join(format!("interop-emulator-{}.log", std::process::id()));
        let log_file = std::fs::File::create(&log)
            .unwrap_or_else(|e| panic!("cannot create {}: {e}", log.display()));
        let mut child = Command::new(env!("CARGO_BIN_EXE_cen-emulator"))
            .args(["--listen", "127.0.0.1:0", "--delay-ms", "200"])
            .env("RUST_LOG", "info")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(log_file)
            .spawn()
            .expect("cannot start the cen-emulator binary");
        let mut stdout = BufReader::new(child.stdout.take().expect("piped stdout"));
        // Read the first line on a thread so that an emulator that never prints fails the test
        // instead of hanging it.
        let (sender, receiver) = std::sync::mpsc::channel();
        let reader = std::thread::spawn(move || {
            let mut line = String::new();
            let result = stdout.read_line(&mut line).map(|_| line);
            let _ = sender.send(result);
            stdout
        });
        let line = match receiver.recv_timeout(Duration::from_secs(30)) {
            Ok(Ok(line)) => line,
            Ok(Err(e)) => {
                let _ = child.kill();
                panic!("reading the emulator's stdout failed: {e}");
            }
            Err(_) => {
                let _ = child.kill();
                panic!(
                    "the emulator printed no line within 30 s; its log:\n{}",
                    tail(&log)
                );
            }
        };
        let stdout = reader.join().expect("the stdout reader panicked");
        let url = line
            .trim()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| {
                let _ = child.kill();
                panic!(
                    "unexpected first line {line:?}; the emulator's log:\n{}",
                    tail(&log)
                )
            })
            .to_owned();
        assert!(url.starts_with("http://127.0.0.1:"), "unexpected URL {url}");
        let emulator = Self {
            child,
            url,
            log,
            _stdout: stdout,
        };
        let (status, body) = emulator.http("GET", "/_emulator/health");
        assert_eq!(status, 200, "health check: {body}");
        println!(
            "cen-emulator listening on {} (log: {})",
            emulator.url,
            emulator.log.display()
        );
        emulator
    }

    /// `host:port` of the emulator.
    fn address(&self) -> &str {
        self.url.trim_start_matches("http://")
    }

    /// A bodiless request to one of the emulator's admin endpoints: status and body.
    fn http(&self, method: &str, path: &str) -> (u16, String) {
        let mut stream = TcpStream::connect(self.address()).expect("connect to the emulator");
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .expect("set a read timeout");
        write!(
            stream,
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            self.address()
        )
        .expect("send the request");
        let mut response = String::new();
        stream
            .read_to_string(&mut response)
            .expect("read the response");
        let status = response
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("not an HTTP response: {response:?}"));
        let body = response
            .split_once("\r\n\r\n")
            .map(|(_, body)| body.to_owned())
            .unwrap_or_default();
        (status, body)
    }

    /// Back to the start-up state, between flows.
    fn reset(&self) {
        let (status, body) = self.http("POST", "/_emulator/reset");
        assert_eq!(status, 200, "POST /_emulator/reset: {body}");
    }

    /// The end of the emulator's log, for failure messages.
    fn log_tail(&self) -> String {
        tail(&self.log)
    }
}

/// The last lines of a file.
fn tail(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(40)..].join("\n")
}

/// The emulator shared by the tests running now: started by the first, killed when the last
/// one drops its handle.
fn emulator() -> Arc<EmulatorProcess> {
    static SHARED: Mutex<Weak<EmulatorProcess>> = Mutex::new(Weak::new());
    let mut shared = SHARED.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(running) = shared.upgrade() {
        return running;
    }
    let started = Arc::new(EmulatorProcess::start());
    *shared = Arc::downgrade(&started);
    started
}

/// A flow's exclusive use of the emulator; a flow that panics keeps the emulator's log.
struct Turn {
    _guard: MutexGuard<'static, ()>,
    log: PathBuf,
}

impl Drop for Turn {
    fn drop(&mut self) {
        if std::thread::panicking() {
            KEEP_LOG.store(true, Ordering::SeqCst);
            eprintln!("the emulator's log is kept at {}", self.log.display());
        }
    }
}

/// One flow at a time, from a reset emulator: the flows all attach the same inventory VPCs.
fn take_turn(emulator: &EmulatorProcess) -> Turn {
    static TURN: Mutex<()> = Mutex::new(());
    let guard = TURN.lock().unwrap_or_else(|e| e.into_inner());
    emulator.reset();
    Turn {
        _guard: guard,
        log: emulator.log.clone(),
    }
}

// ---------------------------------------------------------------------------------------------
// The Python flows
// ---------------------------------------------------------------------------------------------

fn python() -> String {
    std::env::var("CEN_INTEROP_PYTHON").unwrap_or_else(|_| "python3".to_owned())
}

fn interop_required() -> bool {
    std::env::var("CEN_INTEROP").is_ok_and(|v| v.eq_ignore_ascii_case("required"))
}

/// Why the Python SDKs cannot be used, or `None` when they import. Asked once per test run.
fn python_problem() -> Option<&'static str> {
    static PROBLEM: OnceLock<Option<String>> = OnceLock::new();
    PROBLEM
        .get_or_init(|| {
            let python = python();
            let outcome = Command::new(&python)
                .args(["-c", &format!("import {PYTHON_MODULES}")])
                .stdin(Stdio::null())
                .output();
            match outcome {
                Ok(output) if output.status.success() => None,
                Ok(output) => Some(format!(
                    "`{python}` cannot import the SDKs: {}",
                    String::from_utf8_lossy(&output.stderr)
                        .lines()
                        .last()
                        .unwrap_or("no message")
                )),
                Err(e) => Some(format!("cannot run `{python}`: {e}")),
            }
        })
        .as_deref()
}

/// Whether the SDKs import; when they do not, either skips (false) or fails, per `CEN_INTEROP`.
fn python_sdks_available() -> bool {
    let Some(problem) = python_problem() else {
        return true;
    };
    if interop_required() {
        panic!(
            "CEN_INTEROP=required but {problem}\n\
             install them with: {PIP_COMMAND}\n\
             (or point CEN_INTEROP_PYTHON at an interpreter that has them)"
        );
    }
    // Once, and straight to the process's stderr: the test harness captures `eprintln!` of
    // passing tests, and this notice must be seen.
    static NOTICE: Once = Once::new();
    NOTICE.call_once(|| {
        let _ = writeln!(
            std::io::stderr(),
            "skipping interop: run `pip install -r crates/cen-emulator/interop/requirements.txt` \
             ({problem}; set CEN_INTEROP=required to make this a failure)"
        );
    });
    false
}

/// Collects a pipe on a thread, so a chatty child never blocks on a full pipe.
fn collect(mut pipe: impl Read + Send + 'static) -> std::thread::JoinHandle<String> {
    std::thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = pipe.read_to_end(&mut bytes);
        String::from_utf8_lossy(&bytes).into_owned()
    })
}

/// Runs `python3 interop/<script> --endpoint URL <args>` against the shared emulator and asserts
/// that it exits 0, showing its output (and the emulator's log) when it does not.
fn run_python_flow(script: &str, args: &[&str]) {
    if !python_sdks_available() {
        return;
    }
    let emulator = emulator();
    let _turn = take_turn(&emulator);
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut command = Command::new(python());
    command
        .arg(Path::new("interop").join(script))
        .args(["--endpoint", &emulator.url])
        .args(args)
        .current_dir(manifest_dir)
        // No __pycache__ in the source tree; output as it happens; loopback never via a proxy.
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .env("PYTHONUNBUFFERED", "1")
        .env("NO_PROXY", "127.0.0.1,localhost")
        .env("no_proxy", "127.0.0.1,localhost")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let shown = format!(
        "{} interop/{script} --endpoint {} {}",
        python(),
        emulator.url,
        args.join(" ")
    );
    let started = Instant::now();
    let mut child = command
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run `{shown}`: {e}"));
    let stdout = collect(child.stdout.take().expect("piped stdout"));
    let stderr = collect(child.stderr.take().expect("piped stderr"));
    let status: Option<ExitStatus> = loop {
        match child.try_wait().expect("wait for the flow") {
            Some(status) => break Some(status),
            None if started.elapsed() > FLOW_TIMEOUT => {
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
            None => std::thread::sleep(Duration::from_millis(50)),
        }
    };
    let stdout = stdout.join().unwrap_or_default();
    let stderr = stderr.join().unwrap_or_default();
    println!(
        "$ {shown}\n{stdout}{stderr}(finished in {:.1} s)",
        started.elapsed().as_secs_f64()
    );
    let verdict = match status {
        Some(status) if status.success() => return,
        Some(status) => format!("exited with {status}"),
        None => format!("was killed after {} s", FLOW_TIMEOUT.as_secs()),
    };
    panic!(
        "`{shown}` {verdict}\n--- stdout ---\n{stdout}\n--- stderr ---\n{stderr}\n\
         --- emulator log (tail) ---\n{}",
        emulator.log_tail()
    );
}

#[test]
fn tea_sdk_flow_with_v3_signatures() {
    run_python_flow("flow_tea.py", &["--signature", "v3"]);
}

#[test]
fn tea_sdk_flow_with_v1_signatures() {
    // The SDK calls the HMAC-SHA1 RPC signature `signature_algorithm='v2'`.
    run_python_flow("flow_tea.py", &["--signature", "v2"]);
}

#[test]
fn tea_sdk_transit_router_flow_with_v3_signatures() {
    run_python_flow("flow_transit.py", &["--signature", "v3"]);
}

#[test]
fn tea_sdk_transit_router_flow_with_v1_signatures() {
    run_python_flow("flow_transit.py", &["--signature", "v2"]);
}

#[test]
fn tea_sdk_routing_policies_and_multicast_flow_with_v3_signatures() {
    run_python_flow("flow_policies.py", &["--signature", "v3"]);
}

#[test]
fn tea_sdk_routing_policies_and_multicast_flow_with_v1_signatures() {
    run_python_flow("flow_policies.py", &["--signature", "v2"]);
}

#[test]
fn tea_sdk_retry_settings_with_injected_faults() {
    run_python_flow("flow_faults.py", &["--signature", "v3"]);
}

#[test]
fn core_sdk_flow_with_json_responses() {
    run_python_flow("flow_core.py", &["--format", "JSON"]);
}

#[test]
fn core_sdk_flow_with_xml_responses() {
    run_python_flow("flow_core.py", &["--format", "XML"]);
}

// ---------------------------------------------------------------------------------------------
// The Rust-client flow
// ---------------------------------------------------------------------------------------------

fn client(url: &str, account: (&str, &str, i64), signature: SignatureVersion) -> Cen {
    Cen::builder()
        .endpoint(url)
        .credentials(Credentials::new(account.0, account.1))
        .signature_version(signature)
        .timeout(Duration::from_secs(10))
        .build()
        .expect("build the client")
}

/// Polls `probe` every 100 ms until it answers `Some`, for at most 30 s.
async fn wait_for<T, F, Fut>(what: &str, mut probe: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<Option<T>, String>>,
{
    let started = Instant::now();
    loop {
        match probe().await {
            Ok(Some(value)) => {
                println!(
                    "  waited {:.2} s until {what}",
                    started.elapsed().as_secs_f64()
                );
                return value;
            }
            Ok(None) if started.elapsed() < Duration::from_secs(30) => {
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            Ok(None) => panic!("timed out after 30 s waiting until {what}"),
            Err(e) => panic!("while waiting until {what}: {e}"),
        }
    }
}

/// The attachments of a CEN instance as `(id, status, owner)`.
async fn children(cen: &Cen, cen_id: &str) -> Result<Vec<(String, String, i64)>, String> {
    let page = cen
        .cbn()
        .describe_cen_attached_child_instances()
        .cen_id(cen_id)
        .page_size(50)
        .send()
        .await
        .map_err(|e| e.to_string())?;
    let items = page
        .child_instances
        .map(|c| c.child_instance)
        .unwrap_or_default();
    assert_eq!(page.total_count, Some(items.len() as i32), "TotalCount");
    Ok(items
        .into_iter()
        .map(|i| {
            (
                i.child_instance_id.unwrap_or_default(),
                i.status.unwrap_or_default(),
                i.child_instance_owner_id.unwrap_or_default(),
            )
        })
        .collect())
}

/// The inter-region limits of a CEN instance as `(local, opposite, limit, status)`.
async fn limits(cen: &Cen, cen_id: &str) -> Result<Vec<(String, String, i64, String)>, String> {
    let page = cen
        .cbn()
        .describe_cen_inter_region_bandwidth_limits()
        .cen_id(cen_id)
        .send()
        .await
        .map_err(|e| e.to_string())?;
    Ok(page
        .cen_inter_region_bandwidth_limits
        .map(|l| l.cen_inter_region_bandwidth_limit)
        .unwrap_or_default()
        .into_iter()
        .map(|l| {
            (
                l.local_region_id.unwrap_or_default(),
                l.opposite_region_id.unwrap_or_default(),
                l.bandwidth_limit.unwrap_or_default(),
                l.status.unwrap_or_default(),
            )
        })
        .collect())
}

/// The first VPC of `owner` in `region`, from `GET /_emulator/inventory`.
fn inventory_vpc(inventory: &serde_json::Value, owner: i64, region: &str) -> String {
    inventory["Instances"]
        .as_array()
        .expect("an Instances list")
        .iter()
        .find(|i| i["InstanceType"] == "VPC" && i["OwnerId"] == owner && i["RegionId"] == region)
        .and_then(|i| i["InstanceId"].as_str())
        .unwrap_or_else(|| panic!("no VPC of {owner} in {region} in the inventory"))
        .to_owned()
}

/// Expects the call to fail with the service's `code`.
fn expect_code<T: std::fmt::Debug>(
    what: &str,
    result: Result<T, impl Into<cen_client::Error>>,
    code: &str,
    status: u16,
) {
    match result.map_err(Into::into) {
        Ok(value) => panic!("{what}: expected {code}, got success {value:?}"),
        Err(cen_client::Error::Api(api)) => {
            assert_eq!(
                (api.code.as_str(), api.status),
                (code, status),
                "{what}: {api:?}"
            );
            println!("  {what}: refused with HTTP {status} {code} as expected");
        }
        Err(other) => panic!("{what}: expected {code}, got {other}"),
    }
}

async fn rust_client_flow(emulator: &EmulatorProcess, signature: SignatureVersion) {
    let url = emulator.url.as_str();
    let (status, body) = emulator.http("GET", "/_emulator/inventory");
    assert_eq!(status, 200, "GET /_emulator/inventory: {body}");
    let inventory: serde_json::Value = serde_json::from_str(&body).expect("inventory JSON");
    let hz = inventory_vpc(&inventory, ACCOUNT_1.2, "cn-hangzhou");
    let us = inventory_vpc(&inventory, ACCOUNT_1.2, "us-west-1");
    let b_hz = inventory_vpc(&inventory, ACCOUNT_2.2, "cn-hangzhou");
    let a = client(url, ACCOUNT_1, signature);
    let b = client(url, ACCOUNT_2, signature);
    println!("Rust client, {signature:?} signatures, VPCs {hz} {us} {b_hz}");

    // The CEN instance.
    let cen_id = a
        .cbn()
        .create_cen()
        .name(format!("interop-rust-{signature:?}"))
        .send()
        .await
        .expect("CreateCen")
        .cen_id
        .expect("a CenId");
    println!("  CreateCen -> {cen_id}");
    let active = a
        .cbn()
        .wait_until_cen_active(&cen_id)
        .timeout(Duration::from_secs(30))
        .poll_interval(Duration::from_millis(100))
        .await
        .expect("the CEN instance becomes Active");
    assert_eq!(active.status.as_deref(), Some("Active"));
    println!("  {cen_id} is Active");

    // Attachments, one across accounts.
    let attach = |id: &str, region: &str, owner: Option<i64>| {
        let builder = a
            .cbn()
            .attach_cen_child_instance()
            .cen_id(&cen_id)
            .child_instance_id(id)
            .child_instance_region_id(region)
            .child_instance_type(cbn::ChildInstanceType::Vpc);
        match owner {
            Some(owner) => builder.child_instance_owner_id(owner),
            None => builder,
        }
    };
    attach(&hz, "cn-hangzhou", None)
        .send()
        .await
        .expect("attach hz");
    attach(&us, "us-west-1", None)
        .send()
        .await
        .expect("attach us");
    wait_for("both VPCs are Attached", || async {
        let items = children(&a, &cen_id).await?;
        Ok((items.len() == 2 && items.iter().all(|i| i.1 == "Attached")).then_some(()))
    })
    .await;
    expect_code(
        "attaching account 2's VPC without a grant",
        attach(&b_hz, "cn-hangzhou", Some(ACCOUNT_2.2)).send().await,
        "Forbbiden.AttachChildInstanceAcrossUid",
        409,
    );
    b.vpc()
        .grant_instance_to_cen()
        .cen_id(&cen_id)
        .cen_owner_id(ACCOUNT_1.2)
        .instance_id(&b_hz)
        .instance_type(vpc::GrantInstanceToCenRequestInstanceType::Vpc)
        .region_id("cn-hangzhou")
        .send()
        .await
        .expect("GrantInstanceToCen");
    println!("  account 2 granted {b_hz} to {cen_id}");
    attach(&b_hz, "cn-hangzhou", Some(ACCOUNT_2.2))
        .send()
        .await
        .expect("cross-account attach");
    wait_for("three VPCs are Attached", || async {
        let items = children(&a, &cen_id).await?;
        Ok((items.len() == 3 && items.iter().all(|i| i.1 == "Attached")).then_some(()))
    })
    .await;

    // Bandwidth.
    let plan_id = a
        .cbn()
        .create_cen_bandwidth_package()
        .bandwidth(10)
        .geographic_region_a_id(cbn::GeographicRegionId::China)
        .geographic_region_b_id(cbn::GeographicRegionId::NorthAmerica)
        .bandwidth_package_charge_type(
            cbn::CreateCenBandwidthPackageRequestBandwidthPackageChargeType::Prepay,
        )
        .pricing_cycle(cbn::CreateCenBandwidthPackageRequestPricingCycle::Month)
        .period(1)
        .auto_pay(true)
        .send()
        .await
        .expect("CreateCenBandwidthPackage")
        .cen_bandwidth_package_id
        .expect("a CenBandwidthPackageId");
    println!("  CreateCenBandwidthPackage -> {plan_id}");
    a.cbn()
        .associate_cen_bandwidth_package()
        .cen_id(&cen_id)
        .cen_bandwidth_package_id(&plan_id)
        .send()
        .await
        .expect("AssociateCenBandwidthPackage");
    let set_limit = |limit: i64| {
        a.cbn()
            .set_cen_inter_region_bandwidth_limit()
            .cen_id(&cen_id)
            .local_region_id("cn-hangzhou")
            .opposite_region_id("us-west-1")
            .bandwidth_limit(limit)
    };
    set_limit(5)
        .send()
        .await
        .expect("SetCenInterRegionBandwidthLimit 5");
    let active_limits = wait_for("the limit is Active", || async {
        let items = limits(&a, &cen_id).await?;
        Ok((items.len() == 1 && items[0].3 == "Active").then_some(items))
    })
    .await;
    assert_eq!(active_limits[0].2, 5, "BandwidthLimit");
    let mut regions = [active_limits[0].0.as_str(), active_limits[0].1.as_str()];
    regions.sort_unstable();
    assert_eq!(regions, ["cn-hangzhou", "us-west-1"]);
    let attached = children(&a, &cen_id).await.expect("children");
    assert_eq!(attached.len(), 3, "{attached:?}");
    let mut ids: Vec<&str> = attached.iter().map(|c| c.0.as_str()).collect();
    ids.sort_unstable();
    let mut expected = [hz.as_str(), us.as_str(), b_hz.as_str()];
    expected.sort_unstable();
    assert_eq!(ids, expected);
    assert!(
        attached.iter().any(|c| c.0 == b_hz && c.2 == ACCOUNT_2.2),
        "{attached:?}"
    );
    println!("  limit {active_limits:?}; attached {attached:?}");

    // Teardown, in order.
    set_limit(0)
        .send()
        .await
        .expect("SetCenInterRegionBandwidthLimit 0");
    assert!(limits(&a, &cen_id).await.expect("limits").is_empty());
    a.cbn()
        .unassociate_cen_bandwidth_package()
        .cen_id(&cen_id)
        .cen_bandwidth_package_id(&plan_id)
        .send()
        .await
        .expect("UnassociateCenBandwidthPackage");
    a.cbn()
        .delete_cen_bandwidth_package()
        .cen_bandwidth_package_id(&plan_id)
        .send()
        .await
        .expect("DeleteCenBandwidthPackage");
    for (id, region, owner) in [
        (&hz, "cn-hangzhou", None),
        (&us, "us-west-1", None),
        (&b_hz, "cn-hangzhou", Some(ACCOUNT_2.2)),
    ] {
        let detach = a
            .cbn()
            .detach_cen_child_instance()
            .cen_id(&cen_id)
            .child_instance_id(id)
            .child_instance_region_id(region)
            .child_instance_type(cbn::ChildInstanceType::Vpc);
        let detach = match owner {
            Some(owner) => detach.child_instance_owner_id(owner),
            None => detach,
        };
        detach.send().await.expect("DetachCenChildInstance");
    }
    wait_for("every VPC is detached", || async {
        Ok(children(&a, &cen_id).await?.is_empty().then_some(()))
    })
    .await;
    b.vpc()
        .revoke_instance_from_cen()
        .cen_id(&cen_id)
        .cen_owner_id(ACCOUNT_1.2)
        .instance_id(&b_hz)
        .instance_type(vpc::InstanceType::Vpc)
        .region_id("cn-hangzhou")
        .send()
        .await
        .expect("RevokeInstanceFromCen");
    a.cbn()
        .delete_cen()
        .cen_id(&cen_id)
        .send()
        .await
        .expect("DeleteCen");
    a.cbn()
        .wait_until_cen_deleted(&cen_id)
        .timeout(Duration::from_secs(30))
        .poll_interval(Duration::from_millis(100))
        .await
        .expect("the CEN instance is gone");
    println!("  torn down");

    // Authentication failures.
    let wrong_secret = client(url, (ACCOUNT_1.0, "not-the-secret", 0), signature);
    expect_code(
        "a wrong secret",
        wrong_secret.cbn().describe_cens().send().await,
        "SignatureDoesNotMatch",
        400,
    );
    let unknown_key = client(url, ("LTAI5tNoSuchAccessKey00", "whatever", 0), signature);
    expect_code(
        "an unknown AccessKeyId",
        unknown_key.cbn().describe_cens().send().await,
        "InvalidAccessKeyId.NotFound",
        404,
    );
}

fn run_rust_flow(signature: SignatureVersion) {
    let emulator = emulator();
    let _turn = take_turn(&emulator);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a tokio runtime");
    runtime.block_on(rust_client_flow(&emulator, signature));
}

#[test]
fn rust_client_flow_with_v3_signatures() {
    run_rust_flow(SignatureVersion::V3);
}

#[test]
fn rust_client_flow_with_v1_signatures() {
    run_rust_flow(SignatureVersion::V1);
}
