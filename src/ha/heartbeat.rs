//! The heartbeat: is the master alive?
//!
//! It PINGs the master every `interval` on a connection of its own (so that it never queues behind
//! client traffic in the proxy) and declares the master down only after `down_after` without a valid
//! reply. The window is what separates a failure from a stall: a master that pauses for less than the
//! window (a fork, a slow command, `DEBUG SLEEP`) answers late, the clock restarts, and nothing moves.
//! `-LOADING` and `-MASTERDOWN` are answers from a live process, so they count as alive: failing over
//! away from a master that is restarting from its own data would throw that data away.
//!
//! A master that comes back within the window is still checked: if its `run_id` changed, it is a new
//! process, and without persistence a new process is an empty one. Its replica would resync from it
//! and empty itself too, so a restart counts as a failure at once (when there is a standby to take
//! over; the caller decides).

use std::time::Duration;

use bytes::Bytes;
use tokio::time::Instant;

use super::conn::{self, BackendConn};
use super::events::{EventKind, EventLog};
use crate::client::ClientError;
use crate::endpoint::Endpoint;
use crate::resp::Frame;
use crate::text::catalog::ha as msg;
use crate::text::Text;
use crate::transport;

/// PING on the wire.
const PING: &[u8] = b"*1\r\n$4\r\nPING\r\n";
/// `INFO server` on the wire: its `run_id` tells a restarted master from the one we knew.
const INFO_SERVER: &[u8] = b"*2\r\n$4\r\nINFO\r\n$6\r\nserver\r\n";

/// How often and how patiently to check the master.
#[derive(Clone, Copy, Debug)]
pub struct HeartbeatConfig {
    pub interval: Duration,
    pub down_after: Duration,
}

/// Whether a reply to PING shows a live master.
pub fn is_alive_reply(reply: &Frame) -> bool {
    match reply {
        Frame::Simple(s) => s.as_ref() == b"PONG",
        Frame::Error(e) => e.starts_with(b"LOADING") || e.starts_with(b"MASTERDOWN"),
        _ => false,
    }
}

/// How the master was found down.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Down {
    /// No valid reply for the whole window: dead, frozen, or cut off from the proxy only.
    Silent,
    /// It answers as a new process: alive, but without its data.
    Restarted,
}

/// Watches `master` until it is down, recording `master_unreachable`, `master_recovered` and finally
/// `marked_down` (with the last error, or the restart) under `epoch`. Returns when the master is
/// declared down: silent for the whole window, or answering as a new process.
pub async fn watch_until_down(master: &Endpoint, config: HeartbeatConfig, epoch: u64, events: &EventLog) -> Down {
    let mut connection: Option<BackendConn> = None;
    let mut run_id: Option<String> = None;
    let mut last_ok = Instant::now();
    let mut unreachable = false;
    let mut last_error = Text::new(&msg::HEARTBEAT_NO_REPLY);
    loop {
        let deadline = last_ok + config.down_after;
        if Instant::now() >= deadline {
            let detail = Text::new(&msg::HEARTBEAT_SILENT)
                .arg("master", master.to_string())
                .arg("ms", config.down_after.as_millis() as u64)
                .arg("error", last_error);
            events.record(EventKind::MarkedDown, epoch, detail);
            return Down::Silent;
        }
        let started = Instant::now();
        let result = {
            let ping = ping(&mut connection, &mut run_id, master, deadline - started);
            tokio::pin!(ping);
            loop {
                tokio::select! {
                    result = &mut ping => break result,
                    () = tokio::time::sleep(config.interval), if !unreachable => {
                        unreachable = true;
                        let detail = Text::new(&msg::HEARTBEAT_UNANSWERED)
                            .arg("master", master.to_string())
                            .arg("ms", config.interval.as_millis() as u64);
                        events.record(EventKind::MasterUnreachable, epoch, detail);
                    }
                }
            }
        };
        match result {
            Ok(Beat::Restarted { was, now }) => {
                let detail = Text::new(&msg::HEARTBEAT_RESTARTED)
                    .arg("master", master.to_string())
                    .arg("was", was)
                    .arg("now", now);
                events.record(EventKind::MarkedDown, epoch, detail);
                return Down::Restarted;
            }
            Ok(Beat::Alive) => {
                last_ok = Instant::now();
                if unreachable {
                    unreachable = false;
                    let detail = Text::new(&msg::HEARTBEAT_RECOVERED).arg("master", master.to_string());
                    events.record(EventKind::MasterRecovered, epoch, detail);
                }
            }
            Err(e) => {
                connection = None;
                last_error = e;
                if !unreachable {
                    unreachable = true;
                    let detail = Text::new(&msg::HEARTBEAT_FAILED)
                        .arg("master", master.to_string())
                        .arg("error", last_error.clone());
                    events.record(EventKind::MasterUnreachable, epoch, detail);
                }
            }
        }
        // The next beat is due `interval` after this one started, but never later than the deadline.
        let next = (started + config.interval).min(last_ok + config.down_after);
        tokio::time::sleep_until(next).await;
    }
}

/// What one heartbeat saw.
enum Beat {
    Alive,
    /// A new process answers: the `run_id` known before, and the new one.
    Restarted {
        was: String,
        now: String,
    },
}

/// One PING within `budget`, connecting first if needed; a new connection first reads the master's
/// `run_id` and compares it with the one known. The error is a sentence, for the event.
async fn ping(
    connection: &mut Option<BackendConn>,
    run_id: &mut Option<String>,
    master: &Endpoint,
    budget: Duration,
) -> Result<Beat, Text> {
    let attempt = async {
        let io_error = |source| ClientError::Io { addr: master.addr(), source }.text();
        if connection.is_none() {
            let mut opened = conn::open(master, &[] as &[Vec<Bytes>], budget).await.map_err(|e| e.text())?;
            transport::send(&mut opened.writer, INFO_SERVER).await.map_err(io_error)?;
            let (reply, _) = opened.reader.read_frame().await.map_err(|e| e.text())?;
            let now = reply.as_bytes().and_then(|info| info_run_id(info));
            *connection = Some(opened);
            match (run_id.as_deref(), now) {
                (Some(known), Some(now)) if known != now => {
                    return Ok(Beat::Restarted { was: known.to_string(), now });
                }
                (_, Some(now)) => *run_id = Some(now),
                // LOADING: a live process, identity checked on the next connection.
                (_, None) => {}
            }
        }
        let Some(conn) = connection.as_mut() else { return Err(Text::new(&msg::HEARTBEAT_NO_CONNECTION)) };
        transport::send(&mut conn.writer, PING).await.map_err(io_error)?;
        let (reply, _) = conn.reader.read_frame().await.map_err(|e| e.text())?;
        if is_alive_reply(&reply) {
            Ok(Beat::Alive)
        } else {
            Err(Text::new(&msg::HEARTBEAT_UNEXPECTED).arg("reply", format!("{reply:?}")))
        }
    };
    match tokio::time::timeout(budget, attempt).await {
        Ok(result) => result,
        Err(_) => Err(Text::new(&msg::HEARTBEAT_TIMEOUT).arg("ms", budget.as_millis() as u64)),
    }
}

/// The `run_id` field of an `INFO server` reply.
fn info_run_id(info: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(info).ok()?;
    text.lines().find_map(|line| line.strip_prefix("run_id:")).map(|id| id.trim().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_run_id_is_read_from_info_server() {
        let info = b"# Server\r\nredis_version:7.0.15\r\nrun_id:abc123\r\ntcp_port:6379\r\n";
        assert_eq!(info_run_id(info).as_deref(), Some("abc123"));
        assert_eq!(info_run_id(b"# Server\r\n"), None);
    }

    #[test]
    fn loading_and_masterdown_count_as_alive() {
        assert!(is_alive_reply(&Frame::Simple(Bytes::from_static(b"PONG"))));
        assert!(is_alive_reply(&Frame::Error(Bytes::from_static(b"LOADING Redis is loading the dataset in memory"))));
        assert!(is_alive_reply(&Frame::Error(Bytes::from_static(b"MASTERDOWN Link with MASTER is down"))));
        assert!(!is_alive_reply(&Frame::Error(Bytes::from_static(b"NOAUTH Authentication required."))));
        assert!(!is_alive_reply(&Frame::Null));
    }
}
