//! Where the state lives between requests: memory only, or a SQLite file.
//!
//! The SQLite store keeps one row per record, keyed by its table and its key, with its sequence
//! number (creation order) and its JSON. A write stores only the rows it changed, in one
//! transaction with `synchronous=FULL`, before the request is answered, so an answered write
//! survives `kill -9` and a power cut, and costs O(what changed), not O(state). Loading reads
//! every table in sequence order and rebuilds the same state.
//!
//! The schema version is SQLite's `user_version`. Version 1 kept the whole state as one JSON
//! document in `emulator_state`; opening such a file converts it to rows once.

use std::path::Path;

use rusqlite::{Connection, OptionalExtension, Transaction, params};

use crate::state::{LegacyState, RowChange, State};

/// Why the store failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// SQLite refused.
    #[error("sqlite: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// The stored document is not a state this version understands.
    #[error("stored state is unreadable: {0}")]
    Decode(#[from] serde_json::Error),
    /// The file was written by a newer version of the emulator.
    #[error("stored state has schema version {0}, newer than this emulator's {SCHEMA_VERSION}")]
    Version(i64),
}

/// The backing store of the state.
#[derive(Debug)]
pub enum Store {
    /// Nothing survives the process.
    Memory,
    /// A SQLite database file.
    Sqlite(Connection),
}

/// The version of the stored layout: 2 is one row per record.
const SCHEMA_VERSION: i64 = 2;

/// The version that kept one JSON document.
const DOCUMENT_VERSION: i64 = 1;

impl Store {
    /// Opens (creating if needed) a SQLite database, converting an older layout.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        let mut connection = Connection::open(path)?;
        // WAL with FULL synchronous makes each committed transaction durable on return.
        connection.pragma_update(None, "journal_mode", "WAL")?;
        connection.pragma_update(None, "synchronous", "FULL")?;
        connection.busy_timeout(std::time::Duration::from_secs(5))?;
        let tx = connection.transaction()?;
        let version: i64 = tx.query_row("PRAGMA user_version", [], |row| row.get(0))?;
        if version > SCHEMA_VERSION {
            return Err(StoreError::Version(version));
        }
        tx.execute_batch(
            "CREATE TABLE IF NOT EXISTS records (
                 kind TEXT NOT NULL,
                 id TEXT NOT NULL,
                 seq INTEGER NOT NULL,
                 body TEXT NOT NULL,
                 PRIMARY KEY (kind, id)
             ) WITHOUT ROWID;
             CREATE INDEX IF NOT EXISTS records_by_seq ON records (kind, seq);",
        )?;
        if version < SCHEMA_VERSION {
            migrate_document(&tx)?;
            tx.pragma_update(None, "user_version", SCHEMA_VERSION)?;
        }
        tx.commit()?;
        Ok(Self::Sqlite(connection))
    }

    /// Whether the store keeps the records' bodies (and so needs them in [`Store::apply`]).
    pub fn keeps_bodies(&self) -> bool {
        matches!(self, Self::Sqlite(_))
    }

    /// Reads the stored state, if there is one.
    pub fn load(&self) -> Result<Option<State>, StoreError> {
        match self {
            Self::Memory => Ok(None),
            Self::Sqlite(connection) => {
                let any: Option<i64> = connection
                    .query_row("SELECT 1 FROM records LIMIT 1", [], |row| row.get(0))
                    .optional()?;
                if any.is_none() {
                    return Ok(None);
                }
                let state = State::load(|kind| load_rows(connection, kind))?;
                Ok(Some(state))
            }
        }
    }

    /// Stores the rows a write changed, durably, in one transaction, before returning.
    pub fn apply(&mut self, changes: &[RowChange]) -> Result<(), StoreError> {
        match self {
            Self::Memory => Ok(()),
            Self::Sqlite(connection) => {
                let tx = connection.transaction()?;
                write_rows(&tx, changes)?;
                tx.commit()?;
                Ok(())
            }
        }
    }

    /// Replaces the whole stored state, durably, before returning.
    pub fn save(&mut self, state: &State) -> Result<(), StoreError> {
        match self {
            Self::Memory => Ok(()),
            Self::Sqlite(connection) => {
                let tx = connection.transaction()?;
                tx.execute("DELETE FROM records", [])?;
                write_rows(&tx, &state.rows())?;
                tx.commit()?;
                Ok(())
            }
        }
    }
}

/// Writes rows: puts and deletes.
fn write_rows(tx: &Transaction<'_>, changes: &[RowChange]) -> Result<(), StoreError> {
    let mut put = tx.prepare_cached(
        "INSERT INTO records (kind, id, seq, body) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT(kind, id) DO UPDATE SET seq = ?3, body = ?4",
    )?;
    let mut delete = tx.prepare_cached("DELETE FROM records WHERE kind = ?1 AND id = ?2")?;
    for change in changes {
        match &change.row {
            Some((seq, body)) => {
                let seq = i64::try_from(*seq).unwrap_or(i64::MAX);
                put.execute(params![
                    change.kind,
                    change.id,
                    seq,
                    body.as_deref().unwrap_or("null")
                ])?;
            }
            None => {
                delete.execute(params![change.kind, change.id])?;
            }
        }
    }
    Ok(())
}

/// Reads the rows of one table: sequence numbers and bodies.
fn load_rows(connection: &Connection, kind: &str) -> Result<Vec<(u64, String)>, StoreError> {
    let mut statement =
        connection.prepare_cached("SELECT seq, body FROM records WHERE kind = ?1 ORDER BY seq")?;
    let rows = statement.query_map(params![kind], |row| {
        Ok((
            u64::try_from(row.get::<_, i64>(0)?).unwrap_or(0),
            row.get(1)?,
        ))
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Converts the document of schema version 1, if there is one, to rows.
fn migrate_document(tx: &Transaction<'_>) -> Result<(), StoreError> {
    let exists: Option<String> = tx
        .query_row(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'emulator_state'",
            [],
            |row| row.get(0),
        )
        .optional()?;
    if exists.is_none() {
        return Ok(());
    }
    let body: Option<String> = tx
        .query_row(
            "SELECT body FROM emulator_state WHERE id = 1 AND schema_version = ?1",
            params![DOCUMENT_VERSION],
            |row| row.get(0),
        )
        .optional()?;
    if let Some(body) = body {
        let state = State::from(serde_json::from_str::<LegacyState>(&body)?);
        tx.execute("DELETE FROM records", [])?;
        write_rows(tx, &state.rows())?;
    }
    tx.execute("DROP TABLE emulator_state", [])?;
    Ok(())
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
        state.cens.insert(crate::state::Cen {
            id: "cen-abc".into(),
            owner: 1,
            name: Some("n".into()),
            description: None,
            protection_level: "REDUCED".into(),
            life: crate::state::Lifecycle::started(5),
            resource_group: None,
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

    fn temp_db(name: &str) -> (std::path::PathBuf, std::path::PathBuf) {
        let dir = std::env::temp_dir().join(format!(
            "cen-emulator-{name}-{}-{}",
            std::process::id(),
            rand::random::<u32>()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("state.db");
        (dir, path)
    }

    fn rows(path: &Path) -> Vec<(String, String, i64)> {
        let connection = Connection::open(path).unwrap();
        let mut statement = connection
            .prepare("SELECT kind, id, seq FROM records ORDER BY kind, seq")
            .unwrap();
        statement
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    }

    #[test]
    fn a_version_1_document_is_converted_to_rows() {
        let (dir, path) = temp_db("migrate");
        {
            let connection = Connection::open(&path).unwrap();
            connection
                .execute_batch(
                    "CREATE TABLE emulator_state (
                         id INTEGER PRIMARY KEY CHECK (id = 1),
                         schema_version INTEGER NOT NULL,
                         body TEXT NOT NULL
                     );",
                )
                .unwrap();
            let body = serde_json::json!({
                "cens": [
                    {"id": "cen-b", "owner": 1, "name": null, "description": null,
                     "protection_level": "REDUCED", "created_at": 1, "modified_at": null,
                     "deleting_at": null, "tags": []},
                    {"id": "cen-a", "owner": 1, "name": "n", "description": null,
                     "protection_level": "REDUCED", "created_at": 2, "modified_at": null,
                     "deleting_at": 7, "tags": []}
                ],
                "tokens": [{"caller": 1, "action": "CreateCen", "token": "t",
                            "fingerprint": "{}", "result": "cen-b"}]
            });
            connection
                .execute(
                    "INSERT INTO emulator_state VALUES (1, 1, ?1)",
                    params![body.to_string()],
                )
                .unwrap();
        }
        let store = Store::open(&path).unwrap();
        let state = store.load().unwrap().unwrap();
        let ids: Vec<_> = state.cens.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(ids, ["cen-b", "cen-a"]);
        assert_eq!(state.tokens.len(), 1);
        drop(store);
        // Converted once: the document is gone and reopening reads the rows.
        let store = Store::open(&path).unwrap();
        assert_eq!(store.load().unwrap(), Some(state));
        let version: i64 = match &store {
            Store::Sqlite(c) => c
                .query_row("PRAGMA user_version", [], |r| r.get(0))
                .unwrap(),
            Store::Memory => unreachable!(),
        };
        assert_eq!(version, SCHEMA_VERSION);
        drop(store);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_newer_schema_is_refused() {
        let (dir, path) = temp_db("newer");
        Connection::open(&path)
            .unwrap()
            .pragma_update(None, "user_version", SCHEMA_VERSION + 1)
            .unwrap();
        assert!(matches!(Store::open(&path), Err(StoreError::Version(_))));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn writes_store_only_the_rows_they_change() {
        use crate::emulator::{Caller, Emulator, EmulatorConfig};
        use serde_json::json;
        let (dir, path) = temp_db("rows");
        let config = EmulatorConfig::new(&[1], std::time::Duration::ZERO);
        let caller = Caller::new(1, "R");
        let emulator = Emulator::new(config.clone(), Store::open(&path).unwrap()).unwrap();
        let mut ids = Vec::new();
        for i in 0..3 {
            let r = emulator
                .create_cen(
                    &caller,
                    crate::testing::req(
                        json!({"Name": format!("c{i}"), "ClientToken": format!("t{i}")}),
                    ),
                )
                .unwrap();
            ids.push(r.cen_id.unwrap());
        }
        let stored = rows(&path);
        assert_eq!(stored.iter().filter(|r| r.0 == "cen").count(), 3);
        assert_eq!(stored.iter().filter(|r| r.0 == "token").count(), 3);
        emulator
            .delete_cen(&caller, crate::testing::req(json!({"CenId": ids[1]})))
            .unwrap();
        // The next write purges the deleted instance (the delay is zero): its row goes.
        emulator
            .modify_cen_attribute(
                &caller,
                crate::testing::req(json!({"CenId": ids[2], "Name": "renamed"})),
            )
            .unwrap();
        let stored = rows(&path);
        let cens: Vec<_> = stored.iter().filter(|r| r.0 == "cen").collect();
        assert_eq!(cens.len(), 2);
        assert_eq!(cens[0].1, serde_json::to_string(&ids[0]).unwrap());
        assert_eq!(cens[1].1, serde_json::to_string(&ids[2]).unwrap());
        drop(emulator);
        let emulator = Emulator::new(config, Store::open(&path).unwrap()).unwrap();
        let listed = emulator
            .describe_cens(&caller, crate::testing::req(json!({})))
            .unwrap();
        let names: Vec<_> = listed
            .cens
            .unwrap()
            .cen
            .into_iter()
            .map(|c| c.name.unwrap())
            .collect();
        assert_eq!(names, ["c0", "renamed"]);
        drop(emulator);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
