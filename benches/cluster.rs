//! Cluster benchmark: a 3-master source cluster into a 3-master target cluster, against native
//! replication of the same keys between two standalone servers, in one run (cluster nodes cannot
//! replicate across clusters).
//!
//! Loads `FERRY_BENCH_KEYS` (default 1,000,000) mixed keys (the full-sync benchmark's dataset)
//! into the source cluster, each through the master of its slot, and the same keys into a
//! standalone server; then times (1) `ferry migrate --cutover-when-synced` from cluster to cluster
//! (its full sync: from connecting to the last key applied on every target master) and (2)
//! `REPLICAOF` of an empty standalone server, and prints both, their ratio and Ferry's peak RSS.
//! Run with `cargo bench --bench cluster`. It prints figures; it asserts only that both copies
//! are complete.

#[path = "../tests/support/mod.rs"]
mod support;

use std::time::Instant;

use bytes::Bytes;
use ferry::client::{keyspace_counts, Client};
use support::cluster::RedisCluster;
use support::RedisServer;

/// `cargo bench` passes `--bench`; `cargo test` runs this binary without it, as a quick smoke run
/// that keeps the benchmark working.
fn key_count() -> usize {
    let default = if std::env::args().any(|a| a == "--bench") { 1_000_000 } else { 20_000 };
    std::env::var("FERRY_BENCH_KEYS").ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// Every key of the cluster's masters.
async fn cluster_keys(cluster: &RedisCluster) -> u64 {
    let mut total = 0;
    for master in cluster.masters().await {
        let mut client = Client::connect(&master).await.expect("connect to a master");
        total += keyspace_counts(&client.info("keyspace").await.expect("INFO")).iter().map(|(_, n)| n).sum::<u64>();
    }
    total
}

async fn load_cluster(cluster: &RedisCluster, n: usize) {
    let topology = cluster.topology().await;
    let mut clients = Vec::new();
    for master in topology.masters() {
        clients.push(Client::connect(master).await.expect("connect to a master"));
    }
    for chunk in (0..n).collect::<Vec<_>>().chunks(3000) {
        let mut batches: Vec<Vec<Vec<Bytes>>> = vec![Vec::new(); clients.len()];
        for commands in chunk.iter().map(|&i| support::data::mixed_key(i)) {
            let shard = topology.shard_of(ferry::cluster::slot(&commands[0][1]));
            batches[shard].extend(commands);
        }
        for (client, batch) in clients.iter_mut().zip(&batches) {
            support::pipeline(client, batch).await;
        }
    }
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let n = key_count();
    let binary = support::default_binary();
    let fast = ["--repl-diskless-sync-delay", "0"];
    let source = RedisCluster::start_args(&binary, 3, 0, &fast);
    let t = Instant::now();
    load_cluster(&source, n).await;
    let source_keys = cluster_keys(&source).await;
    println!("dataset: {n} keys in a 3-master cluster, loaded in {:.1} s", t.elapsed().as_secs_f64());

    let target = RedisCluster::start(3, 0);
    let (ferry_time, summary) = support::migrate_in_sync(&source.url(), &target.url());
    assert_eq!(cluster_keys(&target).await, source_keys, "Ferry's target cluster holds every key");

    // Native replication of the same keys between two standalone servers.
    let standalone = RedisServer::start_args(&fast);
    let mut src = standalone.client().await;
    for chunk in (0..n).collect::<Vec<_>>().chunks(3000) {
        let batch: Vec<Vec<Bytes>> = chunk.iter().flat_map(|&i| support::data::mixed_key(i)).collect();
        support::pipeline(&mut src, &batch).await;
    }
    let native = support::native_replication(&standalone, source_keys).await.as_secs_f64();

    let progress = &summary["summary"]["progress"];
    let full_sync = progress["full_sync_ms"].as_u64().map(|ms| ms as f64 / 1000.0).unwrap_or(f64::NAN);
    let rss = summary["summary"]["peak_rss_bytes"].as_u64().unwrap_or(0);
    println!("ferry full sync:    {full_sync:.2} s ({:.0} keys/s), 3 source masters in parallel", n as f64 / full_sync);
    println!(
        "ferry migrate run:  {:.2} s in all (pre-check twice, parameters, full sync, cutover)",
        ferry_time.as_secs_f64()
    );
    println!("native replication: {native:.2} s (standalone to standalone)");
    println!("ratio ferry/native: {:.2}", full_sync / native);
    println!("ferry peak RSS:     {:.1} MB", rss as f64 / 1e6);
    for shard in progress["shards"].as_array().into_iter().flatten() {
        println!("  {}: {} keys written", shard["name"].as_str().unwrap_or("?"), shard["keys_written"]);
    }
}
