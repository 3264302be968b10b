//! Verify finds every kind of difference between two real servers, and none between equal ones.

mod support;

use ferry::verify::{compare_all, DiffKind};
use support::data::fill_all_types;
use support::{cmd, RedisServer};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn finds_each_kind_of_difference() {
    let (a, b) = (RedisServer::start(), RedisServer::start());
    let (mut s, mut t) = (a.client().await, b.client().await);
    fill_all_types(&mut s).await;
    fill_all_types(&mut t).await;
    assert_eq!(compare_all(&mut s, &mut t, 2000).await.unwrap(), vec![], "same data, no differences");

    cmd(&mut t, &["SELECT", "0"]).await; // compare_all leaves the connection on the last db it read
    cmd(&mut t, &["DEL", "s:raw"]).await; // missing
    cmd(&mut t, &["SET", "only:target", "1"]).await; // extra
    cmd(&mut t, &["DEL", "l:small"]).await;
    cmd(&mut t, &["SET", "l:small", "now a string"]).await; // type
    cmd(&mut t, &["ZADD", "z:small", "2.5000001", "b"]).await; // value (score)
    cmd(&mut t, &["PEXPIRE", "h:small", "999999"]).await; // ttl
    cmd(&mut t, &["XACK", "x:stream", "g1", "1000-1"]).await; // value (stream PEL)
    let diffs = compare_all(&mut s, &mut t, 2000).await.unwrap();
    let found: Vec<(&str, DiffKind)> = diffs.iter().map(|d| (d.key.as_str(), d.kind.clone())).collect();
    assert_eq!(
        found,
        vec![
            ("h:small", DiffKind::Ttl),
            ("l:small", DiffKind::Type),
            ("only:target", DiffKind::Extra),
            ("s:raw", DiffKind::Missing),
            ("x:stream", DiffKind::Value),
            ("z:small", DiffKind::Value),
        ]
    );
}

/// A long verify says how far it is: each stage in order, its total from DBSIZE, every key counted.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reports_its_progress_stage_by_stage() {
    use ferry::filter::Filter;
    use ferry::verify::{run_keyspaces, Keyspace, VerifyOptions, VerifyProgress, VerifyStage};

    let (a, b) = (RedisServer::start(), RedisServer::start());
    let (mut s, mut t) = (a.client().await, b.client().await);
    support::data::fill_bulk(&mut s, 2500).await;
    support::data::fill_bulk(&mut t, 2500).await;
    for key in ["extra:1", "extra:2", "extra:3"] {
        cmd(&mut t, &["SET", key, "x"]).await;
    }
    let options = VerifyOptions { recheck_delay: std::time::Duration::from_millis(10), ..VerifyOptions::default() };
    let mut seen: Vec<VerifyProgress> = Vec::new();
    let report =
        run_keyspaces(&mut Keyspace::one(&mut s), &mut Keyspace::one(&mut t), &Filter::default(), &options, &mut |p| {
            seen.push(p)
        })
        .await
        .unwrap();
    assert_eq!((report.keys_compared, report.extra), (2500, 3));
    let stages: Vec<VerifyStage> = seen.iter().map(|p| p.stage).fold(Vec::new(), |mut v, s| {
        if v.last() != Some(&s) {
            v.push(s);
        }
        v
    });
    // Three recheck rounds: the extra keys stay extra.
    assert_eq!(stages, [VerifyStage::Compare, VerifyStage::Extra, VerifyStage::Recheck]);
    let last = |stage| seen.iter().rev().find(|p| p.stage == stage).copied().unwrap();
    assert_eq!(last(VerifyStage::Compare), VerifyProgress { stage: VerifyStage::Compare, done: 2500, total: 2500 });
    assert_eq!(last(VerifyStage::Extra), VerifyProgress { stage: VerifyStage::Extra, done: 2503, total: 2503 });
    assert_eq!(last(VerifyStage::Recheck), VerifyProgress { stage: VerifyStage::Recheck, done: 3, total: 3 });
    assert!(seen.iter().filter(|p| p.stage == VerifyStage::Compare).count() > 2, "a step per page, not only the ends");
    for pair in seen.windows(2) {
        // Each recheck round counts its keys from 0 again.
        let new_round = pair[1].stage == VerifyStage::Recheck && pair[1].done == 0;
        if pair[0].stage == pair[1].stage && !new_round {
            assert!(pair[1].done >= pair[0].done, "{pair:?}");
        }
    }
}
