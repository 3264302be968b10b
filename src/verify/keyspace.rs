//! One side of a compare: a standalone server, or every master of a cluster, each key read from
//! the master that serves its slot.

use std::ops::{Deref, DerefMut};

use bytes::Bytes;

use super::KeyState;
use crate::client::{Client, ClientError};
use crate::cluster::{self, ClusterError, Topology};
use crate::endpoint::Endpoint;

/// A connection the caller lends, or one the keyspace made.
enum Node<'a> {
    Lent(&'a mut Client),
    Own(Client),
}

impl Deref for Node<'_> {
    type Target = Client;
    fn deref(&self) -> &Client {
        match self {
            Node::Lent(c) => c,
            Node::Own(c) => c,
        }
    }
}

impl DerefMut for Node<'_> {
    fn deref_mut(&mut self) -> &mut Client {
        match self {
            Node::Lent(c) => c,
            Node::Own(c) => c,
        }
    }
}

/// A server's keys, or a cluster's.
pub struct Keyspace<'a> {
    nodes: Vec<Node<'a>>,
    topology: Option<Topology>,
}

impl<'a> Keyspace<'a> {
    /// One standalone server, on the caller's connection.
    pub fn one(client: &'a mut Client) -> Keyspace<'a> {
        Keyspace { nodes: vec![Node::Lent(client)], topology: None }
    }

    /// The server at `endpoint`, or every master of its cluster.
    pub async fn connect(endpoint: &Endpoint) -> Result<Keyspace<'static>, ClusterError> {
        let Some(topology) = cluster::discover(endpoint).await? else {
            return Ok(Keyspace { nodes: vec![Node::Own(Client::connect(endpoint).await?)], topology: None });
        };
        let mut nodes = Vec::with_capacity(topology.shards.len());
        for master in topology.masters() {
            nodes.push(Node::Own(Client::connect(master).await?));
        }
        Ok(Keyspace { nodes, topology: Some(topology) })
    }

    /// How many servers hold the keys (the masters of a cluster).
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// Whether there is no server (never: a keyspace has at least one).
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// Server `i`.
    pub fn node(&mut self, i: usize) -> &mut Client {
        &mut self.nodes[i]
    }

    /// The server that holds `key`.
    fn owner(&self, key: &[u8]) -> usize {
        self.topology.as_ref().map_or(0, |t| t.shard_of(cluster::slot(key)))
    }

    /// Selects `db` on every server.
    pub async fn select(&mut self, db: u32) -> Result<(), ClientError> {
        for node in &mut self.nodes {
            node.request(&["SELECT", &db.to_string()]).await?;
        }
        Ok(())
    }

    /// The dbs that hold keys, on any server.
    pub async fn databases(&mut self) -> Result<Vec<u32>, ClientError> {
        let mut dbs = Vec::new();
        for node in &mut self.nodes {
            dbs.extend(super::databases(node).await?);
        }
        dbs.sort_unstable();
        dbs.dedup();
        Ok(dbs)
    }

    /// Reads keys of the selected db, each from its server, in the order given.
    pub async fn read_keys(&mut self, keys: &[Bytes], field_ttls: bool) -> Result<Vec<Option<KeyState>>, ClientError> {
        if self.nodes.len() == 1 {
            return super::read_keys(&mut self.nodes[0], keys, field_ttls).await;
        }
        let mut out: Vec<Option<KeyState>> = vec![None; keys.len()];
        for i in 0..self.nodes.len() {
            let (at, mine): (Vec<usize>, Vec<Bytes>) =
                keys.iter().enumerate().filter(|(_, k)| self.owner(k) == i).map(|(j, k)| (j, k.clone())).unzip();
            if mine.is_empty() {
                continue;
            }
            for (j, state) in at.into_iter().zip(super::read_keys(&mut self.nodes[i], &mine, field_ttls).await?) {
                out[j] = state;
            }
        }
        Ok(out)
    }

    /// Which of `keys` exist in the selected db.
    pub async fn exist(&mut self, keys: &[Bytes]) -> Result<Vec<bool>, ClientError> {
        for key in keys {
            let owner = self.owner(key);
            self.nodes[owner].send(&[&b"EXISTS"[..], key]);
        }
        for node in &mut self.nodes {
            node.flush().await?;
        }
        let mut out = Vec::with_capacity(keys.len());
        for key in keys {
            let owner = self.owner(key);
            out.push(self.nodes[owner].read_reply().await?.as_int() != Some(0));
        }
        Ok(out)
    }
}
