//! One client's session at the access proxy: its commands go to the master the route names, its
//! replies come back in order, and what it set up (db, name, login, protocol, subscriptions) moves
//! with it to a new master. [`super::proxy`] says what a session promises across a switch.

use std::collections::VecDeque;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use bytes::{Buf, Bytes, BytesMut};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinSet;
use tokio::time::Instant;

use super::auth::{ClientAuth, HelloOptions, Login};
use super::backend::{endpoint_for, read_backend, Backend, Link, Restore};
use super::conn;
use super::events::EventKind;
use super::proxy::{ProxyShared, HOLD_LIMIT, HOLD_TIMEOUT, NOT_CONFIRMED, TRYAGAIN_NOT_SENT, UNCERTAIN_IN_FLIGHT};
use super::replies::{Effect, Held, Owed, Replies};
use super::router::Route;
use crate::client::ClientError;
use crate::resp::{frame_len, parse_frame, Frame};
use crate::text::catalog::ha as msg;
use crate::text::Text;
use crate::transport::{self, Acceptor, ReadHalf, WriteHalf};

/// How often a session without a backend tries the route again.
const RECONNECT_EVERY: Duration = Duration::from_millis(100);
/// How long opening a backend connection (with the session's replay) may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(1);

const OK: &[u8] = b"+OK\r\n";
const NOAUTH: &[u8] = b"-NOAUTH Authentication required.\r\n";
const WRONGPASS: &[u8] = b"-WRONGPASS invalid username-password pair or user is disabled.\r\n";
const AUTH_UNSET: &[u8] = b"-ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?\r\n";
const AUTH_ARITY: &[u8] = b"-ERR wrong number of arguments for 'auth' command\r\n";
const NOT_AN_ARRAY: &[u8] = b"-ERR Protocol error: the proxy accepts commands as RESP arrays of bulk strings\r\n";
const TX_LOST: &[u8] = b"-ERR the master failed over inside MULTI; the transaction was discarded\r\n";
const NOPROTO: &[u8] = b"-NOPROTO unsupported protocol version\r\n";
const HELLO_OPTIONS: &[u8] = b"-ERR the proxy does not take HELLO options; use AUTH and CLIENT SETNAME\r\n";
const RESET_REFUSED: &[u8] = b"-ERR RESET is not supported through the proxy\r\n";
const NULL_ARRAY: &[u8] = b"*-1\r\n";
const NULL_RESP3: &[u8] = b"_\r\n";
const EXECABORT: &[u8] = b"-EXECABORT Transaction discarded because the master failed over inside MULTI.\r\n";
const SYNTAX: &[u8] = b"-ERR syntax error\r\n";
const TRACKING_REDIRECT: &[u8] = b"-ERR CLIENT TRACKING REDIRECT cannot be kept across a failover (the other \
connection's id changes); use RESP3 (HELLO 3) and CLIENT TRACKING ON without REDIRECT through the proxy\r\n";
/// A RESP3 push that tells a tracking client to drop everything it cached (as Redis sends on
/// `FLUSHALL`): after a switch the new master tracks nothing the client read before.
const INVALIDATE_ALL: &[u8] = b">2\r\n$10\r\ninvalidate\r\n_\r\n";
const LOGIN_REFUSED: &[u8] = b"-ERR the new master refused this session's login after a failover; give the standby \
the same users and passwords as the master, then connect again\r\n";

/// What [`to_client`] did.
enum Written {
    Bytes(usize),
    Flushed,
}

/// Writes what the socket takes of `out` (waiting until it takes something), or with nothing left
/// to write, flushes what a TLS session still holds. Both are cancel-safe: a branch of the
/// session's select that loses the race has written nothing.
async fn to_client(client: &mut WriteHalf, out: &[u8]) -> std::io::Result<Written> {
    if out.is_empty() {
        client.flush().await?;
        return Ok(Written::Flushed);
    }
    match client.write(out).await? {
        0 => Err(std::io::ErrorKind::WriteZero.into()),
        n => Ok(Written::Bytes(n)),
    }
}

struct Session {
    client_r: ReadHalf,
    client_w: WriteHalf,
    /// Bytes went to the client by `write` since the last flush: over TLS they may wait in the
    /// session until it is flushed.
    unflushed: bool,
    inbuf: BytesMut,
    /// Replies for the client not yet written. Writes never wait: the session keeps reading commands
    /// while a client is slow to read its replies (a client that writes a long pipeline before reading
    /// anything would otherwise block on us while we block on it). Bounded, with what is held back,
    /// by the output limits: a client over them is disconnected ([`Session::over_limit`]).
    out: BytesMut,
    /// Since when the unread replies have been over the soft limit.
    over_soft_since: Option<Instant>,
    /// The client's address, for the events.
    peer: std::net::SocketAddr,
    link: Link,
    owed: VecDeque<Owed>,
    held: VecDeque<Held>,
    routes: watch::Receiver<Route>,
    routes_open: bool,
    /// The route is paused for a planned switchover: hold commands even with a backend up.
    paused: bool,
    shared: Arc<ProxyShared>,
    /// Replies held back for the standby's confirmation (sync-writes mode), in order.
    replies: Replies,
    /// What the client set up, restored on a new backend.
    restore: Restore,
    /// With a password of the proxy's own: whether the client gave it.
    authed: bool,
    in_multi: bool,
    /// MULTI was open on a backend that is gone: refuse until EXEC or DISCARD.
    tx_aborted: bool,
    watching: bool,
    /// WATCH was set on a backend that is gone: the next EXEC must fail.
    watch_lost: bool,
    /// The master refused the client's login after a switch: the session ends at the client's next
    /// command, which is answered with why.
    login_refused: bool,
    /// `CLIENT REPLY`, kept by the proxy: the backend always replies, and the session drops what
    /// the client asked not to get.
    reply_mode: ReplyMode,
    /// The command being handled gets no reply (`CLIENT REPLY OFF`, or the one after `SKIP`).
    silent: bool,
    /// Stop reading the client; close once everything owed is written (QUIT, end of input, or a
    /// protocol error).
    closing: bool,
}

impl Session {
    fn new(
        client_r: ReadHalf,
        client_w: WriteHalf,
        peer: std::net::SocketAddr,
        routes: watch::Receiver<Route>,
        shared: Arc<ProxyShared>,
    ) -> Self {
        let authed = matches!(shared.auth, ClientAuth::Servers);
        Session {
            client_r,
            client_w,
            unflushed: false,
            inbuf: BytesMut::with_capacity(16 * 1024),
            out: BytesMut::with_capacity(16 * 1024),
            over_soft_since: None,
            peer,
            link: Link::Down { since: Instant::now(), failing: false },
            owed: VecDeque::new(),
            held: VecDeque::new(),
            routes,
            routes_open: true,
            paused: false,
            shared,
            replies: Replies::default(),
            restore: Restore::default(),
            authed,
            in_multi: false,
            tx_aborted: false,
            watching: false,
            watch_lost: false,
            login_refused: false,
            reply_mode: ReplyMode::On,
            silent: false,
            closing: false,
        }
    }

    async fn run(mut self) {
        self.connect().await;
        loop {
            if let Err(e) = self.flush_backend().await {
                self.lose_backend(&e.to_string());
                self.connect().await;
                continue;
            }
            while !self.out.is_empty() {
                match self.client_w.try_write(&self.out) {
                    Ok(n) => self.out.advance(n),
                    Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => break,
                    Err(_) => return, // the client is gone
                }
            }
            if self.closing && self.owed.is_empty() && self.held.is_empty() && self.out.is_empty() {
                return;
            }
            if let Some(why) = self.over_limit() {
                let epoch = self.routes.borrow().epoch;
                let detail = Text::new(&msg::CLIENT_DISCONNECTED).arg("client", self.peer.to_string()).arg("why", why);
                self.shared.events.record(EventKind::ClientDisconnected, epoch, detail);
                return;
            }
            let down = matches!(self.link, Link::Down { .. });
            let unsent = !self.out.is_empty();
            let unflushed = self.unflushed && !unsent;
            tokio::select! {
                changed = self.routes.changed(), if self.routes_open => match changed {
                    Ok(()) => self.follow_route().await,
                    Err(_) => self.routes_open = false,
                },
                io = to_client(&mut self.client_w, &self.out), if unsent || unflushed => match io {
                    Ok(Written::Bytes(n)) => {
                        self.out.advance(n);
                        self.unflushed = true;
                    }
                    Ok(Written::Flushed) => self.unflushed = false,
                    Err(_) => return, // the client is gone
                },
                read = self.client_r.read_buf(&mut self.inbuf), if !self.closing => match read {
                    // A half-closed client still gets the replies it is owed.
                    Ok(0) => self.closing = true,
                    Ok(_) => {
                        // Commands the client sent after the route moved must not reach the old
                        // master (a session inside MULTI would queue them there): when both woke the
                        // session at once, the route is followed first.
                        if self.routes_open && self.routes.has_changed().unwrap_or(false) {
                            self.follow_route().await;
                        }
                        self.on_client_bytes();
                    }
                    Err(_) => return,
                },
                read = read_backend(self.link.backend()) => match read {
                    Ok(()) => self.on_backend_bytes(),
                    Err(e) => {
                        self.lose_backend(&e.to_string());
                        self.connect().await;
                    }
                },
                confirmed = self.replies.answer() => {
                    self.replies.settle_first(&mut self.out, confirmed, NOT_CONFIRMED);
                }
                () = tokio::time::sleep(RECONNECT_EVERY), if down => self.connect().await,
            }
        }
    }

    /// Why the client must be disconnected, when its unread replies are over its output limit.
    fn over_limit(&mut self) -> Option<Text> {
        let subscribed = self.restore.subscribed();
        let limits = &self.shared.limits;
        let (limit, who) =
            if subscribed { (limits.pubsub, &msg::WHO_SUBSCRIBER) } else { (limits.normal, &msg::WHO_CLIENT) };
        let unread = self.out.len() + self.replies.held_bytes();
        const MB: f64 = 1024.0 * 1024.0;
        if limit.hard > 0 && unread > limit.hard {
            return Some(
                Text::new(&msg::OVER_HARD_LIMIT)
                    .arg("who", Text::new(who))
                    .arg("unread", format!("{:.1}", unread as f64 / MB))
                    .arg("limit", format!("{:.0}", limit.hard as f64 / MB)),
            );
        }
        if limit.soft == 0 || unread <= limit.soft {
            self.over_soft_since = None;
            return None;
        }
        let since = *self.over_soft_since.get_or_insert_with(Instant::now);
        (since.elapsed() >= limit.soft_for).then(|| {
            Text::new(&msg::OVER_SOFT_LIMIT)
                .arg("who", Text::new(who))
                .arg("limit", format!("{:.0}", limit.soft as f64 / MB))
                .arg("secs", limit.soft_for.as_secs())
        })
    }

    /// Takes the route now: leaves a backend of an older epoch (what it owed becomes uncertain),
    /// connects to the new master, and sends what was held unless the route is paused.
    async fn follow_route(&mut self) {
        let (epoch, paused) = {
            let route = self.routes.borrow_and_update();
            (route.epoch, route.paused)
        };
        self.paused = paused;
        if self.link.backend().is_some_and(|b| b.epoch < epoch) {
            self.lose_backend("the route moved to a new master");
        }
        self.connect().await;
        self.release_held();
    }

    /// Opens a backend to the current route when there is none, replaying the session's state and
    /// sending what was held; past the hold bounds, fails what was held.
    async fn connect(&mut self) {
        let Link::Down { since, .. } = self.link else { return };
        if self.login_refused {
            return;
        }
        // With the servers' users the session logs in as its client did (or not at all); with a
        // password of the proxy's own, as the pair (the route's credentials).
        let as_client = matches!(self.shared.auth, ClientAuth::Servers);
        let setup = self.restore.setup();
        // A route that moves while we wait on an unresponsive master wins at once: the new master is
        // tried without waiting out CONNECT_TIMEOUT on the old one.
        let (route, opened) = loop {
            let route = self.routes.borrow_and_update().clone();
            self.paused = route.paused;
            let master = endpoint_for(&route.master, as_client);
            tokio::select! {
                opened = conn::open(&master, &setup, CONNECT_TIMEOUT) => break (route, opened),
                changed = self.routes.changed(), if self.routes_open => {
                    self.routes_open = changed.is_ok();
                }
            }
        };
        match opened {
            Ok(conn) => {
                self.link = Link::Up(Backend { conn, epoch: route.epoch, out: BytesMut::new() });
                // Tracking is on again, but the new backend knows nothing the client read before:
                // the client drops its whole cache, and what it reads next is tracked afresh.
                if self.restore.tracking.is_some() && self.restore.resp3 {
                    self.replies.emit_local(&mut self.out, INVALIDATE_ALL);
                }
                self.release_held();
            }
            Err(ClientError::Auth { message, .. }) if as_client && self.restore.login.is_some() => {
                // The standby does not know the client's user: the client must log in again, and the
                // new master answers it as it would any client.
                tracing::warn!(master = %route.master, %message, "the new master refused a session's login");
                // Said to the client with its next command (or now, to those held), then closed.
                self.login_refused = true;
                self.closing = !self.held.is_empty();
                self.fail_held_with(LOGIN_REFUSED);
            }
            Err(e) => {
                tracing::debug!(master = %route.master, error = %e, "proxy session cannot reach the master");
                if since.elapsed() >= HOLD_TIMEOUT {
                    self.fail_held();
                }
            }
        }
    }

    /// Sends what was held to the backend, unless there is none or the route is paused.
    fn release_held(&mut self) {
        if self.paused {
            return;
        }
        let Link::Up(backend) = &mut self.link else { return };
        for held in self.held.drain(..) {
            match held {
                Held::Command(frame, owed) => {
                    backend.out.extend_from_slice(&frame);
                    self.shared.in_flight.fetch_add(1, Ordering::SeqCst);
                    self.owed.push_back(owed);
                }
                Held::Local(reply) if self.owed.is_empty() => self.replies.emit_local(&mut self.out, reply),
                Held::Local(reply) => self.owed.push_back(Owed::Local(reply)),
            }
        }
    }

    /// Answers every held command with [`TRYAGAIN_NOT_SENT`] and fails new ones at once until a master
    /// is reachable again.
    fn fail_held(&mut self) {
        self.fail_held_with(TRYAGAIN_NOT_SENT);
    }

    /// Answers every held command with `reply` (they did not run) and fails new ones at once.
    fn fail_held_with(&mut self, reply: &'static [u8]) {
        let not_sent = reply;
        for held in self.held.drain(..) {
            let reply = match held {
                Held::Command(_, Owed::Backend { silent: true, .. }) => continue,
                Held::Command(..) => not_sent,
                Held::Local(reply) => reply,
            };
            self.replies.emit_local(&mut self.out, reply);
        }
        if let Link::Down { failing, .. } = &mut self.link {
            *failing = true;
        }
    }

    /// Drops the backend: what it owed becomes [`UNCERTAIN_IN_FLIGHT`], in order.
    fn lose_backend(&mut self, reason: &str) {
        if let Link::Up(backend) = &self.link {
            tracing::info!(epoch = backend.epoch, reason, owed = self.owed.len(), "proxy session lost its backend");
        }
        self.link = Link::Down { since: Instant::now(), failing: false };
        // Writes that ran but were never confirmed are as uncertain as those never answered.
        self.replies.settle_all(&mut self.out, UNCERTAIN_IN_FLIGHT);
        let outstanding = self.owed.iter().filter(|o| o.awaits_backend()).count();
        self.shared.in_flight.fetch_sub(outstanding, Ordering::SeqCst);
        for owed in self.owed.drain(..) {
            match owed {
                Owed::Backend { silent: true, .. } => {}
                Owed::Backend { .. } => self.out.extend_from_slice(UNCERTAIN_IN_FLIGHT),
                Owed::Local(reply) => self.out.extend_from_slice(reply),
            }
        }
        if self.in_multi {
            self.in_multi = false;
            self.tx_aborted = true;
        }
        if self.watching {
            self.watching = false;
            self.watch_lost = true;
        }
    }

    async fn flush_backend(&mut self) -> Result<(), ClientError> {
        let Some(backend) = self.link.backend() else { return Ok(()) };
        if backend.out.is_empty() {
            return Ok(());
        }
        let written = transport::send(&mut backend.conn.writer, &backend.out).await;
        backend.out.clear();
        written.map_err(|source| ClientError::Io { addr: backend.conn.reader.addr().to_string(), source })
    }

    fn on_client_bytes(&mut self) {
        while !self.closing {
            let len = match frame_len(&self.inbuf) {
                Ok(Some(len)) => len,
                // A partial frame stays in the buffer for the next read.
                Ok(None) => break,
                Err(e) => {
                    tracing::debug!(error = %e, "proxy client sent invalid RESP");
                    self.reply_local(NOT_AN_ARRAY);
                    self.closing = true;
                    break;
                }
            };
            let frame = self.inbuf.split_to(len).freeze();
            self.on_command(frame);
        }
        if self.closing {
            self.inbuf.clear();
        }
    }

    fn on_command(&mut self, frame: Bytes) {
        let args = match parse_frame(&frame) {
            Ok((Frame::Array(args), _)) if !args.is_empty() => args,
            _ => {
                self.reply_local(NOT_AN_ARRAY);
                self.closing = true;
                return;
            }
        };
        let name = args[0].as_bytes().map(|n| n.to_ascii_uppercase()).unwrap_or_default();
        let sub = |i: usize| args.get(i).and_then(Frame::as_bytes).map(|s| s.to_ascii_uppercase());
        if name == b"CLIENT" && sub(1).as_deref() == Some(b"REPLY") {
            return self.client_reply(sub(2).as_deref());
        }
        self.silent = match self.reply_mode {
            ReplyMode::On => false,
            ReplyMode::Off => true,
            ReplyMode::Skip => {
                self.reply_mode = ReplyMode::On;
                true
            }
        };
        self.run_command(frame, args, name);
        self.silent = false;
    }

    /// `CLIENT REPLY ON|OFF|SKIP`, answered by the proxy: forwarded, it would leave the backend
    /// silent, the replies owed out of step, and nothing to replay on a new backend.
    fn client_reply(&mut self, mode: Option<&[u8]>) {
        match mode {
            Some(b"ON") => {
                self.reply_mode = ReplyMode::On;
                self.reply_local(OK);
            }
            Some(b"OFF") => self.reply_mode = ReplyMode::Off,
            Some(b"SKIP") if self.reply_mode == ReplyMode::On => self.reply_mode = ReplyMode::Skip,
            Some(b"SKIP") => {}
            _ if self.reply_mode == ReplyMode::On => self.reply_local(SYNTAX),
            _ => {}
        }
    }

    fn run_command(&mut self, frame: Bytes, args: Vec<Frame>, name: Vec<u8>) {
        let arg = |i: usize| args.get(i).and_then(Frame::as_bytes);
        if self.login_refused {
            self.reply_local(LOGIN_REFUSED);
            self.closing = true;
            return;
        }
        let servers_decide = matches!(self.shared.auth, ClientAuth::Servers);
        match name.as_slice() {
            b"AUTH" if !servers_decide => return self.auth(&args),
            b"QUIT" => {
                self.reply_local(OK);
                self.closing = true;
                return;
            }
            _ if !self.authed => return self.reply_local(NOAUTH),
            _ => {}
        }
        if let Some(refusal) = unsupported(&name, &args, servers_decide) {
            return self.reply_local(refusal);
        }
        if self.tx_aborted {
            let reply = match name.as_slice() {
                b"EXEC" => EXECABORT,
                b"DISCARD" => OK,
                _ => return self.reply_local(TX_LOST),
            };
            self.tx_aborted = false;
            self.watch_lost = false;
            return self.reply_local(reply);
        }
        let mut frame = frame;
        let effect = match name.as_slice() {
            b"SELECT" => arg(1).and_then(|db| std::str::from_utf8(db).ok()?.parse().ok()).map(Effect::Select),
            b"CLIENT" if arg(1).is_some_and(|sub| sub.eq_ignore_ascii_case(b"SETNAME")) => {
                arg(2).cloned().map(Effect::SetName)
            }
            b"MULTI" => {
                self.in_multi = true;
                None
            }
            b"WATCH" => {
                self.watching = true;
                None
            }
            b"UNWATCH" | b"DISCARD" => {
                (self.in_multi, self.watching, self.watch_lost) = (false, false, false);
                None
            }
            // The keys were watched on the old master: the new one cannot tell whether they changed,
            // so the transaction fails as if they had (EXEC answers nil) and is discarded there.
            b"EXEC" if self.watch_lost => {
                (self.in_multi, self.watching, self.watch_lost) = (false, false, false);
                frame = Bytes::from_static(b"*1\r\n$7\r\nDISCARD\r\n");
                Some(Effect::Replace(if self.restore.resp3 { NULL_RESP3 } else { NULL_ARRAY }))
            }
            b"EXEC" => {
                (self.in_multi, self.watching) = (false, false);
                None
            }
            b"SUBSCRIBE" | b"PSUBSCRIBE" | b"SSUBSCRIBE" | b"UNSUBSCRIBE" | b"PUNSUBSCRIBE" | b"SUNSUBSCRIBE" => {
                self.restore.track_subscriptions(&name, &args[1..]);
                None
            }
            b"AUTH" => Login::from_auth(&args[1..]).map(Effect::Login),
            b"CLIENT" if arg(1).is_some_and(|sub| sub.eq_ignore_ascii_case(b"TRACKING")) => {
                let upper = |a: &Frame| a.as_bytes().map(|b| b.to_ascii_uppercase()).unwrap_or_default();
                if args[2..].iter().any(|a| upper(a) == b"REDIRECT") {
                    return self.reply_local(TRACKING_REDIRECT);
                }
                let on = arg(2).is_some_and(|mode| mode.eq_ignore_ascii_case(b"ON"));
                let command = args.iter().filter_map(Frame::as_bytes).cloned().collect();
                Some(Effect::Tracking(on.then_some(command)))
            }
            b"HELLO" => arg(1).map(|version| {
                let options = HelloOptions::parse(&args[2..]).unwrap_or_default();
                Effect::Hello { resp3: version.as_ref() == b"3", login: options.login, name: options.name }
            }),
            _ => None,
        };
        // Inside MULTI a write only queues; its EXEC is the write to confirm. A write the client asked
        // no reply for has nothing to hold back.
        let confirm = self.shared.confirmer.is_some()
            && !self.silent
            && !self.in_multi
            && !self.restore.subscribed()
            && !matches!(effect, Some(Effect::Replace(_)))
            && super::commands::may_write(&name);
        let push = name.ends_with(b"SUBSCRIBE");
        self.dispatch(frame, Owed::Backend { effect, confirm, push, silent: self.silent });
    }

    /// AUTH with a password of the proxy's own: the backend login is the pair's and must not change
    /// under it.
    fn auth(&mut self, args: &[Frame]) {
        let ClientAuth::Password(password) = &self.shared.auth else { return self.reply_local(AUTH_UNSET) };
        let given = match args {
            [_, pass] => pass.as_bytes(),
            [_, user, pass] if user.as_bytes().is_some_and(|u| u.as_ref() == b"default") => pass.as_bytes(),
            [_, _, _] => None,
            _ => return self.reply_local(AUTH_ARITY),
        };
        if given.is_some_and(|g| g.as_ref() == password.expose().as_bytes()) {
            self.authed = true;
            self.reply_local(OK);
        } else {
            self.reply_local(WRONGPASS);
        }
    }

    /// Sends a command to the backend, or holds it while there is none or the route is paused.
    fn dispatch(&mut self, frame: Bytes, owed: Owed) {
        match &mut self.link {
            Link::Up(backend) if !self.paused => {
                backend.out.extend_from_slice(&frame);
                self.shared.in_flight.fetch_add(1, Ordering::SeqCst);
                self.owed.push_back(owed);
            }
            Link::Down { failing: true, .. } => self.reply_local(TRYAGAIN_NOT_SENT),
            _ if self.held.len() >= HOLD_LIMIT => {
                self.fail_held();
                self.reply_local(TRYAGAIN_NOT_SENT);
            }
            _ => self.held.push_back(Held::Command(frame, owed)),
        }
    }

    /// Answers from the proxy itself, after every reply owed or held before it.
    fn reply_local(&mut self, reply: &'static [u8]) {
        if self.silent {
            return;
        }
        if !self.held.is_empty() {
            self.held.push_back(Held::Local(reply));
        } else if !self.owed.is_empty() {
            self.owed.push_back(Owed::Local(reply));
        } else {
            self.replies.emit_local(&mut self.out, reply);
        }
    }

    /// Forwards every complete reply in the backend buffer, in order, applying confirmed effects.
    fn on_backend_bytes(&mut self) {
        let Link::Up(backend) = &mut self.link else { return };
        let mut invalid = None;
        loop {
            let buffer = backend.conn.reader.buffer();
            let len = match frame_len(buffer) {
                Ok(Some(len)) => len,
                Ok(None) => break,
                Err(e) => {
                    invalid = Some(e.to_string());
                    break;
                }
            };
            let reply = buffer.split_to(len).freeze();
            let ok = !matches!(reply.first(), Some(b'-' | b'!'));
            while let Some(Owed::Local(local)) = self.owed.front() {
                self.replies.emit_local(&mut self.out, local);
                self.owed.pop_front();
            }
            let mut replacement = None;
            let mut to_confirm = false;
            let mut for_client = true;
            // A RESP3 push frame answers only a (un)subscribe; otherwise it is a message, not a reply.
            let message =
                reply.first() == Some(&b'>') && !matches!(self.owed.front(), Some(Owed::Backend { push: true, .. }));
            match if message { None } else { self.owed.pop_front() } {
                // Nothing owed: a pub/sub message, forwarded as it came.
                None | Some(Owed::Local(_)) => {}
                Some(Owed::Backend { effect, confirm, silent, .. }) => {
                    for_client = !silent;
                    self.shared.in_flight.fetch_sub(1, Ordering::SeqCst);
                    to_confirm = confirm && ok;
                    if let Some(Effect::Replace(with)) = effect {
                        replacement = Some(with);
                    } else if ok {
                        match effect {
                            Some(Effect::Select(db)) => self.restore.db = db,
                            Some(Effect::SetName(name)) => self.restore.name = (!name.is_empty()).then_some(name),
                            Some(Effect::Hello { resp3, login, name }) => {
                                let restore = &mut self.restore;
                                (restore.resp3, restore.hello) = (resp3, true);
                                restore.login = login.or(restore.login.take());
                                restore.name = name.or(restore.name.take());
                            }
                            Some(Effect::Login(login)) => self.restore.login = Some(login),
                            Some(Effect::Tracking(command)) => self.restore.tracking = command,
                            _ => {}
                        }
                        if backend.epoch > 0
                            && self.shared.served_epoch.fetch_max(backend.epoch, Ordering::SeqCst) < backend.epoch
                        {
                            let detail =
                                Text::new(&msg::FIRST_REPLY).arg("server", backend.conn.reader.addr().to_string());
                            self.shared.events.record(EventKind::FirstRequestServed, backend.epoch, detail);
                        }
                    }
                }
            }
            if for_client {
                let reply = replacement.map(Bytes::from_static).unwrap_or(reply);
                self.replies.emit(&mut self.out, reply, to_confirm);
            }
            while let Some(Owed::Local(local)) = self.owed.front() {
                self.replies.emit_local(&mut self.out, local);
                self.owed.pop_front();
            }
        }
        // The writes whose replies came in are in the master's stream now: ask whether the standby
        // has them (one ticket for all of them, however many sessions ask at once).
        if self.replies.wants_ticket() {
            if let Some(confirmer) = &self.shared.confirmer {
                self.replies.add_ticket(confirmer.ticket());
            }
        }
        if let Some(reason) = invalid {
            self.lose_backend(&format!("the backend sent invalid RESP: {reason}"));
        }
    }
}

impl Drop for Session {
    /// A session that ends (the client left, or the proxy stops) no longer waits for anything.
    fn drop(&mut self) {
        let outstanding = self.owed.iter().filter(|o| o.awaits_backend()).count();
        self.shared.in_flight.fetch_sub(outstanding, Ordering::SeqCst);
    }
}

/// What `CLIENT REPLY` asked for.
#[derive(Clone, Copy, PartialEq, Eq)]
enum ReplyMode {
    On,
    Off,
    /// No reply to the next command only.
    Skip,
}

/// Commands the proxy refuses because it could not keep their effect across a switch. `HELLO`'s
/// options are kept only when the servers check logins (`servers_decide`).
fn unsupported(name: &[u8], args: &[Frame], servers_decide: bool) -> Option<&'static [u8]> {
    match name {
        b"HELLO" if args.get(1).and_then(Frame::as_bytes).is_some_and(|v| !matches!(v.as_ref(), b"2" | b"3")) => {
            Some(NOPROTO)
        }
        b"HELLO" if args.len() > 2 && !(servers_decide && HelloOptions::parse(&args[2..]).is_some()) => {
            Some(HELLO_OPTIONS)
        }
        b"RESET" => Some(RESET_REFUSED),
        _ => None,
    }
}

/// Accepts clients until the task is aborted; aborting it aborts every session (the `JoinSet`).
/// With an acceptor, clients speak TLS; a handshake that fails ends only that connection.
pub async fn serve(
    listener: TcpListener,
    acceptor: Option<Acceptor>,
    routes: watch::Receiver<Route>,
    shared: Arc<ProxyShared>,
) {
    let mut sessions = JoinSet::new();
    loop {
        while sessions.try_join_next().is_some() {}
        match listener.accept().await {
            Ok((stream, peer)) => {
                let (acceptor, routes, shared) = (acceptor.clone(), routes.clone(), shared.clone());
                sessions.spawn(async move {
                    match transport::accept(stream, acceptor.as_ref()).await {
                        Ok(stream) => run_session(stream, peer, routes, shared).await,
                        Err(e) => tracing::info!(%peer, "a client's TLS handshake with the proxy failed: {e}"),
                    }
                });
            }
            Err(e) => {
                // Out of file descriptors and the like: back off rather than spin.
                tracing::warn!(error = %e, "proxy accept failed");
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
    }
}

/// One client connection.
async fn run_session(
    stream: transport::Stream,
    peer: std::net::SocketAddr,
    routes: watch::Receiver<Route>,
    shared: Arc<ProxyShared>,
) {
    let (client_r, client_w) = stream.into_split();
    Session::new(client_r, client_w, peer, routes, shared).run().await;
}
