//! The console's persistence: instances, tasks and their events, progress snapshots, check and
//! verify reports, saved source parameters, runner leases and a mailbox, in one SQLite file.
//!
//! The CLI and the desktop app may open the same file at once, so it runs in WAL mode with a busy
//! timeout, and every read-then-write happens in an IMMEDIATE transaction: it takes the write lock up
//! front, so two processes never both act on the same stale read. Passwords never come here; they
//! live in the OS keychain ([`crate::secrets`]).

mod codec;
mod error;
mod instances;
mod mailbox;
mod pairs;
mod params;

pub use params::Release;
mod reports;
mod runner;

pub use runner::{is_recovering, provably_gone, recovering, runner_name};
mod schema;
mod snapshots;
mod tasks;

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rusqlite::{Connection, TransactionBehavior};

use error::Fail;
pub use error::StoreError;
pub use pairs::PAIR_EVENTS;
pub use runner::RUNNER_STALE_AFTER_MS;
pub use snapshots::MAX_SNAPSHOTS;
pub use tasks::{transition_allowed, TaskFilter};

/// The database's file name inside the data directory.
pub const DB_FILE: &str = "ferry.db";

/// How long a statement waits for another process's write lock before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// The task database. Cheap to share between threads (one connection behind a mutex); open one per
/// process.
pub struct Store {
    conn: Mutex<Connection>,
    path: PathBuf,
}

impl Store {
    /// `FERRY_DATA_DIR` if set, else the OS app-data dir (`dirs::data_dir()/ferry`); created if missing.
    pub fn data_dir() -> Result<PathBuf, StoreError> {
        let dir = match std::env::var_os("FERRY_DATA_DIR") {
            Some(dir) if !dir.is_empty() => PathBuf::from(dir),
            _ => dirs::data_dir().ok_or(StoreError::NoDataDir)?.join("ferry"),
        };
        create_dir(&dir)?;
        Ok(dir)
    }

    /// Opens (creating) `<dir>/ferry.db`, and brings its schema up to date.
    pub fn open(dir: &Path) -> Result<Store, StoreError> {
        create_dir(dir)?;
        let path = dir.join(DB_FILE);
        let mut conn = Connection::open(&path).map_err(|e| StoreError::sqlite(&path, e))?;
        configure(&conn).map_err(|e| e.into_store(&path))?;
        schema::migrate(&mut conn, &path).map_err(|e| e.into_store(&path))?;
        Ok(Store { conn: Mutex::new(conn), path })
    }

    /// Opens the database in [`Store::data_dir`].
    pub fn open_default() -> Result<Store, StoreError> {
        Store::open(&Store::data_dir()?)
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Runs reads on the connection.
    fn read<T>(&self, f: impl FnOnce(&Connection) -> Result<T, Fail>) -> Result<T, StoreError> {
        let conn = self.conn.lock().map_err(|_| StoreError::Poisoned)?;
        f(&conn).map_err(|e| e.into_store(&self.path))
    }

    /// Runs `f` in an IMMEDIATE transaction, committed when `f` succeeds and rolled back otherwise.
    fn write<T>(&self, f: impl FnOnce(&Connection) -> Result<T, Fail>) -> Result<T, StoreError> {
        let mut conn = self.conn.lock().map_err(|_| StoreError::Poisoned)?;
        let run = |conn: &mut Connection| -> Result<T, Fail> {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let out = f(&tx)?;
            tx.commit()?;
            Ok(out)
        };
        run(&mut conn).map_err(|e| e.into_store(&self.path))
    }
}

fn create_dir(dir: &Path) -> Result<(), StoreError> {
    std::fs::create_dir_all(dir).map_err(|source| StoreError::DataDir { path: dir.to_path_buf(), source })
}

/// Connection settings for two processes sharing the file.
fn configure(conn: &Connection) -> Result<(), Fail> {
    // First, so that even switching to WAL waits for a process that holds the lock.
    conn.busy_timeout(BUSY_TIMEOUT)?;
    let mode: String = conn.pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") {
        // Some file systems (network shares) cannot do WAL; the rollback journal still works, with
        // readers and the writer blocking each other for the busy timeout.
        tracing::warn!(mode, "the task database cannot use WAL mode here; concurrent use will be slower");
    }
    // Safe with WAL (a power loss may lose the last commits, never corrupt the file), and it spares
    // an fsync per progress snapshot.
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.pragma_update(None, "foreign_keys", true)?;
    Ok(())
}

/// Now, in unix milliseconds (the unit of every time in the store).
fn now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}
