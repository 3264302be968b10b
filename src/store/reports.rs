//! The latest check and verify reports of each task: JSON the checks and verify modules define and
//! the store keeps without looking inside.

use rusqlite::{params, Connection, OptionalExtension};

use super::error::Fail;
use super::{now_ms, tasks, Store, StoreError};

const CHECK: &str = "check";
const VERIFY: &str = "verify";

impl Store {
    /// Keeps `report_json` as the task's latest check report, replacing the previous one.
    pub fn save_check(&self, id: i64, report_json: &str) -> Result<(), StoreError> {
        self.write(|conn| save(conn, id, CHECK, report_json))
    }

    pub fn latest_check(&self, id: i64) -> Result<Option<String>, StoreError> {
        self.read(|conn| latest(conn, id, CHECK))
    }

    /// Keeps `report_json` as the task's latest verify report, replacing the previous one.
    pub fn save_verify(&self, id: i64, report_json: &str) -> Result<(), StoreError> {
        self.write(|conn| save(conn, id, VERIFY, report_json))
    }

    pub fn latest_verify(&self, id: i64) -> Result<Option<String>, StoreError> {
        self.read(|conn| latest(conn, id, VERIFY))
    }
}

fn save(conn: &Connection, id: i64, kind: &str, report_json: &str) -> Result<(), Fail> {
    tasks::ensure(conn, id)?;
    conn.execute(
        "INSERT INTO reports (task_id, kind, at_ms, report) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (task_id, kind) DO UPDATE SET at_ms = excluded.at_ms, report = excluded.report",
        params![id, kind, now_ms(), report_json],
    )?;
    Ok(())
}

fn latest(conn: &Connection, id: i64, kind: &str) -> Result<Option<String>, Fail> {
    tasks::ensure(conn, id)?;
    let report = conn
        .query_row("SELECT report FROM reports WHERE task_id = ?1 AND kind = ?2", params![id, kind], |row| row.get(0))
        .optional()?;
    Ok(report)
}
