//! What can go wrong with the task database, in words that say what to do about it.

use std::path::{Path, PathBuf};

use rusqlite::ErrorCode;

use crate::model::TaskStatus;

/// Why a store operation failed. Every message names the database or the record and says what to do.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot find the OS app-data directory for Ferry's data. Set FERRY_DATA_DIR to a writable directory")]
    NoDataDir,
    #[error("cannot create Ferry's data directory {}: {source}. Check its permissions, or set FERRY_DATA_DIR to a writable directory", path.display())]
    DataDir { path: PathBuf, source: std::io::Error },
    #[error("the task database at {} is locked by another process (a Ferry CLI or desktop app) and stayed locked for more than 5 s. Try again, or close the other Ferry", path.display())]
    Locked { path: PathBuf },
    #[error("the task database at {} is corrupt: {cause}. Move it away (with its -wal and -shm files) to start fresh", path.display())]
    Corrupt { path: PathBuf, cause: String },
    #[error("cannot read or write the task database at {}: {cause}. Check that the disk has space and that the file and its directory are writable", path.display())]
    Io { path: PathBuf, cause: String },
    #[error("the task database at {} was written by a newer Ferry (schema version {found}; this Ferry knows up to {known}). Upgrade Ferry, or set FERRY_DATA_DIR to another directory", path.display())]
    TooNew { path: PathBuf, found: i64, known: i64 },
    #[error("the task database at {} failed: {cause}", path.display())]
    Sqlite { path: PathBuf, cause: String },
    #[error("cannot encode the {what} for the task database: {cause}")]
    Encode { what: String, cause: String },
    #[error("the task database handle is unusable after a crash in another thread. Restart Ferry")]
    Poisoned,
    #[error("there is no {what} {which}. List them to see the ids and names")]
    NotFound { what: &'static str, which: String },
    #[error("{what} name {name:?} is already taken. Choose another name")]
    Duplicate { what: &'static str, name: String },
    #[error("instance {instance:?} is the target of task {task:?}, which is {}. Cancel the task or let it finish before removing the instance", status.label())]
    InUse { instance: String, task: String, status: TaskStatus },
    #[error("task {task:?} cannot go from {:?} to {:?}", from.label(), to.label())]
    Transition { task: String, from: TaskStatus, to: TaskStatus },
    #[error("task {task:?} targets instance {instance}, which was removed. Create a new task for another instance")]
    TargetRemoved { task: String, instance: i64 },
    #[error("task {id} is no longer run by {owner:?}: its heartbeat went stale and another process took it over. Stop this runner")]
    Lost { id: i64, owner: String },
}

impl StoreError {
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
                StoreError::Corrupt { path, cause: err.to_string() }
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

/// A failure inside a store operation, before the database's path is attached to it.
///
/// Lets the operations use `?` on SQLite calls and still end in a [`StoreError`] that names the file.
#[derive(Debug)]
pub(super) enum Fail {
    Sql(rusqlite::Error),
    /// A row that does not decode: a damaged or hand-edited database.
    BadRow(String),
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
