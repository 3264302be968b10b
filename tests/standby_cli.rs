//! Saved hot-standby pairs run as a service would run them (`ferry standby run NAME`, a separate
//! process), seen and controlled from another process's console as the desktop app does: a
//! switchover asked through the store, the service killed and started again (it continues the
//! route's epoch and routes to the real master), and a stop asked from the console.

mod support;

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use ferry::client::{info_field, Client};
use ferry::console::{Console, PairRunner};
use ferry::endpoint::Endpoint;
use ferry::ha::supervisor::StandbyState;
use ferry::model::InstanceInput;
use support::{cmd, ferry_bin, RedisServer};

fn instance(name: &str, server: &RedisServer) -> InstanceInput {
    support::instance_input(name, "test", server.port)
}

fn ferry(data: &std::path::Path, args: &[&str]) -> std::process::Output {
    Command::new(ferry_bin()).env("FERRY_DATA_DIR", data).args(args).output().expect("run ferry")
}

fn service(data: &std::path::Path, pair: &str) -> Child {
    Command::new(ferry_bin())
        .env("FERRY_DATA_DIR", data)
        .args(["standby", "run", pair])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start ferry standby run")
}

/// The port of the server the proxy routes to (its `INFO server`), once it answers.
async fn routed_to(proxy: u16, within: Duration) -> u16 {
    let deadline = Instant::now() + within;
    loop {
        if let Ok(mut c) =
            Client::connect_with_timeout(&Endpoint::new("127.0.0.1", proxy), Duration::from_secs(1)).await
        {
            if let Some(port) = c.info("server").await.ok().and_then(|i| info_field(&i, "tcp_port")?.parse().ok()) {
                return port;
            }
        }
        assert!(Instant::now() < deadline, "the proxy on {proxy} never answered");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_saved_pair_runs_as_a_service_and_is_controlled_from_another_process() {
    let args = ["--repl-diskless-sync-delay", "0"];
    let (master, replica) = (RedisServer::start_args(&args), RedisServer::start_args(&args));
    cmd(&mut replica.client().await, &["REPLICAOF", "127.0.0.1", &master.port.to_string()]).await;
    let dir = tempfile::tempdir().expect("temp dir");
    let console = Console::open(Some(dir.path())).await.expect("the app's console");
    console.add_instance(&instance("m", &master), None).expect("register");
    console.add_instance(&instance("r", &replica), None).expect("register");
    let port = support::free_port();
    let listen = format!("127.0.0.1:{port}");
    let added =
        ferry(dir.path(), &["standby", "add", "orders", "--master", "m", "--replica", "r", "--listen", &listen]);
    assert!(added.status.success(), "{}", String::from_utf8_lossy(&added.stderr));

    // The service runs it; the app sees it run elsewhere, with the service's own status.
    let mut run = service(dir.path(), "orders");
    assert_eq!(routed_to(port, Duration::from_secs(10)).await, master.port);
    let id = console.find_standby("orders").expect("saved");
    let deadline = Instant::now() + Duration::from_secs(15);
    let view = loop {
        let view = console.standby(id).expect("the pair");
        if view.standby_state == Some(StandbyState::Ready) {
            break view;
        }
        assert!(Instant::now() < deadline, "the service never reported a ready standby: {view:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert!(matches!(view.runner, PairRunner::Elsewhere { .. }), "{view:?}");
    // Run a second time elsewhere: refused, naming the process that runs it.
    let twice = ferry(dir.path(), &["standby", "run", "orders"]);
    assert!(String::from_utf8_lossy(&twice.stderr).contains("run by another process"), "{twice:?}");

    // A switchover asked from the app's console is carried out by the service.
    let mut c = Client::connect(&Endpoint::new("127.0.0.1", port)).await.expect("through the proxy");
    cmd(&mut c, &["SET", "k", "1"]).await;
    let switched = console.switchover(id).await.expect("a switchover through the store");
    assert_eq!((switched.epoch, switched.master.clone()), (1, format!("127.0.0.1:{}", replica.port)));
    assert_eq!(routed_to(port, Duration::from_secs(5)).await, replica.port);

    // The service dies (kill -9) and is started again, as systemd does: it continues the epoch and
    // routes to the real master, not to the one it was set up with.
    let _ = run.kill();
    let _ = run.wait();
    let mut run = service(dir.path(), "orders");
    assert_eq!(routed_to(port, Duration::from_secs(15)).await, replica.port, "not the old master");
    cmd(&mut Client::connect(&Endpoint::new("127.0.0.1", port)).await.expect("proxy"), &["SET", "k", "2"]).await;
    let view = console.standby(id).expect("the pair");
    assert_eq!(view.epoch, 1, "the epoch continues: {view:?}");
    let kinds: Vec<_> = console.standby_events(id).expect("events").iter().map(|e| e.kind).collect();
    assert!(kinds.contains(&ferry::ha::events::EventKind::SwitchoverDone), "the events were kept: {kinds:?}");

    // A stop asked from the app ends the service; the pair stays saved, stopped.
    console.stop_standby(id).await.expect("a stop through the store");
    let deadline = Instant::now() + Duration::from_secs(10);
    while run.try_wait().expect("the service").is_none() {
        assert!(Instant::now() < deadline, "the service did not end");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(console.standby(id).expect("saved").runner, PairRunner::Stopped);
    let list = ferry(dir.path(), &["standby", "list"]);
    assert!(String::from_utf8_lossy(&list.stdout).contains("stopped"), "{list:?}");
    let removed = ferry(dir.path(), &["standby", "remove", "orders"]);
    assert!(removed.status.success(), "{removed:?}");
    assert!(console.standbys().expect("pairs").is_empty());
}
