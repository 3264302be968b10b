//! The `ferry` binary as a user runs it: exit codes, messages, JSON output, and bad input.

mod support;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::process::{Command, Output};
use std::time::Duration;

use support::{cmd, ferry_bin, RedisServer};

/// Runs ferry with a task store of its own, as a fresh install would have.
fn ferry(args: &[&str]) -> Output {
    let data = tempfile::tempdir().expect("temp dir");
    Command::new(ferry_bin()).env("FERRY_DATA_DIR", data.path()).args(args).output().expect("run ferry")
}

fn text(out: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

fn migrate_once(source: &str, target: &str) -> Output {
    ferry(&["migrate", "--source", source, "--target", target, "--cutover-when-synced"])
}

/// A port nobody listens on.
fn dead_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// A loopback server standing in for peers that cannot exist here: it answers every connection with
/// `reply(command name)` for each RESP command it receives (the name upper-cased), in its own thread.
fn fake_peer(reply: fn(&str) -> Vec<u8>) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming().take(16) {
            let Ok(mut s) = stream else { continue };
            std::thread::spawn(move || {
                let _ = s.set_read_timeout(Some(Duration::from_secs(10)));
                let mut buf = Vec::new();
                let mut chunk = [0u8; 4096];
                loop {
                    match s.read(&mut chunk) {
                        Ok(0) | Err(_) => return,
                        Ok(n) => buf.extend_from_slice(&chunk[..n]),
                    }
                    while let Ok(Some(len)) = ferry::resp::frame_len(&buf) {
                        let frame = bytes::Bytes::from(buf.drain(..len).collect::<Vec<u8>>());
                        let name = match ferry::resp::parse_frame(&frame) {
                            Ok((ferry::resp::Frame::Array(items), _)) => items
                                .first()
                                .and_then(|f| f.as_bytes())
                                .map(|b| String::from_utf8_lossy(b).to_uppercase())
                                .unwrap_or_default(),
                            _ => String::new(),
                        };
                        if s.write_all(&reply(&name)).is_err() {
                            return;
                        }
                    }
                    if ferry::resp::frame_len(&buf).is_err() {
                        // Not RESP (the HTTP case never gets here: it is the client that checks).
                        let _ = s.write_all(&reply(""));
                        return;
                    }
                }
            });
        }
    });
    port
}

#[test]
fn usage_errors_exit_2() {
    let out = ferry(&["migrate", "--source", "redis://127.0.0.1:1"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let out = ferry(&["migrate", "--source", "redis://h:notaport", "--target", "redis://127.0.0.1:2"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("port"), "{}", text(&out));
}

#[test]
fn unreachable_source_says_so() {
    let target = RedisServer::start();
    let out = migrate_once(&format!("redis://127.0.0.1:{}", dead_port()), &target.url());
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out).contains("cannot connect"), "{}", text(&out));
}

#[test]
fn wrong_or_missing_password() {
    let source = RedisServer::start_args(&["--requirepass", "s3cret-pass"]);
    let target = RedisServer::start();
    let out = migrate_once(&format!("redis://:wrong@127.0.0.1:{}", source.port), &target.url());
    assert_eq!(out.status.code(), Some(1));
    let t = text(&out);
    assert!(t.contains("refused the credentials"), "{t}");
    assert!(!t.contains("wrong@") && !t.contains("s3cret"), "no password in output: {t}");
    let out = migrate_once(&source.url(), &target.url());
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out).contains("requires a password"), "{}", text(&out));
    let out = migrate_once(&format!("redis://:s3cret-pass@127.0.0.1:{}", source.port), &target.url());
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
}

#[test]
fn a_port_that_is_not_redis() {
    let port = fake_peer(|_| b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n".to_vec());
    let target = RedisServer::start();
    let out = migrate_once(&format!("redis://127.0.0.1:{port}"), &target.url());
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out).contains("does not speak the Redis protocol"), "{}", text(&out));
}

#[test]
fn a_port_that_hangs_up_on_plain_resp_is_named_once() {
    // A real Redis that speaks only TLS on this port closes the connection on a plain PING.
    let tls = RedisServer::start_tls_only();
    let target = RedisServer::start();
    let out = ferry(&["check", "--source", &format!("redis://127.0.0.1:{}", tls.port), "--target", &target.url()]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let t = text(&out);
    assert!(t.contains("not a Redis speaking plain RESP") && t.contains("TLS"), "{t}");
    // One error (the source's connect item); the items that needed the source are not errors.
    let errors: Vec<&str> = t.lines().filter(|l| l.starts_with("error")).collect();
    assert_eq!(errors.len(), 1, "{t}");
    assert!(errors[0].contains("source.connect"), "{t}");
    assert!(t.lines().filter(|l| l.starts_with("skipped")).count() >= 10, "{t}");
    assert!(t.contains("1 errors") && t.contains("not checked"), "{t}");

    let out = migrate_once(&format!("redis://127.0.0.1:{}", tls.port), &target.url());
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out).contains("not a Redis speaking plain RESP"), "{}", text(&out));
    assert!(!text(&out).contains("closed by the server"), "{}", text(&out));
}

#[tokio::test]
async fn an_acl_user_that_may_not_replicate() {
    let source = RedisServer::start();
    let target = RedisServer::start();
    let mut c = source.client().await;
    cmd(&mut c, &["ACL", "SETUSER", "app", "on", ">app-pass", "~*", "+@all", "-psync", "-sync"]).await;
    let out = migrate_once(&format!("redis://app:app-pass@127.0.0.1:{}", source.port), &target.url());
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out).contains("may not replicate"), "{}", text(&out));
}

#[test]
fn a_corrupt_rdb_is_a_clear_error() {
    fn source(command: &str) -> Vec<u8> {
        match command {
            "PING" => b"+PONG\r\n".to_vec(),
            "INFO" => {
                let info = "redis_version:7.0.15\r\nmaster_repl_offset:0\r\n";
                format!("${}\r\n{info}\r\n", info.len()).into_bytes()
            }
            "PSYNC" => {
                // A valid start (magic, SELECTDB 0, a string key), then a length header of 2^62 bytes.
                let mut rdb = b"REDIS0009".to_vec();
                rdb.extend_from_slice(&[0xfe, 0x00, 0x00, 0x03, b'k', b'e', b'y', 0x81]);
                rdb.extend_from_slice(&(1u64 << 62).to_be_bytes());
                rdb.extend_from_slice(b"garbage");
                let mut out = format!("+FULLRESYNC {} 0\r\n${}\r\n", "a".repeat(40), rdb.len()).into_bytes();
                out.extend_from_slice(&rdb);
                out
            }
            _ => b"+OK\r\n".to_vec(),
        }
    }
    let port = fake_peer(source);
    let target = RedisServer::start();
    let out = migrate_once(&format!("redis://127.0.0.1:{port}"), &target.url());
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let t = text(&out);
    println!("{t}");
    assert!(t.contains("the RDB from") && t.contains("corrupt") && !t.contains("panicked"), "{t}");
}

#[tokio::test]
async fn json_lines_and_a_summary() {
    let source = RedisServer::start();
    let target = RedisServer::start();
    let mut c = source.client().await;
    support::data::fill_bulk(&mut c, 1000).await;
    let out =
        ferry(&["migrate", "--source", &source.url(), "--target", &target.url(), "--cutover-when-synced", "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let events: Vec<serde_json::Value> =
        stdout.lines().map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{l}: {e}"))).collect();
    let last = events.last().expect("some output");
    assert_eq!(last["event"], "summary");
    assert_eq!(last["summary"]["progress"]["keys_written"], 1000);
    assert!(events.iter().any(|e| e["event"] == "progress"));
}

/// `ferry verify` says how far it is on stderr (lines, since a test's stderr is no terminal), and
/// leaves stdout to the report; with `--json` it draws nothing.
#[tokio::test]
async fn verify_shows_its_progress() {
    let (source, target) = (RedisServer::start(), RedisServer::start());
    support::data::fill_bulk(&mut source.client().await, 3000).await;
    support::data::fill_bulk(&mut target.client().await, 3000).await;
    let out = ferry(&["verify", "--source", &source.url(), "--target", &target.url()]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("verify: comparing 0 of 3000 keys"), "{stderr}");
    assert!(stderr.contains("verify: extra keys 0 of 3000 keys"), "{stderr}");
    assert!(!String::from_utf8_lossy(&out.stdout).contains("verify:"), "progress stays off stdout");
    let json = ferry(&["verify", "--source", &source.url(), "--target", &target.url(), "--json"]);
    assert_eq!(json.status.code(), Some(0), "{}", text(&json));
    assert!(!String::from_utf8_lossy(&json.stderr).contains("verify:"), "{}", text(&json));
}

/// `ferry check` says what its longest item, the big-key scan, is doing (on stderr; stdout keeps
/// the items).
#[tokio::test]
async fn check_shows_the_big_key_scan() {
    let (source, target) = (RedisServer::start(), RedisServer::start());
    support::data::fill_bulk(&mut source.client().await, 3000).await;
    let out = ferry(&["check", "--source", &source.url(), "--target", &target.url()]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("big keys: sampling up to 3000 keys within 2000 ms"), "{}", text(&out));
    assert!(stderr.contains("big keys: 3000 keys measured in"), "{}", text(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("source.bigkeys"), "{}", text(&out));
}

#[tokio::test]
async fn cutover_when_synced_ends_although_the_source_counts_expired_keys() {
    // Keys that expired but were not reclaimed (active expiry off) stay in the source's
    // INFO keyspace; Ferry does not copy them, so the counts never match.
    let source = RedisServer::start_args(&["--enable-debug-command", "yes"]);
    let target = RedisServer::start();
    let mut c = source.client().await;
    cmd(&mut c, &["DEBUG", "SET-ACTIVE-EXPIRE", "0"]).await;
    support::data::fill_bulk(&mut c, 500).await;
    for i in 0..50 {
        cmd(&mut c, &["SET", &format!("gone:{i}"), "v", "PX", "10"]).await;
    }
    tokio::time::sleep(Duration::from_millis(50)).await;
    let started = std::time::Instant::now();
    let out = migrate_once(&source.url(), &target.url());
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(started.elapsed() < Duration::from_secs(8), "took {:?}", started.elapsed());
    assert!(text(&out).contains("completed"), "{}", text(&out));
}

#[tokio::test]
async fn a_frozen_target_is_reported_within_10_s_and_stops_the_migration() {
    let source = RedisServer::start();
    let target = RedisServer::start();
    let mut c = source.client().await;
    support::data::fill_bulk(&mut c, 100).await;
    let data = tempfile::tempdir().unwrap();
    let child = std::process::Command::new(ferry_bin())
        .env("FERRY_DATA_DIR", data.path())
        .args(["migrate", "--source", &source.url(), "--target", &target.url(), "--stall-timeout-secs", "15"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Wait for the incremental sync: the target holds the keys.
    let started = std::time::Instant::now();
    // 100 keys and the checkpoint Ferry keeps on the target during the sync.
    while cmd(&mut target.client().await, &["DBSIZE"]).await.as_int() != Some(101) {
        assert!(started.elapsed() < Duration::from_secs(20), "no full sync");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    target.signal("-STOP");
    let frozen = std::time::Instant::now();
    cmd(&mut c, &["SET", "after", "freeze"]).await;
    let out = tokio::task::spawn_blocking(move || child.wait_with_output().unwrap()).await.unwrap();
    let took = frozen.elapsed();
    target.signal("-CONT");
    let t = text(&out);
    assert_eq!(out.status.code(), Some(1), "{t}");
    assert!(t.contains("warning: the target has not answered for 10 s"), "{t}");
    assert!(t.contains("has not answered for 15 s") && t.contains("stopped"), "{t}");
    assert!(took < Duration::from_secs(25), "{took:?}");
    eprintln!("frozen target through the CLI: the run ended {took:?} after the freeze");
}

#[tokio::test]
async fn a_sentinel_url_reaches_the_master_the_sentinel_names() {
    let master = RedisServer::start_args(&["--requirepass", "m@ster"]);
    let target = RedisServer::start();
    let sentinel = support::Sentinel::start(master.port);
    let mut m = master.client_auth("m@ster").await;
    cmd(&mut m, &["SET", "k", "v"]).await;
    let env = [("FERRY_SOURCE_PASSWORD", "m@ster")];
    let url = format!("redis+sentinel://127.0.0.1:{}/{}", sentinel.port, support::Sentinel::MASTER);
    let run = |args: &[&str]| Command::new(ferry_bin()).envs(env).args(args).output().unwrap();
    let out = run(&["verify", "--source", &url, "--target", &target.url()]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("1 missing"), "the master behind the Sentinel was compared: {}", text(&out));
    let mut t = target.client().await;
    cmd(&mut t, &["SET", "k", "v"]).await;
    let out = run(&["verify", "--source", &url, "--target", &target.url()]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));

    let wrong = format!("redis+sentinel://127.0.0.1:{}/nosuchmaster", sentinel.port);
    let out = run(&["verify", "--source", &wrong, "--target", &target.url()]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("monitor no master named \"nosuchmaster\""), "{}", text(&out));
    let out = run(&[
        "verify",
        "--source",
        &format!("redis+sentinel://127.0.0.1:{}", sentinel.port),
        "--target",
        &target.url(),
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("master's name is missing"), "{}", text(&out));
}
