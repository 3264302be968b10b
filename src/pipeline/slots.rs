//! The incremental sync into a cluster target: the stream's commands go to their slot's master, in
//! transactions of one slot each (a cluster refuses a transaction across slots), each with that
//! slot's checkpoint key ([`SlotCheckpoints`]).
//!
//! A source transaction cannot stay whole on a cluster: its commands go to their slots'
//! transactions, each atomic with its slot's checkpoint, so a crash never applies a part twice or
//! loses one. Commands with keys in several slots are split where that changes nothing (`DEL`,
//! `UNLINK`, `TOUCH`, `MSET`, and `MSETNX`, which the source propagates only when it succeeded);
//! any other stops the migration with a message that names it.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;

use super::checkpoint::{Checkpoint, SlotCheckpoints};
use super::commands::{routed, unknown_command, KnownCommands};
use super::lease::Lease;
use super::link::ShardSpec;
use super::{Counters, MigrateError};
use crate::cluster::{self, SlotsOf};
use crate::filter::Filter;
use crate::text::catalog::run_errors as errors;
use crate::text::Text;
use crate::writer::{WriteError, Writer};

/// After this many bytes of the stream, or this long, the base checkpoints move up (after every
/// master has answered what came before: one round trip's pause): a resumed stream then starts
/// near the end, where the source's backlog still holds it.
const BASE_EVERY_BYTES: u64 = 8 << 20;
const BASE_EVERY: Duration = Duration::from_secs(1);

/// Where the cluster side stands in the stream.
pub(super) struct SlotStream {
    key: Bytes,
    pub replid: String,
    /// Commands waiting for the next commit, per slot, in order.
    pending: BTreeMap<u16, Vec<Vec<Bytes>>>,
    pub commands: usize,
    /// The end offset of the last entry handled; of the last bases.
    pub last: u64,
    based: u64,
    based_at: Instant,
    /// The db the stream has selected at `last`.
    pub db: u32,
    /// From the checkpoints a session resumed from: a slot's commands up to this offset are on the
    /// target already.
    applied: HashMap<u16, u64>,
    /// The checkpoint keys on the target, counted in the progress' [`Counters::own_keys`].
    own: HashSet<Bytes>,
    counters: Arc<Counters>,
    /// One master's share of a cluster source.
    shard: Option<ShardSpec>,
}

impl SlotStream {
    pub(super) fn new(
        key: Bytes,
        replid: String,
        (start, db): (u64, u32),
        resumed: SlotCheckpoints,
        counters: Arc<Counters>,
        shard: Option<ShardSpec>,
    ) -> SlotStream {
        counters.own_keys.store(resumed.keys.len() as u64, Ordering::Release);
        SlotStream {
            key,
            replid,
            pending: BTreeMap::new(),
            commands: 0,
            last: start,
            based: start,
            based_at: Instant::now(),
            db,
            applied: resumed.slots,
            own: resumed.keys,
            counters,
            shard,
        }
    }

    /// Whether commands wait for a commit.
    pub(super) fn is_open(&self) -> bool {
        !self.pending.is_empty()
    }

    /// Takes one command of the stream (its end offset is set by the caller afterwards).
    pub(super) async fn command(
        &mut self,
        writer: &mut Writer,
        filter: &Filter,
        known: &KnownCommands,
        lease: Option<&Lease>,
        (db, argv, end_offset): (u32, Vec<Bytes>, u64),
    ) -> Result<(), MigrateError> {
        for (target_db, argv) in routed(filter, db, argv)? {
            if target_db != 0 {
                return Err(WriteError::ClusterDb { db }.into());
            }
            let name = argv[0].to_ascii_uppercase();
            match &name[..] {
                // Split across slots (see above); PINGs carry nothing.
                b"MULTI" | b"EXEC" | b"DISCARD" | b"PING" => continue,
                b"SWAPDB" | b"MOVE" => return Err(moves_between_dbs(&name)),

                b"COPY" if argv.iter().skip(3).any(|a| a.eq_ignore_ascii_case(b"DB")) => {
                    return Err(moves_between_dbs(&name))
                }
                _ => {}
            }
            if !known.knows(&Bytes::from(argv[0].to_ascii_lowercase())) {
                unknown_command(writer, &argv)?;
                continue;
            }
            match cluster::slot_of_command(&argv) {
                SlotsOf::One(slot) => self.queue(slot, argv, end_offset),
                SlotsOf::None => self.everywhere(writer, lease, &name, argv, end_offset).await?,
                SlotsOf::Many => {
                    for (slot, part) in split(&name, &argv)? {
                        self.queue(slot, part, end_offset);
                    }
                }
                SlotsOf::Unknown => {
                    return Err(WriteError::UnknownKeys { command: crate::client::command_name(&argv) }.into())
                }
            }
        }
        Ok(())
    }

    fn queue(&mut self, slot: u16, argv: Vec<Bytes>, end_offset: u64) {
        // Resumed: this slot's transaction that held the command was committed before.
        if self.applied.get(&slot).is_some_and(|&done| end_offset <= done) {
            return;
        }
        self.pending.entry(slot).or_default().push(argv);
        self.commands += 1;
    }

    /// A command without keys: about every master (FLUSHALL, FUNCTION, SCRIPT), or about none
    /// (PUBLISH, which a cluster spreads by itself). Everything before it is applied first, and a
    /// base checkpoint follows it, so that a resumed stream never applies it again.
    async fn everywhere(
        &mut self,
        writer: &mut Writer,
        lease: Option<&Lease>,
        name: &[u8],
        argv: Vec<Bytes>,
        end_offset: u64,
    ) -> Result<(), MigrateError> {
        self.commit(writer, lease).await?;
        if let Some(lease) = lease {
            lease.allowed().await?;
        }
        match name {
            b"PUBLISH" | b"SPUBLISH" => writer.send_to_slot(0, &argv).await?,
            // Ferry's checkpoints go too; the base that follows is the one left.
            b"FLUSHALL" | b"FLUSHDB" => {
                writer.send(&argv, 0).await?;
                self.own.clear();
            }
            _ => writer.send(&argv, 0).await?,
        }
        self.last = end_offset;
        self.bases(writer).await
    }

    /// Sends each slot's waiting commands in a transaction with the slot's checkpoint. Under a
    /// lease, nothing is sent once it is lost.
    pub(super) async fn commit(&mut self, writer: &mut Writer, lease: Option<&Lease>) -> Result<(), MigrateError> {
        if self.pending.is_empty() {
            return Ok(());
        }
        if let Some(lease) = lease {
            lease.allowed().await?;
        }
        let checkpoint = Checkpoint { replid: self.replid.clone(), offset: self.last, db: self.db, complete: true };
        for (slot, commands) in std::mem::take(&mut self.pending) {
            writer.send_to_slot(slot, &[Bytes::from_static(b"MULTI")]).await?;
            for argv in &commands {
                writer.send_to_slot(slot, argv).await?;
            }
            let key = SlotCheckpoints::slot_key(&self.key, slot);
            writer.send_to_slot(slot, &checkpoint.command(&key)).await?;
            writer.send_to_slot(slot, &[Bytes::from_static(b"EXEC")]).await?;
            self.own.insert(key);
        }
        self.counters.own_keys.store(self.own.len() as u64, Ordering::Release);
        writer.mark_offset(self.last);
        self.commands = 0;
        if self.last - self.based >= BASE_EVERY_BYTES || self.based_at.elapsed() >= BASE_EVERY {
            self.bases(writer).await?;
        }
        Ok(())
    }

    /// Records progress made with no write (PINGs), when nothing waits.
    pub(super) async fn checkpoint_progress(&mut self, writer: &mut Writer) -> Result<(), MigrateError> {
        if self.pending.is_empty() && self.last > self.based && !self.replid.is_empty() {
            self.bases(writer).await?;
        }
        Ok(())
    }

    /// Once every master has answered everything sent, writes on each master a base checkpoint:
    /// the slots it serves reflect the offset reached.
    pub(super) async fn bases(&mut self, writer: &mut Writer) -> Result<(), MigrateError> {
        writer.drain().await?;
        let checkpoint = Checkpoint { replid: self.replid.clone(), offset: self.last, db: self.db, complete: true };
        let shards: Vec<Vec<(u16, u16)>> = match writer.topology() {
            Some(t) => t.shards.iter().map(|s| s.ranges.clone()).collect(),
            None => vec![vec![(0, cluster::SLOTS - 1)]],
        };
        for ranges in shards {
            // Of a cluster source, this migration vouches only for its master's slots.
            let ranges = match &self.shard {
                Some(shard) => intersect(&ranges, &shard.ranges),
                None => ranges,
            };
            let Some(&(slot, _)) = ranges.first() else { continue };
            let command = SlotCheckpoints::base_command(&self.key, slot, &checkpoint, &ranges);
            writer.send_to_slot(slot, &command).await?;
            self.own.insert(command[1].clone());
        }
        self.counters.own_keys.store(self.own.len() as u64, Ordering::Release);
        writer.mark_offset(self.last);
        writer.flush().await?;
        self.based = self.last;
        self.based_at = Instant::now();
        Ok(())
    }
}

/// The slot ranges both lists hold.
fn intersect(a: &[(u16, u16)], b: &[(u16, u16)]) -> Vec<(u16, u16)> {
    let mut out = Vec::new();
    for &(a0, a1) in a {
        for &(b0, b1) in b {
            let (from, to) = (a0.max(b0), a1.min(b1));
            if from <= to {
                out.push((from, to));
            }
        }
    }
    out.sort_unstable();
    out
}

fn moves_between_dbs(name: &[u8]) -> MigrateError {
    MigrateError::Filter(
        Text::new(&errors::MIGRATE_MOVES_BETWEEN_DBS).arg("command", String::from_utf8_lossy(name).into_owned()),
    )
}

/// A command whose keys are in several slots, as one command per slot, where that changes nothing.
fn split(name: &[u8], argv: &[Bytes]) -> Result<Vec<(u16, Vec<Bytes>)>, MigrateError> {
    let (step, command): (usize, &[u8]) = match name {
        b"DEL" | b"UNLINK" | b"TOUCH" => (1, name),
        // A propagated MSETNX succeeded: every key was new, so MSETs do the same.
        b"MSET" | b"MSETNX" => (2, b"MSET"),
        _ => return Err(WriteError::CrossSlot { command: String::from_utf8_lossy(name).into_owned() }.into()),
    };
    let mut parts: Vec<(u16, Vec<Bytes>)> = Vec::new();
    for group in argv[1..].chunks(step) {
        let slot = cluster::slot(&group[0]);
        match parts.iter_mut().find(|(s, _)| *s == slot) {
            Some((_, part)) => part.extend(group.iter().cloned()),
            None => {
                let mut part = vec![Bytes::copy_from_slice(command)];
                part.extend(group.iter().cloned());
                parts.push((slot, part));
            }
        }
    }
    Ok(parts)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argv(parts: &[&str]) -> Vec<Bytes> {
        parts.iter().map(|p| Bytes::copy_from_slice(p.as_bytes())).collect()
    }

    #[test]
    fn cross_slot_commands_split_where_that_changes_nothing() {
        let parts = split(b"MSETNX", &argv(&["MSETNX", "a", "1", "b", "2", "{a}x", "3"])).unwrap();
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[0], (cluster::slot(b"a"), argv(&["MSET", "a", "1", "{a}x", "3"])));
        assert_eq!(parts[1], (cluster::slot(b"b"), argv(&["MSET", "b", "2"])));
        let parts = split(b"DEL", &argv(&["DEL", "a", "b"])).unwrap();
        assert_eq!(parts.iter().map(|p| p.1.len()).sum::<usize>(), 4);
        let err = split(b"RENAME", &argv(&["RENAME", "a", "b"])).unwrap_err().to_string();
        assert!(err.contains("RENAME") && err.contains("hash tag"), "{err}");
    }
}
