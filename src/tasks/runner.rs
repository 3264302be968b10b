//! Drives one task through the console's statuses: checking → full sync → incremental sync →
//! cutting over → completed (or failed / cancelled), recording every step, snapshotting progress,
//! and putting the source's parameters back however it ends.
//!
//! The runner sits below the console and never imports it: the console resolves what needs its
//! keychain (the source and target with their passwords) before it starts a runner, and hands it a
//! [`Sink`] for what the runner reports. Everything else goes through the task store.

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};
use tokio::sync::{mpsc, oneshot};

use crate::checks::{self, CheckInput, CheckItem};
use crate::client::{Client, ClientError};
use crate::endpoint::Endpoint;
use crate::filter::Filter;
use crate::model::SentinelSpec;
use crate::model::{Task, TaskStatus};
use crate::params;
use crate::pipeline::{Lease, MigrateError, MigrateOptions, Migration, Phase, Progress};
use crate::sentinel::{self, SentinelError};
use crate::server::ServerInfo;
use crate::store::{Release, Store, StoreError};
use crate::text::catalog::run_errors as errors;
use crate::text::catalog::tasks as msg;
use crate::text::Text;

/// Unix time in milliseconds.
pub fn now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}

/// Options of the cutover ("disconnect sync").
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct CutoverOptions {
    /// Pause writes on the source while the target catches up, so the final lag is 0.
    pub pause_writes: bool,
    /// How long to wait for the target to catch up before giving up (the sync then goes on).
    pub timeout_secs: u64,
}

impl Default for CutoverOptions {
    fn default() -> Self {
        CutoverOptions { pause_writes: true, timeout_secs: 60 }
    }
}

/// Why a runner could not do what it was asked.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Client(#[from] ClientError),
    #[error(transparent)]
    Migrate(#[from] MigrateError),
    #[error(transparent)]
    Sentinel(#[from] SentinelError),
    /// A cutover asked of a task that is not in incremental sync.
    #[error("{}", self.text())]
    NotSynced { status: TaskStatus },
}

impl RunError {
    /// The error as a sentence, in whichever language it is shown (`Display` is its English).
    pub fn text(&self) -> Text {
        match self {
            RunError::Store(e) => e.text(),
            RunError::Client(e) => e.text(),
            RunError::Migrate(e) => e.text(),
            RunError::Sentinel(e) => e.text(),
            RunError::NotSynced { status } => Text::new(&errors::RUN_NOT_SYNCED).arg("status", status.text()),
        }
    }
}

/// Where a runner's news goes: the console turns it into its events (for the desktop app and the
/// CLI). Called from the runner's task; implementations must not block.
pub trait Sink: Send + Sync + 'static {
    /// A task changed status.
    fn task_changed(&self, task: &Task);
    /// A running task's progress, about once a second.
    fn progress(&self, task_id: i64, progress: &Progress);
    /// A pre-check item finished; `total` is how many items the check reports in all.
    fn check_item(&self, task_id: i64, item: &CheckItem, total: u32);
}

/// What the console asks of a running task.
pub enum Control {
    Cutover {
        options: CutoverOptions,
        reply: oneshot::Sender<Result<Task, RunError>>,
    },
    Cancel {
        reply: oneshot::Sender<Result<Task, RunError>>,
    },
    /// The process is quitting: stop the sync where it stands (the target keeps its checkpoint),
    /// put the source's parameters back, and mark the task interrupted, to resume when started
    /// again. Answered once the task is marked.
    Interrupt {
        reply: oneshot::Sender<()>,
    },
}

/// One task's runner: the store it records into, the name it holds the task's lease under, where
/// it reports, and the task's endpoints (with their passwords) as the console resolved them.
pub struct Runner {
    pub id: i64,
    pub store: Arc<Store>,
    pub owner: String,
    pub sink: Arc<dyn Sink>,
    /// The source with its credentials (for a Sentinel-managed source, its address is asked for
    /// at each connection), and the check's input (whose target is the task's target).
    pub source: Endpoint,
    pub sentinel: Option<SentinelSpec>,
    pub input: CheckInput,
}

impl Runner {
    /// The source's address now (after a failover, the new master's).
    async fn source_now(&self) -> Result<Endpoint, SentinelError> {
        sentinel::resolve(&self.source, self.sentinel.as_ref()).await
    }
}

/// How the sync loop ended.
enum End {
    Completed,
    /// Cancelled; the requester is answered once the task is marked so.
    Cancelled(oneshot::Sender<Result<Task, RunError>>),
    /// The process is quitting; the requester is answered once the task is marked interrupted.
    Interrupted(oneshot::Sender<()>),
    Failed(Text),
}

/// Runs the task to its end. Errors become the task's status and events; nothing is returned.
pub async fn run(runner: Runner, mut control: mpsc::Receiver<Control>) {
    let id = runner.id;
    // Writing is allowed while the heartbeats hold the task's lease; a runner that stalled long
    // enough for another process to take the task over stops before its next write.
    let lease = Arc::new(Lease::new());
    let heartbeat = {
        let (store, owner, lease) = (runner.store.clone(), runner.owner.clone(), lease.clone());
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(1));
            loop {
                tick.tick().await;
                match store.heartbeat(id, &owner) {
                    Ok(()) => lease.renew(),
                    Err(StoreError::Lost { .. }) => {
                        lease.lose();
                        break;
                    }
                    // The store being busy for a moment is no loss: the window covers it.
                    Err(e) => tracing::warn!(task = id, "could not renew the task's lease: {e}"),
                }
            }
        })
    };
    let outcome = drive(&runner, &mut control, lease.clone()).await;
    heartbeat.abort();
    if matches!(&outcome, Err(RunError::Migrate(MigrateError::LeaseLost(_)))) || lease.is_lost() {
        // The task is another process's now (or marked interrupted by one): its status and the
        // source's parameters are not this runner's to touch.
        tracing::warn!(task = id, "the task's lease was lost; this runner stopped writing");
        return;
    }
    if let Err(e) = outcome {
        // Whatever failed, the source must not keep the migration's parameters.
        if let Ok(task) = runner.store.task(id) {
            let source = runner.source_now().await;
            restore_params(&runner.store, &task, source.as_ref().map_err(|e| e.text())).await;
        }
        set_status(&runner, TaskStatus::Failed, e.text());
    }
    // Answer anyone still waiting with the final state.
    while let Ok(c) = control.try_recv() {
        let task = runner.store.task(id).map_err(RunError::from);
        match c {
            Control::Cutover { reply, .. } | Control::Cancel { reply } => {
                let _ = reply.send(task);
            }
            Control::Interrupt { reply } => {
                let _ = reply.send(());
            }
        }
    }
}

/// Records a status and reports it; a store that cannot record it is logged (the task's lease and
/// the next start sort it out).
fn set_status(runner: &Runner, to: TaskStatus, message: Text) -> Option<Task> {
    match runner.store.set_status(runner.id, to, Some(&message)) {
        Ok(task) => {
            runner.sink.task_changed(&task);
            Some(task)
        }
        Err(e) => {
            tracing::warn!(task = runner.id, "could not record status {}: {e}", to.label());
            None
        }
    }
}

fn event(store: &Store, id: i64, kind: &str, message: &Text) {
    if let Err(e) = store.add_event(id, kind, message) {
        tracing::warn!(task = id, "could not record an event: {e}");
    }
}

async fn drive(runner: &Runner, control: &mut mpsc::Receiver<Control>, lease: Arc<Lease>) -> Result<(), RunError> {
    let (id, store) = (runner.id, &*runner.store);
    let task = store.task(id)?;
    set_status(runner, TaskStatus::Checking, Text::new(&msg::CHECKING));
    let source = runner.source_now().await?;

    // Starting re-runs the check; warnings were accepted when the task was created.
    let mut input = runner.input.clone();
    input.source = source.clone();
    let target = input.target.clone();
    // Big keys were sampled when the task was created; here a short sample is enough to notice a
    // change, and the start is not held up on a large source.
    input.scan_budget = Duration::from_millis(500);
    let total = checks::item_count(&input) as u32;
    // The short re-sample reports no progress of its own: the items appearing are enough.
    let report = checks::run(&input, |item| runner.sink.check_item(id, item, total), |_| {}).await;
    store.save_check(id, &serde_json::to_string(&report).unwrap_or_default())?;
    if report.has_errors() {
        let errors: Vec<Text> = report
            .items
            .iter()
            .filter(|i| i.level == checks::Level::Error)
            .map(|i| Text::new(&msg::CHECK_ERROR).arg("id", &i.id).arg("message", i.message.clone()))
            .collect();
        set_status(runner, TaskStatus::CheckFailed, Text::new(&msg::CHECK_FAILED).arg("errors", errors));
        return Ok(());
    }
    let warnings = report.items.iter().filter(|i| i.level == checks::Level::Warning).count();
    event(store, id, "check", &Text::new(&msg::CHECK_PASSED).arg("count", warnings));

    // Parameters: save the previous values first, then set.
    let mut client = Client::connect(&source).await?;
    let info = ServerInfo::fetch(&mut client).await?;
    let planned = params::planned(&task.spec.params, &info);
    let names: Vec<String> = planned.iter().map(|(n, _)| n.clone()).collect();
    match params::read(&mut client, &names).await {
        Ok(current) => {
            // The source's own values are saved by the first task holding it; another task's raised
            // values are never mistaken for them, and never lowered.
            let key = format!("{}:{}", task.spec.source.host, task.spec.source.port);
            if !store.hold_params(id, &key, &current)? {
                event(store, id, "params", &Text::new(&msg::PARAMS_SAVED_BY_OTHER));
            }
            let values = params::raise(&planned, &current);
            match set_everywhere(&source, &values).await {
                Ok(()) => event(store, id, "params", &Text::new(&msg::PARAMS_SET).arg("values", describe(&values))),
                Err(e) => event(store, id, "params", &Text::new(&msg::PARAMS_NOT_ALL_SET).arg("error", e)),
            }
        }
        Err(e) => event(store, id, "params", &Text::new(&msg::PARAMS_LEFT).arg("error", e.text())),
    }
    drop(client);

    let mut options = MigrateOptions::new(source, target);
    options.sentinel = runner.sentinel.clone();
    options.write_mode = task.spec.write_mode;
    options.writer.skip_errors = task.spec.sync.skip_errors.clone();
    options.writer.window = task.spec.sync.window.max(1);
    options.writer.stall_timeout = Duration::from_secs(task.spec.sync.stall_timeout_secs.max(1));
    options.checkpoint = task.spec.sync.checkpoint;
    options.from_replicas = task.spec.sync.from_replicas;
    options.force_rewrite = task.spec.sync.force_rewrite;
    options.filter = Filter::new(&task.spec.db_mapping, &task.spec.include, &task.spec.exclude);
    options.lease = Some(lease.clone());
    // The task's own checkpoint on the target: starting the task again resumes where it stands.
    options.checkpoint_key = format!("ferry:checkpoint:task-{}-{}", task.id, task.created_at_ms);
    set_status(runner, TaskStatus::FullSync, Text::new(&msg::FULL_SYNC_STARTED));
    let migration = Migration::start(options);
    let end = sync_loop(runner, &migration, control, &lease).await;
    if lease.is_lost() {
        // Another process has the task now: nothing here is this runner's to record or restore.
        migration.stop();
        let _ = migration.wait().await;
        return Ok(());
    }
    record_losses(store, id, &migration);

    let task = store.task(id)?;
    let source = runner.source_now().await;
    restore_params(store, &task, source.as_ref().map_err(|e| e.text())).await;
    match end {
        End::Completed => {}
        End::Cancelled(reply) => {
            set_status(runner, TaskStatus::Cancelled, Text::new(&msg::CANCELLED_RESTORED));
            let _ = reply.send(store.task(id).map_err(RunError::from));
        }
        End::Interrupted(reply) => {
            set_status(runner, TaskStatus::Interrupted, Text::new(&msg::INTERRUPTED_QUIT));
            let _ = reply.send(());
        }
        End::Failed(reason) => {
            set_status(runner, TaskStatus::Failed, reason);
        }
    }
    Ok(())
}

/// Records what the target was not given: errors that were skipped by choice (with the first of
/// each class) and what commands could not carry. A run that ends without these is exact.
fn record_losses(store: &Store, id: i64, migration: &Migration) {
    let stats = &migration.counters.writer;
    let samples = stats.samples();
    for (class, count) in stats.by_class() {
        let message = match samples.iter().find(|s| s.class == class) {
            Some(first) => Text::new(&msg::SKIPPED_FIRST)
                .arg("command", &first.command)
                .arg("key", format!("{:?}", first.key))
                .arg("message", first.message.clone()),
            None => Text::new(&msg::SKIPPED),
        };
        event(store, id, "skipped", &message.arg("count", count).arg("class", class));
    }
    for (what, count) in stats.not_carried() {
        event(store, id, "not carried", &Text::new(&msg::NOT_CARRIED).arg("what", what).arg("count", count));
    }
}

/// Follows the migration, answering cutover and cancel requests from this process or another.
async fn sync_loop(
    runner: &Runner,
    migration: &Migration,
    control: &mut mpsc::Receiver<Control>,
    lease: &Lease,
) -> End {
    let (id, store) = (runner.id, &*runner.store);
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    let mut status = TaskStatus::FullSync;
    let mut warning: Option<Text> = None;
    let mut notice: Option<Text> = None;
    loop {
        let request = tokio::select! {
            c = control.recv() => c,
            _ = tick.tick() => None,
        };
        if lease.is_lost() {
            return End::Failed(Text::new(&msg::LEASE_LOST));
        }
        let progress = migration.counters.snapshot();
        // A warning is an event when it starts and when it ends (not every second it lasts).
        match (&warning, &progress.warning) {
            (None, Some(now)) => event(store, id, "warning", now),
            (Some(_), None) => event(store, id, "warning", &Text::new(&msg::WARNING_CLEARED)),
            _ => {}
        }
        warning.clone_from(&progress.warning);
        // What the sync did on its own (resumed from the target's checkpoint, or synced in full again).
        if let Some(now) = progress.notice.as_ref().filter(|&now| notice.as_ref() != Some(now)) {
            event(store, id, "sync", now);
        }
        notice.clone_from(&progress.notice);
        let _ = store.add_snapshot(id, &progress);
        // The status is saved before the progress goes out: whoever reads "incremental" in the
        // progress and asks for a cutover at once must find the task in incremental sync.
        if progress.phase == Phase::Incremental && status == TaskStatus::FullSync {
            status = TaskStatus::IncrementalSync;
            set_status(runner, status, Text::new(&msg::FULL_SYNC_DONE).arg("keys", progress.keys_written));
        }
        runner.sink.progress(id, &progress);
        if matches!(progress.phase, Phase::Failed | Phase::Done) {
            let reason = migration.counters.failure().unwrap_or_else(|| Text::new(&msg::SYNC_STOPPED));
            return End::Failed(reason);
        }
        // A request from another process arrives through the store's mailbox.
        let request = match request {
            Some(r) => Some(r),
            None => match store.take_request(id) {
                Ok(Some((action, payload))) => Some(mailbox(&action, &payload)),
                _ => None,
            },
        };
        let Some(request) = request else { continue };
        match request {
            Control::Cancel { reply } => {
                migration.stop_for_good();
                while !matches!(migration.counters.phase(), Phase::Done | Phase::Failed) {
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
                return End::Cancelled(reply);
            }
            Control::Interrupt { reply } => {
                // Not for good: the checkpoint stays on the target, so a start resumes there.
                migration.stop();
                while !matches!(migration.counters.phase(), Phase::Done | Phase::Failed) {
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
                return End::Interrupted(reply);
            }
            Control::Cutover { options, reply } => {
                // The status follows the sync once a second: a request may come in between.
                if status == TaskStatus::FullSync && migration.counters.phase() == Phase::Incremental {
                    status = TaskStatus::IncrementalSync;
                    let keys = migration.counters.snapshot().keys_written;
                    set_status(runner, status, Text::new(&msg::FULL_SYNC_DONE).arg("keys", keys));
                }
                if status != TaskStatus::IncrementalSync {
                    let _ = reply.send(Err(RunError::NotSynced { status }));
                    continue;
                }
                let message = if options.pause_writes { &msg::CUTTING_OVER_PAUSED } else { &msg::CUTTING_OVER };
                set_status(runner, TaskStatus::CuttingOver, Text::new(message));
                match cutover(runner, migration, options).await {
                    Ok(task) => {
                        let _ = reply.send(Ok(task));
                        return End::Completed;
                    }
                    Err(e) => {
                        let message = Text::new(&msg::CUTOVER_ABORTED).arg("error", e.text());
                        set_status(runner, TaskStatus::IncrementalSync, message);
                        let _ = reply.send(Err(e));
                    }
                }
            }
        }
    }
}

/// A request from the mailbox as a control message (its reply goes nowhere: the other process
/// watches the task's status).
fn mailbox(action: &str, payload: &str) -> Control {
    let (reply, _) = oneshot::channel();
    match action {
        "cutover" => Control::Cutover { options: serde_json::from_str(payload).unwrap_or_default(), reply },
        _ => Control::Cancel { reply },
    }
}

async fn cutover(runner: &Runner, migration: &Migration, options: CutoverOptions) -> Result<Task, RunError> {
    let (id, store) = (runner.id, &*runner.store);
    let (outcome, pause) = migration.cutover(options.pause_writes, Duration::from_secs(options.timeout_secs)).await?;
    // Wait for the pipeline to apply what is in flight and stop.
    while !matches!(migration.counters.phase(), Phase::Done | Phase::Failed) {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let task = store.task(id)?;
    let source = runner.source_now().await;
    restore_params(store, &task, source.as_ref().map_err(|e| e.text())).await;
    pause.end().await;
    store.set_cutover(id, now_ms(), outcome.final_lag_bytes)?;
    let message = match (outcome.paused, outcome.all_clients_held_ms) {
        (true, Some(ms)) => Text::new(&msg::CUTOVER_DONE_HELD).arg("ms", ms),
        (true, None) => Text::new(&msg::CUTOVER_DONE_PAUSED),
        _ => Text::new(&msg::CUTOVER_DONE),
    };
    let message = message.arg("offset", outcome.applied_offset).arg("lag", outcome.final_lag_bytes);
    let task = store.set_status(id, TaskStatus::Completed, Some(&message))?;
    runner.sink.task_changed(&task);
    Ok(task)
}

/// Ends the task's hold on its source's parameters: the last task holding a source puts back the
/// values it had before any of them changed it; while others run, the values stay raised.
/// `source` is the task's source with its password, or why the console could not give it.
pub async fn restore_params(store: &Store, task: &Task, source: Result<&Endpoint, Text>) {
    let saved = match store.release_params(task.id) {
        Ok(Release::Restore(saved)) => saved,
        Ok(Release::Others(others)) => {
            let _ = store.drop_hold(task.id);
            let message = match others.as_slice() {
                [other] => Text::new(&msg::PARAMS_LEFT_RAISED).arg("id", *other),
                _ => Text::new(&msg::PARAMS_LEFT_RAISED_MANY)
                    .arg("ids", others.iter().map(i64::to_string).collect::<Vec<_>>().join(", ")),
            };
            event(store, task.id, "params", &message);
            return;
        }
        Ok(Release::Nothing) | Err(_) => return,
    };
    let result = async { set_everywhere(source?, &saved).await }.await;
    match result {
        Ok(()) => {
            let _ = store.drop_hold(task.id);
            event(store, task.id, "params", &Text::new(&msg::PARAMS_RESTORED).arg("values", describe(&saved)));
        }
        Err(e) => event(store, task.id, "params", &Text::new(&msg::PARAMS_NOT_RESTORED).arg("error", e)),
    }
}

/// Sets parameters on the source, or on every master of a cluster source (each streams its own
/// share, with its own backlog and output buffers).
async fn set_everywhere(source: &Endpoint, values: &[(String, String)]) -> Result<(), Text> {
    let servers = match crate::cluster::discover(source).await {
        Ok(Some(topology)) => topology.masters().cloned().collect(),
        _ => vec![source.clone()],
    };
    for server in &servers {
        let mut client = Client::connect(server).await.map_err(|e| e.text())?;
        params::set(&mut client, values)
            .await
            .map_err(|e| Text::new(&errors::RUN_ON_SERVER).arg("addr", server.addr()).arg("error", e.text()))?;
    }
    Ok(())
}

fn describe(values: &[(String, String)]) -> String {
    values.iter().map(|(n, v)| format!("{n}={v}")).collect::<Vec<_>>().join(", ")
}
