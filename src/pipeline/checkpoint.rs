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
