//! RESP framing: the wire format of Redis, for replies, for commands we send, and for the command
//! stream of replication.
//!
//! Parsing is check-then-parse (as in mini-redis): [`frame_len`] walks a buffer without allocating and
//! says whether a whole frame is there; only then does [`parse_frame`] build it. A partial frame costs
//! nothing but the walk, which matters on the replication stream where frames arrive in pieces.

use bytes::{BufMut, Bytes, BytesMut};

/// The largest bulk string accepted (Redis's own default `proto-max-bulk-len`).
pub const MAX_BULK_LEN: usize = 512 << 20;
/// The largest aggregate (array, map, set) accepted; guards against a corrupt length header.
pub const MAX_AGGREGATE_LEN: usize = 1 << 32;

/// One RESP2 or RESP3 value.
#[derive(Debug, Clone, PartialEq)]
pub enum Frame {
    Simple(Bytes),
    Error(Bytes),
    Integer(i64),
    Bulk(Bytes),
    /// RESP2 null bulk / null array, RESP3 `_`.
    Null,
    Array(Vec<Frame>),
    /// RESP3 scalars kept as their text: double, big number, boolean (`t`/`f`), verbatim string.
    Text(Bytes),
    /// RESP3 map, flattened into key, value, key, value...
    Map(Vec<Frame>),
    /// RESP3 push (pub/sub messages, invalidations).
    Push(Vec<Frame>),
}

impl Frame {
    /// The frame as bytes when it is a string-like scalar (simple, bulk, RESP3 text).
    pub fn as_bytes(&self) -> Option<&Bytes> {
        match self {
            Frame::Simple(b) | Frame::Bulk(b) | Frame::Text(b) => Some(b),
            _ => None,
        }
    }

    /// The frame as an integer: an integer reply, or a string holding one.
    pub fn as_int(&self) -> Option<i64> {
        match self {
            Frame::Integer(i) => Some(*i),
            other => other.as_bytes().and_then(|b| std::str::from_utf8(b).ok()?.parse().ok()),
        }
    }

    /// The message of an error reply.
    pub fn error_message(&self) -> Option<String> {
        match self {
            Frame::Error(e) => Some(String::from_utf8_lossy(e).into_owned()),
            _ => None,
        }
    }

    /// Whether this reply is, or contains (an EXEC result), an error.
    pub fn first_error(&self) -> Option<String> {
        match self {
            Frame::Error(_) => self.error_message(),
            Frame::Array(items) => items.iter().find_map(Frame::first_error),
            _ => None,
        }
    }
}

/// The bytes on the wire are not RESP.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid RESP: {0}")]
pub struct ProtocolError(pub String);

fn perr(msg: impl Into<String>) -> ProtocolError {
    ProtocolError(msg.into())
}

/// Position of the first `\r\n` at or after `start`.
fn find_crlf(buf: &[u8], start: usize) -> Option<usize> {
    buf.get(start..)?.windows(2).position(|w| w == b"\r\n").map(|p| p + start)
}

/// Parses the decimal integer of a header line.
fn parse_int(line: &[u8]) -> Result<i64, ProtocolError> {
    std::str::from_utf8(line)
        .ok()
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| perr(format!("bad integer {:?}", String::from_utf8_lossy(line))))
}

fn length(line: &[u8], max: usize, what: &str) -> Result<Option<usize>, ProtocolError> {
    let n = parse_int(line)?;
    if n < 0 {
        return Ok(None);
    }
    let n = n as usize;
    if n > max {
        return Err(perr(format!("{what} length {n} exceeds the limit of {max}")));
    }
    Ok(Some(n))
}

/// If `buf` starts with a whole frame, its length in bytes; `Ok(None)` if more bytes are needed.
/// Allocates nothing.
pub fn frame_len(buf: &[u8]) -> Result<Option<usize>, ProtocolError> {
    frame_len_at(buf, 0)
}

fn frame_len_at(buf: &[u8], start: usize) -> Result<Option<usize>, ProtocolError> {
    let Some(&tag) = buf.get(start) else { return Ok(None) };
    let Some(eol) = find_crlf(buf, start + 1) else {
        if buf.len() - start > 64 * 1024 {
            return Err(perr("header line longer than 64 KiB"));
        }
        return Ok(None);
    };
    let line = &buf[start + 1..eol];
    let after = eol + 2;
    match tag {
        b'+' | b'-' | b':' | b',' | b'(' | b'#' | b'_' => Ok(Some(after - start)),
        b'$' | b'=' | b'!' => match length(line, MAX_BULK_LEN, "bulk")? {
            None => Ok(Some(after - start)),
            Some(n) => {
                let end = after + n + 2;
                if buf.len() < end {
                    return Ok(None);
                }
                if &buf[end - 2..end] != b"\r\n" {
                    return Err(perr("bulk string not terminated by CRLF"));
                }
                Ok(Some(end - start))
            }
        },
        b'*' | b'~' | b'>' | b'%' => {
            let Some(n) = length(line, MAX_AGGREGATE_LEN, "aggregate")? else {
                return Ok(Some(after - start));
            };
            let n = if tag == b'%' { n * 2 } else { n };
            let mut pos = after;
            for _ in 0..n {
                match frame_len_at(buf, pos)? {
                    Some(len) => pos += len,
                    None => return Ok(None),
                }
            }
            Ok(Some(pos - start))
        }
        other => Err(perr(format!("unexpected type byte {:?}", other as char))),
    }
}

/// Parses the frame at the start of `buf`, which [`frame_len`] has found complete.
pub fn parse_frame(buf: &Bytes) -> Result<(Frame, usize), ProtocolError> {
    parse_at(buf, 0)
}

fn parse_at(buf: &Bytes, start: usize) -> Result<(Frame, usize), ProtocolError> {
    let tag = *buf.get(start).ok_or_else(|| perr("incomplete frame"))?;
    let eol = find_crlf(buf, start + 1).ok_or_else(|| perr("incomplete frame"))?;
    let line = buf.slice(start + 1..eol);
    let after = eol + 2;
    let frame = match tag {
        b'+' => Frame::Simple(line),
        b'-' => Frame::Error(line),
        b':' => Frame::Integer(parse_int(&line)?),
        b',' | b'(' | b'#' => Frame::Text(line),
        b'_' => Frame::Null,
        b'$' | b'=' | b'!' => match length(&line, MAX_BULK_LEN, "bulk")? {
            None => Frame::Null,
            Some(n) => {
                let end = after + n;
                if buf.len() < end + 2 {
                    return Err(perr("incomplete frame"));
                }
                let body = buf.slice(after..end);
                let frame = match tag {
                    b'$' => Frame::Bulk(body),
                    b'!' => Frame::Error(body),
                    _ => Frame::Text(body),
                };
                return Ok((frame, end + 2 - start));
            }
        },
        b'*' | b'~' | b'>' | b'%' => {
            let Some(n) = length(&line, MAX_AGGREGATE_LEN, "aggregate")? else {
                return Ok((Frame::Null, after - start));
            };
            let n = if tag == b'%' { n * 2 } else { n };
            let mut items = Vec::with_capacity(n.min(1024));
            let mut pos = after;
            for _ in 0..n {
                let (item, len) = parse_at(buf, pos)?;
                items.push(item);
                pos += len;
            }
            let frame = match tag {
                b'%' => Frame::Map(items),
                b'>' => Frame::Push(items),
                _ => Frame::Array(items),
            };
            return Ok((frame, pos - start));
        }
        other => return Err(perr(format!("unexpected type byte {:?}", other as char))),
    };
    Ok((frame, after - start))
}

/// Appends a command in RESP (an array of bulk strings) to `out`.
pub fn encode_command<A: AsRef<[u8]>>(out: &mut BytesMut, args: &[A]) {
    let mut itoa = itoa_buf();
    out.reserve(16 + args.iter().map(|a| a.as_ref().len() + 16).sum::<usize>());
    out.put_u8(b'*');
    out.put_slice(itoa.format(args.len()));
    out.put_slice(b"\r\n");
    for arg in args {
        let arg = arg.as_ref();
        out.put_u8(b'$');
        out.put_slice(itoa.format(arg.len()));
        out.put_slice(b"\r\n");
        out.put_slice(arg);
        out.put_slice(b"\r\n");
    }
}

/// A tiny decimal formatter, so encoding a command does not go through `fmt`.
struct Itoa([u8; 20]);

fn itoa_buf() -> Itoa {
    Itoa([0; 20])
}

impl Itoa {
    fn format(&mut self, mut n: usize) -> &[u8] {
        let mut i = self.0.len();
        loop {
            i -= 1;
            self.0[i] = b'0' + (n % 10) as u8;
            n /= 10;
            if n == 0 {
                break;
            }
        }
        &self.0[i..]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_all(input: &[u8]) -> Frame {
        let len = frame_len(input).unwrap().expect("complete");
        assert_eq!(len, input.len());
        let (frame, used) = parse_frame(&Bytes::copy_from_slice(input)).unwrap();
        assert_eq!(used, len);
        frame
    }

    #[test]
    fn every_prefix_of_a_frame_is_incomplete_not_an_error() {
        let input = b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n:42\r\n";
        for cut in 0..input.len() {
            assert_eq!(frame_len(&input[..cut]), Ok(None), "cut at {cut}");
        }
        assert_eq!(
            parse_all(input),
            Frame::Array(vec![
                Frame::Bulk(Bytes::from_static(b"SET")),
                Frame::Bulk(Bytes::from_static(b"k")),
                Frame::Integer(42)
            ])
        );
    }

    #[test]
    fn scalars_and_nulls() {
        assert_eq!(parse_all(b"+OK\r\n"), Frame::Simple(Bytes::from_static(b"OK")));
        assert_eq!(parse_all(b"-ERR bad\r\n").error_message().unwrap(), "ERR bad");
        assert_eq!(parse_all(b"$-1\r\n"), Frame::Null);
        assert_eq!(parse_all(b"*-1\r\n"), Frame::Null);
        assert_eq!(parse_all(b"_\r\n"), Frame::Null);
        assert_eq!(parse_all(b"$0\r\n\r\n"), Frame::Bulk(Bytes::new()));
        assert_eq!(parse_all(b"%1\r\n+a\r\n:1\r\n").as_int(), None);
    }

    #[test]
    fn exec_result_with_an_error_inside_is_an_error() {
        let f = parse_all(b"*2\r\n+OK\r\n-WRONGTYPE no\r\n");
        assert_eq!(f.first_error().unwrap(), "WRONGTYPE no");
    }

    #[test]
    fn garbage_and_huge_lengths_are_errors() {
        assert!(frame_len(b"HTTP/1.1 400 Bad Request\r\n").is_err());
        assert!(frame_len(b"$99999999999\r\n").is_err());
        assert!(frame_len(b"$3\r\nabcXY").is_err());
    }

    #[test]
    fn encode_round_trips() {
        let mut out = BytesMut::new();
        encode_command(&mut out, &["SET", "key", ""]);
        assert_eq!(&out[..], b"*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$0\r\n\r\n");
    }
}
