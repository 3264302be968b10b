//! One command per user action, each a direct call of the console: no business logic here.
//!
//! Every command returns `Result<_, CommandError>`; the generated bindings turn that into
//! `{ status: "ok", data } | { status: "error", error: { kind, message } }`.

use std::sync::Arc;

use ferry::checks::CheckReport;
use ferry::console::{ConnectionTest, Console, CutoverOptions, TaskDetail, TaskRequest};
use ferry::console::{SandboxView, StandbyInput, StandbyView};
use ferry::ha::events::Event as HaEvent;
use ferry::model::{Instance, InstanceInput, Params, Task};
use ferry::params::ParamRow;
use ferry::pipeline::Progress;
use ferry::store::TaskFilter;
use ferry::text::Text;
use ferry::verify::{VerifyProgress, VerifyReport};
use serde::Serialize;
use tauri::State;

use crate::error::CommandError;
use crate::events;

type Result<T> = std::result::Result<T, CommandError>;
type ConsoleState<'a> = State<'a, Arc<Console>>;

/// A task just created, with the pre-check it passed.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct CreatedTask {
    pub task: Task,
    pub report: CheckReport,
}

/// The regions of the registered instances.
#[tauri::command]
#[specta::specta]
pub fn regions(console: ConsoleState<'_>) -> Result<Vec<String>> {
    Ok(console.regions()?)
}

/// Registered instances, of one region or all.
#[tauri::command]
#[specta::specta]
pub fn list_instances(console: ConsoleState<'_>, region: Option<String>) -> Result<Vec<Instance>> {
    Ok(console.instances(region.as_deref())?)
}

/// Registers an instance; its password is kept in the OS keychain (or the encrypted file when FERRY_MASTER_KEY is set).
#[tauri::command]
#[specta::specta]
pub fn add_instance(console: ConsoleState<'_>, input: InstanceInput, password: Option<String>) -> Result<Instance> {
    Ok(console.add_instance(&input, password.as_deref())?)
}

/// Edits an instance; `password`: `null` keeps it, `""` removes it.
#[tauri::command]
#[specta::specta]
pub fn update_instance(
    console: ConsoleState<'_>,
    id: i64,
    input: InstanceInput,
    password: Option<String>,
) -> Result<Instance> {
    Ok(console.update_instance(id, &input, password.as_deref())?)
}

#[tauri::command]
#[specta::specta]
pub fn remove_instance(console: ConsoleState<'_>, id: i64) -> Result<()> {
    Ok(console.remove_instance(id)?)
}

/// Connects to an instance: version, latency, keys.
#[tauri::command]
#[specta::specta]
pub async fn test_instance(console: ConsoleState<'_>, id: i64) -> Result<ConnectionTest> {
    Ok(console.test_instance(id).await?)
}

#[tauri::command]
#[specta::specta]
pub fn list_tasks(console: ConsoleState<'_>, filter: TaskFilter) -> Result<Vec<Task>> {
    Ok(console.tasks(&filter)?)
}

#[tauri::command]
#[specta::specta]
pub fn task_detail(console: ConsoleState<'_>, id: i64) -> Result<TaskDetail> {
    Ok(console.task_detail(id)?)
}

/// A progress snapshot and when it was taken (milliseconds since the epoch).
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct Snapshot {
    pub at_ms: i64,
    pub progress: Progress,
}

/// Up to `limit` of a task's newest progress snapshots, oldest first: the history behind the detail
/// page's charts (live `taskProgressEvent`s extend it).
#[tauri::command]
#[specta::specta]
pub fn task_snapshots(console: ConsoleState<'_>, id: i64, limit: u32) -> Result<Vec<Snapshot>> {
    let snapshots = console.snapshots(id, limit as usize)?;
    Ok(snapshots.into_iter().map(|(at_ms, progress)| Snapshot { at_ms, progress }).collect())
}

/// The recommended source parameters: the create form starts from them.
#[tauri::command]
#[specta::specta]
pub fn recommended_params() -> Result<Params> {
    Ok(Params::default())
}

/// The parameter-settings page of the create form.
#[tauri::command]
#[specta::specta]
pub async fn parameter_rows(console: ConsoleState<'_>, request: TaskRequest) -> Result<Vec<ParamRow>> {
    Ok(console.parameter_rows(&request).await?)
}

/// The pre-check before a task exists (items also arrive as `checkItemEvent`s).
#[tauri::command]
#[specta::specta]
pub async fn check_task(console: ConsoleState<'_>, request: TaskRequest) -> Result<CheckReport> {
    Ok(console.check(&request).await?)
}

/// "Confirm and create task".
#[tauri::command]
#[specta::specta]
pub async fn create_task(
    console: ConsoleState<'_>,
    request: TaskRequest,
    accept_warnings: bool,
) -> Result<CreatedTask> {
    let (task, report) = console.create_task(&request, accept_warnings).await?;
    Ok(CreatedTask { task, report })
}

/// Async so that it runs on the Tokio runtime, where the console spawns the task's runner (a sync
/// command runs on the main thread, outside any runtime, and spawning there panics).
#[tauri::command]
#[specta::specta]
pub async fn start_task(console: ConsoleState<'_>, id: i64) -> Result<Task> {
    Ok(console.inner().start_task(id).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn cancel_task(console: ConsoleState<'_>, id: i64) -> Result<Task> {
    Ok(console.cancel_task(id).await?)
}

/// "Disconnect sync".
#[tauri::command]
#[specta::specta]
pub async fn cutover_task(console: ConsoleState<'_>, id: i64, options: CutoverOptions) -> Result<Task> {
    Ok(console.cutover_task(id, options).await?)
}

/// Verifies a task, telling the window how far it is ([`events::VerifyProgressEvent`]).
#[tauri::command]
#[specta::specta]
pub async fn verify_task(app: tauri::AppHandle, console: ConsoleState<'_>, id: i64) -> Result<VerifyReport> {
    let mut throttle = events::Throttle::default();
    let mut progress = |progress: VerifyProgress| {
        // A stage's first and last step always go out; the steps between, at the window's pace.
        let edge = progress.done == 0 || progress.done >= progress.total;
        if edge || throttle.allow(id, std::time::Instant::now()) {
            let _ = tauri_specta::Event::emit(&events::VerifyProgressEvent { task_id: id, progress }, &app);
        }
    };
    Ok(console.verify_task(id, &mut progress).await?)
}

/// Where the task store lives (`FERRY_DATA_DIR`, or the OS app-data dir).
#[tauri::command]
#[specta::specta]
pub fn data_dir(console: ConsoleState<'_>) -> Result<String> {
    Ok(console.data_path().display().to_string())
}

/// Saves a hot-standby pair and starts its access proxy in this app.
#[tauri::command]
#[specta::specta]
pub async fn start_standby(console: ConsoleState<'_>, input: StandbyInput) -> Result<StandbyView> {
    Ok(console.start_standby(&input).await?)
}

/// Every saved pair, whichever process runs it (this app, a service) or none.
#[tauri::command]
#[specta::specta]
pub fn list_standbys(console: ConsoleState<'_>) -> Result<Vec<StandbyView>> {
    Ok(console.standbys()?)
}

/// Starts a saved pair's proxy in this app.
#[tauri::command]
#[specta::specta]
pub async fn run_standby(console: ConsoleState<'_>, id: i64) -> Result<StandbyView> {
    Ok(console.run_standby(id).await?)
}

/// A pair's event history, oldest first (new ones arrive as `standbyTimelineEvent`s).
#[tauri::command]
#[specta::specta]
pub fn standby_events(console: ConsoleState<'_>, id: i64) -> Result<Vec<HaEvent>> {
    Ok(console.standby_events(id)?)
}

/// "Planned switchover": the roles swap with no write lost, or nothing changes and the error says why.
#[tauri::command]
#[specta::specta]
pub async fn switchover(console: ConsoleState<'_>, id: i64) -> Result<StandbyView> {
    Ok(console.switchover(id).await?)
}

/// Stops a pair's proxy, wherever it runs; the servers keep their roles and the pair stays saved.
#[tauri::command]
#[specta::specta]
pub async fn stop_standby(console: ConsoleState<'_>, id: i64) -> Result<()> {
    Ok(console.stop_standby(id).await?)
}

/// Forgets a saved pair that no process runs.
#[tauri::command]
#[specta::specta]
pub async fn remove_standby(console: ConsoleState<'_>, id: i64) -> Result<()> {
    Ok(console.remove_standby(id).await?)
}

/// Quits the app after the user confirmed it (pairs it runs stop; tasks pause and can resume).
#[tauri::command]
#[specta::specta]
pub fn quit(app: tauri::AppHandle) {
    app.exit(0);
}

/// "Try it locally": local redis-servers with sample data, a target instance and a standby pair.
#[tauri::command]
#[specta::specta]
pub async fn start_sandbox(console: ConsoleState<'_>) -> Result<SandboxView> {
    Ok(console.start_sandbox().await?)
}

/// The running sandbox, if any.
#[tauri::command]
#[specta::specta]
pub async fn sandbox(console: ConsoleState<'_>) -> Result<Option<SandboxView>> {
    Ok(console.sandbox().await?)
}

/// "Failover drill": kills the sandbox pair's master; it comes back empty a few seconds later.
#[tauri::command]
#[specta::specta]
pub async fn sandbox_drill(console: ConsoleState<'_>) -> Result<Text> {
    Ok(console.sandbox_drill().await?)
}

/// Stops the sandbox: its proxy, servers, files and instances.
#[tauri::command]
#[specta::specta]
pub async fn stop_sandbox(console: ConsoleState<'_>) -> Result<()> {
    Ok(console.stop_sandbox().await?)
}
