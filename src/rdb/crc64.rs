//! CRC-64 as Redis and Valkey compute it: the "Jones" polynomial `0xad93d23594c935a9`, reflected,
//! initial value 0, no final xor (check value of `"123456789"`: `0xe9c6d914c4b8d9ca`).
//!
//! The same checksum closes an RDB file (8 bytes little-endian after the EOF opcode) and a
//! `DUMP`/`RESTORE` payload, so the writer uses [`crc64`] to build `RESTORE` payloads from
//! [`Body::Raw`](super::Body::Raw) values.
//!
//! It runs slice-by-8 (eight 256-entry tables, eight input bytes per step): the whole RDB goes
//! through it during a full sync, so a byte-at-a-time loop would be the bottleneck.

/// The Jones polynomial, bit-reversed for the reflected (LSB-first) algorithm.
const POLY_REFLECTED: u64 = 0xad93d23594c935a9_u64.reverse_bits();

/// `TABLES[0]` is the classic byte table; `TABLES[k][b]` is the CRC of byte `b` followed by `k`
/// zero bytes, which lets eight bytes be folded in with eight independent lookups.
static TABLES: [[u64; 256]; 8] = build_tables();

const fn build_tables() -> [[u64; 256]; 8] {
    let mut tables = [[0u64; 256]; 8];
    let mut i = 0;
    while i < 256 {
        let mut crc = i as u64;
        let mut bit = 0;
        while bit < 8 {
            crc = if crc & 1 == 1 { (crc >> 1) ^ POLY_REFLECTED } else { crc >> 1 };
            bit += 1;
        }
        tables[0][i] = crc;
        i += 1;
    }
    let mut k = 1;
    while k < 8 {
        let mut i = 0;
        while i < 256 {
            let prev = tables[k - 1][i];
            tables[k][i] = (prev >> 8) ^ tables[0][(prev & 0xff) as usize];
            i += 1;
        }
        k += 1;
    }
    tables
}

/// Continues the CRC-64 `crc` over `data`. Start with `crc = 0`; feeding a buffer in several
/// pieces gives the same result as feeding it at once.
pub fn crc64(crc: u64, data: &[u8]) -> u64 {
    let mut crc = crc;
    let mut chunks = data.chunks_exact(8);
    for chunk in &mut chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let v = crc ^ u64::from_le_bytes(word);
        crc = TABLES[7][(v & 0xff) as usize]
            ^ TABLES[6][((v >> 8) & 0xff) as usize]
            ^ TABLES[5][((v >> 16) & 0xff) as usize]
            ^ TABLES[4][((v >> 24) & 0xff) as usize]
            ^ TABLES[3][((v >> 32) & 0xff) as usize]
            ^ TABLES[2][((v >> 40) & 0xff) as usize]
            ^ TABLES[1][((v >> 48) & 0xff) as usize]
            ^ TABLES[0][(v >> 56) as usize];
    }
    for &byte in chunks.remainder() {
        crc = TABLES[0][((crc ^ u64::from(byte)) & 0xff) as usize] ^ (crc >> 8);
    }
    crc
}

#[cfg(test)]
mod tests {
    use super::crc64;

    /// Bit-at-a-time reference implementation, to check the table-driven one against.
    fn crc64_bitwise(mut crc: u64, data: &[u8]) -> u64 {
        for &byte in data {
            crc ^= u64::from(byte);
            for _ in 0..8 {
                crc = if crc & 1 == 1 { (crc >> 1) ^ super::POLY_REFLECTED } else { crc >> 1 };
            }
        }
        crc
    }

    #[test]
    fn check_value() {
        assert_eq!(crc64(0, b"123456789"), 0xe9c6d914c4b8d9ca);
    }

    #[test]
    fn matches_bitwise_and_chains() {
        let data: Vec<u8> = (0..1000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
        let whole = crc64(0, &data);
        assert_eq!(whole, crc64_bitwise(0, &data));
        for split in [0, 1, 7, 8, 9, 500, 999, 1000] {
            let (a, b) = data.split_at(split);
            assert_eq!(crc64(crc64(0, a), b), whole, "split at {split}");
        }
    }
}
