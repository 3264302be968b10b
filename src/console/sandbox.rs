//! The sandbox: local `redis-server` processes with sample data, registered as instances, so that a
//! newcomer can walk through every screen in a minute without a Redis of their own.
//!
//! It starts eleven servers on free loopback ports under the data dir (`sandbox/`): a source with
//! sample data, an empty migration target, a master (with the same sample data) and its replica
//! behind a hot-standby proxy, a cluster of three masters and three replicas with the sample data of
//! db 0, and an empty target that takes TLS with a certificate of the sandbox's own CA
//! ([`sandbox_tls`]). The targets, master, replica and cluster are registered in the region
//! `sandbox`. A failover drill kills the master with SIGKILL and starts it again a few seconds later,
//! empty, as a crashed master without persistence comes back: the proxy fails over, and fences the
//! returning server as the new standby.
//!
//! The servers are this process's children: [`Console::stop_sandbox`] (or dropping the console)
//! kills them, and their pids and owner are written down so that a sandbox left behind by a process
//! that was killed is cleaned up the next time a console opens on the same data (on Linux).

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use serde::Serialize;
use tokio::sync::Mutex;

use super::sandbox_tls::cannot;
use super::standby::{StandbyInput, StandbyView};
use super::{sandbox_cluster, sandbox_tls};
use super::{Console, ConsoleError};
use crate::client::Client;
use crate::endpoint::Endpoint;
use crate::model::{Edition, Instance, InstanceInput};
use crate::text::catalog::run_errors as errors;
use crate::text::Text;

/// The region the sandbox's instances are registered in.
pub const REGION: &str = "sandbox";
/// The name of the sandbox's hot-standby pair.
const PAIR: &str = "sandbox";
/// The roles of the sandbox cluster's nodes: masters first, then their replicas.
const CLUSTER_ROLES: [&str; 6] = ["cluster-1", "cluster-2", "cluster-3", "cluster-4", "cluster-5", "cluster-6"];
/// How long the drill leaves the killed master down before starting it again.
const DRILL_DOWNTIME: Duration = Duration::from_secs(3);

/// One of the sandbox's servers.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SandboxServer {
    /// `source`, `target`, `master` or `replica` (the roles at start; a failover swaps the last
    /// two), or `cluster-1` to `cluster-6` (masters, then their replicas).
    pub role: String,
    pub port: u16,
}

/// The running sandbox, as the UI shows it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SandboxView {
    /// The source to migrate from (not registered: the create form takes an address).
    pub source_host: String,
    pub source_port: u16,
    pub region: String,
    pub target: Instance,
    /// A cluster of 3 masters and 3 replicas with the source's db-0 sample data, registered as an
    /// instance of the cluster edition: migrate from it (its address) or into it.
    pub cluster: Instance,
    pub standby: StandbyView,
    /// An empty server taking TLS with a certificate of the sandbox's own CA, registered with that
    /// CA, to try a TLS link; `None` when this `redis-server` was built without TLS.
    pub tls: Option<Instance>,
    pub servers: Vec<SandboxServer>,
    /// Where the servers' files are.
    pub dir: String,
}

struct Server {
    role: &'static str,
    port: u16,
    child: Option<Child>,
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

struct Sandbox {
    binary: PathBuf,
    dir: PathBuf,
    servers: Vec<Server>,
    target: Instance,
    cluster: Instance,
    tls: Option<Instance>,
    standby_id: i64,
}

/// The console's one sandbox, shared with the drill's restart task.
#[derive(Default)]
pub(crate) struct SandboxSlot(Arc<Mutex<Option<Sandbox>>>);

impl Console {
    /// Starts the sandbox (or returns the one already running).
    pub async fn start_sandbox(&self) -> Result<SandboxView, ConsoleError> {
        let mut slot = self.sandbox.0.lock().await;
        if let Some(sandbox) = slot.as_ref() {
            return self.sandbox_view(sandbox);
        }
        let binary = redis_server()?;
        let data_dir = self.data_path().parent().map(Path::to_path_buf).unwrap_or_default();
        let dir = data_dir.join("sandbox");
        if let Some(owner) = live_owner(&dir).filter(|pid| *pid != std::process::id()) {
            return Err(failed(Text::new(&errors::SANDBOX_ELSEWHERE).arg("pid", owner)));
        }
        kill_leftovers(&dir);
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).map_err(|e| failed(cannot(&errors::SANDBOX_CANNOT_CREATE, &dir, &e)))?;
        let mut servers = Vec::new();
        for role in ["source", "target", "master", "replica"] {
            servers.push(spawn(&binary, &dir, role, None).await?);
        }
        let mut cluster_ports = Vec::new();
        for role in CLUSTER_ROLES {
            let node = spawn_with(&binary, &dir, role, None, cluster_port, sandbox_cluster::NODE_ARGS).await?;
            cluster_ports.push(node.port);
            servers.push(node);
        }
        let tls = match spawn_tls(&binary, &dir).await {
            Ok((server, tls_port, files)) => {
                servers.push(server);
                Some((tls_port, files))
            }
            Err(e) => {
                tracing::warn!(error = %e, "the sandbox has no TLS server");
                None
            }
        };
        record_pids(&dir, &servers);
        let port = |role: &str| servers.iter().find(|s| s.role == role).map(|s| s.port).unwrap_or_default();
        for role in ["source", "master"] {
            let mut client = Client::connect(&Endpoint::new("127.0.0.1", port(role))).await?;
            sample_data(&mut client).await?;
        }
        let mut replica = Client::connect(&Endpoint::new("127.0.0.1", port("replica"))).await?;
        replica.request(&["REPLICAOF", "127.0.0.1", &port("master").to_string()]).await?;
        // A small cluster, to migrate from (or into).
        sandbox_cluster::form(&cluster_ports).await?;
        for (master, share) in sandbox_cluster::shares(cluster_ports[0], &sample_commands().0).await? {
            pipeline(&mut Client::connect(&master).await?, &share).await?;
        }

        // The pair and instances of an earlier sandbox point at ports that are gone; tasks may still
        // name the instances.
        if let Ok(old) = self.store.find_pair(PAIR) {
            let _ = self.remove_standby(old.id).await;
        }
        for old in self.store.instances(Some(REGION))? {
            let _ = self.remove_instance(old.id);
        }
        let instance_input = |role: &str, edition: Edition, seeds: &[&str]| InstanceInput {
            name: format!("sandbox {role} :{}", port(role)),
            region: REGION.into(),
            host: "127.0.0.1".into(),
            port: port(role),
            user: None,
            edition,
            proxy: None,
            seeds: seeds.iter().map(|seed| format!("127.0.0.1:{}", port(seed))).collect(),
            tls: None,
            ssh: None,
            ssh_secret: None,
        };
        let register = |role: &str, edition: Edition, seeds: &[&str]| {
            self.add_instance(&instance_input(role, edition, seeds), None)
        };
        let target = register("target", Edition::Standard, &[])?;
        let cluster = register(CLUSTER_ROLES[0], Edition::Cluster, &CLUSTER_ROLES[1..3])?;
        let (master, replica) =
            (register("master", Edition::Standard, &[])?, register("replica", Edition::Standard, &[])?);
        let tls = match tls {
            Some((tls_port, files)) => {
                let input = InstanceInput {
                    name: format!("sandbox tls-target :{tls_port}"),
                    port: tls_port,
                    tls: Some(files.client_options()),
                    ..instance_input("target", Edition::Standard, &[])
                };
                Some(self.add_instance(&input, None)?)
            }
            None => None,
        };
        let standby = self
            .start_standby(&StandbyInput {
                name: PAIR.into(),
                master_instance: master.id,
                replica_instance: Some(replica.id),
                listen: "127.0.0.1:0".into(),
                sync_writes: false,
                listen_tls: None,
                proxy_password: None,
                sentinel: None,
            })
            .await?;
        let sandbox = Sandbox { binary, dir, servers, target, cluster, tls, standby_id: standby.id };
        let view = self.sandbox_view(&sandbox);
        *slot = Some(sandbox);
        view
    }

    /// The running sandbox, if any.
    pub async fn sandbox(&self) -> Result<Option<SandboxView>, ConsoleError> {
        let slot = self.sandbox.0.lock().await;
        slot.as_ref().map(|s| self.sandbox_view(s)).transpose()
    }

    /// A failover drill: kills the sandbox pair's master with SIGKILL and starts it again, empty, a few
    /// seconds later. Returns what was done, as a sentence.
    pub async fn sandbox_drill(&self) -> Result<Text, ConsoleError> {
        let mut slot = self.sandbox.0.lock().await;
        let sandbox = slot.as_mut().ok_or_else(|| failed(Text::new(&errors::SANDBOX_NOT_RUNNING)))?;
        let master = self.standby(sandbox.standby_id)?.master;
        let server = sandbox
            .servers
            .iter_mut()
            .find(|s| master.ends_with(&format!(":{}", s.port)))
            .ok_or_else(|| failed(Text::new(&errors::SANDBOX_MASTER_UNKNOWN).arg("master", &master)))?;
        let (role, port) = (server.role, server.port);
        if let Some(mut child) = server.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
        let shared = self.sandbox.0.clone();
        tokio::spawn(async move {
            tokio::time::sleep(DRILL_DOWNTIME).await;
            let mut slot = shared.lock().await;
            let Some(sandbox) = slot.as_mut() else { return };
            let binary = sandbox.binary.clone();
            let dir = sandbox.dir.clone();
            match spawn(&binary, &dir, role, Some(port)).await {
                Ok(restarted) => {
                    if let Some(server) = sandbox.servers.iter_mut().find(|s| s.port == port) {
                        *server = restarted;
                    }
                    record_pids(&dir, &sandbox.servers);
                }
                Err(e) => tracing::warn!(port, error = %e, "the sandbox could not restart the drilled master"),
            }
        });
        Ok(Text::new(&errors::SANDBOX_DRILL).arg("port", port).arg("secs", DRILL_DOWNTIME.as_secs()))
    }

    /// Stops the sandbox: its proxy, its servers, their files and its instances (those no task names).
    pub async fn stop_sandbox(&self) -> Result<(), ConsoleError> {
        let Some(sandbox) = self.sandbox.0.lock().await.take() else { return Ok(()) };
        let _ = self.remove_standby(sandbox.standby_id).await;
        let dir = sandbox.dir.clone();
        drop(sandbox);
        for old in self.store.instances(Some(REGION))? {
            let _ = self.remove_instance(old.id);
        }
        let _ = std::fs::remove_dir_all(dir);
        Ok(())
    }

    fn sandbox_view(&self, sandbox: &Sandbox) -> Result<SandboxView, ConsoleError> {
        let source = sandbox.servers.iter().find(|s| s.role == "source").map(|s| s.port).unwrap_or_default();
        Ok(SandboxView {
            source_host: "127.0.0.1".into(),
            source_port: source,
            region: REGION.into(),
            target: sandbox.target.clone(),
            cluster: sandbox.cluster.clone(),
            standby: self.standby(sandbox.standby_id)?,
            tls: sandbox.tls.clone(),
            servers: sandbox.servers.iter().map(|s| SandboxServer { role: s.role.into(), port: s.port }).collect(),
            dir: sandbox.dir.display().to_string(),
        })
    }
}

fn failed(message: Text) -> ConsoleError {
    ConsoleError::Standby(message)
}

/// The `redis-server` to run: `FERRY_REDIS_SERVER`, or the one on PATH.
fn redis_server() -> Result<PathBuf, ConsoleError> {
    let binary = std::env::var_os("FERRY_REDIS_SERVER").map(PathBuf::from).unwrap_or_else(|| "redis-server".into());
    match Command::new(&binary).arg("--version").output() {
        Ok(out) if out.status.success() => Ok(binary),
        _ => Err(failed(Text::new(&errors::SANDBOX_NO_REDIS).arg("binary", binary.display().to_string()))),
    }
}

/// Starts the TLS server: its certificates in `dir/tls`, TLS on a free port beside its plain one (the
/// sandbox's own liveness checks use the plain one). Fails when `binary` has no TLS support.
async fn spawn_tls(binary: &Path, dir: &Path) -> Result<(Server, u16, sandbox_tls::TlsFiles), ConsoleError> {
    let files = sandbox_tls::make(&dir.join("tls")).map_err(failed)?;
    let tls_port = free_port()?;
    let args = files.server_args(tls_port);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let server = spawn_with(binary, dir, "tls-target", None, free_port, &args).await?;
    Ok((server, tls_port, files))
}

/// Starts one server on `port` (or a free one) and waits until it answers.
async fn spawn(binary: &Path, dir: &Path, role: &'static str, port: Option<u16>) -> Result<Server, ConsoleError> {
    spawn_with(binary, dir, role, port, free_port, &[]).await
}

/// Starts one server on `port` (or one `pick` chooses) with `args` besides the sandbox's own.
async fn spawn_with(
    binary: &Path,
    dir: &Path,
    role: &'static str,
    port: Option<u16>,
    pick: fn() -> Result<u16, ConsoleError>,
    args: &[&str],
) -> Result<Server, ConsoleError> {
    let mut last = String::new();
    for _ in 0..5 {
        let port = match port {
            Some(port) => port,
            None => pick()?,
        };
        let server_dir = dir.join(role);
        std::fs::create_dir_all(&server_dir)
            .map_err(|e| failed(cannot(&errors::SANDBOX_CANNOT_CREATE, &server_dir, &e)))?;
        let child = Command::new(binary)
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
            .args(["--daemonize", "no", "--repl-diskless-sync-delay", "0", "--logfile", "redis.log"])
            .arg("--dir")
            .arg(&server_dir)
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| failed(cannot(&errors::SANDBOX_CANNOT_START, binary, &e)))?;
        let mut server = Server { role, port, child: Some(child) };
        for _ in 0..100 {
            if Client::connect_with_timeout(&Endpoint::new("127.0.0.1", port), Duration::from_millis(200)).await.is_ok()
            {
                return Ok(server);
            }
            if server.child.as_mut().is_some_and(|c| c.try_wait().ok().flatten().is_some()) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        last = std::fs::read_to_string(server_dir.join("redis.log")).unwrap_or_default();
    }
    let tail: String = last.lines().rev().take(5).collect::<Vec<_>>().join(" | ");
    Err(failed(Text::new(&errors::SANDBOX_SERVER_DID_NOT_START).arg("role", role).arg("tail", tail)))
}

fn free_port() -> Result<u16, ConsoleError> {
    let no_port = |e: std::io::Error| failed(Text::new(&errors::SANDBOX_NO_FREE_PORT).arg("error", e.to_string()));
    let listener = std::net::TcpListener::bind("127.0.0.1:0").map_err(no_port)?;
    listener.local_addr().map(|a| a.port()).map_err(no_port)
}

/// A free port for a cluster node (its bus port free too).
fn cluster_port() -> Result<u16, ConsoleError> {
    for _ in 0..200 {
        let port = free_port()?;
        if sandbox_cluster::bus_port_free(port) {
            return Ok(port);
        }
    }
    Err(failed(Text::new(&errors::SANDBOX_NO_CLUSTER_PORT)))
}

/// Writes `pid port` per server, and the pid of this process as their owner, for [`kill_leftovers`].
fn record_pids(dir: &Path, servers: &[Server]) {
    let lines: String =
        servers.iter().filter_map(|s| s.child.as_ref().map(|c| format!("{} {}\n", c.id(), s.port))).collect();
    let _ = std::fs::write(dir.join("pids"), lines);
    let _ = std::fs::write(dir.join("owner"), std::process::id().to_string());
}

/// Kills the servers of a sandbox whose process died without stopping it: each recorded pid that is
/// still a redis-server on its recorded port.
/// The process that started the sandbox in `dir`, if it still runs.
fn live_owner(dir: &Path) -> Option<u32> {
    let pid: u32 = std::fs::read_to_string(dir.join("owner")).ok()?.trim().parse().ok()?;
    Path::new(&format!("/proc/{pid}")).exists().then_some(pid)
}

/// At startup: stops the servers of a sandbox whose owner process died without stopping it (killed,
/// or crashed), and removes its files. A sandbox whose owner still runs is left alone.
/// Only on Linux, where `/proc` tells whether the owner runs.
pub(crate) fn clean_up_after_dead_owner(data_dir: &Path) {
    if !cfg!(target_os = "linux") {
        return;
    }
    let dir = data_dir.join("sandbox");
    if dir.join("pids").exists() && live_owner(&dir).is_none() {
        kill_leftovers(&dir);
        let _ = std::fs::remove_dir_all(&dir);
    }
}

fn kill_leftovers(dir: &Path) {
    let Ok(pids) = std::fs::read_to_string(dir.join("pids")) else { return };
    for line in pids.lines() {
        let Some((pid, port)) = line.split_once(' ') else { continue };
        let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
        let cmdline = String::from_utf8_lossy(&cmdline);
        if cmdline.contains("redis-server") && cmdline.contains(&format!(":{port}")) {
            let _ = Command::new("kill").args(["-9", pid]).status();
        }
    }
}

/// A small dataset of every common type in db 0 and db 1, with some TTLs: about 2,000 keys.
/// The sample data: (db 0, db 1) commands.
fn sample_commands() -> (Vec<Vec<Bytes>>, Vec<Vec<Bytes>>) {
    let b = |s: String| Bytes::from(s);
    let mut commands: Vec<Vec<Bytes>> = Vec::new();
    for i in 0..1000 {
        commands.push(vec![b("SET".into()), b(format!("user:{i}:name")), b(format!("user-{i}"))]);
    }
    for i in 0..200 {
        let mut hset = vec![b("HSET".into()), b(format!("user:{i}"))];
        for (field, value) in
            [("name", format!("user-{i}")), ("plan", ["free", "pro"][i % 2].into()), ("visits", i.to_string())]
        {
            hset.extend([b(field.into()), b(value)]);
        }
        commands.push(hset);
        commands.push(vec![b("RPUSH".into()), b(format!("queue:{i}")), b("job-a".into()), b("job-b".into())]);
        commands.push(vec![b("SADD".into()), b(format!("tags:{i}")), b("red".into()), b("blue".into())]);
        commands.push(vec![b("ZADD".into()), b(format!("scores:{i}")), b(i.to_string()), b(format!("player-{i}"))]);
        commands.push(vec![
            b("SET".into()),
            b(format!("session:{i}")),
            b("token".into()),
            b("EX".into()),
            b("86400".into()),
        ]);
    }
    for i in 0..100 {
        commands.push(vec![b("XADD".into()), b("events".into()), b("*".into()), b("n".into()), b(i.to_string())]);
    }
    let cache = (0..300).map(|i| vec![b("SET".into()), b(format!("cache:{i}")), b("x".repeat(64))]).collect();
    (commands, cache)
}

/// Loads the sample data: db 0 and, in db 1, a cache.
async fn sample_data(client: &mut Client) -> Result<(), ConsoleError> {
    let (db0, db1) = sample_commands();
    pipeline(client, &db0).await?;
    client.request(&["SELECT", "1"]).await?;
    pipeline(client, &db1).await?;
    client.request(&["SELECT", "0"]).await?;
    Ok(())
}

/// Sends commands pipelined, 500 at a time; the first error reply fails the load.
async fn pipeline(client: &mut Client, commands: &[Vec<Bytes>]) -> Result<(), ConsoleError> {
    for chunk in commands.chunks(500) {
        for command in chunk {
            client.send(command);
        }
        client.flush().await?;
        for _ in chunk {
            let reply = client.read_reply().await?;
            if let Some(message) = reply.error_message() {
                return Err(failed(Text::new(&errors::SANDBOX_SAMPLE_DATA).arg("error", message)));
            }
        }
    }
    Ok(())
}
