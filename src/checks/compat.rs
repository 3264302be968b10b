//! Can the target hold what the source has: versions, databases, editions, modules, functions.

use super::probe::config_get;
use super::{CheckItem, Ctx, Spec};
use crate::client::{keyspace_counts, Client};
use crate::model::Edition;
use crate::resp::Frame;
use crate::server::Family;
use crate::text::catalog::checks as msg;
use crate::text::Text;
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
    // "Redis 7.0.15 (RDB 10)": names and numbers, the same in every language.
    let value = s.info.to_string();
    if s.info.family == Family::Redis && !s.info.at_least(2, 8) {
        return SOURCE_VERSION
            .error(Text::raw(value), Text::new(&msg::VERSION_TOO_OLD).arg("version", &s.info.version_text));
    }
    let message = if s.info.family == Family::Redis && !s.info.at_least(4, 0) {
        Text::new(&msg::VERSION_SUPPORTED_OLD).arg("version", &s.info.version_text)
    } else {
        Text::new(&msg::VERSION_SUPPORTED).arg("server", &value)
    };
    SOURCE_VERSION.pass(Text::raw(value), message)
}

/// RESTORE refuses a payload from a newer RDB version; then the writer rewrites values as commands.
pub(super) fn target_version(ctx: &Ctx<'_>) -> CheckItem {
    let (s, t) = match (ctx.source.get(), ctx.target.get()) {
        (Ok(s), Ok(t)) => (s, t),
        (s, t) => return TARGET_VERSION.not_checked([s.err(), t.err()]),
    };
    let source_rdb = s.info.rdb_version();
    match Mode::choose(&s.info, &t.info) {
        Mode::Restore { .. } => {
            TARGET_VERSION.pass(Text::raw(t.info.to_string()), Text::new(&msg::VERSION_RESTORE).arg("rdb", source_rdb))
        }
        Mode::Rewrite => TARGET_VERSION.warning(
            Text::raw(t.info.to_string()),
            Text::new(&msg::VERSION_REWRITE)
                .arg("target", t.info.to_string())
                .arg("rdb", source_rdb)
                .arg("source", s.info.to_string()),
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
        return DATABASES.pass(Text::new(&msg::DATABASES_SOURCE_EMPTY), Text::new(&msg::DATABASES_NO_KEYS));
    };
    let listed = used.iter().map(u32::to_string).collect::<Vec<_>>().join(", ");
    match cluster_mode(&mut t.client).await {
        Ok(true) => {
            let unmapped: Vec<u32> = used.iter().copied().filter(|&db| ctx.input.filter.db(db) != 0).collect();
            let value = Text::new(&msg::DATABASES_CLUSTER_VALUE).arg("dbs", &listed);
            if unmapped.is_empty() {
                return DATABASES.pass(value, Text::new(&msg::DATABASES_ALL_IN_DB0));
            }
            let dbs = unmapped.iter().map(u32::to_string).collect::<Vec<_>>();
            let mapping = dbs.iter().map(|db| format!("{db}:0")).collect::<Vec<_>>().join(",");
            return DATABASES.error(
                value,
                Text::new(&msg::DATABASES_CLUSTER_UNMAPPED).arg("dbs", dbs.join(", ")).arg("mapping", mapping),
            );
        }
        Ok(false) => {}
        Err(e) => return DATABASES.could_not_check(e.text()),
    }
    let value = |count: u32| Text::new(&msg::DATABASES_COUNT_VALUE).arg("dbs", &listed).arg("count", count);
    match config_get(&mut t.client, "databases").await {
        Ok(Some(count)) => match count.parse::<u32>() {
            Ok(count) if highest >= count => DATABASES.error(
                value(count),
                too_high(
                    highest,
                    Text::new(&msg::DATABASES_ONLY).arg("count", count).arg("last", count.saturating_sub(1)),
                ),
            ),
            Ok(count) => DATABASES.pass(value(count), Text::new(&msg::DATABASES_ALL_EXIST)),
            Err(_) => DATABASES.could_not_check(Text::new(&msg::DATABASES_BAD_SETTING).arg("setting", count)),
        },
        // CONFIG is often renamed on managed targets: ask for the db itself.
        Ok(None) | Err(_) => select_probe(&mut t.client, highest, &listed).await,
    }
}

async fn select_probe(client: &mut Client, highest: u32, listed: &str) -> CheckItem {
    let db = highest.to_string();
    let reply = match client.raw_request(&["SELECT", db.as_str()]).await {
        Ok(reply) => reply,
        Err(e) => return DATABASES.could_not_check(e.text()),
    };
    let value = Text::new(&msg::DATABASES_VALUE).arg("dbs", listed);
    match reply.error_message() {
        None => match client.request(&["SELECT", "0"]).await {
            Ok(_) => DATABASES.pass(value, Text::new(&msg::DATABASES_HAS_HIGHEST).arg("db", highest)),
            Err(e) => DATABASES.could_not_check(e.text()),
        },
        Some(message) if message.contains("out of range") => DATABASES
            .error(value, too_high(highest, Text::new(&msg::DATABASES_NO_DB).arg("db", highest).arg("error", message))),
        Some(message) => DATABASES
            .could_not_check(Text::new(&msg::DATABASES_SELECT_REFUSED).arg("db", highest).arg("error", message)),
    }
}

fn too_high(db: u32, limit: Text) -> Text {
    Text::new(&msg::DATABASES_TOO_HIGH).arg("db", db).arg("limit", limit)
}

/// Whether a server runs in cluster mode.
async fn cluster_mode(client: &mut Client) -> Result<bool, crate::client::ClientError> {
    Ok(crate::client::info_field(&client.info("cluster").await?, "cluster_enabled") == Some("1"))
}

/// The target's shape must be the instance's edition; a cluster source is read as one replication
/// stream per master.
pub(super) async fn edition(ctx: &mut Ctx<'_>) -> CheckItem {
    let registered = match ctx.input.target_edition {
        Edition::Standard => &msg::EDITION_STANDARD,
        Edition::Cluster => &msg::EDITION_CLUSTER,
    };
    let (s, t) = match (ctx.source.up(), ctx.target.up()) {
        (Ok(s), Ok(t)) => (s, t),
        (s, t) => return EDITION.not_checked([s.err(), t.err()]),
    };
    let (source, target) = match (cluster_mode(&mut s.client).await, cluster_mode(&mut t.client).await) {
        (Ok(source), Ok(target)) => (source, target),
        (Err(e), _) | (_, Err(e)) => return EDITION.could_not_check(e.text()),
    };
    let shape =
        |cluster: bool| Text::new(if cluster { &msg::CHECK_SHAPE_CLUSTER } else { &msg::CHECK_SHAPE_STANDALONE });
    let value = Text::new(&msg::EDITION_VALUE)
        .arg("source", shape(source))
        .arg("target", shape(target))
        .arg("edition", Text::new(registered));
    // Where a cluster source's streams are read from, and what that costs its masters.
    let reading =
        Text::new(if ctx.input.from_replicas { &msg::EDITION_FROM_REPLICAS } else { &msg::EDITION_FROM_MASTERS });
    match (ctx.input.target_edition, target) {
        (Edition::Cluster, false) => EDITION.error(value, Text::new(&msg::EDITION_NOT_CLUSTER)),
        (Edition::Standard, true) => EDITION.warning(value, Text::new(&msg::EDITION_IS_CLUSTER)),
        (_, true) if source => EDITION.pass(value, Text::new(&msg::EDITION_CLUSTER_TO_CLUSTER).arg("reading", reading)),
        (_, true) => EDITION.pass(value, Text::new(&msg::EDITION_STANDALONE_TO_CLUSTER)),
        (_, false) if source => {
            EDITION.pass(value, Text::new(&msg::EDITION_CLUSTER_TO_STANDALONE).arg("reading", reading))
        }
        (_, false) => EDITION.pass(value, Text::new(&msg::EDITION_STANDALONE_TO_STANDALONE)),
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
        Err(e) => return MODULES.could_not_check(Text::new(&msg::MODULES_UNLISTED).arg("error", e)),
    };
    if source.is_empty() {
        return MODULES.pass(Text::new(&msg::CHECK_NONE), Text::new(&msg::MODULES_NONE));
    }
    // Module names, as the modules call themselves.
    let value = Text::raw(source.join(", "));
    let t = match ctx.target.up() {
        Ok(t) => t,
        Err(why) => return MODULES.not_checked([Some(why)]),
    };
    let target = match module_list(&mut t.client).await {
        Ok(names) => names,
        Err(e) => return MODULES.warning(value, Text::new(&msg::MODULES_TARGET_UNLISTED).arg("error", e)),
    };
    let missing: Vec<&str> =
        source.iter().filter(|m| !target.iter().any(|t| t.eq_ignore_ascii_case(m))).map(String::as_str).collect();
    if missing.is_empty() {
        MODULES.warning(value, Text::new(&msg::MODULES_PRESENT))
    } else {
        MODULES.error(value, Text::new(&msg::MODULES_MISSING).arg("modules", missing.join(", ")))
    }
}

/// The names of the loaded modules; none where the server has no MODULE command (before 4.0).
async fn module_list(client: &mut Client) -> Result<Vec<String>, Text> {
    let reply = client.raw_request(&["MODULE", "LIST"]).await.map_err(|e| e.text())?;
    match reply.error_message() {
        Some(message) if message.to_lowercase().contains("unknown command") => Ok(Vec::new()),
        Some(message) => Err(Text::new(&msg::MODULES_LIST_REFUSED).arg("error", message)),
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
        return FUNCTIONS.pass(Text::new(&msg::CHECK_NONE), Text::new(&msg::FUNCTIONS_BEFORE_7));
    }
    let count = match s.client.raw_request(&["FUNCTION", "LIST"]).await {
        Ok(Frame::Array(libraries)) => libraries.len(),
        Ok(other) => {
            let what = match other.error_message() {
                Some(message) => Text::raw(message),
                None => Text::new(&msg::CHECK_UNEXPECTED_REPLY).arg("reply", format!("{other:?}")),
            };
            return FUNCTIONS.could_not_check(Text::new(&msg::FUNCTIONS_LIST_FAILED).arg("error", what));
        }
        Err(e) => return FUNCTIONS.could_not_check(e.text()),
    };
    if count == 0 {
        return FUNCTIONS.pass(Text::new(&msg::CHECK_NONE), Text::new(&msg::FUNCTIONS_NONE));
    }
    let value = Text::new(if count == 1 { &msg::FUNCTIONS_LIBRARY } else { &msg::FUNCTIONS_LIBRARIES }).arg("n", count);
    match ctx.target.get() {
        Err(why) => FUNCTIONS.not_checked([Some(why)]),
        Ok(t) if t.info.at_least(7, 0) => FUNCTIONS.pass(value, Text::new(&msg::FUNCTIONS_COPIED)),
        Ok(t) => FUNCTIONS.error(value, Text::new(&msg::FUNCTIONS_TARGET_OLD).arg("target", t.info.to_string())),
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
