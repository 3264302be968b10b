//! Where the target stands in the source's replication stream, kept on the target itself.
//!
//! The incremental sync applies the stream in transactions: each `MULTI … EXEC` holds a run of the
//! source's commands and an update of this checkpoint (a hash of Ferry's own). The target's data and
//! the offset it says it holds therefore change together or not at all: after any crash (of Ferry,
//! of its machine, or of the target, which keeps the key in its own persistence), the target says
//! exactly which source offset its data reflects. Ferry resumes there with `PSYNC <replid>
//! <offset+1>`, and no command is applied twice or lost.
//!
//! During a full sync the checkpoint says the snapshot is partial: a restart then knows the target
//! holds half a snapshot, which must be cleared before a new one.
//!
//! The key lives in db 0, is Ferry's own ([`crate::filter::is_own_key`]: never migrated nor
//! compared), and is removed when the migration ends for good (cutover or cancel).

use bytes::Bytes;

use crate::client::{Client, ClientError};
use crate::cluster::Topology;

use super::link::ShardSpec;
use crate::resp::Frame;

/// The checkpoint's key when the caller names none (`ferry migrate` names one per task).
pub const DEFAULT_KEY: &str = "ferry:checkpoint";
/// The db the checkpoint lives in.
pub const DB: u32 = 0;

/// What the target holds of the source's stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    /// The source's replication id the offset belongs to.
    pub replid: String,
    /// The last byte of the stream the target's data reflects.
    pub offset: u64,
    /// The db the stream had selected at that offset: a resumed stream does not say it again.
    pub db: u32,
    /// False while the full sync has not finished: the target holds part of a snapshot.
    pub complete: bool,
}

impl Checkpoint {
    /// The command that records this checkpoint (`HMSET`, which every version has).
    pub fn command(&self, key: &Bytes) -> Vec<Bytes> {
        vec![
            Bytes::from_static(b"HMSET"),
            key.clone(),
            Bytes::from_static(b"replid"),
            Bytes::from(self.replid.clone()),
            Bytes::from_static(b"offset"),
            Bytes::from(self.offset.to_string()),
            Bytes::from_static(b"db"),
            Bytes::from(self.db.to_string()),
            Bytes::from_static(b"snapshot"),
            Bytes::from_static(if self.complete { b"complete" } else { b"partial" }),
        ]
    }

    /// Reads the checkpoint from the target (`None` when there is none, e.g. a target restarted
    /// without persistence). Leaves the connection on db [`DB`].
    pub async fn read(target: &mut Client, key: &Bytes) -> Result<Option<Checkpoint>, ClientError> {
        Ok(Self::parse(&read_fields(target, key).await?))
    }

    fn parse(fields: &[(String, String)]) -> Option<Checkpoint> {
        let field = |name: &str| fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
        let (Some(replid), Some(offset)) = (field("replid"), field("offset").and_then(|o| o.parse().ok())) else {
            return None;
        };
        let db = field("db").and_then(|d| d.parse().ok()).unwrap_or(0);
        Some(Checkpoint { replid: replid.to_string(), offset, db, complete: field("snapshot") == Some("complete") })
    }

    /// Writes the checkpoint outside a transaction (before the snapshot, after it).
    pub async fn write(&self, target: &mut Client, key: &Bytes) -> Result<(), ClientError> {
        target.request(&["SELECT", &DB.to_string()]).await?;
        target.request(&self.command(key)).await.map(|_| ())
    }

    /// Removes the checkpoint: the migration has ended for good.
    pub async fn remove(target: &mut Client, key: &Bytes) -> Result<(), ClientError> {
        target.request(&["SELECT", &DB.to_string()]).await?;
        target.request(&[&b"DEL"[..], key]).await.map(|_| ())
    }
}

/// A hash's fields, as text (db [`DB`] is selected first).
async fn read_fields(target: &mut Client, key: &Bytes) -> Result<Vec<(String, String)>, ClientError> {
    target.request(&["SELECT", &DB.to_string()]).await?;
    Ok(fields_of(target.request(&[&b"HGETALL"[..], key]).await?))
}

/// A cluster target's checkpoint. A transaction on a cluster must stay in one slot, so each slot
/// written in the incremental sync has a key of its own (`<key>:slot:{tag}`, in that slot), updated
/// in the slot's transactions: it says which offset that slot's data reflects. Base keys
/// (`<key>:base:{tag}`, one on each master, in one of its slots) say which offset *the slots that
/// master served* reflect; they are written once every master has answered everything before.
///
/// Every statement lives on the master whose data it describes and reaches its replicas in the
/// same order as that data: when a master fails and a replica that missed its last writes takes
/// over, it misses the statements about them too. A resumed stream starts at the lowest offset any
/// slot is known to reflect, and each slot skips what it holds already — so no command is applied
/// twice or lost, even when the masters stood at different offsets. A slot moved to another master
/// (a resharding) takes its key along.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SlotCheckpoints {
    /// Where a resumed stream starts (the lowest offset a slot reflects), or a partial snapshot
    /// when some slot is covered by nothing complete; `None` on a target this migration has not
    /// written.
    pub base: Option<Checkpoint>,
    /// Per slot, the offset its data reflects, where it is beyond the base.
    pub slots: std::collections::HashMap<u16, u64>,
    /// Every checkpoint key found.
    pub keys: std::collections::HashSet<Bytes>,
}

impl SlotCheckpoints {
    /// The key of `slot`'s checkpoint.
    pub fn slot_key(key: &Bytes, slot: u16) -> Bytes {
        Self::named(key, "slot", slot)
    }

    /// The key of a base checkpoint kept in `slot`.
    pub fn base_key(key: &Bytes, slot: u16) -> Bytes {
        Self::named(key, "base", slot)
    }

    fn named(key: &Bytes, kind: &str, slot: u16) -> Bytes {
        let mut name = key.to_vec();
        name.extend_from_slice(format!(":{kind}:{{{}}}", crate::cluster::tag_for(slot)).as_bytes());
        Bytes::from(name)
    }

    /// The command that records a base: `checkpoint` holds for every slot in `ranges`.
    pub fn base_command(key: &Bytes, slot: u16, checkpoint: &Checkpoint, ranges: &[(u16, u16)]) -> Vec<Bytes> {
        let mut command = checkpoint.command(&Self::base_key(key, slot));
        let ranges: Vec<String> = ranges.iter().map(|(from, to)| format!("{from}-{to}")).collect();
        command.extend([Bytes::from_static(b"slots"), Bytes::from(ranges.join(","))]);
        command
    }

    /// Every name a checkpoint key of `key` can have, with its kind and slot.
    fn every_name(key: &Bytes) -> Vec<(&'static str, u16, Bytes)> {
        (0..crate::cluster::SLOTS)
            .flat_map(|s| [("slot", s, Self::slot_key(key, s)), ("base", s, Self::base_key(key, s))])
            .collect()
    }

    /// Reads every checkpoint key, each from the master of its slot (by name, not by a scan,
    /// which a resharding could make miss one).
    /// `shard`: one master's share of a cluster source, whose slots alone this migration writes.
    pub async fn read(
        topology: &Topology,
        key: &Bytes,
        shard: Option<&ShardSpec>,
    ) -> Result<SlotCheckpoints, ClientError> {
        use crate::cluster::SLOTS;
        let names = Self::every_name(key);
        let replies = on_owners(topology, &names, b"HGETALL").await?;
        let mut found = SlotCheckpoints::default();
        // Per slot: the newest complete statement about it.
        let mut covered: Vec<Option<Checkpoint>> = vec![None; SLOTS as usize];
        let mut partial: Option<Checkpoint> = None;
        let mut cover = |slot: u16, c: &Checkpoint| {
            let at = &mut covered[(slot % SLOTS) as usize];
            if at.as_ref().is_none_or(|a| a.offset < c.offset) {
                *at = Some(c.clone());
            }
        };
        for ((kind, slot, name), reply) in names.into_iter().zip(replies) {
            let fields = fields_of(reply);
            let Some(c) = Checkpoint::parse(&fields) else { continue };
            found.keys.insert(name);
            if !c.complete {
                if partial.as_ref().is_none_or(|p| p.offset < c.offset) {
                    partial = Some(c);
                }
            } else if kind == "slot" {
                cover(slot, &c);
            } else {
                let ranges = fields.iter().find(|(k, _)| k == "slots").map(|(_, v)| v.as_str()).unwrap_or("");
                for range in ranges.split(',') {
                    let bounds = range.split_once('-').and_then(|(a, b)| Some((a.parse().ok()?, b.parse().ok()?)));
                    if let Some((from, to)) = bounds {
                        (from..=to).for_each(|s| cover(s, &c));
                    }
                }
            }
        }
        if found.keys.is_empty() {
            return Ok(found);
        }
        // Only the slots this migration writes count.
        if let Some(shard) = shard {
            for (slot, c) in covered.iter_mut().enumerate() {
                if !shard.holds(slot as u16) {
                    *c = None;
                }
            }
        }
        let wanted = |slot: usize| shard.is_none_or(|s| s.holds(slot as u16));
        // A slot no complete statement covers: the snapshot never reached it whole (or the master
        // that held it lost it in a failover), so only a full sync is right.
        if covered.iter().enumerate().any(|(slot, c)| wanted(slot) && c.is_none()) {
            let mut c =
                partial.unwrap_or_else(|| Checkpoint { replid: String::new(), offset: 0, db: 0, complete: false });
            c.complete = false;
            found.base = Some(c);
            return Ok(found);
        }
        let start = covered.iter().flatten().min_by_key(|c| c.offset).cloned();
        if let Some(start) = &start {
            for (slot, c) in covered.iter().enumerate() {
                if let Some(c) = c.as_ref().filter(|c| c.offset > start.offset) {
                    found.slots.insert(slot as u16, c.offset);
                }
            }
        }
        found.base = start;
        Ok(found)
    }

    /// Removes every checkpoint key, each from the master of its slot.
    pub async fn remove(topology: &Topology, key: &Bytes) -> Result<(), ClientError> {
        on_owners(topology, &Self::every_name(key), b"DEL").await.map(|_| ())
    }
}

fn fields_of(reply: Frame) -> Vec<(String, String)> {
    let pairs = match reply {
        Frame::Array(items) | Frame::Map(items) => items,
        _ => Vec::new(),
    };
    let text = |f: &Frame| f.as_bytes().map(|b| String::from_utf8_lossy(b).into_owned());
    pairs.chunks(2).filter_map(|c| Some((text(&c[0])?, text(c.get(1)?)?))).collect()
}

/// Sends `command <name>` for every name to the master of its slot, pipelined, and returns the
/// replies in order. A key whose slot moved meanwhile (`MOVED`, or `ASK` while it moves) is asked
/// where the reply says; a second redirection is an error (the next session tries again).
async fn on_owners(
    topology: &Topology,
    names: &[(&'static str, u16, Bytes)],
    command: &'static [u8],
) -> Result<Vec<Frame>, ClientError> {
    let mut replies: Vec<Option<Frame>> = vec![None; names.len()];
    for (i, shard) in topology.shards.iter().enumerate() {
        let mine: Vec<usize> = (0..names.len()).filter(|&j| topology.shard_of(names[j].1) == i).collect();
        let mut client = Client::connect(&shard.master).await?;
        client.request(&["SELECT", &DB.to_string()]).await?;
        for chunk in mine.chunks(4096) {
            for &j in chunk {
                client.send(&[command, &names[j].2[..]]);
            }
            client.flush().await?;
            for &j in chunk {
                replies[j] = Some(client.read_reply().await?);
            }
        }
    }
    let mut out = Vec::with_capacity(names.len());
    for ((_, _, name), reply) in names.iter().zip(replies) {
        let reply = reply.unwrap_or(Frame::Null);
        let redirect = reply.error_message().filter(|m| m.starts_with("MOVED ") || m.starts_with("ASK "));
        out.push(match redirect {
            None => reply,
            Some(message) => redirected(topology, &message, command, name).await?,
        });
    }
    for reply in &out {
        if let Some(message) = reply.error_message() {
            return Err(ClientError::Server {
                addr: String::new(),
                command: String::from_utf8_lossy(command).into(),
                message,
            });
        }
    }
    Ok(out)
}

/// Follows one `MOVED <slot> <host:port>` or `ASK <slot> <host:port>` reply.
async fn redirected(topology: &Topology, message: &str, command: &[u8], name: &Bytes) -> Result<Frame, ClientError> {
    let mut words = message.split_whitespace();
    let (kind, address) = (words.next().unwrap_or(""), words.nth(1).unwrap_or(""));
    let seed = &topology.shards[0].master;
    let (host, port) = address.rsplit_once(':').unwrap_or((address, ""));
    let node = seed.at(if host.is_empty() { seed.host.as_str() } else { host }, port.parse().unwrap_or(0));
    let mut client = Client::connect(&node).await?;
    client.request(&["SELECT", &DB.to_string()]).await?;
    if kind == "ASK" {
        client.request(&["ASKING"]).await?;
    }
    client.raw_request(&[command, &name[..]]).await
}
