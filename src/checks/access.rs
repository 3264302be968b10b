//! May Ferry reach the source at all, the way this migration type needs: region, transport, and the
//! permission to replicate.

use std::net::IpAddr;
use std::time::Duration;

use super::{CheckInput, CheckItem, Ctx, Level, Spec};
use crate::client::Client;
use crate::endpoint::Endpoint;
use crate::model::MigrationType;
use crate::resp::Frame;
use crate::transport;

const REGION: Spec = Spec { id: "region", title: "Region" };
const TLS: Spec = Spec { id: "network.tls", title: "Encryption in transit" };
const PSYNC: Spec = Spec { id: "source.psync", title: "Source allows replication" };
const DISTINCT: Spec = Spec { id: "target.distinct", title: "Source and target are different servers" };

/// A cloud VM source is reached over the provider's private network, which only spans one region.
pub(super) fn region(input: &CheckInput) -> CheckItem {
    if input.kind == MigrationType::PublicNetwork {
        return REGION.pass("n/a", "a public-network migration does not depend on regions");
    }
    let target = input.target_region.trim();
    let source = input.source_region.as_deref().map(str::trim).unwrap_or_default();
    if source.is_empty() {
        return REGION.error(
            "source region missing",
            format!("a cloud VM migration needs the source's region: enter the region the source VM runs in (it must be the target's region, {target:?})"),
        );
    }
    if target.is_empty() {
        return REGION.error("target region missing", "the target instance has no region: set it on the instance");
    }
    if source.eq_ignore_ascii_case(target) {
        return REGION.pass(source, "the source VM and the target are in the same region");
    }
    REGION.error(
        format!("{source} → {target}"),
        format!("cross-region migration is not supported for a cloud VM source: source in {source}, target in {target}; create the target in {source} or use a public-network migration"),
    )
}

/// Two addresses can reach one server (an alias, a forwarded port): migrating a server into itself
/// would at best do nothing and, with clear-first, wipe the source.
pub(super) fn distinct(ctx: &Ctx<'_>) -> CheckItem {
    let (s, t) = match (ctx.source.get(), ctx.target.get()) {
        (Ok(s), Ok(t)) => (s, t),
        (s, t) => return DISTINCT.not_checked([s.err(), t.err()]),
    };
    let (a, b) = (&s.info.run_id, &t.info.run_id);
    if !a.is_empty() && a == b {
        return DISTINCT.error(
            format!("run_id {a}"),
            "the source and the target are the same Redis server (same run_id): choose another target",
        );
    }
    DISTINCT.pass("different run_ids", "the source and the target are different servers")
}

/// How each side's data travels: TLS (with the certificate it presents: who, issued by whom, until
/// when) or plain TCP. Plain TCP on loopback or a private network stays there; plain TCP to any
/// other address may cross the public network in clear, with the AUTH password.
pub(super) async fn tls(input: &CheckInput) -> CheckItem {
    let mut level = Level::Pass;
    let (mut values, mut messages) = (Vec::new(), Vec::new());
    for (role, endpoint) in [("source", &input.source), ("target", &input.target)] {
        let (side_level, value, message) = side_link(role, endpoint).await;
        if side_level == Level::Error || (side_level == Level::Warning && level == Level::Pass) {
            level = side_level;
        }
        values.push(format!("{role} {value}"));
        messages.push(message);
    }
    TLS.item(level, values.join(", "), messages.join("; "))
}

/// One side's part of [`tls`].
async fn side_link(role: &str, endpoint: &Endpoint) -> (Level, &'static str, String) {
    let Some(options) = &endpoint.tls else {
        if let Some(tunnel) = &endpoint.ssh {
            return (Level::Pass, "SSH tunnel", format!("the {role} is reached through an SSH tunnel via {}: encrypted up to that host, and from there in plain TCP on its network", tunnel.addr()));
        }
        return if is_private(&endpoint.host) {
            (Level::Pass, "plain TCP", format!("the {role} is on this machine or a private network ({}): its data does not cross the public network", endpoint.host))
        } else {
            (Level::Warning, "plain TCP", format!("the {role}'s data may cross the public network unencrypted ({}): use rediss:// if it takes TLS, or reach it through an SSH tunnel or a VPN", endpoint.host))
        };
    };
    let cert = match transport::server_certificate(endpoint, CERT_TIMEOUT).await {
        Ok(Some(cert)) => cert,
        Ok(None) => {
            return (
                Level::Warning,
                "TLS",
                format!("the {role} speaks TLS but presented no certificate Ferry could read"),
            )
        }
        Err(e) => return (Level::Error, "TLS", format!("could not read the {role}'s certificate: {e}")),
    };
    let who =
        format!("certificate {:?}, issued by {:?}, valid until {}", cert.subject, cert.issuer, date(cert.not_after));
    if cert.not_after < now_secs() {
        return (Level::Error, "TLS", format!("the {role}'s {who} has expired: renew the certificate on the server"));
    }
    // Read without checking it above; whether it is trusted (and valid for the name) is the
    // handshake's verdict, said here with what to do.
    if !options.insecure {
        if let Err(transport::ConnectError::Tls(refused)) = transport::connect(endpoint, CERT_TIMEOUT).await {
            return (Level::Error, "TLS", format!("the {role}'s {who} is refused: {refused}"));
        }
    }
    if options.insecure {
        return (Level::Warning, "TLS, not verified", format!("the {role}'s {who} is not checked (the insecure option is on), so anyone on the way could pose as the server: give its CA instead"));
    }
    (Level::Pass, "TLS", format!("the {role} speaks TLS: {who}"))
}

/// How long reading a certificate may take.
const CERT_TIMEOUT: Duration = Duration::from_secs(10);

/// Loopback, private (RFC 1918, IPv6 unique-local) and link-local addresses, and `localhost`.
fn is_private(host: &str) -> bool {
    match host.parse::<IpAddr>() {
        Ok(IpAddr::V4(ip)) => ip.is_loopback() || ip.is_private() || ip.is_link_local(),
        Ok(IpAddr::V6(ip)) => {
            ip.is_loopback() || (ip.segments()[0] & 0xfe00) == 0xfc00 || (ip.segments()[0] & 0xffc0) == 0xfe80
        }
        Err(_) => host.eq_ignore_ascii_case("localhost"),
    }
}

fn now_secs() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0)
}

/// A unix time as `YYYY-MM-DD` (UTC), from the days since 1970 (the civil-from-days algorithm).
fn date(secs: i64) -> String {
    let z = secs.div_euclid(86_400) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

/// What `ACL DRYRUN` said about the replication commands.
enum DryRun {
    Allowed,
    Denied(String),
    /// DRYRUN itself is forbidden to this user, or failed: ask the server another way.
    Unavailable,
}

/// The source user may run what [`crate::replica::Replica`] sends: REPLCONF, then PSYNC.
///
/// Asked without starting anything: `ACL DRYRUN` on 7.0+, else a real REPLCONF on a connection of
/// its own (harmless: without PSYNC the source makes no snapshot and registers no replica).
pub(super) async fn psync(ctx: &mut Ctx<'_>) -> CheckItem {
    let s = match ctx.source.up() {
        Ok(s) => s,
        Err(why) => return PSYNC.not_checked([Some(why)]),
    };
    let user = s.endpoint.user.clone().unwrap_or_else(|| "default".to_string());
    if s.info.at_least(7, 0) {
        match dry_run(&mut s.client, &user).await {
            DryRun::Allowed => return PSYNC.pass("allowed", format!("the user {user} may run PSYNC and REPLCONF")),
            DryRun::Denied(reason) => return PSYNC.error("denied", denied(&user, &reason)),
            DryRun::Unavailable => {}
        }
    }
    let mut probe = match Client::connect(&s.endpoint).await {
        Ok(client) => client,
        Err(e) => return PSYNC.could_not_check(format!("a second connection to the source failed: {e}")),
    };
    let reply = match probe.raw_request(&["REPLCONF", "listening-port", "0"]).await {
        Ok(reply) => reply,
        Err(e) => return PSYNC.could_not_check(e),
    };
    match reply.error_message() {
        None if s.info.at_least(6, 0) => PSYNC.pass(
            "REPLCONF allowed",
            format!("the user {user} may run REPLCONF; PSYNC itself can only be checked on Redis 7.0+ (ACL DRYRUN), so a refusal would show when the migration starts"),
        ),
        None => PSYNC.pass("allowed", "the source has no ACLs (before Redis 6.0): a logged-in client may replicate"),
        Some(message) if message.starts_with("NOPERM") => PSYNC.error("denied", denied(&user, &message)),
        Some(message) => PSYNC.warning(
            "refused",
            format!("the source refused REPLCONF ({message}): replication may not start; check that REPLCONF, PSYNC and SYNC are not renamed or disabled"),
        ),
    }
}

async fn dry_run(client: &mut Client, user: &str) -> DryRun {
    for command in [&["PSYNC", "?", "-1"][..], &["REPLCONF", "listening-port", "0"]] {
        let mut args = vec!["ACL", "DRYRUN", user];
        args.extend_from_slice(command);
        match client.raw_request(&args).await {
            Ok(Frame::Simple(ok)) if ok.as_ref() == b"OK" => continue,
            Ok(Frame::Error(_)) | Err(_) => return DryRun::Unavailable,
            // The reason comes back as a string: "This user has no permissions to run the 'psync' command".
            Ok(other) => {
                let reason = other.as_bytes().map(|b| String::from_utf8_lossy(b).into_owned());
                return DryRun::Denied(reason.unwrap_or_else(|| format!("{other:?}")));
            }
        }
    }
    DryRun::Allowed
}

fn denied(user: &str, reason: &str) -> String {
    format!("the user {user} may not replicate: {reason}. Grant it the replication commands (ACL SETUSER {user} +psync +sync +replconf +ping) or use a user that has them")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_and_private_addresses_stay_off_the_public_network() {
        for host in ["127.0.0.1", "localhost", "10.1.2.3", "172.16.0.9", "192.168.1.20", "::1", "fd00::7", "fe80::1"] {
            assert!(is_private(host), "{host}");
        }
        for host in ["8.8.8.8", "172.32.0.1", "2001:db8::1", "cache.example.com"] {
            assert!(!is_private(host), "{host}");
        }
    }

    #[test]
    fn dates_are_utc_days() {
        assert_eq!(date(0), "1970-01-01");
        assert_eq!(date(951_782_400), "2000-02-29");
        assert_eq!(date(1_609_459_199), "2020-12-31");
        assert_eq!(date(1_796_473_570), "2026-12-05");
    }
}
