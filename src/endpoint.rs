//! Where a Redis server is and how to log in to it: `redis[s]://[user[:password]@]host:port`.
//!
//! The password is kept in a [`Secret`] whose `Debug` and `Display` print nothing, so that logging an
//! endpoint can never leak it.

use std::fmt;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::text::catalog::errors as msg;
use crate::text::Text;

/// A password. Printing it shows `***`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The password itself, for the AUTH command only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// How to speak TLS to one server. The default trusts the platform's roots and checks the name.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct TlsOptions {
    /// PEM file of the CA certificates to trust instead of the platform's.
    #[serde(default)]
    pub ca_file: Option<PathBuf>,
    /// PEM file of the client certificate chain, for servers that require one (mutual TLS).
    #[serde(default)]
    pub cert_file: Option<PathBuf>,
    /// PEM file of the client certificate's private key (unencrypted).
    #[serde(default)]
    pub key_file: Option<PathBuf>,
    /// The name to check the server's certificate against (and send as SNI), when it is not the
    /// host connected to (an IP address, a tunnel's local end).
    #[serde(default)]
    pub server_name: Option<String>,
    /// Accepts any certificate: encryption without knowing who answers. For tests and emergencies.
    #[serde(default)]
    pub insecure: bool,
}

/// An SSH jump host through which a server is reached (a local forwarder carries each connection
/// over one SSH session; see `transport::ssh`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SshTunnel {
    pub host: String,
    pub port: u16,
    pub user: String,
    /// The private key to log in with; without one, the password in `secret`, or else the SSH agent.
    #[serde(default)]
    pub key_file: Option<PathBuf>,
    /// The key's passphrase, or the password when there is no key file. Never stored with the
    /// settings (the keychain keeps it, like other passwords).
    #[serde(skip)]
    pub secret: Option<Secret>,
    /// Whether the console keeps a passphrase or password for it (in the keychain).
    #[serde(default)]
    pub has_secret: bool,
    /// The known_hosts file to check the jump host's key against (default `~/.ssh/known_hosts`).
    #[serde(default)]
    pub known_hosts: Option<PathBuf>,
    /// A host key fingerprint the user accepted (`SHA256:…`), checked instead of known_hosts.
    #[serde(default)]
    pub host_key: Option<String>,
}

impl SshTunnel {
    /// `host:port` of the jump host, for messages.
    pub fn addr(&self) -> String {
        if self.host.contains(':') {
            format!("[{}]:{}", self.host, self.port)
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }
}

/// How a listener of Ferry's own (the access proxy) speaks TLS to its clients.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ListenTls {
    /// PEM file of the certificate chain the listener presents.
    pub cert_file: PathBuf,
    /// PEM file of its private key (unencrypted).
    pub key_file: PathBuf,
    /// When set, clients must present a certificate signed by one of these CAs (mutual TLS).
    #[serde(default)]
    pub client_ca_file: Option<PathBuf>,
}

/// A Redis server address with optional credentials.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Endpoint {
    pub host: String,
    pub port: u16,
    /// ACL user name (Redis 6+); `None` authenticates as `default`.
    pub user: Option<String>,
    pub password: Option<Secret>,
    /// TLS settings when the server is reached over TLS (`rediss://`); `None` is plain TCP.
    pub tls: Option<TlsOptions>,
    /// The SSH jump host the server is reached through, if any.
    pub ssh: Option<SshTunnel>,
}

/// A URL that is not a usable Redis address.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.text())]
pub struct EndpointError {
    /// The URL with any password masked.
    pub url: String,
    pub reason: Text,
}

impl EndpointError {
    pub fn text(&self) -> Text {
        Text::new(&msg::URL_INVALID).arg("url", format!("{:?}", self.url)).arg("reason", self.reason.clone())
    }
}

impl Endpoint {
    /// An endpoint without credentials.
    pub fn new(host: impl Into<String>, port: u16) -> Self {
        Endpoint { host: host.into(), port, user: None, password: None, tls: None, ssh: None }
    }

    /// Parses `redis://[user[:password]@]host[:port]` (`rediss://` for TLS, trusting the
    /// platform's CAs); `host:port` alone is accepted too.
    pub fn parse(url: &str) -> Result<Endpoint, EndpointError> {
        let fail = |reason: Text| EndpointError { url: redact(url), reason };
        let (rest, tls) = if let Some(rest) = url.strip_prefix("redis://") {
            (rest, None)
        } else if let Some(rest) = url.strip_prefix("rediss://") {
            (rest, Some(TlsOptions::default()))
        } else if url.contains("://") {
            return Err(fail(Text::new(&msg::URL_SCHEME)));
        } else {
            (url, None)
        };
        let rest = rest.trim_end_matches('/');
        let (auth, hostport) = match rest.rfind('@') {
            Some(at) => (Some(&rest[..at]), &rest[at + 1..]),
            None => (None, rest),
        };
        let (host, port) = if let Some(v6) = hostport.strip_prefix('[') {
            let end = v6.find(']').ok_or_else(|| fail(Text::new(&msg::URL_IPV6_UNCLOSED)))?;
            (&v6[..end], v6[end + 1..].strip_prefix(':'))
        } else {
            match hostport.rsplit_once(':') {
                Some((h, p)) => (h, Some(p)),
                None => (hostport, None),
            }
        };
        if host.is_empty() {
            return Err(fail(Text::new(&msg::URL_NO_HOST)));
        }
        if host.contains('/') {
            return Err(fail(Text::new(&msg::URL_DB_NUMBER)));
        }
        let port = match port {
            None => 6379,
            Some(p) => p.parse().map_err(|_| fail(Text::new(&msg::URL_PORT)))?,
        };
        if port == 0 {
            return Err(fail(Text::new(&msg::URL_PORT)));
        }
        let (user, password) = match auth {
            None => (None, None),
            Some(auth) => {
                let (user, pass) = match auth.split_once(':') {
                    Some((u, p)) => (u, Some(p)),
                    // `user@host` names a user (as in redis-rs and RFC 3986); its password then
                    // comes from elsewhere (a password file, the environment, a prompt).
                    None => (auth, None),
                };
                let user = percent_decode(user).map_err(fail)?;
                let pass = pass.map(percent_decode).transpose().map_err(fail)?;
                ((!user.is_empty()).then_some(user), pass.filter(|p| !p.is_empty()).map(Secret))
            }
        };
        Ok(Endpoint { host: host.to_string(), port, user, password, tls, ssh: None })
    }

    /// Another server reached the same way: these credentials and TLS settings at `host:port` (a
    /// cluster's other nodes, the master a Sentinel names, an instance's seed nodes).
    pub fn at(&self, host: impl Into<String>, port: u16) -> Endpoint {
        Endpoint { host: host.into(), port, ..self.clone() }
    }

    /// `host:port`, for messages and for connecting.
    pub fn addr(&self) -> String {
        if self.host.contains(':') {
            format!("[{}]:{}", self.host, self.port)
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }
}

impl fmt::Display for Endpoint {
    /// The URL without the password.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let scheme = if self.tls.is_some() { "rediss" } else { "redis" };
        match &self.user {
            Some(user) => write!(f, "{scheme}://{user}@{}", self.addr()),
            None => write!(f, "{scheme}://{}", self.addr()),
        }
    }
}

/// The URL with any password replaced by `***`, for error messages.
pub(crate) fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let auth = &url[s + 3..at];
            let user = auth.split_once(':').map(|(u, _)| u).unwrap_or("");
            format!("{}{}:***{}", &url[..s + 3], user, &url[at..])
        }
        _ => url.to_string(),
    }
}

fn percent_decode(s: &str) -> Result<String, Text> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s.get(i + 1..i + 3).ok_or_else(|| Text::new(&msg::URL_ESCAPE_CUT))?;
            out.push(u8::from_str_radix(hex, 16).map_err(|_| Text::new(&msg::URL_ESCAPE_BAD).arg("hex", hex))?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| Text::new(&msg::URL_NOT_UTF8))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_forms_users_type() {
        let e = Endpoint::parse("redis://app:p%40ss@10.0.0.5:6380").unwrap();
        assert_eq!((e.host.as_str(), e.port, e.user.as_deref()), ("10.0.0.5", 6380, Some("app")));
        assert_eq!(e.password.unwrap().expose(), "p@ss");
        let e = Endpoint::parse("redis://:secret@localhost").unwrap();
        assert_eq!((e.port, e.user, e.password.unwrap().expose()), (6379, None, "secret"));
        let e = Endpoint::parse("redis://app@h:1").unwrap();
        assert_eq!((e.user.as_deref(), e.password), (Some("app"), None));
        let e = Endpoint::parse("127.0.0.1:7000").unwrap();
        assert_eq!(e.addr(), "127.0.0.1:7000");
        let e = Endpoint::parse("redis://[::1]:7001").unwrap();
        assert_eq!((e.addr(), e.tls), ("[::1]:7001".to_string(), None));
        let e = Endpoint::parse("rediss://app:p%40ss@cache.example.com:6380").unwrap();
        assert_eq!(e.tls, Some(TlsOptions::default()));
        assert_eq!(e.to_string(), "rediss://app@cache.example.com:6380");
    }

    #[test]
    fn errors_never_show_the_password() {
        let err = Endpoint::parse("redis://u:hunter2@host:notaport").unwrap_err();
        let text = err.to_string();
        assert!(!text.contains("hunter2"), "{text}");
        assert!(text.contains("port"), "{text}");
        let e = Endpoint::parse("redis://u:hunter2@host:1").unwrap();
        assert!(!format!("{e} {e:?}").contains("hunter2"));
        assert!(Endpoint::parse("http://h:1").unwrap_err().to_string().contains("rediss://"));
    }
}
