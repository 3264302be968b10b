//! Resuming after faults, exactly once: the target keeps a checkpoint of the source offset its data
//! reflects, written in the same transaction as the data, so that after a fault Ferry continues
//! from there with a partial resync (`sync_full` on the source does not move) and applies no command
//! twice. A load of non-idempotent writes (`INCR`, `LPUSH`, `XADD`) runs through every fault; after
//! it, the target equals the source and the counters match.

mod support;

use std::process::{Child, Command, Output, Stdio};
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use ferry::client::{info_field, Client};
use ferry::pipeline::{Checkpoint, MigrateOptions, Migration};
use ferry::verify;
use support::data::fill_bulk;
use support::{cmd, ferry_bin, incremental, RedisServer};

async fn stats(source: &mut Client) -> (u64, u64) {
    let info = source.info("stats").await.unwrap();
    let get = |name| info_field(&info, name).and_then(|v| v.parse().ok()).unwrap_or(0);
    (get("sync_full"), get("sync_partial_ok"))
}

/// Every key equal (the checkpoint is Ferry's own and not compared), and the load's counter.
async fn assert_identical(source: &RedisServer, target: &RedisServer, writes: u64) {
    let (mut s, mut t) = (source.client().await, target.client().await);
    let diffs = verify::compare_all(&mut s, &mut t, 1000).await.unwrap();
    assert!(diffs.is_empty(), "{} differences, first: {:?}", diffs.len(), &diffs[..diffs.len().min(5)]);
    cmd(&mut t, &["SELECT", "0"]).await;
    let counter = cmd(&mut t, &["GET", "load:counter"]).await.as_int();
    assert_eq!(counter, (writes > 0).then_some(writes as i64), "every INCR applied exactly once");
}

fn checkpoint_options(source: &RedisServer, target: &RedisServer) -> MigrateOptions {
    let mut options = MigrateOptions::new(source.endpoint(), target.endpoint());
    options.checkpoint_key = "ferry:checkpoint:resume-test".into();
    options
}

/// Which server a connection is cut on.
#[derive(Clone, Copy)]
enum Side {
    Source,
    Target,
}

/// A migration in incremental sync, with `kill` sent three times to one side under the load; once
/// caught up, no full sync happened and there were partial resyncs (at least `partials`). Returns
/// the migration, the servers and the rounds of the load.
async fn cut_three_times(side: Side, kill: &[&str], partials: u64) -> (Migration, RedisServer, RedisServer, u64) {
    let (source, target) = (RedisServer::start(), RedisServer::start());
    let mut src = source.client().await;
    fill_bulk(&mut src, 5_000).await;
    let m = incremental(Migration::start(checkpoint_options(&source, &target))).await;
    let (full_before, partial_before) = stats(&mut src).await;
    let (stop, writes) = support::write_load(source.client().await);
    for _ in 0..3 {
        tokio::time::sleep(Duration::from_millis(400)).await;
        let victim = match side {
            Side::Source => &source,
            Side::Target => &target,
        };
        cmd(&mut victim.client().await, kill).await;
    }
    tokio::time::sleep(Duration::from_millis(400)).await;
    stop.store(true, Ordering::Release);
    let writes = writes.await.unwrap();
    support::caught_up(&m, &mut src, 30).await;
    let (full_after, partial_after) = stats(&mut src).await;
    assert_eq!(full_after, full_before, "no full sync after a cut connection");
    assert!(partial_after >= partial_before + partials, "partial resyncs: {partial_before} → {partial_after}");
    (m, source, target, writes)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_target_connection_resumes_from_the_checkpoint() {
    // Every client of the target but the killing one: Ferry's writer among them.
    let (m, source, target, writes) =
        cut_three_times(Side::Target, &["CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes"], 1).await;
    let notice = m.counters.snapshot().notice.map(|n| n.to_string()).unwrap_or_default();
    assert!(notice.contains("resumed at offset"), "{notice}");
    m.stop_for_good();
    m.wait().await.expect("ends cleanly");
    assert_identical(&source, &target, writes).await;
    let key = bytes::Bytes::from_static(b"ferry:checkpoint:resume-test");
    assert_eq!(Checkpoint::read(&mut target.client().await, &key).await.unwrap(), None, "removed at the end");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_source_link_resumes_from_the_last_byte_under_load() {
    let (m, source, target, writes) = cut_three_times(Side::Source, &["CLIENT", "KILL", "TYPE", "replica"], 3).await;
    assert_eq!(m.counters.snapshot().resumes, 3);
    m.stop_for_good();
    m.wait().await.expect("ends cleanly");
    assert_identical(&source, &target, writes).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_target_restarted_with_its_persistence_resumes_without_a_full_sync() {
    let source = RedisServer::start();
    let target = RedisServer::start_args(&["--appendonly", "yes", "--appendfsync", "always"]);
    let mut target = target;
    let mut src = source.client().await;
    fill_bulk(&mut src, 5_000).await;
    let m = incremental(Migration::start(checkpoint_options(&source, &target))).await;
    let (full_before, _) = stats(&mut src).await;
    let (stop, writes) = support::write_load(source.client().await);
    tokio::time::sleep(Duration::from_millis(500)).await;
    target.restart(); // kill -9, then the same port and dir: the AOF brings data and checkpoint back
    tokio::time::sleep(Duration::from_millis(500)).await;
    stop.store(true, Ordering::Release);
    let writes = writes.await.unwrap();
    support::caught_up(&m, &mut src, 60).await;
    assert_eq!(stats(&mut src).await.0, full_before, "no full sync: the target kept its checkpoint");
    m.stop_for_good();
    m.wait().await.expect("ends cleanly");
    assert_identical(&source, &target, writes).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_target_restarted_empty_gets_a_full_sync() {
    let (source, mut target) = (RedisServer::start(), RedisServer::start());
    let mut src = source.client().await;
    fill_bulk(&mut src, 5_000).await;
    let m = incremental(Migration::start(checkpoint_options(&source, &target))).await;
    let (full_before, _) = stats(&mut src).await;
    let (stop, writes) = support::write_load(source.client().await);
    tokio::time::sleep(Duration::from_millis(300)).await;
    target.restart(); // no persistence: it comes back empty, without a checkpoint
    tokio::time::sleep(Duration::from_millis(500)).await;
    stop.store(true, Ordering::Release);
    let writes = writes.await.unwrap();
    support::caught_up(&m, &mut src, 60).await;
    assert_eq!(stats(&mut src).await.0, full_before + 1, "a full sync is the only right answer");
    m.stop_for_good();
    m.wait().await.expect("ends cleanly");
    assert_identical(&source, &target, writes).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_gap_the_backlog_lost_gets_a_full_sync_that_drops_deleted_keys() {
    let (source, target) = (RedisServer::start(), RedisServer::start());
    let mut src = source.client().await;
    fill_bulk(&mut src, 5_000).await;
    let m = incremental(Migration::start(checkpoint_options(&source, &target))).await;
    support::caught_up(&m, &mut src, 30).await;
    m.stop(); // interrupted: the target keeps its checkpoint
    m.wait().await.expect("ends cleanly");
    // While Ferry is away: a small backlog overrun, and keys deleted.
    cmd(&mut src, &["CONFIG", "SET", "repl-backlog-size", "16384"]).await;
    cmd(&mut src, &["DEL", "bulk:1", "bulk:2", "bulk:3"]).await;
    for i in 0..200 {
        cmd(&mut src, &["SET", &format!("filler:{i}"), &"x".repeat(1000)]).await;
    }
    let m = incremental(Migration::start(checkpoint_options(&source, &target))).await;
    support::caught_up(&m, &mut src, 30).await;
    let notice = m.counters.snapshot().notice.map(|n| n.to_string()).unwrap_or_default();
    assert!(notice.contains("full sync again") && notice.contains("backlog"), "{notice}");
    m.stop_for_good();
    m.wait().await.expect("ends cleanly");
    let mut tgt = target.client().await;
    assert_eq!(
        cmd(&mut tgt, &["EXISTS", "bulk:1", "bulk:2", "bulk:3"]).await.as_int(),
        Some(0),
        "deleted keys do not survive"
    );
    assert_identical(&source, &target, 0).await;
}

fn ferry(data: &std::path::Path, args: &[&str]) -> Output {
    Command::new(ferry_bin()).env("FERRY_DATA_DIR", data).args(args).output().expect("run ferry")
}

fn runner(data: &std::path::Path, task: &str) -> Child {
    Command::new(ferry_bin())
        .env("FERRY_DATA_DIR", data)
        .args(["tasks", "start", task])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start a runner")
}

async fn wait_status(data: &std::path::Path, task: &str, status: &str) -> serde_json::Value {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let show = ferry(data, &["tasks", "show", task, "--json"]);
        let detail: serde_json::Value = serde_json::from_slice(&show.stdout).unwrap_or_default();
        if detail["task"]["status"] == status {
            return detail;
        }
        assert!(Instant::now() < deadline, "never reached {status}: {}", String::from_utf8_lossy(&show.stdout));
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ferry_killed_in_incremental_sync_resumes_exactly_once() {
    let data = tempfile::tempdir().unwrap();
    let (source, target) = (RedisServer::start(), RedisServer::start());
    let mut src = source.client().await;
    fill_bulk(&mut src, 20_000).await;
    assert!(ferry(data.path(), &["instances", "add", "--name", "dst", "--region", "t", "--url", &target.url()])
        .status
        .success());
    let created = ferry(
        data.path(),
        &["tasks", "create", "--name", "t", "--source", &source.url(), "--target", "dst", "--accept-warnings"],
    );
    assert!(created.status.success(), "{}", String::from_utf8_lossy(&created.stderr));
    let mut first = runner(data.path(), "t");
    wait_status(data.path(), "t", "incremental_sync").await;
    let (full_before, partial_before) = stats(&mut src).await;
    let (stop, writes) = support::write_load(source.client().await);
    tokio::time::sleep(Duration::from_millis(500)).await;
    first.kill().unwrap(); // SIGKILL, in the middle of the load
    first.wait().unwrap();
    cmd(&mut src, &["DEL", "bulk:1", "bulk:2", "bulk:3"]).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    // Started again at once: the killed runner is provably gone, its lease does not hold.
    let mut second = runner(data.path(), "t");
    wait_status(data.path(), "t", "incremental_sync").await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    stop.store(true, Ordering::Release);
    let writes = writes.await.unwrap();
    let (full_after, partial_after) = stats(&mut src).await;
    assert_eq!(full_after, full_before, "resumed without a full sync");
    assert!(partial_after > partial_before, "a partial resync: {partial_before} → {partial_after}");
    let out = ferry(data.path(), &["tasks", "cutover", "t", "--no-pause"]);
    assert!(out.status.success(), "{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    second.wait().unwrap();
    let detail = wait_status(data.path(), "t", "completed").await;
    let events = detail["events"].as_array().cloned().unwrap_or_default();
    assert!(events.iter().any(|e| english(&e["message"]).contains("resumed at offset")), "{events:?}");
    let mut tgt = target.client().await;
    assert_eq!(cmd(&mut tgt, &["EXISTS", "bulk:1", "bulk:2", "bulk:3"]).await.as_int(), Some(0));
    assert_identical(&source, &target, writes).await;
}

/// A message of `ferry tasks show --json` (a code with its arguments) in English, or "" when absent.
fn english(message: &serde_json::Value) -> String {
    serde_json::from_value::<ferry::text::Text>(message.clone()).map(|t| t.to_string()).unwrap_or_default()
}

/// A task `t` from `source` into an instance `dst` at `target`, in the store at `data`.
fn create_task(data: &std::path::Path, source: &RedisServer, target: &RedisServer) {
    let added = ferry(data, &["instances", "add", "--name", "dst", "--region", "t", "--url", &target.url()]);
    assert!(added.status.success(), "{}", String::from_utf8_lossy(&added.stderr));
    let created = ferry(
        data,
        &["tasks", "create", "--name", "t", "--source", &source.url(), "--target", "dst", "--accept-warnings"],
    );
    assert!(created.status.success(), "{}", String::from_utf8_lossy(&created.stderr));
}

fn signal(child: &Child, signal: &str) {
    let status = Command::new("kill").args([signal, &child.id().to_string()]).status().unwrap();
    assert!(status.success(), "kill {signal}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_runner_stalled_past_its_lease_stops_writing_and_the_task_resumes_elsewhere() {
    let data = tempfile::tempdir().unwrap();
    let (source, target) = (RedisServer::start(), RedisServer::start());
    let mut src = source.client().await;
    fill_bulk(&mut src, 5_000).await;
    create_task(data.path(), &source, &target);
    let mut stalled = runner(data.path(), "t");
    wait_status(data.path(), "t", "incremental_sync").await;
    let (full_before, _) = stats(&mut src).await;
    let (stop, writes) = support::write_load(source.client().await);
    tokio::time::sleep(Duration::from_millis(300)).await;
    signal(&stalled, "-STOP");
    tokio::time::sleep(Duration::from_secs(11)).await;
    // Another process looks at the tasks: the silent runner is taken for dead.
    let list = ferry(data.path(), &["tasks", "list"]);
    assert!(list.status.success());
    wait_status(data.path(), "t", "interrupted").await;
    signal(&stalled, "-CONT");
    // It finds its lease gone and stops, without a write and without touching the task.
    let deadline = Instant::now() + Duration::from_secs(15);
    while stalled.try_wait().unwrap().is_none() {
        assert!(Instant::now() < deadline, "the stalled runner kept running after its lease was lost");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let detail = wait_status(data.path(), "t", "interrupted").await;
    assert!(english(&detail["task"]["reason"]).contains("resume"), "{detail}");
    // Started again: it resumes from the target's checkpoint, exactly once.
    let mut second = runner(data.path(), "t");
    wait_status(data.path(), "t", "incremental_sync").await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    stop.store(true, Ordering::Release);
    let writes = writes.await.unwrap();
    assert_eq!(stats(&mut src).await.0, full_before, "resumed without a full sync");
    let out = ferry(data.path(), &["tasks", "cutover", "t", "--no-pause"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    second.wait().unwrap();
    assert_identical(&source, &target, writes).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ferry_killed_in_the_full_sync_syncs_in_full_again_without_stale_keys() {
    let data = tempfile::tempdir().unwrap();
    let (source, target) = (RedisServer::start(), RedisServer::start());
    let mut src = source.client().await;
    fill_bulk(&mut src, 100_000).await;
    create_task(data.path(), &source, &target);
    let mut first = runner(data.path(), "t");
    wait_status(data.path(), "t", "full_sync").await;
    // Kill it once part of the snapshot is on the target.
    let deadline = Instant::now() + Duration::from_secs(60);
    while cmd(&mut target.client().await, &["DBSIZE"]).await.as_int().unwrap_or(0) < 1_000 {
        assert!(Instant::now() < deadline, "no snapshot keys reached the target");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    first.kill().unwrap();
    first.wait().unwrap();
    // Deleted meanwhile on the source: keys the first, partial snapshot may have copied.
    let deleted: Vec<String> = (0..1_000).map(|i| format!("bulk:{i}")).collect();
    let mut del = vec!["DEL"];
    del.extend(deleted.iter().map(String::as_str));
    cmd(&mut src, &del).await;
    let mut second = runner(data.path(), "t");
    let detail = wait_status(data.path(), "t", "incremental_sync").await;
    let events = detail["events"].as_array().cloned().unwrap_or_default();
    assert!(events.iter().any(|e| english(&e["message"]).contains("previous full sync did not finish")), "{events:?}");
    let out = ferry(data.path(), &["tasks", "cutover", "t", "--no-pause"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    second.wait().unwrap();
    assert_identical(&source, &target, 0).await;
}

/// A master (5,000 keys) with a replica, and an empty target.
async fn replicated_source() -> (RedisServer, RedisServer, RedisServer) {
    let (master, replica, target) = (RedisServer::start(), RedisServer::start(), RedisServer::start());
    fill_bulk(&mut master.client().await, 5_000).await;
    cmd(&mut replica.client().await, &["REPLICAOF", "127.0.0.1", &master.port.to_string()]).await;
    (master, replica, target)
}

/// The load on `server` for `ms`; the number of rounds written.
async fn load_for(server: &RedisServer, ms: u64) -> u64 {
    let (stop, writes) = support::write_load(server.client().await);
    tokio::time::sleep(Duration::from_millis(ms)).await;
    stop.store(true, Ordering::Release);
    writes.await.unwrap()
}

/// Kills the master (SIGKILL) once its replica has everything it acknowledged.
async fn kill_master_once_replicated(mut master: RedisServer, replica: &RedisServer) {
    let (mut m, mut r) = (master.client().await, replica.client().await);
    let deadline = Instant::now() + Duration::from_secs(10);
    while support::repl_offset(&mut m).await
        > info_field(&r.info("replication").await.unwrap(), "slave_repl_offset").unwrap().parse::<u64>().unwrap()
    {
        assert!(Instant::now() < deadline, "the replica did not catch up");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    master.kill9();
}

/// After the failover: writes go on at the promoted replica, Ferry catches up with them having
/// continued its stream there (one partial resync, no full sync), and the target equals it.
async fn followed_to(
    m: Migration,
    replica: &RedisServer,
    target: &RedisServer,
    before: u64,
) -> ferry::pipeline::Summary {
    let after = load_for(replica, 800).await;
    let mut r_client = replica.client().await;
    support::caught_up(&m, &mut r_client, 60).await;
    let (full, partial) = stats(&mut r_client).await;
    assert_eq!((full, partial), (0, 1), "the promoted replica continued Ferry's stream (PSYNC2), no full sync");
    m.stop_for_good();
    let summary = m.wait().await.expect("ends cleanly");
    assert_identical(replica, target, before + after).await;
    summary
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_source_failover_is_followed_with_psync2_and_no_full_sync() {
    // The source's address is a relay (a virtual IP) in front of a master with a replica; the
    // master dies, the replica is promoted, the address moves to it.
    let (master, replica, target) = replicated_source().await;
    let relay = support::relay::Relay::start(master.port, None).await;
    let mut options = checkpoint_options(&master, &target);
    options.source = ferry::endpoint::Endpoint::new("127.0.0.1", relay.port);
    let m = incremental(Migration::start(options)).await;
    let before = load_for(&master, 500).await;
    kill_master_once_replicated(master, &replica).await;
    cmd(&mut replica.client().await, &["REPLICAOF", "NO", "ONE"]).await;
    relay.retarget(replica.port);
    followed_to(m, &replica, &target, before).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sentinel_failover_is_followed_through_sentinel_with_no_full_sync() {
    // A master with a replica, watched by a real Sentinel. Ferry knows only the Sentinel: when the
    // master dies, the Sentinel promotes the replica and Ferry continues its stream there.
    let (master, replica, target) = replicated_source().await;
    let sentinel = support::Sentinel::start(master.port);
    let mut s_client =
        ferry::client::Client::connect(&ferry::endpoint::Endpoint::new("127.0.0.1", sentinel.port)).await.unwrap();
    // The Sentinel must know the replica (from the master's INFO) before it can promote it.
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let replicas = cmd(&mut s_client, &["SENTINEL", "REPLICAS", support::Sentinel::MASTER]).await;
        if matches!(&replicas, ferry::resp::Frame::Array(items) if !items.is_empty()) {
            break;
        }
        assert!(Instant::now() < deadline, "the Sentinel never saw the replica: {}", sentinel.log());
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let mut options = checkpoint_options(&master, &target);
    // The address Ferry is given is the Sentinel's; the master is asked for.
    options.source = ferry::endpoint::Endpoint::new("127.0.0.1", sentinel.port);
    options.sentinel = Some(ferry::model::SentinelSpec {
        nodes: vec![sentinel.addr()],
        master_name: support::Sentinel::MASTER.into(),
    });
    let m = incremental(Migration::start(options)).await;
    let before = load_for(&master, 500).await;
    kill_master_once_replicated(master, &replica).await;
    // The Sentinel notices (1 s), fails over, and names the replica.
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let named = cmd(&mut s_client, &["SENTINEL", "get-master-addr-by-name", support::Sentinel::MASTER]).await;
        let port = match &named {
            ferry::resp::Frame::Array(items) => items.get(1).and_then(|p| p.as_bytes()).map(|p| p.to_vec()),
            _ => None,
        };
        if port.as_deref() == Some(replica.port.to_string().as_bytes()) {
            break;
        }
        assert!(Instant::now() < deadline, "the Sentinel did not fail over: {}", sentinel.log());
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // (The Sentinel disconnected the promoted replica's clients when it reconfigured it; the
    // clients below are new.)
    let summary = followed_to(m, &replica, &target, before).await;
    assert!(summary.source.contains("Sentinel"), "{}", summary.source);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_source_restarted_with_its_aof_is_followed_exactly() {
    let mut source = RedisServer::start_args(&["--appendonly", "yes", "--appendfsync", "always"]);
    let target = RedisServer::start();
    fill_bulk(&mut source.client().await, 5_000).await;
    let m = incremental(Migration::start(checkpoint_options(&source, &target))).await;
    let (stop, writes) = support::write_load(source.client().await);
    tokio::time::sleep(Duration::from_millis(500)).await;
    stop.store(true, Ordering::Release);
    let before = writes.await.unwrap();
    source.restart(); // kill -9, then back from its AOF
    let (stop, writes) = support::write_load(source.client().await);
    tokio::time::sleep(Duration::from_millis(800)).await;
    stop.store(true, Ordering::Release);
    let after = writes.await.unwrap();
    let mut src = source.client().await;
    support::caught_up(&m, &mut src, 60).await;
    let (full, partial) = stats(&mut src).await;
    let notice = m.counters.snapshot().notice.map(|n| n.to_string()).unwrap_or_default();
    eprintln!("source restarted with its AOF: {full} full, {partial} partial resyncs since; {notice}");
    m.stop_for_good();
    m.wait().await.expect("ends cleanly");
    assert_identical(&source, &target, before + after).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_source_shut_down_and_restarted_from_its_rdb_continues_where_it_stopped() {
    // A shutdown writes the RDB with the replication id and offset; a master from 7.0 on reloads
    // them as its previous history and can continue a replica's stream (PSYNC2). Before 7.0 it
    // cannot: then a full sync over the cleared keyspace is the right answer.
    let mut source = RedisServer::start();
    let target = RedisServer::start();
    fill_bulk(&mut source.client().await, 5_000).await;
    let version = ferry::server::ServerInfo::fetch(&mut source.client().await).await.unwrap();
    let m = incremental(Migration::start(checkpoint_options(&source, &target))).await;
    let before = load_for(&source, 500).await;
    support::caught_up(&m, &mut source.client().await, 30).await;
    source.restart_gracefully();
    let after = load_for(&source, 800).await;
    let mut src = source.client().await;
    support::caught_up(&m, &mut src, 60).await;
    let (full, partial) = stats(&mut src).await;
    eprintln!("{version}: restarted from its RDB, then {full} full and {partial} partial resyncs");
    if version.at_least(7, 0) {
        assert_eq!((full, partial), (0, 1), "continued from the reloaded history, no full sync");
    } else {
        assert_eq!(full, 1, "a full sync where the source cannot continue");
    }
    m.stop_for_good();
    m.wait().await.expect("ends cleanly");
    assert_identical(&source, &target, before + after).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_cutover_passes_while_a_restarted_source_is_synced_again() {
    // The source restarts from its AOF with a new history: its offsets are not the applied
    // one's, and the target is cleared for a new snapshot. A cutover asked meanwhile once passed
    // (the old offset was "ahead" of the new source's) and ended the migration on an empty target.
    let mut source = RedisServer::start_args(&["--appendonly", "yes", "--appendfsync", "always"]);
    let target = RedisServer::start();
    fill_bulk(&mut source.client().await, 5_000).await;
    let m = incremental(Migration::start(checkpoint_options(&source, &target))).await;
    source.restart();
    cmd(&mut source.client().await, &["SET", "after:restart", "1"]).await;
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut refused = 0;
    loop {
        match m.cutover(false, Duration::from_secs(30)).await {
            Ok(_) => break,
            Err(ferry::pipeline::MigrateError::NotInSync(_)) => refused += 1,
            Err(e) => panic!("the cutover failed: {e}"),
        }
        assert!(Instant::now() < deadline, "never in sync again: {:?}", m.counters.snapshot());
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    m.wait().await.expect("ends cleanly");
    assert!(refused > 0, "the cutover was refused while the source was synced again");
    assert_identical(&source, &target, 0).await;
}
