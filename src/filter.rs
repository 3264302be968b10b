//! Which keys go where: db mapping and key include/exclude patterns.
//!
//! Patterns are Redis glob patterns (`*`, `?`, `[a-z]`, `[^x]`, `\` escapes), matched on key bytes.
//! Snapshot keys are filtered by name; commands of the stream by their first key argument. Commands
//! that name several keys or none (MULTI/EXEC, scripts, FLUSHDB, MSET, DEL of several keys...) pass
//! unfiltered when any pattern is set, since dropping half of them could break what the source did.

use std::collections::HashMap;

use bytes::Bytes;

use crate::tasks::model::DbMapping;

/// The filter of one migration.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    db_map: HashMap<u32, u32>,
    include: Vec<Vec<u8>>,
    exclude: Vec<Vec<u8>>,
}

impl Filter {
    pub fn new(db_mapping: &[DbMapping], include: &[String], exclude: &[String]) -> Filter {
        Filter {
            db_map: db_mapping.iter().map(|m| (m.source, m.target)).collect(),
            include: include.iter().filter(|p| !p.is_empty()).map(|p| p.as_bytes().to_vec()).collect(),
            exclude: exclude.iter().filter(|p| !p.is_empty()).map(|p| p.as_bytes().to_vec()).collect(),
        }
    }

    /// The target db for a source db (unmapped dbs keep their number).
    pub fn db(&self, source_db: u32) -> u32 {
        self.db_map.get(&source_db).copied().unwrap_or(source_db)
    }

    /// Whether a key is migrated.
    pub fn key(&self, key: &[u8]) -> bool {
        (self.include.is_empty() || self.include.iter().any(|p| glob(p, key)))
            && !self.exclude.iter().any(|p| glob(p, key))
    }

    /// Whether a command of the stream is applied: judged by its key when it has exactly one.
    pub fn command(&self, argv: &[Bytes]) -> bool {
        if self.include.is_empty() && self.exclude.is_empty() {
            return true;
        }
        match argv.get(1) {
            Some(key) if single_key_command(&argv[0]) => self.key(key),
            _ => true,
        }
    }
}

/// Commands whose only key is their first argument (the common writes).
fn single_key_command(name: &[u8]) -> bool {
    const SINGLE: &[&str] = &[
        "SET",
        "SETEX",
        "PSETEX",
        "SETNX",
        "APPEND",
        "INCR",
        "DECR",
        "INCRBY",
        "DECRBY",
        "INCRBYFLOAT",
        "SETRANGE",
        "SETBIT",
        "GETSET",
        "GETDEL",
        "GETEX",
        "EXPIRE",
        "PEXPIRE",
        "EXPIREAT",
        "PEXPIREAT",
        "PERSIST",
        "LPUSH",
        "RPUSH",
        "LPUSHX",
        "RPUSHX",
        "LPOP",
        "RPOP",
        "LSET",
        "LREM",
        "LTRIM",
        "LINSERT",
        "SADD",
        "SREM",
        "SPOP",
        "ZADD",
        "ZREM",
        "ZINCRBY",
        "ZPOPMIN",
        "ZPOPMAX",
        "ZREMRANGEBYSCORE",
        "ZREMRANGEBYRANK",
        "ZREMRANGEBYLEX",
        "HSET",
        "HMSET",
        "HSETNX",
        "HDEL",
        "HINCRBY",
        "HINCRBYFLOAT",
        "HPEXPIREAT",
        "HPEXPIRE",
        "HPERSIST",
        "XADD",
        "XDEL",
        "XTRIM",
        "XGROUP",
        "XACK",
        "XCLAIM",
        "XAUTOCLAIM",
        "XSETID",
        "PFADD",
        "RESTORE",
        "BITFIELD",
    ];
    SINGLE.iter().any(|c| c.as_bytes().eq_ignore_ascii_case(name))
}

/// Redis's glob matching (stringmatchlen), on bytes.
pub fn glob(pattern: &[u8], text: &[u8]) -> bool {
    let (mut p, mut t) = (0, 0);
    // Where to resume after a `*` that did not match yet.
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        if p < pattern.len() {
            match pattern[p] {
                b'*' => {
                    star = Some((p, t));
                    p += 1;
                    continue;
                }
                b'?' => {
                    p += 1;
                    t += 1;
                    continue;
                }
                b'[' => {
                    if let Some((matched, next)) = class(pattern, p, text[t]) {
                        if matched {
                            p = next;
                            t += 1;
                            continue;
                        }
                    }
                }
                b'\\' if p + 1 < pattern.len() => {
                    if pattern[p + 1] == text[t] {
                        p += 2;
                        t += 1;
                        continue;
                    }
                }
                c => {
                    if c == text[t] {
                        p += 1;
                        t += 1;
                        continue;
                    }
                }
            }
        }
        match star {
            Some((sp, st)) => {
                p = sp + 1;
                t = st + 1;
                star = Some((sp, st + 1));
            }
            None => return false,
        }
    }
    pattern[p..].iter().all(|&c| c == b'*')
}

/// Matches `[...]` at `pattern[start]` against `c`: (matched, index after the class).
fn class(pattern: &[u8], start: usize, c: u8) -> Option<(bool, usize)> {
    let mut i = start + 1;
    let negate = pattern.get(i) == Some(&b'^');
    if negate {
        i += 1;
    }
    let mut matched = false;
    while i < pattern.len() && pattern[i] != b']' {
        if pattern[i] == b'\\' && i + 1 < pattern.len() {
            matched |= pattern[i + 1] == c;
            i += 2;
        } else if i + 2 < pattern.len() && pattern[i + 1] == b'-' && pattern[i + 2] != b']' {
            let (lo, hi) = (pattern[i].min(pattern[i + 2]), pattern[i].max(pattern[i + 2]));
            matched |= (lo..=hi).contains(&c);
            i += 3;
        } else {
            matched |= pattern[i] == c;
            i += 1;
        }
    }
    if i >= pattern.len() {
        return None; // unterminated: treated as a literal '[' by the caller's fallthrough
    }
    Some((matched != negate, i + 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_match_like_redis() {
        assert!(glob(b"*", b""));
        assert!(glob(b"user:*", b"user:42"));
        assert!(!glob(b"user:*", b"order:1"));
        assert!(glob(b"h?llo", b"hello"));
        assert!(glob(b"h[ae]llo", b"hallo"));
        assert!(!glob(b"h[^e]llo", b"hello"));
        assert!(glob(b"h[a-c]llo", b"hbllo"));
        assert!(glob(b"a\\*b", b"a*b"));
        assert!(!glob(b"a\\*b", b"axb"));
        assert!(glob(b"*:*:end", b"a:b:c:end"));
    }

    #[test]
    fn filters_keys_dbs_and_commands() {
        let f = Filter::new(&[DbMapping { source: 0, target: 3 }], &["keep:*".into()], &["keep:secret*".into()]);
        assert_eq!((f.db(0), f.db(1)), (3, 1));
        assert!(f.key(b"keep:a") && !f.key(b"drop:a") && !f.key(b"keep:secret1"));
        let argv = |parts: &[&str]| parts.iter().map(|p| Bytes::copy_from_slice(p.as_bytes())).collect::<Vec<_>>();
        assert!(f.command(&argv(&["SET", "keep:x", "1"])));
        assert!(!f.command(&argv(&["set", "drop:x", "1"])));
        assert!(f.command(&argv(&["MULTI"])));
        assert!(f.command(&argv(&["DEL", "drop:x", "keep:y"])), "multi-key commands pass");
    }
}
