//! The RDB length encoding and string headers, parsed synchronously from a byte slice.
//!
//! Each parser returns `Ok(None)` when the slice is too short to hold the whole item, so the
//! reader can refill its buffer and retry; it never reads past the slice.
//!
//! ```text
//! 00xxxxxx                 6-bit length
//! 01xxxxxx xxxxxxxx        14-bit length (big-endian)
//! 10000000 + 4 bytes       32-bit length (big-endian)
//! 10000001 + 8 bytes       64-bit length (big-endian)
//! 11xxxxxx                 special string encoding: 0 INT8, 1 INT16, 2 INT32, 3 LZF
//! ```

/// A length, or the special encoding of a string that follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Length {
    Plain(u64),
    /// The low 6 bits of an `11xxxxxx` byte.
    Special(u8),
}

/// The first byte of a length has the `10` prefix but is neither the 32- nor the 64-bit marker.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct BadLength(pub u8);

/// Parses a length; returns it with the number of bytes it took.
#[inline]
pub(crate) fn parse_length(b: &[u8]) -> Result<Option<(Length, usize)>, BadLength> {
    let Some(&first) = b.first() else { return Ok(None) };
    match first >> 6 {
        0 => Ok(Some((Length::Plain(u64::from(first & 0x3f)), 1))),
        1 => match b.get(1) {
            Some(&second) => Ok(Some((Length::Plain((u64::from(first & 0x3f) << 8) | u64::from(second)), 2))),
            None => Ok(None),
        },
        3 => Ok(Some((Length::Special(first & 0x3f), 1))),
        _ => match first {
            0x80 => match b.get(1..5) {
                Some(v) => Ok(Some((Length::Plain(u64::from(be32(v))), 5))),
                None => Ok(None),
            },
            0x81 => match b.get(1..9) {
                Some(v) => Ok(Some((Length::Plain(be64(v)), 9))),
                None => Ok(None),
            },
            other => Err(BadLength(other)),
        },
    }
}

/// How a string is stored, read from its header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum StrHeader {
    /// `len` raw bytes follow.
    Raw { len: u64 },
    /// An integer stored in 1, 2 or 4 bytes (already consumed); its text is the string.
    Int(i64),
    /// `clen` bytes of LZF data follow, expanding to `len` bytes.
    Lzf { clen: u64, len: u64 },
}

/// Why a string header is invalid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BadStrHeader {
    Length(u8),
    /// An `11xxxxxx` byte with an encoding other than INT8/16/32/LZF.
    Encoding(u8),
}

/// Parses a string header (and, for integer encodings, the integer itself).
#[inline]
pub(crate) fn parse_str_header(b: &[u8]) -> Result<Option<(StrHeader, usize)>, BadStrHeader> {
    let Some((len, n)) = parse_length(b).map_err(|e| BadStrHeader::Length(e.0))? else {
        return Ok(None);
    };
    let enc = match len {
        Length::Plain(len) => return Ok(Some((StrHeader::Raw { len }, n))),
        Length::Special(enc) => enc,
    };
    let rest = &b[n..];
    match enc {
        0 => Ok(rest.first().map(|&v| (StrHeader::Int(i64::from(v as i8)), n + 1))),
        1 => Ok(rest.get(..2).map(|v| (StrHeader::Int(i64::from(i16::from_le_bytes([v[0], v[1]]))), n + 2))),
        2 => {
            Ok(rest.get(..4).map(|v| (StrHeader::Int(i64::from(i32::from_le_bytes([v[0], v[1], v[2], v[3]]))), n + 4)))
        }
        3 => {
            let Some((clen, n1)) = parse_length(rest).map_err(|e| BadStrHeader::Length(e.0))? else {
                return Ok(None);
            };
            let Some((len, n2)) = parse_length(&rest[n1..]).map_err(|e| BadStrHeader::Length(e.0))? else {
                return Ok(None);
            };
            match (clen, len) {
                (Length::Plain(clen), Length::Plain(len)) => Ok(Some((StrHeader::Lzf { clen, len }, n + n1 + n2))),
                _ => Err(BadStrHeader::Encoding(3)),
            }
        }
        other => Err(BadStrHeader::Encoding(other)),
    }
}

pub(crate) fn be32(v: &[u8]) -> u32 {
    let mut a = [0u8; 4];
    a.copy_from_slice(&v[..4]);
    u32::from_be_bytes(a)
}

pub(crate) fn be64(v: &[u8]) -> u64 {
    let mut a = [0u8; 8];
    a.copy_from_slice(&v[..8]);
    u64::from_be_bytes(a)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths() {
        assert_eq!(parse_length(&[0x05]), Ok(Some((Length::Plain(5), 1))));
        assert_eq!(parse_length(&[0x41, 0x02]), Ok(Some((Length::Plain(0x102), 2))));
        assert_eq!(parse_length(&[0x41]), Ok(None));
        assert_eq!(parse_length(&[0x80, 0, 1, 0, 0]), Ok(Some((Length::Plain(65536), 5))));
        assert_eq!(parse_length(&[0x80, 0, 1, 0]), Ok(None));
        assert_eq!(parse_length(&[0x81, 0, 0, 1, 0, 0, 0, 0, 0]), Ok(Some((Length::Plain(1 << 40), 9))));
        assert_eq!(parse_length(&[0xc3]), Ok(Some((Length::Special(3), 1))));
        assert_eq!(parse_length(&[0x82]), Err(BadLength(0x82)));
        assert_eq!(parse_length(&[]), Ok(None));
    }

    #[test]
    fn string_headers() {
        assert_eq!(parse_str_header(&[0xc0, 0x80]), Ok(Some((StrHeader::Int(-128), 2))));
        assert_eq!(parse_str_header(&[0xc1, 0x00, 0x80]), Ok(Some((StrHeader::Int(-32768), 3))));
        assert_eq!(
            parse_str_header(&[0xc2, 0xff, 0xff, 0xff, 0x7f]),
            Ok(Some((StrHeader::Int(i64::from(i32::MAX)), 5)))
        );
        assert_eq!(parse_str_header(&[0xc2, 0xff]), Ok(None));
        assert_eq!(parse_str_header(&[0xc3, 0x0a, 0x14]), Ok(Some((StrHeader::Lzf { clen: 10, len: 20 }, 3))));
        assert_eq!(parse_str_header(&[0xc3, 0x0a]), Ok(None));
        assert_eq!(parse_str_header(&[0xc4]), Err(BadStrHeader::Encoding(4)));
        assert_eq!(parse_str_header(&[0x03, b'a']), Ok(Some((StrHeader::Raw { len: 3 }, 1))));
    }
}
