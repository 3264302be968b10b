//! The replica side of Redis replication, as explicit steps: [`Replica::connect`] (log in, PING,
//! REPLCONF), [`Replica::sync`] (PSYNC or SYNC, then the RDB framing), [`RdbTransfer::finish`] (check the
//! end of the RDB), then [`CommandStream`] (the commands, with a byte-exact offset).
//!
//! The offset we acknowledge with `REPLCONF ACK` is the one the caller says the *target* has applied
//! ([`Acker`]), not what we received: so the source's own `WAIT` and `INFO replication` lag tell the
//! truth about the target.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use tokio::io::AsyncWriteExt;
use tokio::sync::Notify;

use crate::client::{Client, ClientError, FrameReader};
use crate::endpoint::Endpoint;
use crate::rdb::{RdbError, RdbReader, ReaderOptions};
use crate::resp::{self, Frame};
use crate::text::catalog::run_errors as msg;
use crate::text::Text;
use crate::transport::{self, ReadHalf, WriteHalf};

/// The source stays silent longer than this only when the link is dead (it PINGs every 10 s and
/// sends a newline every second while it prepares the RDB).
pub const READ_TIMEOUT: Duration = Duration::from_secs(60);

/// The server version announced with `REPLCONF version`: the newest Valkey whose RDB format the
/// reader knows (see [`Replica::connect`]).
pub const ANNOUNCED_VERSION: &str = "9.1.2";

/// Why replication from the source failed.
#[derive(Debug, thiserror::Error)]
pub enum ReplicaError {
    #[error(transparent)]
    Client(#[from] ClientError),
    /// The source is Sentinel-managed and the Sentinels could not name its master.
    #[error(transparent)]
    Sentinel(#[from] crate::sentinel::SentinelError),
    /// The source is a cluster whose topology could not be read (between a master's failure and
    /// its replica's promotion, say).
    #[error(transparent)]
    Cluster(#[from] crate::cluster::ClusterError),
    #[error("{}", self.text())]
    NotPermitted { addr: String, message: String },
    #[error("{}", self.text())]
    Refused { addr: String, message: String },
    #[error("{}", self.text())]
    Unexpected { addr: String, got: String },
    #[error("{}", self.text())]
    Rdb { addr: String, source: RdbError },
    #[error("{}", self.text())]
    LengthMismatch { addr: String, read: u64, announced: u64 },
    #[error("{}", self.text())]
    BadEofMark { addr: String },
    #[error("{}", self.text())]
    Silent { addr: String, secs: u64 },
    /// `got` shows what came instead (the frame as it was read, or what it lacked).
    #[error("{}", self.text())]
    NotACommand { addr: String, got: Text },
    #[error("{}", self.text())]
    CannotResume { addr: String, offset: u64, answer: String },
}

impl ReplicaError {
    /// The error as a sentence, in whichever language it is shown (`Display` is its English).
    pub fn text(&self) -> Text {
        match self {
            ReplicaError::Client(e) => e.text(),
            ReplicaError::Sentinel(e) => e.text(),
            ReplicaError::Cluster(e) => e.text(),
            ReplicaError::NotPermitted { addr, message } => {
                Text::new(&msg::REPLICA_NOT_PERMITTED).arg("addr", addr).arg("message", message)
            }
            ReplicaError::Refused { addr, message } => {
                Text::new(&msg::REPLICA_REFUSED).arg("addr", addr).arg("message", message)
            }
            ReplicaError::Unexpected { addr, got } => {
                Text::new(&msg::REPLICA_UNEXPECTED).arg("addr", addr).arg("got", got)
            }
            ReplicaError::Rdb { addr, source } => {
                Text::new(&msg::REPLICA_RDB).arg("addr", addr).arg("error", source.text())
            }
            ReplicaError::LengthMismatch { addr, read, announced } => Text::new(&msg::REPLICA_LENGTH_MISMATCH)
                .arg("addr", addr)
                .arg("read", *read)
                .arg("announced", *announced),
            ReplicaError::BadEofMark { addr } => Text::new(&msg::REPLICA_BAD_EOF_MARK).arg("addr", addr),
            ReplicaError::Silent { addr, secs } => Text::new(&msg::REPLICA_SILENT).arg("addr", addr).arg("secs", *secs),
            ReplicaError::NotACommand { addr, got } => {
                Text::new(&msg::REPLICA_NOT_A_COMMAND).arg("addr", addr).arg("got", got.clone())
            }
            ReplicaError::CannotResume { addr, offset, answer } => Text::new(&msg::REPLICA_CANNOT_RESUME)
                .arg("addr", addr)
                .arg("offset", *offset)
                .arg("answer", format!("{answer:?}")),
        }
    }

    /// Whether the link itself failed (worth reconnecting), as opposed to bad data or a refusal.
    pub fn is_link_failure(&self) -> bool {
        matches!(
            self,
            ReplicaError::Silent { .. }
                | ReplicaError::Client(
                    ClientError::Closed { .. } | ClientError::Io { .. } | ClientError::Timeout { .. }
                )
        ) || matches!(self, ReplicaError::Sentinel(e) if e.is_transient())
            || matches!(self, ReplicaError::Cluster(_))
    }
}

/// A connection to the source that has completed the REPLCONF handshake.
pub struct Replica {
    reader: FrameReader<ReadHalf>,
    writer: WriteHalf,
}

/// What the source answered to PSYNC.
pub enum Psync {
    /// A partial resync: the command stream goes on from the offset asked for.
    Continue { stream: CommandStream, ack: WriteHalf, replid: String },
    /// A full resync: an RDB follows.
    Full(RdbTransfer),
}

/// How the source frames the RDB it sends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RdbFraming {
    /// `$<len>`: from a file on the source's disk.
    Length(u64),
    /// `$EOF:<mark>`: streamed while it is produced (diskless); the same 40 bytes follow the RDB.
    EofMark(Vec<u8>),
}

/// What the source answered to PSYNC.
#[derive(Debug, Clone)]
pub struct SyncStart {
    /// The replication id; empty after a plain SYNC.
    pub replid: String,
    /// The offset the RDB corresponds to (0 after a plain SYNC, which has no offsets).
    pub offset: u64,
    pub framing: RdbFraming,
}

/// An RDB being received. Read its records through [`RdbTransfer::reader`], then call
/// [`RdbTransfer::finish`].
pub struct RdbTransfer {
    pub start: SyncStart,
    reader: RdbReader<ReadHalf>,
    writer: WriteHalf,
    addr: String,
}

/// One command of the replication stream.
#[derive(Debug, Clone, PartialEq)]
pub struct StreamCommand {
    pub argv: Vec<Bytes>,
    /// The replication offset just after this command.
    pub end_offset: u64,
}

/// The command stream that follows the RDB.
pub struct CommandStream {
    reader: FrameReader<ReadHalf>,
    offset: u64,
}

impl Replica {
    /// Connects to the source, logs in, and announces this replica (listening port, capabilities).
    pub async fn connect(endpoint: &Endpoint) -> Result<Replica, ReplicaError> {
        let mut client = Client::connect(endpoint).await?;
        let addr = client.addr().to_string();
        let port = listening_port();
        for args in
            [vec!["REPLCONF", "listening-port", port.as_str()], vec!["REPLCONF", "capa", "eof", "capa", "psync2"]]
        {
            let reply = client.raw_request(&args).await?;
            if let Some(message) = reply.error_message() {
                if message.starts_with("NOPERM") {
                    return Err(ReplicaError::NotPermitted { addr, message });
                }
                // Very old servers do not know REPLCONF (SYNC still works there), and before 2.8.18
                // not `capa` (the master then sends the RDB from disk, which the reader takes too).
                if !message.contains("unknown command") && !message.contains("Unrecognized REPLCONF option") {
                    return Err(ReplicaError::Refused { addr, message });
                }
            }
        }
        // Valkey 9 picks the RDB format it sends from the version a replica announces: without one it
        // sends the RDB 11 that Redis also reads, and fails on the first key that needs its own
        // format ("Can't store key ... in RDB version 11"). Announce the newest Valkey whose format
        // (`VALKEY080`) the reader parses. Other servers answer an error, which changes nothing.
        let reply = client.raw_request(&["REPLCONF", "version", ANNOUNCED_VERSION]).await?;
        if let Some(message) = reply.error_message() {
            tracing::debug!("the source ignores REPLCONF version: {message}");
        }
        let (reader, writer) = client.into_split();
        Ok(Replica { reader, writer })
    }

    /// Asks for a full copy (`PSYNC ? -1`, or `SYNC` where PSYNC is unknown) and reads up to the start
    /// of the RDB. Retries while the source is loading or has no link to its own master.
    pub async fn sync(self, rdb_options: ReaderOptions) -> Result<RdbTransfer, ReplicaError> {
        match self.psync(None, rdb_options).await? {
            Psync::Full(transfer) => Ok(transfer),
            Psync::Continue { .. } => {
                Err(ReplicaError::Unexpected { addr: String::new(), got: "+CONTINUE to PSYNC ? -1".into() })
            }
        }
    }

    /// Continues replication where it broke off: `PSYNC <replid> <offset+1>`. The source answers
    /// `+CONTINUE` when its backlog still holds everything after `offset`; then the command stream
    /// goes on from there, with no new snapshot.
    pub async fn resume(self, replid: &str, offset: u64) -> Result<(CommandStream, WriteHalf, String), ReplicaError> {
        let addr = self.reader.addr().to_string();
        match self.psync(Some((replid, offset)), ReaderOptions::default()).await {
            Ok(Psync::Continue { stream, ack, replid }) => Ok((stream, ack, replid)),
            Ok(Psync::Full(_)) => Err(ReplicaError::CannotResume { addr, offset, answer: "+FULLRESYNC".into() }),
            Err(ReplicaError::Refused { addr, message }) => {
                Err(ReplicaError::CannotResume { addr, offset, answer: format!("-{message}") })
            }
            Err(e) => Err(e),
        }
    }

    /// `PSYNC <replid> <offset+1>` to continue from `from`, or `PSYNC ? -1` (or `SYNC` on servers that
    /// predate PSYNC) for a full copy. The source decides: it continues when its backlog still
    /// holds everything after the offset, and otherwise starts a full resync, whose RDB is then read
    /// with `rdb_options`. Retries while the source is loading or has no link to its own master.
    pub async fn psync(mut self, from: Option<(&str, u64)>, rdb_options: ReaderOptions) -> Result<Psync, ReplicaError> {
        let addr = self.reader.addr().to_string();
        let (want_id, want_offset) = match from {
            Some((replid, offset)) => (replid.to_string(), (offset + 1).to_string()),
            None => ("?".to_string(), "-1".to_string()),
        };
        let mut attempts = 0;
        let (replid, offset) = loop {
            self.send(&["PSYNC", want_id.as_str(), want_offset.as_str()]).await?;
            let line = self.read_line().await?;
            let text = String::from_utf8_lossy(&line).into_owned();
            if let Some(rest) = text.strip_prefix("+FULLRESYNC ") {
                let mut parts = rest.split(' ');
                let replid = parts.next().unwrap_or_default().to_string();
                let offset = parts.next().and_then(|o| o.parse().ok());
                match offset {
                    Some(offset) => break (replid, offset),
                    None => return Err(ReplicaError::Unexpected { addr, got: text }),
                }
            } else if let Some(rest) = text.strip_prefix("+CONTINUE") {
                let Some((_, offset)) = from else {
                    return Err(ReplicaError::Unexpected { addr, got: text });
                };
                // PSYNC2 names the id to use from now on (it changes after a failover of the source).
                let replid = match rest.trim() {
                    "" => want_id,
                    new => new.to_string(),
                };
                let stream = CommandStream { reader: self.reader, offset };
                return Ok(Psync::Continue { stream, ack: self.writer, replid });
            } else if text.starts_with("-NOPERM") {
                return Err(ReplicaError::NotPermitted { addr, message: text[1..].to_string() });
            } else if (text.starts_with("-LOADING") || text.starts_with("-NOMASTERLINK")) && attempts < 30 {
                attempts += 1;
                tokio::time::sleep(Duration::from_secs(1)).await;
            } else if text.starts_with("-ERR unknown command") && from.is_none() {
                // Before 2.8: no PSYNC, no offsets. SYNC has no status line; the RDB framing follows.
                self.send(&["SYNC"]).await?;
                break (String::new(), 0);
            } else if let Some(message) = text.strip_prefix('-') {
                return Err(ReplicaError::Refused { addr, message: message.to_string() });
            } else {
                return Err(ReplicaError::Unexpected { addr, got: text });
            }
        };
        let framing = self.read_framing().await?;
        let (inner, prefix) = self.reader.into_parts();
        let reader = RdbReader::new(inner, prefix, rdb_options);
        Ok(Psync::Full(RdbTransfer { start: SyncStart { replid, offset, framing }, reader, writer: self.writer, addr }))
    }

    async fn send(&mut self, args: &[&str]) -> Result<(), ReplicaError> {
        let mut out = BytesMut::new();
        resp::encode_command(&mut out, args);
        let addr = self.reader.addr().to_string();
        match tokio::time::timeout(crate::client::DEFAULT_TIMEOUT, transport::send(&mut self.writer, &out)).await {
            Ok(result) => result.map_err(|source| ClientError::Io { addr, source })?,
            Err(_) => {
                let secs = crate::client::DEFAULT_TIMEOUT.as_secs();
                return Err(
                    ClientError::Timeout { addr, what: &crate::text::catalog::errors::CLIENT_SENDING, secs }.into()
                );
            }
        }
        Ok(())
    }

    /// Reads one line, skipping the bare `\n` keep-alives the source sends while it forks.
    async fn read_line(&mut self) -> Result<Vec<u8>, ReplicaError> {
        loop {
            while self.reader.buffer().first() == Some(&b'\n') {
                let _ = self.reader.buffer().split_to(1);
            }
            if let Some(pos) = self.reader.buffer().windows(2).position(|w| w == b"\r\n") {
                let line = self.reader.buffer().split_to(pos + 2);
                return Ok(line[..pos].to_vec());
            }
            self.fill().await?;
        }
    }

    async fn fill(&mut self) -> Result<(), ReplicaError> {
        let addr = self.reader.addr().to_string();
        match tokio::time::timeout(READ_TIMEOUT, self.reader.fill()).await {
            Ok(result) => Ok(result?),
            Err(_) => Err(ReplicaError::Silent { addr, secs: READ_TIMEOUT.as_secs() }),
        }
    }

    async fn read_framing(&mut self) -> Result<RdbFraming, ReplicaError> {
        let addr = self.reader.addr().to_string();
        let line = self.read_line().await?;
        if let Some(mark) = line.strip_prefix(b"$EOF:") {
            if mark.len() == 40 {
                return Ok(RdbFraming::EofMark(mark.to_vec()));
            }
        } else if let Some(len) = line.strip_prefix(b"$") {
            if let Some(len) = std::str::from_utf8(len).ok().and_then(|l| l.parse().ok()) {
                return Ok(RdbFraming::Length(len));
            }
        } else if let Some(message) = line.strip_prefix(b"-") {
            let message = String::from_utf8_lossy(message).into_owned();
            return Err(ReplicaError::Refused { addr, message });
        }
        Err(ReplicaError::Unexpected { addr, got: String::from_utf8_lossy(&line).into_owned() })
    }
}

impl RdbTransfer {
    /// The RDB records, read from the socket as they arrive.
    pub fn reader(&mut self) -> &mut RdbReader<ReadHalf> {
        &mut self.reader
    }

    /// Reads the next record, turning RDB errors into replication errors that name the source.
    pub async fn next(&mut self) -> Result<Option<crate::rdb::Record>, ReplicaError> {
        match tokio::time::timeout(READ_TIMEOUT, self.reader.next()).await {
            Ok(result) => result.map_err(|source| ReplicaError::Rdb { addr: self.addr.clone(), source }),
            Err(_) => Err(ReplicaError::Silent { addr: self.addr.clone(), secs: READ_TIMEOUT.as_secs() }),
        }
    }

    /// After the last record: checks the RDB's length or end mark, and returns the command stream and
    /// the write half of the connection (for acknowledgements).
    pub async fn finish(self) -> Result<(CommandStream, WriteHalf), ReplicaError> {
        let read = self.reader.bytes_read();
        let (inner, rest) = self.reader.into_inner();
        let mut reader = FrameReader::from_parts(inner, rest, self.addr.clone());
        match &self.start.framing {
            RdbFraming::Length(announced) => {
                if read != *announced {
                    return Err(ReplicaError::LengthMismatch { addr: self.addr, read, announced: *announced });
                }
            }
            RdbFraming::EofMark(mark) => {
                while reader.buffer().len() < mark.len() {
                    match tokio::time::timeout(READ_TIMEOUT, reader.fill()).await {
                        Ok(result) => result?,
                        Err(_) => return Err(ReplicaError::BadEofMark { addr: self.addr }),
                    }
                }
                if reader.buffer().split_to(mark.len())[..] != mark[..] {
                    return Err(ReplicaError::BadEofMark { addr: self.addr });
                }
            }
        }
        Ok((CommandStream { reader, offset: self.start.offset }, self.writer))
    }
}

impl CommandStream {
    /// The offset after the last command returned.
    pub fn offset(&self) -> u64 {
        self.offset
    }

    /// The next command of the stream. Everything counts towards the offset, plumbing included.
    pub async fn next(&mut self) -> Result<StreamCommand, ReplicaError> {
        let addr = self.reader.addr().to_string();
        let (frame, len) = match tokio::time::timeout(READ_TIMEOUT, self.reader.read_frame()).await {
            Ok(result) => result?,
            Err(_) => return Err(ReplicaError::Silent { addr, secs: READ_TIMEOUT.as_secs() }),
        };
        self.offset += len as u64;
        let Frame::Array(items) = frame else {
            return Err(ReplicaError::NotACommand { addr, got: Text::raw(format!("{frame:?}")) });
        };
        let mut argv = Vec::with_capacity(items.len());
        for item in items {
            match item {
                Frame::Bulk(b) => argv.push(b),
                other => return Err(ReplicaError::NotACommand { addr, got: Text::raw(format!("{other:?}")) }),
            }
        }
        if argv.is_empty() {
            return Err(ReplicaError::NotACommand { addr, got: Text::new(&msg::REPLICA_EMPTY_ARRAY) });
        }
        Ok(StreamCommand { argv, end_offset: self.offset })
    }
}

/// Sends `REPLCONF ACK <applied offset>` to the source every second, and at once when asked (the
/// source sent `REPLCONF GETACK`). Runs until the connection closes or [`Acker::stop`] is called.
pub struct Acker {
    now: Arc<Notify>,
    stop: Arc<Notify>,
    task: tokio::task::JoinHandle<()>,
}

impl Acker {
    pub fn spawn(mut writer: WriteHalf, applied: Arc<AtomicU64>) -> Acker {
        let now = Arc::new(Notify::new());
        let stop = Arc::new(Notify::new());
        let (now2, stop2) = (now.clone(), stop.clone());
        let task = tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(1));
            loop {
                tokio::select! {
                    _ = tick.tick() => {}
                    _ = now2.notified() => {}
                    _ = stop2.notified() => break,
                }
                let offset = applied.load(Ordering::Acquire).to_string();
                let mut out = BytesMut::new();
                resp::encode_command(&mut out, &["REPLCONF", "ACK", offset.as_str()]);
                // A source that takes no acknowledgement for this long has stopped reading; the
                // stream's own read deadline ends the link.
                match tokio::time::timeout(READ_TIMEOUT, transport::send(&mut writer, &out)).await {
                    Ok(Ok(())) => {}
                    Ok(Err(_)) | Err(_) => break,
                }
            }
            let _ = writer.shutdown().await;
        });
        Acker { now, stop, task }
    }

    /// Acknowledge now (the source asked with GETACK).
    pub fn ack_now(&self) {
        self.now.notify_one();
    }

    /// Sends a last acknowledgement and closes the connection's write side.
    pub async fn stop(self) {
        self.now.notify_one();
        tokio::task::yield_now().await;
        self.stop.notify_one();
        let _ = self.task.await;
    }
}

/// The port we announce with `REPLCONF listening-port`: shown in the source's `INFO replication`; we
/// accept no connections, so the process id makes several Ferry replicas tell apart there.
fn listening_port() -> String {
    (std::process::id() % 60000 + 1024).to_string()
}
