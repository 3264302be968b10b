//! Errors of the RDB reader. Each says where in the file it happened and what the user can do.

use bytes::Bytes;

use super::value::Magic;

/// An RDB could not be read.
///
/// Offsets count bytes from the start of the RDB (the `R` of `REDIS`), as `redis-check-rdb`
/// reports them.
#[derive(Debug, thiserror::Error)]
pub enum RdbError {
    #[error("reading the RDB failed: {0}")]
    Io(#[from] std::io::Error),

    #[error(
        "the RDB is truncated at byte {offset} of the stream: the source closed the connection or \
         the file is incomplete; run the migration again"
    )]
    Truncated { offset: u64 },

    #[error(
        "the data is not an RDB: it starts with {found:?} instead of REDIS or VALKEY and a version \
         number; check that the source is a Redis or Valkey server (or an RDB file)"
    )]
    BadMagic { found: String },

    #[error(
        "the RDB has format version {version} ({magic:?}), which ferry cannot read: it reads Redis \
         RDB versions 6 to 12 (Redis 2.6 to 8.0, Valkey 7 and 8) and Valkey RDB 80 (Valkey 9.0); \
         upgrade ferry if the source is newer, or upgrade the source if it is older"
    )]
    UnsupportedVersion { magic: Magic, version: u16 },

    #[error(
        "the RDB checksum does not match at byte {offset}: the file says {stored:#018x} but its \
         content hashes to {computed:#018x}; the RDB was damaged in transit or on disk; run the \
         migration again"
    )]
    ChecksumMismatch { stored: u64, computed: u64, offset: u64 },

    #[error(
        "the RDB claims a {what} of {len} at byte {offset}, more than the {limit} ferry accepts: the \
         RDB is corrupt; run the migration again, and if it happens again check the source's RDB \
         with redis-check-rdb"
    )]
    LengthTooLarge { what: &'static str, len: u64, limit: u64, offset: u64 },

    #[error(
        "unknown RDB type or opcode {byte} at byte {offset} (RDB version {version}): the RDB holds \
         data ferry does not know, or is corrupt; upgrade ferry, or check the RDB with \
         redis-check-rdb"
    )]
    UnknownType { byte: u8, version: u16, offset: u64 },

    #[error(
        "the RDB is corrupt at byte {offset}: {what}; run the migration again, and if it happens \
         again check the source's RDB with redis-check-rdb"
    )]
    Corrupt { what: String, offset: u64 },

    #[error(
        "key {key:?} holds a value of module type '{module}' (at byte {offset}), which ferry cannot \
         decode: {hint}"
    )]
    ModuleValue { module: String, key: Bytes, offset: u64, hint: &'static str },

    #[error("the RDB uses {what} (at byte {offset}), which ferry does not support: {hint}")]
    Unsupported { what: &'static str, offset: u64, hint: &'static str },

    #[error("the RDB reader already failed on an earlier error and cannot continue")]
    Failed,
}
