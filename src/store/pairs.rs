//! Saved hot-standby pairs: their settings, where the route stood when it last moved, the process
//! that runs them (a lease, as for tasks: see [`super::runner`]), their latest status and events,
//! and requests to that process from others (a switchover asked in the app while a service runs
//! the pair).

use rusqlite::{params, Connection, OptionalExtension, Row};

use super::codec::{from_json, to_json};
use super::error::{is_unique_violation, Fail, StoreError};
use super::runner::is_live;
use super::{now_ms, Store};
use crate::model::{PairEventRecord, PairSpec, SavedPair};
use crate::text::catalog::errors as msg;
use crate::text::Text;

/// How many events a pair keeps; older ones are dropped first.
pub const PAIR_EVENTS: i64 = 1024;

const COLUMNS: &str = "id, name, spec, epoch, master, runner, heartbeat_at_ms, created_at_ms";

impl Store {
    /// Saves a new pair.
    pub fn add_pair(&self, name: &str, spec: &PairSpec) -> Result<SavedPair, StoreError> {
        self.write(|conn| {
            let inserted = conn.execute(
                "INSERT INTO standby_pairs (name, spec, created_at_ms) VALUES (?1, ?2, ?3)",
                params![name, to_json(spec, &msg::STORE_PAIR)?, now_ms()],
            );
            inserted.map_err(|e| duplicate_or(e, name))?;
            get(conn, conn.last_insert_rowid())
        })
    }

    /// Replaces a pair's settings (its route and runner stay).
    pub fn update_pair(&self, id: i64, spec: &PairSpec) -> Result<SavedPair, StoreError> {
        self.write(|conn| {
            ensure(conn, id)?;
            conn.execute(
                "UPDATE standby_pairs SET spec = ?2 WHERE id = ?1",
                params![id, to_json(spec, &msg::STORE_PAIR)?],
            )?;
            get(conn, id)
        })
    }

    pub fn pair(&self, id: i64) -> Result<SavedPair, StoreError> {
        self.read(|conn| get(conn, id))
    }

    /// A pair by its name, or by its id written as a number.
    pub fn find_pair(&self, name_or_id: &str) -> Result<SavedPair, StoreError> {
        self.read(|conn| {
            let mut statement = conn.prepare_cached(&format!("SELECT {COLUMNS} FROM standby_pairs WHERE name = ?1"))?;
            let mut rows = statement.query([name_or_id])?;
            let by_name = rows.next()?.map(decode).transpose()?;
            match (by_name, name_or_id.parse::<i64>()) {
                (Some(pair), _) => Ok(pair),
                (None, Ok(id)) => get(conn, id),
                (None, Err(_)) => Err(not_found(name_or_id).into()),
            }
        })
    }

    /// Every saved pair, oldest first.
    pub fn pairs(&self) -> Result<Vec<SavedPair>, StoreError> {
        self.read(|conn| {
            let mut statement = conn.prepare_cached(&format!("SELECT {COLUMNS} FROM standby_pairs ORDER BY id"))?;
            let mut rows = statement.query([])?;
            let mut pairs = Vec::new();
            while let Some(row) = rows.next()? {
                pairs.push(decode(row)?);
            }
            Ok(pairs)
        })
    }

    /// Forgets a pair, its events and requests.
    pub fn remove_pair(&self, id: i64) -> Result<(), StoreError> {
        self.write(|conn| {
            ensure(conn, id)?;
            conn.execute("DELETE FROM standby_pairs WHERE id = ?1", [id])?;
            Ok(())
        })
    }

    /// Makes `owner` the pair's runner, unless another live process runs it (then `false`).
    pub fn claim_pair(&self, id: i64, owner: &str) -> Result<bool, StoreError> {
        self.write(|conn| {
            let (runner, heartbeat) = lease(conn, id)?;
            let now = now_ms();
            if runner.as_deref().is_some_and(|r| r != owner && is_live(r, heartbeat, now)) {
                return Ok(false);
            }
            conn.execute(
                "UPDATE standby_pairs SET runner = ?2, heartbeat_at_ms = ?3 WHERE id = ?1",
                params![id, owner, now],
            )?;
            Ok(true)
        })
    }

    /// Renews `owner`'s claim and writes its latest status (JSON). Fails with
    /// [`StoreError::Lost`] when another process took the pair over: the caller must stop it.
    pub fn heartbeat_pair(&self, id: i64, owner: &str, status_json: &str) -> Result<(), StoreError> {
        self.write(|conn| {
            let updated = conn.execute(
                "UPDATE standby_pairs SET heartbeat_at_ms = ?3, status = ?4 WHERE id = ?1 AND runner = ?2",
                params![id, owner, now_ms(), status_json],
            )?;
            if updated == 0 {
                ensure(conn, id)?;
                return Err(StoreError::Lost { id, owner: owner.to_string() }.into());
            }
            Ok(())
        })
    }

    /// Gives up `owner`'s claim (nothing happens if another process holds the pair).
    pub fn release_pair(&self, id: i64, owner: &str) -> Result<(), StoreError> {
        self.write(|conn| {
            conn.execute(
                "UPDATE standby_pairs SET runner = NULL, heartbeat_at_ms = NULL, status = NULL
                 WHERE id = ?1 AND runner = ?2",
                params![id, owner],
            )?;
            Ok(())
        })
    }

    /// The latest status its live runner wrote (JSON), if a live process runs the pair.
    pub fn pair_status(&self, id: i64) -> Result<Option<String>, StoreError> {
        self.read(|conn| {
            let (runner, heartbeat) = lease(conn, id)?;
            if !runner.as_deref().is_some_and(|r| is_live(r, heartbeat, now_ms())) {
                return Ok(None);
            }
            Ok(conn.query_row("SELECT status FROM standby_pairs WHERE id = ?1", [id], |row| row.get(0))?)
        })
    }

    /// Where the route went: kept so that a restart continues the epochs.
    pub fn save_route(&self, id: i64, epoch: u64, master: &str) -> Result<(), StoreError> {
        self.write(|conn| {
            ensure(conn, id)?;
            conn.execute(
                "UPDATE standby_pairs SET epoch = MAX(epoch, ?2), master = ?3 WHERE id = ?1",
                params![id, epoch as i64, master],
            )?;
            Ok(())
        })
    }

    /// Writes down one of the pair's events, dropping the oldest beyond [`PAIR_EVENTS`].
    pub fn add_pair_event(&self, id: i64, event: &PairEventRecord) -> Result<(), StoreError> {
        self.write(|conn| {
            conn.execute(
                "INSERT INTO standby_events (pair_id, at_ms, kind, epoch, detail) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![id, event.at_ms, event.kind, event.epoch as i64, event.detail.to_stored()],
            )?;
            conn.execute(
                "DELETE FROM standby_events WHERE pair_id = ?1 AND id <= (SELECT id FROM standby_events
                 WHERE pair_id = ?1 ORDER BY id DESC LIMIT 1 OFFSET ?2)",
                params![id, PAIR_EVENTS],
            )?;
            Ok(())
        })
    }

    /// The pair's events, oldest first.
    pub fn pair_events(&self, id: i64) -> Result<Vec<PairEventRecord>, StoreError> {
        self.read(|conn| {
            ensure(conn, id)?;
            let mut statement = conn.prepare_cached(
                "SELECT at_ms, kind, epoch, detail FROM standby_events WHERE pair_id = ?1 ORDER BY id",
            )?;
            let rows = statement.query_map([id], |row| {
                Ok(PairEventRecord {
                    at_ms: row.get(0)?,
                    kind: row.get(1)?,
                    epoch: row.get::<_, i64>(2)? as u64,
                    detail: Text::from_stored(&row.get::<_, String>(3)?),
                })
            })?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
    }

    /// Leaves a request (`switchover`, `stop`) for the pair's runner.
    pub fn request_pair(&self, id: i64, action: &str) -> Result<(), StoreError> {
        self.write(|conn| {
            ensure(conn, id)?;
            conn.execute(
                "INSERT INTO standby_requests (pair_id, action, at_ms) VALUES (?1, ?2, ?3)",
                params![id, action, now_ms()],
            )?;
            Ok(())
        })
    }

    /// Removes and returns the pair's oldest request.
    pub fn take_pair_request(&self, id: i64) -> Result<Option<String>, StoreError> {
        self.write(|conn| {
            let oldest: Option<(i64, String)> = conn
                .prepare_cached("SELECT id, action FROM standby_requests WHERE pair_id = ?1 ORDER BY id LIMIT 1")?
                .query_row([id], |row| Ok((row.get(0)?, row.get(1)?)))
                .optional()?;
            let Some((request, action)) = oldest else { return Ok(None) };
            conn.execute("DELETE FROM standby_requests WHERE id = ?1", [request])?;
            Ok(Some(action))
        })
    }
}

fn get(conn: &Connection, id: i64) -> Result<SavedPair, Fail> {
    let mut statement = conn.prepare_cached(&format!("SELECT {COLUMNS} FROM standby_pairs WHERE id = ?1"))?;
    let mut rows = statement.query([id])?;
    match rows.next()? {
        Some(row) => decode(row),
        None => Err(not_found(&id.to_string()).into()),
    }
}

fn ensure(conn: &Connection, id: i64) -> Result<(), Fail> {
    get(conn, id).map(|_| ())
}

fn lease(conn: &Connection, id: i64) -> Result<(Option<String>, Option<i64>), Fail> {
    conn.query_row("SELECT runner, heartbeat_at_ms FROM standby_pairs WHERE id = ?1", [id], |row| {
        Ok((row.get(0)?, row.get(1)?))
    })
    .optional()?
    .ok_or_else(|| not_found(&id.to_string()).into())
}

fn decode(row: &Row) -> Result<SavedPair, Fail> {
    let spec = from_json(&row.get::<_, String>(2)?, &msg::STORE_PAIR)?;
    let (runner, heartbeat): (Option<String>, Option<i64>) = (row.get(5)?, row.get(6)?);
    Ok(SavedPair {
        id: row.get(0)?,
        name: row.get(1)?,
        spec,
        epoch: row.get::<_, i64>(3)? as u64,
        master: row.get(4)?,
        runner: runner.filter(|r| is_live(r, heartbeat, now_ms())),
        created_at_ms: row.get(7)?,
    })
}

fn not_found(which: &str) -> StoreError {
    StoreError::NotFound { what: "hot-standby pair", which: Text::raw(which) }
}

fn duplicate_or(err: rusqlite::Error, name: &str) -> Fail {
    if is_unique_violation(&err) {
        StoreError::Duplicate { what: "hot-standby pair", name: name.to_string() }.into()
    } else {
        err.into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::catalog::ha as msg;
    use crate::text::Lang;

    #[test]
    fn events_keep_their_code_and_rows_from_before_codes_read_as_raw_text() {
        let dir = tempfile::tempdir().expect("a temp dir");
        let store = Store::open(dir.path()).expect("the store");
        let spec = PairSpec {
            master_instance: 1,
            replica_instance: Some(2),
            listen: "127.0.0.1:0".into(),
            sync_writes: false,
            listen_tls: None,
            sentinel: None,
            has_proxy_password: false,
        };
        let pair = store.add_pair("p", &spec).expect("a pair");
        store
            .write(|conn| {
                conn.execute(
                    "INSERT INTO standby_events (pair_id, at_ms, kind, epoch, detail) VALUES (?1, 1, 'fenced', 0, ?2)",
                    params![pair.id, "a:1 is now a replica of b:2"],
                )?;
                Ok(())
            })
            .expect("an old row");
        let detail = Text::new(&msg::FENCED).arg("server", "a:1").arg("master", "b:2");
        let event = PairEventRecord { at_ms: 2, kind: "fenced".into(), epoch: 1, detail: detail.clone() };
        store.add_pair_event(pair.id, &event).expect("an event");
        let events = store.pair_events(pair.id).expect("the events");
        assert_eq!(events.len(), 2);
        assert!(events[0].detail.is_raw());
        assert_eq!(events[0].detail.to_string(), "a:1 is now a replica of b:2");
        assert_eq!(events[1], event, "kept as its code and arguments");
        assert_eq!(events[1].detail.render(Lang::Zh), "a:1 已成为 b:2 的副本");
    }
}
