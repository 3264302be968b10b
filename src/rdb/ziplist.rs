//! Ziplist (Redis < 7.0 compact lists, hashes and zsets), read with bounds checks.
//!
//! ```text
//! <zlbytes u32 LE> <zltail u32 LE> <zllen u16 LE> <entry>... <0xFF>
//! entry: <prevlen: 1 byte if < 254, else 0xFE + u32 LE> <encoding> <data>
//! encoding: 00xxxxxx / 01xxxxxx xxxxxxxx / 10______ + u32 BE   string of that length
//!           0xC0 i16, 0xD0 i32, 0xE0 i64, 0xF0 i24, 0xFE i8 (little-endian),
//!           0xF1..0xFD an immediate 0..12
//! ```

use bytes::Bytes;

use super::blob::{BlobError, Item};
use crate::text::catalog::run_errors as msg;

const HEADER: usize = 10;
const END: u8 = 0xff;

/// A cursor over a ziplist's entries.
#[derive(Debug)]
pub(crate) struct Ziplist {
    data: Bytes,
    pos: usize,
}

impl Ziplist {
    /// Checks the header against the blob and positions the cursor on the first entry.
    pub(crate) fn new(data: Bytes) -> Result<Self, BlobError> {
        if data.len() < HEADER + 1 {
            return Err(BlobError::new(&msg::RDB_BLOB_ZIPLIST_SHORT, 0));
        }
        let zlbytes = u32::from_le_bytes([data[0], data[1], data[2], data[3]]);
        if usize::try_from(zlbytes).ok() != Some(data.len()) {
            return Err(BlobError::new(&msg::RDB_BLOB_ZIPLIST_SIZE, 0));
        }
        if data[data.len() - 1] != END {
            return Err(BlobError::new(&msg::RDB_BLOB_ZIPLIST_NO_END, data.len() - 1));
        }
        Ok(Ziplist { data, pos: HEADER })
    }

    pub(crate) fn has_more(&self) -> bool {
        self.data.get(self.pos).is_some_and(|&b| b != END)
    }

    pub(crate) fn next(&mut self) -> Result<Option<Item>, BlobError> {
        let d = &self.data[..];
        let start = self.pos;
        let Some(&first) = d.get(start) else {
            return Err(BlobError::new(&msg::RDB_BLOB_ZIPLIST_ENTRY, start));
        };
        if first == END {
            if start != d.len() - 1 {
                return Err(BlobError::new(&msg::RDB_BLOB_ZIPLIST_EARLY_END, start));
            }
            return Ok(None);
        }
        let mut p = start + if first < 254 { 1 } else { 5 };
        let enc = *d.get(p).ok_or(BlobError::new(&msg::RDB_BLOB_ZIPLIST_ENTRY, start))?;
        let (item, next) = match enc >> 6 {
            0..=2 => {
                let (len, hdr) = match enc >> 6 {
                    0 => (usize::from(enc & 0x3f), 1),
                    1 => {
                        let b = *d.get(p + 1).ok_or(BlobError::new(&msg::RDB_BLOB_ZIPLIST_ENTRY, start))?;
                        ((usize::from(enc & 0x3f) << 8) | usize::from(b), 2)
                    }
                    _ => {
                        let b = d.get(p + 1..p + 5).ok_or(BlobError::new(&msg::RDB_BLOB_ZIPLIST_ENTRY, start))?;
                        (u32::from_be_bytes([b[0], b[1], b[2], b[3]]) as usize, 5)
                    }
                };
                p += hdr;
                let end = p.checked_add(len).filter(|&e| e < d.len());
                let end = end.ok_or(BlobError::new(&msg::RDB_BLOB_ZIPLIST_STRING, start))?;
                (Item::Str(self.data.slice(p..end)), end)
            }
            _ => {
                p += 1;
                let width = match enc {
                    0xc0 => 2,
                    0xd0 => 4,
                    0xe0 => 8,
                    0xf0 => 3,
                    0xfe => 1,
                    0xf1..=0xfd => 0,
                    _ => return Err(BlobError::new(&msg::RDB_BLOB_ZIPLIST_ENCODING, start)),
                };
                let b = d
                    .get(p..p + width)
                    .filter(|_| p + width < d.len())
                    .ok_or(BlobError::new(&msg::RDB_BLOB_ZIPLIST_INTEGER, start))?;
                let v = match enc {
                    0xc0 => i64::from(i16::from_le_bytes([b[0], b[1]])),
                    0xd0 => i64::from(i32::from_le_bytes([b[0], b[1], b[2], b[3]])),
                    0xe0 => i64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]),
                    // 24 bits, sign-extended.
                    0xf0 => i64::from(i32::from_le_bytes([0, b[0], b[1], b[2]]) >> 8),
                    0xfe => i64::from(b[0] as i8),
                    _ => i64::from(enc & 0x0f) - 1,
                };
                (Item::Int(v), p + width)
            }
        };
        self.pos = next;
        Ok(Some(item))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn build(entries: &[&[u8]]) -> Vec<u8> {
        let mut body = Vec::new();
        let mut prev = 0usize;
        for e in entries {
            let start = body.len();
            if prev < 254 {
                body.push(prev as u8);
            } else {
                body.push(254);
                body.extend_from_slice(&(prev as u32).to_le_bytes());
            }
            body.extend_from_slice(e);
            prev = body.len() - start;
        }
        let total = HEADER + body.len() + 1;
        let mut z = Vec::new();
        z.extend_from_slice(&(total as u32).to_le_bytes());
        z.extend_from_slice(&0u32.to_le_bytes());
        z.extend_from_slice(&(entries.len() as u16).to_le_bytes());
        z.extend_from_slice(&body);
        z.push(END);
        z
    }

    #[test]
    fn decodes_all_encodings() {
        let long = vec![b'x'; 300];
        let mut e14 = vec![0x40 | 1, 44];
        e14.extend_from_slice(&long);
        let z = build(&[
            b"\x03abc",
            &e14,
            b"\xc0\x00\x80",
            b"\xd0\x01\x00\x00\x80",
            b"\xf0\xff\xff\xff",
            b"\xfe\x80",
            b"\xf1",
            b"\xfd",
            b"\xe0\x01\x00\x00\x00\x00\x00\x00\x80",
        ]);
        let mut it = Ziplist::new(Bytes::from(z)).unwrap();
        let mut got = Vec::new();
        while let Some(item) = it.next().unwrap() {
            got.push(item);
        }
        assert_eq!(
            got,
            vec![
                Item::Str(Bytes::from_static(b"abc")),
                Item::Str(Bytes::from(long)),
                Item::Int(-32768),
                Item::Int(i64::from(i32::MIN) + 1),
                Item::Int(-1),
                Item::Int(-128),
                Item::Int(0),
                Item::Int(12),
                Item::Int(i64::MIN + 1),
            ]
        );
    }

    #[test]
    fn rejects_corruption_without_panic() {
        let z = build(&[b"\x03abc", b"\xc0\x00\x80"]);
        assert!(Ziplist::new(Bytes::from(z[..z.len() - 1].to_vec())).is_err());
        // Claim a longer string than there is.
        let mut bad = z.clone();
        bad[HEADER + 1] = 0x3f;
        let mut it = Ziplist::new(Bytes::from(bad)).unwrap();
        assert!(it.next().is_err());
        // Every single-byte corruption of the body must give Ok or Err, never a panic.
        for i in HEADER..z.len() - 1 {
            for v in [0u8, 0x3f, 0x40, 0x80, 0xc0, 0xf0, 0xfe, 0xff] {
                let mut c = z.clone();
                c[i] = v;
                if let Ok(mut it) = Ziplist::new(Bytes::from(c)) {
                    while let Ok(Some(_)) = it.next() {}
                }
            }
        }
    }
}
