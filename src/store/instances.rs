//! Target instances: the Redis servers users migrate into.

use rusqlite::{params, Connection, OptionalExtension, Row};

use super::codec::{edition_str, from_json, parse_edition, parse_status, to_json};
use super::error::{is_unique_violation, Fail, StoreError};
use super::{now_ms, Store};
use crate::model::{Instance, InstanceInput};
use crate::text::catalog::errors as msg;
use crate::text::Text;

const COLUMNS: &str =
    "id, name, region, host, port, user, has_password, edition, proxy, created_at_ms, seeds, tls, ssh";

impl Store {
    /// Registers an instance. `has_password` says whether the caller keeps a password for it in the
    /// keychain; the password itself never comes here.
    pub fn add_instance(&self, input: &InstanceInput, has_password: bool) -> Result<Instance, StoreError> {
        self.write(|conn| {
            let inserted = conn.execute(
                "INSERT INTO instances (name, region, host, port, user, has_password, edition, proxy, created_at_ms, seeds, tls, ssh)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
                params![
                    input.name,
                    input.region,
                    input.host,
                    input.port,
                    input.user,
                    has_password,
                    edition_str(input.edition),
                    input.proxy,
                    now_ms(),
                    to_json(&input.seeds, &msg::STORE_SEED_NODES)?,
                    tls_json(input)?,
                    ssh_json(input)?
                ],
            );
            inserted.map_err(|e| duplicate_or(e, &input.name))?;
            get(conn, conn.last_insert_rowid())
        })
    }

    /// Replaces an instance's settings (its id and creation time stay).
    pub fn update_instance(&self, id: i64, input: &InstanceInput, has_password: bool) -> Result<Instance, StoreError> {
        self.write(|conn| {
            let updated = conn.execute(
                "UPDATE instances SET name = ?2, region = ?3, host = ?4, port = ?5, user = ?6, has_password = ?7,
                 edition = ?8, proxy = ?9, seeds = ?10, tls = ?11, ssh = ?12 WHERE id = ?1",
                params![
                    id,
                    input.name,
                    input.region,
                    input.host,
                    input.port,
                    input.user,
                    has_password,
                    edition_str(input.edition),
                    input.proxy,
                    to_json(&input.seeds, &msg::STORE_SEED_NODES)?,
                    tls_json(input)?,
                    ssh_json(input)?
                ],
            );
            if updated.map_err(|e| duplicate_or(e, &input.name))? == 0 {
                return Err(not_found(id).into());
            }
            get(conn, id)
        })
    }

    /// Removes an instance, unless a task that is not over still targets it. Finished tasks keep their
    /// history (and the removed instance's id). Its keychain password is the caller's to delete.
    pub fn remove_instance(&self, id: i64) -> Result<(), StoreError> {
        self.write(|conn| {
            let instance = get(conn, id)?;
            let mut stmt = conn.prepare("SELECT name, status FROM tasks WHERE target_instance = ?1 ORDER BY id")?;
            let mut rows = stmt.query([id])?;
            while let Some(row) = rows.next()? {
                let status = parse_status(&row.get::<_, String>(1)?)?;
                if !status.is_final() {
                    return Err(StoreError::InUse { instance: instance.name, task: row.get(0)?, status }.into());
                }
            }
            conn.execute("DELETE FROM instances WHERE id = ?1", [id])?;
            Ok(())
        })
    }

    pub fn instance(&self, id: i64) -> Result<Instance, StoreError> {
        self.read(|conn| get(conn, id))
    }

    /// All instances, or those of one region; ordered by region, then name.
    pub fn instances(&self, region: Option<&str>) -> Result<Vec<Instance>, StoreError> {
        self.read(|conn| {
            let mut stmt = conn.prepare(&format!(
                "SELECT {COLUMNS} FROM instances WHERE ?1 IS NULL OR region = ?1 ORDER BY region, name"
            ))?;
            let mut rows = stmt.query([region])?;
            let mut out = Vec::new();
            while let Some(row) = rows.next()? {
                out.push(decode(row)?);
            }
            Ok(out)
        })
    }

    /// The regions that have instances, sorted.
    pub fn regions(&self) -> Result<Vec<String>, StoreError> {
        self.read(|conn| {
            let mut stmt = conn.prepare("SELECT DISTINCT region FROM instances ORDER BY region")?;
            let regions = stmt.query_map([], |row| row.get(0))?.collect::<Result<Vec<String>, _>>()?;
            Ok(regions)
        })
    }
}

/// Reads one instance; `NotFound` when there is none.
pub(super) fn get(conn: &Connection, id: i64) -> Result<Instance, Fail> {
    let mut stmt = conn.prepare_cached(&format!("SELECT {COLUMNS} FROM instances WHERE id = ?1"))?;
    let mut rows = stmt.query([id])?;
    match rows.next()? {
        Some(row) => decode(row),
        None => Err(not_found(id).into()),
    }
}

/// Whether an instance exists.
pub(super) fn exists(conn: &Connection, id: i64) -> Result<bool, Fail> {
    let found = conn.query_row("SELECT 1 FROM instances WHERE id = ?1", [id], |_| Ok(())).optional()?;
    Ok(found.is_some())
}

pub(super) fn not_found(id: i64) -> StoreError {
    StoreError::NotFound { what: "instance", which: Text::raw(id.to_string()) }
}

fn decode(row: &Row) -> Result<Instance, Fail> {
    Ok(Instance {
        id: row.get(0)?,
        name: row.get(1)?,
        region: row.get(2)?,
        host: row.get(3)?,
        port: row.get(4)?,
        user: row.get(5)?,
        has_password: row.get(6)?,
        edition: parse_edition(&row.get::<_, String>(7)?)?,
        proxy: row.get(8)?,
        created_at_ms: row.get(9)?,
        seeds: from_json(&row.get::<_, String>(10)?, &msg::STORE_SEED_NODES)?,
        tls: row.get::<_, Option<String>>(11)?.map(|json| from_json(&json, &msg::STORE_TLS_SETTINGS)).transpose()?,
        ssh: row.get::<_, Option<String>>(12)?.map(|json| from_json(&json, &msg::STORE_SSH_TUNNEL)).transpose()?,
    })
}

fn ssh_json(input: &InstanceInput) -> Result<Option<String>, Fail> {
    input.ssh.as_ref().map(|ssh| to_json(ssh, &msg::STORE_SSH_TUNNEL)).transpose()
}

fn tls_json(input: &InstanceInput) -> Result<Option<String>, Fail> {
    input.tls.as_ref().map(|tls| to_json(tls, &msg::STORE_TLS_SETTINGS)).transpose()
}

fn duplicate_or(err: rusqlite::Error, name: &str) -> Fail {
    if is_unique_violation(&err) {
        StoreError::Duplicate { what: "instance", name: name.to_string() }.into()
    } else {
        err.into()
    }
}
