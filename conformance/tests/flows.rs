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

use cen_conformance::case::{Format, FormatSpec, Kind, load_case};
use cen_conformance::endpoint::start_in_process;
use cen_conformance::flow::{run_flow, snapshot_name};
use rstest::rstest;

async fn check(path: &Path) {
    let case = load_case(path).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        case.kind,
        Kind::Flow,
        "{}: families 3 and 5 hold flow cases",
        case.name()
    );
    let formats: &[Format] = match case.format {
        FormatSpec::Json => &[Format::Json],
        FormatSpec::Xml => &[Format::Xml],
        FormatSpec::Both => &[Format::Json, Format::Xml],
    };
    let client = reqwest::Client::new();
    for &format in formats {
        let endpoint = start_in_process().await.expect("the emulator starts");
        let run = run_flow(&client, &case, format, &endpoint)
            .await
            .unwrap_or_else(|skip| panic!("{}: skipped: {}", case.name(), skip.0));
        match (&case.expected_failure, &run.result) {
            (None, Ok(())) => {}
            (None, Err(failure)) => {
                panic!(
                    "{}[{}]: {failure}\n\n{}",
                    case.name(),
                    format.label(),
                    run.transcript
                )
            }
            (Some(_), Err(_)) => {}
            (Some(x), Ok(())) => panic!(
                "{}[{}] passed but is marked expected_failure ({}): remove the marker",
                case.name(),
                format.label(),
                x.reason
            ),
        }
        let snapshot_dir = transcripts().join(&case.family);
        let mut settings = insta::Settings::clone_current();
        settings.set_snapshot_path(snapshot_dir);
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
