//! The console's hot-standby pairs and sandbox against real servers: a pair over two registered
//! instances with a planned switchover and live events, and the sandbox with its failover drill.

mod support;

use std::time::{Duration, Instant};

use ferry::client::Client;
use ferry::console::{ClientLogin, Console, MasterHealth, PairMode, PairRunner, StandbyInput};
use ferry::endpoint::{Endpoint, Secret};
use ferry::ha::events::EventKind;
use ferry::ha::supervisor::StandbyState;
use ferry::model::InstanceInput;
use support::{cmd, RedisServer};

fn instance_input(name: &str, server: &RedisServer) -> InstanceInput {
    support::instance_input(name, "test", server.port)
}

/// Waits (bounded) until `check` holds for the pair's view.
async fn wait_until(
    console: &Console,
    id: i64,
    within: Duration,
    check: impl Fn(&ferry::console::StandbyView) -> bool,
) {
    let deadline = Instant::now() + within;
    loop {
        let view = console.standby(id).expect("the pair");
        if check(&view) {
            return;
        }
        assert!(Instant::now() < deadline, "not reached within {within:?}: {view:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pair_over_registered_instances_switches_over_and_reports_its_events() {
    let dir = tempfile::tempdir().expect("temp dir");
    let console = Console::open(Some(dir.path())).await.expect("open the console");
    let args = ["--repl-diskless-sync-delay", "0"];
    let (master, replica) = (RedisServer::start_args(&args), RedisServer::start_args(&args));
    cmd(&mut replica.client().await, &["REPLICAOF", "127.0.0.1", &master.port.to_string()]).await;
    let m = console.add_instance(&instance_input("m", &master), None).expect("register");
    let r = console.add_instance(&instance_input("r", &replica), None).expect("register");

    let same = StandbyInput {
        name: "pair".into(),
        master_instance: m.id,
        replica_instance: Some(m.id),
        listen: "127.0.0.1:0".into(),
        sync_writes: false,
        listen_tls: None,
        proxy_password: None,
        sentinel: None,
    };
    let err = console.start_standby(&same).await.expect_err("the same instance twice");
    assert!(err.to_string().contains("two different instances"), "{err}");

    let mut live = console.subscribe_standbys();
    let view = console.start_standby(&StandbyInput { replica_instance: Some(r.id), ..same }).await.expect("start");
    assert_eq!(
        (view.master.as_str(), view.master_health),
        (format!("127.0.0.1:{}", master.port).as_str(), Some(MasterHealth::Up))
    );
    wait_until(&console, view.id, Duration::from_secs(10), |v| v.standby_state == Some(StandbyState::Ready)).await;
    let ready = tokio::time::timeout(Duration::from_secs(1), live.recv()).await.expect("a live event").expect("event");
    assert_eq!((ready.standby_id, ready.event.kind), (view.id, EventKind::StandbyReady));

    let port: u16 = view.listen.rsplit(':').next().and_then(|p| p.parse().ok()).expect("the proxy's port");
    let mut c = Client::connect(&Endpoint::new("127.0.0.1", port)).await.expect("connect to the proxy");
    cmd(&mut c, &["SET", "k", "v"]).await;

    let switched = console.switchover(view.id).await.expect("the switchover");
    assert_eq!((switched.epoch, switched.master), (1, format!("127.0.0.1:{}", replica.port)));
    assert_eq!(cmd(&mut c, &["GET", "k"]).await, ferry::resp::Frame::Bulk("v".into()), "the session moved with it");
    let kinds: Vec<EventKind> = console.standby_events(view.id).expect("history").iter().map(|e| e.kind).collect();
    assert!(kinds.contains(&EventKind::SwitchoverDone), "{kinds:?}");

    // Right after the switch the old master is still catching up: a second switch is refused, and
    // nothing changes.
    if console.standby(view.id).expect("view").standby_state != Some(StandbyState::Ready) {
        let err = console.switchover(view.id).await.expect_err("not ready");
        assert!(err.to_string().contains("not ready"), "{err}");
    }
    console.stop_standby(view.id).await.expect("stop");
    let stopped = console.standby(view.id).expect("a stopped pair stays saved");
    assert_eq!((stopped.runner, stopped.epoch), (PairRunner::Stopped, 1), "its route epoch is kept");
    assert!(console.switchover(view.id).await.is_err(), "a stopped pair cannot switch over");
    console.remove_standby(view.id).await.expect("remove");
    assert!(console.standbys().expect("pairs").is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pair_s_clients_log_in_with_its_own_password_and_it_listens_widely_only_with_one() {
    let dir = tempfile::tempdir().expect("temp dir");
    let console = Console::open(Some(dir.path())).await.expect("open the console");
    let (master, replica) = (RedisServer::start(), RedisServer::start());
    cmd(&mut replica.client().await, &["REPLICAOF", "127.0.0.1", &master.port.to_string()]).await;
    let m = console.add_instance(&instance_input("m", &master), None).expect("register");
    let r = console.add_instance(&instance_input("r", &replica), None).expect("register");
    let input = StandbyInput {
        name: "wide".into(),
        master_instance: m.id,
        replica_instance: Some(r.id),
        listen: "0.0.0.0:0".into(),
        sync_writes: false,
        listen_tls: None,
        proxy_password: Some(String::new()),
        sentinel: None,
    };
    // Servers without passwords and no proxy password: refused beyond loopback, saying what to do.
    let err = console.start_standby(&input).await.expect_err("anyone could use it").to_string();
    assert!(err.contains("takes commands from clients that give no password"), "{err}");
    let view = console
        .start_standby(&StandbyInput { proxy_password: Some("pr0xy p@ss".into()), ..input })
        .await
        .expect("with a password of the proxy's own");
    assert_eq!(view.client_login, ClientLogin::ProxyPassword);
    let port: u16 = view.listen.rsplit(':').next().and_then(|p| p.parse().ok()).expect("the proxy's port");
    let e = Client::connect(&Endpoint::new("127.0.0.1", port)).await.err().map(|e| e.to_string());
    assert!(e.as_deref().is_some_and(|e| e.contains("NOAUTH")), "{e:?}");
    let with = Endpoint { password: Some(Secret::new("pr0xy p@ss")), ..Endpoint::new("127.0.0.1", port) };
    cmd(&mut Client::connect(&with).await.expect("the proxy's password"), &["SET", "k", "v"]).await;
    console.stop_standby(view.id).await.expect("stop");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sandbox_starts_servers_with_data_and_its_drill_fails_over_and_fences() {
    let dir = tempfile::tempdir().expect("temp dir");
    let console = Console::open(Some(dir.path())).await.expect("open the console");
    let sandbox = console.start_sandbox().await.expect("start the sandbox");
    assert_eq!(sandbox.servers.len(), 11, "source, target, master, replica, a 3+3 cluster and a TLS target");
    let again = console.start_sandbox().await.expect("already running");
    assert_eq!(again.source_port, sandbox.source_port, "one sandbox per console");

    let mut source = Client::connect(&Endpoint::new("127.0.0.1", sandbox.source_port)).await.expect("source");
    assert!(cmd(&mut source, &["DBSIZE"]).await.as_int().unwrap_or(0) >= 2000, "sample data in the source");
    let target = console.test_instance(sandbox.target.id).await.expect("the target answers");
    assert_eq!(target.keys, 0, "the target starts empty");
    let instances = console.instances(Some("sandbox")).expect("instances");
    assert_eq!(instances.len(), 5, "target, master, replica, cluster and TLS target registered: {instances:?}");
    // The TLS target: reached over TLS with the sandbox's CA, and only over TLS.
    let tls = sandbox.tls.clone().expect("Debian's redis-server takes TLS");
    assert!(tls.tls.as_ref().and_then(|t| t.ca_file.as_ref()).is_some_and(|ca| ca.exists()), "{tls:?}");
    assert_eq!(console.test_instance(tls.id).await.expect("the TLS target answers over TLS").keys, 0);
    let plain = Client::connect(&Endpoint::new("127.0.0.1", tls.port)).await.err().map(|e| e.to_string());
    assert!(plain.as_deref().is_some_and(|e| e.contains("rediss://")), "plain TCP to the TLS port: {plain:?}");
    // The cluster: 3 masters with a replica each, every slot served, the source's db-0 sample data.
    assert_eq!(sandbox.cluster.edition, ferry::model::Edition::Cluster);
    let seed = Endpoint::new("127.0.0.1", sandbox.cluster.port);
    let topology = ferry::cluster::discover(&seed).await.expect("topology").expect("a cluster");
    assert_eq!(topology.shards.len(), 3);
    let replicas: Vec<usize> = topology.shards.iter().map(|s| s.replicas.len()).collect();
    assert_eq!(replicas, [1, 1, 1], "a replica per master");
    let mut keys = 0;
    for master in topology.masters() {
        keys += cmd(&mut Client::connect(master).await.expect("master"), &["DBSIZE"]).await.as_int().unwrap_or(0);
    }
    cmd(&mut source, &["SELECT", "0"]).await;
    assert_eq!(Some(keys), cmd(&mut source, &["DBSIZE"]).await.as_int(), "db 0's sample data in the cluster");

    let id = sandbox.standby.id;
    wait_until(&console, id, Duration::from_secs(10), |v| v.standby_state == Some(StandbyState::Ready)).await;
    let said = console.sandbox_drill().await.expect("the drill").to_string();
    assert!(said.contains("SIGKILL"), "{said}");
    wait_until(&console, id, Duration::from_secs(10), |v| v.epoch == 1).await;
    // The killed master comes back after a few seconds, empty, and is fenced as the new standby.
    wait_until(&console, id, Duration::from_secs(20), |v| v.standby_state == Some(StandbyState::Ready)).await;
    let kinds: Vec<EventKind> = console.standby_events(id).expect("history").iter().map(|e| e.kind).collect();
    for kind in [EventKind::MarkedDown, EventKind::Promoted, EventKind::RoutePushed, EventKind::Fenced] {
        assert!(kinds.contains(&kind), "{kind:?} missing: {kinds:?}");
    }

    let ports: Vec<u16> = sandbox.servers.iter().map(|s| s.port).collect();
    console.stop_sandbox().await.expect("stop");
    assert!(console.sandbox().await.expect("sandbox").is_none());
    assert!(console.instances(Some("sandbox")).expect("instances").is_empty(), "its instances are removed");
    for port in ports {
        let gone = Client::connect_with_timeout(&Endpoint::new("127.0.0.1", port), Duration::from_millis(300)).await;
        assert!(gone.is_err(), "the server on {port} still answers");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sandbox_left_by_a_dead_process_is_stopped_when_a_console_opens() {
    let write_sandbox = |dir: &std::path::Path, server: &RedisServer, owner: u32| {
        let sandbox = dir.join("sandbox");
        std::fs::create_dir_all(&sandbox).expect("sandbox dir");
        std::fs::write(sandbox.join("pids"), format!("{} {}\n", server.pid(), server.port)).expect("pids");
        std::fs::write(sandbox.join("owner"), owner.to_string()).expect("owner");
        sandbox
    };
    // The owner still runs (this test): nothing is touched.
    let dir = tempfile::tempdir().expect("temp dir");
    let server = RedisServer::start();
    let sandbox = write_sandbox(dir.path(), &server, std::process::id());
    drop(Console::open(Some(dir.path())).await.expect("open"));
    assert!(sandbox.exists());
    cmd(&mut server.client().await, &["PING"]).await;

    // The owner is gone: its servers are stopped and its files removed.
    let mut dead = std::process::Command::new("true").spawn().expect("spawn true");
    let dead_pid = dead.id();
    dead.wait().expect("wait");
    write_sandbox(dir.path(), &server, dead_pid);
    drop(Console::open(Some(dir.path())).await.expect("open"));
    assert!(!sandbox.exists(), "the dead owner's sandbox files are removed");
    let deadline = Instant::now() + Duration::from_secs(5);
    while Client::connect_with_timeout(&server.endpoint(), Duration::from_millis(200)).await.is_ok() {
        assert!(Instant::now() < deadline, "the leftover server still answers");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pair_in_sentinel_mode_made_in_the_console_follows_the_sentinel() {
    let dir = tempfile::tempdir().expect("temp dir");
    let console = Console::open(Some(dir.path())).await.expect("open the console");
    let args = ["--repl-diskless-sync-delay", "0"];
    let (master, replica) = (RedisServer::start_args(&args), RedisServer::start_args(&args));
    cmd(&mut replica.client().await, &["REPLICAOF", "127.0.0.1", &master.port.to_string()]).await;
    let sentinel = support::Sentinel::start(master.port);
    sentinel.wait_for_peers(0, 1).await;
    let m = console.add_instance(&instance_input("m", &master), None).expect("register");
    let input = StandbyInput {
        name: "sentinel-pair".into(),
        master_instance: m.id,
        replica_instance: None,
        listen: "127.0.0.1:0".into(),
        sync_writes: false,
        listen_tls: None,
        proxy_password: None,
        sentinel: Some(ferry::model::SentinelSpec {
            nodes: vec![sentinel.addr()],
            master_name: support::Sentinel::MASTER.into(),
        }),
    };
    let view = console.start_standby(&input).await.expect("start the pair in Sentinel mode");
    assert_eq!(view.mode, PairMode::Sentinel);
    let port: u16 = view.listen.rsplit(':').next().and_then(|p| p.parse().ok()).expect("the proxy's port");
    let routed = || async {
        let mut c = Client::connect(&Endpoint::new("127.0.0.1", port)).await.ok()?;
        let info = c.info("server").await.ok()?;
        ferry::client::info_field(&info, "tcp_port")?.parse::<u16>().ok()
    };
    assert_eq!(routed().await, Some(master.port));
    // The Sentinel switches over; the proxy follows it, and says a switchover is Sentinel's to make.
    let err = console.switchover(view.id).await.expect_err("Sentinel's to make").to_string();
    assert!(err.contains("SENTINEL FAILOVER"), "{err}");
    let mut s = Client::connect(&Endpoint::new("127.0.0.1", sentinel.port)).await.expect("the Sentinel");
    // A replica it has only just found is not yet a candidate (NOGOODSLAVE): ask until it is.
    let deadline = Instant::now() + Duration::from_secs(20);
    while let Err(e) = s.request(&["SENTINEL", "FAILOVER", support::Sentinel::MASTER]).await {
        assert!(Instant::now() < deadline, "the Sentinel never agreed to fail over: {e}");
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let deadline = Instant::now() + Duration::from_secs(30);
    while routed().await != Some(replica.port) {
        assert!(Instant::now() < deadline, "the proxy did not follow the Sentinel:\n{}", sentinel.log());
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(console.standby(view.id).expect("the pair").epoch, 1);
    console.remove_standby(view.id).await.expect("remove");
}
