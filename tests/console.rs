//! The console API end to end against real servers: instances, tasks through their whole
//! lifecycle, parameters put back however a task ends, and a store that survives restarts.
//! Passwords go to the OS keychain (the test command runs a headless GNOME Keyring).

mod support;

use std::sync::Arc;
use std::time::{Duration, Instant};

use ferry::console::{Console, ConsoleError, ConsoleEvent, CutoverOptions, TaskRequest};
use ferry::model::{Edition, InstanceInput, MigrationType, Params, SourceSpec, TaskSpec, TaskStatus, WriteMode};
use ferry::pipeline::Phase;
use ferry::store::{Store, TaskFilter};
use support::data::{fill_all_types, fill_bulk};
use support::{cmd, RedisServer};

fn instance_input(name: &str, region: &str, server: &RedisServer) -> InstanceInput {
    support::instance_input(name, region, server.port)
}

fn request(name: &str, source: &RedisServer, target_instance: i64, password: Option<&str>) -> TaskRequest {
    TaskRequest {
        spec: TaskSpec {
            name: name.into(),
            kind: MigrationType::PublicNetwork,
            source: SourceSpec {
                host: "127.0.0.1".into(),
                port: source.port,
                user: None,
                has_password: password.is_some(),
                region: None,
                sentinel: None,
                tls: None,
                ssh: None,
            },
            target_instance,
            params: Params::default(),
            write_mode: WriteMode::Overwrite,
            db_mapping: vec![],
            include: vec![],
            exclude: vec![],
            sync: Default::default(),
        },
        source_password: password.map(str::to_string),
        ssh_secret: None,
    }
}

async fn config(server_client: &mut ferry::client::Client, name: &str) -> String {
    let reply = cmd(server_client, &["CONFIG", "GET", name]).await;
    match reply {
        ferry::resp::Frame::Array(items) => {
            items.get(1).and_then(|f| f.as_bytes()).map(|b| String::from_utf8_lossy(b).into_owned()).unwrap_or_default()
        }
        other => panic!("CONFIG GET {name}: {other:?}"),
    }
}

async fn wait_status(console: &Console, id: i64, status: TaskStatus, secs: u64) {
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        let task = console.task(id).unwrap();
        if task.status == status {
            return;
        }
        assert!(
            !task.status.is_final() && task.status != TaskStatus::CheckFailed,
            "task ended as {:?} ({:?}) while waiting for {status:?}; events: {:?}",
            task.status,
            task.reason,
            console.task_detail(id).map(|d| d.events)
        );
        assert!(Instant::now() < deadline, "no {status:?} after {secs} s, still {:?}", task.status);
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn setup(source: &RedisServer, target: &RedisServer) -> (tempfile::TempDir, Arc<Console>, i64) {
    let dir = tempfile::tempdir().unwrap();
    let console = Console::open(Some(dir.path())).await.unwrap();
    let instance = console.add_instance(&instance_input("target", "ap-guangzhou", target), None).unwrap();
    let _ = source;
    (dir, console, instance.id)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_task_runs_to_completed_and_restores_the_parameters() {
    let source = RedisServer::start_args(&["--requirepass", "src-pass"]);
    let target = RedisServer::start();
    let mut src = ferry::client::Client::connect(
        &ferry::endpoint::Endpoint::parse(&format!("redis://:src-pass@127.0.0.1:{}", source.port)).unwrap(),
    )
    .await
    .unwrap();
    fill_all_types(&mut src).await;
    let backlog_before = config(&mut src, "repl-backlog-size").await;
    let timeout_before = config(&mut src, "repl-timeout").await;
    let (_dir, console, target_id) = setup(&source, &target).await;

    let req = request("lifecycle", &source, target_id, Some("src-pass"));
    let rows = console.parameter_rows(&req).await.unwrap();
    let backlog = rows.iter().find(|r| r.name == "repl-backlog-size").expect("a backlog row");
    assert_eq!(backlog.value, (512u64 << 20).to_string());
    assert_eq!(backlog.current.as_deref(), Some(backlog_before.as_str()));

    let (task, report) = console.create_task(&req, true).await.unwrap();
    assert!(!report.has_errors(), "{report:?}");
    assert_eq!(task.status, TaskStatus::NotStarted);
    assert!(task.spec.source.has_password);

    console.start_task(task.id).await.unwrap();
    wait_status(&console, task.id, TaskStatus::IncrementalSync, 60).await;
    assert_eq!(config(&mut src, "repl-backlog-size").await, (512u64 << 20).to_string(), "set while it runs");
    for i in 0..200 {
        cmd(&mut src, &["SET", &format!("live:{i}"), "x"]).await;
    }
    // The verify re-checks keys that differ, so writes still in flight are no false alarm.
    let report = console.verify_task(task.id, &mut |_| {}).await.unwrap();
    assert!(report.identical(), "{report:?}");

    let done = console.cutover_task(task.id, CutoverOptions { pause_writes: true, timeout_secs: 30 }).await.unwrap();
    assert_eq!(done.status, TaskStatus::Completed);
    assert_eq!(done.final_lag_bytes, Some(0), "pausing writes leaves no lag");
    assert!(done.cutover_at_ms.is_some());
    assert_eq!(config(&mut src, "repl-backlog-size").await, backlog_before, "restored");
    assert_eq!(config(&mut src, "repl-timeout").await, timeout_before, "restored");
    // Writes go through again after the cutover (the pause is over).
    cmd(&mut src, &["SET", "after", "1"]).await;

    let detail = console.task_detail(task.id).unwrap();
    let statuses: Vec<String> =
        detail.events.iter().filter(|e| e.kind == "status").map(|e| e.message.to_string()).collect();
    assert!(statuses.len() >= 5, "every transition recorded: {statuses:?}");
    assert!(detail.events.windows(2).all(|w| w[0].at_ms <= w[1].at_ms));
    assert!(detail.progress.is_some() && detail.check.is_some() && detail.verify.is_some());
    assert!(console.snapshots(task.id, 100).unwrap().len() >= 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancel_restores_the_parameters() {
    let source = RedisServer::start();
    let target = RedisServer::start();
    let mut src = source.client().await;
    fill_bulk(&mut src, 1000).await;
    let before = config(&mut src, "repl-backlog-size").await;
    let (_dir, console, target_id) = setup(&source, &target).await;
    let (task, _) = console.create_task(&request("to-cancel", &source, target_id, None), true).await.unwrap();
    console.start_task(task.id).await.unwrap();
    wait_status(&console, task.id, TaskStatus::IncrementalSync, 60).await;
    assert_ne!(config(&mut src, "repl-backlog-size").await, before);
    let cancelled = console.cancel_task(task.id).await.unwrap();
    assert_eq!(cancelled.status, TaskStatus::Cancelled);
    assert_eq!(config(&mut src, "repl-backlog-size").await, before);
    assert!(matches!(console.start_task(task.id).await, Err(ConsoleError::WrongStatus { .. })), "cancelled is final");
}

/// The form's pre-check tells the window how far the big-key scan is, before the scan's item.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_pre_check_reports_its_big_key_scan() {
    let (source, target) = (RedisServer::start(), RedisServer::start());
    fill_bulk(&mut source.client().await, 2000).await;
    let (_dir, console, target_id) = setup(&source, &target).await;
    let mut events = console.subscribe();
    let report = console.check(&request("scan", &source, target_id, None)).await.unwrap();
    assert!(report.get("source.bigkeys").is_some());
    let (mut scans, mut bigkeys_at) = (Vec::new(), None);
    while let Ok(event) = events.try_recv() {
        match event {
            ConsoleEvent::CheckScan { task_id: None, progress } => scans.push(progress),
            ConsoleEvent::CheckItem { item, .. } if item.id == "source.bigkeys" => bigkeys_at = Some(scans.len()),
            _ => {}
        }
    }
    assert!(!scans.is_empty(), "no scan progress was sent");
    assert_eq!((scans[0].looked_at, scans[0].of), (0, 2000));
    assert_eq!(scans.last().unwrap().looked_at, 2000);
    assert!(scans.last().unwrap().done, "the last step says it is the last");
    assert_eq!(bigkeys_at, Some(scans.len()), "every scan step comes before the scan's item");
}

/// Quitting the app (or a SIGTERM) interrupts its tasks cleanly: the sync stops, the source's
/// parameters go back, the task says why, and a new console (the app started again) resumes it
/// from the target's checkpoint at once, without a full sync.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn quitting_interrupts_tasks_and_a_restart_resumes_them() {
    let (source, target) = (RedisServer::start(), RedisServer::start());
    let mut src = source.client().await;
    fill_bulk(&mut src, 1000).await;
    let before = config(&mut src, "repl-backlog-size").await;
    let (dir, console, target_id) = setup(&source, &target).await;
    let (task, _) = console.create_task(&request("on-quit", &source, target_id, None), true).await.unwrap();
    console.start_task(task.id).await.unwrap();
    wait_status(&console, task.id, TaskStatus::IncrementalSync, 60).await;
    assert_eq!(console.tasks_running_here(), 1);
    assert_ne!(config(&mut src, "repl-backlog-size").await, before);

    console.interrupt_tasks_here().await;
    assert_eq!(console.tasks_running_here(), 0, "every runner has let go");
    let stopped = console.task(task.id).unwrap();
    assert_eq!(stopped.status, TaskStatus::Interrupted);
    assert_eq!(stopped.reason.as_ref().map(|r| r.code.as_str()), Some("task.interrupted.quit"), "{:?}", stopped.reason);
    assert!(stopped.reason.unwrap().render(ferry::text::Lang::Zh).contains("Ferry 已关闭"));
    assert_eq!(config(&mut src, "repl-backlog-size").await, before, "the source's parameters are back");
    cmd(&mut src, &["SET", "written:while-closed", "1"]).await;

    // The app started again on the same data: the task resumes from the checkpoint.
    drop(console);
    let again = Console::open(Some(dir.path())).await.unwrap();
    again.start_task(task.id).await.unwrap();
    wait_status(&again, task.id, TaskStatus::IncrementalSync, 60).await;
    let events = again.task_detail(task.id).unwrap().events;
    let resumed = events.iter().any(|e| e.message.to_string().contains("resumed"));
    assert!(resumed, "{:?}", events.iter().map(|e| e.message.to_string()).collect::<Vec<_>>());
    let mut dst = target.client().await;
    let deadline = Instant::now() + Duration::from_secs(10);
    while cmd(&mut dst, &["EXISTS", "written:while-closed"]).await != ferry::resp::Frame::Integer(1) {
        assert!(Instant::now() < deadline, "the write made while closed never reached the target");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(again.cancel_task(task.id).await.unwrap().status, TaskStatus::Cancelled);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_start_waits_for_a_process_putting_back_parameters_and_not_for_a_runner() {
    let (source, target) = (RedisServer::start(), RedisServer::start());
    fill_bulk(&mut source.client().await, 100).await;
    let (_dir, console, target_id) = setup(&source, &target).await;
    let (task, _) = console.create_task(&request("contended", &source, target_id, None), true).await.unwrap();
    // Another process (another host, so only its heartbeat speaks for it) holds the task.
    let other = Store::open(console.data_path().parent().unwrap()).unwrap();
    assert!(other.claim(task.id, "elsewhere/1/1").unwrap());
    let refused = console.start_task(task.id).await;
    assert!(matches!(refused, Err(ConsoleError::RunningElsewhere { .. })), "{refused:?}");
    other.release(task.id, "elsewhere/1/1").unwrap();
    // It only puts back the source's parameters after a dead runner: the start waits for it.
    let recovering = ferry::store::recovering("elsewhere/1/1");
    assert!(other.claim(task.id, &recovering).unwrap());
    let releaser = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(600)).await;
        other.release(task.id, &recovering).unwrap();
    });
    let started = Instant::now();
    console.start_task(task.id).await.unwrap();
    assert!(started.elapsed() >= Duration::from_millis(500), "started under a recovering process");
    releaser.await.unwrap();
    wait_status(&console, task.id, TaskStatus::IncrementalSync, 60).await;
    assert_eq!(console.cancel_task(task.id).await.unwrap().status, TaskStatus::Cancelled);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn errors_block_creation_and_warnings_need_consent() {
    let source = RedisServer::start();
    let target = RedisServer::start_args(&["--maxmemory-policy", "allkeys-lru"]);
    let mut tgt = target.client().await;
    cmd(&mut tgt, &["SET", "already", "here"]).await;
    let (_dir, console, target_id) = setup(&source, &target).await;

    let mut req = request("blocked", &source, target_id, None);
    req.spec.write_mode = WriteMode::FailOnExisting;
    let err = console.create_task(&req, true).await.unwrap_err();
    assert!(matches!(err, ConsoleError::CheckFailed { .. }) && err.to_string().contains("target.empty"), "{err}");

    req.spec.write_mode = WriteMode::Overwrite;
    let err = console.create_task(&req, false).await.unwrap_err();
    assert!(err.to_string().contains("target.eviction"), "{err}");
    let (task, report) = console.create_task(&req, true).await.unwrap();
    assert!(report.has_warnings());
    assert_eq!(task.status, TaskStatus::NotStarted);

    // A cloud-VM source in another region is rejected with that reason.
    let mut req = request("cross-region", &source, target_id, None);
    req.spec.kind = MigrationType::CloudVm;
    req.spec.source.region = Some("ap-shanghai".into());
    let err = console.create_task(&req, true).await.unwrap_err();
    assert!(err.to_string().contains("region"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tasks_and_instances_survive_a_restart() {
    let source = RedisServer::start();
    let target = RedisServer::start_args(&["--requirepass", "t-pass"]);
    let dir = tempfile::tempdir().unwrap();
    let id = {
        let console = Console::open(Some(dir.path())).await.unwrap();
        let instance = console.add_instance(&instance_input("kept", "on-prem-dc1", &target), Some("t-pass")).unwrap();
        let (task, _) = console.create_task(&request("kept-task", &source, instance.id, None), true).await.unwrap();
        task.id
    };
    let console = Console::open(Some(dir.path())).await.unwrap();
    let task = console.task(id).unwrap();
    assert_eq!((task.spec.name.as_str(), task.status), ("kept-task", TaskStatus::NotStarted));
    assert_eq!(console.regions().unwrap(), vec!["on-prem-dc1".to_string()]);
    let instance = &console.instances(Some("on-prem-dc1")).unwrap()[0];
    assert!(instance.has_password);
    assert_eq!(console.instance_endpoint(instance).unwrap().password.unwrap().expose(), "t-pass");
    assert_eq!(console.tasks(&TaskFilter::default()).unwrap().len(), 1);
    let bytes = std::fs::read(console.data_path()).unwrap();
    assert!(!bytes.windows(6).any(|w| w == b"t-pass"), "no password in the store");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_console_sees_tasks_that_another_process_creates_and_runs() {
    let dir = tempfile::tempdir().unwrap();
    // Two consoles on one store stand for two processes (the app and a CLI): events do not cross.
    let app = Console::open(Some(dir.path())).await.unwrap();
    let cli = Console::open(Some(dir.path())).await.unwrap();
    let (source, target) = (RedisServer::start(), RedisServer::start());
    fill_all_types(&mut source.client().await).await;
    let mut events = app.subscribe();
    let watcher = tokio::spawn(app.clone().watch_other_processes());
    let target_id = cli.add_instance(&instance_input("t", "r", &target), None).unwrap().id;
    let (task, _) = cli.create_task(&request("from-the-cli", &source, target_id, None), true).await.unwrap();
    cli.start_task(task.id).await.unwrap();

    let mut statuses = Vec::new();
    let mut progress = false;
    let deadline = Instant::now() + Duration::from_secs(20);
    while !(progress && statuses.contains(&TaskStatus::IncrementalSync)) {
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, events.recv()).await {
            Ok(Ok(ConsoleEvent::TaskChanged { task: t })) if t.id == task.id => statuses.push(t.status),
            Ok(Ok(ConsoleEvent::Progress { task_id, .. })) if task_id == task.id => progress = true,
            Ok(_) => {}
            Err(_) => panic!("the app saw statuses {statuses:?} and progress {progress} of the CLI's task"),
        }
    }
    watcher.abort();
    cli.cancel_task(task.id).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_tasks_on_one_source_share_its_parameters_and_the_last_puts_them_back() {
    let source = RedisServer::start();
    let (first_target, second_target) = (RedisServer::start(), RedisServer::start());
    let mut src = source.client().await;
    fill_bulk(&mut src, 100).await;
    let original = config(&mut src, "repl-backlog-size").await;
    let (_dir, console, first_id) = setup(&source, &first_target).await;
    let second_id = console.add_instance(&instance_input("second", "ap-guangzhou", &second_target), None).unwrap().id;

    let (a, _) = console.create_task(&request("a", &source, first_id, None), true).await.unwrap();
    let mut smaller = request("b", &source, second_id, None);
    smaller.spec.params.backlog_mb = 256;
    let (b, _) = console.create_task(&smaller, true).await.unwrap();

    console.start_task(a.id).await.unwrap();
    wait_status(&console, a.id, TaskStatus::IncrementalSync, 60).await;
    assert_eq!(config(&mut src, "repl-backlog-size").await, (512u64 << 20).to_string());
    console.start_task(b.id).await.unwrap();
    wait_status(&console, b.id, TaskStatus::IncrementalSync, 60).await;
    assert_eq!(config(&mut src, "repl-backlog-size").await, (512u64 << 20).to_string(), "b does not lower a's value");

    console.cancel_task(a.id).await.unwrap();
    assert_eq!(config(&mut src, "repl-backlog-size").await, (512u64 << 20).to_string(), "b still runs: left raised");
    let events = console.task_detail(a.id).unwrap().events;
    assert!(
        events.iter().any(|e| e.message.to_string().contains(&format!("task {} still migrates from it", b.id))),
        "{events:?}"
    );
    console.cancel_task(b.id).await.unwrap();
    assert_eq!(config(&mut src, "repl-backlog-size").await, original, "the last task put back the source's own value");
}

/// `ferry migrate --cutover-when-synced` asks for the cutover the moment a progress event says
/// "incremental": the task's saved status must already say so (it once lagged the event by one
/// SQLite write, and the cutover was refused as "full sync").
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_first_incremental_progress_finds_the_task_in_incremental_sync() {
    let source = RedisServer::start();
    let target = RedisServer::start();
    let mut src = source.client().await;
    fill_all_types(&mut src).await;
    let (_dir, console, target_id) = setup(&source, &target).await;
    let (task, _) = console.create_task(&request("race", &source, target_id, None), true).await.unwrap();
    let mut events = console.subscribe();
    console.start_task(task.id).await.unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let event = tokio::time::timeout_at(deadline.into(), events.recv()).await.expect("no incremental sync in 60 s");
        if let Ok(ConsoleEvent::Progress { task_id, progress }) = event {
            if task_id == task.id && progress.phase == Phase::Incremental {
                break;
            }
        }
    }
    // No wait: this is what the CLI does.
    assert_eq!(console.task(task.id).unwrap().status, TaskStatus::IncrementalSync);
    let done = console.cutover_task(task.id, CutoverOptions { pause_writes: false, timeout_secs: 30 }).await.unwrap();
    assert_eq!(done.status, TaskStatus::Completed);
}

/// A task whose source is a cluster: each master streams its share, the parameters are raised on
/// every master and put back on every master at the cutover, and the target holds every key.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_task_from_a_cluster_source_runs_on_every_master_and_cuts_over() {
    let cluster = support::cluster::RedisCluster::start(3, 0);
    let target = RedisServer::start();
    for i in 0..300 {
        let key = format!("k:{i}");
        cmd(&mut cluster.client_for(&key).await, &["SET", &key, "v"]).await;
    }
    let masters = cluster.masters().await;
    let backlog_before =
        config(&mut ferry::client::Client::connect(&masters[1]).await.unwrap(), "repl-backlog-size").await;
    let (_dir, console, target_id) = setup(&cluster.nodes[0], &target).await;
    let (task, report) =
        console.create_task(&request("from-cluster", &cluster.nodes[0], target_id, None), true).await.unwrap();
    assert!(!report.has_errors(), "{report:?}");
    console.start_task(task.id).await.unwrap();
    wait_status(&console, task.id, TaskStatus::IncrementalSync, 60).await;
    for master in &masters {
        let mut client = ferry::client::Client::connect(master).await.unwrap();
        assert_eq!(config(&mut client, "repl-backlog-size").await, (512u64 << 20).to_string(), "raised on {master:?}");
    }
    let progress = console.task_detail(task.id).unwrap().progress.expect("progress");
    assert_eq!(progress.shards.len(), 3, "a row per master: {:?}", progress.shards);
    cmd(&mut cluster.client_for("late").await, &["SET", "late", "1"]).await;
    let done = console.cutover_task(task.id, CutoverOptions { pause_writes: true, timeout_secs: 30 }).await.unwrap();
    assert_eq!(done.status, TaskStatus::Completed);
    for master in &masters {
        let mut client = ferry::client::Client::connect(master).await.unwrap();
        assert_eq!(config(&mut client, "repl-backlog-size").await, backlog_before, "restored on {master:?}");
    }
    let mut t = target.client().await;
    assert_eq!(cmd(&mut t, &["DBSIZE"]).await.as_int(), Some(301), "every key, the last one too");
    let report = console.verify_task(task.id, &mut |_| {}).await.unwrap();
    assert!(report.identical(), "{report:?}");
}

/// A task into an instance of the cluster edition, reached through its seed nodes: the pre-check passes the cluster, the source's
/// second db goes into db 0 as mapped, and the task completes with verify identical.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_task_into_a_cluster_instance_completes() {
    let source = RedisServer::start();
    let cluster = support::cluster::RedisCluster::start(3, 0);
    let mut src = source.client().await;
    fill_bulk(&mut src, 500).await;
    cmd(&mut src, &["SELECT", "2"]).await;
    cmd(&mut src, &["SET", "from-db-2", "v"]).await;
    let dir = tempfile::tempdir().unwrap();
    let console = Console::open(Some(dir.path())).await.unwrap();
    // Registered with a node that has since left (nothing answers there): its seed nodes reach the
    // cluster. Seed nodes belong to the cluster edition and must be host:port.
    let seeds: Vec<String> = cluster.nodes[1..].iter().map(|n| format!("127.0.0.1:{}", n.port)).collect();
    let input = InstanceInput {
        edition: Edition::Cluster,
        port: support::free_port(),
        seeds: seeds.clone(),
        ..instance_input("cluster", "ap-guangzhou", &cluster.nodes[0])
    };
    let standard = InstanceInput { edition: Edition::Standard, ..input.clone() };
    let err = console.add_instance(&standard, None).unwrap_err().to_string();
    assert!(err.contains("cluster edition"), "{err}");
    let bad = InstanceInput { seeds: vec!["127.0.0.1:notaport".into()], ..input.clone() };
    let err = console.add_instance(&bad, None).unwrap_err().to_string();
    assert!(err.contains("notaport") && err.contains("port"), "{err}");
    let instance = console.add_instance(&input, None).unwrap();
    assert_eq!(instance.seeds, seeds);
    assert!(console.test_instance(instance.id).await.is_ok(), "reached through a seed node");
    let mut req = request("into-cluster", &source, instance.id, None);
    // Without the mapping the pre-check names the db and the fix.
    let err = console.create_task(&req, true).await.unwrap_err().to_string();
    assert!(err.contains("--db-map 2:0"), "{err}");
    req.spec.db_mapping = vec![ferry::model::DbMapping { source: 2, target: 0 }];
    let (task, report) = console.create_task(&req, true).await.unwrap();
    assert_eq!(report.get("target.cluster").map(|i| i.level), Some(ferry::checks::Level::Pass), "{report:?}");
    console.start_task(task.id).await.unwrap();
    wait_status(&console, task.id, TaskStatus::IncrementalSync, 60).await;
    cmd(&mut src, &["SET", "late", "1"]).await;
    let done = console.cutover_task(task.id, CutoverOptions { pause_writes: true, timeout_secs: 30 }).await.unwrap();
    assert_eq!(done.status, TaskStatus::Completed);
    let report = console.verify_task(task.id, &mut |_| {}).await.unwrap();
    assert!(report.identical() && report.keys_compared == 502, "{report:?}");
    assert_eq!(
        cmd(&mut cluster.client_for("from-db-2").await, &["GET", "from-db-2"]).await.as_bytes().map(|b| b.to_vec()),
        Some(b"v".to_vec())
    );
}
