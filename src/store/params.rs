//! Source parameters saved before a migration changes them, so they can be restored afterwards —
//! also by another process, or at the next start after a crash.

use rusqlite::{params, OptionalExtension};

use super::codec::{from_json, to_json};
use super::{now_ms, tasks, Store, StoreError};

impl Store {
    /// Saves the source's values from before the migration changed them (`(name, value)` pairs, as
    /// `CONFIG GET` gave them). Only the first save of a task counts: a restarted task must not replace
    /// the originals with the values the first run set.
    pub fn save_params(&self, id: i64, previous: &[(String, String)]) -> Result<(), StoreError> {
        self.write(|conn| {
            tasks::ensure(conn, id)?;
            conn.execute(
                "INSERT INTO saved_params (task_id, params, saved_at_ms) VALUES (?1, ?2, ?3)
                 ON CONFLICT (task_id) DO NOTHING",
                params![id, to_json(&previous, "saved parameters")?, now_ms()],
            )?;
            Ok(())
        })
    }

    /// The saved values, or `None` when nothing is waiting to be restored.
    pub fn saved_params(&self, id: i64) -> Result<Option<Vec<(String, String)>>, StoreError> {
        self.read(|conn| {
            tasks::ensure(conn, id)?;
            let json: Option<String> = conn
                .query_row("SELECT params FROM saved_params WHERE task_id = ?1", [id], |row| row.get(0))
                .optional()?;
            json.map(|json| from_json(&json, "saved parameters")).transpose()
        })
    }

    /// Forgets the saved values, once they are restored.
    pub fn clear_params(&self, id: i64) -> Result<(), StoreError> {
        self.write(|conn| {
            tasks::ensure(conn, id)?;
            conn.execute("DELETE FROM saved_params WHERE task_id = ?1", [id])?;
            Ok(())
        })
    }

    /// The tasks whose source still has parameters to restore, by id: what to look at on startup.
    pub fn tasks_with_saved_params(&self) -> Result<Vec<i64>, StoreError> {
        self.read(|conn| {
            let mut stmt = conn.prepare("SELECT task_id FROM saved_params ORDER BY task_id")?;
            let ids = stmt.query_map([], |row| row.get(0))?.collect::<Result<Vec<i64>, _>>()?;
            Ok(ids)
        })
    }
}
