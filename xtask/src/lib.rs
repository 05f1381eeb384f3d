//! Project chores, run as `cargo xtask <command>`.
//!
//! `cargo xtask codegen` reads the OpenAPI documents in `spec/` ([`spec`]) and writes the code
//! derived from them. Each generator is a producer of [`GeneratedFile`]s; [`generate`] collects
//! them into one [`Generated`] tree that [`check`] either writes or compares with the work tree.
//! Adding a generator (the server stubs) is adding one more producer and its output directory.

use std::path::PathBuf;

pub mod check;
pub mod client;
pub mod emulator_docs;
mod enums;
pub mod families;
pub mod fluent;
pub mod merge;
pub mod meta;
pub mod pagination;
pub mod response_shapes;
mod rust;
mod schema;
mod sensitive;
pub mod server;
mod shape;
pub mod spec;
pub mod waiter;

pub use check::{Difference, DifferenceKind};

/// The directory the client generator owns, relative to the workspace root.
pub const CLIENT_GENERATED_DIR: &str = "crates/cen-client/src/generated";

/// The directory of the request and response types that client and server share.
pub const TYPES_GENERATED_DIR: &str = "crates/cen-types/src/generated";

/// The directory the server-stub generator owns.
pub const SERVER_GENERATED_DIR: &str = "crates/cen-server/src/generated";

/// The default directory of the OpenAPI documents, relative to the workspace root.
pub const DEFAULT_SPEC_DIR: &str = "spec";

/// One file that codegen writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedFile {
    /// The path relative to the workspace root, with `/` separators.
    pub path: String,
    /// The complete contents, header included.
    pub contents: String,
}

/// Everything codegen writes: the files, and the directories it owns (any other file in them is
/// stale and removed).
#[derive(Debug, Clone, Default)]
pub struct Generated {
    /// Directories relative to the workspace root whose contents codegen owns entirely.
    pub owned_dirs: Vec<String>,
    /// The files, sorted by path.
    pub files: Vec<GeneratedFile>,
}

/// Why a codegen step failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file or directory could not be read or written.
    #[error("could not access {}: {source}", path.display())]
    Io {
        /// The path.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The spec directory holds no document.
    #[error("found no `*.yaml` OpenAPI document or product directory (with `product.yaml`) in {}", dir.display())]
    NoSpecs {
        /// The directory searched.
        dir: PathBuf,
    },
    /// A document is not YAML, or not an OpenAPI document.
    #[error("{file} is not a valid OpenAPI 3.0 document: {source}")]
    Parse {
        /// The document.
        file: String,
        /// The parser's message, with its location.
        source: serde_yaml_ng::Error,
    },
    /// A document breaks the conventions of `spec/README.md`.
    #[error(transparent)]
    Spec(#[from] spec::SpecError),
    /// Two documents describe the same product.
    #[error(
        "{first} and {second} both describe product `{product}`; each product has one document"
    )]
    DuplicateProduct {
        /// The `x-acs-product`.
        product: String,
        /// The first document.
        first: String,
        /// The second document.
        second: String,
    },
    /// A product directory's file cannot be merged into its document.
    #[error("{file}: {message}")]
    Fragment {
        /// The file.
        file: String,
        /// What is wrong, as a full sentence.
        message: String,
    },
    /// Two files of a product directory define the same path, schema or waiter.
    #[error("{kind} `{name}` is defined in {first} and again in {second}; define it once")]
    DuplicateDefinition {
        /// `path`, `schema` or `waiter`.
        kind: &'static str,
        /// The name defined twice.
        name: String,
        /// The file that defined it first.
        first: String,
        /// The file that defined it again.
        second: String,
    },
    /// progenitor rejected a document that passed validation.
    #[error("progenitor could not generate the client for {file}: {message}")]
    Progenitor {
        /// The document.
        file: String,
        /// progenitor's message.
        message: String,
    },
    /// The generated types do not have the shape a generator relies on.
    #[error("{file}: operation `{operation}`: {message}")]
    Types {
        /// The document.
        file: String,
        /// The action.
        operation: String,
        /// What was expected and what was found.
        message: String,
    },
    /// Generated tokens are not a valid Rust file (a bug in a generator).
    #[error("the code generated for {path} does not parse as Rust: {source}")]
    Syntax {
        /// The output path.
        path: String,
        /// The parser's message.
        source: syn::Error,
    },
    /// `--check` found differences.
    #[error("{}", check::describe(differences))]
    Stale {
        /// Each stale, missing or extra file.
        differences: Vec<Difference>,
    },
}

/// What `cargo xtask codegen` writes: the code derived from the spec ([`generate`]) and the
/// emulator's operations page derived from its doc comments ([`emulator_docs`]).
pub fn generate_all(
    root: &std::path::Path,
    spec_dir: &std::path::Path,
) -> Result<Generated, Error> {
    let mut generated = generate(root, spec_dir)?;
    generated.files.extend(emulator_docs::generate(root)?);
    generated.files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(generated)
}

/// Loads every document in `spec_dir` (relative to `root`) and runs every spec generator.
pub fn generate(root: &std::path::Path, spec_dir: &std::path::Path) -> Result<Generated, Error> {
    let products = spec::load_dir(root, spec_dir)?;
    let mut files = client::generate(&products)?;
    files.extend(server::generate(&products)?);
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(Generated {
        owned_dirs: vec![
            CLIENT_GENERATED_DIR.to_owned(),
            SERVER_GENERATED_DIR.to_owned(),
            TYPES_GENERATED_DIR.to_owned(),
        ],
        files,
    })
}
