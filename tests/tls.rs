//! TLS against real servers: Debian's redis-server with `--tls-port`, certificates made by the test.
//! A migration from a TLS source that requires client certificates into a TLS target under a live
//! load; every way a TLS link goes wrong gives one sentence that says what to do.

mod support;

use std::sync::atomic::Ordering;
use std::time::Duration;

use ferry::client::Client;
use ferry::endpoint::{Endpoint, TlsOptions};
use ferry::pipeline::{MigrateOptions, Migration};
use ferry::verify;
use support::data::{fill_all_types, fill_bulk};
use support::tls::{Pki, ServerCert, TlsServer};
use support::{cmd, RedisServer};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_migration_between_tls_servers_with_client_certificates_is_identical_under_load() {
    let pki = Pki::new();
    let source = TlsServer::start(&pki, ServerCert::Valid, true);
    let target = TlsServer::start(&pki, ServerCert::Valid, false);
    let mut src = source.server.client().await;
    fill_all_types(&mut src).await;
    fill_bulk(&mut src, 20_000).await;
    let options = MigrateOptions::new(
        source.endpoint("localhost", pki.options(true)),
        target.endpoint("127.0.0.1", pki.options(false)),
    );
    let m = support::incremental(Migration::start(options)).await;
    let (stop, writes) = support::write_load(source.server.client().await);
    tokio::time::sleep(Duration::from_millis(1500)).await;
    stop.store(true, Ordering::Release);
    let writes = writes.await.unwrap();
    support::caught_up(&m, &mut src, 60).await;
    m.stop_for_good();
    let summary = m.wait().await.expect("the migration ends cleanly");
    assert!(summary.progress.keys_written >= 20_000, "{summary:?}");
    // Compared over plain ports: what Ferry wrote over TLS is what the source holds.
    let mut tgt = target.server.client().await;
    let diffs = verify::compare_all(&mut src, &mut tgt, 1000).await.unwrap();
    assert!(diffs.is_empty(), "{} differences, first: {:?}", diffs.len(), &diffs[..diffs.len().min(5)]);
    cmd(&mut tgt, &["SELECT", "0"]).await;
    assert_eq!(cmd(&mut tgt, &["GET", "load:counter"]).await.as_int(), Some(writes as i64));
    assert!(writes > 50, "the load ran: {writes} rounds");
}

/// The error of connecting to `endpoint`, as the user reads it.
async fn error_of(endpoint: &Endpoint) -> String {
    match Client::connect(endpoint).await {
        Ok(_) => panic!("{endpoint} connected"),
        Err(e) => e.to_string(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_way_a_tls_link_fails_says_what_to_do() {
    let pki = Pki::new();
    let server = TlsServer::start(&pki, ServerCert::Valid, false);
    let mutual = TlsServer::start(&pki, ServerCert::Valid, true);
    let expired = TlsServer::start(&pki, ServerCert::Expired, false);
    let plain = RedisServer::start();

    // The right CA: connected, over TLS.
    let mut ok = Client::connect(&server.endpoint("localhost", pki.options(false))).await.unwrap();
    assert_eq!(cmd(&mut ok, &["PING"]).await.as_bytes().map(|b| b.to_vec()), Some(b"PONG".to_vec()));

    let wrong_ca = TlsOptions { ca_file: Some(pki.path("other-ca.pem")), ..TlsOptions::default() };
    let e = error_of(&server.endpoint("localhost", wrong_ca.clone())).await;
    assert!(e.contains("not signed by a trusted CA") && e.contains("CA option"), "{e}");

    let e = error_of(&expired.endpoint("localhost", pki.options(false))).await;
    assert!(e.contains("expired") && e.contains("renew"), "{e}");

    let e = error_of(&mutual.endpoint("localhost", pki.options(false))).await;
    assert!(e.contains("client certificate"), "{e}");
    Client::connect(&mutual.endpoint("localhost", pki.options(true))).await.expect("with the client certificate");

    let other_name = TlsOptions { server_name: Some("cache.example.com".into()), ..pki.options(false) };
    let e = error_of(&server.endpoint("127.0.0.1", other_name)).await;
    assert!(e.contains("not valid for \"cache.example.com\""), "{e}");

    // rediss:// to a plain port, redis:// to a TLS port.
    let e = error_of(&Endpoint { tls: Some(pki.options(false)), ..plain.endpoint() }).await;
    assert!(e.contains("did not answer the TLS handshake") && e.contains("use redis://"), "{e}");
    let e = error_of(&Endpoint::new("127.0.0.1", server.tls_port)).await;
    assert!(e.contains("use rediss://"), "{e}");

    // Files that are missing or half given.
    let missing = TlsOptions { ca_file: Some(pki.path("nope.pem")), ..TlsOptions::default() };
    let e = error_of(&server.endpoint("localhost", missing)).await;
    assert!(e.contains("nope.pem") && e.contains("cannot read"), "{e}");
    let half = TlsOptions { cert_file: Some(pki.path("client.pem")), ..pki.options(false) };
    let e = error_of(&server.endpoint("localhost", half)).await;
    assert!(e.contains("both a certificate file and a key file"), "{e}");

    // Skipping verification connects to the server whatever its CA (and the caller is warned
    // elsewhere: the CLI prints it, the pre-check shows it).
    let insecure = TlsOptions { insecure: true, ..wrong_ca };
    Client::connect(&server.endpoint("localhost", insecure)).await.expect("insecure accepts any certificate");
}

#[test]
fn the_cli_takes_rediss_urls_with_their_tls_options_beside_them() {
    let pki = Pki::new();
    let server = TlsServer::start(&pki, ServerCert::Valid, true);
    let url = format!("rediss://localhost:{}", server.tls_port);
    let data = tempfile::tempdir().unwrap();
    let ferry = |args: &[&str]| {
        std::process::Command::new(support::ferry_bin())
            .env("FERRY_DATA_DIR", data.path())
            .args(args)
            .output()
            .expect("run ferry")
    };
    let ca = pki.path("ca.pem").display().to_string();
    let (cert, key) = (pki.path("client.pem").display().to_string(), pki.path("client.key").display().to_string());
    let out = ferry(&[
        "instances",
        "add",
        "--name",
        "tls",
        "--region",
        "r",
        "--url",
        &url,
        "--tls-ca-file",
        &ca,
        "--tls-cert-file",
        &cert,
        "--tls-key-file",
        &key,
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let out = ferry(&["instances", "test", "tls"]);
    assert!(out.status.success(), "{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    // TLS options on a redis:// URL are a usage error that says what to write.
    let plain = format!("redis://localhost:{}", server.tls_port);
    let out = ferry(&["instances", "add", "--name", "x", "--region", "r", "--url", &plain, "--tls-ca-file", &ca]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("need a rediss:// URL"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_pre_check_shows_each_side_s_certificate_and_refuses_an_expired_one() {
    use ferry::checks::{self, CheckInput, Level};
    let pki = Pki::new();
    let (source, target) = (TlsServer::start(&pki, ServerCert::Valid, true), RedisServer::start());
    let expired = TlsServer::start(&pki, ServerCert::Expired, false);
    let input = CheckInput::new(source.endpoint("localhost", pki.options(true)), target.endpoint());
    let report = checks::run(&input, |_| {}, |_| {}).await;
    let tls = report.get("network.tls").expect("a TLS item").clone();
    assert_eq!(tls.level, Level::Pass, "{tls:?}");
    assert!(
        tls.value.to_string().contains("source TLS") && tls.value.to_string().contains("target plain TCP"),
        "{tls:?}"
    );
    assert!(
        tls.message.to_string().contains("CN=ferry test server")
            && tls.message.to_string().contains("CN=Ferry Test CA"),
        "{tls:?}"
    );
    assert!(tls.message.to_string().contains("valid until"), "{tls:?}");

    let insecure = TlsOptions { insecure: true, ..TlsOptions::default() };
    let input = CheckInput::new(
        source.endpoint("localhost", TlsOptions { insecure: true, ..pki.options(true) }),
        target.endpoint(),
    );
    let tls = checks::run(&input, |_| {}, |_| {}).await.get("network.tls").unwrap().clone();
    assert_eq!(tls.level, Level::Warning, "{tls:?}");
    assert!(tls.message.to_string().contains("not checked"), "{tls:?}");

    // Signed by a CA this side does not trust: the item says so, with the certificate it saw.
    let other_ca = TlsOptions { ca_file: Some(pki.path("other-ca.pem")), ..pki.options(true) };
    let input = CheckInput::new(source.endpoint("localhost", other_ca), target.endpoint());
    let tls = checks::run(&input, |_| {}, |_| {}).await.get("network.tls").unwrap().clone();
    assert_eq!(tls.level, Level::Error, "{tls:?}");
    assert!(
        tls.message.to_string().contains("is refused")
            && tls.message.to_string().contains("not signed by a trusted CA"),
        "{tls:?}"
    );

    let input = CheckInput::new(expired.endpoint("localhost", insecure), target.endpoint());
    let report = checks::run(&input, |_| {}, |_| {}).await;
    let tls = report.get("network.tls").unwrap();
    assert_eq!(tls.level, Level::Error, "{tls:?}");
    assert!(
        tls.message.to_string().contains("has expired") && tls.message.to_string().contains("2021-01-01"),
        "{tls:?}"
    );
    assert!(report.has_errors());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tls_proxy_in_front_of_tls_servers_requires_client_certificates_and_fails_over() {
    use ferry::endpoint::ListenTls;
    use ferry::ha::events::EventKind;
    use ferry::ha::{self, HaOptions};
    let pki = Pki::new();
    let (mut master, replica) =
        (TlsServer::start(&pki, ServerCert::Valid, false), TlsServer::start(&pki, ServerCert::Valid, false));
    cmd(&mut master.server.client().await, &["CONFIG", "SET", "repl-diskless-sync-delay", "0"]).await;
    let mut r = replica.server.client().await;
    cmd(&mut r, &["REPLICAOF", "127.0.0.1", &master.server.port.to_string()]).await;
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while ferry::client::info_field(&r.info("replication").await.unwrap(), "master_link_status") != Some("up") {
        assert!(std::time::Instant::now() < deadline, "the replica did not sync");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let mut options = HaOptions::new(
        master.endpoint("localhost", pki.options(false)),
        replica.endpoint("localhost", pki.options(false)),
    );
    options.listen_tls = Some(ListenTls {
        cert_file: pki.path("server.pem"),
        key_file: pki.path("server.key"),
        client_ca_file: Some(pki.path("ca.pem")),
    });
    let handle = ha::start(options).await.expect("start the proxy with TLS");
    let port = handle.local_addr().port();
    let proxy = Endpoint { tls: Some(pki.options(true)), ..Endpoint::new("localhost", port) };

    // Without a client certificate, or without TLS, the proxy lets nobody in.
    let e = error_of(&Endpoint { tls: Some(pki.options(false)), ..proxy.clone() }).await;
    assert!(e.contains("client certificate"), "{e}");
    let e = error_of(&Endpoint::new("localhost", port)).await;
    assert!(e.contains("use rediss://"), "{e}");

    let mut c = Client::connect(&proxy).await.expect("connect to the proxy over TLS");
    cmd(&mut c, &["SET", "before", "1"]).await;
    assert_eq!(cmd(&mut c, &["WAIT", "1", "2000"]).await.as_int(), Some(1), "replicated before the kill");
    master.server.kill9();
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while !handle.events().history().iter().any(|e| e.kind == EventKind::RoutePushed) {
        assert!(std::time::Instant::now() < deadline, "no failover within 10 s");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // The same TLS session goes on against the promoted replica (a command in flight at the kill
    // may be answered UNCERTAIN; none is here).
    cmd(&mut c, &["SET", "after", "1"]).await;
    assert_eq!(cmd(&mut c, &["EXISTS", "before", "after"]).await.as_int(), Some(2));
    assert_eq!(handle.route().master.port, replica.tls_port);
    handle.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ferry_proxy_listens_with_tls_and_reaches_tls_backends_from_its_flags() {
    let pki = Pki::new();
    let (master, replica) =
        (TlsServer::start(&pki, ServerCert::Valid, true), TlsServer::start(&pki, ServerCert::Valid, true));
    // A pair: the proxy asks both ROLE at start and routes nothing when both are masters.
    cmd(&mut replica.server.client().await, &["REPLICAOF", "127.0.0.1", &master.server.port.to_string()]).await;
    let port = support::free_port();
    let (ca, cert, key) = (pki.path("ca.pem"), pki.path("client.pem"), pki.path("client.key"));
    let (server_cert, server_key) = (pki.path("server.pem"), pki.path("server.key"));
    let path = |p: &std::path::Path| p.display().to_string();
    let mut args = vec!["proxy".to_string(), "--listen".into(), format!("127.0.0.1:{port}")];
    for (role, server) in [("master", &master), ("replica", &replica)] {
        args.extend([format!("--{role}"), format!("rediss://localhost:{}", server.tls_port)]);
        args.extend([format!("--{role}-tls-ca-file"), path(&ca)]);
        args.extend([format!("--{role}-tls-cert-file"), path(&cert), format!("--{role}-tls-key-file"), path(&key)]);
    }
    args.extend(["--tls-cert-file".into(), path(&server_cert), "--tls-key-file".into(), path(&server_key)]);
    let mut proxy = std::process::Command::new(support::ferry_bin())
        .args(&args)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let through = Endpoint { tls: Some(pki.options(false)), ..Endpoint::new("localhost", port) };
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    let mut client = loop {
        if let Ok(c) = Client::connect(&through).await {
            break c;
        }
        assert!(std::time::Instant::now() < deadline, "the proxy never listened");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    cmd(&mut client, &["SET", "through", "tls"]).await;
    let got = cmd(&mut master.server.client().await, &["GET", "through"]).await;
    assert_eq!(got.as_bytes().map(|b| b.to_vec()), Some(b"tls".to_vec()), "written on the master over mutual TLS");
    let _ = proxy.kill();
    let _ = proxy.wait();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pair_made_in_the_console_listens_with_tls_over_tls_instances() {
    use ferry::console::{Console, ListenSecurity, StandbyInput};
    use ferry::endpoint::ListenTls;
    use ferry::model::{Edition, InstanceInput};
    let pki = Pki::new();
    let (master, replica) =
        (TlsServer::start(&pki, ServerCert::Valid, true), TlsServer::start(&pki, ServerCert::Valid, true));
    let mut r = replica.server.client().await;
    cmd(&mut r, &["REPLICAOF", "127.0.0.1", &master.server.port.to_string()]).await;
    let dir = tempfile::tempdir().expect("temp dir");
    let console = Console::open(Some(dir.path())).await.expect("open the console");
    let register = |name: &str, server: &TlsServer| InstanceInput {
        name: name.into(),
        region: "test".into(),
        host: "localhost".into(),
        port: server.tls_port,
        user: None,
        edition: Edition::Standard,
        proxy: None,
        seeds: vec![],
        tls: Some(pki.options(true)),
        ssh: None,
        ssh_secret: None,
    };
    let m = console.add_instance(&register("m", &master), None).expect("register the master");
    let s = console.add_instance(&register("s", &replica), None).expect("register the replica");
    let input = StandbyInput {
        name: "tls-pair".into(),
        master_instance: m.id,
        replica_instance: Some(s.id),
        listen: "127.0.0.1:0".into(),
        sync_writes: false,
        listen_tls: Some(ListenTls {
            cert_file: pki.path("server.pem"),
            key_file: pki.path("server.key"),
            client_ca_file: Some(pki.path("ca.pem")),
        }),
        proxy_password: None,
        sentinel: None,
    };
    let view = console.start_standby(&input).await.expect("start the pair");
    assert_eq!(view.listen_tls, ListenSecurity::MutualTls);
    let port: u16 = view.listen.rsplit(':').next().and_then(|p| p.parse().ok()).expect("the proxy's port");

    let e = error_of(&Endpoint::new("localhost", port)).await;
    assert!(e.contains("use rediss://"), "a plain client is refused: {e}");
    let e = error_of(&Endpoint { tls: Some(pki.options(false)), ..Endpoint::new("localhost", port) }).await;
    assert!(e.contains("client certificate"), "a client without a certificate is refused: {e}");
    let proxy = Endpoint { tls: Some(pki.options(true)), ..Endpoint::new("localhost", port) };
    let mut c = Client::connect(&proxy).await.expect("connect to the pair's proxy over mutual TLS");
    cmd(&mut c, &["SET", "via", "pair"]).await;
    let got = cmd(&mut master.server.client().await, &["GET", "via"]).await;
    assert_eq!(got.as_bytes().map(|b| b.to_vec()), Some(b"pair".to_vec()), "written on the master over TLS");

    let bad = StandbyInput {
        name: "no-key".into(),
        listen_tls: Some(ListenTls {
            cert_file: pki.path("server.pem"),
            key_file: dir.path().join("missing.key"),
            client_ca_file: None,
        }),
        ..input
    };
    let e = console.start_standby(&bad).await.expect_err("a key file that does not exist").to_string();
    assert!(e.contains("missing.key"), "the error names the file: {e}");
    console.stop_standby(view.id).await.expect("stop the pair");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sentinels_that_take_tls_are_asked_over_tls_for_a_tls_master() {
    let pki = Pki::new();
    let master = TlsServer::start(&pki, ServerCert::Valid, false);
    let tls_port = support::free_port();
    let path = |name: &str| pki.path(name).display().to_string();
    // A Sentinel of a TLS deployment: TLS to its clients and to the master it watches.
    let conf = format!(
        "tls-port {tls_port}\ntls-cert-file {}\ntls-key-file {}\ntls-ca-cert-file {}\ntls-auth-clients no\n\
         tls-replication yes\n",
        path("server.pem"),
        path("server.key"),
        path("ca.pem")
    );
    let sentinel = support::Sentinel::start_with(master.tls_port, &conf);
    let url = format!("rediss+sentinel://127.0.0.1:{tls_port}/{}", support::Sentinel::MASTER);
    let (credentials, spec) = ferry::sentinel::parse_url(&url).expect("a Sentinel URL").expect("parsed");
    let credentials = Endpoint { tls: Some(pki.options(false)), ..credentials };
    let found = ferry::sentinel::locate(&spec, &credentials).await.expect("the Sentinel answers over TLS");
    assert_eq!(found.port, master.tls_port, "the master the Sentinel watches");
    let mut c = Client::connect(&found).await.expect("the master over TLS");
    assert_eq!(cmd(&mut c, &["PING"]).await.as_bytes().map(|b| b.to_vec()), Some(b"PONG".to_vec()));

    // Asked in plain TCP, the TLS port of the Sentinel says what to write.
    let plain = ferry::sentinel::parse_url(&url.replacen("rediss+", "redis+", 1)).unwrap().unwrap().0;
    let e = ferry::sentinel::locate(&spec, &plain).await.expect_err("plain TCP to a TLS port").to_string();
    assert!(e.contains("use rediss://"), "{e}\nSentinel log:\n{}", sentinel.log());
}
