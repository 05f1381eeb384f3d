//! `run --summary FILE`: the Markdown job summary names each failing case with its diff in a
//! fenced block, has a coverage row per family and per operation, is appended to what the file
//! already holds (a job summary file may carry other steps' text), and never shows the secret
//! the run was given. The cases are `tests/failing-cases/`, which the CI workflow also runs
//! through the action to prove that a failing case fails the job.

use std::path::Path;
use std::process::Command;

use cen_conformance::endpoint::start_in_process;

/// Each deliberately failing case and lines its fenced diff must hold.
const FAILURES: &[(&str, &[&str])] = &[
    (
        "gate/wrong-status",
        &["- status: 400", "- code: InvalidParameter", "+ status: 200"],
    ),
    (
        "gate/missing-field",
        &["- field NotAMember: present", "+ field NotAMember: absent"],
    ),
];

/// Coverage rows the summary must hold: the family and the operation, with their counts.
const COVERAGE_ROWS: &[&str] = &[
    "| ❌ `gate` | 1 | 2 | 0 | success[json] 1/1/0, error[json] 0/1/0 |",
    "| ❌ `DescribeCens` | 1 | 2 | 0 | success[json] 1/1/0, error[json] 0/1/0 |",
];

/// The fenced block that follows the heading of `name`'s failure.
fn failure_block<'a>(summary: &'a str, name: &str) -> &'a str {
    let heading = format!("#### ❌ `{name}` (`DescribeCens`)\n");
    let at = summary
        .find(&heading)
        .unwrap_or_else(|| panic!("no failure heading for {name}:\n{summary}"));
    let rest = &summary[at + heading.len()..];
    let open = rest.find("```diff\n").expect("a fenced diff") + "```diff\n".len();
    let close = rest[open..].find("\n```\n").expect("the fence closes");
    &rest[open..open + close]
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failing_case_is_named_in_the_summary_with_its_diff() {
    let endpoint = start_in_process().await.expect("the emulator starts");
    let primary = endpoint.credentials.primary.clone().expect("primary keys");
    let secret = primary.access_key_secret.expose().to_owned();
    let dir = std::env::temp_dir().join(format!("cen-conformance-summary-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temporary directory");
    let summary_path = dir.join("summary.md");
    std::fs::write(&summary_path, "an earlier step's summary\n").expect("write");
    let cases = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/failing-cases");

    // The credentials come from the environment, as the action passes them from secrets.
    let mut command = Command::new(env!("CARGO_BIN_EXE_cen-conformance"));
    command
        .args(["run", "--endpoint", &endpoint.base_url, "--cases"])
        .arg(&cases)
        .arg("--summary")
        .arg(&summary_path)
        .env("ALIBABA_CLOUD_ACCESS_KEY_ID", &primary.access_key_id)
        .env("ALIBABA_CLOUD_ACCESS_KEY_SECRET", &secret);
    let output = tokio::task::spawn_blocking(move || command.output())
        .await
        .expect("the child is awaited")
        .expect("the binary runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "{stdout}\n{output:?}");

    let summary = std::fs::read_to_string(&summary_path).expect("the summary is written");
    assert!(
        summary.starts_with("an earlier step's summary\n## cen-conformance\n"),
        "{summary}"
    );
    assert!(
        summary.contains("❌ **1 passed, 2 failed, 0 skipped**"),
        "{summary}"
    );
    assert!(
        summary.contains("Failing operations: `DescribeCens`."),
        "{summary}"
    );
    for (name, lines) in FAILURES {
        let block = failure_block(&summary, name);
        for line in *lines {
            assert!(
                block.lines().any(|l| l == *line),
                "{name}: `{line}` missing from\n{block}"
            );
        }
    }
    assert!(
        !summary.contains("`gate/describe-cens`"),
        "a passing case is not a failure:\n{summary}"
    );
    for row in COVERAGE_ROWS {
        assert!(summary.lines().any(|l| l == *row), "{row}\n{summary}");
    }
    assert!(summary.contains("Operations covered: 1 of "), "{summary}");
    assert!(
        !summary.contains(&secret) && !stdout.contains(&secret),
        "the secret leaked:\n{summary}"
    );
    std::fs::remove_dir_all(&dir).ok();
}
