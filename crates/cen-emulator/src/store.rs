//! Where the state lives between requests: memory only, or a SQLite file.
//!
//! The SQLite store keeps the whole state as one JSON document in one row. Every write replaces
//! that row in a transaction with `synchronous=FULL`, before the request is answered, so an
//! answered write survives `kill -9` and a power cut. One document keeps the code trivially
//! atomic; the state of an emulator is small, and fsync dominates the cost either way.

use std::path::Path;

use rusqlite::{Connection, OptionalExtension, params};

use crate::state::State;

/// Why the store failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// SQLite refused.
    #[error("sqlite: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// The stored document is not a state this version understands.
    #[error("stored state is unreadable: {0}")]
    Decode(#[from] serde_json::Error),
}

/// The backing store of the state.
#[derive(Debug)]
pub enum Store {
    /// Nothing survives the process.
    Memory,
    /// A SQLite database file.
    Sqlite(Connection),
}

/// The version of the stored document's layout.
const SCHEMA_VERSION: i64 = 1;

impl Store {
    /// Opens (creating if needed) a SQLite database.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        let connection = Connection::open(path)?;
        // WAL with FULL synchronous makes each committed transaction durable on return.
        connection.pragma_update(None, "journal_mode", "WAL")?;
        connection.pragma_update(None, "synchronous", "FULL")?;
        connection.busy_timeout(std::time::Duration::from_secs(5))?;
        connection.execute_batch(
            "CREATE TABLE IF NOT EXISTS emulator_state (
                 id INTEGER PRIMARY KEY CHECK (id = 1),
                 schema_version INTEGER NOT NULL,
                 body TEXT NOT NULL
             );",
        )?;
        Ok(Self::Sqlite(connection))
    }

    /// Reads the stored state, if there is one.
    pub fn load(&self) -> Result<Option<State>, StoreError> {
        match self {
            Self::Memory => Ok(None),
            Self::Sqlite(connection) => {
                let body: Option<String> = connection
                    .query_row(
                        "SELECT body FROM emulator_state WHERE id = 1 AND schema_version = ?1",
                        params![SCHEMA_VERSION],
                        |row| row.get(0),
                    )
                    .optional()?;
                Ok(match body {
                    Some(body) => Some(serde_json::from_str(&body)?),
                    None => None,
                })
            }
        }
    }

    /// Replaces the stored state, durably, before returning.
    pub fn save(&mut self, state: &State) -> Result<(), StoreError> {
        match self {
            Self::Memory => Ok(()),
            Self::Sqlite(connection) => {
                let body = serde_json::to_string(state)?;
                let tx = connection.transaction()?;
                tx.execute(
                    "INSERT INTO emulator_state (id, schema_version, body) VALUES (1, ?1, ?2)
                     ON CONFLICT(id) DO UPDATE SET schema_version = ?1, body = ?2",
                    params![SCHEMA_VERSION, body],
                )?;
                tx.commit()?;
                Ok(())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::Tag;

    #[test]
    fn sqlite_round_trips_the_state() {
        let dir = std::env::temp_dir().join(format!(
            "cen-emulator-store-{}-{}",
            std::process::id(),
            rand::random::<u32>()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("state.db");
        let mut state = State::default();
        state.cens.push(crate::state::Cen {
            id: "cen-abc".into(),
            owner: 1,
            name: Some("n".into()),
            description: None,
            protection_level: "REDUCED".into(),
            created_at: 5,
            modified_at: None,
            deleting_at: None,
            tags: vec![Tag {
                key: "k".into(),
                value: "v".into(),
            }],
        });
        {
            let mut store = Store::open(&path).unwrap();
            assert_eq!(store.load().unwrap(), None);
            store.save(&state).unwrap();
        }
        let store = Store::open(&path).unwrap();
        assert_eq!(store.load().unwrap(), Some(state));
        drop(store);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
