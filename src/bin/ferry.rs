//! `ferry`: the headless face of Ferry. A thin shell over the engine: parse arguments, show progress,
//! map the outcome to an exit code (0 success, 1 failure, 2 usage).

use std::io::IsTerminal;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand};
use ferry::endpoint::Endpoint;
use ferry::pipeline::{MigrateOptions, Migration, Phase, Progress, Summary};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

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
    }
}

fn endpoint(flag: &str, url: &str) -> Result<Endpoint, ExitCode> {
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

async fn wait_for_signal() {
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

/// Progress as bars on a terminal, or as JSON lines.
struct View {
    json: bool,
    bar: Option<ProgressBar>,
    phase: Option<Phase>,
}

impl View {
    fn new(json: bool) -> View {
        View { json, bar: None, phase: None }
    }

    fn show(&mut self, p: &Progress) {
        if self.json {
            if let Ok(line) = serde_json::to_string(&serde_json::json!({"event": "progress", "progress": p})) {
                println!("{line}");
            }
            return;
        }
        if self.phase != Some(p.phase) {
            if let Some(bar) = self.bar.take() {
                bar.finish();
            }
            self.phase = Some(p.phase);
            let bar = match (p.phase, p.rdb_total) {
                (Phase::FullSync, Some(total)) => ProgressBar::new(total).with_style(
                    ProgressStyle::with_template("{prefix:>16} [{bar:30}] {bytes}/{total_bytes} {msg}")
                        .unwrap_or_else(|_| ProgressStyle::default_bar())
                        .progress_chars("=> "),
                ),
                _ => ProgressBar::new_spinner().with_style(
                    ProgressStyle::with_template("{prefix:>16} {spinner} {msg}")
                        .unwrap_or_else(|_| ProgressStyle::default_spinner()),
                ),
            };
            if !std::io::stderr().is_terminal() {
                bar.set_draw_target(ProgressDrawTarget::hidden());
            }
            bar.set_prefix(p.phase.label());
            bar.enable_steady_tick(Duration::from_millis(200));
            self.bar = Some(bar);
        }
        if let Some(bar) = &self.bar {
            bar.set_position(p.rdb_bytes);
            bar.set_message(match p.phase {
                Phase::FullSync | Phase::WaitingForRdb | Phase::Connecting => {
                    let bytes =
                        if p.rdb_total.is_none() { format!("{} MB, ", p.rdb_bytes / 1_000_000) } else { String::new() };
                    format!("{bytes}{} keys ({:.0}/s), {} errors", p.keys_written, p.keys_per_sec, p.errors)
                }
                _ => format!(
                    "lag {} B (applied {}), keys {}/{}, {} errors",
                    p.lag_bytes,
                    p.applied_offset,
                    total(&p.target_keys),
                    total(&p.source_keys),
                    p.errors
                ),
            });
        }
    }

    fn finish(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish();
        }
    }

    fn summary(&self, s: &Summary) {
        if self.json {
            if let Ok(line) = serde_json::to_string(&serde_json::json!({"event": "summary", "summary": s})) {
                println!("{line}");
            }
            return;
        }
        let p = &s.progress;
        println!("migration {}", if s.interrupted { "stopped" } else { "in sync" });
        println!("  source          {}", s.source);
        println!("  target          {}", s.target);
        println!("  mode            {}", s.mode);
        println!("  elapsed         {:.1} s", p.elapsed_ms as f64 / 1000.0);
        println!("  RDB bytes       {}", p.rdb_bytes);
        println!("  keys written    {} (expired and skipped: {})", p.keys_written, p.keys_expired);
        println!("  commands        {} sent, {} acknowledged", p.commands_sent, p.commands_acked);
        println!("  offsets         source {} applied {} lag {} B", p.source_offset, p.applied_offset, p.lag_bytes);
        println!("  keys            source {:?} target {:?}", p.source_keys, p.target_keys);
        println!("  errors          {} {:?}", p.errors, s.errors_by_class);
        for e in &s.error_samples {
            println!("    {} {} {:?}: {}", e.class, e.command, e.key, e.message);
        }
        if let Some(rss) = s.peak_rss_bytes {
            println!("  peak memory     {:.1} MB", rss as f64 / 1e6);
        }
        if s.stream_pel_lost > 0 {
            println!(
                "  note            {} stream pending entries named deleted entries and were not recreated",
                s.stream_pel_lost
            );
        }
    }

    fn error(&self, message: &str) {
        if self.json {
            println!("{}", serde_json::json!({"event": "error", "message": message}));
        }
        eprintln!("error: {message}");
    }
}

fn total(keys: &[(u32, u64)]) -> u64 {
    keys.iter().map(|(_, n)| n).sum()
}
