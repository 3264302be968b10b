//! What can go wrong with the task database, in words that say what to do about it.

use std::path::{Path, PathBuf};

use rusqlite::ErrorCode;

use crate::model::TaskStatus;
use crate::text::catalog::errors as msg;
use crate::text::Text;

/// Why a store operation failed. Every message names the database or the record and says what to do.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{}", self.text())]
    NoDataDir,
    #[error("{}", self.text())]
    DataDir { path: PathBuf, source: std::io::Error },
    #[error("{}", self.text())]
    Locked { path: PathBuf },
    /// `cause`: SQLite's words, or what is wrong with a row (`error.store.corrupt.*`).
    #[error("{}", self.text())]
    Corrupt { path: PathBuf, cause: Text },
    #[error("{}", self.text())]
    Io { path: PathBuf, cause: String },
    #[error("{}", self.text())]
    TooNew { path: PathBuf, found: i64, known: i64 },
    #[error("{}", self.text())]
    Sqlite { path: PathBuf, cause: String },
    /// `what`: the value being stored (`error.store.record.*`).
    #[error("{}", self.text())]
    Encode { what: Text, cause: String },
    #[error("{}", self.text())]
    Poisoned,
    /// `what`: `"task"`, `"instance"` or `"hot-standby pair"`; `which`: the id or name asked for.
    #[error("{}", self.text())]
    NotFound { what: &'static str, which: Text },
    /// `what` as for [`StoreError::NotFound`].
    #[error("{}", self.text())]
    Duplicate { what: &'static str, name: String },
    #[error("{}", self.text())]
    InUse { instance: String, task: String, status: TaskStatus },
    #[error("{}", self.text())]
    Transition { task: String, from: TaskStatus, to: TaskStatus },
    #[error("{}", self.text())]
    TargetRemoved { task: String, instance: i64 },
    #[error("{}", self.text())]
    Lost { id: i64, owner: String },
}

impl StoreError {
    /// The sentence as a catalog code, for the console to show in the user's language; `Display`
    /// is its English.
    pub fn text(&self) -> Text {
        let at = |path: &PathBuf| path.display().to_string();
        match self {
            StoreError::NoDataDir => Text::new(&msg::STORE_NO_DATA_DIR),
            StoreError::DataDir { path, source } => {
                Text::new(&msg::STORE_DATA_DIR).arg("path", at(path)).arg("error", Text::raw(source.to_string()))
            }
            StoreError::Locked { path } => Text::new(&msg::STORE_LOCKED).arg("path", at(path)),
            StoreError::Corrupt { path, cause } => {
                Text::new(&msg::STORE_CORRUPT).arg("path", at(path)).arg("cause", cause.clone())
            }
            StoreError::Io { path, cause } => {
                Text::new(&msg::STORE_IO).arg("path", at(path)).arg("cause", Text::raw(cause))
            }
            StoreError::TooNew { path, found, known } => {
                Text::new(&msg::STORE_TOO_NEW).arg("path", at(path)).arg("found", *found).arg("known", *known)
            }
            StoreError::Sqlite { path, cause } => {
                Text::new(&msg::STORE_SQLITE).arg("path", at(path)).arg("cause", Text::raw(cause))
            }
            StoreError::Encode { what, cause } => {
                Text::new(&msg::STORE_ENCODE).arg("what", what.clone()).arg("cause", Text::raw(cause))
            }
            StoreError::Poisoned => Text::new(&msg::STORE_POISONED),
            StoreError::NotFound { what, which } => {
                Text::new(&msg::STORE_NOT_FOUND).arg("what", record(what)).arg("which", which.clone())
            }
            StoreError::Duplicate { what, name } => {
                Text::new(&msg::STORE_DUPLICATE).arg("what", record(what)).arg("name", format!("{name:?}"))
            }
            StoreError::InUse { instance, task, status } => Text::new(&msg::STORE_IN_USE)
                .arg("instance", format!("{instance:?}"))
                .arg("task", format!("{task:?}"))
                .arg("status", status.text()),
            StoreError::Transition { task, from, to } => Text::new(&msg::STORE_TRANSITION)
                .arg("task", format!("{task:?}"))
                .arg("from", from.text())
                .arg("to", to.text()),
            StoreError::TargetRemoved { task, instance } => {
                Text::new(&msg::STORE_TARGET_REMOVED).arg("task", format!("{task:?}")).arg("instance", *instance)
            }
            StoreError::Lost { id, owner } => {
                Text::new(&msg::STORE_LOST).arg("id", *id).arg("owner", format!("{owner:?}"))
            }
        }
    }

    /// Classifies an SQLite error: the ones a user can act on get their own message.
    pub(super) fn sqlite(path: &Path, err: rusqlite::Error) -> StoreError {
        let path = path.to_path_buf();
        let code = match &err {
            rusqlite::Error::SqliteFailure(failure, _) => Some(failure.code),
            _ => None,
        };
        match code {
            Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => StoreError::Locked { path },
            Some(ErrorCode::DatabaseCorrupt | ErrorCode::NotADatabase) => {
                StoreError::Corrupt { path, cause: Text::raw(err.to_string()) }
            }
            Some(
                ErrorCode::CannotOpen
                | ErrorCode::PermissionDenied
                | ErrorCode::ReadOnly
                | ErrorCode::DiskFull
                | ErrorCode::SystemIoFailure,
            ) => StoreError::Io { path, cause: err.to_string() },
            _ => StoreError::Sqlite { path, cause: err.to_string() },
        }
    }
}

/// A record kind of [`StoreError::NotFound`] and [`StoreError::Duplicate`] in words.
fn record(what: &str) -> Text {
    match what {
        "task" => Text::new(&msg::STORE_TASK),
        "instance" => Text::new(&msg::STORE_INSTANCE),
        "hot-standby pair" => Text::new(&msg::STORE_PAIR),
        // Every caller passes one of the above.
        other => Text::raw(other),
    }
}

/// A failure inside a store operation, before the database's path is attached to it.
///
/// Lets the operations use `?` on SQLite calls and still end in a [`StoreError`] that names the file.
#[derive(Debug)]
pub(super) enum Fail {
    Sql(rusqlite::Error),
    /// A row that does not decode: a damaged or hand-edited database (`error.store.corrupt.*`).
    BadRow(Text),
    Store(StoreError),
}

impl Fail {
    pub(super) fn into_store(self, path: &Path) -> StoreError {
        match self {
            Fail::Sql(err) => StoreError::sqlite(path, err),
            Fail::BadRow(cause) => StoreError::Corrupt { path: path.to_path_buf(), cause },
            Fail::Store(err) => err,
        }
    }
}

impl From<rusqlite::Error> for Fail {
    fn from(err: rusqlite::Error) -> Fail {
        Fail::Sql(err)
    }
}

impl From<StoreError> for Fail {
    fn from(err: StoreError) -> Fail {
        Fail::Store(err)
    }
}

/// Whether an insert or update broke a UNIQUE constraint (a name already taken).
pub(super) fn is_unique_violation(err: &rusqlite::Error) -> bool {
    matches!(err, rusqlite::Error::SqliteFailure(f, _) if f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE)
}
