//! What can go wrong in a console action, in words a user can act on.

use crate::client::ClientError;
use crate::pipeline::MigrateError;
use crate::secrets::SecretError;
use crate::store::StoreError;
use crate::tasks::runner::RunError;

#[derive(Debug, thiserror::Error)]
pub enum ConsoleError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Secret(#[from] SecretError),
    #[error(transparent)]
    Client(#[from] ClientError),
    #[error(transparent)]
    Migrate(#[from] MigrateError),
    #[error(transparent)]
    Sentinel(#[from] crate::sentinel::SentinelError),
    #[error(transparent)]
    Cluster(#[from] crate::cluster::ClusterError),
    #[error("{0}")]
    Invalid(String),
    #[error("the pre-check found errors, so the task cannot go ahead: {summary}")]
    CheckFailed { summary: String },
    #[error("the pre-check found warnings; read them and confirm to go ahead: {summary}")]
    WarningsNotAccepted { summary: String },
    #[error("task {task:?} is {status}: it cannot {action} now")]
    WrongStatus { task: String, status: &'static str, action: &'static str },
    #[error("task {task:?} is being run by another Ferry process (the desktop app or a CLI); act on it there, or stop that process")]
    RunningElsewhere { task: String },
    #[error("task {task:?} is not running in any Ferry process; start it first")]
    NotRunning { task: String },
    #[error("no password is stored for {what} (in the OS keychain, or in the encrypted file when FERRY_MASTER_KEY is set); run Ferry with the FERRY_MASTER_KEY it was stored with, or edit it and enter the password again")]
    MissingPassword { what: String },
    #[error("the cutover did not complete: {reason}")]
    CutoverFailed { reason: String },
    #[error("task {task:?} is still {status} after the time allowed")]
    Timeout { task: String, status: &'static str },
    #[error("the task's runner stopped unexpectedly; see the task's events")]
    RunnerGone,
    /// A hot-standby pair or the sandbox could not do what was asked; the message says why.
    #[error("{0}")]
    Standby(String),
}

impl From<RunError> for ConsoleError {
    fn from(e: RunError) -> Self {
        match e {
            RunError::Store(e) => ConsoleError::Store(e),
            RunError::Client(e) => ConsoleError::Client(e),
            RunError::Migrate(e) => ConsoleError::Migrate(e),
            RunError::Sentinel(e) => ConsoleError::Sentinel(e),
            e @ RunError::NotSynced { .. } => ConsoleError::Invalid(e.to_string()),
        }
    }
}
