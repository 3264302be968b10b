//! Sample data for the migration tests: every type and encoding a server writes, TTLs, several dbs.

use bytes::Bytes;
use ferry::client::Client;

use super::{argv, cmd, pipeline};

/// The server's version as (major, minor).
pub async fn version(client: &mut Client) -> (u32, u32) {
    let info = client.info("server").await.expect("INFO");
    let v = ferry::client::info_field(&info, "redis_version").unwrap_or("0.0").to_string();
    let mut parts = v.split('.').map(|p| p.parse().unwrap_or(0));
    (parts.next().unwrap_or(0), parts.next().unwrap_or(0))
}

/// Fills a server with every type in small and large encodings, in dbs 0, 1 and 15.
pub async fn fill_all_types(client: &mut Client) {
    let (major, _) = version(client).await;
    let mut c: Vec<Vec<Bytes>> = Vec::new();
    for (k, v) in [("s:int", "12345"), ("s:neg", "-7"), ("s:embstr", "hello"), ("s:empty", "")] {
        c.push(argv(&["SET", k, v]));
    }
    c.push(argv(&["SET", "s:raw", &"x".repeat(300)]));
    c.push(argv(&["SET", "s:lzf", &"abcabcabc".repeat(200)]));
    c.push(vec![
        Bytes::from_static(b"SET"),
        Bytes::from_static(b"s:bin\x00\xff"),
        Bytes::from_static(b"\x00\x01\xfe\xff\r\n"),
    ]);
    c.push(argv(&["SET", "s:ttl", "v", "PX", "3600000"]));
    c.push(argv(&["RPUSH", "l:small", "a", "b", "1", "-2", "c"]));
    let long: Vec<String> = (0..2000).map(|i| format!("item-{i}")).collect();
    let mut cmdv = vec!["RPUSH", "l:large"];
    cmdv.extend(long.iter().map(String::as_str));
    c.push(argv(&cmdv));
    c.push(argv(&["RPUSH", "l:bigitem", &"y".repeat(10_000), "z"]));
    c.push(argv(&["SADD", "set:int", "1", "2", "3", "-9223372036854775808", "9223372036854775807"]));
    c.push(argv(&["SADD", "set:small", "a", "b", "c"]));
    let mut cmdv = vec!["SADD", "set:large"];
    cmdv.extend(long.iter().map(String::as_str));
    c.push(argv(&cmdv));
    c.push(argv(&["ZADD", "z:small", "1", "a", "2.5", "b", "-0", "c", "inf", "d", "-inf", "e"]));
    let scores: Vec<String> = (0..1000).map(|i| format!("{}", i as f64 / 7.0)).collect();
    let mut cmdv = vec!["ZADD", "z:large"];
    for (s, m) in scores.iter().zip(&long) {
        cmdv.push(s);
        cmdv.push(m);
    }
    c.push(argv(&cmdv));
    c.push(argv(&["HSET", "h:small", "f1", "v1", "f2", "2"]));
    let mut cmdv = vec!["HSET", "h:large"];
    for (i, m) in long.iter().enumerate().take(600) {
        cmdv.push(m);
        cmdv.push(if i % 2 == 0 { "even" } else { "odd" });
    }
    c.push(argv(&cmdv));
    c.push(argv(&["HSET", "h:ttl", "a", "1"]));
    c.push(argv(&["PEXPIRE", "h:ttl", "7200000"]));
    c.push(argv(&["PFADD", "hll", "a", "b", "c"]));
    for i in 0..20 {
        c.push(argv(&["XADD", "x:stream", &format!("{}-1", 1000 + i), "field", &format!("value-{i}")]));
    }
    c.push(argv(&["XDEL", "x:stream", "1003-1"]));
    c.push(argv(&["XGROUP", "CREATE", "x:stream", "g1", "0"]));
    c.push(argv(&["XREADGROUP", "GROUP", "g1", "alice", "COUNT", "3", "STREAMS", "x:stream", ">"]));
    c.push(argv(&["XGROUP", "CREATE", "x:stream", "g2", "$"]));
    c.push(argv(&["SELECT", "1"]));
    c.push(argv(&["SET", "db1:key", "one"]));
    c.push(argv(&["RPUSH", "db1:list", "x", "y"]));
    c.push(argv(&["SELECT", "15"]));
    c.push(argv(&["SET", "db15:key", "fifteen", "EX", "86400"]));
    c.push(argv(&["SELECT", "0"]));
    pipeline(client, &c).await;
    if major >= 7 {
        cmd(
            client,
            &[
                "FUNCTION",
                "LOAD",
                "REPLACE",
                "#!lua name=ferrylib\nredis.register_function('ferry_echo', function(keys, args) return args[1] end)",
            ],
        )
        .await;
    }
}

/// Loads `n` small string keys `bulk:<i>` quickly.
pub async fn fill_bulk(client: &mut Client, n: usize) {
    let commands: Vec<Vec<Bytes>> =
        (0..n).map(|i| argv(&["SET", &format!("bulk:{i}"), &format!("value-{i}")])).collect();
    pipeline(client, &commands).await;
}

/// The commands that write mixed key `i` of the benchmarks' dataset: 60 % 100-byte strings, 10 %
/// each of 10-field hashes, 10-item lists, 10-member sets and 10-member zsets, and a TTL on one key
/// in ten.
pub fn mixed_key(i: usize) -> Vec<Vec<Bytes>> {
    let key = format!("key:{i:08}");
    let b = |s: &str| Bytes::copy_from_slice(s.as_bytes());
    let write = match i % 10 {
        0..=5 => vec![b("SET"), b(&key), b(&"v".repeat(100))],
        6 => {
            let mut c = vec![b("HSET"), b(&key)];
            for f in 0..10 {
                c.extend([b(&format!("field{f}")), b(&format!("value-{i}-{f}"))]);
            }
            c
        }
        7 => {
            let mut c = vec![b("RPUSH"), b(&key)];
            c.extend((0..10).map(|j| b(&format!("item-{i}-{j}"))));
            c
        }
        8 => {
            let mut c = vec![b("SADD"), b(&key)];
            c.extend((0..10).map(|j| b(&format!("member-{i}-{j}"))));
            c
        }
        _ => {
            let mut c = vec![b("ZADD"), b(&key)];
            for j in 0..10 {
                c.extend([b(&format!("{}", j as f64 * 1.5)), b(&format!("m-{i}-{j}"))]);
            }
            c
        }
    };
    let mut commands = vec![write];
    if i % 10 == 3 {
        commands.push(vec![b("PEXPIRE"), b(&key), b("86400000")]);
    }
    commands
}
