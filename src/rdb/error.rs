//! Errors of the RDB reader. Each says where in the file it happened and what the user can do.

use bytes::Bytes;

use super::value::Magic;
use crate::text::catalog::run_errors as msg;
use crate::text::{Entry, Text};

/// An RDB could not be read.
///
/// Offsets count bytes from the start of the RDB (the `R` of `REDIS`), as `redis-check-rdb`
/// reports them.
#[derive(Debug, thiserror::Error)]
pub enum RdbError {
    #[error("{}", self.text())]
    Io(#[from] std::io::Error),

    #[error("{}", self.text())]
    Truncated { offset: u64 },

    #[error("{}", self.text())]
    BadMagic { found: String },

    #[error("{}", self.text())]
    UnsupportedVersion { magic: Magic, version: u16 },

    #[error("{}", self.text())]
    ChecksumMismatch { stored: u64, computed: u64, offset: u64 },

    /// `what` names what the length was read for (a catalog noun: "hash length").
    #[error("{}", self.text())]
    LengthTooLarge { what: &'static Entry, len: u64, limit: u64, offset: u64 },

    #[error("{}", self.text())]
    UnknownType { byte: u8, version: u16, offset: u64 },

    /// `what` says what is wrong there.
    #[error("{}", self.text())]
    Corrupt { what: Text, offset: u64 },

    #[error("{}", self.text())]
    ModuleValue { module: String, key: Bytes, offset: u64, hint: &'static Entry },

    #[error("{}", self.text())]
    Unsupported { what: &'static Entry, offset: u64, hint: &'static Entry },

    #[error("{}", self.text())]
    Failed,
}

impl RdbError {
    /// The error as a sentence, in whichever language it is shown (`Display` is its English).
    pub fn text(&self) -> Text {
        match self {
            RdbError::Io(e) => Text::new(&msg::RDB_IO).arg("error", e.to_string()),
            RdbError::Truncated { offset } => Text::new(&msg::RDB_TRUNCATED).arg("offset", *offset),
            RdbError::BadMagic { found } => Text::new(&msg::RDB_BAD_MAGIC).arg("found", format!("{found:?}")),
            RdbError::UnsupportedVersion { magic, version } => {
                Text::new(&msg::RDB_UNSUPPORTED_VERSION).arg("version", *version).arg("magic", format!("{magic:?}"))
            }
            RdbError::ChecksumMismatch { stored, computed, offset } => Text::new(&msg::RDB_CHECKSUM)
                .arg("offset", *offset)
                .arg("stored", format!("{stored:#018x}"))
                .arg("computed", format!("{computed:#018x}")),
            RdbError::LengthTooLarge { what, len, limit, offset } => Text::new(&msg::RDB_TOO_LARGE)
                .arg("what", Text::new(what))
                .arg("len", *len)
                .arg("offset", *offset)
                .arg("limit", *limit),
            RdbError::UnknownType { byte, version, offset } => {
                Text::new(&msg::RDB_UNKNOWN_TYPE).arg("byte", *byte).arg("offset", *offset).arg("version", *version)
            }
            RdbError::Corrupt { what, offset } => {
                Text::new(&msg::RDB_CORRUPT).arg("offset", *offset).arg("what", what.clone())
            }
            RdbError::ModuleValue { module, key, offset, hint } => Text::new(&msg::RDB_MODULE_VALUE)
                .arg("key", format!("{key:?}"))
                .arg("module", module)
                .arg("offset", *offset)
                .arg("hint", Text::new(hint)),
            RdbError::Unsupported { what, offset, hint } => Text::new(&msg::RDB_UNSUPPORTED)
                .arg("what", Text::new(what))
                .arg("offset", *offset)
                .arg("hint", Text::new(hint)),
            RdbError::Failed => Text::new(&msg::RDB_FAILED),
        }
    }
}
