//! Which commands may change data, for sync-writes mode.
//!
//! The proxy waits for the standby's confirmation after a batch that may have written. A command
//! missing from the read-only list below is taken as a write: the cost of a wrong guess is one extra
//! confirmation round, while the cost of missing a write would be acknowledging it before the
//! standby has it.

/// Commands that never change the dataset (upper-case names).
const READ_ONLY: &[&str] = &[
    "AUTH",
    "BITCOUNT",
    "BITFIELD_RO",
    "BITPOS",
    "CLIENT",
    "COMMAND",
    "DBSIZE",
    "DISCARD",
    "DUMP",
    "ECHO",
    "EVALSHA_RO",
    "EVAL_RO",
    "EXISTS",
    "EXPIRETIME",
    "FCALL_RO",
    "GEODIST",
    "GEOHASH",
    "GEOPOS",
    "GEORADIUSBYMEMBER_RO",
    "GEORADIUS_RO",
    "GEOSEARCH",
    "GET",
    "GETBIT",
    "GETRANGE",
    "HELLO",
    "HEXISTS",
    "HGET",
    "HGETALL",
    "HKEYS",
    "HLEN",
    "HMGET",
    "HRANDFIELD",
    "HSCAN",
    "HSTRLEN",
    "HVALS",
    "INFO",
    "KEYS",
    "LASTSAVE",
    "LCS",
    "LINDEX",
    "LLEN",
    "LOLWUT",
    "LPOS",
    "LRANGE",
    "MEMORY",
    "MGET",
    "MULTI",
    "OBJECT",
    "PEXPIRETIME",
    "PING",
    "PSUBSCRIBE",
    "PTTL",
    "PUBLISH",
    "PUBSUB",
    "PUNSUBSCRIBE",
    "QUIT",
    "RANDOMKEY",
    "ROLE",
    "SCAN",
    "SCARD",
    "SDIFF",
    "SELECT",
    "SINTER",
    "SINTERCARD",
    "SISMEMBER",
    "SMEMBERS",
    "SMISMEMBER",
    "SORT_RO",
    "SPUBLISH",
    "SRANDMEMBER",
    "SSCAN",
    "SSUBSCRIBE",
    "STRLEN",
    "SUBSCRIBE",
    "SUBSTR",
    "SUNION",
    "SUNSUBSCRIBE",
    "TIME",
    "TTL",
    "TYPE",
    "UNSUBSCRIBE",
    "UNWATCH",
    "WAIT",
    "WATCH",
    "XINFO",
    "XLEN",
    "XPENDING",
    "XRANGE",
    "XREAD",
    "XREVRANGE",
    "ZCARD",
    "ZCOUNT",
    "ZDIFF",
    "ZINTER",
    "ZINTERCARD",
    "ZLEXCOUNT",
    "ZMSCORE",
    "ZRANDMEMBER",
    "ZRANGE",
    "ZRANGEBYLEX",
    "ZRANGEBYSCORE",
    "ZRANK",
    "ZREVRANGE",
    "ZREVRANGEBYLEX",
    "ZREVRANGEBYSCORE",
    "ZREVRANK",
    "ZSCAN",
    "ZSCORE",
    "ZUNION",
];

/// Whether `name` (upper-case) may change data and so needs the replica's confirmation.
pub fn may_write(name: &[u8]) -> bool {
    let Ok(name) = std::str::from_utf8(name) else { return true };
    READ_ONLY.binary_search(&name).is_err()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_is_sorted_for_binary_search() {
        assert!(READ_ONLY.windows(2).all(|w| w[0] < w[1]), "keep READ_ONLY sorted and without duplicates");
    }

    #[test]
    fn writes_and_unknown_commands_need_confirmation() {
        assert!(may_write(b"SET") && may_write(b"EXEC") && may_write(b"BLPOP") && may_write(b"FUTURECMD"));
        assert!(!may_write(b"GET") && !may_write(b"PING") && !may_write(b"ZRANGE") && !may_write(b"MULTI"));
    }
}
