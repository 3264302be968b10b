//! What can go wrong in a console action, in words a user can act on.

use crate::client::ClientError;
use crate::model::TaskStatus;
use crate::pipeline::MigrateError;
use crate::secrets::SecretError;
use crate::store::StoreError;
use crate::tasks::runner::RunError;
use crate::text::catalog::run_errors as msg;
use crate::text::{Entry, Text};

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
    /// The input is not valid; the sentence says which field and why.
    #[error("{}", self.text())]
    Invalid(Text),
    /// `summary` lists the items that are not a pass.
    #[error("{}", self.text())]
    CheckFailed { summary: Text },
    #[error("{}", self.text())]
    WarningsNotAccepted { summary: Text },
    /// `action` is what was asked (a word of the catalog: start, cancel, cut over).
    #[error("{}", self.text())]
    WrongStatus { task: String, status: TaskStatus, action: &'static Entry },
    #[error("{}", self.text())]
    RunningElsewhere { task: String },
    #[error("{}", self.text())]
    NotRunning { task: String },
    /// `what` names whose password it is.
    #[error("{}", self.text())]
    MissingPassword { what: Text },
    #[error("{}", self.text())]
    CutoverFailed { reason: Text },
    #[error("{}", self.text())]
    Timeout { task: String, status: TaskStatus },
    #[error("{}", self.text())]
    RunnerGone,
    /// A hot-standby pair or the sandbox could not do what was asked; the sentence says why.
    #[error("{}", self.text())]
    Standby(Text),
}

impl ConsoleError {
    /// The error as a sentence, in whichever language it is shown (`Display` is its English).
    pub fn text(&self) -> Text {
        let task = |task: &String| format!("{task:?}");
        match self {
            ConsoleError::Store(e) => e.text(),
            ConsoleError::Secret(e) => e.text(),
            ConsoleError::Client(e) => e.text(),
            ConsoleError::Migrate(e) => e.text(),
            ConsoleError::Sentinel(e) => e.text(),
            ConsoleError::Cluster(e) => e.text(),
            ConsoleError::Invalid(why) | ConsoleError::Standby(why) => why.clone(),
            ConsoleError::CheckFailed { summary } => {
                Text::new(&msg::CONSOLE_CHECK_FAILED).arg("summary", summary.clone())
            }
            ConsoleError::WarningsNotAccepted { summary } => {
                Text::new(&msg::CONSOLE_WARNINGS_NOT_ACCEPTED).arg("summary", summary.clone())
            }
            ConsoleError::WrongStatus { task: name, status, action } => Text::new(&msg::CONSOLE_WRONG_STATUS)
                .arg("task", task(name))
                .arg("status", status.text())
                .arg("action", Text::new(action)),
            ConsoleError::RunningElsewhere { task: name } => {
                Text::new(&msg::CONSOLE_RUNNING_ELSEWHERE).arg("task", task(name))
            }
            ConsoleError::NotRunning { task: name } => Text::new(&msg::CONSOLE_NOT_RUNNING).arg("task", task(name)),
            ConsoleError::MissingPassword { what } => {
                Text::new(&msg::CONSOLE_MISSING_PASSWORD).arg("what", what.clone())
            }
            ConsoleError::CutoverFailed { reason } => {
                Text::new(&msg::CONSOLE_CUTOVER_FAILED).arg("reason", reason.clone())
            }
            ConsoleError::Timeout { task: name, status } => {
                Text::new(&msg::CONSOLE_TIMEOUT).arg("task", task(name)).arg("status", status.text())
            }
            ConsoleError::RunnerGone => Text::new(&msg::CONSOLE_RUNNER_GONE),
        }
    }
}

impl From<RunError> for ConsoleError {
    fn from(e: RunError) -> Self {
        match e {
            RunError::Store(e) => ConsoleError::Store(e),
            RunError::Client(e) => ConsoleError::Client(e),
            RunError::Migrate(e) => ConsoleError::Migrate(e),
            RunError::Sentinel(e) => ConsoleError::Sentinel(e),
            e @ RunError::NotSynced { .. } => ConsoleError::Invalid(e.text()),
        }
    }
}
