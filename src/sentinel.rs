//! Which server is the master of a Sentinel-managed source now.
//!
//! Asked at every connection to the source (the first, and each reconnection after a broken
//! link), so that after a failover Ferry follows the promoted replica and continues its stream with
//! PSYNC2 instead of syncing in full. Sentinel names the new master only once the promotion is done
//! (`+switch-master`), so its answer can be used as it is.

use std::time::Duration;

use crate::client::Client;
use crate::endpoint::{Endpoint, EndpointError};
use crate::model::SentinelSpec;
use crate::resp::Frame;
use crate::text::catalog::errors as msg;
use crate::text::Text;

/// How long one Sentinel may take to answer before the next is asked.
const ASK_TIMEOUT: Duration = Duration::from_secs(2);

/// The Sentinels could not name the master.
#[derive(Debug, Clone, thiserror::Error)]
pub enum SentinelError {
    /// `causes`: what each Sentinel said (`error.sentinel.cause.*`).
    #[error("{}", self.text())]
    Unreachable { nodes: String, name: String, causes: Vec<Text> },
    #[error("{}", self.text())]
    UnknownMaster { nodes: String, name: String },
    #[error("{}", self.text())]
    BadAddress { node: String, reason: Text },
}

impl SentinelError {
    /// The sentence as a catalog code, for the console to show in the user's language; `Display`
    /// is its English.
    pub fn text(&self) -> Text {
        match self {
            SentinelError::Unreachable { nodes, name, causes } => Text::new(&msg::SENTINEL_UNREACHABLE)
                .arg("nodes", nodes)
                .arg("name", format!("{name:?}"))
                .arg("causes", causes.clone()),
            SentinelError::UnknownMaster { nodes, name } => {
                Text::new(&msg::SENTINEL_UNKNOWN_MASTER).arg("nodes", nodes).arg("name", format!("{name:?}"))
            }
            SentinelError::BadAddress { node, reason } => {
                Text::new(&msg::SENTINEL_BAD_ADDRESS).arg("node", format!("{node:?}")).arg("reason", reason.clone())
            }
        }
    }
}

impl SentinelError {
    /// Whether asking again later may succeed (Sentinels restarting, a failover under way).
    pub fn is_transient(&self) -> bool {
        matches!(self, SentinelError::Unreachable { .. })
    }
}

/// The URL scheme of a Sentinel-managed source.
pub const SCHEME: &str = "redis+sentinel://";
/// The same over TLS: the Sentinels and the master are both reached with TLS.
pub const TLS_SCHEME: &str = "rediss+sentinel://";

/// Parses `redis+sentinel://[user[:password]@]host:port[,host:port...]/master-name` (or
/// `rediss+sentinel://` for TLS): the Sentinels and the master's name, and the master's credentials
/// and TLS (in an endpoint whose address is the first Sentinel's). `None` for any other URL.
pub fn parse_url(url: &str) -> Option<Result<(Endpoint, SentinelSpec), EndpointError>> {
    let (rest, scheme) = match url.strip_prefix(SCHEME) {
        Some(rest) => (rest, "redis://"),
        None => (url.strip_prefix(TLS_SCHEME)?, "rediss://"),
    };
    let fail = |reason: Text| EndpointError { url: crate::endpoint::redact(url), reason };
    let (auth, rest) = match rest.rfind('@') {
        Some(at) => (&rest[..=at], &rest[at + 1..]),
        None => ("", rest),
    };
    let Some((hosts, name)) = rest.split_once('/') else {
        return Some(Err(fail(Text::new(&msg::SENTINEL_URL_NO_NAME))));
    };
    let name = name.trim_end_matches('/');
    if name.is_empty() || name.contains('/') {
        return Some(Err(fail(Text::new(&msg::SENTINEL_URL_NO_NAME))));
    }
    let nodes: Vec<String> = hosts.split(',').filter(|h| !h.is_empty()).map(str::to_string).collect();
    let Some(first) = nodes.first() else { return Some(Err(fail(Text::new(&msg::SENTINEL_URL_NO_NODE)))) };
    let spec = SentinelSpec { nodes: nodes.clone(), master_name: name.to_string() };
    if let Err(e) = validate(&spec) {
        return Some(Err(fail(e.text())));
    }
    Some(Endpoint::parse(&format!("{scheme}{auth}{first}")).map_err(|e| fail(e.reason)).map(|e| (e, spec)))
}

/// Checks a spec's addresses, for a clear error before anything runs.
pub fn validate(spec: &SentinelSpec) -> Result<(), SentinelError> {
    if spec.nodes.is_empty() {
        return Err(SentinelError::BadAddress { node: String::new(), reason: Text::new(&msg::SENTINEL_NONE_GIVEN) });
    }
    for node in &spec.nodes {
        // The address parser's reason is not a catalog sentence yet: shown as it is.
        Endpoint::parse(node).map_err(|e| SentinelError::BadAddress { node: node.clone(), reason: e.text() })?;
    }
    Ok(())
}

/// The master the Sentinels name now, with the user, password, TLS and SSH settings of `credentials`
/// (the master's). The Sentinels are reached the way the master is (TLS with the same CA and client
/// certificate, through the same jump host): they watch it from the same network, and a Sentinel
/// set up for a TLS deployment takes TLS itself (`tls-port`, `tls-replication yes`).
pub async fn locate(spec: &SentinelSpec, credentials: &Endpoint) -> Result<Endpoint, SentinelError> {
    validate(spec)?;
    let mut causes = Vec::new();
    let mut unknown = 0;
    for node in &spec.nodes {
        let Ok(sentinel) = Endpoint::parse(node) else { continue };
        let sentinel = Endpoint { tls: credentials.tls.clone(), ssh: credentials.ssh.clone(), ..sentinel };
        let asked = async {
            let mut client = Client::connect_with_timeout(&sentinel, ASK_TIMEOUT).await?;
            client.request(&["SENTINEL", "get-master-addr-by-name", spec.master_name.as_str()]).await
        };
        match asked.await {
            Ok(Frame::Array(items)) if items.len() == 2 => {
                let text = |f: &Frame| f.as_bytes().map(|b| String::from_utf8_lossy(b).into_owned());
                let (host, port) = (text(&items[0]), text(&items[1]).and_then(|p| p.parse::<u16>().ok()));
                if let (Some(host), Some(port)) = (host, port) {
                    return Ok(credentials.at(host, port));
                }
                causes.push(Text::new(&msg::SENTINEL_NOT_AN_ADDRESS).arg("node", node));
            }
            Ok(Frame::Null) => {
                unknown += 1;
                causes.push(Text::new(&msg::SENTINEL_NOT_MONITORED).arg("node", node));
            }
            Ok(other) => {
                causes.push(Text::new(&msg::SENTINEL_ANSWERED).arg("node", node).arg("reply", format!("{other:?}")))
            }
            Err(e) => causes.push(Text::new(&msg::SENTINEL_FAILED).arg("node", node).arg("error", e.text())),
        }
    }
    let nodes = spec.nodes.join(", ");
    let name = spec.master_name.clone();
    if unknown == spec.nodes.len() {
        return Err(SentinelError::UnknownMaster { nodes, name });
    }
    Err(SentinelError::Unreachable { nodes, name, causes })
}

/// `endpoint` itself, or (for a Sentinel-managed source) the master the Sentinels name now, with
/// `endpoint`'s credentials.
pub async fn resolve(endpoint: &Endpoint, sentinel: Option<&SentinelSpec>) -> Result<Endpoint, SentinelError> {
    match sentinel {
        None => Ok(endpoint.clone()),
        Some(spec) => locate(spec, endpoint).await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sentinel_urls_name_the_sentinels_the_master_and_its_credentials() {
        let (e, spec) = parse_url("redis+sentinel://app:p%40ss@s1:26379,s2:26380/mymaster").unwrap().unwrap();
        assert_eq!(spec.nodes, ["s1:26379", "s2:26380"]);
        assert_eq!(spec.master_name, "mymaster");
        assert_eq!((e.user.as_deref(), e.password.unwrap().expose()), (Some("app"), "p@ss"));
        assert!(parse_url("redis://h:1").is_none());
        let err = parse_url("redis+sentinel://:hunter2@s1:26379").unwrap().unwrap_err().to_string();
        assert!(err.contains("master's name") && !err.contains("hunter2"), "{err}");
        assert!(parse_url("redis+sentinel://s1:notaport/m").unwrap().is_err());
        assert!(e.tls.is_none());
        let (e, spec) = parse_url("rediss+sentinel://s1:26379/mymaster").unwrap().unwrap();
        assert_eq!((e.tls.is_some(), spec.master_name.as_str()), (true, "mymaster"), "TLS for rediss+sentinel://");
    }
}
