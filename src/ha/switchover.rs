//! The planned switchover: master and standby swap roles and nothing is lost.
//!
//! The steps, each bounded in time so that writes are never held for long:
//! 1. pause the route: the proxy's sessions hold new commands and collect the replies still owed;
//! 2. pause writes on the master itself, for clients that bypass the proxy: `CLIENT PAUSE … WRITE`
//!    from 6.2; before, a short pause of every client that lapses by itself ([`crate::pause`]);
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
use crate::pause::{hold_writes, PauseMode, WritePause};
use crate::server::ServerInfo;
use crate::text::catalog::ha as msg;
use crate::text::Text;

/// How long the sessions may take to collect the replies they are owed.
const DRAIN: Duration = Duration::from_secs(1);
/// How long the standby may take to catch up with the paused master.
const CATCH_UP: Duration = Duration::from_secs(3);
/// The master's own write pause: longer than the steps above, and lifted explicitly at the end
/// (it only matters if Ferry dies in between).
const MASTER_PAUSE: Duration = Duration::from_secs(10);
/// Before 6.2 the pause holds every client and cannot be lifted: just long enough for the standby
/// to catch up.
const MASTER_PAUSE_LEGACY: Duration = Duration::from_secs(4);
const STEP_TIMEOUT: Duration = Duration::from_secs(2);

/// Swaps the route's master with `standby`; returns the new epoch.
pub async fn switchover(
    router: &Router,
    shared: &ProxyShared,
    standby: &Endpoint,
    events: &EventLog,
) -> Result<u64, Text> {
    let route = router.current();
    let master = route.master.clone();
    let started =
        Text::new(&msg::SWITCHOVER_STARTED).arg("master", master.to_string()).arg("standby", standby.to_string());
    events.record(EventKind::SwitchoverStarted, route.epoch, started);
    router.set_paused(true);
    let prepared = prepare(&master, standby, shared).await;
    let (pause, offset, left) = match prepared {
        Ok(prepared) => prepared,
        Err((e, pause)) => return abort(router, pause, events, route.epoch, e).await,
    };
    if let Err(e) = promote(standby, None).await {
        return abort(router, Some(pause), events, route.epoch, e).await;
    }
    let promoted = Text::new(&msg::SWITCHOVER_PROMOTED).arg("standby", standby.to_string()).arg("offset", offset);
    events.record(EventKind::Promoted, route.epoch, promoted);
    let moved = |epoch| {
        events.record(EventKind::RoutePushed, epoch, Text::new(&msg::ROUTE_MOVED).arg("master", standby.to_string()))
    };
    let epoch = if pause.can_lift() {
        fence(&master, standby, events, route.epoch).await;
        pause.end().await;
        let epoch = router.publish(standby.clone());
        moved(epoch);
        epoch
    } else {
        // Before 6.2 the old master holds every client, and would hold the fencing connection
        // too, until its pause lapses: move the route now, fence it as soon as the pause ends.
        let epoch = router.publish(standby.clone());
        moved(epoch);
        tokio::time::sleep_until(Instant::from_std(pause.lapses_at())).await;
        fence(&master, standby, events, epoch).await;
        epoch
    };
    let detail = match left {
        0 => Text::new(&msg::SWITCHOVER_DONE).arg("standby", standby.to_string()),
        n => Text::new(&msg::SWITCHOVER_DONE_IN_FLIGHT).arg("standby", standby.to_string()).arg("count", n),
    };
    events.record(EventKind::SwitchoverDone, epoch, detail);
    Ok(epoch)
}

/// Makes the old master a replica of the new one; a failure is left to the supervisor, which fences
/// it again later (the route has moved or moves anyway: the standby is a master now).
async fn fence(master: &Endpoint, standby: &Endpoint, events: &EventLog, epoch: u64) {
    match standby::fence(master, standby).await {
        Ok(()) => {
            let detail = Text::new(&msg::FENCED).arg("server", master.to_string()).arg("master", standby.to_string());
            events.record(EventKind::Fenced, epoch, detail)
        }
        Err(e) => tracing::warn!(master = %master, error = %e, "the old master could not be fenced at once"),
    }
}

/// Steps 1–3. On failure, returns the pause (if any) so that it can be lifted.
async fn prepare(
    master: &Endpoint,
    standby: &Endpoint,
    shared: &ProxyShared,
) -> Result<(WritePause, u64, usize), (Text, Option<WritePause>)> {
    let deadline = Instant::now() + DRAIN;
    while shared.in_flight() > 0 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    let left = shared.in_flight();
    let info = async {
        let mut client = Client::connect_with_timeout(master, STEP_TIMEOUT).await?;
        ServerInfo::fetch(&mut client).await
    };
    let info = info.await.map_err(|e| (e.text(), None))?;
    let hold = match PauseMode::of(&info) {
        PauseMode::Writes => MASTER_PAUSE,
        _ => MASTER_PAUSE_LEGACY,
    };
    let (pause, offset) = hold_writes(master, &info, hold, STEP_TIMEOUT).await.map_err(|e| {
        let why = Text::new(&msg::CANNOT_PAUSE).arg("master", master.to_string()).arg("error", e.text());
        (why, None)
    })?;
    match wait_for_offset(standby, offset).await {
        Ok(()) => Ok((pause, offset, left)),
        Err(e) => Err((e, Some(pause))),
    }
}

/// Waits until `standby` has processed the master's stream up to `offset`.
async fn wait_for_offset(standby: &Endpoint, offset: u64) -> Result<(), Text> {
    let said = |e: crate::client::ClientError| e.text();
    let mut client = Client::connect_with_timeout(standby, STEP_TIMEOUT).await.map_err(said)?;
    let deadline = Instant::now() + CATCH_UP;
    loop {
        let info = client.info("replication").await.map_err(said)?;
        let at = info_field(&info, "slave_repl_offset").and_then(|v| v.parse::<i64>().ok()).unwrap_or(-1);
        if at >= offset as i64 {
            return Ok(());
        }
        if Instant::now() >= deadline {
            return Err(Text::new(&msg::NOT_CAUGHT_UP)
                .arg("standby", standby.to_string())
                .arg("at", at)
                .arg("offset", offset)
                .arg("secs", CATCH_UP.as_secs()));
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// Lifts both pauses and records why the switchover did not happen.
async fn abort(
    router: &Router,
    pause: Option<WritePause>,
    events: &EventLog,
    epoch: u64,
    reason: Text,
) -> Result<u64, Text> {
    if let Some(pause) = pause {
        pause.end().await;
    }
    router.set_paused(false);
    events.record(
        EventKind::SwitchoverAborted,
        epoch,
        Text::new(&msg::SWITCHOVER_ABORTED).arg("reason", reason.clone()),
    );
    Err(reason)
}
