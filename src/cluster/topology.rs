//! Which master serves which slots: read from any node with `CLUSTER SHARDS` (7.0 on) or `CLUSTER
//! SLOTS` (before), checked for full coverage. Each master is reached with the seed's credentials,
//! as cluster nodes share them.

use crate::client::{info_field, Client, ClientError};
use crate::endpoint::Endpoint;
use crate::resp::Frame;
use crate::server::ServerInfo;
use crate::text::catalog::errors as msg;
use crate::text::{Entry, Text};

use super::slot::SLOTS;

/// The topology could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ClusterError {
    #[error(transparent)]
    Client(#[from] ClientError),
    /// `ranges` are the inclusive slot ranges no master serves.
    #[error("{}", self.text())]
    Uncovered { addr: String, ranges: Vec<(u16, u16)> },
    /// `detail` says what was wrong with the reply (`error.cluster.malformed.*`).
    #[error("{}", self.text())]
    Malformed { addr: String, command: &'static str, detail: Text },
}

impl ClusterError {
    /// The sentence as a catalog code, for the console to show in the user's language; `Display`
    /// is its English.
    pub fn text(&self) -> Text {
        match self {
            ClusterError::Client(e) => e.text(),
            ClusterError::Uncovered { addr, ranges } => {
                Text::new(&msg::CLUSTER_UNCOVERED).arg("addr", addr).arg("ranges", slot_ranges(ranges))
            }
            ClusterError::Malformed { addr, command, detail } => Text::new(&msg::CLUSTER_MALFORMED)
                .arg("addr", addr)
                .arg("command", *command)
                .arg("detail", detail.clone()),
        }
    }
}

/// `slot 5, slots 100-200`: each range in words, joined in the language's own way.
fn slot_ranges(ranges: &[(u16, u16)]) -> Text {
    let word = |&(from, to): &(u16, u16)| match from == to {
        true => Text::new(&msg::CLUSTER_SLOT).arg("slot", from),
        false => Text::new(&msg::CLUSTER_SLOTS).arg("from", from).arg("to", to),
    };
    ranges
        .iter()
        .rev()
        .map(word)
        .reduce(|rest, first| Text::new(&msg::CLUSTER_RANGE_LIST).arg("first", first).arg("rest", rest))
        // Never empty: an error is made only for missing slots.
        .unwrap_or_else(|| Text::raw(""))
}

/// One master and the slots it serves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shard {
    pub master: Endpoint,
    pub replicas: Vec<Endpoint>,
    /// Inclusive slot ranges.
    pub ranges: Vec<(u16, u16)>,
}

/// A cluster's masters, and the owner of every slot.
#[derive(Debug, Clone)]
pub struct Topology {
    pub shards: Vec<Shard>,
    /// Shard index per slot.
    owner: Vec<u16>,
}

impl Topology {
    /// The shard that serves `slot`.
    pub fn shard_of(&self, slot: u16) -> usize {
        self.owner[(slot % SLOTS) as usize] as usize
    }

    /// The masters, in shard order.
    pub fn masters(&self) -> impl Iterator<Item = &Endpoint> {
        self.shards.iter().map(|s| &s.master)
    }

    fn build(shards: Vec<Shard>, addr: &str) -> Result<Topology, ClusterError> {
        let mut owner = vec![u16::MAX; SLOTS as usize];
        for (i, shard) in shards.iter().enumerate() {
            for &(from, to) in &shard.ranges {
                for s in from..=to.min(SLOTS - 1) {
                    owner[s as usize] = i as u16;
                }
            }
        }
        let mut missing = Vec::new();
        let mut s = 0usize;
        while s < owner.len() {
            if owner[s] == u16::MAX {
                let start = s;
                while s < owner.len() && owner[s] == u16::MAX {
                    s += 1;
                }
                missing.push((start as u16, (s - 1) as u16));
            } else {
                s += 1;
            }
        }
        if !missing.is_empty() {
            return Err(ClusterError::Uncovered { addr: addr.to_string(), ranges: missing });
        }
        Ok(Topology { shards, owner })
    }
}

/// Reads the cluster's topology through `seed`; `None` when the server is not in cluster mode.
pub async fn discover(seed: &Endpoint) -> Result<Option<Topology>, ClusterError> {
    let mut client = Client::connect(seed).await?;
    let info = match client.info("cluster").await {
        Ok(info) => info,
        // A server (or a proxy in front of one) that refuses the section is no cluster node.
        Err(ClientError::Server { .. }) => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    if info_field(&info, "cluster_enabled") != Some("1") {
        return Ok(None);
    }
    let server = ServerInfo::fetch(&mut client).await?;
    let addr = client.addr().to_string();
    let node = |host: &str, port: i64| {
        // A node that announces no address is reached where the seed was.
        let host = if host.is_empty() || host == "?" { seed.host.clone() } else { host.to_string() };
        seed.at(host, port as u16)
    };
    let malformed = |command, detail: &'static Entry| ClusterError::Malformed {
        addr: addr.clone(),
        command,
        detail: Text::new(detail),
    };
    let mut shards: Vec<Shard> = Vec::new();
    if server.at_least(7, 0) {
        let Frame::Array(reply) = client.request(&["CLUSTER", "SHARDS"]).await? else {
            return Err(malformed("CLUSTER SHARDS", &msg::CLUSTER_NOT_ARRAY));
        };
        for entry in reply {
            let shard = fields(&entry);
            let ranges = match shard.iter().find(|(k, _)| k == "slots").map(|(_, v)| v) {
                Some(Frame::Array(bounds)) => bounds
                    .chunks(2)
                    .filter_map(|c| Some((c[0].as_int()? as u16, c.get(1)?.as_int()? as u16)))
                    .collect::<Vec<_>>(),
                _ => return Err(malformed("CLUSTER SHARDS", &msg::CLUSTER_SHARD_NO_SLOTS)),
            };
            let Some(Frame::Array(nodes)) = shard.iter().find(|(k, _)| k == "nodes").map(|(_, v)| v) else {
                return Err(malformed("CLUSTER SHARDS", &msg::CLUSTER_SHARD_NO_NODES));
            };
            let mut master = None;
            let mut replicas = Vec::new();
            for n in nodes {
                let f = fields(n);
                let text = |name: &str| {
                    f.iter()
                        .find(|(k, _)| k == name)
                        .and_then(|(_, v)| v.as_bytes())
                        .map(|b| String::from_utf8_lossy(b).into_owned())
                        .unwrap_or_default()
                };
                let port = f.iter().find(|(k, _)| k == "port").and_then(|(_, v)| v.as_int()).unwrap_or(0);
                let host = match text("endpoint") {
                    e if e.is_empty() || e == "?" => text("ip"),
                    e => e,
                };
                // A failed master stays listed (as a master) until it comes back as a replica.
                if matches!(text("health").as_str(), "fail" | "failed") {
                    continue;
                }
                match text("role").as_str() {
                    "master" => master = Some(node(&host, port)),
                    _ => replicas.push(node(&host, port)),
                }
            }
            // A shard whose master failed and has no successor yet: its slots are not served.
            let Some(master) = master.filter(|_| !ranges.is_empty()) else { continue };
            shards.push(Shard { master, replicas, ranges });
        }
    } else {
        let Frame::Array(reply) = client.request(&["CLUSTER", "SLOTS"]).await? else {
            return Err(malformed("CLUSTER SLOTS", &msg::CLUSTER_NOT_ARRAY));
        };
        for range in reply {
            let Frame::Array(parts) = range else {
                return Err(malformed("CLUSTER SLOTS", &msg::CLUSTER_RANGE_NOT_ARRAY));
            };
            let bounds = (parts.first().and_then(Frame::as_int), parts.get(1).and_then(Frame::as_int));
            let (Some(from), Some(to)) = bounds else {
                return Err(malformed("CLUSTER SLOTS", &msg::CLUSTER_RANGE_NO_BOUNDS));
            };
            let address = |f: &Frame| match f {
                Frame::Array(a) => {
                    let host = a.first().and_then(Frame::as_bytes).map(|b| String::from_utf8_lossy(b).into_owned());
                    Some(node(&host.unwrap_or_default(), a.get(1)?.as_int()?))
                }
                _ => None,
            };
            let master =
                parts.get(2).and_then(address).ok_or_else(|| malformed("CLUSTER SLOTS", &msg::CLUSTER_NO_MASTER))?;
            let replicas: Vec<Endpoint> = parts.iter().skip(3).filter_map(address).collect();
            // CLUSTER SLOTS lists a master once per range: gather its ranges.
            match shards.iter_mut().find(|s| s.master == master) {
                Some(shard) => shard.ranges.push((from as u16, to as u16)),
                None => shards.push(Shard { master, replicas, ranges: vec![(from as u16, to as u16)] }),
            }
        }
    }
    shards.sort_by_key(|s| s.ranges.iter().map(|r| r.0).min());
    Topology::build(shards, &addr).map(Some)
}

/// A RESP2 flat list or a RESP3 map of name → value.
fn fields(frame: &Frame) -> Vec<(String, Frame)> {
    match frame {
        Frame::Array(items) | Frame::Map(items) => items
            .chunks(2)
            .filter_map(|c| Some((String::from_utf8_lossy(c[0].as_bytes()?).into_owned(), c.get(1)?.clone())))
            .collect(),
        _ => Vec::new(),
    }
}
