//! What the checkpoint costs: the same full sync and the same burst of writes, with the incremental
//! sync applied in transactions with a checkpoint (the default, resumable) and without (command by
//! command), in one run on the same machine.
//!
//! For each mode: a fresh source with `FERRY_BENCH_KEYS` (default 200,000) keys, a migration into a
//! fresh target (its full-sync time), then a burst of `FERRY_BENCH_WRITES` (default 500,000) writes
//! (`SET`, `INCR`, `LPUSH` in turn) pipelined into the source: the time from the burst's start
//! until the target has applied the source's offset. Native replication of the same burst is shown
//! for scale. Run with `cargo bench --bench checkpoint`; `cargo test` runs a small smoke run.

#[path = "../tests/support/mod.rs"]
mod support;

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use bytes::Bytes;
use ferry::client::{info_field, Client};
use ferry::pipeline::{MigrateOptions, Migration, Phase};
use support::{cmd, RedisServer};

fn setting(name: &str, bench: usize, smoke: usize) -> usize {
    let default = if std::env::args().any(|a| a == "--bench") { bench } else { smoke };
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

async fn burst(client: &mut Client, writes: usize) {
    let b = |s: String| Bytes::from(s);
    let mut batch = Vec::with_capacity(1000);
    for i in 0..writes {
        batch.push(match i % 3 {
            0 => vec![b("SET".into()), b(format!("burst:{}", i % 50_000)), b(format!("value-{i}"))],
            1 => vec![b("INCR".into()), b("burst:counter".into())],
            _ => vec![b("LPUSH".into()), b(format!("burst:list:{}", i % 100)), b(i.to_string())],
        });
        if batch.len() == 1000 {
            support::pipeline(client, &batch).await;
            batch.clear();
        }
    }
    support::pipeline(client, &batch).await;
}

/// (full sync, catching up with the burst) for one mode.
async fn run(checkpoint: bool, keys: usize, writes: usize) -> (Duration, Duration) {
    let source = RedisServer::start_args(&["--repl-diskless-sync-delay", "0"]);
    let target = RedisServer::start();
    let mut src = source.client().await;
    support::data::fill_bulk(&mut src, keys).await;
    let mut options = MigrateOptions::new(source.endpoint(), target.endpoint());
    options.checkpoint = checkpoint;
    let m = Migration::start(options);
    while m.counters.phase() != Phase::Incremental {
        assert!(m.counters.phase() != Phase::Failed, "{:?}", m.counters.failure());
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let full_sync = Duration::from_millis(m.counters.snapshot().full_sync_ms.unwrap_or(0));
    let started = Instant::now();
    burst(&mut src, writes).await;
    let want = support::repl_offset(&mut src).await;
    while m.counters.applied_offset.load(Ordering::Acquire) < want {
        assert!(m.counters.phase() != Phase::Failed, "{:?}", m.counters.failure());
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    let caught_up = started.elapsed();
    m.stop_for_good();
    m.wait().await.expect("ends cleanly");
    let counter = cmd(&mut target.client().await, &["GET", "burst:counter"]).await.as_int();
    assert_eq!(counter, Some(((writes + 1) / 3) as i64), "every INCR applied once");
    (full_sync, caught_up)
}

/// Native replication of the same burst, for scale.
async fn native(keys: usize, writes: usize) -> Duration {
    let source = RedisServer::start_args(&["--repl-diskless-sync-delay", "0"]);
    let replica = RedisServer::start();
    let mut src = source.client().await;
    support::data::fill_bulk(&mut src, keys).await;
    let mut rep = replica.client().await;
    cmd(&mut rep, &["REPLICAOF", "127.0.0.1", &source.port.to_string()]).await;
    loop {
        let info = rep.info("replication").await.unwrap();
        if info_field(&info, "master_link_status") == Some("up") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let started = Instant::now();
    burst(&mut src, writes).await;
    let want = support::repl_offset(&mut src).await;
    loop {
        let info = rep.info("replication").await.unwrap();
        let at: u64 = info_field(&info, "slave_repl_offset").and_then(|o| o.parse().ok()).unwrap_or(0);
        if at >= want {
            return started.elapsed();
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let keys = setting("FERRY_BENCH_KEYS", 200_000, 5_000);
    let writes = setting("FERRY_BENCH_WRITES", 500_000, 9_000);
    let (plain_full, plain_burst) = run(false, keys, writes).await;
    let (tx_full, tx_burst) = run(true, keys, writes).await;
    let native = native(keys, writes).await;
    println!("{keys} keys, then a burst of {writes} writes (SET, INCR, LPUSH)");
    println!("                         full sync    burst caught up");
    println!("without checkpoint       {:>8.2} s    {:>8.2} s", plain_full.as_secs_f64(), plain_burst.as_secs_f64());
    println!("with checkpoint          {:>8.2} s    {:>8.2} s", tx_full.as_secs_f64(), tx_burst.as_secs_f64());
    println!("native replication                     {:>8.2} s", native.as_secs_f64());
    println!(
        "ratio with/without:      {:>8.2}      {:>8.2}",
        tx_full.as_secs_f64() / plain_full.as_secs_f64(),
        tx_burst.as_secs_f64() / plain_burst.as_secs_f64()
    );
}
