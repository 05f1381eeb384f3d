//! The success-shape checker, one fixture per case (`tests/shapes/*.yaml`): an operation whose
//! response shape the spec gives, a body in JSON or XML, and the problems the checker must report
//! (none for a body that follows the spec). The order of the problems does not matter.
//!
//! rstest expands the glob at compile time: after adding a fixture, touch this file.

use std::path::PathBuf;

use cen_conformance::case::Format;
use cen_conformance::shape::check_success;
use rstest::rstest;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Fixture {
    /// `Cbn` unless given.
    #[serde(default)]
    product: Option<String>,
    action: String,
    format: String,
    body: String,
    /// The expected lines under the failure's summary; empty when the body passes.
    problems: Vec<String>,
}

#[rstest]
fn the_checker_reports_what_the_fixture_expects(#[files("tests/shapes/*.yaml")] path: PathBuf) {
    let text = std::fs::read_to_string(&path).expect("the fixture reads");
    let fixture: Fixture = serde_yaml_ng::from_str(&text).expect("the fixture parses");
    let format = match fixture.format.as_str() {
        "json" => Format::Json,
        "xml" => Format::Xml,
        other => panic!("format is json or xml, not {other}"),
    };
    let verdict = check_success(
        fixture.product.as_deref(),
        &fixture.action,
        format,
        &fixture.body,
    );
    let mut got: Vec<String> = match &verdict {
        Ok(()) => Vec::new(),
        Err(failure) => {
            assert!(
                failure
                    .summary
                    .contains(&format!("{}Response", fixture.action)),
                "the summary names the response: {failure}"
            );
            failure
                .details
                .lines()
                .map(|l| l.trim().to_owned())
                .collect()
        }
    };
    let mut expected = fixture.problems.clone();
    got.sort();
    expected.sort();
    assert_eq!(got, expected, "{}: {verdict:?}", path.display());
}
