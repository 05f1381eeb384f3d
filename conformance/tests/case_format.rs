//! The case format: every shipped case loads, and malformed cases are refused with an error that
//! names the file and the field.

use std::path::Path;

use cen_conformance::case::{
    CaseError, Expect, Kind, Source, is_built_in, load_built_in, load_dir, parse_case, sibling_text,
};
use cen_conformance::record::is_loopback_host;
use cen_conformance::runner::{Outcome, RunOptions, plan, run};
use rstest::rstest;

const SIGNING: &str = r#"id: demo
kind: signing
description: A demo.
operation: DescribeRegions
format: XML
tags: [v1]
provenance:
  source: reference
  details: The ECS example.
request:
  signature: v1
  method: GET
  host: ecs.aliyuncs.com
  version: "2014-05-26"
  credentials: {access_key_id: testid, access_key_secret: testsecret}
  timestamp: "2016-02-23T12:46:24Z"
  nonce: 3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf
expect:
  canonical: AccessKeyId=testid&Action=DescribeRegions&Format=XML&SignatureMethod=HMAC-SHA1&SignatureNonce=3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf&SignatureVersion=1.0&Timestamp=2016-02-23T12%3A46%3A24Z&Version=2014-05-26
  string_to_sign: GET&%2F&AccessKeyId%3Dtestid%26Action%3DDescribeRegions%26Format%3DXML%26SignatureMethod%3DHMAC-SHA1%26SignatureNonce%3D3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf%26SignatureVersion%3D1.0%26Timestamp%3D2016-02-23T12%253A46%253A24Z%26Version%3D2014-05-26
  signature: OLeaidS1JvxuMvnyHOwuJ+uX5qY=
  wire:
    method: GET
    path_and_query: /?AccessKeyId=testid&Action=DescribeRegions&Format=XML&SignatureMethod=HMAC-SHA1&SignatureNonce=3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf&SignatureVersion=1.0&Timestamp=2016-02-23T12%3A46%3A24Z&Version=2014-05-26&Signature=OLeaidS1JvxuMvnyHOwuJ%2BuX5qY%3D
"#;

const EXCHANGE: &str = r#"id: demo
kind: exchange
description: A demo.
operation: DescribeCens
provenance: {source: reference, details: The common error table.}
request:
  signature: v1
  credentials: primary
  params: {PageSize: "10"}
expect: {status: 400, code: MissingTimestamp}
"#;

const FLOW: &str = r#"id: demo
kind: flow
description: A demo.
operation: DescribeCenAttachedChildInstances
provenance: {source: reference, details: The operation's page.}
fixtures: [vpc-hangzhou-attached]
steps:
  - action: DescribeCenAttachedChildInstances
    params: {CenId: "${Cen}"}
cleanup:
  - action: DescribeCens
"#;

fn path() -> &'static Path {
    Path::new("cases/demo-family/demo.yaml")
}

fn parse_err(text: &str) -> CaseError {
    parse_case(path(), text).expect_err("the case must be refused")
}

#[test]
fn shipped_cases_load() {
    let cases = load_dir(Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/cases")))
        .unwrap_or_else(|e| panic!("{e}"));
    let count = |family: &str| cases.iter().filter(|c| c.family == family).count();
    assert!(count("signing") >= 15, "{}", count("signing"));
    assert!(count("auth") >= 40, "{}", count("auth"));
    assert!(
        cases
            .iter()
            .filter(|c| c.family == "signing")
            .all(|c| c.kind == Kind::Signing)
    );
    assert!(
        cases
            .iter()
            .filter(|c| c.family == "auth")
            .all(|c| c.kind == Kind::Exchange)
    );
}

/// The cases built into the binary are those of the source tree, byte for byte (a stale build
/// would ship old goldens).
#[test]
fn built_in_cases_are_the_source_tree() {
    let dir = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/cases"));
    let on_disk = load_dir(dir).unwrap_or_else(|e| panic!("{e}"));
    let built_in = load_built_in().unwrap_or_else(|e| panic!("{e}"));
    let names = |cases: &[cen_conformance::case::Case]| -> Vec<String> {
        cases.iter().map(|c| c.name()).collect()
    };
    assert_eq!(names(&built_in), names(&on_disk));
    for (ours, theirs) in built_in.iter().zip(&on_disk) {
        assert!(is_built_in(ours) && !is_built_in(theirs));
        let file = format!("{}.yaml", ours.id);
        assert_eq!(
            sibling_text(ours, Path::new(&file)),
            sibling_text(theirs, Path::new(&file)),
            "{}",
            ours.name()
        );
    }
}

#[test]
fn valid_cases_parse() {
    let case = parse_case(path(), SIGNING).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(case.name(), "demo-family/demo");
    parse_case(path(), EXCHANGE).unwrap_or_else(|e| panic!("{e}"));
}

#[rstest]
#[case::missing_field(SIGNING.replace("description: A demo.\n", ""), "description", "missing field")]
#[case::unknown_field(EXCHANGE.replace("kind: exchange", "kind: exchange\ncolour: red"), "colour", "unknown field")]
#[case::unquoted_number(EXCHANGE.replace("PageSize: \"10\"", "PageSize: 10"), "request.params", "must be a quoted string")]
#[case::bad_variant(EXCHANGE.replace("signature: v1", "signature: v2"), "request.signature", "unknown variant")]
#[case::id_not_file_name(EXCHANGE.replace("id: demo", "id: other"), "id", "file is named")]
#[case::unknown_credentials(EXCHANGE.replace("primary", "root"), "request.credentials", "unknown credentials")]
#[case::inline_secret_in_exchange(EXCHANGE.replace("credentials: primary", "credentials: {access_key_id: a, access_key_secret: b}"), "request.credentials", "secrets never go in case files")]
#[case::signing_without_nonce(SIGNING.replace("  nonce: 3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf\n", ""), "request.nonce", "pins the nonce")]
#[case::signing_expect_without_wire(SIGNING.split("  wire:").next().unwrap().to_owned(), "expect.wire", "missing field")]
#[case::exchange_expect_typo(EXCHANGE.replace("code:", "cod:"), "expect.cod", "unknown field")]
#[case::recorded_without_date(EXCHANGE.replace("source: reference", "source: recorded, endpoint: cbn.aliyuncs.com"), "provenance.date", "date")]
#[case::unknown_fixture(FLOW.replace("[vpc-hangzhou-attached]", "[no-such-fixture]"), "fixtures: no-such-fixture", "no fixture")]
#[case::fixture_name_is_a_path(FLOW.replace("[vpc-hangzhou-attached]", "[../auth/invalid-format]"), "fixtures: ../auth/invalid-format", "no fixture")]
#[case::fixtures_in_an_exchange(EXCHANGE.replace("request:", "fixtures: [active-cen]\nrequest:"), "fixtures", "flow cases only")]
#[case::empty_xfail_reason(EXCHANGE.replace("request:", "expected_failure: {reason: \"\"}\nrequest:"), "expected_failure.reason", "must say why")]
fn malformed_case_names_file_and_field(
    #[case] text: String,
    #[case] field: &str,
    #[case] message: &str,
) {
    let err = parse_err(&text);
    assert_eq!(err.file, path());
    assert_eq!(err.field, field, "{err}");
    assert!(err.message.contains(message), "{err}");
    let shown = err.to_string();
    assert!(
        shown.starts_with("cases/demo-family/demo.yaml: "),
        "{shown}"
    );
}

#[tokio::test]
async fn expected_failure_is_reported_as_xfail_and_an_unexpected_pass_fails() {
    let broken = SIGNING
        .replace(
            "OLeaidS1JvxuMvnyHOwuJ+uX5qY=",
            "AAAAdS1JvxuMvnyHOwuJ+uX5qY=",
        )
        .replace(
            "request:",
            "expected_failure: {reason: the golden is wrong on purpose}\nrequest:",
        );
    let marked_but_right = SIGNING.replace(
        "request:",
        "expected_failure: {reason: stale marker}\nrequest:",
    );
    let cases = vec![
        parse_case(path(), &broken).unwrap_or_else(|e| panic!("{e}")),
        parse_case(path(), &marked_but_right).unwrap_or_else(|e| panic!("{e}")),
    ];
    let options = RunOptions::default();
    let mut out = Vec::new();
    let report = run(
        &plan(&cases, &options),
        None,
        "no endpoint",
        &options,
        &mut out,
    )
    .await
    .expect("run");
    let text = String::from_utf8(out).expect("UTF-8");
    assert_eq!(
        report.results[0].outcome,
        Outcome::XFail("the golden is wrong on purpose".to_owned())
    );
    assert!(
        matches!(report.results[1].outcome, Outcome::Fail(_)),
        "{text}"
    );
    assert!(
        text.starts_with(
            "xfail demo-family/demo (the golden is wrong on purpose)\nFAIL demo-family/demo\n"
        ),
        "{text}"
    );
    assert!(text.contains("remove the marker"), "{text}");
    assert!(
        text.ends_with("\n0 passed, 1 failed, 1 skipped\n"),
        "{text}"
    );
}

#[tokio::test]
async fn a_signing_mismatch_shows_a_line_diff() {
    let wrong = SIGNING.replace(
        "OLeaidS1JvxuMvnyHOwuJ+uX5qY=",
        "AAAAdS1JvxuMvnyHOwuJ+uX5qY=",
    );
    let cases = vec![parse_case(path(), &wrong).unwrap_or_else(|e| panic!("{e}"))];
    let options = RunOptions::default();
    let mut out = Vec::new();
    let report = run(&plan(&cases, &options), None, "", &options, &mut out)
        .await
        .expect("run");
    let text = String::from_utf8(out).expect("UTF-8");
    assert_eq!(report.failed(), 1);
    assert!(text.contains("    - signature: AAAAdS1JvxuMvnyHOwuJ+uX5qY=\n    + signature: OLeaidS1JvxuMvnyHOwuJ+uX5qY=\n"), "{text}");
}

/// A fixture's steps come first and its cleanup last, after the fixtures it builds on; the case
/// keeps only what it checks.
#[test]
fn fixtures_wrap_the_steps_and_cleanup_of_a_flow() {
    let case = parse_case(path(), FLOW).unwrap_or_else(|e| panic!("{e}"));
    let Expect::Flow(flow) = &case.expect else {
        panic!("a flow case")
    };
    let actions = |steps: &[cen_conformance::case::Step]| {
        steps.iter().map(|s| s.action.clone()).collect::<Vec<_>>()
    };
    assert_eq!(
        actions(&flow.steps),
        [
            "CreateCen",
            "DescribeCens",
            "AttachCenChildInstance",
            "DescribeCenAttachedChildInstanceAttribute",
            "DescribeCenAttachedChildInstances",
        ]
    );
    assert_eq!(
        actions(&flow.cleanup),
        [
            "DescribeCens",
            "DescribeCens",
            "DescribeCenAttachedChildInstanceAttribute",
            "DetachCenChildInstance",
            "DescribeCenAttachedChildInstances",
            "DescribeCens",
            "DeleteCen",
        ]
    );
    assert_eq!(case.fixtures, ["vpc-hangzhou-attached"]);
}

/// Fixtures that build on each other in a circle are refused, naming the circle.
#[test]
fn a_fixture_cycle_is_refused() {
    let root = std::env::temp_dir().join(format!("cen-fixture-cycle-{}", std::process::id()));
    let fixtures = root.join("fixtures");
    std::fs::create_dir_all(&fixtures).expect("a temporary directory");
    for (name, other) in [("one", "two"), ("two", "one")] {
        std::fs::write(
            fixtures.join(format!("{name}.yaml")),
            format!("description: d\nfixtures: [{other}]\nsteps:\n  - action: DescribeCens\n"),
        )
        .expect("writes");
    }
    let text = FLOW.replace("[vpc-hangzhou-attached]", "[one]");
    let err = parse_case(&root.join("demo-family/demo.yaml"), &text)
        .expect_err("the cycle must be refused");
    std::fs::remove_dir_all(&root).ok();
    assert!(err.to_string().contains("one -> two -> one"), "{err}");
}

/// No shipped golden comes from this project's own code: every case cites the reference, an
/// official SDK, or a recording from a real (non-loopback) endpoint, and none names the project's
/// code as its source; the only files beside the cases are fixtures and recorded bodies.
#[test]
fn every_shipped_expectation_comes_from_outside_the_project() {
    let root = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/cases"));
    let cases = load_dir(root).unwrap_or_else(|e| panic!("{e}"));
    let mut refused = Vec::new();
    for case in &cases {
        let provenance = &case.provenance;
        let details = provenance.details.to_lowercase();
        let why = match provenance.source {
            Source::Project => Some("its provenance is `project`: move it to tests/project-rules/"),
            Source::Recorded
                if is_loopback_host(
                    provenance
                        .endpoint
                        .as_deref()
                        .unwrap_or_default()
                        .trim_start_matches("https://")
                        .trim_start_matches("http://")
                        .split([':', '/'])
                        .next()
                        .unwrap_or_default(),
                ) =>
            {
                Some("it was recorded from a loopback endpoint (an emulator)")
            }
            _ if ["emulator", "crates/", ".rs", "snapshot"]
                .iter()
                .any(|word| details.contains(word)) =>
            {
                Some("its provenance names this project's code")
            }
            _ => None,
        };
        if let Some(why) = why {
            refused.push(format!("{}: {why}", case.name()));
        }
    }
    let is_case = |family: &str, id: &str| {
        cases
            .iter()
            .any(|c| c.family == family && c.id == id && c.provenance.source == Source::Recorded)
    };
    for family in std::fs::read_dir(root).expect("cases/") {
        let family = family.expect("an entry").path();
        let name = family
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        for entry in std::fs::read_dir(&family).expect("a family") {
            let path = entry.expect("an entry").path();
            let file = path
                .file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned();
            let allowed = if path.is_dir() {
                file == "recorded"
                    && std::fs::read_dir(&path).expect("recorded/").all(|body| {
                        let body = body.expect("an entry").file_name();
                        let id = body.to_string_lossy();
                        let id = id.split('.').next().unwrap_or_default();
                        is_case(&name, id)
                    })
            } else {
                file.ends_with(".yaml")
            };
            if !allowed {
                refused.push(format!(
                    "cases/{name}/{file}: only case files, fixtures and the recorded bodies of recorded cases belong here"
                ));
            }
        }
    }
    assert!(refused.is_empty(), "{}", refused.join("\n"));
}

/// Every error a flow case (families 3 and 5) expects from an operation is one the spec documents
/// for it, or one of the catalogue's common errors, with the documented status (and the documented
/// message where the case checks one and the reference gives one): the codes copied into case
/// files are checked against `spec/`. The gateway's own errors (families 2 and 4) come from
/// `PROTOCOL.md`'s common table instead.
#[test]
fn every_expected_error_is_documented_for_its_operation() {
    let root = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/cases"));
    let mut undocumented = Vec::new();
    let mut check = |case: &str,
                     product: Option<&str>,
                     action: &str,
                     e: &cen_conformance::case::ResponseExpect| {
        let Some(code) = &e.code else { return };
        let product = cen_types::operations::PRODUCTS
            .iter()
            .find(|p| p.product == product.unwrap_or("Cbn"));
        let documented = product
            .and_then(|p| p.operation(action))
            .into_iter()
            .flat_map(|op| op.errors.iter())
            .chain(cen_server::catalogue::COMMON)
            .filter(|d| d.code == code)
            .collect::<Vec<_>>();
        let fits = documented.iter().any(|d| {
            d.status == e.status
                && e.message.as_deref().is_none_or(|m| {
                    d.message.is_empty() || d.message.contains('%') || d.message == m
                })
        });
        if !fits {
            undocumented.push(format!("{case}: {action} {} {code}", e.status));
        }
    };
    for case in load_dir(root).unwrap_or_else(|e| panic!("{e}")) {
        if let Expect::Flow(flow) = &case.expect {
            for step in &flow.steps {
                if let Some(e) = &step.expect {
                    check(&case.name(), step.product.as_deref(), &step.action, e);
                }
            }
        }
    }
    assert!(
        undocumented.is_empty(),
        "{} expectation(s) not in spec/:\n{}",
        undocumented.len(),
        undocumented.join("\n")
    );
}
