//! Listpack (Redis 7.0+ compact lists, sets, hashes and zsets; stream nodes since 5.0), read with
//! bounds checks.
//!
//! ```text
//! <total bytes u32 LE> <count u16 LE> <entry>... <0xFF>
//! entry: <encoding + data> <backlen: size of encoding + data, 1..5 bytes, read right to left>
//! 0xxxxxxx            7-bit unsigned int        10xxxxxx + data      string, 6-bit length
//! 110xxxxx 1 byte     13-bit signed int         1110xxxx 1 byte      string, 12-bit length
//! 0xF0 + u32 LE       string, 32-bit length     0xF1/F2/F3/F4        i16/i24/i32/i64 LE
//! ```

use bytes::Bytes;

use super::blob::{BlobError, Item};
use crate::text::catalog::run_errors as msg;

const HEADER: usize = 6;
const EOF: u8 = 0xff;

/// A cursor over a listpack's entries.
#[derive(Debug)]
pub(crate) struct Listpack {
    data: Bytes,
    pos: usize,
}

/// How many bytes the back-length of an entry of `len` bytes takes (as listpack.c encodes it).
fn backlen_size(len: usize) -> usize {
    match len {
        0..=127 => 1,
        128..=16382 => 2,
        16383..=2_097_150 => 3,
        2_097_151..=268_435_454 => 4,
        _ => 5,
    }
}

/// Decodes the back-length ending just before `end` (its bytes are read right to left).
fn decode_backlen(d: &[u8], start: usize, end: usize) -> Option<usize> {
    let mut val = 0usize;
    let mut shift = 0;
    let mut p = end;
    while p > start {
        p -= 1;
        val |= usize::from(d[p] & 0x7f) << shift;
        if d[p] & 0x80 == 0 {
            return (p == start).then_some(val);
        }
        shift += 7;
    }
    None
}

fn sign_extend(v: u64, bits: u32) -> i64 {
    let shift = 64 - bits;
    ((v << shift) as i64) >> shift
}

impl Listpack {
    /// Checks the header against the blob and positions the cursor on the first entry.
    pub(crate) fn new(data: Bytes) -> Result<Self, BlobError> {
        if data.len() < HEADER + 1 {
            return Err(BlobError::new(&msg::RDB_BLOB_LISTPACK_SHORT, 0));
        }
        let total = u32::from_le_bytes([data[0], data[1], data[2], data[3]]);
        if usize::try_from(total).ok() != Some(data.len()) {
            return Err(BlobError::new(&msg::RDB_BLOB_LISTPACK_SIZE, 0));
        }
        if data[data.len() - 1] != EOF {
            return Err(BlobError::new(&msg::RDB_BLOB_LISTPACK_NO_END, data.len() - 1));
        }
        Ok(Listpack { data, pos: HEADER })
    }

    pub(crate) fn has_more(&self) -> bool {
        self.data.get(self.pos).is_some_and(|&b| b != EOF)
    }

    /// Byte position of the next entry in the blob, for error messages.
    pub(crate) fn position(&self) -> usize {
        self.pos
    }

    pub(crate) fn next(&mut self) -> Result<Option<Item>, BlobError> {
        let d = &self.data[..];
        let start = self.pos;
        let Some(&enc) = d.get(start) else {
            return Err(BlobError::new(&msg::RDB_BLOB_LISTPACK_ENTRY, start));
        };
        if enc == EOF {
            if start != d.len() - 1 {
                return Err(BlobError::new(&msg::RDB_BLOB_LISTPACK_EARLY_END, start));
            }
            return Ok(None);
        }
        let short = || BlobError::new(&msg::RDB_BLOB_LISTPACK_ENTRY, start);
        // (item, size of encoding + data)
        let (item, size) = if enc & 0x80 == 0 {
            (Item::Int(i64::from(enc)), 1)
        } else if enc & 0xc0 == 0x80 {
            let len = usize::from(enc & 0x3f);
            d.get(start + 1..start + 1 + len).ok_or_else(short)?;
            (Item::Str(self.data.slice(start + 1..start + 1 + len)), 1 + len)
        } else if enc & 0xe0 == 0xc0 {
            let b = *d.get(start + 1).ok_or_else(short)?;
            let v = (u64::from(enc & 0x1f) << 8) | u64::from(b);
            (Item::Int(sign_extend(v, 13)), 2)
        } else if enc & 0xf0 == 0xe0 {
            let b = *d.get(start + 1).ok_or_else(short)?;
            let len = (usize::from(enc & 0x0f) << 8) | usize::from(b);
            d.get(start + 2..start + 2 + len).ok_or_else(short)?;
            (Item::Str(self.data.slice(start + 2..start + 2 + len)), 2 + len)
        } else {
            match enc {
                0xf0 => {
                    let b = d.get(start + 1..start + 5).ok_or_else(short)?;
                    let len = u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize;
                    let end = (start + 5).checked_add(len).ok_or_else(short)?;
                    d.get(start + 5..end).ok_or_else(short)?;
                    (Item::Str(self.data.slice(start + 5..end)), 5 + len)
                }
                0xf1..=0xf4 => {
                    let width = match enc {
                        0xf1 => 2,
                        0xf2 => 3,
                        0xf3 => 4,
                        _ => 8,
                    };
                    let b = d.get(start + 1..start + 1 + width).ok_or_else(short)?;
                    let mut raw = [0u8; 8];
                    raw[..width].copy_from_slice(b);
                    let v = sign_extend(u64::from_le_bytes(raw), 8 * width as u32);
                    (Item::Int(v), 1 + width)
                }
                _ => return Err(BlobError::new(&msg::RDB_BLOB_LISTPACK_ENCODING, start)),
            }
        };
        let back = backlen_size(size);
        let end = start + size + back;
        // The entry and its back-length must leave room for the end marker.
        if end >= d.len() {
            return Err(BlobError::new(&msg::RDB_BLOB_LISTPACK_ENTRY, start));
        }
        if decode_backlen(d, start + size, end) != Some(size) {
            return Err(BlobError::new(&msg::RDB_BLOB_LISTPACK_BACKLEN, start));
        }
        self.pos = end;
        Ok(Some(item))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encode_backlen(l: usize) -> Vec<u8> {
        let n = backlen_size(l);
        let mut out = vec![0u8; n];
        for (i, slot) in out.iter_mut().enumerate() {
            // Most significant group first; all but the first carry the continuation bit.
            let shift = 7 * (n - 1 - i);
            let group = ((l >> shift) & 0x7f) as u8;
            *slot = if i == 0 { group } else { group | 0x80 };
        }
        out
    }

    pub(crate) fn build(entries: &[Vec<u8>]) -> Vec<u8> {
        let mut body = Vec::new();
        for e in entries {
            body.extend_from_slice(e);
            body.extend_from_slice(&encode_backlen(e.len()));
        }
        let total = HEADER + body.len() + 1;
        let mut lp = Vec::new();
        lp.extend_from_slice(&(total as u32).to_le_bytes());
        lp.extend_from_slice(&(entries.len() as u16).to_le_bytes());
        lp.extend_from_slice(&body);
        lp.push(EOF);
        lp
    }

    #[test]
    fn decodes_all_encodings() {
        let s200 = vec![b'y'; 200];
        let mut e12 = vec![0xe0, 200];
        e12.extend_from_slice(&s200);
        let s5000 = vec![b'z'; 5000];
        let mut e32 = vec![0xf0];
        e32.extend_from_slice(&5000u32.to_le_bytes());
        e32.extend_from_slice(&s5000);
        let lp = build(&[
            vec![0x05],
            vec![0x83, b'a', b'b', b'c'],
            vec![0xdf, 0xff],
            vec![0xd0, 0x00],
            e12,
            e32,
            vec![0xf1, 0x00, 0x80],
            vec![0xf2, 0xff, 0xff, 0xff],
            vec![0xf3, 0x00, 0x00, 0x00, 0x80],
            vec![0xf4, 1, 0, 0, 0, 0, 0, 0, 0x80],
        ]);
        let mut it = Listpack::new(Bytes::from(lp)).unwrap();
        let mut got = Vec::new();
        while let Some(item) = it.next().unwrap() {
            got.push(item);
        }
        assert_eq!(
            got,
            vec![
                Item::Int(5),
                Item::Str(Bytes::from_static(b"abc")),
                Item::Int(-1),
                Item::Int(-4096),
                Item::Str(Bytes::from(s200)),
                Item::Str(Bytes::from(s5000)),
                Item::Int(-32768),
                Item::Int(-1),
                Item::Int(i64::from(i32::MIN)),
                Item::Int(i64::MIN + 1),
            ]
        );
    }

    #[test]
    fn rejects_corruption_without_panic() {
        let lp = build(&[vec![0x83, b'a', b'b', b'c'], vec![0xf1, 0x00, 0x80]]);
        let mut bad = lp.clone();
        bad[HEADER] = 0x8f; // string longer than the blob
        assert!(Listpack::new(Bytes::from(bad)).unwrap().next().is_err());
        let mut bad = lp.clone();
        bad[HEADER + 4] = 0x09; // wrong back-length
        assert!(Listpack::new(Bytes::from(bad)).unwrap().next().is_err());
        for i in HEADER..lp.len() - 1 {
            for v in [0u8, 0x7f, 0x80, 0xbf, 0xc0, 0xe0, 0xef, 0xf0, 0xf4, 0xf5, 0xff] {
                let mut c = lp.clone();
                c[i] = v;
                if let Ok(mut it) = Listpack::new(Bytes::from(c)) {
                    while let Ok(Some(_)) = it.next() {}
                }
            }
        }
    }
}
