//! [`RdbReader`]: the record loop (header, opcodes, keys, EOF and checksum) and the choice
//! between raw capture, whole values and parts.

use bytes::{Bytes, BytesMut};
use tokio::io::AsyncRead;

use super::collection::Cursor;
use super::error::RdbError;
use super::input::{Input, MAX_ELEMENTS};
use super::module::{module_name, skip_opcodes};
use super::skip::{Stop, Walker};
use super::types::*;
use super::value::{Body, Header, KeyRecord, Magic, ReaderOptions, Record, Value};
use crate::text::catalog::run_errors as msg;
use crate::text::Text;

/// Per-key attributes set by opcodes before the key's type byte.
#[derive(Debug, Default, Clone, Copy)]
struct KeyAttrs {
    expire_at_ms: Option<i64>,
    idle_s: Option<u64>,
    freq: Option<u8>,
}

/// What a key's records share.
#[derive(Debug, Clone)]
struct KeyMeta {
    db: u32,
    key: Bytes,
    attrs: KeyAttrs,
    rdb_type: u8,
}

impl KeyMeta {
    /// The key's record (moving the key: cloning a freshly read `Bytes` allocates).
    fn into_record(self, body: Body) -> Record {
        Record::Key(KeyRecord {
            db: self.db,
            key: self.key,
            expire_at_ms: self.attrs.expire_at_ms,
            idle_s: self.attrs.idle_s,
            freq: self.attrs.freq,
            rdb_type: self.rdb_type,
            body,
        })
    }
}

/// A value being yielded in parts.
#[derive(Debug)]
struct Pending {
    meta: KeyMeta,
    cursor: Cursor,
    /// Index of the next part.
    index: u32,
}

#[derive(Debug)]
enum State {
    /// Between records.
    Records,
    /// In the middle of a value yielded in parts.
    Parts(Box<Pending>),
    /// The EOF opcode and checksum were read.
    Done,
    /// An error was returned; the position in the stream is unknown.
    Failed,
}

/// Reads an RDB from any `AsyncRead`, one [`Record`] at a time, holding only a bounded window
/// of it (see the [module docs](super)).
///
/// Without passthrough, a collection with at most `part_items` elements comes whole
/// ([`Body::Value`]), a bigger one in [`Body::Part`]s of at most `part_items` elements. Whether
/// more elements follow is only known from the encoding, so the last part can be empty (say, a
/// stream whose last entries were deleted). Streams are split by entries; their metadata (length,
/// ids, counters) and all their consumer groups come on the last part.
///
/// With passthrough, each value comes as [`Body::Raw`] unless it is larger than `max_raw_bytes`:
/// then the reader rewinds to the start of the value (its bytes are still buffered) and yields it
/// decoded, in parts, as above (a big string comes whole, see [`ReaderOptions::max_raw_bytes`]).
///
/// After an error the position in the stream is lost: further calls return [`RdbError::Failed`].
pub struct RdbReader<R> {
    input: Input<R>,
    opts: ReaderOptions,
    header: Option<Header>,
    db: u32,
    attrs: KeyAttrs,
    state: State,
}

impl<R: AsyncRead + Unpin> RdbReader<R> {
    /// `prefix`: bytes already read from `inner` that belong to the RDB start (the replica read
    /// them with the `$len` line).
    pub fn new(inner: R, prefix: BytesMut, opts: ReaderOptions) -> Self {
        RdbReader {
            input: Input::new(inner, prefix),
            opts,
            header: None,
            db: 0,
            attrs: KeyAttrs::default(),
            state: State::Records,
        }
    }

    /// Reads the magic and version (called by the first [`Self::next`] if not called before).
    /// An unsupported version is a [`RdbError::UnsupportedVersion`].
    pub async fn header(&mut self) -> Result<Header, RdbError> {
        if let Some(h) = self.header {
            return Ok(h);
        }
        if matches!(self.state, State::Failed) {
            return Err(RdbError::Failed);
        }
        let result = self.read_header().await;
        match result {
            Ok(h) => self.header = Some(h),
            Err(_) => self.state = State::Failed,
        }
        result
    }

    async fn read_header(&mut self) -> Result<Header, RdbError> {
        let raw: [u8; 9] = self.input.array().await?;
        let bad = || RdbError::BadMagic { found: String::from_utf8_lossy(&raw).into_owned() };
        let (magic, digits) = if raw.starts_with(b"REDIS") {
            (Magic::Redis, &raw[5..])
        } else if raw.starts_with(b"VALKEY") {
            (Magic::Valkey, &raw[6..])
        } else {
            return Err(bad());
        };
        if !digits.iter().all(u8::is_ascii_digit) {
            return Err(bad());
        }
        let version = digits.iter().fold(0u16, |v, d| v * 10 + u16::from(d - b'0'));
        let supported = match magic {
            Magic::Redis => (6..=12).contains(&version),
            Magic::Valkey => version == 80,
        };
        if !supported {
            return Err(RdbError::UnsupportedVersion { magic, version });
        }
        Ok(Header { magic, version })
    }

    /// The next record; `Ok(None)` once the EOF opcode and the 8-byte CRC64 trailer have been read
    /// and checked.
    pub async fn next(&mut self) -> Result<Option<Record>, RdbError> {
        match self.state {
            State::Done => return Ok(None),
            State::Failed => return Err(RdbError::Failed),
            State::Records | State::Parts(_) => {}
        }
        let result = self.next_record().await;
        if result.is_err() {
            self.state = State::Failed;
        }
        result
    }

    /// Bytes of the RDB consumed so far (for progress bars).
    pub fn bytes_read(&self) -> u64 {
        self.input.bytes_read()
    }

    /// Header version (0 before the header is read).
    pub fn version(&self) -> u16 {
        self.header.map_or(0, |h| h.version)
    }

    /// After `Ok(None)`: the inner reader and any bytes buffered beyond the end of the RDB (the
    /// caller continues reading the replication stream, or checks a `$EOF:` mark, from there).
    pub fn into_inner(self) -> (R, BytesMut) {
        self.input.into_parts()
    }

    async fn next_record(&mut self) -> Result<Option<Record>, RdbError> {
        let header = self.header().await?;
        if let State::Parts(pending) = std::mem::replace(&mut self.state, State::Records) {
            let Pending { meta, cursor, index } = *pending;
            return self.emit(meta, cursor, index, true).await.map(Some);
        }
        let valkey = header.magic == Magic::Valkey;
        loop {
            let offset = self.input.offset();
            let byte = self.input.u8().await?;
            match byte {
                OP_EXPIRETIME => {
                    let secs = i32::from_le_bytes(self.input.array().await?);
                    self.attrs.expire_at_ms = Some(i64::from(secs) * 1000);
                }
                OP_EXPIRETIME_MS => self.attrs.expire_at_ms = Some(self.input.u64_le().await? as i64),
                OP_FREQ => self.attrs.freq = Some(self.input.u8().await?),
                OP_IDLE => self.attrs.idle_s = Some(self.input.length(&msg::RDB_ITEM_LRU_IDLE).await?),
                OP_SELECTDB => {
                    let db = self.input.count(&msg::RDB_ITEM_DB_NUMBER, u64::from(u32::MAX)).await?;
                    self.db = db as u32;
                    return Ok(Some(Record::SelectDb(self.db)));
                }
                OP_RESIZEDB => {
                    let db_size = self.input.length(&msg::RDB_ITEM_RESIZEDB_DB_SIZE).await?;
                    let expires_size = self.input.length(&msg::RDB_ITEM_RESIZEDB_EXPIRES_SIZE).await?;
                    return Ok(Some(Record::ResizeDb { db_size, expires_size }));
                }
                OP_AUX => {
                    let key = self.input.string(&msg::RDB_ITEM_AUX_NAME).await?;
                    let value = self.input.string(&msg::RDB_ITEM_AUX_VALUE).await?;
                    return Ok(Some(Record::Aux { key, value }));
                }
                OP_MODULE_AUX => {
                    let id = self.input.length(&msg::RDB_ITEM_MODULE_ID).await?;
                    let module = module_name(id);
                    let when_offset = self.input.offset();
                    let when_opcode = self.input.length(&msg::RDB_ITEM_MODULE_AUX_WHEN_OPCODE).await?;
                    if when_opcode != 2 {
                        return Err(RdbError::Corrupt {
                            what: Text::new(&msg::RDB_MODULE_AUX_WHEN)
                                .arg("module", &module)
                                .arg("opcode", when_opcode),
                            offset: when_offset,
                        });
                    }
                    self.input.length(&msg::RDB_ITEM_MODULE_AUX_WHEN).await?;
                    skip_opcodes(&mut self.input, &module).await?;
                    return Ok(Some(Record::ModuleAux { module }));
                }
                OP_FUNCTION_PRE_GA => {
                    return Err(RdbError::Unsupported {
                        what: &msg::RDB_FUNCTION_PRE_GA,
                        offset,
                        hint: &msg::RDB_HINT_FUNCTION_PRE_GA,
                    })
                }
                OP_FUNCTION2 => {
                    let code = self.input.string(&msg::RDB_ITEM_FUNCTION_CODE).await?;
                    return Ok(Some(Record::Function { code }));
                }
                OP_SLOT_INFO => {
                    // Cluster slot sizing hints (slot id, keys, keys with TTL): not data.
                    for _ in 0..3 {
                        self.input.length(&msg::RDB_ITEM_SLOT_INFO).await?;
                    }
                }
                OP_SLOT_IMPORT if valkey => {
                    // A Valkey 9 atomic slot import in progress: job name, then slot ranges. It is
                    // cluster bookkeeping of the source, not data.
                    self.input.string(&msg::RDB_ITEM_SLOT_IMPORT_JOB).await?;
                    let ranges = self.input.count(&msg::RDB_ITEM_SLOT_IMPORT_RANGE_COUNT, MAX_ELEMENTS).await?;
                    for _ in 0..ranges * 2 {
                        self.input.length(&msg::RDB_ITEM_SLOT_IMPORT_RANGE).await?;
                    }
                }
                OP_EOF => {
                    let computed = self.input.checksum();
                    let offset = self.input.offset();
                    let stored = self.input.u64_le().await?;
                    // A zero checksum means the source has `rdbchecksum no`.
                    if stored != 0 && stored != computed {
                        return Err(RdbError::ChecksumMismatch { stored, computed, offset });
                    }
                    self.state = State::Done;
                    return Ok(None);
                }
                t => match Kind::of(t, valkey) {
                    Some(kind) => return self.read_key(t, kind).await.map(Some),
                    None => return Err(RdbError::UnknownType { byte: t, version: header.version, offset }),
                },
            }
        }
    }

    async fn read_key(&mut self, rdb_type: u8, kind: Kind) -> Result<Record, RdbError> {
        let key = self.input.string(&msg::RDB_ITEM_KEY).await?;
        let attrs = std::mem::take(&mut self.attrs);
        let meta = KeyMeta { db: self.db, key, attrs, rdb_type };
        let offset = self.input.offset();

        if kind == Kind::ModulePreGa || (kind == Kind::Module2 && !self.opts.passthrough) {
            let id = self.input.length(&msg::RDB_ITEM_MODULE_ID).await?;
            let hint = if kind == Kind::ModulePreGa { &msg::RDB_HINT_MODULE_PRE_GA } else { &msg::RDB_HINT_MODULE };
            return Err(RdbError::ModuleValue { module: module_name(id), key: meta.key, offset, hint });
        }

        let mut force_parts = false;
        if self.opts.passthrough {
            // Module values cannot be split, so they are captured whatever their size.
            let limit = (kind != Kind::Module2).then_some(self.opts.max_raw_bytes);
            self.input.start_capture();
            let walked = Walker { input: &mut self.input, limit }.value(kind).await;
            match walked {
                Ok(()) => return Ok(meta.into_record(Body::Raw(self.input.take_capture()))),
                Err(Stop::TooBig) => {
                    // Too big for one RESTORE: read it again, decoded, in parts.
                    self.input.rewind();
                    force_parts = true;
                }
                Err(Stop::Error(e)) => return Err(e),
            }
        }

        if kind == Kind::String {
            // A string is one element: it comes whole even when over `max_raw_bytes`.
            let s = self.input.string(&msg::RDB_ITEM_STRING_VALUE).await?;
            return Ok(meta.into_record(Body::Value(Value::String(s))));
        }
        let cursor = Cursor::open(&mut self.input, kind).await?;
        self.emit(meta, cursor, 0, force_parts).await
    }

    /// Pulls the next `part_items` elements of a collection into a record, and remembers the
    /// cursor if more remain.
    async fn emit(&mut self, meta: KeyMeta, mut cursor: Cursor, index: u32, parts: bool) -> Result<Record, RdbError> {
        let mut value = cursor.empty_value();
        cursor.pull(&mut self.input, &mut value, self.opts.part_items.max(1)).await?;
        let more = cursor.has_more();
        if !more {
            cursor.finish(&mut self.input, &mut value).await?;
        }
        let body =
            if !more && !parts && index == 0 { Body::Value(value) } else { Body::Part { value, index, last: !more } };
        if more {
            let record = meta.clone().into_record(body);
            self.state = State::Parts(Box::new(Pending { meta, cursor, index: index + 1 }));
            Ok(record)
        } else {
            Ok(meta.into_record(body))
        }
    }
}
