//! The planned switchover: master and standby swap roles and nothing is lost.
//!
//! The steps, each bounded in time so that writes are never held for long:
//! 1. pause the route: the proxy's sessions hold new commands and collect the replies still owed;
//! 2. pause writes on the master itself (`CLIENT PAUSE … WRITE`), for clients that bypass the proxy;
//! 3. read the master's replication offset and wait until the standby has processed all of it;
//! 4. promote the standby, make the old master its replica (it is fenced before anything could reach
//!    it), lift the master's pause, and move the route: held commands go to the new master.
//!
//! A failure before step 4 lifts both pauses and leaves everything as it was. Commands still in flight
//! after the drain window (blocking commands such as `BLPOP`) are answered like any command in flight
//! at a switch.

use std::time::Duration;

use tokio::time::Instant;

use super::events::{EventKind, EventLog};
use super::proxy::ProxyShared;
use super::router::{promote, Router};
use super::standby;
use crate::client::{info_field, Client};
use crate::endpoint::Endpoint;

/// How long the sessions may take to collect the replies they are owed.
const DRAIN: Duration = Duration::from_secs(1);
/// How long the standby may take to catch up with the paused master.
const CATCH_UP: Duration = Duration::from_secs(3);
/// The master's own write pause, in ms: longer than the steps above, and lifted explicitly at the end
/// (it only matters if Ferry dies in between).
const MASTER_PAUSE_MS: &str = "10000";
const STEP_TIMEOUT: Duration = Duration::from_secs(2);

/// Swaps the route's master with `standby`; returns the new epoch.
pub async fn switchover(
    router: &Router,
    shared: &ProxyShared,
    standby: &Endpoint,
    events: &EventLog,
) -> Result<u64, String> {
    let route = router.current();
    let master = route.master.clone();
    events.record(EventKind::SwitchoverStarted, route.epoch, format!("{master} → {standby}: pausing writes"));
    router.set_paused(true);
    let prepared = prepare(&master, standby, shared).await;
    let (mut master_client, offset, left) = match prepared {
        Ok(prepared) => prepared,
        Err((e, master_client)) => return abort(router, master_client, events, route.epoch, e).await,
    };
    if let Err(e) = promote(standby, None).await {
        return abort(router, Some(master_client), events, route.epoch, e).await;
    }
    events.record(EventKind::Promoted, route.epoch, format!("{standby} reports role master (had offset {offset})"));
    match standby::fence(&master, standby).await {
        Ok(()) => events.record(EventKind::Fenced, route.epoch, format!("{master} is now a replica of {standby}")),
        // The route moves anyway: the standby is a master now. The supervisor fences it again later.
        Err(e) => tracing::warn!(master = %master, error = %e, "the old master could not be fenced at once"),
    }
    let _ = master_client.request(&["CLIENT", "UNPAUSE"]).await;
    let epoch = router.publish(standby.clone());
    events.record(EventKind::RoutePushed, epoch, format!("writes now go to {standby}"));
    let detail = match left {
        0 => format!("{standby} is the master; nothing was in flight"),
        n => format!("{standby} is the master; {n} blocking command(s) were still in flight and get TRYAGAIN"),
    };
    events.record(EventKind::SwitchoverDone, epoch, detail);
    Ok(epoch)
}

/// Steps 1–3. On failure, returns the master connection (if any) so that its pause can be lifted.
async fn prepare(
    master: &Endpoint,
    standby: &Endpoint,
    shared: &ProxyShared,
) -> Result<(Client, i64, usize), (String, Option<Client>)> {
    let deadline = Instant::now() + DRAIN;
    while shared.in_flight() > 0 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    let left = shared.in_flight();
    let mut client = Client::connect_with_timeout(master, STEP_TIMEOUT).await.map_err(|e| (e.to_string(), None))?;
    // Redis before 6.2 has no WRITE mode: pause everything instead.
    if client.request(&["CLIENT", "PAUSE", MASTER_PAUSE_MS, "WRITE"]).await.is_err() {
        if let Err(e) = client.request(&["CLIENT", "PAUSE", MASTER_PAUSE_MS]).await {
            return Err((format!("cannot pause writes on {master}: {e}"), Some(client)));
        }
    }
    let offset = match client.info("replication").await {
        Ok(info) => info_field(&info, "master_repl_offset").and_then(|v| v.parse::<i64>().ok()),
        Err(e) => return Err((e.to_string(), Some(client))),
    };
    let Some(offset) = offset else {
        return Err((format!("{master} reports no master_repl_offset"), Some(client)));
    };
    match wait_for_offset(standby, offset).await {
        Ok(()) => Ok((client, offset, left)),
        Err(e) => Err((e, Some(client))),
    }
}

/// Waits until `standby` has processed the master's stream up to `offset`.
async fn wait_for_offset(standby: &Endpoint, offset: i64) -> Result<(), String> {
    let mut client = Client::connect_with_timeout(standby, STEP_TIMEOUT).await.map_err(|e| e.to_string())?;
    let deadline = Instant::now() + CATCH_UP;
    loop {
        let info = client.info("replication").await.map_err(|e| e.to_string())?;
        let at = info_field(&info, "slave_repl_offset").and_then(|v| v.parse::<i64>().ok()).unwrap_or(-1);
        if at >= offset {
            return Ok(());
        }
        if Instant::now() >= deadline {
            return Err(format!(
                "{standby} reached offset {at} of {offset} within {} s; is its link to the master up?",
                CATCH_UP.as_secs()
            ));
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// Lifts both pauses and records why the switchover did not happen.
async fn abort(
    router: &Router,
    master_client: Option<Client>,
    events: &EventLog,
    epoch: u64,
    reason: String,
) -> Result<u64, String> {
    if let Some(mut client) = master_client {
        let _ = client.request(&["CLIENT", "UNPAUSE"]).await;
    }
    router.set_paused(false);
    events.record(EventKind::SwitchoverAborted, epoch, format!("nothing changed: {reason}"));
    Err(reason)
}
