//! The one error every command returns: a kind the UI can branch on and a message it can show.

use ferry::console::ConsoleError;
use ferry::text::Text;
use serde::Serialize;

/// What kind of thing went wrong (one per [`ConsoleError`] variant, in snake_case).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// The task store (SQLite) could not be read or written.
    Store,
    /// The OS keychain refused.
    Secret,
    /// A Redis (or the Sentinels naming it) could not be reached or answered with an error.
    Client,
    /// The migration itself failed.
    Migrate,
    /// The input is not valid (the message says which field).
    Invalid,
    CheckFailed,
    WarningsNotAccepted,
    WrongStatus,
    RunningElsewhere,
    NotRunning,
    MissingPassword,
    CutoverFailed,
    Timeout,
    RunnerGone,
    /// A hot-standby pair or the sandbox could not do it (the message says why).
    Standby,
    /// The app itself (not the engine) failed, e.g. the console could not be opened.
    App,
}

/// An error as the UI receives it: `{ kind, message, text }`; the message says what to do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct CommandError {
    pub kind: ErrorKind,
    /// The sentence in English.
    pub message: String,
    /// The same sentence as a code and its arguments, for the UI to show in the user's language.
    pub text: Text,
}

impl From<ConsoleError> for CommandError {
    fn from(e: ConsoleError) -> Self {
        let kind = match &e {
            ConsoleError::Store(_) => ErrorKind::Store,
            ConsoleError::Secret(_) => ErrorKind::Secret,
            ConsoleError::Client(_) | ConsoleError::Sentinel(_) | ConsoleError::Cluster(_) => ErrorKind::Client,
            ConsoleError::Migrate(_) => ErrorKind::Migrate,
            ConsoleError::Invalid(_) => ErrorKind::Invalid,
            ConsoleError::CheckFailed { .. } => ErrorKind::CheckFailed,
            ConsoleError::WarningsNotAccepted { .. } => ErrorKind::WarningsNotAccepted,
            ConsoleError::WrongStatus { .. } => ErrorKind::WrongStatus,
            ConsoleError::RunningElsewhere { .. } => ErrorKind::RunningElsewhere,
            ConsoleError::NotRunning { .. } => ErrorKind::NotRunning,
            ConsoleError::MissingPassword { .. } => ErrorKind::MissingPassword,
            ConsoleError::CutoverFailed { .. } => ErrorKind::CutoverFailed,
            ConsoleError::Timeout { .. } => ErrorKind::Timeout,
            ConsoleError::RunnerGone => ErrorKind::RunnerGone,
            ConsoleError::Standby(_) => ErrorKind::Standby,
        };
        CommandError { kind, message: e.to_string(), text: e.text() }
    }
}

impl std::fmt::Display for CommandError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for CommandError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn console_errors_keep_their_kind_and_message() {
        let name = Text::new(&ferry::text::catalog::run_errors::CONSOLE_TASK_NEEDS_NAME);
        let e: CommandError = ConsoleError::Invalid(name.clone()).into();
        assert_eq!(e, CommandError { kind: ErrorKind::Invalid, message: "the task needs a name".into(), text: name });
        let e: CommandError = ConsoleError::NotRunning { task: "orders".into() }.into();
        assert_eq!(e.kind, ErrorKind::NotRunning);
        assert_eq!(
            serde_json::to_value(&e).unwrap(),
            serde_json::json!({
                "kind": "not_running",
                "message": "task \"orders\" is not running in any Ferry process; start it first",
                "text": { "code": "error.console.not_running", "args": { "task": "\"orders\"" } }
            })
        );
    }
}
