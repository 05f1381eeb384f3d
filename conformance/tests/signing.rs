//! Family 1: the project's signer reproduces every signing golden byte for byte, one test per
//! case file.

use std::path::PathBuf;

use cen_conformance::case::{Kind, load_case};
use cen_conformance::signing::check_signing;
use rstest::rstest;

#[rstest]
fn signer_reproduces_golden(#[files("cases/signing/*.yaml")] path: PathBuf) {
    let case = load_case(&path).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        case.kind,
        Kind::Signing,
        "{}: not a signing case",
        path.display()
    );
    assert!(
        case.expected_failure.is_none(),
        "{}: signing goldens must all pass",
        path.display()
    );
    if let Err(failure) = check_signing(&case) {
        panic!("{}: {failure}", path.display());
    }
}
