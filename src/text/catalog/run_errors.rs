//! Errors of the migration itself (replication, RDB, writer, pipeline, runner, console): what went
//! wrong and what to do, in both languages; and the console's other sentences (the sandbox, the
//! verify's differences).
//!
//! Codes are `error.<area>.<what>` (`error.rdb.truncated`); the parts a sentence is built from (what
//! an RDB length was read for, the word for a phase) have codes of their own under their sentence's
//! area, so that each language builds the sentence its own way.

use super::entries;

entries! {
    // ---- The RDB reader (RdbError) --------------------------------------------------------------
    RDB_IO = "error.rdb.io" { en: "reading the RDB failed: {error}", zh: "读取 RDB 失败：{error}" },
    RDB_TRUNCATED = "error.rdb.truncated" {
        en: "the RDB is truncated at byte {offset} of the stream: the source closed the connection or the file is incomplete; run the migration again",
        zh: "RDB 在数据流的第 {offset} 字节处被截断：源实例关闭了连接，或文件不完整；请重新运行迁移",
    },
    RDB_BAD_MAGIC = "error.rdb.bad_magic" {
        en: "the data is not an RDB: it starts with {found} instead of REDIS or VALKEY and a version number; check that the source is a Redis or Valkey server (or an RDB file)",
        zh: "数据不是 RDB：开头是 {found}，而不是 REDIS 或 VALKEY 加版本号；请确认源实例是 Redis 或 Valkey 服务器（或 RDB 文件）",
    },
    RDB_UNSUPPORTED_VERSION = "error.rdb.unsupported_version" {
        en: "the RDB has format version {version} ({magic}), which ferry cannot read: it reads Redis RDB versions 6 to 12 (Redis 2.6 to 8.0, Valkey 7 and 8) and Valkey RDB 80 (Valkey 9.0); upgrade ferry if the source is newer, or upgrade the source if it is older",
        zh: "RDB 的格式版本为 {version}（{magic}），ferry 无法读取：ferry 能读取 Redis RDB 版本 6 到 12（Redis 2.6 到 8.0，Valkey 7 和 8）以及 Valkey RDB 80（Valkey 9.0）；源实例较新时请升级 ferry，较旧时请升级源实例",
    },
    RDB_CHECKSUM = "error.rdb.checksum" {
        en: "the RDB checksum does not match at byte {offset}: the file says {stored} but its content hashes to {computed}; the RDB was damaged in transit or on disk; run the migration again",
        zh: "RDB 校验和在第 {offset} 字节处不一致：文件中记录的是 {stored}，内容计算得到的却是 {computed}；RDB 在传输中或磁盘上已损坏；请重新运行迁移",
    },
    RDB_TOO_LARGE = "error.rdb.too_large" {
        en: "the RDB claims a {what} of {len} at byte {offset}, more than the {limit} ferry accepts: the RDB is corrupt; run the migration again, and if it happens again check the source's RDB with redis-check-rdb",
        zh: "RDB 在第 {offset} 字节处声明{what}为 {len}，超过 ferry 接受的上限 {limit}：RDB 已损坏；请重新运行迁移，如再次出现，请用 redis-check-rdb 检查源实例的 RDB",
    },
    RDB_UNKNOWN_TYPE = "error.rdb.unknown_type" {
        en: "unknown RDB type or opcode {byte} at byte {offset} (RDB version {version}): the RDB holds data ferry does not know, or is corrupt; upgrade ferry, or check the RDB with redis-check-rdb",
        zh: "第 {offset} 字节处是未知的 RDB 类型或操作码 {byte}（RDB 版本 {version}）：RDB 含有 ferry 不认识的数据，或已损坏；请升级 ferry，或用 redis-check-rdb 检查该 RDB",
    },
    RDB_CORRUPT = "error.rdb.corrupt" {
        en: "the RDB is corrupt at byte {offset}: {what}; run the migration again, and if it happens again check the source's RDB with redis-check-rdb",
        zh: "RDB 在第 {offset} 字节处已损坏：{what}；请重新运行迁移，如再次出现，请用 redis-check-rdb 检查源实例的 RDB",
    },
    RDB_MODULE_VALUE = "error.rdb.module_value" {
        en: "key {key} holds a value of module type '{module}' (at byte {offset}), which ferry cannot decode: {hint}",
        zh: "key {key} 的值属于模块类型“{module}”（第 {offset} 字节处），ferry 无法解码：{hint}",
    },
    RDB_UNSUPPORTED = "error.rdb.unsupported" {
        en: "the RDB uses {what} (at byte {offset}), which ferry does not support: {hint}",
        zh: "RDB 使用了{what}（第 {offset} 字节处），ferry 不支持：{hint}",
    },
    RDB_FAILED = "error.rdb.failed" {
        en: "the RDB reader already failed on an earlier error and cannot continue",
        zh: "RDB 读取器此前已因错误而失败，无法继续",
    },

    // What to do about a value or a format ferry cannot read.
    RDB_HINT_MODULE_PRE_GA = "error.rdb.hint.module_pre_ga" {
        en: "it was written by a Redis 4.0 release candidate and cannot be skipped; load the RDB in a current Redis with the module first, or delete the key on the source",
        zh: "该值由 Redis 4.0 的候选版本写入，无法跳过；请先在装有该模块的新版 Redis 中加载此 RDB，或在源实例上删除该 key",
    },
    RDB_HINT_MODULE = "error.rdb.hint.module" {
        en: "migrate in passthrough mode with the module loaded on the target, or delete the key on the source",
        zh: "请在目标实例加载该模块后以 passthrough 模式迁移，或在源实例上删除该 key",
    },
    RDB_FUNCTION_PRE_GA = "error.rdb.function_pre_ga" {
        en: "the function library format of Redis 7.0 release candidates",
        zh: "Redis 7.0 候选版本的函数库格式",
    },
    RDB_HINT_FUNCTION_PRE_GA = "error.rdb.hint.function_pre_ga" {
        en: "upgrade the source to a Redis 7.0 GA release (or newer), or remove its functions (FUNCTION FLUSH) and load them on the target yourself",
        zh: "请将源实例升级到 Redis 7.0 正式版（或更新版本），或删除其函数（FUNCTION FLUSH）后自行在目标实例上加载",
    },

    // What is corrupt (the {what} of error.rdb.corrupt).
    RDB_LENGTH_IS_STRING = "error.rdb.corrupt.length_is_string" {
        en: "expected the {what} as a length, found a string encoding marker ({enc})",
        zh: "{what}应为长度，读到的却是字符串编码标记（{enc}）",
    },
    RDB_BAD_LENGTH_BYTE = "error.rdb.corrupt.length_byte" {
        en: "invalid length byte {byte} for the {what}",
        zh: "{what}的长度字节 {byte} 无效",
    },
    RDB_UNKNOWN_STRING_ENCODING = "error.rdb.corrupt.string_encoding" {
        en: "unknown string encoding {enc} for the {what}",
        zh: "{what}的字符串编码 {enc} 未知",
    },
    RDB_BAD_LZF = "error.rdb.corrupt.lzf" { en: "invalid LZF-compressed {what}: {error}", zh: "LZF 压缩的{what}无效：{error}" },
    RDB_BLOB = "error.rdb.corrupt.blob" { en: "invalid {blob}: {what}", zh: "无效的 {blob}：{what}" },
    RDB_BLOB_AT = "error.rdb.corrupt.blob_at" {
        en: "invalid {blob}: {what} (byte {at} of the {blob})",
        zh: "无效的 {blob}：{what}（{blob} 的第 {at} 字节）",
    },
    RDB_QUICKLIST_CONTAINER = "error.rdb.corrupt.quicklist_container" {
        en: "unknown quicklist node container {container}",
        zh: "未知的 quicklist 节点容器 {container}",
    },
    RDB_QUICKLIST_EMPTY = "error.rdb.corrupt.quicklist_empty" { en: "empty quicklist node", zh: "quicklist 节点为空" },
    RDB_HASH_TTL_RANGE = "error.rdb.corrupt.hash_ttl_range" {
        en: "hash field TTL {ttl} is out of range",
        zh: "哈希字段 TTL {ttl} 超出范围",
    },
    RDB_HASH_TTL_OVERFLOW = "error.rdb.corrupt.hash_ttl_overflow" { en: "hash field TTL overflows", zh: "哈希字段 TTL 溢出" },
    RDB_HASH_EXPIRY_INVALID = "error.rdb.corrupt.hash_expiry" {
        en: "hash field expiry {expiry} is invalid",
        zh: "哈希字段的过期时间 {expiry} 无效",
    },
    RDB_MODULE_OPCODE = "error.rdb.corrupt.module_opcode" {
        en: "unknown opcode {op} in a value of module '{module}'",
        zh: "模块“{module}”的值中有未知操作码 {op}",
    },
    RDB_MODULE_AUX_WHEN = "error.rdb.corrupt.module_aux_when" {
        en: "module AUX data of '{module}' has 'when' opcode {opcode} instead of 2",
        zh: "模块“{module}”的 AUX 数据中 when 操作码为 {opcode}，而不是 2",
    },
    RDB_STREAM_LISTPACK_AT = "error.rdb.corrupt.stream_listpack" {
        en: "stream listpack: {what} (byte {at} of the listpack)",
        zh: "stream 的 listpack：{what}（listpack 的第 {at} 字节）",
    },
    RDB_STREAM_LISTPACK_INVALID = "error.rdb.corrupt.stream_listpack_invalid" {
        en: "invalid stream listpack: {what} (byte {at} of the listpack)",
        zh: "无效的 stream listpack：{what}（listpack 的第 {at} 字节）",
    },
    RDB_STREAM_NODE_KEY = "error.rdb.corrupt.stream_node_key" {
        en: "stream node key is {len} bytes instead of 16",
        zh: "stream 节点 key 长 {len} 字节，而不是 16 字节",
    },
    RDB_PEL_NOT_IN_GROUP = "error.rdb.corrupt.pel_not_in_group" {
        en: "consumer PEL entry {id} is not in its group's PEL",
        zh: "消费者 PEL 中的条目 {id} 不在其消费组的 PEL 中",
    },
    RDB_INTERNAL_NOT_COLLECTION = "error.rdb.internal.not_collection" {
        en: "internal: {kind} is not a collection",
        zh: "内部错误：{kind} 不是集合类型",
    },
    RDB_INTERNAL_QUICKLIST = "error.rdb.internal.quicklist" {
        en: "internal: quicklist into a non-list",
        zh: "内部错误：quicklist 被解码到非列表的值中",
    },
    RDB_INTERNAL_STREAM = "error.rdb.internal.stream" {
        en: "internal: stream into a non-stream",
        zh: "内部错误：stream 被解码到非 stream 的值中",
    },
    RDB_INTERNAL_NO_DECODER = "error.rdb.internal.no_decoder" {
        en: "internal: no sequence decoder for {kind}",
        zh: "内部错误：{kind} 没有序列解码器",
    },
    RDB_INTERNAL_PRE_GA = "error.rdb.internal.pre_ga" {
        en: "internal: pre-GA module values cannot be walked",
        zh: "内部错误：无法遍历 GA 之前版本的模块值",
    },

    // What is wrong inside an encoded value (the {what} of error.rdb.corrupt.blob*).
    RDB_BLOB_ODD = "error.rdb.blob.odd" {
        en: "the last element is incomplete (odd number of items)",
        zh: "最后一个元素不完整（元素个数为奇数）",
    },
    RDB_BLOB_ZSET_SCORE = "error.rdb.blob.zset_score" { en: "zset score is not a number", zh: "有序集合的分数不是数字" },
    RDB_BLOB_HASH_TTL = "error.rdb.blob.hash_ttl" {
        en: "hash field TTL is not a positive integer",
        zh: "哈希字段 TTL 不是正整数",
    },
    RDB_BLOB_INTERNAL = "error.rdb.blob.internal" {
        en: "internal: blob decoded into a string or stream",
        zh: "内部错误：编码值被解码为字符串或 stream",
    },
    RDB_BLOB_ZIPLIST_SHORT = "error.rdb.blob.ziplist_short" {
        en: "ziplist shorter than its header",
        zh: "ziplist 比其头部还短",
    },
    RDB_BLOB_ZIPLIST_SIZE = "error.rdb.blob.ziplist_size" {
        en: "ziplist size header does not match its length",
        zh: "ziplist 头部记录的大小与实际长度不符",
    },
    RDB_BLOB_ZIPLIST_NO_END = "error.rdb.blob.ziplist_no_end" {
        en: "ziplist does not end with the end marker",
        zh: "ziplist 没有以结束标记结尾",
    },
    RDB_BLOB_ZIPLIST_EARLY_END = "error.rdb.blob.ziplist_early_end" {
        en: "ziplist end marker before the end of the blob",
        zh: "ziplist 的结束标记出现在编码值结束之前",
    },
    RDB_BLOB_ZIPLIST_ENTRY = "error.rdb.blob.ziplist_entry" {
        en: "ziplist entry runs past the end",
        zh: "ziplist 条目超出了结尾",
    },
    RDB_BLOB_ZIPLIST_STRING = "error.rdb.blob.ziplist_string" {
        en: "ziplist string runs past the end",
        zh: "ziplist 字符串超出了结尾",
    },
    RDB_BLOB_ZIPLIST_INTEGER = "error.rdb.blob.ziplist_integer" {
        en: "ziplist integer runs past the end",
        zh: "ziplist 整数超出了结尾",
    },
    RDB_BLOB_ZIPLIST_ENCODING = "error.rdb.blob.ziplist_encoding" {
        en: "invalid ziplist entry encoding",
        zh: "ziplist 条目的编码无效",
    },
    RDB_BLOB_LISTPACK_SHORT = "error.rdb.blob.listpack_short" {
        en: "listpack shorter than its header",
        zh: "listpack 比其头部还短",
    },
    RDB_BLOB_LISTPACK_SIZE = "error.rdb.blob.listpack_size" {
        en: "listpack size header does not match its length",
        zh: "listpack 头部记录的大小与实际长度不符",
    },
    RDB_BLOB_LISTPACK_NO_END = "error.rdb.blob.listpack_no_end" {
        en: "listpack does not end with the end marker",
        zh: "listpack 没有以结束标记结尾",
    },
    RDB_BLOB_LISTPACK_EARLY_END = "error.rdb.blob.listpack_early_end" {
        en: "listpack end marker before the end of the blob",
        zh: "listpack 的结束标记出现在编码值结束之前",
    },
    RDB_BLOB_LISTPACK_ENTRY = "error.rdb.blob.listpack_entry" {
        en: "listpack entry runs past the end",
        zh: "listpack 条目超出了结尾",
    },
    RDB_BLOB_LISTPACK_ENCODING = "error.rdb.blob.listpack_encoding" {
        en: "invalid listpack entry encoding",
        zh: "listpack 条目的编码无效",
    },
    RDB_BLOB_LISTPACK_BACKLEN = "error.rdb.blob.listpack_backlen" {
        en: "listpack entry back-length does not match the entry",
        zh: "listpack 条目的反向长度与条目不符",
    },
    RDB_BLOB_INTSET_SHORT = "error.rdb.blob.intset_short" {
        en: "intset shorter than its header",
        zh: "intset 比其头部还短",
    },
    RDB_BLOB_INTSET_WIDTH = "error.rdb.blob.intset_width" {
        en: "invalid intset encoding width",
        zh: "intset 的编码宽度无效",
    },
    RDB_BLOB_INTSET_COUNT = "error.rdb.blob.intset_count" {
        en: "intset count does not match its length",
        zh: "intset 的元素个数与长度不符",
    },
    RDB_BLOB_ZIPMAP_NO_END = "error.rdb.blob.zipmap_no_end" {
        en: "zipmap does not end with the end marker",
        zh: "zipmap 没有以结束标记结尾",
    },
    RDB_BLOB_ZIPMAP_EARLY_END = "error.rdb.blob.zipmap_early_end" {
        en: "zipmap end marker before the end of the blob",
        zh: "zipmap 的结束标记出现在编码值结束之前",
    },
    RDB_BLOB_ZIPMAP_ENTRY = "error.rdb.blob.zipmap_entry" {
        en: "zipmap entry runs past the end",
        zh: "zipmap 条目超出了结尾",
    },
    RDB_BLOB_ZIPMAP_CUT = "error.rdb.blob.zipmap_cut" {
        en: "zipmap ends in the middle of an entry",
        zh: "zipmap 在一个条目中间结束",
    },
    RDB_BLOB_STREAM_CUT = "error.rdb.blob.stream_cut" {
        en: "stream entry cut short by the end of the listpack",
        zh: "stream 条目被 listpack 的结尾截断",
    },
    RDB_BLOB_STREAM_HEADER = "error.rdb.blob.stream_header" {
        en: "stream entry header is not an integer",
        zh: "stream 条目头不是整数",
    },
    RDB_BLOB_STREAM_NEGATIVE = "error.rdb.blob.stream_negative" {
        en: "negative count in a stream entry",
        zh: "stream 条目中的计数为负数",
    },
    RDB_BLOB_STREAM_EMPTY = "error.rdb.blob.stream_empty" {
        en: "empty listpack inside a stream",
        zh: "stream 中有空的 listpack",
    },
    RDB_BLOB_STREAM_MASTER = "error.rdb.blob.stream_master" {
        en: "stream master entry is not terminated by 0",
        zh: "stream 主条目没有以 0 结尾",
    },

    // Encoded values that are described rather than named (the {blob} of error.rdb.corrupt.blob*;
    // the others are Redis's own names: ziplist, listpack, intset, zipmap).
    RDB_BLOB_QUICKLIST_LISTPACK = "error.rdb.blob.kind.quicklist_listpack" {
        en: "quicklist listpack node",
        zh: "quicklist 的 listpack 节点",
    },
    RDB_BLOB_QUICKLIST_ZIPLIST = "error.rdb.blob.kind.quicklist_ziplist" {
        en: "quicklist ziplist node",
        zh: "quicklist 的 ziplist 节点",
    },
    RDB_BLOB_PLAIN_NODE = "error.rdb.blob.kind.plain_node" { en: "plain list node", zh: "普通列表节点" },

    // LZF (the {error} of error.rdb.corrupt.lzf).
    LZF_INPUT_TRUNCATED = "error.rdb.lzf.input_truncated" {
        en: "the compressed data ends in the middle of a token",
        zh: "压缩数据在一个标记的中间结束",
    },
    LZF_OUTPUT_OVERFLOW = "error.rdb.lzf.output_overflow" {
        en: "the data expands past its announced length",
        zh: "解压后的数据超出了声明的长度",
    },
    LZF_BAD_BACK_REFERENCE = "error.rdb.lzf.back_reference" {
        en: "a back reference points before the start of the data",
        zh: "回溯引用指向了数据开头之前",
    },
    LZF_OUTPUT_SHORT = "error.rdb.lzf.output_short" {
        en: "the data expands to only {produced} bytes",
        zh: "解压后只有 {produced} 字节",
    },

    // What a length or string was read for (the {what} of the sentences above).
    RDB_ITEM_KEY = "error.rdb.item.key" { en: "key", zh: "key 名" },
    RDB_ITEM_VALUE = "error.rdb.item.value" { en: "value", zh: "值" },
    RDB_ITEM_STRING_VALUE = "error.rdb.item.string_value" { en: "string value", zh: "字符串值" },
    RDB_ITEM_ENCODED_VALUE = "error.rdb.item.encoded_value" { en: "encoded value", zh: "编码值" },
    RDB_ITEM_ELEMENT = "error.rdb.item.element" { en: "element", zh: "元素" },
    RDB_ITEM_LIST_ELEMENT = "error.rdb.item.list_element" { en: "list element", zh: "列表元素" },
    RDB_ITEM_SET_MEMBER = "error.rdb.item.set_member" { en: "set member", zh: "集合成员" },
    RDB_ITEM_ZSET_MEMBER = "error.rdb.item.zset_member" { en: "zset member", zh: "有序集合成员" },
    RDB_ITEM_ZSET_LENGTH = "error.rdb.item.zset_length" { en: "zset length", zh: "有序集合长度" },
    RDB_ITEM_HASH_FIELD = "error.rdb.item.hash_field" { en: "hash field", zh: "哈希字段" },
    RDB_ITEM_HASH_VALUE = "error.rdb.item.hash_value" { en: "hash value", zh: "哈希值" },
    RDB_ITEM_HASH_LENGTH = "error.rdb.item.hash_length" { en: "hash length", zh: "哈希长度" },
    RDB_ITEM_HASH_FIELD_TTL = "error.rdb.item.hash_field_ttl" { en: "hash field TTL", zh: "哈希字段 TTL" },
    RDB_ITEM_COLLECTION_LENGTH = "error.rdb.item.collection_length" { en: "collection length", zh: "集合类型的长度" },
    RDB_ITEM_QUICKLIST_NODE = "error.rdb.item.quicklist_node" { en: "quicklist node", zh: "quicklist 节点" },
    RDB_ITEM_QUICKLIST_NODE_COUNT = "error.rdb.item.quicklist_node_count" {
        en: "quicklist node count",
        zh: "quicklist 节点数",
    },
    RDB_ITEM_QUICKLIST_NODE_CONTAINER = "error.rdb.item.quicklist_node_container" {
        en: "quicklist node container",
        zh: "quicklist 节点容器",
    },
    RDB_ITEM_STREAM_ID = "error.rdb.item.stream_id" { en: "stream id", zh: "stream 条目 ID" },
    RDB_ITEM_STREAM_LENGTH = "error.rdb.item.stream_length" { en: "stream length", zh: "stream 长度" },
    RDB_ITEM_STREAM_METADATA = "error.rdb.item.stream_metadata" { en: "stream metadata", zh: "stream 元数据" },
    RDB_ITEM_STREAM_NODE_COUNT = "error.rdb.item.stream_node_count" { en: "stream node count", zh: "stream 节点数" },
    RDB_ITEM_STREAM_NODE_KEY = "error.rdb.item.stream_node_key" { en: "stream node key", zh: "stream 节点 key" },
    RDB_ITEM_STREAM_LISTPACK = "error.rdb.item.stream_listpack" { en: "stream listpack", zh: "stream 的 listpack" },
    RDB_ITEM_STREAM_ENTRIES_ADDED = "error.rdb.item.stream_entries_added" {
        en: "stream entries-added counter",
        zh: "stream 的 entries-added 计数",
    },
    RDB_ITEM_STREAM_GROUP_COUNT = "error.rdb.item.stream_group_count" {
        en: "stream consumer group count",
        zh: "stream 的消费组数",
    },
    RDB_ITEM_GROUP_NAME = "error.rdb.item.group_name" { en: "consumer group name", zh: "消费组名称" },
    RDB_ITEM_GROUP_ENTRIES_READ = "error.rdb.item.group_entries_read" {
        en: "consumer group entries-read counter",
        zh: "消费组的 entries-read 计数",
    },
    RDB_ITEM_GROUP_PEL_SIZE = "error.rdb.item.group_pel_size" { en: "consumer group PEL size", zh: "消费组的 PEL 大小" },
    RDB_ITEM_PEL_DELIVERY_COUNT = "error.rdb.item.pel_delivery_count" { en: "PEL delivery count", zh: "PEL 投递次数" },
    RDB_ITEM_CONSUMER_COUNT = "error.rdb.item.consumer_count" { en: "consumer count", zh: "消费者数" },
    RDB_ITEM_CONSUMER_NAME = "error.rdb.item.consumer_name" { en: "consumer name", zh: "消费者名称" },
    RDB_ITEM_CONSUMER_PEL_SIZE = "error.rdb.item.consumer_pel_size" { en: "consumer PEL size", zh: "消费者的 PEL 大小" },
    RDB_ITEM_MODULE_ID = "error.rdb.item.module_id" { en: "module id", zh: "模块 ID" },
    RDB_ITEM_MODULE_OPCODE = "error.rdb.item.module_opcode" { en: "module value opcode", zh: "模块值的操作码" },
    RDB_ITEM_MODULE_STRING = "error.rdb.item.module_string" { en: "module string", zh: "模块字符串" },
    RDB_ITEM_MODULE_INTEGER = "error.rdb.item.module_integer" { en: "module integer", zh: "模块整数" },
    RDB_ITEM_MODULE_AUX_WHEN = "error.rdb.item.module_aux_when" { en: "module AUX 'when'", zh: "模块 AUX 的 when 值" },
    RDB_ITEM_MODULE_AUX_WHEN_OPCODE = "error.rdb.item.module_aux_when_opcode" {
        en: "module AUX 'when' opcode",
        zh: "模块 AUX 的 when 操作码",
    },
    RDB_ITEM_FUNCTION_CODE = "error.rdb.item.function_code" { en: "function library code", zh: "函数库代码" },
    RDB_ITEM_DB_NUMBER = "error.rdb.item.db_number" { en: "database number", zh: "数据库编号" },
    RDB_ITEM_RESIZEDB_DB_SIZE = "error.rdb.item.resizedb_db_size" {
        en: "RESIZEDB database size",
        zh: "RESIZEDB 的数据库大小",
    },
    RDB_ITEM_RESIZEDB_EXPIRES_SIZE = "error.rdb.item.resizedb_expires_size" {
        en: "RESIZEDB expires size",
        zh: "RESIZEDB 的过期键数",
    },
    RDB_ITEM_LRU_IDLE = "error.rdb.item.lru_idle" { en: "LRU idle time", zh: "LRU 空闲时间" },
    RDB_ITEM_AUX_NAME = "error.rdb.item.aux_name" { en: "AUX field name", zh: "AUX 字段名" },
    RDB_ITEM_AUX_VALUE = "error.rdb.item.aux_value" { en: "AUX field value", zh: "AUX 字段值" },
    RDB_ITEM_SLOT_INFO = "error.rdb.item.slot_info" { en: "slot info", zh: "槽位信息" },
    RDB_ITEM_SLOT_IMPORT_JOB = "error.rdb.item.slot_import_job" { en: "slot import job name", zh: "槽位导入任务名" },
    RDB_ITEM_SLOT_IMPORT_RANGE_COUNT = "error.rdb.item.slot_import_range_count" {
        en: "slot import range count",
        zh: "槽位导入范围数",
    },
    RDB_ITEM_SLOT_IMPORT_RANGE = "error.rdb.item.slot_import_range" { en: "slot import range", zh: "槽位导入范围" },

    // ---- Replication from the source (ReplicaError) ---------------------------------------------
    REPLICA_NOT_PERMITTED = "error.replica.not_permitted" {
        en: "the source {addr} does not let this user replicate: {message}. Use a user allowed to run PSYNC, SYNC and REPLCONF (ACL: +psync +sync +replconf +ping), or the default user",
        zh: "源实例 {addr} 不允许该用户复制：{message}。请使用有权执行 PSYNC、SYNC 和 REPLCONF 的用户（ACL：+psync +sync +replconf +ping），或使用 default 用户",
    },
    REPLICA_REFUSED = "error.replica.refused" {
        en: "the source {addr} refused to start replication: {message}",
        zh: "源实例 {addr} 拒绝开始复制：{message}",
    },
    REPLICA_UNEXPECTED = "error.replica.unexpected" {
        en: "the source {addr} sent an unexpected reply during the handshake: {got}",
        zh: "源实例 {addr} 在握手时发来了意外的应答：{got}",
    },
    REPLICA_RDB = "error.replica.rdb" {
        en: "the RDB from {addr} is damaged or cut short: {error}",
        zh: "来自 {addr} 的 RDB 已损坏或不完整：{error}",
    },
    REPLICA_LENGTH_MISMATCH = "error.replica.length_mismatch" {
        en: "the RDB from {addr} ended at byte {read} but the source announced {announced} bytes; the transfer was damaged, run the migration again",
        zh: "来自 {addr} 的 RDB 在第 {read} 字节处结束，但源实例声明的是 {announced} 字节；传输已损坏，请重新运行迁移",
    },
    REPLICA_BAD_EOF_MARK = "error.replica.bad_eof_mark" {
        en: "the RDB from {addr} was not followed by its end mark; the transfer was damaged, run the migration again",
        zh: "来自 {addr} 的 RDB 之后没有结束标记；传输已损坏，请重新运行迁移",
    },
    REPLICA_SILENT = "error.replica.silent" {
        en: "the source {addr} sent nothing for {secs} s; the link is considered dead (is the source overloaded or its repl-timeout too short?)",
        zh: "源实例 {addr} 已 {secs} 秒未发送任何数据，视为连接已断开（源实例是否过载，或其 repl-timeout 过短？）",
    },
    REPLICA_NOT_A_COMMAND = "error.replica.not_a_command" {
        en: "the replication stream from {addr} held something that is not a command: {got}",
        zh: "来自 {addr} 的复制流中有不是命令的内容：{got}",
    },
    REPLICA_EMPTY_ARRAY = "error.replica.empty_array" { en: "an empty array", zh: "一个空数组" },
    REPLICA_CANNOT_RESUME = "error.replica.cannot_resume" {
        en: "the link to the source {addr} broke and the source could not continue from offset {offset} (it answered {answer}): its backlog no longer holds the missing writes. Run the migration again (a larger repl-backlog-size lets Ferry resume after longer outages)",
        zh: "与源实例 {addr} 的连接已断开，且源实例无法从偏移量 {offset} 继续（其应答为 {answer}）：其复制积压缓冲区已不包含缺失的写入。请重新运行迁移（调大 repl-backlog-size 可让 Ferry 在更长的中断后继续）",
    },

    // ---- Writing to the target (WriteError) -----------------------------------------------------
    WRITER_REJECTED = "error.writer.rejected" {
        en: "the target rejected {count} write(s); the first: {first}. Nothing was skipped: fix the cause and run again, or pass --skip-errors {class} to count and skip this kind of error",
        zh: "目标实例拒绝了 {count} 次写入；第一次：{first}。没有跳过任何写入：请排除原因后重新运行，或传入 --skip-errors {class} 以计数并跳过这类错误",
    },
    WRITER_FIRST = "error.writer.first" { en: "{command} {key}: {message}", zh: "{command} {key}：{message}" },
    WRITER_UNREQUESTED_REPLY = "error.writer.unrequested_reply" {
        en: "an unrequested reply {reply}",
        zh: "未请求的应答 {reply}",
    },
    WRITER_UNSUPPORTED = "error.writer.unsupported" {
        en: "the target cannot hold {what} of key {key}. Upgrade the target, or pass --skip-errors UNSUPPORTED to leave it out (it will be counted in the report)",
        zh: "目标实例无法容纳 key {key} 的{what}。请升级目标实例，或传入 --skip-errors UNSUPPORTED 将其略过（会计入报告）",
    },
    WRITER_CLUSTER_DB = "error.writer.cluster_db" {
        en: "the target is a cluster, which has only db 0, and the source's db {db} is not mapped into it: map every source db into 0 (--db-map {db}:0), then start again",
        zh: "目标实例是集群，只有 db 0，而源实例的 db {db} 没有映射到 db 0：请将每个源 db 都映射到 0（--db-map {db}:0），然后重新开始",
    },
    WRITER_CROSS_SLOT = "error.writer.cross_slot" {
        en: "the source ran {command} on keys in different hash slots, which a cluster target cannot take in one command and Ferry cannot split without changing what it does; the migration stopped. Keep such keys in one slot with a hash tag ({...}), or migrate into a standalone target",
        zh: "源实例对位于不同哈希槽的 key 执行了 {command}：集群目标实例无法在一条命令中接受，Ferry 也无法在不改变其效果的前提下拆分；迁移已停止。请用 hash tag（{...}）让这类 key 位于同一槽位，或迁移到单机目标实例",
    },
    WRITER_UNKNOWN_KEYS = "error.writer.unknown_keys" {
        en: "the source ran {command}, whose keys Ferry cannot find, so it cannot tell which cluster master it belongs to; the migration stopped",
        zh: "源实例执行了 {command}，Ferry 无法找到其 key，因而无法判断它属于集群的哪个主节点；迁移已停止",
    },
    WRITER_STALLED = "error.writer.stalled" {
        en: "the target {addr} has not answered for {secs} s while {waiting} write(s) waited for it, so the migration stopped. Check the target (is it stopped, swapping or overloaded?), then start the migration again; a target that is slow on purpose needs a longer stall timeout",
        zh: "目标实例 {addr} 已 {secs} 秒未响应，期间有 {waiting} 次写入在等待，因此迁移已停止。请检查目标实例（是否已停止、正在使用交换分区或过载？），然后重新开始迁移；如目标实例本就较慢，请调大停滞超时",
    },

    // What the target cannot hold (the {what} of error.writer.unsupported, and the skipped
    // writes' messages).
    WRITER_NO_FUNCTIONS = "error.writer.unsupported.functions" {
        en: "function libraries ({target} has no FUNCTION command)",
        zh: "函数库（{target} 没有 FUNCTION 命令）",
    },
    WRITER_NO_STREAMS = "error.writer.unsupported.streams" {
        en: "a stream ({target} has no streams)",
        zh: "stream（{target} 不支持 stream）",
    },
    WRITER_NO_FIELD_TTLS = "error.writer.unsupported.field_ttls" {
        en: "hash field TTLs ({target} has no HPEXPIREAT)",
        zh: "哈希字段 TTL（{target} 没有 HPEXPIREAT）",
    },
    WRITER_IDLE_CONSUMER = "error.writer.unsupported.idle_consumer" {
        en: "consumer {consumer} of group {group}, which has no pending entries ({target} has no XGROUP CREATECONSUMER)",
        zh: "消费组 {group} 中没有待确认条目的消费者 {consumer}（{target} 没有 XGROUP CREATECONSUMER）",
    },
    WRITER_PENDING_DELETED = "error.writer.unsupported.pending_deleted" {
        en: "pending entry {id} of group {group}: its stream entry was deleted on the source, and XCLAIM cannot recreate such an entry (RESTORE can: use a target that reads the source's RDB)",
        zh: "消费组 {group} 的待确认条目 {id}：其 stream 条目已在源实例上删除，XCLAIM 无法重建这样的条目（RESTORE 可以：请使用能读取源实例 RDB 的目标实例）",
    },
    WRITER_RDB_FORM = "error.writer.unsupported.rdb_form" {
        en: "a value in RDB form, which only RESTORE can write",
        zh: "RDB 格式的值（只有 RESTORE 能写入）",
    },
    WRITER_UNKNOWN_COMMAND = "error.writer.unsupported.unknown_command" {
        en: "the target does not know the command {name}",
        zh: "目标实例不认识命令 {name}",
    },

    // ---- The migration (MigrateError) -----------------------------------------------------------
    MIGRATE_SOURCE = "error.migrate.source" { en: "source: {error}", zh: "源实例：{error}" },
    MIGRATE_TARGET = "error.migrate.target" { en: "target: {error}", zh: "目标实例：{error}" },
    MIGRATE_NOT_IN_SYNC = "error.migrate.not_in_sync" {
        en: "cannot cut over: the migration is in {phase}, not in incremental sync; wait until the full sync is done",
        zh: "无法断开同步：迁移当前处于“{phase}”，而不是增量同步；请等待全量同步完成",
    },
    MIGRATE_CUTOVER_TIMEOUT = "error.migrate.cutover_timeout" {
        en: "cutover timed out: after {secs} s the target still lagged {lag} bytes behind the source; the sync goes on, try again when the lag is small",
        zh: "断开同步超时：{secs} 秒后目标实例仍落后源实例 {lag} 字节；同步继续进行，请在延迟较小时重试",
    },
    MIGRATE_INTERNAL = "error.migrate.internal" { en: "internal error: {error}", zh: "内部错误：{error}" },
    MIGRATE_SOURCE_SIDE_ENDED = "error.migrate.internal.source_ended" {
        en: "the source side ended",
        zh: "读取源实例的一侧已结束",
    },
    MIGRATE_TARGET_SIDE_ENDED = "error.migrate.internal.target_ended" {
        en: "the target side ended",
        zh: "写入目标实例的一侧已结束",
    },
    MIGRATE_NO_CONVERTER = "error.migrate.internal.no_converter" { en: "no converter", zh: "没有写入转换器" },
    MIGRATE_LEASE_LOST = "error.migrate.lease_lost" {
        en: "this process no longer holds the task (it stalled, and the task was taken over or marked interrupted): it stopped writing at once; the task resumes from the target's checkpoint when started again",
        zh: "本进程已不再持有该任务（它曾停滞，任务已被接管或被标记为中断）：已立即停止写入；重新启动任务后将从目标实例的检查点继续",
    },
    MIGRATE_CLUSTER_DBS = "error.migrate.cluster_dbs" {
        en: "the target is a cluster, which has db 0 only, and the source has keys in db {dbs}: map them into db 0 (--db-map {mapping}), then start again",
        zh: "目标实例是集群，只有 db 0，而源实例在 db {dbs} 中有 key：请将它们映射到 db 0（--db-map {mapping}），然后重新开始",
    },
    MIGRATE_MOVES_BETWEEN_DBS = "error.migrate.moves_between_dbs" {
        en: "the source ran {command}, which moves keys between dbs; a cluster target has db 0 only, so the migration stopped. Migrate into a standalone target, or keep the source's keys in one db",
        zh: "源实例执行了 {command}，它会在 db 之间移动 key；集群目标实例只有 db 0，因此迁移已停止。请迁移到单机目标实例，或让源实例的 key 都位于同一个 db",
    },
    MIGRATE_NOT_FOR_A_SHARD = "error.migrate.not_for_a_shard" {
        en: "a master of the source cluster ran {command} ({why}); the migration stopped rather than risk losing the key. Start it again once the source is settled: each master resumes from its checkpoint, or syncs in full what it now serves",
        zh: "源集群的一个主节点执行了 {command}（{why}）；为避免丢失 key，迁移已停止。请在源实例稳定后重新启动：各主节点会从其检查点继续，或对其现在负责的部分重新全量同步",
    },
    MIGRATE_WHY_WHOLE_DB = "error.migrate.not_for_a_shard.whole_db" {
        en: "which on the target would also reach the keys of the other masters",
        zh: "在目标实例上它也会作用于其他主节点的 key",
    },
    MIGRATE_WHY_MOVED_KEY = "error.migrate.not_for_a_shard.moved_key" {
        en: "a key moved in from another master (a resharding or a MIGRATE), whose delete there travels in another replication stream",
        zh: "这是从另一个主节点迁入的 key（重新分片或 MIGRATE），它在原主节点上的删除经由另一条复制流传来",
    },
    MIGRATE_NOT_A_CLUSTER = "error.migrate.not_a_cluster" {
        en: "the source {source} is no longer in cluster mode",
        zh: "源实例 {source} 已不再是集群模式",
    },
    MIGRATE_SHARD = "error.migrate.shard" { en: "{shard}: {error}", zh: "{shard}：{error}" },
    MIGRATE_FILTER_STOP = "error.migrate.filter" {
        en: "the source ran {command}, {why}; the migration stopped rather than damage data the filter leaves out. Change the task's db mapping or key patterns, or remove the filter, then start the migration again",
        zh: "源实例执行了 {command}，{why}；为免损坏过滤条件之外的数据，迁移已停止。请修改任务的 db 映射或 key 匹配模式，或去掉过滤条件，然后重新开始迁移",
    },
    MIGRATE_FILTER_FLUSH = "error.migrate.filter.flush" {
        en: "which would delete keys the key patterns leave out",
        zh: "它会删除 key 匹配模式之外的 key",
    },
    MIGRATE_FILTER_SWAPDB = "error.migrate.filter.swapdb" {
        en: "which would move keys the key patterns leave out",
        zh: "它会移动 key 匹配模式之外的 key",
    },
    MIGRATE_FILTER_MERGED_DBS = "error.migrate.filter.merged_dbs" {
        en: "and the db mapping sends two source dbs into one target db",
        zh: "而 db 映射把两个源 db 映射到了同一个目标 db",
    },
    MIGRATE_FILTER_UNKNOWN_KEYS = "error.migrate.filter.unknown_keys" {
        en: "whose keys Ferry cannot tell, under key patterns",
        zh: "设置了 key 匹配模式时，Ferry 无法判断它涉及哪些 key",
    },
    MIGRATE_FILTER_MIXED_KEYS = "error.migrate.filter.mixed_keys" {
        en: "on the key {kept}, which the key patterns migrate, and {left}, which they leave out",
        zh: "它同时涉及 key 匹配模式要迁移的 key {kept} 和不迁移的 key {left}",
    },

    // Where the migration stood (the {phase} of error.migrate.not_in_sync).
    PHASE_CONNECTING = "error.migrate.phase.connecting" { en: "connecting", zh: "正在连接" },
    PHASE_WAITING_FOR_RDB = "error.migrate.phase.waiting_for_rdb" { en: "waiting for RDB", zh: "等待 RDB" },
    PHASE_FULL_SYNC = "error.migrate.phase.full_sync" { en: "full sync", zh: "全量同步" },
    PHASE_INCREMENTAL = "error.migrate.phase.incremental" { en: "incremental sync", zh: "增量同步" },
    PHASE_CUTTING_OVER = "error.migrate.phase.cutting_over" { en: "cutting over", zh: "断开同步中" },
    PHASE_DONE = "error.migrate.phase.done" { en: "done", zh: "已完成" },
    PHASE_FAILED = "error.migrate.phase.failed" { en: "failed", zh: "已失败" },
    PHASE_RECONNECTING = "error.migrate.phase.reconnecting" {
        en: "reconnecting to the source",
        zh: "正在重新连接源实例",
    },

    // ---- A task's runner (RunError) --------------------------------------------------------------
    RUN_NOT_SYNCED = "error.run.not_synced" {
        en: "the task is {status}: it cannot cut over now",
        zh: "任务处于“{status}”状态：现在无法断开同步",
    },
    RUN_ON_SERVER = "error.run.on_server" { en: "{addr}: {error}", zh: "{addr}：{error}" },

    // ---- The console's actions (ConsoleError) ---------------------------------------------------
    CONSOLE_CHECK_FAILED = "error.console.check_failed" {
        en: "the pre-check found errors, so the task cannot go ahead: {summary}",
        zh: "校验发现错误，任务无法继续：{summary}",
    },
    CONSOLE_WARNINGS_NOT_ACCEPTED = "error.console.warnings_not_accepted" {
        en: "the pre-check found warnings; read them and confirm to go ahead: {summary}",
        zh: "校验发现告警；请阅读并确认后继续：{summary}",
    },
    CONSOLE_CHECK_SUMMARY = "error.console.check_summary" { en: "{items}", zh: "{items}" },
    // One item of the summary above: its id, its level, its message.
    CONSOLE_CHECK_ITEM = "error.console.check_item" { en: "{id} ({level}): {message}", zh: "{id}（{level}）：{message}" },
    CONSOLE_LEVEL_PASS = "error.console.level.pass" { en: "Pass", zh: "通过" },
    CONSOLE_LEVEL_WARNING = "error.console.level.warning" { en: "Warning", zh: "告警" },
    CONSOLE_LEVEL_ERROR = "error.console.level.error" { en: "Error", zh: "错误" },
    CONSOLE_LEVEL_SKIPPED = "error.console.level.skipped" { en: "Skipped", zh: "已跳过" },
    CONSOLE_WRONG_STATUS = "error.console.wrong_status" {
        en: "task {task} is {status}: it cannot {action} now",
        zh: "任务 {task} 处于“{status}”状态：现在无法{action}",
    },
    CONSOLE_ACTION_START = "error.console.action.start" { en: "start", zh: "启动" },
    CONSOLE_ACTION_CANCEL = "error.console.action.cancel" { en: "cancel", zh: "取消" },
    CONSOLE_ACTION_CUT_OVER = "error.console.action.cut_over" { en: "cut over", zh: "断开同步" },
    CONSOLE_RUNNING_ELSEWHERE = "error.console.running_elsewhere" {
        en: "task {task} is being run by another Ferry process (the desktop app or a CLI); act on it there, or stop that process",
        zh: "任务 {task} 正由另一个 Ferry 进程（桌面应用或命令行）运行；请在那里操作，或停止该进程",
    },
    CONSOLE_NOT_RUNNING = "error.console.not_running" {
        en: "task {task} is not running in any Ferry process; start it first",
        zh: "任务 {task} 没有在任何 Ferry 进程中运行；请先启动它",
    },
    CONSOLE_MISSING_PASSWORD = "error.console.missing_password" {
        en: "no password is stored for {what} (in the OS keychain, or in the encrypted file when FERRY_MASTER_KEY is set); run Ferry with the FERRY_MASTER_KEY it was stored with, or edit it and enter the password again",
        zh: "{what}没有已保存的密码（密码保存在系统钥匙串中，设置了 FERRY_MASTER_KEY 时保存在加密文件中）；请使用保存时的 FERRY_MASTER_KEY 运行 Ferry，或编辑并重新输入密码",
    },
    // Whose password is missing (the {what} above).
    CONSOLE_PASSWORD_OF_TUNNEL = "error.console.password_of.tunnel" {
        en: "the SSH tunnel through {addr}",
        zh: "经由 {addr} 的 SSH 隧道",
    },
    CONSOLE_PASSWORD_OF_INSTANCE = "error.console.password_of.instance" { en: "instance {name}", zh: "实例 {name}" },
    CONSOLE_PASSWORD_OF_SOURCE = "error.console.password_of.source" {
        en: "the source of task {name}",
        zh: "任务 {name} 的源实例",
    },
    CONSOLE_PASSWORD_OF_PAIR = "error.console.password_of.pair" { en: "hot-standby pair {name}", zh: "热备 {name}" },
    CONSOLE_CUTOVER_FAILED = "error.console.cutover_failed" {
        en: "the cutover did not complete: {reason}",
        zh: "断开同步未完成：{reason}",
    },
    CONSOLE_SEE_EVENTS = "error.console.see_events" { en: "see the task's events", zh: "请查看任务的事件" },
    CONSOLE_TIMEOUT = "error.console.timeout" {
        en: "task {task} is still {status} after the time allowed",
        zh: "已超出允许的时间，任务 {task} 仍处于“{status}”状态",
    },
    CONSOLE_RUNNER_GONE = "error.console.runner_gone" {
        en: "the task's runner stopped unexpectedly; see the task's events",
        zh: "任务的运行器意外停止；请查看任务的事件",
    },

    // Input the console refuses (ConsoleError::Invalid).
    CONSOLE_SEEDS_NOT_CLUSTER = "error.console.invalid.seeds_not_cluster" {
        en: "seed nodes are for instances of the cluster edition; choose the cluster edition or remove them",
        zh: "种子节点仅适用于集群版实例；请选择集群版，或删除种子节点",
    },
    CONSOLE_SEED_NOT_HOST_PORT = "error.console.invalid.seed" {
        en: "seed node {seed} is not host:port ({reason})",
        zh: "种子节点 {seed} 不是 host:port 格式（{reason}）",
    },
    CONSOLE_TASK_NEEDS_NAME = "error.console.invalid.task_name" { en: "the task needs a name", zh: "请为任务填写名称" },
    CONSOLE_SOURCE_NEEDS_ADDR = "error.console.invalid.source_addr" {
        en: "the source needs a host and a port",
        zh: "请填写源实例的主机和端口",
    },
    CONSOLE_DB_MAPPING_CLASH = "error.console.invalid.db_mapping" {
        en: "two source dbs map to the same target db; map each to its own",
        zh: "有两个源 db 映射到了同一个目标 db；请为每个源 db 映射各自的目标 db",
    },
    CONSOLE_PARAMS_ZERO = "error.console.invalid.params" {
        en: "parameters must be greater than 0",
        zh: "参数必须大于 0",
    },
    CONSOLE_PAIR_NEEDS_NAME = "error.console.invalid.pair_name" {
        en: "the hot-standby pair needs a name",
        zh: "请为热备填写名称",
    },
    CONSOLE_PAIR_SAME_INSTANCES = "error.console.invalid.pair_same" {
        en: "choose two different instances for the master and the replica",
        zh: "请为主节点和副本选择两个不同的实例",
    },
    CONSOLE_PAIR_NEEDS_REPLICA = "error.console.invalid.pair_replica" {
        en: "choose the replica instance (promoted when the master fails), or Sentinel mode",
        zh: "请选择副本实例（主节点故障时将其提升为主节点），或选择 Sentinel 模式",
    },

    // Hot-standby pairs (ConsoleError::Standby).
    CONSOLE_PAIR_RUN_ELSEWHERE = "error.console.standby.run_elsewhere" {
        en: "the hot-standby pair {name} is run by another process ({runner}); stop it there first",
        zh: "热备 {name} 正由另一个进程（{runner}）运行；请先在那里停止它",
    },
    CONSOLE_NO_SWITCHOVER = "error.console.standby.no_switchover" {
        en: "no switchover: {reason}",
        zh: "未切换：{reason}",
    },
    CONSOLE_PAIR_NOT_RUNNING = "error.console.standby.not_running" {
        en: "the hot-standby pair {name} does not run; start it first",
        zh: "热备 {name} 没有运行；请先启动它",
    },
    CONSOLE_SWITCHOVER_NOT_MOVED = "error.console.standby.switchover_not_moved" {
        en: "asked {runner}, which runs the pair {name}, for a switchover; the route did not move within {secs} s (its events say why)",
        zh: "已请求运行热备 {name} 的 {runner} 执行切换；路由在 {secs} 秒内没有切换（原因见其事件）",
    },
    CONSOLE_PAIR_STILL_RUNS = "error.console.standby.still_runs" {
        en: "asked {runner}, which runs the pair {name}, to stop; it still runs after {secs} s. Stop that process (for a service: systemctl stop ferry-standby@{service})",
        zh: "已请求运行热备 {name} 的 {runner} 停止；{secs} 秒后它仍在运行。请停止该进程（如果是服务：systemctl stop ferry-standby@{service}）",
    },
    CONSOLE_PAIR_RUN_BY = "error.console.standby.run_by" {
        en: "the hot-standby pair {name} is run by {runner}; stop it first",
        zh: "热备 {name} 正由 {runner} 运行；请先停止它",
    },
    CONSOLE_PAIRS_UNAVAILABLE = "error.console.standby.unavailable" {
        en: "the list of hot-standby pairs is unavailable after an internal error; restart Ferry",
        zh: "发生内部错误后热备列表不可用；请重启 Ferry",
    },

    // ---- The sandbox ----------------------------------------------------------------------------
    SANDBOX_ELSEWHERE = "sandbox.elsewhere" {
        en: "a sandbox is already running in another Ferry process (pid {pid}); use or stop it there",
        zh: "另一个 Ferry 进程（pid {pid}）中已有沙箱在运行；请在那里使用或停止它",
    },
    SANDBOX_NOT_RUNNING = "sandbox.not_running" {
        en: "the sandbox is not running; start it first",
        zh: "沙箱没有运行；请先启动它",
    },
    SANDBOX_MASTER_UNKNOWN = "sandbox.master_unknown" {
        en: "the master {master} is not one of the sandbox's servers",
        zh: "主节点 {master} 不是沙箱中的服务器",
    },
    SANDBOX_DRILL = "sandbox.drill" {
        en: "killed the master at 127.0.0.1:{port} (SIGKILL); it starts again, empty, in {secs} s and is fenced as the standby",
        zh: "已终止 127.0.0.1:{port} 上的主节点（SIGKILL）；它将在 {secs} 秒后以空数据重新启动，并被隔离为备节点",
    },
    SANDBOX_NO_REDIS = "sandbox.no_redis_server" {
        en: "the sandbox needs redis-server, and {binary} cannot be run. Install it (Debian/Ubuntu: sudo apt-get install redis-server; macOS: brew install redis) or set FERRY_REDIS_SERVER to its path, then try again",
        zh: "沙箱需要 redis-server，但无法运行 {binary}。请安装它（Debian/Ubuntu：sudo apt-get install redis-server；macOS：brew install redis），或将 FERRY_REDIS_SERVER 设为其路径，然后重试",
    },
    SANDBOX_CANNOT_CREATE = "sandbox.cannot_create" { en: "cannot create {path}: {error}", zh: "无法创建 {path}：{error}" },
    SANDBOX_CANNOT_WRITE = "sandbox.cannot_write" { en: "cannot write {path}: {error}", zh: "无法写入 {path}：{error}" },
    SANDBOX_CANNOT_START = "sandbox.cannot_start" { en: "cannot start {path}: {error}", zh: "无法启动 {path}：{error}" },
    SANDBOX_SERVER_DID_NOT_START = "sandbox.server_did_not_start" {
        en: "the sandbox's {role} server did not start; its log ends: {tail}",
        zh: "沙箱的 {role} 服务器没有启动；其日志结尾为：{tail}",
    },
    SANDBOX_NO_FREE_PORT = "sandbox.no_free_port" { en: "no free port: {error}", zh: "没有空闲端口：{error}" },
    SANDBOX_NO_CLUSTER_PORT = "sandbox.no_cluster_port" {
        en: "no free port below 55536 for a cluster node (its bus port must fit under 65536)",
        zh: "找不到低于 55536 的空闲端口供集群节点使用（其总线端口必须小于 65536）",
    },
    SANDBOX_SAMPLE_DATA = "sandbox.sample_data" {
        en: "loading the sandbox's sample data failed: {error}",
        zh: "加载沙箱的示例数据失败：{error}",
    },
    SANDBOX_TLS_CERTIFICATE = "sandbox.tls_certificate" {
        en: "cannot make the sandbox's TLS certificate: {error}",
        zh: "无法生成沙箱的 TLS 证书：{error}",
    },
    SANDBOX_CLUSTER_FOLLOW = "sandbox.cluster.follow" {
        en: "the sandbox cluster's node :{port} could not follow its master: {error}",
        zh: "沙箱集群的节点 :{port} 无法跟随其主节点：{error}",
    },
    SANDBOX_CLUSTER_NOT_OK = "sandbox.cluster.not_ok" {
        en: "the sandbox cluster did not become ok in 20 s",
        zh: "沙箱集群在 20 秒内没有进入 ok 状态",
    },
    SANDBOX_CLUSTER_NOT_CLUSTER = "sandbox.cluster.not_cluster" {
        en: "the sandbox cluster is not in cluster mode",
        zh: "沙箱集群没有处于集群模式",
    },

    // ---- How a key differs between source and target (the verify's details) ---------------------
    VERIFY_MISSING = "verify.diff.missing" { en: "not on the target", zh: "目标实例上没有" },
    VERIFY_EXTRA = "verify.diff.extra" { en: "only on the target", zh: "仅存在于目标实例上" },
    VERIFY_NO_STREAMS = "verify.diff.no_streams" {
        en: "a stream: the target has no streams",
        zh: "stream：目标实例不支持 stream",
    },
    VERIFY_TYPE = "verify.diff.type" {
        en: "{source} on the source, {target} on the target",
        zh: "源实例上为 {source}，目标实例上为 {target}",
    },
    VERIFY_UNREADABLE = "verify.diff.unreadable" { en: "unreadable ({error})", zh: "无法读取（{error}）" },
    VERIFY_VALUES = "verify.diff.values" { en: "the values differ", zh: "值不同" },
    VERIFY_TTL = "verify.diff.ttl" {
        en: "expires at {source} on the source, {target} on the target (unix ms)",
        zh: "过期时间在源实例上为 {source}，在目标实例上为 {target}（Unix 毫秒）",
    },
    VERIFY_FIELD_TTLS_NOT_CARRIED = "verify.diff.field_ttls_not_carried" {
        en: "{count} hash field TTLs: the target has no field TTLs",
        zh: "{count} 个哈希字段 TTL：目标实例不支持字段 TTL",
    },
    VERIFY_FIELD_TTLS = "verify.diff.field_ttls" {
        en: "hash field TTLs differ: {source} fields with a TTL on the source, {target} on the target",
        zh: "哈希字段 TTL 不同：源实例上有 {source} 个字段带 TTL，目标实例上有 {target} 个",
    },
    VERIFY_STREAM_ENTRIES = "verify.diff.stream.entries" {
        en: "the entries differ ({source} on the source, {target} on the target)",
        zh: "条目不同（源实例上 {source} 个，目标实例上 {target} 个）",
    },
    VERIFY_STREAM_LAST_ID = "verify.diff.stream.last_id" {
        en: "last id {source} on the source, {target} on the target",
        zh: "最后 ID 在源实例上为 {source}，在目标实例上为 {target}",
    },
    VERIFY_STREAM_COUNTERS = "verify.diff.stream.counters" {
        en: "max deleted id, entries added, first id: {source} on the source, {target} on the target",
        zh: "最大已删除 ID、已添加条目数、首个 ID：源实例上为 {source}，目标实例上为 {target}",
    },
    VERIFY_STREAM_GROUPS = "verify.diff.stream.groups" { en: "the consumer groups differ", zh: "消费组不同" },
    VERIFY_GROUP_LAST_DELIVERED = "verify.diff.group.last_delivered" {
        en: "group {group}: last delivered id {source} on the source, {target} on the target",
        zh: "消费组 {group}：最后投递 ID 在源实例上为 {source}，在目标实例上为 {target}",
    },
    VERIFY_GROUP_ENTRIES_READ = "verify.diff.group.entries_read" {
        en: "group {group}: entries read {source} on the source, {target} on the target",
        zh: "消费组 {group}：已读条目数在源实例上为 {source}，在目标实例上为 {target}",
    },
    VERIFY_GROUP_CONSUMERS = "verify.diff.group.consumers" {
        en: "group {group}: consumers {source} on the source, {target} on the target",
        zh: "消费组 {group}：消费者在源实例上为 {source}，在目标实例上为 {target}",
    },
    VERIFY_GROUP_PENDING = "verify.diff.group.pending" {
        en: "group {group}: pending entry {id} is owned by {source_consumer}, delivered {source_count} times, idle {source_idle} ms on the source; {target_consumer}, {target_count} times, {target_idle} ms on the target",
        zh: "消费组 {group}：待确认条目 {id} 在源实例上属于 {source_consumer}，已投递 {source_count} 次，空闲 {source_idle} 毫秒；在目标实例上属于 {target_consumer}，{target_count} 次，{target_idle} 毫秒",
    },
    VERIFY_GROUP_PENDING_MISSING = "verify.diff.group.pending_missing" {
        en: "group {group}: pending entry {id} missing on the target",
        zh: "消费组 {group}：目标实例上缺少待确认条目 {id}",
    },
    VERIFY_GROUP_PENDING_EXTRA = "verify.diff.group.pending_extra" {
        en: "group {group}: pending entry {id} only on the target",
        zh: "消费组 {group}：待确认条目 {id} 仅存在于目标实例上",
    },
    VERIFY_STREAM_NOT_CARRIED = "verify.diff.stream.not_carried" {
        en: "{count} pending entries of deleted stream entries, or consumers without pending entries, are not on the target (commands cannot recreate them there; RESTORE can)",
        zh: "{count} 个已删除 stream 条目的待确认项或没有待确认项的消费者不在目标实例上（命令无法在目标实例上重建它们；RESTORE 可以）",
    },
}
