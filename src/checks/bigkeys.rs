//! A sample of the source's keys, looking for big ones.
//!
//! A big key is written in parts, each a command the target must run while it serves traffic, so a
//! few of them make the full sync slower and the target's latency spiky. Finding them all would mean
//! reading the whole keyspace; a sample within a time budget finds the common case (a handful of huge
//! keys among many) without loading the source.

use std::time::Duration;

use bytes::Bytes;
use tokio::time::Instant;

use super::probe::format_bytes;
use super::{CheckItem, Ctx, ScanProgress, Spec};
use crate::client::{keyspace_counts, Client, ClientError};
use crate::endpoint::Endpoint;
use crate::resp::Frame;
use crate::text::catalog::checks as msg;
use crate::text::Text;

const BIGKEYS: Spec = Spec { id: "source.bigkeys", title: "Big keys" };

/// Keys looked at, at most: the budget bounds the time, this the load on a fast source.
const MAX_KEYS: u64 = 50_000;
/// Keys asked of each SCAN call.
const SCAN_COUNT: &str = "200";
/// Big keys named in the message.
const SHOWN: usize = 5;

/// What is big.
#[derive(Clone, Copy)]
struct Limits {
    bytes: u64,
    elements: u64,
}

/// A key found to be big.
struct BigKey {
    db: u32,
    name: Bytes,
    kind: String,
    bytes: Option<u64>,
    elements: Option<u64>,
}

/// What the sampling found so far; kept outside the sampling future so a budget cut keeps it.
#[derive(Default)]
struct Sample {
    looked_at: u64,
    big: Vec<BigKey>,
    /// Every key was looked at.
    complete: bool,
}

pub(super) async fn check(ctx: &Ctx<'_>, on_scan: &mut impl FnMut(ScanProgress)) -> CheckItem {
    let s = match ctx.source.get() {
        Ok(s) => s,
        Err(why) => return BIGKEYS.not_checked([Some(why)]),
    };
    let input = ctx.input;
    let counts = keyspace_counts(&s.keyspace);
    let total: u64 = counts.iter().map(|&(_, n)| n).sum();
    let dbs: Vec<u32> = counts.iter().filter(|&&(_, n)| n > 0).map(|&(db, _)| db).collect();
    let limits = Limits { bytes: input.big_key_bytes, elements: input.big_key_elements };
    // MEMORY USAGE exists from 4.0; before it, lengths alone say how big a key is.
    let memory = s.info.at_least(4, 0);
    let mut sample = Sample::default();
    let deadline = Instant::now() + input.scan_budget;
    // A cluster's keys are on every master: each is scanned in turn, within the one budget.
    let servers = match crate::cluster::discover(&s.endpoint).await {
        Ok(Some(topology)) => topology.masters().cloned().collect(),
        _ => vec![s.endpoint.clone()],
    };
    let started = Instant::now();
    let budget_ms = input.scan_budget.as_millis() as u64;
    let of = total.min(MAX_KEYS);
    let mut report = |looked_at, done| {
        on_scan(ScanProgress { looked_at, of, elapsed_ms: started.elapsed().as_millis() as u64, budget_ms, done });
    };
    report(0, false);
    let mut step = |looked_at| report(looked_at, false);
    let outcome = tokio::time::timeout_at(deadline, scan(&servers, &dbs, memory, limits, &mut sample, &mut step)).await;
    report(sample.looked_at, true);
    let sampled = |entry: &'static crate::text::Entry| Text::new(entry).arg("n", sample.looked_at).arg("total", total);
    let coverage = match &outcome {
        _ if sample.complete => Text::new(&msg::BIGKEYS_ALL).arg("n", sample.looked_at),
        Ok(Ok(())) => sampled(&msg::BIGKEYS_CAPPED).arg("max", MAX_KEYS),
        Err(_) => sampled(&msg::BIGKEYS_BUDGET).arg("budget", format_budget(input.scan_budget)),
        Ok(Err(e)) if sample.looked_at == 0 => return BIGKEYS.could_not_check(e.text()),
        Ok(Err(e)) => sampled(&msg::BIGKEYS_ERROR).arg("error", e.text()),
    };
    let value = Text::new(&msg::BIGKEYS_VALUE).arg("n", sample.looked_at).arg("big", sample.big.len());
    if sample.big.is_empty() {
        return BIGKEYS.pass(
            value,
            Text::new(&msg::BIGKEYS_NONE)
                .arg("bytes", format_bytes(limits.bytes))
                .arg("elements", limits.elements)
                .arg("coverage", coverage),
        );
    }
    sample.big.sort_by_key(|k| std::cmp::Reverse((k.bytes.unwrap_or(0), k.elements.unwrap_or(0))));
    let mut named: Vec<Text> = sample.big.iter().take(SHOWN).map(describe).collect();
    if sample.big.len() > SHOWN {
        named.push(Text::new(&msg::BIGKEYS_MORE).arg("n", sample.big.len() - SHOWN));
    }
    BIGKEYS.warning(value, Text::new(&msg::BIGKEYS_FOUND).arg("keys", named).arg("coverage", coverage))
}

/// Scans each db of each server on a connection of its own (a budget cut may leave it mid-reply),
/// measuring every key a SCAN returns, until all are seen or [`MAX_KEYS`] are; `report` hears the
/// count after every page.
async fn scan(
    servers: &[Endpoint],
    dbs: &[u32],
    memory: bool,
    limits: Limits,
    sample: &mut Sample,
    report: &mut impl FnMut(u64),
) -> Result<(), ClientError> {
    for server in servers {
        let mut client = Client::connect(server).await?;
        for db in dbs {
            client.request(&["SELECT", &db.to_string()]).await?;
            let mut cursor = Bytes::from_static(b"0");
            loop {
                let reply = client.request(&[b"SCAN".as_slice(), &cursor, b"COUNT", SCAN_COUNT.as_bytes()]).await?;
                let (next, keys) = scan_reply(reply);
                measure(&mut client, *db, &keys, memory, limits, sample).await?;
                report(sample.looked_at);
                if sample.looked_at >= MAX_KEYS {
                    return Ok(());
                }
                match next {
                    Some(next) if next.as_ref() != b"0" => cursor = next,
                    _ => break,
                }
            }
        }
    }
    sample.complete = true;
    Ok(())
}

/// The next cursor (none when the reply is not a SCAN reply) and the keys.
fn scan_reply(reply: Frame) -> (Option<Bytes>, Vec<Bytes>) {
    let Frame::Array(mut parts) = reply else { return (None, Vec::new()) };
    let keys = match parts.pop() {
        Some(Frame::Array(keys)) => keys.into_iter().filter_map(crate::client::expect_bytes).collect(),
        _ => Vec::new(),
    };
    (parts.pop().and_then(crate::client::expect_bytes), keys)
}

/// TYPE of each key, then its memory and length, pipelined (two round trips for the batch).
async fn measure(
    client: &mut Client,
    db: u32,
    keys: &[Bytes],
    memory: bool,
    limits: Limits,
    sample: &mut Sample,
) -> Result<(), ClientError> {
    for key in keys {
        client.send(&[b"TYPE".as_slice(), key]);
    }
    client.flush().await?;
    let mut kinds = Vec::with_capacity(keys.len());
    for _ in keys {
        let reply = client.read_reply().await?;
        kinds.push(reply.as_bytes().map(|t| String::from_utf8_lossy(t).into_owned()).unwrap_or_default());
    }
    // A key deleted since SCAN is "none"; a module type has no length command.
    let plans: Vec<(bool, Option<&str>)> =
        kinds.iter().map(|kind| (memory && kind != "none", length_command(kind))).collect();
    for (key, &(memory, length)) in keys.iter().zip(&plans) {
        if memory {
            client.send(&[b"MEMORY".as_slice(), b"USAGE", key, b"SAMPLES", b"5"]);
        }
        if let Some(command) = length {
            client.send(&[command.as_bytes(), key]);
        }
    }
    client.flush().await?;
    for ((key, kind), &(memory, length)) in keys.iter().zip(kinds).zip(&plans) {
        let bytes = if memory { client.read_reply().await?.as_int().and_then(|n| u64::try_from(n).ok()) } else { None };
        let len = match length {
            Some(_) => client.read_reply().await?.as_int().and_then(|n| u64::try_from(n).ok()),
            None => None,
        };
        if kind == "none" {
            continue;
        }
        sample.looked_at += 1;
        // A string's length is bytes; the others' are elements.
        let (bytes, elements) = if kind == "string" { (bytes.max(len), None) } else { (bytes, len) };
        if bytes.is_some_and(|b| b > limits.bytes) || elements.is_some_and(|e| e > limits.elements) {
            sample.big.push(BigKey { db, name: key.clone(), kind, bytes, elements });
        }
    }
    Ok(())
}

fn length_command(kind: &str) -> Option<&'static str> {
    Some(match kind {
        "string" => "STRLEN",
        "list" => "LLEN",
        "set" => "SCARD",
        "zset" => "ZCARD",
        "hash" => "HLEN",
        "stream" => "XLEN",
        _ => return None,
    })
}

/// `db 1: user:42 (zset, 20000 elements, 1.2 MB)`.
fn describe(key: &BigKey) -> Text {
    let mut name = String::from_utf8_lossy(&key.name).into_owned();
    if name.chars().count() > 64 {
        name = name.chars().take(61).collect::<String>() + "...";
    }
    let name = match key.db {
        0 => Text::raw(name),
        db => Text::new(&msg::BIGKEYS_IN_DB).arg("db", db).arg("key", name),
    };
    let elements = key.elements.map(|n| Text::new(&msg::BIGKEYS_ELEMENTS).arg("n", n));
    let bytes = key.bytes.map(|n| Text::raw(format_bytes(n)));
    let text = match (elements, bytes) {
        (Some(a), Some(b)) => Text::new(&msg::BIGKEYS_KEY_WITH_BOTH).arg("a", a).arg("b", b),
        (Some(a), None) | (None, Some(a)) => Text::new(&msg::BIGKEYS_KEY_WITH).arg("a", a),
        (None, None) => Text::new(&msg::BIGKEYS_KEY),
    };
    text.arg("key", name).arg("kind", &key.kind)
}

fn format_budget(budget: Duration) -> Text {
    if budget < Duration::from_secs(1) {
        Text::raw(format!("{} ms", budget.as_millis()))
    } else {
        Text::new(&msg::CHECK_SECONDS).arg("n", format!("{:.1}", budget.as_secs_f64()))
    }
}
