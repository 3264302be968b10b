//! The checks area's sentences: the pre-check's values and messages (`src/checks`).
//!
//! Codes are `check.<item>.<what>`, after the item ids (`source.connect` → `check.connect.*`). A
//! value that is only a measurement in universal units (`0.3 ms`, `1.2 MB`), a server's own words or
//! a name (a region, a policy, a version) is not here: it travels as it is ([`crate::text::Text::raw`]).

use super::entries;

entries! {
    // Shared by every item.
    CHECK_NOT_CHECKED = "check.not_checked" { en: "not checked", zh: "未检查" },
    CHECK_NOT_CHECKED_BECAUSE = "check.not_checked.because" { en: "not checked: {why}", zh: "未检查：{why}" },
    CHECK_UNKNOWN = "check.unknown" { en: "unknown", zh: "未知" },
    CHECK_COULD_NOT = "check.could_not" { en: "could not be checked: {why}", zh: "无法检查：{why}" },
    CHECK_NA = "check.na" { en: "n/a", zh: "不适用" },
    CHECK_NONE = "check.value.none" { en: "none", zh: "无" },
    CHECK_LIST = "check.list" { en: "{items}", zh: "{items}" },
    CHECK_ROLE_SOURCE = "check.role.source" { en: "source", zh: "源端" },
    CHECK_ROLE_TARGET = "check.role.target" { en: "target", zh: "目标端" },
    CHECK_UNEXPECTED_REPLY = "check.unexpected_reply" { en: "unexpected reply {reply}", zh: "意外的应答 {reply}" },
    CHECK_KEYS_ONE = "check.keys.one" { en: "{n} key", zh: "{n} 个 Key" },
    CHECK_KEYS_MANY = "check.keys.many" { en: "{n} keys", zh: "{n} 个 Key" },
    CHECK_SHAPE_CLUSTER = "check.shape.cluster" { en: "cluster", zh: "集群" },
    CHECK_SHAPE_STANDALONE = "check.shape.standalone" { en: "standalone", zh: "单机" },
    CHECK_SECONDS = "check.duration.seconds" { en: "{n} s", zh: "{n} 秒" },
    CHECK_MINUTES = "check.duration.minutes" { en: "{n} min", zh: "{n} 分钟" },
    CHECK_HOURS = "check.duration.hours" { en: "{n} h", zh: "{n} 小时" },
    CHECK_UNDER_A_SECOND = "check.duration.under_1s" { en: "under 1 s", zh: "不到 1 秒" },

    // source.connect, target.connect
    CONNECT_NOT_RESP = "check.connect.not_resp" { en: "not plain RESP", zh: "不是纯 RESP" },
    CONNECT_NOT_REDIS = "check.connect.not_redis" { en: "not Redis", zh: "不是 Redis" },
    CONNECT_UNREACHABLE = "check.connect.unreachable" { en: "unreachable", zh: "无法连接" },
    CONNECT_ROLE_UNREACHABLE = "check.connect.role_unreachable" {
        en: "the {role} is unreachable",
        zh: "{role}无法连接",
    },
    CONNECT_OK = "check.connect.ok" {
        en: "connected to {addr} as user {user}: {server}; a PING took {rtt}",
        zh: "已以用户 {user} 连接 {addr}：{server}；PING 耗时 {rtt}",
    },
    CONNECT_INFO_REFUSED = "check.connect.info_refused" {
        en: "the {role} answered but refused INFO: {error}. Ferry reads INFO to check and follow the migration; allow the user +info",
        zh: "{role}有应答，但拒绝了 INFO：{error}。Ferry 通过 INFO 校验并跟踪迁移，请为该用户授予 +info",
    },
    CONNECT_ROLE_INFO_REFUSED = "check.connect.role_info_refused" {
        en: "the {role} refused INFO",
        zh: "{role}拒绝了 INFO",
    },

    // region
    REGION_PUBLIC = "check.region.public" {
        en: "a public-network migration does not depend on regions",
        zh: "外网实例迁移与地域无关",
    },
    REGION_SOURCE_MISSING = "check.region.source_missing" { en: "source region missing", zh: "缺少源端地域" },
    REGION_SOURCE_MISSING_HINT = "check.region.source_missing.hint" {
        en: "a cloud VM migration needs the source's region: enter the region the source VM runs in (it must be the target's region, \"{target}\")",
        zh: "CVM 自建实例迁移需要源端地域：请填写源端云服务器所在的地域（须与目标端地域“{target}”相同）",
    },
    REGION_TARGET_MISSING = "check.region.target_missing" { en: "target region missing", zh: "缺少目标端地域" },
    REGION_TARGET_MISSING_HINT = "check.region.target_missing.hint" {
        en: "the target instance has no region: set it on the instance",
        zh: "目标实例没有地域：请在实例上设置",
    },
    REGION_SAME = "check.region.same" {
        en: "the source VM and the target are in the same region",
        zh: "源端云服务器与目标端在同一地域",
    },
    REGION_CROSS = "check.region.cross" {
        en: "cross-region migration is not supported for a cloud VM source: source in {source}, target in {target}; create the target in {source} or use a public-network migration",
        zh: "源端为云服务器时不支持跨地域迁移：源端在 {source}，目标端在 {target}；请在 {source} 创建目标实例，或改用外网实例迁移",
    },

    // target.distinct
    DISTINCT_SAME = "check.distinct.same" {
        en: "the source and the target are the same Redis server (same run_id): choose another target",
        zh: "源端与目标端是同一个 Redis 服务器（run_id 相同）：请选择其他目标实例",
    },
    DISTINCT_IDS_DIFFER = "check.distinct.ids_differ" { en: "different run_ids", zh: "run_id 不同" },
    DISTINCT_DIFFERENT = "check.distinct.different" {
        en: "the source and the target are different servers",
        zh: "源端与目标端是不同的服务器",
    },

    // network.tls
    TLS_VALUE = "check.tls.value" { en: "source {source}, target {target}", zh: "源端 {source}，目标端 {target}" },
    TLS_MESSAGE = "check.tls.message" { en: "{source}; {target}", zh: "{source}；{target}" },
    TLS_VALUE_SSH = "check.tls.ssh" { en: "SSH tunnel", zh: "SSH 隧道" },
    TLS_VALUE_PLAIN = "check.tls.plain" { en: "plain TCP", zh: "明文 TCP" },
    TLS_VALUE_NOT_VERIFIED = "check.tls.not_verified" { en: "TLS, not verified", zh: "TLS（未校验证书）" },
    TLS_VIA_SSH = "check.tls.via_ssh" {
        en: "the {role} is reached through an SSH tunnel via {host}: encrypted up to that host, and from there in plain TCP on its network",
        zh: "{role}经由 {host} 的 SSH 隧道连接：到该主机为止是加密的，此后在其网络内以明文 TCP 传输",
    },
    TLS_PRIVATE = "check.tls.private" {
        en: "the {role} is on this machine or a private network ({host}): its data does not cross the public network",
        zh: "{role}位于本机或私有网络（{host}）：数据不经过公网",
    },
    TLS_PUBLIC = "check.tls.public" {
        en: "the {role}'s data may cross the public network unencrypted ({host}): use rediss:// if it takes TLS, or reach it through an SSH tunnel or a VPN",
        zh: "{role}的数据可能以明文经过公网（{host}）：如支持 TLS 请使用 rediss://，或通过 SSH 隧道或 VPN 连接",
    },
    TLS_NO_CERT = "check.tls.no_cert" {
        en: "the {role} speaks TLS but presented no certificate Ferry could read",
        zh: "{role}使用 TLS，但没有出示 Ferry 可读取的证书",
    },
    TLS_CERT_UNREADABLE = "check.tls.cert_unreadable" {
        en: "could not read the {role}'s certificate: {error}",
        zh: "无法读取{role}的证书：{error}",
    },
    TLS_CERT = "check.tls.cert" {
        en: "certificate {subject}, issued by {issuer}, valid until {until}",
        zh: "证书 {subject}（颁发者 {issuer}，有效期至 {until}）",
    },
    TLS_EXPIRED = "check.tls.expired" {
        en: "the {role}'s {cert} has expired: renew the certificate on the server",
        zh: "{role}的{cert}已过期：请在服务器上更新证书",
    },
    TLS_REFUSED = "check.tls.refused" {
        en: "the {role}'s {cert} is refused: {error}",
        zh: "{role}的{cert}未通过校验：{error}",
    },
    TLS_INSECURE = "check.tls.insecure" {
        en: "the {role}'s {cert} is not checked (the insecure option is on), so anyone on the way could pose as the server: give its CA instead",
        zh: "{role}的{cert}未经校验（开启了 insecure 选项），途中任何人都可以冒充该服务器：请改为提供其 CA",
    },
    TLS_OK = "check.tls.ok" { en: "the {role} speaks TLS: {cert}", zh: "{role}使用 TLS：{cert}" },

    // source.psync
    PSYNC_ALLOWED = "check.psync.allowed" { en: "allowed", zh: "允许" },
    PSYNC_DENIED = "check.psync.denied" { en: "denied", zh: "无权限" },
    PSYNC_REFUSED = "check.psync.refused" { en: "refused", zh: "被拒绝" },
    PSYNC_REPLCONF_ALLOWED = "check.psync.replconf_allowed" { en: "REPLCONF allowed", zh: "允许 REPLCONF" },
    PSYNC_MAY = "check.psync.may" {
        en: "the user {user} may run PSYNC and REPLCONF",
        zh: "用户 {user} 可以执行 PSYNC 和 REPLCONF",
    },
    PSYNC_MAY_NOT = "check.psync.may_not" {
        en: "the user {user} may not replicate: {reason}. Grant it the replication commands (ACL SETUSER {user} +psync +sync +replconf +ping) or use a user that has them",
        zh: "用户 {user} 无权复制：{reason}。请为其授予复制所需的命令（ACL SETUSER {user} +psync +sync +replconf +ping），或改用具备这些权限的用户",
    },
    PSYNC_SECOND_CONNECTION = "check.psync.second_connection" {
        en: "a second connection to the source failed: {error}",
        zh: "与源端建立第二个连接失败：{error}",
    },
    PSYNC_REPLCONF_ONLY = "check.psync.replconf_only" {
        en: "the user {user} may run REPLCONF; PSYNC itself can only be checked on Redis 7.0+ (ACL DRYRUN), so a refusal would show when the migration starts",
        zh: "用户 {user} 可以执行 REPLCONF；PSYNC 本身只能在 Redis 7.0 及以上版本（ACL DRYRUN）上检查，如被拒绝，会在迁移启动时显示",
    },
    PSYNC_NO_ACL = "check.psync.no_acl" {
        en: "the source has no ACLs (before Redis 6.0): a logged-in client may replicate",
        zh: "源端没有 ACL（Redis 6.0 之前）：已登录的客户端即可复制",
    },
    PSYNC_REPLCONF_REFUSED = "check.psync.replconf_refused" {
        en: "the source refused REPLCONF ({error}): replication may not start; check that REPLCONF, PSYNC and SYNC are not renamed or disabled",
        zh: "源端拒绝了 REPLCONF（{error}）：复制可能无法启动；请确认 REPLCONF、PSYNC 和 SYNC 没有被重命名或禁用",
    },

    // source.version, target.version
    VERSION_TOO_OLD = "check.version.too_old" {
        en: "Redis {version} is too old: Ferry migrates Redis 2.8 and later, and Valkey; upgrade the source first",
        zh: "Redis {version} 版本过低：Ferry 支持迁移 Redis 2.8 及以上版本和 Valkey；请先升级源端",
    },
    VERSION_SUPPORTED_OLD = "check.version.supported_old" {
        en: "Redis {version} is supported (Ferry migrates Redis 2.8 and later, 3.x included)",
        zh: "支持 Redis {version}（Ferry 支持迁移 Redis 2.8 及以上版本，包括 3.x）",
    },
    VERSION_SUPPORTED = "check.version.supported" { en: "{server} is supported", zh: "支持 {server}" },
    VERSION_RESTORE = "check.version.restore" {
        en: "the target reads the source's RDB {rdb}: values passed through with RESTORE",
        zh: "目标端可以读取源端的 RDB {rdb}：数据通过 RESTORE 原样写入",
    },
    VERSION_REWRITE = "check.version.rewrite" {
        en: "{target} cannot read the RDB {rdb} of {source}: values will be rewritten as commands; slower, and what commands cannot recreate (pending entries of deleted stream entries, consumers' seen times) is listed in the summary",
        zh: "{target} 无法读取 {source} 的 RDB {rdb}：数据将改写为命令写入，速度较慢；命令无法还原的内容（已删除 Stream 条目的待确认项、消费者的最近活动时间）会列在迁移摘要中",
    },

    // databases
    DATABASES_SOURCE_EMPTY = "check.databases.source_empty" { en: "source empty", zh: "源端为空" },
    DATABASES_NO_KEYS = "check.databases.no_keys" { en: "the source holds no keys", zh: "源端没有 Key" },
    DATABASES_CLUSTER_VALUE = "check.databases.cluster_value" {
        en: "source db {dbs}; the target is a cluster (db 0 only)",
        zh: "源端 db {dbs}；目标端为集群（仅 db 0）",
    },
    DATABASES_ALL_IN_DB0 = "check.databases.all_in_db0" {
        en: "every source db maps into db 0",
        zh: "源端的每个 db 都映射到 db 0",
    },
    DATABASES_CLUSTER_UNMAPPED = "check.databases.cluster_unmapped" {
        en: "the source has keys in db {dbs}, which a cluster cannot hold: map them into db 0 (--db-map {mapping})",
        zh: "源端在 db {dbs} 中有 Key，集群无法容纳：请将它们映射到 db 0（--db-map {mapping}）",
    },
    DATABASES_COUNT_VALUE = "check.databases.count_value" {
        en: "source db {dbs}; target has {count}",
        zh: "源端 db {dbs}；目标端共 {count} 个",
    },
    DATABASES_VALUE = "check.databases.value" { en: "source db {dbs}", zh: "源端 db {dbs}" },
    DATABASES_ALL_EXIST = "check.databases.all_exist" {
        en: "every source db exists on the target",
        zh: "源端的每个 db 在目标端都存在",
    },
    DATABASES_TOO_HIGH = "check.databases.too_high" {
        en: "the source has keys in db {db} but {limit}: raise `databases` on the target, or map db {db} to a lower one",
        zh: "源端在 db {db} 中有 Key，但{limit}：请调大目标端的 `databases`，或将 db {db} 映射到编号更小的 db",
    },
    DATABASES_ONLY = "check.databases.only" {
        en: "the target has only {count} (0 to {last})",
        zh: "目标端只有 {count} 个（0 到 {last}）",
    },
    DATABASES_NO_DB = "check.databases.no_db" {
        en: "the target has no db {db} ({error})",
        zh: "目标端没有 db {db}（{error}）",
    },
    DATABASES_BAD_SETTING = "check.databases.bad_setting" {
        en: "the target's databases setting is \"{setting}\"",
        zh: "目标端的 databases 参数值为“{setting}”",
    },
    DATABASES_HAS_HIGHEST = "check.databases.has_highest" {
        en: "the target has db {db}, the highest the source uses",
        zh: "目标端有 db {db}，即源端用到的最大编号",
    },
    DATABASES_SELECT_REFUSED = "check.databases.select_refused" {
        en: "the target refused SELECT {db}: {error}",
        zh: "目标端拒绝了 SELECT {db}：{error}",
    },

    // edition
    EDITION_VALUE = "check.edition.value" {
        en: "source {source} → target {target} ({edition})",
        zh: "源端{source} → 目标端{target}（{edition}）",
    },
    EDITION_STANDARD = "check.edition.standard" { en: "standard edition", zh: "标准版" },
    EDITION_CLUSTER = "check.edition.cluster" { en: "cluster edition", zh: "集群版" },
    EDITION_FROM_REPLICAS = "check.edition.from_replicas" {
        en: "each master's share is read from one of its replicas (where it has one), sparing the masters the fork and the replication buffers",
        zh: "每个主节点的数据从它的一个副本读取（有副本时），主节点无需 fork，也不占用复制缓冲区",
    },
    EDITION_FROM_MASTERS = "check.edition.from_masters" {
        en: "each master's share is read from the master itself: reading from its replicas instead (--from-replicas) spares the masters the fork and the replication buffers",
        zh: "每个主节点的数据从主节点本身读取：改为从副本读取（--from-replicas）可让主节点无需 fork，也不占用复制缓冲区",
    },
    EDITION_NOT_CLUSTER = "check.edition.not_cluster" {
        en: "the instance is registered as the cluster edition, but the target does not run in cluster mode: correct the instance's edition",
        zh: "实例登记为集群版，但目标端没有运行在集群模式：请更正实例的架构",
    },
    EDITION_IS_CLUSTER = "check.edition.is_cluster" {
        en: "the target runs in cluster mode: every key goes to the master of its slot, and every source db must map into db 0; register the instance as the cluster edition",
        zh: "目标端运行在集群模式：每个 Key 写入其槽位所在的主节点，源端的每个 db 都必须映射到 db 0；请将实例登记为集群版",
    },
    EDITION_CLUSTER_TO_CLUSTER = "check.edition.cluster_to_cluster" {
        en: "a cluster into a cluster: one replication stream per source master, every key to the target master of its slot; {reading}",
        zh: "集群迁移到集群：每个源端主节点一条复制流，每个 Key 写入其槽位所在的目标端主节点；{reading}",
    },
    EDITION_STANDALONE_TO_CLUSTER = "check.edition.standalone_to_cluster" {
        en: "a standalone source into a cluster: every key goes to the master of its slot",
        zh: "单机源端迁移到集群：每个 Key 写入其槽位所在的主节点",
    },
    EDITION_CLUSTER_TO_STANDALONE = "check.edition.cluster_to_standalone" {
        en: "a cluster into a standalone target: one replication stream per source master, all into db 0; {reading}",
        zh: "集群迁移到单机目标端：每个源端主节点一条复制流，全部写入 db 0；{reading}",
    },
    EDITION_STANDALONE_TO_STANDALONE = "check.edition.standalone_to_standalone" {
        en: "a standalone source into a standalone target",
        zh: "单机源端迁移到单机目标端",
    },

    // source.modules
    MODULES_UNLISTED = "check.modules.unlisted" {
        en: "{error}; if the source uses modules, the target needs the same ones",
        zh: "{error}；如果源端使用了模块，目标端也需要相同的模块",
    },
    MODULES_LIST_REFUSED = "check.modules.list_refused" {
        en: "MODULE LIST was refused: {error}",
        zh: "MODULE LIST 被拒绝：{error}",
    },
    MODULES_NONE = "check.modules.none" { en: "the source has no modules loaded", zh: "源端没有加载模块" },
    MODULES_TARGET_UNLISTED = "check.modules.target_unlisted" {
        en: "values of module types pass through only if the target has the same modules, and the target's could not be listed: {error}",
        zh: "只有目标端加载了相同的模块，模块类型的数据才能迁移，而目标端的模块无法列出：{error}",
    },
    MODULES_PRESENT = "check.modules.present" {
        en: "values of module types pass through only if the target has the same modules: the target has them; make sure their versions are the same or newer",
        zh: "只有目标端加载了相同的模块，模块类型的数据才能迁移：目标端已加载这些模块；请确认其版本相同或更新",
    },
    MODULES_MISSING = "check.modules.missing" {
        en: "the target lacks the module(s) {modules}: values of module types pass through only if the target has the same modules; load them on the target",
        zh: "目标端缺少模块 {modules}：只有目标端加载了相同的模块，模块类型的数据才能迁移；请在目标端加载这些模块",
    },

    // source.functions
    FUNCTIONS_BEFORE_7 = "check.functions.before_7" {
        en: "the source has no functions (they exist from Redis 7.0)",
        zh: "源端没有函数（函数从 Redis 7.0 起才有）",
    },
    FUNCTIONS_LIST_FAILED = "check.functions.list_failed" {
        en: "FUNCTION LIST: {error}",
        zh: "FUNCTION LIST 失败：{error}",
    },
    FUNCTIONS_NONE = "check.functions.none" { en: "the source has no function libraries", zh: "源端没有函数库" },
    FUNCTIONS_LIBRARY = "check.functions.library" { en: "{n} library", zh: "{n} 个函数库" },
    FUNCTIONS_LIBRARIES = "check.functions.libraries" { en: "{n} libraries", zh: "{n} 个函数库" },
    FUNCTIONS_COPIED = "check.functions.copied" {
        en: "function libraries are copied with the snapshot (FUNCTION LOAD REPLACE)",
        zh: "函数库随快照一起复制（FUNCTION LOAD REPLACE）",
    },
    FUNCTIONS_TARGET_OLD = "check.functions.target_old" {
        en: "the target cannot hold function libraries: it runs {target} and functions need Redis 7.0; upgrade the target, or delete unused libraries from the source",
        zh: "目标端无法容纳函数库：它运行的是 {target}，而函数需要 Redis 7.0；请升级目标端，或删除源端不用的函数库",
    },

    // target.empty
    EMPTY_YES = "check.empty.yes" { en: "the target is empty", zh: "目标端为空" },
    EMPTY_CLEAR_FIRST = "check.empty.clear_first" {
        en: "{keys} keys will be deleted: the target is flushed (FLUSHALL) before the full sync",
        zh: "将删除 {keys} 个 Key：全量同步前会清空目标端（FLUSHALL）",
    },
    EMPTY_OVERWRITE = "check.empty.overwrite" {
        en: "the target holds {keys} keys: existing keys with the same names will be replaced, the others stay",
        zh: "目标端已有 {keys} 个 Key：同名的 Key 将被覆盖，其余保留",
    },
    EMPTY_FAIL_ON_EXISTING = "check.empty.fail_on_existing" {
        en: "the target holds {keys} keys and the write mode is fail-on-existing: empty the target, or choose overwrite or clear-first",
        zh: "目标端已有 {keys} 个 Key，而写入模式为“存在即拒绝”：请清空目标端，或改选“覆盖”或“先清空目标实例”",
    },

    // target.memory
    MEMORY_NO_USED = "check.memory.no_used" {
        en: "the source's INFO memory has no used_memory",
        zh: "源端的 INFO memory 中没有 used_memory",
    },
    MEMORY_NEEDED = "check.memory.needed" { en: "{needed} needed", zh: "需要 {needed}" },
    MEMORY_CLUSTER = "check.memory.cluster" {
        en: "the target is a cluster: each master's memory is checked against its share (Cluster target)",
        zh: "目标端为集群：每个主节点的内存按其分担的数据检查（见“目标集群”）",
    },
    MEMORY_NO_LIMIT_SHOWN = "check.memory.no_limit_shown" {
        en: "the target shows its maxmemory neither in INFO nor CONFIG",
        zh: "目标端的 INFO 和 CONFIG 都没有给出 maxmemory",
    },
    MEMORY_UNLIMITED_VALUE = "check.memory.unlimited_value" {
        en: "{needed} needed, target unlimited",
        zh: "需要 {needed}，目标端不限",
    },
    MEMORY_UNLIMITED = "check.memory.unlimited" {
        en: "the target has no maxmemory limit: make sure its host has at least {wanted} of free memory",
        zh: "目标端没有设置 maxmemory 上限：请确认其主机至少有 {wanted} 空闲内存",
    },
    MEMORY_VALUE = "check.memory.value" {
        en: "{needed} needed, {free} free of {limit}",
        zh: "需要 {needed}，上限 {limit}，可用 {free}",
    },
    MEMORY_TOO_SMALL = "check.memory.too_small" {
        en: "the source uses {needed} but the target has only {free} free under its maxmemory: raise the target's maxmemory to at least {wanted}, or use a larger target",
        zh: "源端使用了 {needed}，但目标端在 maxmemory 之下只有 {free} 可用：请将目标端的 maxmemory 调大到至少 {wanted}，或使用更大的目标实例",
    },
    MEMORY_TIGHT = "check.memory.tight" {
        en: "the data fits with less than 20% to spare; writes during the migration and fragmentation may fill the target: raise its maxmemory to {wanted} or more",
        zh: "数据能放下，但余量不到 20%；迁移期间的写入和内存碎片可能占满目标端：请将其 maxmemory 调大到 {wanted} 或以上",
    },
    MEMORY_FITS = "check.memory.fits" {
        en: "the source's data fits in the target with room to spare",
        zh: "目标端能放下源端的数据，且有充足余量",
    },

    // target.eviction
    EVICTION_POLICY_UNKNOWN = "check.eviction.unknown" {
        en: "the target shows its maxmemory-policy neither in INFO nor CONFIG",
        zh: "目标端的 INFO 和 CONFIG 都没有给出 maxmemory-policy",
    },
    EVICTION_NEVER = "check.eviction.never" {
        en: "the target never evicts keys: a full target refuses writes instead, and the migration reports it",
        zh: "目标端从不淘汰 Key：内存满时拒绝写入，迁移会报告这一情况",
    },
    EVICTION_MAY_EVICT = "check.eviction.may_evict" {
        en: "the target may evict migrated keys under memory pressure; set maxmemory-policy noeviction for the migration",
        zh: "内存紧张时目标端可能淘汰已迁移的 Key；迁移期间请将 maxmemory-policy 设为 noeviction",
    },

    // source.ttl
    TTL_VALUE = "check.ttl.value" {
        en: "{expires} of {keys} keys have a TTL",
        zh: "{keys} 个 Key 中有 {expires} 个设置了过期时间",
    },
    TTL_ABSOLUTE = "check.ttl.absolute" {
        en: "TTLs are migrated as absolute expiry times, so the migration does not extend them; keys that expire before they are copied are skipped",
        zh: "过期时间按绝对时间迁移，迁移不会延长它们；在复制之前就已过期的 Key 会被跳过",
    },

    // rtt
    RTT_VALUE = "check.rtt.value" {
        en: "source {source}, target {target}; full sync {duration}",
        zh: "源端 {source}，目标端 {target}；全量同步{duration}",
    },
    RTT_APPROX = "check.rtt.approx" { en: "≈ {duration}", zh: "约 {duration}" },
    RTT_ABOUT = "check.rtt.about" { en: "about {duration}", zh: "约 {duration}" },
    RTT_ESTIMATE = "check.rtt.estimate" {
        en: "the full sync should take {duration}: an estimate from the source's {used} at ~100 MB/s with RESTORE; the real time depends on the network, the value types, and the target's load",
        zh: "全量同步预计耗时{duration}：按源端 {used} 数据、RESTORE 约 100 MB/s 估算；实际耗时取决于网络、数据类型和目标端负载",
    },
    RTT_SLOW = "check.rtt.slow" {
        en: "a round trip over 50 ms makes the sync slower (the writer waits on the target, the source on acknowledgements): run Ferry close to the target, and the source close to both if you can. {estimate}",
        zh: "往返时延超过 50 ms 会拖慢同步（写入等待目标端，源端等待确认）：请让 Ferry 靠近目标端运行，并尽量让源端靠近两者。{estimate}",
    },

    // target.cluster
    CLUSTER_STANDALONE = "check.cluster.standalone" {
        en: "the target is one server, not a cluster",
        zh: "目标端是单个服务器，不是集群",
    },
    CLUSTER_UNCOVERED = "check.cluster.uncovered" { en: "slots not served", zh: "有槽位无人负责" },
    CLUSTER_MASTER_DOWN = "check.cluster.master_down" {
        en: "the master {master} does not answer ({error})",
        zh: "主节点 {master} 没有应答（{error}）",
    },
    CLUSTER_MASTER_NO_INFO = "check.cluster.master_no_info" {
        en: "the master {master} does not answer INFO",
        zh: "主节点 {master} 没有应答 INFO",
    },
    CLUSTER_NO_MAXMEMORY = "check.cluster.no_maxmemory" { en: "no maxmemory", zh: "未设置 maxmemory" },
    CLUSTER_ROOM = "check.cluster.room" { en: "{free} free of {limit}", zh: "上限 {limit}，可用 {free}" },
    CLUSTER_MASTER_LINE = "check.cluster.master_line" {
        en: "{master}: {server}, {slots} slots, {keys} keys, {room}",
        zh: "{master}：{server}，{slots} 个槽位，{keys} 个 Key，{room}",
    },
    CLUSTER_MASTER_SMALL = "check.cluster.master_small" {
        en: "the master {master} serves {slots} slots, about {share} of the source, but has {free} free: raise its maxmemory or move slots to other masters",
        zh: "主节点 {master} 负责 {slots} 个槽位，约承载源端 {share} 数据，但只有 {free} 可用：请调大其 maxmemory，或将槽位迁移到其他主节点",
    },
    CLUSTER_MASTER_TIGHT = "check.cluster.master_tight" {
        en: "the master {master} has {free} free for about {share} of the source: little room for keys that do not spread evenly",
        zh: "主节点 {master} 可用 {free}，约需承载源端 {share} 数据：Key 分布不均时余量很小",
    },
    CLUSTER_VERSIONS = "check.cluster.versions" {
        en: "the masters run different versions ({versions}): values are written for the oldest",
        zh: "各主节点的版本不同（{versions}）：数据按最旧的版本写入",
    },
    CLUSTER_CROSS_SLOT = "check.cluster.cross_slot" {
        en: "since it started, the source has run {commands}: on keys in different slots (no common hash tag), a cluster target cannot take them and the migration stops, naming the command",
        zh: "源端自启动以来执行过 {commands}：如果它们操作的 Key 位于不同槽位（没有共同的 hash tag），集群目标端无法执行，迁移会停止并指出该命令",
    },
    CLUSTER_VALUE = "check.cluster.value" {
        en: "{masters} masters, all {slots} slots served",
        zh: "{masters} 个主节点，{slots} 个槽位全部有节点负责",
    },
    CLUSTER_PROBLEMS = "check.cluster.problems" { en: "{problems} ({details})", zh: "{problems}（{details}）" },
    CLUSTER_OK = "check.cluster.ok" {
        en: "every master can take its share: {details}",
        zh: "每个主节点都能承载其分担的数据：{details}",
    },

    // filter.commands
    FILTER_NONE = "check.filter.none" { en: "no filter", zh: "无过滤条件" },
    FILTER_WHOLE = "check.filter.whole" {
        en: "the whole source is migrated, so every command applies as it is",
        zh: "迁移整个源端，所有命令都按原样执行",
    },
    FILTER_NONE_SEEN = "check.filter.none_seen" { en: "none seen", zh: "未发现" },
    FILTER_CLEAN = "check.filter.clean" {
        en: "since it started, the source has run no command that the filter cannot apply faithfully",
        zh: "源端自启动以来没有执行过过滤条件无法如实处理的命令",
    },
    FILTER_SEEN = "check.filter.seen" { en: "{n} seen", zh: "发现 {n} 个" },
    FILTER_STOPPING = "check.filter.stopping" {
        en: "since it started, the source has run {stopping}, which stop the migration under this filter. If they run during the migration, change the filter (or pause them) and start it again",
        zh: "源端自启动以来执行过 {stopping}，在此过滤条件下它们会使迁移停止。如果迁移期间执行了这些命令，请修改过滤条件（或暂停这些命令）后重新启动迁移",
    },
    FILTER_MIXING = "check.filter.mixing" {
        en: "since it started, the source has run {mixing}, which stop it when their keys mix migrated and left-out ones. If they run during the migration, change the filter (or pause them) and start it again",
        zh: "源端自启动以来执行过 {mixing}，当它们操作的 Key 既有迁移的也有未迁移的时，迁移会停止。如果迁移期间执行了这些命令，请修改过滤条件（或暂停这些命令）后重新启动迁移",
    },
    FILTER_BOTH = "check.filter.both" {
        en: "since it started, the source has run {stopping}, which stop the migration under this filter; and {mixing}, which stop it when their keys mix migrated and left-out ones. If they run during the migration, change the filter (or pause them) and start it again",
        zh: "源端自启动以来执行过 {stopping}，在此过滤条件下它们会使迁移停止；还执行过 {mixing}，当它们操作的 Key 既有迁移的也有未迁移的时，迁移会停止。如果迁移期间执行了这些命令，请修改过滤条件（或暂停这些命令）后重新启动迁移",
    },

    // source.bigkeys
    BIGKEYS_ALL = "check.bigkeys.all" { en: "all {n} keys looked at", zh: "已检查全部 {n} 个 Key" },
    BIGKEYS_CAPPED = "check.bigkeys.capped" {
        en: "{n} of {total} keys sampled (at most {max} are)",
        zh: "从 {total} 个 Key 中抽样 {n} 个（最多抽样 {max} 个）",
    },
    BIGKEYS_BUDGET = "check.bigkeys.budget" {
        en: "{n} of {total} keys sampled within the {budget} budget",
        zh: "在 {budget} 的时限内从 {total} 个 Key 中抽样 {n} 个",
    },
    BIGKEYS_ERROR = "check.bigkeys.error" {
        en: "{n} of {total} keys sampled before an error: {error}",
        zh: "出错前从 {total} 个 Key 中抽样了 {n} 个：{error}",
    },
    BIGKEYS_VALUE = "check.bigkeys.value" { en: "{n} keys sampled, {big} big", zh: "抽样 {n} 个 Key，{big} 个大 Key" },
    BIGKEYS_NONE = "check.bigkeys.none" {
        en: "no key over {bytes} or {elements} elements ({coverage})",
        zh: "没有超过 {bytes} 或 {elements} 个元素的 Key（{coverage}）",
    },
    BIGKEYS_FOUND = "check.bigkeys.found" {
        en: "big keys are written in batches; they slow the full sync and may raise the target's latency: {keys} ({coverage})",
        zh: "大 Key 会分批写入，会拖慢全量同步，并可能增加目标端的延迟：{keys}（{coverage}）",
    },
    BIGKEYS_MORE = "check.bigkeys.more" { en: "and {n} more", zh: "另有 {n} 个" },
    BIGKEYS_IN_DB = "check.bigkeys.in_db" { en: "db {db}: {key}", zh: "db {db} 中的 {key}" },
    BIGKEYS_ELEMENTS = "check.bigkeys.elements" { en: "{n} elements", zh: "{n} 个元素" },
    BIGKEYS_KEY = "check.bigkeys.key" { en: "{key} ({kind})", zh: "{key}（{kind}）" },
    BIGKEYS_KEY_WITH = "check.bigkeys.key_with" { en: "{key} ({kind}, {a})", zh: "{key}（{kind}，{a}）" },
    BIGKEYS_KEY_WITH_BOTH = "check.bigkeys.key_with_both" {
        en: "{key} ({kind}, {a}, {b})",
        zh: "{key}（{kind}，{a}，{b}）",
    },

    // source.config
    CONFIG_UNAVAILABLE = "check.config.unavailable" { en: "CONFIG unavailable", zh: "CONFIG 不可用" },
    CONFIG_REFUSED = "check.config.refused" {
        en: "CONFIG is not available on the source (renamed or forbidden: {error}): the migration parameters cannot be set; make sure client-output-buffer-limit for replicas and repl-backlog-size are large enough, or the sync may restart",
        zh: "源端的 CONFIG 不可用（被重命名或禁止：{error}）：无法设置迁移参数；请确认副本的 client-output-buffer-limit 和 repl-backlog-size 足够大，否则同步可能反复重启",
    },
    CONFIG_SET_DENIED = "check.config.set_denied" {
        en: "the user {user} may read but not change the parameters ({reason}): grant it +config|set, or make sure by hand that these are large enough: {plan}",
        zh: "用户 {user} 可以读取但不能修改参数（{reason}）：请为其授予 +config|set，或手动确认以下参数足够大：{plan}",
    },
    CONFIG_PLANNED = "check.config.planned" {
        en: "the migration sets {plan} while it runs, and puts the current values back when it ends",
        zh: "迁移运行期间会设置以下参数，结束后恢复当前值：{plan}",
    },
    CONFIG_OUTPUT_BUFFER = "check.config.output_buffer" {
        en: "replica output buffer {hard} hard, {soft} soft for {secs} s",
        zh: "副本输出缓冲区硬限制 {hard}、软限制 {soft}（持续 {secs} 秒）",
    },
    CONFIG_SECONDS = "check.config.seconds" { en: "{name} {value} s", zh: "{name} {value} 秒" },
}
