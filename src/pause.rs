//! Holding a server's writes for a cutover or a planned switchover, on every server version.
//!
//! - From 6.2, `CLIENT PAUSE <ms> WRITE` holds writes only; the pausing connection may still read
//!   the replication offset, and `CLIENT UNPAUSE` ends the pause as soon as it has served.
//! - From 3.0 to 6.1, `CLIENT PAUSE <ms>` holds every normal client, *including the one that sent
//!   it*, and nothing ends it early. Sending it and then asking for the offset on the same
//!   connection waits for the whole pause (a cutover on 6.0 used to hang there). So the pause and
//!   the offset read go in one `MULTI … EXEC`, which runs as a unit before the pause takes hold;
//!   the connection is then left alone, and the pause is kept short because it cannot be lifted.
//! - Redis 2.8 has no `CLIENT PAUSE`: writes cannot be held by Ferry.

use std::time::{Duration, Instant};

use crate::client::{info_field, Client, ClientError};
use crate::endpoint::Endpoint;
use crate::resp::Frame;
use crate::server::ServerInfo;
use crate::text::catalog::errors as msg;
use crate::text::Text;

/// How a server can hold writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PauseMode {
    /// `CLIENT PAUSE … WRITE` and `CLIENT UNPAUSE` (6.2+, every Valkey).
    Writes,
    /// `CLIENT PAUSE …` of every client, that only time ends (3.0 to 6.1).
    Everything,
    /// No `CLIENT PAUSE` (2.8).
    Unavailable,
}

impl PauseMode {
    pub fn of(info: &ServerInfo) -> PauseMode {
        if info.at_least(6, 2) {
            PauseMode::Writes
        } else if info.at_least(3, 0) {
            PauseMode::Everything
        } else {
            PauseMode::Unavailable
        }
    }
}

/// Why writes could not be held.
#[derive(Debug, thiserror::Error)]
pub enum PauseError {
    #[error(transparent)]
    Client(#[from] ClientError),
    #[error("{}", self.text())]
    Unavailable { server: String },
    /// `got`: what the server answered instead.
    #[error("{}", self.text())]
    NoOffset { addr: String, got: Text },
}

impl PauseError {
    /// The sentence as a catalog code, for the console to show in the user's language; `Display`
    /// is its English.
    pub fn text(&self) -> Text {
        match self {
            PauseError::Client(e) => e.text(),
            PauseError::Unavailable { server } => Text::new(&msg::PAUSE_UNAVAILABLE).arg("server", server),
            PauseError::NoOffset { addr, got } => {
                Text::new(&msg::PAUSE_NO_OFFSET).arg("addr", addr).arg("got", got.clone())
            }
        }
    }
}

/// Writes held on a server. [`WritePause::end`] lets them through where the server allows it;
/// otherwise the pause ends by itself at [`WritePause::lapses_at`].
pub struct WritePause {
    /// The pausing connection, kept to lift the pause (6.2+ only).
    client: Option<Client>,
    lapses_at: Instant,
}

impl WritePause {
    /// When the pause ends if nobody lifts it.
    pub fn lapses_at(&self) -> Instant {
        self.lapses_at
    }

    /// Whether the pause can be lifted before it lapses.
    pub fn can_lift(&self) -> bool {
        self.client.is_some()
    }

    /// Lifts the pause (`CLIENT UNPAUSE`, within the client's timeout). A pause of every client
    /// cannot be lifted: it lapses by itself, and nothing is sent on its paused connection.
    pub async fn end(self) {
        if let Some(mut client) = self.client {
            if let Err(e) = client.request(&["CLIENT", "UNPAUSE"]).await {
                tracing::warn!("could not lift the pause of writes: {e}; it ends by itself when it times out");
            }
        }
    }
}

/// Holds writes on `endpoint` (a server `info` describes) for at most `max`, and returns the
/// pause with the server's replication offset at the moment it took hold: nothing can be written
/// after that offset until the pause ends. Every step is bounded by `step_timeout`.
pub async fn hold_writes(
    endpoint: &Endpoint,
    info: &ServerInfo,
    max: Duration,
    step_timeout: Duration,
) -> Result<(WritePause, u64), PauseError> {
    let ms = max.as_millis().max(1).to_string();
    let mode = PauseMode::of(info);
    if mode == PauseMode::Unavailable {
        return Err(PauseError::Unavailable { server: info.to_string() });
    }
    let mut client = Client::connect_with_timeout(endpoint, step_timeout).await?;
    let addr = client.addr().to_string();
    let started = Instant::now();
    match mode {
        PauseMode::Writes => {
            client.request(&["CLIENT", "PAUSE", &ms, "WRITE"]).await?;
            let pause = WritePause { client: None, lapses_at: started + max };
            // Reads still run on the pausing connection.
            let offset = match client.info("replication").await {
                Ok(info) => offset_of(&info),
                Err(e) => {
                    let _ = client.request(&["CLIENT", "UNPAUSE"]).await;
                    return Err(e.into());
                }
            };
            let Some(offset) = offset else {
                let _ = client.request(&["CLIENT", "UNPAUSE"]).await;
                return Err(PauseError::NoOffset { addr, got: Text::new(&msg::PAUSE_NO_OFFSET_FIELD) });
            };
            Ok((WritePause { client: Some(client), ..pause }, offset))
        }
        _ => {
            // One transaction: the pause and the offset at the moment it takes hold.
            client.send(&["MULTI"]);
            client.send(&["CLIENT", "PAUSE", &ms]);
            client.send(&["INFO", "replication"]);
            client.send(&["EXEC"]);
            client.flush().await?;
            let mut replies = Vec::with_capacity(4);
            for _ in 0..4 {
                replies.push(client.read_reply().await?);
            }
            let exec = replies.pop().unwrap_or(Frame::Null);
            if let Some(message) = replies.iter().chain(std::iter::once(&exec)).find_map(Frame::first_error) {
                return Err(ClientError::Server { addr, command: "CLIENT PAUSE".into(), message }.into());
            }
            let info = match &exec {
                Frame::Array(items) => items.get(1).and_then(Frame::as_bytes).cloned(),
                _ => None,
            };
            let text = info.map(|b| String::from_utf8_lossy(&b).into_owned()).unwrap_or_default();
            let fields: Vec<(String, String)> = text
                .lines()
                .filter_map(|l| l.split_once(':'))
                .map(|(k, v)| (k.to_string(), v.trim().to_string()))
                .collect();
            // The reply as it came.
            let offset =
                offset_of(&fields).ok_or_else(|| PauseError::NoOffset { addr, got: Text::raw(format!("{exec:?}")) })?;
            // The connection is paused too: it is dropped, never waited on.
            Ok((WritePause { client: None, lapses_at: started + max }, offset))
        }
    }
}

fn offset_of(info: &[(String, String)]) -> Option<u64> {
    info_field(info, "master_repl_offset")?.parse().ok()
}
