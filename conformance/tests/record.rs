//! `record` against the in-process emulator, into a temporary copy of a few case files: it writes
//! the emulator's answers over a golden recorded from loopback, and refuses to replace a
//! `reference` golden (naming the case) without sending or writing anything.

use std::path::{Path, PathBuf};

use cen_conformance::case::{Expect, Source, load_case, load_dir};
use cen_conformance::endpoint::start_in_process;
use cen_conformance::record::{RecordError, Recorded, record};
use cen_conformance::runner::{RunOptions, plan, run};

/// Copies shipped cases into `<tmp>/cases/malformed/`, the first `loopback` ones turned into
/// goldens recorded from an emulator on loopback, with a wrong status so a rewrite shows.
fn temp_cases(tag: &str, loopback: &[&str], reference: &[&str]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "cen-conformance-record-{tag}-{}",
        std::process::id()
    ));
    let family = dir.join("malformed");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&family).expect("temp dir");
    let shipped = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/cases")).join("malformed");
    for id in loopback {
        let text = std::fs::read_to_string(shipped.join(format!("{id}.yaml"))).expect("case");
        let text = text
            .replacen(
                "  source: reference\n",
                "  source: recorded\n  endpoint: \"127.0.0.1:9000\"\n  date: \"2025-01-01\"\n",
                1,
            )
            .replacen("  status: 400\n", "  status: 599\n", 1);
        std::fs::write(family.join(format!("{id}.yaml")), text).expect("write");
    }
    for id in reference {
        std::fs::copy(
            shipped.join(format!("{id}.yaml")),
            family.join(format!("{id}.yaml")),
        )
        .expect("copy");
    }
    dir
}

#[tokio::test(flavor = "multi_thread")]
async fn records_emulator_goldens_and_the_result_passes() {
    let dir = temp_cases(
        "ok",
        &["missing-required-parameter", "mistyped-integer-word"],
        &[],
    );
    let cases = load_dir(&dir).expect("cases load");
    let options = RunOptions::default();
    let planned = plan(&cases, &options);
    let endpoint = start_in_process().await.expect("the emulator starts");
    let mut out = Vec::new();
    let report = record(&planned, &endpoint, &options, None, "2025-06-01", &mut out)
        .await
        .expect("recorded");
    let text = String::from_utf8(out).expect("UTF-8");
    assert_eq!(report.written(), 2, "{text}");
    assert_eq!(text.lines().last(), Some("2 recorded, 0 failed, 0 skipped"));

    let case = load_case(&dir.join("malformed/mistyped-integer-word.yaml")).expect("loads");
    assert_eq!(case.provenance.source, Source::Recorded);
    assert_eq!(
        case.provenance.endpoint.as_deref(),
        Some(endpoint.host.as_str())
    );
    assert_eq!(case.provenance.date.as_deref(), Some("2025-06-01"));
    let Expect::Response(expect) = &case.expect else {
        panic!("an exchange case")
    };
    assert_eq!(expect.status, 400, "the wrong 599 is replaced");
    assert_eq!(expect.code.as_deref(), Some("InvalidParameter"));
    // The case checked a prefix, and the answer still starts with it: the prefix is kept.
    assert_eq!(
        expect.message_prefix.as_deref(),
        Some("The specified parameter \"PageSize\" is not valid")
    );
    assert!(
        expect.fields.iter().any(|f| f == "RequestId"),
        "{:?}",
        expect.fields
    );
    // The request is untouched, byte for byte.
    let written = std::fs::read_to_string(&case.path).expect("read");
    assert!(
        written.contains("  params:\n    PageSize: \"ten\"\n"),
        "{written}"
    );
    // The normalised bodies are next to the case.
    let snap =
        std::fs::read_to_string(dir.join("malformed/recorded/mistyped-integer-word.json.body"))
            .expect("snapshot");
    assert!(snap.contains("\"Code\": \"InvalidParameter\""), "{snap}");
    assert!(snap.contains("<request-id>"), "{snap}");

    // The recorded cases pass against the endpoint they were recorded from.
    let cases = load_dir(&dir).expect("recorded cases load");
    let planned = plan(&cases, &options);
    let mut out = Vec::new();
    let report = run(&planned, Some(&endpoint), "", &options, &mut out)
        .await
        .expect("run");
    assert_eq!(report.failed(), 0, "{}", String::from_utf8_lossy(&out));
    std::fs::remove_dir_all(&dir).expect("clean up");
}

#[tokio::test(flavor = "multi_thread")]
async fn refuses_to_replace_a_reference_golden_with_an_emulator_recording() {
    let dir = temp_cases(
        "refuse",
        &["mistyped-integer-word"],
        &["missing-required-parameter"],
    );
    let before =
        std::fs::read_to_string(dir.join("malformed/mistyped-integer-word.yaml")).expect("read");
    let cases = load_dir(&dir).expect("cases load");
    let options = RunOptions::default();
    let planned = plan(&cases, &options);
    let endpoint = start_in_process().await.expect("the emulator starts");
    let mut out = Vec::new();
    let error = record(&planned, &endpoint, &options, None, "2025-06-01", &mut out)
        .await
        .expect_err("refused");
    let RecordError::Refused(lines) = &error else {
        panic!("{error}")
    };
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(
        lines[0].starts_with("refusing to record malformed/missing-required-parameter into "),
        "{}",
        lines[0]
    );
    assert!(lines[0].contains("`reference`"), "{}", lines[0]);
    assert!(lines[0].contains("is an emulator"), "{}", lines[0]);
    // Nothing was written, not even the case that could have been recorded.
    assert!(out.is_empty());
    let after =
        std::fs::read_to_string(dir.join("malformed/mistyped-integer-word.yaml")).expect("read");
    assert_eq!(before, after);
    assert!(!dir.join("malformed/recorded").exists());

    // Into a fresh --out-dir, nothing is overwritten, so the same cases are recorded there and
    // the originals stay as they were.
    let out_dir = dir.join("recorded");
    let mut out = Vec::new();
    let report = record(
        &planned,
        &endpoint,
        &options,
        Some(&out_dir),
        "2025-06-01",
        &mut out,
    )
    .await
    .expect("recorded into the out dir");
    assert_eq!(report.written(), 2, "{}", String::from_utf8_lossy(&out));
    let copy =
        load_case(&out_dir.join("malformed/missing-required-parameter.yaml")).expect("loads");
    assert_eq!(copy.provenance.source, Source::Recorded);
    let original =
        load_case(&dir.join("malformed/missing-required-parameter.yaml")).expect("loads");
    assert_eq!(original.provenance.source, Source::Reference);
    assert!(matches!(report.results[0].1, Recorded::Written(_)));
    std::fs::remove_dir_all(&dir).expect("clean up");
}
