//! Passwords in an encrypted file, for machines without an OS keychain (a server, a container).
//!
//! The key is the user's own, given once to every Ferry process: `FERRY_MASTER_KEY`, or the first
//! line of the file `FERRY_MASTER_KEY_FILE` names. It is stretched with Argon2id (a salt kept in the
//! file), and each password is sealed with ChaCha20-Poly1305 under a fresh nonce. The file lives
//! beside the task store, mode 0600, and is replaced atomically. Without the key it is noise; with a
//! wrong key Ferry says so instead of guessing.
//!
//! Compared with the keychain: the keychain ties the passwords to the user's login and unlocks with
//! it; the vault ties them to whoever has the master key, which therefore has to be kept as well as
//! the passwords themselves (an environment variable of the service, a file readable by it alone).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use base64::Engine;
use chacha20poly1305::aead::rand_core::RngCore;
use chacha20poly1305::aead::{Aead, AeadCore, KeyInit, OsRng};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use serde::{Deserialize, Serialize};

use crate::text::catalog::errors as msg;
use crate::text::Text;

const FILE_NAME: &str = "secrets.vault";
const NONCE_LEN: usize = 12;

/// Why the vault could not be used.
#[derive(Debug, thiserror::Error)]
pub enum VaultError {
    #[error("{}", self.text())]
    KeyFile { path: PathBuf, cause: Text },
    #[error("{}", self.text())]
    WrongKey { path: PathBuf },
    /// `cause`: a library's words, or what is wrong with the file (`error.vault.damaged.*`).
    #[error("{}", self.text())]
    Damaged { path: PathBuf, cause: Text },
    #[error("{}", self.text())]
    Write { path: PathBuf, cause: String },
}

impl VaultError {
    /// The sentence as a catalog code, for the console to show in the user's language; `Display`
    /// is its English.
    pub fn text(&self) -> Text {
        let at = |path: &PathBuf| path.display().to_string();
        match self {
            VaultError::KeyFile { path, cause } => {
                Text::new(&msg::VAULT_KEY_FILE).arg("path", at(path)).arg("cause", cause.clone())
            }
            VaultError::WrongKey { path } => Text::new(&msg::VAULT_WRONG_KEY).arg("path", at(path)),
            VaultError::Damaged { path, cause } => {
                Text::new(&msg::VAULT_DAMAGED).arg("path", at(path)).arg("cause", cause.clone())
            }
            VaultError::Write { path, cause } => {
                Text::new(&msg::VAULT_WRITE).arg("path", at(path)).arg("cause", Text::raw(cause))
            }
        }
    }
}

/// The file's layout.
#[derive(Debug, Default, Serialize, Deserialize)]
struct File {
    version: u32,
    /// Argon2id salt, base64.
    salt: String,
    /// account → base64(nonce ‖ sealed password).
    entries: BTreeMap<String, String>,
}

/// The encrypted passwords file of one data dir, opened with the user's master key.
pub struct Vault {
    path: PathBuf,
    master: String,
}

impl std::fmt::Debug for Vault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Vault").field("path", &self.path).finish_non_exhaustive()
    }
}

fn b64() -> base64::engine::GeneralPurpose {
    base64::engine::general_purpose::STANDARD
}

impl Vault {
    /// The vault of `data_dir`, when the environment gives a master key (`None` otherwise).
    pub fn from_env(data_dir: &Path) -> Result<Option<Vault>, VaultError> {
        let master = match (std::env::var("FERRY_MASTER_KEY"), std::env::var_os("FERRY_MASTER_KEY_FILE")) {
            (Ok(key), _) if !key.is_empty() => key,
            (_, Some(file)) => {
                let path = PathBuf::from(file);
                let text = std::fs::read_to_string(&path)
                    .map_err(|e| VaultError::KeyFile { path: path.clone(), cause: Text::raw(e.to_string()) })?;
                let key = text.lines().next().unwrap_or_default().to_string();
                if key.is_empty() {
                    return Err(VaultError::KeyFile { path, cause: Text::new(&msg::VAULT_FIRST_LINE_EMPTY) });
                }
                key
            }
            _ => return Ok(None),
        };
        Ok(Some(Vault { path: data_dir.join(FILE_NAME), master }))
    }

    /// Where the vault is.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn load(&self) -> Result<File, VaultError> {
        match std::fs::read(&self.path) {
            Ok(bytes) => serde_json::from_slice(&bytes)
                .map_err(|e| VaultError::Damaged { path: self.path.clone(), cause: Text::raw(e.to_string()) }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let mut salt = [0u8; 16];
                OsRng.fill_bytes(&mut salt);
                Ok(File { version: 1, salt: b64().encode(salt), entries: BTreeMap::new() })
            }
            Err(e) => Err(VaultError::Damaged { path: self.path.clone(), cause: Text::raw(e.to_string()) }),
        }
    }

    fn cipher(&self, file: &File) -> Result<ChaCha20Poly1305, VaultError> {
        let damaged = |cause: String| VaultError::Damaged { path: self.path.clone(), cause: Text::raw(cause) };
        let salt = b64().decode(&file.salt).map_err(|e| damaged(e.to_string()))?;
        let mut key = [0u8; 32];
        argon2::Argon2::default()
            .hash_password_into(self.master.as_bytes(), &salt, &mut key)
            .map_err(|e| damaged(e.to_string()))?;
        Ok(ChaCha20Poly1305::new(Key::from_slice(&key)))
    }

    /// Every entry must open with the key: a wrong key is found at once, not when a password is
    /// needed.
    fn check(&self, file: &File, cipher: &ChaCha20Poly1305) -> Result<(), VaultError> {
        match file.entries.keys().next() {
            Some(account) => self.open(file, cipher, account).map(|_| ()),
            None => Ok(()),
        }
    }

    fn open(&self, file: &File, cipher: &ChaCha20Poly1305, account: &str) -> Result<Option<String>, VaultError> {
        let Some(sealed) = file.entries.get(account) else { return Ok(None) };
        let damaged = |cause: Text| VaultError::Damaged { path: self.path.clone(), cause };
        let bytes = b64().decode(sealed).map_err(|e| damaged(Text::raw(e.to_string())))?;
        if bytes.len() < NONCE_LEN {
            return Err(damaged(Text::new(&msg::VAULT_CUT_SHORT)));
        }
        let (nonce, sealed) = bytes.split_at(NONCE_LEN);
        let plain = cipher
            .decrypt(Nonce::from_slice(nonce), sealed)
            .map_err(|_| VaultError::WrongKey { path: self.path.clone() })?;
        String::from_utf8(plain).map(Some).map_err(|_| damaged(Text::new(&msg::VAULT_NOT_TEXT)))
    }

    /// The password for `account`, or `None`.
    pub fn get(&self, account: &str) -> Result<Option<String>, VaultError> {
        if !self.path.exists() {
            return Ok(None);
        }
        let file = self.load()?;
        let cipher = self.cipher(&file)?;
        self.open(&file, &cipher, account)
    }

    /// Stores (or replaces) the password for `account`.
    pub fn set(&self, account: &str, password: &str) -> Result<(), VaultError> {
        let mut file = self.load()?;
        let cipher = self.cipher(&file)?;
        self.check(&file, &cipher)?;
        let nonce = ChaCha20Poly1305::generate_nonce(&mut OsRng);
        let sealed = cipher
            .encrypt(&nonce, password.as_bytes())
            .map_err(|e| VaultError::Write { path: self.path.clone(), cause: e.to_string() })?;
        let mut bytes = nonce.to_vec();
        bytes.extend(sealed);
        file.entries.insert(account.to_string(), b64().encode(bytes));
        self.save(&file)
    }

    /// Deletes the password for `account`; fine if there is none.
    pub fn delete(&self, account: &str) -> Result<(), VaultError> {
        if !self.path.exists() {
            return Ok(());
        }
        let mut file = self.load()?;
        if file.entries.remove(account).is_some() {
            self.save(&file)?;
        }
        Ok(())
    }

    /// Writes a temporary file readable by this user alone, then moves it over the vault.
    fn save(&self, file: &File) -> Result<(), VaultError> {
        let failed = |e: std::io::Error| VaultError::Write { path: self.path.clone(), cause: e.to_string() };
        let json = serde_json::to_vec_pretty(file).map_err(|e| failed(std::io::Error::other(e)))?;
        let tmp = self.path.with_extension("vault.tmp");
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create(true).truncate(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut out = options.open(&tmp).map_err(failed)?;
        std::io::Write::write_all(&mut out, &json).map_err(failed)?;
        out.sync_all().map_err(failed)?;
        std::fs::rename(&tmp, &self.path).map_err(failed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vault(dir: &Path, key: &str) -> Vault {
        Vault { path: dir.join(FILE_NAME), master: key.to_string() }
    }

    #[test]
    fn passwords_round_trip_and_never_appear_in_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let v = vault(dir.path(), "correct horse");
        assert_eq!(v.get("task:1:source").unwrap(), None);
        v.set("task:1:source", "p@ss:word/with@signs").unwrap();
        v.set("instance:2", "other").unwrap();
        assert_eq!(v.get("task:1:source").unwrap().as_deref(), Some("p@ss:word/with@signs"));
        let bytes = std::fs::read(v.path()).unwrap();
        assert!(!bytes.windows(8).any(|w| w == b"p@ss:wor"), "no plaintext on disk");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(v.path()).unwrap().permissions().mode() & 0o777, 0o600);
        }
        v.delete("instance:2").unwrap();
        assert_eq!(v.get("instance:2").unwrap(), None);
        // Another key: said so, never a wrong password.
        let wrong = vault(dir.path(), "battery staple");
        assert!(matches!(wrong.get("task:1:source"), Err(VaultError::WrongKey { .. })));
        assert!(matches!(wrong.set("task:3:source", "x"), Err(VaultError::WrongKey { .. })));
    }
}
