//! Intset (sets of integers): `<encoding u32 LE: 2|4|8> <count u32 LE> <count values, LE>`.

use bytes::Bytes;

use super::blob::{BlobError, Item};
use crate::text::catalog::run_errors as msg;

/// A cursor over an intset's values.
#[derive(Debug)]
pub(crate) struct Intset {
    data: Bytes,
    width: usize,
    pos: usize,
}

impl Intset {
    /// Checks that the header's width and count match the blob's length.
    pub(crate) fn new(data: Bytes) -> Result<Self, BlobError> {
        if data.len() < 8 {
            return Err(BlobError::new(&msg::RDB_BLOB_INTSET_SHORT, 0));
        }
        let width = u32::from_le_bytes([data[0], data[1], data[2], data[3]]) as usize;
        if !matches!(width, 2 | 4 | 8) {
            return Err(BlobError::new(&msg::RDB_BLOB_INTSET_WIDTH, 0));
        }
        let count = u32::from_le_bytes([data[4], data[5], data[6], data[7]]) as usize;
        if count.checked_mul(width).and_then(|n| n.checked_add(8)) != Some(data.len()) {
            return Err(BlobError::new(&msg::RDB_BLOB_INTSET_COUNT, 4));
        }
        Ok(Intset { data, width, pos: 8 })
    }

    pub(crate) fn has_more(&self) -> bool {
        self.pos < self.data.len()
    }

    pub(crate) fn next(&mut self) -> Option<Item> {
        let b = self.data.get(self.pos..self.pos + self.width)?;
        let v = match self.width {
            2 => i64::from(i16::from_le_bytes([b[0], b[1]])),
            4 => i64::from(i32::from_le_bytes([b[0], b[1], b[2], b[3]])),
            _ => i64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]),
        };
        self.pos += self.width;
        Some(Item::Int(v))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_widths() {
        let mut d = Vec::new();
        d.extend_from_slice(&8u32.to_le_bytes());
        d.extend_from_slice(&2u32.to_le_bytes());
        d.extend_from_slice(&i64::MIN.to_le_bytes());
        d.extend_from_slice(&42i64.to_le_bytes());
        let mut it = Intset::new(Bytes::from(d)).unwrap();
        assert_eq!(it.next(), Some(Item::Int(i64::MIN)));
        assert_eq!(it.next(), Some(Item::Int(42)));
        assert_eq!(it.next(), None);

        let d = [2, 0, 0, 0, 1, 0, 0, 0, 0xff, 0xff];
        let mut it = Intset::new(Bytes::copy_from_slice(&d)).unwrap();
        assert_eq!(it.next(), Some(Item::Int(-1)));
    }

    #[test]
    fn rejects_bad_headers() {
        assert!(Intset::new(Bytes::from_static(&[3, 0, 0, 0, 0, 0, 0, 0])).is_err());
        assert!(Intset::new(Bytes::from_static(&[2, 0, 0, 0, 2, 0, 0, 0, 1, 0])).is_err());
        assert!(Intset::new(Bytes::from_static(&[2, 0, 0, 0, 0xff, 0xff, 0xff, 0xff])).is_err());
        assert!(Intset::new(Bytes::from_static(&[2, 0])).is_err());
    }
}
