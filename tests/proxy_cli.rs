//! `ferry proxy` as a user runs it: a failover drill through the binary, its events as JSON lines.

mod support;

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use ferry::client::{info_field, Client};
use ferry::endpoint::Endpoint;
use support::{cmd, ferry_bin, RedisServer};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failover_drill_through_the_cli() {
    let master = RedisServer::start();
    let replica = RedisServer::start();
    let mut r = replica.client().await;
    cmd(&mut r, &["REPLICAOF", "127.0.0.1", &master.port.to_string()]).await;
    let deadline = Instant::now() + Duration::from_secs(20);
    while info_field(&r.info("replication").await.unwrap(), "master_link_status") != Some("up") {
        assert!(Instant::now() < deadline, "the replica never synced");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut proxy = Command::new(ferry_bin())
        .args([
            "proxy",
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--master",
            &master.url(),
            "--replica",
            &replica.url(),
            "--json",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let through = Endpoint::new("127.0.0.1", port);
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut client = loop {
        if let Ok(c) = Client::connect(&through).await {
            break c;
        }
        assert!(Instant::now() < deadline, "the proxy never listened");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    cmd(&mut client, &["SET", "k", "before"]).await;
    let mut m = master.client().await;
    let _ = m.request(&["SHUTDOWN", "NOSAVE", "NOW"]).await;
    let killed = Instant::now();
    loop {
        match client.request(&["SET", "k", "after"]).await {
            Ok(_) => break,
            Err(_) => {
                assert!(killed.elapsed() < Duration::from_secs(10), "writes never resumed");
                tokio::time::sleep(Duration::from_millis(20)).await;
                if let Ok(c) = Client::connect(&through).await {
                    client = c;
                }
            }
        }
    }
    println!("writes resumed {} ms after the master died", killed.elapsed().as_millis());
    assert_eq!(cmd(&mut r, &["GET", "k"]).await.as_bytes().map(|b| b.to_vec()), Some(b"after".to_vec()));
    // SIGTERM: the proxy stops cleanly and its JSON lines are complete.
    let _ = Command::new("kill").args(["-TERM", &proxy.id().to_string()]).status();
    let status = proxy.wait().unwrap();
    assert!(status.success(), "{status:?}");
    let mut out = String::new();
    proxy.stdout.take().unwrap().read_to_string(&mut out).unwrap();
    let kinds: Vec<String> = out
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap_or_else(|e| panic!("{l}: {e}")))
        .map(|v| v["kind"].as_str().unwrap_or_default().to_string())
        .collect();
    for step in ["marked_down", "promoted", "route_pushed"] {
        assert!(kinds.iter().any(|k| k == step), "{step} in {kinds:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigusr1_asks_the_cli_proxy_for_a_planned_switchover_in_sync_writes_mode() {
    let args = ["--repl-diskless-sync-delay", "0"];
    let (master, replica) = (RedisServer::start_args(&args), RedisServer::start_args(&args));
    cmd(&mut replica.client().await, &["REPLICAOF", "127.0.0.1", &master.port.to_string()]).await;
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut proxy = Command::new(ferry_bin())
        .args(["proxy", "--listen", &format!("127.0.0.1:{port}"), "--master", &master.url()])
        .args(["--replica", &replica.url(), "--sync-writes", "--json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = std::io::BufReader::new(proxy.stdout.take().unwrap());
    let mut next_kind = move || {
        let mut line = String::new();
        std::io::BufRead::read_line(&mut lines, &mut line).unwrap();
        let v: serde_json::Value = serde_json::from_str(&line).unwrap_or_else(|e| panic!("{line}: {e}"));
        v["kind"].as_str().unwrap_or_default().to_string()
    };
    assert_eq!(next_kind(), "standby_ready", "the first event once the replica is synced");
    let mut client = Client::connect(&Endpoint::new("127.0.0.1", port)).await.expect("connect");
    let reply = cmd(&mut client, &["SET", "k", "v"]).await;
    assert_eq!(reply.as_bytes().map(|b| b.to_vec()), Some(b"OK".to_vec()), "confirmed by the replica");

    let _ = Command::new("kill").args(["-USR1", &proxy.id().to_string()]).status();
    let kinds: Vec<String> = (0..6).map(|_| next_kind()).collect();
    assert!(kinds.contains(&"switchover_done".to_string()), "{kinds:?}");
    let role = cmd(&mut replica.client().await, &["ROLE"]).await;
    assert!(format!("{role:?}").contains("master"), "{role:?}");
    assert_eq!(
        cmd(&mut client, &["GET", "k"]).await.as_bytes().map(|b| b.to_vec()),
        Some(b"v".to_vec()),
        "the session moved to the new master with the data"
    );
    let _ = Command::new("kill").args(["-TERM", &proxy.id().to_string()]).status();
    assert!(proxy.wait().unwrap().success());
}

/// The peak resident memory of a process, in bytes (Linux).
fn peak_rss(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("/proc/<pid>/status");
    let kb = status.lines().find_map(|l| l.strip_prefix("VmHWM:")).expect("VmHWM");
    kb.trim().trim_end_matches("kB").trim().parse::<u64>().expect("a number of kB") * 1024
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_subscriber_that_never_reads_is_disconnected_and_the_proxy_stays_small() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let master = RedisServer::start();
    let replica = RedisServer::start();
    cmd(&mut replica.client().await, &["REPLICAOF", "127.0.0.1", &master.port.to_string()]).await;
    let port = support::free_port();
    let mut proxy = Command::new(ferry_bin())
        .args(["proxy", "--listen", &format!("127.0.0.1:{port}"), "--master", &master.url()])
        .args(["--replica", &replica.url(), "--pubsub-output-limit-mb", "4", "--json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut subscriber = loop {
        if let Ok(s) = tokio::net::TcpStream::connect(("127.0.0.1", port)).await {
            break s;
        }
        assert!(Instant::now() < deadline, "the proxy never listened");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    subscriber.write_all(b"*2\r\n$9\r\nSUBSCRIBE\r\n$4\r\nnews\r\n").await.unwrap();
    let mut confirmation = [0u8; 64];
    let n = subscriber.read(&mut confirmation).await.unwrap();
    assert!(
        confirmation[..n].starts_with(b"*3\r\n$9\r\nsubscribe"),
        "{:?}",
        String::from_utf8_lossy(&confirmation[..n])
    );
    let before = peak_rss(proxy.id());

    // 64 MB published while the subscriber reads nothing.
    let mut m = master.client().await;
    let message = "m".repeat(256 * 1024);
    for _ in 0..256 {
        cmd(&mut m, &["PUBLISH", "news", &message]).await;
    }
    // The proxy hangs up on it: what it can still read ends well short of what was published.
    let mut received = 0usize;
    let mut buf = vec![0u8; 1 << 20];
    let closed = tokio::time::timeout(Duration::from_secs(20), async {
        loop {
            match subscriber.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => received += n,
            }
        }
    })
    .await;
    assert!(closed.is_ok(), "the subscriber was never disconnected ({received} bytes read)");
    assert!(received < 32 << 20, "{received} bytes reached the subscriber");
    let grown = peak_rss(proxy.id()).saturating_sub(before);
    assert!(grown < 24 << 20, "the proxy grew by {} MB for 64 MB published", grown >> 20);
    let _ = proxy.kill();
    let mut events = String::new();
    proxy.stdout.take().unwrap().read_to_string(&mut events).unwrap();
    let _ = proxy.wait();
    assert!(events.contains("client_disconnected") && events.contains("a subscriber left"), "{events}");
    eprintln!("a non-reading subscriber: {} MB reached it, the proxy grew by {} MB", received >> 20, grown >> 20);
}

/// INCRs `ctr:<n>` through `proxy` until `stop`, reconnecting after errors; returns the highest value
/// acknowledged.
async fn counter_writer(proxy: u16, n: usize, stop: std::sync::Arc<std::sync::atomic::AtomicBool>) -> i64 {
    let endpoint = Endpoint::new("127.0.0.1", proxy);
    let key = format!("ctr:{n}");
    let (mut acked, mut client) = (0, None::<Client>);
    while !stop.load(std::sync::atomic::Ordering::SeqCst) {
        let Some(c) = client.as_mut() else {
            client = Client::connect_with_timeout(&endpoint, Duration::from_secs(2)).await.ok();
            tokio::time::sleep(Duration::from_millis(20)).await;
            continue;
        };
        match c.raw_request(&["INCR", key.as_str()]).await {
            Ok(ferry::resp::Frame::Integer(v)) => acked = acked.max(v),
            Ok(_) => tokio::time::sleep(Duration::from_millis(20)).await,
            Err(_) => client = None,
        }
    }
    acked
}

/// The port of the server a proxy routes to now (its `INFO server`), if it answers.
async fn routed_to(proxy: u16) -> Option<u16> {
    let mut c = Client::connect_with_timeout(&Endpoint::new("127.0.0.1", proxy), Duration::from_secs(2)).await.ok()?;
    let info = c.info("server").await.ok()?;
    info_field(&info, "tcp_port")?.parse().ok()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_proxies_following_three_sentinels_route_alike_and_lose_no_acknowledged_write() {
    use std::sync::atomic::{AtomicBool, Ordering};
    let mut master = RedisServer::start_args(&["--repl-diskless-sync-delay", "0"]);
    let replica = RedisServer::start_args(&["--repl-diskless-sync-delay", "0"]);
    let mut r = replica.client().await;
    cmd(&mut r, &["REPLICAOF", "127.0.0.1", &master.port.to_string()]).await;
    let deadline = Instant::now() + Duration::from_secs(20);
    while info_field(&r.info("replication").await.unwrap(), "master_link_status") != Some("up") {
        assert!(Instant::now() < deadline, "the replica never synced");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let sentinels = support::Sentinel::start_group(master.port, 3, 2);
    for sentinel in &sentinels {
        sentinel.wait_for_peers(2, 1).await;
    }
    let nodes: Vec<String> = sentinels.iter().map(|s| s.addr()).collect();
    let url = format!("redis+sentinel://{}/{}", nodes.join(","), support::Sentinel::MASTER);
    let ports = [support::free_port(), support::free_port()];
    let mut proxies: Vec<std::process::Child> = ports
        .iter()
        .map(|port| {
            Command::new(ferry_bin())
                .args(["proxy", "--listen", &format!("127.0.0.1:{port}"), "--sentinel", &url, "--sync-writes"])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap()
        })
        .collect();
    for port in ports {
        let deadline = Instant::now() + Duration::from_secs(10);
        while routed_to(port).await != Some(master.port) {
            assert!(Instant::now() < deadline, "the proxy on {port} never routed to the master");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    // Four writers, two through each proxy; the master is killed under them.
    let stop = std::sync::Arc::new(AtomicBool::new(false));
    let writers: Vec<_> = (0..4).map(|n| tokio::spawn(counter_writer(ports[n % 2], n, stop.clone()))).collect();
    tokio::time::sleep(Duration::from_millis(800)).await;
    master.kill9();
    let killed = Instant::now();
    for port in ports {
        while routed_to(port).await != Some(replica.port) {
            assert!(killed.elapsed() < Duration::from_secs(40), "the proxy on {port} never followed the Sentinels");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
    let followed = killed.elapsed();
    tokio::time::sleep(Duration::from_millis(800)).await;
    stop.store(true, Ordering::SeqCst);
    let mut r = replica.client().await;
    for (n, writer) in writers.into_iter().enumerate() {
        let acked = writer.await.unwrap();
        let held = cmd(&mut r, &["GET", &format!("ctr:{n}")]).await;
        let held: i64 = held.as_bytes().and_then(|b| std::str::from_utf8(b).ok()?.parse().ok()).unwrap_or(0);
        assert!(acked > 0 && held >= acked, "writer {n}: {acked} acknowledged, the new master holds {held}");
    }
    for mut proxy in proxies.drain(..) {
        let _ = proxy.kill();
        let _ = proxy.wait();
    }
    eprintln!("both proxies followed the Sentinels' failover {followed:?} after the kill; 0 acknowledged writes lost");
}
