//! Parallel runs: cases sharing a network instance of the endpoint (`${VpcHangzhou}`) run at a
//! concurrency above their number against one emulator and still pass (each takes its own member
//! of the pool, or waits for one), the progress lines come out in plan order, and the coverage summary comes before the
//! summary line, which stays last, and goes into the JUnit report.

use cen_conformance::case::load_built_in;
use cen_conformance::endpoint::start_in_process;
use cen_conformance::runner::{RunOptions, plan, run};

#[tokio::test(flavor = "multi_thread")]
async fn cases_sharing_an_instance_run_concurrently_in_plan_order() {
    let cases = load_built_in().expect("cases load");
    let options = RunOptions {
        // Every one attaches, or tries to attach, the same VPC.
        filter: Some("operations/attach-cen-child-instance".to_owned()),
        concurrency: 16,
        ..RunOptions::default()
    };
    let planned = plan(&cases, &options);
    assert!(planned.len() >= 6, "{}", planned.len());
    let endpoint = start_in_process().await.expect("the emulator starts");
    let mut out = Vec::new();
    let report = run(&planned, Some(&endpoint), "no endpoint", &options, &mut out)
        .await
        .expect("the runner runs");
    let text = String::from_utf8(out).expect("UTF-8");
    assert_eq!(report.failed(), 0, "{text}");

    let progress: Vec<&str> = text.lines().filter_map(|l| l.strip_prefix("ok ")).collect();
    let names: Vec<&str> = planned.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(progress, names, "{text}");

    let lines: Vec<&str> = text.lines().collect();
    let summary = format!("{} passed, 0 failed, 0 skipped", planned.len());
    assert_eq!(lines.last(), Some(&summary.as_str()), "{text}");
    let api = cen_types::operations::CBN.operations.len();
    // The success flow also checks DescribeCenAttachedChildInstanceAttribute, which it waits on.
    let covered = format!("  operations covered: 2 of {api}");
    let coverage_at = lines
        .iter()
        .position(|l| *l == "coverage (passed/failed/skipped):")
        .expect("a coverage summary");
    assert_eq!(coverage_at, progress.len(), "{text}");
    assert!(
        lines.contains(&"  operation AttachCenChildInstance: success[json] 1/0/0, success[xml] 1/0/0, error[json] 4/0/0"),
        "{text}"
    );
    assert!(lines.contains(&covered.as_str()), "{text}");
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("  uncovered: ") && l.contains("CreateTransitRouter,")),
        "{text}"
    );

    let junit = report.junit();
    assert!(
        junit.contains(&format!(
            "<property name=\"coverage.operations.total\" value=\"{api}\"/>"
        )),
        "{junit}"
    );
    assert!(
        junit.contains("<system-out>coverage (passed/failed/skipped):&#10;"),
        "{junit}"
    );
}
