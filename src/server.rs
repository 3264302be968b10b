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

    /// Whether `RESTORE` on this server accepts a payload written by a `family` server whose RDB
    /// version is `rdb`.
    ///
    /// The two families number their formats on different scales since they parted: Redis 7.4 wrote
    /// RDB 12 (hash field TTLs in new type bytes), Valkey 9 writes its own 80 (with a hash-field-TTL
    /// type of its own) and reads Redis's formats only up to 11, the last one both share. So a plain
    /// `>=` on the numbers would send Redis 12 payloads to Valkey 9, which refuses them.
    pub fn reads_rdb(&self, family: Family, rdb: u16) -> bool {
        const SHARED: u16 = 11;
        let own = self.rdb_version();
        match (self.family, family) {
            (Family::Redis, Family::Redis) => rdb <= own,
            // Valkey before 9 writes the shared RDB 11; Valkey 9's own 80 only Valkey 9 reads.
            (Family::Redis, Family::Valkey) => rdb <= SHARED.min(own),
            (Family::Valkey, Family::Valkey) => rdb <= own,
            (Family::Valkey, Family::Redis) => rdb <= SHARED.min(own),
        }
    }

    /// Whether the server has hash field TTLs (`HPEXPIREAT`): Redis 7.4 and Valkey 9 added them;
    /// Valkey 8, although numbered above 7.4, has none.
    pub fn has_hash_field_ttl(&self) -> bool {
        match self.family {
            Family::Redis => self.at_least(7, 4),
            Family::Valkey => self.at_least(9, 0),
        }
    }

    /// Whether the server has at least this (major, minor) of its own family's numbering. Valkey
    /// began at 7.2 with everything Redis 7.2 has, so a test of a Redis feature up to 7.2 holds for
    /// both; later features need their own test ([`ServerInfo::has_hash_field_ttl`]).
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

    #[test]
    fn rdb_numbers_of_the_two_families_are_not_one_scale() {
        let redis = |v| info(Family::Redis, v);
        let valkey = |v| info(Family::Valkey, v);
        // Valkey 9 refuses Redis 7.4+ payloads (RDB 12) but reads Redis 7.2's and its own.
        assert!(!valkey("9.1.2").reads_rdb(Family::Redis, 12));
        assert!(valkey("9.1.2").reads_rdb(Family::Redis, 11));
        assert!(valkey("9.1.2").reads_rdb(Family::Valkey, 80));
        assert!(!valkey("8.0.1").reads_rdb(Family::Valkey, 80));
        assert!(valkey("8.0.1").reads_rdb(Family::Redis, 10));
        // No Redis reads Valkey 9's format; Redis 7.2+ reads what Valkey 8 writes.
        assert!(!redis("8.2.3").reads_rdb(Family::Valkey, 80));
        assert!(redis("7.2.6").reads_rdb(Family::Valkey, 11));
        assert!(!redis("7.0.15").reads_rdb(Family::Valkey, 11));
        assert!(redis("8.2.3").reads_rdb(Family::Redis, 12));
        assert!(!redis("6.2.14").reads_rdb(Family::Redis, 10));
    }
}
