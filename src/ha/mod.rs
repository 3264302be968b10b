//! Hot standby: an access proxy in front of a master and its replica, a heartbeat on the master, and
//! automatic failover to the replica.
//!
//! The pieces follow the design in the seed document: clients talk to the access layer ([`proxy`]);
//! a [`heartbeat`] detects that the master is gone; the routing system ([`router`]) promotes the
//! replica and pushes the new route; the proxy's sessions move to it. Every step is an [`events`]
//! entry, so a failover can be timed and explained afterwards.
//!
//! The [`supervisor`] owns the roles: after a failover the old master, when it returns, is fenced as a
//! replica of the new one ([`standby`]) and becomes the next standby, so the pair re-arms itself. A
//! [`switchover`] swaps the roles on request without losing a write. In sync-writes mode the proxy
//! acknowledges a write only once the replica has it ([`commands`] says which commands write).

pub mod auth;
mod backend;
pub mod commands;
pub mod confirm;
pub mod conn;
pub mod events;
pub mod follow;
pub mod heartbeat;
pub mod proxy;
mod replies;
pub mod roles;
pub mod router;
mod session;
pub mod standby;
pub mod supervisor;
pub mod switchover;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::{mpsc, oneshot, watch};
use tokio::task::JoinHandle;

use crate::endpoint::{Endpoint, ListenTls, Secret};
use crate::model::SentinelSpec;
use crate::text::catalog::errors;
use crate::text::catalog::ha as msg;
use crate::text::Text;
use auth::ClientAuth;
use events::EventLog;
use heartbeat::HeartbeatConfig;
use proxy::{OutputLimits, ProxyShared};
use router::{PromotionPolicy, Route, Router};
use supervisor::{Request, Standby, StandbyState, Supervisor};

/// How the hot standby runs.
#[derive(Clone, Debug)]
pub struct HaOptions {
    /// Where the proxy listens, e.g. `127.0.0.1:6380`; port 0 picks a free one (see
    /// [`HaHandle::local_addr`]).
    pub listen: String,
    /// The master at start, with the credentials the proxy logs in with.
    pub master: Endpoint,
    /// The replica to promote, with its credentials.
    pub replica: Endpoint,
    /// How often the heartbeat PINGs the master.
    pub heartbeat: Duration,
    /// How long without a valid reply before the master is declared down. A stall shorter than this
    /// causes no failover; a longer window is more tolerant and slower to fail over.
    pub down_after: Duration,
    /// Refuse to promote a replica whose link to the master has been down longer than this.
    pub max_replica_lag_secs: u64,
    /// Promote a stale or never-synced replica anyway (its missing writes are lost).
    pub allow_stale_promotion: bool,
    /// When set, clients must `AUTH` to the proxy with this password, and sessions reach the master
    /// with the pair's credentials. Unset, clients log in with the servers' own users and passwords
    /// ([`auth`]).
    pub proxy_password: Option<String>,
    /// Sync-writes mode: a write is acknowledged only once the standby (this pair's, not any other
    /// replica) has it, within this time; otherwise the client gets `-UNCERTAIN` (the write ran but
    /// is not safe). See [`confirm`].
    pub sync_writes: Option<Duration>,
    /// When set, clients speak TLS to the proxy, with this certificate (and, when it names a client
    /// CA, their own certificates).
    pub listen_tls: Option<ListenTls>,
    /// How many bytes of replies a client may leave unread before it is disconnected.
    pub output_limits: OutputLimits,
    /// Sentinel mode ([`follow`]): Redis Sentinel decides failovers and the proxy routes to the
    /// master the Sentinels name; `master` then gives only the credentials and TLS settings for
    /// whichever server that is, and `replica` is not used. No heartbeat, promotion or fencing of
    /// the proxy's own runs.
    pub sentinel: Option<SentinelSpec>,
    /// The route epoch to continue from (a saved pair's, so that epochs only grow across restarts).
    pub start_epoch: u64,
}

impl HaOptions {
    /// The defaults: listen on a free loopback port, heartbeat every 100 ms, down after 1000 ms,
    /// promote a replica whose link has been down for at most 10 s, no proxy password.
    pub fn new(master: Endpoint, replica: Endpoint) -> Self {
        HaOptions {
            listen: "127.0.0.1:0".into(),
            master,
            replica,
            heartbeat: Duration::from_millis(100),
            down_after: Duration::from_millis(1000),
            max_replica_lag_secs: 10,
            allow_stale_promotion: false,
            proxy_password: None,
            sync_writes: None,
            listen_tls: None,
            output_limits: OutputLimits::default(),
            sentinel: None,
            start_epoch: 0,
        }
    }
}

/// Why the hot standby did not start.
#[derive(Debug, thiserror::Error)]
pub enum HaError {
    #[error("{}", self.text())]
    Listen { addr: String, source: std::io::Error },
    /// What is wrong with the options (`error.ha.invalid.*`).
    #[error("{}", self.text())]
    Invalid(Text),
    #[error("{}", self.text())]
    Tls(#[from] crate::transport::TlsError),
    #[error(transparent)]
    Exposed(#[from] auth::ExposureError),
    #[error(transparent)]
    Roles(#[from] roles::RoleError),
    #[error(transparent)]
    Sentinel(#[from] crate::sentinel::SentinelError),
}

impl HaError {
    /// The sentence as a catalog code, for the console to show in the user's language; `Display`
    /// is its English.
    pub fn text(&self) -> Text {
        match self {
            HaError::Listen { addr, source } => {
                Text::new(&errors::HA_LISTEN).arg("addr", addr).arg("error", Text::raw(source.to_string()))
            }
            HaError::Invalid(why) => Text::new(&errors::HA_INVALID).arg("why", why.clone()),
            HaError::Tls(e) => Text::new(&errors::HA_TLS).arg("why", e.text()),
            HaError::Exposed(e) => e.text(),
            HaError::Roles(e) => e.text(),
            HaError::Sentinel(e) => e.text(),
        }
    }
}

/// A running hot standby. Dropping it stops everything, like [`HaHandle::shutdown`] without waiting.
pub struct HaHandle {
    local_addr: SocketAddr,
    router: Arc<Router>,
    events: Arc<EventLog>,
    standby: watch::Receiver<Standby>,
    requests: mpsc::Sender<Request>,
    tasks: Vec<JoinHandle<()>>,
}

impl HaHandle {
    /// The address the proxy listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// The route now: epoch 0 is the starting master, each failover adds one.
    pub fn route(&self) -> Route {
        self.router.current()
    }

    /// A receiver that sees every route change.
    pub fn routes(&self) -> watch::Receiver<Route> {
        self.router.subscribe()
    }

    /// The event history and the live channel.
    pub fn events(&self) -> &EventLog {
        &self.events
    }

    /// The standby now and its condition.
    pub fn standby(&self) -> Standby {
        self.standby.borrow().clone()
    }

    /// A receiver that sees every change of standby or of its condition.
    pub fn standbys(&self) -> watch::Receiver<Standby> {
        self.standby.clone()
    }

    /// A planned switchover: holds writes, waits until the standby has the whole stream, swaps the
    /// roles and moves the route, losing nothing. Returns the new epoch, or why nothing changed.
    pub async fn switchover(&self) -> Result<u64, Text> {
        let (reply, answer) = oneshot::channel();
        let stopped = || Text::new(&msg::STOPPED);
        self.requests.send(Request::Switchover(reply)).await.map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())?
    }

    /// Stops the heartbeat, the router and the proxy (closing every client session) and waits.
    pub async fn shutdown(mut self) {
        for task in &self.tasks {
            task.abort();
        }
        for task in self.tasks.drain(..) {
            let _ = task.await;
        }
    }
}

impl Drop for HaHandle {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}

/// Starts the proxy and the heartbeat; failover happens on its own when the master goes down.
pub async fn start(options: HaOptions) -> Result<HaHandle, HaError> {
    if options.heartbeat.is_zero() || options.down_after < options.heartbeat {
        return Err(HaError::Invalid(
            Text::new(&errors::HA_BAD_HEARTBEAT)
                .arg("heartbeat", options.heartbeat.as_millis().to_string())
                .arg("down_after", options.down_after.as_millis().to_string()),
        ));
    }
    if options.sentinel.is_none() && options.master.addr() == options.replica.addr() {
        let same = Text::new(&errors::HA_SAME_SERVER).arg("server", options.master.to_string());
        return Err(HaError::Invalid(same));
    }
    let acceptor = options.listen_tls.as_ref().map(crate::transport::Acceptor::new).transpose()?;
    let listen_error = |source| HaError::Listen { addr: options.listen.clone(), source };
    let listener = TcpListener::bind(&options.listen).await.map_err(listen_error)?;
    let local_addr = listener.local_addr().map_err(listen_error)?;
    let client_auth = match options.proxy_password.clone().filter(|p| !p.is_empty()) {
        Some(password) => ClientAuth::Password(Secret::new(password)),
        None => ClientAuth::Servers,
    };
    let events = Arc::new(EventLog::new());
    let start = match &options.sentinel {
        // The Sentinels name the master; they, not the proxy, fail over and fence.
        Some(spec) => {
            let master = crate::sentinel::locate(spec, &options.master).await?;
            let said =
                Text::new(&msg::SENTINEL_AT_START).arg("master", master.to_string()).arg("name", &spec.master_name);
            roles::Start { master: master.clone(), standby: master, fence_standby: false, said }
        }
        None => roles::at_start(&options.master, &options.replica).await?,
    };
    auth::check_exposure(local_addr, &client_auth, [&start.master, &start.standby]).await?;
    events.record(events::EventKind::RolesChecked, options.start_epoch, start.said.clone());
    let router = Arc::new(Router::starting_at(start.master.clone(), options.start_epoch));
    let state = if start.fence_standby { StandbyState::Unfenced } else { StandbyState::Syncing };
    let (standby_tx, standby) = watch::channel(Standby { endpoint: start.standby.clone(), state });
    let mut tasks = Vec::new();
    let confirmer = options.sync_writes.map(|timeout| {
        let (confirmer, task) = confirm::Confirmer::start(timeout, router.subscribe(), standby.clone());
        tasks.push(task);
        confirmer
    });
    let shared = Arc::new(ProxyShared::new(events.clone(), client_auth, confirmer, options.output_limits));
    // Requests served under the epoch a saved pair continues from are no failover's first.
    shared.served_epoch.store(options.start_epoch, std::sync::atomic::Ordering::SeqCst);
    tasks.push(tokio::spawn(session::serve(listener, acceptor, router.subscribe(), shared.clone())));

    let config = HeartbeatConfig { interval: options.heartbeat, down_after: options.down_after };
    let policy = PromotionPolicy {
        max_replica_lag_secs: options.max_replica_lag_secs,
        allow_stale_promotion: options.allow_stale_promotion,
    };
    let (requests, requests_rx) = mpsc::channel(4);
    if let Some(spec) = options.sentinel.clone() {
        let follower = follow::follow(spec, options.master.clone(), router.clone(), events.clone(), standby_tx);
        tasks.push(tokio::spawn(follower));
        tasks.push(tokio::spawn(refuse_switchovers(requests_rx)));
        return Ok(HaHandle { local_addr, router, events, standby, requests, tasks });
    }
    let supervisor = Supervisor {
        router: router.clone(),
        events: events.clone(),
        shared,
        heartbeat: config,
        policy,
        standby: standby_tx,
    };
    tasks.push(tokio::spawn(supervisor.run(requests_rx)));
    Ok(HaHandle { local_addr, router, events, standby, requests, tasks })
}

/// In Sentinel mode a switchover is Sentinel's to make: the request is answered with how.
async fn refuse_switchovers(mut requests: mpsc::Receiver<Request>) {
    while let Some(Request::Switchover(reply)) = requests.recv().await {
        let _ = reply.send(Err(Text::new(&msg::SWITCHOVER_BY_SENTINEL)));
    }
}
