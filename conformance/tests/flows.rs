//! Families 3 (operations) and 5 (scenarios): every flow case file is one test, run in each of
//! its formats against a fresh in-process emulator (what `cen-conformance run` uses without
//! `--endpoint`). Every step's expectations must hold (a case marked `expected_failure` must
//! fail). The normalised transcript of the responses is kept as an insta snapshot,
//! `tests/transcripts/<family>/<id>.<format>.snap`: a record of what this emulator answers, so
//! that a change in it is reviewed. It is not an expectation of the suite (`cen-conformance run`
//! never reads it), since it comes from this project's own code.
//!
//! rstest expands the globs at compile time: after adding a case file, touch this file.

use std::path::{Path, PathBuf};

use cen_conformance::case::{Kind, load_case};
use cen_conformance::flow::{run_in_process, snapshot_name};
use rstest::rstest;

async fn check(path: &Path) {
    let case = load_case(path).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        case.kind,
        Kind::Flow,
        "{}: families 3 and 5 hold flow cases",
        case.name()
    );
    for (format, run, verdict) in run_in_process(&case).await {
        verdict.unwrap_or_else(|message| panic!("{message}"));
        let mut settings = insta::Settings::clone_current();
        settings.set_snapshot_path(transcripts().join(&case.family));
        settings.set_prepend_module_to_snapshot(false);
        settings.set_omit_expression(true);
        settings.set_description(case.description.trim());
        settings.bind(|| {
            insta::assert_snapshot!(snapshot_name(&case, format), run.transcript);
        });
    }
}

#[rstest]
#[tokio::test(flavor = "multi_thread")]
async fn operations(#[files("cases/operations/*.yaml")] path: PathBuf) {
    check(&path).await;
}

#[rstest]
#[tokio::test(flavor = "multi_thread")]
async fn scenarios(#[files("cases/scenarios/*.yaml")] path: PathBuf) {
    check(&path).await;
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
                .unwrap_or_else(|| panic!("{family}/snapshots/{name} is not a case snapshot"));
            assert!(
                cases.join(family).join(format!("{id}.yaml")).is_file(),
                "{family}/snapshots/{name} has no case {family}/{id}.yaml: delete it"
            );
        }
    }
}
