//! RDB opcodes and object type bytes (from Redis' and Valkey's `rdb.h`).

// Opcodes: the byte before a record that is not a key.
pub(crate) const OP_SLOT_IMPORT: u8 = 243; // Valkey 9.0: an atomic slot migration in progress
pub(crate) const OP_SLOT_INFO: u8 = 244;
pub(crate) const OP_FUNCTION2: u8 = 245;
pub(crate) const OP_FUNCTION_PRE_GA: u8 = 246;
pub(crate) const OP_MODULE_AUX: u8 = 247;
pub(crate) const OP_IDLE: u8 = 248;
pub(crate) const OP_FREQ: u8 = 249;
pub(crate) const OP_AUX: u8 = 250;
pub(crate) const OP_RESIZEDB: u8 = 251;
pub(crate) const OP_EXPIRETIME_MS: u8 = 252;
pub(crate) const OP_EXPIRETIME: u8 = 253;
pub(crate) const OP_SELECTDB: u8 = 254;
pub(crate) const OP_EOF: u8 = 255;

// Object types: the byte before a key.
pub(crate) const STRING: u8 = 0;
pub(crate) const LIST: u8 = 1;
pub(crate) const SET: u8 = 2;
pub(crate) const ZSET: u8 = 3;
pub(crate) const HASH: u8 = 4;
pub(crate) const ZSET_2: u8 = 5;
pub(crate) const MODULE_PRE_GA: u8 = 6;
pub(crate) const MODULE_2: u8 = 7;
pub(crate) const HASH_ZIPMAP: u8 = 9;
pub(crate) const LIST_ZIPLIST: u8 = 10;
pub(crate) const SET_INTSET: u8 = 11;
pub(crate) const ZSET_ZIPLIST: u8 = 12;
pub(crate) const HASH_ZIPLIST: u8 = 13;
pub(crate) const LIST_QUICKLIST: u8 = 14;
pub(crate) const STREAM_LISTPACKS: u8 = 15;
pub(crate) const HASH_LISTPACK: u8 = 16;
pub(crate) const ZSET_LISTPACK: u8 = 17;
pub(crate) const LIST_QUICKLIST_2: u8 = 18;
pub(crate) const STREAM_LISTPACKS_2: u8 = 19;
pub(crate) const SET_LISTPACK: u8 = 20;
pub(crate) const STREAM_LISTPACKS_3: u8 = 21;
/// Redis 7.4 release candidates: hash with field TTLs, absolute. Valkey 9.0 (`VALKEY080`) uses
/// the same byte for its own hash with field TTLs ([`Kind::HashValkey`]).
pub(crate) const HASH_METADATA_PRE_GA: u8 = 22;
pub(crate) const HASH_LISTPACK_EX_PRE_GA: u8 = 23;
pub(crate) const HASH_METADATA: u8 = 24;
pub(crate) const HASH_LISTPACK_EX: u8 = 25;

/// How a value of a given type byte is laid out, resolved once per key (the meaning of type 22
/// depends on who wrote the file).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    String,
    /// Elements one after another: list (1), set (2).
    ListSeq,
    SetSeq,
    /// zset with text scores (3) or binary scores (5).
    ZSetText,
    ZSetBinary,
    /// hash: field, value pairs (4).
    HashSeq,
    /// Redis hash with field TTLs: (ttl, field, value) triples; `relative` for type 24 (TTLs
    /// relative to a stored minimum), absolute for the 7.4 pre-release type 22.
    HashMeta {
        relative: bool,
    },
    /// Valkey 9 hash with field TTLs: (field, value, i64 LE expiry or -1).
    HashValkey,
    /// One blob.
    Zipmap,
    ListZiplist,
    Intset,
    ZSetZiplist,
    HashZiplist,
    HashListpack,
    ZSetListpack,
    SetListpack,
    /// Listpack of (field, value, ttl) triples; `min_expire` for type 25 (an 8-byte minimum TTL
    /// precedes the blob), not for the 7.4 pre-release type 23.
    HashListpackEx {
        min_expire: bool,
    },
    /// Quicklist of ziplists (14) or of listpack / plain nodes (18).
    Quicklist {
        v2: bool,
    },
    /// Stream, format version 1 (15), 2 (19) or 3 (21).
    Stream {
        version: u8,
    },
    ModulePreGa,
    Module2,
}

impl Kind {
    /// The layout of type byte `t`, or `None` if it is not an object type.
    pub(crate) fn of(t: u8, valkey: bool) -> Option<Kind> {
        Some(match t {
            STRING => Kind::String,
            LIST => Kind::ListSeq,
            SET => Kind::SetSeq,
            ZSET => Kind::ZSetText,
            HASH => Kind::HashSeq,
            ZSET_2 => Kind::ZSetBinary,
            MODULE_PRE_GA => Kind::ModulePreGa,
            MODULE_2 => Kind::Module2,
            HASH_ZIPMAP => Kind::Zipmap,
            LIST_ZIPLIST => Kind::ListZiplist,
            SET_INTSET => Kind::Intset,
            ZSET_ZIPLIST => Kind::ZSetZiplist,
            HASH_ZIPLIST => Kind::HashZiplist,
            LIST_QUICKLIST => Kind::Quicklist { v2: false },
            STREAM_LISTPACKS => Kind::Stream { version: 1 },
            HASH_LISTPACK => Kind::HashListpack,
            ZSET_LISTPACK => Kind::ZSetListpack,
            LIST_QUICKLIST_2 => Kind::Quicklist { v2: true },
            STREAM_LISTPACKS_2 => Kind::Stream { version: 2 },
            SET_LISTPACK => Kind::SetListpack,
            STREAM_LISTPACKS_3 => Kind::Stream { version: 3 },
            HASH_METADATA_PRE_GA if valkey => Kind::HashValkey,
            // Valkey reserves the other bytes from 22 up for its own future types.
            _ if valkey && t > HASH_METADATA_PRE_GA => return None,
            HASH_METADATA_PRE_GA => Kind::HashMeta { relative: false },
            HASH_LISTPACK_EX_PRE_GA => Kind::HashListpackEx { min_expire: false },
            HASH_METADATA => Kind::HashMeta { relative: true },
            HASH_LISTPACK_EX => Kind::HashListpackEx { min_expire: true },
            _ => return None,
        })
    }
}
