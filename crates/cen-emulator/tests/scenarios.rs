//! The emulator's scenarios: each file under `tests/scenarios/` is a flow case in the conformance
//! suite's case language (`conformance/README.md`), run in JSON and in XML against a fresh
//! in-process emulator on a manual clock (`manual_clock`, `advance_ms` steps), so that a case can
//! check what happens while a resource is still in transition. Every step's expectation must
//! hold; the normalised transcript of the answers is kept as an insta snapshot per format,
//! `tests/scenarios/snapshots/<id>.<format>.snap`. See `tests/scenarios/README.md`.
//!
//! rstest expands the glob at compile time: after adding a file, touch this one.

use std::path::PathBuf;

use cen_conformance::case::{Source, load_case};
use cen_conformance::flow::{run_in_process, snapshot_name};
use rstest::rstest;

#[rstest]
#[tokio::test(flavor = "multi_thread")]
async fn scenario(#[files("tests/scenarios/*.yaml")] path: PathBuf) {
    let case = load_case(&path).unwrap_or_else(|e| panic!("{e}"));
    assert!(
        case.provenance.source == Source::Project && case.manual_clock.is_some(),
        "{}: an emulator scenario states the emulator's rules (provenance `project`) on its \
         manual clock; a case from the reference belongs in conformance/cases",
        case.name()
    );
    let snapshots = path
        .parent()
        .expect("the scenarios directory")
        .join("snapshots");
    for (format, run, verdict) in run_in_process(&case).await {
        verdict.unwrap_or_else(|message| panic!("{message}"));
        let mut settings = insta::Settings::clone_current();
        settings.set_snapshot_path(&snapshots);
        settings.set_prepend_module_to_snapshot(false);
        settings.set_omit_expression(true);
        settings.set_description(case.description.trim());
        settings.bind(|| {
            insta::assert_snapshot!(snapshot_name(&case, format), run.transcript);
        });
    }
}
