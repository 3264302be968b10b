//! May Ferry reach the source at all, the way this migration type needs: region, transport, and the
//! permission to replicate.

use super::{CheckInput, CheckItem, Ctx, Spec};
use crate::client::Client;
use crate::model::MigrationType;
use crate::resp::Frame;

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

/// Ferry speaks plain TCP: over the public network the data (and the AUTH password) travel in clear.
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

pub(super) fn tls() -> CheckItem {
    TLS.warning(
        "plain TCP",
        "the data crosses the public network unencrypted (Ferry has no TLS yet): reach the source through a VPN or an SSH tunnel, and protect it with a strong password",
    )
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
