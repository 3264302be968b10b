//! The sandbox's small Redis Cluster (3 masters, 3 replicas): formed with the cluster's own
//! commands (`CLUSTER MEET`, `ADDSLOTS`, `REPLICATE`), so that no `redis-cli` is needed, and given
//! the sample data of db 0, each key on the master of its slot.

use std::time::Duration;

use bytes::Bytes;

use super::ConsoleError;
use crate::client::Client;
use crate::cluster::SLOTS;
use crate::endpoint::Endpoint;
use crate::text::catalog::run_errors as errors;
use crate::text::Text;

/// The arguments a sandbox cluster node starts with.
pub(super) const NODE_ARGS: &[&str] =
    &["--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf", "--cluster-node-timeout", "2000"];

fn failed(message: Text) -> ConsoleError {
    ConsoleError::Standby(message)
}

fn node(port: u16) -> Endpoint {
    Endpoint::new("127.0.0.1", port)
}

/// Whether a cluster node can listen on `port`: its bus port (port + 10,000) must fit and be free.
pub(super) fn bus_port_free(port: u16) -> bool {
    port <= 55535 && std::net::TcpListener::bind(("127.0.0.1", port + 10000)).is_ok()
}

/// Joins the nodes into one cluster: the first half masters with a third of the slots each, the
/// second half their replicas; waits until every node says the cluster is ok.
pub(super) async fn form(ports: &[u16]) -> Result<(), ConsoleError> {
    let masters = ports.len() / 2;
    let mut ids = Vec::new();
    for &port in ports {
        let reply = Client::connect(&node(port)).await?.request(&["CLUSTER", "MYID"]).await?;
        ids.push(reply.as_bytes().map(|b| String::from_utf8_lossy(b).into_owned()).unwrap_or_default());
    }
    let mut first = Client::connect(&node(ports[0])).await?;
    for &port in &ports[1..] {
        first.request(&["CLUSTER", "MEET", "127.0.0.1", &port.to_string()]).await?;
    }
    let share = SLOTS as usize / masters;
    for (i, &port) in ports[..masters].iter().enumerate() {
        let from = i * share;
        let to = if i + 1 == masters { SLOTS as usize } else { from + share };
        let mut addslots = vec![Bytes::from_static(b"CLUSTER"), Bytes::from_static(b"ADDSLOTS")];
        addslots.extend((from..to).map(|s| Bytes::from(s.to_string())));
        Client::connect(&node(port)).await?.request(&addslots).await?;
    }
    // A replica can follow a master once it knows it (the MEETs spread by gossip).
    for (i, &port) in ports[masters..].iter().enumerate() {
        let mut replica = Client::connect(&node(port)).await?;
        let mut tries = 0;
        while let Err(e) = replica.request(&["CLUSTER", "REPLICATE", &ids[i]]).await {
            tries += 1;
            if tries > 100 {
                let why = Text::new(&errors::SANDBOX_CLUSTER_FOLLOW).arg("port", port).arg("error", e.text());
                return Err(failed(why));
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
    // Ready when every node says the cluster is ok and every replica has synced with its master.
    for _ in 0..200 {
        let mut ok = true;
        for (i, &port) in ports.iter().enumerate() {
            let mut client = Client::connect(&node(port)).await?;
            let info = client.request(&["CLUSTER", "INFO"]).await?;
            ok &= info.as_bytes().is_some_and(|t| String::from_utf8_lossy(t).contains("cluster_state:ok"));
            // Every node knows every replica as one (the news travels by gossip).
            let nodes = client.request(&["CLUSTER", "NODES"]).await?;
            let known_replicas = nodes.as_bytes().map_or(0, |t| {
                String::from_utf8_lossy(t)
                    .lines()
                    .filter(|l| l.split_whitespace().nth(2).is_some_and(|flags| flags.contains("slave")))
                    .count()
            });
            ok &= known_replicas == ports.len() - masters;
            if i >= masters {
                let replication = client.info("replication").await?;
                ok &= crate::client::info_field(&replication, "master_link_status") == Some("up");
            }
        }
        if ok {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Err(failed(Text::new(&errors::SANDBOX_CLUSTER_NOT_OK)))
}

/// Splits `commands` (each about one key) by the master of each key's slot.
pub(super) async fn shares(
    seed: u16,
    commands: &[Vec<Bytes>],
) -> Result<Vec<(Endpoint, Vec<Vec<Bytes>>)>, ConsoleError> {
    let topology = crate::cluster::discover(&node(seed))
        .await?
        .ok_or_else(|| failed(Text::new(&errors::SANDBOX_CLUSTER_NOT_CLUSTER)))?;
    let mut shares: Vec<Vec<Vec<Bytes>>> = vec![Vec::new(); topology.shards.len()];
    for command in commands {
        let crate::cluster::SlotsOf::One(slot) = crate::cluster::slot_of_command(command) else { continue };
        shares[topology.shard_of(slot)].push(command.clone());
    }
    Ok(topology.masters().cloned().zip(shares).collect())
}
