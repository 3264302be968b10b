//! The failover's own record: every step as a timestamped event, kept in a bounded history and
//! broadcast live.
//!
//! A failover is judged afterwards ("how long were we down, and why?"), so each step is written down
//! when it happens rather than reconstructed from logs. The history is bounded so that a proxy that
//! runs for months does not grow without limit.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

use serde::Serialize;
use tokio::sync::broadcast;

use crate::text::Text;

/// How many events the history keeps; older ones are dropped first.
pub const HISTORY_LEN: usize = 1024;

/// What happened.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    /// At start, the servers were asked `ROLE`: `detail` says what each said and so where writes go.
    RolesChecked,
    /// A heartbeat went unanswered (or the connection failed); the down window starts counting.
    MasterUnreachable,
    /// The master answered again before the window ran out: no failover.
    MasterRecovered,
    /// No valid heartbeat reply for the whole window: the master is declared down.
    MarkedDown,
    /// The replica was told `REPLICAOF NO ONE` and `ROLE` confirmed it is a master.
    Promoted,
    /// The replica could not or must not be promoted; the service stays down and `detail` says why.
    PromotionRefused,
    /// The master does not answer the proxy, but the standby is still linked to it: the proxy may be
    /// the one cut off, so nothing is promoted (split-brain safety) until the standby's own link says
    /// the master is gone.
    Suspect,
    /// The new route (epoch, master) was published to the proxy's sessions.
    RoutePushed,
    /// The first successful reply from the new master reached a client.
    FirstRequestServed,
    /// A server was made a replica of the master (a returning old master, or the old master in a
    /// planned switchover), before anything could route to it.
    Fenced,
    /// The standby is synced with the master: a failover now loses at most the last moments.
    StandbyReady,
    /// A client left more replies unread than its output limit allows and was disconnected.
    ClientDisconnected,
    /// A planned switchover began: writes are held while the standby catches up.
    SwitchoverStarted,
    /// The planned switchover finished: roles swapped, held writes went to the new master.
    SwitchoverDone,
    /// The planned switchover stopped before any change; writes resumed on the same master.
    SwitchoverAborted,
}

/// One step of the failover.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
// The TypeScript name: `Event` would hide the DOM's own type. (A struct's serde name does not change
// its JSON.)
#[serde(rename = "HaEvent")]
pub struct Event {
    /// Wall-clock time in milliseconds since the Unix epoch.
    pub at_ms: u64,
    pub kind: EventKind,
    /// The route epoch the event belongs to.
    pub epoch: u64,
    /// Which server, and any reason: a sentence of the catalog, so that it renders in the language
    /// the reader chose (English for the CLI and the logs).
    pub detail: Text,
}

/// The bounded history plus the live channel.
pub struct EventLog {
    history: Mutex<VecDeque<Event>>,
    live: broadcast::Sender<Event>,
}

impl Default for EventLog {
    fn default() -> Self {
        EventLog::new()
    }
}

impl EventLog {
    pub fn new() -> Self {
        let (live, _) = broadcast::channel(HISTORY_LEN);
        EventLog { history: Mutex::new(VecDeque::with_capacity(64)), live }
    }

    /// Records an event: logs it, appends it to the history and sends it to subscribers.
    pub fn record(&self, kind: EventKind, epoch: u64, detail: Text) {
        let at_ms = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or(0);
        let event = Event { at_ms, kind, epoch, detail };
        tracing::info!(kind = ?event.kind, epoch, detail = %event.detail, "ha event");
        {
            let mut history = self.history.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            if history.len() == HISTORY_LEN {
                history.pop_front();
            }
            history.push_back(event.clone());
        }
        // No subscriber is not an error: the history still has it.
        let _ = self.live.send(event);
    }

    /// Every event still in the history, oldest first.
    pub fn history(&self) -> Vec<Event> {
        self.history.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).iter().cloned().collect()
    }

    /// Events recorded from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<Event> {
        self.live.subscribe()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn history_is_bounded_and_serializes_in_snake_case() {
        let log = EventLog::new();
        let mut rx = log.subscribe();
        log.record(EventKind::MasterUnreachable, 0, Text::raw("x"));
        assert_eq!(rx.try_recv().map(|e| e.kind).ok(), Some(EventKind::MasterUnreachable), "broadcast live");
        for i in 1..HISTORY_LEN + 5 {
            log.record(EventKind::MasterUnreachable, i as u64, Text::raw("x"));
        }
        let history = log.history();
        assert_eq!(history.len(), HISTORY_LEN);
        assert_eq!(history[0].epoch, 5, "the oldest are dropped first");
        let json = serde_json::to_string(&history[0]).unwrap_or_default();
        assert!(json.contains("\"kind\":\"master_unreachable\""), "{json}");
        assert!(json.contains("\"detail\":{\"code\":\"raw\""), "the detail is a code and its arguments: {json}");
    }
}
