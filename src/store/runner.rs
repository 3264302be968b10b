//! Which process runs a task: a lease kept alive by heartbeats.
//!
//! The CLI and the desktop app can both run tasks, and either may die without cleaning up. A runner
//! claims a task, heartbeats well within [`RUNNER_STALE_AFTER_MS`], and releases it when done; a
//! claim whose heartbeat went stale belongs to a dead runner and may be taken over. So does one
//! whose process is provably gone: a runner names itself by host and process id ([`runner_name`]),
//! and a process of this host that no longer exists holds nothing, whatever its last heartbeat.

use rusqlite::{params, Connection, OptionalExtension};

use super::error::Fail;
use super::{now_ms, tasks, Store, StoreError};
use crate::model::{Task, TaskStatus};
use crate::text::Text;

/// A runner whose last heartbeat is older than this counts as dead.
pub const RUNNER_STALE_AFTER_MS: i64 = 10_000;

impl Store {
    /// Makes `owner` the task's runner, unless another live runner holds it (then `false`). Claiming
    /// again as the same owner renews the claim.
    pub fn claim(&self, id: i64, owner: &str) -> Result<bool, StoreError> {
        self.write(|conn| {
            let (runner, heartbeat) = lease(conn, id)?;
            let now = now_ms();
            let held_by_other = runner.as_deref().is_some_and(|r| r != owner && is_live(r, heartbeat, now));
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

    /// Interrupts a running task whose runner is dead (stale or provably gone), with `message` as
    /// the reason, and takes the task away from that runner: if it had only stalled, its next
    /// heartbeat fails and it stops writing. Checked and done in one transaction, so a runner that
    /// claims the task meanwhile keeps it. `None` when the task is not running or its runner lives.
    pub fn interrupt_orphan(&self, id: i64, message: &Text) -> Result<Option<Task>, StoreError> {
        self.write(|conn| {
            let (runner, heartbeat) = lease(conn, id)?;
            let live = runner.as_deref().is_some_and(|r| is_live(r, heartbeat, now_ms()));
            if live || !tasks::get(conn, id)?.status.is_running() {
                return Ok(None);
            }
            conn.execute("UPDATE tasks SET runner = NULL, heartbeat_at_ms = NULL WHERE id = ?1", params![id])?;
            tasks::change_status(conn, id, TaskStatus::Interrupted, Some(message)).map(Some)
        })
    }

    /// Whether a live process runs the task.
    pub fn runner_alive(&self, id: i64) -> Result<bool, StoreError> {
        self.read(|conn| {
            let (runner, heartbeat) = lease(conn, id)?;
            Ok(runner.as_deref().is_some_and(|r| is_live(r, heartbeat, now_ms())))
        })
    }

    /// The task's runner's name, if a live one holds it.
    pub fn live_runner(&self, id: i64) -> Result<Option<String>, StoreError> {
        self.read(|conn| {
            let (runner, heartbeat) = lease(conn, id)?;
            Ok(runner.filter(|r| is_live(r, heartbeat, now_ms())))
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

pub(super) fn is_live(runner: &str, heartbeat: Option<i64>, now: i64) -> bool {
    heartbeat.is_some_and(|at| now - at <= RUNNER_STALE_AFTER_MS) && !provably_gone(runner)
}

/// This host's name, where the OS tells it (`None` elsewhere: then no runner is provably gone).
fn host() -> Option<String> {
    let name = std::fs::read_to_string("/proc/sys/kernel/hostname").ok()?;
    Some(name.trim().to_string()).filter(|n| !n.is_empty())
}

/// The name under which `owner` holds a task only to put its source's parameters back after a
/// dead runner: a start waits for it instead of giving up ([`is_recovering`]).
pub fn recovering(owner: &str) -> String {
    format!("{owner}/recovering")
}

/// Whether `runner` holds the task only to recover it ([`recovering`]).
pub fn is_recovering(runner: &str) -> bool {
    runner.ends_with("/recovering")
}

/// A runner's name: this host, this process, and when it started (`host/pid/ms`).
pub fn runner_name(started_ms: i64) -> String {
    format!("{}/{}/{started_ms}", host().unwrap_or_default(), std::process::id())
}

/// Whether `runner` was a process of this host that no longer runs. A process id can be reused,
/// so a live process of that id proves nothing; then the heartbeat decides.
pub fn provably_gone(runner: &str) -> bool {
    let mut parts = runner.splitn(3, '/');
    let (Some(runner_host), Some(pid)) = (parts.next(), parts.next()) else { return false };
    let Some(here) = host() else { return false };
    if runner_host != here || pid.parse::<u32>().is_err() {
        return false;
    }
    !std::path::Path::new("/proc").join(pid).exists()
}
