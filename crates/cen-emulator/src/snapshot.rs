//! State snapshots: the whole state, or one account's, as a JSON document that a team exports
//! once and imports to start each test from the same network.
//!
//! ```json
//! {"Version": 1, "Account": 1234567890123456, "Tables": {"cen": [..], "transit_router": [..], ..}}
//! ```
//!
//! `Tables` holds one array per kind of record (the names of `State::KINDS`), each record in the
//! form the `--data` store keeps, in creation order; `Account` is present when the export was
//! of one account. Exporting, importing into a fresh emulator and exporting again gives the
//! same document.

use acs_rpc::error::xml_allows;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The version of the document this emulator writes and reads.
pub const VERSION: u32 = 1;

/// A state snapshot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct StateDocument {
    /// Always [`VERSION`].
    pub version: u32,
    /// The account the export was limited to, if it was.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<i64>,
    /// The records by kind.
    pub tables: Map<String, Value>,
}

/// Why a snapshot cannot be imported.
#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    /// Another version of the document.
    #[error("a state document of version {0}; this emulator reads version {VERSION}")]
    Version(u32),
    /// A string the XML answers could not carry.
    #[error("{0} contains a character that XML 1.0 cannot carry")]
    Character(String),
    /// A table or record that does not read.
    #[error("{0}")]
    Record(String),
    /// The store refused the state.
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
}

impl StateDocument {
    /// Checks what the records themselves cannot: the version, and that every string can be
    /// answered in XML (the front door refuses such characters in requests, so a snapshot must
    /// not bring them in either).
    pub fn check(&self) -> Result<(), SnapshotError> {
        if self.version != VERSION {
            return Err(SnapshotError::Version(self.version));
        }
        fn walk(path: &str, value: &Value) -> Result<(), SnapshotError> {
            match value {
                Value::String(s) if !s.chars().all(xml_allows) => {
                    Err(SnapshotError::Character(path.to_owned()))
                }
                Value::Array(items) => items
                    .iter()
                    .enumerate()
                    .try_for_each(|(i, v)| walk(&format!("{path}[{i}]"), v)),
                Value::Object(members) => members
                    .iter()
                    .try_for_each(|(k, v)| walk(&format!("{path}.{k}"), v)),
                _ => Ok(()),
            }
        }
        self.tables
            .iter()
            .try_for_each(|(kind, records)| walk(kind, records))
    }
}
