//! A cluster target: every slot served, and each master able to take its share — its version, its
//! memory against the part of the source its slots will hold — and the commands the source runs
//! that a cluster cannot take across slots.

use super::probe::{config_get, format_bytes, info_u64};
use super::{CheckItem, Ctx, Spec};
use crate::client::{keyspace_counts, Client};
use crate::cluster::{self, ClusterError, SLOTS};
use crate::server::ServerInfo;
use crate::text::catalog::checks as msg;
use crate::text::Text;

const CLUSTER: Spec = Spec { id: "target.cluster", title: "Cluster target" };

/// A master needs this much more than its share: fragmentation, writes during the sync, and keys
/// that do not spread evenly over the slots.
const HEADROOM: f64 = 1.3;

pub(super) async fn target(ctx: &mut Ctx<'_>) -> CheckItem {
    let t = match ctx.target.get() {
        Ok(t) => t,
        Err(why) => return CLUSTER.not_checked([Some(why)]),
    };
    let topology = match cluster::discover(&t.endpoint).await {
        Ok(None) => return CLUSTER.pass(Text::new(&msg::CHECK_SHAPE_STANDALONE), Text::new(&msg::CLUSTER_STANDALONE)),
        Ok(Some(topology)) => topology,
        Err(e @ ClusterError::Uncovered { .. }) => return CLUSTER.error(Text::new(&msg::CLUSTER_UNCOVERED), e.text()),
        Err(e) => return CLUSTER.could_not_check(e.text()),
    };
    let needed = ctx.source.get().ok().and_then(|s| info_u64(&s.memory, "used_memory"));
    let mut errors = Vec::new();
    let mut warnings = Vec::new();
    let mut lines = Vec::new();
    let mut versions = Vec::new();
    for shard in &topology.shards {
        let slots: u32 = shard.ranges.iter().map(|&(a, b)| u32::from(b - a) + 1).sum();
        let name = shard.master.addr();
        let mut client = match Client::connect(&shard.master).await {
            Ok(client) => client,
            Err(e) => {
                errors.push(Text::new(&msg::CLUSTER_MASTER_DOWN).arg("master", &name).arg("error", e.text()));
                continue;
            }
        };
        let (Ok(info), Ok(memory), Ok(keyspace)) =
            (ServerInfo::fetch(&mut client).await, client.info("memory").await, client.info("keyspace").await)
        else {
            errors.push(Text::new(&msg::CLUSTER_MASTER_NO_INFO).arg("master", &name));
            continue;
        };
        let keys: u64 = keyspace_counts(&keyspace).iter().map(|&(_, n)| n).sum();
        let limit = match info_u64(&memory, "maxmemory") {
            Some(limit) => Some(limit),
            None => config_get(&mut client, "maxmemory").await.ok().flatten().and_then(|v| v.parse().ok()),
        };
        let used = info_u64(&memory, "used_memory_dataset").or_else(|| info_u64(&memory, "used_memory")).unwrap_or(0);
        let share = needed.map(|n| (n as f64 * f64::from(slots) / f64::from(SLOTS)) as u64);
        let room = match limit {
            Some(0) | None => Text::new(&msg::CLUSTER_NO_MAXMEMORY),
            Some(limit) => Text::new(&msg::CLUSTER_ROOM)
                .arg("free", format_bytes(limit.saturating_sub(used)))
                .arg("limit", format_bytes(limit)),
        };
        lines.push(
            Text::new(&msg::CLUSTER_MASTER_LINE)
                .arg("master", &name)
                .arg("server", info.to_string())
                .arg("slots", slots)
                .arg("keys", keys)
                .arg("room", room),
        );
        versions.push(info.version_text.clone());
        if let (Some(limit), Some(share)) = (limit.filter(|&l| l > 0), share) {
            let free = limit.saturating_sub(used);
            if free < share {
                errors.push(
                    Text::new(&msg::CLUSTER_MASTER_SMALL)
                        .arg("master", &name)
                        .arg("slots", slots)
                        .arg("share", format_bytes(share))
                        .arg("free", format_bytes(free)),
                );
            } else if (free as f64) < share as f64 * HEADROOM {
                warnings.push(
                    Text::new(&msg::CLUSTER_MASTER_TIGHT)
                        .arg("master", &name)
                        .arg("free", format_bytes(free))
                        .arg("share", format_bytes(share)),
                );
            }
        }
    }
    versions.sort();
    versions.dedup();
    if versions.len() > 1 {
        warnings.push(Text::new(&msg::CLUSTER_VERSIONS).arg("versions", versions.join(", ")));
    }
    if let Ok(s) = ctx.source.up() {
        if let Ok(stats) = s.client.info("commandstats").await {
            // A propagated MSETNX is split per slot like MSET; the others cannot be.
            let cross: Vec<&str> = super::filter::MULTI_KEY.iter().copied().filter(|&n| n != "msetnx").collect();
            let ran = super::filter::commands_run(&stats, &cross);
            if !ran.is_empty() {
                warnings.push(Text::new(&msg::CLUSTER_CROSS_SLOT).arg("commands", ran.join(", ")));
            }
        }
    }
    let value = Text::new(&msg::CLUSTER_VALUE).arg("masters", topology.shards.len()).arg("slots", SLOTS);
    let problems =
        |problems: Vec<Text>| Text::new(&msg::CLUSTER_PROBLEMS).arg("problems", problems).arg("details", lines.clone());
    if !errors.is_empty() {
        errors.extend(warnings);
        CLUSTER.error(value, problems(errors))
    } else if !warnings.is_empty() {
        CLUSTER.warning(value, problems(warnings))
    } else {
        CLUSTER.pass(value, Text::new(&msg::CLUSTER_OK).arg("details", lines))
    }
}
