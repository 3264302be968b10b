//! A TCP relay in front of a real server, on a free loopback port: what it forwards is the
//! server's own behaviour, with two changes a test may ask for.
//! - `cut()` closes every connection through it at once (a broken network link), `retarget()` sends
//!   what comes next to another server (an address that follows a failover);
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
                let port = *current.lock().unwrap();
                let Ok(server) = TcpStream::connect(("127.0.0.1", port)).await else { continue };
                *count.lock().unwrap() += 1;
                tokio::spawn(pipe(client, server, rewrite.clone(), cut_rx.clone()));
            }
        });
        Relay { port, cut, task, connections, backend }
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
) {
    cut.borrow_and_update();
    let (mut cr, mut cw) = client.into_split();
    let (mut sr, mut sw) = server.into_split();
    let up = async {
        let mut buf = vec![0u8; 64 * 1024];
        while let Ok(n) = cr.read(&mut buf).await {
            if n == 0 || sw.write_all(&buf[..n]).await.is_err() {
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
            if cw.write_all(&buf[..n]).await.is_err() {
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
