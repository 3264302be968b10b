//! Reads the source's replication offset and both keyspaces about once a second, on connections of
//! its own, so that progress shows the lag in bytes and the key counts of both sides.

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;

use crate::client::{info_field, keyspace_counts, Client, ClientError};
use crate::endpoint::Endpoint;
use crate::resp::Frame;

use super::link::SourceLink;
use super::{Counters, KeyCounts};

pub struct Monitor {
    task: tokio::task::JoinHandle<()>,
    sampler: Arc<tokio::sync::Mutex<Sampler>>,
}

/// Where the monitor looks, and its first connections.
pub struct Peers {
    pub source: SourceLink,
    pub target: Endpoint,
    pub clients: (Client, Client),
    /// A cluster target's nodes (any answers for the topology): its masters' key counts add up.
    pub cluster: Option<Vec<Endpoint>>,
}

/// Reads the source's offset and both key counts, on connections kept from one reading to the next.
struct Sampler {
    link: SourceLink,
    target_endpoint: Endpoint,
    cluster: Option<Vec<Endpoint>>,
    source: Option<Client>,
    target: Option<Client>,
    counters: Arc<Counters>,
    checkpoint: Bytes,
}

impl Sampler {
    /// A failed reading is not fatal: the replication link itself reports real failures. The
    /// connection is made again at the next reading (after a source failover, to the new master),
    /// so the figures do not freeze at what the old server last said.
    async fn sample(&mut self) {
        if self.source.is_none() {
            self.source = self.link.client().await.ok();
        }
        let Some(s) = self.source.as_mut() else { return };
        let (Ok(repl), Ok(source_ks)) = (s.info("replication").await, s.info("keyspace").await) else {
            self.source = None;
            return;
        };
        self.counters.source_offset.store(parse_offset(&repl), Ordering::Release);
        let target_keys = match &self.cluster {
            None => {
                if self.target.is_none() {
                    self.target = Client::connect(&self.target_endpoint).await.ok();
                }
                let Some(t) = self.target.as_mut() else { return };
                own_key_left_out(t, &self.checkpoint).await
            }
            Some(nodes) => cluster_keys(nodes, &self.counters).await,
        };
        let Ok(target_keys) = target_keys else {
            self.target = None;
            return;
        };
        if let Ok(mut k) = self.counters.keyspaces.lock() {
            *k = (keyspace_counts(&source_ks), target_keys);
        }
    }
}

/// `checkpoint`: the key of Ferry's checkpoint on the target, which the target's key count leaves out.
pub fn spawn(peers: Peers, counters: Arc<Counters>, checkpoint: Bytes) -> Monitor {
    let (source, target) = peers.clients;
    let sampler = Arc::new(tokio::sync::Mutex::new(Sampler {
        link: peers.source,
        target_endpoint: peers.target,
        cluster: peers.cluster,
        source: Some(source),
        target: Some(target),
        counters,
        checkpoint,
    }));
    let shared = sampler.clone();
    let task = tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(1));
        loop {
            tick.tick().await;
            shared.lock().await.sample().await;
        }
    });
    Monitor { task, sampler }
}

/// A standalone target's key counts, without Ferry's checkpoint.
async fn own_key_left_out(target: &mut Client, checkpoint: &Bytes) -> Result<KeyCounts, ClientError> {
    let mut target_keys = keyspace_counts(&target.info("keyspace").await?);
    target.request(&["SELECT", &super::checkpoint::DB.to_string()]).await?;
    if let Frame::Integer(1) = target.request(&[&b"EXISTS"[..], checkpoint]).await? {
        if let Some((_, n)) = target_keys.iter_mut().find(|(db, _)| *db == super::checkpoint::DB) {
            *n = n.saturating_sub(1);
        }
        target_keys.retain(|(_, n)| *n > 0);
    }
    Ok(target_keys)
}

/// A cluster target's keys (db 0 on every master as the cluster says now), without Ferry's
/// checkpoints.
async fn cluster_keys(nodes: &[Endpoint], counters: &Counters) -> Result<KeyCounts, ClientError> {
    let mut topology = None;
    for node in nodes {
        if let Ok(Some(t)) = crate::cluster::discover(node).await {
            topology = Some(t);
            break;
        }
    }
    let Some(topology) = topology else {
        let context = Some(crate::text::Text::new(&crate::text::catalog::errors::CLIENT_CLOSED_NO_NODE));
        return Err(ClientError::Closed { addr: String::new(), context });
    };
    let mut total = 0;
    for master in topology.masters() {
        let mut client = Client::connect(master).await?;
        total += keyspace_counts(&client.info("keyspace").await?).iter().map(|(_, n)| n).sum::<u64>();
    }
    let total = total.saturating_sub(counters.own_keys.load(Ordering::Acquire));
    Ok(if total > 0 { vec![(0, total)] } else { Vec::new() })
}

impl Monitor {
    pub fn stop(&self) {
        self.task.abort();
    }

    /// Stops the readings and takes a last one, so that the summary's key counts and offset are
    /// those of the end and not of up to a second before (bounded: a server gone by then leaves
    /// the last figures as they were).
    pub async fn finish(&self) {
        self.task.abort();
        let mut sampler = self.sampler.lock().await;
        // A reading cut off by the abort may have left a reply unread on its connections.
        (sampler.source, sampler.target) = (None, None);
        let _ = tokio::time::timeout(FINAL_READING, sampler.sample()).await;
    }
}

/// How long the last reading may take.
const FINAL_READING: Duration = Duration::from_secs(2);

impl Drop for Monitor {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn parse_offset(repl: &[(String, String)]) -> u64 {
    info_field(repl, "master_repl_offset").and_then(|v| v.parse().ok()).unwrap_or(0)
}

/// The source's `master_repl_offset` now.
pub async fn source_offset(client: &mut Client) -> Result<u64, ClientError> {
    Ok(parse_offset(&client.info("replication").await?))
}

/// The source's `master_repl_offset` and `master_replid` now.
pub async fn source_position(client: &mut Client) -> Result<(u64, String), ClientError> {
    let repl = client.info("replication").await?;
    Ok((parse_offset(&repl), info_field(&repl, "master_replid").unwrap_or_default().to_string()))
}
