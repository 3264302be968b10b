//! Differential tests: native replication is the oracle. A seeded random dataset (every type, both
//! sides of each encoding boundary, big values, TTLs, dbs, hash field TTLs where the server has
//! them, streams with groups of every shape) is loaded into a source; a second server of the same
//! version replicates it natively (`REPLICAOF`), and Ferry migrates it into three more: restore
//! mode, restore mode with tiny parts (big values rewritten in parts), and rewrite mode. Then random
//! writes run on the source. Every Ferry target must equal the native replica value by value (and
//! by `DEBUG DIGEST` where the server allows it), except what a migration by commands cannot carry,
//! which must be exactly what the run reported.
//!
//! Runs on Debian's redis-server and on every server in `FERRY_TEST_SERVERS`; the output says which.

mod support;

use std::path::Path;
use std::time::{Duration, Instant};

use ferry::client::{info_field, Client};
use ferry::pipeline::{MigrateOptions, Migration};
use ferry::server::ServerInfo;
use ferry::verify::{self, DiffKind, Difference};
use support::random::{self, Features};
use support::{cmd, RedisServer};

/// Server arguments: DEBUG allowed (for DIGEST) where the server has the switch, no diskless delay
/// where it has one (2.8.18+).
fn server_args(binary: &Path) -> Vec<&'static str> {
    let version = support::binary_version(binary);
    let mut args = Vec::new();
    if version >= (3, 0) {
        args.extend(["--repl-diskless-sync-delay", "0"]);
    }
    if version >= (7, 0) {
        args.extend(["--enable-debug-command", "yes"]);
    }
    args
}

async fn wait_native(source: &mut Client, replica: &mut Client) {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let want = support::repl_offset(source).await;
        let info = replica.info("replication").await.expect("INFO replication");
        let up = info_field(&info, "master_link_status") == Some("up");
        let at: u64 = info_field(&info, "slave_repl_offset").and_then(|o| o.parse().ok()).unwrap_or(0);
        if up && at >= want {
            return;
        }
        assert!(Instant::now() < deadline, "the native replica did not catch up ({at} of {want})");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn differences(oracle: &RedisServer, target: &RedisServer) -> Vec<Difference> {
    let (mut o, mut t) = (oracle.client().await, target.client().await);
    verify::compare_all(&mut o, &mut t, 1000).await.expect("verify")
}

/// `DEBUG DIGEST` (40 hex digits), where the server allows it.
async fn digest(server: &RedisServer) -> Option<String> {
    let reply = server.client().await.raw_request(&["DEBUG", "DIGEST"]).await.ok()?;
    let digest = String::from_utf8_lossy(reply.as_bytes()?).into_owned();
    (digest.len() == 40 && digest.bytes().all(|c| c.is_ascii_hexdigit())).then_some(digest)
}

fn options(source: &RedisServer, target: &RedisServer, rewrite: bool, small_parts: bool) -> MigrateOptions {
    let mut o = MigrateOptions::new(source.endpoint(), target.endpoint());
    o.force_rewrite = rewrite;
    if small_parts {
        o.max_raw_bytes = 8 * 1024;
        o.part_items = 100;
    }
    // Pending entries of deleted entries in streams that come in parts cannot be recreated by
    // commands: they are counted and reported, and the test checks exactly that.
    o.writer.skip_errors = vec!["UNSUPPORTED".into()];
    o
}

async fn differential(binary: &Path, seed: u64) {
    let args = server_args(binary);
    let start = || RedisServer::start_with(binary, &args);
    let (source, native) = (start(), start());
    let (restore, restore_parts, rewrite) = (start(), start(), start());
    let mut src = source.client().await;
    let info = ServerInfo::fetch(&mut src).await.expect("INFO");
    let features = Features::of(&info);
    eprintln!("differential: {info} ({}), seed {seed}", binary.display());
    support::pipeline_any(&mut src, &random::dataset(seed, 600, features)).await;

    // SLAVEOF: every version has it (REPLICAOF came with 5.0).
    cmd(&mut native.client().await, &["SLAVEOF", "127.0.0.1", &source.port.to_string()]).await;
    let runs = [
        ("restore", Migration::start(options(&source, &restore, false, false))),
        ("restore in parts", Migration::start(options(&source, &restore_parts, false, true))),
        ("rewrite", Migration::start(options(&source, &rewrite, true, true))),
    ];
    for (_, m) in &runs {
        support::caught_up(m, &mut src, 120).await;
    }
    // The incremental phase: random writes of every kind.
    support::pipeline_any(&mut src, &random::writes(seed, 600, 3000, features)).await;
    wait_native(&mut src, &mut native.client().await).await;
    for (_, m) in &runs {
        support::caught_up(m, &mut src, 120).await;
    }

    let mut summaries = Vec::new();
    for (name, m) in runs {
        // As at a cutover: the migration ends for good, and its checkpoint leaves the target.
        m.stop_for_good();
        summaries.push((name, m.wait().await.expect("the migration ends cleanly")));
    }
    assert_eq!(differences(&source, &native).await, vec![], "the native replica equals its source");
    // DEBUG DIGEST can assert on 2.8 and 3.x while a table with TTLs is resizing.
    let oracle_digest = if info.at_least(4, 0) { digest(&native).await } else { None };
    for ((name, summary), target) in summaries.iter().zip([&restore, &restore_parts, &rewrite]) {
        assert_eq!(summary.mode, if *name == "rewrite" { "rewrite" } else { "restore" });
        let diffs = differences(&native, target).await;
        let unexpected: Vec<&Difference> = diffs.iter().filter(|d| d.kind != DiffKind::NotCarried).collect();
        assert!(
            unexpected.is_empty(),
            "{info} {name}: {} differences from the native replica: {unexpected:?}",
            unexpected.len()
        );
        // What was not carried is what the run reported, and only streams in parts lose anything.
        let unsupported = summary.errors_by_class.get("UNSUPPORTED").copied().unwrap_or(0);
        assert_eq!(diffs.is_empty(), unsupported == 0, "{info} {name}: verify {diffs:?}, run reported {unsupported}");
        if *name == "restore" {
            assert_eq!(diffs, vec![], "{info}: restore mode carries everything");
        }
        assert_eq!(summary.errors_by_class.len(), usize::from(unsupported > 0), "{:?}", summary.error_samples);
        if oracle_digest.is_some() {
            assert_eq!(digest(target).await, oracle_digest, "{info} {name}: DEBUG DIGEST");
        }
        eprintln!(
            "differential: {info} {name}: {} keys written, identical to the native replica{}{}",
            summary.progress.keys_written,
            if oracle_digest.is_some() { " (and its DEBUG DIGEST)" } else { "" },
            if diffs.is_empty() {
                String::new()
            } else {
                format!(
                    " except {} streams with pending entries of deleted entries ({unsupported} entries)",
                    diffs.len()
                )
            }
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_server_equals_its_native_replica() {
    let mut binaries = vec![support::default_binary()];
    binaries.extend(support::other_binaries());
    for (i, binary) in binaries.iter().enumerate() {
        differential(binary, 0xfe11 + i as u64).await;
    }
}
