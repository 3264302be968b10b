//! One pipelined connection to a target server: a task that sends, a task that reads replies in
//! order, and a watchdog for a target that stops answering. [`super::Writer`] keeps one per master.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::transport::{self, WriteHalf};
use bytes::{Bytes, BytesMut};
use tokio::sync::{Notify, Semaphore};

use super::{add_not_carried, ErrorSample, Expect, WriteError, WriterOptions, WriterStats};
use crate::client::{Client, ClientError};
use crate::endpoint::Endpoint;
use crate::resp::{self, Frame};
use crate::text::catalog::run_errors as msg;
use crate::text::Text;

/// Flush the send buffer once it holds this much.
const FLUSH_BYTES: usize = 256 * 1024;

/// A command sent and not yet answered.
struct Pending {
    name: Bytes,
    /// A copy, not a slice: a slice would keep the whole buffer it came from (a big value) alive
    /// until the reply.
    key: Option<Bytes>,
    /// Replication offset reached when this is applied (0: none).
    offset: u64,
    expect: Expect,
    /// For [`Expect::Claimed`]: the group and the id, for the report.
    what: Option<Box<(Bytes, Bytes)>>,
}

/// What the sender and the reply reader share.
struct Shared {
    inflight: Mutex<VecDeque<Pending>>,
    applied: Applied,
    stats: Arc<WriterStats>,
    skip: Vec<String>,
    failure: Mutex<Option<WriteError>>,
    failed: AtomicBool,
    /// Woken when the writer fails, so that a write blocked on a full socket gives up.
    failed_now: Notify,
    idle: Notify,
    window: Semaphore,
    /// The last time the target answered, or writes began to wait for it after a pause.
    last_answer: Mutex<Instant>,
}

impl Shared {
    fn fail(&self, err: WriteError) {
        if let Ok(mut f) = self.failure.lock() {
            if f.is_none() {
                *f = Some(err);
            }
        }
        self.failed.store(true, Ordering::Release);
        // Wake a sender waiting for window room so it sees the failure.
        self.window.add_permits(1 << 20);
        self.idle.notify_waiters();
        self.failed_now.notify_waiters();
    }

    fn waiting(&self) -> usize {
        self.inflight.lock().map(|q| q.len()).unwrap_or(0)
    }

    fn take_failure(&self) -> Option<WriteError> {
        self.failure.lock().ok()?.take()
    }
}

/// Pipelined writes on one connection.
pub(super) struct Conn {
    conn: WriteHalf,
    out: BytesMut,
    shared: Arc<Shared>,
    db: Option<u32>,
    addr: String,
    reader: tokio::task::JoinHandle<()>,
    watchdog: tokio::task::JoinHandle<()>,
}

impl Conn {
    /// Connects to the target. `applied` is advanced as replies come back.
    pub(super) async fn connect(
        target: &Endpoint,
        options: &WriterOptions,
        applied: Applied,
        stats: Arc<WriterStats>,
    ) -> Result<Conn, WriteError> {
        let client = Client::connect(target).await?;
        let addr = client.addr().to_string();
        let (mut replies, conn) = client.into_split();
        let shared = Arc::new(Shared {
            inflight: Mutex::new(VecDeque::new()),
            applied,
            stats,
            skip: options.skip_errors.iter().map(|s| s.to_uppercase()).collect(),
            failure: Mutex::new(None),
            failed: AtomicBool::new(false),
            failed_now: Notify::new(),
            idle: Notify::new(),
            window: Semaphore::new(options.window.max(1)),
            last_answer: Mutex::new(Instant::now()),
        });
        let reader_shared = shared.clone();
        let reader = tokio::spawn(async move {
            loop {
                let frame = match replies.read_frame().await {
                    Ok((frame, _)) => frame,
                    Err(e) => {
                        let pending = reader_shared.inflight.lock().map(|q| q.len()).unwrap_or(0);
                        if pending > 0 || !reader_shared.failed.load(Ordering::Acquire) {
                            reader_shared.fail(WriteError::Client(e));
                        }
                        return;
                    }
                };
                reader_shared.on_reply(frame);
            }
        });
        let watchdog = tokio::spawn(watch_stalls(shared.clone(), addr.clone(), options.clone()));
        Ok(Conn { conn, out: BytesMut::with_capacity(FLUSH_BYTES * 2), shared, db: None, addr, reader, watchdog })
    }

    /// Makes the next commands apply to database `db` (sends SELECT only when it changes).
    pub(super) async fn select(&mut self, db: u32) -> Result<(), WriteError> {
        if self.db != Some(db) {
            let text = db.to_string();
            self.send(&[Bytes::from_static(b"SELECT"), Bytes::from(text)], 0).await?;
            self.db = Some(db);
        }
        Ok(())
    }

    /// Forgets which db is selected: the next [`Writer::select`] sends SELECT (after a command from
    /// the source that may have changed it, such as a transaction that failed).
    pub(super) fn forget_db(&mut self) {
        self.db = None;
    }

    /// Queues a command. `offset`, when not 0, becomes the applied offset once the target answers it.
    pub(super) async fn send(&mut self, argv: &[Bytes], offset: u64) -> Result<(), WriteError> {
        self.queue(argv, offset, Expect::Any).await
    }

    /// Records something of the source that the target was not given, `count` times.
    pub(super) fn note_not_carried(&self, what: Text, count: u64) {
        if let Ok(mut m) = self.shared.stats.not_carried.lock() {
            add_not_carried(&mut m, what, count);
        }
    }

    pub(super) async fn queue(&mut self, argv: &[Bytes], offset: u64, expect: Expect) -> Result<(), WriteError> {
        self.check()?;
        let acquired = self.shared.window.try_acquire().map(|permit| permit.forget()).is_ok();
        if !acquired {
            {
                // The window is full: send what is buffered, then wait for replies.
                self.flush().await?;
                if let Ok(permit) = self.shared.window.acquire().await {
                    permit.forget();
                }
                self.check()?;
            }
        }
        let what = match expect {
            Expect::Claimed => Some(Box::new((
                Bytes::copy_from_slice(argv.get(2).map_or(&b""[..], |g| &g[..])),
                Bytes::copy_from_slice(argv.get(5).map_or(&b""[..], |i| &i[..])),
            ))),
            Expect::Any => None,
        };
        let pending = Pending {
            name: argv[0].clone(),
            key: argv.get(1).map(|k| Bytes::copy_from_slice(k)),
            offset,
            expect,
            what,
        };
        if let Ok(mut q) = self.shared.inflight.lock() {
            if q.is_empty() {
                // Nothing was waiting: the wait for an answer starts now, not at the last answer.
                if let Ok(mut t) = self.shared.last_answer.lock() {
                    *t = Instant::now();
                }
            }
            q.push_back(pending);
        }
        resp::encode_command(&mut self.out, argv);
        self.shared.stats.sent.fetch_add(1, Ordering::Relaxed);
        if self.out.len() >= FLUSH_BYTES {
            self.flush().await?;
        }
        Ok(())
    }

    /// Records that the source's stream reached `offset` with nothing to write (PING, REPLCONF...):
    /// it becomes applied once everything before it is.
    pub(super) fn mark_offset(&mut self, offset: u64) {
        if let Ok(mut q) = self.shared.inflight.lock() {
            match q.back_mut() {
                Some(last) => last.offset = last.offset.max(offset),
                None => self.shared.applied.advance(offset),
            }
        }
    }

    /// Sends everything buffered. A target that stops reading fills the socket and blocks the write:
    /// the stall watchdog then fails the writer, which ends the write too.
    pub(super) async fn flush(&mut self) -> Result<(), WriteError> {
        if self.out.is_empty() {
            return Ok(());
        }
        let failed = self.shared.failed_now.notified();
        tokio::pin!(failed);
        failed.as_mut().enable();
        self.check()?;
        let result = tokio::select! {
            r = transport::send(&mut self.conn, &self.out) => r,
            _ = failed => return self.check(),
        };
        self.out.clear();
        result.map_err(|source| WriteError::Client(ClientError::Io { addr: self.addr.clone(), source }))?;
        self.check()
    }

    /// Sends a PING when nothing is in flight, so that a target with a client `timeout` does not
    /// close this connection while the source is quiet (and a frozen target is noticed).
    pub(super) async fn keep_alive(&mut self) -> Result<(), WriteError> {
        // Also how a failure found while nothing is written (a stall) reaches the pipeline.
        self.check()?;
        if self.is_idle() {
            self.send(&[Bytes::from_static(b"PING")], 0).await?;
            self.flush().await?;
        }
        Ok(())
    }

    /// Flushes and waits until the target has answered everything sent.
    pub(super) async fn drain(&mut self) -> Result<(), WriteError> {
        self.flush().await?;
        loop {
            let idle = self.shared.idle.notified();
            tokio::pin!(idle);
            idle.as_mut().enable();
            self.check()?;
            if self.shared.inflight.lock().map(|q| q.is_empty()).unwrap_or(true) {
                return Ok(());
            }
            idle.await;
        }
    }

    /// Records an error found before sending; fails unless its class is skipped.
    pub(super) fn reject(&mut self, sample: ErrorSample) -> Result<(), WriteError> {
        let skipped = self.shared.skip.contains(&sample.class);
        let err = WriteError::Unsupported { key: sample.key.clone(), what: sample.message.clone() };
        self.shared.stats.record(sample, skipped);
        if skipped {
            Ok(())
        } else {
            Err(err)
        }
    }

    /// Whether the writer has nothing in flight.
    pub(super) fn is_idle(&self) -> bool {
        self.out.is_empty() && self.shared.inflight.lock().map(|q| q.is_empty()).unwrap_or(true)
    }

    fn check(&self) -> Result<(), WriteError> {
        if self.shared.failed.load(Ordering::Acquire) {
            return Err(self.shared.take_failure().unwrap_or_else(|| {
                let context = Some(crate::text::Text::new(&crate::text::catalog::errors::CLIENT_CLOSED_AFTER_ERROR));
                WriteError::Client(ClientError::Closed { addr: self.addr.clone(), context })
            }));
        }
        Ok(())
    }
}

impl Drop for Conn {
    fn drop(&mut self) {
        self.reader.abort();
        self.watchdog.abort();
    }
}

/// Watches how long writes have waited for the target: past `stall_warning` the stats say so (the
/// progress shows it), past `stall_timeout` the writer fails with [`WriteError::Stalled`].
async fn watch_stalls(shared: Arc<Shared>, addr: String, options: WriterOptions) {
    let mut tick = tokio::time::interval(Duration::from_millis(250));
    loop {
        tick.tick().await;
        if shared.failed.load(Ordering::Acquire) {
            shared.stats.stalled_ms.store(0, Ordering::Release);
            return;
        }
        let waiting = shared.waiting();
        let waited = match shared.last_answer.lock() {
            Ok(t) if waiting > 0 => t.elapsed(),
            _ => Duration::ZERO,
        };
        let shown = if waited >= options.stall_warning { waited.as_millis() as u64 } else { 0 };
        shared.stats.stalled_ms.store(shown, Ordering::Release);
        if waited >= options.stall_timeout {
            tracing::warn!("the target {addr} has not answered for {} s", waited.as_secs());
            shared.fail(WriteError::Stalled { addr, secs: waited.as_secs(), waiting });
            return;
        }
    }
}

impl Shared {
    fn on_reply(&self, frame: Frame) {
        let Some(pending) = self.inflight.lock().ok().and_then(|mut q| q.pop_front()) else {
            self.fail(WriteError::Rejected {
                count: 1,
                first: Text::new(&msg::WRITER_UNREQUESTED_REPLY).arg("reply", format!("{frame:?}")),
                class: "PROTOCOL".into(),
            });
            return;
        };
        self.window.add_permits(1);
        self.stats.acked.fetch_add(1, Ordering::Relaxed);
        if let Ok(mut t) = self.last_answer.lock() {
            *t = Instant::now();
        }
        let message = frame.first_error().map(|m| {
            // A command the target does not know (the source, newer, ran it): data the target
            // cannot hold, like a stream on a target before 5.0.
            let class = match m.starts_with("ERR unknown command") {
                true => "UNSUPPORTED".to_string(),
                false => m.split_whitespace().next().unwrap_or("ERR").to_uppercase(),
            };
            (class, Text::raw(m))
        });
        let message = message.or_else(|| match (pending.expect, &frame) {
            (Expect::Claimed, Frame::Array(ids)) if ids.is_empty() => {
                let (group, id) = pending.what.as_deref().cloned().unwrap_or_default();
                Some((
                    "UNSUPPORTED".to_string(),
                    Text::new(&msg::WRITER_PENDING_DELETED)
                        .arg("id", String::from_utf8_lossy(&id).into_owned())
                        .arg("group", format!("{:?}", String::from_utf8_lossy(&group))),
                ))
            }
            _ => None,
        });
        if let Some((class, message)) = message {
            let skipped = self.skip.contains(&class);
            let sample = ErrorSample {
                class: class.clone(),
                command: String::from_utf8_lossy(&pending.name).to_uppercase(),
                key: pending.key.as_ref().map(|k| String::from_utf8_lossy(k).into_owned()).unwrap_or_default(),
                message: message.clone(),
            };
            let first = Text::new(&msg::WRITER_FIRST)
                .arg("command", &sample.command)
                .arg("key", format!("{:?}", sample.key))
                .arg("message", message);
            self.stats.record(sample, skipped);
            if !skipped {
                let count =
                    self.stats.errors.load(Ordering::Relaxed) - self.stats.skipped_errors.load(Ordering::Relaxed);
                self.fail(WriteError::Rejected { count, first, class });
                return;
            }
        }
        // After a failure nothing counts as applied: a later reply must not carry the offset past a
        // write that was refused.
        if pending.offset != 0 && !self.failed.load(Ordering::Acquire) {
            self.applied.advance(pending.offset);
        }
        if self.inflight.lock().map(|q| q.is_empty()).unwrap_or(true) {
            self.idle.notify_waiters();
        }
    }
}

/// Where a connection's applied offset goes. With one connection it is the pipeline's own; with one
/// per cluster master, each has its part and the pipeline's is their minimum: an offset is applied
/// when every master has applied everything up to it.
#[derive(Clone)]
pub(super) struct Applied {
    own: Arc<AtomicU64>,
    total: Arc<AtomicU64>,
    all: Arc<Vec<Arc<AtomicU64>>>,
}

impl Applied {
    /// `parts` connections share `total`.
    pub(super) fn split(total: &Arc<AtomicU64>, parts: usize) -> Vec<Applied> {
        if parts <= 1 {
            let all = Arc::new(vec![total.clone()]);
            return vec![Applied { own: total.clone(), total: total.clone(), all }];
        }
        let start = total.load(Ordering::Acquire);
        let all: Arc<Vec<Arc<AtomicU64>>> = Arc::new((0..parts).map(|_| Arc::new(AtomicU64::new(start))).collect());
        all.iter().map(|own| Applied { own: own.clone(), total: total.clone(), all: all.clone() }).collect()
    }

    fn advance(&self, offset: u64) {
        self.own.fetch_max(offset, Ordering::AcqRel);
        if self.all.len() > 1 {
            let min = self.all.iter().map(|a| a.load(Ordering::Acquire)).min().unwrap_or(0);
            self.total.fetch_max(min, Ordering::AcqRel);
        }
    }
}
