//! Where a write command's keys are, for the commands a replication stream carries.
//!
//! The table follows the servers' own key specs (`COMMAND INFO`), reduced to the shapes write
//! commands have. A command that is not here has keys Ferry cannot find: under a key filter it
//! stops the migration rather than guessing.

use bytes::Bytes;

/// The positions of a command's keys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Keys {
    /// No keys (FLUSHDB, FUNCTION LOAD, SCRIPT LOAD, MULTI...).
    None,
    /// These argument indexes.
    At(Vec<usize>),
}

fn is(arg: &Bytes, word: &str) -> bool {
    arg.eq_ignore_ascii_case(word.as_bytes())
}

/// Commands whose only key is the first argument.
const FIRST: &[&str] = &[
    "APPEND",
    "BITFIELD",
    "DECR",
    "DECRBY",
    "EXPIRE",
    "EXPIREAT",
    "GEOADD",
    "GETDEL",
    "GETEX",
    "GETSET",
    "HDEL",
    "HEXPIRE",
    "HEXPIREAT",
    "HGETDEL",
    "HGETEX",
    "HINCRBY",
    "HINCRBYFLOAT",
    "HMSET",
    "HPERSIST",
    "HPEXPIRE",
    "HPEXPIREAT",
    "HSET",
    "HSETEX",
    "HSETNX",
    "INCR",
    "INCRBY",
    "INCRBYFLOAT",
    "LINSERT",
    "LPOP",
    "LPUSH",
    "LPUSHX",
    "LREM",
    "LSET",
    "LTRIM",
    "PERSIST",
    "PEXPIRE",
    "PEXPIREAT",
    "PFADD",
    "PSETEX",
    "RESTORE",
    "RPOP",
    "RPUSH",
    "RPUSHX",
    "SADD",
    "SET",
    "SETBIT",
    "SETEX",
    "SETNX",
    "SETRANGE",
    "SPOP",
    "SREM",
    "XACK",
    "XADD",
    "XAUTOCLAIM",
    "XCLAIM",
    "XDEL",
    "XSETID",
    "XTRIM",
    "ZADD",
    "ZINCRBY",
    "ZPOPMAX",
    "ZPOPMIN",
    "ZREM",
    "ZREMRANGEBYLEX",
    "ZREMRANGEBYRANK",
    "ZREMRANGEBYSCORE",
    "MOVE",
    "EXPIRETIME",
    "XACKDEL",
    "XDELEX",
];

/// Commands with no keys that a stream may carry.
const NONE: &[&str] =
    &["MULTI", "EXEC", "DISCARD", "SELECT", "PING", "FUNCTION", "SCRIPT", "FLUSHDB", "FLUSHALL", "SWAPDB", "PUBLISH"];

/// Where `argv`'s keys are; `None` when the command is not known.
pub fn keys(argv: &[Bytes]) -> Option<Keys> {
    let name = String::from_utf8_lossy(argv.first()?).to_ascii_uppercase();
    let n = argv.len();
    let range = |from: usize, step: usize| Keys::At((from..n).step_by(step).collect());
    let numkeys = |at: usize| -> Option<Keys> {
        let count: usize = std::str::from_utf8(argv.get(at)?).ok()?.parse().ok()?;
        Some(Keys::At((at + 1..(at + 1 + count).min(n)).collect()))
    };
    Some(match name.as_str() {
        c if FIRST.contains(&c) => Keys::At(if n > 1 { vec![1] } else { vec![] }),
        c if NONE.contains(&c) => Keys::None,
        "DEL" | "UNLINK" | "TOUCH" | "WATCH" | "PFMERGE" | "SINTERSTORE" | "SUNIONSTORE" | "SDIFFSTORE" => range(1, 1),
        "MSET" | "MSETNX" => range(1, 2),
        "RENAME" | "RENAMENX" | "SMOVE" | "RPOPLPUSH" | "LMOVE" | "BLMOVE" | "BRPOPLPUSH" | "ZRANGESTORE"
        | "GEOSEARCHSTORE" | "COPY" => Keys::At(vec![1, 2].into_iter().filter(|&i| i < n).collect()),
        "BITOP" => range(2, 1),
        "ZUNIONSTORE" | "ZINTERSTORE" | "ZDIFFSTORE" => match numkeys(2)? {
            Keys::At(mut keys) => {
                keys.insert(0, 1);
                Keys::At(keys)
            }
            none => none,
        },
        "LMPOP" | "ZMPOP" | "BLMPOP" | "BZMPOP" => numkeys(if name.starts_with('B') { 2 } else { 1 })?,
        "EVAL" | "EVALSHA" | "EVAL_RO" | "EVALSHA_RO" | "FCALL" | "FCALL_RO" => numkeys(2)?,
        "XGROUP" => Keys::At(if n > 2 && !is(&argv[1], "HELP") { vec![2] } else { vec![] }),
        "SORT" => {
            let mut keys = vec![1];
            keys.extend((2..n.saturating_sub(1)).filter(|&i| is(&argv[i], "STORE")).map(|i| i + 1));
            Keys::At(keys)
        }
        "GEORADIUS" | "GEORADIUSBYMEMBER" => {
            let mut keys = vec![1];
            keys.extend(
                (2..n.saturating_sub(1)).filter(|&i| is(&argv[i], "STORE") || is(&argv[i], "STOREDIST")).map(|i| i + 1),
            );
            Keys::At(keys)
        }
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(parts: &[&str]) -> Option<Keys> {
        keys(&parts.iter().map(|p| Bytes::copy_from_slice(p.as_bytes())).collect::<Vec<_>>())
    }

    #[test]
    fn keys_are_found_in_every_shape() {
        assert_eq!(at(&["set", "k", "v"]), Some(Keys::At(vec![1])));
        assert_eq!(at(&["DEL", "a", "b", "c"]), Some(Keys::At(vec![1, 2, 3])));
        assert_eq!(at(&["MSET", "a", "1", "b", "2"]), Some(Keys::At(vec![1, 3])));
        assert_eq!(at(&["RENAME", "a", "b"]), Some(Keys::At(vec![1, 2])));
        assert_eq!(at(&["COPY", "a", "b", "DB", "3"]), Some(Keys::At(vec![1, 2])));
        assert_eq!(at(&["BITOP", "AND", "dst", "a", "b"]), Some(Keys::At(vec![2, 3, 4])));
        assert_eq!(at(&["ZUNIONSTORE", "dst", "2", "a", "b", "WEIGHTS", "1", "2"]), Some(Keys::At(vec![1, 3, 4])));
        assert_eq!(at(&["EVAL", "return 1", "2", "a", "b", "arg"]), Some(Keys::At(vec![3, 4])));
        assert_eq!(at(&["EVALSHA", "abc", "0"]), Some(Keys::At(vec![])));
        assert_eq!(at(&["XGROUP", "CREATE", "s", "g", "$"]), Some(Keys::At(vec![2])));
        assert_eq!(at(&["SORT", "src", "BY", "w", "STORE", "dst"]), Some(Keys::At(vec![1, 5])));
        assert_eq!(at(&["FLUSHDB", "ASYNC"]), Some(Keys::None));
        assert_eq!(at(&["MODULE.COMMAND", "k"]), None);
    }
}
