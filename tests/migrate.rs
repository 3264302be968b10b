//! End-to-end migrations between real redis-server processes, through the engine's API.

mod support;

use std::time::{Duration, Instant};

use ferry::client::{info_field, Client};
use ferry::pipeline::{MigrateOptions, Migration, Phase, Summary};
use ferry::server::ServerInfo;
use ferry::verify;
use ferry::writer::Mode;
use support::data::{fill_all_types, fill_bulk, version};
use support::{cmd, RedisServer};

async fn wait_phase(m: Migration, phase: Phase, secs: u64) -> Migration {
    let deadline = Instant::now() + Duration::from_secs(secs);
    while m.counters.phase() != phase {
        if m.counters.phase() == Phase::Failed {
            panic!("the migration failed while waiting for {phase:?}: {}", m.wait().await.unwrap_err());
        }
        assert!(Instant::now() < deadline, "no {phase:?} after {secs} s; at {:?}", m.counters.snapshot());
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    m
}

/// Waits until the target has applied everything the source has written so far.
async fn wait_caught_up(m: &Migration, source: &mut Client) {
    let info = source.info("replication").await.unwrap();
    let offset: u64 = info_field(&info, "master_repl_offset").unwrap().parse().unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while m.counters.applied_offset.load(std::sync::atomic::Ordering::Acquire) < offset {
        assert!(m.counters.phase() != Phase::Failed, "the migration failed");
        assert!(Instant::now() < deadline, "not caught up with offset {offset}: {:?}", m.counters.snapshot());
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn assert_identical(source: &RedisServer, target: &RedisServer) {
    let (mut s, mut t) = (source.client().await, target.client().await);
    let diffs = verify::compare_all(&mut s, &mut t, 2000).await.unwrap();
    assert!(diffs.is_empty(), "{} differences, first: {:?}", diffs.len(), &diffs[..diffs.len().min(5)]);
}

/// Stops the migration; it must end cleanly with `unsupported` errors of class UNSUPPORTED (counted
/// and skipped because the test asked for it) and no other error.
async fn finish(m: Migration, unsupported: u64) -> Summary {
    m.stop();
    let summary = m.wait().await.expect("the migration ends cleanly");
    assert_eq!(summary.progress.errors, unsupported, "{:?}", summary.error_samples);
    assert_eq!(summary.errors_by_class.get("UNSUPPORTED").copied().unwrap_or(0), unsupported);
    summary
}

async fn full_then_incremental(source: RedisServer, target: RedisServer, rewrite: bool) -> Summary {
    let mut src = source.client().await;
    fill_all_types(&mut src).await;
    // A target without functions (before 7.0) cannot take the source's library: that is reported as
    // an UNSUPPORTED error, which this test chooses to skip.
    let source_functions = version(&mut src).await.0 >= 7;
    let target_functions = version(&mut target.client().await).await.0 >= 7;
    let unsupported = u64::from(source_functions && !target_functions);
    let mut options = MigrateOptions::new(source.endpoint(), target.endpoint());
    options.writer.skip_errors = vec!["UNSUPPORTED".into()];
    options.force_rewrite = rewrite;
    // Small parts so that the large collections take the big-key path too.
    options.max_raw_bytes = 8 * 1024;
    options.part_items = 100;
    let m = Migration::start(options);
    let m = wait_phase(m, Phase::Incremental, 60).await;
    wait_caught_up(&m, &mut src).await;
    assert_identical(&source, &target).await;

    // Incremental: order, transactions, deletes, renames, expiry, scripts, flushes.
    let (major, _) = version(&mut src).await;
    for i in 0..500 {
        cmd(&mut src, &["INCR", "counter"]).await;
        cmd(&mut src, &["RPUSH", "inc:list", &i.to_string()]).await;
    }
    cmd(&mut src, &["MULTI"]).await;
    cmd(&mut src, &["SET", "tx:a", "1"]).await;
    cmd(&mut src, &["INCRBY", "tx:a", "41"]).await;
    cmd(&mut src, &["LPUSH", "tx:l", "z"]).await;
    cmd(&mut src, &["EXEC"]).await;
    cmd(&mut src, &["DEL", "s:int"]).await;
    cmd(&mut src, &["RENAME", "s:embstr", "s:renamed"]).await;
    cmd(&mut src, &["PEXPIREAT", "h:small", "4102444800000"]).await;
    cmd(&mut src, &["PERSIST", "s:ttl"]).await;
    cmd(&mut src, &["EVAL", "redis.call('SET', KEYS[1], ARGV[1]) return 1", "1", "lua:key", "from-lua"]).await;
    cmd(&mut src, &["XADD", "x:stream", "*", "after", "sync"]).await;
    cmd(&mut src, &["XACK", "x:stream", "g1", "1000-1"]).await;
    cmd(&mut src, &["SELECT", "1"]).await;
    cmd(&mut src, &["FLUSHDB"]).await;
    cmd(&mut src, &["SET", "db1:after-flush", "yes"]).await;
    cmd(&mut src, &["SELECT", "2"]).await;
    cmd(&mut src, &["SET", "db2:new", "fresh"]).await;
    cmd(&mut src, &["SELECT", "0"]).await;
    if major >= 7 {
        cmd(&mut src, &["FCALL", "ferry_echo", "0", "hi"]).await;
    }
    wait_caught_up(&m, &mut src).await;
    assert_identical(&source, &target).await;

    // The source's WAIT counts Ferry as a replica that has applied the write.
    cmd(&mut src, &["SET", "acked", "1"]).await;
    let acked = cmd(&mut src, &["WAIT", "1", "5000"]).await;
    assert_eq!(acked.as_int(), Some(1), "WAIT 1 on the source: Ferry acknowledged the applied offset");

    let mut tgt = target.client().await;
    assert_eq!(cmd(&mut tgt, &["GET", "counter"]).await.as_bytes().map(|b| b.to_vec()), Some(b"500".to_vec()));
    assert_eq!(
        cmd(&mut tgt, &["LINDEX", "inc:list", "499"]).await.as_bytes().map(|b| b.to_vec()),
        Some(b"499".to_vec())
    );
    if source_functions && target_functions {
        let libs = cmd(&mut tgt, &["FUNCTION", "LIST"]).await;
        assert!(format!("{libs:?}").contains("ferrylib"), "function library migrated: {libs:?}");
    }
    let summary = finish(m, unsupported).await;
    assert!(summary.progress.keys_written >= 20, "{:?}", summary.progress);
    summary
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restore_mode_full_and_incremental() {
    // The RDB from a file on the source's disk: `$<len>` framing.
    let source = RedisServer::start_args(&["--repl-diskless-sync", "no"]);
    let summary = full_then_incremental(source, RedisServer::start(), false).await;
    assert!(summary.progress.rdb_total.is_some(), "the source announced the RDB's length");
    assert_eq!(summary.mode, "restore");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rewrite_mode_full_and_incremental() {
    // The RDB streamed as it is produced: `$EOF:<mark>` framing.
    let source = RedisServer::start_args(&["--repl-diskless-sync", "yes", "--repl-diskless-sync-delay", "0"]);
    let summary = full_then_incremental(source, RedisServer::start(), true).await;
    assert!(summary.progress.rdb_total.is_none(), "a diskless transfer has no length up front");
    assert_eq!(summary.mode, "rewrite");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn other_server_versions_both_ways() {
    let others = support::other_binaries();
    if others.is_empty() {
        eprintln!("FERRY_TEST_SERVERS names no other server binary: cross-version test not run");
        return;
    }
    for other in others {
        // This data set has streams and multi-field HSETs: servers before 5.0 are covered by
        // tests/cross_version.rs, whose data follows each server's features.
        if support::binary_version(&other) < (5, 0) {
            continue;
        }
        for (from, to) in [(other.clone(), support::default_binary()), (support::default_binary(), other.clone())] {
            let (source, target) = (RedisServer::start_with(&from, &[]), RedisServer::start_with(&to, &[]));
            let source_info = ServerInfo::fetch(&mut source.client().await).await.unwrap();
            let target_info = ServerInfo::fetch(&mut target.client().await).await.unwrap();
            eprintln!("cross-version: {source_info} → {target_info}");
            let summary = full_then_incremental(source, target, false).await;
            let expected = match Mode::choose(&source_info, &target_info) {
                Mode::Restore { .. } => "restore",
                Mode::Rewrite => "rewrite",
            };
            assert_eq!(summary.mode, expected, "{source_info} → {target_info}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writes_during_the_full_sync_are_all_kept() {
    let source = RedisServer::start();
    let target = RedisServer::start();
    let mut src = source.client().await;
    fill_bulk(&mut src, 200_000).await;
    let m = Migration::start(MigrateOptions::new(source.endpoint(), target.endpoint()));
    // Write while the snapshot is produced and transferred, and on into the incremental phase.
    let mut writer = source.client().await;
    let mut written = 0u64;
    let started = Instant::now();
    while m.counters.phase() != Phase::Incremental || written < 3000 {
        assert!(m.counters.phase() != Phase::Failed, "the migration failed");
        assert!(started.elapsed() < Duration::from_secs(120), "too slow: {:?}", m.counters.snapshot());
        cmd(&mut writer, &["SET", &format!("during:{written}"), &written.to_string()]).await;
        cmd(&mut writer, &["INCR", "during:counter"]).await;
        cmd(&mut writer, &["SET", &format!("bulk:{}", written * 7 % 200_000), "overwritten"]).await;
        written += 1;
    }
    wait_caught_up(&m, &mut src).await;
    assert_identical(&source, &target).await;
    let mut tgt = target.client().await;
    let counter = cmd(&mut tgt, &["GET", "during:counter"]).await;
    assert_eq!(counter.as_int(), Some(written as i64));
    finish(m, 0).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cutover_when_synced_ends_by_itself() {
    let source = RedisServer::start();
    let target = RedisServer::start();
    let mut src = source.client().await;
    fill_bulk(&mut src, 5_000).await;
    let mut options = MigrateOptions::new(source.endpoint(), target.endpoint());
    options.cutover_when_synced = true;
    let summary = tokio::time::timeout(Duration::from_secs(60), Migration::start(options).wait())
        .await
        .expect("ends within a minute")
        .expect("succeeds");
    assert!(!summary.interrupted);
    assert_eq!(summary.progress.lag_bytes, 0);
    assert_eq!(summary.progress.source_keys, summary.progress.target_keys);
    assert_identical(&source, &target).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cutover_when_synced_ignores_expired_keys_not_yet_reclaimed() {
    // With active expiry off, keys that have expired stay in the source's INFO keyspace until read;
    // Ferry rightly does not copy them, so key counts never match. Synced is about offsets.
    let source = RedisServer::start_args(&["--enable-debug-command", "yes"]);
    let target = RedisServer::start();
    let mut src = source.client().await;
    cmd(&mut src, &["DEBUG", "SET-ACTIVE-EXPIRE", "0"]).await;
    fill_bulk(&mut src, 1_000).await;
    for i in 0..200 {
        cmd(&mut src, &["SET", &format!("gone:{i}"), "v", "PX", "20"]).await;
    }
    tokio::time::sleep(Duration::from_millis(100)).await;
    let mut options = MigrateOptions::new(source.endpoint(), target.endpoint());
    options.cutover_when_synced = true;
    let summary = tokio::time::timeout(Duration::from_secs(60), Migration::start(options).wait())
        .await
        .expect("ends within a minute")
        .expect("succeeds although the key counts differ");
    assert_eq!(summary.progress.keys_expired, 200, "{:?}", summary.progress);
    assert_eq!(summary.progress.lag_bytes, 0);
    let keys = |info: Vec<(String, String)>| ferry::client::keyspace_counts(&info);
    let source_keys = keys(src.info("keyspace").await.unwrap());
    let target_keys = keys(target.client().await.info("keyspace").await.unwrap());
    assert_eq!(source_keys, vec![(0, 1_200)], "the source still counts the expired keys");
    assert_eq!(target_keys, vec![(0, 1_000)]);
    assert_identical(&source, &target).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_big_key_is_written_in_bounded_parts() {
    let source = RedisServer::start();
    let target = RedisServer::start();
    let mut src = source.client().await;
    // 300k members: well over the 4 MiB passthrough limit, so it goes as ZADD batches.
    let members: Vec<Vec<bytes::Bytes>> = (0..300)
        .map(|chunk| {
            let mut c = vec!["ZADD".to_string(), "big:zset".to_string()];
            for i in chunk * 1000..(chunk + 1) * 1000 {
                c.push(i.to_string());
                c.push(format!("member-{i:08}"));
            }
            c.into_iter().map(bytes::Bytes::from).collect()
        })
        .collect();
    support::pipeline(&mut src, &members).await;
    let mut options = MigrateOptions::new(source.endpoint(), target.endpoint());
    options.cutover_when_synced = true;
    let summary = Migration::start(options).wait().await.expect("succeeds");
    assert!(summary.progress.commands_sent >= 300, "sent in batches: {:?}", summary.progress);
    let mut tgt = target.client().await;
    assert_eq!(cmd(&mut tgt, &["ZCARD", "big:zset"]).await.as_int(), Some(300_000));
    assert_identical(&source, &target).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn target_errors_fail_the_run_and_are_reported() {
    let source = RedisServer::start();
    // A target that refuses writes: every RESTORE fails with OOM.
    let target = RedisServer::start_args(&["--maxmemory", "1mb", "--maxmemory-policy", "noeviction"]);
    let mut src = source.client().await;
    fill_bulk(&mut src, 50_000).await;
    let err = Migration::start(MigrateOptions::new(source.endpoint(), target.endpoint()))
        .wait()
        .await
        .expect_err("a target out of memory fails the run");
    let text = err.to_string();
    assert!(text.contains("OOM") && text.contains("rejected"), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_source_sees_ferry_as_a_replica_at_the_applied_offset() {
    let source = RedisServer::start();
    let target = RedisServer::start();
    let mut src = source.client().await;
    let m = Migration::start(MigrateOptions::new(source.endpoint(), target.endpoint()));
    let m = wait_phase(m, Phase::Incremental, 30).await;
    cmd(&mut src, &["SET", "k", "v"]).await;
    wait_caught_up(&m, &mut src).await;
    tokio::time::sleep(Duration::from_millis(1200)).await;
    let info = src.info("replication").await.unwrap();
    assert_eq!(info_field(&info, "connected_slaves"), Some("1"));
    let master: u64 = info_field(&info, "master_repl_offset").unwrap().parse().unwrap();
    let slave = info_field(&info, "slave0").unwrap().to_string();
    assert!(slave.contains(&format!("offset={master}")), "{slave} vs master offset {master}");
    finish(m, 0).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_broken_link_resumes_without_a_new_snapshot() {
    let source = RedisServer::start();
    let target = RedisServer::start();
    let mut src = source.client().await;
    fill_bulk(&mut src, 10_000).await;
    let m = Migration::start(MigrateOptions::new(source.endpoint(), target.endpoint()));
    let m = wait_phase(m, Phase::Incremental, 30).await;
    for i in 0..100 {
        cmd(&mut src, &["SET", &format!("before:{i}"), "x"]).await;
    }
    wait_caught_up(&m, &mut src).await;
    let full_syncs = |info: &[(String, String)]| info_field(info, "sync_full").map(str::to_string);
    let stats = src.info("stats").await.unwrap();
    let fulls_before = full_syncs(&stats);
    // Cut the replication link, and write while Ferry is away.
    cmd(&mut src, &["CLIENT", "KILL", "TYPE", "replica"]).await;
    for i in 0..300 {
        cmd(&mut src, &["SET", &format!("during:{i}"), "y"]).await;
        cmd(&mut src, &["INCR", "outage:counter"]).await;
    }
    let deadline = Instant::now() + Duration::from_secs(30);
    while m.counters.snapshot().resumes == 0 {
        assert!(m.counters.phase() == Phase::Incremental, "still syncing: {:?}", m.counters.snapshot());
        assert!(Instant::now() < deadline, "never resumed");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    wait_caught_up(&m, &mut src).await;
    assert_identical(&source, &target).await;
    let stats = src.info("stats").await.unwrap();
    assert_eq!(full_syncs(&stats), fulls_before, "no second full sync");
    assert!(info_field(&stats, "sync_partial_ok").is_some_and(|v| v != "0"), "a partial resync");
    let summary = finish(m, 0).await;
    assert_eq!(summary.progress.resumes, 1);
}

/// A 3,000-entry stream in rewrite mode comes in parts; its groups come with the last part.
async fn big_stream_source(deleted_pending: bool) -> RedisServer {
    let source = RedisServer::start();
    let mut src = source.client().await;
    let adds: Vec<Vec<bytes::Bytes>> =
        (1..=3000).map(|i| support::argv(&["XADD", "big:stream", &format!("{i}-0"), "n", &i.to_string()])).collect();
    support::pipeline(&mut src, &adds).await;
    cmd(&mut src, &["XGROUP", "CREATE", "big:stream", "readers", "0"]).await;
    cmd(&mut src, &["XREADGROUP", "GROUP", "readers", "alice", "COUNT", "7", "STREAMS", "big:stream", ">"]).await;
    cmd(&mut src, &["XREADGROUP", "GROUP", "readers", "bob", "COUNT", "3", "STREAMS", "big:stream", ">"]).await;
    cmd(&mut src, &["XCLAIM", "big:stream", "readers", "bob", "0", "2-0", "JUSTID"]).await;
    cmd(&mut src, &["XGROUP", "CREATECONSUMER", "big:stream", "readers", "carol"]).await;
    if deleted_pending {
        cmd(&mut src, &["XDEL", "big:stream", "4-0", "9-0"]).await;
    }
    source
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rewrite_mode_keeps_the_pending_entries_of_a_stream_in_parts() {
    let source = big_stream_source(false).await;
    let target = RedisServer::start();
    let mut options = MigrateOptions::new(source.endpoint(), target.endpoint());
    options.force_rewrite = true;
    options.cutover_when_synced = true;
    let summary = Migration::start(options).wait().await.expect("succeeds");
    assert_eq!(summary.mode, "rewrite");
    let mut tgt = target.client().await;
    let pending = cmd(&mut tgt, &["XPENDING", "big:stream", "readers"]).await;
    let count = match &pending {
        ferry::resp::Frame::Array(items) => items.first().and_then(|c| c.as_int()),
        _ => None,
    };
    assert_eq!(count, Some(10), "XPENDING on the target: {pending:?}");
    assert_identical(&source, &target).await;
    assert_eq!(
        summary.not_carried.iter().map(|(what, n)| (what.to_string(), *n)).collect::<Vec<_>>(),
        vec![("stream consumers' seen time (the target records the time of the migration)".to_string(), 3)]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pending_entries_commands_cannot_recreate_fail_the_run_or_are_reported() {
    let source = big_stream_source(true).await;
    let target = RedisServer::start();
    let mut options = MigrateOptions::new(source.endpoint(), target.endpoint());
    options.force_rewrite = true;
    options.cutover_when_synced = true;
    let err = Migration::start(options.clone()).wait().await.expect_err("data the target cannot hold fails the run");
    let text = err.to_string();
    assert!(text.contains("UNSUPPORTED") && text.contains("pending entry 4-0"), "{text}");

    cmd(&mut target.client().await, &["FLUSHALL"]).await;
    options.writer.skip_errors = vec!["UNSUPPORTED".into()];
    let summary = Migration::start(options).wait().await.expect("succeeds when asked to skip");
    assert_eq!(summary.errors_by_class.get("UNSUPPORTED"), Some(&2), "{:?}", summary.error_samples);
    let (mut s, mut t) = (source.client().await, target.client().await);
    let diffs = verify::compare_all(&mut s, &mut t, 2000).await.unwrap();
    assert_eq!(diffs.len(), 1, "{diffs:?}");
    assert_eq!((diffs[0].key.as_str(), &diffs[0].kind), ("big:stream", &verify::DiffKind::NotCarried), "{diffs:?}");
    assert!(diffs[0].detail.to_string().starts_with("2 pending entries of deleted stream entries"), "{diffs:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn relative_expiries_from_sources_before_7_0_keep_the_source_deadline() {
    let old: Vec<_> = support::other_binaries().into_iter().filter(|b| support::binary_version(b) < (7, 0)).collect();
    if old.is_empty() {
        eprintln!("FERRY_TEST_SERVERS names no server older than 7.0: relative-expiry test not run");
        return;
    }
    for binary in old {
        relative_expiries_keep_the_source_deadline(&binary).await;
    }
}

async fn relative_expiries_keep_the_source_deadline(old: &std::path::Path) {
    let version = support::binary_version(old);
    let source = RedisServer::start_with(old, &[]);
    let target = RedisServer::start();
    let mut src = source.client().await;
    fill_bulk(&mut src, 60_000).await;
    cmd(&mut src, &["SET", "restored", "v"]).await;
    let payload = cmd(&mut src, &["DUMP", "restored"]).await.as_bytes().cloned().expect("DUMP");
    let m = Migration::start(MigrateOptions::new(source.endpoint(), target.endpoint()));
    let m = wait_phase(m, Phase::FullSync, 30).await;
    // A slow target holds the snapshot back; the source keeps the commands it runs meanwhile and
    // sends them after the snapshot, seconds after it ran them.
    cmd(&mut target.client().await, &["CLIENT", "PAUSE", "4000"]).await;
    let mut keys = vec!["late", "late:ms", "late:set", "late:setpx", "bulk:1", "bulk:2", "late:restore"];
    cmd(&mut src, &["SETEX", "late", "1000", "v"]).await;
    cmd(&mut src, &["PSETEX", "late:ms", "1000000", "v"]).await;
    cmd(&mut src, &["SET", "late:set", "v", "EX", "1000"]).await;
    cmd(&mut src, &["SET", "late:setpx", "v", "PX", "1000000"]).await;
    cmd(&mut src, &["EXPIRE", "bulk:1", "1000"]).await;
    cmd(&mut src, &["PEXPIRE", "bulk:2", "1000000"]).await;
    if version >= (6, 2) {
        cmd(&mut src, &["GETEX", "bulk:3", "EX", "1000"]).await;
        keys.push("bulk:3");
    }
    let restore = [&b"RESTORE"[..], b"late:restore", b"1000000", &payload[..]];
    src.request(&restore).await.expect("RESTORE");
    let m = wait_phase(m, Phase::Incremental, 60).await;
    wait_caught_up(&m, &mut src).await;
    let mut tgt = target.client().await;
    let mut worst = 0i64;
    for key in keys {
        // Read both within a millisecond or two: PTTLs then compare like absolute times.
        let s = cmd(&mut src, &["PTTL", key]).await.as_int().unwrap();
        let t = cmd(&mut tgt, &["PTTL", key]).await.as_int().unwrap();
        assert!(s > 990_000 && t > 0, "{key}: PTTL {s} on the source, {t} on the target");
        worst = worst.max((t - s).abs());
    }
    eprintln!("relative expiries from {}: the target's deadline is at most {worst} ms off", old.display());
    assert!(worst < 1000, "{}: a deadline on the target is {worst} ms off the source's", old.display());
    finish(m, 0).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_frozen_target_is_a_warning_then_a_clear_failure_and_cutover_does_not_hang() {
    let source = RedisServer::start();
    let target = RedisServer::start();
    let mut src = source.client().await;
    fill_bulk(&mut src, 1_000).await;
    let mut options = MigrateOptions::new(source.endpoint(), target.endpoint());
    options.writer.stall_warning = Duration::from_secs(1);
    options.writer.stall_timeout = Duration::from_secs(4);
    let m = wait_phase(Migration::start(options), Phase::Incremental, 30).await;
    target.signal("-STOP");
    let frozen = Instant::now();
    for i in 0..100 {
        cmd(&mut src, &["SET", &format!("after:{i}"), "v"]).await;
    }
    // A warning in the progress first.
    let mut progress = m.progress.clone();
    let warned = loop {
        if let Some(w) = progress.borrow().warning.clone() {
            break w.to_string();
        }
        assert!(frozen.elapsed() < Duration::from_secs(4), "no warning about the frozen target");
        tokio::time::sleep(Duration::from_millis(50)).await;
        let _ = progress.changed().await;
    };
    let warned_after = frozen.elapsed();
    assert!(warned.contains("has not answered"), "{warned}");
    // A cutover asked now ends (it cannot succeed) instead of waiting for ever.
    let cutover = m.cutover(false, Duration::from_secs(30)).await;
    assert!(cutover.is_err(), "a cutover onto a frozen target cannot succeed");
    let err = tokio::time::timeout(Duration::from_secs(10), m.wait()).await.expect("ends").expect_err("fails");
    let failed_after = frozen.elapsed();
    target.signal("-CONT");
    let text = err.to_string();
    assert!(text.contains("has not answered for 4 s") && text.contains("stopped"), "{text}");
    eprintln!("frozen target: warning after {warned_after:?}, failure after {failed_after:?} (stall timeout 4 s)");
    assert!(failed_after < Duration::from_secs(8), "{failed_after:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_target_that_closes_idle_clients_keeps_the_writer_connection() {
    let source = RedisServer::start();
    let target = RedisServer::start_args(&["--timeout", "2"]);
    let mut src = source.client().await;
    fill_bulk(&mut src, 100).await;
    let m =
        wait_phase(Migration::start(MigrateOptions::new(source.endpoint(), target.endpoint())), Phase::Incremental, 30)
            .await;
    // The source is quiet for longer than the target's client timeout.
    tokio::time::sleep(Duration::from_secs(5)).await;
    cmd(&mut src, &["SET", "after:quiet", "v"]).await;
    wait_caught_up(&m, &mut src).await;
    assert_identical(&source, &target).await;
    finish(m, 0).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cutover_on_a_source_before_6_2_does_not_wait_on_its_own_pause() {
    // Before 6.2, CLIENT PAUSE holds every client, the pausing one too, and nothing lifts it early.
    // A real server's CLIENT PAUSE without WRITE does exactly that; behind a relay that reports
    // version 6.0.20, Ferry takes its path for such sources.
    let source = RedisServer::start();
    let real = ServerInfo::fetch(&mut source.client().await).await.unwrap().version_text;
    let shown = format!("6.0.{}", "2".repeat(real.len() - 4));
    let relay = support::relay::Relay::start(source.port, Some((&real, &shown))).await;
    let via_relay = ferry::endpoint::Endpoint::new("127.0.0.1", relay.port);
    let seen = ServerInfo::fetch(&mut ferry::client::Client::connect(&via_relay).await.unwrap()).await.unwrap();
    assert_eq!(seen.version_text, shown, "the relay reports the old version");
    cutover_holding_writes(&source, via_relay).await;
    // And on the real old servers the tests have.
    for binary in support::other_binaries() {
        let version = support::binary_version(&binary);
        if version < (6, 2) {
            let source = RedisServer::start_with(&binary, &[]);
            eprintln!("cutover on {}", binary.display());
            cutover_holding_writes(&source, source.endpoint()).await;
        }
    }
}

/// A cutover with writes paused while clients keep writing to `source` (reached at `via`): it
/// ends at once, with no lag, the clients held for the short pause a source before 6.2 allows;
/// on 2.8, which cannot pause, it says so and the sync goes on.
async fn cutover_holding_writes(source: &RedisServer, via: ferry::endpoint::Endpoint) {
    let target = RedisServer::start();
    let mut src = source.client().await;
    let old = ServerInfo::fetch(&mut ferry::client::Client::connect(&via).await.unwrap()).await.unwrap();
    fill_bulk(&mut src, 1_000).await;
    let m = wait_phase(Migration::start(MigrateOptions::new(via, target.endpoint())), Phase::Incremental, 30).await;
    // Clients keep writing; the longest a write waits shows how long they were held.
    let loader = {
        let mut c = source.client().await;
        tokio::spawn(async move {
            let (mut longest, started) = (Duration::ZERO, Instant::now());
            while started.elapsed() < Duration::from_secs(5) {
                let t = Instant::now();
                cmd(&mut c, &["INCR", "counter"]).await;
                longest = longest.max(t.elapsed());
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
            longest
        })
    };
    tokio::time::sleep(Duration::from_millis(500)).await;
    let started = Instant::now();
    let cutover = tokio::time::timeout(Duration::from_secs(8), m.cutover(true, Duration::from_secs(20)))
        .await
        .expect("the cutover is bounded");
    let took = started.elapsed();
    if !old.at_least(3, 0) {
        let err = cutover.err().expect("Redis 2.8 cannot pause its clients").to_string();
        assert!(err.contains("cannot pause its clients") && err.contains("without pausing"), "{err}");
        assert_eq!(m.counters.phase(), Phase::Incremental, "the sync goes on");
        loader.await.unwrap();
        finish(m, 0).await;
        return;
    }
    let (outcome, pause) = cutover.expect("the cutover succeeds");
    pause.end().await;
    assert_eq!(outcome.final_lag_bytes, 0);
    assert_eq!(outcome.all_clients_held_ms, Some(2000));
    let summary = m.wait().await.expect("the migration ends cleanly");
    let longest = loader.await.unwrap();
    eprintln!("cutover on {old}: {took:?}; clients held at most {longest:?}");
    assert!(took < Duration::from_secs(3), "{took:?}");
    assert!(longest >= Duration::from_millis(1500) && longest < Duration::from_secs(4), "{longest:?}");
    assert!(summary.progress.applied_offset >= outcome.source_offset);
    assert!(cmd(&mut target.client().await, &["GET", "counter"]).await.as_int().unwrap() > 0);
}
