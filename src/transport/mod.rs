//! The byte stream under every connection Ferry opens: plain TCP, or TLS over TCP.
//!
//! Every client, the replica link, the writer's connections and the proxy's backends come through
//! [`connect`], so TLS (and later tunnels) is decided in one place. The two halves are enums rather
//! than `tokio::io::split` of one boxed stream: a plain connection keeps tokio's lock-free owned halves
//! on the writer's hot path, and only TLS pays for the shared session that both directions need.

pub mod ssh;
mod tls;

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::TcpStream;
use tokio_rustls::client::TlsStream;
use tokio_rustls::server::TlsStream as ServerTlsStream;

use tls::describe_certificate;
pub use tls::{refusal, Acceptor, CertificateInfo, TlsError};

use crate::endpoint::{Endpoint, TlsOptions};
use crate::text::catalog::errors as msg;
use crate::text::Text;

/// A connected stream, before it is split into its reading and writing halves.
pub enum Stream {
    Plain(TcpStream),
    Tls(Box<TlsStream<TcpStream>>),
    /// A client of a listener of Ferry's own (the proxy), over TLS.
    TlsServer(Box<ServerTlsStream<TcpStream>>),
}

impl Stream {
    /// The halves, to read replies on one task while another writes.
    pub fn into_split(self) -> (ReadHalf, WriteHalf) {
        match self {
            Stream::Plain(stream) => {
                let (r, w) = stream.into_split();
                (ReadHalf::Plain(r), WriteHalf::Plain(w))
            }
            Stream::Tls(stream) => {
                let (r, w) = tokio::io::split(*stream);
                (ReadHalf::Tls(r), WriteHalf::Tls(w))
            }
            Stream::TlsServer(stream) => {
                let (r, w) = tokio::io::split(*stream);
                (ReadHalf::TlsServer(r), WriteHalf::TlsServer(w))
            }
        }
    }

    /// The server's own certificate (DER), when the stream is TLS.
    fn peer_certificate(&self) -> Option<Vec<u8>> {
        match self {
            Stream::Plain(_) | Stream::TlsServer(_) => None,
            Stream::Tls(stream) => {
                let (_, session) = stream.get_ref();
                session.peer_certificates().and_then(|chain| chain.first()).map(|leaf| leaf.as_ref().to_vec())
            }
        }
    }
}

/// Why a connection could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    #[error("{}", self.text())]
    Timeout,
    #[error(transparent)]
    Tcp(io::Error),
    #[error(transparent)]
    Tls(TlsError),
    #[error(transparent)]
    Ssh(ssh::SshError),
}

impl ConnectError {
    /// The sentence as a catalog code, for the console to show in the user's language; `Display`
    /// is its English.
    pub fn text(&self) -> Text {
        match self {
            ConnectError::Timeout => Text::new(&msg::CONNECT_TIMED_OUT),
            // The operating system's words.
            ConnectError::Tcp(e) => Text::raw(e.to_string()),
            ConnectError::Tls(e) => e.text(),
            ConnectError::Ssh(e) => e.text(),
        }
    }
}

/// Opens a TCP connection to `endpoint` within `timeout` (no delay, keepalive on), and a TLS
/// session over it when the endpoint asks for TLS.
pub async fn connect(endpoint: &Endpoint, timeout: Duration) -> Result<Stream, ConnectError> {
    let tcp = async {
        match &endpoint.ssh {
            None => TcpStream::connect((endpoint.host.as_str(), endpoint.port)).await.map_err(ConnectError::Tcp),
            Some(tunnel) => ssh::connect(tunnel, &endpoint.host, endpoint.port).await.map_err(ConnectError::Ssh),
        }
    };
    let stream = tokio::time::timeout(timeout, tcp).await.map_err(|_| ConnectError::Timeout)??;
    stream.set_nodelay(true).ok();
    keep_alive(&stream);
    let Some(options) = &endpoint.tls else { return Ok(Stream::Plain(stream)) };
    let handshake = tls::handshake(stream, &endpoint.host, options);
    let bound = timeout.min(HANDSHAKE_TIMEOUT);
    let stream = tokio::time::timeout(bound, handshake)
        .await
        .map_err(|_| ConnectError::Tls(TlsError::NoAnswer { secs: bound.as_secs() }))?;
    Ok(Stream::Tls(Box::new(stream.map_err(ConnectError::Tls)?)))
}

/// How long a TLS handshake may take once the TCP connection is up: a few round trips on any
/// network. A plain Redis port takes the TLS hello for the start of a command and waits for the
/// rest, so this bound is what tells the user about it.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(5);

/// Takes a client that connected to a listener of Ferry's own: TLS when the listener has an
/// acceptor (the handshake bounded like a client's), plain TCP otherwise.
pub async fn accept(stream: TcpStream, acceptor: Option<&Acceptor>) -> Result<Stream, TlsError> {
    stream.set_nodelay(true).ok();
    keep_alive(&stream);
    let Some(acceptor) = acceptor else { return Ok(Stream::Plain(stream)) };
    match tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(stream)).await {
        Ok(stream) => Ok(Stream::TlsServer(Box::new(stream?))),
        Err(_) => Err(TlsError::NoAnswer { secs: HANDSHAKE_TIMEOUT.as_secs() }),
    }
}

/// Writes all of `bytes` and flushes: over TLS, bytes a write accepted may wait in the session
/// until a flush, and a request that waits there is never answered.
pub async fn send(writer: &mut WriteHalf, bytes: &[u8]) -> io::Result<()> {
    writer.write_all(bytes).await?;
    writer.flush().await
}

/// The certificate a TLS server presents, read whether or not it is trusted: the pre-check shows
/// who it names and until when, also when the connection itself refuses it. `None` for plain TCP.
pub async fn server_certificate(
    endpoint: &Endpoint,
    timeout: Duration,
) -> Result<Option<CertificateInfo>, ConnectError> {
    let Some(options) = &endpoint.tls else { return Ok(None) };
    let look = Endpoint { tls: Some(TlsOptions { insecure: true, ..options.clone() }), ..endpoint.clone() };
    let stream = connect(&look, timeout).await?;
    Ok(stream.peer_certificate().and_then(|der| describe_certificate(&der)))
}

/// Turns on TCP keepalive, so that a peer that vanished (a host that lost power, a dropped NAT
/// mapping) is noticed by the kernel even on a connection that waits for it in silence.
pub fn keep_alive(stream: &TcpStream) {
    let probe = socket2::TcpKeepalive::new().with_time(Duration::from_secs(30)).with_interval(Duration::from_secs(10));
    if let Err(e) = socket2::SockRef::from(stream).set_tcp_keepalive(&probe) {
        tracing::debug!("could not turn on TCP keepalive: {e}");
    }
}

/// The reading half of a [`Stream`].
pub enum ReadHalf {
    Plain(OwnedReadHalf),
    Tls(tokio::io::ReadHalf<TlsStream<TcpStream>>),
    TlsServer(tokio::io::ReadHalf<ServerTlsStream<TcpStream>>),
}

impl AsyncRead for ReadHalf {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            ReadHalf::Plain(r) => Pin::new(r).poll_read(cx, buf),
            ReadHalf::Tls(r) => Pin::new(r).poll_read(cx, buf),
            ReadHalf::TlsServer(r) => Pin::new(r).poll_read(cx, buf),
        }
    }
}

/// The writing half of a [`Stream`].
pub enum WriteHalf {
    Plain(OwnedWriteHalf),
    Tls(tokio::io::WriteHalf<TlsStream<TcpStream>>),
    TlsServer(tokio::io::WriteHalf<ServerTlsStream<TcpStream>>),
}

impl WriteHalf {
    /// Writes what the socket takes now without waiting, on plain TCP; over TLS it always answers
    /// `WouldBlock` (the session must be driven by `write` and `flush`).
    pub fn try_write(&self, buf: &[u8]) -> io::Result<usize> {
        match self {
            WriteHalf::Plain(w) => w.try_write(buf),
            WriteHalf::Tls(_) | WriteHalf::TlsServer(_) => Err(io::ErrorKind::WouldBlock.into()),
        }
    }
}

impl AsyncWrite for WriteHalf {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            WriteHalf::Plain(w) => Pin::new(w).poll_write(cx, buf),
            WriteHalf::Tls(w) => Pin::new(w).poll_write(cx, buf),
            WriteHalf::TlsServer(w) => Pin::new(w).poll_write(cx, buf),
        }
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            WriteHalf::Plain(w) => Pin::new(w).poll_write_vectored(cx, bufs),
            WriteHalf::Tls(w) => Pin::new(w).poll_write_vectored(cx, bufs),
            WriteHalf::TlsServer(w) => Pin::new(w).poll_write_vectored(cx, bufs),
        }
    }

    fn is_write_vectored(&self) -> bool {
        match self {
            WriteHalf::Plain(w) => w.is_write_vectored(),
            WriteHalf::Tls(w) => w.is_write_vectored(),
            WriteHalf::TlsServer(w) => w.is_write_vectored(),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            WriteHalf::Plain(w) => Pin::new(w).poll_flush(cx),
            WriteHalf::Tls(w) => Pin::new(w).poll_flush(cx),
            WriteHalf::TlsServer(w) => Pin::new(w).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            WriteHalf::Plain(w) => Pin::new(w).poll_shutdown(cx),
            WriteHalf::Tls(w) => Pin::new(w).poll_shutdown(cx),
            WriteHalf::TlsServer(w) => Pin::new(w).poll_shutdown(cx),
        }
    }
}
