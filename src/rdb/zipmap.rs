//! Zipmap (hashes in RDBs written by Redis < 2.6), read with bounds checks.
//!
//! ```text
//! <zmlen 1 byte> (<len> field <len> <free 1 byte> value <free bytes>)... <0xFF>
//! len: 1 byte if < 254, else 0xFE + u32 LE
//! ```

use bytes::Bytes;

use super::blob::{BlobError, Item};
use crate::text::catalog::run_errors as msg;

const END: u8 = 0xff;
const BIGLEN: u8 = 0xfe;

/// A cursor over a zipmap's fields and values, yielded alternately.
#[derive(Debug)]
pub(crate) struct Zipmap {
    data: Bytes,
    pos: usize,
    /// The next item is a value (the field was just yielded).
    in_pair: bool,
}

impl Zipmap {
    pub(crate) fn new(data: Bytes) -> Result<Self, BlobError> {
        if data.len() < 2 || data[data.len() - 1] != END {
            return Err(BlobError::new(&msg::RDB_BLOB_ZIPMAP_NO_END, 0));
        }
        Ok(Zipmap { data, pos: 1, in_pair: false })
    }

    pub(crate) fn has_more(&self) -> bool {
        self.data.get(self.pos).is_some_and(|&b| b != END)
    }

    /// Reads a length at `p`: returns it and the position after it.
    fn len_at(&self, p: usize) -> Result<(usize, usize), BlobError> {
        let short = BlobError::new(&msg::RDB_BLOB_ZIPMAP_ENTRY, p);
        match *self.data.get(p).ok_or(short.clone())? {
            END => Err(BlobError::new(&msg::RDB_BLOB_ZIPMAP_CUT, p)),
            BIGLEN => {
                let b = self.data.get(p + 1..p + 5).ok_or(short)?;
                Ok((u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize, p + 5))
            }
            n => Ok((usize::from(n), p + 1)),
        }
    }

    pub(crate) fn next(&mut self) -> Result<Option<Item>, BlobError> {
        let start = self.pos;
        if !self.in_pair {
            match self.data.get(start) {
                Some(&END) if start == self.data.len() - 1 => return Ok(None),
                Some(&END) => return Err(BlobError::new(&msg::RDB_BLOB_ZIPMAP_EARLY_END, start)),
                None => return Err(BlobError::new(&msg::RDB_BLOB_ZIPMAP_ENTRY, start)),
                Some(_) => {}
            }
        }
        let (len, mut p) = self.len_at(start)?;
        let mut free = 0;
        if self.in_pair {
            free = usize::from(*self.data.get(p).ok_or(BlobError::new(&msg::RDB_BLOB_ZIPMAP_ENTRY, start))?);
            p += 1;
        }
        let end = p.checked_add(len).ok_or(BlobError::new(&msg::RDB_BLOB_ZIPMAP_ENTRY, start))?;
        let next = end.checked_add(free).filter(|&n| n < self.data.len());
        let next = next.ok_or(BlobError::new(&msg::RDB_BLOB_ZIPMAP_ENTRY, start))?;
        let item = Item::Str(self.data.slice(p..end));
        self.pos = next;
        self.in_pair = !self.in_pair;
        Ok(Some(item))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_pairs_with_free_space() {
        let mut d = vec![2u8];
        d.extend_from_slice(b"\x03foo\x03\x00bar");
        d.extend_from_slice(b"\x05hello\x05\x02world!!");
        d.push(END);
        let mut it = Zipmap::new(Bytes::from(d)).unwrap();
        let mut got = Vec::new();
        while let Some(Item::Str(s)) = it.next().unwrap() {
            got.push(s);
        }
        assert_eq!(got, vec!["foo", "bar", "hello", "world"]);
    }

    #[test]
    fn rejects_truncation() {
        let d = b"\x01\x03foo\x03\x00ba\xff".to_vec();
        let mut it = Zipmap::new(Bytes::from(d)).unwrap();
        assert!(it.next().is_ok());
        assert!(it.next().is_err());
    }
}
