//! A stream rewritten as commands: its entries, its metadata (last id, entries added, max deleted
//! id), and its consumer groups with their consumers and pending entries (PEL).
//!
//! Commands can recreate almost everything a `RESTORE` would:
//! - a PEL entry with its owner, delivery count and delivery time: `XCLAIM … TIME … RETRYCOUNT …
//!   FORCE JUSTID`. Since Redis 6.2.x and in every Valkey, `XCLAIM` skips an id whose entry is no
//!   longer in the stream, and a PEL may well name such ids (`XDEL` and trimming leave them there).
//!   When the whole stream comes in one piece, such ids are added as placeholder entries, claimed,
//!   then deleted again (`XDEL` in the middle, `XTRIM` at the head, where trimming left them), and
//!   the metadata is set last so that the counters end as on the source. A stream in parts has its
//!   PEL on the last part, after every entry is written: then the target's reply tells which
//!   entries could not be recreated, and they are reported as data the target cannot hold.
//! - `entries-read` of a group (`XGROUP CREATE … ENTRIESREAD`) and the stream's counters (`XSETID …
//!   ENTRIESADDED … MAXDELETEDID`) on targets from 7.0, which have them.
//! - consumers without pending entries: `XGROUP CREATECONSUMER` (6.2+); before, a claim of an entry
//!   nobody has pending, acknowledged at once.
//!
//! What no command sets is a consumer's seen time (and, from 7.2, active time): the target records
//! the time of the migration. That is listed as not carried.

use std::collections::BTreeSet;

use bytes::Bytes;

use super::{Expect, WriteError, Writer};
use crate::rdb::{Stream, StreamId};
use crate::server::ServerInfo;
use crate::text::catalog::run_errors as errors;
use crate::text::catalog::tasks as msg;
use crate::text::Text;

fn b(s: &'static str) -> Bytes {
    Bytes::from_static(s.as_bytes())
}

fn num(n: impl ToString) -> Bytes {
    Bytes::from(n.to_string())
}

/// What is written of a stream value (or one part of it).
pub(super) struct StreamPart<'a> {
    pub key: &'a Bytes,
    pub stream: Stream,
    /// The whole stream in one value (not a part of a big one).
    pub whole: bool,
    /// The last (or only) part: metadata and groups follow the entries.
    pub last: bool,
}

/// A group name that cannot be one of the source's: used to create an empty stream.
const SCRATCH_GROUP: &str = "ferry:scratch-group-for-an-empty-stream";

/// Writes a stream (or a part of one) to the target as commands.
pub(super) async fn write(w: &mut Writer, target: &ServerInfo, part: StreamPart<'_>) -> Result<(), WriteError> {
    let StreamPart { key, stream: s, whole, last } = part;
    let k = || key.clone();
    // Ids the PEL names that are not live entries: recreated as placeholders when possible.
    let placeholders: BTreeSet<StreamId> = if whole {
        let live: BTreeSet<StreamId> = s.entries.iter().map(|e| e.id).collect();
        s.groups.iter().flat_map(|g| g.pending.iter().map(|p| p.id)).filter(|id| !live.contains(id)).collect()
    } else {
        BTreeSet::new()
    };
    // Entries and placeholders, in id order (XADD refuses an id below the stream's top).
    let mut pending_placeholders = placeholders.iter().peekable();
    for entry in &s.entries {
        while let Some(p) = pending_placeholders.next_if(|p| **p < entry.id) {
            w.send(&[b("XADD"), k(), num(p), b("ferry"), b("placeholder")], 0).await?;
        }
        let mut argv = Vec::with_capacity(3 + entry.fields.len() * 2);
        argv.extend([b("XADD"), k(), num(entry.id)]);
        for (f, v) in &entry.fields {
            argv.extend([f.clone(), v.clone()]);
        }
        w.send(&argv, 0).await?;
    }
    for p in pending_placeholders {
        w.send(&[b("XADD"), k(), num(p), b("ferry"), b("placeholder")], 0).await?;
    }
    if !last {
        return Ok(());
    }
    if whole && s.entries.is_empty() && placeholders.is_empty() {
        // An empty stream (every entry deleted, or made by XGROUP CREATE … MKSTREAM). XADD + XDEL
        // would leave a max deleted id the source does not have; MKSTREAM leaves none.
        w.send(&[b("XGROUP"), b("CREATE"), k(), b(SCRATCH_GROUP), b("0"), b("MKSTREAM")], 0).await?;
        w.send(&[b("XGROUP"), b("DESTROY"), k(), b(SCRATCH_GROUP)], 0).await?;
    }
    // The counters first, so that a group's entries-read is judged against the source's.
    set_id(w, target, key, &s).await?;
    let mut consumers = 0u64;
    for group in &s.groups {
        let mut create = vec![b("XGROUP"), b("CREATE"), k(), group.name.clone(), num(group.last_delivered_id)];
        if target.at_least(7, 0) {
            if let Some(read) = group.entries_read {
                create.extend([b("ENTRIESREAD"), num(read)]);
            }
        }
        w.send(&create, 0).await?;
        for consumer in &group.consumers {
            consumers += 1;
            if target.at_least(6, 2) {
                w.send(&[b("XGROUP"), b("CREATECONSUMER"), k(), group.name.clone(), consumer.name.clone()], 0).await?;
            } else if consumer.pending.is_empty() {
                // Before 6.2 only a claim creates a consumer: claim an entry no one in the group
                // has pending, and acknowledge it again, which leaves the consumer with none.
                let pending: BTreeSet<StreamId> = group.pending.iter().map(|p| p.id).collect();
                if let Some(free) = s.entries.iter().map(|e| e.id).find(|id| !pending.contains(id)) {
                    let (name, id) = (consumer.name.clone(), num(free));
                    let claim =
                        [b("XCLAIM"), k(), group.name.clone(), name, b("0"), id.clone(), b("FORCE"), b("JUSTID")];
                    w.send(&claim, 0).await?;
                    w.send(&[b("XACK"), k(), group.name.clone(), id], 0).await?;
                    continue;
                }
                w.reject(super::convert::sample(
                    key,
                    Text::new(&errors::WRITER_IDLE_CONSUMER)
                        .arg("consumer", format!("{:?}", String::from_utf8_lossy(&consumer.name)))
                        .arg("group", format!("{:?}", String::from_utf8_lossy(&group.name)))
                        .arg("target", target.to_string()),
                ))?;
            }
        }
        for p in &group.pending {
            let argv = [
                b("XCLAIM"),
                k(),
                group.name.clone(),
                p.consumer.clone(),
                b("0"),
                num(p.id),
                b("TIME"),
                num(p.delivery_time_ms),
                b("RETRYCOUNT"),
                num(p.delivery_count),
                b("FORCE"),
                b("JUSTID"),
            ];
            // Where no placeholder could be made, the reply says whether the entry was recreated.
            w.send_expecting(&argv, Expect::Claimed).await?;
        }
    }
    if !placeholders.is_empty() {
        // Placeholders among live entries were deleted on the source (XDEL): delete them. Those
        // before the first live entry were trimmed away: trim them, as the source did.
        let first_live = s.entries.first().map(|e| e.id);
        let middle: Vec<Bytes> = placeholders.iter().filter(|p| first_live.is_some_and(|f| **p > f)).map(num).collect();
        if !middle.is_empty() {
            let mut argv = vec![b("XDEL"), k()];
            argv.extend(middle);
            w.send(&argv, 0).await?;
        }
        w.send(&[b("XTRIM"), k(), b("MAXLEN"), num(s.entries.len())], 0).await?;
        // XDEL moved the target's max deleted id; set the source's again.
        set_id(w, target, key, &s).await?;
    }
    if consumers > 0 {
        w.note_not_carried(Text::new(&msg::NOT_CARRIED_STREAM_SEEN_TIME), consumers);
    }
    Ok(())
}

/// `XSETID` with the counters the target has (7.0+). A zero max deleted id cannot be given (the
/// server ignores it), which is right: the stream then has none.
async fn set_id(w: &mut Writer, target: &ServerInfo, key: &Bytes, s: &Stream) -> Result<(), WriteError> {
    let mut setid = vec![b("XSETID"), key.clone(), num(s.last_id)];
    if target.at_least(7, 0) {
        if let Some(added) = s.entries_added {
            setid.extend([b("ENTRIESADDED"), num(added)]);
        }
        if let Some(max_deleted) = s.max_deleted_id.filter(|id| *id != StreamId::default()) {
            setid.extend([b("MAXDELETEDID"), num(max_deleted)]);
        }
    }
    w.send(&setid, 0).await
}
