//! `ferry`: the headless face of Ferry. A thin shell over the engine: parse arguments, show progress,
//! map the outcome to an exit code (0 success, 1 failure, 2 usage).

mod console_cmds;
mod view;

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use ferry::endpoint::Endpoint;
use ferry::pipeline::{MigrateOptions, Migration};
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
}

#[derive(clap::Args)]
struct MigrateArgs {
    /// The Redis to copy from: redis://[user:password@]host:port
    #[arg(long)]
    source: String,
    /// The Redis to copy into: redis://[user:password@]host:port
    #[arg(long)]
    target: String,
    /// Stop once the target has applied everything the source has and the key counts match.
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
        .with_env_filter(tracing_subscriber::EnvFilter::from_env("FERRY_LOG"))
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
    }
}

/// Parses a URL flag; a bad one is a usage error (exit 2).
pub(crate) fn endpoint(flag: &str, url: &str) -> Result<Endpoint, ExitCode> {
    Endpoint::parse(url).map_err(|e| {
        eprintln!("error: --{flag}: {e}");
        ExitCode::from(2)
    })
}

async fn migrate(args: MigrateArgs) -> ExitCode {
    let (source, target) = match (endpoint("source", &args.source), endpoint("target", &args.target)) {
        (Ok(s), Ok(t)) => (s, t),
        (Err(code), _) | (_, Err(code)) => return code,
    };
    let mut options = MigrateOptions::new(source, target);
    options.cutover_when_synced = args.cutover_when_synced;
    options.writer.skip_errors = args.skip_errors;
    options.writer.window = args.window.max(1);
    options.force_rewrite = args.rewrite;
    let migration = Migration::start(options);
    let stopper = migration.stopper();
    tokio::spawn(async move {
        wait_for_signal().await;
        let _ = stopper.send(true);
    });
    let mut view = View::new(args.json);
    let mut progress = migration.progress.clone();
    let waiter = tokio::spawn(migration.wait());
    tokio::pin!(waiter);
    let result = loop {
        tokio::select! {
            r = &mut waiter => break r,
            changed = progress.changed() => {
                if changed.is_err() { continue; }
                let p = progress.borrow_and_update().clone();
                view.show(&p);
            }
        }
    };
    view.finish();
    match result {
        Ok(Ok(summary)) => {
            view.summary(&summary);
            if summary.snapshot_complete {
                ExitCode::SUCCESS
            } else {
                eprintln!("stopped before the full sync finished: the target is incomplete; run the migration again");
                ExitCode::from(1)
            }
        }
        Ok(Err(e)) => {
            view.error(&e.to_string());
            ExitCode::from(1)
        }
        Err(e) => {
            view.error(&format!("internal error: {e}"));
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
