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
