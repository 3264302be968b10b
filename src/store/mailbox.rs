//! Requests to a task's runner from another process, e.g. `ferry tasks cutover 3` while
//! `ferry tasks start 3` runs it in another terminal. The runner polls with [`Store::take_request`].

use rusqlite::{params, OptionalExtension};

use super::{now_ms, tasks, Store, StoreError};

impl Store {
    /// Leaves a request (`action`, with a JSON payload) for the task's runner.
    pub fn request(&self, id: i64, action: &str, payload_json: &str) -> Result<(), StoreError> {
        self.write(|conn| {
            tasks::ensure(conn, id)?;
            conn.execute(
                "INSERT INTO requests (task_id, action, payload, at_ms) VALUES (?1, ?2, ?3, ?4)",
                params![id, action, payload_json, now_ms()],
            )?;
            Ok(())
        })
    }

    /// Removes and returns the task's oldest request, `(action, payload)`.
    pub fn take_request(&self, id: i64) -> Result<Option<(String, String)>, StoreError> {
        self.write(|conn| {
            tasks::ensure(conn, id)?;
            let oldest: Option<(i64, String, String)> = conn
                .prepare_cached("SELECT id, action, payload FROM requests WHERE task_id = ?1 ORDER BY id LIMIT 1")?
                .query_row([id], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))
                .optional()?;
            let Some((request, action, payload)) = oldest else { return Ok(None) };
            conn.execute("DELETE FROM requests WHERE id = ?1", [request])?;
            Ok(Some((action, payload)))
        })
    }
}
