//! Passwords in the OS keychain: the macOS Keychain, the Windows Credential Manager, or a Secret
//! Service (GNOME Keyring, KWallet) over D-Bus on Linux.
//!
//! The task database only records *whether* a password exists, so copying or sharing it leaks
//! nothing. Entries live under the service `ferry` (or `FERRY_KEYCHAIN_SERVICE`, so tests never touch
//! a user's real entries), with accounts named by [`Secrets::instance_account`] and
//! [`Secrets::task_source_account`]. Nothing here logs or formats a password.

use keyring::Entry;

/// The keychain service name when `FERRY_KEYCHAIN_SERVICE` is not set.
pub const DEFAULT_SERVICE: &str = "ferry";

/// What to check when the keychain cannot be reached, per platform.
#[cfg(target_os = "macos")]
const HINT: &str = "is the login keychain present and unlocked?";
#[cfg(target_os = "windows")]
const HINT: &str = "is the Windows Credential Manager available to this user?";
#[cfg(not(any(target_os = "macos", target_os = "windows")))]
const HINT: &str = "is a Secret Service such as GNOME Keyring or KWallet running and unlocked?";

/// Why the keychain could not store, give or delete a password.
#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    #[error("no OS keychain is available ({HINT}): {cause}")]
    Unavailable { cause: String },
    #[error("the OS keychain refused access to the password for {account} ({HINT}): {cause}")]
    Denied { account: String, cause: String },
    #[error("the OS keychain holds a password for {account} that is not text. Set the password again in Ferry")]
    NotText { account: String },
    #[error("the OS keychain holds several passwords for {account} under service {service:?}. Delete the extra ones with the keychain's own manager (e.g. Seahorse, Keychain Access)")]
    Ambiguous { account: String, service: String },
    #[error("the OS keychain cannot store the password for {account}: {cause}")]
    Rejected { account: String, cause: String },
    /// The encrypted passwords file used where there is no keychain ([`crate::vault`]).
    #[error(transparent)]
    Vault(#[from] crate::vault::VaultError),
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
