//! A Redis Cluster of real servers for the tests: `--cluster-enabled yes` nodes on free ports (at
//! most 55535: each node's cluster bus listens on its port + 10000), joined by `redis-cli --cluster
//! create`, and killed on Drop with their servers.

use std::collections::BTreeMap;
use std::net::TcpListener;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use bytes::Bytes;
use ferry::client::Client;
use ferry::endpoint::Endpoint;
use ferry::verify::KeyState;

use super::RedisServer;

/// A port for a cluster node: free, at most 55535, and with its bus port (+10000) free too.
fn cluster_port() -> u16 {
    loop {
        let port = super::free_port();
        if port <= 55535 && TcpListener::bind(("127.0.0.1", port + 10000)).is_ok() {
            return port;
        }
    }
}

pub struct RedisCluster {
    /// Masters first, then replicas.
    pub nodes: Vec<RedisServer>,
    pub masters: usize,
}

impl RedisCluster {
    /// `masters` masters with `replicas` replicas each, of the default server.
    pub fn start(masters: usize, replicas: usize) -> RedisCluster {
        Self::start_with(&super::default_binary(), masters, replicas)
    }

    pub fn start_with(binary: &Path, masters: usize, replicas: usize) -> RedisCluster {
        Self::start_args(binary, masters, replicas, &[])
    }

    /// As [`RedisCluster::start_with`], each node with `extra` arguments too.
    pub fn start_args(binary: &Path, masters: usize, replicas: usize, extra: &[&str]) -> RedisCluster {
        let mut args =
            vec!["--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf", "--cluster-node-timeout", "2000"];
        args.extend_from_slice(extra);
        let nodes: Vec<RedisServer> =
            (0..masters * (1 + replicas)).map(|_| RedisServer::start_on(binary, &args, cluster_port)).collect();
        let mut create = Command::new("redis-cli");
        create.arg("--cluster").arg("create");
        create.args(nodes.iter().map(|n| format!("127.0.0.1:{}", n.port)));
        create.args(["--cluster-replicas", &replicas.to_string(), "--cluster-yes"]);
        let out = create.output().expect("redis-cli (apt-get install redis-tools) creates the cluster");
        assert!(out.status.success(), "cluster create failed: {}", String::from_utf8_lossy(&out.stdout));
        let cluster = RedisCluster { nodes, masters };
        cluster.wait_ok();
        cluster.wait_replicas();
        cluster
    }

    /// Waits until every replica has its link to its master up (its first sync done).
    fn wait_replicas(&self) {
        let deadline = Instant::now() + Duration::from_secs(30);
        for node in &self.nodes {
            loop {
                let out =
                    Command::new("redis-cli").args(["-p", &node.port.to_string(), "INFO", "replication"]).output();
                let text = out.map(|o| String::from_utf8_lossy(&o.stdout).into_owned()).unwrap_or_default();
                if text.contains("role:master") || text.contains("master_link_status:up") {
                    break;
                }
                assert!(Instant::now() < deadline, "a replica did not sync in 30 s: {text}");
                std::thread::sleep(Duration::from_millis(50));
            }
        }
    }

    /// Waits until every node still running says the cluster is ok and names only running
    /// masters (after a kill: once the failure is detected and a replica took over).
    pub fn wait_ok(&self) {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let ok = self.alive().all(|n| {
                let info = Command::new("redis-cli").args(["-p", &n.port.to_string(), "CLUSTER", "INFO"]).output();
                let nodes = Command::new("redis-cli").args(["-p", &n.port.to_string(), "CLUSTER", "NODES"]).output();
                let masters_run = nodes.is_ok_and(|o| {
                    String::from_utf8_lossy(&o.stdout)
                        .lines()
                        // A master line that still lists slots (fields after the 8th) must be a running node.
                        .filter(|l| l.contains("master") && l.split_whitespace().count() > 8)
                        .all(|l| {
                            let port =
                                l.split_whitespace().nth(1).and_then(|a| a.split(['@', ':']).nth(1)?.parse().ok());
                            port.is_some_and(super::answers)
                        })
                });
                masters_run && info.is_ok_and(|o| String::from_utf8_lossy(&o.stdout).contains("cluster_state:ok"))
            });
            if ok {
                return;
            }
            assert!(Instant::now() < deadline, "the cluster did not become ok in 30 s");
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn alive(&self) -> impl Iterator<Item = &RedisServer> {
        self.nodes.iter().filter(|n| super::answers(n.port))
    }

    /// Kills node `i` with SIGKILL (its replica takes over after the node timeout, 2 s).
    pub fn kill9(&mut self, i: usize) {
        self.nodes[i].kill9();
    }

    /// The topology, as any running node tells it.
    pub async fn topology(&self) -> ferry::cluster::Topology {
        for node in self.alive() {
            if let Ok(Some(topology)) = ferry::cluster::discover(&node.endpoint()).await {
                return topology;
            }
        }
        panic!("no node of the cluster answers")
    }

    /// Moves `slots` slots from the master of the first shard to the master of the second with
    /// `redis-cli --cluster reshard` (keys move with MIGRATE, clients see ASK and MOVED).
    pub async fn reshard(&self, slots: usize) {
        let topology = self.topology().await;
        let id = |e: &Endpoint| {
            let out = Command::new("redis-cli").args(["-p", &e.port.to_string(), "CLUSTER", "MYID"]).output().unwrap();
            String::from_utf8_lossy(&out.stdout).trim().to_string()
        };
        let (from, to) = (&topology.shards[0].master, &topology.shards[1].master);
        let out = Command::new("redis-cli")
            .args(["--cluster", "reshard", &format!("127.0.0.1:{}", from.port)])
            .args(["--cluster-from", &id(from), "--cluster-to", &id(to)])
            .args(["--cluster-slots", &slots.to_string(), "--cluster-yes"])
            .output()
            .expect("redis-cli reshard");
        assert!(out.status.success(), "reshard failed: {}", String::from_utf8_lossy(&out.stdout));
    }

    pub fn url(&self) -> String {
        self.nodes[0].url()
    }

    pub fn endpoint(&self) -> Endpoint {
        self.nodes[0].endpoint()
    }

    /// A node still running (after a kill, not necessarily the first).
    pub async fn endpoint_alive(&self) -> Endpoint {
        self.alive().next().expect("a node running").endpoint()
    }

    /// The masters as they are now (after a failover, the promoted replicas).
    pub async fn masters(&self) -> Vec<Endpoint> {
        self.topology().await.masters().cloned().collect()
    }

    /// A client for the master that serves `key`.
    pub async fn client_for(&self, key: &str) -> Client {
        let topology = self.topology().await;
        let shard = topology.shard_of(ferry::cluster::slot(key.as_bytes()));
        Client::connect(&topology.shards[shard].master).await.expect("connect to a master")
    }

    /// Every key of the cluster (Ferry's own left out) with its state, read from its master.
    pub async fn contents(&self) -> BTreeMap<Bytes, KeyState> {
        let mut all = BTreeMap::new();
        for master in self.masters().await {
            let mut client = Client::connect(&master).await.expect("connect to a master");
            all.extend(contents(&mut client).await);
        }
        all
    }
}

/// Every key of db 0 of one server (Ferry's own left out) with its state.
pub async fn contents(client: &mut Client) -> BTreeMap<Bytes, KeyState> {
    let mut keys = Vec::new();
    let mut cursor = Bytes::from_static(b"0");
    client.request(&["SELECT", "0"]).await.expect("SELECT");
    loop {
        let reply = client.request(&[&b"SCAN"[..], &cursor, b"COUNT", b"1000"]).await.expect("SCAN");
        let ferry::resp::Frame::Array(parts) = reply else { panic!("SCAN reply") };
        cursor = parts[0].as_bytes().cloned().expect("cursor");
        if let ferry::resp::Frame::Array(page) = &parts[1] {
            keys.extend(page.iter().filter_map(|k| k.as_bytes().cloned()).filter(|k| !ferry::filter::is_own_key(k)));
        }
        if cursor.as_ref() == b"0" {
            break;
        }
    }
    let states = ferry::verify::read_keys(client, &keys, false).await.expect("read keys");
    keys.into_iter().zip(states).filter_map(|(k, s)| Some((k, s?))).collect()
}
