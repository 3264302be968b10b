//! Migration tasks, the console's status machine, and each task's event log.

use rusqlite::{params, Connection, OptionalExtension, Row};
use serde::{Deserialize, Serialize};

use super::codec::{from_json, kind_str, parse_status, to_i64, to_json, to_u64};
use super::error::{is_unique_violation, Fail, StoreError};
use super::{instances, now_ms, Store};
use crate::model::{MigrationType, Task, TaskEvent, TaskSpec, TaskStatus};
use crate::text::catalog::{errors, tasks as msg};
use crate::text::Text;

const COLUMNS: &str =
    "t.id, t.spec, t.status, t.reason, t.created_at_ms, t.updated_at_ms, t.cutover_at_ms, t.final_lag_bytes";

/// Which tasks [`Store::tasks`] lists; `None` matches any.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct TaskFilter {
    /// The target instance's region.
    pub region: Option<String>,
    pub kind: Option<MigrationType>,
    pub status: Option<TaskStatus>,
}

/// The console's state machine: whether a task may move from `from` to `to`.
///
/// A failed task may be restarted (back to checking); a cutover that is aborted returns to
/// incremental sync; completed and cancelled tasks never change again.
pub fn transition_allowed(from: TaskStatus, to: TaskStatus) -> bool {
    use TaskStatus::*;
    matches!(
        (from, to),
        (NotStarted, Checking | Cancelled)
            | (Checking, CheckFailed | FullSync | Cancelled | Failed | Interrupted)
            | (CheckFailed, Checking | Cancelled)
            | (FullSync, IncrementalSync | Failed | Cancelled | Interrupted)
            | (IncrementalSync, CuttingOver | Failed | Cancelled | Interrupted)
            | (CuttingOver, Completed | Failed | IncrementalSync | Interrupted)
            | (Failed, Checking)
            | (Interrupted, Checking | Cancelled)
    )
}

impl Store {
    /// Creates a task in `NotStarted`, with a `status` event saying so. Its name must be unique and its
    /// target instance must exist.
    pub fn create_task(&self, spec: &TaskSpec) -> Result<Task, StoreError> {
        self.write(|conn| {
            if !instances::exists(conn, spec.target_instance)? {
                return Err(instances::not_found(spec.target_instance).into());
            }
            let now = now_ms();
            let inserted = conn.execute(
                "INSERT INTO tasks (name, kind, target_instance, status, spec, created_at_ms, updated_at_ms)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
                params![
                    spec.name,
                    kind_str(spec.kind),
                    spec.target_instance,
                    TaskStatus::NotStarted.as_str(),
                    to_json(spec, &errors::STORE_TASK_SPEC)?,
                    now
                ],
            );
            if let Err(err) = inserted {
                return Err(if is_unique_violation(&err) {
                    StoreError::Duplicate { what: "task", name: spec.name.clone() }.into()
                } else {
                    err.into()
                });
            }
            let id = conn.last_insert_rowid();
            insert_event(conn, id, now, "status", &Text::new(&msg::CREATED))?;
            get(conn, id)
        })
    }

    pub fn task(&self, id: i64) -> Result<Task, StoreError> {
        self.read(|conn| get(conn, id))
    }

    pub fn task_by_name(&self, name: &str) -> Result<Task, StoreError> {
        self.read(|conn| {
            let id = conn.query_row("SELECT id FROM tasks WHERE name = ?1", [name], |row| row.get(0)).optional()?;
            match id {
                Some(id) => get(conn, id),
                None => Err(StoreError::NotFound {
                    what: "task",
                    which: Text::new(&errors::STORE_NAMED).arg("name", format!("{name:?}")),
                }
                .into()),
            }
        })
    }

    /// The tasks that match `filter`, newest first. A task whose target instance was removed has no
    /// region, so a region filter leaves it out.
    pub fn tasks(&self, filter: &TaskFilter) -> Result<Vec<Task>, StoreError> {
        self.read(|conn| {
            let mut stmt = conn.prepare(&format!(
                "SELECT {COLUMNS} FROM tasks t LEFT JOIN instances i ON i.id = t.target_instance
                 WHERE (?1 IS NULL OR i.region = ?1) AND (?2 IS NULL OR t.kind = ?2) AND (?3 IS NULL OR t.status = ?3)
                 ORDER BY t.id DESC"
            ))?;
            let mut rows =
                stmt.query(params![filter.region, filter.kind.map(kind_str), filter.status.map(TaskStatus::as_str)])?;
            let mut out = Vec::new();
            while let Some(row) = rows.next()? {
                out.push(decode(row)?);
            }
            Ok(out)
        })
    }

    /// Moves a task to `to` if [`transition_allowed`], records a `status` event (`"<from> → <to>:
    /// <message>"`), and keeps `message` as the reason when the task fails, is cancelled or is
    /// interrupted (a later restart clears it). Returns the updated task.
    pub fn set_status(&self, id: i64, to: TaskStatus, message: Option<&Text>) -> Result<Task, StoreError> {
        self.write(|conn| change_status(conn, id, to, message))
    }

    /// Records when the cutover finished and the replication lag at that moment.
    pub fn set_cutover(&self, id: i64, at_ms: i64, final_lag_bytes: u64) -> Result<(), StoreError> {
        self.write(|conn| {
            let updated = conn.execute(
                "UPDATE tasks SET cutover_at_ms = ?2, final_lag_bytes = ?3, updated_at_ms = ?4 WHERE id = ?1",
                params![id, at_ms, to_i64(final_lag_bytes), now_ms()],
            )?;
            if updated == 0 {
                return Err(not_found(id).into());
            }
            Ok(())
        })
    }

    /// Adds an event (`check`, `params`, `verify`, `error`...) to a task's log, stamped now.
    pub fn add_event(&self, id: i64, kind: &str, message: &Text) -> Result<(), StoreError> {
        self.write(|conn| {
            ensure(conn, id)?;
            insert_event(conn, id, now_ms(), kind, message)
        })
    }

    /// A task's events, oldest first.
    pub fn events(&self, id: i64) -> Result<Vec<TaskEvent>, StoreError> {
        self.read(|conn| {
            ensure(conn, id)?;
            let mut stmt = conn.prepare("SELECT at_ms, kind, message FROM events WHERE task_id = ?1 ORDER BY id")?;
            let events = stmt
                .query_map([id], |row| {
                    Ok(TaskEvent {
                        task_id: id,
                        at_ms: row.get(0)?,
                        kind: row.get(1)?,
                        message: Text::from_stored(&row.get::<_, String>(2)?),
                    })
                })?
                .collect::<Result<Vec<_>, _>>()?;
            Ok(events)
        })
    }
}

/// Fails with `NotFound` unless the task exists; the per-task tables call it first so that an unknown
/// id gets a clear error rather than an empty answer or a foreign-key failure.
pub(super) fn ensure(conn: &Connection, id: i64) -> Result<(), Fail> {
    let mut stmt = conn.prepare_cached("SELECT 1 FROM tasks WHERE id = ?1")?;
    match stmt.query_row([id], |_| Ok(())).optional()? {
        Some(()) => Ok(()),
        None => Err(not_found(id).into()),
    }
}

pub(super) fn not_found(id: i64) -> StoreError {
    StoreError::NotFound { what: "task", which: Text::raw(id.to_string()) }
}

pub(super) fn get(conn: &Connection, id: i64) -> Result<Task, Fail> {
    let mut stmt = conn.prepare_cached(&format!("SELECT {COLUMNS} FROM tasks t WHERE t.id = ?1"))?;
    let mut rows = stmt.query([id])?;
    match rows.next()? {
        Some(row) => decode(row),
        None => Err(not_found(id).into()),
    }
}

fn decode(row: &Row) -> Result<Task, Fail> {
    Ok(Task {
        id: row.get(0)?,
        spec: from_json(&row.get::<_, String>(1)?, &errors::STORE_TASK_SPEC)?,
        status: parse_status(&row.get::<_, String>(2)?)?,
        reason: row.get::<_, Option<String>>(3)?.map(|r| Text::from_stored(&r)),
        created_at_ms: row.get(4)?,
        updated_at_ms: row.get(5)?,
        cutover_at_ms: row.get(6)?,
        final_lag_bytes: row.get::<_, Option<i64>>(7)?.map(|v| to_u64(v, &errors::STORE_FINAL_LAG)).transpose()?,
    })
}

/// Events keep their message as a stored [`Text`], so that they render in the language chosen
/// when they are read.
fn insert_event(conn: &Connection, id: i64, at_ms: i64, kind: &str, message: &Text) -> Result<(), Fail> {
    conn.prepare_cached("INSERT INTO events (task_id, at_ms, kind, message) VALUES (?1, ?2, ?3, ?4)")?
        .execute(params![id, at_ms, kind, message.to_stored()])?;
    Ok(())
}

/// [`Store::set_status`] inside a transaction the caller holds.
pub(super) fn change_status(conn: &Connection, id: i64, to: TaskStatus, message: Option<&Text>) -> Result<Task, Fail> {
    let task = get(conn, id)?;
    let from = task.status;
    if !transition_allowed(from, to) {
        return Err(StoreError::Transition { task: task.spec.name, from, to }.into());
    }
    // A finished task may outlive its target; restarting it then cannot work.
    if to == TaskStatus::Checking && !instances::exists(conn, task.spec.target_instance)? {
        return Err(StoreError::TargetRemoved { task: task.spec.name, instance: task.spec.target_instance }.into());
    }
    let reason = message
        .filter(|_| matches!(to, TaskStatus::Failed | TaskStatus::Cancelled | TaskStatus::Interrupted))
        .map(Text::to_stored);
    let now = now_ms();
    conn.execute(
        "UPDATE tasks SET status = ?2, reason = ?3, updated_at_ms = ?4 WHERE id = ?1",
        params![id, to.as_str(), reason, now],
    )?;
    let event = match message {
        None => Text::new(&msg::STATUS_CHANGED).arg("from", from.text()).arg("to", to.text()),
        Some(message) => Text::new(&msg::STATUS_CHANGED_BECAUSE)
            .arg("from", from.text())
            .arg("to", to.text())
            .arg("message", message.clone()),
    };
    insert_event(conn, id, now, "status", &event)?;
    get(conn, id)
}
