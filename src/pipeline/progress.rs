//! The live state of one migration: counters the pipeline's tasks update, and the [`Progress`]
//! snapshots it publishes for whoever shows them.

use std::sync::atomic::{AtomicU64, AtomicU8, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use serde::{Deserialize, Serialize};

use crate::text::catalog::tasks as msg;
use crate::text::Text;
use crate::writer::WriterStats;

/// Where a migration is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    Connecting,
    /// The source is producing the RDB (forking, or waiting for its diskless delay).
    WaitingForRdb,
    FullSync,
    Incremental,
    CuttingOver,
    Done,
    Failed,
}

impl Phase {
    fn from_u8(v: u8) -> Phase {
        match v {
            0 => Phase::Connecting,
            1 => Phase::WaitingForRdb,
            2 => Phase::FullSync,
            3 => Phase::Incremental,
            4 => Phase::CuttingOver,
            5 => Phase::Done,
            _ => Phase::Failed,
        }
    }

    /// The phase as a word of the catalog, for sentences shown in the reader's language.
    pub fn word(self) -> &'static crate::text::Entry {
        use crate::text::catalog::run_errors as errors;
        match self {
            Phase::Connecting => &errors::PHASE_CONNECTING,
            Phase::WaitingForRdb => &errors::PHASE_WAITING_FOR_RDB,
            Phase::FullSync => &errors::PHASE_FULL_SYNC,
            Phase::Incremental => &errors::PHASE_INCREMENTAL,
            Phase::CuttingOver => &errors::PHASE_CUTTING_OVER,
            Phase::Done => &errors::PHASE_DONE,
            Phase::Failed => &errors::PHASE_FAILED,
        }
    }

    /// The phase in English (the CLI's bars), [`Phase::word`]'s text.
    pub fn label(self) -> &'static str {
        self.word().en
    }
}

/// Key counts per db, `(db, keys)`, for the dbs that hold keys.
pub type KeyCounts = Vec<(u32, u64)>;

/// A point-in-time view of a migration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Progress {
    pub phase: Phase,
    /// `restore` (values passed through) or `rewrite` (values written as commands), once chosen.
    pub mode: Option<String>,
    pub elapsed_ms: u64,
    /// RDB bytes received and parsed so far; the total when the source announced it (disk framing).
    pub rdb_bytes: u64,
    pub rdb_total: Option<u64>,
    /// Keys written to the target (snapshot keys completed).
    pub keys_written: u64,
    /// Keys left out because their TTL had passed.
    pub keys_expired: u64,
    /// Keys per second over the last interval.
    pub keys_per_sec: f64,
    /// Estimated seconds until the full sync is done (keys left on the source at the current rate);
    /// `None` outside the full sync or before a rate is known.
    pub eta_secs: Option<u64>,
    pub commands_sent: u64,
    pub commands_acked: u64,
    pub errors: u64,
    /// The source's `master_repl_offset`, read about once a second (never below what was received).
    pub source_offset: u64,
    /// Offset of the last byte received from the source.
    pub received_offset: u64,
    /// Offset the target has applied (what we acknowledge to the source).
    pub applied_offset: u64,
    /// `source_offset - applied_offset`, in bytes (0 when caught up).
    pub lag_bytes: u64,
    /// Times the link to the source broke and Ferry resumed where it was (partial resync).
    pub resumes: u64,
    /// How long the full sync took, from connecting to the last snapshot key applied on the target.
    pub full_sync_ms: Option<u64>,
    /// Keys per db on the source and the target, from `INFO keyspace`.
    pub source_keys: KeyCounts,
    pub target_keys: KeyCounts,
    /// What of the source the target was not given although it was written, with counts (e.g. a
    /// stream consumer's seen time in rewrite mode).
    #[serde(default)]
    pub not_carried: Vec<(Text, u64)>,
    /// Something the user should know now, e.g. a target that has stopped answering.
    #[serde(default)]
    pub warning: Option<Text>,
    /// The latest thing the migration did on its own: resumed from the target's checkpoint, or had
    /// to sync in full again and why.
    #[serde(default)]
    pub notice: Option<Text>,
    /// A cluster source: each master's own stream (empty otherwise).
    #[serde(default)]
    pub shards: Vec<ShardProgress>,
}

/// One master of a cluster source: its stream, as far as it went.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ShardProgress {
    /// The slots it serves ("slots 0-5460").
    pub name: String,
    /// The master's address now.
    pub master: String,
    /// The node whose stream is read: the master, or one of its replicas.
    pub read_from: String,
    pub phase: Phase,
    pub source_offset: u64,
    pub applied_offset: u64,
    pub lag_bytes: u64,
    pub keys_written: u64,
    pub source_keys: u64,
}

/// Counters shared by the pipeline's tasks.
pub struct Counters {
    started: Instant,
    phase: AtomicU8,
    pub rdb_bytes: AtomicU64,
    pub rdb_total: AtomicU64,
    pub keys_written: AtomicU64,
    pub keys_expired: AtomicU64,
    pub source_offset: AtomicU64,
    pub received_offset: AtomicU64,
    pub resumes: AtomicU64,
    /// Ferry's own keys on a cluster target (its checkpoints), which the target's key count
    /// leaves out.
    pub own_keys: AtomicU64,
    /// Milliseconds from the start to the end of the full sync (0 until then).
    full_sync_ms: AtomicU64,
    /// Shared with the writer (which advances it) and the acker (which reports it).
    pub applied_offset: Arc<AtomicU64>,
    pub writer: Arc<WriterStats>,
    /// Key counts per db: (source, target).
    pub keyspaces: Mutex<(KeyCounts, KeyCounts)>,
    last_rate: Mutex<(Instant, u64, f64)>,
    /// Why the migration failed, once it has.
    failure: Mutex<Option<Text>>,
    mode: Mutex<Option<&'static str>>,
    notice: Mutex<Option<Text>>,
    /// Set when the migration ends for good (cutover, cancel): its checkpoint is removed.
    for_good: std::sync::atomic::AtomicBool,
    /// A cluster source: each master's progress.
    pub shards: Mutex<Vec<ShardProgress>>,
    /// The replication id of the stream being applied: offsets compare only within one history.
    replid: Mutex<String>,
}

impl Counters {
    pub fn new() -> Counters {
        let now = Instant::now();
        Counters {
            started: now,
            phase: AtomicU8::new(0),
            rdb_bytes: AtomicU64::new(0),
            rdb_total: AtomicU64::new(0),
            keys_written: AtomicU64::new(0),
            keys_expired: AtomicU64::new(0),
            source_offset: AtomicU64::new(0),
            received_offset: AtomicU64::new(0),
            resumes: AtomicU64::new(0),
            own_keys: AtomicU64::new(0),
            full_sync_ms: AtomicU64::new(0),
            applied_offset: Arc::new(AtomicU64::new(0)),
            writer: Arc::new(WriterStats::default()),
            keyspaces: Mutex::new((Vec::new(), Vec::new())),
            last_rate: Mutex::new((now, 0, 0.0)),
            failure: Mutex::new(None),
            mode: Mutex::new(None),
            notice: Mutex::new(None),
            replid: Mutex::new(String::new()),
            for_good: std::sync::atomic::AtomicBool::new(false),
            shards: Mutex::new(Vec::new()),
        }
    }

    pub fn set_phase(&self, phase: Phase) {
        self.phase.store(phase as u8, Ordering::Release);
    }

    /// Records that the whole snapshot is applied on the target.
    pub fn mark_full_sync_done(&self) {
        self.full_sync_ms.store((self.started.elapsed().as_millis() as u64).max(1), Ordering::Release);
    }

    /// Records how values are written.
    pub fn set_mode(&self, mode: &'static str) {
        if let Ok(mut m) = self.mode.lock() {
            *m = Some(mode);
        }
    }

    /// Records something the migration did on its own (a resume, a new full sync and why).
    /// The replication id whose offsets [`Counters::applied_offset`] counts.
    pub fn set_replid(&self, replid: &str) {
        if let Ok(mut r) = self.replid.lock() {
            replid.clone_into(&mut r);
        }
    }

    pub fn replid(&self) -> String {
        self.replid.lock().map(|r| r.clone()).unwrap_or_default()
    }

    pub fn set_notice(&self, notice: Text) {
        if let Ok(mut n) = self.notice.lock() {
            *n = Some(notice);
        }
    }

    /// Marks the migration as ending for good: its checkpoint is removed from the target.
    pub fn end_for_good(&self) {
        self.for_good.store(true, Ordering::Release);
    }

    pub fn ended_for_good(&self) -> bool {
        self.for_good.load(Ordering::Acquire)
    }

    /// Records why the migration failed.
    pub fn set_failure(&self, reason: Text) {
        if let Ok(mut f) = self.failure.lock() {
            *f = Some(reason);
        }
    }

    /// Why the migration failed, if it has.
    pub fn failure(&self) -> Option<Text> {
        self.failure.lock().ok()?.clone()
    }

    pub fn phase(&self) -> Phase {
        Phase::from_u8(self.phase.load(Ordering::Acquire))
    }

    /// A snapshot; also updates the key rate (call it at a steady pace).
    pub fn snapshot(&self) -> Progress {
        let load = |a: &AtomicU64| a.load(Ordering::Acquire);
        let keys_written = load(&self.keys_written);
        let keys_per_sec = match self.last_rate.lock() {
            Ok(mut last) => {
                let dt = last.0.elapsed().as_secs_f64();
                if dt >= 0.5 {
                    last.2 = (keys_written - last.1) as f64 / dt;
                    *last = (Instant::now(), keys_written, last.2);
                }
                last.2
            }
            Err(_) => 0.0,
        };
        let (source_keys, target_keys) = self.keyspaces.lock().map(|k| k.clone()).unwrap_or_default();
        // The source offset is polled once a second while the other two move with every command:
        // the source has at least what was received from it, and that is at least what was applied,
        // so the figures shown never contradict each other (no "applied 168 of 154").
        let applied_offset = load(&self.applied_offset);
        let received_offset = load(&self.received_offset).max(applied_offset);
        let source_offset = load(&self.source_offset).max(received_offset);
        let total = load(&self.rdb_total);
        let phase = self.phase();
        let source_total: u64 = source_keys.iter().map(|(_, n)| n).sum();
        let eta_secs = (phase == Phase::FullSync && keys_per_sec > 0.0 && source_total > 0)
            .then(|| (source_total.saturating_sub(keys_written) as f64 / keys_per_sec).ceil() as u64);
        Progress {
            phase,
            mode: self.mode.lock().ok().and_then(|m| m.map(str::to_string)),
            eta_secs,
            elapsed_ms: self.started.elapsed().as_millis() as u64,
            rdb_bytes: load(&self.rdb_bytes),
            rdb_total: (total > 0).then_some(total),
            keys_written,
            keys_expired: load(&self.keys_expired),
            keys_per_sec,
            commands_sent: load(&self.writer.sent),
            commands_acked: load(&self.writer.acked),
            errors: load(&self.writer.errors),
            source_offset,
            received_offset,
            applied_offset,
            lag_bytes: source_offset.saturating_sub(applied_offset),
            resumes: load(&self.resumes),
            full_sync_ms: Some(load(&self.full_sync_ms)).filter(|&ms| ms > 0),
            source_keys,
            target_keys,
            not_carried: self.writer.not_carried().into_iter().collect(),
            notice: self.notice.lock().ok().and_then(|n| n.clone()),
            shards: self.shards.lock().map(|s| s.clone()).unwrap_or_default(),
            warning: match load(&self.writer.stalled_ms) / 1000 {
                0 => None,
                secs => Some(Text::new(&msg::STALLED).arg("secs", secs)),
            },
        }
    }
}

impl Default for Counters {
    fn default() -> Self {
        Counters::new()
    }
}

/// The process's peak resident set size (`VmHWM`), where the OS tells it.
pub fn peak_rss_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_shown_never_contradict_each_other() {
        let counters = Counters::new();
        // The source was polled at 154; since then the target applied up to 168.
        counters.source_offset.store(154, Ordering::Release);
        counters.received_offset.store(160, Ordering::Release);
        counters.applied_offset.store(168, Ordering::Release);
        let p = counters.snapshot();
        assert!(p.applied_offset <= p.received_offset && p.received_offset <= p.source_offset, "{p:?}");
        assert_eq!((p.applied_offset, p.source_offset, p.lag_bytes), (168, 168, 0));
        counters.source_offset.store(200, Ordering::Release);
        let p = counters.snapshot();
        assert_eq!((p.source_offset, p.lag_bytes), (200, 32));
    }
}
