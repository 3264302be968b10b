//! Reaching a server once and learning what every check needs from it: identity, memory, keyspace.
//!
//! Asked once at the start so that the items agree with each other (one key count, one memory figure)
//! and the servers see a handful of INFO calls, not one per item.

use std::time::{Duration, Instant};

use super::{CheckItem, Spec};
use crate::client::{info_field, Client, ClientError};
use crate::endpoint::Endpoint;
use crate::resp::Frame;
use crate::server::ServerInfo;
use crate::text::catalog::checks as msg;
use crate::text::Text;

/// A server that answered, logged in, and told us what it is.
pub(super) struct Server {
    pub client: Client,
    pub endpoint: Endpoint,
    pub info: ServerInfo,
    /// `INFO memory`.
    pub memory: Vec<(String, String)>,
    /// `INFO keyspace`.
    pub keyspace: Vec<(String, String)>,
}

/// One side of the migration: up, or why the checks cannot use it.
pub(super) enum Peer {
    Up(Box<Server>),
    /// The reason, as the items that need this server say it ("the source is unreachable").
    Down(Text),
}

impl Peer {
    /// The server, or the reason it is missing (for [`Spec::not_checked`]).
    pub fn up(&mut self) -> Result<&mut Server, Text> {
        match self {
            Peer::Up(server) => Ok(server),
            Peer::Down(why) => Err(why.clone()),
        }
    }

    pub fn get(&self) -> Result<&Server, Text> {
        match self {
            Peer::Up(server) => Ok(server),
            Peer::Down(why) => Err(why.clone()),
        }
    }
}

/// Which side a server is.
#[derive(Clone, Copy)]
pub(super) enum Role {
    Source,
    Target,
}

impl Role {
    /// "source" or "target", for a sentence's `{role}`.
    pub fn text(self) -> Text {
        Text::new(match self {
            Role::Source => &msg::CHECK_ROLE_SOURCE,
            Role::Target => &msg::CHECK_ROLE_TARGET,
        })
    }
}

/// Connects to one side's server: its `<role>.connect` item, and the peer the other checks use.
pub(super) async fn connect(endpoint: &Endpoint, role: Role) -> (CheckItem, Peer) {
    let spec = match role {
        Role::Source => Spec { id: "source.connect", title: "Source reachable" },
        Role::Target => Spec { id: "target.connect", title: "Target reachable" },
    };
    let unreachable = || Peer::Down(Text::new(&msg::CONNECT_ROLE_UNREACHABLE).arg("role", role.text()));
    let mut client = match Client::connect(endpoint).await {
        Ok(client) => client,
        Err(e) => {
            let value = match e {
                ClientError::NotPlainRedis { .. } => &msg::CONNECT_NOT_RESP,
                ClientError::NotRedis { .. } => &msg::CONNECT_NOT_REDIS,
                _ => &msg::CONNECT_UNREACHABLE,
            };
            return (spec.error(Text::new(value), e.text()), unreachable());
        }
    };
    let rtt = match ping(&mut client).await {
        Ok(rtt) => rtt,
        Err(e) => return (spec.error(Text::new(&msg::CONNECT_UNREACHABLE), e.text()), unreachable()),
    };
    // Ferry follows a migration through INFO; a user that may not run it cannot be migrated with.
    let learned = async {
        let info = ServerInfo::fetch(&mut client).await?;
        let memory = client.info("memory").await?;
        let mut memory = memory;
        let mut keyspace = client.info("keyspace").await?;
        // A cluster's keys, and the memory they use, are on all its masters.
        if let Ok(Some(topology)) = crate::cluster::discover(endpoint).await {
            let (mut keys, mut used) = (0, 0);
            for master in topology.masters() {
                let mut node = Client::connect(master).await?;
                let counts = crate::client::keyspace_counts(&node.info("keyspace").await?);
                keys += counts.iter().map(|&(_, n)| n).sum::<u64>();
                used += info_u64(&node.info("memory").await?, "used_memory").unwrap_or(0);
            }
            keyspace = vec![("db0".to_string(), format!("keys={keys},expires=0,avg_ttl=0"))];
            memory.retain(|(name, _)| name != "used_memory");
            memory.push(("used_memory".to_string(), used.to_string()));
        }
        Ok::<_, ClientError>((info, memory, keyspace))
    };
    match learned.await {
        Ok((info, memory, keyspace)) => {
            let user = endpoint.user.as_deref().unwrap_or("default");
            let item = spec.pass(
                Text::raw(format_ms(rtt)),
                Text::new(&msg::CONNECT_OK)
                    .arg("addr", endpoint.addr())
                    .arg("user", user)
                    .arg("server", info.to_string())
                    .arg("rtt", format_ms(rtt)),
            );
            let server = Server { client, endpoint: endpoint.clone(), info, memory, keyspace };
            (item, Peer::Up(Box::new(server)))
        }
        Err(e) => (
            spec.error(
                Text::raw(format_ms(rtt)),
                Text::new(&msg::CONNECT_INFO_REFUSED).arg("role", role.text()).arg("error", e.text()),
            ),
            Peer::Down(Text::new(&msg::CONNECT_ROLE_INFO_REFUSED).arg("role", role.text())),
        ),
    }
}

/// The round-trip time of one PING.
pub(super) async fn ping(client: &mut Client) -> Result<Duration, ClientError> {
    let started = Instant::now();
    client.request(&["PING"]).await?;
    Ok(started.elapsed())
}

/// A number field of an INFO section.
pub(super) fn info_u64(info: &[(String, String)], name: &str) -> Option<u64> {
    info_field(info, name)?.parse().ok()
}

/// `CONFIG GET name`: the value, or the server's refusal (renamed or forbidden CONFIG).
pub(super) async fn config_get(client: &mut Client, name: &str) -> Result<Option<String>, String> {
    let reply = client.raw_request(&["CONFIG", "GET", name]).await.map_err(|e| e.to_string())?;
    if let Some(message) = reply.error_message() {
        return Err(message);
    }
    let items = match reply {
        Frame::Array(items) | Frame::Map(items) => items,
        _ => Vec::new(),
    };
    Ok(items.get(1).and_then(Frame::as_bytes).map(|v| String::from_utf8_lossy(v).into_owned()))
}

/// `0.04 ms`, `0.3 ms`, `12 ms`: two significant digits, enough to compare links.
pub(super) fn format_ms(d: Duration) -> String {
    let ms = d.as_secs_f64() * 1000.0;
    if ms < 1.0 {
        format!("{ms:.2} ms")
    } else if ms < 10.0 {
        format!("{ms:.1} ms")
    } else {
        format!("{ms:.0} ms")
    }
}

/// `512 B`, `1.2 MB`, `4.0 GB` (powers of 1024, as Redis counts).
pub(super) fn format_bytes(n: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KB", "MB", "GB", "TB"];
    let mut value = n as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{n} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

/// `under 1 s`, `45 s`, `12 min`, `3.5 h`.
pub(super) fn format_duration(secs: f64) -> Text {
    if secs < 1.0 {
        Text::new(&msg::CHECK_UNDER_A_SECOND)
    } else if secs < 120.0 {
        Text::new(&msg::CHECK_SECONDS).arg("n", format!("{secs:.0}"))
    } else if secs < 2.0 * 3600.0 {
        Text::new(&msg::CHECK_MINUTES).arg("n", format!("{:.0}", secs / 60.0))
    } else {
        Text::new(&msg::CHECK_HOURS).arg("n", format!("{:.1}", secs / 3600.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_read_as_people_write_them() {
        assert_eq!(format_bytes(512), "512 B");
        assert_eq!(format_bytes(1536), "1.5 KB");
        assert_eq!(format_bytes(4 << 30), "4.0 GB");
        assert_eq!(format_ms(Duration::from_micros(40)), "0.04 ms");
        assert_eq!(format_ms(Duration::from_micros(2500)), "2.5 ms");
        assert_eq!(format_ms(Duration::from_millis(52)), "52 ms");
        assert_eq!(format_duration(0.2).to_string(), "under 1 s");
        assert_eq!(format_duration(12.4).to_string(), "12 s");
        assert_eq!(format_duration(600.0).to_string(), "10 min");
        assert_eq!(format_duration(3.0 * 3600.0).to_string(), "3.0 h");
        assert_eq!(format_duration(600.0).render(crate::text::Lang::Zh), "10 分钟");
    }
}
