//! Families 2 (authentication) and 4 (malformed requests): every case file is one test, run in
//! each of its formats against a fresh in-process emulator, through the same runner as
//! `cen-conformance run`. A case marked `expected_failure` must still fail.
//!
//! `tests/project-rules/` holds cases in the same language whose expectation is this project's own
//! rule where the reference is silent (provenance `project`): the emulator must keep them, but they
//! are not goldens of the suite and are not shipped.
//!
//! rstest expands the globs at compile time: after adding a case file, touch this file.

use std::path::{Path, PathBuf};

use cen_conformance::case::load_case;
use cen_conformance::endpoint::start_in_process;
use cen_conformance::runner::{RunOptions, plan, run};
use rstest::rstest;

async fn check(path: &Path) {
    let case = load_case(path).unwrap_or_else(|e| panic!("{e}"));
    let options = RunOptions::default();
    let cases = [case];
    let planned = plan(&cases, &options);
    let endpoint = start_in_process().await.expect("the emulator starts");
    let mut out = Vec::new();
    let report = run(&planned, Some(&endpoint), "no endpoint", &options, &mut out)
        .await
        .expect("the runner runs");
    let text = String::from_utf8_lossy(&out);
    assert_eq!(report.failed(), 0, "{text}");
    assert!(
        !text.lines().any(|line| line.starts_with("skip ")),
        "no case may be skipped on the emulator: {text}"
    );
}

#[rstest]
#[tokio::test(flavor = "multi_thread")]
async fn auth(#[files("cases/auth/*.yaml")] path: PathBuf) {
    check(&path).await;
}

#[rstest]
#[tokio::test(flavor = "multi_thread")]
async fn malformed(#[files("cases/malformed/*.yaml")] path: PathBuf) {
    check(&path).await;
}

#[rstest]
#[tokio::test(flavor = "multi_thread")]
async fn project_rules(#[files("tests/project-rules/*/*.yaml")] path: PathBuf) {
    check(&path).await;
}
