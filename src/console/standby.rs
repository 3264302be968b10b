//! Hot-standby pairs: the console's face of [`crate::ha`].
//!
//! A pair is two registered instances, a master and its replica (or, in Sentinel mode, the master
//! instance and its Sentinels), behind an access proxy. Pairs are saved in the store, so they
//! outlive the process that started them: any process may run a saved pair (the desktop app, or
//! `ferry standby run NAME` as a service), one at a time (a lease, as for tasks). The process that
//! runs one writes down its status every second, its events, and where the route went (epoch and
//! master, so that a restart continues the epochs), and takes requests from the others (a
//! switchover or a stop asked in the app while a service runs the pair). So the app shows and
//! controls every pair, whichever process runs it.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio::sync::broadcast;
use tokio::task::JoinHandle;

use super::{Console, ConsoleError};
use crate::endpoint::ListenTls;
use crate::ha::events::{Event, EventKind};
use crate::ha::supervisor::StandbyState;
use crate::ha::{self, HaHandle, HaOptions};
use crate::model::{PairEventRecord, PairSpec, SavedPair, SentinelSpec};
use crate::text::catalog::run_errors as errors;
use crate::text::Text;

/// How often the process that runs a pair writes its status down and looks for requests.
const BEAT_EVERY: Duration = Duration::from_secs(1);
/// How long a request to the process that runs a pair elsewhere is waited for.
const REMOTE_WAIT: Duration = Duration::from_secs(10);

/// A pair to save and start, as the form gives it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct StandbyInput {
    pub name: String,
    /// The registered instance that is master now (in Sentinel mode: whose credentials and TLS
    /// settings serve the master the Sentinels name).
    pub master_instance: i64,
    /// The registered instance replicating from it, promoted when the master fails; not used in
    /// Sentinel mode.
    #[serde(default)]
    pub replica_instance: Option<i64>,
    /// Where the proxy listens, e.g. `127.0.0.1:6380`; port 0 picks a free one.
    pub listen: String,
    /// Acknowledge writes only once the standby has them ([`crate::ha::confirm`]).
    pub sync_writes: bool,
    /// When set, clients speak TLS to the proxy, with this certificate and key (and their own
    /// certificates, when it names a client CA). The proxy reaches each instance as the instance
    /// says (TLS when the instance has TLS settings).
    #[serde(default)]
    pub listen_tls: Option<ListenTls>,
    /// A password of the proxy's own that clients must `AUTH` with. `None` (or empty): clients log
    /// in with the servers' own users and passwords, checked by the master ([`crate::ha::auth`]).
    #[serde(default)]
    pub proxy_password: Option<String>,
    /// Sentinel mode: Redis Sentinel decides failovers and the proxy follows ([`crate::ha::follow`]).
    #[serde(default)]
    pub sentinel: Option<SentinelSpec>,
}

/// Whether the master answers the heartbeat, from the pair's latest events.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum MasterHealth {
    Up,
    /// A heartbeat went unanswered; the down window is counting.
    Unreachable,
    /// Declared down; a failover is under way or was refused.
    Down,
    /// Silent to the proxy but its standby is still linked to it: not failed over.
    Suspect,
}

/// Which process runs a pair.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum PairRunner {
    /// This process (the app itself, when the app asks).
    Here,
    /// Another live process (`host/pid/started_ms`), e.g. `ferry standby run` as a service.
    Elsewhere { name: String },
    /// None: the pair is saved but its proxy does not run.
    Stopped,
}

/// How clients connect to a pair's proxy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum ListenSecurity {
    Plain,
    Tls,
    /// TLS, and a client certificate signed by the given CA is required.
    MutualTls,
}

impl ListenSecurity {
    fn of(tls: Option<&ListenTls>) -> Self {
        match tls {
            None => ListenSecurity::Plain,
            Some(tls) if tls.client_ca_file.is_some() => ListenSecurity::MutualTls,
            Some(_) => ListenSecurity::Tls,
        }
    }
}

/// How clients log in to a pair's proxy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum ClientLogin {
    /// With the servers' own users and passwords (the master's ACL decides).
    Servers,
    /// With the proxy's own password.
    ProxyPassword,
}

/// Who decides failovers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum PairMode {
    /// The proxy's own heartbeat.
    Heartbeat,
    /// Redis Sentinel; the proxy follows.
    Sentinel,
}

/// A pair as the UI shows it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct StandbyView {
    /// The saved pair's id.
    pub id: i64,
    pub name: String,
    /// The proxy's address: where clients connect (the configured one while it does not run).
    pub listen: String,
    /// `host:port` of the master now (or when the route last moved), and of the standby.
    pub master: String,
    pub standby: String,
    /// `None` while no process runs the pair.
    pub standby_state: Option<StandbyState>,
    pub master_health: Option<MasterHealth>,
    /// The route's epoch: the number of failovers and switchovers so far.
    pub epoch: u64,
    pub sync_writes: bool,
    /// Whether clients must speak TLS to the proxy, and whether they must present a certificate.
    pub listen_tls: ListenSecurity,
    /// How clients log in to the proxy.
    pub client_login: ClientLogin,
    pub mode: PairMode,
    pub runner: PairRunner,
}

/// One of a pair's events, for the live timeline.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct StandbyEvent {
    pub standby_id: i64,
    pub event: Event,
}

struct Running {
    handle: Arc<HaHandle>,
    /// Forwards events to the store and the console's channel, beats, and takes requests.
    keeper: JoinHandle<()>,
}

/// The pairs this process runs, and the channel of every pair's live events.
pub(crate) struct Standbys {
    running: Arc<Mutex<BTreeMap<i64, Running>>>,
    events: broadcast::Sender<StandbyEvent>,
}

impl Default for Standbys {
    fn default() -> Self {
        let (events, _) = broadcast::channel(1024);
        Standbys { running: Arc::new(Mutex::new(BTreeMap::new())), events }
    }
}

impl Drop for Standbys {
    fn drop(&mut self) {
        if let Ok(running) = self.running.lock() {
            running.values().for_each(|r| r.keeper.abort());
        }
    }
}

fn pair_account(id: i64) -> String {
    format!("pair:{id}")
}

/// The view of a pair this process runs.
fn live_view(pair: &SavedPair, handle: &HaHandle) -> StandbyView {
    let route = handle.route();
    let standby = handle.standby();
    let history = handle.events().history();
    let master_health = history
        .iter()
        .rev()
        .filter(|e| e.epoch == route.epoch)
        .find_map(|e| match e.kind {
            EventKind::MasterUnreachable => Some(MasterHealth::Unreachable),
            EventKind::MarkedDown | EventKind::PromotionRefused => Some(MasterHealth::Down),
            EventKind::Suspect => Some(MasterHealth::Suspect),
            EventKind::MasterRecovered | EventKind::RoutePushed => Some(MasterHealth::Up),
            _ => None,
        })
        .unwrap_or(MasterHealth::Up);
    StandbyView {
        listen: handle.local_addr().to_string(),
        master: route.master.addr(),
        standby: standby.endpoint.addr(),
        standby_state: Some(standby.state),
        master_health: Some(master_health),
        epoch: route.epoch,
        runner: PairRunner::Here,
        ..saved_view(pair, String::new(), String::new())
    }
}

/// The view of a pair from what is saved (no process runs it here).
fn saved_view(pair: &SavedPair, master: String, standby: String) -> StandbyView {
    StandbyView {
        id: pair.id,
        name: pair.name.clone(),
        listen: pair.spec.listen.clone(),
        master,
        standby,
        standby_state: None,
        master_health: None,
        epoch: pair.epoch,
        sync_writes: pair.spec.sync_writes,
        listen_tls: ListenSecurity::of(pair.spec.listen_tls.as_ref()),
        client_login: if pair.spec.has_proxy_password { ClientLogin::ProxyPassword } else { ClientLogin::Servers },
        mode: if pair.spec.sentinel.is_some() { PairMode::Sentinel } else { PairMode::Heartbeat },
        runner: match &pair.runner {
            Some(name) => PairRunner::Elsewhere { name: name.clone() },
            None => PairRunner::Stopped,
        },
    }
}

fn record_of(event: &Event) -> PairEventRecord {
    let kind = serde_json::to_value(event.kind).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default();
    PairEventRecord { at_ms: event.at_ms as i64, kind, epoch: event.epoch, detail: event.detail.clone() }
}

fn event_of(record: PairEventRecord) -> Option<Event> {
    let kind = serde_json::from_value(serde_json::Value::String(record.kind)).ok()?;
    Some(Event { at_ms: record.at_ms as u64, kind, epoch: record.epoch, detail: record.detail })
}

impl Console {
    /// Saves a pair and starts its proxy in this process.
    pub async fn start_standby(&self, input: &StandbyInput) -> Result<StandbyView, ConsoleError> {
        let pair = self.save_standby(input)?;
        match self.run_standby(pair.id).await {
            Ok(view) => Ok(view),
            Err(e) => {
                // A pair that never ran is not kept: the form is the place to correct it.
                let _ = self.remove_standby(pair.id).await;
                Err(e)
            }
        }
    }

    /// Saves a pair (its proxy password in the keychain) without starting it.
    pub fn save_standby(&self, input: &StandbyInput) -> Result<SavedPair, ConsoleError> {
        let name = input.name.trim();
        if name.is_empty() {
            return Err(ConsoleError::Invalid(Text::new(&errors::CONSOLE_PAIR_NEEDS_NAME)));
        }
        let replica_instance = match (&input.sentinel, input.replica_instance) {
            (Some(_), _) => None,
            (None, Some(replica)) if replica == input.master_instance => {
                return Err(ConsoleError::Invalid(Text::new(&errors::CONSOLE_PAIR_SAME_INSTANCES)))
            }
            (None, Some(replica)) => Some(replica),
            (None, None) => return Err(ConsoleError::Invalid(Text::new(&errors::CONSOLE_PAIR_NEEDS_REPLICA))),
        };
        if let Some(spec) = &input.sentinel {
            crate::sentinel::validate(spec).map_err(|e| ConsoleError::Invalid(e.text()))?;
        }
        self.store.instance(input.master_instance)?;
        if let Some(replica) = replica_instance {
            self.store.instance(replica)?;
        }
        let password = input.proxy_password.as_deref().filter(|p| !p.is_empty());
        let spec = PairSpec {
            master_instance: input.master_instance,
            replica_instance,
            listen: input.listen.trim().to_string(),
            sync_writes: input.sync_writes,
            listen_tls: input.listen_tls.clone(),
            sentinel: input.sentinel.clone(),
            has_proxy_password: password.is_some(),
        };
        let pair = self.store.add_pair(name, &spec)?;
        if let Some(password) = password {
            if let Err(e) = self.keep_secret(&pair_account(pair.id), password) {
                let _ = self.store.remove_pair(pair.id);
                return Err(e);
            }
        }
        Ok(pair)
    }

    /// Runs a saved pair's proxy in this process until [`Console::stop_standby`] (or the process
    /// ends): refused while another live process runs it.
    pub async fn run_standby(&self, id: i64) -> Result<StandbyView, ConsoleError> {
        let pair = self.store.pair(id)?;
        if let Some(view) = self.running_view(&pair) {
            return Ok(view);
        }
        if !self.store.claim_pair(id, &self.owner)? {
            let runner = self.store.pair(id)?.runner.unwrap_or_default();
            return Err(ConsoleError::Standby(
                Text::new(&errors::CONSOLE_PAIR_RUN_ELSEWHERE)
                    .arg("name", format!("{:?}", pair.name))
                    .arg("runner", runner),
            ));
        }
        let started = self.start_proxy(&pair).await;
        let handle = match started {
            Ok(handle) => Arc::new(handle),
            Err(e) => {
                let _ = self.store.release_pair(id, &self.owner);
                return Err(e);
            }
        };
        let keeper = tokio::spawn(keep(
            self.store.clone(),
            self.owner.clone(),
            pair.clone(),
            handle.clone(),
            self.standbys.events.clone(),
            self.standbys.running.clone(),
        ));
        let view = live_view(&pair, &handle);
        self.standbys.running.lock().map_err(|_| poisoned())?.insert(id, Running { handle, keeper });
        Ok(view)
    }

    async fn start_proxy(&self, pair: &SavedPair) -> Result<HaHandle, ConsoleError> {
        let master = self.instance_endpoint(&self.store.instance(pair.spec.master_instance)?)?;
        let replica = match pair.spec.replica_instance {
            Some(replica) => self.instance_endpoint(&self.store.instance(replica)?)?,
            None => master.clone(),
        };
        let mut options = HaOptions::new(master, replica);
        options.listen = pair.spec.listen.clone();
        options.sync_writes = pair.spec.sync_writes.then_some(Duration::from_secs(1));
        options.listen_tls = pair.spec.listen_tls.clone();
        options.sentinel = pair.spec.sentinel.clone();
        options.start_epoch = pair.epoch;
        if pair.spec.has_proxy_password {
            options.proxy_password = self.recall_secret(&pair_account(pair.id))?;
            if options.proxy_password.is_none() {
                let what = Text::new(&errors::CONSOLE_PASSWORD_OF_PAIR).arg("name", format!("{:?}", pair.name));
                return Err(ConsoleError::MissingPassword { what });
            }
        }
        ha::start(options).await.map_err(|e| ConsoleError::Standby(e.text()))
    }

    fn running_view(&self, pair: &SavedPair) -> Option<StandbyView> {
        let running = self.standbys.running.lock().ok()?;
        running.get(&pair.id).map(|r| live_view(pair, &r.handle))
    }

    /// Every saved pair, whichever process runs it (or none).
    pub fn standbys(&self) -> Result<Vec<StandbyView>, ConsoleError> {
        self.store.pairs()?.iter().map(|pair| self.view(pair)).collect()
    }

    /// A saved pair's id from its name (or its id written as a number).
    pub fn find_standby(&self, name_or_id: &str) -> Result<i64, ConsoleError> {
        Ok(self.store.find_pair(name_or_id)?.id)
    }

    pub fn standby(&self, id: i64) -> Result<StandbyView, ConsoleError> {
        self.view(&self.store.pair(id)?)
    }

    fn view(&self, pair: &SavedPair) -> Result<StandbyView, ConsoleError> {
        if let Some(view) = self.running_view(pair) {
            return Ok(view);
        }
        if pair.runner.is_some() {
            // Run elsewhere: that process's latest status, under the saved pair's name and runner.
            let status = self.store.pair_status(pair.id)?;
            if let Some(mut view) = status.and_then(|json| serde_json::from_str::<StandbyView>(&json).ok()) {
                // The route is saved the moment it moves; the status only at the next beat.
                if pair.epoch > view.epoch {
                    view.epoch = pair.epoch;
                    view.master = pair.master.clone().unwrap_or(view.master);
                }
                let runner = saved_view(pair, String::new(), String::new()).runner;
                return Ok(StandbyView { id: pair.id, name: pair.name.clone(), runner, ..view });
            }
        }
        let address = |id: Option<i64>| {
            id.and_then(|id| self.store.instance(id).ok()).map(|i| format!("{}:{}", i.host, i.port)).unwrap_or_default()
        };
        let master = pair.master.clone().unwrap_or_else(|| address(Some(pair.spec.master_instance)));
        let replica = address(pair.spec.replica_instance);
        let standby = if replica == master { address(Some(pair.spec.master_instance)) } else { replica };
        Ok(saved_view(pair, master, standby))
    }

    /// How many pairs this process runs (the app asks before quitting while it runs any).
    pub fn standbys_running_here(&self) -> usize {
        self.standbys.running.lock().map(|r| r.len()).unwrap_or(0)
    }

    /// A pair's event history, oldest first (bounded).
    pub fn standby_events(&self, id: i64) -> Result<Vec<Event>, ConsoleError> {
        if let Some(handle) = self.handle(id) {
            return Ok(handle.events().history());
        }
        Ok(self.store.pair_events(id)?.into_iter().filter_map(event_of).collect())
    }

    /// Live events of every pair this process runs.
    pub fn subscribe_standbys(&self) -> broadcast::Receiver<StandbyEvent> {
        self.standbys.events.subscribe()
    }

    /// A planned switchover: roles swap, no write is lost; or nothing changes and the error says why.
    /// A pair run by another process is asked through the store, and its result waited for.
    pub async fn switchover(&self, id: i64) -> Result<StandbyView, ConsoleError> {
        if let Some(handle) = self.handle(id) {
            handle.switchover().await.map_err(|reason| {
                ConsoleError::Standby(Text::new(&errors::CONSOLE_NO_SWITCHOVER).arg("reason", reason))
            })?;
            return self.standby(id);
        }
        let pair = self.store.pair(id)?;
        let Some(runner) = pair.runner.clone() else {
            return Err(ConsoleError::Standby(
                Text::new(&errors::CONSOLE_PAIR_NOT_RUNNING).arg("name", format!("{:?}", pair.name)),
            ));
        };
        self.store.request_pair(id, "switchover")?;
        let deadline = tokio::time::Instant::now() + REMOTE_WAIT;
        while tokio::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(200)).await;
            if self.store.pair(id)?.epoch > pair.epoch {
                return self.standby(id);
            }
        }
        Err(ConsoleError::Standby(
            Text::new(&errors::CONSOLE_SWITCHOVER_NOT_MOVED)
                .arg("runner", runner)
                .arg("name", format!("{:?}", pair.name))
                .arg("secs", REMOTE_WAIT.as_secs()),
        ))
    }

    /// Stops a pair's proxy (its clients are disconnected); the servers keep their roles and the
    /// pair stays saved. A pair run by another process is asked to stop.
    pub async fn stop_standby(&self, id: i64) -> Result<(), ConsoleError> {
        let running = self.standbys.running.lock().map_err(|_| poisoned())?.remove(&id);
        if let Some(running) = running {
            running.keeper.abort();
            let _ = running.keeper.await;
            if let Ok(handle) = Arc::try_unwrap(running.handle) {
                handle.shutdown().await;
            }
            self.store.release_pair(id, &self.owner)?;
            return Ok(());
        }
        let pair = self.store.pair(id)?;
        let Some(runner) = pair.runner else { return Ok(()) };
        self.store.request_pair(id, "stop")?;
        let deadline = tokio::time::Instant::now() + REMOTE_WAIT;
        while tokio::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(200)).await;
            if self.store.pair(id)?.runner.is_none() {
                return Ok(());
            }
        }
        Err(ConsoleError::Standby(
            Text::new(&errors::CONSOLE_PAIR_STILL_RUNS)
                .arg("runner", runner)
                .arg("name", format!("{:?}", pair.name))
                .arg("secs", REMOTE_WAIT.as_secs())
                .arg("service", &pair.name),
        ))
    }

    /// Stops every pair this process runs (the app's exit).
    pub async fn stop_standbys_here(&self) {
        let ids: Vec<i64> = self.standbys.running.lock().map(|r| r.keys().copied().collect()).unwrap_or_default();
        for id in ids {
            let _ = self.stop_standby(id).await;
        }
    }

    /// Forgets a saved pair; it must not run anywhere.
    pub async fn remove_standby(&self, id: i64) -> Result<(), ConsoleError> {
        let pair = self.store.pair(id)?;
        if self.handle(id).is_some() {
            self.stop_standby(id).await?;
        } else if let Some(runner) = pair.runner {
            return Err(ConsoleError::Standby(
                Text::new(&errors::CONSOLE_PAIR_RUN_BY).arg("name", format!("{:?}", pair.name)).arg("runner", runner),
            ));
        }
        if pair.spec.has_proxy_password {
            self.forget_secret(&pair_account(id))?;
        }
        Ok(self.store.remove_pair(id)?)
    }

    fn handle(&self, id: i64) -> Option<Arc<HaHandle>> {
        let running = self.standbys.running.lock().ok()?;
        running.get(&id).map(|r| r.handle.clone())
    }
}

/// What the process that runs a pair does besides the proxy: writes every event down (and passes
/// it on), saves the route when it moves, writes its status every second, and carries out requests
/// from other processes. A stop request or a lost lease stops the proxy (it leaves `running`).
async fn keep(
    store: Arc<crate::store::Store>,
    owner: String,
    pair: SavedPair,
    handle: Arc<HaHandle>,
    channel: broadcast::Sender<StandbyEvent>,
    running: Arc<Mutex<BTreeMap<i64, Running>>>,
) {
    let stop_here = |running: &Mutex<BTreeMap<i64, Running>>| {
        // Dropping the last handle stops the proxy, its heartbeat and its sessions.
        let removed = running.lock().ok().and_then(|mut r| r.remove(&pair.id));
        drop(removed);
    };
    let mut events = handle.events().subscribe();
    for event in handle.events().history() {
        let _ = store.add_pair_event(pair.id, &record_of(&event));
    }
    let mut beat = tokio::time::interval(BEAT_EVERY);
    loop {
        tokio::select! {
            event = events.recv() => match event {
                Ok(event) => {
                    if event.kind == EventKind::RoutePushed || event.kind == EventKind::SwitchoverDone {
                        let route = handle.route();
                        let _ = store.save_route(pair.id, route.epoch, &route.master.addr());
                    }
                    let _ = store.add_pair_event(pair.id, &record_of(&event));
                    let _ = channel.send(StandbyEvent { standby_id: pair.id, event });
                }
                Err(broadcast::error::RecvError::Lagged(_)) => continue,
                Err(broadcast::error::RecvError::Closed) => return,
            },
            _ = beat.tick() => {
                let status = serde_json::to_string(&live_view(&pair, &handle)).unwrap_or_default();
                if let Err(e) = store.heartbeat_pair(pair.id, &owner, &status) {
                    tracing::warn!(pair = %pair.name, error = %e, "the hot-standby pair's lease is lost; its proxy stops");
                    stop_here(&running);
                    return;
                }
                while let Ok(Some(action)) = store.take_pair_request(pair.id) {
                    match action.as_str() {
                        "switchover" => {
                            if let Err(reason) = handle.switchover().await {
                                tracing::info!(pair = %pair.name, %reason, "a requested switchover did not happen");
                            }
                        }
                        "stop" => {
                            stop_here(&running);
                            let _ = store.release_pair(pair.id, &owner);
                            return;
                        }
                        other => tracing::warn!(pair = %pair.name, action = other, "unknown request to a hot-standby pair"),
                    }
                }
            }
        }
    }
}

fn poisoned() -> ConsoleError {
    ConsoleError::Standby(Text::new(&errors::CONSOLE_PAIRS_UNAVAILABLE))
}
