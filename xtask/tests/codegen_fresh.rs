//! The generated code in the work tree matches `spec/`: this fails when someone edits a spec
//! document (or a generator) without running `cargo xtask codegen`, or edits generated code.

use std::path::Path;

#[test]
fn generated_code_is_fresh() {
    let root = xtask::spec::workspace_root();
    let generated = xtask::generate(&root, Path::new(xtask::DEFAULT_SPEC_DIR))
        .unwrap_or_else(|e| panic!("codegen failed: {e}"));
    if let Err(e) = xtask::check::check(&root, &generated) {
        panic!("{e}");
    }
}
