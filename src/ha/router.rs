//! The route: which server is the master now, under which epoch.
//!
//! It lives in a `watch` channel so that every client session sees a change at once and always the
//! latest one. The epoch only moves forward; a session compares it with the epoch of its backend
//! connection to know that it must move. Promotion happens before publication: the proxy must never
//! route writes to a server that still thinks it is a replica (it would answer `-READONLY`).

use std::time::Duration;

use tokio::sync::watch;

use super::events::{EventKind, EventLog};
use crate::client::{info_field, Client};
use crate::endpoint::Endpoint;
use crate::text::catalog::ha as msg;
use crate::text::Text;

/// How long each step of a promotion may take.
const PROMOTE_TIMEOUT: Duration = Duration::from_secs(2);
/// How long a failover tries to fence the old master before moving the route without it (a dead
/// master refuses at once; a frozen one would hold the failover for as long as it is given).
const FENCE_AT_FAILOVER: Duration = Duration::from_millis(300);

/// A failover done.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FailedOver {
    pub epoch: u64,
    /// The old master answered and was made a replica of the new one before the route moved.
    pub fenced: bool,
}

/// Why a failover did not happen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NoFailover {
    /// The standby is still linked to the master: only the proxy lost it.
    Suspect,
    /// The standby could not or must not be promoted; why.
    Refused(Text),
}

/// Where writes go.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Route {
    pub epoch: u64,
    pub master: Endpoint,
    /// A planned switchover is draining the master: sessions hold new commands (and keep reading the
    /// replies they are owed) until the route moves or the pause is lifted.
    pub paused: bool,
}

/// When a replica may be promoted.
#[derive(Clone, Copy, Debug)]
pub struct PromotionPolicy {
    /// The replica's link to the master must have been down for at most this long.
    pub max_replica_lag_secs: u64,
    /// Promote even a replica that is too far behind, or never synced (its data may be old or empty).
    pub allow_stale_promotion: bool,
}

/// Owns the route and publishes changes.
pub struct Router {
    tx: watch::Sender<Route>,
}

impl Router {
    /// A router whose epoch-0 route points at `master`.
    pub fn new(master: Endpoint) -> Self {
        Self::starting_at(master, 0)
    }

    /// A router that continues from `epoch` (a saved pair started again).
    pub fn starting_at(master: Endpoint, epoch: u64) -> Self {
        let (tx, _) = watch::channel(Route { epoch, master, paused: false });
        Router { tx }
    }

    /// A receiver for sessions and observers.
    pub fn subscribe(&self) -> watch::Receiver<Route> {
        self.tx.subscribe()
    }

    /// The route now.
    pub fn current(&self) -> Route {
        self.tx.borrow().clone()
    }

    /// Points the route at `master` under the next epoch (lifting any pause) and returns that epoch.
    pub fn publish(&self, master: Endpoint) -> u64 {
        let mut epoch = 0;
        self.tx.send_modify(|route| {
            route.epoch += 1;
            route.master = master;
            route.paused = false;
            epoch = route.epoch;
        });
        epoch
    }

    /// Pauses or resumes the sessions on the current route (the epoch does not move).
    pub fn set_paused(&self, paused: bool) {
        self.tx.send_if_modified(|route| std::mem::replace(&mut route.paused, paused) != paused);
    }

    /// Fails over from `old` to `replica`: when `must_agree` (the master went silent, which the proxy
    /// alone cannot tell from being cut off from it), only if the replica's own link to the master is
    /// down; then promotes it, fences `old` when it answers (so that it cannot take writes), and only
    /// then routes to the new master. Records `suspect`, or `promoted`, `fenced` and `route_pushed`,
    /// or `promotion_refused` with the reason (the route then stays where it was).
    pub async fn fail_over(
        &self,
        old: &Endpoint,
        replica: &Endpoint,
        must_agree: bool,
        policy: PromotionPolicy,
        events: &EventLog,
    ) -> Result<FailedOver, NoFailover> {
        let epoch = self.current().epoch;
        if must_agree {
            if let Some(link) = still_linked(replica).await {
                let detail = Text::new(&msg::SUSPECT)
                    .arg("old", old.to_string())
                    .arg("replica", replica.to_string())
                    .arg("link", link);
                events.record(EventKind::Suspect, epoch, detail);
                return Err(NoFailover::Suspect);
            }
        }
        if let Err(reason) = promote(replica, Some(policy)).await {
            let detail =
                Text::new(&msg::PROMOTION_REFUSED).arg("replica", replica.to_string()).arg("reason", reason.clone());
            events.record(EventKind::PromotionRefused, epoch, detail);
            return Err(NoFailover::Refused(reason));
        }
        events.record(EventKind::Promoted, epoch, Text::new(&msg::PROMOTED).arg("replica", replica.to_string()));
        let fenced = super::standby::fence_within(old, replica, FENCE_AT_FAILOVER).await.is_ok();
        if fenced {
            let detail =
                Text::new(&msg::FENCED_BEFORE_ROUTE).arg("old", old.to_string()).arg("replica", replica.to_string());
            events.record(EventKind::Fenced, epoch, detail);
        }
        let epoch = self.publish(replica.clone());
        events.record(EventKind::RoutePushed, epoch, Text::new(&msg::ROUTE_MOVED).arg("master", replica.to_string()));
        Ok(FailedOver { epoch, fenced })
    }
}

/// Checks that `replica` is fresh enough (unless `policy` is `None`: the caller has checked that it
/// has the whole stream), sends `REPLICAOF NO ONE`, and verifies with `ROLE`.
pub async fn promote(replica: &Endpoint, policy: Option<PromotionPolicy>) -> Result<(), Text> {
    let said = |e: crate::client::ClientError| e.text();
    let mut client = Client::connect_with_timeout(replica, PROMOTE_TIMEOUT).await.map_err(said)?;
    if let Some(policy) = policy.filter(|p| !p.allow_stale_promotion) {
        let info = client.info("replication").await.map_err(said)?;
        if info_field(&info, "role") == Some("slave") {
            check_freshness(&info, policy.max_replica_lag_secs)?;
        }
    }
    client.request(&["REPLICAOF", "NO", "ONE"]).await.map_err(said)?;
    let role = client.request(&["ROLE"]).await.map_err(said)?;
    match super::roles::role_name(&role) {
        Some("master") => Ok(()),
        other => Err(Text::new(&msg::PROMOTE_NOT_MASTER).arg("role", format!("{other:?}"))),
    }
}

/// How the standby's link to its master stands, when it is up (the standby then vouches that the
/// master lives); `None` when it is down or the standby cannot say.
async fn still_linked(replica: &Endpoint) -> Option<Text> {
    let mut client = Client::connect_with_timeout(replica, PROMOTE_TIMEOUT).await.ok()?;
    let info = client.info("replication").await.ok()?;
    // Not compared with `master`'s address: the standby may reach the master by another name or
    // path. A standby linked to some other master is taken as linked, on the safe side (no failover).
    let up = info_field(&info, "role") == Some("slave") && info_field(&info, "master_link_status") == Some("up");
    up.then(|| {
        let io = info_field(&info, "master_last_io_seconds_ago").unwrap_or("?");
        Text::new(&msg::LINK_UP).arg("secs", io)
    })
}

/// Whether a replica's INFO replication shows data recent enough to promote.
fn check_freshness(info: &[(String, String)], max_lag_secs: u64) -> Result<(), Text> {
    if info_field(info, "master_link_status") == Some("up") {
        return Ok(());
    }
    if info_field(info, "master_sync_in_progress") == Some("1") {
        return Err(Text::new(&msg::STILL_LOADING));
    }
    match info_field(info, "master_link_down_since_seconds").and_then(|v| v.parse::<i64>().ok()) {
        Some(down) if down >= 0 && down as u64 <= max_lag_secs => Ok(()),
        Some(down) if down >= 0 => Err(Text::new(&msg::LINK_DOWN_TOO_LONG).arg("down", down).arg("max", max_lag_secs)),
        _ => Err(Text::new(&msg::NEVER_SYNCED)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn freshness_follows_the_link_down_time() {
        assert!(check_freshness(&info(&[("master_link_status", "up")]), 0).is_ok());
        let down = |s: &'static str| info(&[("master_link_status", "down"), ("master_link_down_since_seconds", s)]);
        assert!(check_freshness(&down("3"), 10).is_ok());
        assert!(check_freshness(&down("30"), 10).unwrap_err().to_string().contains("30 s"));
        assert!(check_freshness(&down("-1"), 10).unwrap_err().to_string().contains("never synced"));
    }

    #[test]
    fn epochs_only_move_forward() {
        let router = Router::new(Endpoint::new("a", 1));
        assert_eq!(router.publish(Endpoint::new("b", 2)), 1);
        assert_eq!(router.publish(Endpoint::new("c", 3)), 2);
        assert_eq!(router.current().master.host, "c");
    }

    #[test]
    fn a_pause_keeps_the_epoch_and_a_new_route_lifts_it() {
        let router = Router::new(Endpoint::new("a", 1));
        let mut rx = router.subscribe();
        router.set_paused(true);
        assert!(rx.has_changed().unwrap_or(false));
        let paused = rx.borrow_and_update().clone();
        assert_eq!((paused.epoch, paused.paused), (0, true));
        router.set_paused(true);
        assert!(!rx.has_changed().unwrap_or(true), "pausing twice is not a change");
        assert_eq!(router.publish(Endpoint::new("b", 2)), 1);
        assert!(!router.current().paused);
    }
}
