//! One migration: replica → RDB reader → entries → writer, then the command stream, until stopped.
//!
//! Three tasks run at once: the *source task* reads the replication connection and turns it into
//! [`Entry`]s; the *target task* converts and writes them; the *monitor* reads the source's offset and
//! both keyspaces once a second. The pipeline owns the offsets: received (source task), applied (the
//! writer, as replies arrive) and acknowledged (the acker, which reports the applied one).

mod checkpoint;
mod clock;
mod commands;
mod downgrade;
mod expiry;
mod lease;
mod link;
mod monitor;
mod progress;
mod sharded;
mod slots;
mod source;
mod target;

pub use checkpoint::{Checkpoint, SlotCheckpoints};
pub use lease::{Lease, LeaseLost};
pub use link::ShardSpec;

pub use progress::{peak_rss_bytes, Counters, KeyCounts, Phase, Progress, ShardProgress};

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use serde::Serialize;
use tokio::sync::{mpsc, watch};

use crate::client::{Client, ClientError};
use crate::cluster::{ClusterError, Topology};
use crate::endpoint::Endpoint;
use crate::entry::Entry;
use crate::filter::Filter;
use crate::model::{SentinelSpec, WriteMode};
use crate::pause::{hold_writes, PauseError, PauseMode, WritePause};
use crate::rdb::ReaderOptions;
use crate::replica::{Psync, RdbFraming, ReplicaError};
use crate::server::{Family, ServerInfo};
use crate::text::catalog::run_errors as errors;
use crate::text::catalog::tasks as msg;
use crate::text::Text;
use crate::writer::{Converter, ErrorSample, Mode, WriteError, Writer, WriterOptions};
use link::SourceLink;

/// Entries travel between the tasks in batches of at most this many, to keep channel costs low...
const BATCH: usize = 256;
/// ...and of at most about this many bytes, so that big values do not make big batches.
const BATCH_BYTES: usize = 1 << 20;
/// Bytes of entries between reading them from the source and handing them to the target's socket,
/// at most (in KiB, the semaphore's unit). Memory is bounded by bytes, not by counts: 256 entries
/// of 4 MB would otherwise be a gigabyte. One entry bigger than this travels alone.
const IN_FLIGHT_KIB: u32 = 32 * 1024;
/// With nothing to write for this long, the writer PINGs the target: a target with a client
/// `timeout` keeps the connection, and one that stopped answering is noticed.
const KEEP_ALIVE: Duration = Duration::from_secs(1);

/// What to migrate and how.
#[derive(Debug, Clone)]
pub struct MigrateOptions {
    /// The source (with its credentials); with `sentinel`, only its user and password count.
    pub source: Endpoint,
    /// A Sentinel-managed source: the master is asked for at every connection.
    pub sentinel: Option<SentinelSpec>,
    pub target: Endpoint,
    pub writer: WriterOptions,
    /// Values larger than this are written in parts even when they could be passed through.
    pub max_raw_bytes: usize,
    /// Elements per part of a big value.
    pub part_items: usize,
    /// Stop by itself once the target has applied the source's whole replication offset.
    pub cutover_when_synced: bool,
    /// Rewrite values into commands even when the target could take them as RESTORE payloads (for
    /// targets that refuse RESTORE, such as some managed services).
    pub force_rewrite: bool,
    /// What to do with keys that exist on the target.
    pub write_mode: WriteMode,
    /// Db mapping and key patterns.
    pub filter: Filter,
    /// The key of the checkpoint this migration keeps on the target ([`Checkpoint`]): a restart
    /// with the same key resumes where the target stands.
    pub checkpoint_key: String,
    /// When the migration runs under a lease (a task's runner), writes stop the moment it lapses.
    pub lease: Option<Arc<Lease>>,
    /// Keep a checkpoint on the target, written in transactions with the data, so that a restart
    /// resumes exactly where the target stands. Off only for targets that refuse MULTI (some
    /// proxies): then every restart is a full sync.
    pub checkpoint: bool,
    /// One master's share of a cluster source. A migration whose source is a cluster sets it for
    /// the migration of each of its masters; callers leave it empty.
    pub shard: Option<ShardSpec>,
    /// A cluster source: read each master's share from one of its replicas where it has one.
    pub from_replicas: bool,
}

impl MigrateOptions {
    fn link(&self) -> SourceLink {
        SourceLink::new(self.source.clone(), self.sentinel.clone(), self.shard.clone())
    }

    pub fn new(source: Endpoint, target: Endpoint) -> Self {
        let reader = ReaderOptions::default();
        MigrateOptions {
            source,
            sentinel: None,
            target,
            writer: WriterOptions::default(),
            max_raw_bytes: reader.max_raw_bytes,
            part_items: reader.part_items,
            cutover_when_synced: false,
            force_rewrite: false,
            write_mode: WriteMode::Overwrite,
            filter: Filter::default(),
            checkpoint_key: checkpoint::DEFAULT_KEY.to_string(),
            lease: None,
            checkpoint: true,
            shard: None,
            from_replicas: false,
        }
    }
}

/// A migration failed.
#[derive(Debug, thiserror::Error)]
pub enum MigrateError {
    #[error("{}", self.text())]
    Source(#[from] ReplicaError),
    #[error("{}", self.text())]
    Target(#[from] WriteError),
    #[error("{}", self.text())]
    Client(#[from] ClientError),
    #[error(transparent)]
    Pause(#[from] PauseError),
    #[error("{}", self.text())]
    Cluster(#[from] ClusterError),
    /// A command of the stream the filter (or a cluster target) cannot pass on faithfully: why,
    /// and what to do.
    #[error("{}", self.text())]
    Filter(Text),
    #[error(transparent)]
    LeaseLost(#[from] LeaseLost),
    /// A cutover asked while the migration is elsewhere: where (a word of the catalog).
    #[error("{}", self.text())]
    NotInSync(&'static crate::text::Entry),
    #[error("{}", self.text())]
    CutoverTimeout { secs: u64, lag: u64 },
    /// A cluster source's migration stopped (one master's failed, the slots moved).
    #[error("{}", self.text())]
    Shard(Text),
    #[error("{}", self.text())]
    Internal(Text),
}

impl MigrateError {
    /// The error as a sentence, in whichever language it is shown (`Display` is its English).
    pub fn text(&self) -> Text {
        match self {
            MigrateError::Source(e) => Text::new(&errors::MIGRATE_SOURCE).arg("error", e.text()),
            MigrateError::Target(e) => Text::new(&errors::MIGRATE_TARGET).arg("error", e.text()),
            MigrateError::Client(e) => e.text(),
            MigrateError::Pause(e) => e.text(),
            MigrateError::Cluster(e) => Text::new(&errors::MIGRATE_TARGET).arg("error", e.text()),
            MigrateError::Filter(why) | MigrateError::Shard(why) => why.clone(),
            MigrateError::LeaseLost(e) => e.text(),
            MigrateError::NotInSync(phase) => Text::new(&errors::MIGRATE_NOT_IN_SYNC).arg("phase", Text::new(phase)),
            MigrateError::CutoverTimeout { secs, lag } => {
                Text::new(&errors::MIGRATE_CUTOVER_TIMEOUT).arg("secs", *secs).arg("lag", *lag)
            }
            MigrateError::Internal(why) => Text::new(&errors::MIGRATE_INTERNAL).arg("error", why.clone()),
        }
    }

    /// Whether a new session can carry on: the source could not continue its stream (it restarted
    /// without its replication history, or its backlog lost the gap), and the next session asks
    /// it again from the target's checkpoint, a full sync over a cleared keyspace if it must.
    fn needs_new_session(&self) -> bool {
        matches!(self, MigrateError::Source(ReplicaError::CannotResume { .. }))
    }

    /// Whether a cluster target's slots moved (a resharding, a failover): the next session reads
    /// its topology again and resumes from its checkpoints.
    fn topology_changed(&self) -> bool {
        match self {
            MigrateError::Target(e) => e.is_redirection(),
            // Reading the checkpoints while slots move.
            MigrateError::Client(ClientError::Server { message, .. }) => crate::writer::is_redirection(message),
            _ => false,
        }
    }

    /// Whether the connection to the target was lost (the target closed it, restarted, or cannot be
    /// reached): the migration resumes from the target's checkpoint once it answers again.
    fn target_link_lost(&self) -> bool {
        let lost = |e: &ClientError| {
            matches!(e, ClientError::Closed { .. } | ClientError::Io { .. } | ClientError::Connect { .. })
                || matches!(e, ClientError::Server { message, .. } if message.starts_with("LOADING"))
        };
        match self {
            // A cluster between a master's failure and its replica's promotion.
            MigrateError::Cluster(ClusterError::Uncovered { .. }) => true,
            MigrateError::Cluster(ClusterError::Client(e)) => lost(e),
            MigrateError::Target(WriteError::Client(e)) => lost(e),
            MigrateError::Target(WriteError::Rejected { class, .. }) => class == "LOADING",
            MigrateError::Client(e) => lost(e),
            _ => false,
        }
    }
}

/// What a cutover did.
#[derive(Debug, Clone, Serialize)]
pub struct CutoverOutcome {
    /// Whether writes on the source were paused during the cutover.
    pub paused: bool,
    /// Before 6.2 a pause holds every client, reads too, and lapses by itself: for this long.
    pub all_clients_held_ms: Option<u64>,
    /// The source offset the target had to reach.
    pub source_offset: u64,
    pub applied_offset: u64,
    /// Bytes the source had written that the target had not applied when the sync stopped (0 when
    /// writes were paused).
    pub final_lag_bytes: u64,
}

/// How a migration ended.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    pub progress: Progress,
    pub source: String,
    pub target: String,
    /// `restore` (values passed through) or `rewrite` (values rewritten as commands).
    pub mode: &'static str,
    /// True when the run stopped because it was asked to, not because the target was in sync.
    pub interrupted: bool,
    /// Whether the whole snapshot reached the target (false: stopped during the full sync, the
    /// target is incomplete).
    pub snapshot_complete: bool,
    pub errors_by_class: std::collections::BTreeMap<String, u64>,
    pub error_samples: Vec<ErrorSample>,
    /// What of the source the target was not given although it was written (a stream consumer's
    /// seen time...), with counts. Data the target cannot hold at all is in `errors_by_class`
    /// (`UNSUPPORTED`).
    pub not_carried: Vec<(Text, u64)>,
    /// The process's peak resident memory (Linux; `None` elsewhere).
    pub peak_rss_bytes: Option<u64>,
}

/// Writes paused on the source by a cutover; [`Pause::end`] lets them through again (where the
/// source can lift a pause: from 6.2; before, it lapses by itself after [`LEGACY_PAUSE`]).
pub struct Pause(Vec<WritePause>);

impl Pause {
    pub async fn end(self) {
        for pause in self.0 {
            pause.end().await;
        }
    }
}

/// How long a source before 6.2 holds every client during a cutover. Such a pause holds reads too
/// and cannot be lifted early, so the cutover first catches up without it and then holds the
/// clients only for the last bytes.
pub const LEGACY_PAUSE: Duration = Duration::from_secs(2);

/// A running migration.
pub struct Migration {
    pub counters: Arc<Counters>,
    pub progress: watch::Receiver<Progress>,
    source: SourceLink,
    stop: watch::Sender<bool>,
    task: tokio::task::JoinHandle<Result<Summary, MigrateError>>,
    /// A cluster source: one migration per master, started and followed by `task`.
    shards: sharded::Shards,
}

impl Migration {
    /// Starts a migration in the background.
    pub fn start(options: MigrateOptions) -> Migration {
        let counters = Arc::new(Counters::new());
        let (stop, stop_rx) = watch::channel(false);
        let (tx, progress) = watch::channel(counters.snapshot());
        let source = options.link();
        let shards = sharded::Shards::default();
        let task = tokio::spawn(run(options, counters.clone(), stop_rx, tx, shards.clone()));
        Migration { counters, progress, source, stop, task, shards }
    }

    /// Disconnects the sync once the target has everything: optionally holds writes on the source
    /// (the mechanism its version has, see [`crate::pause`]), waits until the applied offset reaches
    /// the source's, and stops the sync. A pause that can be lifted stays until [`Pause::end`]
    /// (after the caller has restored parameters): then no write can slip in between the last
    /// applied byte and the switch of the clients. Every step is bounded by `timeout`.
    pub async fn cutover(
        &self,
        pause_writes: bool,
        timeout: Duration,
    ) -> Result<(CutoverOutcome, Pause), MigrateError> {
        let phase = self.counters.phase();
        if phase != Phase::Incremental {
            return Err(MigrateError::NotInSync(phase.word()));
        }
        let outcome = match self.shards.cutover(pause_writes, timeout).await {
            Some(outcome) => outcome?,
            None => self.catch_up(pause_writes, timeout).await?,
        };
        self.stop_for_good();
        Ok(outcome)
    }

    /// The cutover but its end: catches up (under a pause when asked), and leaves the sync running.
    async fn catch_up(&self, pause_writes: bool, timeout: Duration) -> Result<(CutoverOutcome, Pause), MigrateError> {
        let phase = self.counters.phase();
        if phase != Phase::Incremental {
            return Err(MigrateError::NotInSync(phase.word()));
        }
        let deadline = tokio::time::Instant::now() + timeout;
        // The master's offset, and writes held there (a cluster share may be read from a replica).
        let master = self.source.master().await?;
        let mut client = Client::connect(&master).await?;
        let info = ServerInfo::fetch(&mut client).await?;
        // Catch up first, without holding anything; offsets of another history (a source restarted
        // since) say nothing about what the target holds.
        let (source_offset, replid) = monitor::source_position(&mut client).await?;
        // (Sources before 4.0 report no replication id; their restart is seen by the link alone.)
        if !replid.is_empty() && replid != self.counters.replid() {
            return Err(MigrateError::NotInSync(&errors::PHASE_RECONNECTING));
        }
        self.wait_applied(source_offset, deadline, timeout).await?;
        let mode = PauseMode::of(&info);
        if !pause_writes {
            let applied_offset = self.counters.applied_offset.load(Ordering::Acquire);
            let now = monitor::source_offset(&mut client).await?;
            let outcome = CutoverOutcome {
                paused: false,
                all_clients_held_ms: None,
                source_offset,
                applied_offset,
                final_lag_bytes: now.saturating_sub(applied_offset),
            };
            return Ok((outcome, Pause(Vec::new())));
        }
        drop(client);
        let hold = match mode {
            PauseMode::Writes => timeout + Duration::from_secs(10),
            _ => LEGACY_PAUSE,
        };
        let (pause, source_offset) = hold_writes(&master, &info, hold, crate::client::DEFAULT_TIMEOUT).await?;
        let held_until = deadline.min(tokio::time::Instant::from_std(pause.lapses_at()));
        if let Err(e) = self.wait_applied(source_offset, held_until, timeout).await {
            pause.end().await;
            return Err(e);
        }
        let applied_offset = self.counters.applied_offset.load(Ordering::Acquire);
        let outcome = CutoverOutcome {
            paused: true,
            all_clients_held_ms: (!pause.can_lift()).then_some(LEGACY_PAUSE.as_millis() as u64),
            source_offset,
            applied_offset,
            // Nothing was written after `source_offset` while the pause held.
            final_lag_bytes: source_offset.saturating_sub(applied_offset),
        };
        Ok((outcome, Pause(vec![pause])))
    }

    /// Waits until the target has applied `offset`, or fails at `deadline`.
    async fn wait_applied(
        &self,
        offset: u64,
        deadline: tokio::time::Instant,
        timeout: Duration,
    ) -> Result<(), MigrateError> {
        loop {
            // Offsets count only while the stream is up (see the session's start).
            let phase = self.counters.phase();
            if phase != Phase::Incremental {
                return Err(MigrateError::NotInSync(phase.word()));
            }
            let applied = self.counters.applied_offset.load(Ordering::Acquire);
            if applied >= offset {
                return Ok(());
            }
            if tokio::time::Instant::now() >= deadline {
                return Err(MigrateError::CutoverTimeout { secs: timeout.as_secs(), lag: offset - applied });
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }

    /// Asks the migration to stop after what is in flight has been applied. The target keeps its
    /// checkpoint: the migration can resume there.
    pub fn stop(&self) {
        let _ = self.stop.send(true);
    }

    /// Stops the migration for good (a cancel): as [`Migration::stop`], and the checkpoint leaves
    /// the target.
    pub fn stop_for_good(&self) {
        self.counters.end_for_good();
        self.stop();
    }

    /// A handle that can stop the migration from elsewhere (a signal handler).
    pub fn stopper(&self) -> watch::Sender<bool> {
        self.stop.clone()
    }

    /// Waits for the end.
    pub async fn wait(self) -> Result<Summary, MigrateError> {
        match self.task.await {
            Ok(result) => result,
            Err(e) => Err(MigrateError::Internal(Text::raw(e.to_string()))),
        }
    }
}

async fn run(
    options: MigrateOptions,
    counters: Arc<Counters>,
    mut stop: watch::Receiver<bool>,
    progress: watch::Sender<Progress>,
    shards: sharded::Shards,
) -> Result<Summary, MigrateError> {
    let publisher = {
        let counters = counters.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_millis(250));
            loop {
                tick.tick().await;
                if progress.send(counters.snapshot()).is_err() {
                    break;
                }
            }
        })
    };
    let result = match options.shard.is_none() && sharded::is_cluster(&options).await {
        true => sharded::run(&options, &counters, &mut stop, &shards).await,
        false => migrate(&options, &counters, &mut stop).await,
    };
    publisher.abort();
    if let Err(e) = &result {
        counters.set_failure(e.text());
    }
    counters.set_phase(if result.is_ok() { Phase::Done } else { Phase::Failed });
    result
}

/// What stays the same across the sessions of one migration.
struct Setup {
    target_info: ServerInfo,
    /// A cluster target's nodes: its topology is read at each session.
    cluster: Option<Nodes>,
    mode: Mode,
    filter: Filter,
    checkpoint_key: Bytes,
    clock: Option<clock::SourceClock>,
}

async fn migrate(
    options: &MigrateOptions,
    counters: &Arc<Counters>,
    stop: &mut watch::Receiver<bool>,
) -> Result<Summary, MigrateError> {
    counters.set_phase(Phase::Connecting);
    let link = options.link();
    let mut source_client = link.client().await?;
    let source_info = ServerInfo::fetch(&mut source_client).await?;
    let mut target_client = Client::connect(&options.target).await?;
    let target_info = ServerInfo::fetch(&mut target_client).await?;
    let topology = crate::cluster::discover(&options.target).await?;
    if topology.is_some() {
        only_db_0(&mut source_client, &options.filter).await?;
    }
    let mode = if options.force_rewrite { Mode::Rewrite } else { Mode::choose(&source_info, &target_info) };
    tracing::info!(source = %source_info, target = %target_info, ?mode, "starting migration");
    counters.set_mode(mode_name(mode));

    // FLUSHALL under a db mapping empties what each source db maps to: that needs how many dbs
    // there are (of the source, and no more than the target has; 16 when CONFIG is forbidden).
    let filter = match options.filter.is_active() {
        false => options.filter.clone(),
        true => {
            let dbs = databases(&mut source_client).await.min(databases(&mut target_client).await);
            options.filter.clone().with_source_dbs(dbs)
        }
    };
    let checkpoint_key = Bytes::from(options.checkpoint_key.clone());
    let monitor = monitor::spawn(
        monitor::Peers {
            source: link.clone(),
            target: options.target.clone(),
            clients: (source_client, target_client),
            cluster: topology.as_ref().map(|t| {
                let mut nodes = vec![options.target.clone()];
                nodes.extend(t.shards.iter().flat_map(|s| std::iter::once(&s.master).chain(&s.replicas)).cloned());
                nodes
            }),
        },
        counters.clone(),
        checkpoint_key.clone(),
    );
    // Sources before 7.0 propagate relative TTLs: follow their clock from before the snapshot starts,
    // so that every command can be given the absolute expiry the source has.
    let relative_ttls = source_info.family == Family::Redis && !source_info.at_least(7, 0);
    let sampler = match relative_ttls {
        true => {
            let clock = clock::SourceClock::default();
            Some((clock.clone(), clock::spawn(link.client().await?, clock)))
        }
        false => None,
    };
    let clock = sampler.as_ref().map(|(clock, _)| clock.clone());
    let cluster = topology.as_ref().map(|t| Nodes::new(&options.target, t));
    let setup = Setup { target_info, cluster, mode, filter, checkpoint_key, clock };

    // Sessions: a lost target connection ends one, and the next resumes from the target's checkpoint.
    let mut lost = 0;
    let mut moved = 0;
    let result = loop {
        match session(options, &setup, counters, stop, lost + moved > 0).await {
            Err(e) if e.topology_changed() && moved < MAX_MOVES && !*stop.borrow() => {
                moved += 1;
                counters.set_notice(Text::new(&msg::TARGET_SLOTS_MOVED).arg("error", e.text()));
                tracing::warn!("the cluster target's slots moved ({e}); resuming from its checkpoints");
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            Err(e) if e.needs_new_session() && lost < MAX_TARGET_LOSSES && !*stop.borrow() => {
                lost += 1;
                tracing::warn!("{e}; asking the source again from the target's checkpoint");
            }
            Err(e) if e.target_link_lost() && lost < MAX_TARGET_LOSSES && !*stop.borrow() => {
                lost += 1;
                counters.set_notice(Text::new(&msg::TARGET_LINK_BROKE).arg("error", e.text()));
                tracing::warn!("the connection to the target broke ({e}); resuming from its checkpoint");
                if !wait_for(&options.target, setup.cluster.as_ref(), stop).await {
                    break Err(e);
                }
            }
            other => break other,
        }
    };
    // A run that ended well reports the figures of its end; a failed one (a frozen target, say)
    // is not held up asking again.
    match &result {
        Ok(_) => monitor.finish().await,
        Err(_) => monitor.stop(),
    }
    if let Some((_, sampler)) = &sampler {
        sampler.abort();
    }
    let (converter, interrupted, snapshot_complete) = result?;
    if counters.ended_for_good() {
        // The migration is over (cut over or cancelled): Ferry's own key leaves the target.
        let removed = async {
            match &setup.cluster {
                Some(nodes) => match nodes.topology().await {
                    Ok(topology) => SlotCheckpoints::remove(&topology, &setup.checkpoint_key).await,
                    Err(e) => Err(ClientError::Closed {
                        addr: options.target.to_string(),
                        context: Some(
                            crate::text::Text::new(&crate::text::catalog::errors::CLIENT_CLOSED_BECAUSE)
                                .arg("why", e.text()),
                        ),
                    }),
                },
                None => Checkpoint::remove(&mut Client::connect(&options.target).await?, &setup.checkpoint_key).await,
            }
        };
        if let Err(e) = removed.await {
            tracing::warn!("could not remove the checkpoint {:?} from the target: {e}", options.checkpoint_key);
        }
    }
    let progress = counters.snapshot();
    Ok(Summary {
        progress,
        source: link.to_string(),
        target: options.target.to_string(),
        mode: mode_name(converter.mode()),
        interrupted,
        snapshot_complete,
        errors_by_class: counters.writer.by_class(),
        error_samples: counters.writer.samples(),
        not_carried: counters.writer.not_carried().into_iter().collect(),
        peak_rss_bytes: progress::peak_rss_bytes(),
    })
}

/// A lost target connection (or a source that could not continue its stream) starts a new
/// session this many times in one run, at most.
const MAX_TARGET_LOSSES: u32 = 10;
/// A cluster target's slots moving starts a new session this many times in one run, at most (a
/// resharding moves slot after slot).
const MAX_MOVES: u32 = 1000;

/// A cluster target's nodes as last seen, the one the user gave first: the topology is read from
/// the first that answers, so a migration goes on when that one fails and its replica takes over.
struct Nodes(std::sync::Mutex<Vec<Endpoint>>);

impl Nodes {
    fn new(seed: &Endpoint, topology: &Topology) -> Nodes {
        let nodes = Nodes(std::sync::Mutex::new(vec![seed.clone()]));
        nodes.learn(topology);
        nodes
    }

    fn learn(&self, topology: &Topology) {
        if let Ok(mut known) = self.0.lock() {
            for shard in &topology.shards {
                for node in std::iter::once(&shard.master).chain(&shard.replicas) {
                    if !known.contains(node) {
                        known.push(node.clone());
                    }
                }
            }
        }
    }

    async fn topology(&self) -> Result<Topology, ClusterError> {
        let known = self.0.lock().map(|k| k.clone()).unwrap_or_default();
        let mut failure = None;
        for node in &known {
            match crate::cluster::discover(node).await {
                Ok(Some(topology)) => {
                    self.learn(&topology);
                    return Ok(topology);
                }
                // A node that answers but has left cluster mode: ask the next.
                Ok(None) => {}
                Err(e) => failure = Some(e),
            }
        }
        Err(failure.unwrap_or_else(|| {
            ClusterError::Client(ClientError::Closed {
                addr: known.first().map(|n| n.to_string()).unwrap_or_default(),
                context: Some(crate::text::Text::new(&crate::text::catalog::errors::CLIENT_CLOSED_NO_NODE)),
            })
        }))
    }
}

fn masters(topology: &Topology) -> Vec<Endpoint> {
    topology.masters().cloned().collect()
}

/// A cluster has db 0 only: every source db that holds keys must map into it.
async fn only_db_0(source: &mut Client, filter: &Filter) -> Result<(), MigrateError> {
    let dbs: Vec<String> = crate::client::keyspace_counts(&source.info("keyspace").await?)
        .into_iter()
        .filter(|&(db, _)| filter.db(db) != 0)
        .map(|(db, _)| db.to_string())
        .collect();
    if dbs.is_empty() {
        return Ok(());
    }
    let mapping: Vec<String> = dbs.iter().map(|db| format!("{db}:0")).collect();
    Err(MigrateError::Filter(
        Text::new(&errors::MIGRATE_CLUSTER_DBS).arg("dbs", dbs.join(", ")).arg("mapping", mapping.join(",")),
    ))
}

/// Waits (up to a minute, with backoff) until the target answers again — a cluster: until it
/// says it is ok and every master answers (after a master's failure, once its replica took over);
/// false when asked to stop or when it does not come back.
async fn wait_for(target: &Endpoint, cluster: Option<&Nodes>, stop: &mut watch::Receiver<bool>) -> bool {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    let mut delay = Duration::from_millis(100);
    while tokio::time::Instant::now() < deadline {
        let answers = match cluster {
            None => answers(target).await,
            Some(nodes) => match nodes.topology().await {
                Ok(topology) => {
                    let mut all = cluster_ok(&topology.shards[0].master).await;
                    for master in topology.masters() {
                        all = all && answers(master).await;
                    }
                    all
                }
                Err(_) => false,
            },
        };
        if answers {
            return true;
        }
        tokio::select! {
            _ = tokio::time::sleep(delay) => {}
            _ = stop.changed() => return false,
        }
        delay = (delay * 2).min(Duration::from_secs(2));
    }
    false
}

/// Whether a server answers PING.
async fn answers(server: &Endpoint) -> bool {
    match Client::connect(server).await {
        Ok(mut client) => matches!(client.raw_request(&["PING"]).await, Ok(reply) if reply.error_message().is_none()),
        Err(e) => {
            tracing::debug!("the target does not answer yet: {e}");
            false
        }
    }
}

/// Whether a cluster node says the cluster is ok.
async fn cluster_ok(node: &Endpoint) -> bool {
    let Ok(mut client) = Client::connect(node).await else { return false };
    match client.request(&["CLUSTER", "INFO"]).await {
        Ok(reply) => reply
            .as_bytes()
            .is_some_and(|text| String::from_utf8_lossy(text).lines().any(|line| line.trim() == "cluster_state:ok")),
        Err(_) => false,
    }
}

/// One session: from the target's checkpoint (a partial resync) or a snapshot (a full resync) to
/// a stop, a failure, or (when asked) the target being in sync. Returns the converter, whether the
/// run was interrupted, and whether the snapshot was complete.
/// `again`: an earlier session of this run wrote to the target.
async fn session(
    options: &MigrateOptions,
    setup: &Setup,
    counters: &Arc<Counters>,
    stop: &mut watch::Receiver<bool>,
    again: bool,
) -> Result<(Converter, bool, bool), MigrateError> {
    // A cluster's topology may have changed since the last session.
    let topology = match &setup.cluster {
        Some(nodes) => Some(nodes.topology().await?),
        None => None,
    };
    let targets = match &topology {
        Some(topology) => masters(topology),
        None => vec![options.target.clone()],
    };
    // The target itself, or a master of the cluster (the node the user gave may be down).
    let mut target_client = Client::connect(&targets[0]).await?;
    let mut slots = None;
    let checkpoint = match (&topology, options.checkpoint) {
        (Some(topology), _) => {
            let found = SlotCheckpoints::read(topology, &setup.checkpoint_key, options.shard.as_ref()).await?;
            let base = found.base.clone();
            slots = Some(found);
            base
        }
        (None, true) => Checkpoint::read(&mut target_client, &setup.checkpoint_key).await?,
        (None, false) => None,
    };
    let known = commands::KnownCommands::ask(&mut target_client).await;
    // Not held across the wait for the source's answer: a target with a client `timeout` would
    // close it meanwhile.
    drop(target_client);
    let replica = options.link().replica().await?;
    // Until the source answers, nothing is in sync: it may continue the stream, or (restarted,
    // its backlog gone) send a new snapshot over a cleared target, and a cutover or "synced" that
    // compared offsets meanwhile would end the migration on an empty target.
    counters.set_phase(match counters.phase() {
        Phase::Incremental => Phase::Connecting,
        _ => Phase::WaitingForRdb,
    });
    let reader_options = ReaderOptions {
        passthrough: matches!(setup.mode, Mode::Restore { .. }),
        max_raw_bytes: options.max_raw_bytes,
        part_items: options.part_items,
    };
    // The source decides: it continues from the checkpoint when its backlog still holds it.
    let resumable = checkpoint.as_ref().filter(|c| c.complete && !c.replid.is_empty());
    let answer = replica.psync(resumable.map(|c| (c.replid.as_str(), c.offset)), reader_options).await?;
    let (start, replid, offset, db) = match answer {
        Psync::Continue { stream, ack, replid } => {
            let (offset, db) = resumable.map(|c| (c.offset, c.db)).unwrap_or_default();
            counters.resumes.fetch_add(1, Ordering::Relaxed);
            counters.set_notice(Text::new(&msg::RESUMED).arg("offset", offset));
            // What the target holds now, not what an earlier session saw applied: a target that
            // lost writes (restarted from an AOF written every second, a cluster master replaced by
            // a replica that missed its last writes) gets them again, and a cutover waits for them.
            counters.applied_offset.store(offset, Ordering::Release);
            counters.received_offset.store(offset, Ordering::Release);
            counters.set_replid(&replid);
            counters.set_phase(Phase::Incremental);
            (source::Start::Stream { stream, ack, replid: replid.clone(), db }, replid, offset, db)
        }
        Psync::Full(transfer) => {
            let mut target_client = Client::connect(&targets[0]).await?;
            let clear = async |filter: &Filter| -> Result<(), MigrateError> {
                for target in &targets {
                    clear_target(&mut Client::connect(target).await?, filter, options.shard.as_ref()).await?;
                }
                Ok(())
            };
            // A full sync over a target this migration wrote before: it must not keep keys the
            // source deleted since, so the migrated keyspace is cleared first.
            if let Some(c) = &checkpoint {
                let why = match c.complete {
                    true => Text::new(&msg::FULL_AGAIN_BACKLOG).arg("offset", c.offset),
                    false => Text::new(&msg::FULL_AGAIN_UNFINISHED),
                };
                counters.set_notice(Text::new(&msg::FULL_AGAIN).arg("why", why));
                clear(&setup.filter).await?;
            } else if again && !options.checkpoint {
                counters.set_notice(Text::new(&msg::FULL_AGAIN_NO_CHECKPOINT));
                clear(&setup.filter).await?;
            } else if options.write_mode == WriteMode::ClearFirst {
                clear(&setup.filter).await?;
            }
            if let RdbFraming::Length(len) = transfer.start.framing {
                counters.rdb_total.store(len, Ordering::Release);
            }
            counters.received_offset.store(transfer.start.offset, Ordering::Release);
            counters.applied_offset.store(transfer.start.offset, Ordering::Release);
            let (replid, offset) = (transfer.start.replid.clone(), transfer.start.offset);
            counters.set_replid(&replid);
            // Until the snapshot is whole, the target holds part of one: a restart must clear it.
            if let Some(topology) = &topology {
                let partial = Checkpoint { replid: replid.clone(), offset, db: 0, complete: false };
                SlotCheckpoints::remove(topology, &setup.checkpoint_key).await?;
                let mut keys = std::collections::HashSet::new();
                for (shard, target) in topology.shards.iter().zip(&targets) {
                    let key = SlotCheckpoints::base_key(&setup.checkpoint_key, shard.ranges[0].0);
                    partial.write(&mut Client::connect(target).await?, &key).await?;
                    keys.insert(key);
                }
                slots = Some(SlotCheckpoints { keys, ..Default::default() });
            } else if options.checkpoint {
                Checkpoint { replid: replid.clone(), offset, db: 0, complete: false }
                    .write(&mut target_client, &setup.checkpoint_key)
                    .await?;
            }
            (source::Start::Snapshot(transfer), replid, offset, 0)
        }
    };

    let writer = Writer::connect(
        &options.target,
        topology.as_ref(),
        &options.writer,
        counters.applied_offset.clone(),
        counters.writer.clone(),
    )
    .await?;
    let replace = options.write_mode != WriteMode::FailOnExisting;
    let converter = Converter::new(setup.mode, setup.target_info.clone(), replace);
    let (tx, rx) = mpsc::channel::<Batch>(64);
    let (source_stop_tx, source_stop) = watch::channel(false);
    let translate = source::Translate {
        clock: setup.clock.clone(),
        downgrade: downgrade::needed(&setup.target_info),
        target: setup.target_info.clone(),
    };
    let mut source_task =
        tokio::spawn(source::run(options.link(), start, tx, counters.clone(), source_stop, translate));
    let side = target::TargetSide {
        writer,
        converter,
        filter: setup.filter.clone(),
        counters: counters.clone(),
        known,
        checkpoint_key: setup.checkpoint_key.clone(),
        replid,
        start: offset,
        db,
        lease: options.lease.clone(),
        transactions: options.checkpoint,
        slots,
        shard: options.shard.clone(),
    };
    let mut target_task = tokio::spawn(target::run(side, rx));

    // Wait for: a failure of either side, a stop request, or (when asked) the target being in sync.
    let mut check = tokio::time::interval(Duration::from_millis(200));
    // Synced means the target has applied the source's replication offset as the source reports it
    // now. Key counts are no criterion: `INFO keyspace` counts keys that expired but were not yet
    // reclaimed, which Ferry rightly does not copy.
    let mut synced_probe = match options.cutover_when_synced {
        true => Some(options.link().client().await?),
        false => None,
    };
    let mut interrupted = false;
    let failure: Option<MigrateError> = loop {
        tokio::select! {
            r = &mut source_task => break Some(match join_error(r) {
                Err(e) => e,
                // The source side stops early only when the target side has gone: its error is the cause.
                Ok(()) => match join_error((&mut target_task).await) {
                    Err(e) => e,
                    Ok(_) => MigrateError::Internal(Text::new(&errors::MIGRATE_SOURCE_SIDE_ENDED)),
                },
            }),
            // The target side ends by itself only when the source side has gone (its channel
            // closed): then the source side's error is the cause (a source that cannot continue
            // its stream starts a new session).
            r = &mut target_task => break Some(match join_error(r) {
                Err(e) => e,
                Ok(_) => match join_error((&mut source_task).await) {
                    Err(e) => e,
                    Ok(()) => MigrateError::Internal(Text::new(&errors::MIGRATE_TARGET_SIDE_ENDED)),
                },
            }),
            _ = stop.changed() => { interrupted = true; break None; }
            _ = check.tick() => {
                let Some(probe) = synced_probe.as_mut() else { continue };
                if counters.phase() != Phase::Incremental {
                    continue;
                }
                // A cheap test first: the offset polled last is already ahead of what was applied.
                let applied = counters.applied_offset.load(Ordering::Acquire);
                if applied < counters.source_offset.load(Ordering::Acquire) {
                    continue;
                }
                match monitor::source_position(probe).await {
                    Ok((_, replid)) if !replid.is_empty() && replid != counters.replid() => continue,
                    Ok((now, _)) if counters.applied_offset.load(Ordering::Acquire) >= now => {
                        // Synced: the migration ends here, for good.
                        counters.end_for_good();
                        break None;
                    }
                    Ok((now, _)) => counters.source_offset.fetch_max(now, Ordering::AcqRel),
                    // The replication link reports a lost source; this probe only has to try again.
                    Err(e) => {
                        tracing::debug!("could not read the source's offset: {e}");
                        continue;
                    }
                };
            }
        }
    };
    let snapshot_complete = counters.phase() == Phase::Incremental;
    if let Some(err) = failure {
        source_task.abort();
        target_task.abort();
        return Err(err);
    }
    counters.set_phase(Phase::CuttingOver);
    let _ = source_stop_tx.send(true);
    // The source side stops reading and closes its channel; the target side then drains.
    let stopped = join_error(source_task.await);
    let (converter, target_result) = match target_task.await {
        Ok(Ok(c)) => (Some(c), Ok(())),
        Ok(Err(e)) => (None, Err(e)),
        Err(e) => (None, Err(MigrateError::Internal(Text::raw(e.to_string())))),
    };
    stopped?;
    target_result?;
    let converter = converter.ok_or_else(|| MigrateError::Internal(Text::new(&errors::MIGRATE_NO_CONVERTER)))?;
    Ok((converter, interrupted, snapshot_complete))
}

/// A server's `databases` (16, the default, when CONFIG is forbidden).
async fn databases(client: &mut Client) -> u32 {
    let reply = client.request(&["CONFIG", "GET", "databases"]).await.ok();
    let count = reply.and_then(|reply| match reply {
        crate::resp::Frame::Array(items) | crate::resp::Frame::Map(items) => {
            std::str::from_utf8(items.get(1)?.as_bytes()?).ok()?.parse().ok()
        }
        _ => None,
    });
    count.unwrap_or(16)
}

/// Clears what the migration will write on every server of the target (every master of a
/// cluster), as [`clear_target`] does on one.
async fn clear_everywhere(target: &Endpoint, filter: &Filter, shard: Option<&ShardSpec>) -> Result<(), MigrateError> {
    let servers = match crate::cluster::discover(target).await? {
        Some(topology) => masters(&topology),
        None => vec![target.clone()],
    };
    for server in &servers {
        clear_target(&mut Client::connect(server).await?, filter, shard).await?;
    }
    Ok(())
}

/// Empties what the migration will write, and nothing else: the whole target without a filter,
/// the dbs the source's dbs map to under a db mapping, the keys the patterns migrate under key
/// patterns, the keys of its slots for one master of a cluster source.
async fn clear_target(target: &mut Client, filter: &Filter, shard: Option<&ShardSpec>) -> Result<(), MigrateError> {
    if !filter.is_active() && shard.is_none() {
        target.request(&["FLUSHALL"]).await?;
        return Ok(());
    }
    let dbs: Vec<u32> = match filter.is_active() {
        true => filter.target_dbs().into_iter().collect(),
        false => vec![0],
    };
    for db in dbs {
        target.request(&["SELECT", &db.to_string()]).await?;
        if !filter.has_patterns() && shard.is_none() {
            target.request(&["FLUSHDB"]).await?;
            continue;
        }
        let mut cursor = Bytes::from_static(b"0");
        loop {
            let reply = target.request(&[&b"SCAN"[..], &cursor, b"COUNT", b"1000"]).await?;
            let crate::resp::Frame::Array(parts) = reply else { break };
            let mut parts = parts.into_iter();
            cursor = parts.next().and_then(|c| c.as_bytes().cloned()).unwrap_or_else(|| Bytes::from_static(b"0"));
            let keys: Vec<Bytes> = match parts.next() {
                Some(crate::resp::Frame::Array(keys)) => {
                    let mine = |k: &Bytes| shard.is_none_or(|s| s.holds(crate::cluster::slot(k)));
                    keys.iter().filter_map(|k| k.as_bytes().cloned()).filter(|k| filter.key(k) && mine(k)).collect()
                }
                _ => Vec::new(),
            };
            if !keys.is_empty() {
                let mut del = vec![Bytes::from_static(b"DEL")];
                del.extend(keys);
                target.request(&del).await?;
            }
            if cursor.as_ref() == b"0" {
                break;
            }
        }
    }
    target.request(&["SELECT", "0"]).await?;
    Ok(())
}

fn mode_name(mode: Mode) -> &'static str {
    match mode {
        Mode::Restore { .. } => "restore",
        Mode::Rewrite => "rewrite",
    }
}

fn join_error<T>(r: Result<Result<T, MigrateError>, tokio::task::JoinError>) -> Result<T, MigrateError> {
    match r {
        Ok(result) => result,
        Err(e) => Err(MigrateError::Internal(Text::raw(e.to_string()))),
    }
}

/// Entries on their way to the target, with their share of the in-flight bytes ([`IN_FLIGHT_KIB`]),
/// given back when the batch has been written.
type Batch = (Vec<Entry>, tokio::sync::OwnedSemaphorePermit);

/// What the tests of the command translations share.
#[cfg(test)]
mod test_support {
    use bytes::Bytes;

    use crate::server::{Family, ServerInfo};

    /// A Redis target of this version.
    pub fn target(version: (u32, u32, u32)) -> ServerInfo {
        ServerInfo {
            family: Family::Redis,
            version,
            version_text: format!("{}.{}.{}", version.0, version.1, version.2),
            run_id: String::new(),
        }
    }

    pub fn args(parts: &[&str]) -> Vec<Bytes> {
        parts.iter().map(|p| Bytes::copy_from_slice(p.as_bytes())).collect()
    }

    pub fn text(argv: Option<Vec<Bytes>>) -> Vec<String> {
        argv.unwrap_or_default().iter().map(|a| String::from_utf8_lossy(a).into_owned()).collect()
    }
}
