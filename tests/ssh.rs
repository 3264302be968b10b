//! SSH tunnels through a real sshd (Debian's OpenSSH, started by the test on a free port with keys
//! made by `ssh-keygen`): a migration whose source is reached through the jump host goes on when
//! the tunnel's TCP connection is cut; the jump host's key is checked, and refused with its
//! fingerprint when unknown or changed; a password and an SSH agent log in as well as a key file.

mod support;

use std::process::Command;
use std::sync::atomic::Ordering;
use std::time::Duration;

use ferry::client::{info_field, Client};
use ferry::endpoint::{Endpoint, Secret, SshTunnel};
use ferry::pipeline::{MigrateOptions, Migration};
use ferry::verify;
use support::data::fill_bulk;
use support::relay::Relay;
use support::ssh::{Agent, PasswordUser, Sshd};
use support::{cmd, RedisServer};

/// `SHA256:…` of a public key file, as ssh-keygen prints it.
fn fingerprint(public_key: &std::path::Path) -> String {
    let out = Command::new("ssh-keygen").args(["-l", "-E", "sha256", "-f"]).arg(public_key).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    text.split_whitespace().nth(1).expect("a fingerprint").to_string()
}

async fn full_syncs(source: &mut Client) -> u64 {
    let info = source.info("stats").await.unwrap();
    info_field(&info, "sync_full").and_then(|v| v.parse().ok()).unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_migration_through_an_ssh_tunnel_goes_on_when_the_tunnel_is_cut() {
    let sshd = Sshd::start();
    // The tunnel's TCP connection runs through a relay the test can cut.
    let relay = Relay::start(sshd.port, None).await;
    let tunnel = SshTunnel {
        port: relay.port,
        known_hosts: None,
        host_key: Some(fingerprint(&sshd.path("host_key.pub"))),
        ..sshd.tunnel("known_hosts")
    };
    let (source, target) = (RedisServer::start(), RedisServer::start());
    let mut src = source.client().await;
    fill_bulk(&mut src, 5_000).await;
    let through = Endpoint { ssh: Some(tunnel), ..source.endpoint() };
    let m = support::incremental(Migration::start(MigrateOptions::new(through, target.endpoint()))).await;
    let full_before = full_syncs(&mut src).await;
    let (stop, writes) = support::write_load(source.client().await);
    tokio::time::sleep(Duration::from_millis(500)).await;
    relay.cut();
    tokio::time::sleep(Duration::from_millis(1_000)).await;
    stop.store(true, Ordering::Release);
    let writes = writes.await.unwrap();
    support::caught_up(&m, &mut src, 60).await;
    assert!(relay.connections() >= 2, "a new SSH session after the cut: {} connections", relay.connections());
    assert_eq!(full_syncs(&mut src).await, full_before, "resumed through the new session without a full sync");
    m.stop_for_good();
    m.wait().await.expect("ends cleanly");
    let mut tgt = target.client().await;
    let diffs = verify::compare_all(&mut src, &mut tgt, 1000).await.unwrap();
    assert!(diffs.is_empty(), "{} differences, first: {:?}", diffs.len(), &diffs[..diffs.len().min(5)]);
    assert_eq!(cmd(&mut tgt, &["GET", "load:counter"]).await.as_int(), Some(writes as i64), "every INCR once");
    println!("sshd log:\n{}", sshd.log().lines().rev().take(5).collect::<Vec<_>>().join("\n"));
}

async fn error_of(endpoint: &Endpoint) -> String {
    match Client::connect(endpoint).await {
        Ok(_) => panic!("connected through {:?}", endpoint.ssh),
        Err(e) => e.to_string(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_jump_host_key_is_checked_and_refused_with_its_fingerprint() {
    let sshd = Sshd::start();
    let server = RedisServer::start();
    let right = fingerprint(&sshd.path("host_key.pub"));
    let via = |tunnel: SshTunnel| Endpoint { ssh: Some(tunnel), ..server.endpoint() };

    // Known: connected, and commands go through.
    let mut c = Client::connect(&via(sshd.tunnel("known_hosts"))).await.expect("through the tunnel");
    cmd(&mut c, &["SET", "through", "ssh"]).await;

    // A different key recorded for the host: refused, with the key it offered.
    let e = error_of(&via(sshd.tunnel("wrong_known_hosts"))).await;
    assert!(e.contains("does NOT match") && e.contains(&right), "{e}");
    // Not recorded at all: refused, with the fingerprint to accept; accepted, it connects.
    let e = error_of(&via(sshd.tunnel("no_such_known_hosts"))).await;
    assert!(e.contains("is not in") && e.contains(&right) && e.contains("accept it"), "{e}");
    let pinned = SshTunnel { host_key: Some(right.clone()), ..sshd.tunnel("no_such_known_hosts") };
    Client::connect(&via(pinned)).await.expect("the accepted fingerprint");

    // A server the jump host cannot reach: said as such (it was a "not a Redis" sentence before).
    let closed = support::free_port();
    let e = error_of(&Endpoint { port: closed, ..via(sshd.tunnel("known_hosts")) }).await;
    assert!(e.contains("could not open a connection to 127.0.0.1:") && e.contains(&closed.to_string()), "{e}");

    // A user the jump host does not let in, and a key file that is not there.
    let e = error_of(&via(SshTunnel { user: "no-such-user".into(), ..sshd.tunnel("known_hosts") })).await;
    assert!(e.contains("refused no-such-user's key"), "{e}");
    let e = error_of(&via(SshTunnel { key_file: Some(sshd.path("missing_key")), ..sshd.tunnel("known_hosts") })).await;
    assert!(e.contains("cannot read the SSH key") && e.contains("missing_key"), "{e}");
}

#[test]
fn ferry_migrate_reaches_a_source_through_its_ssh_flags() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let sshd = Sshd::start();
    let (source, target) = (RedisServer::start(), RedisServer::start());
    rt.block_on(async { fill_bulk(&mut source.client().await, 1_000).await });
    let data = tempfile::tempdir().unwrap();
    let key = sshd.path("client_key").display().to_string();
    let known_hosts = sshd.path("known_hosts").display().to_string();
    let out = Command::new(support::ferry_bin())
        .env("FERRY_DATA_DIR", data.path())
        .args(["migrate", "--source", &source.url(), "--target", &target.url(), "--cutover-when-synced", "--json"])
        .args(["--source-ssh", &format!("root@127.0.0.1:{}", sshd.port), "--source-ssh-key-file", &key])
        .args(["--source-ssh-known-hosts", &known_hosts])
        .output()
        .unwrap();
    let summary = support::json_summary(&out);
    assert_eq!(summary["summary"]["progress"]["lag_bytes"], 0, "{summary}");
    let keys = rt.block_on(async { cmd(&mut target.client().await, &["DBSIZE"]).await.as_int() });
    assert_eq!(keys, Some(1_000));
    assert!(sshd.log().contains("Accepted publickey for root"), "the source was reached through sshd");
    // A jump host given without a user or with a bad port is a usage error that says what to write.
    let out = Command::new(support::ferry_bin())
        .env("FERRY_DATA_DIR", data.path())
        .args(["check", "--source", &source.url(), "--target", &target.url(), "--source-ssh", "root@h:notaport"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("USER@HOST[:PORT]"));
}

#[test]
fn an_encrypted_key_s_passphrase_reaches_the_tunnel_and_never_the_data_dir() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let sshd = Sshd::start();
    let (source, target) = (RedisServer::start(), RedisServer::start());
    rt.block_on(async { fill_bulk(&mut source.client().await, 100).await });
    let data = tempfile::tempdir().unwrap();
    let key = sshd.path("locked_key").display().to_string();
    let known_hosts = sshd.path("known_hosts").display().to_string();
    let migrate = |secret: Option<&str>| {
        let mut command = Command::new(support::ferry_bin());
        command
            .env("FERRY_DATA_DIR", data.path())
            .env_remove("FERRY_SOURCE_SSH_SECRET")
            .args(["migrate", "--source", &source.url(), "--target", &target.url(), "--cutover-when-synced", "--json"])
            .args(["--source-ssh", &format!("root@127.0.0.1:{}", sshd.port), "--source-ssh-key-file", &key])
            .args(["--source-ssh-known-hosts", &known_hosts]);
        if let Some(secret) = secret {
            command.env("FERRY_SOURCE_SSH_SECRET", secret);
        }
        command.output().unwrap()
    };
    // Without the passphrase: one sentence that asks for it.
    let out = migrate(None);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("encrypted; give its passphrase"), "{stderr}");
    // With it: through the tunnel, and the passphrase is in no file under the data dir.
    support::json_summary(&migrate(Some(support::ssh::LOCKED_KEY_PASSPHRASE)));
    let keys = rt.block_on(async { cmd(&mut target.client().await, &["DBSIZE"]).await.as_int() });
    assert_eq!(keys, Some(100));
    for entry in std::fs::read_dir(data.path()).unwrap().flatten() {
        let bytes = std::fs::read(entry.path()).unwrap_or_default();
        let needle = support::ssh::LOCKED_KEY_PASSPHRASE.as_bytes();
        assert!(!bytes.windows(needle.len()).any(|w| w == needle), "{} holds the passphrase", entry.path().display());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_password_login_opens_the_tunnel_and_a_wrong_password_is_refused() {
    let user = PasswordUser::create();
    let sshd = Sshd::start();
    let server = RedisServer::start();
    let via = |password: &str| {
        let tunnel = SshTunnel {
            user: user.name.clone(),
            key_file: None,
            secret: Some(Secret::new(password)),
            has_secret: true,
            ..sshd.tunnel("known_hosts")
        };
        Endpoint { ssh: Some(tunnel), ..server.endpoint() }
    };
    let e = error_of(&via("not the password")).await;
    assert!(e.contains(&format!("refused {}'s password", user.name)), "{e}");
    let mut c = Client::connect(&via(&user.password)).await.expect("a password login");
    cmd(&mut c, &["SET", "through", "password"]).await;
    let got = cmd(&mut server.client().await, &["GET", "through"]).await;
    assert_eq!(got.as_bytes().map(|b| b.to_vec()), Some(b"password".to_vec()));
    assert!(sshd.log().contains(&format!("Accepted password for {}", user.name)), "{}", sshd.log());
}

#[test]
fn an_agent_login_reaches_the_source_and_an_agent_without_the_key_is_refused() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let sshd = Sshd::start();
    let (source, target) = (RedisServer::start(), RedisServer::start());
    rt.block_on(async { fill_bulk(&mut source.client().await, 300).await });
    let data = tempfile::tempdir().unwrap();
    let known_hosts = sshd.path("known_hosts").display().to_string();
    let migrate = |agent: Option<&Agent>| {
        let mut command = Command::new(support::ferry_bin());
        command
            .env("FERRY_DATA_DIR", data.path())
            .env_remove("FERRY_SOURCE_SSH_SECRET")
            .env_remove("SSH_AUTH_SOCK")
            .args(["migrate", "--source", &source.url(), "--target", &target.url(), "--cutover-when-synced", "--json"])
            .args(["--source-ssh", &format!("root@127.0.0.1:{}", sshd.port)])
            .args(["--source-ssh-known-hosts", &known_hosts]);
        if let Some(agent) = agent {
            command.env("SSH_AUTH_SOCK", &agent.socket);
        }
        command.output().unwrap()
    };
    // No key file, no password and no agent: one sentence that says what to give.
    let out = migrate(None);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!out.status.success() && stderr.contains("give a key file or a password instead"), "{stderr}");
    // An agent holding only a key the jump host does not accept: refused, naming the agent.
    let stranger = Agent::start(&[sshd.path("other_host_key")]);
    let out = migrate(Some(&stranger));
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!out.status.success() && stderr.contains("refused root's agent keys"), "{stderr}");
    // An agent holding the client key: through the tunnel.
    let agent = Agent::start(&[sshd.path("client_key")]);
    support::json_summary(&migrate(Some(&agent)));
    let keys = rt.block_on(async { cmd(&mut target.client().await, &["DBSIZE"]).await.as_int() });
    assert_eq!(keys, Some(300));
    assert!(sshd.log().contains("Accepted publickey for root"), "{}", sshd.log());
}
