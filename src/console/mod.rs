//! The console: everything a user can do, as one API that the desktop app, the CLI and the tests all
//! call. It owns the task store, the keychain, and the runners of the tasks this process runs.
//!
//! Several processes may share one store (the app and a CLI): a task is run by one process at a time
//! (a claim with a heartbeat), and the others reach it through the store's mailbox.

mod error;
mod sandbox;
mod sandbox_cluster;
mod sandbox_tls;
mod standby;
mod watch;

pub use error::ConsoleError;
pub use sandbox::{SandboxServer, SandboxView};
pub use standby::{
    ClientLogin, ListenSecurity, MasterHealth, PairMode, PairRunner, StandbyEvent, StandbyInput, StandbyView,
};

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio::sync::{broadcast, mpsc, oneshot};

use crate::checks::{self, CheckInput, CheckItem, CheckReport, ScanProgress};
use crate::client::Client;
use crate::endpoint::{Endpoint, Secret};
use crate::filter::Filter;
use crate::model::{Instance, InstanceInput, Params, SentinelSpec, SshTunnel, Task, TaskEvent, TaskSpec, TaskStatus};
use crate::params::{self, ParamRow};
use crate::pipeline::Progress;
use crate::secrets::{SecretError, Secrets};
use crate::sentinel;
use crate::server::ServerInfo;
use crate::store::{Store, TaskFilter};
pub use crate::tasks::runner::CutoverOptions;
use crate::tasks::runner::{self, Control, Runner, Sink};
use crate::text::catalog::run_errors as errors;
use crate::text::catalog::tasks as msg;
use crate::text::Text;

/// How long a cluster instance's node may take to answer before the next seed node is tried.
const SEED_TIMEOUT: Duration = Duration::from_secs(3);
use crate::vault::Vault;
use crate::verify::{self, VerifyOptions, VerifyProgress, VerifyReport};

/// Something the UI should show now.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(tag = "type", rename_all = "snake_case")]
// A few events a second go through a broadcast channel, cloned for each listener: their size does
// not matter here.
#[allow(clippy::large_enum_variant)]
pub enum ConsoleEvent {
    /// A task changed status (or was created).
    TaskChanged { task: Task },
    /// A running task's progress, about once a second.
    Progress { task_id: i64, progress: Progress },
    /// A pre-check item finished (`task_id` is `None` for a check before the task exists); `total`
    /// is how many items this check reports in all.
    CheckItem { task_id: Option<i64>, item: CheckItem, total: u32 },
    /// The pre-check's big-key scan moved on (after every page of keys it measured).
    CheckScan { task_id: Option<i64>, progress: ScanProgress },
}

/// A new task as the create form gives it: the spec, and the source's password (kept in the OS
/// keychain, never in the store).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct TaskRequest {
    pub spec: TaskSpec,
    pub source_password: Option<String>,
    /// The passphrase of the source's SSH key, or its SSH password (kept in the keychain).
    #[serde(default)]
    pub ssh_secret: Option<String>,
}

/// A task with everything its detail page shows.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct TaskDetail {
    pub task: Task,
    pub target: Instance,
    pub events: Vec<TaskEvent>,
    pub progress: Option<Progress>,
    pub check: Option<CheckReport>,
    pub verify: Option<VerifyReport>,
    /// Whether some process is running the task now.
    pub running: bool,
}

/// What a connection test found.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ConnectionTest {
    pub version: String,
    pub rdb_version: u16,
    pub latency_ms: f64,
    pub keys: u64,
}

/// What a migration started by address takes of the source: a db mapping and key patterns.
#[derive(Debug, Clone, Default)]
pub struct KeyFilter {
    pub db_mapping: Vec<crate::model::DbMapping>,
    pub include: Vec<String>,
    pub exclude: Vec<String>,
}

/// How long quitting waits for the tasks this process runs to stop and put the source's parameters
/// back (a runner still in its pre-check answers when the check ends).
pub const INTERRUPT_WAIT: Duration = Duration::from_secs(15);

/// The console API.
pub struct Console {
    pub(crate) store: Arc<Store>,
    secrets: Secrets,
    /// Passwords kept for this process only, when no OS keychain is available (a server without a
    /// desktop session): never written anywhere, gone when the process ends.
    memory_secrets: Mutex<HashMap<String, String>>,
    /// The encrypted passwords file, when the user gave a master key.
    vault: Option<Vault>,
    /// Identifies this process as a task runner in the store.
    pub(crate) owner: String,
    runners: Mutex<HashMap<i64, mpsc::Sender<Control>>>,
    events: broadcast::Sender<ConsoleEvent>,
    standbys: standby::Standbys,
    sandbox: sandbox::SandboxSlot,
}

fn source_account(task_id: i64) -> String {
    format!("task:{task_id}:source")
}

fn instance_account(id: i64) -> String {
    format!("instance:{id}")
}

/// Where the SSH secret (key passphrase or password) of an instance's or a task source's tunnel
/// is kept.
fn ssh_account(owner: &str) -> String {
    format!("{owner}:ssh")
}

impl Console {
    /// Opens the console on the store in `dir` (or the default data dir), and puts back the source
    /// parameters of tasks whose runner died (a crash, a kill) so no source is left changed.
    pub async fn open(dir: Option<&Path>) -> Result<Arc<Console>, ConsoleError> {
        let store = match dir {
            Some(dir) => Store::open(dir)?,
            None => Store::open_default()?,
        };
        let vault = Vault::from_env(store.path().parent().unwrap_or(Path::new("."))).map_err(SecretError::from)?;
        let (events, _) = broadcast::channel(1024);
        let owner = crate::store::runner_name(crate::tasks::runner::now_ms());
        let console = Arc::new(Console {
            store: Arc::new(store),
            secrets: Secrets::new(),
            memory_secrets: Mutex::new(HashMap::new()),
            vault,
            owner,
            runners: Mutex::new(HashMap::new()),
            events,
            standbys: Default::default(),
            sandbox: Default::default(),
        });
        console.recover().await;
        if let Some(data_dir) = console.data_path().parent() {
            sandbox::clean_up_after_dead_owner(data_dir);
        }
        Ok(console)
    }

    /// Where the store lives.
    pub fn data_path(&self) -> &Path {
        self.store.path()
    }

    /// Events for the UI.
    pub fn subscribe(&self) -> broadcast::Receiver<ConsoleEvent> {
        self.events.subscribe()
    }

    pub(crate) fn emit(&self, event: ConsoleEvent) {
        let _ = self.events.send(event);
    }

    // ---- passwords -------------------------------------------------------------------------

    /// Keeps a password: in the encrypted file when the user gave a master key
    /// (`FERRY_MASTER_KEY`), else in the OS keychain; without either, in this process's memory only
    /// (with a warning: a restart of the task in another process will not find it).
    fn keep_secret(&self, account: &str, password: &str) -> Result<(), ConsoleError> {
        if let Some(vault) = &self.vault {
            return Ok(vault.set(account, password).map_err(SecretError::from)?);
        }
        match self.secrets.set(account, password) {
            Ok(()) => Ok(()),
            Err(SecretError::Unavailable { cause }) => {
                tracing::warn!(
                    "no OS keychain ({cause}); the password for {account} is kept in memory for this run only. Set FERRY_MASTER_KEY to keep passwords in an encrypted file instead"
                );
                if let Ok(mut m) = self.memory_secrets.lock() {
                    m.insert(account.to_string(), password.to_string());
                }
                Ok(())
            }
            Err(e) => Err(e.into()),
        }
    }

    fn recall_secret(&self, account: &str) -> Result<Option<String>, ConsoleError> {
        if let Some(p) = self.memory_secrets.lock().ok().and_then(|m| m.get(account).cloned()) {
            return Ok(Some(p));
        }
        if let Some(vault) = &self.vault {
            return Ok(vault.get(account).map_err(SecretError::from)?);
        }
        match self.secrets.get(account) {
            // No keychain here: nothing can be stored in it; the caller says what to do.
            Err(SecretError::Unavailable { .. }) => Ok(None),
            other => Ok(other?),
        }
    }

    fn forget_secret(&self, account: &str) -> Result<(), ConsoleError> {
        if let Ok(mut m) = self.memory_secrets.lock() {
            m.remove(account);
        }
        if let Some(vault) = &self.vault {
            return Ok(vault.delete(account).map_err(SecretError::from)?);
        }
        match self.secrets.delete(account) {
            // No keychain: nothing can be stored there to delete.
            Err(SecretError::Unavailable { .. }) => Ok(()),
            other => Ok(other?),
        }
    }

    // ---- instances -------------------------------------------------------------------------

    pub fn add_instance(&self, input: &InstanceInput, password: Option<&str>) -> Result<Instance, ConsoleError> {
        validate_instance(input)?;
        let ssh_secret = input.ssh_secret.as_deref().filter(|s| !s.is_empty());
        let mut input = input.clone();
        if let Some(ssh) = &mut input.ssh {
            ssh.has_secret = ssh_secret.is_some();
        }
        let instance = self.store.add_instance(&input, password.is_some())?;
        let account = instance_account(instance.id);
        let kept = password.map(|p| self.keep_secret(&account, p)).transpose().and_then(|_| {
            ssh_secret.filter(|_| input.ssh.is_some()).map(|s| self.keep_secret(&ssh_account(&account), s)).transpose()
        });
        if let Err(e) = kept {
            let _ = self.remove_instance(instance.id);
            return Err(e);
        }
        Ok(instance)
    }

    /// Updates an instance; `password`: `None` keeps the stored one, `Some("")` removes it.
    pub fn update_instance(
        &self,
        id: i64,
        input: &InstanceInput,
        password: Option<&str>,
    ) -> Result<Instance, ConsoleError> {
        validate_instance(input)?;
        let account = ssh_account(&instance_account(id));
        let mut input = input.clone();
        if let Some(ssh) = &mut input.ssh {
            ssh.has_secret = match input.ssh_secret.as_deref() {
                None => self.store.instance(id)?.ssh.is_some_and(|old| old.has_secret),
                Some("") => false,
                Some(secret) => {
                    self.keep_secret(&account, secret)?;
                    true
                }
            };
        }
        if !input.ssh.as_ref().is_some_and(|ssh| ssh.has_secret) {
            self.forget_secret(&account)?;
        }
        let has_password = match password {
            None => self.store.instance(id)?.has_password,
            Some("") => {
                self.forget_secret(&instance_account(id))?;
                false
            }
            Some(p) => {
                self.keep_secret(&instance_account(id), p)?;
                true
            }
        };
        Ok(self.store.update_instance(id, &input, has_password)?)
    }

    pub fn remove_instance(&self, id: i64) -> Result<(), ConsoleError> {
        self.store.remove_instance(id)?;
        self.forget_secret(&instance_account(id))?;
        self.forget_secret(&ssh_account(&instance_account(id)))?;
        Ok(())
    }

    /// A stored tunnel with its secret from the keychain (kept under `owner`'s SSH account).
    fn tunnel_with_secret(&self, ssh: Option<&SshTunnel>, owner: &str) -> Result<Option<SshTunnel>, ConsoleError> {
        let Some(ssh) = ssh else { return Ok(None) };
        let mut ssh = ssh.clone();
        if ssh.has_secret {
            let secret = self.recall_secret(&ssh_account(owner))?;
            if secret.is_none() {
                let what = Text::new(&errors::CONSOLE_PASSWORD_OF_TUNNEL).arg("addr", ssh.addr());
                return Err(ConsoleError::MissingPassword { what });
            }
            ssh.secret = secret.map(Secret::new);
        }
        Ok(Some(ssh))
    }

    pub fn instances(&self, region: Option<&str>) -> Result<Vec<Instance>, ConsoleError> {
        Ok(self.store.instances(region)?)
    }

    pub fn regions(&self) -> Result<Vec<String>, ConsoleError> {
        Ok(self.store.regions()?)
    }

    /// The endpoint of a registered instance, with its password from the keychain.
    pub fn instance_endpoint(&self, instance: &Instance) -> Result<Endpoint, ConsoleError> {
        let password = if instance.has_password { self.recall_secret(&instance_account(instance.id))? } else { None };
        if instance.has_password && password.is_none() {
            let what = Text::new(&errors::CONSOLE_PASSWORD_OF_INSTANCE).arg("name", format!("{:?}", instance.name));
            return Err(ConsoleError::MissingPassword { what });
        }
        Ok(Endpoint {
            host: instance.host.clone(),
            port: instance.port,
            user: instance.user.clone(),
            password: password.map(Secret::new),
            tls: instance.tls.clone(),
            ssh: self.tunnel_with_secret(instance.ssh.as_ref(), &instance_account(instance.id))?,
        })
    }

    /// The endpoint to reach an instance by now: its own address, or for a cluster instance whose
    /// node there does not answer, the first of its seed nodes that does (any node of a cluster
    /// tells the whole topology). When none answers, its own address, whose error then says so.
    pub async fn reachable_endpoint(&self, instance: &Instance) -> Result<Endpoint, ConsoleError> {
        let endpoint = self.instance_endpoint(instance)?;
        if instance.seeds.is_empty() {
            return Ok(endpoint);
        }
        let seeds = instance.seeds.iter().filter_map(|s| Endpoint::parse(s).ok());
        let candidates = std::iter::once(endpoint.clone()).chain(seeds.map(|s| endpoint.at(s.host, s.port)));
        for candidate in candidates {
            if Client::connect_with_timeout(&candidate, SEED_TIMEOUT).await.is_ok() {
                return Ok(candidate);
            }
        }
        Ok(endpoint)
    }

    /// Connects to an instance and reports its version, latency and key count.
    pub async fn test_instance(&self, id: i64) -> Result<ConnectionTest, ConsoleError> {
        let endpoint = self.reachable_endpoint(&self.store.instance(id)?).await?;
        test_connection(&endpoint).await
    }

    /// The registered instance at `endpoint`'s address, registering it (region "cli") when none is:
    /// `ferry migrate` takes URLs, but its task must name an instance like any other.
    pub fn instance_at(&self, endpoint: &Endpoint) -> Result<Instance, ConsoleError> {
        let password = endpoint.password.as_ref().map(|p| p.expose());
        let existing =
            self.store.instances(None)?.into_iter().find(|i| i.host == endpoint.host && i.port == endpoint.port);
        let input = InstanceInput {
            name: endpoint.addr(),
            region: "cli".into(),
            host: endpoint.host.clone(),
            port: endpoint.port,
            user: endpoint.user.clone(),
            edition: crate::model::Edition::Standard,
            proxy: None,
            seeds: Vec::new(),
            tls: endpoint.tls.clone(),
            ssh: endpoint.ssh.clone(),
            ssh_secret: endpoint.ssh.as_ref().and_then(|s| s.secret.as_ref()).map(|s| s.expose().to_string()),
        };
        match existing {
            // Keep the credentials the user just gave: they are the ones that work now.
            Some(i) => {
                let input = InstanceInput {
                    name: i.name.clone(),
                    region: i.region.clone(),
                    edition: i.edition,
                    proxy: i.proxy.clone(),
                    seeds: i.seeds.clone(),
                    ..input
                };
                self.update_instance(i.id, &input, Some(password.unwrap_or("")))
            }
            None => self.add_instance(&input, password),
        }
    }

    /// A task for a one-off `ferry migrate`: the target registered by address, warnings accepted
    /// (the CLI prints them), default parameters.
    pub async fn migrate_task(
        &self,
        source: &Endpoint,
        sentinel: Option<&SentinelSpec>,
        target: &Endpoint,
        sync: crate::model::SyncOptions,
        filter: KeyFilter,
    ) -> Result<(Task, CheckReport), ConsoleError> {
        let instance = self.instance_at(target)?;
        let from = match sentinel {
            Some(spec) => format!("{} (Sentinel)", spec.master_name),
            None => source.addr(),
        };
        let name = format!("migrate {from} to {} at {}", target.addr(), crate::tasks::runner::now_ms());
        let spec = TaskSpec {
            name,
            kind: crate::model::MigrationType::PublicNetwork,
            source: crate::model::SourceSpec {
                host: source.host.clone(),
                port: source.port,
                user: source.user.clone(),
                has_password: source.password.is_some(),
                region: None,
                sentinel: sentinel.cloned(),
                tls: source.tls.clone(),
                ssh: source.ssh.clone(),
            },
            target_instance: instance.id,
            params: Params::default(),
            write_mode: crate::model::WriteMode::Overwrite,
            db_mapping: filter.db_mapping,
            include: filter.include,
            exclude: filter.exclude,
            sync,
        };
        let request = TaskRequest {
            spec,
            source_password: source.password.as_ref().map(|p| p.expose().to_string()),
            ssh_secret: source.ssh.as_ref().and_then(|s| s.secret.as_ref()).map(|s| s.expose().to_string()),
        };
        self.create_task(&request, true).await
    }

    // ---- the create form -------------------------------------------------------------------

    /// The source of a request (before the task exists), where it is now (through its Sentinels
    /// when it has them).
    async fn request_source(request: &TaskRequest) -> Result<Endpoint, ConsoleError> {
        let s = &request.spec.source;
        let endpoint = Endpoint {
            host: s.host.clone(),
            port: s.port,
            user: s.user.clone(),
            password: request.source_password.clone().filter(|p| !p.is_empty()).map(Secret::new),
            tls: s.tls.clone(),
            ssh: s.ssh.clone().map(|ssh| SshTunnel {
                secret: request.ssh_secret.clone().filter(|p| !p.is_empty()).map(Secret::new),
                ..ssh
            }),
        };
        Ok(sentinel::resolve(&endpoint, s.sentinel.as_ref()).await?)
    }

    /// The source of a stored task, where it is now (through its Sentinels when it has them).
    async fn task_source_now(&self, task: &Task) -> Result<Endpoint, ConsoleError> {
        Ok(sentinel::resolve(&self.task_source(task)?, task.spec.source.sentinel.as_ref()).await?)
    }

    /// The parameter-settings page: what the migration will set, beside the source's current values.
    pub async fn parameter_rows(&self, request: &TaskRequest) -> Result<Vec<ParamRow>, ConsoleError> {
        let mut client = Client::connect(&Self::request_source(request).await?).await?;
        let info = ServerInfo::fetch(&mut client).await?;
        let planned = params::planned(&request.spec.params, &info);
        let names: Vec<String> = planned.iter().map(|(n, _)| n.clone()).collect();
        // CONFIG may be forbidden: the rows then show no current values (the check warns).
        let current = params::read(&mut client, &names).await.unwrap_or_default();
        Ok(params::rows(&planned, &current))
    }

    /// The pre-check's input for a spec: the target instance's endpoint, region and edition.
    pub(crate) async fn check_input(&self, spec: &TaskSpec, source: Endpoint) -> Result<CheckInput, ConsoleError> {
        let target = self.store.instance(spec.target_instance)?;
        let mut input = CheckInput::new(source, self.reachable_endpoint(&target).await?);
        input.kind = spec.kind;
        input.source_region = spec.source.region.clone();
        input.target_region = target.region.clone();
        input.target_edition = target.edition;
        input.write_mode = spec.write_mode;
        input.params = spec.params;
        input.filter = Filter::new(&spec.db_mapping, &spec.include, &spec.exclude);
        input.from_replicas = spec.sync.from_replicas;
        Ok(input)
    }

    /// Runs the pre-check for a task about to be created; items are also sent as events.
    pub async fn check(&self, request: &TaskRequest) -> Result<CheckReport, ConsoleError> {
        validate(&request.spec)?;
        let input = self.check_input(&request.spec, Self::request_source(request).await?).await?;
        let total = checks::item_count(&input) as u32;
        let item = |item: &CheckItem| self.emit(ConsoleEvent::CheckItem { task_id: None, item: item.clone(), total });
        let scan = |progress| self.emit(ConsoleEvent::CheckScan { task_id: None, progress });
        Ok(checks::run(&input, item, scan).await)
    }

    /// "Confirm and create task": checks again; errors block, warnings need `accept_warnings`.
    pub async fn create_task(
        &self,
        request: &TaskRequest,
        accept_warnings: bool,
    ) -> Result<(Task, CheckReport), ConsoleError> {
        let report = self.check(request).await?;
        if report.has_errors() {
            return Err(ConsoleError::CheckFailed { summary: summarize(&report) });
        }
        if report.has_warnings() && !accept_warnings {
            return Err(ConsoleError::WarningsNotAccepted { summary: summarize(&report) });
        }
        let mut spec = request.spec.clone();
        let password = request.source_password.clone().filter(|p| !p.is_empty());
        spec.source.has_password = password.is_some();
        let ssh_secret = request.ssh_secret.clone().filter(|p| !p.is_empty() && spec.source.ssh.is_some());
        if let Some(ssh) = &mut spec.source.ssh {
            ssh.has_secret = ssh_secret.is_some();
        }
        let task = self.store.create_task(&spec)?;
        let account = source_account(task.id);
        let kept = password
            .map(|p| self.keep_secret(&account, &p))
            .transpose()
            .and_then(|_| ssh_secret.map(|s| self.keep_secret(&ssh_account(&account), &s)).transpose());
        if let Err(e) = kept {
            let why = Text::new(&msg::PASSWORD_NOT_KEPT);
            let _ = self.store.set_status(task.id, TaskStatus::Cancelled, Some(&why));
            return Err(e);
        }
        self.store.save_check(task.id, &serde_json::to_string(&report).unwrap_or_default())?;
        self.emit(ConsoleEvent::TaskChanged { task: task.clone() });
        Ok((task, report))
    }

    // ---- tasks -----------------------------------------------------------------------------

    pub fn tasks(&self, filter: &TaskFilter) -> Result<Vec<Task>, ConsoleError> {
        Ok(self.store.tasks(filter)?)
    }

    pub fn task(&self, id: i64) -> Result<Task, ConsoleError> {
        Ok(self.store.task(id)?)
    }

    pub fn task_detail(&self, id: i64) -> Result<TaskDetail, ConsoleError> {
        let task = self.store.task(id)?;
        let target = self.store.instance(task.spec.target_instance)?;
        Ok(TaskDetail {
            events: self.store.events(id)?,
            progress: self.store.latest_snapshot(id)?,
            check: self.store.latest_check(id)?.and_then(|j| serde_json::from_str(&j).ok()),
            verify: self.store.latest_verify(id)?.and_then(|j| serde_json::from_str(&j).ok()),
            running: self.store.runner_alive(id)?,
            task,
            target,
        })
    }

    /// Progress snapshots of a task, oldest first (for the charts).
    pub fn snapshots(&self, id: i64, limit: usize) -> Result<Vec<(i64, Progress)>, ConsoleError> {
        Ok(self.store.snapshots(id, limit)?)
    }

    /// The source endpoint of a stored task, with its password from the keychain.
    pub fn task_source(&self, task: &Task) -> Result<Endpoint, ConsoleError> {
        let s = &task.spec.source;
        let password = if s.has_password { self.recall_secret(&source_account(task.id))? } else { None };
        if s.has_password && password.is_none() {
            let what = Text::new(&errors::CONSOLE_PASSWORD_OF_SOURCE).arg("name", format!("{:?}", task.spec.name));
            return Err(ConsoleError::MissingPassword { what });
        }
        Ok(Endpoint {
            host: s.host.clone(),
            port: s.port,
            user: s.user.clone(),
            password: password.map(Secret::new),
            tls: s.tls.clone(),
            ssh: self.tunnel_with_secret(s.ssh.as_ref(), &source_account(task.id))?,
        })
    }

    /// The target endpoint of a stored task.
    pub async fn task_target(&self, task: &Task) -> Result<Endpoint, ConsoleError> {
        self.reachable_endpoint(&self.store.instance(task.spec.target_instance)?).await
    }

    /// Starts (or restarts) a task in this process: check, parameters, full sync, incremental sync.
    /// Returns once the runner has started; follow it with [`Console::subscribe`] or
    /// [`Console::wait_task`].
    pub async fn start_task(self: &Arc<Self>, id: i64) -> Result<Task, ConsoleError> {
        let task = self.store.task(id)?;
        if !matches!(
            task.status,
            TaskStatus::NotStarted | TaskStatus::CheckFailed | TaskStatus::Failed | TaskStatus::Interrupted
        ) {
            return Err(ConsoleError::WrongStatus {
                task: task.spec.name,
                status: task.status,
                action: &errors::CONSOLE_ACTION_START,
            });
        }
        // The passwords come from this process's keychain (or vault): a missing one is said here,
        // and the task stays as it is.
        let source = self.task_source(&task)?;
        let input = self.check_input(&task.spec, source.clone()).await?;
        // A process putting back the parameters of this task's dead runner lets go within moments.
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        while !self.store.claim(id, &self.owner)? {
            let recovering = self.store.live_runner(id)?.is_some_and(|r| crate::store::is_recovering(&r));
            if !recovering || tokio::time::Instant::now() >= deadline {
                return Err(ConsoleError::RunningElsewhere { task: task.spec.name });
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let (tx, rx) = mpsc::channel(8);
        if let Ok(mut runners) = self.runners.lock() {
            runners.insert(id, tx);
        }
        let console = self.clone();
        let runner = Runner {
            id,
            store: self.store.clone(),
            owner: self.owner.clone(),
            sink: self.clone(),
            source,
            sentinel: task.spec.source.sentinel.clone(),
            input,
        };
        tokio::spawn(async move {
            runner::run(runner, rx).await;
            if let Ok(mut runners) = console.runners.lock() {
                runners.remove(&id);
            }
            let _ = console.store.release(id, &console.owner);
        });
        Ok(task)
    }

    /// Whether this process runs the task now.
    pub fn runs_here(&self, id: i64) -> bool {
        self.runners.lock().is_ok_and(|runners| runners.contains_key(&id))
    }

    /// How many tasks this process runs now (the app asks before quitting while any does).
    pub fn tasks_running_here(&self) -> usize {
        self.runners.lock().map_or(0, |runners| runners.len())
    }

    /// Stops every task this process runs, as quitting should: each sync stops where it stands
    /// (the target keeps its checkpoint), the source's parameters are put back, and the task is
    /// marked interrupted, to resume when started again. Waits for each at most [`INTERRUPT_WAIT`];
    /// one that does not answer in time is left to the orphan recovery (its lease runs out).
    pub async fn interrupt_tasks_here(&self) {
        let runners: Vec<mpsc::Sender<Control>> =
            self.runners.lock().map(|runners| runners.values().cloned().collect()).unwrap_or_default();
        let mut waiting = Vec::new();
        for runner in runners {
            let (reply, answered) = oneshot::channel();
            if runner.send(Control::Interrupt { reply }).await.is_ok() {
                waiting.push(answered);
            }
        }
        // They stop side by side: the wait is the slowest one's, not the sum.
        let deadline = tokio::time::Instant::now() + INTERRUPT_WAIT;
        for answered in waiting {
            let _ = tokio::time::timeout_at(deadline, answered).await;
        }
        // Then each gives up its lease, so that the app started again can resume the task at once.
        while self.tasks_running_here() > 0 && tokio::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    fn local_runner(&self, id: i64) -> Option<mpsc::Sender<Control>> {
        self.runners.lock().ok()?.get(&id).cloned()
    }

    /// Cancels a task: stops its sync and restores the source's parameters.
    pub async fn cancel_task(&self, id: i64) -> Result<Task, ConsoleError> {
        let task = self.store.task(id)?;
        if task.status.is_final() {
            return Err(ConsoleError::WrongStatus {
                task: task.spec.name,
                status: task.status,
                action: &errors::CONSOLE_ACTION_CANCEL,
            });
        }
        if let Some(runner) = self.local_runner(id) {
            let (reply, rx) = oneshot::channel();
            if runner.send(Control::Cancel { reply }).await.is_ok() {
                return Ok(rx.await.map_err(|_| ConsoleError::RunnerGone)??);
            }
        }
        if self.store.runner_alive(id)? {
            self.store.request(id, "cancel", "{}")?;
            return self.wait_for(id, |s| s.is_final(), Duration::from_secs(120)).await;
        }
        let task = self.store.set_status(id, TaskStatus::Cancelled, Some(&Text::new(&msg::CANCELLED)))?;
        self.emit(ConsoleEvent::TaskChanged { task: task.clone() });
        Ok(task)
    }

    /// "Disconnect sync": waits until the target has everything (pausing source writes if asked),
    /// stops the sync, restores parameters, and completes the task.
    pub async fn cutover_task(&self, id: i64, options: CutoverOptions) -> Result<Task, ConsoleError> {
        let task = self.store.task(id)?;
        if task.status != TaskStatus::IncrementalSync {
            return Err(ConsoleError::WrongStatus {
                task: task.spec.name,
                status: task.status,
                action: &errors::CONSOLE_ACTION_CUT_OVER,
            });
        }
        if let Some(runner) = self.local_runner(id) {
            let (reply, rx) = oneshot::channel();
            if runner.send(Control::Cutover { options, reply }).await.is_ok() {
                return rx.await.map_err(|_| ConsoleError::RunnerGone)?.map_err(|e| match e {
                    runner::RunError::NotSynced { status } => {
                        let (task, action) = (task.spec.name.clone(), &errors::CONSOLE_ACTION_CUT_OVER);
                        ConsoleError::WrongStatus { task, status, action }
                    }
                    other => other.into(),
                });
            }
        }
        if !self.store.runner_alive(id)? {
            return Err(ConsoleError::NotRunning { task: task.spec.name });
        }
        self.store.request(id, "cutover", &serde_json::to_string(&options).unwrap_or_default())?;
        let wait = Duration::from_secs(options.timeout_secs + 60);
        let task =
            self.wait_for(id, |s| s != TaskStatus::IncrementalSync && s != TaskStatus::CuttingOver, wait).await?;
        match task.status {
            TaskStatus::Completed => Ok(task),
            _ => Err(ConsoleError::CutoverFailed {
                reason: task.reason.unwrap_or_else(|| Text::new(&errors::CONSOLE_SEE_EVENTS)),
            }),
        }
    }

    /// Compares source and target of a task now, and keeps the report with the task; `progress`
    /// hears how far it is after every page of keys.
    pub async fn verify_task(
        &self,
        id: i64,
        progress: &mut (dyn FnMut(VerifyProgress) + Send),
    ) -> Result<VerifyReport, ConsoleError> {
        let task = self.store.task(id)?;
        let filter = Filter::new(&task.spec.db_mapping, &task.spec.include, &task.spec.exclude);
        let report =
            verify_endpoints(&self.task_source_now(&task).await?, &self.task_target(&task).await?, &filter, progress)
                .await?;
        self.store.save_verify(id, &serde_json::to_string(&report).unwrap_or_default())?;
        let summary = Text::new(&msg::VERIFY_SUMMARY)
            .arg("keys", report.keys_compared)
            .arg("missing", report.missing)
            .arg("extra", report.extra)
            .arg("different", report.different);
        self.store.add_event(id, "verify", &summary)?;
        Ok(report)
    }

    /// Waits until a task's status satisfies `done` (polling the store, so it works across processes).
    pub async fn wait_for(
        &self,
        id: i64,
        done: impl Fn(TaskStatus) -> bool,
        timeout: Duration,
    ) -> Result<Task, ConsoleError> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let task = self.store.task(id)?;
            if done(task.status) {
                return Ok(task);
            }
            if tokio::time::Instant::now() >= deadline {
                return Err(ConsoleError::Timeout { task: task.spec.name, status: task.status });
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Puts back parameters of tasks no process runs any more, and fails tasks left running by a
    /// process that died.
    pub(crate) async fn recover(&self) {
        let Ok(tasks) = self.store.tasks(&TaskFilter::default()) else { return };
        for task in tasks.iter().filter(|t| t.status.is_running()) {
            // A runner that only stalled loses the task here, and stops before its next write.
            let message = Text::new(&msg::INTERRUPTED_ORPHAN);
            if let Ok(Some(task)) = self.store.interrupt_orphan(task.id, &message) {
                self.emit(ConsoleEvent::TaskChanged { task });
            }
        }
        let Ok(ids) = self.store.tasks_with_saved_params() else { return };
        // Held while the parameters go back, so that a runner starting meanwhile (in any process)
        // waits, and does not raise them only to see them put back under it.
        let recovering = crate::store::recovering(&self.owner);
        for id in ids {
            if !self.store.claim(id, &recovering).unwrap_or(false) {
                continue;
            }
            if let Ok(task) = self.store.task(id) {
                let source = self.task_source_now(&task).await.map_err(|e| e.text());
                runner::restore_params(&self.store, &task, source.as_ref().map_err(Clone::clone)).await;
            }
            let _ = self.store.release(id, &recovering);
        }
    }
}

/// A runner's news becomes the console's events.
impl Sink for Console {
    fn task_changed(&self, task: &Task) {
        self.emit(ConsoleEvent::TaskChanged { task: task.clone() });
    }

    fn progress(&self, task_id: i64, progress: &Progress) {
        self.emit(ConsoleEvent::Progress { task_id, progress: progress.clone() });
    }

    fn check_item(&self, task_id: i64, item: &CheckItem, total: u32) {
        self.emit(ConsoleEvent::CheckItem { task_id: Some(task_id), item: item.clone(), total });
    }
}

/// Rejects instance settings that cannot work.
fn validate_instance(input: &InstanceInput) -> Result<(), ConsoleError> {
    if !input.seeds.is_empty() && input.edition != crate::model::Edition::Cluster {
        return Err(ConsoleError::Invalid(Text::new(&errors::CONSOLE_SEEDS_NOT_CLUSTER)));
    }
    for seed in &input.seeds {
        if let Err(e) = Endpoint::parse(seed) {
            let why =
                Text::new(&errors::CONSOLE_SEED_NOT_HOST_PORT).arg("seed", format!("{seed:?}")).arg("reason", e.reason);
            return Err(ConsoleError::Invalid(why));
        }
    }
    Ok(())
}

/// Rejects specs a task cannot run with.
fn validate(spec: &TaskSpec) -> Result<(), ConsoleError> {
    if spec.name.trim().is_empty() {
        return Err(ConsoleError::Invalid(Text::new(&errors::CONSOLE_TASK_NEEDS_NAME)));
    }
    if spec.source.host.trim().is_empty() || spec.source.port == 0 {
        return Err(ConsoleError::Invalid(Text::new(&errors::CONSOLE_SOURCE_NEEDS_ADDR)));
    }
    let mut targets: Vec<u32> = spec.db_mapping.iter().map(|m| m.target).collect();
    targets.sort_unstable();
    if targets.windows(2).any(|w| w[0] == w[1]) {
        return Err(ConsoleError::Invalid(Text::new(&errors::CONSOLE_DB_MAPPING_CLASH)));
    }
    let p: &Params = &spec.params;
    if p.output_buffer_hard_mb == 0 || p.backlog_mb == 0 || p.repl_timeout_seconds == 0 {
        return Err(ConsoleError::Invalid(Text::new(&errors::CONSOLE_PARAMS_ZERO)));
    }
    Ok(())
}

/// One sentence per item that is not a pass.
fn summarize(report: &CheckReport) -> Text {
    let level = |level: checks::Level| match level {
        checks::Level::Pass => &errors::CONSOLE_LEVEL_PASS,
        checks::Level::Warning => &errors::CONSOLE_LEVEL_WARNING,
        checks::Level::Error => &errors::CONSOLE_LEVEL_ERROR,
        checks::Level::Skipped => &errors::CONSOLE_LEVEL_SKIPPED,
    };
    let items: Vec<Text> = report
        .items
        .iter()
        .filter(|i| i.level != checks::Level::Pass)
        .map(|i| {
            Text::new(&errors::CONSOLE_CHECK_ITEM)
                .arg("id", &i.id)
                .arg("level", Text::new(level(i.level)))
                .arg("message", i.message.clone())
        })
        .collect();
    Text::new(&errors::CONSOLE_CHECK_SUMMARY).arg("items", items)
}

/// Connects and measures.
pub async fn test_connection(endpoint: &Endpoint) -> Result<ConnectionTest, ConsoleError> {
    let mut client = Client::connect(endpoint).await?;
    let info = ServerInfo::fetch(&mut client).await?;
    let started = std::time::Instant::now();
    client.request(&["PING"]).await?;
    let latency_ms = started.elapsed().as_secs_f64() * 1000.0;
    let keys = crate::client::keyspace_counts(&client.info("keyspace").await?).iter().map(|(_, n)| n).sum();
    Ok(ConnectionTest { version: info.to_string(), rdb_version: info.rdb_version(), latency_ms, keys })
}

/// Runs the pre-check on two endpoints (the `ferry check` command).
pub async fn check_endpoints(
    input: &CheckInput,
    on_item: impl FnMut(&CheckItem),
    on_scan: impl FnMut(ScanProgress),
) -> CheckReport {
    checks::run(input, on_item, on_scan).await
}

/// Verifies two endpoints (the `ferry verify` command and the task's verify); `progress` hears how
/// far it is after every page of keys.
pub async fn verify_endpoints(
    source: &Endpoint,
    target: &Endpoint,
    filter: &Filter,
    progress: &mut (dyn FnMut(VerifyProgress) + Send),
) -> Result<VerifyReport, ConsoleError> {
    let mut s = verify::Keyspace::connect(source).await?;
    let mut t = verify::Keyspace::connect(target).await?;
    Ok(verify::run_keyspaces(&mut s, &mut t, filter, &VerifyOptions::default(), progress).await?)
}
