//! Key → hash slot, as the servers compute it: CRC16 (XMODEM) of the key, or of its hash tag (the
//! part between the first `{` and the next `}`, when not empty), modulo 16,384.

use std::sync::OnceLock;

use bytes::Bytes;

use crate::filter::keys::{keys, Keys};

/// How many hash slots a cluster has.
pub const SLOTS: u16 = 16384;

/// The slot of a key.
pub fn slot(key: &[u8]) -> u16 {
    let hashed = match key.iter().position(|&c| c == b'{') {
        Some(open) => match key[open + 1..].iter().position(|&c| c == b'}') {
            Some(len) if len > 0 => &key[open + 1..open + 1 + len],
            _ => key,
        },
        None => key,
    };
    crc16::State::<crc16::XMODEM>::calculate(hashed) % SLOTS
}

/// A short hash tag that puts a key in `slot` (`"{tag}"` in a key name sends it there): how Ferry
/// names one checkpoint key per slot.
pub fn tag_for(slot: u16) -> &'static str {
    static TAGS: OnceLock<Vec<String>> = OnceLock::new();
    let tags = TAGS.get_or_init(|| {
        let mut tags = vec![String::new(); SLOTS as usize];
        let mut missing = SLOTS as usize;
        let mut n = 0u64;
        while missing > 0 {
            let tag = n.to_string();
            let s = self::slot(tag.as_bytes()) as usize;
            if tags[s].is_empty() {
                tags[s] = tag;
                missing -= 1;
            }
            n += 1;
        }
        tags
    });
    &tags[(slot % SLOTS) as usize]
}

/// The slots a command's keys hash to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SlotsOf {
    /// No keys: the command concerns every master (FLUSHALL, FUNCTION LOAD...) or none (PING).
    None,
    /// Every key in this slot.
    One(u16),
    /// Keys in more than one slot.
    Many,
    /// A command whose keys Ferry cannot tell.
    Unknown,
}

/// Where a command's keys are in the cluster.
pub fn slot_of_command(argv: &[Bytes]) -> SlotsOf {
    match keys(argv) {
        None => SlotsOf::Unknown,
        Some(Keys::None) => SlotsOf::None,
        Some(Keys::At(positions)) => {
            let mut slots = positions.iter().filter_map(|&i| argv.get(i)).map(|k| slot(k));
            let Some(first) = slots.next() else { return SlotsOf::None };
            match slots.all(|s| s == first) {
                true => SlotsOf::One(first),
                false => SlotsOf::Many,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_match_the_servers() {
        // Values from `CLUSTER KEYSLOT` on a Redis 7.0 node.
        assert_eq!(slot(b"somekey"), 11058);
        assert_eq!(slot(b"foo{hash_tag}"), 2515);
        assert_eq!(slot(b"bar{hash_tag}"), 2515);
        assert_eq!(slot(b"123456789"), 12739);
        // An empty tag, or a `{` without `}`, hashes the whole key.
        assert_eq!(slot(b"foo{}{bar}"), slot(b"foo{}{bar}".as_slice()));
        assert_ne!(slot(b"foo{}{bar}"), slot(b"bar"));
        assert_eq!(slot(b"{user1000}.following"), slot(b"{user1000}.followers"));
        assert_eq!(slot(b"foo{{bar}}zap"), slot(b"{bar"));
    }

    #[test]
    fn every_slot_has_a_tag() {
        for s in [0, 1, 5000, 16383] {
            assert_eq!(slot(format!("ferry:checkpoint:{{{}}}", tag_for(s)).as_bytes()), s);
        }
        assert!((0..SLOTS).all(|s| slot(tag_for(s).as_bytes()) == s));
    }

    #[test]
    fn commands_find_their_slots() {
        let argv = |parts: &[&str]| parts.iter().map(|p| Bytes::copy_from_slice(p.as_bytes())).collect::<Vec<_>>();
        assert_eq!(slot_of_command(&argv(&["SET", "somekey", "v"])), SlotsOf::One(11058));
        assert_eq!(slot_of_command(&argv(&["MSET", "{a}1", "x", "{a}2", "y"])), SlotsOf::One(slot(b"a")));
        assert_eq!(slot_of_command(&argv(&["MSET", "a", "x", "b", "y"])), SlotsOf::Many);
        assert_eq!(slot_of_command(&argv(&["FLUSHALL"])), SlotsOf::None);
        assert_eq!(slot_of_command(&argv(&["MODULE.CMD", "k"])), SlotsOf::Unknown);
    }
}
