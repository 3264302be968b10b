//! `ferry proxy`: the hot-standby access proxy in the foreground, printing each failover step.
//! `kill -USR1 <pid>` asks it for a planned switchover (on Unix).

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::Args;
use ferry::endpoint::ListenTls;
use ferry::ha::events::Event;
use ferry::ha::{self, HaOptions};

use crate::credentials::{MasterPassword, ReplicaPassword};

#[derive(Args)]
pub struct ProxyArgs {
    /// Where clients connect, e.g. 0.0.0.0:6380
    #[arg(long)]
    listen: String,
    /// The master: redis://[user@]host:port or rediss:// (its password: see --master-password-file)
    #[arg(long, required_unless_present = "sentinel", conflicts_with = "sentinel")]
    master: Option<String>,
    /// The standby replica promoted when the master fails.
    #[arg(long, required_unless_present = "sentinel", conflicts_with = "sentinel")]
    replica: Option<String>,
    /// Sentinel mode: redis+sentinel://host:26379[,host:port...]/<master name> (rediss+sentinel://
    /// for TLS). Redis Sentinel decides failovers and the proxy routes to the master it names, so
    /// several proxies route alike; the master's password: see --master-password-file.
    #[arg(long, value_name = "URL")]
    sentinel: Option<String>,
    #[command(flatten)]
    master_password: MasterPassword,
    #[command(flatten)]
    replica_password: ReplicaPassword,
    /// How often the master is PINGed.
    #[arg(long, default_value_t = 100)]
    heartbeat_ms: u64,
    /// How long without a valid reply before the master is declared down.
    #[arg(long, default_value_t = 1000)]
    down_after_ms: u64,
    /// Refuse to promote a replica whose link has been down longer than this.
    #[arg(long, default_value_t = 10)]
    max_replica_lag_secs: u64,
    /// Promote the replica even when it is stale (its missing writes are lost).
    #[arg(long)]
    allow_stale_promotion: bool,
    /// A password of the proxy's own, read from this file (or from FERRY_PROXY_PASSWORD): clients
    /// must AUTH with it, and sessions reach the master with the pair's credentials. Without it,
    /// clients log in with the servers' own users and passwords (AUTH goes to the master's ACL).
    #[arg(long, value_name = "FILE")]
    password_file: Option<PathBuf>,
    /// Acknowledge a write only once the standby has it (not just any replica), so that a crash of the master
    /// loses no acknowledged write; unconfirmed writes are answered -UNCERTAIN.
    #[arg(long)]
    sync_writes: bool,
    /// With --sync-writes: how long to wait for the replica's confirmation.
    #[arg(long, default_value_t = 1000)]
    sync_timeout_ms: u64,
    /// Listen with TLS, presenting this certificate chain (PEM); clients then connect with rediss://
    #[arg(long, value_name = "PEM", requires = "tls_key_file")]
    tls_cert_file: Option<PathBuf>,
    /// The private key of --tls-cert-file (PEM)
    #[arg(long, value_name = "PEM", requires = "tls_cert_file")]
    tls_key_file: Option<PathBuf>,
    /// With TLS: require client certificates signed by these CAs (PEM), i.e. mutual TLS
    #[arg(long, value_name = "PEM", requires = "tls_cert_file")]
    tls_client_ca_file: Option<PathBuf>,
    /// Disconnect a client that leaves more than this many MB of replies unread (0: no limit).
    #[arg(long, value_name = "MB", default_value_t = 512)]
    output_limit_mb: usize,
    /// The same for a subscribed (pub/sub) client; one also over 8 MB for 60 s is disconnected.
    #[arg(long, value_name = "MB", default_value_t = 32)]
    pubsub_output_limit_mb: usize,
    /// Print events as JSON lines.
    #[arg(long)]
    json: bool,
}

pub async fn proxy(args: ProxyArgs) -> ExitCode {
    let (master, replica, sentinel) = match (&args.sentinel, &args.master, &args.replica) {
        (Some(url), _, _) => match args.master_password.sentinel(url) {
            // The replica is the Sentinels' business; the endpoint only fills the options.
            Ok((credentials, spec)) => (credentials.clone(), credentials, Some(spec)),
            Err(code) => return code,
        },
        (None, Some(master), Some(replica)) => {
            match (args.master_password.endpoint(master), args.replica_password.endpoint(replica)) {
                (Ok(m), Ok(r)) => (m, r, None),
                (Err(code), _) | (_, Err(code)) => return code,
            }
        }
        _ => {
            eprintln!("error: give --master and --replica, or --sentinel");
            return ExitCode::from(2);
        }
    };
    if args.heartbeat_ms == 0 || args.down_after_ms < args.heartbeat_ms {
        eprintln!("error: --down-after-ms must be at least --heartbeat-ms, and both above 0");
        return ExitCode::from(2);
    }
    let mut options = HaOptions::new(master, replica);
    options.sentinel = sentinel;
    options.listen = args.listen;
    options.heartbeat = Duration::from_millis(args.heartbeat_ms);
    options.down_after = Duration::from_millis(args.down_after_ms);
    options.max_replica_lag_secs = args.max_replica_lag_secs;
    options.allow_stale_promotion = args.allow_stale_promotion;
    options.sync_writes = args.sync_writes.then(|| Duration::from_millis(args.sync_timeout_ms.max(1)));
    const MB: usize = 1024 * 1024;
    options.output_limits.normal.hard = args.output_limit_mb.saturating_mul(MB);
    options.output_limits.pubsub.hard = args.pubsub_output_limit_mb.saturating_mul(MB);
    let soft = &mut options.output_limits.pubsub.soft;
    *soft = (*soft).min(options.output_limits.pubsub.hard);
    options.proxy_password = match &args.password_file {
        Some(path) => match std::fs::read_to_string(path) {
            Ok(text) => Some(text.trim_end_matches(['\r', '\n']).to_string()),
            Err(e) => {
                eprintln!("error: cannot read --password-file {}: {e}", path.display());
                return ExitCode::from(2);
            }
        },
        None => std::env::var("FERRY_PROXY_PASSWORD").ok(),
    }
    .filter(|p| !p.is_empty());
    options.listen_tls = match (args.tls_cert_file, args.tls_key_file) {
        (Some(cert_file), Some(key_file)) => {
            Some(ListenTls { cert_file, key_file, client_ca_file: args.tls_client_ca_file })
        }
        _ => None,
    };
    let options_password_given = options.proxy_password.is_some();
    let handle = match ha::start(options).await {
        Ok(h) => h,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(1);
        }
    };
    let route = handle.route();
    let mode = if args.sync_writes { "sync writes" } else { "async writes" };
    let login = match options_password_given {
        true => "clients AUTH with the proxy's password",
        false => "clients log in with the servers' users",
    };
    eprintln!(
        "proxy listening on {} → master {} (epoch {}, {mode}, {login}); pid {}: kill -USR1 for a planned switchover",
        handle.local_addr(),
        route.master,
        route.epoch,
        std::process::id()
    );
    let mut events = handle.events().subscribe();
    let interrupt = crate::wait_for_signal();
    tokio::pin!(interrupt);
    let mut switch_requests = SwitchRequests::new();
    loop {
        tokio::select! {
            _ = &mut interrupt => break,
            () = switch_requests.next() => match handle.switchover().await {
                Ok(epoch) => eprintln!("switchover done: epoch {epoch}"),
                Err(e) => eprintln!("switchover refused: {e}"),
            },
            event = events.recv() => match event {
                Ok(e) if args.json => println!("{}", json_line(&e)),
                Ok(e) => println!("{} epoch {} {:?}: {}", e.at_ms, e.epoch, e.kind, e.detail),
                Err(tokio::sync::broadcast::error::RecvError::Lagged(n)) => eprintln!("({n} events skipped)"),
                Err(_) => break,
            },
        }
    }
    handle.shutdown().await;
    ExitCode::SUCCESS
}

/// An event as a JSON line, its detail in English as the plain lines show it: scripts read the
/// sentence (its code and arguments are for the desktop app, which renders them in its language).
fn json_line(event: &Event) -> String {
    let line = serde_json::json!({
        "at_ms": event.at_ms,
        "kind": event.kind,
        "epoch": event.epoch,
        "detail": event.detail.to_string(),
    });
    line.to_string()
}

/// Planned-switchover requests: SIGUSR1 on Unix; none elsewhere.
struct SwitchRequests {
    #[cfg(unix)]
    signal: Option<tokio::signal::unix::Signal>,
}

impl SwitchRequests {
    fn new() -> Self {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{signal, SignalKind};
            SwitchRequests { signal: signal(SignalKind::user_defined1()).ok() }
        }
        #[cfg(not(unix))]
        SwitchRequests {}
    }

    /// Completes at the next request; never, when requests cannot arrive.
    async fn next(&mut self) {
        #[cfg(unix)]
        if let Some(signal) = self.signal.as_mut() {
            if signal.recv().await.is_some() {
                return;
            }
        }
        std::future::pending::<()>().await
    }
}
