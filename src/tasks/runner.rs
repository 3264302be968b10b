//! Drives one task through the console's statuses: checking → full sync → incremental sync →
//! cutting over → completed (or failed / cancelled), recording every step, snapshotting progress,
//! and putting the source's parameters back however it ends.

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use tokio::sync::{mpsc, oneshot};

use crate::checks;
use crate::client::Client;
use crate::console::{Console, ConsoleError, ConsoleEvent, CutoverOptions};
use crate::filter::Filter;
use crate::model::{Task, TaskStatus};
use crate::params;
use crate::pipeline::{Lease, MigrateError, MigrateOptions, Migration, Phase};
use crate::server::ServerInfo;
use crate::store::{Release, StoreError};

/// Unix time in milliseconds.
pub fn now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}

/// What the console asks of a running task.
pub enum Control {
    Cutover { options: CutoverOptions, reply: oneshot::Sender<Result<Task, ConsoleError>> },
    Cancel { reply: oneshot::Sender<Result<Task, ConsoleError>> },
}

/// How the sync loop ended.
enum End {
    Completed,
    /// Cancelled; the requester is answered once the task is marked so.
    Cancelled(oneshot::Sender<Result<Task, ConsoleError>>),
    Failed(String),
}

/// Runs task `id` to its end. Errors become the task's status and events; nothing is returned.
pub async fn run(console: Arc<Console>, id: i64, mut control: mpsc::Receiver<Control>) {
    // Writing is allowed while the heartbeats hold the task's lease; a runner that stalled long
    // enough for another process to take the task over stops before its next write.
    let lease = Arc::new(Lease::new());
    let heartbeat = {
        let (console, lease) = (console.clone(), lease.clone());
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(1));
            loop {
                tick.tick().await;
                match console.store.heartbeat(id, &console.owner) {
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
    let outcome = drive(&console, id, &mut control, lease.clone()).await;
    heartbeat.abort();
    if matches!(&outcome, Err(ConsoleError::Migrate(MigrateError::LeaseLost(_)))) || lease.is_lost() {
        // The task is another process's now (or marked interrupted by one): its status and the
        // source's parameters are not this runner's to touch.
        tracing::warn!(task = id, "the task's lease was lost; this runner stopped writing");
        return;
    }
    if let Err(e) = outcome {
        // Whatever failed, the source must not keep the migration's parameters.
        if let Ok(task) = console.store.task(id) {
            restore_params(&console, &task).await;
        }
        set_status(&console, id, TaskStatus::Failed, &e.to_string());
    }
    // Answer anyone still waiting with the final state.
    while let Ok(c) = control.try_recv() {
        let task = console.task(id);
        match c {
            Control::Cutover { reply, .. } | Control::Cancel { reply } => {
                let _ = reply.send(task);
            }
        }
    }
}

fn set_status(console: &Console, id: i64, to: TaskStatus, message: &str) -> Option<Task> {
    match console.store.set_status(id, to, message) {
        Ok(task) => {
            console.emit(ConsoleEvent::TaskChanged { task: task.clone() });
            Some(task)
        }
        Err(e) => {
            tracing::warn!(task = id, "could not record status {}: {e}", to.label());
            None
        }
    }
}

fn event(console: &Console, id: i64, kind: &str, message: &str) {
    if let Err(e) = console.store.add_event(id, kind, message) {
        tracing::warn!(task = id, "could not record an event: {e}");
    }
}

async fn drive(
    console: &Arc<Console>,
    id: i64,
    control: &mut mpsc::Receiver<Control>,
    lease: Arc<Lease>,
) -> Result<(), ConsoleError> {
    let task = console.store.task(id)?;
    set_status(console, id, TaskStatus::Checking, "checking parameters and connectivity");
    let source = console.task_source(&task)?;

    // Starting re-runs the check; warnings were accepted when the task was created.
    let mut input = console.check_input(&task.spec, source.clone())?;
    let target = input.target.clone();
    // Big keys were sampled when the task was created; here a short sample is enough to notice a
    // change, and the start is not held up on a large source.
    input.scan_budget = Duration::from_millis(500);
    let total = checks::item_count(input.kind) as u32;
    let report = checks::run(&input, |item| {
        console.emit(ConsoleEvent::CheckItem { task_id: Some(id), item: item.clone(), total });
    })
    .await;
    console.store.save_check(id, &serde_json::to_string(&report).unwrap_or_default())?;
    if report.has_errors() {
        let errors: Vec<String> = report
            .items
            .iter()
            .filter(|i| i.level == checks::Level::Error)
            .map(|i| format!("{}: {}", i.id, i.message))
            .collect();
        set_status(console, id, TaskStatus::CheckFailed, &errors.join("; "));
        return Ok(());
    }
    event(
        console,
        id,
        "check",
        &format!(
            "check passed with {} warning(s)",
            report.items.iter().filter(|i| i.level == checks::Level::Warning).count()
        ),
    );

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
            if !console.store.hold_params(id, &key, &current)? {
                event(console, id, "params", "another task on this source saved its original values already");
            }
            let values = params::raise(&planned, &current);
            match params::set(&mut client, &values).await {
                Ok(()) => event(console, id, "params", &format!("set on the source: {}", describe(&values))),
                Err(e) => event(console, id, "params", &format!("not all parameters could be set: {e}")),
            }
        }
        Err(e) => event(console, id, "params", &format!("parameters left as they are: {e}")),
    }
    drop(client);

    let mut options = MigrateOptions::new(source, target);
    options.write_mode = task.spec.write_mode;
    options.writer.skip_errors = task.spec.sync.skip_errors.clone();
    options.writer.window = task.spec.sync.window.max(1);
    options.writer.stall_timeout = Duration::from_secs(task.spec.sync.stall_timeout_secs.max(1));
    options.checkpoint = task.spec.sync.checkpoint;
    options.force_rewrite = task.spec.sync.force_rewrite;
    options.filter = Filter::new(&task.spec.db_mapping, &task.spec.include, &task.spec.exclude);
    options.lease = Some(lease.clone());
    // The task's own checkpoint on the target: starting the task again resumes where it stands.
    options.checkpoint_key = format!("ferry:checkpoint:task-{}-{}", task.id, task.created_at_ms);
    set_status(console, id, TaskStatus::FullSync, "full sync started");
    let migration = Migration::start(options);
    let end = sync_loop(console, id, &migration, control, &lease).await;
    if lease.is_lost() {
        // Another process has the task now: nothing here is this runner's to record or restore.
        migration.stop();
        let _ = migration.wait().await;
        return Ok(());
    }
    record_losses(console, id, &migration);

    let task = console.store.task(id)?;
    restore_params(console, &task).await;
    match end {
        End::Completed => {}
        End::Cancelled(reply) => {
            set_status(
                console,
                id,
                TaskStatus::Cancelled,
                "cancelled by the user; the source's parameters are restored",
            );
            let _ = reply.send(console.task(id));
        }
        End::Failed(reason) => {
            set_status(console, id, TaskStatus::Failed, &reason);
        }
    }
    Ok(())
}

/// Records what the target was not given: errors that were skipped by choice (with the first of
/// each class) and what commands could not carry. A run that ends without these is exact.
fn record_losses(console: &Console, id: i64, migration: &Migration) {
    let stats = &migration.counters.writer;
    let samples = stats.samples();
    for (class, count) in stats.by_class() {
        let first = samples.iter().find(|s| s.class == class);
        let first = first.map(|s| format!("; the first: {} {:?}: {}", s.command, s.key, s.message)).unwrap_or_default();
        event(console, id, "skipped", &format!("{count} write(s) of class {class} did not reach the target{first}"));
    }
    for (what, count) in stats.not_carried() {
        event(console, id, "not carried", &format!("{what}: {count}"));
    }
}

/// Follows the migration, answering cutover and cancel requests from this process or another.
async fn sync_loop(
    console: &Arc<Console>,
    id: i64,
    migration: &Migration,
    control: &mut mpsc::Receiver<Control>,
    lease: &Lease,
) -> End {
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    let mut status = TaskStatus::FullSync;
    let mut warning: Option<String> = None;
    let mut notice: Option<String> = None;
    loop {
        let request = tokio::select! {
            c = control.recv() => c,
            _ = tick.tick() => None,
        };
        if lease.is_lost() {
            return End::Failed("the task's lease was lost".into());
        }
        let progress = migration.counters.snapshot();
        // A warning is an event when it starts and when it ends (not every second it lasts).
        match (&warning, &progress.warning) {
            (None, Some(now)) => event(console, id, "warning", now),
            (Some(_), None) => event(console, id, "warning", "the target answers again"),
            _ => {}
        }
        warning.clone_from(&progress.warning);
        // What the sync did on its own (resumed from the target's checkpoint, or synced in full again).
        if progress.notice.is_some() && progress.notice != notice {
            event(console, id, "sync", progress.notice.as_deref().unwrap_or_default());
        }
        notice.clone_from(&progress.notice);
        let _ = console.store.add_snapshot(id, &progress);
        console.emit(ConsoleEvent::Progress { task_id: id, progress: progress.clone() });
        match progress.phase {
            Phase::Incremental if status == TaskStatus::FullSync => {
                status = TaskStatus::IncrementalSync;
                set_status(console, id, status, &format!("full sync done: {} keys written", progress.keys_written));
            }
            Phase::Failed | Phase::Done => {
                let reason = migration.counters.failure().unwrap_or_else(|| "the sync stopped unexpectedly".into());
                return End::Failed(reason);
            }
            _ => {}
        }
        // A request from another process arrives through the store's mailbox.
        let request = match request {
            Some(r) => Some(r),
            None => match console.store.take_request(id) {
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
            Control::Cutover { options, reply } => {
                // The status follows the sync once a second: a request may come in between.
                if status == TaskStatus::FullSync && migration.counters.phase() == Phase::Incremental {
                    status = TaskStatus::IncrementalSync;
                    let keys = migration.counters.snapshot().keys_written;
                    set_status(console, id, status, &format!("full sync done: {keys} keys written"));
                }
                if status != TaskStatus::IncrementalSync {
                    let _ = reply.send(Err(ConsoleError::WrongStatus {
                        task: console.task(id).map(|t| t.spec.name).unwrap_or_default(),
                        status: status.label(),
                        action: "cut over",
                    }));
                    continue;
                }
                set_status(
                    console,
                    id,
                    TaskStatus::CuttingOver,
                    if options.pause_writes { "cutting over with source writes paused" } else { "cutting over" },
                );
                match cutover(console, id, migration, options).await {
                    Ok(task) => {
                        let _ = reply.send(Ok(task));
                        return End::Completed;
                    }
                    Err(e) => {
                        set_status(
                            console,
                            id,
                            TaskStatus::IncrementalSync,
                            &format!("cutover aborted, the sync goes on: {e}"),
                        );
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

async fn cutover(
    console: &Arc<Console>,
    id: i64,
    migration: &Migration,
    options: CutoverOptions,
) -> Result<Task, ConsoleError> {
    let (outcome, pause) = migration.cutover(options.pause_writes, Duration::from_secs(options.timeout_secs)).await?;
    // Wait for the pipeline to apply what is in flight and stop.
    while !matches!(migration.counters.phase(), Phase::Done | Phase::Failed) {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let task = console.store.task(id)?;
    restore_params(console, &task).await;
    pause.end().await;
    console.store.set_cutover(id, now_ms(), outcome.final_lag_bytes)?;
    let message = format!(
        "sync disconnected at offset {} (final lag {} bytes{}); the source's parameters are restored",
        outcome.applied_offset,
        outcome.final_lag_bytes,
        match (outcome.paused, outcome.all_clients_held_ms) {
            (true, Some(ms)) =>
                format!(", writes were paused: the source (before 6.2) held all its clients for {ms} ms"),
            (true, None) => ", writes were paused".to_string(),
            _ => String::new(),
        }
    );
    set_status(console, id, TaskStatus::Completed, &message).ok_or(ConsoleError::RunnerGone)
}

/// Ends the task's hold on its source's parameters: the last task holding a source puts back the
/// values it had before any of them changed it; while others run, the values stay raised.
pub async fn restore_params(console: &Console, task: &Task) {
    let saved = match console.store.release_params(task.id) {
        Ok(Release::Restore(saved)) => saved,
        Ok(Release::Others(others)) => {
            let _ = console.store.drop_hold(task.id);
            let others = others.iter().map(|id| format!("task {id}")).collect::<Vec<_>>().join(", ");
            event(console, task.id, "params", &format!("left raised on the source: {others} still migrates from it"));
            return;
        }
        Ok(Release::Nothing) | Err(_) => return,
    };
    let result = async {
        let source = console.task_source(task)?;
        let mut client = Client::connect(&source).await?;
        params::set(&mut client, &saved).await.map_err(|e| ConsoleError::Invalid(e.to_string()))
    }
    .await;
    match result {
        Ok(()) => {
            let _ = console.store.drop_hold(task.id);
            event(console, task.id, "params", &format!("restored on the source: {}", describe(&saved)));
        }
        Err(e) => event(
            console,
            task.id,
            "params",
            &format!("could not restore the source's parameters ({e}); Ferry will try again when it next starts"),
        ),
    }
}

fn describe(values: &[(String, String)]) -> String {
    values.iter().map(|(n, v)| format!("{n}={v}")).collect::<Vec<_>>().join(", ")
}
