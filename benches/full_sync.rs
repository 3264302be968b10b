//! Full-sync benchmark: Ferry against native replication, on the same servers, in one run.
//!
//! Loads `FERRY_BENCH_KEYS` (default 1,000,000) mixed keys into a source — 60 % 100-byte strings, 10 %
//! each of 10-field hashes, 10-item lists, 10-member sets and 10-member zsets, 10 % of all keys with a
//! TTL — then runs (1) `ferry migrate --cutover-when-synced` into an empty target, timing its full sync
//! (connect to last key applied) and the whole run, and (2) `REPLICAOF`
//! of another empty server with `repl-diskless-sync-delay 0`, and prints both, their ratio, and
//! Ferry's peak RSS. Run with `cargo bench --bench full_sync`. It prints figures; it asserts only that
//! both copies are complete.

#[path = "../tests/support/mod.rs"]
mod support;

use std::time::Instant;

use bytes::Bytes;
use ferry::client::{info_field, keyspace_counts, Client};
use support::RedisServer;

/// `cargo bench` passes `--bench`; `cargo test` runs this binary without it, as a quick smoke run
/// that keeps the benchmark working.
fn key_count() -> usize {
    let default = if std::env::args().any(|a| a == "--bench") { 1_000_000 } else { 20_000 };
    std::env::var("FERRY_BENCH_KEYS").ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

async fn load(client: &mut Client, n: usize) {
    for chunk in (0..n).collect::<Vec<_>>().chunks(1000) {
        let batch: Vec<Vec<Bytes>> = chunk.iter().flat_map(|&i| support::data::mixed_key(i)).collect();
        support::pipeline(client, &batch).await;
    }
}

async fn keys(client: &mut Client) -> Vec<(u32, u64)> {
    keyspace_counts(&client.info("keyspace").await.expect("INFO keyspace"))
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let n = key_count();
    let source = RedisServer::start_args(&["--repl-diskless-sync-delay", "0"]);
    let mut src = source.client().await;
    let t = Instant::now();
    load(&mut src, n).await;
    let source_keys = keys(&mut src).await;
    let mem = src.info("memory").await.unwrap();
    println!(
        "dataset: {n} keys loaded in {:.1} s, used_memory {}",
        t.elapsed().as_secs_f64(),
        info_field(&mem, "used_memory_human").unwrap_or("?")
    );

    // Ferry, as a user runs it.
    let target = RedisServer::start();
    let (ferry_time, summary) = support::migrate_in_sync(&source.url(), &target.url());
    let mut tgt = target.client().await;
    assert_eq!(keys(&mut tgt).await, source_keys, "Ferry's target holds every key");
    let rss = summary["summary"]["peak_rss_bytes"].as_u64().unwrap_or(0);
    let t = Instant::now();
    let diffs = ferry::verify::compare_all(&mut src, &mut tgt, 2000).await.expect("verify");
    println!(
        "verify: {} differences between source and Ferry's target ({:.1} s)",
        diffs.len(),
        t.elapsed().as_secs_f64()
    );
    assert!(diffs.is_empty(), "first differences: {:?}", &diffs[..diffs.len().min(5)]);

    // Native replication into an empty server.
    let native_time = support::native_replication(&source, source_keys.iter().map(|(_, n)| n).sum()).await;

    let full_sync =
        summary["summary"]["progress"]["full_sync_ms"].as_u64().map(|ms| ms as f64 / 1000.0).unwrap_or(f64::NAN);
    let ratio = full_sync / native_time.as_secs_f64();
    println!(
        "ferry full sync:    {full_sync:.2} s ({:.0} keys/s), mode {} — from connecting to the last key applied",
        n as f64 / full_sync,
        summary["summary"]["mode"]
    );
    println!(
        "ferry migrate run:  {:.2} s in all (pre-check twice, parameters, full sync, cutover)",
        ferry_time.as_secs_f64()
    );
    println!("native replication: {:.2} s", native_time.as_secs_f64());
    println!("ratio ferry/native: {ratio:.2}");
    println!("ferry peak RSS:     {:.1} MB", rss as f64 / 1e6);
    println!("rdb bytes:          {}", summary["summary"]["progress"]["rdb_bytes"]);
}
