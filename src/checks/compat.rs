//! Can the target hold what the source has: versions, databases, editions, modules, functions.

use super::probe::config_get;
use super::{CheckItem, Ctx, Spec};
use crate::client::{keyspace_counts, Client};
use crate::model::Edition;
use crate::resp::Frame;
use crate::server::Family;
use crate::writer::Mode;

const SOURCE_VERSION: Spec = Spec { id: "source.version", title: "Source version" };
const TARGET_VERSION: Spec = Spec { id: "target.version", title: "Target version" };
const DATABASES: Spec = Spec { id: "databases", title: "Databases" };
const EDITION: Spec = Spec { id: "edition", title: "Edition" };
const MODULES: Spec = Spec { id: "source.modules", title: "Modules" };
const FUNCTIONS: Spec = Spec { id: "source.functions", title: "Functions" };

/// Ferry replicates with PSYNC (2.8+, SYNC before it) and reads RDB 6 and later.
pub(super) fn source_version(ctx: &Ctx<'_>) -> CheckItem {
    let s = match ctx.source.get() {
        Ok(s) => s,
        Err(why) => return SOURCE_VERSION.not_checked([Some(why)]),
    };
    let value = s.info.to_string();
    if s.info.family == Family::Redis && !s.info.at_least(2, 8) {
        return SOURCE_VERSION.error(
            value,
            format!(
                "Redis {} is too old: Ferry migrates Redis 2.8 and later, and Valkey; upgrade the source first",
                s.info.version_text
            ),
        );
    }
    let message = if s.info.family == Family::Redis && !s.info.at_least(4, 0) {
        format!("Redis {} is supported (Ferry migrates Redis 2.8 and later, 3.x included)", s.info.version_text)
    } else {
        format!("{value} is supported")
    };
    SOURCE_VERSION.pass(value, message)
}

/// RESTORE refuses a payload from a newer RDB version; then the writer rewrites values as commands.
pub(super) fn target_version(ctx: &Ctx<'_>) -> CheckItem {
    let (s, t) = match (ctx.source.get(), ctx.target.get()) {
        (Ok(s), Ok(t)) => (s, t),
        (s, t) => return TARGET_VERSION.not_checked([s.err(), t.err()]),
    };
    let source_rdb = s.info.rdb_version();
    match Mode::choose(&s.info, &t.info) {
        Mode::Restore { .. } => TARGET_VERSION.pass(
            t.info.to_string(),
            format!("the target reads the source's RDB {source_rdb}: values passed through with RESTORE"),
        ),
        Mode::Rewrite => TARGET_VERSION.warning(
            t.info.to_string(),
            format!("{} cannot read the RDB {source_rdb} of {}: values will be rewritten as commands; slower, and what commands cannot recreate (pending entries of deleted stream entries, consumers' seen times) is listed in the summary", t.info, s.info),
        ),
    }
}

/// Keys of source db N go to target db N, which must exist.
pub(super) async fn databases(ctx: &mut Ctx<'_>) -> CheckItem {
    let (s, t) = match (ctx.source.get(), ctx.target.up()) {
        (Ok(s), Ok(t)) => (s, t),
        (s, t) => return DATABASES.not_checked([s.err(), t.err()]),
    };
    let used: Vec<u32> =
        keyspace_counts(&s.keyspace).into_iter().filter(|&(_, keys)| keys > 0).map(|(db, _)| db).collect();
    let Some(&highest) = used.iter().max() else {
        return DATABASES.pass("source empty", "the source holds no keys");
    };
    let listed = used.iter().map(u32::to_string).collect::<Vec<_>>().join(", ");
    match cluster_mode(&mut t.client).await {
        Ok(true) => {
            let unmapped: Vec<u32> = used.iter().copied().filter(|&db| ctx.input.filter.db(db) != 0).collect();
            let value = format!("source db {listed}; the target is a cluster (db 0 only)");
            if unmapped.is_empty() {
                return DATABASES.pass(value, "every source db maps into db 0");
            }
            let dbs = unmapped.iter().map(u32::to_string).collect::<Vec<_>>();
            let mapping = dbs.iter().map(|db| format!("{db}:0")).collect::<Vec<_>>().join(",");
            return DATABASES.error(
                value,
                format!("the source has keys in db {}, which a cluster cannot hold: map them into db 0 (--db-map {mapping})", dbs.join(", ")),
            );
        }
        Ok(false) => {}
        Err(e) => return DATABASES.could_not_check(e),
    }
    match config_get(&mut t.client, "databases").await {
        Ok(Some(count)) => match count.parse::<u32>() {
            Ok(count) if highest >= count => DATABASES.error(
                format!("source db {listed}; target has {count}"),
                too_high(highest, &format!("the target has only {count} (0 to {})", count.saturating_sub(1))),
            ),
            Ok(count) => DATABASES
                .pass(format!("source db {listed}; target has {count}"), "every source db exists on the target"),
            Err(_) => DATABASES.could_not_check(format!("the target's databases setting is {count:?}")),
        },
        // CONFIG is often renamed on managed targets: ask for the db itself.
        Ok(None) | Err(_) => select_probe(&mut t.client, highest, &listed).await,
    }
}

async fn select_probe(client: &mut Client, highest: u32, listed: &str) -> CheckItem {
    let db = highest.to_string();
    let reply = match client.raw_request(&["SELECT", db.as_str()]).await {
        Ok(reply) => reply,
        Err(e) => return DATABASES.could_not_check(e),
    };
    let value = format!("source db {listed}");
    match reply.error_message() {
        None => match client.request(&["SELECT", "0"]).await {
            Ok(_) => DATABASES.pass(value, format!("the target has db {highest}, the highest the source uses")),
            Err(e) => DATABASES.could_not_check(e),
        },
        Some(message) if message.contains("out of range") => {
            DATABASES.error(value, too_high(highest, &format!("the target has no db {highest} ({message})")))
        }
        Some(message) => DATABASES.could_not_check(format!("the target refused SELECT {highest}: {message}")),
    }
}

fn too_high(db: u32, limit: &str) -> String {
    format!(
        "the source has keys in db {db} but {limit}: raise `databases` on the target, or map db {db} to a lower one"
    )
}

/// Whether a server runs in cluster mode.
async fn cluster_mode(client: &mut Client) -> Result<bool, crate::client::ClientError> {
    Ok(crate::client::info_field(&client.info("cluster").await?, "cluster_enabled") == Some("1"))
}

/// The target's shape must be the instance's edition; a cluster source is read as one replication
/// stream per master.
pub(super) async fn edition(ctx: &mut Ctx<'_>) -> CheckItem {
    let registered = match ctx.input.target_edition {
        Edition::Standard => "standard",
        Edition::Cluster => "cluster",
    };
    let (s, t) = match (ctx.source.up(), ctx.target.up()) {
        (Ok(s), Ok(t)) => (s, t),
        (s, t) => return EDITION.not_checked([s.err(), t.err()]),
    };
    let (source, target) = match (cluster_mode(&mut s.client).await, cluster_mode(&mut t.client).await) {
        (Ok(source), Ok(target)) => (source, target),
        (Err(e), _) | (_, Err(e)) => return EDITION.could_not_check(e),
    };
    let shape = |cluster: bool| if cluster { "cluster" } else { "standalone" };
    let value = format!("source {} → target {} ({registered} edition)", shape(source), shape(target));
    // Where a cluster source's streams are read from, and what that costs its masters.
    let reading = match (source, ctx.input.from_replicas) {
        (false, _) => String::new(),
        (true, true) => "; each master's share is read from one of its replicas (where it has one), sparing the masters the fork and the replication buffers".to_string(),
        (true, false) => "; each master's share is read from the master itself: reading from its replicas instead (--from-replicas) spares the masters the fork and the replication buffers".to_string(),
    };
    match (ctx.input.target_edition, target) {
        (Edition::Cluster, false) => EDITION.error(
            value,
            "the instance is registered as the cluster edition, but the target does not run in cluster mode: correct the instance's edition",
        ),
        (Edition::Standard, true) => EDITION.warning(
            value,
            "the target runs in cluster mode: every key goes to the master of its slot, and every source db must map into db 0; register the instance as the cluster edition",
        ),
        (_, true) if source => EDITION.pass(
            value,
            format!("a cluster into a cluster: one replication stream per source master, every key to the target master of its slot{reading}"),
        ),
        (_, true) => EDITION.pass(value, "a standalone source into a cluster: every key goes to the master of its slot"),
        (_, false) if source => EDITION.pass(
            value,
            format!("a cluster into a standalone target: one replication stream per source master, all into db 0{reading}"),
        ),
        (_, false) => EDITION.pass(value, "a standalone source into a standalone target"),
    }
}

/// Module types are RDB values only the module that wrote them can read.
pub(super) async fn modules(ctx: &mut Ctx<'_>) -> CheckItem {
    let s = match ctx.source.up() {
        Ok(s) => s,
        Err(why) => return MODULES.not_checked([Some(why)]),
    };
    let source = match module_list(&mut s.client).await {
        Ok(names) => names,
        Err(e) => {
            return MODULES.could_not_check(format!("{e}; if the source uses modules, the target needs the same ones"))
        }
    };
    if source.is_empty() {
        return MODULES.pass("none", "the source has no modules loaded");
    }
    let value = source.join(", ");
    let t = match ctx.target.up() {
        Ok(t) => t,
        Err(why) => return MODULES.not_checked([Some(why)]),
    };
    let target = match module_list(&mut t.client).await {
        Ok(names) => names,
        Err(e) => {
            return MODULES.warning(
                value,
                format!("values of module types pass through only if the target has the same modules, and the target's could not be listed: {e}"),
            )
        }
    };
    let missing: Vec<&str> =
        source.iter().filter(|m| !target.iter().any(|t| t.eq_ignore_ascii_case(m))).map(String::as_str).collect();
    if missing.is_empty() {
        MODULES.warning(
            value,
            "values of module types pass through only if the target has the same modules: the target has them; make sure their versions are the same or newer",
        )
    } else {
        MODULES.error(
            value,
            format!("the target lacks the module(s) {}: values of module types pass through only if the target has the same modules; load them on the target", missing.join(", ")),
        )
    }
}

/// The names of the loaded modules; none where the server has no MODULE command (before 4.0).
async fn module_list(client: &mut Client) -> Result<Vec<String>, String> {
    let reply = client.raw_request(&["MODULE", "LIST"]).await.map_err(|e| e.to_string())?;
    match reply.error_message() {
        Some(message) if message.to_lowercase().contains("unknown command") => Ok(Vec::new()),
        Some(message) => Err(format!("MODULE LIST was refused: {message}")),
        None => Ok(module_names(&reply)),
    }
}

/// `name` of each entry of a MODULE LIST reply (arrays of name/value pairs, or RESP3 maps).
fn module_names(reply: &Frame) -> Vec<String> {
    let Frame::Array(entries) = reply else { return Vec::new() };
    entries
        .iter()
        .filter_map(|entry| {
            let (Frame::Array(fields) | Frame::Map(fields)) = entry else { return None };
            let at = fields.chunks(2).find(|pair| pair[0].as_bytes().is_some_and(|k| k.as_ref() == b"name"))?;
            at.get(1)?.as_bytes().map(|name| String::from_utf8_lossy(name).into_owned())
        })
        .collect()
}

/// Function libraries (7.0+) travel in the RDB; a target before 7.0 has nowhere to put them.
pub(super) async fn functions(ctx: &mut Ctx<'_>) -> CheckItem {
    let s = match ctx.source.up() {
        Ok(s) => s,
        Err(why) => return FUNCTIONS.not_checked([Some(why)]),
    };
    if !s.info.at_least(7, 0) {
        return FUNCTIONS.pass("none", "the source has no functions (they exist from Redis 7.0)");
    }
    let count = match s.client.raw_request(&["FUNCTION", "LIST"]).await {
        Ok(Frame::Array(libraries)) => libraries.len(),
        Ok(other) => {
            let what = other.error_message().unwrap_or_else(|| format!("unexpected reply {other:?}"));
            return FUNCTIONS.could_not_check(format!("FUNCTION LIST: {what}"));
        }
        Err(e) => return FUNCTIONS.could_not_check(e),
    };
    if count == 0 {
        return FUNCTIONS.pass("none", "the source has no function libraries");
    }
    let value = format!("{count} librar{}", if count == 1 { "y" } else { "ies" });
    match ctx.target.get() {
        Err(why) => FUNCTIONS.not_checked([Some(why)]),
        Ok(t) if t.info.at_least(7, 0) => {
            FUNCTIONS.pass(value, "function libraries are copied with the snapshot (FUNCTION LOAD REPLACE)")
        }
        Ok(t) => FUNCTIONS.error(
            value,
            format!("the target cannot hold function libraries: it runs {} and functions need Redis 7.0; upgrade the target, or delete unused libraries from the source", t.info),
        ),
    }
}

#[cfg(test)]
mod tests {
    use bytes::Bytes;

    use super::*;

    fn s(text: &'static str) -> Frame {
        Frame::Bulk(Bytes::from_static(text.as_bytes()))
    }

    #[test]
    fn module_names_from_resp2_and_resp3() {
        let resp2 = Frame::Array(vec![
            Frame::Array(vec![s("name"), s("ReJSON"), s("ver"), Frame::Integer(20603)]),
            Frame::Array(vec![s("ver"), Frame::Integer(1), s("name"), s("search")]),
        ]);
        assert_eq!(module_names(&resp2), vec!["ReJSON", "search"]);
        let resp3 = Frame::Array(vec![Frame::Map(vec![s("name"), s("bf"), s("ver"), Frame::Integer(1)])]);
        assert_eq!(module_names(&resp3), vec!["bf"]);
        assert!(module_names(&Frame::Array(vec![])).is_empty());
    }
}
