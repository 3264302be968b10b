//! A session's reply queue: what its client is owed, in order, and what goes out when.
//!
//! Every command a session accepts owes the client exactly one reply, in the order the commands
//! came: from the backend ([`Owed::Backend`]), or from the proxy itself ([`Owed::Local`], queued
//! behind the backend replies owed before it). Commands that wait for a master are [`Held`]. A reply
//! that is ready goes to [`Replies`], which writes it out at once, unless it must wait: in
//! sync-writes mode a write's reply waits until the standby has the write (a ticket of
//! [`super::confirm`]), and every reply behind it waits too, so that order is kept.

use std::collections::VecDeque;

use bytes::{Bytes, BytesMut};
use tokio::sync::oneshot;

use super::auth::Login;

/// What a backend reply does besides reaching the client.
pub(super) enum Effect {
    /// Restore this db on a new backend, once the reply confirms it.
    Select(i64),
    /// Restore this name on a new backend, once the reply confirms it.
    SetName(Bytes),
    /// The client gets this instead of the backend's reply.
    Replace(&'static [u8]),
    /// `HELLO 2|3`: the protocol to restore on a new backend (true for RESP3), and the login and name
    /// it set, once confirmed.
    Hello { resp3: bool, login: Option<Login>, name: Option<Bytes> },
    /// `AUTH` accepted by the master: the login to replay on a new backend.
    Login(Login),
    /// `CLIENT TRACKING …` accepted: its arguments to replay on a new backend (`None`: turned off).
    Tracking(Option<Vec<Bytes>>),
}

/// A reply the client is owed, in order.
pub(super) enum Owed {
    /// From the backend; the effect applies if it is not an error. `confirm`: a write whose reply
    /// waits for the standby's confirmation (sync-writes mode). `push`: a (un)subscribe command,
    /// whose RESP3 reply is a push frame. `silent`: the client asked for no reply (`CLIENT REPLY
    /// OFF|SKIP`), so the backend's is read and dropped.
    Backend { effect: Option<Effect>, confirm: bool, push: bool, silent: bool },
    /// Answered by the proxy, queued behind earlier backend replies.
    Local(&'static [u8]),
}

impl Owed {
    /// Whether a backend reply is outstanding for it.
    pub fn awaits_backend(&self) -> bool {
        !matches!(self, Owed::Local(_))
    }
}

/// A command (or the proxy's own answer to one) waiting for a master.
pub(super) enum Held {
    Command(Bytes, Owed),
    Local(&'static [u8]),
}

/// A reply held back, or the point up to which a ticket answers.
enum Deferred {
    /// `true`: a write whose reply needs the standby's confirmation.
    Reply(Bytes, bool),
    Ticket,
}

/// Replies held back for the standby's confirmation, and the tickets that release them. Ready bytes
/// go to the session's output buffer, passed in (the session writes it to the client while it
/// waits here).
#[derive(Default)]
pub(super) struct Replies {
    deferred: VecDeque<Deferred>,
    tickets: VecDeque<oneshot::Receiver<bool>>,
    /// A write to confirm was held back since the last ticket.
    unticketed: bool,
    /// Bytes of the replies held back.
    held_bytes: usize,
}

impl Replies {
    /// Queues a reply: behind the held-back ones (order is kept), or straight out when nothing is
    /// held back. `confirm` marks a write whose reply needs the standby's confirmation.
    pub fn emit(&mut self, out: &mut BytesMut, reply: Bytes, confirm: bool) {
        if confirm || !self.deferred.is_empty() {
            self.held_bytes += reply.len();
            self.deferred.push_back(Deferred::Reply(reply, confirm));
            self.unticketed |= confirm;
        } else {
            out.extend_from_slice(&reply);
        }
    }

    /// [`Replies::emit`] for one of the proxy's own replies.
    pub fn emit_local(&mut self, out: &mut BytesMut, reply: &'static [u8]) {
        self.emit(out, Bytes::from_static(reply), false);
    }

    /// How many bytes of replies are held back.
    pub fn held_bytes(&self) -> usize {
        self.held_bytes
    }

    /// Whether writes are held back with no ticket asked for them yet.
    pub fn wants_ticket(&self) -> bool {
        self.unticketed
    }

    /// A ticket answering for every write held back so far.
    pub fn add_ticket(&mut self, ticket: oneshot::Receiver<bool>) {
        self.deferred.push_back(Deferred::Ticket);
        self.tickets.push_back(ticket);
        self.unticketed = false;
    }

    /// The first ticket's answer (`false` when its confirmer is gone); never completes without a
    /// ticket. Cancel-safe.
    pub async fn answer(&mut self) -> bool {
        match self.tickets.front_mut() {
            Some(ticket) => ticket.await.unwrap_or(false),
            None => std::future::pending().await,
        }
    }

    /// Releases what the first ticket answers for (each write as it came when `confirmed`, else as
    /// `unconfirmed`), then the replies behind it up to the next write still waiting.
    pub fn settle_first(&mut self, out: &mut BytesMut, confirmed: bool, unconfirmed: &'static [u8]) {
        self.tickets.pop_front();
        while let Some(item) = self.deferred.pop_front() {
            match item {
                Deferred::Ticket => break,
                Deferred::Reply(reply, true) if !confirmed => {
                    self.held_bytes -= reply.len();
                    out.extend_from_slice(unconfirmed);
                }
                Deferred::Reply(reply, _) => {
                    self.held_bytes -= reply.len();
                    out.extend_from_slice(&reply);
                }
            }
        }
        while let Some(Deferred::Reply(_, false)) = self.deferred.front() {
            if let Some(Deferred::Reply(reply, _)) = self.deferred.pop_front() {
                self.held_bytes -= reply.len();
                out.extend_from_slice(&reply);
            }
        }
    }

    /// Releases everything held back now, each write as `instead` (the backend is gone: whether the
    /// standby has them can no longer be asked of this master).
    pub fn settle_all(&mut self, out: &mut BytesMut, instead: &'static [u8]) {
        self.tickets.clear();
        self.unticketed = false;
        self.held_bytes = 0;
        for item in self.deferred.drain(..) {
            match item {
                Deferred::Reply(_, true) => out.extend_from_slice(instead),
                Deferred::Reply(reply, false) => out.extend_from_slice(&reply),
                Deferred::Ticket => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b(s: &'static str) -> Bytes {
        Bytes::from_static(s.as_bytes())
    }

    #[test]
    fn writes_wait_for_their_ticket_and_everything_behind_them_waits_too() {
        let (mut replies, mut out) = (Replies::default(), BytesMut::new());
        replies.emit(&mut out, b("+before\r\n"), false);
        replies.emit(&mut out, b(":1\r\n"), true);
        replies.emit(&mut out, b("$3\r\nget\r\n"), false);
        assert!(replies.wants_ticket());
        let (first, rx1) = oneshot::channel();
        replies.add_ticket(rx1);
        replies.emit(&mut out, b(":2\r\n"), true);
        let (_second, rx2) = oneshot::channel::<bool>();
        replies.add_ticket(rx2);
        replies.emit(&mut out, b("+after\r\n"), false);
        assert_eq!(&out[..], b"+before\r\n", "nothing passes a write still waiting");

        first.send(true).unwrap();
        replies.settle_first(&mut out, true, b"-UNCERTAIN\r\n");
        assert_eq!(&out[..], b"+before\r\n:1\r\n$3\r\nget\r\n", "the first write and the read behind it");
        replies.settle_all(&mut out, b"-UNCERTAIN\r\n");
        assert_eq!(&out[..], b"+before\r\n:1\r\n$3\r\nget\r\n-UNCERTAIN\r\n+after\r\n");
        assert!(!replies.wants_ticket());
        assert_eq!(replies.held_bytes(), 0);
    }

    #[test]
    fn an_unconfirmed_ticket_answers_its_writes_with_the_given_error() {
        let (mut replies, mut out) = (Replies::default(), BytesMut::new());
        replies.emit(&mut out, b(":7\r\n"), true);
        replies.emit(&mut out, b("-ERR not a write to confirm\r\n"), false);
        let (_tx, rx) = oneshot::channel::<bool>();
        replies.add_ticket(rx);
        replies.settle_first(&mut out, false, b"-UNCERTAIN\r\n");
        assert_eq!(&out[..], b"-UNCERTAIN\r\n-ERR not a write to confirm\r\n");
    }
}
