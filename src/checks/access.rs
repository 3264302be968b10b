//! May Ferry reach the source at all, the way this migration type needs: region, transport, and the
//! permission to replicate.

use std::net::IpAddr;
use std::time::Duration;

use super::probe::Role;
use super::{CheckInput, CheckItem, Ctx, Level, Spec};
use crate::client::Client;
use crate::endpoint::Endpoint;
use crate::model::MigrationType;
use crate::resp::Frame;
use crate::text::catalog::checks as msg;
use crate::text::Text;
use crate::transport;

const REGION: Spec = Spec { id: "region", title: "Region" };
const TLS: Spec = Spec { id: "network.tls", title: "Encryption in transit" };
const PSYNC: Spec = Spec { id: "source.psync", title: "Source allows replication" };
const DISTINCT: Spec = Spec { id: "target.distinct", title: "Source and target are different servers" };

/// A cloud VM source is reached over the provider's private network, which only spans one region.
pub(super) fn region(input: &CheckInput) -> CheckItem {
    if input.kind == MigrationType::PublicNetwork {
        return REGION.pass(Text::new(&msg::CHECK_NA), Text::new(&msg::REGION_PUBLIC));
    }
    let target = input.target_region.trim();
    let source = input.source_region.as_deref().map(str::trim).unwrap_or_default();
    if source.is_empty() {
        return REGION.error(
            Text::new(&msg::REGION_SOURCE_MISSING),
            Text::new(&msg::REGION_SOURCE_MISSING_HINT).arg("target", target),
        );
    }
    if target.is_empty() {
        return REGION.error(Text::new(&msg::REGION_TARGET_MISSING), Text::new(&msg::REGION_TARGET_MISSING_HINT));
    }
    if source.eq_ignore_ascii_case(target) {
        return REGION.pass(Text::raw(source), Text::new(&msg::REGION_SAME));
    }
    REGION.error(
        Text::raw(format!("{source} → {target}")),
        Text::new(&msg::REGION_CROSS).arg("source", source).arg("target", target),
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
        return DISTINCT.error(Text::raw(format!("run_id {a}")), Text::new(&msg::DISTINCT_SAME));
    }
    DISTINCT.pass(Text::new(&msg::DISTINCT_IDS_DIFFER), Text::new(&msg::DISTINCT_DIFFERENT))
}

/// How each side's data travels: TLS (with the certificate it presents: who, issued by whom, until
/// when) or plain TCP. Plain TCP on loopback or a private network stays there; plain TCP to any
/// other address may cross the public network in clear, with the AUTH password.
pub(super) async fn tls(input: &CheckInput) -> CheckItem {
    let mut level = Level::Pass;
    let (mut value, mut message) = (Text::new(&msg::TLS_VALUE), Text::new(&msg::TLS_MESSAGE));
    for (role, name, endpoint) in [(Role::Source, "source", &input.source), (Role::Target, "target", &input.target)] {
        let (side_level, side_value, side_message) = side_link(role, endpoint).await;
        if side_level == Level::Error || (side_level == Level::Warning && level == Level::Pass) {
            level = side_level;
        }
        value = value.arg(name, side_value);
        message = message.arg(name, side_message);
    }
    TLS.item(level, value, message)
}

/// One side's part of [`tls`].
async fn side_link(role: Role, endpoint: &Endpoint) -> (Level, Text, Text) {
    let role = role.text();
    let Some(options) = &endpoint.tls else {
        if let Some(tunnel) = &endpoint.ssh {
            return (
                Level::Pass,
                Text::new(&msg::TLS_VALUE_SSH),
                Text::new(&msg::TLS_VIA_SSH).arg("role", role).arg("host", tunnel.addr()),
            );
        }
        let (level, message) = if is_private(&endpoint.host) {
            (Level::Pass, &msg::TLS_PRIVATE)
        } else {
            (Level::Warning, &msg::TLS_PUBLIC)
        };
        return (
            level,
            Text::new(&msg::TLS_VALUE_PLAIN),
            Text::new(message).arg("role", role).arg("host", &endpoint.host),
        );
    };
    // "TLS" reads the same in every language.
    let tls = || Text::raw("TLS");
    let cert = match transport::server_certificate(endpoint, CERT_TIMEOUT).await {
        Ok(Some(cert)) => cert,
        Ok(None) => return (Level::Warning, tls(), Text::new(&msg::TLS_NO_CERT).arg("role", role)),
        Err(e) => {
            return (Level::Error, tls(), Text::new(&msg::TLS_CERT_UNREADABLE).arg("role", role).arg("error", e.text()))
        }
    };
    let who = Text::new(&msg::TLS_CERT)
        .arg("subject", format!("{:?}", cert.subject))
        .arg("issuer", format!("{:?}", cert.issuer))
        .arg("until", date(cert.not_after));
    let said = |entry: &'static crate::text::Entry| Text::new(entry).arg("role", role.clone()).arg("cert", who.clone());
    if cert.not_after < now_secs() {
        return (Level::Error, tls(), said(&msg::TLS_EXPIRED));
    }
    // Read without checking it above; whether it is trusted (and valid for the name) is the
    // handshake's verdict, said here with what to do.
    if !options.insecure {
        if let Err(transport::ConnectError::Tls(refused)) = transport::connect(endpoint, CERT_TIMEOUT).await {
            return (Level::Error, tls(), said(&msg::TLS_REFUSED).arg("error", refused.text()));
        }
    }
    if options.insecure {
        return (Level::Warning, Text::new(&msg::TLS_VALUE_NOT_VERIFIED), said(&msg::TLS_INSECURE));
    }
    (Level::Pass, tls(), said(&msg::TLS_OK))
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
    let allowed = || Text::new(&msg::PSYNC_ALLOWED);
    let denied = |reason: &str| {
        PSYNC.error(
            Text::new(&msg::PSYNC_DENIED),
            Text::new(&msg::PSYNC_MAY_NOT).arg("user", &user).arg("reason", reason),
        )
    };
    if s.info.at_least(7, 0) {
        match dry_run(&mut s.client, &user).await {
            DryRun::Allowed => return PSYNC.pass(allowed(), Text::new(&msg::PSYNC_MAY).arg("user", &user)),
            DryRun::Denied(reason) => return denied(&reason),
            DryRun::Unavailable => {}
        }
    }
    let mut probe = match Client::connect(&s.endpoint).await {
        Ok(client) => client,
        Err(e) => return PSYNC.could_not_check(Text::new(&msg::PSYNC_SECOND_CONNECTION).arg("error", e.text())),
    };
    let reply = match probe.raw_request(&["REPLCONF", "listening-port", "0"]).await {
        Ok(reply) => reply,
        Err(e) => return PSYNC.could_not_check(e.text()),
    };
    match reply.error_message() {
        None if s.info.at_least(6, 0) => {
            PSYNC.pass(Text::new(&msg::PSYNC_REPLCONF_ALLOWED), Text::new(&msg::PSYNC_REPLCONF_ONLY).arg("user", &user))
        }
        None => PSYNC.pass(allowed(), Text::new(&msg::PSYNC_NO_ACL)),
        Some(message) if message.starts_with("NOPERM") => denied(&message),
        Some(message) => {
            PSYNC.warning(Text::new(&msg::PSYNC_REFUSED), Text::new(&msg::PSYNC_REPLCONF_REFUSED).arg("error", message))
        }
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
