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
use crate::endpoint::Endpoint;
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
        target.request(&["SELECT", &DB.to_string()]).await?;
        let reply = target.request(&[&b"HGETALL"[..], key]).await?;
        let pairs = match reply {
            Frame::Array(items) | Frame::Map(items) => items,
            _ => Vec::new(),
        };
        let field = |name: &str| {
            pairs
                .chunks(2)
                .find(|c| c[0].as_bytes().is_some_and(|b| b.as_ref() == name.as_bytes()))
                .and_then(|c| c.get(1)?.as_bytes().map(|v| String::from_utf8_lossy(v).into_owned()))
        };
        let (Some(replid), Some(offset)) = (field("replid"), field("offset").and_then(|o| o.parse().ok())) else {
            return Ok(None);
        };
        let db = field("db").and_then(|d| d.parse().ok()).unwrap_or(0);
        Ok(Some(Checkpoint { replid, offset, db, complete: field("snapshot").as_deref() == Some("complete") }))
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

/// A cluster target's checkpoint. A transaction on a cluster must stay in one slot, so each slot
/// written in the incremental sync has a key of its own (`<key>:slot:{tag}`, in that slot), updated
/// in the slot's transactions: it says which offset that slot's data reflects. Keys of another
/// kind (`<key>:base:{tag}`, one in a slot of each master) say which offset *every* slot reflects:
/// they are written only once every master has answered everything before. A resumed stream starts
/// at the newest base and skips, slot by slot, the commands a slot key says are applied — so no
/// command is applied twice even when the masters stood at different offsets. A slot moved to
/// another master (a resharding) takes its key along.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SlotCheckpoints {
    /// The newest base (none on a target this migration has not written).
    pub base: Option<Checkpoint>,
    /// Per slot, the offset its data reflects (only where it is beyond the base).
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

    /// Reads every checkpoint key from every master.
    pub async fn read(masters: &[Endpoint], key: &Bytes) -> Result<SlotCheckpoints, ClientError> {
        let mut found = SlotCheckpoints::default();
        let mut partial: Option<Checkpoint> = None;
        for master in masters {
            let mut client = Client::connect(master).await?;
            for (kind, name) in own_keys(&mut client, key).await? {
                let Some(c) = Checkpoint::read(&mut client, &name).await? else { continue };
                found.keys.insert(name.clone());
                if kind == "slot" {
                    let slot = crate::cluster::slot(&name);
                    let at = found.slots.entry(slot).or_default();
                    *at = (*at).max(c.offset);
                } else if !c.complete {
                    if partial.as_ref().is_none_or(|p| p.offset < c.offset) {
                        partial = Some(c);
                    }
                } else if found.base.as_ref().is_none_or(|b| b.offset < c.offset) {
                    found.base = Some(c);
                }
            }
        }
        // A snapshot begun after the newest complete base is not whole.
        if let Some(p) = partial {
            if found.base.as_ref().is_none_or(|b| b.offset < p.offset) {
                found.base = Some(p);
            }
        }
        if let Some(base) = &found.base {
            found.slots.retain(|_, offset| *offset > base.offset);
        }
        Ok(found)
    }

    /// Removes every checkpoint key from every master.
    pub async fn remove(masters: &[Endpoint], key: &Bytes) -> Result<(), ClientError> {
        for master in masters {
            let mut client = Client::connect(master).await?;
            for (_, name) in own_keys(&mut client, key).await? {
                client.request(&[&b"DEL"[..], &name]).await?;
            }
        }
        Ok(())
    }
}

/// The checkpoint keys of `key` on one master, with their kind (a SCAN: there is at most one per
/// slot).
async fn own_keys(client: &mut Client, key: &Bytes) -> Result<Vec<(&'static str, Bytes)>, ClientError> {
    let mut escaped = Vec::with_capacity(key.len() + 2);
    for &c in key.iter() {
        if matches!(c, b'*' | b'?' | b'[' | b']' | b'\\') {
            escaped.push(b'\\');
        }
        escaped.push(c);
    }
    client.request(&["SELECT", &DB.to_string()]).await?;
    let mut names = Vec::new();
    for kind in ["slot", "base"] {
        let mut pattern = escaped.clone();
        pattern.extend_from_slice(format!(":{kind}:{{*").as_bytes());
        let mut cursor = Bytes::from_static(b"0");
        loop {
            let reply = client.request(&[&b"SCAN"[..], &cursor, b"MATCH", &pattern, b"COUNT", b"1000"]).await?;
            let Frame::Array(parts) = reply else { break };
            let mut parts = parts.into_iter();
            cursor = parts.next().and_then(|c| c.as_bytes().cloned()).unwrap_or_else(|| Bytes::from_static(b"0"));
            if let Some(Frame::Array(keys)) = parts.next() {
                names.extend(keys.iter().filter_map(|k| Some((kind, k.as_bytes()?.clone()))));
            }
            if cursor.as_ref() == b"0" {
                break;
            }
        }
    }
    Ok(names)
}
