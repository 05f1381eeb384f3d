//! Writing a [`Generated`] tree, or comparing it with the work tree (`--check`).

use std::collections::BTreeSet;
use std::fmt;
use std::path::Path;

use crate::{Error, Generated};

/// How a file on disk differs from what codegen would write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum DifferenceKind {
    /// The file exists with other contents.
    Stale,
    /// Codegen would write the file and it does not exist.
    Missing,
    /// The file is in a directory codegen owns, and codegen would not write it.
    Extra,
}

/// One file that differs.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Difference {
    /// The path relative to the workspace root.
    pub path: String,
    /// How it differs.
    pub kind: DifferenceKind,
}

impl fmt::Display for Difference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.kind {
            DifferenceKind::Stale => "stale",
            DifferenceKind::Missing => "missing",
            DifferenceKind::Extra => "not generated (extra)",
        };
        write!(f, "{}: {what}", self.path)
    }
}

/// The message of [`Error::Stale`].
pub fn describe(differences: &[Difference]) -> String {
    let mut out = format!(
        "{} generated file(s) are out of date; run `cargo xtask codegen` and commit the result:",
        differences.len()
    );
    for d in differences {
        out.push_str(&format!("\n  {d}"));
    }
    out
}

/// Compares `generated` with the files under `root`, touching nothing.
pub fn compare(root: &Path, generated: &Generated) -> Result<Vec<Difference>, Error> {
    let mut differences = Vec::new();
    for file in &generated.files {
        let path = root.join(&file.path);
        match std::fs::read(&path) {
            Ok(bytes) if bytes == file.contents.as_bytes() => {}
            Ok(_) => differences.push(Difference {
                path: file.path.clone(),
                kind: DifferenceKind::Stale,
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => differences.push(Difference {
                path: file.path.clone(),
                kind: DifferenceKind::Missing,
            }),
            Err(source) => return Err(Error::Io { path, source }),
        }
    }
    for path in extra_files(root, generated)? {
        differences.push(Difference {
            path,
            kind: DifferenceKind::Extra,
        });
    }
    differences.sort();
    Ok(differences)
}

/// Returns an error listing every difference, if there is one.
pub fn check(root: &Path, generated: &Generated) -> Result<(), Error> {
    let differences = compare(root, generated)?;
    if differences.is_empty() {
        Ok(())
    } else {
        Err(Error::Stale { differences })
    }
}

/// Brings the work tree in line with `generated`: writes the files whose contents differ and
/// removes the files codegen no longer writes from the directories it owns. Returns what it
/// changed.
pub fn write(root: &Path, generated: &Generated) -> Result<Vec<Difference>, Error> {
    let differences = compare(root, generated)?;
    for d in &differences {
        let path = root.join(&d.path);
        match d.kind {
            DifferenceKind::Stale | DifferenceKind::Missing => {
                let Some(file) = generated.files.iter().find(|f| f.path == d.path) else {
                    continue;
                };
                if let Some(parent) = path.parent() {
                    std::fs::create_dir_all(parent).map_err(|source| Error::Io {
                        path: parent.to_path_buf(),
                        source,
                    })?;
                }
                std::fs::write(&path, &file.contents)
                    .map_err(|source| Error::Io { path, source })?;
            }
            DifferenceKind::Extra => {
                std::fs::remove_file(&path).map_err(|source| Error::Io { path, source })?;
            }
        }
    }
    Ok(differences)
}

/// The files under the owned directories that `generated` does not contain, sorted.
fn extra_files(root: &Path, generated: &Generated) -> Result<Vec<String>, Error> {
    let wanted: BTreeSet<&str> = generated.files.iter().map(|f| f.path.as_str()).collect();
    let mut extra = Vec::new();
    for dir in &generated.owned_dirs {
        let mut pending = vec![dir.clone()];
        while let Some(rel) = pending.pop() {
            let abs = root.join(&rel);
            let entries = match std::fs::read_dir(&abs) {
                Ok(entries) => entries,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                Err(source) => return Err(Error::Io { path: abs, source }),
            };
            for entry in entries {
                let entry = entry.map_err(|source| Error::Io {
                    path: abs.clone(),
                    source,
                })?;
                let name = entry.file_name().to_string_lossy().into_owned();
                let child = format!("{rel}/{name}");
                let is_dir = entry
                    .file_type()
                    .map_err(|source| Error::Io {
                        path: entry.path(),
                        source,
                    })?
                    .is_dir();
                if is_dir {
                    pending.push(child);
                } else if !wanted.contains(child.as_str()) {
                    extra.push(child);
                }
            }
        }
    }
    extra.sort();
    Ok(extra)
}
