//! A session's link to the master: the connection when there is one, and what the session set up
//! on it, to set up again on the next one.
//!
//! A client's session outlives its backend connection (a failover, a switchover, a broken link),
//! so everything the client set up with a command that changes the connection (its login, protocol,
//! db, name and subscriptions) is kept here once the master confirmed it, and replayed first on a
//! new backend, before any of the client's commands.

use std::collections::BTreeSet;

use bytes::{Bytes, BytesMut};
use tokio::time::Instant;

use super::auth::Login;
use super::conn::BackendConn;
use crate::client::ClientError;
use crate::endpoint::Endpoint;
use crate::resp::Frame;

/// An open backend connection, with the route epoch it was opened under.
pub(super) struct Backend {
    pub conn: BackendConn,
    pub epoch: u64,
    /// Commands to write to it.
    pub out: BytesMut,
}

pub(super) enum Link {
    Up(Backend),
    /// No master since `since`; `failing` once the hold bounds were passed (commands fail at once).
    Down {
        since: Instant,
        failing: bool,
    },
}

impl Link {
    pub fn backend(&mut self) -> Option<&mut Backend> {
        match self {
            Link::Up(backend) => Some(backend),
            Link::Down { .. } => None,
        }
    }
}

/// Reads more backend bytes; never completes when there is no backend.
pub(super) async fn read_backend(backend: Option<&mut Backend>) -> Result<(), ClientError> {
    match backend {
        Some(backend) => backend.conn.reader.fill().await,
        None => std::future::pending().await,
    }
}

/// What a session restores on a new backend.
#[derive(Default)]
pub(super) struct Restore {
    /// RESP3 (`HELLO 3` confirmed).
    pub resp3: bool,
    /// The client used `HELLO`: its protocol, login and name are restored with one `HELLO`.
    pub hello: bool,
    /// With the servers' users: the login the master accepted.
    pub login: Option<Login>,
    pub db: i64,
    pub name: Option<Bytes>,
    /// Channels, patterns, shard channels.
    pub subscriptions: [BTreeSet<Bytes>; 3],
    /// `CLIENT TRACKING ON …` as the client sent it, while tracking is on.
    pub tracking: Option<Vec<Bytes>>,
}

impl Restore {
    /// The commands that set a new backend up as this session's, in order; each must succeed.
    pub fn setup(&self) -> Vec<Vec<Bytes>> {
        let mut setup = Vec::new();
        if self.hello {
            // As the client did: one HELLO (its SETNAME needs no permission for CLIENT, which a
            // user with limited rights may lack).
            let version = Bytes::from_static(if self.resp3 { b"3" } else { b"2" });
            let mut hello = vec![Bytes::from_static(b"HELLO"), version];
            hello.extend(self.login.iter().flat_map(Login::hello_option));
            if let Some(name) = &self.name {
                hello.extend([Bytes::from_static(b"SETNAME"), name.clone()]);
            }
            setup.push(hello);
        } else {
            setup.extend(self.login.iter().map(Login::command));
            if let Some(name) = &self.name {
                setup.push(vec![Bytes::from_static(b"CLIENT"), Bytes::from_static(b"SETNAME"), name.clone()]);
            }
        }
        if self.db != 0 {
            setup.push(vec![Bytes::from_static(b"SELECT"), Bytes::from(self.db.to_string())]);
        }
        // One name per command: each confirmation is then exactly one reply.
        for (command, set) in [&b"SUBSCRIBE"[..], b"PSUBSCRIBE", b"SSUBSCRIBE"].into_iter().zip(&self.subscriptions) {
            setup.extend(set.iter().map(|n| vec![Bytes::from_static(command), n.clone()]));
        }
        setup.extend(self.tracking.clone());
        setup
    }

    /// Whether the session is subscribed to anything.
    pub fn subscribed(&self) -> bool {
        self.subscriptions.iter().any(|set| !set.is_empty())
    }

    /// Keeps the subscriptions as the client asked for them (`name` is the command, upper case);
    /// the backend's confirmations are forwarded as they come.
    pub fn track_subscriptions(&mut self, name: &[u8], names: &[Frame]) {
        let (kind, subscribe) = match name {
            b"SUBSCRIBE" => (0, true),
            b"PSUBSCRIBE" => (1, true),
            b"SSUBSCRIBE" => (2, true),
            b"UNSUBSCRIBE" => (0, false),
            b"PUNSUBSCRIBE" => (1, false),
            _ => (2, false),
        };
        let set = &mut self.subscriptions[kind];
        let all = names.is_empty();
        let names = names.iter().filter_map(Frame::as_bytes);
        match subscribe {
            true => set.extend(names.cloned()),
            false if all => set.clear(),
            false => names.for_each(|n| {
                set.remove(n);
            }),
        }
    }
}

/// The address a session connects to: the route's master, logged in as the client did (`as_client`,
/// the login being in the setup) or as the pair (the route's credentials).
pub(super) fn endpoint_for(master: &Endpoint, as_client: bool) -> Endpoint {
    if as_client {
        Endpoint { user: None, password: None, ..master.clone() }
    } else {
        master.clone()
    }
}
