//! The console's commands: check, verify, instances, tasks. Each parses its arguments, calls the
//! console API, prints the outcome, and maps it to an exit code (0 ok, 1 failure, 2 usage).

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use clap::{Args, Subcommand, ValueEnum};
use ferry::checks::{CheckInput, CheckItem, CheckReport, Level};
use ferry::console::{self, Console, ConsoleEvent, CutoverOptions, TaskRequest};
use ferry::endpoint::Endpoint;
use ferry::filter::Filter;
use ferry::model::{
    DbMapping, Edition, InstanceInput, MigrationType, Params, SourceSpec, Task, TaskSpec, TaskStatus, WriteMode,
};
use ferry::store::TaskFilter;
use ferry::text::Text;
use ferry::verify::VerifyReport;

use crate::check_view::ScanView;
use crate::verify_view::VerifyView;

use crate::credentials::{InstancePassword, SourcePassword, TargetPassword};

#[derive(Clone, Copy, ValueEnum)]
pub enum KindArg {
    CloudVm,
    PublicNetwork,
}

impl From<KindArg> for MigrationType {
    fn from(k: KindArg) -> Self {
        match k {
            KindArg::CloudVm => MigrationType::CloudVm,
            KindArg::PublicNetwork => MigrationType::PublicNetwork,
        }
    }
}

#[derive(Clone, Copy, ValueEnum)]
pub enum WriteModeArg {
    ClearFirst,
    Overwrite,
    FailOnExisting,
}

impl From<WriteModeArg> for WriteMode {
    fn from(w: WriteModeArg) -> Self {
        match w {
            WriteModeArg::ClearFirst => WriteMode::ClearFirst,
            WriteModeArg::Overwrite => WriteMode::Overwrite,
            WriteModeArg::FailOnExisting => WriteMode::FailOnExisting,
        }
    }
}

#[derive(Args)]
pub struct CheckArgs {
    #[arg(long)]
    source: String,
    #[arg(long)]
    target: String,
    #[command(flatten)]
    source_password: SourcePassword,
    #[command(flatten)]
    target_password: TargetPassword,
    /// Migration type: a source on a cloud VM (same region as the target) or on the public network.
    #[arg(long = "type", value_enum, default_value = "public-network")]
    kind: KindArg,
    #[arg(long)]
    source_region: Option<String>,
    #[arg(long, default_value = "")]
    target_region: String,
    #[arg(long, value_enum, default_value = "overwrite")]
    write_mode: WriteModeArg,
    /// Print the report as JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Args)]
pub struct VerifyArgs {
    #[arg(long)]
    source: String,
    #[arg(long)]
    target: String,
    #[command(flatten)]
    source_password: SourcePassword,
    #[command(flatten)]
    target_password: TargetPassword,
    /// Print the report as JSON.
    #[arg(long)]
    json: bool,
}

/// `ferry instances add`: boxed in [`InstancesCmd`], whose other commands are small.
#[derive(Args)]
pub struct AddInstance {
    #[arg(long)]
    name: String,
    #[arg(long)]
    region: String,
    /// redis://[user@]host:port (rediss:// for TLS); its password (see --password-file) is kept in the OS keychain,
    /// or in the encrypted file when FERRY_MASTER_KEY is set
    #[arg(long)]
    url: String,
    #[command(flatten)]
    password: InstancePassword,
    #[arg(long, default_value = "standard")]
    edition: String,
    /// Its hot-standby access proxy, host:port.
    #[arg(long)]
    proxy: Option<String>,
    /// Another node of a cluster instance, host:port, tried when the one in --url does not
    /// answer (repeat for more)
    #[arg(long = "seed", value_name = "HOST:PORT")]
    seeds: Vec<String>,
}

#[derive(Subcommand)]
pub enum InstancesCmd {
    /// Register a target instance.
    Add(Box<AddInstance>),
    /// List instances, grouped by region.
    List {
        #[arg(long)]
        region: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Remove an instance (by id or name).
    Remove { instance: String },
    /// Connect to an instance and show its version, latency and keys.
    Test { instance: String },
}

#[derive(Subcommand)]
pub enum TasksCmd {
    /// Create a task: runs the pre-check; errors block, warnings need --accept-warnings.
    Create(Box<CreateArgs>),
    /// List tasks, newest first.
    List {
        #[arg(long)]
        region: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// A task's status, events, progress and check results.
    Show {
        task: String,
        #[arg(long)]
        json: bool,
    },
    /// Run a task in this process until it completes, fails or is cancelled (Ctrl-C cancels it).
    Start {
        task: String,
        #[arg(long)]
        json: bool,
    },
    /// Cancel a task; the source's parameters are restored.
    Cancel { task: String },
    /// Disconnect sync: wait until the target has everything, stop the sync, complete the task.
    Cutover {
        task: String,
        /// Do not pause writes on the source while the target catches up.
        #[arg(long)]
        no_pause: bool,
        #[arg(long, default_value_t = 60)]
        timeout: u64,
    },
    /// Compare a task's source and target now.
    Verify {
        task: String,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Args)]
pub struct CreateArgs {
    #[arg(long)]
    name: String,
    /// redis://[user@]host:port (rediss:// for TLS), or redis+sentinel://[user@]host:26379[,host:port]/master-name for a
    /// source managed by Sentinel (rediss+sentinel:// for TLS to the Sentinels and the master); its password (see --source-password-file) is kept in the OS
    /// keychain, or in the encrypted file when FERRY_MASTER_KEY is set
    #[arg(long)]
    source: String,
    #[command(flatten)]
    source_password: SourcePassword,
    /// The target instance, by id or name.
    #[arg(long)]
    target: String,
    #[arg(long = "type", value_enum, default_value = "public-network")]
    kind: KindArg,
    #[arg(long)]
    source_region: Option<String>,
    #[arg(long, value_enum, default_value = "overwrite")]
    write_mode: WriteModeArg,
    #[command(flatten)]
    filter: FilterArgs,
    #[arg(long, default_value_t = Params::default().output_buffer_hard_mb)]
    output_buffer_hard_mb: u64,
    #[arg(long, default_value_t = Params::default().output_buffer_soft_mb)]
    output_buffer_soft_mb: u64,
    #[arg(long, default_value_t = Params::default().output_buffer_soft_seconds)]
    output_buffer_soft_seconds: u64,
    #[arg(long, default_value_t = Params::default().backlog_mb)]
    backlog_mb: u64,
    #[arg(long, default_value_t = Params::default().repl_timeout_seconds)]
    repl_timeout_seconds: u64,
    /// Go ahead although the check found warnings.
    #[arg(long)]
    accept_warnings: bool,
}

pub(crate) fn fail(message: impl std::fmt::Display) -> ExitCode {
    eprintln!("error: {message}");
    ExitCode::from(1)
}

pub(crate) fn print_json(value: &impl serde::Serialize) {
    match serde_json::to_string(value) {
        Ok(line) => println!("{line}"),
        Err(e) => eprintln!("error: {e}"),
    }
}

fn level(l: Level) -> &'static str {
    match l {
        Level::Pass => "pass",
        Level::Warning => "warning",
        Level::Error => "error",
        Level::Skipped => "skipped",
    }
}

fn print_item(item: &CheckItem) {
    // Padding needs a string: a Text writes itself whole.
    println!("{:<8} {:<20} {:<28} {}", level(item.level), item.id, item.value.to_string(), item.message);
}

fn report_exit(report: &CheckReport) -> ExitCode {
    let errors = report.items.iter().filter(|i| i.level == Level::Error).count();
    let warnings = report.items.iter().filter(|i| i.level == Level::Warning).count();
    let skipped = report.items.iter().filter(|i| i.level == Level::Skipped).count();
    let skipped = if skipped > 0 { format!(", {skipped} not checked") } else { String::new() };
    eprintln!(
        "{} items: {errors} errors, {warnings} warnings{skipped} ({} ms)",
        report.items.len(),
        report.duration_ms
    );
    if errors > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// `--source` where it is now: for a `redis+sentinel://` URL, the master its Sentinels name.
async fn source_now(flags: &SourcePassword, url: &str) -> Result<Endpoint, ExitCode> {
    let (endpoint, sentinel) = flags.source(url)?;
    ferry::sentinel::resolve(&endpoint, sentinel.as_ref()).await.map_err(fail)
}

pub async fn check(args: CheckArgs) -> ExitCode {
    let (source, target) =
        match (source_now(&args.source_password, &args.source).await, args.target_password.endpoint(&args.target)) {
            (Ok(s), Ok(t)) => (s, t),
            (Err(code), _) | (_, Err(code)) => return code,
        };
    let mut input = CheckInput::new(source, target);
    input.kind = args.kind.into();
    input.source_region = args.source_region;
    input.target_region = args.target_region;
    input.write_mode = args.write_mode.into();
    let json = args.json;
    // The bar lives between the items printed before the scan and the scan's own item.
    let scan = std::cell::RefCell::new(ScanView::new(json));
    let report = console::check_endpoints(
        &input,
        |item| {
            scan.borrow_mut().finish();
            if !json {
                print_item(item);
            }
        },
        |p| scan.borrow_mut().show(p),
    )
    .await;
    if json {
        print_json(&report);
    }
    report_exit(&report)
}

fn print_verify(report: &VerifyReport, json: bool) -> ExitCode {
    if json {
        print_json(report);
    } else {
        let not_carried = match report.not_carried {
            0 => String::new(),
            n => format!(", {n} not carried (what commands cannot give this target)"),
        };
        println!(
            "{} keys compared: {} missing, {} extra, {} different{not_carried} ({} ms)",
            report.keys_compared, report.missing, report.extra, report.different, report.duration_ms
        );
        for d in &report.differences {
            println!("  db{} {:?} {:?}: {}", d.db, d.key, d.kind, d.detail);
        }
    }
    if report.identical() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

pub async fn verify(args: VerifyArgs) -> ExitCode {
    let (source, target) =
        match (source_now(&args.source_password, &args.source).await, args.target_password.endpoint(&args.target)) {
            (Ok(s), Ok(t)) => (s, t),
            (Err(code), _) | (_, Err(code)) => return code,
        };
    let mut view = VerifyView::new(args.json);
    let result = console::verify_endpoints(&source, &target, &Filter::default(), &mut |p| view.show(p)).await;
    view.finish();
    match result {
        Ok(report) => print_verify(&report, args.json),
        Err(e) => fail(e),
    }
}

pub(crate) async fn open() -> Result<Arc<Console>, ExitCode> {
    Console::open(None).await.map_err(fail)
}

/// An instance id from an id or a name.
pub(crate) fn instance_id(console: &Console, reference: &str) -> Result<i64, ExitCode> {
    let all = console.instances(None).map_err(fail)?;
    all.iter()
        .find(|i| i.id.to_string() == reference || i.name == reference)
        .map(|i| i.id)
        .ok_or_else(|| fail(format!("no instance {reference:?}; `ferry instances list` shows them")))
}

/// A task id from an id or a name.
fn task_id(console: &Console, reference: &str) -> Result<i64, ExitCode> {
    if let Ok(id) = reference.parse::<i64>() {
        if console.task(id).is_ok() {
            return Ok(id);
        }
    }
    console
        .tasks(&TaskFilter::default())
        .map_err(fail)?
        .into_iter()
        .find(|t| t.spec.name == reference)
        .map(|t| t.id)
        .ok_or_else(|| fail(format!("no task {reference:?}; `ferry tasks list` shows them")))
}

pub async fn instances(cmd: InstancesCmd) -> ExitCode {
    instances_inner(cmd).await.unwrap_or_else(|code| code)
}

/// `Err` carries the exit code of a failure already reported, so `?` can end the command.
async fn instances_inner(cmd: InstancesCmd) -> Result<ExitCode, ExitCode> {
    let console = open().await?;
    Ok(match cmd {
        InstancesCmd::Add(add) => {
            let AddInstance { name, region, url, password, edition, proxy, seeds } = *add;
            let ep = password.endpoint(&url)?;
            let edition = match edition.as_str() {
                "standard" => Edition::Standard,
                "cluster" => Edition::Cluster,
                other => {
                    eprintln!("error: --edition must be standard or cluster, not {other:?}");
                    return Err(ExitCode::from(2));
                }
            };
            let input = InstanceInput {
                name,
                region,
                host: ep.host.clone(),
                port: ep.port,
                user: ep.user.clone(),
                edition,
                proxy,
                seeds,
                tls: ep.tls.clone(),
                ssh: ep.ssh.clone(),
                ssh_secret: ep.ssh.as_ref().and_then(|s| s.secret.as_ref()).map(|s| s.expose().to_string()),
            };
            match console.add_instance(&input, ep.password.as_ref().map(|p| p.expose())) {
                Ok(i) => {
                    println!("instance {} {:?} registered in {}", i.id, i.name, i.region);
                    ExitCode::SUCCESS
                }
                Err(e) => fail(e),
            }
        }
        InstancesCmd::List { region, json } => match console.instances(region.as_deref()) {
            Ok(list) if json => {
                print_json(&list);
                ExitCode::SUCCESS
            }
            Ok(list) => {
                let mut last = None;
                for i in &list {
                    if last != Some(&i.region) {
                        println!("{}", i.region);
                        last = Some(&i.region);
                    }
                    println!("  {:>4} {:<24} {}:{} {:?}", i.id, i.name, i.host, i.port, i.edition);
                }
                if list.is_empty() {
                    println!("no instances yet: `ferry instances add --name N --region R --url redis://host:port`");
                }
                ExitCode::SUCCESS
            }
            Err(e) => fail(e),
        },
        InstancesCmd::Remove { instance } => {
            let id = instance_id(&console, &instance)?;
            match console.remove_instance(id) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => fail(e),
            }
        }
        InstancesCmd::Test { instance } => {
            let id = instance_id(&console, &instance)?;
            match console.test_instance(id).await {
                Ok(t) => {
                    println!("{}, {:.2} ms, {} keys", t.version, t.latency_ms, t.keys);
                    ExitCode::SUCCESS
                }
                Err(e) => fail(e),
            }
        }
    })
}

fn print_task(t: &Task) {
    println!(
        "{:>4} {:<24} {:<17} {}:{} -> instance {}",
        t.id,
        t.spec.name,
        t.status.label(),
        t.spec.source.host,
        t.spec.source.port,
        t.spec.target_instance
    );
}

/// What of the source a task migrates: the flags `tasks create` and `migrate` share.
#[derive(clap::Args, Debug)]
pub(crate) struct FilterArgs {
    /// Db mapping, e.g. 0:1,2:3 (source:target); a cluster target needs every db mapped into 0.
    #[arg(long, value_delimiter = ',')]
    pub db_map: Vec<String>,
    /// Key patterns to include (default: all), e.g. user:*
    #[arg(long)]
    pub include: Vec<String>,
    /// Key patterns to leave out.
    #[arg(long)]
    pub exclude: Vec<String>,
}

pub(crate) fn parse_db_map(items: &[String]) -> Result<Vec<DbMapping>, ExitCode> {
    items
        .iter()
        .map(|m| {
            let parsed = m
                .split_once(':')
                .and_then(|(a, b)| Some(DbMapping { source: a.parse().ok()?, target: b.parse().ok()? }));
            parsed.ok_or_else(|| {
                eprintln!("error: --db-map {m:?}: expected SOURCE:TARGET db numbers, e.g. 0:1");
                ExitCode::from(2)
            })
        })
        .collect()
}

pub async fn tasks(cmd: TasksCmd) -> ExitCode {
    tasks_inner(cmd).await.unwrap_or_else(|code| code)
}

/// `Err` carries the exit code of a failure already reported, so `?` can end the command.
async fn tasks_inner(cmd: TasksCmd) -> Result<ExitCode, ExitCode> {
    let console = open().await?;
    let id_of = |r: &str| task_id(&console, r);
    Ok(match cmd {
        TasksCmd::Create(args) => create(&console, *args).await?,
        TasksCmd::List { region, json } => match console.tasks(&TaskFilter { region, ..TaskFilter::default() }) {
            Ok(list) if json => {
                print_json(&list);
                ExitCode::SUCCESS
            }
            Ok(list) => {
                list.iter().for_each(print_task);
                ExitCode::SUCCESS
            }
            Err(e) => fail(e),
        },
        TasksCmd::Show { task, json } => {
            let id = id_of(&task)?;
            match console.task_detail(id) {
                Ok(d) if json => {
                    print_json(&d);
                    ExitCode::SUCCESS
                }
                Ok(d) => {
                    print_task(&d.task);
                    if let Some(reason) = &d.task.reason {
                        println!("  reason: {reason}");
                    }
                    for e in &d.events {
                        println!("  {} {:<7} {}", e.at_ms, e.kind, e.message);
                    }
                    if let Some(p) = &d.progress {
                        println!(
                            "  progress: {} keys, offset {} applied {} lag {} B",
                            p.keys_written, p.source_offset, p.applied_offset, p.lag_bytes
                        );
                    }
                    ExitCode::SUCCESS
                }
                Err(e) => fail(e),
            }
        }
        TasksCmd::Start { task, json } => {
            let id = id_of(&task)?;
            follow(&console, id, json).await
        }
        TasksCmd::Cancel { task } => {
            let id = id_of(&task)?;
            match console.cancel_task(id).await {
                Ok(t) => {
                    print_task(&t);
                    ExitCode::SUCCESS
                }
                Err(e) => fail(e),
            }
        }
        TasksCmd::Cutover { task, no_pause, timeout } => {
            let id = id_of(&task)?;
            // Show what the latest verify found: the cutover is the point of no return.
            match console.task_detail(id).map(|d| d.verify) {
                Ok(Some(v)) => println!(
                    "latest verify: {} keys compared, {} missing, {} extra, {} different",
                    v.keys_compared, v.missing, v.extra, v.different
                ),
                _ => {
                    println!("no verify has run for this task; `ferry tasks verify {task}` compares source and target")
                }
            }
            match console.cutover_task(id, CutoverOptions { pause_writes: !no_pause, timeout_secs: timeout }).await {
                Ok(t) => {
                    print_task(&t);
                    println!("  final lag {} bytes", t.final_lag_bytes.unwrap_or(0));
                    ExitCode::SUCCESS
                }
                Err(e) => fail(e),
            }
        }
        TasksCmd::Verify { task, json } => {
            let id = id_of(&task)?;
            let mut view = VerifyView::new(json);
            let result = console.verify_task(id, &mut |p| view.show(p)).await;
            view.finish();
            match result {
                Ok(report) => print_verify(&report, json),
                Err(e) => fail(e),
            }
        }
    })
}

async fn create(console: &Console, args: CreateArgs) -> Result<ExitCode, ExitCode> {
    let (source, sentinel) = args.source_password.source(&args.source)?;
    let target = instance_id(console, &args.target)?;
    let db_mapping = parse_db_map(&args.filter.db_map)?;
    let spec = TaskSpec {
        name: args.name,
        kind: args.kind.into(),
        source: SourceSpec {
            host: source.host.clone(),
            port: source.port,
            user: source.user.clone(),
            has_password: source.password.is_some(),
            region: args.source_region,
            sentinel,
            tls: source.tls.clone(),
            ssh: source.ssh.clone(),
        },
        target_instance: target,
        params: Params {
            output_buffer_hard_mb: args.output_buffer_hard_mb,
            output_buffer_soft_mb: args.output_buffer_soft_mb,
            output_buffer_soft_seconds: args.output_buffer_soft_seconds,
            backlog_mb: args.backlog_mb,
            repl_timeout_seconds: args.repl_timeout_seconds,
        },
        write_mode: args.write_mode.into(),
        db_mapping,
        include: args.filter.include,
        exclude: args.filter.exclude,
        sync: Default::default(),
    };
    let request = TaskRequest {
        spec,
        source_password: source.password.as_ref().map(|p| p.expose().to_string()),
        ssh_secret: source.ssh.as_ref().and_then(|s| s.secret.as_ref()).map(|s| s.expose().to_string()),
    };
    let (task, report) = console.create_task(&request, args.accept_warnings).await.map_err(fail)?;
    report.items.iter().for_each(print_item);
    println!("task {} {:?} created ({})", task.id, task.spec.name, task.status.label());
    Ok(ExitCode::SUCCESS)
}

/// Starts a task here and shows it until it ends; Ctrl-C cancels it (restoring the parameters).
async fn follow(console: &Arc<Console>, id: i64, json: bool) -> ExitCode {
    let mut events = console.subscribe();
    if let Err(e) = console.start_task(id).await {
        return fail(e);
    }
    let interrupt = crate::wait_for_signal();
    tokio::pin!(interrupt);
    loop {
        tokio::select! {
            _ = &mut interrupt => {
                eprintln!("stopping: cancelling the task and restoring the source's parameters");
                return match console.cancel_task(id).await {
                    Ok(_) => ExitCode::from(1),
                    Err(e) => fail(e),
                };
            }
            event = events.recv() => {
                let event = match event {
                    Ok(e) => e,
                    Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => continue,
                    Err(_) => return fail("the console closed"),
                };
                if json {
                    print_json(&event);
                }
                match event {
                    ConsoleEvent::TaskChanged { task } if task.id == id => {
                        if !json {
                            let reason = task.reason.as_ref().map(Text::to_string).unwrap_or_default();
                            println!("{}: {reason}", task.status.label());
                        }
                        match task.status {
                            TaskStatus::Completed => return ExitCode::SUCCESS,
                            TaskStatus::Failed | TaskStatus::Cancelled | TaskStatus::CheckFailed => return ExitCode::from(1),
                            _ => {}
                        }
                    }
                    ConsoleEvent::Progress { task_id, progress } if task_id == id && !json => {
                        println!(
                            "  {} keys {} lag {} B (applied {} of {})",
                            progress.phase.label(), progress.keys_written, progress.lag_bytes, progress.applied_offset, progress.source_offset
                        );
                    }
                    _ => {}
                }
            }
            // A runner that lost its lease ends without a status of its own (another process
            // has the task): then this process has nothing more to follow.
            _ = tokio::time::sleep(Duration::from_secs(1)) => {
                if !console.runs_here(id) {
                    eprintln!("this process no longer runs the task (it stalled and the task was taken over); start it again to resume");
                    return ExitCode::from(1);
                }
            }
        }
    }
}
