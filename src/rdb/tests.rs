//! Reader tests on small hand-built RDBs: corrupt and hostile input, and the formats the fixture
//! files do not cover (zipmap, Valkey 9, 7.4 pre-release hashes, modules, compressed nodes).

use bytes::{Bytes, BytesMut};

use super::*;

/// A length in RDB encoding (6, 14, 32 or 64 bits).
fn len(n: u64) -> Vec<u8> {
    if n < 64 {
        vec![n as u8]
    } else if n < 16384 {
        vec![0x40 | (n >> 8) as u8, n as u8]
    } else if n <= u64::from(u32::MAX) {
        let mut v = vec![0x80];
        v.extend_from_slice(&(n as u32).to_be_bytes());
        v
    } else {
        let mut v = vec![0x81];
        v.extend_from_slice(&n.to_be_bytes());
        v
    }
}

/// A raw RDB string.
fn s(b: &[u8]) -> Vec<u8> {
    let mut v = len(b.len() as u64);
    v.extend_from_slice(b);
    v
}

/// The same string LZF-"compressed" with literal runs only (valid LZF, no back references).
fn lzf_s(b: &[u8]) -> Vec<u8> {
    let mut c = Vec::new();
    for chunk in b.chunks(32) {
        c.push((chunk.len() - 1) as u8);
        c.extend_from_slice(chunk);
    }
    let mut v = vec![0xc3];
    v.extend(len(c.len() as u64));
    v.extend(len(b.len() as u64));
    v.extend(c);
    v
}

/// A complete RDB: magic, body, EOF and a valid checksum.
fn rdb(magic: &str, body: &[u8]) -> Vec<u8> {
    let mut v = magic.as_bytes().to_vec();
    v.extend_from_slice(body);
    v.push(0xff);
    let crc = crc64(0, &v);
    v.extend_from_slice(&crc.to_le_bytes());
    v
}

/// A listpack of string entries.
fn listpack(items: &[&[u8]]) -> Vec<u8> {
    let mut body = Vec::new();
    for it in items {
        assert!(it.len() < 64);
        body.push(0x80 | it.len() as u8);
        body.extend_from_slice(it);
        body.push(1 + it.len() as u8); // back-length (< 128)
    }
    let total = 6 + body.len() + 1;
    let mut lp = (total as u32).to_le_bytes().to_vec();
    lp.extend_from_slice(&(items.len() as u16).to_le_bytes());
    lp.extend(body);
    lp.push(0xff);
    lp
}

fn opts(passthrough: bool) -> ReaderOptions {
    ReaderOptions { passthrough, max_raw_bytes: 1 << 20, part_items: 1000 }
}

async fn read_all(data: &[u8], opts: ReaderOptions) -> Result<Vec<Record>, RdbError> {
    let mut reader = RdbReader::new(data, BytesMut::new(), opts);
    let mut out = Vec::new();
    while let Some(r) = reader.next().await? {
        out.push(r);
    }
    Ok(out)
}

fn keys(records: Vec<Record>) -> Vec<KeyRecord> {
    records
        .into_iter()
        .filter_map(|r| match r {
            Record::Key(k) => Some(k),
            _ => None,
        })
        .collect()
}

fn value(k: &KeyRecord) -> &Value {
    match &k.body {
        Body::Value(v) => v,
        other => panic!("expected a whole value, got {other:?}"),
    }
}

/// A small RDB 12 with a few keys of different kinds.
fn sample() -> Vec<u8> {
    let mut body = Vec::new();
    body.push(250);
    body.extend(s(b"redis-ver"));
    body.extend(s(b"7.4.1"));
    body.extend([254, 0, 251, 2, 1]);
    body.push(252);
    body.extend(2_000_000_000_000i64.to_le_bytes());
    body.push(0);
    body.extend(s(b"k1"));
    body.extend(s(b"hello"));
    body.push(1);
    body.extend(s(b"list"));
    body.extend(len(3));
    for e in [&b"a"[..], b"bb", b"ccc"] {
        body.extend(s(e));
    }
    rdb("REDIS0012", &body)
}

#[tokio::test]
async fn reads_a_small_rdb() {
    let records = read_all(&sample(), opts(false)).await.unwrap();
    assert_eq!(records[0], Record::Aux { key: Bytes::from_static(b"redis-ver"), value: Bytes::from_static(b"7.4.1") });
    assert_eq!(records[1], Record::SelectDb(0));
    assert_eq!(records[2], Record::ResizeDb { db_size: 2, expires_size: 1 });
    let k = keys(records);
    assert_eq!(k[0].expire_at_ms, Some(2_000_000_000_000));
    assert_eq!(value(&k[0]), &Value::String(Bytes::from_static(b"hello")));
    assert_eq!(k[1].expire_at_ms, None);
    assert_eq!(
        value(&k[1]),
        &Value::List(vec![Bytes::from_static(b"a"), Bytes::from_static(b"bb"), Bytes::from_static(b"ccc")])
    );
}

#[tokio::test]
async fn truncation_is_an_error_at_every_cut() {
    let full = sample();
    for cut in 0..full.len() {
        for passthrough in [false, true] {
            let err = read_all(&full[..cut], opts(passthrough)).await.unwrap_err();
            assert!(matches!(err, RdbError::Truncated { .. }), "cut at {cut}: {err}");
            assert!(err.to_string().contains("truncated"), "{err}");
        }
    }
}

#[tokio::test]
async fn flipped_checksum_byte_is_detected() {
    let mut data = sample();
    let n = data.len();
    data[n - 3] ^= 0x40;
    let err = read_all(&data, opts(false)).await.unwrap_err();
    assert!(matches!(err, RdbError::ChecksumMismatch { .. }), "{err}");
    // A flipped data byte is caught by the checksum too.
    let mut data = sample();
    let at = data.windows(5).position(|w| w == b"hello").unwrap();
    data[at] = b'j';
    let err = read_all(&data, opts(true)).await.unwrap_err();
    assert!(matches!(err, RdbError::ChecksumMismatch { .. }), "{err}");
}

#[tokio::test]
async fn zero_checksum_means_disabled() {
    let mut data = sample();
    let n = data.len();
    data[n - 8..].fill(0);
    assert_eq!(keys(read_all(&data, opts(false)).await.unwrap()).len(), 2);
}

#[tokio::test]
async fn huge_lengths_are_rejected_before_allocating() {
    // A string claiming 2^40 bytes.
    let mut body = vec![0];
    body.extend(s(b"k"));
    body.extend(len(1 << 40));
    let err = read_all(&rdb("REDIS0012", &body), opts(false)).await.unwrap_err();
    assert!(matches!(err, RdbError::LengthTooLarge { len, .. } if len == 1 << 40), "{err}");
    // A list claiming 2^60 items, in both modes.
    let mut body = vec![1];
    body.extend(s(b"k"));
    body.extend(len(1 << 60));
    for passthrough in [false, true] {
        let err = read_all(&rdb("REDIS0012", &body), opts(passthrough)).await.unwrap_err();
        assert!(matches!(err, RdbError::LengthTooLarge { len, .. } if len == 1 << 60), "{err}");
    }
    // An LZF string claiming a huge uncompressed length.
    let mut body = vec![0];
    body.extend(s(b"k"));
    body.push(0xc3);
    body.extend(len(3));
    body.extend(len(1 << 50));
    let err = read_all(&rdb("REDIS0012", &body), opts(false)).await.unwrap_err();
    assert!(matches!(err, RdbError::LengthTooLarge { .. }), "{err}");
}

#[tokio::test]
async fn lying_length_costs_only_what_arrives() {
    // 3 GB claimed, 10 bytes present: a truncation error, without a 3 GB buffer.
    let mut data = b"REDIS0012".to_vec();
    data.push(0);
    data.extend(s(b"k"));
    data.extend(len(3 << 30));
    data.extend_from_slice(b"0123456789");
    let err = read_all(&data, opts(false)).await.unwrap_err();
    assert!(matches!(err, RdbError::Truncated { .. }), "{err}");
}

#[tokio::test]
async fn unknown_type_is_named() {
    let mut body = vec![30];
    body.extend(s(b"k"));
    let err = read_all(&rdb("REDIS0012", &body), opts(false)).await.unwrap_err();
    assert!(matches!(err, RdbError::UnknownType { byte: 30, offset: 9, .. }), "{err}");
    assert!(err.to_string().contains("unknown RDB type or opcode 30 at byte 9"), "{err}");
    // Types Valkey reserves are unknown in a VALKEY file.
    let mut body = vec![24];
    body.extend(s(b"k"));
    let err = read_all(&rdb("VALKEY080", &body), opts(false)).await.unwrap_err();
    assert!(matches!(err, RdbError::UnknownType { byte: 24, .. }), "{err}");
    // After an error the reader refuses to go on.
    let data = rdb("REDIS0012", &[30]);
    let mut reader = RdbReader::new(&data[..], BytesMut::new(), opts(false));
    assert!(reader.next().await.is_err());
    assert!(matches!(reader.next().await, Err(RdbError::Failed)));
}

#[tokio::test]
async fn headers() {
    let err = read_all(b"HELLO0012\xff", opts(false)).await.unwrap_err();
    assert!(matches!(err, RdbError::BadMagic { .. }), "{err}");
    for (magic, version) in [("REDIS0005", 5), ("REDIS0013", 13), ("VALKEY081", 81), ("VALKEY011", 11)] {
        let err = read_all(&rdb(magic, &[]), opts(false)).await.unwrap_err();
        assert!(matches!(err, RdbError::UnsupportedVersion { version: v, .. } if v == version), "{err}");
        assert!(err.to_string().contains(&format!("version {version}")), "{err}");
    }
    let data = rdb("VALKEY080", &[]);
    let mut reader = RdbReader::new(&data[..], BytesMut::new(), opts(false));
    assert_eq!(reader.version(), 0);
    assert_eq!(reader.header().await.unwrap(), Header { magic: Magic::Valkey, version: 80 });
    assert_eq!(reader.version(), 80);
    assert_eq!(reader.next().await.unwrap(), None);
    assert_eq!(reader.bytes_read(), data.len() as u64);
}

#[tokio::test]
async fn module_values_name_their_module() {
    // Module id for "ReJSON-RL", encoding version 3.
    let charset = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let id = b"ReJSON-RL".iter().fold(0u64, |id, c| (id << 6) | charset.iter().position(|x| x == c).unwrap() as u64);
    let id = (id << 10) | 3;
    let mut value = len(id);
    value.extend([2, 0x05]); // UINT 5
    value.extend([5]); // STRING
    value.extend(s(b"{\"a\":1}"));
    value.extend([4]); // DOUBLE
    value.extend(1.5f64.to_le_bytes());
    value.push(0); // EOF
    let mut body = vec![7];
    body.extend(s(b"json"));
    body.extend(&value);

    let err = read_all(&rdb("REDIS0012", &body), opts(false)).await.unwrap_err();
    assert!(matches!(&err, RdbError::ModuleValue { module, .. } if module == "ReJSON-RL"), "{err}");
    assert!(err.to_string().contains("ReJSON-RL"), "{err}");

    // Passthrough captures it raw, whatever max_raw_bytes says.
    let small = ReaderOptions { passthrough: true, max_raw_bytes: 4, part_items: 10 };
    let k = keys(read_all(&rdb("REDIS0012", &body), small).await.unwrap());
    assert_eq!(k[0].rdb_type, 7);
    assert_eq!(k[0].body, Body::Raw(Bytes::from(value.clone())));

    // Pre-GA module values (type 6) cannot be skipped, even in passthrough.
    let mut body6 = vec![6];
    body6.extend(s(b"json"));
    body6.extend(len(id));
    let err = read_all(&rdb("REDIS0012", &body6), opts(true)).await.unwrap_err();
    assert!(matches!(&err, RdbError::ModuleValue { module, .. } if module == "ReJSON-RL"), "{err}");

    // MODULE_AUX is skipped and reported.
    let mut aux = vec![247];
    aux.extend(len(id));
    aux.extend([2, 2]); // when_opcode UINT, when = 2
    aux.extend([1, 7, 0]); // SINT 7, EOF
    aux.extend(&body);
    let records = read_all(&rdb("REDIS0012", &aux), opts(true)).await.unwrap();
    assert_eq!(records[0], Record::ModuleAux { module: "ReJSON-RL".into() });
    assert_eq!(keys(records).len(), 1);
}

#[tokio::test]
async fn zipmap_hash() {
    let mut zm = vec![2u8];
    zm.extend_from_slice(b"\x01a\x01\x001\x05field\x05\x02valueXX");
    zm.push(0xff);
    let mut body = vec![9];
    body.extend(s(b"h"));
    body.extend(s(&zm));
    let k = keys(read_all(&rdb("REDIS0006", &body), opts(false)).await.unwrap());
    let Value::Hash(fields) = value(&k[0]) else { panic!() };
    let pairs: Vec<_> = fields.iter().map(|f| (f.field.clone(), f.value.clone(), f.expire_at_ms)).collect();
    assert_eq!(
        pairs,
        vec![
            (Bytes::from_static(b"a"), Bytes::from_static(b"1"), None),
            (Bytes::from_static(b"field"), Bytes::from_static(b"value"), None),
        ]
    );
}

#[tokio::test]
async fn valkey_9_hash_with_field_ttls() {
    let mut body = vec![243]; // SLOT_IMPORT: job name, one range
    body.extend(s(&[b'j'; 40]));
    body.extend([1, 0, 0x3f]);
    body.extend([244, 5, 1, 0]); // SLOT_INFO
    body.push(22);
    body.extend(s(b"h"));
    body.extend(len(2));
    body.extend(s(b"f1"));
    body.extend(s(b"v1"));
    body.extend(2_000_000_000_123i64.to_le_bytes());
    body.extend(s(b"f2"));
    body.extend(s(b"v2"));
    body.extend((-1i64).to_le_bytes());
    let data = rdb("VALKEY080", &body);
    let k = keys(read_all(&data, opts(false)).await.unwrap());
    let Value::Hash(f) = value(&k[0]) else { panic!() };
    assert_eq!(f[0].expire_at_ms, Some(2_000_000_000_123));
    assert_eq!(f[1].expire_at_ms, None);
    let k = keys(read_all(&data, opts(true)).await.unwrap());
    assert!(matches!(k[0].body, Body::Raw(ref raw) if raw.len() == 1 + 2 * (3 + 3 + 8)));
    // SLOT_IMPORT is not a Redis opcode.
    let err = read_all(&rdb("REDIS0012", &body), opts(false)).await.unwrap_err();
    assert!(matches!(err, RdbError::UnknownType { byte: 243, .. }), "{err}");
}

#[tokio::test]
async fn redis_hash_field_ttls_all_layouts() {
    let min = 2_000_000_000_000u64;
    // Type 24: TTLs relative to the minimum, +1.
    let mut body = vec![24];
    body.extend(s(b"h24"));
    body.extend(min.to_le_bytes());
    body.extend(len(2));
    body.extend(len(1));
    body.extend(s(b"a"));
    body.extend(s(b"1"));
    body.extend(len(0));
    body.extend(s(b"b"));
    body.extend(s(b"2"));
    // Type 22 (7.4 pre-release): absolute TTLs.
    body.push(22);
    body.extend(s(b"h22"));
    body.extend(len(1));
    body.extend(len(min + 5));
    body.extend(s(b"a"));
    body.extend(s(b"1"));
    // Type 23 (7.4 pre-release): listpack of (field, value, ttl) without the minimum.
    body.push(23);
    body.extend(s(b"h23"));
    let mut lp = listpack(&[b"a", b"1"]);
    // Append an integer TTL entry (0xF4 i64) by rebuilding with the raw entry.
    lp.truncate(lp.len() - 1);
    lp.push(0xf4);
    lp.extend((min as i64 + 7).to_le_bytes());
    lp.push(9);
    lp.push(0xff);
    let total = lp.len() as u32;
    lp[..4].copy_from_slice(&total.to_le_bytes());
    lp[4..6].copy_from_slice(&3u16.to_le_bytes());
    body.extend(s(&lp));
    let k = keys(read_all(&rdb("REDIS0012", &body), opts(false)).await.unwrap());
    let ttls: Vec<Vec<Option<i64>>> = k
        .iter()
        .map(|k| match value(k) {
            Value::Hash(f) => f.iter().map(|f| f.expire_at_ms).collect(),
            _ => panic!(),
        })
        .collect();
    let min = min as i64;
    assert_eq!(ttls, vec![vec![Some(min), None], vec![Some(min + 5)], vec![Some(min + 7)]]);
}

#[tokio::test]
async fn compressed_quicklist_nodes_and_old_opcodes() {
    // EXPIRETIME in seconds, a quicklist 2 with an LZF-compressed packed node and a plain node.
    let mut body = vec![253];
    body.extend(2_000_000_000i32.to_le_bytes());
    body.push(18);
    body.extend(s(b"q"));
    body.extend(len(2));
    body.extend(len(2));
    body.extend(lzf_s(&listpack(&[b"x", b"yy"])));
    body.extend(len(1));
    body.extend(lzf_s(&[b'p'; 100]));
    let data = rdb("REDIS0011", &body);
    let k = keys(read_all(&data, opts(false)).await.unwrap());
    assert_eq!(k[0].expire_at_ms, Some(2_000_000_000_000));
    let Value::List(items) = value(&k[0]) else { panic!() };
    assert_eq!(items.len(), 3);
    assert_eq!(items[2], Bytes::from(vec![b'p'; 100]));
    // Passthrough keeps the nodes compressed.
    let k = keys(read_all(&data, opts(true)).await.unwrap());
    let Body::Raw(raw) = &k[0].body else { panic!() };
    assert_eq!(raw.len(), data.len() - 9 - 5 - 3 - 9);
}

#[tokio::test]
async fn parts_in_both_modes() {
    let mut body = vec![2];
    body.extend(s(b"set"));
    body.extend(len(250));
    for i in 0..250u32 {
        body.extend(s(format!("member-{i:04}").as_bytes()));
    }
    let data = rdb("REDIS0012", &body);
    for (passthrough, max_raw) in [(false, 1 << 20), (true, 1000)] {
        let o = ReaderOptions { passthrough, max_raw_bytes: max_raw, part_items: 100 };
        let mut reader = RdbReader::new(&data[..], BytesMut::new(), o);
        let mut sizes = Vec::new();
        let mut progress = 0;
        while let Some(r) = reader.next().await.unwrap() {
            assert!(reader.bytes_read() >= progress);
            progress = reader.bytes_read();
            let Record::Key(k) = r else { continue };
            let Body::Part { value: Value::Set(m), index, last } = k.body else { panic!("{:?}", k.body) };
            assert_eq!(index as usize, sizes.len());
            assert_eq!(last, sizes.len() == 2);
            sizes.push(m.len());
        }
        assert_eq!(sizes, vec![100, 100, 50]);
    }
    // Passthrough under the budget: one raw value.
    let k = keys(
        read_all(&data, ReaderOptions { passthrough: true, max_raw_bytes: 1 << 20, part_items: 100 }).await.unwrap(),
    );
    assert!(matches!(&k[0].body, Body::Raw(r) if r.len() == data.len() - 9 - 1 - 4 - 9));
}

#[tokio::test]
async fn prefix_and_trailing_bytes() {
    let mut data = sample();
    let rdb_len = data.len();
    data.extend_from_slice(b"*1\r\n$4\r\nPING\r\n");
    for split in [0, 3, 9, 20, rdb_len, data.len()] {
        let prefix = BytesMut::from(&data[..split]);
        let mut reader = RdbReader::new(&data[split..], prefix, opts(true));
        let mut n = 0;
        while reader.next().await.unwrap().is_some() {
            n += 1;
        }
        assert_eq!(n, 5);
        assert_eq!(reader.bytes_read(), rdb_len as u64);
        let (rest, buffered) = reader.into_inner();
        let mut tail = buffered.to_vec();
        tail.extend_from_slice(rest);
        assert_eq!(tail, b"*1\r\n$4\r\nPING\r\n", "split at {split}");
    }
}

#[tokio::test]
async fn corrupt_blobs_are_errors() {
    let mut lp = listpack(&[b"a", b"b"]);
    lp[6] = 0x8f; // a string longer than the listpack
    let mut body = vec![20];
    body.extend(s(b"set"));
    body.extend(s(&lp));
    let err = read_all(&rdb("REDIS0012", &body), opts(false)).await.unwrap_err();
    assert!(matches!(err, RdbError::Corrupt { .. }), "{err}");
    assert!(err.to_string().contains("listpack"), "{err}");
    // Bad LZF.
    let mut body = vec![0];
    body.extend(s(b"k"));
    body.extend([0xc3, 2, 10, 0x20, 0x05]);
    let err = read_all(&rdb("REDIS0012", &body), opts(false)).await.unwrap_err();
    assert!(err.to_string().contains("LZF"), "{err}");
    // The pre-release function format.
    let err = read_all(&rdb("REDIS0010", &[246]), opts(false)).await.unwrap_err();
    assert!(matches!(err, RdbError::Unsupported { .. }), "{err}");
}

#[test]
fn reader_futures_are_send() {
    // The pipeline runs the reader in a spawned task.
    fn assert_send<T: Send>(_: &T) {}
    let mut reader = RdbReader::new(tokio::io::empty(), BytesMut::new(), ReaderOptions::default());
    assert_send(&reader.next());
    assert_send(&reader);
}

/// Several encodings in one small RDB, for the corruption sweep.
fn rich() -> Vec<u8> {
    let mut body = sample()[9..].to_vec();
    body.truncate(body.len() - 9); // drop EOF and checksum
    body.push(20); // set listpack
    body.extend(s(b"lp"));
    body.extend(s(&listpack(&[b"a", b"bc", b"def"])));
    body.push(11); // intset
    body.extend(s(b"is"));
    body.extend(s(&[2, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0xff, 0x7f]));
    body.push(3); // zset with text scores
    body.extend(s(b"z"));
    body.extend(len(2));
    body.extend(s(b"m1"));
    body.extend([3, b'1', b'.', b'5']);
    body.extend(s(b"m2"));
    body.push(254);
    body.push(18); // quicklist 2 with a compressed node
    body.extend(s(b"q"));
    body.extend(len(1));
    body.extend(len(2));
    body.extend(lzf_s(&listpack(&[b"x", b"yy"])));
    rdb("REDIS0012", &body)
}

#[tokio::test]
async fn any_single_byte_corruption_is_handled() {
    let data = rich();
    assert_eq!(keys(read_all(&data, opts(false)).await.unwrap()).len(), 6);
    for i in 0..data.len() {
        for v in [0x00, 0x01, 0x3f, 0x40, 0x7f, 0x80, 0x81, 0xbf, 0xc0, 0xc3, 0xf0, 0xfe, 0xff] {
            let mut c = data.clone();
            c[i] = v;
            for o in [opts(false), opts(true), ReaderOptions { passthrough: true, max_raw_bytes: 8, part_items: 1 }] {
                // Ok or Err are both fine; a panic or a hang is not.
                let _ = read_all(&c, o).await;
            }
        }
    }
}
