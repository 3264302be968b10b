//! `ferry standby`: saved hot-standby pairs, and running one as a service.
//!
//! `ferry standby run NAME` is what the systemd unit `ferry-standby@NAME` (installed by the .deb and
//! .rpm) runs: the pair's proxy in the foreground until SIGTERM, its events on stdout. The desktop
//! app shows such a pair and can ask it for a switchover or a stop through the store.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Subcommand;
use ferry::console::{Console, PairRunner, StandbyInput, StandbyView};

use crate::console_cmds::{fail, instance_id, open, print_json};

#[derive(Subcommand)]
pub enum StandbyCmd {
    /// Save a pair: two registered instances (or the master and its Sentinels) behind a proxy.
    Add {
        /// The pair's name (`ferry standby run NAME`, `ferry-standby@NAME`).
        name: String,
        /// The registered instance that is the master now (id or name).
        #[arg(long)]
        master: String,
        /// The registered instance replicating from it (id or name); not with --sentinel.
        #[arg(long, required_unless_present = "sentinel", conflicts_with = "sentinel")]
        replica: Option<String>,
        /// Sentinel mode: the Sentinels and the master's name,
        /// redis+sentinel://host:26379[,host:port...]/<master name>
        #[arg(long, value_name = "URL")]
        sentinel: Option<String>,
        /// Where the proxy listens, e.g. 0.0.0.0:6380.
        #[arg(long)]
        listen: String,
        /// Acknowledge a write only once the standby has it.
        #[arg(long)]
        sync_writes: bool,
        /// A password of the proxy's own, read from this file (or from FERRY_PROXY_PASSWORD): clients
        /// AUTH with it. Without it, clients log in with the servers' own users.
        #[arg(long, value_name = "FILE")]
        password_file: Option<PathBuf>,
    },
    /// The saved pairs, and which process runs each.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Run a saved pair's proxy in the foreground until Ctrl-C or SIGTERM (as a service does).
    Run { pair: String },
    /// Ask for a planned switchover of a running pair, wherever it runs.
    Switchover { pair: String },
    /// Stop a running pair, wherever it runs (the pair stays saved).
    Stop { pair: String },
    /// Forget a saved pair that no process runs.
    Remove { pair: String },
}

pub async fn standby(cmd: StandbyCmd) -> ExitCode {
    inner(cmd).await.unwrap_or_else(|code| code)
}

async fn inner(cmd: StandbyCmd) -> Result<ExitCode, ExitCode> {
    let console = open().await?;
    Ok(match cmd {
        StandbyCmd::Add { name, master, replica, sentinel, listen, sync_writes, password_file } => {
            let master_instance = instance_id(&console, &master)?;
            let replica_instance = replica.as_deref().map(|r| instance_id(&console, r)).transpose()?;
            let sentinel = match sentinel.as_deref().map(ferry::sentinel::parse_url) {
                None => None,
                Some(Some(Ok((_, spec)))) => Some(spec),
                Some(Some(Err(e))) => return Err(usage(&format!("--sentinel: {e}"))),
                Some(None) => {
                    return Err(usage("--sentinel takes redis+sentinel://host:26379[,host:port...]/<master name>"))
                }
            };
            let proxy_password = match &password_file {
                Some(path) => Some(
                    std::fs::read_to_string(path)
                        .map_err(|e| usage(&format!("cannot read --password-file {}: {e}", path.display())))?
                        .trim_end_matches(['\r', '\n'])
                        .to_string(),
                ),
                None => std::env::var("FERRY_PROXY_PASSWORD").ok(),
            };
            let input = StandbyInput {
                name,
                master_instance,
                replica_instance,
                listen,
                sync_writes,
                listen_tls: None,
                proxy_password,
                sentinel,
            };
            match console.save_standby(&input) {
                Ok(pair) => {
                    println!(
                        "pair {} {:?} saved; run it with `ferry standby run {}` (or systemctl enable --now ferry-standby@{})",
                        pair.id, pair.name, pair.name, pair.name
                    );
                    ExitCode::SUCCESS
                }
                Err(e) => fail(e),
            }
        }
        StandbyCmd::List { json } => match console.standbys() {
            Ok(pairs) if json => {
                print_json(&pairs);
                ExitCode::SUCCESS
            }
            Ok(pairs) => {
                for p in &pairs {
                    println!("{:>4} {:<20} {:<22} {}", p.id, p.name, p.listen, describe(p));
                }
                if pairs.is_empty() {
                    println!("no pairs yet: `ferry standby add NAME --master I --replica J --listen ADDR`");
                }
                ExitCode::SUCCESS
            }
            Err(e) => fail(e),
        },
        StandbyCmd::Run { pair } => run(&console, &pair).await?,
        StandbyCmd::Switchover { pair } => {
            let id = pair_id(&console, &pair)?;
            match console.switchover(id).await {
                Ok(v) => {
                    println!("switched over: the master is now {} (route epoch {})", v.master, v.epoch);
                    ExitCode::SUCCESS
                }
                Err(e) => fail(e),
            }
        }
        StandbyCmd::Stop { pair } => {
            let id = pair_id(&console, &pair)?;
            match console.stop_standby(id).await {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => fail(e),
            }
        }
        StandbyCmd::Remove { pair } => {
            let id = pair_id(&console, &pair)?;
            match console.remove_standby(id).await {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => fail(e),
            }
        }
    })
}

/// Runs the pair until Ctrl-C or SIGTERM, or until it is stopped from elsewhere.
async fn run(console: &Console, pair: &str) -> Result<ExitCode, ExitCode> {
    let id = pair_id(console, pair)?;
    let mut events = console.subscribe_standbys();
    let view = console.run_standby(id).await.map_err(fail)?;
    eprintln!(
        "pair {:?}: proxy listening on {} → master {} (route epoch {}); pid {}",
        view.name,
        view.listen,
        view.master,
        view.epoch,
        std::process::id()
    );
    let interrupt = crate::wait_for_signal();
    tokio::pin!(interrupt);
    let mut check = tokio::time::interval(std::time::Duration::from_secs(1));
    loop {
        tokio::select! {
            _ = &mut interrupt => break,
            event = events.recv() => match event {
                Ok(e) => println!("{} epoch {} {:?}: {}", e.event.at_ms, e.event.epoch, e.event.kind, e.event.detail),
                Err(tokio::sync::broadcast::error::RecvError::Lagged(n)) => eprintln!("({n} events skipped)"),
                Err(_) => break,
            },
            _ = check.tick() => {
                // Stopped from elsewhere (the app), or its lease lost: the run is over.
                if console.standbys_running_here() == 0 {
                    eprintln!("the pair was stopped from another process");
                    return Ok(ExitCode::SUCCESS);
                }
            }
        }
    }
    let _ = console.stop_standby(id).await;
    Ok(ExitCode::SUCCESS)
}

fn describe(p: &StandbyView) -> String {
    let runner = match &p.runner {
        PairRunner::Here => "running here".to_string(),
        PairRunner::Elsewhere { name } => format!("run by {name}"),
        PairRunner::Stopped => "stopped".to_string(),
    };
    format!("master {} standby {} epoch {} ({runner})", p.master, p.standby, p.epoch)
}

fn pair_id(console: &Console, reference: &str) -> Result<i64, ExitCode> {
    console.find_standby(reference).map_err(fail)
}

fn usage(message: &str) -> ExitCode {
    eprintln!("error: {message}");
    ExitCode::from(2)
}
