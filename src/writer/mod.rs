//! Pipelined writes to the target, with a bounded window, byte-exact offset accounting, and error
//! replies that are counted and surfaced — never dropped.
//!
//! One task encodes and sends ([`Writer`]); another reads replies in order and pops the matching
//! [`Pending`] entries. A pending entry may carry the replication offset reached once it is applied:
//! when its reply arrives, that offset becomes the *applied* offset that the replica acknowledges.

mod conn;
mod convert;
mod stream;

pub use convert::{Converter, Mode};

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;

use crate::client::ClientError;
use crate::cluster::{self, SlotsOf, Topology};
use crate::endpoint::Endpoint;
use crate::text::catalog::run_errors as msg;
use crate::text::Text;
use conn::{Applied, Conn};
/// Keep at most this many error samples for the report.
const MAX_SAMPLES: usize = 20;

/// How the writer behaves.
#[derive(Debug, Clone)]
pub struct WriterOptions {
    /// Commands sent but not yet answered, at most.
    pub window: usize,
    /// Error classes (the first word of an error reply, e.g. `BUSYKEY`, or `UNSUPPORTED` for data the
    /// target cannot hold) that are counted and reported but do not fail the run.
    pub skip_errors: Vec<String>,
    /// A target that answers nothing for this long while writes wait for it is reported as stalled
    /// (the progress carries a warning).
    pub stall_warning: Duration,
    /// A target stalled for this long fails the migration with a message that says so.
    pub stall_timeout: Duration,
}

impl Default for WriterOptions {
    fn default() -> Self {
        WriterOptions {
            window: 8192,
            skip_errors: Vec::new(),
            stall_warning: Duration::from_secs(10),
            stall_timeout: Duration::from_secs(60),
        }
    }
}

/// Writing to the target failed.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error(transparent)]
    Client(#[from] ClientError),
    /// `first` is the first rejected write and the target's answer.
    #[error("{}", self.text())]
    Rejected { count: u64, first: Text, class: String },
    /// `what` names what the target cannot hold.
    #[error("{}", self.text())]
    Unsupported { key: String, what: Text },
    #[error("{}", self.text())]
    ClusterDb { db: u32 },
    #[error("{}", self.text())]
    CrossSlot { command: String },
    #[error("{}", self.text())]
    UnknownKeys { command: String },
    #[error("{}", self.text())]
    Stalled { addr: String, secs: u64, waiting: usize },
}

impl WriteError {
    /// The error as a sentence, in whichever language it is shown (`Display` is its English).
    pub fn text(&self) -> Text {
        match self {
            WriteError::Client(e) => e.text(),
            WriteError::Rejected { count, first, class } => {
                Text::new(&msg::WRITER_REJECTED).arg("count", *count).arg("first", first.clone()).arg("class", class)
            }
            WriteError::Unsupported { key, what } => {
                Text::new(&msg::WRITER_UNSUPPORTED).arg("what", what.clone()).arg("key", format!("{key:?}"))
            }
            WriteError::ClusterDb { db } => Text::new(&msg::WRITER_CLUSTER_DB).arg("db", *db),
            WriteError::CrossSlot { command } => Text::new(&msg::WRITER_CROSS_SLOT).arg("command", command),
            WriteError::UnknownKeys { command } => Text::new(&msg::WRITER_UNKNOWN_KEYS).arg("command", command),
            WriteError::Stalled { addr, secs, waiting } => {
                Text::new(&msg::WRITER_STALLED).arg("addr", addr).arg("secs", *secs).arg("waiting", *waiting)
            }
        }
    }
}

/// One error the target returned, for the report.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ErrorSample {
    pub class: String,
    pub command: String,
    pub key: String,
    /// The target's error reply as it is, or what the target cannot hold.
    pub message: Text,
}

/// Adds `count` to what `list` says of `what` (a sentence of the catalog, so the list is no map).
pub fn add_not_carried(list: &mut Vec<(Text, u64)>, what: Text, count: u64) {
    match list.iter_mut().find(|(w, _)| *w == what) {
        Some((_, n)) => *n += count,
        None => list.push((what, count)),
    }
}

/// Counters the writer keeps; read them at any time.
#[derive(Debug, Default)]
pub struct WriterStats {
    pub sent: AtomicU64,
    pub acked: AtomicU64,
    pub errors: AtomicU64,
    pub skipped_errors: AtomicU64,
    samples: Mutex<Vec<ErrorSample>>,
    by_class: Mutex<BTreeMap<String, u64>>,
    not_carried: Mutex<Vec<(Text, u64)>>,
    /// Milliseconds the target has kept writes waiting without an answer, once that passes the
    /// stall warning (0 otherwise).
    pub stalled_ms: AtomicU64,
}

impl WriterStats {
    /// The first few errors seen.
    pub fn samples(&self) -> Vec<ErrorSample> {
        self.samples.lock().map(|s| s.clone()).unwrap_or_default()
    }

    /// Error counts by class.
    pub fn by_class(&self) -> BTreeMap<String, u64> {
        self.by_class.lock().map(|m| m.clone()).unwrap_or_default()
    }

    /// What of the source's data could not be given to the target although it was written (a
    /// stream consumer's seen time...), with counts: for the summary and the task's events.
    pub fn not_carried(&self) -> Vec<(Text, u64)> {
        self.not_carried.lock().map(|m| m.clone()).unwrap_or_default()
    }

    /// Records an error that happened before sending (data the target cannot hold).
    pub fn record(&self, sample: ErrorSample, skipped: bool) {
        self.errors.fetch_add(1, Ordering::Relaxed);
        if skipped {
            self.skipped_errors.fetch_add(1, Ordering::Relaxed);
        }
        if let Ok(mut m) = self.by_class.lock() {
            *m.entry(sample.class.clone()).or_default() += 1;
        }
        if let Ok(mut s) = self.samples.lock() {
            if s.len() < MAX_SAMPLES {
                s.push(sample);
            }
        }
    }
}

/// What a reply must be, beyond not being an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expect {
    Any,
    /// `XCLAIM … FORCE JUSTID` of one id: an empty reply means the target did not recreate the
    /// pending entry (its stream entry is gone), which is reported as data the target cannot hold.
    Claimed,
}

/// Pipelined writes to the target: one connection to a standalone server, or one per master of a
/// cluster, each command sent to the master of its key's slot. The cluster's topology is the one
/// read when the writer connected: a redirection (`MOVED`, `ASK`) fails the writer, and the
/// pipeline's next session reads the topology again ([`WriteError::is_redirection`]).
pub struct Writer {
    conns: Vec<Conn>,
    topology: Option<Topology>,
}

impl Writer {
    /// Connects to the target (every master of a cluster target, given its topology). `applied` is
    /// advanced as replies come back: with several masters, to what all of them have applied.
    pub async fn connect(
        target: &Endpoint,
        topology: Option<&Topology>,
        options: &WriterOptions,
        applied: Arc<AtomicU64>,
        stats: Arc<WriterStats>,
    ) -> Result<Writer, WriteError> {
        let masters: Vec<Endpoint> = match topology {
            Some(t) => t.masters().cloned().collect(),
            None => vec![target.clone()],
        };
        let mut conns = Vec::with_capacity(masters.len());
        for (master, applied) in masters.iter().zip(Applied::split(&applied, masters.len())) {
            conns.push(Conn::connect(master, options, applied, stats.clone()).await?);
        }
        Ok(Writer { conns, topology: topology.cloned() })
    }

    /// The cluster's topology, for a cluster target.
    pub fn topology(&self) -> Option<&Topology> {
        self.topology.as_ref()
    }

    /// Makes the next commands apply to database `db` (sends SELECT only when it changes). A
    /// cluster has db 0 only.
    pub async fn select(&mut self, db: u32) -> Result<(), WriteError> {
        match (&self.topology, db) {
            (None, _) => self.conns[0].select(db).await,
            (Some(_), 0) => Ok(()),
            (Some(_), db) => Err(WriteError::ClusterDb { db }),
        }
    }

    /// Forgets which db is selected: the next [`Writer::select`] sends SELECT (after a command from
    /// the source that may have changed it, such as a transaction that failed).
    pub fn forget_db(&mut self) {
        self.conns.iter_mut().for_each(Conn::forget_db);
    }

    /// Queues a command. `offset`, when not 0, becomes the applied offset once the target answers it.
    /// On a cluster it goes to the master of its keys' slot; a command without keys (FLUSHALL,
    /// FUNCTION LOAD, PING) goes to every master.
    pub async fn send(&mut self, argv: &[Bytes], offset: u64) -> Result<(), WriteError> {
        self.routed(argv, offset, Expect::Any).await
    }

    /// Queues a command whose reply is checked beyond being an error ([`Expect`]).
    pub async fn send_expecting(&mut self, argv: &[Bytes], expect: Expect) -> Result<(), WriteError> {
        self.routed(argv, 0, expect).await
    }

    /// Queues a command on the master that serves `slot` (a cluster's transactions, which must
    /// stay on one slot, and its checkpoint keys).
    pub async fn send_to_slot(&mut self, slot: u16, argv: &[Bytes]) -> Result<(), WriteError> {
        let shard = self.topology.as_ref().map_or(0, |t| t.shard_of(slot));
        self.conns[shard].send(argv, 0).await
    }

    async fn routed(&mut self, argv: &[Bytes], offset: u64, expect: Expect) -> Result<(), WriteError> {
        let Some(topology) = &self.topology else {
            return self.conns[0].queue(argv, offset, expect).await;
        };
        let shard = match cluster::slot_of_command(argv) {
            SlotsOf::One(slot) => topology.shard_of(slot),
            SlotsOf::None => {
                for conn in &mut self.conns {
                    conn.queue(argv, offset, expect).await?;
                }
                return Ok(());
            }
            SlotsOf::Many => return Err(WriteError::CrossSlot { command: crate::client::command_name(argv) }),
            SlotsOf::Unknown => return Err(WriteError::UnknownKeys { command: crate::client::command_name(argv) }),
        };
        self.conns[shard].queue(argv, offset, expect).await?;
        if offset != 0 {
            self.mark_offset(offset);
        }
        Ok(())
    }

    /// Records something of the source that the target was not given, `count` times.
    pub fn note_not_carried(&self, what: Text, count: u64) {
        self.conns[0].note_not_carried(what, count);
    }

    /// Records that the source's stream reached `offset` with nothing (more) to write: it becomes
    /// applied once everything sent before it is, on every master.
    pub fn mark_offset(&mut self, offset: u64) {
        self.conns.iter_mut().for_each(|c| c.mark_offset(offset));
    }

    /// Sends everything buffered.
    pub async fn flush(&mut self) -> Result<(), WriteError> {
        for conn in &mut self.conns {
            conn.flush().await?;
        }
        Ok(())
    }

    /// Sends a PING on every idle connection, so that a target with a client `timeout` does not
    /// close it while the source is quiet (and a frozen target is noticed).
    pub async fn keep_alive(&mut self) -> Result<(), WriteError> {
        for conn in &mut self.conns {
            conn.keep_alive().await?;
        }
        Ok(())
    }

    /// Flushes and waits until the target has answered everything sent.
    pub async fn drain(&mut self) -> Result<(), WriteError> {
        self.flush().await?;
        for conn in &mut self.conns {
            conn.drain().await?;
        }
        Ok(())
    }

    /// Records an error found before sending; fails unless its class is skipped.
    pub fn reject(&mut self, sample: ErrorSample) -> Result<(), WriteError> {
        self.conns[0].reject(sample)
    }

    /// Whether the writer has nothing in flight.
    pub fn is_idle(&self) -> bool {
        self.conns.iter().all(Conn::is_idle)
    }
}

impl WriteError {
    /// A cluster target answered that a slot is served elsewhere (`MOVED`, `ASK`), or not now
    /// (`TRYAGAIN`, `CLUSTERDOWN`): its topology changed. Nothing of the refused transaction was
    /// applied; a new session reads the topology again and resumes from the checkpoints.
    pub fn is_redirection(&self) -> bool {
        matches!(self, WriteError::Rejected { class, .. } if is_redirection(class))
    }
}

/// Whether an error reply (or its class) says a cluster's slot is served elsewhere or not now.
pub fn is_redirection(message: &str) -> bool {
    let class = message.split_whitespace().next().unwrap_or("");
    matches!(class, "MOVED" | "ASK" | "TRYAGAIN" | "CLUSTERDOWN")
}
