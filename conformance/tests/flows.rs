//! Families 3 (operations) and 5 (scenarios): every flow case runs in each of its formats against
//! a fresh in-process emulator (what `cen-conformance run` uses without `--endpoint`). Every
//! step's expectations must hold (a case marked `expected_failure` must fail). The normalised
//! transcript of the responses is kept as an insta snapshot,
//! `tests/transcripts/<family>/<id>.<format>.snap`: a record of what this emulator answers, so
//! that a change in it is reviewed. It is not an expectation of the suite (`cen-conformance run`
//! never reads it), since it comes from this project's own code.
//!
//! The cases mostly wait for the emulator's transitions, so they run concurrently in one test
//! (16 at a time) rather than one test per file on the harness's few threads; every failure is
//! reported at the end. `CEN_FLOW_FILTER=<part of family/id>` narrows the run.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use cen_conformance::case::{Case, Kind, load_dir};
use cen_conformance::flow::{run_in_process, snapshot_name};

/// How many cases run at once.
const CONCURRENCY: usize = 16;

#[tokio::test(flavor = "multi_thread")]
async fn every_flow_case_holds_and_its_transcript_is_kept() {
    let root = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/cases"));
    let filter = std::env::var("CEN_FLOW_FILTER").unwrap_or_default();
    let cases: Vec<Case> = load_dir(root)
        .unwrap_or_else(|e| panic!("{e}"))
        .into_iter()
        .filter(|c| matches!(c.family.as_str(), "operations" | "scenarios"))
        .filter(|c| c.name().contains(&filter))
        .collect();
    assert!(!cases.is_empty(), "no flow case matches {filter:?}");
    let permits = Arc::new(tokio::sync::Semaphore::new(CONCURRENCY));
    let mut tasks = tokio::task::JoinSet::new();
    for (index, case) in cases.into_iter().enumerate() {
        let permits = Arc::clone(&permits);
        tasks.spawn(async move {
            let _permit = permits
                .acquire_owned()
                .await
                .expect("the semaphore is open");
            let runs = run_in_process(&case).await;
            (index, case, runs)
        });
    }
    let mut results = tasks.join_all().await;
    results.sort_by_key(|(index, _, _)| *index);
    let mut failures = Vec::new();
    for (_, case, runs) in results {
        if case.kind != Kind::Flow {
            failures.push(format!("{}: families 3 and 5 hold flow cases", case.name()));
            continue;
        }
        for (format, run, verdict) in runs {
            if let Err(message) = verdict {
                failures.push(message);
                continue;
            }
            let mut settings = insta::Settings::clone_current();
            settings.set_snapshot_path(transcripts().join(&case.family));
            settings.set_prepend_module_to_snapshot(false);
            settings.set_omit_expression(true);
            settings.set_description(case.description.trim());
            let kept = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                settings.bind(|| {
                    insta::assert_snapshot!(snapshot_name(&case, format), run.transcript);
                });
            }));
            if kept.is_err() {
                failures.push(format!(
                    "{}[{}]: the transcript differs from its snapshot (above)",
                    case.name(),
                    format.label()
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} failure(s):\n{}",
        failures.len(),
        failures.join("\n")
    );
}

fn transcripts() -> PathBuf {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/transcripts")).to_owned()
}

/// CI never writes snapshots, and a transcript whose case is gone must not linger: nothing would
/// read it and nobody would notice it going stale.
#[test]
fn every_snapshot_belongs_to_a_case() {
    let cases = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/cases"));
    for family in ["operations", "scenarios"] {
        let snapshots = transcripts().join(family);
        for entry in std::fs::read_dir(&snapshots).expect("the snapshot directory") {
            let name = entry
                .expect("an entry")
                .file_name()
                .to_string_lossy()
                .into_owned();
            let id = name
                .strip_suffix(".json.snap")
                .or_else(|| name.strip_suffix(".xml.snap"))
                .unwrap_or_else(|| {
                    panic!("tests/transcripts/{family}/{name} is not a case transcript")
                });
            assert!(
                cases.join(family).join(format!("{id}.yaml")).is_file(),
                "tests/transcripts/{family}/{name} has no case {family}/{id}.yaml: delete it"
            );
        }
    }
}
