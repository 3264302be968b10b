//! What TLS costs: the same full sync over plain TCP and over TLS (source and target both), in one
//! run, on the same source.
//!
//! Loads `FERRY_BENCH_KEYS` (default 1,000,000) mixed keys into a source that listens on a plain port
//! and a TLS port (certificates made by the run), then migrates them into empty targets with
//! `cutover_when_synced`, alternating plain and TLS three times each, and prints each time, the
//! medians and their ratio. Run with `cargo bench --bench tls`. It prints figures; it asserts only
//! that every copy is complete.

#[path = "../tests/support/mod.rs"]
mod support;

use std::time::{Duration, Instant};

use bytes::Bytes;
use ferry::client::{keyspace_counts, Client};
use ferry::pipeline::{MigrateOptions, Migration};
use support::tls::{Pki, ServerCert, TlsServer};

/// `cargo bench` passes `--bench`; `cargo test` runs this binary without it, as a quick smoke run.
fn key_count() -> usize {
    let default = if std::env::args().any(|a| a == "--bench") { 1_000_000 } else { 20_000 };
    std::env::var("FERRY_BENCH_KEYS").ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

async fn keys(client: &mut Client) -> Vec<(u32, u64)> {
    keyspace_counts(&client.info("keyspace").await.expect("INFO keyspace"))
}

/// One migration into a new empty target; its time.
async fn run(pki: &Pki, source: &TlsServer, tls: bool, expected: &[(u32, u64)]) -> Duration {
    let target = TlsServer::start(pki, ServerCert::Valid, false);
    let (from, to) = match tls {
        true => (source.endpoint("localhost", pki.options(false)), target.endpoint("localhost", pki.options(false))),
        false => (source.server.endpoint(), target.server.endpoint()),
    };
    let mut options = MigrateOptions::new(from, to);
    options.cutover_when_synced = true;
    let t = Instant::now();
    Migration::start(options).wait().await.expect("the migration succeeds");
    let took = t.elapsed();
    assert_eq!(keys(&mut target.server.client().await).await, expected, "the target holds every key");
    took
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let n = key_count();
    let pki = Pki::new();
    let source = TlsServer::start(&pki, ServerCert::Valid, false);
    let mut src = source.server.client().await;
    // As `ferry migrate` would set it: no wait before the snapshot starts.
    src.request(&["CONFIG", "SET", "repl-diskless-sync-delay", "0"]).await.expect("CONFIG SET");
    for chunk in (0..n).collect::<Vec<_>>().chunks(1000) {
        let batch: Vec<Vec<Bytes>> = chunk.iter().flat_map(|&i| support::data::mixed_key(i)).collect();
        support::pipeline(&mut src, &batch).await;
    }
    let expected = keys(&mut src).await;
    let (mut plain, mut tls) = (Vec::new(), Vec::new());
    for round in 1..=3 {
        let p = run(&pki, &source, false, &expected).await;
        let t = run(&pki, &source, true, &expected).await;
        println!("round {round}: plain TCP {:.2} s, TLS {:.2} s", p.as_secs_f64(), t.as_secs_f64());
        plain.push(p);
        tls.push(t);
    }
    let (p, t) = (median(plain), median(tls));
    println!(
        "full sync of {n} keys, median of 3: plain TCP {:.2} s, TLS {:.2} s; TLS / plain = {:.2}",
        p.as_secs_f64(),
        t.as_secs_f64(),
        t.as_secs_f64() / p.as_secs_f64()
    );
}
