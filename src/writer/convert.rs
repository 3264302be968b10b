//! Turns snapshot records into target commands: `RESTORE` of the value's own bytes when the target
//! can read the source's RDB version, ordinary commands otherwise.
//!
//! Keys already expired are skipped (the source would never serve them). TTLs are written as absolute
//! times so that the time a migration takes does not stretch them.

use std::time::{SystemTime, UNIX_EPOCH};

use bytes::{BufMut, Bytes, BytesMut};

use super::stream::StreamPart;
use super::{ErrorSample, WriteError, Writer};
use crate::rdb::{self, Body, KeyRecord, Value};
use crate::server::ServerInfo;
use crate::text::catalog::run_errors as msg;
use crate::text::Text;

/// How values reach the target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// `RESTORE` of the exact serialized value, tagged with the source's RDB version.
    Restore { rdb_version: u16 },
    /// Ordinary commands (SET, RPUSH, HSET, XADD...): the target is older than the source.
    Rewrite,
}

impl Mode {
    /// Passthrough when the target's RESTORE reads what the source writes, judged by server family
    /// and version ([`ServerInfo::reads_rdb`]); commands otherwise.
    pub fn choose(source: &ServerInfo, target: &ServerInfo) -> Mode {
        let rdb_version = source.rdb_version();
        if target.reads_rdb(source.family, rdb_version) {
            Mode::Restore { rdb_version }
        } else {
            Mode::Rewrite
        }
    }
}

/// Converts records for one target and sends them through a [`Writer`].
pub struct Converter {
    mode: Mode,
    target: ServerInfo,
    /// The key whose parts are being skipped because it had expired.
    skipping: Option<Bytes>,
    /// Keys left out because their TTL had passed.
    pub expired_skipped: u64,
    /// Replace keys that exist on the target (RESTORE ... REPLACE, DEL before a rewrite). When false,
    /// RESTORE fails with BUSYKEY on an existing key, which fails the run.
    replace: bool,
}

fn now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}

fn b(s: &'static str) -> Bytes {
    Bytes::from_static(s.as_bytes())
}

fn num(n: impl ToString) -> Bytes {
    Bytes::from(n.to_string())
}

/// A score as Redis parses it back to the same double (`inf`, `-inf`, shortest round-trip form).
fn score(x: f64) -> Bytes {
    num(x)
}

impl Converter {
    pub fn new(mode: Mode, target: ServerInfo, replace: bool) -> Converter {
        Converter { mode, target, skipping: None, expired_skipped: 0, replace }
    }

    pub fn mode(&self) -> Mode {
        self.mode
    }

    /// Writes one key record; returns true when the key is complete (a whole value or a last part).
    pub async fn write_key(&mut self, w: &mut Writer, rec: KeyRecord) -> Result<bool, WriteError> {
        let first = !matches!(rec.body, Body::Part { index: 1.., .. });
        let last = !matches!(rec.body, Body::Part { last: false, .. });
        if first {
            self.skipping = None;
            if rec.expire_at_ms.is_some_and(|t| t <= now_ms()) {
                self.expired_skipped += 1;
                if !last {
                    self.skipping = Some(rec.key.clone());
                }
                return Ok(false);
            }
        } else if self.skipping.as_ref() == Some(&rec.key) {
            if last {
                self.skipping = None;
            }
            return Ok(false);
        }
        w.select(rec.db).await?;
        match rec.body {
            Body::Raw(raw) => {
                let Mode::Restore { rdb_version } = self.mode else {
                    return w.reject(sample(&rec.key, Text::new(&msg::WRITER_RDB_FORM))).map(|_| false);
                };
                self.restore(w, &rec.key, rec.rdb_type, &raw, rdb_version, rec.expire_at_ms, rec.idle_s, rec.freq)
                    .await?;
                return Ok(true);
            }
            Body::Value(value) => {
                if self.replace && !matches!(value, Value::String(_)) {
                    w.send(&[b("DEL"), rec.key.clone()], 0).await?;
                }
                self.rewrite(w, &rec.key, value, true, true).await?;
            }
            Body::Part { value, index, last } => {
                if index == 0 && self.replace {
                    w.send(&[b("DEL"), rec.key.clone()], 0).await?;
                }
                self.rewrite(w, &rec.key, value, false, last).await?;
            }
        }
        if last {
            if let Some(at) = rec.expire_at_ms {
                w.send(&[b("PEXPIREAT"), rec.key, num(at)], 0).await?;
            }
        }
        Ok(last)
    }

    /// Loads a function library (FUNCTION2 record).
    pub async fn write_function(&mut self, w: &mut Writer, code: Bytes) -> Result<(), WriteError> {
        if !self.target.at_least(7, 0) {
            let name = String::from_utf8_lossy(&code).lines().next().unwrap_or_default().to_string();
            return w.reject(ErrorSample {
                class: "UNSUPPORTED".into(),
                command: "FUNCTION".into(),
                key: name,
                message: Text::new(&msg::WRITER_NO_FUNCTIONS).arg("target", self.target.to_string()),
            });
        }
        w.send(&[b("FUNCTION"), b("LOAD"), b("REPLACE"), code], 0).await
    }

    #[allow(clippy::too_many_arguments)]
    async fn restore(
        &mut self,
        w: &mut Writer,
        key: &Bytes,
        rdb_type: u8,
        raw: &[u8],
        rdb_version: u16,
        expire_at_ms: Option<i64>,
        idle_s: Option<u64>,
        freq: Option<u8>,
    ) -> Result<(), WriteError> {
        let mut payload = BytesMut::with_capacity(raw.len() + 11);
        payload.put_u8(rdb_type);
        payload.put_slice(raw);
        payload.put_u16_le(rdb_version);
        let crc = rdb::crc64(0, &payload);
        payload.put_u64_le(crc);
        let abs_ttl = self.target.at_least(5, 0);
        let ttl = match expire_at_ms {
            None => 0,
            Some(at) if abs_ttl => at,
            Some(at) => (at - now_ms()).max(1),
        };
        // RESTORE's arity by version: REPLACE from 3.0 (before, a DEL makes room), ABSTTL,
        // IDLETIME and FREQ from 5.0. A 2.8 target answers "wrong number of arguments" to more.
        let mut argv = vec![b("RESTORE"), key.clone(), num(ttl), payload.freeze()];
        if self.replace && self.target.at_least(3, 0) {
            argv.push(b("REPLACE"));
        } else if self.replace {
            w.send(&[b("DEL"), key.clone()], 0).await?;
        }
        if abs_ttl && expire_at_ms.is_some() {
            argv.push(b("ABSTTL"));
        }
        if abs_ttl {
            if let Some(idle) = idle_s {
                argv.extend([b("IDLETIME"), num(idle)]);
            } else if let Some(freq) = freq {
                argv.extend([b("FREQ"), num(freq)]);
            }
        }
        w.send(&argv, 0).await
    }

    /// Writes a decoded value (or one part of it) as ordinary commands.
    /// `whole`: the value is complete, not one part of a big one.
    async fn rewrite(
        &mut self,
        w: &mut Writer,
        key: &Bytes,
        value: Value,
        whole: bool,
        last: bool,
    ) -> Result<(), WriteError> {
        let k = || key.clone();
        match value {
            Value::String(s) => w.send(&[b("SET"), k(), s], 0).await,
            Value::List(items) => push_many(w, vec![b("RPUSH"), k()], items).await,
            Value::Set(members) => push_many(w, vec![b("SADD"), k()], members).await,
            Value::ZSet(members) => {
                let flat = members.into_iter().flat_map(|(m, s)| [score(s), m]).collect();
                push_many(w, vec![b("ZADD"), k()], flat).await
            }
            Value::Hash(fields) => {
                let cmd = if self.target.at_least(4, 0) { "HSET" } else { "HMSET" };
                let ttls: Vec<(Bytes, i64)> =
                    fields.iter().filter_map(|f| f.expire_at_ms.map(|t| (f.field.clone(), t))).collect();
                let flat = fields.into_iter().flat_map(|f| [f.field, f.value]).collect();
                push_many(w, vec![b(cmd), k()], flat).await?;
                self.field_ttls(w, key, ttls).await
            }
            // Streams came with 5.0; an older target cannot hold one (reported once, on the last part).
            Value::Stream(_) if !self.target.at_least(5, 0) => match last {
                true => {
                    w.reject(sample(key, Text::new(&msg::WRITER_NO_STREAMS).arg("target", self.target.to_string())))
                }
                false => Ok(()),
            },
            Value::Stream(stream) => {
                let part = StreamPart { key, stream: *stream, whole, last };
                super::stream::write(w, &self.target, part).await
            }
        }
    }

    async fn field_ttls(&mut self, w: &mut Writer, key: &Bytes, ttls: Vec<(Bytes, i64)>) -> Result<(), WriteError> {
        if ttls.is_empty() {
            return Ok(());
        }
        if !self.target.has_hash_field_ttl() {
            let what = Text::new(&msg::WRITER_NO_FIELD_TTLS).arg("target", self.target.to_string());
            return w.reject(sample(key, what));
        }
        for (field, at) in ttls {
            w.send(&[b("HPEXPIREAT"), key.clone(), num(at), b("FIELDS"), b("1"), field], 0).await?;
        }
        Ok(())
    }
}

/// An `UNSUPPORTED` sample: `what` of `key` is something the target cannot hold.
pub(super) fn sample(key: &Bytes, what: Text) -> ErrorSample {
    ErrorSample {
        class: "UNSUPPORTED".into(),
        command: String::new(),
        key: String::from_utf8_lossy(key).into_owned(),
        message: what,
    }
}

/// Sends `head + items` in commands of bounded size, so no single command is huge.
async fn push_many(w: &mut Writer, head: Vec<Bytes>, items: Vec<Bytes>) -> Result<(), WriteError> {
    const MAX_ARGS: usize = 1024;
    const MAX_BYTES: usize = 1 << 20;
    let mut argv = head.clone();
    let mut bytes = 0;
    // Pairs (score member, field value) must stay together: split only on even counts for them.
    let pair = matches!(&head[0][..], b"ZADD" | b"HSET" | b"HMSET");
    for item in items {
        bytes += item.len();
        argv.push(item);
        let n = argv.len() - head.len();
        if (n >= MAX_ARGS || bytes >= MAX_BYTES) && (!pair || n % 2 == 0) {
            w.send(&argv, 0).await?;
            argv.truncate(head.len());
            bytes = 0;
        }
    }
    if argv.len() > head.len() {
        w.send(&argv, 0).await?;
    }
    Ok(())
}
