//! Cluster targets against real servers: a 3-master Redis Cluster started by the test (`redis-cli
//! --cluster create`), a standalone source with several dbs mapped into db 0, writes running
//! throughout (non-idempotent ones, and commands across slots), then every key compared value by
//! value and TTL by TTL. Faults: the migration stopped and started again mid-stream (resume from
//! the per-slot checkpoints, exactly once), a cross-slot command that cannot be split.

mod support;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use ferry::client::{info_field, Client};
use ferry::filter::Filter;
use ferry::model::DbMapping;
use ferry::pipeline::{MigrateOptions, Migration, Phase, SlotCheckpoints};
use ferry::verify::{compare_key, Compare, KeyState};
use support::cluster::{contents, RedisCluster};
use support::data::{fill_all_types, fill_bulk};
use support::{cmd, incremental, RedisServer};

/// Non-idempotent writes until stopped, in several slots, and commands whose keys span slots.
fn load(mut client: Client) -> (Arc<AtomicBool>, tokio::task::JoinHandle<u64>) {
    let stop = Arc::new(AtomicBool::new(false));
    let flag = stop.clone();
    let task = tokio::spawn(async move {
        let mut n = 0u64;
        while !flag.load(Ordering::Acquire) {
            let i = n.to_string();
            cmd(&mut client, &["INCR", "load:counter"]).await;
            cmd(&mut client, &["INCR", &format!("load:counter:{}", n % 7)]).await;
            cmd(&mut client, &["LPUSH", "load:list", &i]).await;
            cmd(&mut client, &["XADD", "load:stream", "*", "n", &i]).await;
            // Keys in different slots in one command: split per slot on the way.
            cmd(&mut client, &["MSET", &format!("load:a:{i}"), &i, &format!("load:b:{i}"), &i]).await;
            if n % 3 == 0 {
                cmd(&mut client, &["DEL", &format!("load:a:{i}"), &format!("load:b:{i}")]).await;
            }
            cmd(&mut client, &["SET", &format!("load:ttl:{}", n % 50), &i, "PX", "600000"]).await;
            // A source transaction across slots.
            cmd(&mut client, &["MULTI"]).await;
            cmd(&mut client, &["INCR", "load:tx:x"]).await;
            cmd(&mut client, &["INCR", "load:tx:y"]).await;
            cmd(&mut client, &["EXEC"]).await;
            n += 1;
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        n
    });
    (stop, task)
}

/// Every key of the source's dbs (merged, as mapped into db 0).
async fn source_contents(source: &RedisServer) -> BTreeMap<Bytes, KeyState> {
    let mut client = source.client().await;
    let mut all = BTreeMap::new();
    for db in ["0", "1", "15"] {
        cmd(&mut client, &["SELECT", db]).await;
        let mut keys = Vec::new();
        let mut cursor = Bytes::from_static(b"0");
        loop {
            let reply = client.request(&[&b"SCAN"[..], &cursor, b"COUNT", b"1000"]).await.unwrap();
            let ferry::resp::Frame::Array(parts) = reply else { panic!("SCAN") };
            cursor = parts[0].as_bytes().cloned().unwrap();
            if let ferry::resp::Frame::Array(page) = &parts[1] {
                keys.extend(page.iter().filter_map(|k| k.as_bytes().cloned()));
            }
            if cursor.as_ref() == b"0" {
                break;
            }
        }
        let states = ferry::verify::read_keys(&mut client, &keys, false).await.unwrap();
        all.extend(keys.into_iter().zip(states).filter_map(|(k, s)| Some((k, s?))));
    }
    all
}

/// Both sides hold the same keys, value by value and TTL by TTL (within 1 s).
fn assert_equal(a: &BTreeMap<Bytes, KeyState>, b: &BTreeMap<Bytes, KeyState>) {
    let how = Compare { ttl_tolerance_ms: 1000, target_field_ttls: false, target_streams: true };
    let differences: Vec<_> = a
        .keys()
        .chain(b.keys().filter(|k| !a.contains_key(*k)))
        .filter_map(|k| compare_key(a.get(k), b.get(k), how).map(|d| (String::from_utf8_lossy(k).into_owned(), d)))
        .collect();
    let first = &differences[..differences.len().min(5)];
    assert!(differences.is_empty(), "{} of {} keys differ, first: {first:?}", differences.len(), a.len());
}

/// The cluster holds exactly the source's keys.
async fn assert_same(source: &RedisServer, cluster: &RedisCluster) {
    let source = source_contents(source).await;
    assert_equal(&source, &cluster.contents().await);
    assert!(source.len() > 100, "a real dataset: {}", source.len());
}

fn options(source: &RedisServer, cluster: &RedisCluster) -> MigrateOptions {
    let mut options = MigrateOptions::new(source.endpoint(), cluster.endpoint());
    let mapping = [DbMapping { source: 1, target: 0 }, DbMapping { source: 15, target: 0 }];
    options.filter = Filter::new(&mapping, &[], &[]);
    options.checkpoint_key = "ferry:checkpoint:cluster-test".into();
    options
}

async fn sync_full(source: &mut Client) -> u64 {
    let info = source.info("stats").await.unwrap();
    info_field(&info, "sync_full").and_then(|v| v.parse().ok()).unwrap_or(0)
}

async fn counter(cluster: &RedisCluster, key: &str) -> Option<i64> {
    cmd(&mut cluster.client_for(key).await, &["GET", key]).await.as_int()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_standalone_source_with_three_dbs_lands_in_a_three_master_cluster_under_writes() {
    let source = RedisServer::start();
    let cluster = RedisCluster::start(3, 0);
    let mut src = source.client().await;
    fill_all_types(&mut src).await;
    fill_bulk(&mut src, 3_000).await;
    let m = incremental(Migration::start(options(&source, &cluster))).await;
    let (stop, writes) = load(source.client().await);
    tokio::time::sleep(Duration::from_millis(1500)).await;
    stop.store(true, Ordering::Release);
    let writes = writes.await.unwrap();
    support::caught_up(&m, &mut src, 30).await;
    // Quiet: the bases move up to where the stream stands, so a restart would replay nothing.
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let key = Bytes::from_static(b"ferry:checkpoint:cluster-test");
    let saved = SlotCheckpoints::read(&cluster.topology().await, &key, None).await.unwrap();
    let base = saved.base.expect("base checkpoints");
    assert!(base.complete, "{base:?}");
    assert_eq!(base.offset, m.counters.applied_offset.load(Ordering::Acquire), "{base:?}");
    assert!(saved.slots.is_empty(), "no slot is ahead of the bases: {:?}", saved.slots.len());
    let progress = m.counters.snapshot();
    m.stop_for_good();
    m.wait().await.expect("ends cleanly");
    assert_same(&source, &cluster).await;
    assert_eq!(counter(&cluster, "load:counter").await, Some(writes as i64), "every INCR once");
    assert_eq!(counter(&cluster, "load:tx:y").await, Some(writes as i64));
    // Every master got its share, and the checkpoints left with the migration.
    for master in cluster.masters().await {
        let mut client = Client::connect(&master).await.unwrap();
        let keys = contents(&mut client).await.len();
        assert!(keys > 100, "{master:?} holds {keys} keys");
        let own = cmd(&mut client, &["KEYS", "ferry:*"]).await;
        assert_eq!(own, ferry::resp::Frame::Array(vec![]), "no checkpoint left on {master:?}");
    }
    let target_keys: u64 = progress.target_keys.iter().map(|(_, n)| n).sum();
    assert!(target_keys > 3_000, "the progress counts the keys of every master: {target_keys}");

    // Verify reads each key from the master of its slot: clean, then it sees what was changed.
    let filter = options(&source, &cluster).filter;
    let (from, into) = (source.endpoint(), cluster.endpoint());
    let verify = || async { ferry::console::verify_endpoints(&from, &into, &filter, &mut |_| {}).await };
    let report = verify().await.unwrap();
    assert!(report.identical() && report.keys_compared > 3_000, "{report:?}");
    cmd(&mut cluster.client_for("bulk:1").await, &["SET", "bulk:1", "changed"]).await;
    cmd(&mut cluster.client_for("bulk:2").await, &["DEL", "bulk:2"]).await;
    cmd(&mut cluster.client_for("only-on-target").await, &["SET", "only-on-target", "x"]).await;
    let report = verify().await.unwrap();
    assert_eq!((report.different, report.missing, report.extra), (1, 1, 1), "{:?}", report.differences);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stopped_and_started_again_mid_stream_it_resumes_from_the_slot_checkpoints_exactly_once() {
    let source = RedisServer::start();
    let cluster = RedisCluster::start(3, 0);
    let mut src = source.client().await;
    fill_bulk(&mut src, 3_000).await;
    let mut m = incremental(Migration::start(options(&source, &cluster))).await;
    let full = sync_full(&mut src).await;
    let (stop, writes) = load(source.client().await);
    for round in 0..3 {
        tokio::time::sleep(Duration::from_millis(400)).await;
        // Stopped with writes coming: the base checkpoints stay behind the slots' own, so the
        // next start replays from the base and must skip, slot by slot, what is applied already.
        m.stop();
        m.wait().await.expect("ends cleanly");
        m = incremental(Migration::start(options(&source, &cluster))).await;
        let notice = m.counters.snapshot().notice.map(|n| n.to_string()).unwrap_or_default();
        assert!(notice.contains("resumed at offset"), "round {round}: {notice}");
    }
    tokio::time::sleep(Duration::from_millis(400)).await;
    stop.store(true, Ordering::Release);
    let writes = writes.await.unwrap();
    support::caught_up(&m, &mut src, 30).await;
    assert_eq!(sync_full(&mut src).await, full, "no full sync: every start resumed");
    m.stop_for_good();
    m.wait().await.expect("ends cleanly");
    assert_same(&source, &cluster).await;
    assert_eq!(counter(&cluster, "load:counter").await, Some(writes as i64), "every INCR exactly once");
    for i in 0..7 {
        let expected = (0..writes).filter(|n| n % 7 == i).count() as i64;
        let key = format!("load:counter:{i}");
        assert_eq!(counter(&cluster, &key).await, (expected > 0).then_some(expected), "{key}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn source_dbs_not_mapped_into_db_0_are_named_before_anything_is_written() {
    let source = RedisServer::start();
    let cluster = RedisCluster::start(3, 0);
    let mut src = source.client().await;
    fill_all_types(&mut src).await; // dbs 0, 1 and 15
    let mut options = options(&source, &cluster);
    options.filter = Filter::default();
    let err = Migration::start(options).wait().await.unwrap_err().to_string();
    assert!(err.contains("db 1, 15") && err.contains("--db-map 1:0,15:0"), "{err}");
    assert!(cluster.contents().await.is_empty(), "nothing written");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cross_slot_command_that_cannot_be_split_stops_the_migration_and_names_it() {
    let source = RedisServer::start();
    let cluster = RedisCluster::start(3, 0);
    let mut src = source.client().await;
    cmd(&mut src, &["SET", "a", "1"]).await;
    let m = incremental(Migration::start(options(&source, &cluster))).await;
    cmd(&mut src, &["RENAME", "a", "b"]).await; // "a" and "b" hash to different slots
    let err = m.wait().await.unwrap_err().to_string();
    assert!(err.contains("RENAME") && err.contains("different hash slots"), "{err}");
    // Nothing of it half-applied: "a" is still where it was.
    assert_eq!(
        cmd(&mut cluster.client_for("a").await, &["GET", "a"]).await.as_bytes().map(|b| b.to_vec()),
        Some(b"1".to_vec())
    );
}

/// Under the load until it is stopped, something happens to the target cluster; then the target
/// equals the source with every INCR applied once, and the source did not sync in full again.
/// Returns how many times the migration resumed from the target's checkpoints.
async fn through(source: &RedisServer, cluster: &mut RedisCluster, fault: impl AsyncFnOnce(&mut RedisCluster)) -> u64 {
    let mut src = source.client().await;
    fill_bulk(&mut src, 3_000).await;
    let m = incremental(Migration::start(options(source, cluster))).await;
    let full = sync_full(&mut src).await;
    let (stop, writes) = load(source.client().await);
    tokio::time::sleep(Duration::from_millis(500)).await;
    fault(cluster).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    stop.store(true, Ordering::Release);
    let writes = writes.await.unwrap();
    support::caught_up(&m, &mut src, 60).await;
    let progress = m.counters.snapshot();
    let notice = progress.notice.map(|n| n.to_string()).unwrap_or_default();
    assert_eq!(sync_full(&mut src).await, full, "no full sync: resumed from the checkpoints ({notice})");
    m.stop_for_good();
    m.wait().await.expect("ends cleanly");
    assert_same(source, cluster).await;
    assert_eq!(counter(cluster, "load:counter").await, Some(writes as i64), "every INCR exactly once");
    assert_eq!(counter(cluster, "load:tx:x").await, Some(writes as i64));
    eprintln!("{writes} rounds of writes, {} resumes; {notice}", progress.resumes);
    progress.resumes
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_target_master_killed_and_replaced_by_its_replica_loses_and_doubles_nothing() {
    let source = RedisServer::start();
    let mut cluster = RedisCluster::start(3, 1);
    // The node the migration was given: it must go on through the others.
    let resumes = through(&source, &mut cluster, async |cluster: &mut RedisCluster| {
        cluster.kill9(0);
        cluster.wait_ok();
    })
    .await;
    assert!(resumes >= 1, "the lost master ended a session: {resumes}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn target_slots_resharded_during_the_sync_lose_and_double_nothing() {
    let source = RedisServer::start();
    let mut cluster = RedisCluster::start(3, 0);
    let resumes = through(&source, &mut cluster, async |cluster: &mut RedisCluster| cluster.reshard(1000).await).await;
    assert!(resumes >= 1, "the moved slots redirected writes, which ended a session: {resumes}");
    let served: Vec<usize> = cluster
        .topology()
        .await
        .shards
        .iter()
        .map(|s| s.ranges.iter().map(|(a, b)| (b - a + 1) as usize).sum())
        .collect();
    assert!(served.iter().any(|&n| n > 6000), "a master serves the moved slots too: {served:?}");
}

/// Each master of a cluster, connected.
async fn master_clients(cluster: &RedisCluster) -> (ferry::cluster::Topology, Vec<Client>) {
    let topology = cluster.topology().await;
    let mut clients = Vec::new();
    for master in topology.masters() {
        clients.push(Client::connect(master).await.unwrap());
    }
    (topology, clients)
}

/// Fills a cluster with `n` small keys and every type, each through the master of its slot.
async fn fill_cluster(cluster: &RedisCluster, n: usize) {
    let (topology, mut clients) = master_clients(cluster).await;
    let mut batches: Vec<Vec<Vec<Bytes>>> = vec![Vec::new(); clients.len()];
    let mut put = |argv: Vec<Bytes>| {
        let ferry::cluster::SlotsOf::One(slot) = ferry::cluster::slot_of_command(&argv) else { panic!("{argv:?}") };
        batches[topology.shard_of(slot)].push(argv)
    };
    for i in 0..n {
        put(support::argv(&["SET", &format!("bulk:{i}"), &format!("value-{i}")]));
    }
    put(support::argv(&["RPUSH", "type:list", "a", "b", "c"]));
    put(support::argv(&["SADD", "type:set", "a", "b"]));
    put(support::argv(&["ZADD", "type:zset", "1", "a", "2.5", "b"]));
    put(support::argv(&["HSET", "type:hash", "f", "v", "g", "w"]));
    put(support::argv(&["XADD", "type:stream", "1-1", "f", "v"]));
    put(support::argv(&["XGROUP", "CREATE", "type:stream", "g", "0"]));
    put(support::argv(&["SET", "type:ttl", "v", "PX", "3600000"]));
    for (client, batch) in clients.iter_mut().zip(batches) {
        support::pipeline(client, &batch).await;
    }
}

/// Non-idempotent writes to a cluster source until stopped, each through the master of its slot,
/// a transaction on one slot among them.
async fn cluster_load(cluster: &RedisCluster) -> (Arc<AtomicBool>, tokio::task::JoinHandle<u64>) {
    let (topology, mut clients) = master_clients(cluster).await;
    let stop = Arc::new(AtomicBool::new(false));
    let flag = stop.clone();
    let task = tokio::spawn(async move {
        let mut n = 0u64;
        while !flag.load(Ordering::Acquire) {
            let i = n.to_string();
            let writes = [
                support::argv(&["INCR", "load:counter"]),
                support::argv(&["INCR", &format!("load:counter:{}", n % 7)]),
                support::argv(&["LPUSH", "load:list", &i]),
                support::argv(&["XADD", "load:stream", "*", "n", &i]),
                support::argv(&["SET", &format!("load:ttl:{}", n % 50), &i, "PX", "600000"]),
                support::argv(&["SET", &format!("load:gone:{i}"), &i]),
                support::argv(&["DEL", &format!("load:gone:{}", n.saturating_sub(1))]),
            ];
            for argv in writes {
                let client = &mut clients[topology.shard_of(ferry::cluster::slot(&argv[1]))];
                support::pipeline(client, &[argv]).await;
            }
            let tx = &mut clients[topology.shard_of(ferry::cluster::slot(b"{load:tx}"))];
            let commands = [
                support::argv(&["MULTI"]),
                support::argv(&["INCR", "{load:tx}x"]),
                support::argv(&["INCR", "{load:tx}y"]),
                support::argv(&["EXEC"]),
            ];
            support::pipeline_any(tx, &commands).await;
            n += 1;
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        n
    });
    (stop, task)
}

/// Until the target has applied every source master's offset as it is now.
async fn caught_up_with(m: &Migration, source: &RedisCluster, secs: u64) {
    let (_, mut clients) = master_clients(source).await;
    let mut want = 0;
    for client in &mut clients {
        want += support::repl_offset(client).await;
    }
    let deadline = Instant::now() + Duration::from_secs(secs);
    while m.counters.phase() != Phase::Incremental || m.counters.applied_offset.load(Ordering::Acquire) < want {
        assert!(m.counters.phase() != Phase::Failed, "the migration failed: {:?}", m.counters.failure());
        assert!(Instant::now() < deadline, "not caught up with {want} in {secs} s: {:?}", m.counters.snapshot());
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Every key of a server's db 0, or of every master of a cluster.
async fn everything(endpoint: &ferry::endpoint::Endpoint) -> BTreeMap<Bytes, KeyState> {
    let mut all = BTreeMap::new();
    let servers = match ferry::cluster::discover(endpoint).await.unwrap() {
        Some(topology) => topology.masters().cloned().collect(),
        None => vec![endpoint.clone()],
    };
    for server in servers {
        all.extend(contents(&mut Client::connect(&server).await.unwrap()).await);
    }
    all
}

/// A cluster source under writes into `target`: every key equal, every INCR once, a row per master.
async fn cluster_into(source: &RedisCluster, target: ferry::endpoint::Endpoint) {
    fill_cluster(source, 3_000).await;
    let mut options = MigrateOptions::new(source.endpoint(), target.clone());
    options.checkpoint_key = "ferry:checkpoint:cluster-source".into();
    let m = incremental(Migration::start(options)).await;
    let (stop, writes) = cluster_load(source).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    stop.store(true, Ordering::Release);
    let writes = writes.await.unwrap();
    caught_up_with(&m, source, 30).await;
    let progress = m.counters.snapshot();
    assert_eq!(progress.shards.len(), source.masters, "a row per source master: {:?}", progress.shards);
    assert!(
        progress.shards.iter().all(|s| s.phase == Phase::Incremental && s.keys_written > 500),
        "{:?}",
        progress.shards
    );
    m.stop_for_good();
    let summary = m.wait().await.expect("ends cleanly");
    assert!(summary.snapshot_complete);
    let (a, b) = (everything(&source.endpoint()).await, everything(&target).await);
    assert_equal(&a, &b);
    assert!(a.len() > 3_000, "{}", a.len());
    let get = |map: &BTreeMap<Bytes, KeyState>, key: &str| map.get(key.as_bytes()).map(|s| s.data.clone());
    assert_eq!(get(&b, "load:counter"), Some(ferry::verify::Data::String(Bytes::from(writes.to_string()))));
    assert_eq!(get(&b, "{load:tx}y"), Some(ferry::verify::Data::String(Bytes::from(writes.to_string()))));
    let report =
        ferry::console::verify_endpoints(&source.endpoint(), &target, &Filter::default(), &mut |_| {}).await.unwrap();
    assert!(report.identical(), "{report:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_three_master_cluster_lands_in_a_four_master_cluster_under_writes() {
    let (source, target) = (RedisCluster::start(3, 0), RedisCluster::start(4, 0));
    cluster_into(&source, target.endpoint()).await;
    for master in target.masters().await {
        let own = cmd(&mut Client::connect(&master).await.unwrap(), &["KEYS", "ferry:*"]).await;
        assert_eq!(own, ferry::resp::Frame::Array(vec![]), "no checkpoint left on {master:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_three_master_cluster_lands_in_one_standalone_server_under_writes() {
    let (source, target) = (RedisCluster::start(3, 0), RedisServer::start());
    cluster_into(&source, target.endpoint()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slots_moving_on_the_source_stop_the_migration_and_say_why() {
    let (source, target) = (RedisCluster::start(3, 0), RedisServer::start());
    fill_cluster(&source, 1_000).await;
    let mut options = MigrateOptions::new(source.endpoint(), target.endpoint());
    options.checkpoint_key = "ferry:checkpoint:cluster-source".into();
    let m = incremental(Migration::start(options)).await;
    source.reshard(100).await;
    let err = tokio::time::timeout(Duration::from_secs(30), m.wait()).await.expect("stops").unwrap_err().to_string();
    assert!(err.contains("slots moved between the source's masters"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ferry_migrate_from_a_cluster_reports_each_master_and_ends_in_sync() {
    let (source, target) = (RedisCluster::start(3, 0), RedisServer::start());
    fill_cluster(&source, 2_000).await;
    let (_, summary) = support::migrate_in_sync(&source.url(), &target.url());
    let shards = summary["summary"]["progress"]["shards"].as_array().expect("a row per master").clone();
    assert_eq!(shards.len(), 3, "{shards:?}");
    let written: u64 = shards.iter().map(|s| s["keys_written"].as_u64().unwrap()).sum();
    assert_eq!(written, 2_006, "2,000 strings and a key of each other type: {shards:?}");
    assert!(shards.iter().all(|s| s["master"].as_str().is_some_and(|m| m.starts_with("127.0.0.1:"))), "{shards:?}");
    assert_eq!(cmd(&mut target.client().await, &["DBSIZE"]).await.as_int(), Some(2_006));
    // Each master's checkpoint left the target with the migration.
    assert_eq!(cmd(&mut target.client().await, &["KEYS", "ferry:*"]).await, ferry::resp::Frame::Array(vec![]));
}

/// The sum of a stats field over the nodes but one.
async fn stat_sum(cluster: &RedisCluster, field: &str, except: usize) -> u64 {
    let mut sum = 0;
    for (_, node) in cluster.nodes.iter().enumerate().filter(|&(i, _)| i != except) {
        let info = node.client().await.info("stats").await.unwrap();
        sum += info_field(&info, field).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
    }
    sum
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_source_master_failing_over_is_followed_to_its_replica_without_a_full_sync() {
    let (mut source, target) = (RedisCluster::start(3, 1), RedisServer::start());
    fill_cluster(&source, 1_000).await;
    let mut options = MigrateOptions::new(source.endpoint(), target.endpoint());
    options.checkpoint_key = "ferry:checkpoint:cluster-source".into();
    let m = incremental(Migration::start(options)).await;
    let (stop, writes) = cluster_load(&source).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    stop.store(true, Ordering::Release);
    let before = writes.await.unwrap();
    caught_up_with(&m, &source, 30).await;
    // The replica of the node the migration was given holds everything, then that master dies.
    let mut master = source.nodes[0].client().await;
    let offset = support::repl_offset(&mut master).await;
    let deadline = Instant::now() + Duration::from_secs(10);
    while !info_field(&master.info("replication").await.unwrap(), "slave0")
        .is_some_and(|s| s.contains(&format!("offset={offset},")))
    {
        assert!(Instant::now() < deadline, "the replica did not catch up");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // Counted on the nodes that stay.
    let full = stat_sum(&source, "sync_full", 0).await;
    source.kill9(0);
    source.wait_ok();
    let (stop, writes) = cluster_load(&source).await;
    tokio::time::sleep(Duration::from_millis(800)).await;
    stop.store(true, Ordering::Release);
    let after = writes.await.unwrap();
    caught_up_with(&m, &source, 60).await;
    assert_eq!(stat_sum(&source, "sync_full", 0).await, full, "the promoted replica continued the stream (PSYNC2)");
    assert!(stat_sum(&source, "sync_partial_ok", 0).await >= 1);
    m.stop_for_good();
    m.wait().await.expect("ends cleanly");
    let (a, b) = (everything(&source.endpoint_alive().await).await, everything(&target.endpoint()).await);
    assert_equal(&a, &b);
    let counter = b.get(&b"load:counter"[..]).map(|s| s.data.clone());
    assert_eq!(counter, Some(ferry::verify::Data::String(Bytes::from((before + after).to_string()))));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn functions_reach_every_target_master() {
    let (source, cluster) = (RedisServer::start(), RedisCluster::start(3, 0));
    let mut src = source.client().await;
    let library = "#!lua name=ferrylib\nredis.register_function('ferry_echo', function(keys, args) return args[1] end)";
    cmd(&mut src, &["FUNCTION", "LOAD", library]).await;
    cmd(&mut src, &["SET", "k", "v"]).await;
    let m = incremental(Migration::start(options(&source, &cluster))).await;
    // One loaded during the incremental sync too.
    let later = "#!lua name=laterlib\nredis.register_function('ferry_later', function(keys, args) return 1 end)";
    cmd(&mut src, &["FUNCTION", "LOAD", later]).await;
    support::caught_up(&m, &mut src, 30).await;
    m.stop_for_good();
    m.wait().await.expect("ends cleanly");
    for master in cluster.masters().await {
        let mut client = Client::connect(&master).await.unwrap();
        let listed = format!("{:?}", cmd(&mut client, &["FUNCTION", "LIST"]).await);
        assert!(listed.contains("ferrylib") && listed.contains("laterlib"), "{master:?}: {listed}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn read_from_the_replicas_the_masters_serve_no_sync_and_the_cutover_holds_the_masters() {
    let (source, target) = (RedisCluster::start(3, 1), RedisServer::start());
    fill_cluster(&source, 1_000).await;
    // Each master has served its replica's sync only.
    let topology = source.topology().await;
    let syncs = |node: ferry::endpoint::Endpoint| async move {
        let info = Client::connect(&node).await.unwrap().info("stats").await.unwrap();
        let stat = |name| info_field(&info, name).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
        stat("sync_full") + stat("sync_partial_ok")
    };
    let mut before = Vec::new();
    for master in topology.masters() {
        before.push(syncs(master.clone()).await);
    }
    let mut options = MigrateOptions::new(source.endpoint(), target.endpoint());
    options.checkpoint_key = "ferry:checkpoint:cluster-source".into();
    options.from_replicas = true;
    let m = incremental(Migration::start(options)).await;
    let (stop, writes) = cluster_load(&source).await;
    tokio::time::sleep(Duration::from_millis(800)).await;
    stop.store(true, Ordering::Release);
    let writes = writes.await.unwrap();
    let rows = m.counters.snapshot().shards;
    let replicas: Vec<String> = topology.shards.iter().flat_map(|s| s.replicas.iter().map(|r| r.addr())).collect();
    assert!(rows.iter().all(|r| replicas.contains(&r.read_from)), "read from the replicas {replicas:?}: {rows:?}");
    for (master, was) in topology.masters().zip(&before) {
        assert_eq!(syncs(master.clone()).await, *was, "{master:?} served no sync to Ferry");
    }
    // The cutover pauses the masters (where writes happen) and waits for their offsets.
    let (outcome, pause) = m.cutover(true, Duration::from_secs(30)).await.expect("cutover");
    assert!(outcome.paused && outcome.final_lag_bytes == 0, "{outcome:?}");
    pause.end().await;
    m.wait().await.expect("ends cleanly");
    let (a, b) = (everything(&source.endpoint()).await, everything(&target.endpoint()).await);
    assert_equal(&a, &b);
    let counter = b.get(&b"load:counter"[..]).map(|s| s.data.clone());
    assert_eq!(counter, Some(ferry::verify::Data::String(Bytes::from(writes.to_string()))));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ferry_migrate_into_a_cluster_takes_the_db_map_its_pre_check_asks_for() {
    let (source, cluster) = (RedisServer::start(), RedisCluster::start(3, 0));
    let mut src = source.client().await;
    fill_bulk(&mut src, 300).await;
    cmd(&mut src, &["SELECT", "1"]).await;
    cmd(&mut src, &["SET", "from-db-1", "v"]).await;
    let data = tempfile::tempdir().unwrap();
    let (from, into) = (source.url(), cluster.url());
    let migrate = |extra: &[&str]| {
        let mut args = vec!["migrate", "--source", &from, "--target", &into, "--cutover-when-synced"];
        args.extend_from_slice(extra);
        std::process::Command::new(support::ferry_bin())
            .env("FERRY_DATA_DIR", data.path())
            .args(&args)
            .output()
            .unwrap()
    };
    let refused = migrate(&[]);
    let said = String::from_utf8_lossy(&refused.stderr).into_owned() + &String::from_utf8_lossy(&refused.stdout);
    assert_eq!(refused.status.code(), Some(1), "{said}");
    assert!(said.contains("--db-map 1:0"), "{said}");
    let done = migrate(&["--db-map", "1:0"]);
    assert_eq!(done.status.code(), Some(0), "{}", String::from_utf8_lossy(&done.stderr));
    assert_eq!(cluster.contents().await.len(), 301);
}
