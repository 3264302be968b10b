//! Which process runs a task: a lease kept alive by heartbeats.
//!
//! The CLI and the desktop app can both run tasks, and either may die without cleaning up. A runner
//! claims a task, heartbeats well within [`RUNNER_STALE_AFTER_MS`], and releases it when done; a
//! claim whose heartbeat went stale belongs to a dead runner and may be taken over.

use rusqlite::{params, Connection, OptionalExtension};

use super::error::Fail;
use super::{now_ms, tasks, Store, StoreError};

/// A runner whose last heartbeat is older than this counts as dead.
pub const RUNNER_STALE_AFTER_MS: i64 = 10_000;

impl Store {
    /// Makes `owner` the task's runner, unless another live runner holds it (then `false`). Claiming
    /// again as the same owner renews the claim.
    pub fn claim(&self, id: i64, owner: &str) -> Result<bool, StoreError> {
        self.write(|conn| {
            let (runner, heartbeat) = lease(conn, id)?;
            let now = now_ms();
            let held_by_other = runner.is_some_and(|r| r != owner) && is_live(heartbeat, now);
            if held_by_other {
                return Ok(false);
            }
            conn.execute("UPDATE tasks SET runner = ?2, heartbeat_at_ms = ?3 WHERE id = ?1", params![id, owner, now])?;
            Ok(true)
        })
    }

    /// Renews `owner`'s claim. Fails with [`StoreError::Lost`] when another process took the task over
    /// (this runner's heartbeats had stopped for too long): the caller must stop running it.
    pub fn heartbeat(&self, id: i64, owner: &str) -> Result<(), StoreError> {
        self.write(|conn| {
            let updated = conn.execute(
                "UPDATE tasks SET heartbeat_at_ms = ?3 WHERE id = ?1 AND runner = ?2",
                params![id, owner, now_ms()],
            )?;
            if updated == 0 {
                tasks::ensure(conn, id)?;
                return Err(StoreError::Lost { id, owner: owner.to_string() }.into());
            }
            Ok(())
        })
    }

    /// Gives up `owner`'s claim; nothing happens if someone else holds the task.
    pub fn release(&self, id: i64, owner: &str) -> Result<(), StoreError> {
        self.write(|conn| {
            tasks::ensure(conn, id)?;
            conn.execute(
                "UPDATE tasks SET runner = NULL, heartbeat_at_ms = NULL WHERE id = ?1 AND runner = ?2",
                params![id, owner],
            )?;
            Ok(())
        })
    }

    /// Whether a live process runs the task.
    pub fn runner_alive(&self, id: i64) -> Result<bool, StoreError> {
        self.read(|conn| {
            let (runner, heartbeat) = lease(conn, id)?;
            Ok(runner.is_some() && is_live(heartbeat, now_ms()))
        })
    }

    /// When the task's runner last heartbeated (unix ms), if it has one.
    pub fn heartbeat_at(&self, id: i64) -> Result<Option<i64>, StoreError> {
        self.read(|conn| Ok(lease(conn, id)?.1))
    }
}

/// The task's runner and its last heartbeat.
fn lease(conn: &Connection, id: i64) -> Result<(Option<String>, Option<i64>), Fail> {
    let lease = conn
        .query_row("SELECT runner, heartbeat_at_ms FROM tasks WHERE id = ?1", [id], |row| {
            Ok((row.get(0)?, row.get(1)?))
        })
        .optional()?;
    lease.ok_or_else(|| tasks::not_found(id).into())
}

fn is_live(heartbeat: Option<i64>, now: i64) -> bool {
    heartbeat.is_some_and(|at| now - at <= RUNNER_STALE_AFTER_MS)
}
