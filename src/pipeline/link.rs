//! How the pipeline reaches its source: at a fixed address, or through Redis Sentinel, asked again
//! at every connection so that a failover is followed ([`crate::sentinel`]).

use std::fmt;

use crate::client::Client;
use crate::endpoint::Endpoint;
use crate::model::SentinelSpec;
use crate::replica::{Replica, ReplicaError};
use crate::sentinel;

/// The source's address (with its credentials), or the Sentinels that name it.
#[derive(Debug, Clone)]
pub(crate) struct SourceLink {
    endpoint: Endpoint,
    sentinel: Option<SentinelSpec>,
}

impl SourceLink {
    pub(crate) fn new(endpoint: Endpoint, sentinel: Option<SentinelSpec>) -> SourceLink {
        SourceLink { endpoint, sentinel }
    }

    /// Where the source is now.
    pub(crate) async fn locate(&self) -> Result<Endpoint, ReplicaError> {
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
        match &self.sentinel {
            None => write!(f, "{}", self.endpoint),
            Some(spec) => write!(f, "master {:?} of Sentinel {}", spec.master_name, spec.nodes.join(",")),
        }
    }
}
