//! The console through the `ferry` binary: check, instances, tasks — and a runner killed mid-sync,
//! whose source parameters the next start puts back.

mod support;

use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use support::data::fill_bulk;
use support::{cmd, ferry_bin, RedisServer};

fn ferry(data: &std::path::Path, args: &[&str]) -> Output {
    Command::new(ferry_bin()).env("FERRY_DATA_DIR", data).args(args).output().expect("run ferry")
}

fn text(out: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

async fn backlog(client: &mut ferry::client::Client) -> String {
    match cmd(client, &["CONFIG", "GET", "repl-backlog-size"]).await {
        ferry::resp::Frame::Array(items) => String::from_utf8_lossy(items[1].as_bytes().unwrap()).into_owned(),
        other => panic!("{other:?}"),
    }
}

#[test]
fn check_prints_one_line_per_item_and_exits_by_the_worst_level() {
    let data = tempfile::tempdir().unwrap();
    let source = RedisServer::start();
    let target = RedisServer::start();
    let out = ferry(data.path(), &["check", "--source", &source.url(), "--target", &target.url()]);
    println!("{}", text(&out));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    for id in ["source.connect", "target.connect", "source.psync", "target.empty", "target.eviction"] {
        assert!(stdout.lines().any(|l| l.starts_with("pass") && l.contains(id)), "{id} passes:\n{stdout}");
    }

    let evicting = RedisServer::start_args(&["--maxmemory-policy", "allkeys-lru"]);
    let out = Command::new(ferry_bin())
        .args(["check", "--source", &source.url(), "--target", &evicting.url(), "--write-mode", "fail-on-existing"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "an empty evicting target is only a warning: {}", text(&out));
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let mut c = evicting.client().await;
        cmd(&mut c, &["SET", "already", "here"]).await;
    });
    let out = Command::new(ferry_bin())
        .args(["check", "--source", &source.url(), "--target", &evicting.url(), "--write-mode", "fail-on-existing"])
        .output()
        .unwrap();
    println!("{}", text(&out));
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.lines().any(|l| l.starts_with("error") && l.contains("target.empty")), "{stdout}");
    assert!(stdout.lines().any(|l| l.starts_with("warning") && l.contains("target.eviction")), "{stdout}");
}

#[test]
fn verify_exits_1_on_differences() {
    let (a, b) = (RedisServer::start(), RedisServer::start());
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let mut c = a.client().await;
        cmd(&mut c, &["SET", "k", "v"]).await;
    });
    let out = Command::new(ferry_bin()).args(["verify", "--source", &a.url(), "--target", &b.url()]).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("1 missing"), "{}", text(&out));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn parameters_are_restored_after_the_runner_is_killed() {
    let data = tempfile::tempdir().unwrap();
    let source = RedisServer::start();
    let target = RedisServer::start();
    let mut src = source.client().await;
    fill_bulk(&mut src, 20_000).await;
    let before = backlog(&mut src).await;

    let out = ferry(data.path(), &["instances", "add", "--name", "dst", "--region", "test", "--url", &target.url()]);
    assert!(out.status.success(), "{}", text(&out));
    let out = ferry(
        data.path(),
        &["tasks", "create", "--name", "killed", "--source", &source.url(), "--target", "dst", "--accept-warnings"],
    );
    assert!(out.status.success(), "{}", text(&out));

    let mut runner = Command::new(ferry_bin())
        .env("FERRY_DATA_DIR", data.path())
        .args(["tasks", "start", "killed"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let show = ferry(data.path(), &["tasks", "show", "killed", "--json"]);
        let detail: serde_json::Value = serde_json::from_slice(&show.stdout).unwrap_or_default();
        if detail["task"]["status"] == "incremental_sync" {
            break;
        }
        assert!(Instant::now() < deadline, "never reached incremental sync: {}", text(&show));
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_ne!(backlog(&mut src).await, before, "the running task changed the source");
    runner.kill().unwrap(); // SIGKILL: no chance to clean up
    runner.wait().unwrap();
    // The runner's heartbeat goes stale after 10 s; the next start of Ferry then recovers the task.
    tokio::time::sleep(Duration::from_secs(11)).await;
    let out = ferry(data.path(), &["tasks", "show", "killed", "--json"]);
    let detail: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(detail["task"]["status"], "interrupted", "{}", text(&out));
    assert_eq!(backlog(&mut src).await, before, "restored by the next start");
}
