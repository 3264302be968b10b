//! Commands of a newer source in the form an older target takes.
//!
//! A source propagates its writes in its own dialect: from 7.0 with absolute deadlines
//! (`SET … PXAT`), from 4.0 `HSET` with several fields and `UNLINK`. A target that predates a form
//! refuses it ("syntax error", "unknown command"), so the few forms with an exact older equivalent
//! are rewritten: `PXAT`/`EXAT` become the time left (`PX`, before 6.2), `RESTORE … ABSTTL` the time
//! left (before 5.0), `HSET` of several fields `HMSET` and `UNLINK` `DEL` (before 4.0). Anything
//! else a target does not know still reaches it, and its refusal names the command.

use std::time::{SystemTime, UNIX_EPOCH};

use bytes::Bytes;

use crate::server::ServerInfo;

fn now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}

fn int(arg: &Bytes) -> Option<i64> {
    std::str::from_utf8(arg).ok()?.parse().ok()
}

fn is(arg: &Bytes, word: &str) -> bool {
    arg.eq_ignore_ascii_case(word.as_bytes())
}

/// Whether any command may need rewriting for `target` (so the caller can skip the check).
pub fn needed(target: &ServerInfo) -> bool {
    !target.at_least(6, 2)
}

/// `argv` in a form `target` accepts, or `None` when it already does (or nothing exact exists).
pub fn for_target(argv: &[Bytes], target: &ServerInfo) -> Option<Vec<Bytes>> {
    let name = argv.first()?.to_ascii_uppercase();
    match &name[..] {
        b"SET" if !target.at_least(6, 2) => {
            let at = (3..argv.len().saturating_sub(1)).find(|&i| is(&argv[i], "PXAT") || is(&argv[i], "EXAT"))?;
            let deadline = int(&argv[at + 1])?;
            let deadline = if is(&argv[at], "EXAT") { deadline.checked_mul(1000)? } else { deadline };
            let mut out = argv.to_vec();
            out[at] = Bytes::from_static(b"PX");
            // A deadline that has passed: the key expires at once, as on the source.
            out[at + 1] = Bytes::from((deadline - now_ms()).max(1).to_string());
            Some(out)
        }
        b"RESTORE" if !target.at_least(5, 0) && argv.len() > 4 => {
            let absolute = argv[4..].iter().any(|a| is(a, "ABSTTL"));
            let extras = argv[4..].iter().any(|a| is(a, "IDLETIME") || is(a, "FREQ"));
            if !absolute && !extras {
                return None;
            }
            let mut out: Vec<Bytes> = argv[..4].to_vec();
            if absolute {
                let deadline = int(&argv[2])?;
                if deadline > 0 {
                    out[2] = Bytes::from((deadline - now_ms()).max(1).to_string());
                }
            }
            // Only REPLACE is older than 5.0 (IDLETIME and FREQ are hints; their arguments go too).
            if argv[4..].iter().any(|a| is(a, "REPLACE")) && target.at_least(3, 0) {
                out.push(Bytes::from_static(b"REPLACE"));
            }
            Some(out)
        }
        b"HSET" if !target.at_least(4, 0) && argv.len() > 4 => {
            let mut out = argv.to_vec();
            out[0] = Bytes::from_static(b"HMSET");
            Some(out)
        }
        b"UNLINK" if !target.at_least(4, 0) => {
            let mut out = argv.to_vec();
            out[0] = Bytes::from_static(b"DEL");
            Some(out)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::test_support::{args, target, text};

    #[test]
    fn newer_forms_become_the_older_equivalent() {
        let soon = (now_ms() + 60_000).to_string();
        let out = text(for_target(&args(&["SET", "k", "v", "PXAT", &soon]), &target((5, 0, 6))));
        assert_eq!(&out[..4], ["SET", "k", "v", "PX"]);
        let left: i64 = out[4].parse().unwrap();
        assert!((59_000..=60_000).contains(&left), "{left}");
        let out = text(for_target(
            &args(&["RESTORE", "k", &soon, "p", "REPLACE", "ABSTTL", "FREQ", "5"]),
            &target((3, 2, 6)),
        ));
        assert_eq!((out.len(), out[4].as_str()), (5, "REPLACE"), "{out:?}");
        let out = text(for_target(&args(&["RESTORE", "k", "0", "p", "ABSTTL"]), &target((2, 8, 17))));
        assert_eq!(out, ["RESTORE", "k", "0", "p"]);
        assert_eq!(text(for_target(&args(&["HSET", "h", "a", "1", "b", "2"]), &target((3, 0, 5))))[0], "HMSET");
        assert_eq!(text(for_target(&args(&["UNLINK", "a", "b"]), &target((3, 2, 6)))), ["DEL", "a", "b"]);
        // A target that takes the form as it is: unchanged.
        assert_eq!(for_target(&args(&["SET", "k", "v", "PXAT", &soon]), &target((6, 2, 14))), None);
        assert_eq!(for_target(&args(&["HSET", "h", "a", "1"]), &target((3, 0, 5))), None);
        assert_eq!(for_target(&args(&["SET", "k", "v"]), &target((2, 8, 17))), None);
    }
}
