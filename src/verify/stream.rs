//! A stream as verify reads and compares it: entries, the counters servers from 7.0 keep, and every
//! consumer group with its consumers and pending entries.
//!
//! Pending entries whose stream entry is gone (deleted or trimmed on the source) are the one part a
//! migration by commands cannot recreate on current servers (`XCLAIM` skips them); when they are
//! all that differs, the difference is reported as not carried rather than as a wrong value.

use bytes::Bytes;

use super::{byte_list, bytes, field, items, DiffKind};
use crate::client::{Client, ClientError};
use crate::resp::Frame;
use crate::text::catalog::run_errors as msg;
use crate::text::{Entry, Text};

/// A stream's entries and the parts of its groups that a migration must keep.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct StreamData {
    pub entries: Vec<(Bytes, Vec<Bytes>)>,
    pub last_id: Bytes,
    /// Servers from 7.0: max deleted entry id, entries added, recorded first entry id.
    pub counters: Option<(Bytes, i64, Bytes)>,
    /// Sorted by name.
    pub groups: Vec<GroupData>,
}

/// A consumer group as `XINFO GROUPS`, `XINFO CONSUMERS` and `XPENDING` show it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct GroupData {
    pub name: Bytes,
    pub last_delivered_id: Bytes,
    /// Servers from 7.0, when the group knows it.
    pub entries_read: Option<i64>,
    /// Consumer names, sorted.
    pub consumers: Vec<Bytes>,
    /// In id order.
    pub pending: Vec<PendingData>,
}

/// A pending entry: id, owner, milliseconds since its last delivery, deliveries.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PendingData {
    pub id: Bytes,
    pub consumer: Bytes,
    pub idle_ms: i64,
    pub count: i64,
}

fn int(frame: Option<Frame>) -> Option<i64> {
    let frame = frame?;
    frame.as_int().or_else(|| std::str::from_utf8(frame.as_bytes()?).ok()?.parse().ok())
}

/// Reads a whole stream of the current db.
pub(super) async fn read(client: &mut Client, k: &Bytes) -> Result<StreamData, ClientError> {
    let mut data = StreamData::default();
    for entry in items(req!(client, b"XRANGE", k, b"-", b"+").await?) {
        let mut parts = items(entry).into_iter();
        let id = parts.next().map(|f| bytes(&f)).unwrap_or_default();
        let fields = parts.next().map(byte_list).unwrap_or_default();
        data.entries.push((id, fields));
    }
    let info = items(req!(client, b"XINFO", b"STREAM", k).await?);
    data.last_id = field(&info, "last-generated-id").map(|f| bytes(&f)).unwrap_or_default();
    if let (Some(max_deleted), Some(added), Some(first)) = (
        field(&info, "max-deleted-entry-id"),
        int(field(&info, "entries-added")),
        field(&info, "recorded-first-entry-id"),
    ) {
        data.counters = Some((bytes(&max_deleted), added, bytes(&first)));
    }
    for group in items(req!(client, b"XINFO", b"GROUPS", k).await?) {
        let group = items(group);
        let name = field(&group, "name").map(|f| bytes(&f)).unwrap_or_default();
        let last_delivered_id = field(&group, "last-delivered-id").map(|f| bytes(&f)).unwrap_or_default();
        let entries_read = int(field(&group, "entries-read"));
        let mut consumers: Vec<Bytes> = items(req!(client, b"XINFO", b"CONSUMERS", k, &name).await?)
            .into_iter()
            .filter_map(|c| field(&items(c), "name").map(|f| bytes(&f)))
            .collect();
        consumers.sort();
        let mut pending = Vec::new();
        for p in items(req!(client, b"XPENDING", k, &name, b"-", b"+", b"1000000").await?) {
            let p = items(p);
            if p.len() >= 4 {
                pending.push(PendingData {
                    id: bytes(&p[0]),
                    consumer: bytes(&p[1]),
                    idle_ms: p[2].as_int().unwrap_or(0),
                    count: p[3].as_int().unwrap_or(0),
                });
            }
        }
        data.groups.push(GroupData { name, last_delivered_id, entries_read, consumers, pending });
    }
    data.groups.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(data)
}

fn text(b: &Bytes) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// How two streams differ (`None`: they match). Idle times of pending entries may differ by
/// `tolerance_ms` (they are read a moment apart).
pub(super) fn compare(s: &StreamData, t: &StreamData, tolerance_ms: i64) -> Option<(DiffKind, Text)> {
    let value = |what: Text| Some((DiffKind::Value, what));
    let sides = |entry: &'static Entry, source: String, target: String| {
        value(Text::new(entry).arg("source", source).arg("target", target))
    };
    if s.entries != t.entries {
        return sides(&msg::VERIFY_STREAM_ENTRIES, s.entries.len().to_string(), t.entries.len().to_string());
    }
    if s.last_id != t.last_id {
        return sides(&msg::VERIFY_STREAM_LAST_ID, text(&s.last_id), text(&t.last_id));
    }
    if let (Some(a), Some(b)) = (&s.counters, &t.counters) {
        if a != b {
            let counters = |c: &(Bytes, i64, Bytes)| format!("{} {} {}", text(&c.0), c.1, text(&c.2));
            return sides(&msg::VERIFY_STREAM_COUNTERS, counters(a), counters(b));
        }
    }
    let names = |d: &StreamData| d.groups.iter().map(|g| g.name.clone()).collect::<Vec<_>>();
    if names(s) != names(t) {
        return value(Text::new(&msg::VERIFY_STREAM_GROUPS));
    }
    let live: std::collections::HashSet<&Bytes> = s.entries.iter().map(|(id, _)| id).collect();
    let mut not_carried = 0;
    for (a, b) in s.groups.iter().zip(&t.groups) {
        let group = format!("{:?}", text(&a.name));
        let in_group = |entry: &'static Entry, source: String, target: String| {
            sides(entry, source, target).map(|(kind, detail)| (kind, detail.arg("group", &group)))
        };
        if a.last_delivered_id != b.last_delivered_id {
            let (x, y) = (text(&a.last_delivered_id), text(&b.last_delivered_id));
            return in_group(&msg::VERIFY_GROUP_LAST_DELIVERED, x, y);
        }
        if let (Some(x), Some(y)) = (a.entries_read, b.entries_read) {
            if x != y {
                return in_group(&msg::VERIFY_GROUP_ENTRIES_READ, x.to_string(), y.to_string());
            }
        }
        // A consumer without pending entries cannot be recreated by commands before 6.2 when the
        // stream offers no entry to claim: not carried, when that is all that differs.
        let idle_consumers = |c: &&Bytes| !a.pending.iter().any(|p| p.consumer == **c) && !b.consumers.contains(c);
        let missing_idle = a.consumers.iter().filter(idle_consumers).count();
        let rest: Vec<&Bytes> = a.consumers.iter().filter(|c| !idle_consumers(c)).collect();
        not_carried += missing_idle;
        if rest != b.consumers.iter().collect::<Vec<_>>() {
            let consumers = |c: &[Bytes]| format!("{:?}", c.iter().map(text).collect::<Vec<_>>());
            return in_group(&msg::VERIFY_GROUP_CONSUMERS, consumers(&a.consumers), consumers(&b.consumers));
        }
        let mut target: std::collections::HashMap<&Bytes, &PendingData> =
            b.pending.iter().map(|q| (&q.id, q)).collect();
        for p in &a.pending {
            match target.remove(&p.id) {
                Some(q) => {
                    if (&q.consumer, q.count) != (&p.consumer, p.count) || (q.idle_ms - p.idle_ms).abs() > tolerance_ms
                    {
                        return value(
                            Text::new(&msg::VERIFY_GROUP_PENDING)
                                .arg("group", &group)
                                .arg("id", text(&p.id))
                                .arg("source_consumer", format!("{:?}", text(&p.consumer)))
                                .arg("source_count", p.count)
                                .arg("source_idle", p.idle_ms)
                                .arg("target_consumer", format!("{:?}", text(&q.consumer)))
                                .arg("target_count", q.count)
                                .arg("target_idle", q.idle_ms),
                        );
                    }
                }
                // Missing on the target: not carried when its entry is gone from the stream.
                None if !live.contains(&p.id) => not_carried += 1,
                None => {
                    let detail =
                        Text::new(&msg::VERIFY_GROUP_PENDING_MISSING).arg("group", &group).arg("id", text(&p.id));
                    return value(detail);
                }
            }
        }
        if let Some(extra) = target.keys().next() {
            return value(Text::new(&msg::VERIFY_GROUP_PENDING_EXTRA).arg("group", &group).arg("id", text(extra)));
        }
    }
    (not_carried > 0)
        .then(|| (DiffKind::NotCarried, Text::new(&msg::VERIFY_STREAM_NOT_CARRIED).arg("count", not_carried)))
}
