//! The heartbeat: is the master alive?
//!
//! It PINGs the master every `interval` on a connection of its own (so that it never queues behind
//! client traffic in the proxy) and declares the master down only after `down_after` without a valid
//! reply. The window is what separates a failure from a stall: a master that pauses for less than the
//! window (a fork, a slow command, `DEBUG SLEEP`) answers late, the clock restarts, and nothing moves.
//! `-LOADING` and `-MASTERDOWN` are answers from a live process, so they count as alive: failing over
//! away from a master that is restarting from its own data would throw that data away.

use std::time::Duration;

use bytes::Bytes;
use tokio::io::AsyncWriteExt;
use tokio::time::Instant;

use super::conn::{self, BackendConn};
use super::events::{EventKind, EventLog};
use crate::client::ClientError;
use crate::endpoint::Endpoint;
use crate::resp::Frame;

/// PING on the wire.
const PING: &[u8] = b"*1\r\n$4\r\nPING\r\n";

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

/// Watches `master` until it is down, recording `master_unreachable`, `master_recovered` and finally
/// `marked_down` (with the last error) under `epoch`. Returns when the master is declared down.
pub async fn watch_until_down(master: &Endpoint, config: HeartbeatConfig, epoch: u64, events: &EventLog) {
    let mut connection: Option<BackendConn> = None;
    let mut last_ok = Instant::now();
    let mut unreachable = false;
    let mut last_error = String::from("no reply");
    loop {
        let deadline = last_ok + config.down_after;
        if Instant::now() >= deadline {
            let silent = config.down_after.as_millis();
            events.record(
                EventKind::MarkedDown,
                epoch,
                format!("{master}: no valid heartbeat reply for {silent} ms (last: {last_error})"),
            );
            return;
        }
        let started = Instant::now();
        let result = {
            let ping = ping(&mut connection, master, deadline - started);
            tokio::pin!(ping);
            loop {
                tokio::select! {
                    result = &mut ping => break result,
                    () = tokio::time::sleep(config.interval), if !unreachable => {
                        unreachable = true;
                        let detail = format!("{master}: PING unanswered after {} ms", config.interval.as_millis());
                        events.record(EventKind::MasterUnreachable, epoch, detail);
                    }
                }
            }
        };
        match result {
            Ok(()) => {
                last_ok = Instant::now();
                if unreachable {
                    unreachable = false;
                    events.record(EventKind::MasterRecovered, epoch, format!("{master} answered again"));
                }
            }
            Err(e) => {
                connection = None;
                last_error = e;
                if !unreachable {
                    unreachable = true;
                    events.record(EventKind::MasterUnreachable, epoch, format!("{master}: {last_error}"));
                }
            }
        }
        // The next beat is due `interval` after this one started, but never later than the deadline.
        let next = (started + config.interval).min(last_ok + config.down_after);
        tokio::time::sleep_until(next).await;
    }
}

/// One PING within `budget`, connecting first if needed. The error is in words, for the event.
async fn ping(connection: &mut Option<BackendConn>, master: &Endpoint, budget: Duration) -> Result<(), String> {
    let attempt = async {
        if connection.is_none() {
            let opened = conn::open(master, &[] as &[Vec<Bytes>], budget).await.map_err(|e| e.to_string())?;
            *connection = Some(opened);
        }
        let Some(conn) = connection.as_mut() else { return Err("no connection".to_string()) };
        let written = conn.writer.write_all(PING).await;
        written.map_err(|source| ClientError::Io { addr: master.addr(), source }.to_string())?;
        let (reply, _) = conn.reader.read_frame().await.map_err(|e| e.to_string())?;
        if is_alive_reply(&reply) {
            Ok(())
        } else {
            Err(format!("unexpected PING reply {reply:?}"))
        }
    };
    match tokio::time::timeout(budget, attempt).await {
        Ok(result) => result,
        Err(_) => Err(format!("PING timed out after {} ms", budget.as_millis())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loading_and_masterdown_count_as_alive() {
        assert!(is_alive_reply(&Frame::Simple(Bytes::from_static(b"PONG"))));
        assert!(is_alive_reply(&Frame::Error(Bytes::from_static(b"LOADING Redis is loading the dataset in memory"))));
        assert!(is_alive_reply(&Frame::Error(Bytes::from_static(b"MASTERDOWN Link with MASTER is down"))));
        assert!(!is_alive_reply(&Frame::Error(Bytes::from_static(b"NOAUTH Authentication required."))));
        assert!(!is_alive_reply(&Frame::Null));
    }
}
