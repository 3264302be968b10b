//! The database schema and its migrations, versioned by `PRAGMA user_version`.
//!
//! Each migration runs once, in order, inside one IMMEDIATE transaction that re-reads the version, so
//! two processes opening a new file at the same moment cannot both apply it. Add migrations at the
//! end; never edit one that has shipped.

use std::path::Path;

use rusqlite::{Connection, TransactionBehavior};

use super::error::{Fail, StoreError};

/// Migration `i` brings the schema from version `i` to `i + 1`.
const MIGRATIONS: &[&str] = &[V1];

/// Version 1. Specs are JSON, but what the console filters or joins on (name, kind, target, status)
/// are real columns. AUTOINCREMENT keeps ids from being reused, since keychain entries are named after
/// them (`instance:<id>`, `task:<id>:source`).
const V1: &str = "
CREATE TABLE instances (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL UNIQUE,
    region TEXT NOT NULL,
    host TEXT NOT NULL,
    port INTEGER NOT NULL,
    user TEXT,
    has_password INTEGER NOT NULL,
    edition TEXT NOT NULL,
    proxy TEXT,
    created_at_ms INTEGER NOT NULL
);
CREATE INDEX instances_by_region ON instances (region, name);

-- No foreign key to instances: a finished task keeps its history after its target is removed.
CREATE TABLE tasks (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    target_instance INTEGER NOT NULL,
    status TEXT NOT NULL,
    spec TEXT NOT NULL,
    reason TEXT,
    created_at_ms INTEGER NOT NULL,
    updated_at_ms INTEGER NOT NULL,
    cutover_at_ms INTEGER,
    final_lag_bytes INTEGER,
    runner TEXT,
    heartbeat_at_ms INTEGER
);
CREATE INDEX tasks_by_target ON tasks (target_instance);
CREATE INDEX tasks_by_status ON tasks (status);

CREATE TABLE events (
    id INTEGER PRIMARY KEY,
    task_id INTEGER NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    at_ms INTEGER NOT NULL,
    kind TEXT NOT NULL,
    message TEXT NOT NULL
);
CREATE INDEX events_by_task ON events (task_id, id);

CREATE TABLE snapshots (
    id INTEGER PRIMARY KEY,
    task_id INTEGER NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    at_ms INTEGER NOT NULL,
    progress TEXT NOT NULL
);
CREATE INDEX snapshots_by_task ON snapshots (task_id, id);

-- The latest report of each kind ('check', 'verify') per task.
CREATE TABLE reports (
    task_id INTEGER NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    at_ms INTEGER NOT NULL,
    report TEXT NOT NULL,
    PRIMARY KEY (task_id, kind)
);

CREATE TABLE saved_params (
    task_id INTEGER PRIMARY KEY REFERENCES tasks (id) ON DELETE CASCADE,
    params TEXT NOT NULL,
    saved_at_ms INTEGER NOT NULL
);

CREATE TABLE requests (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    task_id INTEGER NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    action TEXT NOT NULL,
    payload TEXT NOT NULL,
    at_ms INTEGER NOT NULL
);
CREATE INDEX requests_by_task ON requests (task_id, id);
";

/// Brings the schema up to date; refuses a database from a newer Ferry.
pub(super) fn migrate(conn: &mut Connection, path: &Path) -> Result<(), Fail> {
    let known = MIGRATIONS.len() as i64;
    // A plain read first: once the schema is current (nearly always), opening takes no write lock.
    if version(conn)? == known {
        return Ok(());
    }
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let found = version(&tx)?;
    if found > known {
        return Err(StoreError::TooNew { path: path.to_path_buf(), found, known }.into());
    }
    for sql in MIGRATIONS.iter().skip(found.max(0) as usize) {
        tx.execute_batch(sql)?;
    }
    tx.pragma_update(None, "user_version", known)?;
    tx.commit()?;
    Ok(())
}

fn version(conn: &Connection) -> Result<i64, Fail> {
    Ok(conn.query_row("PRAGMA user_version", [], |row| row.get(0))?)
}
