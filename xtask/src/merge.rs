//! Assembling one product's OpenAPI document from its directory.
//!
//! At 150 operations one document is not reviewable, so a product may be a directory:
//! `product.yaml` is a complete OpenAPI header (info, servers, `x-acs-product`, the shared error
//! response and the schemas several families use), and every other `*.yaml` file is a fragment
//! holding one family of operations: its `paths`, its `components.schemas` and its
//! `x-acs-waiters`. The fragments are merged into the header in file-name order; a name defined
//! twice is refused with both files. The merged document is then validated like a single-file
//! one, and each operation remembers the file it came from, so that a problem names it.

use std::collections::BTreeMap;
use std::path::Path;

use serde_yaml_ng::{Mapping, Value};

use crate::Error;
use crate::spec::display_path;

/// The file of a product directory that holds the document header.
pub const PRODUCT_FILE: &str = "product.yaml";

/// The top-level keys a fragment may have.
const FRAGMENT_KEYS: &[&str] = &["paths", "components", "x-acs-waiters"];

/// A product's document put together, and where each operation was defined.
#[derive(Debug)]
pub struct Assembled {
    /// The merged document, not yet parsed as OpenAPI.
    pub document: Value,
    /// For each action, the file that defines it and its family (the file's stem).
    pub origins: BTreeMap<String, Origin>,
}

/// Where one operation is defined.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    /// The file, relative to the workspace root.
    pub file: String,
    /// The family: the fragment's file stem (`transit-routers`), or the product's module name
    /// for a single-file product.
    pub family: String,
}

/// Reads `dir/product.yaml` and merges every other `*.yaml` file of `dir` into it.
pub fn assemble(root: &Path, dir: &Path) -> Result<Assembled, Error> {
    let header_path = dir.join(PRODUCT_FILE);
    let header_shown = display_path(root, &header_path);
    let mut document = read_yaml(root, &header_path)?;
    let Value::Mapping(doc) = &mut document else {
        return Err(fragment_error(
            &header_shown,
            "it is not a mapping; write an OpenAPI document header.",
        ));
    };

    let mut fragments = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(|source| Error::Io {
        path: dir.to_path_buf(),
        source,
    })? {
        let entry = entry.map_err(|source| Error::Io {
            path: dir.to_path_buf(),
            source,
        })?;
        let path = entry.path();
        let is_yaml = path.is_file() && path.extension().is_some_and(|e| e == "yaml");
        if is_yaml && path.file_name().is_some_and(|n| n != PRODUCT_FILE) {
            fragments.push(path);
        }
    }
    fragments.sort();

    // Who defined what, for the duplicate errors and the operations' origins.
    let mut defined: BTreeMap<(&'static str, String), String> = BTreeMap::new();
    for (kind, key) in [("path", "paths"), ("waiter", "x-acs-waiters")] {
        for name in mapping_keys(doc.get(key)) {
            defined.insert((kind, name), header_shown.clone());
        }
    }
    let header_schemas = doc
        .get("components")
        .and_then(|c| c.get("schemas"))
        .cloned();
    for name in mapping_keys(header_schemas.as_ref()) {
        defined.insert(("schema", name), header_shown.clone());
    }
    let mut origins = BTreeMap::new();
    let module = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    for name in mapping_keys(doc.get("paths")) {
        origins.insert(
            name.trim_start_matches('/').to_owned(),
            Origin {
                file: header_shown.clone(),
                family: module.clone(),
            },
        );
    }

    for path in fragments {
        let shown = display_path(root, &path);
        let family = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let Value::Mapping(fragment) = read_yaml(root, &path)? else {
            return Err(fragment_error(
                &shown,
                "it is not a mapping; a fragment has `paths`, `components.schemas` and `x-acs-waiters`.",
            ));
        };
        for key in fragment.keys() {
            let key = key.as_str().unwrap_or_default();
            if !FRAGMENT_KEYS.contains(&key) {
                return Err(fragment_error(
                    &shown,
                    &format!(
                        "it has the top-level key `{key}`; a fragment holds only `paths`, `components` (with `schemas`) and `x-acs-waiters`, and the document header lives in {PRODUCT_FILE}."
                    ),
                ));
            }
        }
        if let Some(components) = fragment.get("components") {
            let extra = mapping_keys(Some(components))
                .into_iter()
                .find(|k| k != "schemas");
            if let Some(extra) = extra {
                return Err(fragment_error(
                    &shown,
                    &format!(
                        "it has `components.{extra}`; a fragment may only add `components.schemas` (shared responses live in {PRODUCT_FILE})."
                    ),
                ));
            }
        }
        for (kind, section) in [
            ("path", &["paths"][..]),
            ("schema", &["components", "schemas"][..]),
            ("waiter", &["x-acs-waiters"][..]),
        ] {
            let Some(entries) = get_path(&fragment, section) else {
                continue;
            };
            let Value::Mapping(entries) = entries else {
                return Err(fragment_error(
                    &shown,
                    &format!("`{}` is not a mapping.", section.join(".")),
                ));
            };
            let target = entry_mapping(doc, section);
            for (name, value) in entries {
                let name_str = name.as_str().unwrap_or_default().to_owned();
                if let Some(first) = defined.get(&(kind, name_str.clone())) {
                    return Err(Error::DuplicateDefinition {
                        kind,
                        name: name_str,
                        first: first.clone(),
                        second: shown,
                    });
                }
                defined.insert((kind, name_str.clone()), shown.clone());
                if kind == "path" {
                    origins.insert(
                        name_str.trim_start_matches('/').to_owned(),
                        Origin {
                            file: shown.clone(),
                            family: family.clone(),
                        },
                    );
                }
                target.insert(name.clone(), value.clone());
            }
        }
    }
    Ok(Assembled { document, origins })
}

fn read_yaml(root: &Path, path: &Path) -> Result<Value, Error> {
    let text = std::fs::read_to_string(path).map_err(|source| Error::Io {
        path: path.to_path_buf(),
        source,
    })?;
    serde_yaml_ng::from_str(&text).map_err(|source| Error::Parse {
        file: display_path(root, path),
        source,
    })
}

fn fragment_error(file: &str, message: &str) -> Error {
    Error::Fragment {
        file: file.to_owned(),
        message: message.to_owned(),
    }
}

fn mapping_keys(value: Option<&Value>) -> Vec<String> {
    match value {
        Some(Value::Mapping(m)) => m
            .keys()
            .filter_map(|k| k.as_str().map(str::to_owned))
            .collect(),
        _ => Vec::new(),
    }
}

fn get_path<'v>(mapping: &'v Mapping, path: &[&str]) -> Option<&'v Value> {
    let (first, rest) = path.split_first()?;
    let mut value = mapping.get(*first)?;
    for key in rest {
        value = value.get(*key)?;
    }
    Some(value)
}

/// The mapping at `path` in `doc`, created empty where missing.
fn entry_mapping<'d>(doc: &'d mut Mapping, path: &[&str]) -> &'d mut Mapping {
    let mut current = doc;
    for key in path {
        let slot = current
            .entry(Value::String((*key).to_owned()))
            .or_insert_with(|| Value::Mapping(Mapping::new()));
        if !slot.is_mapping() {
            *slot = Value::Mapping(Mapping::new());
        }
        let Value::Mapping(next) = slot else {
            unreachable!("made a mapping above");
        };
        current = next;
    }
    current
}
