//! Reads the source's replication offset and both keyspaces about once a second, on connections of
//! its own, so that progress shows the lag in bytes and the key counts of both sides.

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;

use crate::client::{info_field, keyspace_counts, Client, ClientError};
use crate::resp::Frame;

use super::Counters;

pub struct Monitor {
    task: tokio::task::JoinHandle<()>,
}

/// `checkpoint`: the key of Ferry's checkpoint on the target, which the target's key count leaves out.
pub fn spawn(mut source: Client, mut target: Client, counters: Arc<Counters>, checkpoint: Bytes) -> Monitor {
    let task = tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(1));
        loop {
            tick.tick().await;
            // A failed poll is not fatal: the replication link itself reports real failures.
            let Ok(repl) = source.info("replication").await else { continue };
            let Ok(source_ks) = source.info("keyspace").await else { continue };
            let Ok(target_ks) = target.info("keyspace").await else { continue };
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
