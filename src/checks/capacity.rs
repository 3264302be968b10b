//! Will the data fit and stay: the target's keys, memory and eviction, the source's TTLs, and how long
//! the full sync should take over this network.

use std::time::Duration;

use super::probe::{config_get, format_bytes, format_duration, format_ms, info_u64, ping, Server};
use super::{CheckItem, Ctx, Spec};
use crate::client::{info_field, keyspace_counts, ClientError};
use crate::model::WriteMode;

const EMPTY: Spec = Spec { id: "target.empty", title: "Target keys" };
const MEMORY: Spec = Spec { id: "target.memory", title: "Target memory" };
const EVICTION: Spec = Spec { id: "target.eviction", title: "Target eviction policy" };
const TTL: Spec = Spec { id: "source.ttl", title: "Keys with a TTL" };
const RTT: Spec = Spec { id: "rtt", title: "Network and duration" };

/// The target needs this much more than the source uses: fragmentation, and writes during the sync.
const HEADROOM: f64 = 1.2;
/// A round trip slower than this makes the sync noticeably slower.
const SLOW_RTT: Duration = Duration::from_millis(50);
/// The assumed full-sync rate with RESTORE, for the estimate.
const ASSUMED_BYTES_PER_SEC: f64 = 100.0 * 1024.0 * 1024.0;
const RTT_PINGS: usize = 5;

/// What the write mode will do with keys already on the target.
pub(super) fn target_empty(ctx: &Ctx<'_>) -> CheckItem {
    let t = match ctx.target.get() {
        Ok(t) => t,
        Err(why) => return EMPTY.not_checked([Some(why)]),
    };
    let keys: u64 = keyspace_counts(&t.keyspace).iter().map(|&(_, n)| n).sum();
    let value = format!("{keys} key{}", if keys == 1 { "" } else { "s" });
    if keys == 0 {
        return EMPTY.pass(value, "the target is empty");
    }
    match ctx.input.write_mode {
        WriteMode::ClearFirst => EMPTY.warning(
            value,
            format!("{keys} keys will be deleted: the target is flushed (FLUSHALL) before the full sync"),
        ),
        WriteMode::Overwrite => EMPTY.warning(
            value,
            format!("the target holds {keys} keys: existing keys with the same names will be replaced, the others stay"),
        ),
        WriteMode::FailOnExisting => EMPTY.error(
            value,
            format!("the target holds {keys} keys and the write mode is fail-on-existing: empty the target, or choose overwrite or clear-first"),
        ),
    }
}

/// The target's `maxmemory` against what the source uses, with headroom.
pub(super) async fn target_memory(ctx: &mut Ctx<'_>) -> CheckItem {
    let (s, t) = match (ctx.source.get(), ctx.target.up()) {
        (Ok(s), Ok(t)) => (s, t),
        (s, t) => return MEMORY.not_checked([s.err(), t.err()]),
    };
    let Some(needed) = info_u64(&s.memory, "used_memory") else {
        return MEMORY.could_not_check("the source's INFO memory has no used_memory");
    };
    if let Ok(info) = t.client.info("cluster").await {
        if info_field(&info, "cluster_enabled") == Some("1") {
            return MEMORY.pass(
                format!("{} needed", format_bytes(needed)),
                "the target is a cluster: each master's memory is checked against its share (Cluster target)",
            );
        }
    }
    let limit = match info_u64(&t.memory, "maxmemory") {
        Some(limit) => limit,
        // INFO memory shows maxmemory from 3.2; before that only CONFIG does.
        None => match config_get(&mut t.client, "maxmemory").await.ok().flatten().and_then(|v| v.parse().ok()) {
            Some(limit) => limit,
            None => return MEMORY.could_not_check("the target shows its maxmemory neither in INFO nor CONFIG"),
        },
    };
    if limit == 0 {
        return MEMORY.pass(
            format!("{} needed, target unlimited", format_bytes(needed)),
            format!(
                "the target has no maxmemory limit: make sure its host has at least {} of free memory",
                format_bytes((needed as f64 * HEADROOM) as u64)
            ),
        );
    }
    // The target's own data stays unless it is flushed; its base overhead is already in the source's
    // figure, so count the dataset alone where the server reports it (4.0+).
    let in_use = match ctx.input.write_mode {
        WriteMode::ClearFirst => 0,
        _ => info_u64(&t.memory, "used_memory_dataset").or_else(|| info_u64(&t.memory, "used_memory")).unwrap_or(0),
    };
    let free = limit.saturating_sub(in_use);
    let value = format!("{} needed, {} free of {}", format_bytes(needed), format_bytes(free), format_bytes(limit));
    let wanted = format_bytes((needed as f64 * HEADROOM) as u64 + in_use);
    if free < needed {
        MEMORY.error(
            value,
            format!("the source uses {} but the target has only {} free under its maxmemory: raise the target's maxmemory to at least {wanted}, or use a larger target", format_bytes(needed), format_bytes(free)),
        )
    } else if (free as f64) < needed as f64 * HEADROOM {
        MEMORY.warning(
            value,
            format!("the data fits with less than 20% to spare; writes during the migration and fragmentation may fill the target: raise its maxmemory to {wanted} or more"),
        )
    } else {
        MEMORY.pass(value, "the source's data fits in the target with room to spare")
    }
}

/// A target that evicts under pressure silently loses migrated keys.
pub(super) async fn target_eviction(ctx: &mut Ctx<'_>) -> CheckItem {
    let t = match ctx.target.up() {
        Ok(t) => t,
        Err(why) => return EVICTION.not_checked([Some(why)]),
    };
    let policy = match info_field(&t.memory, "maxmemory_policy") {
        Some(policy) => policy.to_string(),
        None => match config_get(&mut t.client, "maxmemory-policy").await {
            Ok(Some(policy)) => policy,
            Ok(None) | Err(_) => {
                return EVICTION.could_not_check("the target shows its maxmemory-policy neither in INFO nor CONFIG")
            }
        },
    };
    if policy == "noeviction" {
        EVICTION.pass(
            policy,
            "the target never evicts keys: a full target refuses writes instead, and the migration reports it",
        )
    } else {
        EVICTION.warning(
            policy,
            "the target may evict migrated keys under memory pressure; set maxmemory-policy noeviction for the migration",
        )
    }
}

/// Keys with a TTL, from `INFO keyspace`. Informational: TTLs travel as absolute times.
pub(super) fn ttl(ctx: &Ctx<'_>) -> CheckItem {
    let s = match ctx.source.get() {
        Ok(s) => s,
        Err(why) => return TTL.not_checked([Some(why)]),
    };
    let keys: u64 = keyspace_counts(&s.keyspace).iter().map(|&(_, n)| n).sum();
    let expires: u64 = s
        .keyspace
        .iter()
        .filter(|(k, _)| k.starts_with("db"))
        .filter_map(|(_, v)| v.split(',').find_map(|kv| kv.strip_prefix("expires="))?.parse::<u64>().ok())
        .sum();
    TTL.pass(
        format!("{expires} of {keys} keys have a TTL"),
        "TTLs are migrated as absolute expiry times, so the migration does not extend them; keys that expire before they are copied are skipped",
    )
}

/// Round trips to both servers, and what they and the source's size mean for the full sync.
pub(super) async fn rtt(ctx: &mut Ctx<'_>) -> CheckItem {
    let (s, t) = match (ctx.source.up(), ctx.target.up()) {
        (Ok(s), Ok(t)) => (s, t),
        (s, t) => return RTT.not_checked([s.err(), t.err()]),
    };
    let (source_rtt, target_rtt) = match (median_ping(s).await, median_ping(t).await) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(e), _) | (_, Err(e)) => return RTT.could_not_check(e),
    };
    let used = info_u64(&s.memory, "used_memory").unwrap_or(0);
    let secs = used as f64 / ASSUMED_BYTES_PER_SEC;
    let (approx, about) = match format_duration(secs) {
        short if secs < 1.0 => (short.clone(), short),
        estimate => (format!("≈ {estimate}"), format!("about {estimate}")),
    };
    let value = format!("source {}, target {}; full sync {approx}", format_ms(source_rtt), format_ms(target_rtt));
    let about = format!(
        "the full sync should take {about}: an estimate from the source's {} at ~100 MB/s with RESTORE; the real time depends on the network, the value types, and the target's load",
        format_bytes(used)
    );
    if source_rtt.max(target_rtt) > SLOW_RTT {
        RTT.warning(
            value,
            format!("a round trip over 50 ms makes the sync slower (the writer waits on the target, the source on acknowledgements): run Ferry close to the target, and the source close to both if you can. {about}"),
        )
    } else {
        RTT.pass(value, about)
    }
}

/// The median of a few PINGs: one slow round trip (a GC pause, a retransmit) says little.
async fn median_ping(server: &mut Server) -> Result<Duration, ClientError> {
    let mut times = Vec::with_capacity(RTT_PINGS);
    for _ in 0..RTT_PINGS {
        times.push(ping(&mut server.client).await?);
    }
    times.sort();
    Ok(times[RTT_PINGS / 2])
}
