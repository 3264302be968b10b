//! The hot standby against real servers: the proxy forwards and keeps session state, the master's
//! death moves writes to the promoted replica within seconds, a short stall moves nothing, a replica
//! that never synced is not promoted, a returning old master is fenced and re-arms the pair, a planned
//! switchover and sync-writes mode lose no acknowledged write.

mod support;

use std::time::{Duration, Instant};

use ferry::client::{info_field, Client};
use ferry::endpoint::{Endpoint, Secret};
use ferry::ha::events::{Event, EventKind};
use ferry::ha::{self, HaHandle, HaOptions};
use ferry::resp::Frame;
use support::relay::Relay;
use support::{cmd, RedisServer};

/// A master and a replica of it, the replica synced.
async fn master_and_replica(args: &[&str]) -> (RedisServer, RedisServer) {
    // No diskless-sync delay: the replica syncs at once instead of after 5 s.
    let args = [args, &["--repl-diskless-sync-delay", "0"]].concat();
    let (master, replica) = (RedisServer::start_args(&args), RedisServer::start_args(&args));
    let mut r = replica.client().await;
    cmd(&mut r, &["REPLICAOF", "127.0.0.1", &master.port.to_string()]).await;
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let info = r.info("replication").await.expect("INFO replication");
        if info_field(&info, "master_link_status") == Some("up") {
            return (master, replica);
        }
        assert!(Instant::now() < deadline, "the replica did not sync within 10 s: {info:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn start_ha(master: &RedisServer, replica: &RedisServer) -> HaHandle {
    ha::start(HaOptions::new(master.endpoint(), replica.endpoint())).await.expect("start the hot standby")
}

fn proxy_endpoint(handle: &HaHandle) -> Endpoint {
    Endpoint::new("127.0.0.1", handle.local_addr().port())
}

async fn role(server: &RedisServer) -> String {
    let reply = cmd(&mut server.client().await, &["ROLE"]).await;
    match reply {
        Frame::Array(items) => items.first().and_then(Frame::as_bytes).map(|b| String::from_utf8_lossy(b).into_owned()),
        _ => None,
    }
    .unwrap_or_default()
}

fn kinds(events: &[Event]) -> Vec<EventKind> {
    events.iter().map(|e| e.kind).collect()
}

/// Waits (bounded) until an event of `kind` is in the history.
async fn wait_for_event(handle: &HaHandle, kind: EventKind, within: Duration) -> bool {
    wait_for_events(handle, kind, 1, within).await
}

/// Waits (bounded) until `n` events of `kind` are in the history.
async fn wait_for_events(handle: &HaHandle, kind: EventKind, n: usize, within: Duration) -> bool {
    let deadline = Instant::now() + within;
    while Instant::now() < deadline {
        if handle.events().history().iter().filter(|e| e.kind == kind).count() >= n {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    false
}

fn text(frame: &Frame) -> Option<String> {
    frame.as_bytes().map(|b| String::from_utf8_lossy(b).into_owned())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forwards_commands_and_keeps_the_selected_db() {
    let (master, replica) = master_and_replica(&[]).await;
    let handle = start_ha(&master, &replica).await;
    let mut c = Client::connect(&proxy_endpoint(&handle)).await.expect("connect to the proxy");
    cmd(&mut c, &["SET", "a", "1"]).await;
    assert_eq!(text(&cmd(&mut c, &["GET", "a"]).await).as_deref(), Some("1"));

    cmd(&mut c, &["SELECT", "2"]).await;
    cmd(&mut c, &["SET", "b", "2"]).await;
    assert_eq!(text(&cmd(&mut c, &["GET", "b"]).await).as_deref(), Some("2"), "SELECT sticks in the session");
    assert_eq!(cmd(&mut c, &["GET", "a"]).await, Frame::Null, "a is in db 0, not db 2");

    // Pipelined: 200 commands written at once, replies in order.
    for _ in 0..200 {
        c.send(&["INCR", "n"]);
    }
    c.flush().await.expect("flush");
    for i in 1..=200 {
        assert_eq!(c.read_reply().await.expect("reply").as_int(), Some(i));
    }

    let mut m = master.client().await;
    cmd(&mut m, &["SELECT", "2"]).await;
    assert_eq!(text(&cmd(&mut m, &["GET", "b"]).await).as_deref(), Some("2"), "written to db 2 of the master");
    let mut other = Client::connect(&proxy_endpoint(&handle)).await.expect("second session");
    assert_eq!(cmd(&mut other, &["GET", "b"]).await, Frame::Null, "a new session starts in db 0");
    assert_eq!(handle.route().epoch, 0);
    handle.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_proxy_password_is_required_when_set() {
    let (master, replica) = master_and_replica(&[]).await;
    let mut options = HaOptions::new(master.endpoint(), replica.endpoint());
    options.proxy_password = Some("s3cret".into());
    let handle = ha::start(options).await.expect("start");
    let mut endpoint = proxy_endpoint(&handle);
    let err = Client::connect(&endpoint).await.err().map(|e| e.to_string()).unwrap_or_default();
    assert!(err.contains("NOAUTH"), "without AUTH: {err}");
    endpoint.password = Some(Secret::new("wrong"));
    let err = Client::connect(&endpoint).await.err().map(|e| e.to_string()).unwrap_or_default();
    assert!(err.contains("WRONGPASS"), "wrong password: {err}");
    endpoint.password = Some(Secret::new("s3cret"));
    let mut c = Client::connect(&endpoint).await.expect("the right password");
    cmd(&mut c, &["SET", "k", "v"]).await;
    handle.shutdown().await;
}

/// The admin password of [`protected_pair`] and its ACL users.
const ADMIN: &str = "adm1n pass";
const READER: (&str, &str) = ("reader", "r3ad@only");
const MASTER_ONLY: (&str, &str) = ("master-only", "n0t on the standby");

/// A master and its synced replica that both require a password and know the user `reader` (GET and
/// PING only), as a pair behind the proxy should be set up; `master-only` exists on the master alone.
async fn protected_pair() -> (RedisServer, RedisServer) {
    let (master, replica) = master_and_replica(&[]).await;
    let reader_rule = format!(">{}", READER.1);
    for server in [&master, &replica] {
        let mut c = server.client().await;
        cmd(&mut c, &["ACL", "SETUSER", READER.0, "on", &reader_rule, "~*", "+get", "+ping"]).await;
        cmd(&mut c, &["CONFIG", "SET", "masterauth", ADMIN]).await;
        cmd(&mut c, &["CONFIG", "SET", "requirepass", ADMIN]).await;
    }
    let mut m = master.client_auth(ADMIN).await;
    cmd(&mut m, &["ACL", "SETUSER", MASTER_ONLY.0, "on", &format!(">{}", MASTER_ONLY.1), "~*", "+@all"]).await;
    (master, replica)
}

fn admin(server: &RedisServer) -> Endpoint {
    Endpoint { password: Some(Secret::new(ADMIN)), ..server.endpoint() }
}

fn as_user(endpoint: &Endpoint, (user, password): (&str, &str)) -> Endpoint {
    Endpoint { user: Some(user.into()), password: Some(Secret::new(password)), ..endpoint.clone() }
}

/// Sends one command on a raw connection (no login, no PING first) and reads its reply.
async fn raw(stream: &mut tokio::net::TcpStream, args: &[&str]) -> Frame {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut out = bytes::BytesMut::new();
    ferry::resp::encode_command(&mut out, args);
    stream.write_all(&out).await.expect("write");
    let mut buf = bytes::BytesMut::new();
    loop {
        if let Ok(Some(len)) = ferry::resp::frame_len(&buf) {
            return ferry::resp::parse_frame(&buf.split_to(len).freeze()).expect("a frame").0;
        }
        assert!(stream.read_buf(&mut buf).await.expect("read") > 0, "the proxy closed the connection");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clients_log_in_with_the_servers_users_and_keep_their_limits_across_a_failover() {
    let (mut master, replica) = protected_pair().await;
    let handle = ha::start(HaOptions::new(admin(&master), admin(&replica))).await.expect("start the hot standby");
    let proxy = proxy_endpoint(&handle);

    // No login: the master's own NOAUTH, and nothing is written (the proxy used to write as itself).
    let mut anonymous = tokio::net::TcpStream::connect(("127.0.0.1", proxy.port)).await.expect("connect");
    let reply = raw(&mut anonymous, &["SET", "stolen", "1"]).await;
    assert!(reply.error_message().is_some_and(|m| m.starts_with("NOAUTH")), "{reply:?}");
    let mut m = master.client_auth(ADMIN).await;
    assert_eq!(cmd(&mut m, &["EXISTS", "stolen"]).await.as_int(), Some(0));
    let e = Client::connect(&as_user(&proxy, ("default", "wrong"))).await.err().map(|e| e.to_string());
    assert!(e.as_deref().is_some_and(|e| e.contains("WRONGPASS")), "{e:?}");

    // The admin writes; the reader reads and may not write; HELLO 3 AUTH logs in as well.
    let mut writer = Client::connect(&as_user(&proxy, ("default", ADMIN))).await.expect("the admin logs in");
    cmd(&mut writer, &["SET", "k", "v1"]).await;
    assert_eq!(cmd(&mut writer, &["WAIT", "1", "2000"]).await.as_int(), Some(1));
    let mut reader = Client::connect(&as_user(&proxy, READER)).await.expect("the reader logs in");
    assert_eq!(text(&cmd(&mut reader, &["GET", "k"]).await).as_deref(), Some("v1"));
    let denied = reader.raw_request(&["SET", "k", "x"]).await.expect("a reply");
    assert!(denied.error_message().is_some_and(|m| m.starts_with("NOPERM")), "{denied:?}");
    let hello = raw(&mut anonymous, &["HELLO", "3", "AUTH", READER.0, READER.1, "SETNAME", "r3"]).await;
    assert!(matches!(hello, Frame::Map(_)), "HELLO 3 AUTH through the proxy: {hello:?}");
    assert_eq!(text(&raw(&mut anonymous, &["GET", "k"]).await).as_deref(), Some("v1"));
    let mut lonely = Client::connect(&as_user(&proxy, MASTER_ONLY)).await.expect("a user of the master only");

    // After the failover every session is the same user on the new master: the login is replayed.
    master.kill9();
    assert!(wait_for_event(&handle, EventKind::RoutePushed, Duration::from_secs(10)).await, "no failover");
    assert_eq!(text(&cmd(&mut reader, &["GET", "k"]).await).as_deref(), Some("v1"));
    let denied = reader.raw_request(&["SET", "k", "x"]).await.expect("a reply");
    assert!(denied.error_message().is_some_and(|m| m.starts_with("NOPERM")), "still limited: {denied:?}");
    let got = raw(&mut anonymous, &["GET", "k"]).await;
    assert_eq!(text(&got).as_deref(), Some("v1"), "HELLO's login replayed: {got:?}");
    cmd(&mut writer, &["SET", "k", "v2"]).await;
    assert_eq!(handle.route().master.port, replica.port);
    // A user the standby does not know: told so, and the session is closed to log in again.
    let refused = lonely.raw_request(&["GET", "k"]).await.map(|f| format!("{f:?}")).unwrap_or_else(|e| e.to_string());
    assert!(refused.contains("refused this session's login"), "{refused}");
    handle.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_proxy_beyond_loopback_refuses_to_start_when_clients_need_no_login() {
    let (master, replica) = master_and_replica(&[]).await;
    let wide = |mut options: HaOptions| {
        options.listen = "0.0.0.0:0".into();
        options
    };
    let open = wide(HaOptions::new(master.endpoint(), replica.endpoint()));
    let e = ha::start(open).await.err().map(|e| e.to_string()).unwrap_or_default();
    assert!(e.contains("takes commands from clients that give no password") && e.contains("127.0.0.1"), "{e}");
    // With a password of the proxy's own it may listen there.
    let mut own = wide(HaOptions::new(master.endpoint(), replica.endpoint()));
    own.proxy_password = Some("pr0xy".into());
    ha::start(own).await.expect("a proxy password").shutdown().await;
    drop((master, replica));
    // Servers that require a login: the proxy may listen there too.
    let (master, replica) = protected_pair().await;
    ha::start(wide(HaOptions::new(admin(&master), admin(&replica)))).await.expect("servers with passwords");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_proxy_restarted_after_a_failover_with_the_same_arguments_routes_to_the_new_master() {
    let (mut master, replica) = master_and_replica(&[]).await;
    let handle = start_ha(&master, &replica).await;
    master.kill9();
    assert!(wait_for_event(&handle, EventKind::RoutePushed, Duration::from_secs(10)).await, "no failover");
    handle.shutdown().await;

    // The old master still down: the promoted replica says it is the master, so writes go there,
    // and the old master is fenced before it could be the standby.
    let handle = start_ha(&master, &replica).await;
    assert_eq!(handle.route().master.port, replica.port, "{:?}", handle.events().history());
    let said = handle.events().history().into_iter().find(|e| e.kind == EventKind::RolesChecked).expect("an event");
    let said = said.detail.to_string();
    assert!(said.contains("is master") && said.contains("unknown"), "{said}");
    let mut c = Client::connect(&proxy_endpoint(&handle)).await.expect("connect");
    assert_eq!(cmd(&mut c, &["SET", "after", "restart"]).await, Frame::Simple("OK".into()), "not -READONLY");
    master.restart();
    assert!(wait_for_event(&handle, EventKind::Fenced, Duration::from_secs(10)).await, "the old master fenced");
    assert_eq!(role(&master).await, "slave");
    handle.shutdown().await;

    // Both up, the old master now a replica: again the real master gets the writes.
    let handle = start_ha(&master, &replica).await;
    assert_eq!(handle.route().master.port, replica.port);
    let mut c = Client::connect(&proxy_endpoint(&handle)).await.expect("connect");
    assert_eq!(cmd(&mut c, &["SET", "again", "1"]).await, Frame::Simple("OK".into()));
    handle.shutdown().await;

    // Two masters: an error naming both, and no proxy.
    cmd(&mut master.client().await, &["REPLICAOF", "NO", "ONE"]).await;
    let e = ha::start(HaOptions::new(master.endpoint(), replica.endpoint())).await.err().map(|e| e.to_string());
    let e = e.unwrap_or_default();
    assert!(e.contains("both") && e.contains(&master.port.to_string()) && e.contains(&replica.port.to_string()), "{e}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_proxy_cut_off_from_a_live_master_promotes_only_once_the_standby_loses_it_too() {
    let (master, replica) = master_and_replica(&[]).await;
    // The proxy reaches the master through one relay, the replica through another: each path can be
    // blackholed (silence, not a reset) on its own.
    let proxy_path = Relay::start(master.port, None).await;
    let replica_path = Relay::start(master.port, None).await;
    let mut r = replica.client().await;
    cmd(&mut r, &["CONFIG", "SET", "repl-timeout", "2"]).await;
    cmd(&mut r, &["REPLICAOF", "127.0.0.1", &replica_path.port.to_string()]).await;
    let deadline = Instant::now() + Duration::from_secs(10);
    while info_field(&r.info("replication").await.unwrap(), "master_link_status") != Some("up") {
        assert!(Instant::now() < deadline, "the replica did not link through the relay");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let options = HaOptions::new(Endpoint::new("127.0.0.1", proxy_path.port), replica.endpoint());
    let handle = ha::start(options).await.expect("start the hot standby");
    let mut c = Client::connect(&proxy_endpoint(&handle)).await.expect("connect");
    cmd(&mut c, &["SET", "k", "1"]).await;

    // Only the proxy loses the master: suspect, round after round, and nothing is promoted.
    proxy_path.blackhole(true);
    assert!(wait_for_events(&handle, EventKind::Suspect, 2, Duration::from_secs(8)).await, "not suspected twice");
    let events = handle.events().history();
    assert!(!kinds(&events).contains(&EventKind::Promoted), "{events:?}");
    let suspect =
        events.iter().find(|e| e.kind == EventKind::Suspect).map(|e| e.detail.to_string()).unwrap_or_default();
    assert!(suspect.contains("still linked") && suspect.contains("link up"), "{suspect}");
    assert_eq!((handle.route().epoch, role(&replica).await.as_str()), (0, "slave"));

    // The replica loses it too (its repl-timeout, 2 s): now the master is gone for both, and the
    // standby is promoted. The old master cannot be reached to fence it: the route moves anyway,
    // within the fencing attempt's bound, and it is fenced when it returns.
    replica_path.blackhole(true);
    assert!(wait_for_event(&handle, EventKind::RoutePushed, Duration::from_secs(15)).await, "no failover");
    assert_eq!((handle.route().master.port, role(&replica).await.as_str()), (replica.port, "master"));
    let events = handle.events().history();
    let promoted = events.iter().position(|e| e.kind == EventKind::Promoted).expect("promoted");
    let pushed = events.iter().position(|e| e.kind == EventKind::RoutePushed).expect("pushed");
    assert!(events[promoted..pushed].iter().all(|e| e.kind != EventKind::Fenced), "not reachable, not fenced");
    let gap = events[pushed].at_ms - events[promoted].at_ms;
    assert!(gap < 1_000, "the fencing attempt held the route for {gap} ms");
    handle.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sync_writes_wait_for_the_pair_s_standby_not_for_any_replica() {
    let (master, replica) = master_and_replica(&[]).await;
    // A third server: a disaster-recovery replica of the master, not the pair's standby.
    let dr = RedisServer::start_args(&["--repl-diskless-sync-delay", "0"]);
    let mut d = dr.client().await;
    cmd(&mut d, &["REPLICAOF", "127.0.0.1", &master.port.to_string()]).await;
    let deadline = Instant::now() + Duration::from_secs(10);
    while info_field(&d.info("replication").await.unwrap(), "master_link_status") != Some("up") {
        assert!(Instant::now() < deadline, "the DR replica did not sync");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let mut options = HaOptions::new(master.endpoint(), replica.endpoint());
    options.sync_writes = Some(Duration::from_millis(500));
    let handle = ha::start(options).await.expect("start the hot standby");
    assert!(wait_for_event(&handle, EventKind::StandbyReady, Duration::from_secs(10)).await, "standby never ready");
    let mut c = Client::connect(&proxy_endpoint(&handle)).await.expect("connect");
    assert_eq!(cmd(&mut c, &["INCR", "n"]).await.as_int(), Some(1), "confirmed by the standby");

    // The standby freezes; the DR replica still acknowledges every write, so `WAIT 1` is satisfied...
    replica.signal("-STOP");
    let mut m = master.client().await;
    cmd(&mut m, &["SET", "elsewhere", "1"]).await;
    assert_eq!(cmd(&mut m, &["WAIT", "1", "1000"]).await.as_int(), Some(1), "any replica satisfies WAIT 1");
    // ...but a write through the proxy is not acknowledged: the standby does not have it.
    let started = Instant::now();
    let reply = c.raw_request(&["INCR", "n"]).await.expect("a reply");
    replica.signal("-CONT");
    assert!(
        reply.error_message().is_some_and(|e| e.starts_with("UNCERTAIN") && e.contains("standby did not confirm")),
        "{reply:?}"
    );
    assert!(started.elapsed() < Duration::from_secs(3), "answered after the timeout: {:?}", started.elapsed());
    // The standby catches up: writes are confirmed again (the unconfirmed one did run).
    assert_eq!(cmd(&mut c, &["INCR", "n"]).await.as_int(), Some(3));
    handle.shutdown().await;
}

/// A raw connection to the proxy that reads frames as they come (replies and RESP3 pushes).
struct RawSession {
    stream: tokio::net::TcpStream,
    buf: bytes::BytesMut,
}

impl RawSession {
    async fn open(proxy: &Endpoint) -> RawSession {
        let stream = tokio::net::TcpStream::connect(("127.0.0.1", proxy.port)).await.expect("connect");
        RawSession { stream, buf: bytes::BytesMut::new() }
    }

    async fn send(&mut self, commands: &[&[&str]]) {
        use tokio::io::AsyncWriteExt;
        let mut out = bytes::BytesMut::new();
        for command in commands {
            ferry::resp::encode_command(&mut out, command);
        }
        self.stream.write_all(&out).await.expect("write");
    }

    /// The next frame, or `None` when nothing comes within `within`.
    async fn next(&mut self, within: Duration) -> Option<Frame> {
        use tokio::io::AsyncReadExt;
        let deadline = tokio::time::Instant::now() + within;
        loop {
            if let Ok(Some(len)) = ferry::resp::frame_len(&self.buf) {
                return Some(ferry::resp::parse_frame(&self.buf.split_to(len).freeze()).expect("a frame").0);
            }
            match tokio::time::timeout_at(deadline, self.stream.read_buf(&mut self.buf)).await {
                Ok(Ok(n)) if n > 0 => {}
                Ok(_) => panic!("the proxy closed the connection"),
                Err(_) => return None,
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn client_reply_off_and_skip_are_kept_by_the_proxy() {
    let (master, replica) = master_and_replica(&[]).await;
    let handle = start_ha(&master, &replica).await;
    let mut s = RawSession::open(&proxy_endpoint(&handle)).await;
    s.send(&[
        &["CLIENT", "REPLY", "OFF"],
        &["SET", "a", "1"],
        &["SET", "b", "2"],
        &["CLIENT", "REPLY", "ON"],
        &["GET", "a"],
        &["CLIENT", "REPLY", "SKIP"],
        &["SET", "c", "3"],
        &["GET", "b"],
        &["CLIENT", "REPLY", "OFF"],
        &["GET", "nothing-comes-back"],
        &["CLIENT", "REPLY", "ON"],
        &["GET", "c"],
    ])
    .await;
    let mut got = Vec::new();
    while let Some(frame) = s.next(Duration::from_millis(500)).await {
        got.push(frame);
    }
    let ok = Frame::Simple("OK".into());
    let bulk = |v: &str| Frame::Bulk(bytes::Bytes::copy_from_slice(v.as_bytes()));
    assert_eq!(got, [ok.clone(), bulk("1"), bulk("2"), ok, bulk("3")], "exactly the replies asked for");
    let mut m = master.client().await;
    assert_eq!(cmd(&mut m, &["MGET", "a", "b", "c"]).await, Frame::Array(vec![bulk("1"), bulk("2"), bulk("3")]));
    handle.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn client_tracking_goes_on_after_a_failover_and_the_client_drops_its_cache() {
    let (mut master, replica) = master_and_replica(&[]).await;
    let handle = start_ha(&master, &replica).await;
    let proxy = proxy_endpoint(&handle);
    let mut writer = Client::connect(&proxy).await.expect("connect");
    cmd(&mut writer, &["SET", "k", "v1"]).await;
    let mut s = RawSession::open(&proxy).await;
    let within = Duration::from_secs(5);
    s.send(&[&["HELLO", "3"], &["CLIENT", "TRACKING", "ON"], &["GET", "k"]]).await;
    assert!(matches!(s.next(within).await, Some(Frame::Map(_))));
    assert_eq!(s.next(within).await, Some(Frame::Simple("OK".into())));
    assert_eq!(text(&s.next(within).await.expect("GET")).as_deref(), Some("v1"));
    let invalidated = |frame: Option<Frame>, key: Option<&str>| match frame {
        Some(Frame::Push(items)) if text(&items[0]).as_deref() == Some("invalidate") => match (key, &items[1]) {
            (None, Frame::Null) => true,
            (Some(key), Frame::Array(keys)) => keys.iter().any(|k| text(k).as_deref() == Some(key)),
            _ => false,
        },
        _ => false,
    };
    cmd(&mut writer, &["SET", "k", "v2"]).await;
    assert!(invalidated(s.next(within).await, Some("k")), "tracked on the first master");
    assert_eq!(cmd(&mut writer, &["WAIT", "1", "2000"]).await.as_int(), Some(1));

    // A redirect to another connection cannot follow a failover: refused, saying what to use.
    let mut other = Client::connect(&proxy).await.expect("connect");
    let refused = other.raw_request(&["CLIENT", "TRACKING", "ON", "REDIRECT", "7"]).await.expect("a reply");
    assert!(refused.error_message().is_some_and(|e| e.contains("RESP3")), "{refused:?}");

    master.kill9();
    assert!(wait_for_event(&handle, EventKind::RoutePushed, Duration::from_secs(10)).await, "no failover");
    // The session moves: the client is told to drop everything it cached...
    assert!(invalidated(s.next(within).await, None), "an invalidate-all push after the switch");
    // ...and what it reads now is tracked on the new master.
    s.send(&[&["GET", "k"]]).await;
    assert_eq!(text(&s.next(within).await.expect("GET")).as_deref(), Some("v2"));
    let mut writer = Client::connect(&proxy).await.expect("connect");
    cmd(&mut writer, &["SET", "k", "v3"]).await;
    assert!(invalidated(s.next(within).await, Some("k")), "tracked on the new master");
    handle.shutdown().await;
}

/// One INCR of the load: when it was sent, when it finished, and its value or the error.
struct Attempt {
    sent: Instant,
    done: Instant,
    result: Result<i64, String>,
}

/// INCRs `ctr` in db 2 through the proxy until `stop` or 30 s; reconnects after a transport error.
async fn incr_load(proxy: Endpoint, stop: tokio::sync::watch::Receiver<bool>) -> Vec<Attempt> {
    let timeout = Duration::from_secs(3);
    let connect = || async {
        let mut c = Client::connect_with_timeout(&proxy, timeout).await.ok()?;
        c.request(&["SELECT", "2"]).await.ok()?;
        Some(c)
    };
    let mut attempts = Vec::new();
    let mut client = connect().await;
    let deadline = Instant::now() + Duration::from_secs(30);
    while !*stop.borrow() && Instant::now() < deadline {
        let Some(c) = client.as_mut() else {
            tokio::time::sleep(Duration::from_millis(50)).await;
            client = connect().await;
            continue;
        };
        let sent = Instant::now();
        let result = match c.raw_request(&["INCR", "ctr"]).await {
            Ok(Frame::Integer(n)) => Ok(n),
            Ok(other) => Err(format!("{other:?}")),
            Err(e) => {
                client = None;
                Err(e.to_string())
            }
        };
        attempts.push(Attempt { sent, done: Instant::now(), result });
    }
    attempts
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_master_dies_and_writes_move_to_the_promoted_replica() {
    let (master, replica) = master_and_replica(&[]).await;
    let handle = start_ha(&master, &replica).await;
    let proxy = proxy_endpoint(&handle);

    // A second session, idle across the switch, with db 2 selected.
    let mut session = Client::connect(&proxy).await.expect("connect");
    cmd(&mut session, &["SELECT", "2"]).await;
    cmd(&mut session, &["SET", "before", "1"]).await;
    assert_eq!(cmd(&mut session, &["WAIT", "1", "2000"]).await.as_int(), Some(1), "replicated before the kill");

    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let load = tokio::spawn(incr_load(proxy.clone(), stop_rx));
    tokio::time::sleep(Duration::from_millis(300)).await;

    // The master dies: SHUTDOWN NOSAVE NOW closes every connection and exits at once. The clock
    // starts when our connection to it is closed, so that no write to the old master counts.
    let shutdown = master.client().await.raw_request(&["SHUTDOWN", "NOSAVE", "NOW"]).await;
    let killed_at = Instant::now();
    assert!(shutdown.is_err(), "SHUTDOWN closes the connection instead of answering: {shutdown:?}");
    assert!(wait_for_event(&handle, EventKind::RoutePushed, Duration::from_secs(10)).await, "no failover within 10 s");
    tokio::time::sleep(Duration::from_millis(500)).await;
    stop_tx.send(true).expect("stop the load");
    let attempts = load.await.expect("the load task");

    let errors: Vec<&Attempt> = attempts.iter().filter(|a| a.result.is_err()).collect();
    for e in &errors {
        println!("client-visible error at +{} ms: {:?}", e.done.duration_since(killed_at).as_millis(), e.result);
    }
    let first_write = attempts.iter().find(|a| a.sent >= killed_at && a.result.is_ok()).map(|a| a.done - killed_at);
    let first_write = first_write.expect("a write succeeded through the proxy after the kill");
    let successes = attempts.iter().filter(|a| a.result.is_ok()).count();
    println!(
        "failover: first successful write {} ms after the master closed its connections; {} INCRs ok, {} client-visible errors",
        first_write.as_millis(),
        successes,
        errors.len()
    );
    assert!(first_write < Duration::from_secs(5), "writes resumed only after {first_write:?}");
    assert!(errors.len() <= 2, "commands during the switch are held, not failed: {} errors", errors.len());

    assert_eq!(role(&replica).await, "master");
    let route = handle.route();
    assert_eq!((route.epoch, route.master.port), (1, replica.port));
    let events = handle.events().history();
    println!("{}", serde_json::to_string_pretty(&events).unwrap_or_default());
    let expected = [
        EventKind::MasterUnreachable,
        EventKind::MarkedDown,
        EventKind::Promoted,
        EventKind::RoutePushed,
        EventKind::FirstRequestServed,
    ];
    let mut steps = expected.iter().peekable();
    for kind in kinds(&events) {
        if steps.peek() == Some(&&kind) {
            steps.next();
        }
    }
    assert!(steps.peek().is_none(), "events out of order or missing: {:?}", kinds(&events));
    assert_eq!(kinds(&events).iter().filter(|k| **k == EventKind::MarkedDown).count(), 1);

    // The idle session moved too, and still writes into db 2.
    cmd(&mut session, &["SET", "after", "1"]).await;
    let last = attempts.iter().rev().find_map(|a| a.result.as_ref().ok().copied()).expect("a last INCR value");
    let mut r = replica.client().await;
    assert_eq!(cmd(&mut r, &["EXISTS", "before", "after", "ctr"]).await.as_int(), Some(0), "nothing in db 0");
    cmd(&mut r, &["SELECT", "2"]).await;
    assert_eq!(cmd(&mut r, &["EXISTS", "before", "after"]).await.as_int(), Some(2));
    assert_eq!(
        cmd(&mut r, &["GET", "ctr"]).await.as_int(),
        Some(last),
        "the new master has the last acknowledged INCR"
    );
    handle.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stall_shorter_than_the_window_moves_nothing() {
    let (master, replica) = master_and_replica(&["--enable-debug-command", "yes"]).await;
    let handle = start_ha(&master, &replica).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    cmd(&mut master.client().await, &["DEBUG", "SLEEP", "0.3"]).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;

    let events = kinds(&handle.events().history());
    assert!(events.contains(&EventKind::MasterUnreachable), "the heartbeat saw the stall: {events:?}");
    assert!(events.contains(&EventKind::MasterRecovered), "and the recovery: {events:?}");
    assert!(!events.contains(&EventKind::MarkedDown), "no failover for a 300 ms stall: {events:?}");
    assert_eq!(handle.route().epoch, 0);
    assert_eq!(role(&replica).await, "slave");
    let mut c = Client::connect(&proxy_endpoint(&handle)).await.expect("connect");
    cmd(&mut c, &["SET", "still", "here"]).await;
    handle.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replica_that_never_synced_is_not_promoted() {
    let master = RedisServer::start();
    let replica = RedisServer::start();
    // The replica follows a port where nothing listens: it never gets a copy of the data.
    let nowhere = std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("a port").port();
    cmd(&mut replica.client().await, &["REPLICAOF", "127.0.0.1", &nowhere.to_string()]).await;
    let handle = start_ha(&master, &replica).await;
    let mut c = Client::connect_with_timeout(&proxy_endpoint(&handle), Duration::from_secs(10)).await.expect("connect");
    let _ = master.client().await.raw_request(&["SHUTDOWN", "NOSAVE", "NOW"]).await;
    let killed_at = Instant::now();

    assert!(wait_for_event(&handle, EventKind::PromotionRefused, Duration::from_secs(10)).await, "no refusal");
    let events = handle.events().history();
    let refusal = events.iter().find(|e| e.kind == EventKind::PromotionRefused).map(|e| e.detail.to_string());
    assert!(refusal.unwrap_or_default().contains("never synced"), "{events:?}");
    assert!(!kinds(&events).contains(&EventKind::RoutePushed));
    assert_eq!(handle.route().epoch, 0);
    assert_eq!(role(&replica).await, "slave");

    // With no master to move to, a command is held for 5 s and then refused as not executed.
    let reply = c.raw_request(&["INCR", "n"]).await.expect("a reply within 10 s");
    let waited = killed_at.elapsed();
    assert!(reply.error_message().is_some_and(|e| e.contains("not executed")), "{reply:?}");
    assert!(waited >= Duration::from_millis(4500) && waited < Duration::from_secs(8), "held for {waited:?}");
    handle.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stall_longer_than_the_window_fails_over_and_aborts_open_transactions() {
    let (master, replica) = master_and_replica(&["--enable-debug-command", "yes"]).await;
    // The standby gives up on a silent master after 1 s (repl-timeout): only then does it agree that
    // the master is gone, and only then may the proxy promote it.
    cmd(&mut replica.client().await, &["CONFIG", "SET", "repl-timeout", "1"]).await;
    let handle = start_ha(&master, &replica).await;
    let proxy = proxy_endpoint(&handle);
    let mut tx = Client::connect(&proxy).await.expect("connect");
    cmd(&mut tx, &["MULTI"]).await;
    assert_eq!(text(&cmd(&mut tx, &["SET", "x", "1"]).await).as_deref(), Some("QUEUED"));

    let mut in_flight = Client::connect_with_timeout(&proxy, Duration::from_secs(8)).await.expect("connect");
    let mut watcher = Client::connect(&proxy).await.expect("connect");
    cmd(&mut watcher, &["WATCH", "w"]).await;

    // The master stalls for 5 s, well past the window and the standby's repl-timeout: it is alive,
    // but declared down by both.
    let mut sleeper = master.client().await;
    let stall = tokio::spawn(async move { sleeper.raw_request(&["DEBUG", "SLEEP", "5"]).await });
    tokio::time::sleep(Duration::from_millis(100)).await;
    // A command in flight to the stalled master when the route moves: its outcome is unknown.
    let reply = in_flight.raw_request(&["INCR", "y"]).await.expect("a reply");
    assert!(
        reply.error_message().is_some_and(|e| e.starts_with("UNCERTAIN") && e.contains("may or may not have run")),
        "in flight across the switch: {reply:?}"
    );
    assert_eq!(handle.route().epoch, 1, "the route moved to the replica");
    assert_eq!(role(&replica).await, "master");

    // The transaction opened on the old master is gone: nothing of it runs on the new one.
    let queued = tx.raw_request(&["SET", "z", "1"]).await.expect("a reply");
    assert!(queued.error_message().is_some_and(|e| e.contains("MULTI")), "{queued:?}");
    let exec = tx.raw_request(&["EXEC"]).await.expect("a reply");
    assert!(exec.error_message().is_some_and(|e| e.starts_with("EXECABORT")), "{exec:?}");
    assert_eq!(cmd(&mut tx, &["EXISTS", "x", "z"]).await.as_int(), Some(0));
    assert_eq!(cmd(&mut in_flight, &["SET", "y", "after"]).await, Frame::Simple("OK".into()));

    // Keys watched on the old master: the transaction fails as if they had changed.
    cmd(&mut watcher, &["MULTI"]).await;
    cmd(&mut watcher, &["SET", "w", "1"]).await;
    assert_eq!(cmd(&mut watcher, &["EXEC"]).await, Frame::Null, "EXEC after a lost WATCH");
    assert_eq!(cmd(&mut watcher, &["GET", "w"]).await, Frame::Null, "and nothing of it ran");
    cmd(&mut watcher, &["MULTI"]).await;
    cmd(&mut watcher, &["SET", "w", "2"]).await;
    assert!(matches!(cmd(&mut watcher, &["EXEC"]).await, Frame::Array(_)), "the next transaction runs");
    assert!(stall.await.expect("the DEBUG SLEEP task").is_ok(), "the old master woke up");
    handle.shutdown().await;
}

/// The last INCR value the load saw acknowledged, and how many attempts failed.
fn summary(attempts: &[Attempt]) -> (i64, usize) {
    let last = attempts.iter().filter_map(|a| a.result.as_ref().ok().copied()).max().unwrap_or(0);
    (last, attempts.iter().filter(|a| a.result.is_err()).count())
}

async fn get_ctr(endpoint: &Endpoint) -> i64 {
    let mut c = Client::connect(endpoint).await.expect("connect");
    cmd(&mut c, &["SELECT", "2"]).await;
    let reply = cmd(&mut c, &["GET", "ctr"]).await;
    text(&reply).and_then(|v| v.parse().ok()).unwrap_or(0)
}

/// A session subscribed to `news` through the proxy.
async fn subscriber(proxy: &Endpoint) -> Client {
    let mut sub = Client::connect(proxy).await.expect("connect");
    let confirmation = cmd(&mut sub, &["SUBSCRIBE", "news"]).await;
    assert!(matches!(confirmation, Frame::Array(_)), "{confirmation:?}");
    sub
}

/// Publishes through the proxy until the subscriber receives it (messages published during a switch
/// are lost, so the first ones may be).
async fn assert_receives(sub: &mut Client, proxy: &Endpoint, what: &str) {
    let mut publisher = Client::connect(proxy).await.expect("connect");
    for _ in 0..20 {
        cmd(&mut publisher, &["PUBLISH", "news", what]).await;
        let got = tokio::time::timeout(Duration::from_millis(250), sub.read_reply()).await;
        if let Ok(Ok(Frame::Array(items))) = got {
            let items: Vec<String> = items.iter().filter_map(text).collect();
            assert_eq!(items, ["message", "news", what], "the subscribed session's message");
            return;
        }
    }
    panic!("the subscribed session received nothing after the switch");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_master_is_replaced_then_fenced_on_return_and_the_pair_fails_over_again() {
    let (mut master, mut replica) = master_and_replica(&[]).await;
    let handle = start_ha(&master, &replica).await;
    let proxy = proxy_endpoint(&handle);
    assert!(wait_for_event(&handle, EventKind::StandbyReady, Duration::from_secs(5)).await, "standby never ready");
    let mut sub = subscriber(&proxy).await;

    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let load = tokio::spawn(incr_load(proxy.clone(), stop_rx));
    tokio::time::sleep(Duration::from_millis(300)).await;
    master.kill9();
    let killed_at = Instant::now();
    assert!(wait_for_event(&handle, EventKind::RoutePushed, Duration::from_secs(10)).await, "no failover");
    tokio::time::sleep(Duration::from_millis(300)).await;
    stop_tx.send(true).expect("stop the load");
    let attempts = load.await.expect("the load task");
    let first = attempts.iter().find(|a| a.sent >= killed_at && a.result.is_ok()).map(|a| a.done - killed_at);
    let (last, errors) = summary(&attempts);
    println!("kill -9: first write after {first:?}, {errors} client-visible error(s), last acked INCR {last}");
    assert!(first.is_some_and(|f| f < Duration::from_secs(5)), "writes resumed after {first:?}");
    assert!(errors <= 2, "{errors} errors");
    assert_eq!(role(&replica).await, "master");
    assert_receives(&mut sub, &proxy, "after-failover").await;

    // The old master comes back, empty (no persistence) and believing it is a master: it is made a
    // replica of the new master, and syncs from it.
    master.restart();
    assert!(wait_for_event(&handle, EventKind::Fenced, Duration::from_secs(10)).await, "the old master was not fenced");
    assert_eq!(role(&master).await, "slave");
    assert!(wait_for_events(&handle, EventKind::StandbyReady, 2, Duration::from_secs(10)).await, "not re-armed");
    let standby = handle.standby();
    assert_eq!((standby.endpoint.port, standby.state), (master.port, ha::supervisor::StandbyState::Ready));
    let mut c = Client::connect(&proxy).await.expect("connect");
    assert_eq!(cmd(&mut c, &["WAIT", "1", "2000"]).await.as_int(), Some(1), "the fenced server acknowledges");
    let value = get_ctr(&replica.endpoint()).await;
    assert_eq!(get_ctr(&master.endpoint()).await, value, "the fenced old master has the new master's data");

    // The pair survives a second failure: the new master dies, and the fenced old master takes over.
    replica.kill9();
    assert!(wait_for_events(&handle, EventKind::RoutePushed, 2, Duration::from_secs(10)).await, "no 2nd failover");
    assert_eq!((handle.route().epoch, handle.route().master.port), (2, master.port));
    assert_eq!(role(&master).await, "master");
    cmd(&mut c, &["SELECT", "2"]).await;
    assert_eq!(cmd(&mut c, &["INCR", "ctr"]).await.as_int(), Some(value + 1), "nothing lost across both failovers");
    handle.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_planned_switchover_loses_no_write_and_shows_no_error() {
    let (master, replica) = master_and_replica(&[]).await;
    let handle = start_ha(&master, &replica).await;
    let proxy = proxy_endpoint(&handle);
    assert!(wait_for_event(&handle, EventKind::StandbyReady, Duration::from_secs(5)).await, "standby never ready");
    let mut sub = subscriber(&proxy).await;

    let (epoch, took, attempts) = switchover_under_load(&handle, &proxy, 4).await;
    let (last, errors) = summary(&attempts);
    let acked = attempts.iter().filter(|a| a.result.is_ok()).count() as i64;
    println!("switchover in {} ms: {acked} INCRs acknowledged, {errors} errors", took.as_millis());
    assert_eq!(errors, 0, "a planned switchover shows clients no error");
    assert_eq!(epoch, 1);
    assert_eq!((role(&replica).await, role(&master).await), ("master".to_string(), "slave".to_string()));
    assert_eq!(last, acked, "every INCR ran exactly once");
    assert_eq!(get_ctr(&replica.endpoint()).await, acked, "the new master has every acknowledged write");
    let events = kinds(&handle.events().history());
    for kind in [EventKind::SwitchoverStarted, EventKind::Promoted, EventKind::Fenced, EventKind::SwitchoverDone] {
        assert!(events.contains(&kind), "{kind:?} missing: {events:?}");
    }
    assert_receives(&mut sub, &proxy, "after-switchover").await;

    // And back, once the old master has caught up as the standby.
    assert!(wait_for_events(&handle, EventKind::StandbyReady, 2, Duration::from_secs(10)).await, "not re-armed");
    assert_eq!(handle.switchover().await, Ok(2));
    assert_eq!(role(&master).await, "master");
    assert_eq!(get_ctr(&proxy).await, acked);
    handle.shutdown().await;
}

/// A planned switchover (bounded to 10 s) while `loads` clients INCR through the proxy; the epoch
/// it reached, how long it took, and every attempt of the load.
async fn switchover_under_load(handle: &HaHandle, proxy: &Endpoint, loads: usize) -> (u64, Duration, Vec<Attempt>) {
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let loads: Vec<_> = (0..loads).map(|_| tokio::spawn(incr_load(proxy.clone(), stop_rx.clone()))).collect();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let started = Instant::now();
    let epoch = tokio::time::timeout(Duration::from_secs(10), handle.switchover())
        .await
        .expect("the switchover is bounded")
        .expect("the switchover");
    let took = started.elapsed();
    tokio::time::sleep(Duration::from_millis(300)).await;
    stop_tx.send(true).expect("stop the load");
    let mut attempts = Vec::new();
    for load in loads {
        attempts.extend(load.await.expect("a load task"));
    }
    (epoch, took, attempts)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_planned_switchover_works_on_a_master_before_6_2() {
    // Before 6.2, CLIENT PAUSE holds every client, the pausing one too, and cannot be lifted. A real
    // server's CLIENT PAUSE without WRITE behaves so; behind a relay that reports 6.0, the
    // switchover takes its path for such masters.
    let (master, replica) = master_and_replica(&[]).await;
    let real = ferry::server::ServerInfo::fetch(&mut master.client().await).await.unwrap().version_text;
    let shown = format!("6.0.{}", "2".repeat(real.len() - 4));
    let relay = support::relay::Relay::start(master.port, Some((&real, &shown))).await;
    // The replica follows the master through the relay too: the pair is the relay's address.
    cmd(&mut replica.client().await, &["REPLICAOF", "127.0.0.1", &relay.port.to_string()]).await;
    let handle = ha::start(HaOptions::new(Endpoint::new("127.0.0.1", relay.port), replica.endpoint()))
        .await
        .expect("start the hot standby");
    let proxy = proxy_endpoint(&handle);
    assert!(wait_for_event(&handle, EventKind::StandbyReady, Duration::from_secs(5)).await, "standby never ready");
    let (epoch, took, attempts) = switchover_under_load(&handle, &proxy, 2).await;
    let (last, errors) = summary(&attempts);
    let acked = attempts.iter().filter(|a| a.result.is_ok()).count() as i64;
    let slowest = attempts.iter().map(|a| a.done - a.sent).max().unwrap_or_default();
    println!(
        "switchover from a master reported as 6.0 in {took:?}: {acked} INCRs, {errors} errors, slowest {slowest:?}"
    );
    assert_eq!((epoch, errors), (1, 0));
    assert_eq!((role(&replica).await, role(&master).await), ("master".to_string(), "slave".to_string()));
    assert_eq!(last, acked, "every INCR ran exactly once");
    assert_eq!(get_ctr(&replica.endpoint()).await, acked, "the new master has every acknowledged write");
    assert!(kinds(&handle.events().history()).contains(&EventKind::Fenced));
    // Clients waited less than the old master's whole pause: the route moved while it held.
    assert!(slowest < Duration::from_secs(4), "{slowest:?}");
    handle.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_switchover_without_a_ready_standby_changes_nothing() {
    let (master, replica) = master_and_replica(&[]).await;
    let handle = start_ha(&master, &replica).await;
    assert!(wait_for_event(&handle, EventKind::StandbyReady, Duration::from_secs(5)).await, "standby never ready");
    replica.signal("-STOP");
    let started = Instant::now();
    let result = handle.switchover().await;
    replica.signal("-CONT");
    let err = result.expect_err("the frozen standby cannot catch up");
    println!("refused after {} ms: {err}", started.elapsed().as_millis());
    assert_eq!(handle.route().epoch, 0);
    assert!(!handle.route().paused, "writes resumed");
    assert!(kinds(&handle.events().history()).contains(&EventKind::SwitchoverAborted));
    let mut c = Client::connect(&proxy_endpoint(&handle)).await.expect("connect");
    cmd(&mut c, &["SET", "still", "writable"]).await;
    assert_eq!(role(&master).await, "master", "{:?}", handle.events().history());
    handle.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sync_writes_lose_no_acknowledged_write_when_the_master_is_killed() {
    let (mut master, replica) = master_and_replica(&[]).await;
    let mut options = HaOptions::new(master.endpoint(), replica.endpoint());
    options.sync_writes = Some(Duration::from_millis(500));
    let handle = ha::start(options).await.expect("start");
    let proxy = proxy_endpoint(&handle);
    assert!(wait_for_event(&handle, EventKind::StandbyReady, Duration::from_secs(5)).await, "standby never ready");

    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let loads: Vec<_> = (0..4).map(|_| tokio::spawn(incr_load(proxy.clone(), stop_rx.clone()))).collect();
    tokio::time::sleep(Duration::from_millis(500)).await;
    master.kill9();
    assert!(wait_for_event(&handle, EventKind::RoutePushed, Duration::from_secs(10)).await, "no failover");
    stop_tx.send(true).expect("stop the load");
    let mut attempts = Vec::new();
    for load in loads {
        attempts.extend(load.await.expect("a load task"));
    }
    let (last, errors) = summary(&attempts);
    for error in attempts.iter().filter_map(|a| a.result.as_ref().err()).take(3) {
        println!("error: {error}");
    }
    let on_new_master = get_ctr(&replica.endpoint()).await;
    println!("sync writes: last acked INCR {last}, new master has {on_new_master}, {errors} errors");
    assert!(last > 0, "the load ran");
    assert!(on_new_master >= last, "an acknowledged write was lost: acked {last}, kept {on_new_master}");

    // The new master has no replica: a write runs but is not acknowledged as safe.
    let mut c = Client::connect(&proxy).await.expect("connect");
    let reply = c.raw_request(&["SET", "alone", "1"]).await.expect("a reply");
    assert!(reply.error_message().is_some_and(|e| e.starts_with("UNCERTAIN")), "{reply:?}");
    assert_eq!(cmd(&mut c, &["GET", "alone"]).await, Frame::Bulk("1".into()), "it ran on the master");
    // A pipeline keeps its order: the read between two unconfirmed writes is answered in place.
    c.send(&["SET", "p", "1"]);
    c.send(&["GET", "p"]);
    c.send(&["INCR", "q"]);
    c.flush().await.expect("send the pipeline");
    let replies = [c.read_reply().await, c.read_reply().await, c.read_reply().await].map(|r| r.expect("a reply"));
    assert!(replies[0].error_message().is_some_and(|e| e.starts_with("UNCERTAIN")), "{replies:?}");
    assert_eq!(replies[1], Frame::Bulk("1".into()), "{replies:?}");
    assert!(replies[2].error_message().is_some_and(|e| e.starts_with("UNCERTAIN")), "{replies:?}");
    handle.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_master_restarted_within_the_window_is_failed_over_before_its_replica_copies_it() {
    let (mut master, replica) = master_and_replica(&[]).await;
    cmd(&mut master.client().await, &["SET", "precious", "1"]).await;
    let handle = start_ha(&master, &replica).await;
    assert!(wait_for_event(&handle, EventKind::StandbyReady, Duration::from_secs(5)).await, "standby never ready");
    // Make the replica unable to resync from the restarted master (its next handshake fails on AUTH),
    // so the test sees what the heartbeat does, not the race between the two reconnections. Without
    // this, a replica that reconnects first copies the empty master: only persistence prevents that.
    cmd(&mut replica.client().await, &["CONFIG", "SET", "masterauth", "not-the-password"]).await;
    master.restart();
    assert!(
        wait_for_event(&handle, EventKind::MarkedDown, Duration::from_secs(5)).await,
        "the restart was not noticed"
    );
    let events = handle.events().history();
    let down =
        events.iter().find(|e| e.kind == EventKind::MarkedDown).map(|e| e.detail.to_string()).unwrap_or_default();
    assert!(down.contains("restarted"), "{down}");
    assert!(wait_for_event(&handle, EventKind::RoutePushed, Duration::from_secs(10)).await, "no failover");
    let mut c = Client::connect(&proxy_endpoint(&handle)).await.expect("connect");
    let events = handle.events().history();
    // The restarted master answers: it is fenced before the route moves, so it never takes a write.
    let fenced = events.iter().position(|e| e.kind == EventKind::Fenced);
    let pushed = events.iter().position(|e| e.kind == EventKind::RoutePushed);
    assert!(fenced.is_some() && fenced < pushed, "fenced, then routed: {events:?}");
    assert_eq!(
        cmd(&mut c, &["GET", "precious"]).await,
        Frame::Bulk("1".into()),
        "the data survived: {events:?}\n{}",
        replica.log()
    );
    assert!(
        wait_for_event(&handle, EventKind::Fenced, Duration::from_secs(10)).await,
        "the restarted master was not fenced"
    );
    handle.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_writes_a_long_pipeline_before_reading_gets_every_reply() {
    let (master, replica) = master_and_replica(&[]).await;
    let handle = start_ha(&master, &replica).await;
    let port = handle.local_addr().port();
    // 100k commands (3.5 MB) written before a single reply is read: the proxy must keep reading
    // while its replies to this client pile up, or both sides block.
    let n = 100_000;
    let stream = tokio::net::TcpStream::connect(("127.0.0.1", port)).await.expect("connect");
    let (mut r, mut w) = stream.into_split();
    let writer = tokio::spawn(async move {
        use tokio::io::AsyncWriteExt;
        let command = b"*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nvalue\r\n".repeat(n);
        w.write_all(&command).await.expect("write the pipeline");
        w
    });
    let written = tokio::time::timeout(Duration::from_secs(30), writer).await;
    let _w = written.expect("the proxy stopped reading the pipeline").expect("the writer");
    let expected = b"+OK\r\n".len() * n;
    let mut got = Vec::with_capacity(expected);
    let read = tokio::time::timeout(Duration::from_secs(30), async {
        use tokio::io::AsyncReadExt;
        while got.len() < expected {
            if r.read_buf(&mut got).await.expect("read") == 0 {
                break;
            }
        }
    });
    assert!(read.await.is_ok(), "replies stalled after {} bytes", got.len());
    assert_eq!(got, b"+OK\r\n".repeat(n), "every reply, in order");
    handle.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_resp3_session_keeps_its_protocol_and_its_pushes_across_a_switchover() {
    let (master, replica) = master_and_replica(&[]).await;
    let handle = start_ha(&master, &replica).await;
    let proxy = proxy_endpoint(&handle);
    assert!(wait_for_event(&handle, EventKind::StandbyReady, Duration::from_secs(5)).await, "standby never ready");
    let mut c = Client::connect(&proxy).await.expect("connect");
    assert!(matches!(cmd(&mut c, &["HELLO", "3"]).await, Frame::Map(_)), "HELLO 3 answers with a map");
    cmd(&mut c, &["HSET", "h", "f", "v"]).await;
    assert!(matches!(cmd(&mut c, &["HGETALL", "h"]).await, Frame::Map(_)), "RESP3 replies");
    let mut sub = Client::connect(&proxy).await.expect("connect");
    cmd(&mut sub, &["HELLO", "3"]).await;
    assert!(matches!(cmd(&mut sub, &["SUBSCRIBE", "news"]).await, Frame::Push(_)), "a push confirms SUBSCRIBE");

    assert_eq!(handle.switchover().await, Ok(1));
    assert!(matches!(cmd(&mut c, &["HGETALL", "h"]).await, Frame::Map(_)), "RESP3 again on the new master");
    // A message pushed while the subscriber's PING is owed is a message, not PING's reply.
    for attempt in 0.. {
        cmd(&mut c, &["PUBLISH", "news", "hello"]).await;
        sub.send(&["PING"]);
        sub.flush().await.expect("send PING");
        let first = sub.read_reply().await.expect("a frame");
        if first == Frame::Simple("PONG".into()) {
            // The message was published during the switch and lost; try again.
            assert!(attempt < 10, "no message reached the subscriber");
            continue;
        }
        let Frame::Push(items) = first else { panic!("expected the message first, got {first:?}") };
        let items: Vec<String> = items.iter().filter_map(text).collect();
        assert_eq!(items, ["message", "news", "hello"]);
        assert_eq!(sub.read_reply().await.expect("PONG"), Frame::Simple("PONG".into()));
        break;
    }
    handle.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_protocol_the_proxy_does_not_know_is_refused_and_hello_options_follow_the_login_mode() {
    let (master, replica) = master_and_replica(&[]).await;
    let handle = start_ha(&master, &replica).await;
    let mut c = Client::connect(&proxy_endpoint(&handle)).await.expect("connect");
    let reply = c.raw_request(&["HELLO", "4"]).await.expect("a reply");
    assert!(reply.error_message().is_some_and(|e| e.starts_with("NOPROTO")), "{reply:?}");
    // HELLO's options are kept when the servers check logins...
    let reply = c.raw_request(&["HELLO", "3", "SETNAME", "x"]).await.expect("a reply");
    assert!(matches!(reply, Frame::Map(_)), "{reply:?}");
    handle.shutdown().await;
    // ...and refused with a password of the proxy's own, which the proxy checks itself.
    let mut options = HaOptions::new(master.endpoint(), replica.endpoint());
    options.proxy_password = Some("pr0xy".into());
    let handle = ha::start(options).await.expect("start");
    let mut c = Client::connect(&Endpoint { password: Some(Secret::new("pr0xy")), ..proxy_endpoint(&handle) })
        .await
        .expect("connect");
    let reply = c.raw_request(&["HELLO", "3", "AUTH", "default", "pr0xy"]).await.expect("a reply");
    assert!(reply.error_message().is_some_and(|e| e.contains("HELLO options")), "{reply:?}");
    handle.shutdown().await;
}
