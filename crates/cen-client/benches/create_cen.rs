//! What one `CreateCen` call with 20 tags costs the client before it reaches the network, beside
//! what the official Python SDKs spend on the same request, in the same run.
//!
//! The Rust side goes through the public fluent builder (`cen.cbn().create_cen().name(..)..
//! .tag(k, v)` twenty times, `.into_params()`), wraps the parameters into the RPC request the
//! client signs and signs it with a pinned [`SigningContext`], once with V1 (HMAC-SHA1) and once
//! with V3 (ACS3-HMAC-SHA256). Three smaller benchmarks split that cost into building and signing.
//!
//! After criterion, `main` runs `benches/python_sdk_sign.py` (aliyun-python-sdk-core's
//! `get_signed_url`, alibabacloud-tea-openapi's ACS3 `get_authorization`, each with the SDK's own
//! request model) and prints the figures and ratios: V1 and V3 against `get_signed_url`, the
//! baseline the 50x target is set against, and V3 against tea-openapi's signing of the same
//! algorithm. Without `python3` or the SDKs (`pip install -r
//! crates/cen-emulator/interop/requirements.txt`) it says why it skipped; `CEN_BENCH_PYTHON` names
//! another interpreter, `CEN_BENCH_PYTHON=skip` skips on purpose.
//!
//! ```sh
//! cargo bench -p cen-client --bench create_cen
//! ```

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::SystemTime;

use acs_rpc::sign::{HttpMethod, Placement, RpcRequest, sign_v1, sign_v3};
use cen_client::{Cen, Credentials, SigningContext};
use criterion::Criterion;

/// The criterion group, and the first half of every benchmark's name.
const GROUP: &str = "CreateCen 20 tags";
/// The two benchmarks compared with the Python SDKs.
const BUILD_SIGN_V1: &str = "build + sign V1";
const BUILD_SIGN_V3: &str = "build + sign V3";

/// The request, the same values as in `python_sdk_sign.py`.
const NAME: &str = "production network";
const DESCRIPTION: &str = "CEN for prod + dr, 100% owned";
const CLIENT_TOKEN: &str = "02fb3da4-130e-11e9-8e44-001e67d73456";
const HOST: &str = "cbn.aliyuncs.com";

/// Keys `team-1` .. `team-20`, values `value 1 ~ ü` .. `value 20 ~ ü` (UTF-8 and reserved
/// characters, so percent-encoding has work to do).
fn tags() -> Vec<(String, String)> {
    (1..=20)
        .map(|i| (format!("team-{i}"), format!("value {i} ~ ü")))
        .collect()
}

/// The fluent builder, as a caller writes it, down to the wire parameters.
fn build(cen: &Cen, tags: &[(String, String)]) -> acs_rpc::Params {
    let mut request = cen
        .cbn()
        .create_cen()
        .name(NAME)
        .description(DESCRIPTION)
        .client_token(CLIENT_TOKEN);
    for (key, value) in tags {
        request = request.tag(key.as_str(), value.as_str());
    }
    request
        .into_params()
        .unwrap_or_else(|e| panic!("a complete CreateCen: {e}"))
        .into_params()
}

/// The request the client signs on each attempt.
fn rpc(params: acs_rpc::Params) -> RpcRequest<'static> {
    RpcRequest {
        method: HttpMethod::Post,
        host: HOST.into(),
        action: "CreateCen".into(),
        version: "2017-09-12".into(),
        format: "JSON".into(),
        params: params.into(),
        placement: Placement::Query,
    }
}

fn benches(c: &mut Criterion, cen: &Cen) {
    let tags = tags();
    let credentials = Credentials::new("LTAI5tExample", "bench-secret");
    let context = SigningContext::new("2026-11-23T08:00:00Z", "3156853299f313e23d1673dc12e1703d");
    let mut group = c.benchmark_group(GROUP);
    group.bench_function(BUILD_SIGN_V1, |b| {
        b.iter(|| {
            let request = rpc(build(cen, black_box(&tags)));
            sign_v1(&request, &credentials, &context)
        })
    });
    group.bench_function(BUILD_SIGN_V3, |b| {
        b.iter(|| {
            let request = rpc(build(cen, black_box(&tags)));
            sign_v3(&request, &credentials, &context)
        })
    });
    group.bench_function("build only", |b| b.iter(|| build(cen, black_box(&tags))));
    let request = rpc(build(cen, &tags));
    group.bench_function("sign only V1", |b| {
        b.iter(|| sign_v1(black_box(&request), &credentials, &context))
    });
    group.bench_function("sign only V3", |b| {
        b.iter(|| sign_v3(black_box(&request), &credentials, &context))
    });
    group.finish();
}

fn main() {
    let started = SystemTime::now();
    let cen = Cen::builder()
        .endpoint(format!("https://{HOST}"))
        .credentials(Credentials::new("LTAI5tExample", "bench-secret"))
        .build()
        .unwrap_or_else(|e| panic!("a client: {e}"));
    let mut criterion = Criterion::default().configure_from_args();
    benches(&mut criterion, &cen);
    criterion.final_summary();
    compare_with_python(started);
}

/// Criterion's estimate, in nanoseconds, of a benchmark that ran in this process, if it did.
///
/// Criterion keeps its results in `{output}/{group}/{bench}/new/estimates.json`; the estimate is
/// the one it prints in the middle of its `time:` line (the slope when it has one, else the mean).
fn rust_estimate(output: &Path, bench: &str, started: SystemTime) -> Option<f64> {
    let path = output.join(GROUP).join(bench).join("new/estimates.json");
    let fresh = std::fs::metadata(&path)
        .and_then(|m| m.modified())
        .is_ok_and(|modified| modified >= started);
    if !fresh {
        return None;
    }
    let json: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).ok()?).ok()?;
    ["slope", "mean"]
        .iter()
        .find_map(|key| json.get(key)?.get("point_estimate")?.as_f64())
}

/// Where criterion writes, found the way criterion finds it.
fn criterion_output() -> PathBuf {
    if let Some(home) = std::env::var_os("CRITERION_HOME") {
        return PathBuf::from(home);
    }
    if let Some(target) = std::env::var_os("CARGO_TARGET_DIR") {
        return PathBuf::from(target).join("criterion");
    }
    let from_metadata = std::env::var_os("CARGO").and_then(|cargo| {
        let output = Command::new(cargo)
            .args(["metadata", "--format-version", "1", "--no-deps"])
            .output()
            .ok()?;
        let json: serde_json::Value = serde_json::from_slice(&output.stdout).ok()?;
        json.get("target_directory")?.as_str().map(PathBuf::from)
    });
    from_metadata.map_or_else(
        || PathBuf::from("target/criterion"),
        |t| t.join("criterion"),
    )
}

/// Runs the Python SDK timings and prints them beside criterion's figures of this run.
fn compare_with_python(started: SystemTime) {
    let output = criterion_output();
    let v1 = rust_estimate(&output, BUILD_SIGN_V1, started);
    let v3 = rust_estimate(&output, BUILD_SIGN_V3, started);
    if v1.is_none() && v3.is_none() {
        // `--test`, `--list`, `--profile-time` or a filter that left both out: nothing to compare.
        return;
    }
    println!();
    println!("Beside the official Python SDKs (benches/python_sdk_sign.py):");
    let python = match run_python() {
        Ok(python) => python,
        Err(reason) => {
            println!("  skipped: {reason}");
            return;
        }
    };
    for line in &python.report {
        println!("  {line}");
    }
    // The issue's baseline is aliyun-python-sdk-core's `get_signed_url` for both versions (that
    // SDK has no V3 signer); tea-openapi's ACS3 signing is the same algorithm as Rust's V3 and is
    // shown beside it without a target.
    let rows = [
        ("V1", v1, python.v1_us, &python.v1_what, true),
        ("V3", v3, python.v1_us, &python.v1_what, true),
        ("V3", v3, python.v3_us, &python.v3_what, false),
    ];
    for (version, rust_ns, python_us, what, targeted) in rows {
        let Some(rust_ns) = rust_ns else { continue };
        let rust_us = rust_ns / 1000.0;
        let ratio = python_us / rust_us;
        let verdict = match (targeted, ratio >= TARGET_RATIO) {
            (false, _) => "the same signature algorithm, no target".to_owned(),
            (true, true) => format!("meets the {TARGET_RATIO}x target"),
            (true, false) => format!("below the {TARGET_RATIO}x target"),
        };
        println!(
            "  {version}: Rust {rust_us:.2} µs, Python {python_us:.1} µs ({what}, best run): \
             Rust is {ratio:.0}x faster ({verdict})"
        );
    }
}

/// How many times faster than the Python SDK the issue asks the Rust client to be.
const TARGET_RATIO: f64 = 50.0;

/// The Python figures, per call.
struct PythonFigures {
    /// The script's own lines, for the reader.
    report: Vec<String>,
    v1_us: f64,
    v1_what: String,
    v3_us: f64,
    v3_what: String,
}

fn run_python() -> Result<PythonFigures, String> {
    let interpreter = std::env::var("CEN_BENCH_PYTHON").unwrap_or_else(|_| "python3".to_owned());
    if interpreter == "skip" {
        return Err("CEN_BENCH_PYTHON=skip".to_owned());
    }
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/python_sdk_sign.py");
    let output = Command::new(&interpreter)
        .arg(&script)
        .output()
        .map_err(|e| format!("cannot run {interpreter}: {e}"))?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let reason = stdout
            .lines()
            .chain(stderr.lines())
            .find_map(|line| line.strip_prefix("SKIP "))
            .map_or_else(
                || format!("{} failed: {}", script.display(), stderr.trim()),
                str::to_owned,
            );
        return Err(reason);
    }
    let mut figures = PythonFigures {
        report: Vec::new(),
        v1_us: f64::NAN,
        v1_what: String::new(),
        v3_us: f64::NAN,
        v3_what: String::new(),
    };
    for line in stdout.lines() {
        // `RESULT V1 158.2 <what was timed>`
        let Some(rest) = line.strip_prefix("RESULT ") else {
            figures.report.push(line.to_owned());
            continue;
        };
        let mut parts = rest.splitn(3, ' ');
        let (Some(version), Some(us), Some(what)) = (parts.next(), parts.next(), parts.next())
        else {
            continue;
        };
        let Ok(us) = us.parse::<f64>() else { continue };
        match version {
            "V1" => (figures.v1_us, figures.v1_what) = (us, what.to_owned()),
            "V3" => (figures.v3_us, figures.v3_what) = (us, what.to_owned()),
            _ => {}
        }
    }
    if figures.v1_us.is_nan() || figures.v3_us.is_nan() {
        return Err(format!("no RESULT lines from {}", script.display()));
    }
    Ok(figures)
}
