//! Which keys go where: db mapping and key include/exclude patterns.
//!
//! Patterns are Redis glob patterns (`*`, `?`, `[a-z]`, `[^x]`, `\\` escapes), matched on key bytes.
//! Snapshot keys are filtered by name. A command of the stream is routed by all of its keys
//! ([`keys`]) and its db arguments: applied as it is, with its db numbers mapped, split (`DEL`,
//! `UNLINK`, `MSET` of migrated and left-out keys keep the migrated ones), skipped, or, when no
//! faithful translation exists (`RENAME` from a migrated key to a left-out one, `FLUSHDB` under a
//! key pattern, `SWAPDB` of two dbs mapped into one), the migration stops with a message that
//! names the command: writing half of it, or all of it, would damage data the filter excludes.

pub(crate) mod keys;

use std::collections::{BTreeSet, HashMap};

use bytes::Bytes;

use crate::model::DbMapping;
use crate::text::catalog::run_errors as errors;
use crate::text::Text;
use keys::Keys;

/// The filter of one migration.
#[derive(Debug, Clone)]
pub struct Filter {
    db_map: HashMap<u32, u32>,
    include: Vec<Vec<u8>>,
    exclude: Vec<Vec<u8>>,
    /// How many dbs the source has (`databases`), for what `FLUSHALL` covers.
    source_dbs: u32,
}

impl Default for Filter {
    fn default() -> Self {
        Filter { db_map: HashMap::new(), include: Vec::new(), exclude: Vec::new(), source_dbs: 16 }
    }
}

/// The prefix of the keys Ferry keeps for itself on a target (its checkpoints).
pub const OWN_KEY_PREFIX: &[u8] = b"ferry:checkpoint";

/// Whether a key is one Ferry keeps for itself: never migrated (a source may once have been a
/// target) and never compared by verify.
pub fn is_own_key(key: &[u8]) -> bool {
    key.starts_with(OWN_KEY_PREFIX)
}

/// What to do with a command of the replication stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// Apply these commands, in order, each in its target db.
    Apply(Vec<(u32, Vec<Bytes>)>),
    /// Nothing in it concerns the target.
    Skip,
    /// No faithful translation exists: the migration stops, and this says why and what to do.
    Stop(Text),
}

fn upper(arg: &[u8]) -> String {
    String::from_utf8_lossy(arg).to_ascii_uppercase()
}

fn text(arg: &[u8]) -> String {
    String::from_utf8_lossy(arg).into_owned()
}

impl Filter {
    pub fn new(db_mapping: &[DbMapping], include: &[String], exclude: &[String]) -> Filter {
        Filter {
            db_map: db_mapping.iter().map(|m| (m.source, m.target)).collect(),
            include: include.iter().filter(|p| !p.is_empty()).map(|p| p.as_bytes().to_vec()).collect(),
            exclude: exclude.iter().filter(|p| !p.is_empty()).map(|p| p.as_bytes().to_vec()).collect(),
            source_dbs: 16,
        }
    }

    /// The number of dbs the source has (its `databases`), which `FLUSHALL` empties.
    pub fn with_source_dbs(mut self, dbs: u32) -> Filter {
        self.source_dbs = dbs.max(1);
        self
    }

    /// Whether key patterns are set.
    pub fn has_patterns(&self) -> bool {
        !self.include.is_empty() || !self.exclude.is_empty()
    }

    /// Whether the filter changes anything (a db mapping or key patterns).
    pub fn is_active(&self) -> bool {
        self.has_patterns() || self.db_map.iter().any(|(s, t)| s != t)
    }

    /// The target db for a source db (unmapped dbs keep their number).
    pub fn db(&self, source_db: u32) -> u32 {
        self.db_map.get(&source_db).copied().unwrap_or(source_db)
    }

    /// Whether a key is migrated.
    pub fn key(&self, key: &[u8]) -> bool {
        (self.include.is_empty() || self.include.iter().any(|p| glob(p, key)))
            && !self.exclude.iter().any(|p| glob(p, key))
            && !is_own_key(key)
    }

    /// The target dbs that some source db maps to: where the migration writes.
    pub fn target_dbs(&self) -> BTreeSet<u32> {
        self.images()
    }

    /// The target dbs that some source db maps to.
    fn images(&self) -> BTreeSet<u32> {
        let highest = self.db_map.keys().copied().max().map_or(0, |d| d + 1);
        (0..self.source_dbs.max(highest)).map(|d| self.db(d)).collect()
    }

    /// Whether two source dbs map into one target db.
    pub fn merges_dbs(&self) -> bool {
        let highest = self.db_map.keys().copied().max().map_or(0, |d| d + 1);
        self.images().len() < self.source_dbs.max(highest) as usize
    }

    /// How a command the source ran in `db` reaches the target.
    pub fn route(&self, db: u32, argv: Vec<Bytes>) -> Route {
        let target_db = self.db(db);
        if !self.is_active() || argv.is_empty() {
            return Route::Apply(vec![(target_db, argv)]);
        }
        let name = upper(&argv[0]);
        let patterns = self.has_patterns();
        let stop =
            |why: Text| Route::Stop(Text::new(&errors::MIGRATE_FILTER_STOP).arg("command", &name).arg("why", why));
        // Commands about whole dbs.
        match name.as_str() {
            "FLUSHALL" | "FLUSHDB" if patterns => return stop(Text::new(&errors::MIGRATE_FILTER_FLUSH)),
            "FLUSHALL" => {
                // Empty exactly the target dbs that source dbs map to.
                let mut flushdb = vec![Bytes::from_static(b"FLUSHDB")];
                flushdb.extend(argv[1..].iter().cloned());
                return Route::Apply(self.images().into_iter().map(|d| (d, flushdb.clone())).collect());
            }
            "SWAPDB" if patterns => return stop(Text::new(&errors::MIGRATE_FILTER_SWAPDB)),
            "SWAPDB" if self.merges_dbs() => return stop(Text::new(&errors::MIGRATE_FILTER_MERGED_DBS)),
            "SWAPDB" => {
                let mapped = |i: usize| {
                    let db = argv.get(i).and_then(|d| std::str::from_utf8(d).ok()?.parse::<u32>().ok());
                    db.map(|d| Bytes::from(self.db(d).to_string()))
                };
                return match (mapped(1), mapped(2)) {
                    (Some(a), Some(b)) => Route::Apply(vec![(target_db, vec![argv[0].clone(), a, b])]),
                    _ => Route::Apply(vec![(target_db, argv)]),
                };
            }
            _ => {}
        }
        let argv = self.map_db_arguments(&name, argv);
        if !patterns {
            return Route::Apply(vec![(target_db, argv)]);
        }
        let Some(keys) = keys::keys(&argv) else {
            return stop(Text::new(&errors::MIGRATE_FILTER_UNKNOWN_KEYS));
        };
        let positions = match keys {
            Keys::None => return Route::Apply(vec![(target_db, argv)]),
            Keys::At(positions) => positions,
        };
        let (kept, left): (Vec<usize>, Vec<usize>) = positions.iter().partition(|&&i| self.key(&argv[i]));
        if left.is_empty() {
            return Route::Apply(vec![(target_db, argv)]);
        }
        if kept.is_empty() {
            return Route::Skip;
        }
        match name.as_str() {
            // Each key on its own: keep the migrated ones.
            "DEL" | "UNLINK" | "TOUCH" => {
                let mut out = vec![argv[0].clone()];
                out.extend(kept.iter().map(|&i| argv[i].clone()));
                Route::Apply(vec![(target_db, out)])
            }
            "MSET" => {
                let mut out = vec![argv[0].clone()];
                for &i in &kept {
                    out.extend([argv[i].clone(), argv.get(i + 1).cloned().unwrap_or_default()]);
                }
                Route::Apply(vec![(target_db, out)])
            }
            _ => stop(
                Text::new(&errors::MIGRATE_FILTER_MIXED_KEYS)
                    .arg("kept", format!("{:?}", text(&argv[kept[0]])))
                    .arg("left", format!("{:?}", text(&argv[left[0]]))),
            ),
        }
    }

    /// `MOVE key db` and `COPY src dst DB n` name a source db: the target's is the mapped one.
    fn map_db_arguments(&self, name: &str, mut argv: Vec<Bytes>) -> Vec<Bytes> {
        let at = match name {
            "MOVE" => Some(2),
            "COPY" => (3..argv.len().saturating_sub(1)).find(|&i| argv[i].eq_ignore_ascii_case(b"DB")).map(|i| i + 1),
            _ => None,
        };
        if let Some(at) = at {
            if let Some(db) = argv.get(at).and_then(|d| std::str::from_utf8(d).ok()?.parse::<u32>().ok()) {
                argv[at] = Bytes::from(self.db(db).to_string());
            }
        }
        argv
    }
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

    fn argv(parts: &[&str]) -> Vec<Bytes> {
        parts.iter().map(|p| Bytes::copy_from_slice(p.as_bytes())).collect()
    }

    fn apply(route: Route) -> Vec<(u32, Vec<String>)> {
        match route {
            Route::Apply(commands) => commands
                .into_iter()
                .map(|(db, argv)| (db, argv.iter().map(|a| String::from_utf8_lossy(a).into_owned()).collect()))
                .collect(),
            other => panic!("not applied: {other:?}"),
        }
    }

    fn stopped(route: Route, what: &str) {
        match route {
            Route::Stop(message) => assert!(message.to_string().contains(what), "{message}"),
            other => panic!("not stopped: {other:?}"),
        }
    }

    #[test]
    fn filters_keys_dbs_and_commands() {
        let f = Filter::new(&[DbMapping { source: 0, target: 3 }], &["keep:*".into()], &["keep:secret*".into()]);
        assert_eq!((f.db(0), f.db(1)), (3, 1));
        assert!(f.key(b"keep:a") && !f.key(b"drop:a") && !f.key(b"keep:secret1"));
        assert_eq!(
            apply(f.route(0, argv(&["SET", "keep:x", "1"]))),
            [(3, vec!["SET".into(), "keep:x".into(), "1".into()])]
        );
        assert_eq!(f.route(0, argv(&["set", "drop:x", "1"])), Route::Skip);
        assert_eq!(apply(f.route(0, argv(&["MULTI"]))).len(), 1);
        // Split where each key stands alone; stop where it does not.
        assert_eq!(apply(f.route(0, argv(&["DEL", "drop:x", "keep:y"])))[0].1, ["DEL", "keep:y"]);
        assert_eq!(apply(f.route(0, argv(&["MSET", "keep:a", "1", "drop:b", "2"])))[0].1, ["MSET", "keep:a", "1"]);
        stopped(f.route(0, argv(&["RENAME", "keep:a", "drop:b"])), "RENAME, on the key \"keep:a\"");
        stopped(f.route(0, argv(&["EVAL", "s", "2", "keep:a", "keep:secret"])), "EVAL");
        assert_eq!(f.route(0, argv(&["EVAL", "s", "1", "drop:a"])), Route::Skip);
        stopped(f.route(0, argv(&["FLUSHDB"])), "FLUSHDB");
        stopped(f.route(0, argv(&["FLUSHALL"])), "FLUSHALL");
        stopped(f.route(0, argv(&["SWAPDB", "0", "1"])), "SWAPDB");
        stopped(f.route(0, argv(&["MODULE.SET", "keep:a"])), "cannot tell");
        assert_eq!(apply(f.route(0, argv(&["XGROUP", "CREATE", "keep:s", "g", "$"])))[0].0, 3);
        assert_eq!(f.route(0, argv(&["XGROUP", "CREATE", "drop:s", "g", "$"])), Route::Skip);
    }

    #[test]
    fn db_numbers_in_commands_follow_the_mapping() {
        let f = Filter::new(&[DbMapping { source: 0, target: 5 }, DbMapping { source: 5, target: 0 }], &[], &[]);
        // FLUSHALL empties the target dbs the source dbs map to, and no other.
        let flushed: Vec<u32> = apply(f.route(2, argv(&["FLUSHALL", "ASYNC"]))).into_iter().map(|(db, _)| db).collect();
        assert_eq!(flushed, (0..16).collect::<Vec<_>>());
        let g = Filter::new(&[DbMapping { source: 0, target: 20 }], &[], &[]);
        let flushed: Vec<(u32, Vec<String>)> = apply(g.route(0, argv(&["FLUSHALL"])));
        assert!(!flushed.iter().any(|(db, _)| *db == 0), "target db 0 is no source db's image: {flushed:?}");
        assert_eq!(flushed[0].1, ["FLUSHDB"]);
        assert_eq!(apply(f.route(0, argv(&["SWAPDB", "0", "1"])))[0].1, ["SWAPDB", "5", "1"]);
        assert_eq!(apply(f.route(1, argv(&["MOVE", "k", "5"])))[0], (1, vec!["MOVE".into(), "k".into(), "0".into()]));
        assert_eq!(
            apply(f.route(1, argv(&["COPY", "a", "b", "DB", "0", "REPLACE"])))[0].1,
            ["COPY", "a", "b", "DB", "5", "REPLACE"]
        );
        // Two source dbs into one target db: SWAPDB has no faithful translation.
        let merged = Filter::new(&[DbMapping { source: 1, target: 2 }], &[], &[]);
        stopped(merged.route(0, argv(&["SWAPDB", "0", "3"])), "two source dbs into one");
    }
}
