//! The ha area's sentences: the hot standby's events (heartbeat, failover, fencing, switchover,
//! the proxy's sessions) and the reasons inside them.

use super::entries;

entries! {
    // Where writes go at start (`roles`, and Sentinel mode).
    ROLES_AT_START = "ha.roles.at_start" {
        en: "ROLE at start: {first} is {first_role}, {second} is {second_role}",
        zh: "启动时的 ROLE：{first}（{first_role}），{second}（{second_role}）",
    },
    ROLE_MASTER = "ha.roles.master" { en: "master", zh: "主节点" },
    ROLE_REPLICA_OF = "ha.roles.replica_of" { en: "a replica of {master}", zh: "{master} 的副本" },
    ROLE_UNKNOWN = "ha.roles.unknown" { en: "unknown ({why})", zh: "未知：{why}" },
    ROLE_ANSWERED = "ha.roles.answered" { en: "ROLE answered {reply}", zh: "ROLE 返回了 {reply}" },
    SENTINEL_AT_START = "ha.roles.sentinel" {
        en: "Sentinel mode: the Sentinels name {master} the master of {name}",
        zh: "Sentinel 模式：Sentinel 指定 {master} 为 {name} 的主节点",
    },
    SENTINEL_MOVED = "ha.sentinel.moved" {
        en: "the Sentinels name {master} the master of {name} (was {old})",
        zh: "Sentinel 指定 {master} 为 {name} 的主节点（原为 {old}）",
    },

    // The heartbeat.
    HEARTBEAT_UNANSWERED = "ha.heartbeat.unanswered" {
        en: "{master}: PING unanswered after {ms} ms",
        zh: "{master}：PING 在 {ms} 毫秒后仍无应答",
    },
    HEARTBEAT_FAILED = "ha.heartbeat.failed" { en: "{master}: {error}", zh: "{master}：{error}" },
    HEARTBEAT_SILENT = "ha.heartbeat.silent" {
        en: "{master}: no valid heartbeat reply for {ms} ms (last: {error})",
        zh: "{master}：{ms} 毫秒内没有有效的心跳应答（最近一次：{error}）",
    },
    HEARTBEAT_RECOVERED = "ha.heartbeat.recovered" { en: "{master} answered again", zh: "{master} 重新应答" },
    HEARTBEAT_RESTARTED = "ha.heartbeat.restarted" {
        en: "{master}: the master restarted (run_id {was} → {now}); without persistence it lost its data, and its \
             replica would copy that loss",
        zh: "{master}：主节点已重启（run_id {was} → {now}）；没有持久化时它已丢失数据，其副本若继续同步也会随之丢失",
    },
    HEARTBEAT_NO_REPLY = "ha.heartbeat.no_reply" { en: "no reply", zh: "无应答" },
    HEARTBEAT_NO_CONNECTION = "ha.heartbeat.no_connection" { en: "no connection", zh: "无连接" },
    HEARTBEAT_UNEXPECTED = "ha.heartbeat.unexpected_reply" {
        en: "unexpected PING reply {reply}",
        zh: "PING 的应答不符合预期：{reply}",
    },
    HEARTBEAT_TIMEOUT = "ha.heartbeat.timeout" { en: "PING timed out after {ms} ms", zh: "PING 在 {ms} 毫秒后超时" },

    // A failover.
    SUSPECT = "ha.failover.suspect" {
        en: "{old} does not answer the proxy, but the standby {replica} is still linked to it ({link}): not a \
             failover, the proxy may be the one cut off. The standby's own link decides (its repl-timeout)",
        zh: "{old} 不响应接入层，但备节点 {replica} 仍与它保持连接（{link}）：不做故障切换，可能只是接入层与它断开。\
             由备节点自己的复制连接判定（其 repl-timeout）",
    },
    LINK_UP = "ha.failover.link_up" { en: "link up, last I/O {secs} s ago", zh: "复制连接正常，最近一次 I/O 在 {secs} 秒前" },
    PROMOTION_REFUSED = "ha.failover.refused" { en: "{replica}: {reason}", zh: "{replica}：{reason}" },
    OLD_MASTER_NOT_REJOINED = "ha.failover.old_master_not_rejoined" {
        en: "{standby} is the old master and has not rejoined as a replica; nothing to promote",
        zh: "{standby} 是旧主节点，尚未作为副本重新加入；没有可提升的备节点",
    },
    PROMOTED = "ha.failover.promoted" { en: "{replica} reports role master", zh: "{replica} 报告角色为 master" },
    FENCED_BEFORE_ROUTE = "ha.failover.fenced" {
        en: "{old} is now a replica of {replica}, before the route moved",
        zh: "{old} 已成为 {replica} 的副本（在路由切换之前）",
    },
    ROUTE_MOVED = "ha.route.moved" { en: "writes now go to {master}", zh: "写请求现在发往 {master}" },

    // Why a replica is not promoted.
    PROMOTE_NOT_MASTER = "ha.promote.not_master" {
        en: "after REPLICAOF NO ONE, ROLE reports {role} instead of master",
        zh: "执行 REPLICAOF NO ONE 后，ROLE 报告的角色是 {role} 而不是 master",
    },
    STILL_LOADING = "ha.promote.still_loading" {
        en: "the replica is still loading its first copy of the data",
        zh: "副本仍在加载首次同步的数据",
    },
    LINK_DOWN_TOO_LONG = "ha.promote.link_down_too_long" {
        en: "its link to the master has been down for {down} s, more than max_replica_lag_secs = {max}; set \
             allow_stale_promotion to promote it anyway and lose the writes since",
        zh: "它与主节点的复制连接已断开 {down} 秒，超过 max_replica_lag_secs = {max}；如仍要提升（并丢失此后的写入），\
             请设置 allow_stale_promotion",
    },
    NEVER_SYNCED = "ha.promote.never_synced" {
        en: "the replica never synced with the master; set allow_stale_promotion to promote it anyway",
        zh: "副本从未与主节点完成同步；如仍要提升，请设置 allow_stale_promotion",
    },

    // The standby.
    FENCED = "ha.standby.fenced" { en: "{server} is now a replica of {master}", zh: "{server} 已成为 {master} 的副本" },
    STANDBY_READY = "ha.standby.ready" {
        en: "{standby} is synced with {master}; failover armed",
        zh: "{standby} 已与 {master} 同步；故障切换已就绪",
    },
    STANDBY_UNFENCED = "ha.standby.unfenced" { en: "Unfenced", zh: "待隔离" },
    STANDBY_SYNCING = "ha.standby.syncing" { en: "Syncing", zh: "同步中" },

    // A planned switchover.
    SWITCHOVER_STARTED = "ha.switchover.started" {
        en: "{master} → {standby}: pausing writes",
        zh: "{master} → {standby}：暂停写入",
    },
    SWITCHOVER_PROMOTED = "ha.switchover.promoted" {
        en: "{standby} reports role master (had offset {offset})",
        zh: "{standby} 报告角色为 master（提升时偏移量 {offset}）",
    },
    SWITCHOVER_DONE = "ha.switchover.done" {
        en: "{standby} is the master; nothing was in flight",
        zh: "{standby} 成为主节点；切换时没有未完成的命令",
    },
    SWITCHOVER_DONE_IN_FLIGHT = "ha.switchover.done_in_flight" {
        en: "{standby} is the master; {count} blocking command(s) were still in flight and get UNCERTAIN",
        zh: "{standby} 成为主节点；仍有 {count} 个阻塞命令未完成，它们收到 UNCERTAIN",
    },
    SWITCHOVER_ABORTED = "ha.switchover.aborted" { en: "nothing changed: {reason}", zh: "未做任何改变：{reason}" },
    CANNOT_PAUSE = "ha.switchover.cannot_pause" {
        en: "cannot pause writes on {master}: {error}",
        zh: "无法暂停 {master} 上的写入：{error}",
    },
    NOT_CAUGHT_UP = "ha.switchover.not_caught_up" {
        en: "{standby} reached offset {at} of {offset} within {secs} s; is its link to the master up?",
        zh: "{standby} 在 {secs} 秒内只追到偏移量 {at}（目标 {offset}）；它与主节点的复制连接是否正常？",
    },
    NOT_READY = "ha.switchover.not_ready" {
        en: "the standby {standby} is not ready ({state}); wait for standby_ready",
        zh: "备节点 {standby} 尚未就绪（{state}）；请等待备节点就绪（standby_ready）",
    },
    SWITCHOVER_BY_SENTINEL = "ha.switchover.sentinel" {
        en: "in Sentinel mode the Sentinels switch over: SENTINEL FAILOVER <master name> on one of them; the proxy \
             follows",
        zh: "Sentinel 模式下由 Sentinel 执行切换：在其中一个 Sentinel 上执行 SENTINEL FAILOVER <主节点名称>；接入层随之切换",
    },
    STOPPED = "ha.switchover.stopped" { en: "the hot standby has stopped", zh: "热备已停止" },

    // The proxy's sessions.
    FIRST_REPLY = "ha.session.first_reply" {
        en: "a reply from {server} reached a client",
        zh: "来自 {server} 的应答已送达客户端",
    },
    CLIENT_DISCONNECTED = "ha.session.disconnected" { en: "{client}: {why}", zh: "{client}：{why}" },
    OVER_HARD_LIMIT = "ha.session.over_hard_limit" {
        en: "{who} left {unread} MB of replies unread, over the hard output limit of {limit} MB; disconnected",
        zh: "{who}有 {unread} MB 应答未读取，超过 {limit} MB 的输出缓冲硬限制；已断开",
    },
    OVER_SOFT_LIMIT = "ha.session.over_soft_limit" {
        en: "{who} kept more than {limit} MB of replies unread for {secs} s (the soft output limit); disconnected",
        zh: "{who}持续 {secs} 秒有超过 {limit} MB 的应答未读取（输出缓冲软限制）；已断开",
    },
    WHO_CLIENT = "ha.session.client" { en: "a client", zh: "客户端" },
    WHO_SUBSCRIBER = "ha.session.subscriber" { en: "a subscriber", zh: "订阅客户端" },
}
