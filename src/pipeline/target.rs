//! The target side: converts entries and writes them through the [`Writer`].
//!
//! The snapshot's keys go as they come. The incremental sync goes in transactions: each `MULTI …
//! EXEC` holds a run of the source's commands (a source transaction always whole: its own `MULTI` and
//! `EXEC` are dropped, ours covers it) and the [`Checkpoint`] of the offset they reach, so the
//! target's data and its checkpoint move together ([`super::checkpoint`]). The applied offset, which
//! the source is told, moves with each `EXEC`.

use std::sync::atomic::Ordering;
use std::sync::Arc;

use bytes::Bytes;
use tokio::sync::mpsc;

use super::checkpoint::{self, Checkpoint, SlotCheckpoints};
use super::commands::{routed, unknown_command, KnownCommands};
use super::lease::Lease;
use super::link::ShardSpec;
use super::slots::SlotStream;
use super::{Batch, Counters, MigrateError, Phase, KEEP_ALIVE};
use crate::entry::Entry;
use crate::filter::Filter;
use crate::text::catalog::run_errors as errors;
use crate::text::Text;
use crate::writer::{Converter, Writer};

/// A transaction closes after this many commands (when no source transaction is open), so that
/// the target never queues an unbounded one.
const TX_COMMANDS: usize = 1000;

/// Where the target side stands in the stream.
struct Stream {
    key: Bytes,
    replid: String,
    /// A transaction of ours is open on the target.
    open: bool,
    /// Inside a source transaction (its MULTI seen, not yet its EXEC): no commit here.
    in_source_tx: bool,
    commands: usize,
    /// The end offset of the last entry handled, and of the last checkpoint sent.
    last: u64,
    checkpointed: u64,
    /// The db the stream has selected at `last`.
    db: u32,
}

impl Stream {
    fn checkpoint(&self) -> Vec<Bytes> {
        Checkpoint { replid: self.replid.clone(), offset: self.last, db: self.db, complete: true }.command(&self.key)
    }

    /// Ends the open transaction with the checkpoint; its EXEC carries the offset reached. Under a
    /// lease, the EXEC goes only while the lease holds: queued commands are applied by the EXEC
    /// alone, so a runner that stalled meanwhile discards them instead.
    async fn commit(&mut self, writer: &mut Writer, lease: Option<&Lease>) -> Result<(), MigrateError> {
        if !self.open {
            return Ok(());
        }
        if let Some(lease) = lease {
            if let Err(lost) = lease.allowed().await {
                writer.send(&[Bytes::from_static(b"DISCARD")], 0).await?;
                writer.flush().await?;
                return Err(lost.into());
            }
        }
        writer.select(checkpoint::DB).await?;
        writer.send(&self.checkpoint(), 0).await?;
        writer.send(&[Bytes::from_static(b"EXEC")], self.last).await?;
        self.open = false;
        self.commands = 0;
        self.checkpointed = self.last;
        Ok(())
    }

    /// Records progress made with no write (PINGs, skipped commands) in the checkpoint, when no
    /// transaction is open.
    async fn checkpoint_progress(&mut self, writer: &mut Writer) -> Result<(), MigrateError> {
        if !self.open && self.last > self.checkpointed && !self.replid.is_empty() {
            writer.select(checkpoint::DB).await?;
            writer.send(&self.checkpoint(), self.last).await?;
            self.checkpointed = self.last;
        }
        Ok(())
    }
}

/// What the target side was given to work with.
pub(super) struct TargetSide {
    pub writer: Writer,
    pub converter: Converter,
    pub filter: Filter,
    pub counters: Arc<Counters>,
    pub known: KnownCommands,
    /// The checkpoint's key, and the stream's replication id and offset where this session starts.
    pub checkpoint_key: Bytes,
    pub replid: String,
    pub start: u64,
    pub db: u32,
    pub lease: Option<Arc<Lease>>,
    /// Apply the stream in transactions with the checkpoint (resumable); without, command by
    /// command, for targets that refuse MULTI (some proxies).
    pub transactions: bool,
    /// A cluster target: per slot, the offset its checkpoint says is applied (from the checkpoints
    /// this session resumed from). A cluster always takes the stream in transactions of one slot.
    pub slots: Option<SlotCheckpoints>,
    /// One master's share of a cluster source.
    pub shard: Option<ShardSpec>,
}

/// Converts and writes entries until the source side closes the channel, then drains the writer.
pub(super) async fn run(side: TargetSide, mut rx: mpsc::Receiver<Batch>) -> Result<Converter, MigrateError> {
    let TargetSide {
        mut writer,
        mut converter,
        filter,
        counters,
        known,
        checkpoint_key,
        replid,
        start,
        db,
        lease,
        transactions,
        slots,
        shard,
    } = side;
    let mut cluster = slots.map(|resumed| {
        SlotStream::new(checkpoint_key.clone(), replid.clone(), (start, db), resumed, counters.clone(), shard.clone())
    });
    let mut stream = Stream {
        key: checkpoint_key,
        replid,
        open: false,
        in_source_tx: false,
        commands: 0,
        last: start,
        checkpointed: start,
        db,
    };
    loop {
        let batch = tokio::select! {
            batch = rx.recv() => batch,
            // A quiet source: checkpoint what moved, keep the target's connection alive (and find
            // out if it still answers).
            _ = tokio::time::sleep(KEEP_ALIVE) => {
                if counters.phase() == Phase::Incremental {
                    match cluster.as_mut() {
                        Some(cluster) => cluster.checkpoint_progress(&mut writer).await?,
                        None if transactions => stream.checkpoint_progress(&mut writer).await?,
                        None => {}
                    }
                    writer.flush().await?;
                }
                writer.keep_alive().await?;
                continue;
            }
        };
        // The permit goes back to the budget once the batch is written.
        let Some((batch, _permit)) = batch else { break };
        // Not one more write without the lease (a stall may have let another runner take over).
        if let Some(lease) = &lease {
            lease.allowed().await?;
        }
        for entry in batch {
            if let (Some(_), Entry::Command { argv, .. }) = (&shard, &entry) {
                if let Some(stop) = not_for_a_shard(argv) {
                    return Err(stop);
                }
            }
            match entry {
                Entry::Key(mut key) => {
                    if !filter.key(&key.key) {
                        continue;
                    }
                    key.db = filter.db(key.db);
                    if converter.write_key(&mut writer, key).await? {
                        counters.keys_written.fetch_add(1, Ordering::Relaxed);
                    }
                    counters.keys_expired.store(converter.expired_skipped, Ordering::Relaxed);
                }
                Entry::Function(code) => converter.write_function(&mut writer, code).await?,
                Entry::SnapshotEnd { offset, replid } if cluster.is_some() => {
                    writer.drain().await?;
                    if let Some(cluster) = cluster.as_mut() {
                        (cluster.replid, cluster.last, cluster.db) = (replid, offset, 0);
                        cluster.bases(&mut writer).await?;
                    }
                    writer.drain().await?;
                    counters.mark_full_sync_done();
                    counters.set_phase(Phase::Incremental);
                }
                Entry::SnapshotEnd { offset, replid } => {
                    // Incremental means the target holds the whole snapshot: wait for its last
                    // replies, then say so in the checkpoint.
                    writer.drain().await?;
                    stream.replid = replid;
                    stream.last = offset;
                    stream.db = 0;
                    if transactions && !stream.replid.is_empty() {
                        writer.select(checkpoint::DB).await?;
                        writer.send(&stream.checkpoint(), offset).await?;
                        stream.checkpointed = offset;
                    }
                    writer.drain().await?;
                    counters.mark_full_sync_done();
                    counters.set_phase(Phase::Incremental);
                }
                Entry::Replid(replid) if cluster.is_some() => {
                    if let Some(cluster) = cluster.as_mut() {
                        cluster.commit(&mut writer, lease.as_deref()).await?;
                        cluster.replid = replid;
                    }
                }
                Entry::Replid(replid) => {
                    // The source's id changed (a failover it went through): the offsets go on.
                    stream.commit(&mut writer, lease.as_deref()).await?;
                    stream.replid = replid;
                }
                Entry::Command { db, argv, end_offset } if cluster.is_some() => {
                    let Some(cluster) = cluster.as_mut() else { continue };
                    cluster.command(&mut writer, &filter, &known, lease.as_deref(), (db, argv, end_offset)).await?;
                    cluster.last = end_offset;
                    if !cluster.is_open() {
                        writer.mark_offset(end_offset);
                    }
                    if cluster.commands >= TX_COMMANDS {
                        cluster.commit(&mut writer, lease.as_deref()).await?;
                    }
                }
                Entry::Command { db, argv, end_offset } if !transactions => {
                    apply_plain(&mut writer, &filter, db, argv, end_offset).await?;
                }
                Entry::Command { db, argv, end_offset } => {
                    let name = argv[0].to_ascii_uppercase();
                    match &name[..] {
                        // Our transaction covers the source's: its MULTI and EXEC are dropped.
                        b"MULTI" => stream.in_source_tx = true,
                        b"EXEC" => stream.in_source_tx = false,
                        _ => apply(&mut stream, &mut writer, &filter, &known, db, argv).await?,
                    }
                    stream.last = end_offset;
                    if !stream.open {
                        // Nothing queued (a source MULTI, an EXEC of nothing, a skipped command).
                        writer.mark_offset(end_offset);
                    }
                    if stream.commands >= TX_COMMANDS && !stream.in_source_tx {
                        stream.commit(&mut writer, lease.as_deref()).await?;
                    }
                }
                Entry::Select { db, end_offset } => {
                    stream.db = db;
                    stream.last = end_offset;
                    let open = match cluster.as_mut() {
                        Some(cluster) => {
                            (cluster.db, cluster.last) = (db, end_offset);
                            cluster.is_open()
                        }
                        None => stream.open,
                    };
                    if !open {
                        writer.mark_offset(end_offset);
                    }
                }
                Entry::Offset(offset) => {
                    stream.last = offset;
                    let open = match cluster.as_mut() {
                        Some(cluster) => {
                            cluster.last = offset;
                            cluster.is_open()
                        }
                        None => stream.open,
                    };
                    if !open {
                        writer.mark_offset(offset);
                    }
                }
            }
        }
        if rx.is_empty() {
            match cluster.as_mut() {
                Some(cluster) => cluster.commit(&mut writer, lease.as_deref()).await?,
                None if !stream.in_source_tx => stream.commit(&mut writer, lease.as_deref()).await?,
                None => {}
            }
            writer.flush().await?;
        }
    }
    if let Some(cluster) = cluster.as_mut() {
        cluster.commit(&mut writer, lease.as_deref()).await?;
        writer.drain().await?;
        return Ok(converter);
    }
    // Stopped: a source transaction cut in the middle is not applied (the stream gives it again
    // from the checkpoint when the migration resumes).
    if stream.open && stream.in_source_tx {
        writer.send(&[Bytes::from_static(b"DISCARD")], 0).await?;
        writer.forget_db();
    } else {
        stream.commit(&mut writer, lease.as_deref()).await?;
    }
    writer.drain().await?;
    Ok(converter)
}

/// Sends one command of the stream as it is, routed by the filter (no transactions, no checkpoint).
async fn apply_plain(
    writer: &mut Writer,
    filter: &Filter,
    db: u32,
    argv: Vec<Bytes>,
    end_offset: u64,
) -> Result<(), MigrateError> {
    let commands = routed(filter, db, argv)?;
    if commands.is_empty() {
        writer.mark_offset(end_offset);
        return Ok(());
    }
    let last = commands.len().saturating_sub(1);
    for (i, (target_db, argv)) in commands.into_iter().enumerate() {
        writer.select(target_db).await?;
        let name = argv[0].to_ascii_uppercase();
        // The command's end offset is applied with the last part of it.
        writer.send(&argv, if i == last { end_offset } else { 0 }).await?;
        if name == b"EXEC" || name == b"DISCARD" {
            writer.forget_db();
        }
    }
    Ok(())
}

/// Queues one command of the stream in the open transaction (opening one), routed by the filter.
async fn apply(
    stream: &mut Stream,
    writer: &mut Writer,
    filter: &Filter,
    known: &KnownCommands,
    db: u32,
    argv: Vec<Bytes>,
) -> Result<(), MigrateError> {
    for (target_db, argv) in routed(filter, db, argv)? {
        if !known.knows(&Bytes::from(argv[0].to_ascii_lowercase())) {
            unknown_command(writer, &argv)?;
            continue;
        }
        if !stream.open {
            writer.send(&[Bytes::from_static(b"MULTI")], 0).await?;
            stream.open = true;
        }
        writer.select(target_db).await?;
        writer.send(&argv, 0).await?;
        stream.commands += 1;
    }
    Ok(())
}

/// What one master of a cluster source cannot pass on: a command about a whole db (on the target
/// it would reach the other masters' keys too), or a key arriving from another master (a
/// resharding's `RESTORE`, whose delete on the other master travels in another stream, in no
/// fixed order with it).
fn not_for_a_shard(argv: &[Bytes]) -> Option<MigrateError> {
    let name = argv[0].to_ascii_uppercase();
    let what = match &name[..] {
        b"FLUSHALL" | b"FLUSHDB" | b"SWAPDB" => &errors::MIGRATE_WHY_WHOLE_DB,
        b"RESTORE" | b"RESTORE-ASKING" => &errors::MIGRATE_WHY_MOVED_KEY,
        _ => return None,
    };
    Some(MigrateError::Filter(
        Text::new(&errors::MIGRATE_NOT_FOR_A_SHARD)
            .arg("command", String::from_utf8_lossy(&name).into_owned())
            .arg("why", Text::new(what)),
    ))
}
