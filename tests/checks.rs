//! The pre-check against real servers: a healthy pair passes, and each problem a user can have shows
//! on its own item, with the level and the words that tell them what to do.

mod support;

use std::net::TcpListener;
use std::time::{Duration, Instant};

use ferry::checks::{self, CheckInput, CheckItem, CheckReport, Level, ScanProgress};
use ferry::client::{info_field, Client};
use ferry::endpoint::{Endpoint, Secret};
use ferry::model::{Edition, MigrationType, WriteMode};
use ferry::text::{Lang, Text};
use support::cluster::RedisCluster;
use support::data::{fill_all_types, fill_bulk, version};
use support::{argv, cmd, pipeline, RedisServer};

/// Every item of a public-network check, in order.
const ALL_IDS: [&str; 21] = [
    "region",
    "source.connect",
    "target.connect",
    "target.distinct",
    "network.tls",
    "source.psync",
    "source.version",
    "target.version",
    "target.empty",
    "target.memory",
    "target.eviction",
    "databases",
    "edition",
    "target.cluster",
    "source.modules",
    "source.functions",
    "filter.commands",
    "source.bigkeys",
    "source.ttl",
    "source.config",
    "rtt",
];

/// The items that need the source.
const NEED_SOURCE: [&str; 13] = [
    "target.distinct",
    "source.psync",
    "source.version",
    "target.version",
    "target.memory",
    "databases",
    "edition",
    "source.modules",
    "source.functions",
    "source.bigkeys",
    "source.ttl",
    "source.config",
    "rtt",
];

fn input(source: &RedisServer, target: &RedisServer) -> CheckInput {
    CheckInput::new(source.endpoint(), target.endpoint())
}

async fn check(input: &CheckInput) -> CheckReport {
    checks::run(input, |_| {}, |_| {}).await
}

fn item<'a>(report: &'a CheckReport, id: &str) -> &'a CheckItem {
    report.get(id).unwrap_or_else(|| panic!("no item {id} in {report:#?}"))
}

/// The item's value, in English.
fn value(report: &CheckReport, id: &str) -> String {
    item(report, id).value.to_string()
}

/// Asserts the item's level and that its message says `word` (in English), and that the item reads
/// whole in every language.
fn assert_item(report: &CheckReport, id: &str, level: Level, word: &str) {
    let it = item(report, id);
    assert_eq!(it.level, level, "{it:#?}");
    assert!(it.message.to_string().contains(word), "{id}'s message should mention {word:?}: {it:#?}");
    assert_translated(it);
}

/// Every sentence of the item has a catalog entry and all its placeholders filled, in English and
/// in Chinese.
fn assert_translated(it: &CheckItem) {
    for text in [&it.value, &it.message] {
        assert!(ferry::text::catalog::lookup(&text.code).is_some(), "{} has no catalog entry: {it:#?}", text.code);
        assert!(unfilled(text).is_none(), "{:?} is not filled: {it:#?}", unfilled(text));
        for lang in [Lang::En, Lang::Zh] {
            assert!(!text.render(lang).trim().is_empty(), "{it:#?}");
        }
    }
}

/// A placeholder the text (or one of its arguments) leaves without a value.
fn unfilled(text: &Text) -> Option<String> {
    let entry = ferry::text::catalog::lookup(&text.code)?;
    let mut rest = entry.en;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else { break };
        let name = &after[..close];
        if !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            match text.args.get(name) {
                None => return Some(format!("{}: {{{name}}}", text.code)),
                Some(ferry::text::Arg::Text(inner)) => {
                    if let Some(missing) = unfilled(inner) {
                        return Some(missing);
                    }
                }
                Some(ferry::text::Arg::List(items)) => {
                    if let Some(missing) = items.iter().find_map(unfilled) {
                        return Some(missing);
                    }
                }
                Some(ferry::text::Arg::Plain(_)) => {}
            }
        }
        rest = &after[close + 1..];
    }
    None
}

/// A port nobody listens on: bound, then released.
fn dead_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("a free port")
}

fn with_credentials(server: &RedisServer, user: Option<&str>, password: &str) -> Endpoint {
    Endpoint { user: user.map(str::to_string), password: Some(Secret::new(password)), ..server.endpoint() }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_healthy_pair_passes() {
    let (source, target) = (RedisServer::start(), RedisServer::start());
    let mut src = source.client().await;
    fill_all_types(&mut src).await;
    let report = check(&input(&source, &target)).await;

    assert!(!report.has_errors(), "{report:#?}");
    let ids: Vec<&str> = report.items.iter().map(|i| i.id.as_str()).collect();
    assert_eq!(ids, ALL_IDS);
    assert_eq!(value(&report, "region"), "n/a");
    assert_eq!(item(&report, "region").value.render(Lang::Zh), "不适用");
    // Plain TCP on loopback does not cross the public network: no warning (there was one, false).
    assert_item(&report, "network.tls", Level::Pass, "does not cross the public network");
    assert!(!report.has_warnings(), "{report:#?}");
    for it in &report.items {
        assert_eq!(it.level, Level::Pass, "{it:#?}");
        assert!(!it.title.is_empty(), "{it:#?}");
        assert!(!it.value.to_string().is_empty() && !it.message.to_string().is_empty(), "{it:#?}");
        assert_translated(it);
    }
    assert!(value(&report, "source.connect").ends_with(" ms"));
    assert_item(&report, "source.psync", Level::Pass, "PSYNC");
    assert!(value(&report, "source.version").contains("RDB"));
    assert_item(&report, "target.version", Level::Pass, "RESTORE");
    assert_eq!(value(&report, "target.empty"), "0 keys");
    assert!(value(&report, "target.memory").contains("unlimited"));
    assert_eq!(value(&report, "target.eviction"), "noeviction");
    assert!(value(&report, "databases").contains("0, 1, 15"));
    assert_eq!(value(&report, "source.modules"), "none");
    if version(&mut src).await >= (7, 0) {
        assert_eq!(value(&report, "source.functions"), "1 library");
    }
    assert_item(&report, "source.bigkeys", Level::Pass, "all");
    assert!(value(&report, "source.bigkeys").ends_with(", 0 big"));
    assert!(value(&report, "source.ttl").starts_with("3 of "), "{:?}", item(&report, "source.ttl"));
    assert!(value(&report, "source.config").contains("repl-backlog-size"));
    assert!(value(&report, "rtt").contains("; full sync "), "{:?}", item(&report, "rtt"));
    assert_item(&report, "rtt", Level::Pass, "estimate");

    // The console stores and sends it as JSON.
    let json = serde_json::to_string(&report).expect("serializes");
    assert!(json.contains(r#""level":"pass""#), "{json}");
    assert_eq!(serde_json::from_str::<CheckReport>(&json).expect("deserializes"), report);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_item_sees_each_item_once_in_order() {
    let (source, target) = (RedisServer::start(), RedisServer::start());
    let mut seen = Vec::new();
    let report = checks::run(&input(&source, &target), |it| seen.push(it.clone()), |_| {}).await;
    assert_eq!(seen, report.items);
    let ids: Vec<&str> = seen.iter().map(|i| i.id.as_str()).collect();
    assert_eq!(ids, ALL_IDS);
    assert_eq!(checks::item_count(&input(&source, &target)), ALL_IDS.len());

    // A cloud VM migration has every item but the TLS one; the count a UI shows progress against
    // says so too.
    let mut vm = input(&source, &target);
    vm.kind = MigrationType::CloudVm;
    let report = checks::run(&vm, |_| {}, |_| {}).await;
    assert!(report.get("network.tls").is_none());
    assert_eq!(report.items.len(), checks::item_count(&vm));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_target_with_keys_depends_on_the_write_mode() {
    let (source, target) = (RedisServer::start(), RedisServer::start());
    let mut tgt = target.client().await;
    cmd(&mut tgt, &["SET", "already", "here"]).await;
    cmd(&mut tgt, &["SET", "and", "this"]).await;
    let mut input = input(&source, &target);

    input.write_mode = WriteMode::FailOnExisting;
    let report = check(&input).await;
    assert_item(&report, "target.empty", Level::Error, "fail-on-existing");
    assert_eq!(value(&report, "target.empty"), "2 keys");
    assert!(report.has_errors());

    input.write_mode = WriteMode::Overwrite;
    assert_item(&check(&input).await, "target.empty", Level::Warning, "replaced");

    input.write_mode = WriteMode::ClearFirst;
    assert_item(&check(&input).await, "target.empty", Level::Warning, "2 keys will be deleted");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_source_password_stops_the_source_checks() {
    let source = RedisServer::start_args(&["--requirepass", "pw"]);
    let target = RedisServer::start();
    let mut input = input(&source, &target);
    input.source = with_credentials(&source, None, "not-the-password");
    let report = check(&input).await;

    assert_item(&report, "source.connect", Level::Error, "credentials");
    assert!(report.has_errors());
    for id in NEED_SOURCE {
        assert_item(&report, id, Level::Skipped, "not checked: the source is unreachable");
    }
    // What needs only the target still runs.
    assert_eq!(item(&report, "target.connect").level, Level::Pass);
    assert_eq!(item(&report, "target.empty").level, Level::Pass);
    assert_eq!(item(&report, "target.eviction").level, Level::Pass);

    input.source = with_credentials(&source, None, "pw");
    assert!(!check(&input).await.has_errors());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_target_is_an_error_item() {
    let source = RedisServer::start();
    let mut input = CheckInput::new(source.endpoint(), Endpoint::new("127.0.0.1", dead_port()));
    input.write_mode = WriteMode::FailOnExisting;
    let report = check(&input).await;

    assert_item(&report, "target.connect", Level::Error, "cannot connect");
    for id in ["target.empty", "target.eviction", "target.memory", "target.version", "databases", "rtt"] {
        assert_item(&report, id, Level::Skipped, "not checked: the target is unreachable");
    }
    assert_eq!(item(&report, "source.connect").level, Level::Pass);
    assert_eq!(item(&report, "source.version").level, Level::Pass);
    assert_eq!(report.items.len(), ALL_IDS.len());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cloud_vm_source_must_be_in_the_target_region() {
    let (source, target) = (RedisServer::start(), RedisServer::start());
    let mut input = input(&source, &target);
    input.kind = MigrationType::CloudVm;
    input.target_region = "ap-guangzhou".into();

    input.source_region = Some("ap-shanghai".into());
    let report = check(&input).await;
    assert_item(&report, "region", Level::Error, "cross-region migration is not supported");
    assert!(item(&report, "region").message.to_string().contains("source in ap-shanghai, target in ap-guangzhou"));
    // A cloud VM is reached over the private network: no transport warning.
    assert!(report.get("network.tls").is_none(), "{report:#?}");

    input.source_region = None;
    assert_item(&check(&input).await, "region", Level::Error, "region");

    input.source_region = Some("ap-guangzhou".into());
    let report = check(&input).await;
    assert_eq!(item(&report, "region").level, Level::Pass, "{report:#?}");
    assert!(!report.has_errors(), "{report:#?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_evicting_target_is_a_warning() {
    let source = RedisServer::start();
    let target = RedisServer::start_args(&["--maxmemory-policy", "allkeys-lru"]);
    let report = check(&input(&source, &target)).await;
    assert_item(&report, "target.eviction", Level::Warning, "noeviction");
    assert_eq!(value(&report, "target.eviction"), "allkeys-lru");
}

async fn used_memory(client: &mut Client, field: &str) -> u64 {
    let info = client.info("memory").await.expect("INFO memory");
    info_field(&info, field).and_then(|v| v.parse().ok()).expect("a memory figure")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_small_target_is_an_error_and_a_tight_one_a_warning() {
    let source = RedisServer::start();
    let mut src = source.client().await;
    fill_bulk(&mut src, 50_000).await;
    let target = RedisServer::start_args(&["--maxmemory", "1mb"]);
    let report = check(&input(&source, &target)).await;
    assert_item(&report, "target.memory", Level::Error, "maxmemory");
    assert!(value(&report, "target.memory").contains("free of 1.0 MB"), "{report:#?}");

    // 10% more than the source uses: it fits, without the 20% headroom.
    let mut tgt = target.client().await;
    let needed = used_memory(&mut src, "used_memory").await;
    let in_use = used_memory(&mut tgt, "used_memory_dataset").await;
    let limit = (needed as f64 * 1.1) as u64 + in_use;
    cmd(&mut tgt, &["CONFIG", "SET", "maxmemory", &limit.to_string()]).await;
    assert_item(&check(&input(&source, &target)).await, "target.memory", Level::Warning, "20%");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn big_keys_are_named() {
    let (source, target) = (RedisServer::start(), RedisServer::start());
    let mut src = source.client().await;
    fill_bulk(&mut src, 1000).await;
    let members: Vec<String> = (0..20_000).map(|i| format!("member-{i}")).collect();
    let commands: Vec<_> = members
        .chunks(1000)
        .map(|chunk| {
            let mut c = vec!["ZADD", "zbig"];
            for m in chunk {
                c.extend(["1", m.as_str()]);
            }
            argv(&c)
        })
        .collect();
    pipeline(&mut src, &commands).await;
    cmd(&mut src, &["SET", "sbig", &"x".repeat(300_000)]).await;

    let mut input = input(&source, &target);
    let report = check(&input).await;
    assert_item(&report, "source.bigkeys", Level::Pass, "no key over 64.0 MB");

    input.big_key_elements = 10_000;
    input.big_key_bytes = 200_000;
    let report = check(&input).await;
    assert_item(&report, "source.bigkeys", Level::Warning, "zbig (zset, 20000 elements");
    assert_item(&report, "source.bigkeys", Level::Warning, "sbig (string");
    assert_eq!(value(&report, "source.bigkeys"), "1002 keys sampled, 2 big");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_big_key_scan_keeps_to_its_budget() {
    let (source, target) = (RedisServer::start(), RedisServer::start());
    let mut src = source.client().await;
    fill_bulk(&mut src, 200_000).await;
    let mut input = input(&source, &target);
    input.scan_budget = Duration::from_millis(50);
    let mut stamps = Vec::new();
    let mut scans = Vec::new();
    let report =
        checks::run(&input, |it| stamps.push((it.id.clone(), Instant::now())), |p: ScanProgress| scans.push(p)).await;

    let at = stamps.iter().position(|(id, _)| id == "source.bigkeys").expect("a big-key item");
    let took = stamps[at].1 - stamps[at - 1].1;
    assert!(took < Duration::from_millis(50 + 450), "the scan took {took:?}");
    assert_item(&report, "source.bigkeys", Level::Pass, "within the 50 ms budget");
    let sampled: u64 = value(&report, "source.bigkeys").split(' ').next().and_then(|n| n.parse().ok()).unwrap();
    assert!(sampled > 0 && sampled < 200_000, "{report:#?}");
    // It said how far it was as it went: from 0 of the most it would measure, page by page, to
    // what it measured.
    let first = scans.first().expect("the scan reports its progress");
    assert_eq!((first.looked_at, first.of, first.budget_ms), (0, 50_000, 50));
    assert!(scans.len() > 2, "a report per page: {scans:?}");
    assert!(scans.windows(2).all(|w| w[1].looked_at >= w[0].looked_at && w[1].elapsed_ms >= w[0].elapsed_ms));
    assert_eq!(scans.last().unwrap().looked_at, sampled);
    assert_eq!(scans.iter().filter(|p| p.done).count(), 1, "one last word, at the end");
    assert!(scans.last().unwrap().done);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_user_without_psync_cannot_replicate() {
    let (source, target) = (RedisServer::start(), RedisServer::start());
    let mut src = source.client().await;
    if version(&mut src).await < (6, 0) {
        eprintln!("the default server has no ACLs: test not run");
        return;
    }
    cmd(&mut src, &["ACL", "SETUSER", "app", "on", ">pw", "~*", "&*", "+@all", "-psync"]).await;
    // Without ACL DRYRUN the check falls back to a real REPLCONF.
    cmd(&mut src, &["ACL", "SETUSER", "app2", "on", ">pw", "~*", "&*", "+@all", "-psync", "-replconf", "-acl"]).await;
    let mut input = input(&source, &target);

    input.source = with_credentials(&source, Some("app"), "pw");
    let report = check(&input).await;
    assert_item(&report, "source.psync", Level::Error, "+psync +sync +replconf");
    assert_eq!(item(&report, "source.connect").level, Level::Pass);

    input.source = with_credentials(&source, Some("app2"), "pw");
    assert_item(&check(&input).await, "source.psync", Level::Error, "NOPERM");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn functions_need_a_target_of_7_0() {
    let old = support::other_binaries().into_iter().find(|binary| {
        std::process::Command::new(binary)
            .arg("--version")
            .output()
            .is_ok_and(|out| String::from_utf8_lossy(&out.stdout).contains(" v=6."))
    });
    let Some(old) = old else {
        eprintln!("FERRY_TEST_SERVERS names no Redis 6 binary: functions cross-version test skipped");
        return;
    };
    let source = RedisServer::start();
    let mut src = source.client().await;
    if version(&mut src).await < (7, 0) {
        eprintln!("the default server is older than 7.0: functions cross-version test skipped");
        return;
    }
    fill_all_types(&mut src).await; // loads a function library
    let target = RedisServer::start_with(&old, &[]);
    let report = check(&input(&source, &target)).await;
    assert_item(&report, "source.functions", Level::Error, "cannot hold function libraries");
    assert_item(&report, "target.version", Level::Warning, "rewritten as commands");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_renamed_config_is_a_warning() {
    let source = RedisServer::start_args(&["--rename-command", "CONFIG", ""]);
    let target = RedisServer::start();
    let report = check(&input(&source, &target)).await;
    assert_item(&report, "source.config", Level::Warning, "CONFIG is not available on the source");
    assert!(!report.has_errors(), "{report:#?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn source_dbs_must_exist_on_the_target() {
    let source = RedisServer::start();
    let mut src = source.client().await;
    cmd(&mut src, &["SELECT", "5"]).await;
    cmd(&mut src, &["SET", "in-db-5", "x"]).await;
    let target = RedisServer::start_args(&["--databases", "4"]);
    assert_item(&check(&input(&source, &target)).await, "databases", Level::Error, "db 5");

    // Where CONFIG is renamed the target is asked for the db itself.
    let hidden = RedisServer::start_args(&["--databases", "4", "--rename-command", "CONFIG", ""]);
    assert_item(&check(&input(&source, &hidden)).await, "databases", Level::Error, "no db 5");
    let roomy = RedisServer::start_args(&["--rename-command", "CONFIG", ""]);
    assert_item(&check(&input(&source, &roomy)).await, "databases", Level::Pass, "db 5");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_edition_must_be_the_targets_shape_and_a_cluster_takes_db_0_only() {
    let (source, standalone) = (RedisServer::start(), RedisServer::start());
    let mut src = source.client().await;
    cmd(&mut src, &["SET", "k", "v"]).await;
    cmd(&mut src, &["SELECT", "3"]).await;
    cmd(&mut src, &["SET", "k3", "v"]).await;
    let mut registered_cluster = input(&source, &standalone);
    registered_cluster.target_edition = Edition::Cluster;
    assert_item(&check(&registered_cluster).await, "edition", Level::Error, "does not run in cluster mode");

    let cluster = RedisCluster::start(3, 0);
    let mut into_cluster = input(&source, &cluster.nodes[0]);
    let report = check(&into_cluster).await;
    assert_item(&report, "edition", Level::Warning, "register the instance as the cluster edition");
    assert_item(&report, "databases", Level::Error, "--db-map 3:0");
    into_cluster.target_edition = Edition::Cluster;
    into_cluster.filter = ferry::filter::Filter::new(&[ferry::model::DbMapping { source: 3, target: 0 }], &[], &[]);
    let report = check(&into_cluster).await;
    assert_item(&report, "edition", Level::Pass, "the master of its slot");
    assert_item(&report, "databases", Level::Pass, "every source db maps into db 0");
    assert_item(&report, "target.cluster", Level::Pass, "every master can take its share");
    assert_eq!(value(&report, "target.cluster"), "3 masters, all 16384 slots served");
    assert_item(&report, "target.memory", Level::Pass, "checked against its share");

    // A master too small for its third of the source; a command the cluster cannot take across slots.
    fill_bulk(&mut src, 20_000).await;
    cmd(&mut src, &["RENAME", "bulk:1", "renamed"]).await;
    let mut small = cluster.nodes[1].client().await;
    cmd(&mut small, &["CONFIG", "SET", "maxmemory", "100000"]).await;
    let report = check(&into_cluster).await;
    assert_item(
        &report,
        "target.cluster",
        Level::Error,
        &format!("the master 127.0.0.1:{} serves", cluster.nodes[1].port),
    );
    assert_item(&report, "target.cluster", Level::Error, "RENAME (1)");
    cmd(&mut small, &["CONFIG", "SET", "maxmemory", "0"]).await;
    assert_item(&check(&into_cluster).await, "target.cluster", Level::Warning, "RENAME (1)");

    let report = check(&CheckInput::new(cluster.endpoint(), standalone.endpoint())).await;
    assert_item(&report, "edition", Level::Pass, "one replication stream per source master");

    // As a source, a cluster's big keys and memory are on every master, not only the one given.
    let topology = ferry::cluster::discover(&cluster.endpoint()).await.unwrap().unwrap();
    let seed_shard = topology.shards.iter().position(|s| s.master.port == cluster.nodes[0].port).unwrap();
    let elsewhere = (0..)
        .map(|i| format!("list:{i}"))
        .find(|k| topology.shard_of(ferry::cluster::slot(k.as_bytes())) != seed_shard)
        .unwrap();
    let mut owner = cluster.client_for(&elsewhere).await;
    let items: Vec<String> = (0..200).map(|i| i.to_string()).collect();
    let mut rpush = vec!["RPUSH", elsewhere.as_str()];
    rpush.extend(items.iter().map(String::as_str));
    cmd(&mut owner, &rpush).await;
    let mut from_cluster = CheckInput::new(cluster.endpoint(), standalone.endpoint());
    from_cluster.big_key_elements = 100;
    let report = check(&from_cluster).await;
    assert_item(&report, "source.bigkeys", Level::Warning, &elsewhere);
    let mut used = 0;
    for master in topology.masters() {
        let memory = ferry::client::Client::connect(master).await.unwrap().info("memory").await.unwrap();
        used += info_field(&memory, "used_memory").unwrap().parse::<u64>().unwrap();
    }
    // "2.9 MB needed, ...": every master's used_memory, not the first's alone (about a third).
    let needed = &value(&report, "target.memory");
    let mb: f64 = needed.split(' ').next().unwrap().parse().unwrap();
    assert!(needed.contains(" MB needed") && mb * 1048576.0 > used as f64 * 0.9, "{needed} for {used} bytes in all");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_server_as_source_and_target_is_an_error() {
    let server = RedisServer::start();
    // Two spellings of one address: the check must see through them by run_id.
    let mut alias = server.endpoint();
    alias.host = "localhost".into();
    let report = checks::run(&CheckInput::new(server.endpoint(), alias), |_| {}, |_| {}).await;
    assert_item(&report, "target.distinct", Level::Error, "same Redis server");
    let other = RedisServer::start();
    let report = checks::run(&input(&server, &other), |_| {}, |_| {}).await;
    assert_item(&report, "target.distinct", Level::Pass, "different servers");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_filter_warns_about_commands_it_cannot_honour() {
    let source = RedisServer::start();
    let target = RedisServer::start();
    let mut input = input(&source, &target);
    assert_item(&check(&input).await, "filter.commands", Level::Pass, "whole source");
    input.filter = ferry::filter::Filter::new(&[], &["app:*".into()], &[]);
    assert_item(&check(&input).await, "filter.commands", Level::Pass, "no command");
    let mut c = source.client().await;
    cmd(&mut c, &["SET", "a", "1"]).await;
    cmd(&mut c, &["RENAME", "a", "b"]).await;
    cmd(&mut c, &["FLUSHDB"]).await;
    let report = check(&input).await;
    assert_item(&report, "filter.commands", Level::Warning, "FLUSHDB (1), which stop the migration");
    assert_item(&report, "filter.commands", Level::Warning, "RENAME (1), which stop it when their keys mix");
}
