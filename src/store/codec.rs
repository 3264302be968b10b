//! How the model's enums and JSON columns are written to and read from SQLite.
//!
//! Enums are stored as the same snake_case words their serde form uses, so the database stays
//! readable with the `sqlite3` shell and matches what the desktop app receives.

use serde::de::DeserializeOwned;
use serde::Serialize;

use super::error::{Fail, StoreError};
use crate::model::{Edition, MigrationType, TaskStatus};

pub(super) fn edition_str(edition: Edition) -> &'static str {
    match edition {
        Edition::Standard => "standard",
        Edition::Cluster => "cluster",
    }
}

pub(super) fn parse_edition(s: &str) -> Result<Edition, Fail> {
    match s {
        "standard" => Ok(Edition::Standard),
        "cluster" => Ok(Edition::Cluster),
        other => Err(Fail::BadRow(format!("unknown instance edition {other:?}"))),
    }
}

pub(super) fn kind_str(kind: MigrationType) -> &'static str {
    match kind {
        MigrationType::CloudVm => "cloud_vm",
        MigrationType::PublicNetwork => "public_network",
    }
}

pub(super) fn parse_status(s: &str) -> Result<TaskStatus, Fail> {
    TaskStatus::parse(s).ok_or_else(|| Fail::BadRow(format!("unknown task status {s:?}")))
}

pub(super) fn to_json<T: Serialize>(value: &T, what: &str) -> Result<String, Fail> {
    serde_json::to_string(value)
        .map_err(|e| Fail::Store(StoreError::Encode { what: what.to_string(), cause: e.to_string() }))
}

pub(super) fn from_json<T: DeserializeOwned>(json: &str, what: &str) -> Result<T, Fail> {
    serde_json::from_str(json).map_err(|e| Fail::BadRow(format!("a stored {what} does not decode: {e}")))
}

/// An unsigned count as SQLite's signed integer; counts beyond `i64::MAX` do not happen in practice.
pub(super) fn to_i64(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

pub(super) fn to_u64(v: i64, what: &str) -> Result<u64, Fail> {
    u64::try_from(v).map_err(|_| Fail::BadRow(format!("a stored {what} is negative ({v})")))
}
