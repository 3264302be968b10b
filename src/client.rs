//! A small Redis client: connect, log in, send commands, read replies, pipelined when asked.
//!
//! It is the engine's own because the replication stream, the writer and the checks all need the same
//! thing — frames off a socket with exact byte counts — and because the errors must say, in words a
//! user can act on, whether the host is unreachable, the password wrong, or the port not Redis at all.

use std::time::Duration;

use bytes::{Bytes, BytesMut};
use tokio::io::{AsyncRead, AsyncReadExt};

use crate::endpoint::Endpoint;
use crate::resp::{self, Frame};
use crate::text::catalog::errors as msg;
use crate::text::{Entry, Text};
use crate::transport::{self, ConnectError, ReadHalf, TlsError, WriteHalf};

/// How long connecting, logging in and a single request may take before we give up.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// Why talking to a server failed. Every message names the server and says what to do.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error("{}", self.text())]
    Connect { addr: String, source: std::io::Error },
    /// `what` is what the client was doing (`CLIENT_CONNECTING`, `CLIENT_SENDING`, ...).
    #[error("{}", self.text())]
    Timeout { addr: String, what: &'static Entry, secs: u64 },
    #[error("{}", self.text())]
    NotRedis { addr: String, got: String },
    #[error("{}", self.text())]
    Auth { addr: String, message: String },
    #[error("{}", self.text())]
    NoAuth { addr: String, message: String },
    #[error("{}", self.text())]
    NotPlainRedis { addr: String, what: Text },
    #[error("{}", self.text())]
    Tls { addr: String, source: TlsError },
    /// Boxed: an SSH error is large and rare, and every `Result` of the client carries this type.
    #[error("{}", self.text())]
    Ssh { addr: String, source: Box<transport::ssh::SshError> },
    /// `context`, when there is one, is an `error.client.closed.*` piece: it carries its own
    /// punctuation (`: why`, ` after an error`).
    #[error("{}", self.text())]
    Closed { addr: String, context: Option<Text> },
    #[error("{}", self.text())]
    Io { addr: String, source: std::io::Error },
    #[error("{}", self.text())]
    Server { addr: String, command: String, message: String },
}

impl ClientError {
    /// The sentence as a catalog code, for the console to show in the user's language; `Display`
    /// is its English.
    pub fn text(&self) -> Text {
        match self {
            ClientError::Connect { addr, source } => {
                Text::new(&msg::CLIENT_CONNECT).arg("addr", addr).arg("error", Text::raw(source.to_string()))
            }
            ClientError::Timeout { addr, what, secs } => {
                Text::new(&msg::CLIENT_TIMEOUT).arg("addr", addr).arg("secs", *secs).arg("what", Text::new(what))
            }
            ClientError::NotRedis { addr, got } => {
                Text::new(&msg::CLIENT_NOT_REDIS).arg("addr", addr).arg("got", format!("{got:?}"))
            }
            ClientError::Auth { addr, message } => {
                Text::new(&msg::CLIENT_AUTH).arg("addr", addr).arg("message", message)
            }
            ClientError::NoAuth { addr, message } => {
                Text::new(&msg::CLIENT_NO_AUTH).arg("addr", addr).arg("message", message)
            }
            ClientError::NotPlainRedis { addr, what } => {
                Text::new(&msg::CLIENT_NOT_PLAIN_REDIS).arg("addr", addr).arg("what", what.clone())
            }
            ClientError::Tls { addr, source } => {
                Text::new(&msg::CLIENT_TLS).arg("addr", addr).arg("why", source.text())
            }
            ClientError::Ssh { addr, source } => {
                Text::new(&msg::CLIENT_SSH).arg("addr", addr).arg("why", source.text())
            }
            ClientError::Closed { addr, context: None } => Text::new(&msg::CLIENT_CLOSED).arg("addr", addr),
            ClientError::Closed { addr, context: Some(context) } => {
                Text::new(&msg::CLIENT_CLOSED_WITH).arg("addr", addr).arg("context", context.clone())
            }
            ClientError::Io { addr, source } => {
                Text::new(&msg::CLIENT_IO).arg("addr", addr).arg("error", Text::raw(source.to_string()))
            }
            ClientError::Server { addr, command, message } => {
                Text::new(&msg::CLIENT_SERVER).arg("addr", addr).arg("command", command).arg("message", message)
            }
        }
    }
}

/// Reads RESP frames from a byte stream, keeping the bytes that arrived after the last frame.
///
/// Exposes its buffer so that the replica can switch between frames and raw RDB bytes on the same
/// connection without losing anything.
pub struct FrameReader<R> {
    inner: R,
    buf: BytesMut,
    addr: String,
}

impl<R: AsyncRead + Unpin> FrameReader<R> {
    pub fn new(inner: R, addr: String) -> Self {
        FrameReader { inner, buf: BytesMut::with_capacity(64 * 1024), addr }
    }

    /// The next frame and the number of bytes it took on the wire.
    pub async fn read_frame(&mut self) -> Result<(Frame, usize), ClientError> {
        loop {
            match resp::frame_len(&self.buf) {
                Ok(Some(len)) => {
                    let bytes = self.buf.split_to(len).freeze();
                    let (frame, _) = resp::parse_frame(&bytes).map_err(|e| self.not_redis(e))?;
                    return Ok((frame, len));
                }
                Ok(None) => self.fill().await?,
                Err(e) => return Err(self.not_redis(e)),
            }
        }
    }

    /// Reads more bytes into the buffer; a closed connection is an error.
    pub async fn fill(&mut self) -> Result<(), ClientError> {
        if self.buf.capacity() - self.buf.len() < 16 * 1024 {
            self.buf.reserve(64 * 1024);
        }
        let n = self
            .inner
            .read_buf(&mut self.buf)
            .await
            .map_err(|source| ClientError::Io { addr: self.addr.clone(), source })?;
        if n == 0 {
            return Err(ClientError::Closed { addr: self.addr.clone(), context: None });
        }
        Ok(())
    }

    /// The bytes read but not yet consumed.
    pub fn buffer(&mut self) -> &mut BytesMut {
        &mut self.buf
    }

    pub fn addr(&self) -> &str {
        &self.addr
    }

    /// The underlying reader and the buffered bytes.
    pub fn into_parts(self) -> (R, BytesMut) {
        (self.inner, self.buf)
    }

    /// Rebuilds a reader from parts (after raw bytes were read from them).
    pub fn from_parts(inner: R, buf: BytesMut, addr: String) -> Self {
        FrameReader { inner, buf, addr }
    }

    fn not_redis(&self, e: resp::ProtocolError) -> ClientError {
        let got = String::from_utf8_lossy(&self.buf[..self.buf.len().min(60)]).into_owned();
        ClientError::NotRedis { addr: self.addr.clone(), got: if got.is_empty() { e.0 } else { got } }
    }
}

/// A connection to one Redis server.
pub struct Client {
    reader: FrameReader<ReadHalf>,
    writer: WriteHalf,
    out: BytesMut,
    timeout: Duration,
}

impl Client {
    /// Connects, logs in when the endpoint has credentials, and checks with PING that the peer is a
    /// Redis server.
    pub async fn connect(endpoint: &Endpoint) -> Result<Client, ClientError> {
        Self::connect_with_timeout(endpoint, DEFAULT_TIMEOUT).await
    }

    pub async fn connect_with_timeout(endpoint: &Endpoint, timeout: Duration) -> Result<Client, ClientError> {
        let addr = endpoint.addr();
        let stream = transport::connect(endpoint, timeout).await.map_err(|e| connect_error(&addr, timeout, e))?;
        let (r, w) = stream.into_split();
        let mut client = Client { reader: FrameReader::new(r, addr.clone()), writer: w, out: BytesMut::new(), timeout };
        if let Some(password) = &endpoint.password {
            let reply = match &endpoint.user {
                Some(user) => client.raw_request(&["AUTH", user, password.expose()]).await,
                None => client.raw_request(&["AUTH", password.expose()]).await,
            };
            let reply = reply.map_err(first_exchange)?;
            if let Some(message) = reply.error_message() {
                return Err(ClientError::Auth { addr, message });
            }
        }
        let reply = client.raw_request(&["PING"]).await.map_err(first_exchange)?;
        match reply {
            Frame::Simple(ref s) if s.as_ref() == b"PONG" => Ok(client),
            Frame::Error(_) => {
                let message = reply.error_message().unwrap_or_default();
                if message.starts_with("NOAUTH") {
                    Err(ClientError::NoAuth { addr, message })
                } else {
                    Err(ClientError::Server { addr, command: "PING".into(), message })
                }
            }
            other => Err(ClientError::NotRedis { addr, got: format!("{other:?}") }),
        }
    }

    pub fn addr(&self) -> &str {
        self.reader.addr()
    }

    /// Sends one command and returns its reply, error replies included (as [`Frame::Error`]).
    pub async fn raw_request<A: AsRef<[u8]>>(&mut self, args: &[A]) -> Result<Frame, ClientError> {
        self.send(args);
        self.flush().await?;
        self.read_reply().await
    }

    /// Sends one command; an error reply becomes [`ClientError::Server`].
    pub async fn request<A: AsRef<[u8]>>(&mut self, args: &[A]) -> Result<Frame, ClientError> {
        let reply = self.raw_request(args).await?;
        match reply.error_message() {
            Some(message) => {
                Err(ClientError::Server { addr: self.addr().to_string(), command: command_name(args), message })
            }
            None => Ok(reply),
        }
    }

    /// Queues a command; nothing is sent until [`Client::flush`].
    pub fn send<A: AsRef<[u8]>>(&mut self, args: &[A]) {
        resp::encode_command(&mut self.out, args);
    }

    /// Writes every queued command.
    pub async fn flush(&mut self) -> Result<(), ClientError> {
        let addr = self.addr().to_string();
        let timeout = self.timeout;
        let out = std::mem::take(&mut self.out);
        tokio::time::timeout(timeout, transport::send(&mut self.writer, &out))
            .await
            .map_err(|_| ClientError::Timeout {
                addr: addr.clone(),
                what: &msg::CLIENT_SENDING,
                secs: timeout.as_secs(),
            })?
            .map_err(|source| ClientError::Io { addr, source })
    }

    /// Reads the next reply.
    pub async fn read_reply(&mut self) -> Result<Frame, ClientError> {
        let timeout = self.timeout;
        match tokio::time::timeout(timeout, self.reader.read_frame()).await {
            Ok(result) => result.map(|(frame, _)| frame),
            Err(_) => Err(ClientError::Timeout {
                addr: self.addr().to_string(),
                what: &msg::CLIENT_WAITING,
                secs: timeout.as_secs(),
            }),
        }
    }

    /// A section of INFO as `field → value` pairs.
    pub async fn info(&mut self, section: &str) -> Result<Vec<(String, String)>, ClientError> {
        let reply = self.request(&["INFO", section]).await?;
        let text = reply.as_bytes().map(|b| String::from_utf8_lossy(b).into_owned()).unwrap_or_default();
        Ok(text.lines().filter_map(|l| l.split_once(':')).map(|(k, v)| (k.to_string(), v.trim().to_string())).collect())
    }

    /// Splits the connection for pipelining: a frame reader and the write half.
    pub fn into_split(self) -> (FrameReader<ReadHalf>, WriteHalf) {
        (self.reader, self.writer)
    }

    /// The read timeout used by this client.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }
}

/// A failed [`transport::connect`] to `addr` as what the user reads.
pub(crate) fn connect_error(addr: &str, timeout: Duration, e: ConnectError) -> ClientError {
    let addr = addr.to_string();
    match e {
        ConnectError::Timeout => ClientError::Timeout { addr, what: &msg::CLIENT_CONNECTING, secs: timeout.as_secs() },
        ConnectError::Tcp(source) => ClientError::Connect { addr, source },
        ConnectError::Tls(source) => ClientError::Tls { addr, source },
        ConnectError::Ssh(source) => ClientError::Ssh { addr, source: Box::new(source) },
    }
}

/// What went wrong on the first request to a port that accepted the connection: a peer that hangs
/// up on a Redis command, or answers with a TLS record, is not a plain Redis at all.
fn first_exchange(e: ClientError) -> ClientError {
    if let ClientError::Io { addr, source } = &e {
        if let Some(refusal) = transport::refusal(source) {
            return ClientError::Tls { addr: addr.clone(), source: refusal };
        }
    }
    match e {
        ClientError::Closed { addr, .. } => ClientError::NotPlainRedis { addr, what: Text::new(&msg::CLIENT_HUNG_UP) },
        ClientError::Io { addr, source } if source.kind() == std::io::ErrorKind::ConnectionReset => {
            ClientError::NotPlainRedis { addr, what: Text::new(&msg::CLIENT_RESET) }
        }
        // A TLS alert record: content type 21, protocol version 3.x.
        ClientError::NotRedis { addr, got } if got.as_bytes().starts_with(&[0x15, 0x03]) => {
            ClientError::NotPlainRedis { addr, what: Text::new(&msg::CLIENT_TLS_ALERT) }
        }
        other => other,
    }
}

/// The command's name, upper-cased, for messages.
pub fn command_name<A: AsRef<[u8]>>(args: &[A]) -> String {
    args.first().map(|a| String::from_utf8_lossy(a.as_ref()).to_uppercase()).unwrap_or_default()
}

/// A field of an INFO reply.
pub fn info_field<'a>(info: &'a [(String, String)], name: &str) -> Option<&'a str> {
    info.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

/// Key counts per db from `INFO keyspace` (`db0:keys=3,expires=0,...`).
pub fn keyspace_counts(info: &[(String, String)]) -> Vec<(u32, u64)> {
    info.iter()
        .filter_map(|(k, v)| {
            let db = k.strip_prefix("db")?.parse().ok()?;
            let keys = v.split(',').find_map(|kv| kv.strip_prefix("keys="))?.parse().ok()?;
            Some((db, keys))
        })
        .collect()
}

/// Bytes of a frame that must be a bulk or simple string.
pub fn expect_bytes(frame: Frame) -> Option<Bytes> {
    match frame {
        Frame::Bulk(b) | Frame::Simple(b) | Frame::Text(b) => Some(b),
        _ => None,
    }
}
