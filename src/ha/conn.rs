//! Opening a connection to a backend server, logged in with the proxy's own credentials and with a
//! client session's state (db, name) replayed on it before any of the client's commands.
//!
//! The replay waits for its replies: if `SELECT` failed on a new master and the client's commands went
//! out pipelined behind it, they would write into the wrong database. One round trip per switch is
//! the price.

use std::time::Duration;

use bytes::{Bytes, BytesMut};

use crate::client::{command_name, connect_error, ClientError, FrameReader};
use crate::endpoint::Endpoint;
use crate::resp::{encode_command, Frame};
use crate::transport::{self, ReadHalf, WriteHalf};

/// A connection that is logged in and carries the session's state.
pub struct BackendConn {
    pub reader: FrameReader<ReadHalf>,
    pub writer: WriteHalf,
}

/// Connects to `endpoint`, sends AUTH when it has credentials, then each of `setup`; every reply must
/// be a success. The whole exchange must finish within `timeout`.
pub async fn open(endpoint: &Endpoint, setup: &[Vec<Bytes>], timeout: Duration) -> Result<BackendConn, ClientError> {
    let addr = endpoint.addr();
    let secs = timeout.as_secs();
    match tokio::time::timeout(timeout, open_inner(endpoint, setup)).await {
        Ok(result) => result,
        Err(_) => Err(ClientError::Timeout { addr, what: &crate::text::catalog::errors::CLIENT_OPENING_BACKEND, secs }),
    }
}

async fn open_inner(endpoint: &Endpoint, setup: &[Vec<Bytes>]) -> Result<BackendConn, ClientError> {
    let addr = endpoint.addr();
    // The caller's timeout bounds the whole exchange; this one only keeps connect() total.
    let timeout = crate::client::DEFAULT_TIMEOUT;
    let stream = transport::connect(endpoint, timeout).await.map_err(|e| connect_error(&addr, timeout, e))?;
    let (r, mut writer) = stream.into_split();
    let mut reader = FrameReader::new(r, addr.clone());
    let mut commands: Vec<Vec<Bytes>> = Vec::with_capacity(setup.len() + 1);
    if let Some(password) = &endpoint.password {
        let mut auth = vec![Bytes::from_static(b"AUTH")];
        if let Some(user) = &endpoint.user {
            auth.push(Bytes::copy_from_slice(user.as_bytes()));
        }
        auth.push(Bytes::copy_from_slice(password.expose().as_bytes()));
        commands.push(auth);
    }
    commands.extend(setup.iter().cloned());
    if commands.is_empty() {
        return Ok(BackendConn { reader, writer });
    }
    let mut out = BytesMut::new();
    for command in &commands {
        encode_command(&mut out, command);
    }
    transport::send(&mut writer, &out).await.map_err(|source| ClientError::Io { addr: addr.clone(), source })?;
    for command in &commands {
        let (reply, _) = reader.read_frame().await?;
        if let Frame::Error(_) = reply {
            let message = reply.error_message().unwrap_or_default();
            let command = command_name(command);
            return Err(if command == "AUTH" {
                ClientError::Auth { addr, message }
            } else {
                ClientError::Server { addr, command, message }
            });
        }
    }
    Ok(BackendConn { reader, writer })
}
