//! The standby: fencing a server as a replica of the master, and knowing when it is ready to take
//! over.
//!
//! After a failover the old master is the natural next standby, but it must never serve again as it
//! was: when it comes back (restarted empty, or with writes the new master never saw) it is made a
//! replica of the new master first. The route never names it, so nothing reaches it before that;
//! fencing makes it safe and useful again. A standby is *ready* when it is a replica of the current
//! master with its link up and its first sync done: only then can a failover lose nothing but the
//! last moments of the replication stream.

use std::time::Duration;

use super::events::{EventKind, EventLog};
use super::roles::role_name;
use crate::client::{info_field, Client};
use crate::endpoint::Endpoint;
use crate::text::catalog::ha as msg;
use crate::text::Text;

/// The standby's condition.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum StandbyState {
    /// The old master after a failover: not yet a replica of the new master, never promoted.
    Unfenced,
    /// A replica not (yet) known to be synced with the master.
    Syncing,
    /// Synced with the master: failover and switchover are armed.
    Ready,
}

/// Who is standby now, and in what condition (the master is the route's).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Standby {
    pub endpoint: Endpoint,
    pub state: StandbyState,
}

/// How long each exchange with the standby may take.
const STEP_TIMEOUT: Duration = Duration::from_secs(2);
/// How often an absent or syncing standby is looked at again.
const RETRY_EVERY: Duration = Duration::from_millis(200);
/// How long a standby must stay online before it counts as ready. After a diskless sync a master
/// shows the replica online at once, but streams writes to it (and `WAIT` counts it) only from its
/// first acknowledgement, which a replica sends once a second.
const SETTLE: Duration = Duration::from_millis(1100);

/// Makes `server` a replica of `master`: gives it the master's credentials (`masteruser`,
/// `masterauth`), sends `REPLICAOF`, and checks with `ROLE`. Errors are in words for the log;
/// they never contain a password.
pub async fn fence(server: &Endpoint, master: &Endpoint) -> Result<(), String> {
    fence_within(server, master, STEP_TIMEOUT).await
}

/// [`fence`] with every exchange bounded by `timeout` (a failover tries an old master that is
/// probably dead, and must not wait long for it).
pub async fn fence_within(server: &Endpoint, master: &Endpoint, timeout: Duration) -> Result<(), String> {
    let mut client = Client::connect_with_timeout(server, timeout).await.map_err(|e| e.to_string())?;
    if let Some(password) = &master.password {
        client.request(&["CONFIG", "SET", "masterauth", password.expose()]).await.map_err(|e| e.to_string())?;
    }
    if let Some(user) = &master.user {
        client.request(&["CONFIG", "SET", "masteruser", user]).await.map_err(|e| e.to_string())?;
    }
    let port = master.port.to_string();
    client.request(&["REPLICAOF", master.host.as_str(), &port]).await.map_err(|e| e.to_string())?;
    let role = client.request(&["ROLE"]).await.map_err(|e| e.to_string())?;
    match role_name(&role) {
        Some("slave") => Ok(()),
        other => Err(format!("after REPLICAOF, ROLE reports {other:?} instead of slave")),
    }
}

/// Whether `server` replicates from `master` with its link up and no sync in progress, and `master`
/// lists it as online. `Err` when either cannot be asked.
///
/// That it follows *this* master is judged by the replication id, not by the address: a port says
/// nothing across hosts (two servers on 6379), and a name may not be the one the standby uses. A
/// synced replica carries its master's replication id; one following another master does not.
pub async fn is_ready(server: &Endpoint, master: &Endpoint) -> Result<bool, String> {
    let mut client = Client::connect_with_timeout(server, STEP_TIMEOUT).await.map_err(|e| e.to_string())?;
    let standby = client.info("replication").await.map_err(|e| e.to_string())?;
    let mut client = Client::connect_with_timeout(master, STEP_TIMEOUT).await.map_err(|e| e.to_string())?;
    let info = client.info("replication").await.map_err(|e| e.to_string())?;
    Ok(follows(&standby, &info) && lists_online(&info, server.port))
}

/// Whether a replica's `INFO replication` shows it linked, synced, and on `master`'s stream.
fn follows(replica: &[(String, String)], master: &[(String, String)]) -> bool {
    // Servers before 4.0 have no replication id; the hot standby needs 5.0 (REPLICAOF) anyway.
    let replid = info_field(replica, "master_replid");
    let same_stream = replid.is_some() && replid == info_field(master, "master_replid");
    info_field(replica, "role") == Some("slave")
        && info_field(replica, "master_link_status") == Some("up")
        && info_field(replica, "master_sync_in_progress") != Some("1")
        && same_stream
}

/// Whether a master's INFO replication has a `slaveN:ip=…,port=<port>,state=online,…` line.
fn lists_online(info: &[(String, String)], port: u16) -> bool {
    let port = port.to_string();
    info.iter().filter(|(k, _)| k.starts_with("slave") && k[5..].parse::<u32>().is_ok()).any(|(_, v)| {
        let fields: Vec<(&str, &str)> = v.split(',').filter_map(|f| f.split_once('=')).collect();
        fields.contains(&("port", port.as_str())) && fields.contains(&("state", "online"))
    })
}

/// Waits until `standby` is a ready replica of `master`, fencing it first when `fence_first` (a
/// returning old master). Records `fenced` and `standby_ready` under `epoch`. Retries until it
/// succeeds; the caller drops the future to stop.
pub async fn arm(standby: Endpoint, master: Endpoint, mut fence_first: bool, epoch: u64, events: &EventLog) {
    let mut online_since: Option<tokio::time::Instant> = None;
    loop {
        if fence_first {
            match fence(&standby, &master).await {
                Ok(()) => {
                    fence_first = false;
                    let detail =
                        Text::new(&msg::FENCED).arg("server", standby.to_string()).arg("master", master.to_string());
                    events.record(EventKind::Fenced, epoch, detail);
                }
                Err(e) => tracing::debug!(standby = %standby, error = %e, "the old master cannot be fenced yet"),
            }
        }
        if !fence_first && is_ready(&standby, &master).await.unwrap_or(false) {
            let since = *online_since.get_or_insert_with(tokio::time::Instant::now);
            if since.elapsed() >= SETTLE {
                let detail = Text::new(&msg::STANDBY_READY)
                    .arg("standby", standby.to_string())
                    .arg("master", master.to_string());
                events.record(EventKind::StandbyReady, epoch, detail);
                return;
            }
        } else {
            online_since = None;
        }
        tokio::time::sleep(RETRY_EVERY).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_standby_follows_the_master_whose_replication_id_it_carries() {
        let pairs = |p: &[(&str, &str)]| p.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect::<Vec<_>>();
        let master = pairs(&[("role", "master"), ("master_replid", "aaa")]);
        let replica = |replid: &str, link: &str| {
            pairs(&[
                ("role", "slave"),
                ("master_link_status", link),
                ("master_replid", replid),
                ("master_port", "6379"),
            ])
        };
        assert!(follows(&replica("aaa", "up"), &master));
        assert!(!follows(&replica("bbb", "up"), &master), "another master on the same port");
        assert!(!follows(&replica("aaa", "down"), &master));
    }

    #[test]
    fn a_replica_is_online_only_in_state_online() {
        let info =
            |line: &str| vec![("role".to_string(), "master".to_string()), ("slave0".to_string(), line.to_string())];
        assert!(lists_online(&info("ip=127.0.0.1,port=7001,state=online,offset=10,lag=0"), 7001));
        assert!(!lists_online(&info("ip=127.0.0.1,port=7001,state=wait_bgsave,offset=0,lag=0"), 7001));
        assert!(!lists_online(&info("ip=127.0.0.1,port=7002,state=online,offset=10,lag=0"), 7001));
    }
}
