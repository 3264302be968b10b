//! Hot-standby pairs run by this process: the console's face of [`crate::ha`].
//!
//! A pair is two registered instances, a master and its replica, behind an access proxy that this
//! process runs. It lives as long as the process (the proxy is a listener, not a record), so it is
//! kept in memory, not in the store. Its events are broadcast on their own channel
//! ([`Console::subscribe_standbys`]) and kept in the pair's bounded history.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU32, Ordering};
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

/// A pair to start, as the form gives it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct StandbyInput {
    pub name: String,
    /// The registered instance that is master now.
    pub master_instance: i64,
    /// The registered instance replicating from it, promoted when the master fails.
    pub replica_instance: i64,
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
}

/// Whether the master answers the heartbeat, from the pair's latest events.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
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

/// A running pair as the UI shows it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct StandbyView {
    pub id: u32,
    pub name: String,
    /// The proxy's address: where clients connect.
    pub listen: String,
    /// `host:port` of the master now, and of the standby.
    pub master: String,
    pub standby: String,
    pub standby_state: StandbyState,
    pub master_health: MasterHealth,
    /// The route's epoch: the number of failovers and switchovers so far.
    pub epoch: u64,
    pub sync_writes: bool,
    /// Whether clients must speak TLS to the proxy, and whether they must present a certificate.
    pub listen_tls: ListenSecurity,
    /// How clients log in to the proxy.
    pub client_login: ClientLogin,
}

/// How clients log in to a pair's proxy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum ClientLogin {
    /// With the servers' own users and passwords (the master's ACL decides).
    Servers,
    /// With the proxy's own password.
    ProxyPassword,
}

/// How clients connect to a pair's proxy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
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

/// One of a pair's events, for the live timeline.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct StandbyEvent {
    pub standby_id: u32,
    pub event: Event,
}

struct Running {
    name: String,
    sync_writes: bool,
    listen_tls: ListenSecurity,
    client_login: ClientLogin,
    handle: Arc<HaHandle>,
    forward: JoinHandle<()>,
}

/// The pairs this process runs.
pub(crate) struct Standbys {
    running: Mutex<BTreeMap<u32, Running>>,
    next_id: AtomicU32,
    events: broadcast::Sender<StandbyEvent>,
}

impl Default for Standbys {
    fn default() -> Self {
        let (events, _) = broadcast::channel(1024);
        Standbys { running: Mutex::new(BTreeMap::new()), next_id: AtomicU32::new(1), events }
    }
}

impl Drop for Standbys {
    fn drop(&mut self) {
        if let Ok(running) = self.running.get_mut() {
            running.values().for_each(|r| r.forward.abort());
        }
    }
}

fn view(id: u32, running: &Running) -> StandbyView {
    let route = running.handle.route();
    let standby = running.handle.standby();
    let history = running.handle.events().history();
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
        id,
        name: running.name.clone(),
        listen: running.handle.local_addr().to_string(),
        master: route.master.addr(),
        standby: standby.endpoint.addr(),
        standby_state: standby.state,
        master_health,
        epoch: route.epoch,
        sync_writes: running.sync_writes,
        listen_tls: running.listen_tls,
        client_login: running.client_login,
    }
}

impl Console {
    /// Starts an access proxy with a heartbeat and automatic failover over two registered instances.
    pub async fn start_standby(&self, input: &StandbyInput) -> Result<StandbyView, ConsoleError> {
        let name = input.name.trim();
        if name.is_empty() {
            return Err(ConsoleError::Invalid("the hot-standby pair needs a name".into()));
        }
        if input.master_instance == input.replica_instance {
            return Err(ConsoleError::Invalid("choose two different instances for the master and the replica".into()));
        }
        let master = self.instance_endpoint(&self.store.instance(input.master_instance)?)?;
        let replica = self.instance_endpoint(&self.store.instance(input.replica_instance)?)?;
        let mut options = HaOptions::new(master, replica);
        options.listen = input.listen.clone();
        options.sync_writes = input.sync_writes.then_some(Duration::from_secs(1));
        options.listen_tls = input.listen_tls.clone();
        options.proxy_password = input.proxy_password.clone().filter(|p| !p.is_empty());
        let client_login =
            if options.proxy_password.is_some() { ClientLogin::ProxyPassword } else { ClientLogin::Servers };
        let handle = Arc::new(ha::start(options).await.map_err(|e| ConsoleError::Standby(e.to_string()))?);
        let id = self.standbys.next_id.fetch_add(1, Ordering::SeqCst);
        let forward = {
            let (mut rx, tx) = (handle.events().subscribe(), self.standbys.events.clone());
            tokio::spawn(async move {
                loop {
                    match rx.recv().await {
                        Ok(event) => {
                            let _ = tx.send(StandbyEvent { standby_id: id, event });
                        }
                        Err(broadcast::error::RecvError::Lagged(_)) => continue,
                        Err(broadcast::error::RecvError::Closed) => return,
                    }
                }
            })
        };
        let running = Running {
            name: name.to_string(),
            sync_writes: input.sync_writes,
            listen_tls: ListenSecurity::of(input.listen_tls.as_ref()),
            client_login,
            handle,
            forward,
        };
        let view = view(id, &running);
        self.standbys.running.lock().map_err(|_| poisoned())?.insert(id, running);
        Ok(view)
    }

    /// The pairs running in this process.
    pub fn standbys(&self) -> Vec<StandbyView> {
        let running = self.standbys.running.lock();
        running.map(|r| r.iter().map(|(id, r)| view(*id, r)).collect()).unwrap_or_default()
    }

    pub fn standby(&self, id: u32) -> Result<StandbyView, ConsoleError> {
        let running = self.standbys.running.lock().map_err(|_| poisoned())?;
        running.get(&id).map(|r| view(id, r)).ok_or_else(|| not_found(id))
    }

    /// A pair's event history, oldest first (bounded).
    pub fn standby_events(&self, id: u32) -> Result<Vec<Event>, ConsoleError> {
        Ok(self.handle(id)?.events().history())
    }

    /// Live events of every pair.
    pub fn subscribe_standbys(&self) -> broadcast::Receiver<StandbyEvent> {
        self.standbys.events.subscribe()
    }

    /// A planned switchover: roles swap, no write is lost; or nothing changes and the error says why.
    pub async fn switchover(&self, id: u32) -> Result<StandbyView, ConsoleError> {
        let handle = self.handle(id)?;
        handle.switchover().await.map_err(|reason| ConsoleError::Standby(format!("no switchover: {reason}")))?;
        self.standby(id)
    }

    /// Stops a pair's proxy (its clients are disconnected); the servers keep their roles.
    pub async fn stop_standby(&self, id: u32) -> Result<(), ConsoleError> {
        let running = self.standbys.running.lock().map_err(|_| poisoned())?.remove(&id).ok_or_else(|| not_found(id))?;
        running.forward.abort();
        if let Ok(handle) = Arc::try_unwrap(running.handle) {
            handle.shutdown().await;
        }
        Ok(())
    }

    fn handle(&self, id: u32) -> Result<Arc<HaHandle>, ConsoleError> {
        let running = self.standbys.running.lock().map_err(|_| poisoned())?;
        running.get(&id).map(|r| r.handle.clone()).ok_or_else(|| not_found(id))
    }
}

fn not_found(id: u32) -> ConsoleError {
    ConsoleError::Standby(format!("no hot-standby pair {id} runs in this process; start it again"))
}

fn poisoned() -> ConsoleError {
    ConsoleError::Standby("the list of hot-standby pairs is unavailable after an internal error; restart Ferry".into())
}
