//! Passwords in the OS keychain: the macOS Keychain, the Windows Credential Manager, or a Secret
//! Service (GNOME Keyring, KWallet) over D-Bus on Linux.
//!
//! The task database only records *whether* a password exists, so copying or sharing it leaks
//! nothing. Entries live under the service `ferry` (or `FERRY_KEYCHAIN_SERVICE`, so tests never touch
//! a user's real entries), with accounts named by [`Secrets::instance_account`] and
//! [`Secrets::task_source_account`]. Nothing here logs or formats a password.

use keyring::Entry;

use crate::text::catalog::errors as msg;
use crate::text::Text;

/// The keychain service name when `FERRY_KEYCHAIN_SERVICE` is not set.
pub const DEFAULT_SERVICE: &str = "ferry";

/// What to check when the keychain cannot be reached, per platform.
#[cfg(target_os = "macos")]
const HINT: &crate::text::Entry = &msg::SECRET_HINT_MACOS;
#[cfg(target_os = "windows")]
const HINT: &crate::text::Entry = &msg::SECRET_HINT_WINDOWS;
#[cfg(not(any(target_os = "macos", target_os = "windows")))]
const HINT: &crate::text::Entry = &msg::SECRET_HINT_LINUX;

/// Why the keychain could not store, give or delete a password.
#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    #[error("{}", self.text())]
    Unavailable { cause: String },
    #[error("{}", self.text())]
    Denied { account: String, cause: String },
    #[error("{}", self.text())]
    NotText { account: String },
    #[error("{}", self.text())]
    Ambiguous { account: String, service: String },
    #[error("{}", self.text())]
    Rejected { account: String, cause: String },
    /// The encrypted passwords file used where there is no keychain ([`crate::vault`]).
    #[error(transparent)]
    Vault(#[from] crate::vault::VaultError),
}

impl SecretError {
    /// The sentence as a catalog code, for the console to show in the user's language; `Display`
    /// is its English. The causes are the keychain library's own words.
    pub fn text(&self) -> Text {
        match self {
            SecretError::Unavailable { cause } => {
                Text::new(&msg::SECRET_UNAVAILABLE).arg("hint", Text::new(HINT)).arg("cause", Text::raw(cause))
            }
            SecretError::Denied { account, cause } => Text::new(&msg::SECRET_DENIED)
                .arg("account", account)
                .arg("hint", Text::new(HINT))
                .arg("cause", Text::raw(cause)),
            SecretError::NotText { account } => Text::new(&msg::SECRET_NOT_TEXT).arg("account", account),
            SecretError::Ambiguous { account, service } => {
                Text::new(&msg::SECRET_AMBIGUOUS).arg("account", account).arg("service", format!("{service:?}"))
            }
            SecretError::Rejected { account, cause } => {
                Text::new(&msg::SECRET_REJECTED).arg("account", account).arg("cause", Text::raw(cause))
            }
            SecretError::Vault(e) => e.text(),
        }
    }
}

/// The keychain, under Ferry's service name.
#[derive(Debug, Clone)]
pub struct Secrets {
    service: String,
}

impl Secrets {
    /// Uses `FERRY_KEYCHAIN_SERVICE` when set, else [`DEFAULT_SERVICE`].
    pub fn new() -> Secrets {
        let service = std::env::var("FERRY_KEYCHAIN_SERVICE")
            .ok()
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| DEFAULT_SERVICE.to_string());
        Secrets { service }
    }

    /// The account of a target instance's password.
    pub fn instance_account(instance_id: i64) -> String {
        format!("instance:{instance_id}")
    }

    /// The account of a task's source password.
    pub fn task_source_account(task_id: i64) -> String {
        format!("task:{task_id}:source")
    }

    /// Stores (or replaces) the password for `account`.
    pub fn set(&self, account: &str, password: &str) -> Result<(), SecretError> {
        self.entry(account)?.set_password(password).map_err(|e| self.error(account, e))
    }

    /// The password for `account`, or `None` when there is none.
    pub fn get(&self, account: &str) -> Result<Option<String>, SecretError> {
        match self.entry(account)?.get_password() {
            Ok(password) => Ok(Some(password)),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(self.error(account, e)),
        }
    }

    /// Deletes the password for `account`; fine if there is none.
    pub fn delete(&self, account: &str) -> Result<(), SecretError> {
        match self.entry(account)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(self.error(account, e)),
        }
    }

    fn entry(&self, account: &str) -> Result<Entry, SecretError> {
        Entry::new(&self.service, account).map_err(|e| self.error(account, e))
    }

    /// Words for a keyring error. Its own messages never include a password (a non-UTF-8 one is
    /// reported without its bytes), and neither do ours.
    fn error(&self, account: &str, err: keyring::Error) -> SecretError {
        let account = account.to_string();
        match err {
            keyring::Error::PlatformFailure(cause) => SecretError::Unavailable { cause: cause.to_string() },
            keyring::Error::NoStorageAccess(cause) => SecretError::Denied { account, cause: cause.to_string() },
            keyring::Error::BadEncoding(_) => SecretError::NotText { account },
            keyring::Error::Ambiguous(_) => SecretError::Ambiguous { account, service: self.service.clone() },
            other => SecretError::Rejected { account, cause: other.to_string() },
        }
    }
}

impl Default for Secrets {
    fn default() -> Self {
        Secrets::new()
    }
}
