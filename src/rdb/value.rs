//! What the RDB reader yields: records, and the decoded values of keys.

use bytes::Bytes;

/// Which server family wrote the file: `REDIS0012` or `VALKEY080`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Magic {
    Redis,
    Valkey,
}

/// The file header: its magic and RDB version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    pub magic: Magic,
    pub version: u16,
}

/// How the reader treats values.
#[derive(Debug, Clone)]
pub struct ReaderOptions {
    /// Capture each value's exact serialized bytes ([`Body::Raw`]) instead of decoding it.
    pub passthrough: bool,
    /// A value whose serialized size exceeds this is decoded and split into [`Body::Part`]s even in
    /// passthrough mode, so that no single write to the target is unbounded. Two exceptions: a
    /// string is one element, so it comes whole as a [`Body::Value`]; a module value cannot be
    /// decoded, so it comes as [`Body::Raw`] whatever its size.
    pub max_raw_bytes: usize,
    /// At most this many elements (list items, set members, hash fields, zset members, stream
    /// entries) per [`Body::Part`].
    pub part_items: usize,
}

impl Default for ReaderOptions {
    fn default() -> Self {
        ReaderOptions { passthrough: false, max_raw_bytes: 4 << 20, part_items: 1024 }
    }
}

/// One thing read from the RDB, in file order.
#[derive(Debug, Clone, PartialEq)]
pub enum Record {
    /// An AUX field (`redis-ver`, `repl-id`, `aof-base`, ...).
    Aux { key: Bytes, value: Bytes },
    /// A SELECTDB opcode; the [`KeyRecord`]s that follow carry this db too.
    SelectDb(u32),
    /// A RESIZEDB hint: how many keys and keys with a TTL the current db holds.
    ResizeDb { db_size: u64, expires_size: u64 },
    /// A function library (FUNCTION2 opcode): its source code, as given to `FUNCTION LOAD`.
    Function { code: Bytes },
    /// A MODULE_AUX record the reader skipped; the module is named so the caller can warn or refuse.
    ModuleAux { module: String },
    /// A key and its value (or one part of a big value).
    Key(KeyRecord),
}

/// A key with its metadata and value.
#[derive(Debug, Clone, PartialEq)]
pub struct KeyRecord {
    pub db: u32,
    pub key: Bytes,
    /// Absolute expiry in unix milliseconds (EXPIRETIME seconds are converted).
    pub expire_at_ms: Option<i64>,
    /// LRU idle time in seconds (IDLE opcode), when the source used an LRU policy.
    pub idle_s: Option<u64>,
    /// LFU frequency (FREQ opcode), when the source used an LFU policy.
    pub freq: Option<u8>,
    /// The RDB object type byte as it appears in the file.
    pub rdb_type: u8,
    pub body: Body,
}

/// The value of a key: either its exact serialized bytes or decoded.
#[derive(Debug, Clone, PartialEq)]
pub enum Body {
    /// The value's bytes exactly as serialized in the RDB, after the type byte. A RESTORE payload is
    /// `rdb_type, raw, RDB version (2 bytes LE), CRC64 (8 bytes LE)`.
    Raw(Bytes),
    /// The whole value, decoded.
    Value(Value),
    /// One part of a big value. Parts of one key arrive one after another with `index` 0, 1, 2, ...;
    /// `last` is true on the final one. Each part's value holds only that part's elements (a stream's
    /// groups arrive on the last part).
    Part { value: Value, index: u32, last: bool },
}

/// A decoded value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    String(Bytes),
    /// Items in list order.
    List(Vec<Bytes>),
    Set(Vec<Bytes>),
    /// Members with their scores, in the order stored.
    ZSet(Vec<(Bytes, f64)>),
    Hash(Vec<HashField>),
    Stream(Box<Stream>),
}

impl Value {
    /// About how much memory the value holds: its bytes plus a little per element. The pipeline
    /// bounds what is in flight by this.
    pub fn heap_bytes(&self) -> usize {
        match self {
            Value::String(s) => s.len(),
            Value::List(items) | Value::Set(items) => items.iter().map(|i| i.len() + 32).sum(),
            Value::ZSet(members) => members.iter().map(|(m, _)| m.len() + 40).sum(),
            Value::Hash(fields) => fields.iter().map(|f| f.field.len() + f.value.len() + 72).sum(),
            Value::Stream(s) => {
                let entries: usize = s
                    .entries
                    .iter()
                    .map(|e| 48 + e.fields.iter().map(|(f, v)| f.len() + v.len() + 64).sum::<usize>())
                    .sum();
                let groups: usize = s.groups.iter().map(|g| 64 + g.pending.len() * 64 + g.consumers.len() * 64).sum();
                entries + groups
            }
        }
    }
}

/// A hash field, with its own absolute expiry (Redis 7.4+ hash field expiration).
#[derive(Debug, Clone, PartialEq)]
pub struct HashField {
    pub field: Bytes,
    pub value: Bytes,
    pub expire_at_ms: Option<i64>,
}

/// A stream entry id `ms-seq`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct StreamId {
    pub ms: u64,
    pub seq: u64,
}

impl std::fmt::Display for StreamId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}-{}", self.ms, self.seq)
    }
}

/// A stream entry (deleted entries are not yielded).
#[derive(Debug, Clone, PartialEq)]
pub struct StreamEntry {
    pub id: StreamId,
    pub fields: Vec<(Bytes, Bytes)>,
}

/// A stream with its metadata and consumer groups.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Stream {
    /// Entries in id order (for a [`Body::Part`], only that part's entries).
    pub entries: Vec<StreamEntry>,
    /// Number of live entries (XLEN).
    pub length: u64,
    pub last_id: StreamId,
    /// RDB stream v2+ (Redis 7.0+): first entry id, max deleted id, entries added.
    pub first_id: Option<StreamId>,
    pub max_deleted_id: Option<StreamId>,
    pub entries_added: Option<u64>,
    pub groups: Vec<Group>,
}

/// A consumer group.
#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    pub name: Bytes,
    pub last_delivered_id: StreamId,
    /// RDB stream v2+ only; also `None` when the server did not know it (stored as -1).
    pub entries_read: Option<u64>,
    /// The group's pending entries list, in id order. Entries may name ids no longer in the stream.
    pub pending: Vec<PendingEntry>,
    pub consumers: Vec<Consumer>,
}

/// An entry of a group's PEL.
#[derive(Debug, Clone, PartialEq)]
pub struct PendingEntry {
    pub id: StreamId,
    pub delivery_time_ms: i64,
    pub delivery_count: u64,
    /// The consumer that owns it (from the consumers' own PELs).
    pub consumer: Bytes,
}

/// A consumer of a group.
#[derive(Debug, Clone, PartialEq)]
pub struct Consumer {
    pub name: Bytes,
    pub seen_time_ms: i64,
    /// RDB stream v3 (Redis 7.2+) only.
    pub active_time_ms: Option<i64>,
    /// Ids of the entries pending for this consumer, in id order.
    pub pending: Vec<StreamId>,
}
