//! The database schema and its migrations, versioned by `PRAGMA user_version`.
//!
//! Each migration runs once, in order, inside one IMMEDIATE transaction that re-reads the version, so
//! two processes opening a new file at the same moment cannot both apply it. Add migrations at the
//! end; never edit one that has shipped.

use std::path::Path;

use rusqlite::{Connection, TransactionBehavior};

use super::error::{Fail, StoreError};

/// Migration `i` brings the schema from version `i` to `i + 1`.
const MIGRATIONS: &[&str] = &[V1, V2, V3, V4];

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

/// Version 2. A source's parameters are saved once per source (`host:port`), however many tasks
/// raise them, and put back when the last of those tasks ends: with one row per task, a second task
/// saved the first one's raised values as "the originals". The rows of version 1 move over (the
/// earliest save of a source wins).
const V2: &str = "
CREATE TABLE source_params (
    source TEXT PRIMARY KEY,
    params TEXT NOT NULL,
    saved_at_ms INTEGER NOT NULL
);
CREATE TABLE source_param_holders (
    source TEXT NOT NULL REFERENCES source_params (source) ON DELETE CASCADE,
    task_id INTEGER NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    PRIMARY KEY (source, task_id)
);
INSERT OR IGNORE INTO source_params (source, params, saved_at_ms)
    SELECT json_extract(t.spec, '$.source.host') || ':' || json_extract(t.spec, '$.source.port'), p.params, p.saved_at_ms
    FROM saved_params p JOIN tasks t ON t.id = p.task_id ORDER BY p.saved_at_ms;
INSERT OR IGNORE INTO source_param_holders (source, task_id)
    SELECT json_extract(t.spec, '$.source.host') || ':' || json_extract(t.spec, '$.source.port'), p.task_id
    FROM saved_params p JOIN tasks t ON t.id = p.task_id;
DROP TABLE saved_params;
";

/// Version 3. A cluster instance names further seed nodes (a JSON list of `host:port`), so that it
/// stays reachable while the node it was registered with is down; an instance that takes TLS keeps
/// its TLS settings, one behind an SSH jump host its tunnel (JSON each; NULL when not used; the
/// SSH secret is in the keychain).
const V3: &str = "
ALTER TABLE instances ADD COLUMN seeds TEXT NOT NULL DEFAULT '[]';
ALTER TABLE instances ADD COLUMN tls TEXT;
ALTER TABLE instances ADD COLUMN ssh TEXT;
";

/// Version 4. Hot-standby pairs are saved, so that they outlive the process that started them and a
/// service (`ferry standby run`) can run them: their settings, where the route stood when it last
/// moved (epoch and master), the process running them (a lease like a task's) and its latest
/// status, their events (bounded), and requests to their runner from other processes.
const V4: &str = "
CREATE TABLE standby_pairs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL UNIQUE,
    spec TEXT NOT NULL,
    epoch INTEGER NOT NULL DEFAULT 0,
    master TEXT,
    runner TEXT,
    heartbeat_at_ms INTEGER,
    status TEXT,
    created_at_ms INTEGER NOT NULL
);
CREATE TABLE standby_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    pair_id INTEGER NOT NULL REFERENCES standby_pairs (id) ON DELETE CASCADE,
    at_ms INTEGER NOT NULL,
    kind TEXT NOT NULL,
    epoch INTEGER NOT NULL,
    detail TEXT NOT NULL
);
CREATE INDEX standby_events_by_pair ON standby_events (pair_id, id);
CREATE TABLE standby_requests (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    pair_id INTEGER NOT NULL REFERENCES standby_pairs (id) ON DELETE CASCADE,
    action TEXT NOT NULL,
    at_ms INTEGER NOT NULL
);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_2_moves_saved_parameters_to_their_source() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(V1).unwrap();
        let spec = |port: u16| format!(r#"{{"source":{{"host":"10.0.0.5","port":{port}}}}}"#);
        for (id, port) in [(1, 6379), (2, 6379), (3, 6380)] {
            conn.execute(
                "INSERT INTO tasks (id, name, kind, target_instance, status, spec, created_at_ms, updated_at_ms)
                 VALUES (?1, ?2, 'cloud_vm', 1, 'failed', ?3, 0, 0)",
                rusqlite::params![id, format!("t{id}"), spec(port)],
            )
            .unwrap();
        }
        // Tasks 1 and 2 share a source: 1 saved first, 2 saved what 1 had raised.
        for (id, params, at) in
            [(1, r#"[["repl-timeout","60"]]"#, 10), (2, r#"[["repl-timeout","120"]]"#, 20), (3, "[]", 30)]
        {
            conn.execute("INSERT INTO saved_params VALUES (?1, ?2, ?3)", rusqlite::params![id, params, at]).unwrap();
        }
        conn.execute_batch(V2).unwrap();
        let saved: String = conn
            .query_row("SELECT params FROM source_params WHERE source = '10.0.0.5:6379'", [], |r| r.get(0))
            .unwrap();
        assert_eq!(saved, r#"[["repl-timeout","60"]]"#, "the earliest save is the source's own");
        let holders: i64 = conn.query_row("SELECT COUNT(*) FROM source_param_holders", [], |r| r.get(0)).unwrap();
        assert_eq!(holders, 3);
    }
}
