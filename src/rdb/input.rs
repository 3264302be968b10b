//! The reader's input: a bounded buffer over any `AsyncRead`, with the byte count, the running
//! CRC-64 of everything consumed, and the raw capture used for passthrough values.
//!
//! Parsing is synchronous on the buffered bytes; only a refill awaits. The buffer is one
//! [`CHUNK`] normally and grows only to hold a single large string (or a value being captured),
//! then shrinks back.
//!
//! The checksum is computed lazily over large spans (when the buffer is compacted and at the end)
//! rather than per read call, which keeps it off the per-field path.

use bytes::{Bytes, BytesMut};
use tokio::io::{AsyncRead, AsyncReadExt};

use super::crc64::crc64;
use super::error::RdbError;
use super::length::{parse_length, parse_str_header, BadStrHeader, Length, StrHeader};
use super::lzf;
use crate::text::catalog::run_errors as msg;
use crate::text::{Entry, Text};

/// Refill size, and the size the buffer returns to after holding a large string.
pub(crate) const CHUNK: usize = 64 * 1024;

/// The largest string (key, value, or compact-encoding blob) the reader accepts. Redis caps bulk
/// strings at 512 MB by default (`proto-max-bulk-len`); this leaves room for raised limits while
/// rejecting the absurd lengths a corrupt header produces.
pub(crate) const MAX_STRING: u64 = 1 << 32;

/// The largest element count (list length, set size, stream nodes, PEL size...) the reader
/// accepts. Far above anything a server holds, it only turns a corrupt count into a clear error;
/// memory is protected separately, as no count is ever pre-allocated beyond a few thousand.
pub(crate) const MAX_ELEMENTS: u64 = 1 << 40;

pub(crate) struct Input<R> {
    inner: R,
    buf: Vec<u8>,
    /// Next byte to parse.
    pos: usize,
    /// End of the valid bytes in `buf`.
    end: usize,
    /// Stream offset of `buf[0]`.
    base: u64,
    /// CRC-64 of the stream up to `buf[crc_pos]`.
    crc: u64,
    crc_pos: usize,
    /// Start of the value being captured: bytes from here on are kept in the buffer.
    mark: Option<usize>,
    /// Highest offset reached before a rewind, so progress never goes backwards.
    high_water: u64,
}

impl<R: AsyncRead + Unpin> Input<R> {
    pub(crate) fn new(inner: R, prefix: BytesMut) -> Self {
        let mut buf = prefix.to_vec();
        let end = buf.len();
        if buf.len() < CHUNK {
            buf.resize(CHUNK, 0);
        }
        Input { inner, buf, pos: 0, end, base: 0, crc: 0, crc_pos: 0, mark: None, high_water: 0 }
    }

    /// Stream offset of the next byte to parse.
    #[inline]
    pub(crate) fn offset(&self) -> u64 {
        self.base + self.pos as u64
    }

    /// Bytes consumed so far, for progress (never decreases, even across a rewind).
    pub(crate) fn bytes_read(&self) -> u64 {
        self.offset().max(self.high_water)
    }

    /// The buffered, not yet parsed bytes.
    #[inline]
    pub(crate) fn buffered(&self) -> &[u8] {
        &self.buf[self.pos..self.end]
    }

    #[inline]
    pub(crate) fn consume(&mut self, n: usize) {
        debug_assert!(n <= self.end - self.pos);
        self.pos += n;
    }

    /// Makes at least `n` bytes available in [`Self::buffered`], or fails with
    /// [`RdbError::Truncated`] if the stream ends first.
    #[inline]
    pub(crate) async fn fill(&mut self, n: usize) -> Result<(), RdbError> {
        if self.end - self.pos >= n {
            return Ok(());
        }
        self.refill(n).await
    }

    async fn refill(&mut self, n: usize) -> Result<(), RdbError> {
        self.compact(n);
        while self.end - self.pos < n {
            if self.end == self.buf.len() {
                // Grow by doubling toward what is needed, so a lying length header costs at most
                // twice the bytes that actually arrive.
                let need = self.pos + n;
                let new_len = need.min(self.buf.len().saturating_mul(2).max(CHUNK));
                self.buf.resize(new_len, 0);
            }
            let got = self.inner.read(&mut self.buf[self.end..]).await?;
            if got == 0 {
                return Err(RdbError::Truncated { offset: self.base + self.end as u64 });
            }
            self.end += got;
        }
        Ok(())
    }

    /// Drops the consumed bytes (except a capture in progress) from the front of the buffer,
    /// folding them into the checksum first.
    fn compact(&mut self, n: usize) {
        let keep = self.mark.unwrap_or(self.pos);
        if keep > self.crc_pos {
            self.crc = crc64(self.crc, &self.buf[self.crc_pos..keep]);
            self.crc_pos = keep;
        }
        if keep > 0 {
            self.buf.copy_within(keep..self.end, 0);
            self.base += keep as u64;
            self.pos -= keep;
            self.end -= keep;
            self.crc_pos -= keep;
            if let Some(m) = self.mark.as_mut() {
                *m -= keep;
            }
        }
        if self.buf.len() > CHUNK && self.end <= CHUNK && self.pos + n <= CHUNK {
            self.buf.truncate(CHUNK);
            self.buf.shrink_to_fit();
        }
    }

    /// The CRC-64 of every byte consumed so far (used at the EOF opcode).
    pub(crate) fn checksum(&mut self) -> u64 {
        if self.pos > self.crc_pos {
            self.crc = crc64(self.crc, &self.buf[self.crc_pos..self.pos]);
            self.crc_pos = self.pos;
        }
        self.crc
    }

    /// Starts capturing: the bytes consumed from now on stay in the buffer until
    /// [`Self::take_capture`] or [`Self::rewind`].
    pub(crate) fn start_capture(&mut self) {
        self.mark = Some(self.pos);
    }

    /// Bytes consumed since [`Self::start_capture`].
    #[inline]
    pub(crate) fn capture_len(&self) -> usize {
        self.mark.map_or(0, |m| self.pos - m)
    }

    /// Ends the capture and returns its bytes.
    pub(crate) fn take_capture(&mut self) -> Bytes {
        let m = self.mark.take().unwrap_or(self.pos);
        Bytes::copy_from_slice(&self.buf[m..self.pos])
    }

    /// Ends the capture and moves back to where it started, to read the same bytes again.
    pub(crate) fn rewind(&mut self) {
        if let Some(m) = self.mark.take() {
            self.high_water = self.high_water.max(self.offset());
            self.pos = m;
        }
    }

    /// Returns the inner reader and the bytes buffered past the current position.
    pub(crate) fn into_parts(self) -> (R, BytesMut) {
        let rest = BytesMut::from(&self.buf[self.pos..self.end]);
        (self.inner, rest)
    }

    pub(crate) async fn u8(&mut self) -> Result<u8, RdbError> {
        self.fill(1).await?;
        let b = self.buf[self.pos];
        self.pos += 1;
        Ok(b)
    }

    pub(crate) async fn array<const N: usize>(&mut self) -> Result<[u8; N], RdbError> {
        self.fill(N).await?;
        let mut a = [0u8; N];
        a.copy_from_slice(&self.buf[self.pos..self.pos + N]);
        self.pos += N;
        Ok(a)
    }

    pub(crate) async fn u64_le(&mut self) -> Result<u64, RdbError> {
        Ok(u64::from_le_bytes(self.array::<8>().await?))
    }

    /// Consumes `n` bytes without looking at them.
    pub(crate) async fn skip(&mut self, n: u64) -> Result<(), RdbError> {
        let mut left = n;
        while left > 0 {
            if self.end == self.pos {
                self.fill(1).await?;
            }
            let k = (self.end - self.pos).min(usize::try_from(left).unwrap_or(usize::MAX));
            self.pos += k;
            left -= k as u64;
        }
        Ok(())
    }

    /// Reads a length (which must not be a special string encoding).
    pub(crate) async fn length(&mut self, what: &'static Entry) -> Result<u64, RdbError> {
        loop {
            match parse_length(self.buffered()) {
                Ok(Some((Length::Plain(v), n))) => {
                    self.consume(n);
                    return Ok(v);
                }
                Ok(Some((Length::Special(enc), _))) => {
                    return Err(self
                        .corrupt(Text::new(&msg::RDB_LENGTH_IS_STRING).arg("what", Text::new(what)).arg("enc", enc)))
                }
                Ok(None) => {
                    let have = self.end - self.pos;
                    self.fill(have + 1).await?;
                }
                Err(bad) => return Err(self.corrupt(bad_length_byte(bad.0, what))),
            }
        }
    }

    /// Reads a length and checks it against `max` before anything is allocated for it.
    pub(crate) async fn count(&mut self, what: &'static Entry, max: u64) -> Result<u64, RdbError> {
        let offset = self.offset();
        let n = self.length(what).await?;
        if n > max {
            return Err(RdbError::LengthTooLarge { what, len: n, limit: max, offset });
        }
        Ok(n)
    }

    /// Reads a string header; for integer encodings this consumes the integer too.
    pub(crate) async fn str_header(&mut self, what: &'static Entry) -> Result<StrHeader, RdbError> {
        let offset = self.offset();
        let header = loop {
            match parse_str_header(self.buffered()) {
                Ok(Some((h, n))) => {
                    self.consume(n);
                    break h;
                }
                Ok(None) => {
                    let have = self.end - self.pos;
                    self.fill(have + 1).await?;
                }
                Err(BadStrHeader::Length(b)) => return Err(self.corrupt(bad_length_byte(b, what))),
                Err(BadStrHeader::Encoding(e)) => {
                    return Err(self.corrupt(
                        Text::new(&msg::RDB_UNKNOWN_STRING_ENCODING).arg("enc", e).arg("what", Text::new(what)),
                    ))
                }
            }
        };
        let too_large = |len: u64| RdbError::LengthTooLarge { what, len, limit: MAX_STRING, offset };
        match header {
            StrHeader::Raw { len } if len > MAX_STRING => Err(too_large(len)),
            StrHeader::Lzf { clen, len } if clen > MAX_STRING || len > MAX_STRING => Err(too_large(clen.max(len))),
            h => Ok(h),
        }
    }

    /// Reads a string and decodes it (integer encodings as decimal text, LZF expanded).
    pub(crate) async fn string(&mut self, what: &'static Entry) -> Result<Bytes, RdbError> {
        if let Some(b) = self.buffered_string() {
            return Ok(b);
        }
        let offset = self.offset();
        match self.str_header(what).await? {
            StrHeader::Raw { len } => {
                let len = len as usize;
                self.fill(len).await?;
                let b = Bytes::copy_from_slice(&self.buf[self.pos..self.pos + len]);
                self.pos += len;
                Ok(b)
            }
            StrHeader::Int(v) => Ok(Bytes::from(v.to_string())),
            StrHeader::Lzf { clen, len } => {
                let clen = clen as usize;
                self.fill(clen).await?;
                let out = lzf::decompress(&self.buf[self.pos..self.pos + clen], len as usize);
                let out = out.map_err(|e| RdbError::Corrupt {
                    what: Text::new(&msg::RDB_BAD_LZF).arg("what", Text::new(what)).arg("error", e.text()),
                    offset,
                })?;
                self.pos += clen;
                Ok(Bytes::from(out))
            }
        }
    }

    /// Fast path of [`Self::string`] for the common case (a plain string already in the buffer),
    /// without the async machinery; `None` leaves everything else to the general path.
    #[inline]
    fn buffered_string(&mut self) -> Option<Bytes> {
        let (header, n) = parse_str_header(self.buffered()).ok()??;
        let StrHeader::Raw { len } = header else { return None };
        let len = usize::try_from(len).ok()?;
        let data = self.buffered().get(n..n.checked_add(len)?)?;
        let b = Bytes::copy_from_slice(data);
        self.pos += n + len;
        Some(b)
    }

    /// Fast path for skipping a string already in the buffer: returns the bytes it spans (header
    /// included) without consuming them; `None` if it is not all buffered or needs the general
    /// path.
    #[inline]
    pub(crate) fn buffered_string_span(&self) -> Option<usize> {
        let (header, n) = parse_str_header(self.buffered()).ok()??;
        let data = match header {
            StrHeader::Raw { len } => usize::try_from(len).ok()?,
            StrHeader::Int(_) => 0,
            StrHeader::Lzf { clen, .. } => usize::try_from(clen).ok()?,
        };
        let span = n.checked_add(data)?;
        (span <= self.end - self.pos).then_some(span)
    }

    /// A [`RdbError::Corrupt`] at the current offset.
    pub(crate) fn corrupt(&self, what: Text) -> RdbError {
        RdbError::Corrupt { what, offset: self.offset() }
    }
}

/// Says that `byte` cannot start the length of `what`.
fn bad_length_byte(byte: u8, what: &'static Entry) -> Text {
    Text::new(&msg::RDB_BAD_LENGTH_BYTE).arg("byte", format!("{byte:#04x}")).arg("what", Text::new(what))
}
