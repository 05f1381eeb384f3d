//! The installed binary as a CI job uses it: configured only through `CEN_EMULATOR_*`
//! variables, seeded with a snapshot, throttling one operation, healthy by `--health-check`,
//! and back to the seed after a reset.

mod network;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use cen_client::RetryPolicy;
use cen_emulator::local::LocalEmulator;
use network::client;
use serde_json::{Value, json};

/// The binary, killed when dropped.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

async fn state(url: &str) -> Value {
    reqwest::get(format!("{url}/_emulator/state"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn seeded_and_throttled_through_environment_variables() {
    // A topology built once, in process, and exported.
    let builder = LocalEmulator::start().await.unwrap();
    builder
        .client()
        .cbn()
        .create_cen()
        .name("seeded")
        .send()
        .await
        .unwrap();
    let seed = serde_json::to_string(&builder.emulator().export_state(None)).unwrap();
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("binary-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (seed_file, faults_file) = (dir.join("seed.json"), dir.join("faults.json"));
    std::fs::write(&seed_file, &seed).unwrap();
    let faults =
        json!({"Faults": [{"Action": "CreateCen", "Error": "Throttling.User", "Times": 2}]});
    std::fs::write(&faults_file, faults.to_string()).unwrap();

    let mut child = Command::new(env!("CARGO_BIN_EXE_cen-emulator"))
        .current_dir(&dir)
        .env("CEN_EMULATOR_LISTEN", "127.0.0.1:0")
        .env("CEN_EMULATOR_DELAY_MS", "0")
        .env("CEN_EMULATOR_SEED", &seed_file)
        .env("CEN_EMULATOR_FAULTS", &faults_file)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let _running = Running(child);
    let url = line
        .trim()
        .strip_prefix("listening on ")
        .unwrap()
        .to_owned();

    let seeded: Value = serde_json::from_str(&seed).unwrap();
    assert_eq!(state(&url).await, seeded);

    // The first call is throttled; a client that retries gets through the second fault too.
    let error = client(&url, RetryPolicy::none())
        .cbn()
        .create_cen()
        .send()
        .await
        .unwrap_err();
    assert_eq!(error.code(), Some("Throttling.User"));
    client(&url, RetryPolicy::default().max_attempts(3))
        .cbn()
        .create_cen()
        .name("after")
        .send()
        .await
        .unwrap();
    assert_ne!(state(&url).await, seeded);

    let address = url.trim_start_matches("http://");
    let health = Command::new(env!("CARGO_BIN_EXE_cen-emulator"))
        .arg("--health-check")
        .env("CEN_EMULATOR_LISTEN", address)
        .status()
        .unwrap();
    assert!(health.success());

    let reset = reqwest::Client::new()
        .post(format!("{url}/_emulator/reset"))
        .send()
        .await
        .unwrap();
    assert_eq!(reset.status(), 200);
    assert_eq!(state(&url).await, seeded);
    let _ = std::fs::remove_dir_all(&dir);
}
