//! Who may use the access proxy, and as whom its sessions reach the master.
//!
//! By default ([`ClientAuth::Servers`]) the servers decide: a client's `AUTH` (or `HELLO … AUTH`)
//! goes to the master like any command, the master's own ACL checks it, and from then on the
//! session's backend connection is logged in as that client's user, on this master and on every
//! later one (the login is replayed first on a new backend). So a user with limited rights keeps its
//! limits through the proxy, a client that gives no password gets the master's own `NOAUTH`, and
//! there is no second user list to keep in step with the servers. The pair's own credentials (the
//! ones in its URLs) serve only the heartbeat, the promotion and the fencing.
//!
//! With a password of its own ([`ClientAuth::Password`]) the proxy checks `AUTH` itself and every
//! session reaches the master logged in with the pair's credentials: for servers without
//! passwords (or ACL users) whose clients should still need one.
//!
//! A proxy that listens beyond loopback while anyone may use it unauthenticated is refused at start
//! ([`check_exposure`]): it would hand the database to whoever reaches the port.

use std::net::SocketAddr;
use std::time::Duration;

use bytes::Bytes;

use crate::client::Client;
use crate::endpoint::{Endpoint, Secret};
use crate::resp::Frame;
use crate::text::catalog::errors;
use crate::text::Text;

/// How clients authenticate to the proxy.
#[derive(Clone, Debug)]
pub enum ClientAuth {
    /// With the servers' own users and passwords: `AUTH` goes to the master.
    Servers,
    /// With this password, checked by the proxy (as the `default` user).
    Password(Secret),
}

/// A client's login as the master accepted it: `AUTH`'s arguments, to replay on a new backend.
#[derive(Clone)]
pub(crate) struct Login {
    user: Option<Bytes>,
    password: Bytes,
}

impl std::fmt::Debug for Login {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Login").field("user", &self.user).field("password", &"<redacted>").finish()
    }
}

impl Login {
    /// The login in `AUTH [user] password` arguments (after the command's name); `None` when the
    /// arguments are not that shape (the master then answers the client's mistake itself).
    pub fn from_auth(args: &[Frame]) -> Option<Login> {
        match args {
            [password] => Some(Login { user: None, password: password.as_bytes()?.clone() }),
            [user, password] => {
                Some(Login { user: Some(user.as_bytes()?.clone()), password: password.as_bytes()?.clone() })
            }
            _ => None,
        }
    }

    /// `AUTH user password` as a `HELLO` option (`HELLO` always names the user).
    pub fn hello_option(&self) -> [Bytes; 3] {
        let user = self.user.clone().unwrap_or(Bytes::from_static(b"default"));
        [Bytes::from_static(b"AUTH"), user, self.password.clone()]
    }

    /// `AUTH …` to send first on a new backend.
    pub fn command(&self) -> Vec<Bytes> {
        let mut command = vec![Bytes::from_static(b"AUTH")];
        command.extend(self.user.clone());
        command.push(self.password.clone());
        command
    }
}

/// What a `HELLO` asks for besides its protocol: `HELLO [protover [AUTH user pass] [SETNAME name]]`.
#[derive(Debug, Default)]
pub(crate) struct HelloOptions {
    pub login: Option<Login>,
    pub name: Option<Bytes>,
}

impl HelloOptions {
    /// The options after `HELLO protover`, or `None` when they are not ones Redis takes.
    pub fn parse(options: &[Frame]) -> Option<HelloOptions> {
        let mut parsed = HelloOptions::default();
        let mut rest = options;
        while let Some((option, tail)) = rest.split_first() {
            let option = option.as_bytes()?.to_ascii_uppercase();
            match (option.as_slice(), tail) {
                (b"AUTH", [user, password, tail @ ..]) => {
                    parsed.login = Login::from_auth(&[user.clone(), password.clone()]);
                    rest = tail;
                }
                (b"SETNAME", [name, tail @ ..]) => {
                    parsed.name = Some(name.as_bytes()?.clone());
                    rest = tail;
                }
                _ => return None,
            }
        }
        Some(parsed)
    }
}

/// Why the proxy may not listen where it was asked to.
#[derive(Debug, thiserror::Error)]
pub enum ExposureError {
    #[error("{}", self.text())]
    Open { listen: SocketAddr, server: String },
    /// `reasons`: why each server could not be asked.
    #[error("{}", self.text())]
    Unknown { listen: SocketAddr, reasons: Vec<Text> },
}

impl ExposureError {
    /// The sentence as a catalog code, for the console to show in the user's language; `Display`
    /// is its English.
    pub fn text(&self) -> Text {
        match self {
            ExposureError::Open { listen, server } => {
                Text::new(&errors::EXPOSURE_OPEN).arg("listen", listen.to_string()).arg("server", server)
            }
            ExposureError::Unknown { listen, reasons } => {
                Text::new(&errors::EXPOSURE_UNKNOWN).arg("listen", listen.to_string()).arg("reason", reasons.clone())
            }
        }
    }
}

/// How long each server may take to answer the exposure check.
const PROBE_TIMEOUT: Duration = Duration::from_secs(3);

/// Refuses a listener beyond loopback when clients could use it without authenticating: with
/// [`ClientAuth::Servers`], when the master (or, if it does not answer, the replica) takes a `PING`
/// from a client that gave no password.
pub async fn check_exposure(
    listen: SocketAddr,
    auth: &ClientAuth,
    servers: [&Endpoint; 2],
) -> Result<(), ExposureError> {
    if listen.ip().is_loopback() || matches!(auth, ClientAuth::Password(_)) {
        return Ok(());
    }
    let mut reasons = Vec::new();
    for server in servers {
        let anonymous = Endpoint { user: None, password: None, ..server.clone() };
        match Client::connect_with_timeout(&anonymous, PROBE_TIMEOUT).await {
            Ok(_) => return Err(ExposureError::Open { listen, server: server.addr() }),
            Err(crate::client::ClientError::NoAuth { .. }) => return Ok(()),
            Err(e) => reasons.push(e.text()),
        }
    }
    Err(ExposureError::Unknown { listen, reasons })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bulk(items: &[&str]) -> Vec<Frame> {
        items.iter().map(|s| Frame::Bulk(Bytes::copy_from_slice(s.as_bytes()))).collect()
    }

    #[test]
    fn logins_replay_as_auth_and_never_print_the_password() {
        let login = Login::from_auth(&bulk(&["app", "p@ss"])).unwrap();
        assert_eq!(login.command(), [&b"AUTH"[..], b"app", b"p@ss"]);
        assert!(!format!("{login:?}").contains("p@ss"));
        assert_eq!(Login::from_auth(&bulk(&["pw"])).unwrap().command(), [&b"AUTH"[..], b"pw"]);
        assert_eq!(Login::from_auth(&bulk(&["pw"])).unwrap().hello_option(), [&b"AUTH"[..], b"default", b"pw"]);
        assert!(Login::from_auth(&bulk(&[])).is_none());
    }

    #[test]
    fn hello_options_are_auth_and_setname() {
        let options = HelloOptions::parse(&bulk(&["auth", "app", "pw", "SETNAME", "worker-1"])).unwrap();
        assert_eq!(options.login.unwrap().command(), [&b"AUTH"[..], b"app", b"pw"]);
        assert_eq!(options.name.as_deref(), Some(&b"worker-1"[..]));
        assert!(HelloOptions::parse(&bulk(&["AUTH", "only-user"])).is_none());
        assert!(HelloOptions::parse(&bulk(&["NOPE"])).is_none());
    }
}
