//! The supervisor: one loop that owns the pair's roles.
//!
//! Per route epoch it runs the master's heartbeat, arms the standby (fencing it first when it is the
//! old master coming back), and takes planned-switchover requests. When the master is declared down
//! it fails over to the standby, and the old master becomes the standby-to-be: the pair re-arms
//! itself, so a second failure is survived like the first. Only this loop changes roles, so a
//! failover and a switchover can never run at once.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{mpsc, oneshot, watch};

use super::events::{EventKind, EventLog};
use super::heartbeat::{self, Down, HeartbeatConfig};
use super::proxy::ProxyShared;
use super::router::{PromotionPolicy, Router};
use super::standby;
use super::switchover::switchover;
use crate::endpoint::Endpoint;
use crate::text::catalog::ha as msg;
use crate::text::Text;

pub use super::standby::{Standby, StandbyState};

/// A request from the handle.
pub enum Request {
    Switchover(oneshot::Sender<Result<u64, Text>>),
}

pub struct Supervisor {
    pub router: Arc<Router>,
    pub events: Arc<EventLog>,
    pub shared: Arc<ProxyShared>,
    pub heartbeat: HeartbeatConfig,
    pub policy: PromotionPolicy,
    pub standby: watch::Sender<Standby>,
}

impl Supervisor {
    /// Runs until the task is aborted or every handle is gone.
    pub async fn run(self, mut requests: mpsc::Receiver<Request>) {
        loop {
            let route = self.router.current();
            let current = self.standby.borrow().clone();
            let heartbeat = heartbeat::watch_until_down(&route.master, self.heartbeat, route.epoch, &self.events);
            tokio::pin!(heartbeat);
            let fence_first = current.state == StandbyState::Unfenced;
            let arming =
                standby::arm(current.endpoint.clone(), route.master.clone(), fence_first, route.epoch, &self.events);
            tokio::pin!(arming);
            let mut state = current.state;
            loop {
                tokio::select! {
                    down = &mut heartbeat => {
                        self.fail_over(&route.master, state, down).await;
                        break;
                    }
                    () = &mut arming, if state != StandbyState::Ready => {
                        state = StandbyState::Ready;
                        self.set_standby(current.endpoint.clone(), state);
                    }
                    request = requests.recv() => match request {
                        None => return,
                        Some(Request::Switchover(reply)) => {
                            let result = if state == StandbyState::Ready {
                                switchover(&self.router, &self.shared, &current.endpoint, &self.events).await
                            } else {
                                Err(not_ready(&current.endpoint, state))
                            };
                            match &result {
                                // The old master was fenced as part of the switchover; it resyncs.
                                Ok(_) => self.set_standby(route.master.clone(), StandbyState::Syncing),
                                // Whatever failed is looked at again before the next attempt.
                                Err(_) => self.set_standby(current.endpoint.clone(), StandbyState::Syncing),
                            }
                            let _ = reply.send(result);
                            // The heartbeat was not polled meanwhile: start it afresh, or its clock
                            // would count the switchover as silence.
                            break;
                        }
                    },
                }
            }
        }
    }

    /// The master is down: promote the standby if it may be (and, when the master only went silent,
    /// if the standby agrees it is gone), and make the old master the next standby.
    async fn fail_over(&self, master: &Endpoint, state: StandbyState, down: Down) {
        let standby = self.standby.borrow().endpoint.clone();
        let epoch = self.router.current().epoch;
        if state == StandbyState::Unfenced {
            let detail = Text::new(&msg::OLD_MASTER_NOT_REJOINED).arg("standby", standby.to_string());
            self.events.record(EventKind::PromotionRefused, epoch, detail);
        } else {
            let must_agree = down == Down::Silent;
            if let Ok(done) = self.router.fail_over(master, &standby, must_agree, self.policy, &self.events).await {
                let state = if done.fenced { StandbyState::Syncing } else { StandbyState::Unfenced };
                self.set_standby(master.clone(), state);
                return;
            }
        }
        // No failover: watch the same master again after a pause (it may come back), without
        // flooding the history with one refusal per heartbeat.
        tokio::time::sleep(self.heartbeat.down_after.max(Duration::from_millis(500))).await;
    }

    fn set_standby(&self, endpoint: Endpoint, state: StandbyState) {
        self.standby.send_replace(Standby { endpoint, state });
    }
}

/// Why a switchover is refused while the standby is not ready (`state` is never `Ready` here).
fn not_ready(standby: &Endpoint, state: StandbyState) -> Text {
    let state = match state {
        StandbyState::Unfenced => &msg::STANDBY_UNFENCED,
        StandbyState::Syncing | StandbyState::Ready => &msg::STANDBY_SYNCING,
    };
    Text::new(&msg::NOT_READY).arg("standby", standby.to_string()).arg("state", Text::new(state))
}
