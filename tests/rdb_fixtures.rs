//! The RDB reader against real server-written files and an independent oracle.
//!
//! Each `tests/fixtures/rdb/<server>.rdb` was written by that server on `SAVE`, and
//! `<server>.expected.json` is the keyspace as the server itself reported it with read commands
//! (see `tests/fixtures/rdb/FORMAT.md`). Every file is read three ways, streaming from disk:
//!
//! 1. decoded (`passthrough: false`) with small parts, reassembled, compared key by key;
//! 2. in passthrough with a small `max_raw_bytes`, so big values switch to decoded parts (those
//!    are compared too);
//! 3. each raw value from (2) is wrapped in a one-key RDB and decoded, proving the captured bytes
//!    are exactly the value.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use base64::Engine as _;
use bytes::{Bytes, BytesMut};
use ferry::rdb::{crc64, Body, HashField, Header, KeyRecord, Magic, RdbReader, ReaderOptions, Record, StreamId, Value};
use serde_json::Value as Json;

/// Elements per part in the decoded runs: small, so that parts are exercised on most collections.
const PART_ITEMS: usize = 100;
/// Capture budget in the passthrough run: small, so that big strings and collections switch.
const MAX_RAW: usize = 4096;
/// Tolerance for times the oracle could only approximate (pre-7.0 TTLs, 5.x stream times).
const APPROX_MS: i64 = 2000;

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/rdb")
}

/// A key as the reader delivered it, parts reassembled.
#[derive(Debug)]
struct GotKey {
    rdb_type: u8,
    expire_at_ms: Option<i64>,
    idle_s: Option<u64>,
    freq: Option<u8>,
    /// The decoded value, or `None` for a raw value.
    value: Option<Value>,
    raw: Option<Bytes>,
    /// Number of [`Body::Part`]s (0 for a whole value or a raw one).
    parts: u32,
}

#[derive(Debug, Default)]
struct Parsed {
    header: Option<Header>,
    keys: BTreeMap<(u32, Vec<u8>), GotKey>,
    functions: BTreeSet<Vec<u8>>,
    aux: Vec<(Bytes, Bytes)>,
}

/// Appends a part's elements to the value assembled so far.
fn append(acc: &mut Value, part: Value, last: bool) -> Result<(), String> {
    match (acc, part) {
        (Value::List(a), Value::List(b)) | (Value::Set(a), Value::Set(b)) => a.extend(b),
        (Value::ZSet(a), Value::ZSet(b)) => a.extend(b),
        (Value::Hash(a), Value::Hash(b)) => a.extend(b),
        (Value::Stream(a), Value::Stream(b)) => {
            let mut b = *b;
            a.entries.append(&mut b.entries);
            // The stream's metadata and groups arrive on the last part.
            if last {
                b.entries = std::mem::take(&mut a.entries);
                **a = b;
            }
        }
        (a, b) => return Err(format!("part of type {} after a part of type {}", type_name(&b), type_name(a))),
    }
    Ok(())
}

/// Number of elements (entries for a stream) in a value.
fn elements(v: &Value) -> usize {
    match v {
        Value::String(_) => 1,
        Value::List(a) | Value::Set(a) => a.len(),
        Value::ZSet(a) => a.len(),
        Value::Hash(a) => a.len(),
        Value::Stream(s) => s.entries.len(),
    }
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::String(_) => "string",
        Value::List(_) => "list",
        Value::Set(_) => "set",
        Value::ZSet(_) => "zset",
        Value::Hash(_) => "hash",
        Value::Stream(_) => "stream",
    }
}

/// Reads a whole RDB from `source`, reassembling parts; protocol violations (parts out of order,
/// duplicate keys) are returned as errors.
async fn parse<R: tokio::io::AsyncRead + Unpin>(source: R, opts: ReaderOptions) -> Result<Parsed, String> {
    let part_items = opts.part_items;
    let mut reader = RdbReader::new(source, BytesMut::new(), opts);
    let mut out = Parsed { header: Some(reader.header().await.map_err(|e| e.to_string())?), ..Default::default() };
    // (db, key, next index) of the value being assembled.
    let mut open: Option<(u32, Vec<u8>, u32)> = None;
    while let Some(record) = reader.next().await.map_err(|e| e.to_string())? {
        let kr: KeyRecord = match record {
            Record::Key(k) => k,
            Record::Function { code } => {
                out.functions.insert(code.to_vec());
                continue;
            }
            Record::Aux { key, value } => {
                out.aux.push((key, value));
                continue;
            }
            other => {
                if open.is_some() {
                    return Err(format!("{other:?} in the middle of a value's parts"));
                }
                continue;
            }
        };
        let id = (kr.db, kr.key.to_vec());
        let (value, raw, index, last, is_part) = match kr.body {
            Body::Raw(raw) => (None, Some(raw), 0, true, false),
            Body::Value(v) => (Some(v), None, 0, true, false),
            Body::Part { value, index, last } => (Some(value), None, index, last, true),
        };
        if let Some(v) = &value {
            let n = elements(v);
            if n > part_items && !matches!(v, Value::String(_)) {
                return Err(format!("{:?}: {n} elements in one record, over part_items {part_items}", kr.key));
            }
        }
        match &open {
            Some((db, key, next)) if (*db, key.clone()) != id || *next != index => {
                return Err(format!("part {index} of {:?} while part {next} of {key:?} was expected", kr.key));
            }
            None if index != 0 => return Err(format!("{:?} starts at part {index}", kr.key)),
            _ => {}
        }
        if index == 0 {
            if out.keys.contains_key(&id) {
                return Err(format!("key {:?} in db {} read twice", kr.key, kr.db));
            }
            out.keys.insert(
                id.clone(),
                GotKey {
                    rdb_type: kr.rdb_type,
                    expire_at_ms: kr.expire_at_ms,
                    idle_s: kr.idle_s,
                    freq: kr.freq,
                    value,
                    raw,
                    parts: u32::from(is_part),
                },
            );
        } else {
            let got = out.keys.get_mut(&id).ok_or("part of an unknown key")?;
            if (got.rdb_type, got.expire_at_ms) != (kr.rdb_type, kr.expire_at_ms) {
                return Err(format!("metadata of {:?} changed between parts", kr.key));
            }
            got.parts += 1;
            let acc = got.value.as_mut().ok_or("part after a raw value")?;
            append(acc, value.ok_or("raw part")?, last)?;
        }
        open = if last { None } else { Some((id.0, id.1, index + 1)) };
    }
    if open.is_some() {
        return Err("the RDB ended in the middle of a value's parts".into());
    }
    Ok(out)
}

async fn parse_file(path: &Path, opts: ReaderOptions) -> Result<Parsed, String> {
    let file = tokio::fs::File::open(path).await.map_err(|e| e.to_string())?;
    parse(file, opts).await
}

/// Decodes a lossless byte string of the oracle: a JSON string (UTF-8) or `{"b64": ...}`.
fn jbytes(j: &Json) -> Vec<u8> {
    match j {
        Json::String(s) => s.as_bytes().to_vec(),
        Json::Object(o) => {
            let b = o.get("b64").and_then(Json::as_str).expect("b64 object");
            base64::engine::general_purpose::STANDARD.decode(b).expect("valid base64")
        }
        other => panic!("not a byte string: {other}"),
    }
}

fn show(b: &[u8]) -> String {
    format!("{:?}", String::from_utf8_lossy(b))
}

fn jid(j: &Json) -> StreamId {
    let s = j.as_str().expect("stream id string");
    let (ms, seq) = s.split_once('-').expect("ms-seq");
    StreamId { ms: ms.parse().expect("ms"), seq: seq.parse().expect("seq") }
}

fn jscore(j: &Json) -> f64 {
    let s = j.as_str().expect("score string");
    match s {
        "inf" | "+inf" => f64::INFINITY,
        "-inf" => f64::NEG_INFINITY,
        s => s.parse().expect("numeric score"),
    }
}

fn ji64(j: &Json) -> i64 {
    j.as_i64().expect("integer")
}

/// Collects mismatches for one key.
struct Check<'a> {
    key: &'a str,
    errors: &'a mut Vec<String>,
}

impl Check<'_> {
    fn fail(&mut self, what: String) {
        self.errors.push(format!("key {}: {what}", self.key));
    }

    fn eq<T: PartialEq + std::fmt::Debug>(&mut self, what: &str, got: T, want: T) {
        if got != want {
            self.fail(format!("{what}: got {got:?}, expected {want:?}"));
        }
    }

    fn near(&mut self, what: &str, got: Option<i64>, want: Option<i64>, tol: i64) {
        match (got, want) {
            (Some(g), Some(w)) if (g - w).abs() <= tol => {}
            (None, None) => {}
            _ => self.fail(format!("{what}: got {got:?}, expected {want:?} (±{tol} ms)")),
        }
    }
}

/// A stream entry in comparable form.
type Entry = (StreamId, Vec<(Vec<u8>, Vec<u8>)>);

/// Compares a decoded value with the oracle's `value` (and hash field TTLs).
fn compare_value(c: &mut Check, got: &Value, want: &Json, jkey: &Json) {
    let jtype = jkey["type"].as_str().unwrap_or("?");
    if type_name(got) != jtype {
        c.fail(format!("type {} instead of {jtype}", type_name(got)));
        return;
    }
    match got {
        Value::String(s) => c.eq("string value", show(s), show(&jbytes(want))),
        Value::List(items) => {
            let want: Vec<Vec<u8>> = want.as_array().unwrap().iter().map(jbytes).collect();
            let got: Vec<Vec<u8>> = items.iter().map(|b| b.to_vec()).collect();
            if got != want {
                c.fail(format!("list differs: {} items, expected {}", got.len(), want.len()));
            }
        }
        Value::Set(members) => {
            let mut got: Vec<Vec<u8>> = members.iter().map(|b| b.to_vec()).collect();
            got.sort();
            let want: Vec<Vec<u8>> = want.as_array().unwrap().iter().map(jbytes).collect();
            if got != want {
                c.fail(format!("set differs: {} members, expected {}", got.len(), want.len()));
            }
        }
        Value::ZSet(pairs) => {
            let want = want.as_array().unwrap();
            c.eq("zset size", pairs.len(), want.len());
            let got: BTreeMap<Vec<u8>, f64> = pairs.iter().map(|(m, s)| (m.to_vec(), *s)).collect();
            for w in want {
                let (m, s) = (jbytes(&w[0]), jscore(&w[1]));
                match got.get(&m) {
                    Some(&g) if g == s => {}
                    other => c.fail(format!("zset member {}: score {other:?}, expected {s}", show(&m))),
                }
            }
        }
        Value::Hash(fields) => {
            let mut got: Vec<&HashField> = fields.iter().collect();
            got.sort_by(|a, b| a.field.cmp(&b.field));
            let got_pairs: Vec<(Vec<u8>, Vec<u8>)> = got.iter().map(|f| (f.field.to_vec(), f.value.to_vec())).collect();
            let want_pairs: Vec<(Vec<u8>, Vec<u8>)> =
                want.as_array().unwrap().iter().map(|p| (jbytes(&p[0]), jbytes(&p[1]))).collect();
            if got_pairs != want_pairs {
                c.fail(format!("hash differs: {} fields, expected {}", got_pairs.len(), want_pairs.len()));
            }
            let got_ttls: Vec<(Vec<u8>, i64)> =
                got.iter().filter_map(|f| f.expire_at_ms.map(|t| (f.field.to_vec(), t))).collect();
            let want_ttls: Vec<(Vec<u8>, i64)> = jkey
                .get("field_expire_at_ms")
                .and_then(Json::as_array)
                .map(|a| a.iter().map(|p| (jbytes(&p[0]), ji64(&p[1]))).collect())
                .unwrap_or_default();
            c.eq("hash field TTLs", got_ttls, want_ttls);
        }
        Value::Stream(s) => {
            c.eq("stream length", s.length, want["length"].as_u64().unwrap());
            c.eq("stream last id", s.last_id, jid(&want["last_generated_id"]));
            if let Some(j) = want.get("max_deleted_entry_id") {
                c.eq("stream max deleted id", s.max_deleted_id, Some(jid(j)));
            }
            if let Some(j) = want.get("recorded_first_entry_id") {
                c.eq("stream first id", s.first_id, Some(jid(j)));
            }
            if let Some(j) = want.get("entries_added") {
                c.eq("stream entries added", s.entries_added, j.as_u64());
            }
            let want_entries: Vec<Entry> = want["entries"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| {
                    let fields = e[1].as_array().unwrap().iter().map(|p| (jbytes(&p[0]), jbytes(&p[1]))).collect();
                    (jid(&e[0]), fields)
                })
                .collect();
            let got_entries: Vec<Entry> = s
                .entries
                .iter()
                .map(|e| (e.id, e.fields.iter().map(|(f, v)| (f.to_vec(), v.to_vec())).collect()))
                .collect();
            if got_entries != want_entries {
                c.fail(format!(
                    "stream entries differ: {} entries, expected {}",
                    got_entries.len(),
                    want_entries.len()
                ));
            }
            compare_groups(c, s, &want["groups"]);
        }
    }
}

fn compare_groups(c: &mut Check, s: &ferry::rdb::Stream, want: &Json) {
    let want = want.as_array().unwrap();
    let mut groups: Vec<&ferry::rdb::Group> = s.groups.iter().collect();
    groups.sort_by(|a, b| a.name.cmp(&b.name));
    c.eq("group count", groups.len(), want.len());
    for (g, w) in groups.iter().zip(want) {
        let gname = show(&g.name);
        c.eq(&format!("group {gname} name"), gname.clone(), show(&jbytes(&w["name"])));
        c.eq(&format!("group {gname} last delivered id"), g.last_delivered_id, jid(&w["last_delivered_id"]));
        if let Some(j) = w.get("entries_read") {
            c.eq(&format!("group {gname} entries read"), g.entries_read, j.as_u64());
        }
        let wp = w["pending"].as_array().unwrap();
        c.eq(&format!("group {gname} PEL size"), g.pending.len(), wp.len());
        for (p, wp) in g.pending.iter().zip(wp) {
            let what = format!("group {gname} PEL entry {}", p.id);
            c.eq(&format!("{what} id"), p.id, jid(&wp["id"]));
            c.eq(&format!("{what} consumer"), show(&p.consumer), show(&jbytes(&wp["consumer"])));
            c.eq(&format!("{what} delivery count"), p.delivery_count, wp["delivery_count"].as_u64().unwrap());
            if let Some(t) = wp.get("delivery_time_ms") {
                c.eq(&format!("{what} delivery time"), p.delivery_time_ms, ji64(t));
            } else {
                let want = wp["delivery_time_ms_approx"].as_i64();
                c.near(&format!("{what} delivery time"), Some(p.delivery_time_ms), want, APPROX_MS);
            }
        }
        let wc = w["consumers"].as_array().unwrap();
        let mut consumers: Vec<&ferry::rdb::Consumer> = g.consumers.iter().collect();
        consumers.sort_by(|a, b| a.name.cmp(&b.name));
        c.eq(&format!("group {gname} consumer count"), consumers.len(), wc.len());
        for (cons, wc) in consumers.iter().zip(wc) {
            let what = format!("group {gname} consumer {}", show(&cons.name));
            c.eq(&format!("{what} name"), show(&cons.name), show(&jbytes(&wc["name"])));
            let want_ids: Vec<StreamId> = wc["pending"].as_array().unwrap().iter().map(jid).collect();
            c.eq(&format!("{what} pending"), cons.pending.clone(), want_ids);
            if let Some(t) = wc.get("seen_time_ms") {
                c.eq(&format!("{what} seen time"), cons.seen_time_ms, ji64(t));
            } else {
                let want = wc["seen_time_ms_approx"].as_i64();
                c.near(&format!("{what} seen time"), Some(cons.seen_time_ms), want, APPROX_MS);
            }
            if let Some(t) = wc.get("active_time_ms") {
                c.eq(&format!("{what} active time"), cons.active_time_ms, Some(ji64(t)));
            }
        }
    }
}

/// Compares every decoded key with the oracle; returns the number of keys compared.
fn compare_keys(parsed: &Parsed, oracle: &Json, errors: &mut Vec<String>, label: &str) -> usize {
    let absolute = oracle["ttl_mode"] == "absolute";
    let policy = oracle["server"]["maxmemory_policy"].as_str().unwrap_or("");
    let version = parsed.header.map_or(0, |h| h.version);
    let mut seen = BTreeSet::new();
    let mut compared = 0;
    for db in oracle["databases"].as_array().unwrap() {
        let dbn = db["db"].as_u64().unwrap() as u32;
        let got_count = parsed.keys.keys().filter(|(d, _)| *d == dbn).count();
        if got_count as u64 != db["key_count"].as_u64().unwrap() {
            errors.push(format!("{label}: db {dbn} has {got_count} keys, expected {}", db["key_count"]));
        }
        for jk in db["keys"].as_array().unwrap() {
            let key = jbytes(&jk["key"]);
            let name = format!("{label} db{dbn} {}", show(&key));
            let mut c = Check { key: &name, errors };
            seen.insert((dbn, key.clone()));
            let Some(got) = parsed.keys.get(&(dbn, key.clone())) else {
                c.fail("missing".into());
                continue;
            };
            compared += 1;
            c.eq("rdb_type", u64::from(got.rdb_type), jk["rdb_type"].as_u64().unwrap());
            if absolute {
                c.eq("expire_at_ms", got.expire_at_ms, jk["expire_at_ms"].as_i64());
            } else {
                c.near("expire_at_ms", got.expire_at_ms, jk["expire_at_ms_approx"].as_i64(), APPROX_MS);
            }
            if policy.contains("lru") && version >= 9 && got.idle_s.is_none() {
                c.fail("no IDLE opcode although the source used an LRU policy".into());
            }
            // OBJECT FREQ is informational (the counter decays and grows with the oracle's own
            // reads), but an LFU source must write a FREQ opcode for every key.
            if jk.get("object_freq").is_some() && got.freq.is_none() {
                c.fail("no FREQ opcode although the source used an LFU policy".into());
            }
            match &got.value {
                Some(v) => compare_value(&mut c, v, &jk["value"], jk),
                None => c.fail("raw value where a decoded one was expected".into()),
            }
        }
    }
    for (db, key) in parsed.keys.keys() {
        if !seen.contains(&(*db, key.clone())) {
            errors.push(format!("{label}: db{db} {}: not in the oracle", show(key)));
        }
    }
    compared
}

/// Builds a one-key RDB holding a captured raw value, to decode it again.
fn single_key_rdb(header: Header, rdb_type: u8, key: &[u8], raw: &[u8]) -> Vec<u8> {
    let mut rdb = match header.magic {
        Magic::Redis => format!("REDIS{:04}", header.version).into_bytes(),
        Magic::Valkey => format!("VALKEY{:03}", header.version).into_bytes(),
    };
    rdb.push(rdb_type);
    let len = key.len() as u32;
    rdb.push(0x80);
    rdb.extend_from_slice(&len.to_be_bytes());
    rdb.extend_from_slice(key);
    rdb.extend_from_slice(raw);
    rdb.push(0xff);
    let crc = crc64(0, &rdb);
    rdb.extend_from_slice(&crc.to_le_bytes());
    rdb
}

async fn check_fixture(rdb: &Path) -> Result<String, Vec<String>> {
    let name = rdb.file_name().unwrap().to_string_lossy().trim_end_matches(".rdb").to_string();
    let oracle: Json =
        serde_json::from_slice(&std::fs::read(rdb.with_extension("expected.json")).expect("oracle next to the RDB"))
            .expect("oracle JSON");
    let mut errors = Vec::new();

    // 1. Decoded, small parts.
    let decode = ReaderOptions { passthrough: false, max_raw_bytes: 4 << 20, part_items: PART_ITEMS };
    let decoded = match parse_file(rdb, decode).await {
        Ok(p) => p,
        Err(e) => return Err(vec![format!("{name}: decoding failed: {e}")]),
    };
    let compared = compare_keys(&decoded, &oracle, &mut errors, &name);
    let multi_part = decoded.keys.values().filter(|k| k.parts > 1).count();

    let want_functions: BTreeSet<Vec<u8>> = oracle["functions"]
        .get("libraries")
        .and_then(Json::as_array)
        .map(|libs| libs.iter().map(|l| jbytes(&l["library_code"])).collect())
        .unwrap_or_default();
    if decoded.functions != want_functions {
        errors.push(format!(
            "{name}: {} function libraries read, expected {}",
            decoded.functions.len(),
            want_functions.len()
        ));
    }

    // 2. Passthrough with a small capture budget.
    let pass = ReaderOptions { passthrough: true, max_raw_bytes: MAX_RAW, part_items: PART_ITEMS };
    let passed = match parse_file(rdb, pass).await {
        Ok(p) => p,
        Err(e) => return Err(vec![format!("{name}: passthrough failed: {e}")]),
    };
    // The oracle's keys and type bytes, to hold the passthrough run against directly.
    let oracle_types: BTreeMap<(u32, Vec<u8>), u64> = oracle["databases"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|db| {
            let dbn = db["db"].as_u64().unwrap() as u32;
            db["keys"]
                .as_array()
                .unwrap()
                .iter()
                .map(move |k| ((dbn, jbytes(&k["key"])), k["rdb_type"].as_u64().unwrap()))
        })
        .collect();
    let passed_keys: BTreeSet<_> = passed.keys.keys().cloned().collect();
    let oracle_keys: BTreeSet<_> = oracle_types.keys().cloned().collect();
    if passed_keys != oracle_keys {
        errors.push(format!(
            "{name}: passthrough read {} keys, the oracle has {} ({} in common)",
            passed_keys.len(),
            oracle_keys.len(),
            passed_keys.intersection(&oracle_keys).count()
        ));
    }
    let header = passed.header.expect("header");
    let (mut raw, mut switched) = (0, 0);
    for ((db, key), got) in &passed.keys {
        let label = format!("{name} passthrough db{db} {}", show(key));
        if oracle_types.get(&(*db, key.clone())) != Some(&u64::from(got.rdb_type)) {
            errors.push(format!("{label}: rdb_type {} differs from the oracle's", got.rdb_type));
        }
        let Some(dec) = decoded.keys.get(&(*db, key.clone())) else { continue };
        if got.expire_at_ms != dec.expire_at_ms {
            errors.push(format!("{label}: TTL differs from the decoded run"));
        }
        match (&got.raw, &got.value) {
            (Some(bytes), None) => {
                raw += 1;
                if bytes.len() > MAX_RAW {
                    errors.push(format!("{label}: raw value of {} bytes exceeds max_raw_bytes", bytes.len()));
                }
                // 3. The raw bytes, wrapped in a one-key RDB, decode to the same value.
                let one = single_key_rdb(header, got.rdb_type, key, bytes);
                let opts = ReaderOptions { passthrough: false, max_raw_bytes: 1 << 30, part_items: usize::MAX };
                match parse(&one[..], opts).await {
                    Ok(p) => match p.keys.values().next().and_then(|k| k.value.as_ref()) {
                        Some(v) if Some(v) == dec.value.as_ref() => {}
                        _ => errors.push(format!("{label}: raw bytes decode to another value")),
                    },
                    Err(e) => errors.push(format!("{label}: raw bytes do not decode: {e}")),
                }
            }
            (None, Some(v)) => {
                switched += 1;
                // Past the budget a string comes whole, a collection in parts.
                let is_string = matches!(v, Value::String(_));
                if is_string == (got.parts > 0) {
                    errors.push(format!("{label}: a {} came with {} parts", type_name(v), got.parts));
                }
                if v != dec.value.as_ref().unwrap() {
                    errors.push(format!("{label}: parts differ from the decoded run"));
                }
            }
            _ => errors.push(format!("{label}: neither raw nor decoded")),
        }
    }
    if passed.functions != want_functions {
        errors.push(format!("{name}: passthrough read other function libraries"));
    }
    if errors.is_empty() {
        let per_db: Vec<String> = oracle["databases"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| format!("db{} {}", d["db"], d["key_count"]))
            .collect();
        Ok(format!(
            "{name}: RDB {} ({:?}), {compared} keys compared ({}), {multi_part} in several parts, {} functions; \
             passthrough: {raw} raw, {switched} decoded past {MAX_RAW} bytes",
            header.version,
            header.magic,
            per_db.join(", "),
            decoded.functions.len(),
        ))
    } else {
        Err(errors)
    }
}

fn fixture_rdbs() -> Vec<PathBuf> {
    let mut rdbs: Vec<PathBuf> = std::fs::read_dir(fixtures_dir())
        .expect("tests/fixtures/rdb")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "rdb"))
        .collect();
    rdbs.sort();
    assert!(rdbs.len() >= 14, "expected at least 14 fixture RDBs, found {}", rdbs.len());
    rdbs
}

#[tokio::test]
async fn fixtures_match_the_oracle() {
    let rdbs = fixture_rdbs();
    let mut failures = Vec::new();
    for rdb in &rdbs {
        match check_fixture(rdb).await {
            Ok(summary) => println!("{summary}"),
            Err(errors) => {
                for e in &errors {
                    println!("MISMATCH {e}");
                }
                failures.extend(errors);
            }
        }
    }
    assert!(failures.is_empty(), "{} mismatches (listed above); first: {}", failures.len(), failures[0]);
}

/// Delivers its bytes a few at a time (1 to 13, now and then a larger burst), the way a slow
/// socket might, so every refill boundary inside every structure gets exercised.
struct Trickle<'a> {
    data: &'a [u8],
    pos: usize,
    step: usize,
}

impl tokio::io::AsyncRead for Trickle<'_> {
    fn poll_read(
        mut self: std::pin::Pin<&mut Self>,
        _cx: &mut std::task::Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        self.step = self.step.wrapping_mul(1_103_515_245).wrapping_add(12_345);
        let want = if self.step % 50 == 0 { 4096 } else { 1 + (self.step >> 16) % 13 };
        let n = want.min(buf.remaining()).min(self.data.len() - self.pos);
        let pos = self.pos;
        buf.put_slice(&self.data[pos..pos + n]);
        self.pos += n;
        std::task::Poll::Ready(Ok(()))
    }
}

async fn all_records<R: tokio::io::AsyncRead + Unpin>(reader: R, prefix: &[u8], opts: ReaderOptions) -> Vec<Record> {
    let mut reader = RdbReader::new(reader, BytesMut::from(prefix), opts);
    let mut out = Vec::new();
    while let Some(r) = reader.next().await.expect("valid fixture") {
        out.push(r);
    }
    out
}

#[tokio::test]
async fn small_reads_and_a_prefix_give_the_same_records() {
    for rdb in fixture_rdbs() {
        let data = std::fs::read(&rdb).unwrap();
        for passthrough in [false, true] {
            let opts = ReaderOptions { passthrough, max_raw_bytes: MAX_RAW, part_items: PART_ITEMS };
            let whole = all_records(&data[..], &[], opts.clone()).await;
            let split = 5 + data.len() % 17;
            let trickled = all_records(Trickle { data: &data[split..], pos: 0, step: 1 }, &data[..split], opts).await;
            assert!(whole == trickled, "{}: records differ when read in small pieces", rdb.display());
        }
    }
}
