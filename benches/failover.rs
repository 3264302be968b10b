//! Hot-standby benchmark: failover drills and proxy throughput, on real servers, in one run.
//!
//! 1. Drills, in async mode, in sync-writes mode, and in Sentinel mode (three redis-sentinels decide,
//!    the proxy follows; with sync writes): four clients INCR their own counters through the
//!    proxy; the master is killed with SIGKILL; the clock runs from the kill to the first write the
//!    new master answers. The killed server is restarted at once (empty, as without persistence),
//!    fenced and re-armed as the standby, so the next drill kills the other server. Per mode it prints
//!    the failover time (p50, p99, max), client-visible errors per drill, and acknowledged writes lost
//!    (the last value a client saw acknowledged against what the new master holds).
//! 2. Throughput: `redis-benchmark -t set,get -c 50` with `-P 1` and `-P 16`, straight at the master
//!    and through the proxy, and the ratio; and, as the bound any proxy on this machine works under,
//!    through a bare byte forwarder (`copy_bidirectional`, no parsing, no failover).
//!
//! `cargo bench --bench failover` runs 20 drills per mode (`-- drills` or `-- throughput` runs one
//! part); `cargo test` runs this binary without `--bench` as a smoke run (2 drills per mode, short
//! throughput runs) that keeps it working. It prints figures and asserts only that every drill failed
//! over and re-armed.

#[path = "../tests/support/mod.rs"]
mod support;

use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use ferry::client::{info_field, Client};
use ferry::endpoint::Endpoint;
use ferry::ha::supervisor::StandbyState;
use ferry::ha::{self, HaHandle, HaOptions};
use ferry::resp::Frame;
use support::{cmd, RedisServer};

const WRITERS: usize = 4;

fn full_run() -> bool {
    std::env::args().any(|a| a == "--bench")
}

/// What one writer saw during a drill.
#[derive(Default)]
struct Seen {
    /// The highest counter value acknowledged (an integer reply).
    last_acked: i64,
    /// When the first write sent after the kill was answered by a live master (acknowledged, or
    /// `-UNCERTAIN` after the reply was due: it ran, unconfirmed).
    first_after_kill: Option<Instant>,
    /// Replies that were errors, and transport failures.
    in_flight: usize,
    unconfirmed: usize,
    other_errors: usize,
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// INCRs `ctr:<n>` through the proxy until `stop`; reconnects after a transport error.
async fn writer(
    proxy: Endpoint,
    n: usize,
    stop: Arc<AtomicBool>,
    killed: Arc<std::sync::Mutex<Option<Instant>>>,
) -> Seen {
    let key = format!("ctr:{n}");
    let mut seen = Seen::default();
    let mut client: Option<Client> = None;
    while !stop.load(Ordering::SeqCst) {
        let Some(c) = client.as_mut() else {
            client = Client::connect_with_timeout(&proxy, Duration::from_secs(3)).await.ok();
            if client.is_none() {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            continue;
        };
        let sent = Instant::now();
        let reply = c.raw_request(&["INCR", key.as_str()]).await;
        let after_kill = killed.lock().ok().and_then(|k| *k).is_some_and(|k| sent >= k);
        match reply {
            Ok(Frame::Integer(v)) => {
                seen.last_acked = seen.last_acked.max(v);
                if after_kill && seen.first_after_kill.is_none() {
                    seen.first_after_kill = Some(Instant::now());
                }
            }
            Ok(Frame::Error(e)) if e.starts_with(b"UNCERTAIN") && contains(&e, b"did not confirm") => {
                seen.unconfirmed += 1;
                if after_kill && seen.first_after_kill.is_none() {
                    seen.first_after_kill = Some(Instant::now());
                }
            }
            Ok(Frame::Error(e)) if e.starts_with(b"UNCERTAIN") => seen.in_flight += 1,
            Ok(_) => seen.other_errors += 1,
            Err(_) => {
                seen.other_errors += 1;
                client = None;
            }
        }
    }
    seen
}

async fn pair() -> (RedisServer, RedisServer) {
    let args = ["--repl-diskless-sync-delay", "0"];
    let (a, b) = (RedisServer::start_args(&args), RedisServer::start_args(&args));
    cmd(&mut b.client().await, &["REPLICAOF", "127.0.0.1", &a.port.to_string()]).await;
    (a, b)
}

async fn wait_ready(handle: &HaHandle, within: Duration) -> bool {
    let deadline = Instant::now() + within;
    while Instant::now() < deadline {
        if handle.standby().state == StandbyState::Ready {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    false
}

struct DrillResult {
    failover: Duration,
    in_flight: usize,
    unconfirmed: usize,
    other_errors: usize,
    lost: i64,
}

/// Whether the server that is not the route's master is a synced replica of it (Sentinel mode,
/// where Sentinel, not the proxy, re-arms a returning server).
async fn replica_synced(handle: &HaHandle, servers: &[RedisServer; 2], within: Duration) -> bool {
    let deadline = Instant::now() + within;
    while Instant::now() < deadline {
        let master = handle.route().master.port;
        if let Some(other) = servers.iter().find(|s| s.port != master) {
            if let Ok(mut c) = Client::connect(&other.endpoint()).await {
                let info = c.info("replication").await.unwrap_or_default();
                let port = master.to_string();
                if info_field(&info, "master_link_status") == Some("up")
                    && info_field(&info, "master_port") == Some(port.as_str())
                {
                    return true;
                }
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    false
}

async fn drill(handle: &HaHandle, servers: &mut [RedisServer; 2], sentinel: bool) -> DrillResult {
    let ready = match sentinel {
        true => replica_synced(handle, servers, Duration::from_secs(30)).await,
        false => wait_ready(handle, Duration::from_secs(20)).await,
    };
    assert!(ready, "the standby did not become ready");
    let proxy = Endpoint::new("127.0.0.1", handle.local_addr().port());
    let stop = Arc::new(AtomicBool::new(false));
    let killed = Arc::new(std::sync::Mutex::new(None));
    let writers: Vec<_> =
        (0..WRITERS).map(|n| tokio::spawn(writer(proxy.clone(), n, stop.clone(), killed.clone()))).collect();
    tokio::time::sleep(Duration::from_millis(300)).await;

    let epoch = handle.route().epoch;
    let master_port = handle.route().master.port;
    let victim = servers.iter_mut().position(|s| s.port == master_port).expect("the master is one of ours");
    servers[victim].kill9();
    let killed_at = Instant::now();
    if let Ok(mut k) = killed.lock() {
        *k = Some(killed_at);
    }
    let deadline = killed_at + Duration::from_secs(30);
    while handle.route().epoch == epoch && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    assert!(handle.route().epoch > epoch, "no failover within 30 s");
    // The killed server comes back empty, as a crashed master without persistence does; the
    // supervisor fences it and re-arms it as the standby.
    servers[victim].restart();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    stop.store(true, Ordering::SeqCst);
    let mut seen = Vec::new();
    for w in writers {
        seen.push(w.await.expect("a writer"));
    }
    let new_master = Endpoint::new("127.0.0.1", handle.route().master.port);
    let mut c = Client::connect(&new_master).await.expect("the new master");
    let mut lost = 0;
    for (n, s) in seen.iter().enumerate() {
        let kept = match cmd(&mut c, &["GET", &format!("ctr:{n}")]).await {
            Frame::Bulk(v) => String::from_utf8_lossy(&v).parse::<i64>().unwrap_or(0),
            _ => 0,
        };
        lost += (s.last_acked - kept).max(0);
    }
    let first = seen.iter().filter_map(|s| s.first_after_kill).min().expect("a write after the kill");
    DrillResult {
        failover: first - killed_at,
        in_flight: seen.iter().map(|s| s.in_flight).sum(),
        unconfirmed: seen.iter().map(|s| s.unconfirmed).sum(),
        other_errors: seen.iter().map(|s| s.other_errors).sum(),
        lost,
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

async fn drills(mode: &str, sync_writes: Option<Duration>, count: usize, sentinel: bool) {
    let (a, b) = pair().await;
    let mut options = HaOptions::new(a.endpoint(), b.endpoint());
    options.sync_writes = sync_writes;
    // Sentinel mode: three Sentinels (quorum 2, down after 1 s) decide; the proxy follows them.
    let sentinels = if sentinel { support::Sentinel::start_group(a.port, 3, 2) } else { Vec::new() };
    for s in &sentinels {
        s.wait_for_peers(2, 1).await;
    }
    if sentinel {
        let nodes = sentinels.iter().map(|s| s.addr()).collect();
        options.sentinel =
            Some(ferry::model::SentinelSpec { nodes, master_name: support::Sentinel::MASTER.to_string() });
    }
    let handle = ha::start(options).await.expect("start the hot standby");
    let mut servers = [a, b];
    let mut results = Vec::new();
    for _ in 0..count {
        results.push(drill(&handle, &mut servers, sentinel).await);
    }
    let mut times: Vec<Duration> = results.iter().map(|r| r.failover).collect();
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let per = |f: fn(&DrillResult) -> usize| {
        let v: Vec<usize> = results.iter().map(f).collect();
        format!("mean {:.1}, max {}", v.iter().sum::<usize>() as f64 / v.len() as f64, v.iter().max().unwrap_or(&0))
    };
    println!("{mode}: {count} drills (kill -9 of the master, {WRITERS} clients writing through the proxy)");
    println!(
        "  failover, kill → first write answered by the new master: p50 {:.0} ms, p99 {:.0} ms, max {:.0} ms",
        ms(percentile(&times, 50.0)),
        ms(percentile(&times, 99.0)),
        ms(times[times.len() - 1])
    );
    println!("  -UNCERTAIN per drill, in flight at the kill (outcome unknown): {}", per(|r| r.in_flight));
    println!("  -UNCERTAIN per drill, ran but not confirmed by the standby:   {}", per(|r| r.unconfirmed));
    println!("  other client errors per drill:                             {}", per(|r| r.other_errors));
    let lost: i64 = results.iter().map(|r| r.lost).sum();
    println!("  acknowledged writes lost: {lost} in total over {count} drills");
    handle.shutdown().await;
}

/// Requests per second for SET and GET from `redis-benchmark --csv`.
fn redis_benchmark(port: u16, pipeline: u32, requests: u32) -> (f64, f64) {
    let out = Command::new("redis-benchmark")
        .args(["-h", "127.0.0.1", "-p", &port.to_string(), "-c", "50", "-t", "set,get", "--csv", "-q"])
        .args(["-P", &pipeline.to_string(), "-n", &requests.to_string()])
        .output()
        .expect("redis-benchmark (apt-get install redis-tools)");
    let text = String::from_utf8_lossy(&out.stdout);
    let rps = |test: &str| {
        text.lines()
            .find(|l| l.starts_with(&format!("\"{test}\"")))
            .and_then(|l| l.split(',').nth(1))
            .and_then(|v| v.trim_matches('"').parse::<f64>().ok())
            .unwrap_or_else(|| panic!("no {test} figure in redis-benchmark's output:\n{text}"))
    };
    (rps("SET"), rps("GET"))
}

/// A bare TCP forwarder to `port`: what any proxy costs at least on this machine (an extra hop, a
/// process sharing the cores with the server and the load generator).
async fn bare_forwarder(port: u16) -> u16 {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let local = listener.local_addr().expect("addr").port();
    tokio::spawn(async move {
        while let Ok((mut client, _)) = listener.accept().await {
            tokio::spawn(async move {
                client.set_nodelay(true).ok();
                if let Ok(mut server) = tokio::net::TcpStream::connect(("127.0.0.1", port)).await {
                    server.set_nodelay(true).ok();
                    let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                }
            });
        }
    });
    local
}

async fn throughput() {
    let (a, b) = pair().await;
    let handle = ha::start(HaOptions::new(a.endpoint(), b.endpoint())).await.expect("start the hot standby");
    let mut c = a.client().await;
    let deadline = Instant::now() + Duration::from_secs(10);
    while info_field(&b.client().await.info("replication").await.unwrap_or_default(), "master_link_status")
        != Some("up")
        && Instant::now() < deadline
    {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    cmd(&mut c, &["PING"]).await;
    let proxy = handle.local_addr().port();
    let bare = bare_forwarder(a.port).await;
    let scale = if full_run() { 1 } else { 100 };
    println!("throughput: redis-benchmark -c 50 -t set,get (requests/s; same master, with its replica attached)");
    for (pipeline, requests) in [(1, 200_000), (16, 2_000_000)] {
        let requests = requests / scale;
        // Interleaved, three rounds, so that no side gets the warm caches or the quiet moment.
        let mut sums = [(0.0, 0.0); 3];
        for _ in 0..3 {
            for (sum, port) in sums.iter_mut().zip([a.port, proxy, bare]) {
                let (set, get) = redis_benchmark(port, pipeline, requests);
                *sum = (sum.0 + set / 3.0, sum.1 + get / 3.0);
            }
        }
        let [direct, proxied, forwarded] = sums;
        println!(
            "  -P {pipeline:<2}: direct SET {:>9.0} GET {:>9.0} | proxy SET {:>9.0} GET {:>9.0} | ratio SET {:.2} GET {:.2} \
             | bare forwarder ratio SET {:.2} GET {:.2}",
            direct.0,
            direct.1,
            proxied.0,
            proxied.1,
            proxied.0 / direct.0,
            proxied.1 / direct.1,
            forwarded.0 / direct.0,
            forwarded.1 / direct.1
        );
    }
    handle.shutdown().await;
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let count = if full_run() { 20 } else { 2 };
    let only = |part: &str| {
        let parts = ["drills", "throughput"];
        let asked: Vec<String> = std::env::args().filter(|a| parts.contains(&a.as_str())).collect();
        asked.is_empty() || asked.iter().any(|a| a == part)
    };
    if only("drills") {
        drills("async mode", None, count, false).await;
        drills("sync-writes mode (the standby confirms, 1000 ms)", Some(Duration::from_millis(1000)), count, false)
            .await;
        let sync = Some(Duration::from_millis(1000));
        drills("Sentinel mode (3 Sentinels, quorum 2, down after 1 s), sync writes", sync, count, true).await;
    }
    if only("throughput") {
        throughput().await;
    }
}
