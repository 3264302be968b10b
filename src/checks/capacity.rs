//! Will the data fit and stay: the target's keys, memory and eviction, the source's TTLs, and how long
//! the full sync should take over this network.

use std::time::Duration;

use super::probe::{config_get, format_bytes, format_duration, format_ms, info_u64, ping, Server};
use super::{CheckItem, Ctx, Spec};
use crate::client::{info_field, keyspace_counts, ClientError};
use crate::model::WriteMode;
use crate::text::catalog::checks as msg;
use crate::text::Text;

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
    let value = key_count(keys);
    if keys == 0 {
        return EMPTY.pass(value, Text::new(&msg::EMPTY_YES));
    }
    match ctx.input.write_mode {
        WriteMode::ClearFirst => EMPTY.warning(value, Text::new(&msg::EMPTY_CLEAR_FIRST).arg("keys", keys)),
        WriteMode::Overwrite => EMPTY.warning(value, Text::new(&msg::EMPTY_OVERWRITE).arg("keys", keys)),
        WriteMode::FailOnExisting => EMPTY.error(value, Text::new(&msg::EMPTY_FAIL_ON_EXISTING).arg("keys", keys)),
    }
}

/// `1 key`, `2 keys`.
fn key_count(keys: u64) -> Text {
    Text::new(if keys == 1 { &msg::CHECK_KEYS_ONE } else { &msg::CHECK_KEYS_MANY }).arg("n", keys)
}

/// The target's `maxmemory` against what the source uses, with headroom.
pub(super) async fn target_memory(ctx: &mut Ctx<'_>) -> CheckItem {
    let (s, t) = match (ctx.source.get(), ctx.target.up()) {
        (Ok(s), Ok(t)) => (s, t),
        (s, t) => return MEMORY.not_checked([s.err(), t.err()]),
    };
    let Some(needed) = info_u64(&s.memory, "used_memory") else {
        return MEMORY.could_not_check(Text::new(&msg::MEMORY_NO_USED));
    };
    if let Ok(info) = t.client.info("cluster").await {
        if info_field(&info, "cluster_enabled") == Some("1") {
            return MEMORY.pass(
                Text::new(&msg::MEMORY_NEEDED).arg("needed", format_bytes(needed)),
                Text::new(&msg::MEMORY_CLUSTER),
            );
        }
    }
    let limit = match info_u64(&t.memory, "maxmemory") {
        Some(limit) => limit,
        // INFO memory shows maxmemory from 3.2; before that only CONFIG does.
        None => match config_get(&mut t.client, "maxmemory").await.ok().flatten().and_then(|v| v.parse().ok()) {
            Some(limit) => limit,
            None => return MEMORY.could_not_check(Text::new(&msg::MEMORY_NO_LIMIT_SHOWN)),
        },
    };
    if limit == 0 {
        return MEMORY.pass(
            Text::new(&msg::MEMORY_UNLIMITED_VALUE).arg("needed", format_bytes(needed)),
            Text::new(&msg::MEMORY_UNLIMITED).arg("wanted", format_bytes((needed as f64 * HEADROOM) as u64)),
        );
    }
    // The target's own data stays unless it is flushed; its base overhead is already in the source's
    // figure, so count the dataset alone where the server reports it (4.0+).
    let in_use = match ctx.input.write_mode {
        WriteMode::ClearFirst => 0,
        _ => info_u64(&t.memory, "used_memory_dataset").or_else(|| info_u64(&t.memory, "used_memory")).unwrap_or(0),
    };
    let free = limit.saturating_sub(in_use);
    let value = Text::new(&msg::MEMORY_VALUE)
        .arg("needed", format_bytes(needed))
        .arg("free", format_bytes(free))
        .arg("limit", format_bytes(limit));
    let wanted = format_bytes((needed as f64 * HEADROOM) as u64 + in_use);
    if free < needed {
        MEMORY.error(
            value,
            Text::new(&msg::MEMORY_TOO_SMALL)
                .arg("needed", format_bytes(needed))
                .arg("free", format_bytes(free))
                .arg("wanted", wanted),
        )
    } else if (free as f64) < needed as f64 * HEADROOM {
        MEMORY.warning(value, Text::new(&msg::MEMORY_TIGHT).arg("wanted", wanted))
    } else {
        MEMORY.pass(value, Text::new(&msg::MEMORY_FITS))
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
            Ok(None) | Err(_) => return EVICTION.could_not_check(Text::new(&msg::EVICTION_POLICY_UNKNOWN)),
        },
    };
    if policy == "noeviction" {
        EVICTION.pass(Text::raw(policy), Text::new(&msg::EVICTION_NEVER))
    } else {
        EVICTION.warning(Text::raw(policy), Text::new(&msg::EVICTION_MAY_EVICT))
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
    TTL.pass(Text::new(&msg::TTL_VALUE).arg("expires", expires).arg("keys", keys), Text::new(&msg::TTL_ABSOLUTE))
}

/// Round trips to both servers, and what they and the source's size mean for the full sync.
pub(super) async fn rtt(ctx: &mut Ctx<'_>) -> CheckItem {
    let (s, t) = match (ctx.source.up(), ctx.target.up()) {
        (Ok(s), Ok(t)) => (s, t),
        (s, t) => return RTT.not_checked([s.err(), t.err()]),
    };
    let (source_rtt, target_rtt) = match (median_ping(s).await, median_ping(t).await) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(e), _) | (_, Err(e)) => return RTT.could_not_check(e.text()),
    };
    let used = info_u64(&s.memory, "used_memory").unwrap_or(0);
    let secs = used as f64 / ASSUMED_BYTES_PER_SEC;
    let (approx, about) = match format_duration(secs) {
        short if secs < 1.0 => (short.clone(), short),
        estimate => (
            Text::new(&msg::RTT_APPROX).arg("duration", estimate.clone()),
            Text::new(&msg::RTT_ABOUT).arg("duration", estimate),
        ),
    };
    let value = Text::new(&msg::RTT_VALUE)
        .arg("source", format_ms(source_rtt))
        .arg("target", format_ms(target_rtt))
        .arg("duration", approx);
    let about = Text::new(&msg::RTT_ESTIMATE).arg("duration", about).arg("used", format_bytes(used));
    if source_rtt.max(target_rtt) > SLOW_RTT {
        RTT.warning(value, Text::new(&msg::RTT_SLOW).arg("estimate", about))
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
