//! SSH tunnels, opened by Ferry itself (russh: no `ssh` binary needed).
//!
//! A server behind an SSH jump host is reached through a local forwarder: each connection opens a
//! `direct-tcpip` channel of one SSH session to the jump host, then a loopback connection that the
//! forwarder pairs with that channel. Everything
//! above (TLS, the replica stream, the writer) sees an ordinary TCP connection, so when the session
//! dies its channels close, the link breaks like any other, and the resume logic takes over; the next
//! connection opens a new session. The session sends keepalives, so a jump host that vanished is
//! noticed. The jump host's key is checked against `known_hosts` (or a fingerprint the user
//! accepted); an unknown or changed key is refused with its fingerprint.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex as StdMutex, OnceLock};
use std::time::Duration;

use russh::client::{self, Handle};
use russh::keys::{HashAlg, PrivateKeyWithHashAlg, PublicKey};
use russh::Channel;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Mutex;

use crate::endpoint::SshTunnel;
use crate::text::catalog::errors as msg;
use crate::text::Text;

/// Why a tunnel could not be opened: one sentence each, with what to do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SshError {
    #[error("{}", self.text())]
    Connect { host: String, reason: Text },
    #[error("{}", self.text())]
    UnknownHostKey { host: String, fingerprint: String, known_hosts: String },
    #[error("{}", self.text())]
    ChangedHostKey { host: String, fingerprint: String, detail: Text },
    #[error("{}", self.text())]
    Key { path: String, reason: Text },
    /// The SSH agent (`SSH_AUTH_SOCK`) could not be asked for keys.
    #[error("{}", self.text())]
    Agent { reason: Text },
    /// `method` is `SSH_METHOD_KEY`, `SSH_METHOD_PASSWORD` or `SSH_METHOD_AGENT`.
    #[error("{}", self.text())]
    Refused { host: String, user: String, method: Text },
    #[error("{}", self.text())]
    Forward { host: String, target: String, reason: String },
}

impl SshError {
    /// The sentence as a catalog code, for the console to show in the user's language; `Display`
    /// is its English.
    pub fn text(&self) -> Text {
        match self {
            SshError::Connect { host, reason } => {
                Text::new(&msg::SSH_CONNECT).arg("host", host).arg("reason", reason.clone())
            }
            SshError::UnknownHostKey { host, fingerprint, known_hosts } => Text::new(&msg::SSH_UNKNOWN_HOST_KEY)
                .arg("host", host)
                .arg("fingerprint", fingerprint)
                .arg("known_hosts", known_hosts),
            SshError::ChangedHostKey { host, fingerprint, detail } => Text::new(&msg::SSH_CHANGED_HOST_KEY)
                .arg("host", host)
                .arg("fingerprint", fingerprint)
                .arg("detail", detail.clone()),
            SshError::Key { path, reason } => Text::new(&msg::SSH_KEY).arg("path", path).arg("reason", reason.clone()),
            SshError::Agent { reason } => Text::new(&msg::SSH_AGENT).arg("reason", reason.clone()),
            SshError::Refused { host, user, method } => {
                Text::new(&msg::SSH_REFUSED).arg("host", host).arg("user", user).arg("method", method.clone())
            }
            SshError::Forward { host, target, reason } => {
                Text::new(&msg::SSH_FORWARD).arg("host", host).arg("target", target).arg("reason", Text::raw(reason))
            }
        }
    }
}

/// A TCP connection that leads to `host:port` through `tunnel`: the channel is opened first (so a
/// refusal is said as such), then paired with a new connection to the tunnel's loopback forwarder.
/// The forwarder carries only connections this process made and registered, so another local
/// user who finds its port reaches nothing. Tunnels live as long as the process.
pub async fn connect(tunnel: &SshTunnel, host: &str, port: u16) -> Result<TcpStream, SshError> {
    let forwarder = forwarder(tunnel).await?;
    let channel = forwarder.session.channel(host, port).await?;
    let local_error = |e: std::io::Error| SshError::Connect {
        host: tunnel.addr(),
        reason: Text::new(&msg::SSH_LOCAL_END).arg("error", e.to_string()),
    };
    let stream = TcpStream::connect(forwarder.local).await.map_err(local_error)?;
    let from = stream.local_addr().map_err(local_error)?;
    if let Ok(mut waiting) = forwarder.waiting.lock() {
        waiting.insert(from.port(), channel);
    }
    Ok(stream)
}

/// A tunnel's session and its loopback listener.
struct Forwarder {
    session: Arc<Session>,
    local: SocketAddr,
    /// Channels opened for local connections not yet accepted, by the connection's local port.
    waiting: Waiting,
}

/// Channels waiting for their local connection, by that connection's port.
type Waiting = Arc<StdMutex<HashMap<u16, Channel<client::Msg>>>>;

/// The forwarder of `tunnel` (one per tunnel settings, credentials and host-key checking
/// included), opened on first use with a session that must log in.
async fn forwarder(tunnel: &SshTunnel) -> Result<Arc<Forwarder>, SshError> {
    type Forwarders = StdMutex<Vec<(SshTunnel, Arc<Forwarder>)>>;
    static FORWARDERS: OnceLock<Forwarders> = OnceLock::new();
    let forwarders = FORWARDERS.get_or_init(Default::default);
    let found = forwarders.lock().ok().and_then(|f| f.iter().find(|(t, _)| t == tunnel).map(|(_, f)| f.clone()));
    if let Some(forwarder) = found {
        return Ok(forwarder);
    }
    let session = Arc::new(Session { tunnel: tunnel.clone(), handle: Mutex::new(None) });
    session.handle().await?;
    let listener = TcpListener::bind("127.0.0.1:0").await.map_err(|e| SshError::Connect {
        host: tunnel.addr(),
        reason: Text::new(&msg::SSH_NO_LOCAL_PORT).arg("error", e.to_string()),
    })?;
    let local = listener
        .local_addr()
        .map_err(|e| SshError::Connect { host: tunnel.addr(), reason: Text::raw(e.to_string()) })?;
    let forwarder = Arc::new(Forwarder { session, local, waiting: Default::default() });
    let waiting = forwarder.waiting.clone();
    tokio::spawn(async move {
        while let Ok((stream, peer)) = listener.accept().await {
            tokio::spawn(carry(stream, peer, waiting.clone()));
        }
    });
    if let Ok(mut f) = forwarders.lock() {
        f.push((tunnel.clone(), forwarder.clone()));
    }
    Ok(forwarder)
}

/// Carries an accepted local connection over the channel its maker registered (it registers it
/// right after connecting); one nobody registered is closed.
async fn carry(mut local: TcpStream, peer: SocketAddr, waiting: Waiting) {
    let deadline = tokio::time::Instant::now() + PAIRING_TIMEOUT;
    let channel = loop {
        if let Some(channel) = waiting.lock().ok().and_then(|mut w| w.remove(&peer.port())) {
            break channel;
        }
        if tokio::time::Instant::now() >= deadline {
            return;
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    };
    local.set_nodelay(true).ok();
    let mut remote = channel.into_stream();
    // Ends when either side closes; the other is then closed too (a broken link for the caller).
    let _ = tokio::io::copy_bidirectional(&mut local, &mut remote).await;
}

/// How long an accepted connection waits for its channel to be registered.
const PAIRING_TIMEOUT: Duration = Duration::from_secs(5);

/// One SSH session to a jump host, opened again when it has closed.
struct Session {
    tunnel: SshTunnel,
    handle: Mutex<Option<Arc<Handle<Checker>>>>,
}

impl Session {
    async fn handle(&self) -> Result<Arc<Handle<Checker>>, SshError> {
        let mut slot = self.handle.lock().await;
        if let Some(handle) = slot.as_ref().filter(|h| !h.is_closed()) {
            return Ok(handle.clone());
        }
        let handle = Arc::new(open(&self.tunnel).await?);
        *slot = Some(handle.clone());
        Ok(handle)
    }

    /// A `direct-tcpip` channel to `host:port`, on a new session when the last one has died.
    async fn channel(&self, host: &str, port: u16) -> Result<Channel<client::Msg>, SshError> {
        let forward_error = |e: russh::Error| SshError::Forward {
            host: self.tunnel.addr(),
            target: format!("{host}:{port}"),
            reason: e.to_string(),
        };
        let handle = self.handle().await?;
        match handle.channel_open_direct_tcpip(host, u32::from(port), "127.0.0.1", 0).await {
            Ok(channel) => Ok(channel),
            Err(_) if handle.is_closed() => self
                .handle()
                .await?
                .channel_open_direct_tcpip(host, u32::from(port), "127.0.0.1", 0)
                .await
                .map_err(forward_error),
            Err(e) => Err(forward_error(e)),
        }
    }
}

/// Connects, checks the host key, and logs in.
async fn open(tunnel: &SshTunnel) -> Result<Handle<Checker>, SshError> {
    let config = client::Config {
        keepalive_interval: Some(KEEPALIVE),
        keepalive_max: 3,
        nodelay: true,
        ..client::Config::default()
    };
    let checker = Checker { tunnel: tunnel.clone(), verdict: Arc::new(StdMutex::new(None)) };
    let verdict = checker.verdict.clone();
    let connect = client::connect(Arc::new(config), (tunnel.host.as_str(), tunnel.port), checker);
    let mut handle = match tokio::time::timeout(CONNECT_TIMEOUT, connect).await {
        Ok(Ok(handle)) => handle,
        Ok(Err(e)) => {
            let refused = verdict.lock().ok().and_then(|v| v.clone());
            let reason = Text::raw(e.to_string());
            return Err(refused.unwrap_or_else(|| SshError::Connect { host: tunnel.addr(), reason }));
        }
        Err(_) => {
            return Err(SshError::Connect {
                host: tunnel.addr(),
                reason: Text::new(&msg::SSH_NO_ANSWER).arg("secs", CONNECT_TIMEOUT.as_secs()),
            })
        }
    };
    let refused =
        |method| SshError::Refused { host: tunnel.addr(), user: tunnel.user.clone(), method: Text::new(method) };
    let auth_error = |e: russh::Error| SshError::Connect { host: tunnel.addr(), reason: Text::raw(e.to_string()) };
    let secret = tunnel.secret.as_ref().map(|s| s.expose().to_string());
    let ok = match &tunnel.key_file {
        Some(path) => {
            let key = russh::keys::load_secret_key(path, secret.as_deref()).map_err(|e| SshError::Key {
                path: path.display().to_string(),
                reason: key_reason(&e, secret.is_some()),
            })?;
            let hash = handle.best_supported_rsa_hash().await.map_err(auth_error)?.flatten();
            let key = PrivateKeyWithHashAlg::new(Arc::new(key), hash);
            if !handle.authenticate_publickey(&tunnel.user, key).await.map_err(auth_error)?.success() {
                return Err(refused(&msg::SSH_METHOD_KEY));
            }
            true
        }
        None => match secret {
            Some(password) => {
                if !handle.authenticate_password(&tunnel.user, password).await.map_err(auth_error)?.success() {
                    return Err(refused(&msg::SSH_METHOD_PASSWORD));
                }
                true
            }
            None => with_agent(&mut handle, tunnel).await?,
        },
    };
    if !ok {
        return Err(refused(&msg::SSH_METHOD_AGENT));
    }
    Ok(handle)
}

/// Tries each key the SSH agent (`SSH_AUTH_SOCK`) holds.
async fn with_agent(handle: &mut Handle<Checker>, tunnel: &SshTunnel) -> Result<bool, SshError> {
    let no_agent =
        |e: russh::keys::Error| SshError::Agent { reason: Text::new(&msg::SSH_NO_AGENT).arg("error", e.to_string()) };
    let mut agent = russh::keys::agent::client::AgentClient::connect_env().await.map_err(no_agent)?;
    for key in agent.request_identities().await.map_err(no_agent)? {
        let hash = handle.best_supported_rsa_hash().await.ok().flatten().flatten();
        let result = handle.authenticate_publickey_with(&tunnel.user, key, hash, &mut agent).await;
        if result.is_ok_and(|r| r.success()) {
            return Ok(true);
        }
    }
    Ok(false)
}

fn key_reason(e: &russh::keys::Error, had_passphrase: bool) -> Text {
    match e {
        russh::keys::Error::KeyIsEncrypted => Text::new(&msg::SSH_KEY_ENCRYPTED),
        _ if had_passphrase => Text::new(&msg::SSH_KEY_PASSPHRASE).arg("error", e.to_string()),
        _ => Text::raw(e.to_string()),
    }
}

/// How long connecting to the jump host may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// How often a quiet session is probed; three unanswered probes close it.
const KEEPALIVE: Duration = Duration::from_secs(15);

/// Checks the jump host's key, and keeps why it was refused for the error.
struct Checker {
    tunnel: SshTunnel,
    verdict: Arc<StdMutex<Option<SshError>>>,
}

impl Checker {
    fn check(&self, key: &PublicKey) -> Result<(), SshError> {
        let fingerprint = key.fingerprint(HashAlg::Sha256).to_string();
        let host = self.tunnel.addr();
        if let Some(accepted) = &self.tunnel.host_key {
            return match accepted.trim() == fingerprint {
                true => Ok(()),
                false => {
                    let detail = Text::new(&msg::SSH_ACCEPTED).arg("fingerprint", accepted);
                    Err(SshError::ChangedHostKey { host, fingerprint, detail })
                }
            };
        }
        let path = match &self.tunnel.known_hosts {
            Some(path) => path.clone(),
            None => dirs::home_dir().unwrap_or_default().join(".ssh").join("known_hosts"),
        };
        let known_hosts = path.display().to_string();
        match russh::keys::check_known_hosts_path(&self.tunnel.host, self.tunnel.port, key, &path) {
            Ok(true) => Ok(()),
            Ok(false) => Err(SshError::UnknownHostKey { host, fingerprint, known_hosts }),
            Err(russh::keys::Error::KeyChanged { line }) => {
                let detail = Text::new(&msg::SSH_KNOWN_HOSTS_LINE).arg("file", known_hosts).arg("line", line);
                Err(SshError::ChangedHostKey { host, fingerprint, detail })
            }
            // No known_hosts file at all: the key is unknown.
            Err(_) => Err(SshError::UnknownHostKey { host, fingerprint, known_hosts }),
        }
    }
}

impl client::Handler for Checker {
    type Error = russh::Error;

    async fn check_server_key(&mut self, key: &PublicKey) -> Result<bool, Self::Error> {
        let verdict = self.check(key);
        let ok = verdict.is_ok();
        if let (Err(e), Ok(mut slot)) = (verdict, self.verdict.lock()) {
            *slot = Some(e);
        }
        Ok(ok)
    }
}
