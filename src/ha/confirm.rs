//! Sync writes: a write is acknowledged only once the standby (this pair's, not any replica) has it.
//!
//! `WAIT 1` was the first design, and it is not enough: any replica satisfies it (a disaster-
//! recovery replica, a migration tool's replica), so a write could be acknowledged while the
//! standby, the one server a failover promotes, never had it. It also ran as the client's user,
//! who may not be allowed `WAIT`.
//!
//! Instead a session asks for a ticket once the replies of its writes have come back (so the writes
//! are in the master's replication stream). The confirmer serves tickets in rounds: it reads the
//! master's replication offset and id (`INFO replication`, with the pair's credentials; the offset
//! covers every write whose reply came before the round began), then asks the standby for the
//! offset it has processed until it reaches the master's, on the same replication id, with its
//! link up. Every ticket of the round is then confirmed, or, after the sync-writes timeout, not.
//! Tickets that arrive during a round wait for the next one, so one round trip to each server serves
//! any number of sessions.

use std::time::Duration;

use tokio::sync::{mpsc, oneshot, watch};
use tokio::time::Instant;

use super::router::Route;
use super::standby::{Standby, StandbyState};
use crate::client::{info_field, Client};
use crate::endpoint::Endpoint;

/// How long to wait before asking a standby that is behind again.
const POLL_EVERY: Duration = Duration::from_micros(500);

/// Hands out tickets; cheap to share.
#[derive(Clone)]
pub struct Confirmer {
    requests: mpsc::UnboundedSender<oneshot::Sender<bool>>,
}

impl Confirmer {
    /// Starts the confirmer's task over the pair's routes and standbys.
    pub fn start(
        timeout: Duration,
        routes: watch::Receiver<Route>,
        standbys: watch::Receiver<Standby>,
    ) -> (Confirmer, tokio::task::JoinHandle<()>) {
        let (requests, rx) = mpsc::unbounded_channel();
        let task = tokio::spawn(run(rx, timeout, routes, standbys));
        (Confirmer { requests }, task)
    }

    /// A ticket for the writes whose replies came back before now: `true` once the standby has
    /// them, `false` when it did not within the timeout (or the confirmer stopped).
    pub fn ticket(&self) -> oneshot::Receiver<bool> {
        let (tx, rx) = oneshot::channel();
        // A stopped confirmer drops `tx`: the receiver then reads as not confirmed.
        let _ = self.requests.send(tx);
        rx
    }
}

/// A connection kept to one server between rounds.
#[derive(Default)]
struct Kept(Option<(Endpoint, Client)>);

impl Kept {
    /// `INFO replication` of `server`, on the kept connection when it is to the same server.
    async fn info(&mut self, server: &Endpoint, within: Duration) -> Option<Vec<(String, String)>> {
        if self.0.as_ref().is_none_or(|(kept, _)| kept != server) {
            let client = Client::connect_with_timeout(server, within).await.ok()?;
            self.0 = Some((server.clone(), client));
        }
        let (_, client) = self.0.as_mut()?;
        match tokio::time::timeout(within, client.info("replication")).await {
            Ok(Ok(info)) => Some(info),
            _ => {
                self.0 = None;
                None
            }
        }
    }
}

async fn run(
    mut requests: mpsc::UnboundedReceiver<oneshot::Sender<bool>>,
    timeout: Duration,
    routes: watch::Receiver<Route>,
    standbys: watch::Receiver<Standby>,
) {
    let (mut master, mut standby) = (Kept::default(), Kept::default());
    while let Some(first) = requests.recv().await {
        let mut round = vec![first];
        while let Ok(more) = requests.try_recv() {
            round.push(more);
        }
        let deadline = Instant::now() + timeout;
        let route = routes.borrow().master.clone();
        let confirmed = confirm(&mut master, &route, &mut standby, &standbys, deadline).await;
        for ticket in round {
            let _ = ticket.send(confirmed);
        }
    }
}

/// Whether the standby reaches the master's offset now before `deadline`.
async fn confirm(
    master: &mut Kept,
    route: &Endpoint,
    standby: &mut Kept,
    standbys: &watch::Receiver<Standby>,
    deadline: Instant,
) -> bool {
    // Right after a failover the standby is the old master, not yet a replica of anything: it
    // cannot confirm, and waiting out the timeout would only delay the answer.
    if standbys.borrow().state == StandbyState::Unfenced {
        return false;
    }
    let left = || deadline.saturating_duration_since(Instant::now());
    let Some(info) = master.info(route, left()).await else { return false };
    let Some(target) = offset(&info, "master_repl_offset") else { return false };
    let replid = info_field(&info, "master_replid").map(str::to_string);
    loop {
        let server = standbys.borrow().endpoint.clone();
        if let Some(info) = standby.info(&server, left()).await {
            if has_reached(&info, replid.as_deref(), target) {
                return true;
            }
        }
        if left() < POLL_EVERY {
            return false;
        }
        tokio::time::sleep(POLL_EVERY).await;
    }
}

/// Whether a replica's `INFO replication` shows it linked and past `target` in the stream
/// `replid` (servers before 4.0 have no replication id: the offset alone decides).
fn has_reached(info: &[(String, String)], replid: Option<&str>, target: u64) -> bool {
    let linked = info_field(info, "role") == Some("slave") && info_field(info, "master_link_status") == Some("up");
    let same_stream = match (replid, info_field(info, "master_replid")) {
        (Some(master), Some(standby)) => master == standby,
        (None, _) => true,
        (Some(_), None) => false,
    };
    linked && same_stream && offset(info, "slave_repl_offset").is_some_and(|processed| processed >= target)
}

fn offset(info: &[(String, String)], field: &str) -> Option<u64> {
    info_field(info, field)?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn only_a_linked_standby_on_the_same_stream_past_the_offset_confirms() {
        let standby = |link: &str, replid: &str, offset: &str| {
            info(&[
                ("role", "slave"),
                ("master_link_status", link),
                ("master_replid", replid),
                ("slave_repl_offset", offset),
            ])
        };
        assert!(has_reached(&standby("up", "abc", "100"), Some("abc"), 100));
        assert!(!has_reached(&standby("up", "abc", "99"), Some("abc"), 100), "behind");
        assert!(!has_reached(&standby("down", "abc", "100"), Some("abc"), 100), "unlinked");
        assert!(!has_reached(&standby("up", "old", "500"), Some("abc"), 100), "another history's offset");
        assert!(has_reached(&standby("up", "x", "100"), None, 100), "a server before 4.0");
        let master = info(&[("role", "master"), ("slave_repl_offset", "100")]);
        assert!(!has_reached(&master, Some("abc"), 100), "a master is no standby");
    }
}
