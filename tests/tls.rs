//! TLS against real servers: Debian's redis-server with `--tls-port`, certificates made by the test.
//! A migration from a TLS source that requires client certificates into a TLS target under a live
//! load; every way a TLS link goes wrong gives one sentence that says what to do.

mod support;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use ferry::client::Client;
use ferry::endpoint::{Endpoint, TlsOptions};
use ferry::pipeline::{MigrateOptions, Migration};
use ferry::verify;
use support::data::{fill_all_types, fill_bulk};
use support::tls::{Pki, ServerCert, TlsServer};
use support::{cmd, RedisServer};

/// The load: a counter, a list and a stream, until stopped; returns the rounds written.
fn load(mut client: Client) -> (Arc<AtomicBool>, tokio::task::JoinHandle<u64>) {
    let stop = Arc::new(AtomicBool::new(false));
    let flag = stop.clone();
    let task = tokio::spawn(async move {
        let mut n = 0u64;
        while !flag.load(Ordering::Acquire) {
            cmd(&mut client, &["INCR", "load:counter"]).await;
            cmd(&mut client, &["LPUSH", "load:list", &n.to_string()]).await;
            cmd(&mut client, &["XADD", "load:stream", "*", "n", &n.to_string()]).await;
            n += 1;
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        n
    });
    (stop, task)
}

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
    let (stop, writes) = load(source.server.client().await);
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
    let report = checks::run(&input, |_| {}).await;
    let tls = report.get("network.tls").expect("a TLS item").clone();
    assert_eq!(tls.level, Level::Pass, "{tls:?}");
    assert!(tls.value.contains("source TLS") && tls.value.contains("target plain TCP"), "{tls:?}");
    assert!(tls.message.contains("CN=ferry test server") && tls.message.contains("CN=Ferry Test CA"), "{tls:?}");
    assert!(tls.message.contains("valid until"), "{tls:?}");

    let insecure = TlsOptions { insecure: true, ..TlsOptions::default() };
    let input = CheckInput::new(
        source.endpoint("localhost", TlsOptions { insecure: true, ..pki.options(true) }),
        target.endpoint(),
    );
    let tls = checks::run(&input, |_| {}).await.get("network.tls").unwrap().clone();
    assert_eq!(tls.level, Level::Warning, "{tls:?}");
    assert!(tls.message.contains("not checked"), "{tls:?}");

    let input = CheckInput::new(expired.endpoint("localhost", insecure), target.endpoint());
    let report = checks::run(&input, |_| {}).await;
    let tls = report.get("network.tls").unwrap();
    assert_eq!(tls.level, Level::Error, "{tls:?}");
    assert!(tls.message.contains("has expired") && tls.message.contains("2021-01-01"), "{tls:?}");
    assert!(report.has_errors());
}
