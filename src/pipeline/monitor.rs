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
use super::Counters;

pub struct Monitor {
    task: tokio::task::JoinHandle<()>,
}

/// Where the monitor looks, and its first connections.
pub struct Peers {
    pub source: SourceLink,
    pub target: Endpoint,
    pub clients: (Client, Client),
}

/// `checkpoint`: the key of Ferry's checkpoint on the target, which the target's key count leaves out.
pub fn spawn(peers: Peers, counters: Arc<Counters>, checkpoint: Bytes) -> Monitor {
    let task = tokio::spawn(async move {
        let (mut source, mut target) = (Some(peers.clients.0), Some(peers.clients.1));
        let mut tick = tokio::time::interval(Duration::from_secs(1));
        loop {
            tick.tick().await;
            // A failed poll is not fatal: the replication link itself reports real failures. The
            // connection is made again at the next tick (after a source failover, to the new
            // master), so the figures do not freeze at what the old server last said.
            if source.is_none() {
                source = peers.source.client().await.ok();
            }
            if target.is_none() {
                target = Client::connect(&peers.target).await.ok();
            }
            let (Some(s), Some(t)) = (source.as_mut(), target.as_mut()) else { continue };
            let (Ok(repl), Ok(source_ks)) = (s.info("replication").await, s.info("keyspace").await) else {
                source = None;
                continue;
            };
            let Ok(target_ks) = t.info("keyspace").await else {
                target = None;
                continue;
            };
            let target = t;
            let mut target_keys = keyspace_counts(&target_ks);
            let has_checkpoint = async {
                target.request(&["SELECT", &super::checkpoint::DB.to_string()]).await?;
                target.request(&[&b"EXISTS"[..], &checkpoint]).await
            };
            if let Ok(Frame::Integer(1)) = has_checkpoint.await {
                if let Some((_, n)) = target_keys.iter_mut().find(|(db, _)| *db == super::checkpoint::DB) {
                    *n = n.saturating_sub(1);
                }
                target_keys.retain(|(_, n)| *n > 0);
            }
            counters.source_offset.store(parse_offset(&repl), Ordering::Release);
            if let Ok(mut k) = counters.keyspaces.lock() {
                *k = (keyspace_counts(&source_ks), target_keys);
            }
        }
    });
    Monitor { task }
}

impl Monitor {
    pub fn stop(&self) {
        self.task.abort();
    }
}

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
