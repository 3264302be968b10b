//! The console's persistence against real SQLite files in a temporary directory, and the real OS
//! keychain (a headless GNOME Keyring in a private D-Bus session when run by `scripts/test.sh`).

use std::path::Path;
use std::thread;

use ferry::model::{
    DbMapping, Edition, InstanceInput, MigrationType, Params, SourceSpec, TaskSpec, TaskStatus, WriteMode, ALL_STATUSES,
};
use ferry::pipeline::{Counters, Progress};
use ferry::secrets::Secrets;
use ferry::store::{transition_allowed, Release, Store, StoreError, TaskFilter, MAX_SNAPSHOTS, RUNNER_STALE_AFTER_MS};
use ferry::text::{Lang, Text};
use tempfile::TempDir;

use TaskStatus::*;

fn open() -> (TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    (dir, store)
}

fn instance_input(name: &str, region: &str) -> InstanceInput {
    InstanceInput {
        name: name.to_string(),
        region: region.to_string(),
        host: "10.0.0.5".to_string(),
        port: 6379,
        user: None,
        edition: Edition::Standard,
        proxy: None,
        seeds: vec![],
        tls: None,
        ssh: None,
        ssh_secret: None,
    }
}

fn spec(name: &str, target: i64, kind: MigrationType) -> TaskSpec {
    TaskSpec {
        name: name.to_string(),
        kind,
        source: SourceSpec {
            host: "192.168.1.20".to_string(),
            port: 6380,
            user: Some("migrator".to_string()),
            has_password: true,
            region: Some("ap-guangzhou".to_string()),
            sentinel: None,
            tls: None,
            ssh: None,
        },
        target_instance: target,
        params: Params::default(),
        write_mode: WriteMode::Overwrite,
        db_mapping: vec![DbMapping { source: 0, target: 1 }],
        include: vec!["user:*".to_string()],
        exclude: vec![],
        sync: Default::default(),
    }
}

/// A store with one instance and one task on it.
fn with_task() -> (TempDir, Store, i64) {
    let (dir, store) = open();
    let instance = store.add_instance(&instance_input("target", "ap-guangzhou"), false).unwrap();
    let task = store.create_task(&spec("move", instance.id, MigrationType::CloudVm)).unwrap();
    (dir, store, task.id)
}

/// The statuses a fresh task passes through to reach `status`.
fn path_to(status: TaskStatus) -> &'static [TaskStatus] {
    match status {
        NotStarted => &[],
        Checking => &[Checking],
        CheckFailed => &[Checking, CheckFailed],
        FullSync => &[Checking, FullSync],
        IncrementalSync => &[Checking, FullSync, IncrementalSync],
        CuttingOver => &[Checking, FullSync, IncrementalSync, CuttingOver],
        Completed => &[Checking, FullSync, IncrementalSync, CuttingOver, Completed],
        Failed => &[Checking, Failed],
        Cancelled => &[Cancelled],
        Interrupted => &[Checking, FullSync, Interrupted],
    }
}

fn drive(store: &Store, id: i64, to: TaskStatus) {
    for &step in path_to(to) {
        store.set_status(id, step, None).unwrap();
    }
}

fn progress(keys_written: u64) -> Progress {
    let mut p = Counters::new().snapshot();
    p.keys_written = keys_written;
    p
}

/// Unwraps with the error's own message, so a missing keychain fails the test in words a user reads.
fn ok<T, E: std::fmt::Display>(result: Result<T, E>) -> T {
    match result {
        Ok(v) => v,
        Err(e) => panic!("{e}"),
    }
}

fn raw(store: &Store) -> rusqlite::Connection {
    let conn = rusqlite::Connection::open(store.path()).unwrap();
    conn.busy_timeout(std::time::Duration::from_secs(5)).unwrap();
    conn
}

#[test]
fn instances_are_added_updated_listed_and_removed() {
    let (_dir, store) = open();
    let a = store.add_instance(&instance_input("b-cache", "ap-guangzhou"), true).unwrap();
    let b = store.add_instance(&instance_input("a-cache", "ap-guangzhou"), false).unwrap();
    let c = store.add_instance(&instance_input("dc1", "on-prem"), false).unwrap();
    assert_eq!(a.name, "b-cache");
    assert!(a.has_password);
    assert!(a.created_at_ms > 0);
    assert_eq!(store.instance(a.id).unwrap(), a);

    let names = |list: Vec<ferry::model::Instance>| list.into_iter().map(|i| i.name).collect::<Vec<_>>();
    assert_eq!(names(store.instances(None).unwrap()), ["a-cache", "b-cache", "dc1"]);
    assert_eq!(names(store.instances(Some("ap-guangzhou")).unwrap()), ["a-cache", "b-cache"]);
    assert!(store.instances(Some("nowhere")).unwrap().is_empty());
    assert_eq!(store.regions().unwrap(), ["ap-guangzhou", "on-prem"]);

    let edited = InstanceInput {
        user: Some("admin".to_string()),
        edition: Edition::Cluster,
        proxy: Some("10.0.0.9:6379".to_string()),
        port: 7000,
        seeds: vec!["10.0.0.6:7000".to_string(), "[fd00::7]:7000".to_string()],
        ..instance_input("dc1-cluster", "on-prem-dc1")
    };
    let updated = store.update_instance(c.id, &edited, true).unwrap();
    assert_eq!(updated.id, c.id);
    assert_eq!(updated.created_at_ms, c.created_at_ms);
    assert_eq!(
        (updated.name.as_str(), updated.region.as_str(), updated.port, updated.edition),
        ("dc1-cluster", "on-prem-dc1", 7000, Edition::Cluster)
    );
    assert_eq!(updated.user.as_deref(), Some("admin"));
    assert_eq!(updated.proxy.as_deref(), Some("10.0.0.9:6379"));
    assert_eq!(updated.seeds, ["10.0.0.6:7000", "[fd00::7]:7000"]);
    assert!(updated.has_password);
    assert_eq!(store.instance(c.id).unwrap(), updated);
    assert_eq!(store.regions().unwrap(), ["ap-guangzhou", "on-prem-dc1"]);

    store.remove_instance(b.id).unwrap();
    assert!(matches!(store.instance(b.id), Err(StoreError::NotFound { what: "instance", .. })));
    assert!(matches!(store.remove_instance(b.id), Err(StoreError::NotFound { .. })));
    assert!(matches!(store.update_instance(b.id, &edited, false), Err(StoreError::NotFound { .. })));
    assert_eq!(names(store.instances(None).unwrap()), ["b-cache", "dc1-cluster"]);
}

#[test]
fn instance_names_are_unique() {
    let (_dir, store) = open();
    let first = store.add_instance(&instance_input("cache", "r1"), false).unwrap();
    let err = store.add_instance(&instance_input("cache", "r2"), false).unwrap_err();
    assert!(matches!(err, StoreError::Duplicate { what: "instance", .. }), "{err:?}");
    assert!(err.to_string().contains("\"cache\" is already taken"), "{err}");

    let other = store.add_instance(&instance_input("other", "r1"), false).unwrap();
    let err = store.update_instance(other.id, &instance_input("cache", "r1"), false).unwrap_err();
    assert!(matches!(err, StoreError::Duplicate { .. }), "{err:?}");
    // Keeping its own name is not a clash.
    store.update_instance(first.id, &instance_input("cache", "r9"), false).unwrap();
}

#[test]
fn an_instance_in_use_by_an_unfinished_task_cannot_be_removed() {
    let (_dir, store, id) = with_task();
    let instance = store.task(id).unwrap().spec.target_instance;
    for status in [Checking, FullSync] {
        store.set_status(id, status, None).unwrap();
        let err = store.remove_instance(instance).unwrap_err();
        assert!(matches!(err, StoreError::InUse { .. }), "{err:?}");
        let text = err.to_string();
        assert!(text.contains("\"move\"") && text.contains(status.label()), "{text}");
    }
    store.set_status(id, Cancelled, Some(&Text::raw("user cancelled"))).unwrap();
    store.remove_instance(instance).unwrap();
    // The finished task keeps its history; it cannot restart without its target.
    assert_eq!(store.task(id).unwrap().status, Cancelled);
    assert!(!store.events(id).unwrap().is_empty());
}

#[test]
fn a_failed_task_whose_target_was_removed_cannot_restart() {
    let (_dir, store, id) = with_task();
    let instance = store.task(id).unwrap().spec.target_instance;
    drive(&store, id, Failed);
    store.remove_instance(instance).unwrap();
    let err = store.set_status(id, Checking, Some(&Text::raw("restart"))).unwrap_err();
    assert!(matches!(err, StoreError::TargetRemoved { .. }), "{err:?}");
    assert_eq!(store.task(id).unwrap().status, Failed);
}

#[test]
fn tasks_are_created_found_and_filtered() {
    let (_dir, store) = open();
    let gz = store.add_instance(&instance_input("gz", "ap-guangzhou"), false).unwrap();
    let sh = store.add_instance(&instance_input("sh", "ap-shanghai"), false).unwrap();
    let t1 = store.create_task(&spec("one", gz.id, MigrationType::CloudVm)).unwrap();
    let t2 = store.create_task(&spec("two", sh.id, MigrationType::PublicNetwork)).unwrap();
    let t3 = store.create_task(&spec("three", gz.id, MigrationType::PublicNetwork)).unwrap();

    assert_eq!(t1.status, NotStarted);
    assert_eq!(t1.spec, spec("one", gz.id, MigrationType::CloudVm));
    assert_eq!(t1.reason, None);
    assert_eq!((t1.cutover_at_ms, t1.final_lag_bytes), (None, None));
    assert!(t1.created_at_ms > 0 && t1.updated_at_ms == t1.created_at_ms);
    assert_eq!(store.task(t1.id).unwrap(), t1);
    assert_eq!(store.task_by_name("two").unwrap(), t2);
    let err = store.task_by_name("nope").unwrap_err();
    assert!(matches!(err, StoreError::NotFound { what: "task", .. }), "{err:?}");
    assert!(err.to_string().contains("\"nope\""), "{err}");
    assert!(matches!(store.task(999), Err(StoreError::NotFound { .. })));

    let err = store.create_task(&spec("one", sh.id, MigrationType::CloudVm)).unwrap_err();
    assert!(matches!(err, StoreError::Duplicate { what: "task", .. }), "{err:?}");
    let err = store.create_task(&spec("four", 999, MigrationType::CloudVm)).unwrap_err();
    assert!(matches!(err, StoreError::NotFound { what: "instance", .. }), "{err:?}");

    store.set_status(t3.id, Checking, None).unwrap();
    let names = |filter: TaskFilter| store.tasks(&filter).unwrap().into_iter().map(|t| t.spec.name).collect::<Vec<_>>();
    assert_eq!(names(TaskFilter::default()), ["three", "two", "one"]);
    assert_eq!(names(TaskFilter { region: Some("ap-guangzhou".into()), ..Default::default() }), ["three", "one"]);
    assert_eq!(names(TaskFilter { kind: Some(MigrationType::PublicNetwork), ..Default::default() }), ["three", "two"]);
    assert_eq!(names(TaskFilter { status: Some(NotStarted), ..Default::default() }), ["two", "one"]);
    assert_eq!(
        names(TaskFilter {
            region: Some("ap-guangzhou".into()),
            kind: Some(MigrationType::PublicNetwork),
            status: Some(Checking)
        }),
        ["three"]
    );
    assert!(names(TaskFilter { region: Some("eu-west".into()), ..Default::default() }).is_empty());

    // The region is the target's, as it is now.
    store.update_instance(sh.id, &instance_input("sh", "ap-guangzhou"), false).unwrap();
    assert_eq!(names(TaskFilter { region: Some("ap-guangzhou".into()), ..Default::default() }).len(), 3);
}

#[test]
fn every_status_transition_is_allowed_or_refused_as_the_console_says() {
    let allowed: &[(TaskStatus, TaskStatus)] = &[
        (NotStarted, Checking),
        (NotStarted, Cancelled),
        (Checking, CheckFailed),
        (Checking, FullSync),
        (Checking, Cancelled),
        (Checking, Failed),
        (CheckFailed, Checking),
        (CheckFailed, Cancelled),
        (FullSync, IncrementalSync),
        (FullSync, Failed),
        (FullSync, Cancelled),
        (IncrementalSync, CuttingOver),
        (IncrementalSync, Failed),
        (IncrementalSync, Cancelled),
        (CuttingOver, Completed),
        (CuttingOver, Failed),
        (CuttingOver, IncrementalSync),
        (Failed, Checking),
        // A runner that stopped in the middle: resumable.
        (Checking, Interrupted),
        (FullSync, Interrupted),
        (IncrementalSync, Interrupted),
        (CuttingOver, Interrupted),
        (Interrupted, Checking),
        (Interrupted, Cancelled),
    ];
    let (_dir, store) = open();
    let instance = store.add_instance(&instance_input("target", "r"), false).unwrap();
    for from in ALL_STATUSES {
        for to in ALL_STATUSES {
            let expected = allowed.contains(&(from, to));
            assert_eq!(transition_allowed(from, to), expected, "{from:?} -> {to:?}");
            let task =
                store.create_task(&spec(&format!("{from:?}-{to:?}"), instance.id, MigrationType::CloudVm)).unwrap();
            drive(&store, task.id, from);
            match store.set_status(task.id, to, Some(&Text::raw("why"))) {
                Ok(updated) => {
                    assert!(expected, "{from:?} -> {to:?} was allowed");
                    assert_eq!(updated.status, to);
                    assert_eq!(store.task(task.id).unwrap().status, to);
                }
                Err(err) => {
                    assert!(!expected, "{from:?} -> {to:?} was refused: {err}");
                    assert!(matches!(err, StoreError::Transition { .. }), "{err:?}");
                    let text = err.to_string();
                    assert!(text.contains(from.label()) && text.contains(to.label()), "{text}");
                    assert_eq!(store.task(task.id).unwrap().status, from, "a refused move changes nothing");
                }
            }
        }
    }
}

#[test]
fn status_changes_are_recorded_as_events_and_failures_keep_a_reason() {
    let (_dir, store, id) = with_task();
    let created = store.task(id).unwrap();
    store.set_status(id, Checking, Some(&Text::raw("checks started"))).unwrap();
    store.set_status(id, FullSync, None).unwrap();
    store.add_event(id, "params", &Text::raw("set repl-backlog-size 512mb")).unwrap();
    let failed = store.set_status(id, Failed, Some(&Text::raw("the source closed the replication link"))).unwrap();
    assert_eq!(failed.reason.as_ref().map(Text::to_string).as_deref(), Some("the source closed the replication link"));
    assert!(failed.updated_at_ms >= created.updated_at_ms);

    let events = store.events(id).unwrap();
    let listed: Vec<(&str, String)> = events.iter().map(|e| (e.kind.as_str(), e.message.to_string())).collect();
    assert_eq!(
        listed,
        [
            ("status", "created"),
            ("status", "not started → checking: checks started"),
            ("status", "checking → full sync"),
            ("params", "set repl-backlog-size 512mb"),
            ("status", "full sync → failed: the source closed the replication link"),
        ]
        .map(|(kind, message)| (kind, message.to_string()))
    );
    // Kept as codes: the status words render in the language chosen when the events are read.
    assert_eq!(events[2].message.render(Lang::Zh), "参数校验中 → 全量同步中");
    assert!(events.iter().all(|e| e.task_id == id && e.at_ms >= created.created_at_ms));
    assert!(events.windows(2).all(|w| w[0].at_ms <= w[1].at_ms));

    // A restart clears the reason; cancelling sets a new one.
    assert_eq!(store.set_status(id, Checking, Some(&Text::raw("restart"))).unwrap().reason, None);
    let cancelled = store.set_status(id, Cancelled, Some(&Text::raw("not needed"))).unwrap();
    assert_eq!(cancelled.reason, Some(Text::raw("not needed")));
    assert_eq!(store.events(id).unwrap().len(), 7);
    assert!(matches!(store.add_event(999, "error", &Text::raw("x")), Err(StoreError::NotFound { .. })));
    assert!(matches!(store.events(999), Err(StoreError::NotFound { .. })));
}

/// Events, reasons and snapshots written before messages had codes (plain English) still read, as
/// raw text.
#[test]
fn records_written_before_messages_had_codes_still_read() {
    let (_dir, store, id) = with_task();
    drive(&store, id, Failed);
    let conn = raw(&store);
    conn.execute("UPDATE tasks SET reason = 'the source closed the replication link' WHERE id = ?1", [id]).unwrap();
    conn.execute(
        "INSERT INTO events (task_id, at_ms, kind, message) VALUES (?1, 1, 'status', 'not started → checking')",
        [id],
    )
    .unwrap();
    let mut old = serde_json::to_value(progress(3)).unwrap();
    old["warning"] = "the target has not answered for 10 s".into();
    old["notice"] = "resumed at offset 42".into();
    old["not_carried"] = serde_json::json!([["stream consumers' seen time", 2]]);
    conn.execute("INSERT INTO snapshots (task_id, at_ms, progress) VALUES (?1, 2, ?2)", (id, old.to_string())).unwrap();

    let reason = store.task(id).unwrap().reason.expect("a reason");
    assert!(reason.is_raw());
    assert_eq!(reason.render(Lang::Zh), "the source closed the replication link");
    let last = store.events(id).unwrap().pop().unwrap();
    assert_eq!((last.message.is_raw(), last.message.to_string()), (true, "not started → checking".to_string()));
    let snapshot = store.latest_snapshot(id).unwrap().expect("the old snapshot");
    assert_eq!(snapshot.warning, Some(Text::raw("the target has not answered for 10 s")));
    assert_eq!(snapshot.notice, Some(Text::raw("resumed at offset 42")));
    assert_eq!(snapshot.not_carried, [(Text::raw("stream consumers' seen time"), 2)]);
}

#[test]
fn everything_survives_closing_and_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let (task, instance) = {
        let store = Store::open(dir.path()).unwrap();
        let instance = store.add_instance(&instance_input("target", "r"), true).unwrap();
        let task = store.create_task(&spec("move", instance.id, MigrationType::PublicNetwork)).unwrap();
        drive(&store, task.id, CuttingOver);
        store.set_cutover(task.id, 1_700_000_000_123, 42).unwrap();
        let task = store.set_status(task.id, Completed, None).unwrap();
        store.add_snapshot(task.id, &progress(7)).unwrap();
        store.save_check(task.id, r#"{"ok":true}"#).unwrap();
        store.save_verify(task.id, r#"{"mismatches":0}"#).unwrap();
        store.hold_params(task.id, "10.0.0.5:6379", &[("repl-timeout".into(), "60".into())]).unwrap();
        store.request(task.id, "cutover", "{}").unwrap();
        assert!(store.claim(task.id, "cli-1").unwrap());
        (task, instance)
    };
    let store = Store::open(dir.path()).unwrap();
    assert_eq!(store.path(), dir.path().join("ferry.db"));
    let reopened = store.task(task.id).unwrap();
    assert_eq!(reopened, task);
    assert_eq!((reopened.cutover_at_ms, reopened.final_lag_bytes), (Some(1_700_000_000_123), Some(42)));
    assert_eq!(store.instance(instance.id).unwrap(), instance);
    assert_eq!(store.events(task.id).unwrap().len(), 6);
    assert_eq!(store.latest_snapshot(task.id).unwrap(), Some(progress(7)));
    assert_eq!(store.latest_check(task.id).unwrap().as_deref(), Some(r#"{"ok":true}"#));
    assert_eq!(store.latest_verify(task.id).unwrap().as_deref(), Some(r#"{"mismatches":0}"#));
    assert_eq!(store.saved_params(task.id).unwrap(), Some(vec![("repl-timeout".into(), "60".into())]));
    assert_eq!(store.take_request(task.id).unwrap(), Some(("cutover".into(), "{}".into())));
    assert!(store.runner_alive(task.id).unwrap());
}

#[test]
fn two_handles_on_one_file_can_both_write() {
    let (dir, store, id) = with_task();
    let other = Store::open(dir.path()).unwrap();
    thread::scope(|s| {
        for (name, handle) in [("app", &store), ("cli", &other)] {
            s.spawn(move || {
                for i in 0..100 {
                    handle.add_event(id, "note", &Text::raw(format!("{name} {i}"))).unwrap();
                    handle.add_snapshot(id, &progress(i)).unwrap();
                }
            });
        }
    });
    // Each sees the other's writes.
    assert_eq!(store.events(id).unwrap().len(), 201);
    assert_eq!(other.snapshots(id, 1000).unwrap().len(), 200);
    other.set_status(id, Checking, Some(&Text::raw("from the cli"))).unwrap();
    assert_eq!(store.task(id).unwrap().status, Checking);
    let mode: String = raw(&store).query_row("PRAGMA journal_mode", [], |r| r.get(0)).unwrap();
    assert_eq!(mode, "wal");
}

#[test]
fn snapshots_are_capped_keeping_the_newest() {
    let (_dir, store, id) = with_task();
    assert_eq!(store.latest_snapshot(id).unwrap(), None);
    assert!(store.snapshots(id, 10).unwrap().is_empty());
    for i in 0..3000 {
        store.add_snapshot(id, &progress(i)).unwrap();
    }
    let all = store.snapshots(id, usize::MAX).unwrap();
    assert!(all.len() <= MAX_SNAPSHOTS && all.len() > MAX_SNAPSHOTS / 2, "{} kept", all.len());
    let written: Vec<u64> = all.iter().map(|(_, p)| p.keys_written).collect();
    assert!(written.windows(2).all(|w| w[0] < w[1]), "newest last");
    assert!(all.windows(2).all(|w| w[0].0 <= w[1].0), "times in order");
    assert_eq!(written.first(), Some(&0), "the first snapshot stays");
    assert_eq!(written.last(), Some(&2999));
    // The most recent stretch is whole.
    assert!(written.ends_with(&(2500..3000).collect::<Vec<_>>()));
    assert_eq!(store.latest_snapshot(id).unwrap(), Some(progress(2999)));

    let newest = store.snapshots(id, 3).unwrap();
    assert_eq!(newest.iter().map(|(_, p)| p.keys_written).collect::<Vec<_>>(), [2997, 2998, 2999]);
}

#[test]
fn a_source_s_own_parameters_are_saved_once_and_put_back_by_its_last_task() {
    let (_dir, store, id) = with_task();
    let target = store.task(id).unwrap().spec.target_instance;
    let other = store.create_task(&spec("other", target, MigrationType::CloudVm)).unwrap().id;
    let elsewhere = store.create_task(&spec("elsewhere", target, MigrationType::CloudVm)).unwrap().id;
    assert_eq!(store.saved_params(id).unwrap(), None);
    assert_eq!(store.release_params(id).unwrap(), Release::Nothing);

    let originals =
        vec![("repl-backlog-size".to_string(), "1048576".to_string()), ("repl-timeout".into(), "60".into())];
    assert!(store.hold_params(id, "10.0.0.5:6379", &originals).unwrap(), "the first task saves");
    // A second task on the same source sees the values the first one raised: they are no originals.
    let raised = vec![("repl-backlog-size".to_string(), "536870912".to_string())];
    assert!(!store.hold_params(other, "10.0.0.5:6379", &raised).unwrap());
    assert_eq!(store.saved_params(other).unwrap(), Some(originals.clone()));
    assert!(store.hold_params(elsewhere, "10.0.0.6:6379", &raised).unwrap(), "another source is its own");
    assert_eq!(store.tasks_with_saved_params().unwrap(), [id, other, elsewhere]);

    // The first task ends while the second runs: the values stay raised.
    assert_eq!(store.release_params(id).unwrap(), Release::Others(vec![other]));
    store.drop_hold(id).unwrap();
    assert_eq!(store.saved_params(id).unwrap(), None);
    // The last one puts the originals back.
    assert_eq!(store.release_params(other).unwrap(), Release::Restore(originals.clone()));
    store.drop_hold(other).unwrap();
    assert_eq!(store.tasks_with_saved_params().unwrap(), [elsewhere]);
    // After a restore, the next run saves afresh.
    assert!(store.hold_params(id, "10.0.0.5:6379", &originals[1..]).unwrap());
    assert_eq!(store.saved_params(id).unwrap(), Some(originals[1..].to_vec()));
}

#[test]
fn check_and_verify_reports_keep_the_latest() {
    let (_dir, store, id) = with_task();
    assert_eq!(store.latest_check(id).unwrap(), None);
    assert_eq!(store.latest_verify(id).unwrap(), None);
    store.save_check(id, r#"{"run":1}"#).unwrap();
    store.save_check(id, r#"{"run":2}"#).unwrap();
    store.save_verify(id, r#"{"v":1}"#).unwrap();
    assert_eq!(store.latest_check(id).unwrap().as_deref(), Some(r#"{"run":2}"#));
    assert_eq!(store.latest_verify(id).unwrap().as_deref(), Some(r#"{"v":1}"#));
    assert!(matches!(store.save_check(999, "{}"), Err(StoreError::NotFound { .. })));
}

#[test]
fn a_runner_claims_heartbeats_and_releases_and_a_stale_one_is_taken_over() {
    let (_dir, store, id) = with_task();
    assert!(!store.runner_alive(id).unwrap());
    assert_eq!(store.heartbeat_at(id).unwrap(), None);

    assert!(store.claim(id, "app-1").unwrap());
    assert!(store.runner_alive(id).unwrap());
    assert!(store.claim(id, "app-1").unwrap(), "claiming again renews");
    assert!(!store.claim(id, "cli-2").unwrap(), "a live runner keeps its task");
    let first = store.heartbeat_at(id).unwrap().unwrap();
    store.heartbeat(id, "app-1").unwrap();
    assert!(store.heartbeat_at(id).unwrap().unwrap() >= first);

    // app-1 stops heartbeating (it crashed, or its laptop slept).
    let stale = first - RUNNER_STALE_AFTER_MS - 1_000;
    raw(&store).execute("UPDATE tasks SET heartbeat_at_ms = ?1 WHERE id = ?2", (stale, id)).unwrap();
    assert_eq!(store.heartbeat_at(id).unwrap(), Some(stale));
    assert!(!store.runner_alive(id).unwrap());
    assert!(store.claim(id, "cli-2").unwrap(), "a dead runner's task is taken over");
    assert!(store.runner_alive(id).unwrap());

    // The old runner wakes up and learns it lost the task.
    let err = store.heartbeat(id, "app-1").unwrap_err();
    assert!(matches!(err, StoreError::Lost { .. }), "{err:?}");
    store.release(id, "app-1").unwrap();
    assert!(store.runner_alive(id).unwrap(), "releasing someone else's claim does nothing");

    store.release(id, "cli-2").unwrap();
    assert!(!store.runner_alive(id).unwrap());
    assert_eq!(store.heartbeat_at(id).unwrap(), None);
    assert!(store.claim(id, "app-3").unwrap());
    assert!(matches!(store.claim(999, "x"), Err(StoreError::NotFound { .. })));
    assert!(matches!(store.heartbeat(999, "x"), Err(StoreError::NotFound { .. })));
}

#[test]
fn recovery_interrupts_a_dead_runner_s_task_but_never_one_a_runner_just_claimed() {
    let (_dir, store, id) = with_task();
    drive(&store, id, FullSync);
    assert!(store.claim(id, "app-1").unwrap());
    assert_eq!(store.interrupt_orphan(id, &Text::raw("gone")).unwrap(), None, "a live runner keeps its task");
    // app-1 dies; another process finds its task.
    let stale = store.heartbeat_at(id).unwrap().unwrap() - RUNNER_STALE_AFTER_MS - 1_000;
    raw(&store).execute("UPDATE tasks SET heartbeat_at_ms = ?1 WHERE id = ?2", (stale, id)).unwrap();
    let task = store.interrupt_orphan(id, &Text::raw("gone")).unwrap().expect("a dead runner's task is interrupted");
    assert_eq!((task.status, task.reason), (Interrupted, Some(Text::raw("gone"))));
    assert!(!store.runner_alive(id).unwrap(), "and taken from the dead runner");
    assert!(matches!(store.heartbeat(id, "app-1"), Err(StoreError::Lost { .. })));
    // A new runner claims it and starts: a recovery that listed the task before must leave it be
    // (it took the new runner's claim and interrupted its check before the two steps were one).
    assert!(store.claim(id, "cli-2").unwrap());
    store.set_status(id, Checking, None).unwrap();
    assert_eq!(store.interrupt_orphan(id, &Text::raw("gone")).unwrap(), None);
    assert_eq!(store.task(id).unwrap().status, Checking);
    assert_eq!(store.live_runner(id).unwrap().as_deref(), Some("cli-2"));
    store.heartbeat(id, "cli-2").unwrap();
    // A task that is not running is never interrupted, whatever its lease.
    store.release(id, "cli-2").unwrap();
    store.set_status(id, CheckFailed, Some(&Text::raw("bad"))).unwrap();
    assert_eq!(store.interrupt_orphan(id, &Text::raw("gone")).unwrap(), None);
}

#[test]
fn requests_are_taken_oldest_first() {
    let (_dir, store, id) = with_task();
    let other = store.create_task(&spec("other", store.task(id).unwrap().spec.target_instance, MigrationType::CloudVm));
    let other = other.unwrap().id;
    assert_eq!(store.take_request(id).unwrap(), None);
    store.request(id, "cutover", r#"{"max_lag":0}"#).unwrap();
    store.request(other, "cancel", "{}").unwrap();
    store.request(id, "cancel", "{}").unwrap();
    assert_eq!(store.take_request(id).unwrap(), Some(("cutover".into(), r#"{"max_lag":0}"#.into())));
    assert_eq!(store.take_request(id).unwrap(), Some(("cancel".into(), "{}".into())));
    assert_eq!(store.take_request(id).unwrap(), None);
    assert_eq!(store.take_request(other).unwrap(), Some(("cancel".into(), "{}".into())));
}

#[test]
fn a_corrupt_or_newer_database_is_refused_with_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("ferry.db"), vec![0x5a; 8192]).unwrap();
    let err = Store::open(dir.path()).err().expect("garbage is not a database");
    assert!(matches!(err, StoreError::Corrupt { .. }), "{err:?}");
    assert!(err.to_string().contains("Move it away"), "{err}");

    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    raw(&store).pragma_update(None, "user_version", 99).unwrap();
    drop(store);
    let err = Store::open(dir.path()).err().expect("a newer schema is refused");
    assert!(matches!(err, StoreError::TooNew { found: 99, .. }), "{err:?}");
    assert!(err.to_string().contains("Upgrade Ferry"), "{err}");
}

/// The only test that sets `FERRY_DATA_DIR` (tests share the process environment).
#[test]
fn the_data_dir_follows_ferry_data_dir() {
    let dir = tempfile::tempdir().unwrap();
    let wanted = dir.path().join("nested").join("ferry-data");
    std::env::set_var("FERRY_DATA_DIR", &wanted);
    assert_eq!(Store::data_dir().unwrap(), wanted);
    assert!(wanted.is_dir(), "created");
    let store = Store::open_default().unwrap();
    assert_eq!(store.path(), wanted.join("ferry.db"));
    assert!(store.path().is_file());
}

fn file_contains(path: &Path, needle: &[u8]) -> bool {
    std::fs::read(path).map(|bytes| bytes.windows(needle.len()).any(|w| w == needle)).unwrap_or(false)
}

/// The only test that sets `FERRY_KEYCHAIN_SERVICE`: a service of its own, so a user's real entries
/// are never touched.
#[test]
fn passwords_go_to_the_keychain_and_never_to_the_database() {
    let service = format!("ferry-test-{}-{}", std::process::id(), std::time::UNIX_EPOCH.elapsed().unwrap().as_nanos());
    std::env::set_var("FERRY_KEYCHAIN_SERVICE", &service);
    let secrets = Secrets::new();

    let (_dir, store) = open();
    let instance = store.add_instance(&instance_input("secured", "r"), true).unwrap();
    let account = Secrets::instance_account(instance.id);
    assert_eq!(account, format!("instance:{}", instance.id));
    assert_eq!(Secrets::task_source_account(7), "task:7:source");
    let password = "s3cret-Pa55word-that-must-stay-in-the-keychain";

    assert_eq!(ok(secrets.get(&account)), None);
    ok(secrets.set(&account, password));
    assert_eq!(ok(secrets.get(&account)).as_deref(), Some(password));
    ok(secrets.set(&account, "replaced"));
    assert_eq!(ok(secrets.get(&account)).as_deref(), Some("replaced"));
    ok(secrets.set(&account, password));
    assert_eq!(ok(secrets.get("instance:does-not-exist")), None);

    let task = store.create_task(&spec("secured-move", instance.id, MigrationType::PublicNetwork)).unwrap();
    store.add_event(task.id, "check", &Text::raw("source authenticated")).unwrap();
    let files = ["ferry.db", "ferry.db-wal", "ferry.db-shm"].map(|f| store.path().with_file_name(f));
    for file in &files {
        assert!(!file_contains(file, password.as_bytes()), "{} holds the password", file.display());
    }
    let dir = store.path().parent().unwrap().to_path_buf();
    drop(store);
    for file in files {
        assert!(!file_contains(&file, password.as_bytes()), "{} holds the password", file.display());
    }
    assert!(file_contains(&dir.join("ferry.db"), b"secured-move"), "the check reads the real file");

    ok(secrets.delete(&account));
    assert_eq!(ok(secrets.get(&account)), None);
    ok(secrets.delete(&account));
}
