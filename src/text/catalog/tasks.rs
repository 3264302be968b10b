//! The tasks area's sentences: a migration task's events and reasons (`task.*`), what the sync
//! does on its own and warns about (`sync.*`), and the verify summary kept with a task
//! (`verify.*`).

use super::entries;

entries! {
    // The console's statuses, as words inside a status change.
    STATUS_NOT_STARTED = "task.status.not_started" { en: "not started", zh: "未启动" },
    STATUS_CHECKING = "task.status.checking" { en: "checking", zh: "参数校验中" },
    STATUS_CHECK_FAILED = "task.status.check_failed" { en: "check failed", zh: "校验失败" },
    STATUS_FULL_SYNC = "task.status.full_sync" { en: "full sync", zh: "全量同步中" },
    STATUS_INCREMENTAL_SYNC = "task.status.incremental_sync" { en: "incremental sync", zh: "增量同步中" },
    STATUS_CUTTING_OVER = "task.status.cutting_over" { en: "cutting over", zh: "断开同步中" },
    STATUS_COMPLETED = "task.status.completed" { en: "completed", zh: "已完成" },
    STATUS_FAILED = "task.status.failed" { en: "failed", zh: "失败" },
    STATUS_CANCELLED = "task.status.cancelled" { en: "cancelled", zh: "已取消" },
    STATUS_INTERRUPTED = "task.status.interrupted" { en: "interrupted", zh: "已中断" },

    // Status changes.
    STATUS_CHANGED = "task.status.changed" { en: "{from} → {to}", zh: "{from} → {to}" },
    STATUS_CHANGED_BECAUSE = "task.status.changed.because" {
        en: "{from} → {to}: {message}",
        zh: "{from} → {to}：{message}",
    },
    CREATED = "task.created" { en: "created", zh: "已创建" },
    CHECKING = "task.checking" { en: "checking parameters and connectivity", zh: "正在校验参数和连通性" },
    // The pre-check's errors that stopped a start, each as the item's id and its message.
    CHECK_FAILED = "task.check.failed" { en: "{errors}", zh: "{errors}" },
    CHECK_ERROR = "task.check.error" { en: "{id}: {message}", zh: "{id}：{message}" },
    CHECK_PASSED = "task.check.passed" {
        en: "check passed with {count} warning(s)",
        zh: "检查通过，有 {count} 个告警",
    },
    FULL_SYNC_STARTED = "task.full_sync.started" { en: "full sync started", zh: "全量同步已开始" },
    FULL_SYNC_DONE = "task.full_sync.done" {
        en: "full sync done: {keys} keys written",
        zh: "全量同步完成：已写入 {keys} 个 key",
    },
    CUTTING_OVER = "task.cutover.started" { en: "cutting over", zh: "正在断开同步" },
    CUTTING_OVER_PAUSED = "task.cutover.started.paused" {
        en: "cutting over with source writes paused",
        zh: "正在断开同步，源实例写入已暂停",
    },
    CUTOVER_ABORTED = "task.cutover.aborted" {
        en: "cutover aborted, the sync goes on: {error}",
        zh: "断开同步已中止，同步继续：{error}",
    },
    CUTOVER_DONE = "task.cutover.done" {
        en: "sync disconnected at offset {offset} (final lag {lag} bytes); the source's parameters are restored",
        zh: "已在偏移量 {offset} 处断开同步（最终延迟 {lag} 字节）；源实例参数已恢复",
    },
    CUTOVER_DONE_PAUSED = "task.cutover.done.paused" {
        en: "sync disconnected at offset {offset} (final lag {lag} bytes, writes were paused); the source's parameters are restored",
        zh: "已在偏移量 {offset} 处断开同步（最终延迟 {lag} 字节，写入曾暂停）；源实例参数已恢复",
    },
    CUTOVER_DONE_HELD = "task.cutover.done.held" {
        en: "sync disconnected at offset {offset} (final lag {lag} bytes, writes were paused: the source (before 6.2) held all its clients for {ms} ms); the source's parameters are restored",
        zh: "已在偏移量 {offset} 处断开同步（最终延迟 {lag} 字节，写入曾暂停：源实例（6.2 之前的版本）暂停了其全部客户端 {ms} 毫秒）；源实例参数已恢复",
    },
    CANCELLED = "task.cancelled" { en: "cancelled by the user", zh: "已被用户取消" },
    CANCELLED_RESTORED = "task.cancelled.restored" {
        en: "cancelled by the user; the source's parameters are restored",
        zh: "已被用户取消；源实例参数已恢复",
    },
    PASSWORD_NOT_KEPT = "task.password.not_kept" {
        en: "the source password could not be kept",
        zh: "无法保存源实例密码",
    },
    INTERRUPTED_QUIT = "task.interrupted.quit" {
        en: "Ferry was closed while the task ran: the sync stopped and the source's parameters are put back; start it again to resume from where the target stands",
        zh: "任务运行期间 Ferry 已关闭：同步已停止，源实例参数已恢复；再次启动即可从目标实例所处的位置继续",
    },
    INTERRUPTED_ORPHAN = "task.interrupted.orphan" {
        en: "the process running this task stopped (a crash, a kill, a stall); start it again to resume from where the target stands",
        zh: "运行该任务的进程已停止（崩溃、被终止或停滞）；重新启动任务即可从目标实例当前的进度继续",
    },
    LEASE_LOST = "task.lease.lost" { en: "the task's lease was lost", zh: "该任务的运行权已被另一进程接管" },
    SYNC_STOPPED = "task.sync.stopped" { en: "the sync stopped unexpectedly", zh: "同步意外停止" },

    // The source's parameters.
    PARAMS_SAVED_BY_OTHER = "task.params.saved_by_other" {
        en: "another task on this source saved its original values already",
        zh: "同一源实例上的另一个任务已保存其原始值",
    },
    PARAMS_SET = "task.params.set" { en: "set on the source: {values}", zh: "已在源实例上设置：{values}" },
    PARAMS_NOT_ALL_SET = "task.params.not_all_set" {
        en: "not all parameters could be set: {error}",
        zh: "部分参数未能设置：{error}",
    },
    PARAMS_LEFT = "task.params.left" { en: "parameters left as they are: {error}", zh: "参数保持不变：{error}" },
    PARAMS_LEFT_RAISED = "task.params.left_raised" {
        en: "left raised on the source: task {id} still migrates from it",
        zh: "源实例参数保持调高：任务 {id} 仍在从该实例迁移",
    },
    PARAMS_LEFT_RAISED_MANY = "task.params.left_raised.many" {
        en: "left raised on the source: tasks {ids} still migrate from it",
        zh: "源实例参数保持调高：任务 {ids} 仍在从该实例迁移",
    },
    PARAMS_RESTORED = "task.params.restored" { en: "restored on the source: {values}", zh: "已在源实例上恢复：{values}" },
    PARAMS_NOT_RESTORED = "task.params.not_restored" {
        en: "could not restore the source's parameters ({error}); Ferry will try again when it next starts",
        zh: "无法恢复源实例参数（{error}）；Ferry 下次启动时会重试",
    },

    // What the target was not given.
    SKIPPED = "task.skipped" {
        en: "{count} write(s) of class {class} did not reach the target",
        zh: "{count} 次 {class} 类写入未到达目标实例",
    },
    SKIPPED_FIRST = "task.skipped.first" {
        en: "{count} write(s) of class {class} did not reach the target; the first: {command} {key}: {message}",
        zh: "{count} 次 {class} 类写入未到达目标实例；第一次：{command} {key}：{message}",
    },
    NOT_CARRIED = "task.not_carried" { en: "{what}: {count}", zh: "{what}：{count}" },
    WARNING_CLEARED = "task.warning.cleared" { en: "the target answers again", zh: "目标实例已恢复响应" },

    // The sync's own notices and warnings.
    STALLED = "sync.target.stalled" {
        en: "the target has not answered for {secs} s while writes wait for it; the migration stops if it stays silent",
        zh: "目标实例已 {secs} 秒未响应，写入正在等待；若一直无响应，迁移将停止",
    },
    RESUMED = "sync.resumed" {
        en: "resumed at offset {offset} from the target's checkpoint, with a partial resync: nothing is copied again",
        zh: "已从目标实例的检查点（偏移量 {offset}）以部分重同步继续：无需重新复制任何数据",
    },
    FULL_AGAIN = "sync.full_again" {
        en: "a full sync again: {why}; the target's migrated keyspace is cleared first, so that keys the source deleted meanwhile do not survive",
        zh: "重新全量同步：{why}；先清空目标实例上已迁移的键空间，以免源实例期间删除的 key 残留",
    },
    FULL_AGAIN_BACKLOG = "sync.full_again.backlog" {
        en: "the source's backlog no longer holds offset {offset}",
        zh: "源实例的复制积压缓冲区已不包含偏移量 {offset}",
    },
    FULL_AGAIN_UNFINISHED = "sync.full_again.unfinished" {
        en: "the previous full sync did not finish",
        zh: "上一次全量同步未完成",
    },
    FULL_AGAIN_NO_CHECKPOINT = "sync.full_again.no_checkpoint" {
        en: "a full sync again (no checkpoint is kept on this target); the target's migrated keyspace is cleared first",
        zh: "重新全量同步（该目标实例上不保存检查点）；先清空目标实例上已迁移的键空间",
    },
    TARGET_SLOTS_MOVED = "sync.target.slots_moved" {
        en: "the cluster target's slots moved ({error}); reading its topology again and resuming from its checkpoints",
        zh: "目标集群的槽位发生了迁移（{error}）；正在重新读取其拓扑并从其检查点继续",
    },
    TARGET_LINK_BROKE = "sync.target.link_broke" {
        en: "the connection to the target broke ({error}); resuming from the target's checkpoint",
        zh: "与目标实例的连接已断开（{error}）；正在从目标实例的检查点继续",
    },
    SOURCE_SLOTS_MOVED = "sync.source.slots_moved" {
        en: "slots moved between the source's masters (a resharding) during the migration: a key moving between two replication streams could reach the target deleted, so the migration stopped. Start it again once the resharding is done: each master resumes from its checkpoint, or syncs in full what it now serves",
        zh: "迁移期间源实例的槽位在主节点之间发生了迁移（重新分片）：在两条复制流之间移动的 key 可能以已删除的状态到达目标实例，因此迁移已停止。请在重新分片完成后重新启动：各主节点会从其检查点继续，或对其现在负责的槽位重新全量同步",
    },
    SHARD = "sync.shard" { en: "slots {ranges}", zh: "槽位 {ranges}" },
    SHARD_NOTICE = "sync.shard.notice" { en: "{shard}: {notice}", zh: "{shard}：{notice}" },
    SHARD_FAILED = "sync.shard.failed" {
        en: "the migration of {shard}: {error}; the other masters stopped too",
        zh: "{shard} 的迁移失败：{error}；其他主节点也已停止",
    },
    NOT_CARRIED_STREAM_SEEN_TIME = "sync.not_carried.stream_seen_time" {
        en: "stream consumers' seen time (the target records the time of the migration)",
        zh: "Stream 消费者的最近活跃时间（目标实例记录的是迁移时的时间）",
    },

    // A task's verify.
    VERIFY_SUMMARY = "verify.summary" {
        en: "verify: {keys} keys compared, {missing} missing, {extra} extra, {different} different",
        zh: "校验：已比对 {keys} 个 key，缺失 {missing}，多出 {extra}，不同 {different}",
    },
}
