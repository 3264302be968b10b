//! Memory with big values: Ferry's peak RSS while it migrates `FERRY_BENCH_VALUES` (default 1,000)
//! strings of `FERRY_BENCH_VALUE_MB` (default 4) MB each, 4 GB in all, into a target that is slowed
//! down during the full sync (`CLIENT PAUSE 5000` on it, twice). What is in flight between the
//! source and the target is bounded by bytes, so the peak must not grow with the values' count or
//! the target's slowness: the goal is under 150 MB.
//!
//! Run with `cargo bench --bench big_values`. It prints figures and asserts only that the copy is
//! complete; `cargo test` runs it as a smoke run with 24 values.

#[path = "../tests/support/mod.rs"]
mod support;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use bytes::Bytes;
use support::{cmd, RedisServer};

fn setting(name: &str, bench: usize, smoke: usize) -> usize {
    let default = if std::env::args().any(|a| a == "--bench") { bench } else { smoke };
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// Bytes that do not compress (the RDB carries them whole), from a fixed seed.
fn noise(len: usize) -> Bytes {
    let mut x = 0x2545_f491_4f6c_dd1du64;
    let mut out = Vec::with_capacity(len + 8);
    while out.len() < len {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        out.extend_from_slice(&x.to_le_bytes());
    }
    out.truncate(len);
    Bytes::from(out)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let count = setting("FERRY_BENCH_VALUES", 1000, 24);
    let mb = setting("FERRY_BENCH_VALUE_MB", 4, 4);
    let source = RedisServer::start_args(&["--repl-diskless-sync-delay", "0"]);
    let target = RedisServer::start();
    let mut src = source.client().await;
    let value = noise(mb << 20);
    let t = Instant::now();
    for i in 0..count {
        let key = Bytes::from(format!("big:{i:05}"));
        src.request(&[Bytes::from_static(b"SET"), key, value.clone()]).await.expect("SET");
    }
    println!("dataset: {count} values of {mb} MB loaded in {:.1} s", t.elapsed().as_secs_f64());

    let data = tempfile::tempdir().expect("temp dir");
    let t = Instant::now();
    let child = Command::new(support::ferry_bin())
        .env("FERRY_DATA_DIR", data.path())
        .args(["migrate", "--source", &source.url(), "--target", &target.url(), "--cutover-when-synced", "--json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run ferry");
    // Slow the target down while the snapshot flows: writes wait, and must not pile up in Ferry.
    let mut tgt = target.client().await;
    let mut pauses = 0;
    while pauses < 2 && t.elapsed() < Duration::from_secs(600) {
        let keys = cmd(&mut tgt, &["DBSIZE"]).await.as_int().unwrap_or(0) as usize;
        if keys >= count {
            break;
        }
        if keys > count * (pauses + 1) / 4 {
            cmd(&mut tgt, &["CLIENT", "PAUSE", "5000"]).await;
            pauses += 1;
            tokio::time::sleep(Duration::from_millis(5200)).await;
        } else {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
    let out = tokio::task::spawn_blocking(move || child.wait_with_output().expect("wait for ferry")).await.unwrap();
    let took = t.elapsed();
    let summary = support::json_summary(&out);
    assert_eq!(cmd(&mut tgt, &["DBSIZE"]).await.as_int(), Some(count as i64), "every value reached the target");
    let rss = summary["summary"]["peak_rss_bytes"].as_u64().unwrap_or(0) as f64 / 1e6;
    let total_mb = (count * mb) as f64 * 1.048_576;
    println!("target paused {pauses} times for 5 s during the full sync");
    println!(
        "ferry migrate run:  {:.1} s for {total_mb:.0} MB ({:.0} MB/s)",
        took.as_secs_f64(),
        total_mb / took.as_secs_f64()
    );
    println!("ferry peak RSS:     {rss:.1} MB (goal: under 150 MB)");
}
