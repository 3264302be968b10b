//! Passwords on a headless server: given by file, environment variable or prompt instead of a URL on
//! the command line, and kept for restarts in the encrypted file (`FERRY_MASTER_KEY`) where there is
//! no OS keychain. Every `ferry` here runs without a Secret Service (a bus address that does not
//! exist), as on a server.

mod support;

use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use support::data::fill_bulk;
use support::{cmd, ferry_bin, RedisServer};

const SOURCE_PW: &str = "s0urce p@ss:/word";
const TARGET_PW: &str = "t@rget#pw";

/// `ferry` with no keychain and the given extra environment.
fn command(data: &Path, env: &[(&str, &str)], args: &[&str]) -> Command {
    let mut c = Command::new(ferry_bin());
    c.env("FERRY_DATA_DIR", data)
        .env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/ferry-no-keychain")
        .env_remove("FERRY_MASTER_KEY")
        .env_remove("FERRY_MASTER_KEY_FILE")
        .env_remove("FERRY_SOURCE_PASSWORD")
        .env_remove("FERRY_TARGET_PASSWORD")
        .env_remove("FERRY_INSTANCE_PASSWORD")
        .envs(env.iter().copied())
        .args(args)
        .stdin(Stdio::null());
    c
}

fn ferry(data: &Path, env: &[(&str, &str)], args: &[&str]) -> Output {
    command(data, env, args).output().expect("run ferry")
}

fn text(out: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

/// Every file under `dir`, read whole.
fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(files(&path));
        } else if let Ok(bytes) = std::fs::read(&path) {
            out.push((path.display().to_string(), bytes));
        }
    }
    out
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle.as_bytes())
}

async fn wait_status(data: &Path, env: &[(&str, &str)], status: &str) -> serde_json::Value {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let show = ferry(data, env, &["tasks", "show", "t", "--json"]);
        let detail: serde_json::Value = serde_json::from_slice(&show.stdout).unwrap_or_default();
        if detail["task"]["status"] == status {
            return detail;
        }
        assert!(Instant::now() < deadline, "never reached {status}: {}", text(&show));
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn runner(data: &Path, env: &[(&str, &str)]) -> Child {
    command(data, env, &["tasks", "start", "t", "--json"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start a runner")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restarted_task_finds_its_passwords_in_the_encrypted_file() {
    let data = tempfile::tempdir().unwrap();
    let secrets = tempfile::tempdir().unwrap();
    let source = RedisServer::start_args(&["--requirepass", SOURCE_PW]);
    let target = RedisServer::start_args(&["--requirepass", TARGET_PW]);
    let mut src = source.client_auth(SOURCE_PW).await;
    fill_bulk(&mut src, 2_000).await;
    let key = [("FERRY_MASTER_KEY", "a long master key, given once")];

    // The target's password from a file, the source's from the environment: no password in argv.
    let pw_file = secrets.path().join("target.pw");
    std::fs::write(&pw_file, format!("{TARGET_PW}\n")).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&pw_file, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    let url = format!("redis://127.0.0.1:{}", target.port);
    let added = ferry(
        data.path(),
        &key,
        &[
            "instances",
            "add",
            "--name",
            "dst",
            "--region",
            "r",
            "--url",
            &url,
            "--password-file",
            pw_file.to_str().unwrap(),
        ],
    );
    assert!(added.status.success(), "{}", text(&added));
    assert!(!text(&added).contains("warning"), "nothing to warn about: {}", text(&added));
    let source_url = format!("redis://127.0.0.1:{}", source.port);
    let env = [key[0], ("FERRY_SOURCE_PASSWORD", SOURCE_PW)];
    let created = ferry(
        data.path(),
        &env,
        &["tasks", "create", "--name", "t", "--source", &source_url, "--target", "dst", "--accept-warnings"],
    );
    assert!(created.status.success(), "{}", text(&created));

    // Nothing on disk holds a password in plaintext; the vault is readable by its owner alone.
    let stored = files(data.path());
    assert!(stored.iter().any(|(p, _)| p.ends_with("secrets.vault")), "a vault was written: {stored:?}");
    for (path, bytes) in &stored {
        assert!(!contains(bytes, SOURCE_PW) && !contains(bytes, TARGET_PW), "plaintext password in {path}");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let vault = data.path().join("secrets.vault");
        assert_eq!(std::fs::metadata(&vault).unwrap().permissions().mode() & 0o777, 0o600);
    }

    // Another process, with no password given at all: the vault has them.
    let mut first = runner(data.path(), &key);
    wait_status(data.path(), &key, "incremental_sync").await;
    first.kill().unwrap();
    first.wait().unwrap();
    cmd(&mut src, &["SET", "after-the-kill", "1"]).await;

    // A wrong key is named as such, and the task does not start.
    let wrong = [("FERRY_MASTER_KEY", "not the key")];
    let out = ferry(data.path(), &wrong, &["tasks", "start", "t"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("master key does not open"), "{}", text(&out));
    // No key at all (and no keychain): the message says which key to give.
    let out = ferry(data.path(), &[], &["tasks", "start", "t"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("FERRY_MASTER_KEY"), "{}", text(&out));
    assert!(!text(&out).contains(SOURCE_PW) && !text(&out).contains(TARGET_PW), "{}", text(&out));

    // The right key: the task resumes with both passwords and completes.
    let mut second = runner(data.path(), &key);
    wait_status(data.path(), &key, "incremental_sync").await;
    let out = ferry(data.path(), &key, &["tasks", "cutover", "t", "--no-pause"]);
    assert!(out.status.success(), "{}", text(&out));
    second.wait().unwrap();
    wait_status(data.path(), &key, "completed").await;
    let mut tgt = target.client_auth(TARGET_PW).await;
    assert_eq!(cmd(&mut tgt, &["GET", "after-the-kill"]).await.as_bytes().map(|b| b.to_vec()), Some(b"1".to_vec()));
    assert_eq!(cmd(&mut tgt, &["DBSIZE"]).await.as_int(), Some(2_001));
}

#[test]
fn a_password_in_a_url_works_with_a_warning_and_one_given_twice_is_refused() {
    let source = RedisServer::start_args(&["--requirepass", SOURCE_PW]);
    let target = RedisServer::start();
    let data = tempfile::tempdir().unwrap();
    let in_url = format!("redis://:{}@127.0.0.1:{}", "s0urce%20p%40ss%3A%2Fword", source.port);
    let out = ferry(data.path(), &[], &["check", "--source", &in_url, "--target", &target.url()]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("warning: the password in --source can be read by other users"), "{stderr}");
    assert!(stderr.contains("--source-password-file") && stderr.contains("FERRY_SOURCE_PASSWORD"), "{stderr}");

    let plain = format!("redis://127.0.0.1:{}", source.port);
    let env = [("FERRY_SOURCE_PASSWORD", SOURCE_PW)];
    let out = ferry(data.path(), &env, &["check", "--source", &plain, "--target", &target.url()]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(!text(&out).contains("warning: the password"), "{}", text(&out));

    let file = data.path().join("pw");
    std::fs::write(&file, SOURCE_PW).unwrap();
    let args =
        ["check", "--source", &in_url, "--target", &target.url(), "--source-password-file", file.to_str().unwrap()];
    let out = ferry(data.path(), &[], &args);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("given more than once"), "{}", text(&out));

    // No terminal to ask on (a new session has none): a clear error at once, not a hang.
    let out = Command::new("setsid")
        .arg(ferry_bin())
        .args(["check", "--source", &plain, "--target", &target.url(), "--source-password-prompt"])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("no terminal"), "{}", text(&out));
}
