//! Db mapping and key patterns in the incremental sync, against real servers: what the source runs
//! reaches the target translated, split or skipped, and never touches target data the filter leaves
//! out; a command with no faithful translation stops the migration with a message naming it.

mod support;

use std::time::Duration;

use ferry::client::Client;
use ferry::filter::Filter;
use ferry::model::{DbMapping, WriteMode};
use ferry::pipeline::{MigrateOptions, Migration};
use support::{cmd, incremental, RedisServer};

async fn get(c: &mut Client, db: u32, key: &str) -> Option<String> {
    cmd(c, &["SELECT", &db.to_string()]).await;
    cmd(c, &["GET", key]).await.as_bytes().map(|b| String::from_utf8_lossy(b).into_owned())
}

fn start(source: &RedisServer, target: &RedisServer, filter: Filter) -> Migration {
    let mut options = MigrateOptions::new(source.endpoint(), target.endpoint());
    options.filter = filter;
    Migration::start(options)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_db_mapping_is_followed_by_flushall_swapdb_move_and_copy() {
    let (source, target) = (RedisServer::start(), RedisServer::start_args(&["--databases", "32"]));
    let (mut src, mut tgt) = (source.client().await, target.client().await);
    // The target's own data in dbs 0 and 1, which no source db maps to (source 0 → 20, 1 → 21).
    cmd(&mut tgt, &["SET", "theirs", "keep me"]).await;
    cmd(&mut tgt, &["SELECT", "1"]).await;
    cmd(&mut tgt, &["SET", "theirs", "keep me too"]).await;
    let mapping = [DbMapping { source: 0, target: 20 }, DbMapping { source: 1, target: 21 }];
    let m = incremental(start(&source, &target, Filter::new(&mapping, &[], &[]))).await;
    cmd(&mut src, &["SET", "a", "1"]).await;
    cmd(&mut src, &["MOVE", "a", "1"]).await; // source db 1 → target db 21
    cmd(&mut src, &["SELECT", "1"]).await;
    cmd(&mut src, &["COPY", "a", "b", "DB", "0"]).await; // into source db 0 → target db 20
    support::caught_up(&m, &mut src, 30).await;
    assert_eq!(get(&mut tgt, 21, "a").await.as_deref(), Some("1"), "MOVE went to the mapped db");
    assert_eq!(get(&mut tgt, 20, "b").await.as_deref(), Some("1"), "COPY ... DB went to the mapped db");
    cmd(&mut src, &["SWAPDB", "0", "1"]).await;
    support::caught_up(&m, &mut src, 30).await;
    assert_eq!(get(&mut tgt, 20, "a").await.as_deref(), Some("1"), "SWAPDB swapped the mapped dbs");
    assert_eq!(get(&mut tgt, 21, "b").await.as_deref(), Some("1"));
    cmd(&mut src, &["FLUSHALL"]).await;
    support::caught_up(&m, &mut src, 30).await;
    assert_eq!(get(&mut tgt, 20, "a").await, None, "FLUSHALL emptied the mapped dbs");
    assert_eq!(get(&mut tgt, 21, "b").await, None);
    assert_eq!(get(&mut tgt, 0, "theirs").await.as_deref(), Some("keep me"), "and spared the target's own dbs");
    assert_eq!(get(&mut tgt, 1, "theirs").await.as_deref(), Some("keep me too"));
    m.stop();
    m.wait().await.expect("ends cleanly");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn key_patterns_split_or_skip_multi_key_commands_and_transactions() {
    let (source, target) = (RedisServer::start(), RedisServer::start());
    let (mut src, mut tgt) = (source.client().await, target.client().await);
    cmd(&mut tgt, &["SET", "other:1", "theirs"]).await;
    cmd(&mut src, &["SET", "app:1", "a"]).await;
    cmd(&mut src, &["SET", "other:1", "source's"]).await;
    let m = incremental(start(&source, &target, Filter::new(&[], &["app:*".into()], &[]))).await;
    assert_eq!(get(&mut tgt, 0, "other:1").await.as_deref(), Some("theirs"), "the snapshot skipped it");
    cmd(&mut src, &["MSET", "app:2", "b", "other:2", "x"]).await;
    cmd(&mut src, &["DEL", "app:1", "other:1"]).await;
    cmd(&mut src, &["MULTI"]).await;
    cmd(&mut src, &["SET", "app:3", "c"]).await;
    cmd(&mut src, &["SET", "other:3", "y"]).await;
    cmd(&mut src, &["EXEC"]).await;
    cmd(&mut src, &["RENAME", "other:2", "other:4"]).await;
    support::caught_up(&m, &mut src, 30).await;
    assert_eq!(get(&mut tgt, 0, "app:2").await.as_deref(), Some("b"));
    assert_eq!(get(&mut tgt, 0, "other:2").await, None, "MSET kept only the migrated key");
    assert_eq!(get(&mut tgt, 0, "app:1").await, None, "DEL of the migrated key applied");
    assert_eq!(get(&mut tgt, 0, "other:1").await.as_deref(), Some("theirs"), "DEL spared the left-out key");
    assert_eq!(get(&mut tgt, 0, "app:3").await.as_deref(), Some("c"));
    assert_eq!(get(&mut tgt, 0, "other:3").await, None, "the transaction wrote only migrated keys");
    assert_eq!(get(&mut tgt, 0, "other:4").await, None, "a RENAME between left-out keys is skipped");
    m.stop();
    m.wait().await.expect("ends cleanly");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn commands_a_filter_cannot_honour_stop_the_migration_and_name_themselves() {
    for (setup, what) in [
        (&["RENAME", "app:1", "other:1"][..], "RENAME, on the key \"app:1\""),
        (&["FLUSHDB"][..], "FLUSHDB"),
        (&["FLUSHALL"][..], "FLUSHALL"),
        (&["SWAPDB", "0", "1"][..], "SWAPDB"),
    ] {
        let (source, target) = (RedisServer::start(), RedisServer::start());
        let (mut src, mut tgt) = (source.client().await, target.client().await);
        cmd(&mut tgt, &["SET", "other:theirs", "keep me"]).await;
        cmd(&mut src, &["SET", "app:1", "a"]).await;
        let m = incremental(start(&source, &target, Filter::new(&[], &["app:*".into()], &[]))).await;
        cmd(&mut src, setup).await;
        let err = tokio::time::timeout(Duration::from_secs(20), m.wait()).await.expect("stops").expect_err("stops");
        let text = err.to_string();
        assert!(text.contains(what) && text.contains("stopped"), "{text}");
        assert_eq!(get(&mut tgt, 0, "other:theirs").await.as_deref(), Some("keep me"), "{setup:?} touched nothing");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clear_first_clears_only_what_the_filter_migrates() {
    let (source, target) = (RedisServer::start(), RedisServer::start());
    let (mut src, mut tgt) = (source.client().await, target.client().await);
    cmd(&mut src, &["SET", "app:1", "new"]).await;
    cmd(&mut tgt, &["SET", "app:old", "stale"]).await;
    cmd(&mut tgt, &["SET", "other:1", "theirs"]).await;
    let mut options = MigrateOptions::new(source.endpoint(), target.endpoint());
    options.filter = Filter::new(&[], &["app:*".into()], &[]);
    options.write_mode = WriteMode::ClearFirst;
    options.cutover_when_synced = true;
    Migration::start(options).wait().await.expect("succeeds");
    assert_eq!(get(&mut tgt, 0, "app:1").await.as_deref(), Some("new"));
    assert_eq!(get(&mut tgt, 0, "app:old").await, None, "the migrated keyspace was cleared");
    assert_eq!(get(&mut tgt, 0, "other:1").await.as_deref(), Some("theirs"), "the rest was not");
}
