//! What the compact encodings (ziplist, listpack, intset, zipmap) hold, and a cursor over any of
//! them.
//!
//! A compact encoding is stored in the RDB as one string ("blob"). The reader loads the blob,
//! then walks it with one of these cursors, a few elements at a time, so a big value can be
//! yielded in parts without decoding all of it at once. Items that are strings are slices of the
//! blob (no copy).

use bytes::Bytes;

use super::intset::Intset;
use super::listpack::Listpack;
use super::ziplist::Ziplist;
use super::zipmap::Zipmap;
use crate::text::catalog::run_errors as msg;
use crate::text::{Entry, Text};

/// One element of a compact encoding: a string, or an integer the encoding stored as such.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Item {
    Str(Bytes),
    Int(i64),
}

impl Item {
    /// The element as Redis shows it: integers as decimal text.
    pub(crate) fn into_bytes(self) -> Bytes {
        match self {
            Item::Str(b) => b,
            Item::Int(v) => Bytes::from(v.to_string()),
        }
    }

    /// The element as an integer, for fields that hold numbers (stream ids, TTLs, counters).
    pub(crate) fn as_i64(&self) -> Option<i64> {
        match self {
            Item::Int(v) => Some(*v),
            Item::Str(b) => std::str::from_utf8(b).ok()?.parse().ok(),
        }
    }

    /// The element as a zset score.
    pub(crate) fn as_f64(&self) -> Option<f64> {
        match self {
            Item::Int(v) => Some(*v as f64),
            Item::Str(b) => parse_score(b),
        }
    }
}

/// Parses a score as Redis writes it in text (`%.17g`, `inf`, `-inf`, `nan`).
pub(crate) fn parse_score(b: &[u8]) -> Option<f64> {
    std::str::from_utf8(b).ok()?.trim().parse().ok()
}

/// A problem inside a blob: what is wrong and, for structural problems, at which byte of the
/// blob.
#[derive(Debug, Clone)]
pub(crate) struct BlobError {
    pub what: &'static Entry,
    pub at: Option<usize>,
}

impl BlobError {
    /// A structural problem at byte `at` of the blob.
    pub(crate) fn new(what: &'static Entry, at: usize) -> Self {
        BlobError { what, at: Some(at) }
    }

    /// A well-formed blob whose elements do not make sense for the value's type.
    pub(crate) fn element(what: &'static Entry) -> Self {
        BlobError { what, at: None }
    }
}

/// A cursor over the elements of one blob.
#[derive(Debug)]
pub(crate) enum Blob {
    Ziplist(Ziplist),
    Listpack(Listpack),
    Intset(Intset),
    Zipmap(Zipmap),
    /// A quicklist PLAIN node: the blob is itself the only element.
    Single(Option<Bytes>),
}

impl Blob {
    pub(crate) fn next(&mut self) -> Result<Option<Item>, BlobError> {
        match self {
            Blob::Ziplist(z) => z.next(),
            Blob::Listpack(l) => l.next(),
            Blob::Intset(i) => Ok(i.next()),
            Blob::Zipmap(z) => z.next(),
            Blob::Single(s) => Ok(s.take().map(Item::Str)),
        }
    }

    /// Whether elements remain (without decoding them).
    pub(crate) fn has_more(&self) -> bool {
        match self {
            Blob::Ziplist(z) => z.has_more(),
            Blob::Listpack(l) => l.has_more(),
            Blob::Intset(i) => i.has_more(),
            Blob::Zipmap(z) => z.has_more(),
            Blob::Single(s) => s.is_some(),
        }
    }

    /// The encoding's name (Redis's own, shown as it is) or description, for error messages.
    pub(crate) fn kind(&self) -> Text {
        match self {
            Blob::Ziplist(_) => Text::raw("ziplist"),
            Blob::Listpack(_) => Text::raw("listpack"),
            Blob::Intset(_) => Text::raw("intset"),
            Blob::Zipmap(_) => Text::raw("zipmap"),
            Blob::Single(_) => Text::new(&msg::RDB_BLOB_PLAIN_NODE),
        }
    }
}
