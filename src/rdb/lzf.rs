//! LZF decompression (the liblzf format Redis uses for compressed RDB strings).
//!
//! The input comes from the network, so every step is bounds-checked: a corrupt stream yields an
//! error, never a panic or an out-of-bounds read, and the output never grows past the length the
//! RDB announced.

use crate::text::catalog::run_errors as msg;
use crate::text::Text;

/// Why an LZF block could not be decompressed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum LzfError {
    /// A literal run or back reference needs more input than there is.
    InputTruncated,
    /// The data would expand past the announced uncompressed length.
    OutputOverflow,
    /// A back reference points before the start of the output.
    BadBackReference,
    /// The data ended before producing the announced uncompressed length.
    OutputShort { produced: usize },
}

impl LzfError {
    /// What went wrong, as the part of an RDB error that says why a string is corrupt.
    pub(crate) fn text(&self) -> Text {
        match self {
            LzfError::InputTruncated => Text::new(&msg::LZF_INPUT_TRUNCATED),
            LzfError::OutputOverflow => Text::new(&msg::LZF_OUTPUT_OVERFLOW),
            LzfError::BadBackReference => Text::new(&msg::LZF_BAD_BACK_REFERENCE),
            LzfError::OutputShort { produced } => Text::new(&msg::LZF_OUTPUT_SHORT).arg("produced", *produced),
        }
    }
}

/// Decompresses `input`, which must expand to exactly `out_len` bytes.
pub(crate) fn decompress(input: &[u8], out_len: usize) -> Result<Vec<u8>, LzfError> {
    let mut out: Vec<u8> = Vec::with_capacity(out_len);
    let mut ip = 0;
    while ip < input.len() {
        let ctrl = usize::from(input[ip]);
        ip += 1;
        if ctrl < 32 {
            // Literal run of ctrl + 1 bytes.
            let run = ctrl + 1;
            let lit = input.get(ip..ip + run).ok_or(LzfError::InputTruncated)?;
            if out.len() + run > out_len {
                return Err(LzfError::OutputOverflow);
            }
            out.extend_from_slice(lit);
            ip += run;
        } else {
            // Back reference: 3 bits of length (7 = extended by the next byte), 13 bits of offset.
            let mut len = ctrl >> 5;
            if len == 7 {
                len += usize::from(*input.get(ip).ok_or(LzfError::InputTruncated)?);
                ip += 1;
            }
            len += 2;
            let low = usize::from(*input.get(ip).ok_or(LzfError::InputTruncated)?);
            ip += 1;
            let back = ((ctrl & 0x1f) << 8) + low + 1;
            if back > out.len() {
                return Err(LzfError::BadBackReference);
            }
            if out.len() + len > out_len {
                return Err(LzfError::OutputOverflow);
            }
            let start = out.len() - back;
            if back >= len {
                // No overlap: one bulk copy.
                out.extend_from_within(start..start + len);
            } else {
                // Overlapping copy repeats the pattern byte by byte, as LZF specifies.
                for i in 0..len {
                    let b = out[start + i];
                    out.push(b);
                }
            }
        }
    }
    if out.len() != out_len {
        return Err(LzfError::OutputShort { produced: out.len() });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::{decompress, LzfError};

    /// The FUNCTION2 payload of the redis-7.4.1 fixture (offset 0xae): an LZF string of 211
    /// compressed bytes expanding to 283, holding the `fixturelib` library code.
    const SAMPLE: &str = "\
        1f23216c7561206e616d653d666978747572656c69620a6c6f63616c2066756e631774696f6e2065\
        63686f286b6579732c2061726773292072652029006e600c165b315d20656e640a72656469732e72\
        656769737465725fc03b04282766785f403f01272c60460029e00f28007bc031005f608c40360072\
        40342088056c6261636b3dc01fe00b88807c402a042827474554206b40ad209a0029409b1d2c2066\
        6c6167733d7b276e6f2d777269746573277d2c206465736372697040e10e3d27726561642d6f6e6c\
        792067657420c002277d0a";

    const EXPECTED: &str = "#!lua name=fixturelib\nlocal function echo(keys, args) return args[1] end\n\
redis.register_function('fx_echo', echo)\n\
redis.register_function{function_name='fx_ro', callback=function(keys, args) return redis.call('GET', keys[1]) end, flags={'no-writes'}, description='read-only getter'}\n";

    fn unhex(s: &str) -> Vec<u8> {
        let s: String = s.chars().filter(|c| !c.is_whitespace()).collect();
        (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
    }

    #[test]
    fn decompresses_fixture_sample() {
        let input = unhex(SAMPLE);
        assert_eq!(input.len(), 211);
        let out = decompress(&input, EXPECTED.len()).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), EXPECTED);
    }

    #[test]
    fn rejects_corrupt_input() {
        let input = unhex(SAMPLE);
        // Announced length too small / too large.
        assert_eq!(decompress(&input, EXPECTED.len() - 1), Err(LzfError::OutputOverflow));
        assert!(matches!(decompress(&input, EXPECTED.len() + 1), Err(LzfError::OutputShort { .. })));
        // Truncated input: never a panic, always an error.
        for cut in 0..input.len() {
            assert!(decompress(&input[..cut], EXPECTED.len()).is_err(), "cut at {cut}");
        }
        // A back reference before the start of the output.
        assert_eq!(decompress(&[0x20, 0x05], 10), Err(LzfError::BadBackReference));
        // A literal run longer than the input.
        assert_eq!(decompress(&[0x05, b'a'], 6), Err(LzfError::InputTruncated));
    }

    #[test]
    fn overlapping_back_reference() {
        // "a" then a back reference of length 9 at distance 1: "aaaaaaaaaa".
        let out = decompress(&[0x00, b'a', 0xe0, 0x00, 0x00], 10).unwrap();
        assert_eq!(out, b"aaaaaaaaaa");
    }
}
