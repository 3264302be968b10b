//! Reads the source's replication offset and both keyspaces about once a second, on connections of
//! its own, so that progress shows the lag in bytes and the key counts of both sides.

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use crate::client::{info_field, keyspace_counts, Client, ClientError};

use super::{Counters, KeyCounts};

/// Whether the target has caught up with the source.
pub enum Sync {
    Yes,
    /// The offsets match but the key counts do not.
    KeysDiffer,
    No,
}

pub struct Monitor {
    task: tokio::task::JoinHandle<()>,
    /// The source offset and key counts of the latest poll that read both sides after the source.
    latest: Arc<std::sync::Mutex<Option<Poll>>>,
}

#[derive(Clone)]
struct Poll {
    source_offset: u64,
    source_keys: KeyCounts,
    target_keys: KeyCounts,
}

pub fn spawn(mut source: Client, mut target: Client, counters: Arc<Counters>) -> Monitor {
    let latest = Arc::new(std::sync::Mutex::new(None));
    let out = latest.clone();
    let task = tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(1));
        loop {
            tick.tick().await;
            // A failed poll is not fatal: the replication link itself reports real failures.
            let Ok(repl) = source.info("replication").await else { continue };
            let Ok(source_ks) = source.info("keyspace").await else { continue };
            let Ok(target_ks) = target.info("keyspace").await else { continue };
            let source_offset = parse_offset(&repl);
            let poll = Poll {
                source_offset,
                source_keys: keyspace_counts(&source_ks),
                target_keys: keyspace_counts(&target_ks),
            };
            counters.source_offset.store(source_offset, Ordering::Release);
            if let Ok(mut k) = counters.keyspaces.lock() {
                *k = (poll.source_keys.clone(), poll.target_keys.clone());
            }
            if let Ok(mut l) = out.lock() {
                *l = Some(poll);
            }
        }
    });
    Monitor { task, latest }
}

impl Monitor {
    /// Whether the target has applied everything the source had at the last poll, and both hold the
    /// same number of keys in every db.
    pub fn in_sync(&self, counters: &Counters) -> Sync {
        let Some(poll) = self.latest.lock().ok().and_then(|l| l.clone()) else { return Sync::No };
        if counters.applied_offset.load(Ordering::Acquire) < poll.source_offset {
            return Sync::No;
        }
        if poll.source_keys == poll.target_keys {
            Sync::Yes
        } else {
            Sync::KeysDiffer
        }
    }

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
