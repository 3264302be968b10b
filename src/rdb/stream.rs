//! Streams (RDB types 15, 19, 21): listpack nodes of entries, then metadata and consumer groups.
//!
//! ```text
//! <node count> (<node key: 16 bytes, master id ms+seq big-endian> <listpack>)...
//! <length> <last id ms> <last id seq>
//! v2+: <first id ms> <seq> <max deleted id ms> <seq> <entries added>
//! <group count> per group: <name> <last delivered ms> <seq> [v2+: <entries read>]
//!     <PEL count> (<16-byte id> <delivery time ms, 8 bytes LE> <delivery count>)...
//!     <consumer count> per consumer: <name> <seen time ms, 8 bytes LE> [v3: <active time ms>]
//!         <PEL count> (<16-byte id>)...
//! ```
//!
//! A node's listpack starts with a master entry (`count`, `deleted`, `n`, n field names, `0`);
//! each entry follows as `flags`, `ms-diff`, `seq-diff`, then either the values of the master
//! fields (flag SAMEFIELDS) or `n` and n field/value pairs, then `lp-count`. Entries flagged
//! DELETED are skipped.

use bytes::Bytes;
use tokio::io::AsyncRead;

use super::blob::{BlobError, Item};
use super::error::RdbError;
use super::input::{Input, MAX_ELEMENTS};
use super::length::be64;
use super::listpack::Listpack;
use super::value::{Consumer, Group, PendingEntry, Stream, StreamEntry, StreamId};
use crate::text::catalog::run_errors as msg;
use crate::text::{Entry, Text};

const FLAG_DELETED: i64 = 1;
const FLAG_SAMEFIELDS: i64 = 2;

/// A listpack node being walked.
#[derive(Debug)]
struct Node {
    lp: Listpack,
    master: StreamId,
    master_fields: Vec<Bytes>,
    /// Stream offset of the listpack, for errors.
    offset: u64,
}

/// Decodes a stream's entries a few at a time, then its metadata and groups.
#[derive(Debug)]
pub(crate) struct StreamCursor {
    version: u8,
    nodes_left: u64,
    node: Option<Node>,
}

fn raw_id(b: &[u8; 16]) -> StreamId {
    StreamId { ms: be64(&b[..8]), seq: be64(&b[8..]) }
}

impl Node {
    fn corrupt(&self, e: BlobError) -> RdbError {
        let at = e.at.unwrap_or(self.lp.position());
        RdbError::Corrupt {
            what: Text::new(&msg::RDB_STREAM_LISTPACK_AT).arg("what", Text::new(e.what)).arg("at", at),
            offset: self.offset,
        }
    }

    /// An error about the entry just read.
    fn invalid(&self, what: &'static Entry) -> RdbError {
        self.corrupt(BlobError::new(what, self.lp.position()))
    }

    fn item(&mut self) -> Result<Item, RdbError> {
        match self.lp.next() {
            Ok(Some(item)) => Ok(item),
            Ok(None) => Err(self.invalid(&msg::RDB_BLOB_STREAM_CUT)),
            Err(e) => Err(self.corrupt(e)),
        }
    }

    fn int(&mut self) -> Result<i64, RdbError> {
        let item = self.item()?;
        item.as_i64().ok_or_else(|| self.invalid(&msg::RDB_BLOB_STREAM_HEADER))
    }

    fn count(&mut self) -> Result<usize, RdbError> {
        let v = self.int()?;
        usize::try_from(v).map_err(|_| self.invalid(&msg::RDB_BLOB_STREAM_NEGATIVE))
    }

    /// Reads the master entry at the start of a node's listpack.
    fn open(lp: Listpack, master: StreamId, offset: u64) -> Result<Node, RdbError> {
        let mut node = Node { lp, master, master_fields: Vec::new(), offset };
        if !node.lp.has_more() {
            return Err(node.invalid(&msg::RDB_BLOB_STREAM_EMPTY));
        }
        let _count = node.int()?;
        let _deleted = node.int()?;
        let fields = node.count()?;
        node.master_fields.reserve(fields.min(4096));
        for _ in 0..fields {
            let f = node.item()?.into_bytes();
            node.master_fields.push(f);
        }
        if node.int()? != 0 {
            return Err(node.invalid(&msg::RDB_BLOB_STREAM_MASTER));
        }
        Ok(node)
    }

    /// The next entry: `None` at the end of the node, `Some(None)` for a deleted entry.
    fn next_entry(&mut self) -> Result<Option<Option<StreamEntry>>, RdbError> {
        if !self.lp.has_more() {
            return Ok(None);
        }
        let flags = self.int()?;
        let ms_diff = self.int()?;
        let seq_diff = self.int()?;
        // Differences are stored as signed 64-bit values of wrapping unsigned arithmetic.
        let id = StreamId {
            ms: self.master.ms.wrapping_add(ms_diff as u64),
            seq: self.master.seq.wrapping_add(seq_diff as u64),
        };
        let mut fields = Vec::new();
        if flags & FLAG_SAMEFIELDS != 0 {
            fields.reserve(self.master_fields.len());
            for i in 0..self.master_fields.len() {
                let v = self.item()?.into_bytes();
                fields.push((self.master_fields[i].clone(), v));
            }
        } else {
            let n = self.count()?;
            fields.reserve(n.min(4096));
            for _ in 0..n {
                let f = self.item()?.into_bytes();
                let v = self.item()?.into_bytes();
                fields.push((f, v));
            }
        }
        let _lp_count = self.int()?;
        if flags & FLAG_DELETED != 0 {
            return Ok(Some(None));
        }
        Ok(Some(Some(StreamEntry { id, fields })))
    }
}

impl StreamCursor {
    pub(crate) async fn open<R: AsyncRead + Unpin>(input: &mut Input<R>, version: u8) -> Result<Self, RdbError> {
        let nodes_left = input.count(&msg::RDB_ITEM_STREAM_NODE_COUNT, MAX_ELEMENTS).await?;
        Ok(StreamCursor { version, nodes_left, node: None })
    }

    /// Whether nodes or entries remain (some may turn out to be deleted entries).
    pub(crate) fn has_more(&self) -> bool {
        self.nodes_left > 0 || self.node.as_ref().is_some_and(|n| n.lp.has_more())
    }

    /// Appends up to `limit` live entries to `out`.
    pub(crate) async fn pull<R: AsyncRead + Unpin>(
        &mut self,
        input: &mut Input<R>,
        out: &mut Vec<StreamEntry>,
        limit: usize,
    ) -> Result<(), RdbError> {
        let mut got = 0;
        while got < limit {
            if let Some(node) = self.node.as_mut() {
                match node.next_entry()? {
                    Some(Some(entry)) => {
                        out.push(entry);
                        got += 1;
                    }
                    Some(None) => {}
                    None => self.node = None,
                }
                continue;
            }
            if self.nodes_left == 0 {
                break;
            }
            self.nodes_left -= 1;
            let key_offset = input.offset();
            let key = input.string(&msg::RDB_ITEM_STREAM_NODE_KEY).await?;
            let key: &[u8; 16] = key[..].try_into().map_err(|_| RdbError::Corrupt {
                what: Text::new(&msg::RDB_STREAM_NODE_KEY).arg("len", key.len()),
                offset: key_offset,
            })?;
            let master = raw_id(key);
            let offset = input.offset();
            let blob = input.string(&msg::RDB_ITEM_STREAM_LISTPACK).await?;
            let lp = Listpack::new(blob).map_err(|e| RdbError::Corrupt {
                what: Text::new(&msg::RDB_STREAM_LISTPACK_INVALID)
                    .arg("what", Text::new(e.what))
                    .arg("at", e.at.unwrap_or(0)),
                offset,
            })?;
            self.node = Some(Node::open(lp, master, offset)?);
        }
        Ok(())
    }

    /// Reads what follows the entries: length, ids, counters and consumer groups.
    pub(crate) async fn finish<R: AsyncRead + Unpin>(
        &self,
        input: &mut Input<R>,
        stream: &mut Stream,
    ) -> Result<(), RdbError> {
        stream.length = input.length(&msg::RDB_ITEM_STREAM_LENGTH).await?;
        stream.last_id = read_id(input).await?;
        if self.version >= 2 {
            stream.first_id = Some(read_id(input).await?);
            stream.max_deleted_id = Some(read_id(input).await?);
            stream.entries_added = Some(input.length(&msg::RDB_ITEM_STREAM_ENTRIES_ADDED).await?);
        }
        let groups = input.count(&msg::RDB_ITEM_STREAM_GROUP_COUNT, MAX_ELEMENTS).await?;
        stream.groups.reserve(groups.min(4096) as usize);
        for _ in 0..groups {
            let group = read_group(input, self.version).await?;
            stream.groups.push(group);
        }
        Ok(())
    }
}

async fn read_id<R: AsyncRead + Unpin>(input: &mut Input<R>) -> Result<StreamId, RdbError> {
    let ms = input.length(&msg::RDB_ITEM_STREAM_ID).await?;
    let seq = input.length(&msg::RDB_ITEM_STREAM_ID).await?;
    Ok(StreamId { ms, seq })
}

async fn read_group<R: AsyncRead + Unpin>(input: &mut Input<R>, version: u8) -> Result<Group, RdbError> {
    let name = input.string(&msg::RDB_ITEM_GROUP_NAME).await?;
    let last_delivered_id = read_id(input).await?;
    // -1 ("unknown", e.g. after XGROUP CREATE on a non-empty stream) is stored as 2^64 - 1.
    let entries_read = if version >= 2 {
        Some(input.length(&msg::RDB_ITEM_GROUP_ENTRIES_READ).await?).filter(|&v| v != u64::MAX)
    } else {
        None
    };
    let pel = input.count(&msg::RDB_ITEM_GROUP_PEL_SIZE, MAX_ELEMENTS).await?;
    let mut pending = Vec::with_capacity(pel.min(4096) as usize);
    for _ in 0..pel {
        let id = raw_id(&input.array::<16>().await?);
        let delivery_time_ms = input.u64_le().await? as i64;
        let delivery_count = input.length(&msg::RDB_ITEM_PEL_DELIVERY_COUNT).await?;
        pending.push(PendingEntry { id, delivery_time_ms, delivery_count, consumer: Bytes::new() });
    }
    let consumers_n = input.count(&msg::RDB_ITEM_CONSUMER_COUNT, MAX_ELEMENTS).await?;
    let mut consumers = Vec::with_capacity(consumers_n.min(4096) as usize);
    for _ in 0..consumers_n {
        let cname = input.string(&msg::RDB_ITEM_CONSUMER_NAME).await?;
        let seen_time_ms = input.u64_le().await? as i64;
        let active_time_ms = if version >= 3 { Some(input.u64_le().await? as i64) } else { None };
        let n = input.count(&msg::RDB_ITEM_CONSUMER_PEL_SIZE, MAX_ELEMENTS).await?;
        let mut ids = Vec::with_capacity(n.min(4096) as usize);
        for _ in 0..n {
            let offset = input.offset();
            let id = raw_id(&input.array::<16>().await?);
            // The group PEL is stored in id order, so the owner can be found by bisection.
            let Ok(i) = pending.binary_search_by_key(&id, |p| p.id) else {
                return Err(RdbError::Corrupt {
                    what: Text::new(&msg::RDB_PEL_NOT_IN_GROUP).arg("id", id.to_string()),
                    offset,
                });
            };
            pending[i].consumer = cname.clone();
            ids.push(id);
        }
        consumers.push(Consumer { name: cname, seen_time_ms, active_time_ms, pending: ids });
    }
    Ok(Group { name, last_delivered_id, entries_read, pending, consumers })
}
