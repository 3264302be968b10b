//! The domain's vocabulary: target instances, migration tasks, their statuses and events. It sits at
//! the bottom of the house (it imports nothing of the crate), so `filter`, `pipeline`, `checks`,
//! `store`, the runner and the console all speak it without depending on one another.
//!
//! Serializable as they are stored and as the desktop app receives them. Passwords are never here:
//! a record only says whether a password is kept (in the OS keychain or the encrypted file).

use serde::{Deserialize, Serialize};

pub use crate::endpoint::{ListenTls, SshTunnel, TlsOptions};
use crate::text::catalog::tasks as msg;
use crate::text::Text;

/// The edition of a target instance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum Edition {
    Standard,
    Cluster,
}

/// A Redis that users migrate into, registered in the console.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Instance {
    pub id: i64,
    pub name: String,
    /// Free text: `ap-guangzhou`, `on-prem-dc1`...
    pub region: String,
    pub host: String,
    pub port: u16,
    /// ACL user; `None` is the default user.
    pub user: Option<String>,
    /// Whether a password is kept for it (in the OS keychain, or the encrypted file when FERRY_MASTER_KEY is set).
    pub has_password: bool,
    pub edition: Edition,
    /// `host:port` of its hot-standby access proxy, when it is a standby pair.
    pub proxy: Option<String>,
    /// Further nodes of a cluster instance (`host:port`), tried in order when `host:port` does not
    /// answer: any node of a cluster tells the whole topology.
    pub seeds: Vec<String>,
    /// TLS settings when the instance takes TLS; `None` is plain TCP.
    pub tls: Option<TlsOptions>,
    /// The SSH jump host the instance is reached through, if any.
    pub ssh: Option<SshTunnel>,
    pub created_at_ms: i64,
}

/// What a user enters to register or edit an instance (the password goes to the keychain).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct InstanceInput {
    pub name: String,
    pub region: String,
    pub host: String,
    pub port: u16,
    pub user: Option<String>,
    pub edition: Edition,
    pub proxy: Option<String>,
    /// Further nodes of a cluster instance (`host:port`); only the cluster edition has them.
    #[serde(default)]
    pub seeds: Vec<String>,
    /// TLS settings when the instance takes TLS.
    #[serde(default)]
    pub tls: Option<TlsOptions>,
    /// The SSH jump host the instance is reached through, if any.
    #[serde(default)]
    pub ssh: Option<SshTunnel>,
    /// The SSH key's passphrase or the SSH password: kept in the keychain, never in the store.
    /// `None` keeps the one kept before (on an edit), `Some("")` removes it.
    #[serde(default)]
    pub ssh_secret: Option<String>,
}

/// The seed's two kinds of migration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum MigrationType {
    /// A self-hosted Redis on a cloud VM in the same region as the target.
    CloudVm,
    /// A Redis reachable over the public network.
    PublicNetwork,
}

/// What the migration does with keys that already exist on the target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum WriteMode {
    /// FLUSHALL the target before the full sync.
    ClearFirst,
    /// Replace keys that exist.
    Overwrite,
    /// Refuse to start when the target holds keys; fail on a key that exists.
    FailOnExisting,
}

/// The source parameters a migration sets when it starts and restores when it ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Params {
    /// `client-output-buffer-limit` for replicas: hard limit, soft limit (MB) and soft seconds.
    pub output_buffer_hard_mb: u64,
    pub output_buffer_soft_mb: u64,
    pub output_buffer_soft_seconds: u64,
    /// `repl-backlog-size` in MB.
    pub backlog_mb: u64,
    /// `repl-timeout` in seconds.
    pub repl_timeout_seconds: u64,
}

impl Default for Params {
    /// The cloud console's recommended values.
    fn default() -> Self {
        Params {
            output_buffer_hard_mb: 512,
            output_buffer_soft_mb: 512,
            output_buffer_soft_seconds: 60,
            backlog_mb: 512,
            repl_timeout_seconds: 120,
        }
    }
}

/// The source side of a task.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SourceSpec {
    pub host: String,
    pub port: u16,
    pub user: Option<String>,
    /// Whether a password is kept for it (in the OS keychain, or the encrypted file when FERRY_MASTER_KEY is set).
    pub has_password: bool,
    /// The region the source VM runs in (cloud VM migrations must stay in the target's region).
    pub region: Option<String>,
    /// When set, the source is whichever master these Sentinels name (`host`/`port` are then the
    /// first Sentinel's, for display); user and password are the master's.
    #[serde(default)]
    pub sentinel: Option<SentinelSpec>,
    /// TLS settings when the source takes TLS; `None` is plain TCP.
    #[serde(default)]
    pub tls: Option<TlsOptions>,
    /// The SSH jump host the source is reached through, if any.
    #[serde(default)]
    pub ssh: Option<SshTunnel>,
}

/// A source managed by Redis Sentinel: the master is asked for again at every connection, so a
/// failover is followed (with PSYNC2, from where the old master stopped).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SentinelSpec {
    /// The Sentinels, `host:port` each (asked in turn until one answers).
    pub nodes: Vec<String>,
    /// The name they monitor the master under (`sentinel monitor <name> ...`).
    pub master_name: String,
}

/// Maps a source db to a target db.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct DbMapping {
    pub source: u32,
    pub target: u32,
}

/// How the sync itself behaves (the CLI's advanced flags; the defaults suit almost everyone).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default)]
pub struct SyncOptions {
    /// Error classes to count and skip instead of failing (`BUSYKEY`, `UNSUPPORTED`...).
    pub skip_errors: Vec<String>,
    /// Write values as commands even when the target could take RESTORE payloads.
    pub force_rewrite: bool,
    /// Commands in flight to the target at most.
    pub window: usize,
    /// Seconds a target may leave writes unanswered before the task fails (a warning shows after
    /// 10 s).
    pub stall_timeout_secs: u64,
    /// Keep a checkpoint on the target so that a restart resumes exactly where it stands; off
    /// only for targets that refuse MULTI (some proxies), and then every restart syncs in full.
    pub checkpoint: bool,
    /// A cluster source: read each master's share from one of its replicas where it has one,
    /// sparing the masters the fork and the replication buffers.
    pub from_replicas: bool,
}

impl Default for SyncOptions {
    fn default() -> Self {
        SyncOptions {
            skip_errors: Vec::new(),
            force_rewrite: false,
            window: 8192,
            stall_timeout_secs: 60,
            checkpoint: true,
            from_replicas: false,
        }
    }
}

/// Everything a user chooses when creating a task.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct TaskSpec {
    pub name: String,
    pub kind: MigrationType,
    pub source: SourceSpec,
    pub target_instance: i64,
    pub params: Params,
    pub write_mode: WriteMode,
    pub db_mapping: Vec<DbMapping>,
    /// Glob patterns (`user:*`); empty includes every key.
    pub include: Vec<String>,
    pub exclude: Vec<String>,
    #[serde(default)]
    pub sync: SyncOptions,
}

/// The console's statuses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum TaskStatus {
    NotStarted,
    Checking,
    CheckFailed,
    FullSync,
    IncrementalSync,
    CuttingOver,
    Completed,
    Failed,
    Cancelled,
    /// Its runner stopped (a crash, a kill, a stall, the app closed) in the middle: starting it
    /// again resumes from the target's checkpoint.
    Interrupted,
}

impl TaskStatus {
    /// Whether the task is over (nothing will change it any more).
    pub fn is_final(self) -> bool {
        matches!(self, TaskStatus::Completed | TaskStatus::Failed | TaskStatus::Cancelled)
    }

    /// Whether a migration is (or should be) running for the task.
    pub fn is_running(self) -> bool {
        matches!(
            self,
            TaskStatus::Checking | TaskStatus::FullSync | TaskStatus::IncrementalSync | TaskStatus::CuttingOver
        )
    }

    /// The console's words for it (the English of [`TaskStatus::text`]).
    pub fn label(self) -> &'static str {
        self.entry().en
    }

    /// The console's words for it as a sentence of the catalog, for events that name it (so that
    /// they read in the language chosen when they are shown).
    pub fn text(self) -> Text {
        Text::new(self.entry())
    }

    fn entry(self) -> &'static crate::text::Entry {
        match self {
            TaskStatus::NotStarted => &msg::STATUS_NOT_STARTED,
            TaskStatus::Checking => &msg::STATUS_CHECKING,
            TaskStatus::CheckFailed => &msg::STATUS_CHECK_FAILED,
            TaskStatus::FullSync => &msg::STATUS_FULL_SYNC,
            TaskStatus::IncrementalSync => &msg::STATUS_INCREMENTAL_SYNC,
            TaskStatus::CuttingOver => &msg::STATUS_CUTTING_OVER,
            TaskStatus::Completed => &msg::STATUS_COMPLETED,
            TaskStatus::Failed => &msg::STATUS_FAILED,
            TaskStatus::Cancelled => &msg::STATUS_CANCELLED,
            TaskStatus::Interrupted => &msg::STATUS_INTERRUPTED,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            TaskStatus::NotStarted => "not_started",
            TaskStatus::Checking => "checking",
            TaskStatus::CheckFailed => "check_failed",
            TaskStatus::FullSync => "full_sync",
            TaskStatus::IncrementalSync => "incremental_sync",
            TaskStatus::CuttingOver => "cutting_over",
            TaskStatus::Completed => "completed",
            TaskStatus::Failed => "failed",
            TaskStatus::Cancelled => "cancelled",
            TaskStatus::Interrupted => "interrupted",
        }
    }

    pub fn parse(s: &str) -> Option<TaskStatus> {
        ALL_STATUSES.iter().copied().find(|t| t.as_str() == s)
    }
}

/// Every status, in lifecycle order.
pub const ALL_STATUSES: [TaskStatus; 10] = [
    TaskStatus::NotStarted,
    TaskStatus::Checking,
    TaskStatus::CheckFailed,
    TaskStatus::FullSync,
    TaskStatus::IncrementalSync,
    TaskStatus::CuttingOver,
    TaskStatus::Completed,
    TaskStatus::Failed,
    TaskStatus::Cancelled,
    TaskStatus::Interrupted,
];

/// A migration task as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Task {
    pub id: i64,
    pub spec: TaskSpec,
    pub status: TaskStatus,
    /// Why it failed, was cancelled or was interrupted.
    pub reason: Option<Text>,
    pub created_at_ms: i64,
    pub updated_at_ms: i64,
    /// When the cutover finished, and the lag in bytes at that moment.
    pub cutover_at_ms: Option<i64>,
    pub final_lag_bytes: Option<u64>,
}

/// Something that happened to a task: every status change, and notable steps.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct TaskEvent {
    pub task_id: i64,
    pub at_ms: i64,
    /// `status`, `check`, `params`, `verify`, `error`...
    pub kind: String,
    pub message: Text,
}

/// A hot-standby pair as saved: what to run, whichever process runs it (the desktop app, or
/// `ferry standby run` as a service).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct PairSpec {
    /// The registered instance that was the master when the pair was set up (its credentials and
    /// TLS settings serve whichever server is master; in Sentinel mode, only those).
    pub master_instance: i64,
    /// The registered instance replicating from it; `None` in Sentinel mode.
    pub replica_instance: Option<i64>,
    /// Where the proxy listens, e.g. `127.0.0.1:6380`.
    pub listen: String,
    pub sync_writes: bool,
    #[serde(default)]
    pub listen_tls: Option<ListenTls>,
    /// Sentinel mode: the Sentinels decide failovers and the proxy follows.
    #[serde(default)]
    pub sentinel: Option<SentinelSpec>,
    /// Whether a proxy password is kept in the keychain for it (clients then AUTH with it).
    #[serde(default)]
    pub has_proxy_password: bool,
}

/// A saved pair with where its route stands and who runs it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SavedPair {
    pub id: i64,
    pub name: String,
    pub spec: PairSpec,
    /// The route's epoch when it last moved (failovers and switchovers so far).
    pub epoch: u64,
    /// `host:port` the route named then.
    pub master: Option<String>,
    /// The live process running it (`host/pid/started_ms`), if any.
    pub runner: Option<String>,
    pub created_at_ms: i64,
}

/// One of a saved pair's events, as its runner wrote it down.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct PairEventRecord {
    pub at_ms: i64,
    /// The event's kind, in its snake_case name.
    pub kind: String,
    pub epoch: u64,
    /// The event's sentence as a code and its arguments (rows written before codes read as raw text).
    pub detail: crate::text::Text,
}
