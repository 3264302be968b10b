//! Decoding collection values a bounded number of elements at a time.
//!
//! A [`Cursor`] remembers where the rest of a value is: elements still in the RDB stream, a blob
//! (ziplist, listpack, intset, zipmap) being walked, quicklist nodes, or stream nodes. The reader
//! pulls `part_items` elements per record from it, so a collection of any size is yielded in
//! bounded parts while the reader holds at most one blob of it.

use tokio::io::AsyncRead;

use super::blob::{parse_score, Blob, BlobError, Item};
use super::error::RdbError;
use super::input::{Input, MAX_ELEMENTS};
use super::intset::Intset;
use super::listpack::Listpack;
use super::stream::StreamCursor;
use super::types::Kind;
use super::value::{HashField, Stream, Value};
use super::ziplist::Ziplist;
use super::zipmap::Zipmap;
use crate::text::catalog::run_errors as msg;
use crate::text::Text;

/// Quicklist node containers (`QUICKLIST_NODE_CONTAINER_*`).
const CONTAINER_PLAIN: u64 = 1;
const CONTAINER_PACKED: u64 = 2;

/// Never reserve more than this many elements ahead: counts come from the file.
const MAX_RESERVE: usize = 4096;

/// Where the remaining elements of a value being decoded are.
#[derive(Debug)]
pub(crate) enum Cursor {
    /// Elements one after another in the RDB; `left` remain. `min_expire` is the base of the
    /// relative field TTLs of type 24.
    Seq {
        kind: Kind,
        left: u64,
        min_expire: u64,
    },
    /// A single blob; `offset` is where it started in the stream (for errors).
    Blob {
        kind: Kind,
        blob: Blob,
        offset: u64,
    },
    /// Quicklist nodes still in the stream, and the node being walked.
    Quicklist {
        v2: bool,
        nodes_left: u64,
        node: Option<(Blob, u64)>,
    },
    Stream(Box<StreamCursor>),
}

fn blob_error(blob_kind: Text, e: BlobError, offset: u64) -> RdbError {
    let what = match e.at {
        Some(at) => Text::new(&msg::RDB_BLOB_AT).arg("at", at),
        None => Text::new(&msg::RDB_BLOB),
    };
    RdbError::Corrupt { what: what.arg("blob", blob_kind).arg("what", Text::new(e.what)), offset }
}

/// Reads a blob string and opens the cursor matching `kind`.
async fn read_blob<R: AsyncRead + Unpin>(input: &mut Input<R>, kind: Kind) -> Result<(Blob, u64), RdbError> {
    let offset = input.offset();
    let data = input.string(&msg::RDB_ITEM_ENCODED_VALUE).await?;
    let blob = match kind {
        Kind::Zipmap => Zipmap::new(data).map(Blob::Zipmap),
        Kind::ListZiplist | Kind::ZSetZiplist | Kind::HashZiplist => Ziplist::new(data).map(Blob::Ziplist),
        Kind::Intset => Intset::new(data).map(Blob::Intset),
        _ => Listpack::new(data).map(Blob::Listpack),
    };
    let blob = blob.map_err(|e| blob_error(blob_name(kind), e, offset))?;
    Ok((blob, offset))
}

/// The encoding's name (Redis's own word, shown as it is in every language).
fn blob_name(kind: Kind) -> Text {
    Text::raw(match kind {
        Kind::Zipmap => "zipmap",
        Kind::ListZiplist | Kind::ZSetZiplist | Kind::HashZiplist => "ziplist",
        Kind::Intset => "intset",
        _ => "listpack",
    })
}

impl Cursor {
    /// Reads the start of a collection value of `kind` (its count, or its blob).
    pub(crate) async fn open<R: AsyncRead + Unpin>(input: &mut Input<R>, kind: Kind) -> Result<Cursor, RdbError> {
        Ok(match kind {
            Kind::ListSeq | Kind::SetSeq | Kind::ZSetText | Kind::ZSetBinary | Kind::HashSeq | Kind::HashValkey => {
                let left = input.count(&msg::RDB_ITEM_COLLECTION_LENGTH, MAX_ELEMENTS).await?;
                Cursor::Seq { kind, left, min_expire: 0 }
            }
            Kind::HashMeta { relative } => {
                let min_expire = if relative { input.u64_le().await? } else { 0 };
                let left = input.count(&msg::RDB_ITEM_HASH_LENGTH, MAX_ELEMENTS).await?;
                Cursor::Seq { kind, left, min_expire }
            }
            Kind::HashListpackEx { min_expire } => {
                if min_expire {
                    // The smallest field TTL, kept by Redis for a future use; the fields carry
                    // their own absolute TTLs.
                    input.u64_le().await?;
                }
                let (blob, offset) = read_blob(input, kind).await?;
                Cursor::Blob { kind, blob, offset }
            }
            Kind::Zipmap
            | Kind::ListZiplist
            | Kind::Intset
            | Kind::ZSetZiplist
            | Kind::HashZiplist
            | Kind::HashListpack
            | Kind::ZSetListpack
            | Kind::SetListpack => {
                let (blob, offset) = read_blob(input, kind).await?;
                Cursor::Blob { kind, blob, offset }
            }
            Kind::Quicklist { v2 } => {
                let nodes_left = input.count(&msg::RDB_ITEM_QUICKLIST_NODE_COUNT, MAX_ELEMENTS).await?;
                Cursor::Quicklist { v2, nodes_left, node: None }
            }
            Kind::Stream { version } => Cursor::Stream(Box::new(StreamCursor::open(input, version).await?)),
            Kind::String | Kind::ModulePreGa | Kind::Module2 => {
                return Err(input.corrupt(Text::new(&msg::RDB_INTERNAL_NOT_COLLECTION).arg("kind", format!("{kind:?}"))))
            }
        })
    }

    /// An empty value of the type this cursor produces.
    pub(crate) fn empty_value(&self) -> Value {
        let kind = match self {
            Cursor::Seq { kind, .. } | Cursor::Blob { kind, .. } => *kind,
            Cursor::Quicklist { .. } => return Value::List(Vec::new()),
            Cursor::Stream(_) => return Value::Stream(Box::default()),
        };
        match kind {
            Kind::SetSeq | Kind::Intset | Kind::SetListpack => Value::Set(Vec::new()),
            Kind::ZSetText | Kind::ZSetBinary | Kind::ZSetZiplist | Kind::ZSetListpack => Value::ZSet(Vec::new()),
            Kind::HashSeq
            | Kind::HashMeta { .. }
            | Kind::HashValkey
            | Kind::Zipmap
            | Kind::HashZiplist
            | Kind::HashListpack
            | Kind::HashListpackEx { .. } => Value::Hash(Vec::new()),
            _ => Value::List(Vec::new()),
        }
    }

    /// Whether elements remain after what was pulled so far.
    pub(crate) fn has_more(&self) -> bool {
        match self {
            Cursor::Seq { left, .. } => *left > 0,
            Cursor::Blob { blob, .. } => blob.has_more(),
            Cursor::Quicklist { nodes_left, node, .. } => {
                *nodes_left > 0 || node.as_ref().is_some_and(|(b, _)| b.has_more())
            }
            Cursor::Stream(s) => s.has_more(),
        }
    }

    /// Appends up to `limit` elements to `value` (which must come from [`Self::empty_value`]).
    pub(crate) async fn pull<R: AsyncRead + Unpin>(
        &mut self,
        input: &mut Input<R>,
        value: &mut Value,
        limit: usize,
    ) -> Result<(), RdbError> {
        match self {
            Cursor::Seq { kind, left, min_expire } => {
                let n = (*left).min(limit as u64);
                reserve(value, n as usize);
                for _ in 0..n {
                    read_seq_element(input, *kind, *min_expire, value).await?;
                }
                *left -= n;
            }
            Cursor::Blob { kind, blob, offset } => {
                reserve(value, limit);
                for _ in 0..limit {
                    if !blob_element(blob, *kind, value).map_err(|e| blob_error(blob_name(*kind), e, *offset))? {
                        break;
                    }
                }
            }
            Cursor::Quicklist { v2, nodes_left, node } => {
                reserve(value, limit);
                let Value::List(items) = value else {
                    return Err(input.corrupt(Text::new(&msg::RDB_INTERNAL_QUICKLIST)));
                };
                let mut got = 0;
                while got < limit {
                    if let Some((blob, offset)) = node.as_mut() {
                        match blob.next() {
                            Ok(Some(item)) => {
                                items.push(item.into_bytes());
                                got += 1;
                                continue;
                            }
                            Ok(None) => *node = None,
                            Err(e) => return Err(blob_error(blob.kind(), e, *offset)),
                        }
                    }
                    if *nodes_left == 0 {
                        break;
                    }
                    *nodes_left -= 1;
                    *node = Some(read_quicklist_node(input, *v2).await?);
                }
            }
            Cursor::Stream(s) => {
                let Value::Stream(stream) = value else {
                    return Err(input.corrupt(Text::new(&msg::RDB_INTERNAL_STREAM)));
                };
                s.pull(input, &mut stream.entries, limit).await?;
            }
        }
        Ok(())
    }

    /// Reads what follows the last element, if anything (a stream's metadata and groups).
    pub(crate) async fn finish<R: AsyncRead + Unpin>(
        &self,
        input: &mut Input<R>,
        value: &mut Value,
    ) -> Result<(), RdbError> {
        if let (Cursor::Stream(s), Value::Stream(stream)) = (self, value) {
            let stream: &mut Stream = stream;
            s.finish(input, stream).await?;
        }
        Ok(())
    }
}

fn reserve(value: &mut Value, n: usize) {
    let n = n.min(MAX_RESERVE);
    match value {
        Value::List(v) | Value::Set(v) => v.reserve(n),
        Value::ZSet(v) => v.reserve(n),
        Value::Hash(v) => v.reserve(n),
        Value::Stream(s) => s.entries.reserve(n),
        Value::String(_) => {}
    }
}

async fn read_quicklist_node<R: AsyncRead + Unpin>(input: &mut Input<R>, v2: bool) -> Result<(Blob, u64), RdbError> {
    let container = if v2 {
        let offset = input.offset();
        let c = input.length(&msg::RDB_ITEM_QUICKLIST_NODE_CONTAINER).await?;
        if c != CONTAINER_PLAIN && c != CONTAINER_PACKED {
            return Err(RdbError::Corrupt {
                what: Text::new(&msg::RDB_QUICKLIST_CONTAINER).arg("container", c),
                offset,
            });
        }
        c
    } else {
        CONTAINER_PACKED
    };
    let offset = input.offset();
    let data = input.string(&msg::RDB_ITEM_QUICKLIST_NODE).await?;
    if data.is_empty() {
        return Err(RdbError::Corrupt { what: Text::new(&msg::RDB_QUICKLIST_EMPTY), offset });
    }
    let blob = if container == CONTAINER_PLAIN {
        Ok(Blob::Single(Some(data)))
    } else if v2 {
        Listpack::new(data).map(Blob::Listpack)
    } else {
        Ziplist::new(data).map(Blob::Ziplist)
    };
    let name = if v2 { &msg::RDB_BLOB_QUICKLIST_LISTPACK } else { &msg::RDB_BLOB_QUICKLIST_ZIPLIST };
    let blob = blob.map_err(|e| blob_error(Text::new(name), e, offset))?;
    Ok((blob, offset))
}

/// Reads a zset score stored as text: a length byte (253 NaN, 254 +inf, 255 -inf) then ASCII.
async fn read_text_score<R: AsyncRead + Unpin>(input: &mut Input<R>) -> Result<f64, RdbError> {
    let offset = input.offset();
    let len = input.u8().await?;
    Ok(match len {
        253 => f64::NAN,
        254 => f64::INFINITY,
        255 => f64::NEG_INFINITY,
        n => {
            let n = usize::from(n);
            input.fill(n).await?;
            let score = parse_score(&input.buffered()[..n]);
            input.consume(n);
            score.ok_or_else(|| RdbError::Corrupt { what: Text::new(&msg::RDB_BLOB_ZSET_SCORE), offset })?
        }
    })
}

/// Converts a field TTL to the signed milliseconds of [`HashField::expire_at_ms`].
fn ttl_ms(v: u64, offset: u64) -> Result<i64, RdbError> {
    i64::try_from(v).map_err(|_| RdbError::Corrupt { what: Text::new(&msg::RDB_HASH_TTL_RANGE).arg("ttl", v), offset })
}

async fn read_seq_element<R: AsyncRead + Unpin>(
    input: &mut Input<R>,
    kind: Kind,
    min_expire: u64,
    value: &mut Value,
) -> Result<(), RdbError> {
    match (kind, value) {
        (Kind::ListSeq, Value::List(v)) => v.push(input.string(&msg::RDB_ITEM_LIST_ELEMENT).await?),
        (Kind::SetSeq, Value::Set(v)) => v.push(input.string(&msg::RDB_ITEM_SET_MEMBER).await?),
        (Kind::ZSetText, Value::ZSet(v)) => {
            let member = input.string(&msg::RDB_ITEM_ZSET_MEMBER).await?;
            let score = read_text_score(input).await?;
            v.push((member, score));
        }
        (Kind::ZSetBinary, Value::ZSet(v)) => {
            let member = input.string(&msg::RDB_ITEM_ZSET_MEMBER).await?;
            let score = f64::from_bits(input.u64_le().await?);
            v.push((member, score));
        }
        (Kind::HashSeq, Value::Hash(v)) => {
            let field = input.string(&msg::RDB_ITEM_HASH_FIELD).await?;
            let value = input.string(&msg::RDB_ITEM_HASH_VALUE).await?;
            v.push(HashField { field, value, expire_at_ms: None });
        }
        (Kind::HashMeta { relative }, Value::Hash(v)) => {
            let offset = input.offset();
            let ttl = input.length(&msg::RDB_ITEM_HASH_FIELD_TTL).await?;
            let field = input.string(&msg::RDB_ITEM_HASH_FIELD).await?;
            let value = input.string(&msg::RDB_ITEM_HASH_VALUE).await?;
            // Type 24 stores TTLs relative to the hash's minimum (+1, as 0 means none).
            let expire_at_ms = match ttl {
                0 => None,
                t if relative => {
                    let abs = t.checked_add(min_expire).and_then(|v| v.checked_sub(1));
                    let abs =
                        abs.ok_or_else(|| RdbError::Corrupt { what: Text::new(&msg::RDB_HASH_TTL_OVERFLOW), offset })?;
                    Some(ttl_ms(abs, offset)?)
                }
                t => Some(ttl_ms(t, offset)?),
            };
            v.push(HashField { field, value, expire_at_ms });
        }
        (Kind::HashValkey, Value::Hash(v)) => {
            let field = input.string(&msg::RDB_ITEM_HASH_FIELD).await?;
            let value = input.string(&msg::RDB_ITEM_HASH_VALUE).await?;
            let offset = input.offset();
            let expiry = input.u64_le().await? as i64;
            let expire_at_ms = match expiry {
                -1 => None,
                e if e < -1 => {
                    return Err(RdbError::Corrupt {
                        what: Text::new(&msg::RDB_HASH_EXPIRY_INVALID).arg("expiry", e),
                        offset,
                    })
                }
                e => Some(e),
            };
            v.push(HashField { field, value, expire_at_ms });
        }
        (kind, _) => {
            return Err(input.corrupt(Text::new(&msg::RDB_INTERNAL_NO_DECODER).arg("kind", format!("{kind:?}"))))
        }
    }
    Ok(())
}

/// The second (or third) item of an element: it must be there.
fn more(blob: &mut Blob) -> Result<Item, BlobError> {
    blob.next()?.ok_or(BlobError::element(&msg::RDB_BLOB_ODD))
}

/// Moves one element from `blob` into `value`; `false` once the blob is exhausted.
fn blob_element(blob: &mut Blob, kind: Kind, value: &mut Value) -> Result<bool, BlobError> {
    let Some(first) = blob.next()? else { return Ok(false) };
    match value {
        Value::List(v) | Value::Set(v) => v.push(first.into_bytes()),
        Value::ZSet(v) => {
            let score = more(blob)?;
            let score = score.as_f64().ok_or(BlobError::element(&msg::RDB_BLOB_ZSET_SCORE))?;
            v.push((first.into_bytes(), score));
        }
        Value::Hash(v) => {
            let value = more(blob)?.into_bytes();
            let expire_at_ms = if matches!(kind, Kind::HashListpackEx { .. }) {
                // Absolute TTL in ms, 0 for a field without one.
                match more(blob)?.as_i64() {
                    Some(0) => None,
                    Some(t) if t > 0 => Some(t),
                    _ => return Err(BlobError::element(&msg::RDB_BLOB_HASH_TTL)),
                }
            } else {
                None
            };
            v.push(HashField { field: first.into_bytes(), value, expire_at_ms });
        }
        Value::String(_) | Value::Stream(_) => return Err(BlobError::element(&msg::RDB_BLOB_INTERNAL)),
    }
    Ok(true)
}
