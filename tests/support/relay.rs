//! A TCP relay in front of a real server, on a free loopback port: what it forwards is the
//! server's own behaviour, with two changes a test may ask for.
//! - `cut()` closes every connection through it at once (a broken network link), `blackhole(true)`
//!   keeps every connection open but carries nothing either way, new ones included (a network that
//!   silently drops packets), `retarget()` sends what comes next to another server (an address that
//!   follows a failover);
//! - an `announce` rewrite replaces the version the server reports in `INFO` with another of the
//!   same length (say `7.0.15` → `6.0.20`), so Ferry takes the path it takes for that version while
//!   the server underneath behaves as it really does. Only `redis_version:<v>` is rewritten, not
//!   the RDB's `redis-ver` field (its checksum covers it).

use std::sync::{Arc, Mutex};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

pub struct Relay {
    pub port: u16,
    cut: watch::Sender<u64>,
    hole: watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
    connections: Arc<Mutex<u64>>,
    backend: Arc<Mutex<u16>>,
}

impl Relay {
    /// Relays to `127.0.0.1:backend`; `announce`: (the version the server reports, the one to show).
    pub async fn start(backend: u16, announce: Option<(&str, &str)>) -> Relay {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind the relay");
        let port = listener.local_addr().unwrap().port();
        let (cut, cut_rx) = watch::channel(0u64);
        let (hole, hole_rx) = watch::channel(false);
        let rewrite = announce.map(|(real, shown)| {
            assert_eq!(real.len(), shown.len(), "a rewritten version keeps the reply's length");
            (format!("redis_version:{real}\r\n").into_bytes(), format!("redis_version:{shown}\r\n").into_bytes())
        });
        let connections = Arc::new(Mutex::new(0));
        let count = connections.clone();
        let backend = Arc::new(Mutex::new(backend));
        let current = backend.clone();
        let task = tokio::spawn(async move {
            loop {
                let Ok((client, _)) = listener.accept().await else { return };
                if *hole_rx.borrow() {
                    // Accepted, then never answered: held until the relay is dropped.
                    let mut cut = cut_rx.clone();
                    tokio::spawn(async move {
                        let _client = client;
                        while cut.changed().await.is_ok() {}
                    });
                    continue;
                }
                let port = *current.lock().unwrap();
                let Ok(server) = TcpStream::connect(("127.0.0.1", port)).await else { continue };
                *count.lock().unwrap() += 1;
                tokio::spawn(pipe(client, server, rewrite.clone(), cut_rx.clone(), hole_rx.clone()));
            }
        });
        Relay { port, cut, hole, task, connections, backend }
    }

    /// Sends new connections to another server and closes the open ones (a virtual address that
    /// moves to a promoted replica).
    pub fn retarget(&self, backend: u16) {
        *self.backend.lock().unwrap() = backend;
        self.cut();
    }

    /// Closes every connection open through the relay (new ones still go through).
    pub fn cut(&self) {
        self.cut.send_modify(|n| *n += 1);
    }

    /// Drops everything either way while `on`, on open connections and new ones alike, without
    /// closing anything: the peers see silence, not a reset.
    pub fn blackhole(&self, on: bool) {
        self.hole.send_replace(on);
    }

    /// Connections accepted so far.
    pub fn connections(&self) -> u64 {
        *self.connections.lock().unwrap()
    }

    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }
}

impl Drop for Relay {
    fn drop(&mut self) {
        self.task.abort();
        self.cut();
    }
}

async fn pipe(
    client: TcpStream,
    server: TcpStream,
    rewrite: Option<(Vec<u8>, Vec<u8>)>,
    mut cut: watch::Receiver<u64>,
    hole: watch::Receiver<bool>,
) {
    cut.borrow_and_update();
    let (mut cr, mut cw) = client.into_split();
    let (mut sr, mut sw) = server.into_split();
    let up = async {
        let mut buf = vec![0u8; 64 * 1024];
        while let Ok(n) = cr.read(&mut buf).await {
            if n == 0 {
                break;
            }
            if !*hole.borrow() && sw.write_all(&buf[..n]).await.is_err() {
                break;
            }
        }
    };
    let down = async {
        let mut buf = vec![0u8; 64 * 1024];
        while let Ok(n) = sr.read(&mut buf).await {
            if n == 0 {
                break;
            }
            if let Some((from, to)) = &rewrite {
                // An INFO reply arrives in one write of the server's; a match split across two reads
                // is not rewritten (the test then sees the real version and says so).
                if let Some(at) = buf[..n].windows(from.len()).position(|w| w == &from[..]) {
                    buf[at..at + to.len()].copy_from_slice(to);
                }
            }
            if !*hole.borrow() && cw.write_all(&buf[..n]).await.is_err() {
                break;
            }
        }
    };
    tokio::select! {
        _ = up => {}
        _ = down => {}
        _ = cut.changed() => {}
    }
}
