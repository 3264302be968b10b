//! Compare source and target: every key's type, value and TTL, read with the servers' own commands.
//!
//! Values are read in a canonical form (sets and hashes sorted by bytes, zset scores as numbers,
//! TTLs as absolute times) so that two servers of different versions compare equal when their data is.

/// Sends a command whose arguments are of mixed types (literals, keys).
macro_rules! req {
    ($client:expr, $($arg:expr),+ $(,)?) => {
        $client.request(&[$(AsRef::<[u8]>::as_ref(&$arg)),+])
    };
}

mod keyspace;
mod stream;

use std::time::{SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use serde::Serialize;

use crate::client::{keyspace_counts, Client, ClientError};
use crate::filter::Filter;
use crate::resp::Frame;
use crate::server::ServerInfo;
use crate::text::catalog::run_errors as msg;
use crate::text::Text;

pub use keyspace::Keyspace;
pub use stream::{GroupData, PendingData, StreamData};

/// A key's value in canonical form.
#[derive(Debug, Clone, PartialEq)]
pub enum Data {
    String(Bytes),
    List(Vec<Bytes>),
    /// Sorted by bytes.
    Set(Vec<Bytes>),
    /// In ZRANGE order.
    ZSet(Vec<(Bytes, f64)>),
    /// Sorted by field.
    Hash(Vec<(Bytes, Bytes)>),
    Stream(StreamData),
    /// A type this module does not read (a module type): compared by name only.
    Other(String),
    /// The value could not be read (the key changed type between TYPE and the read): the
    /// server's error. A re-check settles it.
    Unreadable(String),
}

/// One key as read from a server.
#[derive(Debug, Clone, PartialEq)]
pub struct KeyState {
    pub data: Data,
    /// Absolute expiry, unix ms, computed from PTTL.
    pub expire_at_ms: Option<i64>,
    /// A hash's fields that have a TTL of their own, with their absolute expiry (unix ms), sorted;
    /// read only from servers that have field TTLs.
    pub field_expiry: Vec<(Bytes, i64)>,
}

/// How a key differs between source and target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum DiffKind {
    Missing,
    Extra,
    Type,
    Value,
    Ttl,
    /// What a migration by commands cannot give this target (pending entries of deleted stream
    /// entries; hash field TTLs on a target without them). Listed, but not counted as a difference.
    NotCarried,
}

/// A difference found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Difference {
    pub db: u32,
    pub key: String,
    pub kind: DiffKind,
    /// How it differs, as a sentence.
    pub detail: Text,
}

fn now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}

fn items(frame: Frame) -> Vec<Frame> {
    match frame {
        Frame::Array(items) | Frame::Map(items) | Frame::Push(items) => items,
        _ => Vec::new(),
    }
}

fn bytes(frame: &Frame) -> Bytes {
    frame.as_bytes().cloned().unwrap_or_else(|| Bytes::from(frame.as_int().map(|i| i.to_string()).unwrap_or_default()))
}

fn byte_list(frame: Frame) -> Vec<Bytes> {
    items(frame).iter().map(bytes).collect()
}

/// Field `name` of a flat key/value reply (XINFO).
fn field(pairs: &[Frame], name: &str) -> Option<Frame> {
    pairs
        .chunks(2)
        .find(|c| c[0].as_bytes().is_some_and(|b| b.as_ref() == name.as_bytes()))
        .and_then(|c| c.get(1).cloned())
}

/// Reads one key from the current db; `None` when it does not exist. `field_ttls`: the server has
/// hash field TTLs ([`ServerInfo::has_hash_field_ttl`]).
pub async fn read_key(client: &mut Client, key: &Bytes, field_ttls: bool) -> Result<Option<KeyState>, ClientError> {
    Ok(read_keys(client, std::slice::from_ref(key), field_ttls).await?.pop().flatten())
}

/// The command that reads a whole value of type `kind`.
fn value_command(kind: &str, key: &Bytes) -> Option<Vec<Bytes>> {
    let args: &[&'static [u8]] = match kind {
        "string" => &[b"GET"],
        "list" => &[b"LRANGE", b"0", b"-1"],
        "set" => &[b"SMEMBERS"],
        "zset" => &[b"ZRANGE", b"0", b"-1", b"WITHSCORES"],
        "hash" => &[b"HGETALL"],
        _ => return None,
    };
    let mut argv = vec![Bytes::from_static(args[0]), key.clone()];
    argv.extend(args[1..].iter().map(|a| Bytes::from_static(a)));
    Some(argv)
}

/// Turns the reply of [`value_command`] into canonical data.
fn parse_value(kind: &str, reply: Frame) -> Data {
    if let Some(message) = reply.error_message() {
        // The key changed type between TYPE and the read: report it as such; a re-check settles it.
        return Data::Unreadable(message);
    }
    match kind {
        "string" => Data::String(bytes(&reply)),
        "list" => Data::List(byte_list(reply)),
        "set" => {
            let mut members = byte_list(reply);
            members.sort();
            Data::Set(members)
        }
        "zset" => Data::ZSet(
            byte_list(reply)
                .chunks(2)
                .map(|c| {
                    let score = c.get(1).and_then(|s| std::str::from_utf8(s).ok()?.parse().ok()).unwrap_or(f64::NAN);
                    (c[0].clone(), score)
                })
                .collect(),
        ),
        _ => {
            let flat = byte_list(reply);
            let mut pairs: Vec<_> =
                flat.chunks(2).filter(|c| c.len() == 2).map(|c| (c[0].clone(), c[1].clone())).collect();
            pairs.sort();
            Data::Hash(pairs)
        }
    }
}

/// Reads several keys of the current db with pipelined commands: types and TTLs in one round trip,
/// values in a second (streams, and hashes on servers with field TTLs, take a few more each).
pub async fn read_keys(
    client: &mut Client,
    keys: &[Bytes],
    field_ttls: bool,
) -> Result<Vec<Option<KeyState>>, ClientError> {
    for key in keys {
        client.send(&[&b"TYPE"[..], key]);
        client.send(&[&b"PTTL"[..], key]);
    }
    client.flush().await?;
    let mut meta = Vec::with_capacity(keys.len());
    for _ in keys {
        let kind = String::from_utf8_lossy(&bytes(&client.read_reply().await?)).into_owned();
        let pttl = client.read_reply().await?.as_int().unwrap_or(-1);
        meta.push((kind, (pttl >= 0).then(|| now_ms() + pttl)));
    }
    let commands: Vec<Option<Vec<Bytes>>> =
        keys.iter().zip(&meta).map(|(k, (kind, _))| value_command(kind, k)).collect();
    for argv in commands.iter().flatten() {
        client.send(argv);
    }
    client.flush().await?;
    let mut out = Vec::with_capacity(keys.len());
    let mut streams = Vec::new();
    for (i, ((kind, expire_at_ms), command)) in meta.into_iter().zip(&commands).enumerate() {
        let data = match kind.as_str() {
            "none" => {
                out.push(None);
                continue;
            }
            _ if command.is_some() => parse_value(&kind, client.read_reply().await?),
            "stream" => {
                // Read once every pipelined reply is in: a stream takes commands of its own.
                streams.push(i);
                Data::Stream(StreamData::default())
            }
            other => Data::Other(other.to_string()),
        };
        out.push(Some(KeyState { data, expire_at_ms, field_expiry: Vec::new() }));
    }
    for i in streams {
        let data = Data::Stream(stream::read(client, &keys[i]).await?);
        if let Some(state) = out[i].as_mut() {
            state.data = data;
        }
    }
    if field_ttls {
        for (key, state) in keys.iter().zip(out.iter_mut()) {
            if let Some(KeyState { data: Data::Hash(fields), field_expiry, .. }) = state.as_mut() {
                *field_expiry = read_field_expiry(client, key, fields).await?;
            }
        }
    }
    Ok(out)
}

/// The fields of a hash that have a TTL, with their absolute expiry (`HPEXPIRETIME`).
async fn read_field_expiry(
    client: &mut Client,
    key: &Bytes,
    fields: &[(Bytes, Bytes)],
) -> Result<Vec<(Bytes, i64)>, ClientError> {
    let mut out = Vec::new();
    for chunk in fields.chunks(1000) {
        let mut argv = vec![Bytes::from_static(b"HPEXPIRETIME"), key.clone(), Bytes::from_static(b"FIELDS")];
        argv.push(Bytes::from(chunk.len().to_string()));
        argv.extend(chunk.iter().map(|(f, _)| f.clone()));
        let reply = client.request(&argv).await?;
        for ((field, _), at) in chunk.iter().zip(items(reply)) {
            // -1: no TTL; -2: no such field (it expired between the reads).
            if let Some(at) = at.as_int().filter(|&at| at >= 0) {
                out.push((field.clone(), at));
            }
        }
    }
    Ok(out)
}

/// The dbs that hold keys.
pub async fn databases(client: &mut Client) -> Result<Vec<u32>, ClientError> {
    Ok(keyspace_counts(&client.info("keyspace").await?).into_iter().map(|(db, _)| db).collect())
}

/// Whether two values are equal (zset scores as numbers).
fn same_data(a: &Data, b: &Data) -> bool {
    match (a, b) {
        (Data::ZSet(x), Data::ZSet(y)) => {
            x.len() == y.len()
                && x.iter().zip(y).all(|((m1, s1), (m2, s2))| m1 == m2 && (s1 == s2 || (s1.is_nan() && s2.is_nan())))
        }
        _ => a == b,
    }
}

/// The value's type: the server's name for it, or why it could not be read.
fn type_name(d: &Data) -> Text {
    match d {
        Data::String(_) => Text::raw("string"),
        Data::List(_) => Text::raw("list"),
        Data::Set(_) => Text::raw("set"),
        Data::ZSet(_) => Text::raw("zset"),
        Data::Hash(_) => Text::raw("hash"),
        Data::Stream(_) => Text::raw("stream"),
        Data::Other(name) => Text::raw(name.as_str()),
        Data::Unreadable(error) => Text::new(&msg::VERIFY_UNREADABLE).arg("error", error),
    }
}

/// How keys are compared.
#[derive(Debug, Clone, Copy)]
pub struct Compare {
    /// TTLs (and stream pending entries' idle times) closer than this count as equal.
    pub ttl_tolerance_ms: i64,
    /// The target has hash field TTLs; without them, a source's field TTLs are not carried.
    pub target_field_ttls: bool,
    /// The target has streams (5.0+); without them, a source's streams are not carried.
    pub target_streams: bool,
}

/// Compares two keys; `None` when they match.
pub fn compare_key(source: Option<&KeyState>, target: Option<&KeyState>, how: Compare) -> Option<(DiffKind, Text)> {
    let tolerance = how.ttl_tolerance_ms;
    match (source, target) {
        (None, None) => None,
        (Some(KeyState { data: Data::Stream(_), .. }), None) if !how.target_streams => {
            Some((DiffKind::NotCarried, Text::new(&msg::VERIFY_NO_STREAMS)))
        }
        (Some(_), None) => Some((DiffKind::Missing, Text::new(&msg::VERIFY_MISSING))),
        (None, Some(_)) => Some((DiffKind::Extra, Text::new(&msg::VERIFY_EXTRA))),
        (Some(s), Some(t)) => {
            if type_name(&s.data) != type_name(&t.data) {
                let detail =
                    Text::new(&msg::VERIFY_TYPE).arg("source", type_name(&s.data)).arg("target", type_name(&t.data));
                return Some((DiffKind::Type, detail));
            }
            let stream_difference = match (&s.data, &t.data) {
                (Data::Stream(a), Data::Stream(b)) => stream::compare(a, b, tolerance),
                _ if !same_data(&s.data, &t.data) => return Some((DiffKind::Value, Text::new(&msg::VERIFY_VALUES))),
                _ => None,
            };
            if stream_difference.as_ref().is_some_and(|(kind, _)| *kind != DiffKind::NotCarried) {
                return stream_difference;
            }
            match (s.expire_at_ms, t.expire_at_ms) {
                (None, None) => {}
                (Some(a), Some(b)) if (a - b).abs() <= tolerance => {}
                (a, b) => {
                    let detail =
                        Text::new(&msg::VERIFY_TTL).arg("source", format!("{a:?}")).arg("target", format!("{b:?}"));
                    return Some((DiffKind::Ttl, detail));
                }
            }
            if !s.field_expiry.is_empty() && !how.target_field_ttls {
                let detail = Text::new(&msg::VERIFY_FIELD_TTLS_NOT_CARRIED).arg("count", s.field_expiry.len());
                return Some((DiffKind::NotCarried, detail));
            }
            let same_fields = s.field_expiry.len() == t.field_expiry.len()
                && s.field_expiry
                    .iter()
                    .zip(&t.field_expiry)
                    .all(|((f, a), (g, b))| f == g && (a - b).abs() <= tolerance);
            if !same_fields {
                let detail = Text::new(&msg::VERIFY_FIELD_TTLS)
                    .arg("source", s.field_expiry.len())
                    .arg("target", t.field_expiry.len());
                return Some((DiffKind::Ttl, detail));
            }
            stream_difference
        }
    }
}

/// Compares every key of every db once (same db numbers on both sides).
pub async fn compare_all(
    source: &mut Client,
    target: &mut Client,
    ttl_tolerance_ms: i64,
) -> Result<Vec<Difference>, ClientError> {
    let options = VerifyOptions { ttl_tolerance_ms, recheck_rounds: 0, ..VerifyOptions::default() };
    Ok(run(source, target, &Filter::default(), &options).await?.differences)
}

/// How to verify.
#[derive(Debug, Clone)]
pub struct VerifyOptions {
    /// TTLs closer than this count as equal.
    pub ttl_tolerance_ms: i64,
    /// Keys that differ are read again this many times before they are reported, so that keys
    /// changing during the compare are not false alarms.
    pub recheck_rounds: u32,
    pub recheck_delay: std::time::Duration,
    /// At most this many differences are listed in the report (all are counted).
    pub max_listed: usize,
}

impl Default for VerifyOptions {
    fn default() -> Self {
        VerifyOptions {
            ttl_tolerance_ms: 1000,
            recheck_rounds: 3,
            recheck_delay: std::time::Duration::from_millis(500),
            max_listed: 1000,
        }
    }
}

/// The result of a verify.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct VerifyReport {
    pub keys_compared: u64,
    pub missing: u64,
    pub extra: u64,
    /// Keys whose type, value or TTL differ.
    pub different: u64,
    /// Keys that differ only by what a migration by commands cannot give this target (listed with
    /// kind `not_carried`; not a difference).
    pub not_carried: u64,
    /// The differences (at most `max_listed`), by db then key.
    pub differences: Vec<Difference>,
    pub duration_ms: u64,
}

impl VerifyReport {
    pub fn identical(&self) -> bool {
        self.missing + self.extra + self.different == 0
    }
}

/// What a verify is doing, for a progress bar: a big keyspace takes seconds to minutes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum VerifyStage {
    /// Scanning the source and reading each key on both sides.
    Compare,
    /// Scanning the target for keys the source lacks.
    Extra,
    /// Reading again the keys that differed, so that keys written meanwhile are not false alarms
    /// (each round counts from 0 again, over the keys that still differ).
    Recheck,
}

/// How far a verify is: `done` of about `total` keys in `stage` (the totals come from DBSIZE before
/// the scan, so writes meanwhile can make `done` pass `total` a little).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct VerifyProgress {
    pub stage: VerifyStage,
    pub done: u64,
    pub total: u64,
}

/// Keys in these dbs on every node of a keyspace.
async fn key_total(space: &mut Keyspace<'_>, dbs: &[u32]) -> Result<u64, ClientError> {
    let mut total = 0;
    for &db in dbs {
        space.select(db).await?;
        for node in 0..space.len() {
            total += req!(space.node(node), b"DBSIZE").await?.as_int().unwrap_or(0).max(0) as u64;
        }
    }
    Ok(total)
}

/// A key that differed on the first read: (source db, target db, key).
type Candidate = (u32, u32, Bytes);

/// Compares source and target key by key (two standalone servers; see [`run_keyspaces`]).
pub async fn run(
    source: &mut Client,
    target: &mut Client,
    filter: &Filter,
    options: &VerifyOptions,
) -> Result<VerifyReport, ClientError> {
    run_keyspaces(&mut Keyspace::one(source), &mut Keyspace::one(target), filter, options, &mut |_| {}).await
}

/// Compares source and target key by key, with bounded memory: the source is scanned in pages (on
/// every master of a cluster) and each page is read from both sides (each key from the master of
/// its slot); then the target is scanned for keys the source lacks. Keys that differ are re-read
/// `recheck_rounds` times before they are reported. Leaves the connections on an arbitrary db.
/// `progress` hears after every page of keys how far it is.
pub async fn run_keyspaces(
    source: &mut Keyspace<'_>,
    target: &mut Keyspace<'_>,
    filter: &Filter,
    options: &VerifyOptions,
    progress: &mut (dyn FnMut(VerifyProgress) + Send),
) -> Result<VerifyReport, ClientError> {
    let started = std::time::Instant::now();
    let mut report = VerifyReport::default();
    let mut candidates: Vec<Candidate> = Vec::new();
    let source_field_ttls = ServerInfo::fetch(source.node(0)).await?.has_hash_field_ttl();
    let target_info = ServerInfo::fetch(target.node(0)).await?;
    let target_field_ttls = target_info.has_hash_field_ttl();
    let how = Compare {
        ttl_tolerance_ms: options.ttl_tolerance_ms,
        target_field_ttls,
        target_streams: target_info.at_least(5, 0),
    };
    let sides = Sides { source_field_ttls, target_field_ttls, how };
    let source_dbs = source.databases().await?;
    let mut at = VerifyProgress { stage: VerifyStage::Compare, done: 0, total: key_total(source, &source_dbs).await? };
    progress(at);
    for &db in &source_dbs {
        let tdb = filter.db(db);
        for node in 0..source.len() {
            let mut cursor = Bytes::from_static(b"0");
            loop {
                source.select(db).await?;
                let (next, keys) = scan_page(source.node(node), &cursor).await?;
                cursor = next;
                at.done += keys.len() as u64;
                let keys: Vec<Bytes> = keys.into_iter().filter(|k| filter.key(k)).collect();
                let a = source.read_keys(&keys, source_field_ttls).await?;
                target.select(tdb).await?;
                let b = target.read_keys(&keys, target_field_ttls).await?;
                for ((key, a), b) in keys.into_iter().zip(a).zip(b) {
                    report.keys_compared += 1;
                    if compare_key(a.as_ref(), b.as_ref(), how).is_some() {
                        candidates.push((db, tdb, key));
                    }
                }
                progress(at);
                if cursor.as_ref() == b"0" {
                    break;
                }
            }
        }
    }
    // Keys only on the target: scan each target db that a source db maps to, or that holds keys.
    let mut target_dbs: Vec<u32> = source_dbs.iter().map(|&d| filter.db(d)).collect();
    target_dbs.extend(target.databases().await?);
    target_dbs.sort_unstable();
    target_dbs.dedup();
    at = VerifyProgress { stage: VerifyStage::Extra, done: 0, total: key_total(target, &target_dbs).await? };
    progress(at);
    for tdb in target_dbs {
        // Under a mapping that merges dbs, a target key is extra only when no source db that maps
        // here holds it.
        let mapped = source_dbs_of(filter, &source_dbs, tdb);
        for node in 0..target.len() {
            let mut cursor = Bytes::from_static(b"0");
            loop {
                target.select(tdb).await?;
                let (next, keys) = scan_page(target.node(node), &cursor).await?;
                cursor = next;
                at.done += keys.len() as u64;
                let keys: Vec<Bytes> = keys.into_iter().filter(|k| filter.key(k)).collect();
                let mut found = vec![false; keys.len()];
                for &db in &mapped {
                    source.select(db).await?;
                    for (f, e) in found.iter_mut().zip(source.exist(&keys).await?) {
                        *f |= e;
                    }
                }
                // In a target db no source db maps to, every key is extra (nothing to read back).
                let first = mapped.first().copied().unwrap_or(u32::MAX);
                candidates.extend(keys.into_iter().zip(found).filter(|(_, f)| !f).map(|(k, _)| (first, tdb, k)));
                progress(at);
                if cursor.as_ref() == b"0" {
                    break;
                }
            }
        }
    }
    // Re-check what differed, a few times, keeping only what still differs.
    for _ in 0..options.recheck_rounds {
        if candidates.is_empty() {
            break;
        }
        tokio::time::sleep(options.recheck_delay).await;
        at = VerifyProgress { stage: VerifyStage::Recheck, done: 0, total: candidates.len() as u64 };
        progress(at);
        let mut still = Vec::new();
        for (db, tdb, key) in candidates {
            if recheck(source, target, db, tdb, &key, sides).await?.is_some() {
                still.push((db, tdb, key));
            }
            at.done += 1;
            if at.done % 1000 == 0 || at.done == at.total {
                progress(at);
            }
        }
        candidates = still;
    }
    for (db, tdb, key) in candidates {
        let Some((kind, detail)) = recheck(source, target, db, tdb, &key, sides).await? else {
            continue;
        };
        match kind {
            DiffKind::Missing => report.missing += 1,
            DiffKind::Extra => report.extra += 1,
            DiffKind::NotCarried => report.not_carried += 1,
            _ => report.different += 1,
        }
        if report.differences.len() < options.max_listed {
            let db = if db == u32::MAX { tdb } else { db };
            report.differences.push(Difference { db, key: String::from_utf8_lossy(&key).into_owned(), kind, detail });
        }
    }
    report.differences.sort_by(|a, b| (a.db, &a.key).cmp(&(b.db, &b.key)));
    report.duration_ms = started.elapsed().as_millis() as u64;
    Ok(report)
}

/// The source dbs that map to target db `tdb`: among the source's dbs, or `tdb` itself when unmapped.
fn source_dbs_of(filter: &Filter, source_dbs: &[u32], tdb: u32) -> Vec<u32> {
    let mut dbs: Vec<u32> = source_dbs.iter().copied().filter(|&d| filter.db(d) == tdb).collect();
    if dbs.is_empty() && filter.db(tdb) == tdb {
        dbs.push(tdb);
    }
    dbs
}

/// What verify knows of the two servers.
#[derive(Clone, Copy)]
struct Sides {
    source_field_ttls: bool,
    target_field_ttls: bool,
    how: Compare,
}

async fn recheck(
    source: &mut Keyspace<'_>,
    target: &mut Keyspace<'_>,
    db: u32,
    tdb: u32,
    key: &Bytes,
    sides: Sides,
) -> Result<Option<(DiffKind, Text)>, ClientError> {
    let key = std::slice::from_ref(key);
    let a = if db == u32::MAX {
        None
    } else {
        source.select(db).await?;
        source.read_keys(key, sides.source_field_ttls).await?.pop().flatten()
    };
    target.select(tdb).await?;
    let b = target.read_keys(key, sides.target_field_ttls).await?.pop().flatten();
    Ok(compare_key(a.as_ref(), b.as_ref(), sides.how))
}

/// One SCAN page: the next cursor and the keys.
async fn scan_page(client: &mut Client, cursor: &Bytes) -> Result<(Bytes, Vec<Bytes>), ClientError> {
    let reply = items(req!(client, b"SCAN", cursor, b"COUNT", b"1000").await?);
    let mut parts = reply.into_iter();
    let next = parts.next().map(|f| bytes(&f)).unwrap_or_else(|| Bytes::from_static(b"0"));
    Ok((next, parts.next().map(byte_list).unwrap_or_default()))
}
