//! Seeded random datasets for the differential tests: every type, both sides of every encoding
//! boundary, small and big values, TTLs, several dbs, and streams with consumer groups of every
//! shape (pending entries, deleted and trimmed entries, consumers without pending entries, empty
//! streams). The same seed on the same server version gives the same commands.

use bytes::Bytes;
use ferry::server::ServerInfo;

/// A small deterministic PRNG (splitmix64): no crate needed for reproducible data.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x9e37_79b9_7f4a_7c15)
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n`.
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    /// True with probability `percent`/100.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

/// What the server can hold, so that the data uses every feature it has and none it lacks.
#[derive(Debug, Clone, Copy)]
pub struct Features {
    pub streams: bool,
    pub create_consumer: bool,
    /// `XSETID … ENTRIESADDED/MAXDELETEDID`, `XGROUP CREATE … ENTRIESREAD`.
    pub stream_counters: bool,
    pub field_ttls: bool,
    pub functions: bool,
    /// `HSET` with several fields (4.0+; `HMSET` before).
    pub hset_many: bool,
}

impl Features {
    pub fn of(info: &ServerInfo) -> Features {
        Features {
            streams: info.at_least(5, 0),
            create_consumer: info.at_least(6, 2),
            stream_counters: info.at_least(7, 0),
            field_ttls: info.has_hash_field_ttl(),
            functions: info.at_least(7, 0),
            hset_many: info.at_least(4, 0),
        }
    }
}

fn b(s: impl Into<String>) -> Bytes {
    Bytes::from(s.into())
}

/// A value of a chosen shape: small ints, short text, long text (over listpack's 64-byte limit),
/// binary, or big (over the tests' passthrough limit).
fn value(rng: &mut Rng) -> Bytes {
    match rng.below(10) {
        0 => b(format!("{}", rng.next() as i64 >> rng.below(60))),
        1 => b(""),
        2 => Bytes::from((0..rng.below(20) + 1).map(|_| rng.below(256) as u8).collect::<Vec<u8>>()),
        3 => b("v".repeat(65 + rng.below(200) as usize)),
        4 if rng.chance(10) => b(format!("big-{}", "x".repeat(20_000 + rng.below(20_000) as usize))),
        _ => b(format!("val-{}", rng.below(1_000_000))),
    }
}

/// How many elements: around the listpack / intset boundaries, or many.
fn count(rng: &mut Rng) -> usize {
    *rng.pick(&[1, 2, 5, 127, 128, 129, 300, 511, 512, 513, 1500, 4000])
}

fn score(rng: &mut Rng) -> String {
    match rng.below(8) {
        0 => "inf".into(),
        1 => "-inf".into(),
        2 => format!("{}", rng.below(1000) as f64 / 7.0),
        3 => format!("-{}", rng.below(1_000_000)),
        _ => format!("{}", rng.below(1000)),
    }
}

/// Commands that build a random dataset of about `keys` keys in dbs 0, 1, 3 and 15.
pub fn dataset(seed: u64, keys: usize, features: Features) -> Vec<Vec<Bytes>> {
    let mut rng = Rng::new(seed);
    let mut out: Vec<Vec<Bytes>> = Vec::new();
    let mut stream_no = 0;
    for db in [0u32, 1, 3, 15] {
        out.push(vec![b("SELECT"), b(db.to_string())]);
        let n = if db == 0 { keys } else { keys / 10 };
        for i in 0..n {
            let key = format!("k:{db}:{i}");
            match rng.below(if features.streams { 7 } else { 6 }) {
                0 | 1 => out.push(vec![b("SET"), b(&key), value(&mut rng)]),
                2 => {
                    let mut argv = vec![b("RPUSH"), b(&key)];
                    for _ in 0..count(&mut rng) {
                        argv.push(value(&mut rng));
                    }
                    push_chunked(&mut out, argv, 1);
                }
                3 => {
                    let ints = rng.chance(50);
                    let mut argv = vec![b("SADD"), b(&key)];
                    for _ in 0..count(&mut rng) {
                        argv.push(if ints { b(format!("{}", rng.below(1 << 40))) } else { value(&mut rng) });
                    }
                    push_chunked(&mut out, argv, 1);
                }
                4 => {
                    let mut argv = vec![b("ZADD"), b(&key)];
                    for _ in 0..count(&mut rng) {
                        argv.push(b(score(&mut rng)));
                        argv.push(value(&mut rng));
                    }
                    push_chunked(&mut out, argv, 2);
                }
                5 => hash(&mut rng, &mut out, &key, features),
                _ => {
                    stream_no += 1;
                    stream(&mut rng, &mut out, &key, stream_no, features);
                }
            }
            if rng.chance(20) {
                let ttl = 3_600_000 + rng.below(86_400_000);
                out.push(vec![b("PEXPIRE"), b(&key), b(ttl.to_string())]);
            }
        }
    }
    out.push(vec![b("SELECT"), b("0")]);
    if features.functions {
        out.push(vec![
            b("FUNCTION"),
            b("LOAD"),
            b("REPLACE"),
            b("#!lua name=difflib\nredis.register_function('diff_echo', function(keys, args) return args[1] end)"),
        ]);
    }
    out
}

/// Splits a long variadic command (e.g. `RPUSH k a b c …`) into several, `pair` arguments at a time.
fn push_chunked(out: &mut Vec<Vec<Bytes>>, argv: Vec<Bytes>, pair: usize) {
    let (head, items) = argv.split_at(2);
    for chunk in items.chunks(500 * pair) {
        let mut c = head.to_vec();
        c.extend_from_slice(chunk);
        out.push(c);
    }
}

fn hash(rng: &mut Rng, out: &mut Vec<Vec<Bytes>>, key: &str, features: Features) {
    let mut argv = vec![b(if features.hset_many { "HSET" } else { "HMSET" }), b(key)];
    let n = count(rng);
    for f in 0..n {
        argv.push(b(format!("f{f}")));
        argv.push(value(rng));
    }
    push_chunked(out, argv, 2);
    if features.field_ttls && rng.chance(40) {
        for f in 0..n {
            if rng.chance(30) {
                let at = 2_000_000_000_000u64 + rng.below(1_000_000_000);
                out.push(vec![b("HPEXPIREAT"), b(key), b(at.to_string()), b("FIELDS"), b("1"), b(format!("f{f}"))]);
            }
        }
    }
}

/// A stream with groups: entries (some deleted or trimmed, pending or not), groups that read some
/// of it, acknowledged entries, claimed entries, consumers without pending entries, counters.
fn stream(rng: &mut Rng, out: &mut Vec<Vec<Bytes>>, key: &str, no: u64, features: Features) {
    let entries = *rng.pick(&[0u64, 1, 3, 20, 150, 1500, 3000]);
    let base = 1_700_000_000_000 + no * 10_000_000;
    for e in 0..entries {
        let mut argv = vec![b("XADD"), b(key), b(format!("{}-{}", base + e / 3, e % 3))];
        for f in 0..=rng.below(3) {
            argv.push(b(if rng.chance(80) { format!("field{f}") } else { format!("odd{}", rng.below(9)) }));
            argv.push(value(rng));
        }
        out.push(argv);
    }
    let id = |e: u64| b(format!("{}-{}", base + e / 3, e % 3));
    if entries == 0 {
        out.push(vec![b("XGROUP"), b("CREATE"), b(key), b("empty"), b("$"), b("MKSTREAM")]);
        return;
    }
    for g in 0..rng.below(4) {
        let group = format!("g{g}");
        let start = if rng.chance(50) { b("0") } else { id(rng.below(entries)) };
        out.push(vec![b("XGROUP"), b("CREATE"), b(key), b(&group), start]);
        for c in 0..=rng.below(3) {
            let read = 1 + rng.below(entries.min(40));
            out.push(vec![
                b("XREADGROUP"),
                b("GROUP"),
                b(&group),
                b(format!("c{c}")),
                b("COUNT"),
                b(read.to_string()),
                b("STREAMS"),
                b(key),
                b(">"),
            ]);
        }
        if rng.chance(50) {
            out.push(vec![b("XACK"), b(key), b(&group), id(rng.below(entries)), id(rng.below(entries))]);
        }
        if rng.chance(40) {
            // A claim moves an entry to another owner and counts a delivery.
            out.push(vec![
                b("XCLAIM"),
                b(key),
                b(&group),
                b("claimer"),
                b("0"),
                id(rng.below(entries.min(40))),
                b("JUSTID"),
            ]);
        }
        if features.create_consumer && rng.chance(50) {
            out.push(vec![b("XGROUP"), b("CREATECONSUMER"), b(key), b(&group), b("idle-consumer")]);
        }
    }
    // Deleted entries, pending or not (ids from the start, which groups have read).
    for _ in 0..rng.below(4) {
        out.push(vec![b("XDEL"), b(key), id(rng.below(entries.min(30)))]);
    }
    if rng.chance(30) {
        // Trimming the head can remove pending entries too.
        let keep = entries - rng.below(entries.min(10));
        out.push(vec![b("XTRIM"), b(key), b("MAXLEN"), b(keep.to_string())]);
    }
    if features.stream_counters && rng.chance(30) {
        let last = format!("{}-0", base + entries + 100);
        out.push(vec![b("XSETID"), b(key), b(last), b("ENTRIESADDED"), b((entries + 50).to_string())]);
    }
}

/// Random writes for the incremental phase, on the dataset's keys and new ones, in db 0.
pub fn writes(seed: u64, keys: usize, n: usize, features: Features) -> Vec<Vec<Bytes>> {
    let mut rng = Rng::new(seed ^ 0x5eed);
    let mut out = Vec::new();
    for i in 0..n {
        let key = b(format!("k:0:{}", rng.below(keys as u64 + 50)));
        let fresh = b(format!("inc:{i}"));
        let argv = match rng.below(12) {
            0 => vec![b("SET"), fresh, value(&mut rng)],
            1 => vec![b("DEL"), key],
            2 => vec![b("INCR"), b("inc:counter")],
            3 => vec![b("RPUSH"), b("inc:list"), value(&mut rng)],
            4 => vec![b("HSET"), b("inc:hash"), b(format!("f{}", rng.below(300))), value(&mut rng)],
            5 => vec![b("ZADD"), b("inc:zset"), b(score(&mut rng)), value(&mut rng)],
            6 => vec![b("SADD"), b("inc:set"), b(format!("{}", rng.below(1000)))],
            7 => vec![b("PEXPIRE"), key, b((3_600_000 + rng.below(1_000_000)).to_string())],
            8 => vec![b("PERSIST"), key],
            9 if features.streams => vec![b("XADD"), b("inc:stream"), b("*"), b("f"), value(&mut rng)],
            10 => vec![b("RENAME"), b("inc:list"), b(format!("inc:list:{i}"))],
            _ => vec![b("SET"), b("inc:last"), b(i.to_string()), b("PX"), b("7200000")],
        };
        out.push(argv);
    }
    out
}
