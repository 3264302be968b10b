//! Sentinel mode: Redis Sentinel decides failovers, and the proxy follows.
//!
//! Several proxies on several machines must route identically, and deciding a failover from more
//! than one place is a consensus problem that Sentinel already solves (a quorum of Sentinels agrees
//! the master is down, one of them is elected to promote a replica and reconfigures the others). So
//! in this mode the proxy runs no heartbeat and promotes nothing: it routes to the master the
//! Sentinels name, and moves its sessions when they announce a new one (`+switch-master`), holding
//! and replaying client commands across the switch as it does after its own failovers. Every proxy
//! that follows the same Sentinels routes to the same master.
//!
//! The announcement is only a trigger: on it (and once a second, should one be missed while a
//! Sentinel was unreachable) the proxy asks the Sentinels who the master is and routes there.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{mpsc, watch};
use tokio::task::JoinSet;

use super::events::{EventKind, EventLog};
use super::router::Router;
use super::standby::{Standby, StandbyState};
use crate::client::Client;
use crate::endpoint::Endpoint;
use crate::model::SentinelSpec;
use crate::resp::Frame;
use crate::sentinel;
use crate::text::catalog::ha as msg;
use crate::text::Text;

/// How often the Sentinels are asked even without an announcement.
const ASK_EVERY: Duration = Duration::from_secs(1);
/// How long to wait before subscribing again to a Sentinel that dropped the connection.
const RESUBSCRIBE_AFTER: Duration = Duration::from_millis(500);

/// Follows the Sentinels of `spec` until the task is aborted: routes to the master they name (with
/// the credentials and TLS settings of `credentials`) and keeps `standby` on the replica they list
/// first (for sync writes).
pub async fn follow(
    spec: SentinelSpec,
    credentials: Endpoint,
    router: Arc<Router>,
    events: Arc<EventLog>,
    standby: watch::Sender<Standby>,
) {
    let (announced, mut announcements) = mpsc::channel::<()>(16);
    let mut listeners = JoinSet::new();
    for sentinel in spec.nodes.iter().filter_map(|node| sentinel_at(&credentials, node)) {
        listeners.spawn(listen(sentinel, announced.clone()));
    }
    loop {
        match sentinel::locate(&spec, &credentials).await {
            Ok(master) if master.addr() != router.current().master.addr() => {
                let old = router.current().master.addr();
                let epoch = router.publish(master.clone());
                let detail = Text::new(&msg::SENTINEL_MOVED)
                    .arg("master", master.to_string())
                    .arg("name", &spec.master_name)
                    .arg("old", old);
                events.record(EventKind::RoutePushed, epoch, detail);
            }
            Ok(_) => {}
            Err(e) => tracing::debug!(error = %e, "the Sentinels could not be asked for the master"),
        }
        if let Some(replica) = first_replica(&spec, &credentials).await {
            standby.send_if_modified(|s| {
                let changed = s.endpoint.addr() != replica.addr();
                if changed {
                    *s = Standby { endpoint: replica.clone(), state: StandbyState::Ready };
                }
                changed
            });
        }
        tokio::select! {
            _ = announcements.recv() => {}
            () = tokio::time::sleep(ASK_EVERY) => {}
        }
    }
}

/// Subscribes to `+switch-master` on one Sentinel and signals every announcement; subscribes again
/// after a lost connection.
async fn listen(sentinel: Endpoint, announced: mpsc::Sender<()>) {
    loop {
        if let Ok(mut client) = Client::connect(&sentinel).await {
            client.send(&["SUBSCRIBE", "+switch-master"]);
            if client.flush().await.is_ok() {
                // A read that times out (a quiet Sentinel) ends the loop: subscribing again costs
                // one round trip and doubles as a liveness check.
                while let Ok(frame) = client.read_reply().await {
                    if is_message(&frame) && announced.send(()).await.is_err() {
                        return;
                    }
                }
            }
        }
        tokio::time::sleep(RESUBSCRIBE_AFTER).await;
    }
}

/// A Sentinel at `node` (`host:port`), reached the way the master is (TLS, jump host), without the
/// master's login.
fn sentinel_at(credentials: &Endpoint, node: &str) -> Option<Endpoint> {
    let at = Endpoint::parse(node).ok()?;
    Some(Endpoint { user: None, password: None, ..credentials.at(at.host, at.port) })
}

/// Whether a pub/sub frame is a message (not a subscription's confirmation).
fn is_message(frame: &Frame) -> bool {
    match frame {
        Frame::Array(items) | Frame::Push(items) => {
            items.first().and_then(Frame::as_bytes).is_some_and(|kind| kind.as_ref() == b"message")
        }
        _ => false,
    }
}

/// The first replica the Sentinels list for the master that they do not flag as down or
/// disconnected, with `credentials`.
async fn first_replica(spec: &SentinelSpec, credentials: &Endpoint) -> Option<Endpoint> {
    for sentinel in spec.nodes.iter().filter_map(|node| sentinel_at(credentials, node)) {
        let Ok(mut client) = Client::connect_with_timeout(&sentinel, Duration::from_secs(1)).await else { continue };
        let Ok(Frame::Array(replicas)) = client.request(&["SENTINEL", "REPLICAS", spec.master_name.as_str()]).await
        else {
            continue;
        };
        for replica in replicas {
            let fields = match replica {
                Frame::Array(items) | Frame::Map(items) => items,
                _ => continue,
            };
            let field = |name: &str| {
                fields.chunks(2).find_map(|kv| {
                    let key = kv.first()?.as_bytes()?;
                    (key.as_ref() == name.as_bytes()).then(|| kv.get(1)?.as_bytes().cloned()).flatten()
                })
            };
            let flags = field("flags").map(|f| String::from_utf8_lossy(&f).into_owned()).unwrap_or_default();
            if flags.contains("down") || flags.contains("disconnected") {
                continue;
            }
            let host = field("ip").map(|h| String::from_utf8_lossy(&h).into_owned());
            let port = field("port").and_then(|p| std::str::from_utf8(&p).ok()?.parse::<u16>().ok());
            if let (Some(host), Some(port)) = (host, port) {
                return Some(credentials.at(host, port));
            }
        }
        return None;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Bytes;

    #[test]
    fn only_messages_are_announcements() {
        let bulk = |s: &'static str| Frame::Bulk(Bytes::from_static(s.as_bytes()));
        let message = Frame::Array(vec![bulk("message"), bulk("+switch-master"), bulk("m 127.0.0.1 1 127.0.0.1 2")]);
        assert!(is_message(&message));
        let confirmation = Frame::Array(vec![bulk("subscribe"), bulk("+switch-master"), Frame::Integer(1)]);
        assert!(!is_message(&confirmation));
    }
}
