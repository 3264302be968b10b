//! Progress snapshots, the history behind the console's live charts.
//!
//! A long migration publishes one a second for days, so the history is capped: when a task passes
//! [`MAX_SNAPSHOTS`], every second snapshot of its older half is dropped. Recent history stays at full
//! resolution and older history gets sparser, while the whole run stays on the chart.

use rusqlite::params;

use super::codec::{from_json, to_json};
use super::{now_ms, tasks, Store, StoreError};
use crate::pipeline::Progress;
use crate::text::catalog::errors as msg;

/// The most snapshots kept per task.
pub const MAX_SNAPSHOTS: usize = 2000;

impl Store {
    /// Appends a snapshot stamped now, thinning the task's older ones past [`MAX_SNAPSHOTS`].
    pub fn add_snapshot(&self, id: i64, progress: &Progress) -> Result<(), StoreError> {
        self.write(|conn| {
            tasks::ensure(conn, id)?;
            conn.prepare_cached("INSERT INTO snapshots (task_id, at_ms, progress) VALUES (?1, ?2, ?3)")?
                .execute(params![id, now_ms(), to_json(progress, &msg::STORE_SNAPSHOT)?])?;
            let count: i64 = conn
                .prepare_cached("SELECT COUNT(*) FROM snapshots WHERE task_id = ?1")?
                .query_row([id], |row| row.get(0))?;
            if count > MAX_SNAPSHOTS as i64 {
                // Even ranks among the oldest half: keeps the very first snapshot, halves the rest.
                conn.execute(
                    "DELETE FROM snapshots WHERE id IN (
                         SELECT id FROM (
                             SELECT id, ROW_NUMBER() OVER (ORDER BY id) AS rank FROM snapshots WHERE task_id = ?1
                         ) WHERE rank <= ?2 AND rank % 2 = 0
                     )",
                    params![id, count / 2],
                )?;
            }
            Ok(())
        })
    }

    /// Up to `limit` of the newest snapshots, with their times, newest last.
    pub fn snapshots(&self, id: i64, limit: usize) -> Result<Vec<(i64, Progress)>, StoreError> {
        self.read(|conn| {
            tasks::ensure(conn, id)?;
            let mut stmt =
                conn.prepare("SELECT at_ms, progress FROM snapshots WHERE task_id = ?1 ORDER BY id DESC LIMIT ?2")?;
            let mut rows = stmt.query(params![id, i64::try_from(limit).unwrap_or(i64::MAX)])?;
            let mut out = Vec::new();
            while let Some(row) = rows.next()? {
                out.push((row.get(0)?, from_json(&row.get::<_, String>(1)?, &msg::STORE_SNAPSHOT)?));
            }
            out.reverse();
            Ok(out)
        })
    }

    /// The newest snapshot, if the task has any.
    pub fn latest_snapshot(&self, id: i64) -> Result<Option<Progress>, StoreError> {
        self.read(|conn| {
            tasks::ensure(conn, id)?;
            let mut stmt =
                conn.prepare_cached("SELECT progress FROM snapshots WHERE task_id = ?1 ORDER BY id DESC LIMIT 1")?;
            let mut rows = stmt.query([id])?;
            match rows.next()? {
                Some(row) => Ok(Some(from_json(&row.get::<_, String>(0)?, &msg::STORE_SNAPSHOT)?)),
                None => Ok(None),
            }
        })
    }
}
