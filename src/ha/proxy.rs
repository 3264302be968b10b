//! The access proxy: clients connect here instead of to Redis, and their commands go to whichever
//! server the route names as master, moving with it when it fails over.
//!
//! Each client connection is a session with one backend connection. Commands are read as complete
//! frames ([`frame_len`] first, then the bytes are forwarded untouched) and replies come back in order,
//! so pipelining works. A session remembers what it must restore on a new backend: its database
//! (`SELECT`), name (`CLIENT SETNAME`), subscriptions and login. Who logs in as whom is [`super::auth`]'s:
//! by default the client's own `AUTH` goes to the master and is replayed on a new one.
//!
//! On a switch (the backend connection breaks, or the route moves to a newer epoch):
//! - a command already written to the old master whose reply never came is answered with
//!   [`UNCERTAIN_IN_FLIGHT`]: it may or may not have run, and only the client can decide to retry
//!   (see [`UNCERTAIN_IN_FLIGHT`] for why not `-TRYAGAIN`);
//! - commands that arrive while there is no master are held (at most [`HOLD_LIMIT`] for at most
//!   [`HOLD_TIMEOUT`]) and sent to the new master once the route moves, instead of failing; past
//!   either bound they are answered with [`TRYAGAIN_NOT_SENT`] (they did not run);
//! - a session inside `MULTI` has lost its transaction with the old master: the commands it queues
//!   next are refused and its `EXEC` answers `-EXECABORT`, so nothing of the transaction runs half;
//!   a session that had keys `WATCH`ed gets a nil `EXEC`, as if they had changed (they may have);
//! - a subscribed session (`SUBSCRIBE`, `PSUBSCRIBE`, `SSUBSCRIBE`) is subscribed again on the new
//!   backend to every channel and pattern it had, and keeps receiving; messages published during the
//!   switch are lost (pub/sub never stores them);
//! - a blocking command (`BLPOP`...) in flight is answered like any command in flight.
//!
//! A planned switchover first pauses the route: sessions hold new commands (as when there is no master)
//! while the replies they are owed come in, so that nothing is in flight when the route moves and no
//! client sees an error. [`ProxyShared::in_flight`] counts what is owed across all sessions.
//!
//! In sync-writes mode ([`ProxyShared::new`] with a confirmer) the replies of a client's writes are
//! held back until [`super::confirm`] says the pair's standby has them: then they go to the client
//! as they came; otherwise each successful write is answered [`NOT_CONFIRMED`] instead, so a client
//! never takes as safe a write a failover could lose. The queue that keeps order meanwhile is
//! [`super::replies`]; what a session restores on a new backend is [`super::backend`].
//!
//! RESP3 works: a session's `HELLO 3` is forwarded and replayed first on a new backend, and RESP3 push
//! frames (pub/sub messages, which may arrive between replies) are forwarded without being taken for a
//! reply. `HELLO`'s `AUTH` and `SETNAME` options are kept like `AUTH` and `CLIENT SETNAME` (with a
//! password of the proxy's own, `HELLO` options are refused: the proxy would have to answer `HELLO`
//! itself). `RESET` is refused, since the proxy could not carry it to a new backend.
//!
//! `CLIENT REPLY OFF|SKIP` is kept by the proxy (the backend still replies; the session drops what
//! the client asked not to get). `CLIENT TRACKING` (RESP3, without `REDIRECT`, which names a
//! connection that does not survive a switch) is turned on again on a new backend, and the client
//! is first told to drop its whole cache (an `invalidate` push with no keys, as on `FLUSHALL`): the
//! new master tracks nothing it read before. A client that leaves more replies unread than its
//! [`OutputLimits`] allow is disconnected, with an event. Not restored on a new backend: `READONLY`
//! (a cluster command), and a `SELECT` inside `MULTI` counts from its `QUEUED` reply even if the
//! transaction is discarded.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use super::auth::ClientAuth;
use super::confirm::Confirmer;
use super::events::EventLog;

/// The reply to a command whose outcome on the failed master is unknown.
///
/// Its code, `UNCERTAIN`, is one no common client library retries on its own: go-redis retries
/// `TRYAGAIN`, `NOREPLICAS`, `READONLY`, `LOADING`, `MASTERDOWN` and `CLUSTERDOWN` even on a plain
/// client, and Jedis's cluster client `TRYAGAIN`, so an `INCR` answered with one of those could run
/// twice. Commands that certainly did not run keep `-TRYAGAIN` ([`TRYAGAIN_NOT_SENT`]): a retry of
/// those is what the client should do.
pub const UNCERTAIN_IN_FLIGHT: &[u8] = b"-UNCERTAIN the master failed over while this command was in flight: it may \
or may not have run; check before running it again (a retry could apply it twice)\r\n";
/// The reply to a held command that could not be sent to any master (it did not run).
pub const TRYAGAIN_NOT_SENT: &[u8] =
    b"-TRYAGAIN no master is reachable through the proxy; the command was not executed\r\n";
/// The reply to a write the replica did not confirm in sync-writes mode.
/// `UNCERTAIN` for the same reason as [`UNCERTAIN_IN_FLIGHT`]: the write ran, and a retry would run
/// it again.
pub const NOT_CONFIRMED: &[u8] = b"-UNCERTAIN the write ran on the master but the standby did not confirm it in \
time, so a failover now could lose it; check before running it again\r\n";
/// How many commands a session holds while there is no master.
pub const HOLD_LIMIT: usize = 10_000;
/// How long a session holds commands while there is no master.
pub const HOLD_TIMEOUT: Duration = Duration::from_secs(5);
/// What every session shares.
pub struct ProxyShared {
    pub events: Arc<EventLog>,
    /// How clients authenticate, and so as whom sessions reach the master.
    pub auth: ClientAuth,
    /// The highest epoch for which `first_request_served` was recorded.
    pub(super) served_epoch: AtomicU64,
    /// Replies owed by backends to all sessions together (commands sent, not yet answered).
    pub(super) in_flight: AtomicUsize,
    /// In sync-writes mode, where sessions ask whether the standby has their writes.
    pub(super) confirmer: Option<Confirmer>,
    /// How many bytes of replies a client may leave unread.
    pub(super) limits: OutputLimits,
}

/// How much a client may leave unread before it is disconnected, like Redis's
/// `client-output-buffer-limit`: over `hard` at once, or over `soft` for `soft_for` together.
/// `hard` 0 is no limit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OutputLimit {
    pub hard: usize,
    pub soft: usize,
    pub soft_for: Duration,
}

/// The limits of sessions that are subscribed (pub/sub) and of the others.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OutputLimits {
    pub normal: OutputLimit,
    pub pubsub: OutputLimit,
}

impl Default for OutputLimits {
    /// Pub/sub as Redis's own default (32 MB, or 8 MB for 60 s): a subscriber that stops reading is
    /// the usual way to exhaust a server's memory. Other sessions 512 MB, the largest reply a Redis
    /// string can make (Redis itself sets no limit for them).
    fn default() -> Self {
        const MB: usize = 1024 * 1024;
        OutputLimits {
            normal: OutputLimit { hard: 512 * MB, soft: 0, soft_for: Duration::ZERO },
            pubsub: OutputLimit { hard: 32 * MB, soft: 8 * MB, soft_for: Duration::from_secs(60) },
        }
    }
}

impl ProxyShared {
    /// `confirmer`: acknowledge writes only once it says the standby has them (sync-writes mode).
    pub fn new(events: Arc<EventLog>, auth: ClientAuth, confirmer: Option<Confirmer>, limits: OutputLimits) -> Self {
        ProxyShared { events, auth, served_epoch: AtomicU64::new(0), in_flight: AtomicUsize::new(0), confirmer, limits }
    }

    /// How many commands sent to a backend are still waiting for their reply, over all sessions.
    pub fn in_flight(&self) -> usize {
        self.in_flight.load(Ordering::SeqCst)
    }
}
