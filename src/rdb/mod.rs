//! A streaming reader for the RDB format, versions 6 to 12 and Valkey's `VALKEY0xx`.
//!
//! The reader pulls bytes from any `AsyncRead` (a file, or the replication socket during a full sync),
//! keeps only a small window of them, and yields one [`Record`] at a time. It never holds the whole RDB:
//! a big collection arrives as several [`Body::Part`]s.
//!
//! When the caller will pass values through as `RESTORE` payloads (`ReaderOptions::passthrough`), the
//! reader captures each value's exact bytes ([`Body::Raw`]) and skips decoding it; a value larger than
//! `max_raw_bytes` is decoded and split into parts instead, so the writer can send it in bounded batches.
//!
//! Which files do what: [`RdbReader`] (`reader.rs`) runs the record loop; `input.rs` is the bounded
//! buffer (byte count, running checksum, raw capture and rewind); `length.rs` the length and string
//! headers; `skip.rs` walks a value without decoding it (passthrough); `collection.rs` decodes a value
//! a part at a time from a cursor over the stream or over a blob; `ziplist.rs`, `listpack.rs`,
//! `intset.rs`, `zipmap.rs` and `stream.rs` read the encodings; `lzf.rs`, [`crc64()`] (`crc64.rs`) and
//! `module.rs` (module names, module values) do the rest. Formats follow Redis' `rdb.c` and Valkey's.

mod blob;
mod collection;
mod crc64;
mod error;
mod input;
mod intset;
mod length;
mod listpack;
mod lzf;
mod module;
mod reader;
mod skip;
mod stream;
#[cfg(test)]
mod tests;
mod types;
mod value;
mod ziplist;
mod zipmap;

pub use self::crc64::crc64;
pub use error::RdbError;
pub use reader::RdbReader;
pub use value::{
    Body, Consumer, Group, HashField, Header, KeyRecord, Magic, PendingEntry, ReaderOptions, Record, Stream,
    StreamEntry, StreamId, Value,
};
