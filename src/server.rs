//! What a server is: family, version, and the RDB version it writes and can read.
//!
//! RESTORE refuses a payload newer than the server's own RDB version, so this decides between passing
//! values through and rewriting them into commands.

use crate::client::{info_field, Client, ClientError};

/// Redis or Valkey.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    Redis,
    Valkey,
}

/// A server's identity, from `INFO server`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerInfo {
    pub family: Family,
    /// (major, minor, patch) of redis_version, or of valkey_version on Valkey.
    pub version: (u32, u32, u32),
    pub version_text: String,
    /// The process's random id (`run_id`): tells whether two addresses reach the same server.
    pub run_id: String,
}

impl ServerInfo {
    /// Asks the server.
    pub async fn fetch(client: &mut Client) -> Result<ServerInfo, ClientError> {
        let info = client.info("server").await?;
        let redis = info_field(&info, "redis_version").unwrap_or("0.0.0").to_string();
        let (family, text) = match info_field(&info, "valkey_version") {
            Some(v) => (Family::Valkey, v.to_string()),
            None if info_field(&info, "server_name") == Some("valkey") => (Family::Valkey, redis),
            None => (Family::Redis, redis),
        };
        let run_id = info_field(&info, "run_id").unwrap_or_default().to_string();
        Ok(ServerInfo { family, version: parse_version(&text), version_text: text, run_id })
    }

    /// The RDB version this server writes, which is also the newest RESTORE payload it accepts.
    pub fn rdb_version(&self) -> u16 {
        let (major, minor, _) = self.version;
        match self.family {
            Family::Valkey if major >= 9 => 80,
            Family::Valkey => 11,
            Family::Redis => match (major, minor) {
                (0..=2, _) | (3, 0) => 6,
                (3, _) => 7,
                (4, _) => 8,
                (5, _) | (6, _) => 9,
                (7, 0) => 10,
                (7, 1..=2) => 11,
                _ => 12,
            },
        }
    }

    /// Whether the server has at least this (major, minor).
    pub fn at_least(&self, major: u32, minor: u32) -> bool {
        (self.version.0, self.version.1) >= (major, minor)
    }
}

impl std::fmt::Display for ServerInfo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let name = match self.family {
            Family::Redis => "Redis",
            Family::Valkey => "Valkey",
        };
        write!(f, "{name} {} (RDB {})", self.version_text, self.rdb_version())
    }
}

fn parse_version(text: &str) -> (u32, u32, u32) {
    let mut parts = text.split('.').map(|p| p.parse().unwrap_or(0));
    (parts.next().unwrap_or(0), parts.next().unwrap_or(0), parts.next().unwrap_or(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info(family: Family, text: &str) -> ServerInfo {
        ServerInfo { family, version: parse_version(text), version_text: text.into(), run_id: String::new() }
    }

    #[test]
    fn rdb_versions_follow_the_servers() {
        assert_eq!(info(Family::Redis, "2.8.24").rdb_version(), 6);
        assert_eq!(info(Family::Redis, "3.2.13").rdb_version(), 7);
        assert_eq!(info(Family::Redis, "6.2.14").rdb_version(), 9);
        assert_eq!(info(Family::Redis, "7.0.15").rdb_version(), 10);
        assert_eq!(info(Family::Redis, "7.2.6").rdb_version(), 11);
        assert_eq!(info(Family::Redis, "7.9.224").rdb_version(), 12);
        assert_eq!(info(Family::Valkey, "8.0.1").rdb_version(), 11);
        assert_eq!(info(Family::Valkey, "9.1.2").rdb_version(), 80);
        assert!(info(Family::Redis, "7.0.15").at_least(6, 2));
    }
}
