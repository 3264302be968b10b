//! Relative expiries from sources older than 7.0, turned into the absolute expiry the source has.
//!
//! Before 7.0 a master propagates `EXPIRE`, `PEXPIRE`, `SETEX`, `PSETEX`, `SET … EX/PX`, `GETEX …
//! EX/PX` and `RESTORE` with a relative TTL as the client wrote them; a replica applies them
//! relative to when it sees them. Given when the source ran the command ([`super::clock`]), each is
//! rewritten with the absolute deadline: `PEXPIREAT`, `SET … PXAT`, `GETEX … PXAT`, `RESTORE …
//! ABSTTL`. A target too old for the absolute form (no `PXAT` before 6.2, no `ABSTTL` before 5.0)
//! gets the relative form again, computed from the deadline just before it is sent.

use std::time::{SystemTime, UNIX_EPOCH};

use bytes::Bytes;

use crate::server::ServerInfo;

fn now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}

fn int(arg: &Bytes) -> Option<i64> {
    std::str::from_utf8(arg).ok()?.parse().ok()
}

fn num(n: i64) -> Bytes {
    Bytes::from(n.to_string())
}

fn is(arg: &Bytes, word: &str) -> bool {
    arg.eq_ignore_ascii_case(word.as_bytes())
}

/// Milliseconds left until `deadline`, at least 1 (a relative TTL must be positive; a deadline that
/// has passed becomes an expiry in a moment, which is what the source did).
fn remaining(deadline: i64) -> i64 {
    (deadline - now_ms()).max(1)
}

/// Whether a command can carry a relative TTL that a source before 7.0 propagates as written.
pub fn is_relative_expiry(name: &[u8]) -> bool {
    ["EXPIRE", "PEXPIRE", "SETEX", "PSETEX", "SET", "GETEX", "RESTORE"]
        .iter()
        .any(|c| c.as_bytes().eq_ignore_ascii_case(name))
}

/// `argv` with its relative TTL replaced by the deadline `ran_at_ms + ttl`, in the form `target`
/// takes; `None` when the command has no relative TTL (or is malformed: then it goes as it is and
/// the target judges it, as the source did).
pub fn absolute(argv: &[Bytes], ran_at_ms: i64, target: &ServerInfo) -> Option<Vec<Bytes>> {
    let name = argv.first()?.to_ascii_uppercase();
    let pxat = target.at_least(6, 2);
    match &name[..] {
        b"EXPIRE" | b"PEXPIRE" if argv.len() >= 3 => {
            let ttl = int(&argv[2])?;
            let ms = if name == b"EXPIRE" { ttl.checked_mul(1000)? } else { ttl };
            let mut out = vec![Bytes::from_static(b"PEXPIREAT"), argv[1].clone(), num(ran_at_ms.saturating_add(ms))];
            out.extend_from_slice(&argv[3..]);
            Some(out)
        }
        b"SETEX" | b"PSETEX" if argv.len() == 4 => {
            let ttl = int(&argv[2])?;
            let ms = if name == b"SETEX" { ttl.checked_mul(1000)? } else { ttl };
            let deadline = ran_at_ms.saturating_add(ms);
            Some(if pxat {
                vec![
                    Bytes::from_static(b"SET"),
                    argv[1].clone(),
                    argv[3].clone(),
                    Bytes::from_static(b"PXAT"),
                    num(deadline),
                ]
            } else {
                vec![Bytes::from_static(b"PSETEX"), argv[1].clone(), num(remaining(deadline)), argv[3].clone()]
            })
        }
        // SET key value [options], GETEX key [options]: the option EX/PX and its argument.
        b"SET" | b"GETEX" => {
            let first_option = if name == b"SET" { 3 } else { 2 };
            let at =
                (first_option..argv.len().saturating_sub(1)).find(|&i| is(&argv[i], "EX") || is(&argv[i], "PX"))?;
            let ttl = int(&argv[at + 1])?;
            let ms = if is(&argv[at], "EX") { ttl.checked_mul(1000)? } else { ttl };
            let deadline = ran_at_ms.saturating_add(ms);
            let mut out = argv.to_vec();
            if pxat {
                out[at] = Bytes::from_static(b"PXAT");
                out[at + 1] = num(deadline);
            } else {
                out[at] = Bytes::from_static(b"PX");
                out[at + 1] = num(remaining(deadline));
            }
            Some(out)
        }
        // RESTORE key ttl payload [REPLACE] [ABSTTL] [IDLETIME s] [FREQ f]: 0 means no TTL.
        b"RESTORE" if argv.len() >= 4 => {
            let ttl = int(&argv[2])?;
            if ttl <= 0 || argv[4..].iter().any(|a| is(a, "ABSTTL")) {
                return None;
            }
            let deadline = ran_at_ms.saturating_add(ttl);
            let mut out = argv.to_vec();
            if target.at_least(5, 0) {
                out[2] = num(deadline);
                out.push(Bytes::from_static(b"ABSTTL"));
            } else {
                out[2] = num(remaining(deadline));
            }
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
    fn every_relative_form_becomes_the_source_deadline() {
        let t = target((7, 0, 15));
        let at = 1_000_000;
        assert_eq!(text(absolute(&args(&["expire", "k", "100"]), at, &t)), ["PEXPIREAT", "k", "1100000"]);
        assert_eq!(text(absolute(&args(&["PEXPIRE", "k", "250", "NX"]), at, &t)), ["PEXPIREAT", "k", "1000250", "NX"]);
        assert_eq!(text(absolute(&args(&["SETEX", "k", "10", "v"]), at, &t)), ["SET", "k", "v", "PXAT", "1010000"]);
        assert_eq!(text(absolute(&args(&["PSETEX", "k", "10", "v"]), at, &t)), ["SET", "k", "v", "PXAT", "1000010"]);
        assert_eq!(
            text(absolute(&args(&["SET", "k", "v", "NX", "EX", "5", "GET"]), at, &t)),
            ["SET", "k", "v", "NX", "PXAT", "1005000", "GET"]
        );
        assert_eq!(text(absolute(&args(&["GETEX", "k", "px", "7"]), at, &t)), ["GETEX", "k", "PXAT", "1000007"]);
        assert_eq!(
            text(absolute(&args(&["RESTORE", "k", "300", "payload", "REPLACE"]), at, &t)),
            ["RESTORE", "k", "1000300", "payload", "REPLACE", "ABSTTL"]
        );
        // Nothing relative: unchanged.
        for argv in [
            &["SET", "k", "v"][..],
            &["SET", "k", "v", "PXAT", "5"],
            &["RESTORE", "k", "0", "p"],
            &["RESTORE", "k", "9", "p", "ABSTTL"],
            &["SET", "k", "EX"],
        ] {
            assert_eq!(absolute(&args(argv), at, &t), None, "{argv:?}");
        }
    }

    #[test]
    fn old_targets_get_the_remaining_time() {
        let t = target((6, 0, 20));
        let deadline = now_ms() + 60_000;
        let out = text(absolute(&args(&["SETEX", "k", "60", "v"]), deadline - 60_000, &t));
        assert_eq!((out[0].as_str(), out[1].as_str(), out[3].as_str()), ("PSETEX", "k", "v"));
        let left: i64 = out[2].parse().unwrap();
        assert!((59_000..=60_000).contains(&left), "{left}");
        let out = text(absolute(&args(&["SET", "k", "v", "EX", "60"]), deadline - 60_000, &t));
        assert_eq!(out[3], "PX");
        // A deadline already passed: expires at once, as on the source.
        let out = text(absolute(&args(&["PSETEX", "k", "5", "v"]), 1, &t));
        assert_eq!(out[2], "1");
    }
}
