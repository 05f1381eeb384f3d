//! Data-driven tests of the spec validator: every file in `fixtures/invalid/` breaks one
//! convention and starts with `# expect: <substring of the error>`; every file in
//! `fixtures/valid/` loads. A directory there is a product assembled from fragments, and its
//! `product.yaml` carries the `# expect:` line.

use std::path::{Path, PathBuf};

fn fixtures(kind: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(kind);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|entry| entry.expect("directory entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml") || p.is_dir())
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no fixtures in {}", dir.display());
    files
}

/// The file that carries a fixture's `# expect:` line.
fn first_file(fixture: &Path) -> PathBuf {
    if fixture.is_dir() {
        fixture.join("product.yaml")
    } else {
        fixture.to_path_buf()
    }
}

fn load(root: &Path, fixture: &Path) -> Result<xtask::spec::Product, xtask::Error> {
    if fixture.is_dir() {
        xtask::spec::load_product_dir(root, fixture)
    } else {
        xtask::spec::load_file(root, fixture)
    }
}

#[test]
fn each_invalid_document_is_rejected_with_its_message() {
    let root = xtask::spec::workspace_root();
    let mut failures = Vec::new();
    for file in fixtures("invalid") {
        let text = std::fs::read_to_string(first_file(&file)).expect("fixture is readable");
        let expect = text
            .lines()
            .next()
            .and_then(|l| l.strip_prefix("# expect: "))
            .unwrap_or_else(|| panic!("{} does not start with `# expect: `", file.display()));
        let shown = xtask::spec::display_path(&root, &file);
        match load(&root, &file) {
            Ok(_) => failures.push(format!("{shown}: accepted, expected `{expect}`")),
            Err(e) => {
                let message = e.to_string();
                if !message.contains(expect) {
                    failures.push(format!("{shown}: expected `{expect}`\n    got: {message}"));
                } else if !message.starts_with(&shown) && !message.contains(&shown) {
                    failures.push(format!(
                        "{shown}: the error does not name the file: {message}"
                    ));
                }
            }
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn each_valid_document_loads() {
    let root = xtask::spec::workspace_root();
    for file in fixtures("valid") {
        if let Err(e) = load(&root, &file) {
            panic!("{e}");
        }
    }
}

#[test]
fn the_model_reads_the_extensions() {
    let root = xtask::spec::workspace_root();
    let file = root.join("xtask/tests/fixtures/valid/minimal.yaml");
    let product = xtask::spec::load_file(&root, &file).expect("valid");
    assert_eq!(product.name, "Test");
    assert_eq!(product.version, "2017-09-12");
    assert_eq!(product.endpoint, "https://test.aliyuncs.com");
    assert_eq!(product.error_schema, "ApiError");
    let [op] = product.operations.as_slice() else {
        panic!("one operation expected");
    };
    assert_eq!(op.action, "DescribeThings");
    assert_eq!(op.client_token.as_deref(), Some("ClientToken"));
    let pagination = op.pagination.as_ref().expect("paginated");
    assert_eq!(pagination.items, ["Things", "Thing"]);
    assert_eq!(op.errors[0].code, "InvalidThing");
    let name = op.params.iter().find(|p| p.name == "Name").expect("Name");
    assert_eq!(name.limits.max_length, Some(128));
    let tag = op.params.iter().find(|p| p.name == "Tag").expect("Tag");
    assert_eq!(tag.limits.max_items, Some(20));
}

#[test]
fn several_problems_are_reported_together() {
    let root = xtask::spec::workspace_root();
    let text = std::fs::read_to_string(root.join("xtask/tests/fixtures/valid/minimal.yaml"))
        .expect("readable")
        .replace("x-acs-product: Test\n", "")
        .replace("x-acs-minimum: 1", "minimum: 1");
    let document = serde_yaml_ng::from_str(&text).expect("YAML");
    let err = xtask::spec::validate("inline.yaml".to_owned(), document, &Default::default())
        .expect_err("invalid");
    assert_eq!(err.problems.len(), 2, "{err}");
    let message = err.to_string();
    assert!(
        message.starts_with("inline.yaml has 2 problems:"),
        "{message}"
    );
}

#[test]
fn a_product_directory_merges_its_fragments_and_remembers_each_operations_file() {
    let root = xtask::spec::workspace_root();
    let dir = root.join("xtask/tests/fixtures/valid/split");
    let product = xtask::spec::load_product_dir(&root, &dir).expect("valid");
    assert_eq!(product.source, "xtask/tests/fixtures/valid/split");
    let origins: Vec<(&str, &str, &str)> = product
        .operations
        .iter()
        .map(|op| (op.action.as_str(), op.file.as_str(), op.family.as_str()))
        .collect();
    assert_eq!(
        origins,
        [
            (
                "CreateThing",
                "xtask/tests/fixtures/valid/split/things.yaml",
                "things"
            ),
            (
                "CreateWidget",
                "xtask/tests/fixtures/valid/split/widgets.yaml",
                "widgets"
            ),
            (
                "DescribeThings",
                "xtask/tests/fixtures/valid/split/things.yaml",
                "things"
            ),
        ]
    );
}
