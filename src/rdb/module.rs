//! Module data: naming a module from its 64-bit type id, and walking module values.
//!
//! A module value of RDB type 7 (and every MODULE_AUX record) is the module id followed by
//! self-describing opcodes, each a length-encoded number: 1 signed int and 2 unsigned int (a
//! length follows), 3 float (4 bytes), 4 double (8 bytes), 5 string, 0 end. That lets the value be
//! skipped or captured without the module; decoding it needs the module itself.

use tokio::io::AsyncRead;

use super::error::RdbError;
use super::input::Input;
use super::length::StrHeader;
use crate::text::catalog::run_errors as msg;
use crate::text::Text;

/// The 64 characters of module type names, in id order (Redis' `ModuleTypeNameCharSet`).
const CHARSET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

const OP_EOF: u64 = 0;
const OP_SINT: u64 = 1;
const OP_UINT: u64 = 2;
const OP_FLOAT: u64 = 3;
const OP_DOUBLE: u64 = 4;
const OP_STRING: u64 = 5;

/// The 9-character type name packed in the top 54 bits of a module id (the low 10 bits are the
/// module's encoding version).
pub(crate) fn module_name(id: u64) -> String {
    let name = id >> 10;
    (0..9).map(|j| char::from(CHARSET[((name >> (6 * (8 - j))) & 63) as usize])).collect()
}

/// Skips module opcodes up to and including the end opcode.
pub(crate) async fn skip_opcodes<R: AsyncRead + Unpin>(input: &mut Input<R>, module: &str) -> Result<(), RdbError> {
    loop {
        let offset = input.offset();
        match input.length(&msg::RDB_ITEM_MODULE_OPCODE).await? {
            OP_EOF => return Ok(()),
            OP_SINT | OP_UINT => {
                input.length(&msg::RDB_ITEM_MODULE_INTEGER).await?;
            }
            OP_FLOAT => input.skip(4).await?,
            OP_DOUBLE => input.skip(8).await?,
            OP_STRING => match input.str_header(&msg::RDB_ITEM_MODULE_STRING).await? {
                StrHeader::Raw { len } => input.skip(len).await?,
                StrHeader::Int(_) => {}
                StrHeader::Lzf { clen, .. } => input.skip(clen).await?,
            },
            op => {
                return Err(RdbError::Corrupt {
                    what: Text::new(&msg::RDB_MODULE_OPCODE).arg("op", op).arg("module", module),
                    offset,
                })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::module_name;

    #[test]
    fn names_from_ids() {
        // "ReJSON-RL" is RedisJSON's type name; encoding version 3.
        let mut id = 0u64;
        for c in b"ReJSON-RL" {
            let v = super::CHARSET.iter().position(|x| x == c).unwrap() as u64;
            id = (id << 6) | v;
        }
        id = (id << 10) | 3;
        assert_eq!(module_name(id), "ReJSON-RL");
        assert_eq!(module_name(0), "AAAAAAAAA");
    }
}
