//! The source side: reads the snapshot (when the session starts with one) and then the command
//! stream, turns them into [`Entry`]s and hands them to the target side in batches whose bytes are
//! bounded. A broken link is resumed from the last byte received (`PSYNC <replid> <offset+1>`).

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use crate::transport::WriteHalf;
use bytes::Bytes;
use tokio::sync::{mpsc, watch};

use super::link::SourceLink;
use super::{clock, downgrade, expiry, Batch, Counters, MigrateError, Phase, BATCH, BATCH_BYTES, IN_FLIGHT_KIB};
use crate::client::ClientError;
use crate::entry::Entry;
use crate::rdb::Record;
use crate::replica::{Acker, CommandStream, RdbTransfer, ReplicaError};
use crate::server::ServerInfo;

/// How a session of the source side begins.
pub(super) enum Start {
    /// A full resync: the snapshot, then the stream.
    Snapshot(RdbTransfer),
    /// A partial resync: the stream goes on from the checkpoint, in db `db`.
    Stream { stream: CommandStream, ack: WriteHalf, replid: String, db: u32 },
}

/// Builds batches of entries and sends them once they are big enough by count or bytes, after
/// taking their bytes out of the in-flight budget.
struct Batcher {
    entries: Vec<Entry>,
    bytes: usize,
    budget: Arc<tokio::sync::Semaphore>,
    tx: mpsc::Sender<Batch>,
}

impl Batcher {
    fn new(tx: mpsc::Sender<Batch>) -> Batcher {
        let budget = Arc::new(tokio::sync::Semaphore::new(IN_FLIGHT_KIB as usize));
        Batcher { entries: Vec::with_capacity(BATCH), bytes: 0, budget, tx }
    }

    fn push(&mut self, entry: Entry) {
        self.bytes += entry.weight();
        self.entries.push(entry);
    }

    fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    fn full(&self) -> bool {
        self.entries.len() >= BATCH || self.bytes >= BATCH_BYTES
    }

    /// Sends what is batched (waiting for room in the budget); false when the target side is gone.
    async fn send(&mut self) -> bool {
        let kib = (self.bytes.div_ceil(1024) as u32).clamp(1, IN_FLIGHT_KIB);
        let Ok(permit) = self.budget.clone().acquire_many_owned(kib).await else { return false };
        let entries = std::mem::replace(&mut self.entries, Vec::with_capacity(BATCH));
        self.bytes = 0;
        self.tx.send((entries, permit)).await.is_ok()
    }
}

/// How the stream's commands are put for the target: relative TTLs from a source before 7.0 get
/// the source's deadline ([`expiry`]), forms the target predates their older equivalent
/// ([`downgrade`]).
pub(super) struct Translate {
    pub clock: Option<clock::SourceClock>,
    pub downgrade: bool,
    pub target: ServerInfo,
}

impl Translate {
    fn command(&self, name: &[u8], argv: Vec<Bytes>, end_offset: u64) -> Vec<Bytes> {
        let argv = match &self.clock {
            Some(clock) if expiry::is_relative_expiry(name) => {
                clock.time_of(end_offset).and_then(|at| expiry::absolute(&argv, at, &self.target)).unwrap_or(argv)
            }
            _ => argv,
        };
        match self.downgrade {
            true => downgrade::for_target(&argv, &self.target).unwrap_or(argv),
            false => argv,
        }
    }
}

/// Reads the session's snapshot (if any) and then the command stream, sending entries to the
/// target side, until asked to stop or the target side goes away.
pub(super) async fn run(
    source: SourceLink,
    start: Start,
    tx: mpsc::Sender<Batch>,
    counters: Arc<Counters>,
    mut stop: watch::Receiver<bool>,
    translate: Translate,
) -> Result<(), MigrateError> {
    let mut batch = Batcher::new(tx);
    let (mut stream, ack, mut replid, mut db) = match start {
        Start::Stream { stream, ack, replid, db } => (stream, ack, replid, db),
        Start::Snapshot(mut transfer) => {
            let mut started = false;
            while let Some(record) = transfer.next().await? {
                if !started {
                    counters.set_phase(Phase::FullSync);
                    started = true;
                }
                counters.rdb_bytes.store(transfer.reader().bytes_read(), Ordering::Relaxed);
                match record {
                    Record::Key(key) => batch.push(Entry::Key(key)),
                    Record::Function { code } => batch.push(Entry::Function(code)),
                    Record::ModuleAux { module } => {
                        tracing::warn!(module, "the source's RDB holds auxiliary data of a module; it is not migrated");
                    }
                    Record::Aux { .. } | Record::SelectDb(_) | Record::ResizeDb { .. } => {}
                }
                if batch.full() && !batch.send().await {
                    return Ok(());
                }
                if *stop.borrow() {
                    return Ok(());
                }
            }
            counters.rdb_bytes.store(transfer.reader().bytes_read(), Ordering::Relaxed);
            let offset = transfer.start.offset;
            let replid = transfer.start.replid.clone();
            let (stream, ack) = transfer.finish().await?;
            batch.push(Entry::SnapshotEnd { offset, replid: replid.clone() });
            if !batch.send().await {
                return Ok(());
            }
            (stream, ack, replid, 0)
        }
    };
    let mut acker = Acker::spawn(ack, counters.applied_offset.clone());
    let result = loop {
        let command = tokio::select! {
            c = stream.next(), if !batch.full() => c,
            _ = stop.changed() => break Ok(()),
            // Nothing new for a moment: hand over what we have so it is applied now.
            _ = tokio::time::sleep(Duration::from_millis(2)), if !batch.is_empty() => {
                if !batch.send().await { break Ok(()); }
                continue;
            }
        };
        let command = match command {
            Ok(c) => c,
            // The link broke: continue from the last byte received, with no new snapshot.
            Err(e) if e.is_link_failure() && !replid.is_empty() => {
                tracing::warn!("the replication link broke ({e}); resuming from offset {}", stream.offset());
                acker.stop().await;
                // Not in sync while the link is down: the source may have restarted with another
                // history, whose offsets the applied one cannot be compared with, and no cutover
                // or "synced" may pass on them meanwhile.
                let phase = counters.phase();
                counters.set_phase(Phase::Connecting);
                match reconnect(&source, &replid, stream.offset(), &mut stop).await {
                    Ok(Some((resumed, ack, id))) => {
                        counters.set_phase(phase);
                        stream = resumed;
                        if id != replid {
                            batch.push(Entry::Replid(id.clone()));
                            counters.set_replid(&id);
                            replid = id;
                        }
                        acker = Acker::spawn(ack, counters.applied_offset.clone());
                        counters.resumes.fetch_add(1, Ordering::Relaxed);
                        continue;
                    }
                    Ok(None) => return Ok(()),
                    Err(e) => return Err(e.into()),
                }
            }
            Err(e) => break Err(e.into()),
        };
        counters.received_offset.store(command.end_offset, Ordering::Relaxed);
        let name = command.argv[0].to_ascii_uppercase();
        let entry = match &name[..] {
            b"SELECT" => {
                db = command.argv.get(1).and_then(|d| std::str::from_utf8(d).ok()?.parse().ok()).unwrap_or(db);
                Entry::Select { db, end_offset: command.end_offset }
            }
            b"PING" | b"PUBLISH" | b"SPUBLISH" => Entry::Offset(command.end_offset),
            b"REPLCONF" => {
                if command.argv.get(1).is_some_and(|a| a.eq_ignore_ascii_case(b"GETACK")) {
                    acker.ack_now();
                }
                Entry::Offset(command.end_offset)
            }
            _ => {
                let argv = translate.command(&name, command.argv, command.end_offset);
                Entry::Command { db, argv, end_offset: command.end_offset }
            }
        };
        batch.push(entry);
        if batch.full() && !batch.send().await {
            break Ok(());
        }
    };
    if result.is_ok() && !batch.is_empty() {
        batch.send().await;
    }
    acker.stop().await;
    result
}

/// Reconnects to the source and resumes at `offset`, retrying with backoff for about a minute while
/// the source is unreachable. `Ok(None)` when asked to stop meanwhile.
async fn reconnect(
    source: &SourceLink,
    replid: &str,
    offset: u64,
    stop: &mut watch::Receiver<bool>,
) -> Result<Option<(CommandStream, WriteHalf, String)>, ReplicaError> {
    let mut delay = Duration::from_millis(100);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    loop {
        // Through Sentinel, the source is asked for again: after a failover it is the promoted
        // replica, which continues the stream under PSYNC2.
        let attempt = async { source.replica().await?.resume(replid, offset).await };
        match attempt.await {
            Ok(resumed) => return Ok(Some(resumed)),
            // Unreachable for now; or an address in front of the source (a proxy, a virtual IP)
            // that accepts and hangs up while the source behind it is down or failing over.
            Err(e)
                if e.is_link_failure()
                    || matches!(
                        e,
                        ReplicaError::Client(ClientError::Connect { .. } | ClientError::NotPlainRedis { .. })
                    ) =>
            {
                if tokio::time::Instant::now() + delay > deadline {
                    return Err(e);
                }
                tracing::warn!("cannot reach the source yet ({e}); retrying in {delay:?}");
            }
            Err(e) => return Err(e),
        }
        tokio::select! {
            _ = tokio::time::sleep(delay) => {}
            _ = stop.changed() => return Ok(None),
        }
        delay = (delay * 2).min(Duration::from_secs(5));
    }
}
