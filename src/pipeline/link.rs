//! How the pipeline reaches its source: at a fixed address, through Redis Sentinel, or as the
//! master that serves a cluster's slots — asked again at every connection so that a failover is
//! followed ([`crate::sentinel`], [`crate::cluster`]).

use std::fmt;

use crate::client::Client;
use crate::endpoint::Endpoint;
use crate::model::SentinelSpec;
use crate::replica::{Replica, ReplicaError};
use crate::sentinel;
use crate::text::catalog::tasks as msg;
use crate::text::Text;

/// The source's address (with its credentials), or the Sentinels that name it, or the cluster
/// nodes that say which master serves a shard's slots.
#[derive(Debug, Clone)]
pub(crate) struct SourceLink {
    endpoint: Endpoint,
    sentinel: Option<SentinelSpec>,
    shard: Option<ShardSpec>,
}

/// One master's share of a cluster source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShardSpec {
    /// The cluster's nodes as last seen; any of them tells the topology.
    pub nodes: Vec<Endpoint>,
    /// The slots this share holds.
    pub ranges: Vec<(u16, u16)>,
    /// Read the share from one of its master's replicas where one answers.
    pub from_replica: bool,
}

impl ShardSpec {
    /// Whether `slot` is in this share.
    pub fn holds(&self, slot: u16) -> bool {
        self.ranges.iter().any(|&(a, b)| (a..=b).contains(&slot))
    }

    /// A name for the share in messages and progress: its slots.
    pub fn name(&self) -> String {
        self.title().to_string()
    }

    /// [`ShardSpec::name`] as a sentence, for notices that render in the reader's language.
    pub fn title(&self) -> Text {
        let ranges: Vec<String> = self.ranges.iter().map(|(a, b)| format!("{a}-{b}")).collect();
        Text::new(&msg::SHARD).arg("ranges", ranges.join(","))
    }
}

impl SourceLink {
    pub(crate) fn new(endpoint: Endpoint, sentinel: Option<SentinelSpec>, shard: Option<ShardSpec>) -> SourceLink {
        SourceLink { endpoint, sentinel, shard }
    }

    /// Where the source is now (for a cluster share read from a replica: that replica).
    pub(crate) async fn locate(&self) -> Result<Endpoint, ReplicaError> {
        self.find(true).await
    }

    /// Where the source's master is now: where writes are paused and the offset to reach is read.
    pub(crate) async fn master(&self) -> Result<Endpoint, ReplicaError> {
        self.find(false).await
    }

    async fn find(&self, replica: bool) -> Result<Endpoint, ReplicaError> {
        if let Some(shard) = &self.shard {
            let mut failure = None;
            for node in &shard.nodes {
                match crate::cluster::discover(node).await {
                    Ok(Some(topology)) => {
                        let owner = &topology.shards[topology.shard_of(shard.ranges[0].0)];
                        if replica && shard.from_replica {
                            for candidate in &owner.replicas {
                                if Client::connect(candidate).await.is_ok() {
                                    return Ok(candidate.clone());
                                }
                            }
                        }
                        return Ok(owner.master.clone());
                    }
                    Ok(None) => {}
                    Err(e) => failure = Some(e),
                }
            }
            return Err(match failure {
                Some(e) => e.into(),
                None => ReplicaError::Client(crate::client::ClientError::Closed {
                    addr: self.endpoint.addr(),
                    context: Some(crate::text::Text::new(&crate::text::catalog::errors::CLIENT_CLOSED_NO_SOURCE_NODE)),
                }),
            });
        }
        Ok(sentinel::resolve(&self.endpoint, self.sentinel.as_ref()).await?)
    }

    /// An ordinary connection to the source.
    pub(crate) async fn client(&self) -> Result<Client, ReplicaError> {
        Ok(Client::connect(&self.locate().await?).await?)
    }

    /// A replication connection to the source, past the REPLCONF handshake.
    pub(crate) async fn replica(&self) -> Result<Replica, ReplicaError> {
        Replica::connect(&self.locate().await?).await
    }
}

impl fmt::Display for SourceLink {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.sentinel, &self.shard) {
            (_, Some(shard)) => write!(f, "the master of {} of cluster {}", shard.name(), self.endpoint),
            (None, None) => write!(f, "{}", self.endpoint),
            (Some(spec), None) => write!(f, "master {:?} of Sentinel {}", spec.master_name, spec.nodes.join(",")),
        }
    }
}
