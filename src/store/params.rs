//! Source parameters saved before migrations change them, so they can be restored afterwards —
//! also by another process, or at the next start after a crash.
//!
//! They are kept per source (`host:port`), not per task: several tasks may migrate from one source,
//! and only the first of them sees the source's own values. Each task *holds* the source's saved
//! values while it runs; the last holder to end puts them back.

use rusqlite::{params, OptionalExtension};

use super::codec::{from_json, to_json};
use super::{now_ms, tasks, Store, StoreError};
use crate::text::catalog::errors as msg;

/// What ending a task's hold on its source's parameters calls for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Release {
    /// The task holds nothing.
    Nothing,
    /// It is the last task holding the source: put these values back, then [`Store::drop_hold`].
    Restore(Vec<(String, String)>),
    /// Other tasks (these ids) still hold the source: leave the values raised.
    Others(Vec<i64>),
}

impl Store {
    /// Task `id` holds `source`'s parameters. The first holder of a source saves `current` as the
    /// source's own values; later holders leave them (theirs may be values another task raised).
    /// Returns whether this task was the first.
    pub fn hold_params(&self, id: i64, source: &str, current: &[(String, String)]) -> Result<bool, StoreError> {
        self.write(|conn| {
            tasks::ensure(conn, id)?;
            let first = conn.execute(
                "INSERT OR IGNORE INTO source_params (source, params, saved_at_ms) VALUES (?1, ?2, ?3)",
                params![source, to_json(&current, &msg::STORE_SAVED_PARAMS)?, now_ms()],
            )? == 1;
            conn.execute(
                "INSERT OR IGNORE INTO source_param_holders (source, task_id) VALUES (?1, ?2)",
                params![source, id],
            )?;
            Ok(first)
        })
    }

    /// The source's own values, as saved by its first holder, when task `id` holds them.
    pub fn saved_params(&self, id: i64) -> Result<Option<Vec<(String, String)>>, StoreError> {
        self.read(|conn| {
            tasks::ensure(conn, id)?;
            let json: Option<String> = conn
                .query_row(
                    "SELECT p.params FROM source_params p JOIN source_param_holders h ON h.source = p.source
                     WHERE h.task_id = ?1",
                    [id],
                    |row| row.get(0),
                )
                .optional()?;
            json.map(|json| from_json(&json, &msg::STORE_SAVED_PARAMS)).transpose()
        })
    }

    /// What ending task `id`'s hold calls for (nothing changes yet: see [`Store::drop_hold`]).
    pub fn release_params(&self, id: i64) -> Result<Release, StoreError> {
        self.read(|conn| {
            tasks::ensure(conn, id)?;
            let source: Option<String> = conn
                .query_row("SELECT source FROM source_param_holders WHERE task_id = ?1", [id], |row| row.get(0))
                .optional()?;
            let Some(source) = source else { return Ok(Release::Nothing) };
            let mut stmt = conn.prepare(
                "SELECT task_id FROM source_param_holders WHERE source = ?1 AND task_id != ?2 ORDER BY task_id",
            )?;
            let others = stmt.query_map(params![source, id], |row| row.get(0))?.collect::<Result<Vec<i64>, _>>()?;
            if !others.is_empty() {
                return Ok(Release::Others(others));
            }
            let json: String =
                conn.query_row("SELECT params FROM source_params WHERE source = ?1", [&source], |row| row.get(0))?;
            Ok(Release::Restore(from_json(&json, &msg::STORE_SAVED_PARAMS)?))
        })
    }

    /// Ends task `id`'s hold; the source's saved values go with its last holder.
    pub fn drop_hold(&self, id: i64) -> Result<(), StoreError> {
        self.write(|conn| {
            tasks::ensure(conn, id)?;
            let source: Option<String> = conn
                .query_row("SELECT source FROM source_param_holders WHERE task_id = ?1", [id], |row| row.get(0))
                .optional()?;
            let Some(source) = source else { return Ok(()) };
            conn.execute("DELETE FROM source_param_holders WHERE task_id = ?1", [id])?;
            conn.execute(
                "DELETE FROM source_params WHERE source = ?1
                 AND NOT EXISTS (SELECT 1 FROM source_param_holders WHERE source = ?1)",
                [&source],
            )?;
            Ok(())
        })
    }

    /// The tasks holding a source's parameters, by id: what to look at on startup.
    pub fn tasks_with_saved_params(&self) -> Result<Vec<i64>, StoreError> {
        self.read(|conn| {
            let mut stmt = conn.prepare("SELECT task_id FROM source_param_holders ORDER BY task_id")?;
            let ids = stmt.query_map([], |row| row.get(0))?.collect::<Result<Vec<i64>, _>>()?;
            Ok(ids)
        })
    }
}
