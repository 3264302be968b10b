//! The pre-check: everything that can be learned about a source and a target before a migration
//! starts, as a list of items a user can read and act on.
//!
//! A migration that fails an hour into its full sync because the target is full, or because the user
//! may not replicate, costs far more than asking first. So each item measures one thing (a version, a
//! key count, a memory limit, a round-trip time), rates it, and says in the message what to do.
//!
//! The check never fails as a whole: a server that cannot be reached is an error *item*, and the items
//! that need that server are skipped items saying they could not run. A query a server refuses (a
//! forbidden or renamed command) is a warning on its item: it proves nothing wrong, only that Ferry
//! could not look.
//!
//! Values and messages are [`Text`]s (codes of [`crate::text::catalog::checks`]), so an item stored
//! with a task reads in whichever language the user picks later; the CLI prints them in English.

mod access;
mod bigkeys;
mod capacity;
mod cluster;
mod compat;
mod config;
mod filter;
mod probe;

use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use crate::endpoint::Endpoint;
use crate::filter::Filter;
use crate::model::{Edition, MigrationType, Params, WriteMode};
use crate::text::catalog::checks as msg;
use crate::text::Text;

use probe::{Peer, Role};

/// How an item came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum Level {
    Pass,
    /// The migration can start, but the user should know (and maybe act).
    Warning,
    /// The migration would fail or do harm: it must not start.
    Error,
    /// Not run, because a server it needs is unreachable: that server's own item is the error.
    Skipped,
}

/// One check's result, as the console lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct CheckItem {
    /// Stable id (`source.connect`), for code and for tests.
    pub id: String,
    /// Short name shown in a list (`Source reachable`).
    pub title: String,
    pub level: Level,
    /// What was measured (`Redis 7.0.15 (RDB 10)`, `0.3 ms`, `allkeys-lru`), or why nothing was.
    pub value: Text,
    /// What it means and what to do.
    pub message: Text,
}

/// Every item, in order, and how long the whole check took.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct CheckReport {
    pub items: Vec<CheckItem>,
    pub duration_ms: u64,
}

impl CheckReport {
    /// Whether any item forbids starting the migration.
    pub fn has_errors(&self) -> bool {
        self.items.iter().any(|i| i.level == Level::Error)
    }

    pub fn has_warnings(&self) -> bool {
        self.items.iter().any(|i| i.level == Level::Warning)
    }

    /// The item with this id.
    pub fn get(&self, id: &str) -> Option<&CheckItem> {
        self.items.iter().find(|i| i.id == id)
    }
}

/// What to check: the two servers and the choices made when the task was created.
#[derive(Debug, Clone)]
pub struct CheckInput {
    pub source: Endpoint,
    pub target: Endpoint,
    pub kind: MigrationType,
    /// Where the source VM runs; required for a cloud VM migration.
    pub source_region: Option<String>,
    pub target_region: String,
    pub target_edition: Edition,
    pub write_mode: WriteMode,
    /// The source parameters the migration will set.
    pub params: Params,
    /// Bound on the big-key scan (sampling); default 2 s.
    pub scan_budget: Duration,
    /// A key using more memory than this is big; default 64 MB.
    pub big_key_bytes: u64,
    /// A key with more elements than this is big; default 1,000,000.
    pub big_key_elements: u64,
    /// The task's db mapping and key patterns.
    pub filter: Filter,
    /// A cluster source is to be read from its masters' replicas.
    pub from_replicas: bool,
}

impl CheckInput {
    /// A public-network migration into a standard instance that overwrites existing keys, with the
    /// recommended parameters and default big-key thresholds.
    pub fn new(source: Endpoint, target: Endpoint) -> Self {
        CheckInput {
            source,
            target,
            kind: MigrationType::PublicNetwork,
            source_region: None,
            target_region: String::new(),
            target_edition: Edition::Standard,
            write_mode: WriteMode::Overwrite,
            params: Params::default(),
            scan_budget: Duration::from_secs(2),
            big_key_bytes: 64 * 1024 * 1024,
            big_key_elements: 1_000_000,
            filter: Filter::default(),
            from_replicas: false,
        }
    }
}

/// How many items [`run`] reports for a migration of this kind (a UI shows progress against it).
pub fn item_count(input: &CheckInput) -> usize {
    20 + usize::from(shows_tls(input))
}

/// Every item has its place in [`run`] but the TLS one, which a cloud VM on plain TCP does without
/// (the provider's private network carries it).
fn shows_tls(input: &CheckInput) -> bool {
    input.kind == MigrationType::PublicNetwork || input.source.tls.is_some() || input.target.tls.is_some()
}

/// How far the big-key scan is: it measures keys until it has seen them all, [`ScanProgress::of`]
/// of them, or its time budget runs out (whichever comes first), and this is its longest item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ScanProgress {
    /// Keys measured so far.
    pub looked_at: u64,
    /// The most it will measure: the source's keys, capped.
    pub of: u64,
    pub elapsed_ms: u64,
    pub budget_ms: u64,
    /// The scan's last word: what it measured in all (its item follows).
    pub done: bool,
}

/// Runs every check; calls `on_item` as each item completes (so a UI can show them appear one by one)
/// and `on_scan` as the big-key scan goes (after every page of keys). Never fails as a whole: an
/// unreachable server is an error *item* (and the checks that need that server are skipped items
/// saying they could not run because of it).
pub async fn run(
    input: &CheckInput,
    mut on_item: impl FnMut(&CheckItem),
    mut on_scan: impl FnMut(ScanProgress),
) -> CheckReport {
    let started = Instant::now();
    let mut items = Vec::new();
    let mut emit = |item: CheckItem| {
        on_item(&item);
        items.push(item);
    };
    emit(access::region(input));
    // Both at once: an unreachable host costs a connect timeout, and there may be two of them.
    let ((source_item, source), (target_item, target)) =
        tokio::join!(probe::connect(&input.source, Role::Source), probe::connect(&input.target, Role::Target));
    emit(source_item);
    emit(target_item);
    let mut ctx = Ctx { input, source, target };
    emit(access::distinct(&ctx));
    if shows_tls(input) {
        emit(access::tls(input).await);
    }
    emit(access::psync(&mut ctx).await);
    emit(compat::source_version(&ctx));
    emit(compat::target_version(&ctx));
    emit(capacity::target_empty(&ctx));
    emit(capacity::target_memory(&mut ctx).await);
    emit(capacity::target_eviction(&mut ctx).await);
    emit(compat::databases(&mut ctx).await);
    emit(compat::edition(&mut ctx).await);
    emit(cluster::target(&mut ctx).await);
    emit(compat::modules(&mut ctx).await);
    emit(compat::functions(&mut ctx).await);
    emit(filter::check(&mut ctx).await);
    emit(bigkeys::check(&ctx, &mut on_scan).await);
    emit(capacity::ttl(&ctx));
    emit(config::check(&mut ctx).await);
    emit(capacity::rtt(&mut ctx).await);
    CheckReport { items, duration_ms: started.elapsed().as_millis() as u64 }
}

/// What the checks share: the input and a connection to each server that answered.
struct Ctx<'a> {
    input: &'a CheckInput,
    source: Peer,
    target: Peer,
}

/// An item's id and title; builds its results.
#[derive(Clone, Copy)]
struct Spec {
    id: &'static str,
    title: &'static str,
}

impl Spec {
    fn item(self, level: Level, value: Text, message: Text) -> CheckItem {
        CheckItem { id: self.id.to_string(), title: self.title.to_string(), level, value, message }
    }

    fn pass(self, value: Text, message: Text) -> CheckItem {
        self.item(Level::Pass, value, message)
    }

    fn warning(self, value: Text, message: Text) -> CheckItem {
        self.item(Level::Warning, value, message)
    }

    fn error(self, value: Text, message: Text) -> CheckItem {
        self.item(Level::Error, value, message)
    }

    /// The item could not run because a server it needs is not available. It is not an error of
    /// its own: the unreachable server's `connect` item is, and it blocks the migration. `why` holds
    /// one reason per missing server.
    fn not_checked(self, why: impl IntoIterator<Item = Option<Text>>) -> CheckItem {
        let why: Vec<Text> = why.into_iter().flatten().collect();
        self.item(
            Level::Skipped,
            Text::new(&msg::CHECK_NOT_CHECKED),
            Text::new(&msg::CHECK_NOT_CHECKED_BECAUSE).arg("why", why),
        )
    }

    /// A server refused the query this item needs.
    fn could_not_check(self, why: Text) -> CheckItem {
        self.warning(Text::new(&msg::CHECK_UNKNOWN), Text::new(&msg::CHECK_COULD_NOT).arg("why", why))
    }
}
