//! How the model's enums and JSON columns are written to and read from SQLite.
//!
//! Enums are stored as the same snake_case words their serde form uses, so the database stays
//! readable with the `sqlite3` shell and matches what the desktop app receives.

use serde::de::DeserializeOwned;
use serde::Serialize;

use super::error::{Fail, StoreError};
use crate::model::{Edition, MigrationType, TaskStatus};
use crate::text::catalog::errors as msg;
use crate::text::{Entry, Text};

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
        other => Err(Fail::BadRow(Text::new(&msg::STORE_UNKNOWN_EDITION).arg("edition", format!("{other:?}")))),
    }
}

pub(super) fn kind_str(kind: MigrationType) -> &'static str {
    match kind {
        MigrationType::CloudVm => "cloud_vm",
        MigrationType::PublicNetwork => "public_network",
    }
}

pub(super) fn parse_status(s: &str) -> Result<TaskStatus, Fail> {
    TaskStatus::parse(s)
        .ok_or_else(|| Fail::BadRow(Text::new(&msg::STORE_UNKNOWN_STATUS).arg("status", format!("{s:?}"))))
}

/// `value` as JSON; `what` names it in the error (`error.store.record.*`).
pub(super) fn to_json<T: Serialize>(value: &T, what: &'static Entry) -> Result<String, Fail> {
    serde_json::to_string(value)
        .map_err(|e| Fail::Store(StoreError::Encode { what: Text::new(what), cause: e.to_string() }))
}

/// The value `json` holds; `what` names it in the error (`error.store.record.*`).
pub(super) fn from_json<T: DeserializeOwned>(json: &str, what: &'static Entry) -> Result<T, Fail> {
    serde_json::from_str(json).map_err(|e| {
        Fail::BadRow(Text::new(&msg::STORE_UNDECODABLE).arg("what", Text::new(what)).arg("error", e.to_string()))
    })
}

/// An unsigned count as SQLite's signed integer; counts beyond `i64::MAX` do not happen in practice.
pub(super) fn to_i64(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

/// A stored count, which must not be negative; `what` names it in the error (`error.store.record.*`).
pub(super) fn to_u64(v: i64, what: &'static Entry) -> Result<u64, Fail> {
    u64::try_from(v)
        .map_err(|_| Fail::BadRow(Text::new(&msg::STORE_NEGATIVE).arg("what", Text::new(what)).arg("value", v)))
}
