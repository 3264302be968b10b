//! `ferry`: the headless face of Ferry. A thin shell over the engine: parse arguments, show progress,
//! map the outcome to an exit code (0 success, 1 failure, 2 usage).

mod check_view;
mod console_cmds;
mod credentials;
mod proxy_cmd;
mod standby_cmd;
mod verify_view;
mod view;

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use ferry::console::{Console, ConsoleEvent, CutoverOptions};
use ferry::endpoint::Endpoint;
use ferry::model::{SyncOptions, Task, TaskStatus};
use ferry::pipeline::{Phase, Progress};
use ferry::text::Text;
use view::View;

#[derive(Parser)]
#[command(name = "ferry", version, about = "Move a live Redis into another Redis with no downtime")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Copy the source into the target (full sync), then keep applying its writes (incremental sync).
    Migrate(MigrateArgs),
    /// Run the pre-check on a source and a target: one line per item (pass / warning / error).
    Check(console_cmds::CheckArgs),
    /// Compare source and target key by key (exit 0 identical, 1 differences).
    Verify(console_cmds::VerifyArgs),
    /// Target instances registered in the console.
    #[command(subcommand)]
    Instances(console_cmds::InstancesCmd),
    /// Migration tasks: create, list, show, start, cancel, cut over, verify.
    #[command(subcommand)]
    Tasks(console_cmds::TasksCmd),
    /// Hot standby: an access proxy in front of a master and its replica, failing over automatically.
    Proxy(proxy_cmd::ProxyArgs),
    /// Saved hot-standby pairs: add, list, run (as a service does), switch over, stop, remove.
    #[command(subcommand)]
    Standby(standby_cmd::StandbyCmd),
}

#[derive(clap::Args)]
struct MigrateArgs {
    /// The Redis to copy from: redis://[user@]host:port (rediss:// for TLS), or
    /// redis+sentinel://[user@]host:26379[,host:port]/master-name to follow its Sentinels' master
    /// (rediss+sentinel:// for TLS to the Sentinels and the master; its password: see
    /// --source-password-file)
    #[arg(long)]
    source: String,
    /// The Redis to copy into: redis://[user@]host:port or rediss:// (its password: see --target-password-file)
    #[arg(long)]
    target: String,
    #[command(flatten)]
    source_password: credentials::SourcePassword,
    #[command(flatten)]
    target_password: credentials::TargetPassword,
    /// Stop once the target has applied everything the source has (its replication offset).
    #[arg(long)]
    cutover_when_synced: bool,
    /// Print progress as JSON lines instead of bars.
    #[arg(long)]
    json: bool,
    /// Error classes to count and skip instead of failing (e.g. BUSYKEY, UNSUPPORTED), comma-separated.
    #[arg(long, value_delimiter = ',')]
    skip_errors: Vec<String>,
    /// Write values as ordinary commands even when the target could take RESTORE payloads.
    #[arg(long)]
    rewrite: bool,
    /// Commands in flight to the target at most.
    #[arg(long, default_value_t = 8192)]
    window: usize,
    /// Seconds the target may leave writes unanswered before the migration stops (a warning
    /// shows after 10 s).
    #[arg(long, default_value_t = 60)]
    stall_timeout_secs: u64,
    /// Keep no checkpoint on the target (for targets that refuse MULTI, such as some proxies):
    /// every restart then syncs in full.
    #[arg(long)]
    no_checkpoint: bool,
    /// A cluster source: read each master's share from one of its replicas, sparing the masters.
    #[arg(long)]
    from_replicas: bool,
    #[command(flatten)]
    filter: console_cmds::FilterArgs,
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { ExitCode::from(2) } else { ExitCode::SUCCESS };
        }
    };
    tracing_subscriber::fmt()
        // Warnings show by default; FERRY_LOG=info or debug for more.
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("FERRY_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return ExitCode::from(1);
        }
    };
    match cli.command {
        Command::Migrate(args) => runtime.block_on(migrate(args)),
        Command::Check(args) => runtime.block_on(console_cmds::check(args)),
        Command::Verify(args) => runtime.block_on(console_cmds::verify(args)),
        Command::Instances(cmd) => runtime.block_on(console_cmds::instances(cmd)),
        Command::Tasks(cmd) => runtime.block_on(console_cmds::tasks(cmd)),
        Command::Proxy(args) => runtime.block_on(proxy_cmd::proxy(args)),
        Command::Standby(cmd) => runtime.block_on(standby_cmd::standby(cmd)),
    }
}

/// Parses a URL flag; a bad one is a usage error (exit 2).
pub(crate) fn endpoint(flag: &str, url: &str) -> Result<Endpoint, ExitCode> {
    Endpoint::parse(url).map_err(|e| {
        eprintln!("error: --{flag}: {e}");
        ExitCode::from(2)
    })
}

/// `ferry migrate` is a task like any other (the app lists it): the target is registered by its
/// address, the check runs (errors stop here, warnings are shown), and the task runs in this process.
async fn migrate(args: MigrateArgs) -> ExitCode {
    let ((source, sentinel), target) =
        match (args.source_password.source(&args.source), args.target_password.endpoint(&args.target)) {
            (Ok(s), Ok(t)) => (s, t),
            (Err(code), _) | (_, Err(code)) => return code,
        };
    let mut view = View::new(args.json);
    let console = match Console::open(None).await {
        Ok(c) => c,
        Err(e) => {
            view.error(&e.to_string());
            return ExitCode::from(1);
        }
    };
    let sync = SyncOptions {
        skip_errors: args.skip_errors,
        force_rewrite: args.rewrite,
        window: args.window.max(1),
        stall_timeout_secs: args.stall_timeout_secs.max(1),
        checkpoint: !args.no_checkpoint,
        from_replicas: args.from_replicas,
    };
    let filter = match console_cmds::parse_db_map(&args.filter.db_map) {
        Ok(db_mapping) => {
            ferry::console::KeyFilter { db_mapping, include: args.filter.include, exclude: args.filter.exclude }
        }
        Err(code) => return code,
    };
    let (task, report) = match console.migrate_task(&source, sentinel.as_ref(), &target, sync, filter).await {
        Ok(created) => created,
        Err(e) => {
            view.error(&e.to_string());
            return ExitCode::from(1);
        }
    };
    view.warnings(&report);
    let mut events = console.subscribe();
    if let Err(e) = console.start_task(task.id).await {
        view.error(&e.to_string());
        return ExitCode::from(1);
    }
    let id = task.id;
    let interrupt = wait_for_signal();
    tokio::pin!(interrupt);
    let mut last: Option<Progress> = None;
    let outcome: Result<Task, String> = loop {
        tokio::select! {
            _ = &mut interrupt => {
                let synced = console.task(id).map(|t| t.status == TaskStatus::IncrementalSync).unwrap_or(false);
                match console.cancel_task(id).await {
                    Ok(t) if synced => break Ok(t),
                    Ok(_) => break Err("stopped before the full sync finished: the target is incomplete; run the migration again".into()),
                    Err(e) => break Err(e.to_string()),
                }
            }
            event = events.recv() => match event {
                Ok(ConsoleEvent::Progress { task_id, progress }) if task_id == id => {
                    view.show(&progress);
                    // Synced means the target has applied the source's offset; the cutover then
                    // reads the source's offset again and waits for it. Key counts are no
                    // criterion: the source counts keys that expired but were not yet reclaimed.
                    let caught_up = progress.phase == Phase::Incremental
                        && progress.applied_offset >= progress.source_offset;
                    last = Some(progress);
                    if args.cutover_when_synced && caught_up {
                        let options = CutoverOptions { pause_writes: false, timeout_secs: 60 };
                        break console.cutover_task(id, options).await.map_err(|e| e.to_string());
                    }
                }
                Ok(ConsoleEvent::TaskChanged { task }) if task.id == id => match task.status {
                    TaskStatus::Failed | TaskStatus::CheckFailed | TaskStatus::Cancelled => {
                        break Err(task.reason.as_ref().map_or_else(|| format!("the task ended as {}", task.status.label()), Text::to_string));
                    }
                    _ => {}
                },
                Ok(_) | Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {}
                Err(_) => break Err("the console stopped".into()),
            }
        }
    };
    view.finish();
    match outcome {
        Ok(task) => {
            let progress = last
                .or_else(|| console.task_detail(id).ok().and_then(|d| d.progress))
                .unwrap_or_else(|| ferry::pipeline::Counters::new().snapshot());
            view.summary(&task, &progress, console.task_detail(id).map(|d| d.events).unwrap_or_default());
            ExitCode::SUCCESS
        }
        Err(message) => {
            view.error(&message);
            ExitCode::from(1)
        }
    }
}

/// Resolves on Ctrl-C or SIGTERM.
pub(crate) async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}
