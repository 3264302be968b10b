//! Reads the source's replication offset and both keyspaces about once a second, on connections of
//! its own, so that progress shows the lag in bytes and the key counts of both sides.

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use crate::client::{info_field, keyspace_counts, Client, ClientError};

use super::Counters;

pub struct Monitor {
    task: tokio::task::JoinHandle<()>,
}

pub fn spawn(mut source: Client, mut target: Client, counters: Arc<Counters>) -> Monitor {
    let task = tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(1));
        loop {
            tick.tick().await;
            // A failed poll is not fatal: the replication link itself reports real failures.
            let Ok(repl) = source.info("replication").await else { continue };
            let Ok(source_ks) = source.info("keyspace").await else { continue };
            let Ok(target_ks) = target.info("keyspace").await else { continue };
            counters.source_offset.store(parse_offset(&repl), Ordering::Release);
            if let Ok(mut k) = counters.keyspaces.lock() {
                *k = (keyspace_counts(&source_ks), keyspace_counts(&target_ks));
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
