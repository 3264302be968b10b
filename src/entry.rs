//! The unit that flows from the source reader to the writer.

use bytes::Bytes;

use crate::rdb::{Body, KeyRecord};

/// One thing to apply to the target, in source order.
#[derive(Debug, Clone, PartialEq)]
pub enum Entry {
    /// A key of the snapshot (or one part of a big key).
    Key(KeyRecord),
    /// A function library of the snapshot.
    Function(Bytes),
    /// The snapshot is complete; it corresponds to this replication offset of stream `replid`.
    SnapshotEnd { offset: u64, replid: String },
    /// A write from the command stream, issued in `db`; `end_offset` is the offset just after it.
    Command { db: u32, argv: Vec<Bytes>, end_offset: u64 },
    /// The stream's `SELECT`: the commands that follow are in `db` (a resumed stream needs to know).
    Select { db: u32, end_offset: u64 },
    /// The source's replication id changed (a failover it went through); offsets go on.
    Replid(String),
    /// Stream plumbing (PING, REPLCONF) that moved the offset without a write.
    Offset(u64),
}

impl Entry {
    /// About how much memory the entry holds (see [`crate::rdb::Value::heap_bytes`]): what the
    /// pipeline counts against the bytes it lets travel between the source and the target.
    pub fn weight(&self) -> usize {
        const OVERHEAD: usize = 64;
        OVERHEAD
            + match self {
                Entry::Key(rec) => {
                    rec.key.len()
                        + match &rec.body {
                            Body::Raw(raw) => raw.len(),
                            Body::Value(value) | Body::Part { value, .. } => value.heap_bytes(),
                        }
                }
                Entry::Function(code) => code.len(),
                Entry::Command { argv, .. } => argv.iter().map(|a| a.len() + 32).sum(),
                Entry::SnapshotEnd { .. } | Entry::Select { .. } | Entry::Replid(_) | Entry::Offset(_) => 0,
            }
    }
}
