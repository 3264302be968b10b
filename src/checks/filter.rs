//! Does the source run commands the task's filter cannot honour?
//!
//! Under key patterns, `FLUSHDB`, `FLUSHALL` and `SWAPDB` stop a migration, and a multi-key command
//! that mixes migrated and left-out keys does too; under a db mapping that sends two source dbs into
//! one target db, `SWAPDB` does. `INFO commandstats` says which of them the source has run since it
//! started: a good guess of what the migration will meet.

use super::{CheckItem, Ctx, Spec};
use crate::client::info_field;
use crate::text::catalog::checks as msg;
use crate::text::Text;

const FILTER: Spec = Spec { id: "filter.commands", title: "Commands under the filter" };

/// Always stop the migration under key patterns.
const WHOLE_DB: &[&str] = &["flushdb", "flushall", "swapdb"];
/// Stop it when their keys mix migrated and left-out ones (and, but for `MSETNX`, when their keys
/// are in different slots of a cluster target).
pub(super) const MULTI_KEY: &[&str] = &[
    "rename",
    "renamenx",
    "copy",
    "smove",
    "rpoplpush",
    "lmove",
    "blmove",
    "brpoplpush",
    "sinterstore",
    "sunionstore",
    "sdiffstore",
    "zunionstore",
    "zinterstore",
    "zdiffstore",
    "zrangestore",
    "geosearchstore",
    "pfmerge",
    "bitop",
    "msetnx",
    "sort",
    "eval",
    "evalsha",
    "fcall",
];

pub(super) async fn check(ctx: &mut Ctx<'_>) -> CheckItem {
    let filter = &ctx.input.filter;
    if !filter.is_active() {
        return FILTER.pass(Text::new(&msg::FILTER_NONE), Text::new(&msg::FILTER_WHOLE));
    }
    let s = match ctx.source.up() {
        Ok(s) => s,
        Err(why) => return FILTER.not_checked([Some(why)]),
    };
    let stats = match s.client.info("commandstats").await {
        Ok(stats) => stats,
        Err(e) => return FILTER.could_not_check(e.text()),
    };
    let ran = |names: &[&str]| commands_run(&stats, names);
    let (stopping, mixing) = if filter.has_patterns() {
        (ran(WHOLE_DB), ran(MULTI_KEY))
    } else if filter.merges_dbs() {
        (ran(&["swapdb"]), Vec::new())
    } else {
        (Vec::new(), Vec::new())
    };
    if stopping.is_empty() && mixing.is_empty() {
        return FILTER.pass(Text::new(&msg::FILTER_NONE_SEEN), Text::new(&msg::FILTER_CLEAN));
    }
    let value = Text::new(&msg::FILTER_SEEN).arg("n", stopping.len() + mixing.len());
    let message = match (stopping.is_empty(), mixing.is_empty()) {
        (false, true) => Text::new(&msg::FILTER_STOPPING).arg("stopping", stopping.join(", ")),
        (true, false) => Text::new(&msg::FILTER_MIXING).arg("mixing", mixing.join(", ")),
        _ => Text::new(&msg::FILTER_BOTH).arg("stopping", stopping.join(", ")).arg("mixing", mixing.join(", ")),
    };
    FILTER.warning(value, message)
}

/// Which of `names` the server has run since it started (`INFO commandstats`), as "NAME (calls)".
pub(super) fn commands_run(stats: &[(String, String)], names: &[&str]) -> Vec<String> {
    let calls = |name: &str| -> u64 {
        info_field(stats, &format!("cmdstat_{name}"))
            .and_then(|v| v.split(',').find_map(|kv| kv.strip_prefix("calls=")).and_then(|n| n.parse().ok()))
            .unwrap_or(0)
    };
    names
        .iter()
        .filter_map(|n| match calls(n) {
            0 => None,
            c => Some(format!("{} ({c})", n.to_uppercase())),
        })
        .collect()
}
