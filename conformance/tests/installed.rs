//! The installed tool: the `cen-conformance` binary run from a directory outside the repository
//! finds its cases inside itself (what `cargo install --path conformance` gives), `--cases DIR`
//! replaces them, and `--list` prints what the filters select.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A fresh empty directory under the system's temporary directory, outside the repository.
fn outside_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "cen-conformance-{name}-{}-{:?}",
        std::process::id(),
        std::time::SystemTime::now()
    ));
    std::fs::create_dir_all(&dir).expect("create a temporary directory");
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace");
    assert!(
        !dir.starts_with(repo),
        "{} must be outside {}",
        dir.display(),
        repo.display()
    );
    dir
}

fn run_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cen-conformance"))
        .current_dir(dir)
        .args(args)
        .output()
        .expect("the binary runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn list_prints_the_built_in_cases_the_filters_select() {
    let dir = outside_dir("list");
    let all = run_in(&dir, &["run", "--list"]);
    assert!(all.status.success(), "{all:?}");
    let names: Vec<String> = stdout(&all).lines().map(str::to_owned).collect();
    let expected: Vec<String> = {
        let source = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/cases"));
        let cases = cen_conformance::case::load_dir(source).expect("cases load");
        let options = cen_conformance::runner::RunOptions::default();
        cen_conformance::runner::plan(&cases, &options)
            .into_iter()
            .map(|p| p.name)
            .collect()
    };
    assert_eq!(names, expected);
    assert!(names.contains(&"auth/missing-timestamp[json]".to_owned()));

    let narrowed = run_in(
        &dir,
        &["run", "--list", "--filter", "auth/", "--format", "xml"],
    );
    assert!(narrowed.status.success(), "{narrowed:?}");
    let narrowed = stdout(&narrowed);
    assert!(!narrowed.is_empty());
    assert!(
        narrowed
            .lines()
            .all(|n| n.starts_with("auth/") && !n.ends_with("[json]")),
        "{narrowed}"
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn runs_the_built_in_cases_from_outside_the_repository() {
    let dir = outside_dir("run");
    // Signing cases and flow cases against the in-process emulator.
    let output = run_in(
        &dir,
        &["run", "--filter", "describe-cens", "--junit", "report.xml"],
    );
    let text = stdout(&output);
    assert!(output.status.success(), "{text}\n{output:?}");
    assert!(text.contains("ok operations/describe-cens[json]"), "{text}");
    let last = text.lines().last().unwrap_or_default();
    assert!(last.ends_with("0 failed, 0 skipped"), "{text}");
    assert!(dir.join("report.xml").is_file());
    let signing = run_in(&dir, &["run", "--filter", "signing/"]);
    assert!(signing.status.success(), "{}", stdout(&signing));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_cases_directory_replaces_the_built_in_cases() {
    let dir = outside_dir("cases");
    let source = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/cases"));
    std::fs::create_dir_all(dir.join("mine")).expect("family dir");
    std::fs::copy(
        source.join("auth/missing-timestamp.yaml"),
        dir.join("mine/missing-timestamp.yaml"),
    )
    .expect("copy a case");
    let listed = run_in(&dir, &["run", "--cases", ".", "--list"]);
    assert!(listed.status.success(), "{listed:?}");
    assert_eq!(
        stdout(&listed),
        "mine/missing-timestamp[json]\nmine/missing-timestamp[xml]\n"
    );
    let ran = run_in(&dir, &["run", "--cases", "."]);
    let text = stdout(&ran);
    assert!(ran.status.success(), "{text}");
    assert_eq!(
        text.lines().last(),
        Some("2 passed, 0 failed, 0 skipped"),
        "{text}"
    );
    // A directory that is not there is a setup error, not an empty run.
    let missing = run_in(&dir, &["run", "--cases", "no-such-dir", "--list"]);
    assert_eq!(missing.status.code(), Some(2), "{missing:?}");
    std::fs::remove_dir_all(&dir).ok();
}
