//! Compare source and target: every key's type, value and TTL, read with the servers' own commands.
//!
//! Values are read in a canonical form (sets and hashes sorted by bytes, zset scores as numbers,
//! TTLs as absolute times) so that two servers of different versions compare equal when their data is.

use std::collections::BTreeMap;
use std::time::{SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use serde::Serialize;

use crate::client::{keyspace_counts, Client, ClientError};
use crate::resp::Frame;

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
}

/// A stream's entries and the parts of its groups that a migration must keep.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct StreamData {
    pub entries: Vec<(Bytes, Vec<Bytes>)>,
    pub last_id: Bytes,
    /// Sorted by name.
    pub groups: Vec<GroupData>,
}

/// A consumer group: name, last delivered id, and its pending entries (id, consumer, delivery count).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct GroupData {
    pub name: Bytes,
    pub last_delivered_id: Bytes,
    pub pending: Vec<(Bytes, Bytes, i64)>,
}

/// One key as read from a server.
#[derive(Debug, Clone, PartialEq)]
pub struct KeyState {
    pub data: Data,
    /// Absolute expiry, unix ms, computed from PTTL.
    pub expire_at_ms: Option<i64>,
}

/// How a key differs between source and target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DiffKind {
    Missing,
    Extra,
    Type,
    Value,
    Ttl,
}

/// A difference found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Difference {
    pub db: u32,
    pub key: String,
    pub kind: DiffKind,
    pub detail: String,
}

/// Sends a command whose arguments are of mixed types (literals, keys).
macro_rules! req {
    ($client:expr, $($arg:expr),+ $(,)?) => {
        $client.request(&[$(AsRef::<[u8]>::as_ref(&$arg)),+])
    };
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

/// Reads one key from the current db; `None` when it does not exist.
pub async fn read_key(client: &mut Client, key: &Bytes) -> Result<Option<KeyState>, ClientError> {
    Ok(read_keys(client, std::slice::from_ref(key)).await?.pop().flatten())
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
        return Data::Other(format!("unreadable ({message})"));
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
/// values in a second (streams take a few more each).
pub async fn read_keys(client: &mut Client, keys: &[Bytes]) -> Result<Vec<Option<KeyState>>, ClientError> {
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
        out.push(Some(KeyState { data, expire_at_ms }));
    }
    for i in streams {
        let data = Data::Stream(read_stream(client, &keys[i]).await?);
        if let Some(state) = out[i].as_mut() {
            state.data = data;
        }
    }
    Ok(out)
}

async fn read_stream(client: &mut Client, k: &Bytes) -> Result<StreamData, ClientError> {
    let mut data = StreamData::default();
    for entry in items(req!(client, b"XRANGE", k, b"-", b"+").await?) {
        let mut parts = items(entry).into_iter();
        let id = parts.next().map(|f| bytes(&f)).unwrap_or_default();
        let fields = parts.next().map(byte_list).unwrap_or_default();
        data.entries.push((id, fields));
    }
    let info = items(req!(client, b"XINFO", b"STREAM", k).await?);
    data.last_id = field(&info, "last-generated-id").map(|f| bytes(&f)).unwrap_or_default();
    for group in items(req!(client, b"XINFO", b"GROUPS", k).await?) {
        let group = items(group);
        let name = field(&group, "name").map(|f| bytes(&f)).unwrap_or_default();
        let last = field(&group, "last-delivered-id").map(|f| bytes(&f)).unwrap_or_default();
        let mut pending = Vec::new();
        let reply = req!(client, b"XPENDING", k, &name, b"-", b"+", b"1000000").await?;
        for p in items(reply) {
            let p = items(p);
            if p.len() >= 4 {
                pending.push((bytes(&p[0]), bytes(&p[1]), p[3].as_int().unwrap_or(0)));
            }
        }
        data.groups.push(GroupData { name, last_delivered_id: last, pending });
    }
    data.groups.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(data)
}

/// Every key of one db (the connection stays on that db).
pub async fn dump_db(client: &mut Client, db: u32) -> Result<BTreeMap<Bytes, KeyState>, ClientError> {
    client.request(&["SELECT", &db.to_string()]).await?;
    let mut out = BTreeMap::new();
    let mut cursor = Bytes::from_static(b"0");
    loop {
        let reply = items(req!(client, b"SCAN", &cursor, b"COUNT", b"1000").await?);
        let mut parts = reply.into_iter();
        cursor = parts.next().map(|f| bytes(&f)).unwrap_or_else(|| Bytes::from_static(b"0"));
        let keys = parts.next().map(byte_list).unwrap_or_default();
        let states = read_keys(client, &keys).await?;
        for (key, state) in keys.into_iter().zip(states) {
            if let Some(state) = state {
                out.insert(key, state);
            }
        }
        if cursor.as_ref() == b"0" {
            break;
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

fn type_name(d: &Data) -> &str {
    match d {
        Data::String(_) => "string",
        Data::List(_) => "list",
        Data::Set(_) => "set",
        Data::ZSet(_) => "zset",
        Data::Hash(_) => "hash",
        Data::Stream(_) => "stream",
        Data::Other(name) => name,
    }
}

/// Compares two keys; `None` when they match (TTLs within `ttl_tolerance_ms`).
pub fn compare_key(
    source: Option<&KeyState>,
    target: Option<&KeyState>,
    ttl_tolerance_ms: i64,
) -> Option<(DiffKind, String)> {
    match (source, target) {
        (None, None) => None,
        (Some(_), None) => Some((DiffKind::Missing, "not on the target".into())),
        (None, Some(_)) => Some((DiffKind::Extra, "only on the target".into())),
        (Some(s), Some(t)) => {
            if type_name(&s.data) != type_name(&t.data) {
                return Some((
                    DiffKind::Type,
                    format!("{} on the source, {} on the target", type_name(&s.data), type_name(&t.data)),
                ));
            }
            if !same_data(&s.data, &t.data) {
                return Some((DiffKind::Value, "the values differ".into()));
            }
            match (s.expire_at_ms, t.expire_at_ms) {
                (None, None) => None,
                (Some(a), Some(b)) if (a - b).abs() <= ttl_tolerance_ms => None,
                (a, b) => {
                    Some((DiffKind::Ttl, format!("expires at {a:?} on the source, {b:?} on the target (unix ms)")))
                }
            }
        }
    }
}

/// Compares every key of every db once.
pub async fn compare_all(
    source: &mut Client,
    target: &mut Client,
    ttl_tolerance_ms: i64,
) -> Result<Vec<Difference>, ClientError> {
    let mut dbs = databases(source).await?;
    dbs.extend(databases(target).await?);
    dbs.sort_unstable();
    dbs.dedup();
    let mut diffs = Vec::new();
    for db in dbs {
        let a = dump_db(source, db).await?;
        let b = dump_db(target, db).await?;
        let keys: std::collections::BTreeSet<&Bytes> = a.keys().chain(b.keys()).collect();
        for key in keys {
            if let Some((kind, detail)) = compare_key(a.get(key), b.get(key), ttl_tolerance_ms) {
                diffs.push(Difference { db, key: String::from_utf8_lossy(key).into_owned(), kind, detail });
            }
        }
    }
    Ok(diffs)
}
