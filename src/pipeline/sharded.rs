//! A cluster source: one migration per master, each with its own replication stream, offset and
//! checkpoint, run side by side in this process.
//!
//! Each master's migration is an ordinary one whose source is "the master that serves these
//! slots" (asked of the cluster at every connection, so a failover is followed with PSYNC2) and
//! whose checkpoint keys are its own. This run follows them: the task is in incremental sync when
//! every master is, the figures add up (with a row per master), a failure of one stops the others
//! (their checkpoints stay: a new start resumes), and a cutover holds and drains every master
//! before it stops any. Slots moving between the source's masters during the migration would
//! reach the target as a delete from one stream and a write from another, in no fixed order: the
//! run stops, saying so, rather than risk losing the key.

use std::collections::BTreeMap;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;

use super::{
    monitor, CutoverOutcome, MigrateError, MigrateOptions, Migration, Pause, Phase, ShardProgress, ShardSpec, Summary,
};
use super::{Counters, KeyCounts};
use crate::client::Client;
use crate::cluster::{self, Topology};
use crate::endpoint::Endpoint;
use crate::model::WriteMode;
use crate::text::catalog::run_errors as errors;
use crate::text::catalog::tasks as msg;
use crate::text::Text;
use crate::writer::add_not_carried;

/// The migrations of a cluster source's masters, shared by the run that follows them and the
/// cutover that drains them.
#[derive(Clone, Default)]
pub(super) struct Shards(Arc<tokio::sync::Mutex<Vec<Migration>>>);

impl Shards {
    /// The cutover of every master (`None` when the source is not a cluster): each one catches up
    /// (under its own pause when asked) before any stops; if one cannot, the pauses end and the
    /// sync goes on.
    pub(super) async fn cutover(
        &self,
        pause_writes: bool,
        timeout: Duration,
    ) -> Option<Result<(CutoverOutcome, Pause), MigrateError>> {
        let shards = self.0.lock().await;
        if shards.is_empty() {
            return None;
        }
        let mut outcome = CutoverOutcome {
            paused: pause_writes,
            all_clients_held_ms: None,
            source_offset: 0,
            applied_offset: 0,
            final_lag_bytes: 0,
        };
        let mut pauses = Vec::new();
        for shard in shards.iter() {
            match shard.catch_up(pause_writes, timeout).await {
                Ok((one, pause)) => {
                    outcome.source_offset += one.source_offset;
                    outcome.applied_offset += one.applied_offset;
                    outcome.final_lag_bytes += one.final_lag_bytes;
                    outcome.all_clients_held_ms = outcome.all_clients_held_ms.max(one.all_clients_held_ms);
                    pauses.extend(pause.0);
                }
                Err(e) => {
                    Pause(pauses).end().await;
                    return Some(Err(e));
                }
            }
        }
        Some(Ok((outcome, Pause(pauses))))
    }
}

/// Whether the migration's source is a cluster (then it runs as one migration per master).
pub(super) async fn is_cluster(options: &MigrateOptions) -> bool {
    if options.sentinel.is_some() {
        return false;
    }
    let Ok(mut client) = Client::connect(&options.source).await else { return false };
    let info = client.info("cluster").await.unwrap_or_default();
    crate::client::info_field(&info, "cluster_enabled") == Some("1")
}

/// Every node of a cluster, `seed` first.
fn nodes(seed: &Endpoint, topology: &Topology) -> Vec<Endpoint> {
    let mut nodes = vec![seed.clone()];
    for shard in &topology.shards {
        for node in std::iter::once(&shard.master).chain(&shard.replicas) {
            if !nodes.contains(node) {
                nodes.push(node.clone());
            }
        }
    }
    nodes
}

pub(super) async fn run(
    options: &MigrateOptions,
    counters: &Arc<Counters>,
    stop: &mut watch::Receiver<bool>,
    shards: &Shards,
) -> Result<Summary, MigrateError> {
    counters.set_phase(Phase::Connecting);
    let source = cluster::discover(&options.source).await.map_err(super::ReplicaError::from)?;
    let Some(source) = source else {
        return Err(MigrateError::Shard(
            Text::new(&errors::MIGRATE_NOT_A_CLUSTER).arg("source", options.source.to_string()),
        ));
    };
    let known = nodes(&options.source, &source);
    if options.write_mode == WriteMode::ClearFirst {
        super::clear_everywhere(&options.target, &options.filter, None).await?;
    }
    let specs: Vec<ShardSpec> = source
        .shards
        .iter()
        .map(|s| ShardSpec { nodes: known.clone(), ranges: s.ranges.clone(), from_replica: options.from_replicas })
        .collect();
    {
        let mut running = shards.0.lock().await;
        for spec in &specs {
            let mut one = options.clone();
            one.checkpoint_key = format!("{}:shard-{}", options.checkpoint_key, spec.ranges[0].0);
            one.cutover_when_synced = false;
            if one.write_mode == WriteMode::ClearFirst {
                one.write_mode = WriteMode::Overwrite;
            }
            one.shard = Some(spec.clone());
            running.push(Migration::start(one));
        }
    }

    let mut masters: Vec<(String, String)> = specs.iter().map(|spec| where_read(&source, spec)).collect();
    let mut tick = tokio::time::interval(Duration::from_millis(250));
    let mut checked_topology = tokio::time::Instant::now();
    let mut stopping = false;
    let failure: Option<MigrateError> = loop {
        tokio::select! {
            _ = tick.tick() => {}
            _ = stop.changed(), if !stopping => {}
        }
        let running = shards.0.lock().await;
        if *stop.borrow() && !stopping {
            stopping = true;
            for shard in running.iter() {
                match counters.ended_for_good() {
                    true => shard.stop_for_good(),
                    false => shard.stop(),
                }
            }
        }
        gather(counters, &specs, &masters, &running);
        if running.iter().all(|s| matches!(s.counters.phase(), Phase::Done | Phase::Failed)) {
            let failed = running.iter().zip(&specs).find(|(s, _)| s.counters.phase() == Phase::Failed);
            break failed.map(|(s, spec)| {
                let error = s.counters.failure().unwrap_or_else(|| Text::new(&msg::SYNC_STOPPED));
                MigrateError::Shard(Text::new(&errors::MIGRATE_SHARD).arg("shard", spec.title()).arg("error", error))
            });
        }
        if stopping {
            continue;
        }
        // One master failed: the others stop too, keeping their checkpoints. Slots that moved on
        // the source are the likelier cause, and the one to say.
        if let Some((s, spec)) = running.iter().zip(&specs).find(|(s, _)| s.counters.phase() == Phase::Failed) {
            let error = s.counters.failure().unwrap_or_else(|| Text::new(&msg::SYNC_STOPPED));
            if let Some(moved) = slots_moved(&known, &specs, &mut masters).await {
                counters.set_failure(moved.clone());
            }
            running.iter().for_each(Migration::stop);
            stopping = true;
            counters.set_notice(Text::new(&msg::SHARD_FAILED).arg("shard", spec.title()).arg("error", error));
            continue;
        }
        if checked_topology.elapsed() >= Duration::from_secs(1) {
            checked_topology = tokio::time::Instant::now();
            if let Some(moved) = slots_moved(&known, &specs, &mut masters).await {
                running.iter().for_each(Migration::stop);
                stopping = true;
                counters.set_failure(moved.clone());
                counters.set_notice(moved);
            }
        }
        if options.cutover_when_synced && counters.phase() == Phase::Incremental && all_synced(&running).await {
            counters.end_for_good();
            running.iter().for_each(Migration::stop_for_good);
            stopping = true;
        }
    };
    if let Some(reason) = counters.failure() {
        if failure.is_none() {
            return Err(MigrateError::Shard(reason));
        }
    }
    let finished: Vec<Migration> = std::mem::take(&mut *shards.0.lock().await);
    let mut summaries = Vec::new();
    for (shard, spec) in finished.into_iter().zip(&specs) {
        match shard.wait().await {
            Ok(summary) => summaries.push(summary),
            Err(e) if failure.is_none() => {
                return Err(MigrateError::Shard(
                    Text::new(&errors::MIGRATE_SHARD).arg("shard", spec.title()).arg("error", e.text()),
                ))
            }
            Err(_) => {}
        }
    }
    if let Some(failure) = failure {
        // A failure the user reads about (the slots moved) says so itself.
        return Err(match counters.failure() {
            Some(reason) => MigrateError::Shard(reason),
            None => failure,
        });
    }
    Ok(merge(options, counters, summaries))
}

/// Adds up the masters' figures into this run's counters, with a row per master.
fn gather(counters: &Counters, specs: &[ShardSpec], masters: &[(String, String)], running: &[Migration]) {
    let snapshots: Vec<_> = running.iter().map(|s| s.counters.snapshot()).collect();
    let sum = |f: fn(&super::Progress) -> u64| snapshots.iter().map(f).sum::<u64>();
    counters.keys_written.store(sum(|p| p.keys_written), Ordering::Release);
    counters.keys_expired.store(sum(|p| p.keys_expired), Ordering::Release);
    counters.rdb_bytes.store(sum(|p| p.rdb_bytes), Ordering::Release);
    counters.rdb_total.store(sum(|p| p.rdb_total.unwrap_or(0)), Ordering::Release);
    counters.source_offset.store(sum(|p| p.source_offset), Ordering::Release);
    counters.received_offset.store(sum(|p| p.received_offset), Ordering::Release);
    counters.applied_offset.store(sum(|p| p.applied_offset), Ordering::Release);
    counters.resumes.store(sum(|p| p.resumes), Ordering::Release);
    counters.writer.sent.store(sum(|p| p.commands_sent), Ordering::Release);
    counters.writer.acked.store(sum(|p| p.commands_acked), Ordering::Release);
    counters.writer.errors.store(sum(|p| p.errors), Ordering::Release);
    if let Some(mode) = snapshots.iter().find_map(|p| p.mode.clone()) {
        counters.set_mode(if mode == "restore" { "restore" } else { "rewrite" });
    }
    // The least advanced master says where the whole migration is.
    let rank = |p: Phase| match p {
        Phase::Connecting => 0,
        Phase::WaitingForRdb => 1,
        Phase::FullSync => 2,
        Phase::Incremental => 3,
        Phase::CuttingOver => 4,
        Phase::Done | Phase::Failed => 5,
    };
    if let Some(phase) = snapshots.iter().map(|p| p.phase).min_by_key(|&p| rank(p)) {
        if rank(phase) <= rank(Phase::CuttingOver) {
            if phase == Phase::Incremental && counters.phase() != Phase::Incremental {
                counters.mark_full_sync_done();
            }
            counters.set_phase(phase);
        }
    }
    let mut source_keys: BTreeMap<u32, u64> = BTreeMap::new();
    for p in &snapshots {
        for &(db, n) in &p.source_keys {
            *source_keys.entry(db).or_default() += n;
        }
    }
    // Every master's monitor counts the whole target, less its own checkpoints only.
    let own: u64 = running.iter().skip(1).map(|s| s.counters.own_keys.load(Ordering::Acquire)).sum();
    let target_keys: KeyCounts = snapshots
        .first()
        .map(|p| p.target_keys.iter().map(|&(db, n)| (db, n.saturating_sub(own))).collect())
        .unwrap_or_default();
    if let Ok(mut k) = counters.keyspaces.lock() {
        *k = (source_keys.into_iter().collect(), target_keys);
    }
    if let Some(notice) = snapshots.iter().zip(specs).find_map(|(p, spec)| {
        Some(Text::new(&msg::SHARD_NOTICE).arg("shard", spec.title()).arg("notice", p.notice.clone()?))
    }) {
        counters.set_notice(notice);
    }
    let rows = snapshots
        .iter()
        .zip(specs)
        .zip(masters)
        .map(|((p, spec), (master, read_from))| ShardProgress {
            name: spec.name(),
            master: master.clone(),
            read_from: read_from.clone(),
            phase: p.phase,
            source_offset: p.source_offset,
            applied_offset: p.applied_offset,
            lag_bytes: p.lag_bytes,
            keys_written: p.keys_written,
            source_keys: p.source_keys.iter().map(|(_, n)| n).sum(),
        })
        .collect();
    if let Ok(mut shards) = counters.shards.lock() {
        *shards = rows;
    }
}

/// A change of which master serves which slots on the source, said as the reason to stop. Notes
/// each share's master as it is now (after a failover, the promoted replica).
async fn slots_moved(known: &[Endpoint], specs: &[ShardSpec], masters: &mut [(String, String)]) -> Option<Text> {
    for node in known {
        let Ok(Some(now)) = cluster::discover(node).await else { continue };
        for (spec, at) in specs.iter().zip(masters.iter_mut()) {
            *at = where_read(&now, spec);
        }
        let mut before: Vec<Vec<(u16, u16)>> = specs.iter().map(|s| s.ranges.clone()).collect();
        let mut after: Vec<Vec<(u16, u16)>> = now.shards.iter().map(|s| s.ranges.clone()).collect();
        before.sort();
        after.sort();
        return (before != after).then(|| Text::new(&msg::SOURCE_SLOTS_MOVED));
    }
    None
}

/// A share's master, and the node its stream is read from (one of its replicas when asked and it
/// has one, as [`super::link::SourceLink`] chooses).
fn where_read(topology: &Topology, spec: &ShardSpec) -> (String, String) {
    let owner = &topology.shards[topology.shard_of(spec.ranges[0].0)];
    let read = match (spec.from_replica, owner.replicas.first()) {
        (true, Some(replica)) => replica.addr(),
        _ => owner.master.addr(),
    };
    (owner.master.addr(), read)
}

/// For `cutover_when_synced`: whether every master's offset, read again now, is applied.
async fn all_synced(running: &[Migration]) -> bool {
    for shard in running {
        if shard.counters.phase() != Phase::Incremental {
            return false;
        }
        let applied = shard.counters.applied_offset.load(Ordering::Acquire);
        let Ok(mut client) = shard.source.client().await else { return false };
        match monitor::source_offset(&mut client).await {
            Ok(now) if applied >= now => {}
            _ => return false,
        }
    }
    true
}

/// One summary for the whole source.
fn merge(options: &MigrateOptions, counters: &Counters, summaries: Vec<Summary>) -> Summary {
    let mut errors_by_class = std::collections::BTreeMap::new();
    let mut not_carried = Vec::new();
    let mut error_samples = Vec::new();
    for s in &summaries {
        for (class, n) in &s.errors_by_class {
            *errors_by_class.entry(class.clone()).or_default() += n;
        }
        for (what, n) in &s.not_carried {
            add_not_carried(&mut not_carried, what.clone(), *n);
        }
        error_samples.extend(s.error_samples.iter().cloned());
    }
    Summary {
        progress: counters.snapshot(),
        source: format!("cluster {}", options.source),
        target: options.target.to_string(),
        mode: summaries.first().map_or("restore", |s| s.mode),
        interrupted: summaries.iter().any(|s| s.interrupted),
        snapshot_complete: summaries.iter().all(|s| s.snapshot_complete),
        errors_by_class,
        error_samples,
        not_carried,
        peak_rss_bytes: super::progress::peak_rss_bytes(),
    }
}
