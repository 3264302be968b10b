//! Errors of connections, the store, secrets, parameters and hot standby: what went wrong and what
//! to do, in both languages.
//!
//! Codes are `error.<area>.<what>`, one area per error type (`client` for `ClientError`, `tls` for
//! `TlsError`, ...). The pieces a sentence is built from (what a client was doing when it timed out,
//! why a TLS file is unusable) are entries of their own, so that they translate too.

use super::entries;

entries! {
    // Redis URLs (endpoint.rs) and Sentinel URLs (sentinel.rs)
    URL_INVALID = "error.url.invalid" {
        en: "invalid Redis URL {url}: {reason} (expected redis://[user@]host:port, or rediss:// for TLS)",
        zh: "无效的 Redis URL {url}：{reason}（应为 redis://[用户@]主机:端口，TLS 用 rediss://）",
    },
    URL_SCHEME = "error.url.scheme" {
        en: "the scheme must be redis:// (or rediss:// for TLS)",
        zh: "协议须为 redis://（TLS 用 rediss://）",
    },
    URL_IPV6_UNCLOSED = "error.url.ipv6_unclosed" { en: "unclosed [ in an IPv6 address", zh: "IPv6 地址中的 [ 未闭合" },
    URL_NO_HOST = "error.url.no_host" { en: "the host is missing", zh: "缺少主机" },
    URL_DB_NUMBER = "error.url.db_number" {
        en: "a database number in the URL is not supported; use db mapping instead",
        zh: "不支持在 URL 中写 db 编号；请改用 db 映射",
    },
    URL_PORT = "error.url.port" { en: "the port must be a number from 1 to 65535", zh: "端口须为 1 到 65535 之间的数字" },
    URL_ESCAPE_CUT = "error.url.escape_cut" { en: "a % escape is cut short", zh: "% 转义不完整" },
    URL_ESCAPE_BAD = "error.url.escape_bad" { en: "bad % escape %{hex}", zh: "无效的 % 转义 %{hex}" },
    URL_NOT_UTF8 = "error.url.not_utf8" { en: "credentials are not valid UTF-8", zh: "用户名或密码不是有效的 UTF-8" },
    SENTINEL_URL_NO_NAME = "error.url.sentinel_no_name" {
        en: "the master's name is missing: redis+sentinel://host:26379/<master name>",
        zh: "缺少主节点名称：redis+sentinel://主机:26379/<主节点名称>",
    },
    SENTINEL_URL_NO_NODE = "error.url.sentinel_no_node" { en: "no Sentinel address is given", zh: "未给出 Sentinel 地址" },
    // ClientError: talking to one Redis server.
    CLIENT_CONNECT = "error.client.connect" {
        en: "cannot connect to {addr}: {error}. Check that the server is running, the host and port are right, and \
             no firewall or security group blocks the port",
        zh: "无法连接 {addr}：{error}。请检查服务器是否在运行、主机和端口是否正确，以及是否有防火墙或安全组拦截该端口",
    },
    CLIENT_TIMEOUT = "error.client.timeout" {
        en: "{addr} did not answer within {secs} s ({what}). Check the address, the network, and that the server is \
             not overloaded",
        zh: "{addr} 在 {secs} 秒内没有应答（{what}）。请检查地址和网络，以及服务器是否过载",
    },
    CLIENT_CONNECTING = "error.client.doing.connecting" { en: "connecting", zh: "连接时" },
    CLIENT_SENDING = "error.client.doing.sending" { en: "sending", zh: "发送时" },
    CLIENT_WAITING = "error.client.doing.waiting" { en: "waiting for a reply", zh: "等待应答时" },
    CLIENT_OPENING_BACKEND = "error.client.doing.opening_backend" {
        en: "opening a backend connection",
        zh: "建立后端连接时",
    },
    CLIENT_NOT_REDIS = "error.client.not_redis" {
        en: "{addr} does not speak the Redis protocol (it answered {got}). Check the port: it may belong to another \
             service",
        zh: "{addr} 使用的不是 Redis 协议（它的应答是 {got}）。请检查端口：它可能属于其他服务",
    },
    CLIENT_AUTH = "error.client.auth" {
        en: "{addr} refused the credentials ({message}). Check the user name and password",
        zh: "{addr} 拒绝了登录凭据（{message}）。请检查用户名和密码",
    },
    CLIENT_NO_AUTH = "error.client.no_auth" {
        en: "{addr} requires a password ({message}). Give it with the address (on the command line: \
             --source-password-file, FERRY_SOURCE_PASSWORD or --source-password-prompt, and likewise for the other \
             addresses)",
        zh: "{addr} 需要密码（{message}）。请随地址一起提供密码（命令行中使用 --source-password-file、\
             FERRY_SOURCE_PASSWORD 或 --source-password-prompt，其他地址同理）",
    },
    CLIENT_NOT_PLAIN_REDIS = "error.client.not_plain_redis" {
        en: "something answers at {addr}, but not a Redis speaking plain RESP: {what}. It may be a port that only \
             takes TLS (then use rediss://), or another service; check the port",
        zh: "{addr} 上有服务应答，但不是使用纯 RESP 的 Redis：{what}。它可能是只接受 TLS 的端口（此时请使用 \
             rediss://），也可能是其他服务；请检查端口",
    },
    CLIENT_HUNG_UP = "error.client.not_plain_redis.closed" {
        en: "it closed the connection when sent a Redis command",
        zh: "收到 Redis 命令后它关闭了连接",
    },
    CLIENT_RESET = "error.client.not_plain_redis.reset" {
        en: "it reset the connection when sent a Redis command",
        zh: "收到 Redis 命令后它重置了连接",
    },
    CLIENT_TLS_ALERT = "error.client.not_plain_redis.tls_alert" {
        en: "it answered with a TLS alert",
        zh: "它以 TLS 告警（alert）应答",
    },
    CLIENT_TLS = "error.client.tls" { en: "TLS with {addr} failed: {why}", zh: "与 {addr} 的 TLS 连接失败：{why}" },
    CLIENT_SSH = "error.client.ssh" {
        en: "the SSH tunnel to {addr} failed: {why}",
        zh: "到 {addr} 的 SSH 隧道失败：{why}",
    },
    CLIENT_CLOSED = "error.client.closed" {
        en: "the connection to {addr} was closed by the server",
        zh: "与 {addr} 的连接被服务器关闭",
    },
    // `{context}` is one of the `error.client.closed.*` pieces below, each with its own punctuation.
    CLIENT_CLOSED_WITH = "error.client.closed.with" {
        en: "the connection to {addr} was closed by the server{context}",
        zh: "与 {addr} 的连接被服务器关闭{context}",
    },
    CLIENT_CLOSED_BECAUSE = "error.client.closed.because" { en: ": {why}", zh: "：{why}" },
    CLIENT_CLOSED_NO_NODE = "error.client.closed.no_node" {
        en: ": no node of the cluster answers",
        zh: "：集群中没有节点应答",
    },
    CLIENT_CLOSED_NO_SOURCE_NODE = "error.client.closed.no_source_node" {
        en: ": no node of the source cluster answers",
        zh: "：源端集群中没有节点应答",
    },
    CLIENT_CLOSED_AFTER_ERROR = "error.client.closed.after_error" { en: " after an error", zh: "（此前已出错）" },
    CLIENT_IO = "error.client.io" { en: "I/O error talking to {addr}: {error}", zh: "与 {addr} 通信时发生 I/O 错误：{error}" },
    CLIENT_SERVER = "error.client.server" { en: "{addr} rejected {command}: {message}", zh: "{addr} 拒绝了 {command}：{message}" },

    // ConnectError: opening the byte stream.
    CONNECT_TIMED_OUT = "error.connect.timeout" { en: "timed out", zh: "超时" },

    // TlsError: setting up a TLS session.
    TLS_FILE = "error.tls.file" { en: "cannot read the TLS file {path}: {reason}", zh: "无法读取 TLS 文件 {path}：{reason}" },
    TLS_KEY_MISMATCH = "error.tls.file.key_mismatch" {
        en: "the certificate and key do not go together ({error})",
        zh: "证书与私钥不匹配（{error}）",
    },
    TLS_NOT_A_CA = "error.tls.file.not_a_ca" {
        en: "a certificate in it is not a usable CA ({error})",
        zh: "其中有证书不能用作 CA（{error}）",
    },
    TLS_NO_PEM_CERT = "error.tls.file.no_certificate" { en: "it holds no PEM certificate", zh: "其中没有 PEM 证书" },
    TLS_NO_PEM_KEY = "error.tls.file.no_key" { en: "it holds no PEM private key", zh: "其中没有 PEM 私钥" },
    TLS_BAD_PEM = "error.tls.file.bad_pem" { en: "it is not valid PEM ({error})", zh: "不是有效的 PEM（{error}）" },
    TLS_HALF_CLIENT_CERT = "error.tls.half_client_cert" {
        en: "the client certificate needs both a certificate file and a key file; give both, or neither",
        zh: "客户端证书需要同时提供证书文件和私钥文件；请两者都提供，或都不提供",
    },
    TLS_BAD_NAME = "error.tls.bad_name" {
        en: "{name} is not a valid TLS server name; give another with the TLS server name option",
        zh: "{name} 不是有效的 TLS 服务器名称；请通过 TLS 服务器名称选项另行指定",
    },
    TLS_NO_ROOTS = "error.tls.no_roots" {
        en: "no trusted CA certificates were found on this system; give a CA file with the TLS CA option",
        zh: "本机上没有找到受信任的 CA 证书；请通过 TLS CA 选项提供 CA 文件",
    },
    TLS_EXPIRED = "error.tls.expired" {
        en: "its certificate has expired; renew the server's certificate (or check this machine's clock)",
        zh: "它的证书已过期；请更新服务器的证书（或检查本机的时钟）",
    },
    TLS_NOT_YET_VALID = "error.tls.not_yet_valid" {
        en: "its certificate is not valid yet; check this machine's clock and the certificate's start date",
        zh: "它的证书尚未生效；请检查本机的时钟和证书的生效日期",
    },
    TLS_UNKNOWN_ISSUER = "error.tls.unknown_issuer" {
        en: "its certificate is not signed by a trusted CA; give the CA that signed it with the TLS CA option",
        zh: "它的证书不是由受信任的 CA 签发的；请通过 TLS CA 选项提供签发该证书的 CA",
    },
    TLS_WRONG_NAME = "error.tls.wrong_name" {
        en: "its certificate is not valid for {name}; connect by a name the certificate lists, or set the TLS server \
             name",
        zh: "它的证书对 {name} 无效；请使用证书中列出的名称连接，或设置 TLS 服务器名称",
    },
    TLS_CLIENT_CERT_REQUIRED = "error.tls.client_cert_required" {
        en: "it asks for a client certificate (mutual TLS); give one with the TLS certificate and key options",
        zh: "它要求客户端证书（双向 TLS）；请通过 TLS 证书和私钥选项提供",
    },
    TLS_CLIENT_CERT_REFUSED = "error.tls.client_cert_refused" {
        en: "it refused the client certificate ({alert}); give a certificate its CA trusts",
        zh: "它拒绝了客户端证书（{alert}）；请提供其 CA 信任的证书",
    },
    TLS_NOT_TLS = "error.tls.not_tls" {
        en: "it answered in plain text, not TLS: the port does not take TLS; use redis:// for it",
        zh: "它以明文而不是 TLS 应答：该端口不接受 TLS；请对它使用 redis://",
    },
    TLS_NO_ANSWER = "error.tls.no_answer" {
        en: "it took the connection but did not answer the TLS handshake within {secs} s: a plain port (then use \
             redis://), or a server too busy to answer",
        zh: "它接受了连接，但在 {secs} 秒内没有响应 TLS 握手：可能是明文端口（此时请使用 redis://），或服务器过于繁忙",
    },
    TLS_OTHER = "error.tls.other" { en: "the TLS handshake failed: {why}", zh: "TLS 握手失败：{why}" },
    TLS_CLIENT_CA_UNUSABLE = "error.tls.client_ca_unusable" {
        en: "the client CA cannot verify certificates ({error})",
        zh: "该客户端 CA 无法用于校验证书（{error}）",
    },
    TLS_CLOSED_IN_HANDSHAKE = "error.tls.closed_in_handshake" {
        en: "the server closed the connection during the handshake ({error}); check that the port takes TLS",
        zh: "服务器在握手期间关闭了连接（{error}）；请确认该端口接受 TLS",
    },
    TLS_CERT_REFUSED = "error.tls.cert_refused" {
        en: "the server's certificate was refused ({error})",
        zh: "服务器的证书未通过校验（{error}）",
    },
    TLS_ALERT = "error.tls.alert" { en: "the server sent the alert {alert}", zh: "服务器发送了告警 {alert}" },

    // SshError: the tunnel through a jump host.
    SSH_CONNECT = "error.ssh.connect" {
        en: "cannot reach the SSH host {host}: {reason}; check its address and port, and that sshd runs there",
        zh: "无法连接 SSH 主机 {host}：{reason}；请检查其地址和端口，以及该主机上是否运行着 sshd",
    },
    SSH_LOCAL_END = "error.ssh.connect.local_end" {
        en: "the tunnel's local end failed ({error})",
        zh: "隧道的本地端出错（{error}）",
    },
    SSH_NO_LOCAL_PORT = "error.ssh.connect.no_local_port" {
        en: "no local port for the tunnel ({error})",
        zh: "无法为隧道分配本地端口（{error}）",
    },
    SSH_NO_ANSWER = "error.ssh.connect.no_answer" { en: "no answer within {secs} s", zh: "{secs} 秒内没有应答" },
    SSH_UNKNOWN_HOST_KEY = "error.ssh.unknown_host_key" {
        en: "the SSH host {host} offered the key {fingerprint}, which is not in {known_hosts}: if that is its key \
             (ask its administrator), accept it with the SSH host key option set to {fingerprint}, or add it to \
             known_hosts",
        zh: "SSH 主机 {host} 出示的密钥 {fingerprint} 不在 {known_hosts} 中：如果这确实是它的密钥（请向其管理员确认），\
             请将 SSH 主机密钥选项设为 {fingerprint} 以接受它，或将其加入 known_hosts",
    },
    SSH_CHANGED_HOST_KEY = "error.ssh.changed_host_key" {
        en: "the SSH host {host} offered the key {fingerprint}, which does NOT match the one recorded for it \
             ({detail}): someone may be intercepting the connection; check with its administrator before going on",
        zh: "SSH 主机 {host} 出示的密钥 {fingerprint} 与为它记录的密钥不一致（{detail}）：可能有人在截取连接；\
             继续之前请与其管理员核实",
    },
    SSH_ACCEPTED = "error.ssh.changed_host_key.accepted" { en: "accepted: {fingerprint}", zh: "已接受：{fingerprint}" },
    SSH_KNOWN_HOSTS_LINE = "error.ssh.changed_host_key.line" { en: "{file}, line {line}", zh: "{file} 第 {line} 行" },
    SSH_KEY = "error.ssh.key" { en: "cannot read the SSH key {path}: {reason}", zh: "无法读取 SSH 密钥 {path}：{reason}" },
    SSH_AGENT = "error.ssh.agent" {
        en: "cannot read the SSH key the SSH agent: {reason}",
        zh: "无法从 SSH agent 读取密钥：{reason}",
    },
    SSH_KEY_ENCRYPTED = "error.ssh.key.encrypted" { en: "it is encrypted; give its passphrase", zh: "它已加密；请提供其口令" },
    SSH_KEY_PASSPHRASE = "error.ssh.key.passphrase" {
        en: "{error} (is the passphrase right?)",
        zh: "{error}（口令是否正确？）",
    },
    SSH_NO_AGENT = "error.ssh.agent.missing" {
        en: "{error}; give a key file or a password instead, or start an agent holding the key",
        zh: "{error}；请改为提供私钥文件或密码，或启动持有该密钥的 agent",
    },
    SSH_REFUSED = "error.ssh.refused" {
        en: "the SSH host {host} refused {user}'s {method}; check the user name and the key or password",
        zh: "SSH 主机 {host} 拒绝了 {user} 的{method}；请检查用户名以及密钥或密码",
    },
    SSH_METHOD_KEY = "error.ssh.refused.key" { en: "key", zh: "密钥" },
    SSH_METHOD_PASSWORD = "error.ssh.refused.password" { en: "password", zh: "密码" },
    SSH_METHOD_AGENT = "error.ssh.refused.agent" { en: "agent keys", zh: "agent 中的密钥" },
    SSH_FORWARD = "error.ssh.forward" {
        en: "the SSH host {host} could not open a connection to {target}: {reason}",
        zh: "SSH 主机 {host} 无法打开到 {target} 的连接：{reason}",
    },

    // ClusterError: a cluster's topology.
    CLUSTER_UNCOVERED = "error.cluster.uncovered" {
        en: "the cluster at {addr} does not serve every slot: {ranges} have no master. Fix the cluster (redis-cli \
             --cluster fix), then start again",
        zh: "{addr} 所在的集群没有覆盖全部槽位：{ranges} 没有主节点。请修复集群（redis-cli --cluster fix）后重新开始",
    },
    CLUSTER_SLOT = "error.cluster.slot" { en: "slot {slot}", zh: "槽位 {slot}" },
    CLUSTER_SLOTS = "error.cluster.slots" { en: "slots {from}-{to}", zh: "槽位 {from}-{to}" },
    CLUSTER_RANGE_LIST = "error.cluster.range_list" { en: "{first}, {rest}", zh: "{first}、{rest}" },
    CLUSTER_MALFORMED = "error.cluster.malformed" {
        en: "the cluster at {addr} answered {command} in a shape Ferry does not know: {detail}",
        zh: "{addr} 所在的集群对 {command} 的应答格式 Ferry 无法识别：{detail}",
    },
    CLUSTER_NOT_ARRAY = "error.cluster.malformed.not_array" { en: "not an array", zh: "不是数组" },
    CLUSTER_SHARD_NO_SLOTS = "error.cluster.malformed.shard_no_slots" {
        en: "a shard without slots",
        zh: "有分片没有槽位",
    },
    CLUSTER_SHARD_NO_NODES = "error.cluster.malformed.shard_no_nodes" {
        en: "a shard without nodes",
        zh: "有分片没有节点",
    },
    CLUSTER_RANGE_NOT_ARRAY = "error.cluster.malformed.range_not_array" {
        en: "a range not an array",
        zh: "有槽位范围不是数组",
    },
    CLUSTER_RANGE_NO_BOUNDS = "error.cluster.malformed.range_no_bounds" {
        en: "a range without bounds",
        zh: "有槽位范围缺少起止值",
    },
    CLUSTER_NO_MASTER = "error.cluster.malformed.no_master" { en: "no master", zh: "没有主节点" },

    // SentinelError: asking the Sentinels for the master.
    SENTINEL_UNREACHABLE = "error.sentinel.unreachable" {
        en: "none of the Sentinels ({nodes}) named the master {name}: {causes}. Check that they run and that the \
             addresses are their ports (26379 by default)",
        zh: "没有一个 Sentinel（{nodes}）给出主节点 {name}：{causes}。请检查它们是否在运行，以及地址是否为 Sentinel 的端口\
             （默认 26379）",
    },
    SENTINEL_NOT_AN_ADDRESS = "error.sentinel.cause.not_an_address" {
        en: "{node} answered an address that is not host and port",
        zh: "{node} 给出的地址不是主机和端口",
    },
    SENTINEL_NOT_MONITORED = "error.sentinel.cause.not_monitored" {
        en: "{node} does not monitor it",
        zh: "{node} 没有监控它",
    },
    SENTINEL_ANSWERED = "error.sentinel.cause.answered" { en: "{node} answered {reply}", zh: "{node} 的应答是 {reply}" },
    SENTINEL_FAILED = "error.sentinel.cause.failed" { en: "{node}: {error}", zh: "{node}：{error}" },
    SENTINEL_UNKNOWN_MASTER = "error.sentinel.unknown_master" {
        en: "the Sentinels ({nodes}) monitor no master named {name}; check the name (`SENTINEL MASTERS` on a \
             Sentinel lists them)",
        zh: "Sentinel（{nodes}）没有监控名为 {name} 的主节点；请检查名称（在 Sentinel 上执行 `SENTINEL MASTERS` \
             可列出全部主节点）",
    },
    SENTINEL_BAD_ADDRESS = "error.sentinel.bad_address" {
        en: "the Sentinel address {node} is not host:port: {reason}",
        zh: "Sentinel 地址 {node} 不是 host:port 格式：{reason}",
    },
    SENTINEL_NONE_GIVEN = "error.sentinel.none_given" { en: "no Sentinel is given", zh: "没有提供 Sentinel" },

    // StoreError: the task database.
    STORE_NO_DATA_DIR = "error.store.no_data_dir" {
        en: "cannot find the OS app-data directory for Ferry's data. Set FERRY_DATA_DIR to a writable directory",
        zh: "找不到系统的应用数据目录来存放 Ferry 的数据。请将 FERRY_DATA_DIR 设为一个可写的目录",
    },
    STORE_DATA_DIR = "error.store.data_dir" {
        en: "cannot create Ferry's data directory {path}: {error}. Check its permissions, or set FERRY_DATA_DIR to a \
             writable directory",
        zh: "无法创建 Ferry 的数据目录 {path}：{error}。请检查其权限，或将 FERRY_DATA_DIR 设为一个可写的目录",
    },
    STORE_LOCKED = "error.store.locked" {
        en: "the task database at {path} is locked by another process (a Ferry CLI or desktop app) and stayed locked \
             for more than 5 s. Try again, or close the other Ferry",
        zh: "任务数据库 {path} 被另一个进程（Ferry 命令行或桌面应用）锁定，且超过 5 秒仍未释放。请重试，或关闭另一个 Ferry",
    },
    STORE_CORRUPT = "error.store.corrupt" {
        en: "the task database at {path} is corrupt: {cause}. Move it away (with its -wal and -shm files) to start \
             fresh",
        zh: "任务数据库 {path} 已损坏：{cause}。请将它（连同其 -wal 和 -shm 文件）移走，以全新的数据库重新开始",
    },
    STORE_UNKNOWN_EDITION = "error.store.corrupt.edition" {
        en: "unknown instance edition {edition}",
        zh: "未知的实例架构 {edition}",
    },
    STORE_UNKNOWN_STATUS = "error.store.corrupt.status" { en: "unknown task status {status}", zh: "未知的任务状态 {status}" },
    STORE_UNDECODABLE = "error.store.corrupt.undecodable" {
        en: "a stored {what} does not decode: {error}",
        zh: "存储的{what}无法解码：{error}",
    },
    STORE_NEGATIVE = "error.store.corrupt.negative" {
        en: "a stored {what} is negative ({value})",
        zh: "存储的{what}为负数（{value}）",
    },
    STORE_IO = "error.store.io" {
        en: "cannot read or write the task database at {path}: {cause}. Check that the disk has space and that the \
             file and its directory are writable",
        zh: "无法读写任务数据库 {path}：{cause}。请检查磁盘空间是否充足，以及该文件及其目录是否可写",
    },
    STORE_TOO_NEW = "error.store.too_new" {
        en: "the task database at {path} was written by a newer Ferry (schema version {found}; this Ferry knows up to \
             {known}). Upgrade Ferry, or set FERRY_DATA_DIR to another directory",
        zh: "任务数据库 {path} 由更新版本的 Ferry 写入（数据库结构版本 {found}；当前 Ferry 最高支持 {known}）。请升级 \
             Ferry，或将 FERRY_DATA_DIR 设为其他目录",
    },
    STORE_SQLITE = "error.store.sqlite" { en: "the task database at {path} failed: {cause}", zh: "任务数据库 {path} 出错：{cause}" },
    STORE_ENCODE = "error.store.encode" {
        en: "cannot encode the {what} for the task database: {cause}",
        zh: "无法为任务数据库编码{what}：{cause}",
    },
    STORE_POISONED = "error.store.poisoned" {
        en: "the task database handle is unusable after a crash in another thread. Restart Ferry",
        zh: "另一个线程崩溃后，任务数据库句柄已不可用。请重启 Ferry",
    },
    STORE_NOT_FOUND = "error.store.not_found" {
        en: "there is no {what} {which}. List them to see the ids and names",
        zh: "找不到{what}（{which}）。请列出全部{what}以查看 ID 和名称",
    },
    STORE_NAMED = "error.store.not_found.named" { en: "named {name}", zh: "名为 {name}" },
    STORE_DUPLICATE = "error.store.duplicate" {
        en: "{what} name {name} is already taken. Choose another name",
        zh: "{what}名称 {name} 已被占用。请换一个名称",
    },
    STORE_IN_USE = "error.store.in_use" {
        en: "instance {instance} is the target of task {task}, which is {status}. Cancel the task or let it finish \
             before removing the instance",
        zh: "实例 {instance} 是任务 {task} 的目标实例，该任务当前状态为“{status}”。请先取消该任务或等它结束，再删除该实例",
    },
    STORE_TRANSITION = "error.store.transition" {
        en: "task {task} cannot go from \"{from}\" to \"{to}\"",
        zh: "任务 {task} 不能从“{from}”变为“{to}”",
    },
    STORE_TARGET_REMOVED = "error.store.target_removed" {
        en: "task {task} targets instance {instance}, which was removed. Create a new task for another instance",
        zh: "任务 {task} 的目标实例 {instance} 已被删除。请为其他实例新建任务",
    },
    STORE_LOST = "error.store.lost" {
        en: "task {id} is no longer run by {owner}: its heartbeat went stale and another process took it over. Stop \
             this runner",
        zh: "任务 {id} 已不再由 {owner} 运行：它的心跳已过期，另一个进程接管了它。请停止当前的运行进程",
    },
    // The records and stored values the store's sentences name.
    STORE_TASK = "error.store.record.task" { en: "task", zh: "任务" },
    STORE_INSTANCE = "error.store.record.instance" { en: "instance", zh: "实例" },
    STORE_PAIR = "error.store.record.pair" { en: "hot-standby pair", zh: "热备" },
    STORE_SEED_NODES = "error.store.record.seed_nodes" { en: "seed nodes", zh: "种子节点" },
    STORE_TLS_SETTINGS = "error.store.record.tls" { en: "TLS settings", zh: "TLS 设置" },
    STORE_SSH_TUNNEL = "error.store.record.ssh" { en: "SSH tunnel", zh: "SSH 隧道" },
    STORE_SAVED_PARAMS = "error.store.record.params" { en: "saved parameters", zh: "已保存的参数" },
    STORE_SNAPSHOT = "error.store.record.snapshot" { en: "progress snapshot", zh: "进度快照" },
    STORE_TASK_SPEC = "error.store.record.task_spec" { en: "task spec", zh: "任务配置" },
    STORE_FINAL_LAG = "error.store.record.final_lag" { en: "final lag", zh: "最终延迟" },
    // A task's status as the store's sentences name it (the console's words for each).

    // VaultError: the encrypted passwords file.
    VAULT_KEY_FILE = "error.vault.key_file" {
        en: "cannot read the master key from {path} (FERRY_MASTER_KEY_FILE): {cause}",
        zh: "无法从 {path}（FERRY_MASTER_KEY_FILE）读取主密钥：{cause}",
    },
    VAULT_FIRST_LINE_EMPTY = "error.vault.key_file.empty" { en: "the file's first line is empty", zh: "文件的第一行为空" },
    VAULT_WRONG_KEY = "error.vault.wrong_key" {
        en: "the master key does not open {path}: FERRY_MASTER_KEY (or FERRY_MASTER_KEY_FILE) is not the key the file \
             was written with. Give that key, or delete the file and enter the passwords again",
        zh: "主密钥无法打开 {path}：FERRY_MASTER_KEY（或 FERRY_MASTER_KEY_FILE）不是写入该文件时所用的密钥。请提供那个\
             密钥，或删除该文件后重新输入密码",
    },
    VAULT_DAMAGED = "error.vault.damaged" {
        en: "{path} is damaged ({cause}); delete it and enter the passwords again",
        zh: "{path} 已损坏（{cause}）；请删除它并重新输入密码",
    },
    VAULT_CUT_SHORT = "error.vault.damaged.cut_short" { en: "an entry is cut short", zh: "有条目被截断" },
    VAULT_NOT_TEXT = "error.vault.damaged.not_text" { en: "a password is not text", zh: "有密码不是文本" },
    VAULT_WRITE = "error.vault.write" { en: "cannot write {path}: {cause}", zh: "无法写入 {path}：{cause}" },

    // SecretError: the OS keychain.
    SECRET_UNAVAILABLE = "error.secret.unavailable" {
        en: "no OS keychain is available ({hint}): {cause}",
        zh: "没有可用的系统钥匙串（{hint}）：{cause}",
    },
    SECRET_DENIED = "error.secret.denied" {
        en: "the OS keychain refused access to the password for {account} ({hint}): {cause}",
        zh: "系统钥匙串拒绝访问 {account} 的密码（{hint}）：{cause}",
    },
    SECRET_NOT_TEXT = "error.secret.not_text" {
        en: "the OS keychain holds a password for {account} that is not text. Set the password again in Ferry",
        zh: "系统钥匙串中 {account} 的密码不是文本。请在 Ferry 中重新设置密码",
    },
    SECRET_AMBIGUOUS = "error.secret.ambiguous" {
        en: "the OS keychain holds several passwords for {account} under service {service}. Delete the extra ones \
             with the keychain's own manager (e.g. Seahorse, Keychain Access)",
        zh: "系统钥匙串在服务 {service} 下存有多个 {account} 的密码。请用钥匙串自带的管理工具（如 Seahorse、钥匙串访问）\
             删除多余的密码",
    },
    SECRET_REJECTED = "error.secret.rejected" {
        en: "the OS keychain cannot store the password for {account}: {cause}",
        zh: "系统钥匙串无法保存 {account} 的密码：{cause}",
    },
    // What to check, per platform (only one is compiled in; all are translated).
    SECRET_HINT_MACOS = "error.secret.hint.macos" {
        en: "is the login keychain present and unlocked?",
        zh: "登录钥匙串是否存在并已解锁？",
    },
    SECRET_HINT_WINDOWS = "error.secret.hint.windows" {
        en: "is the Windows Credential Manager available to this user?",
        zh: "当前用户能否使用 Windows 凭据管理器？",
    },
    SECRET_HINT_LINUX = "error.secret.hint.linux" {
        en: "is a Secret Service such as GNOME Keyring or KWallet running and unlocked?",
        zh: "是否有 GNOME Keyring 或 KWallet 等 Secret Service 在运行并已解锁？",
    },

    // ParamError: the source's migration parameters.
    PARAM_REFUSED = "error.params.refused" {
        en: "the source refused CONFIG {action} {name}: {message}. CONFIG may be renamed or forbidden there; set it by \
             hand or grant the user +config",
        zh: "源端拒绝了 CONFIG {action} {name}：{message}。源端的 CONFIG 可能被重命名或禁止；请手动设置，或为该用户授予 \
             +config",
    },

    // PauseError: holding a server's writes.
    PAUSE_UNAVAILABLE = "error.pause.unavailable" {
        en: "{server} cannot pause its clients (CLIENT PAUSE came with Redis 3.0): stop the writes to it yourself, \
             then cut over without pausing",
        zh: "{server} 无法暂停客户端（CLIENT PAUSE 从 Redis 3.0 起才有）：请自行停止对它的写入，然后不暂停写入直接断开同步",
    },
    PAUSE_NO_OFFSET = "error.pause.no_offset" {
        en: "{addr} did not report its replication offset while pausing writes ({got})",
        zh: "{addr} 在暂停写入时没有报告其复制偏移量（{got}）",
    },
    PAUSE_NO_OFFSET_FIELD = "error.pause.no_offset.field" { en: "no master_repl_offset", zh: "没有 master_repl_offset" },

    // ExposureError: a proxy that anyone could use.
    EXPOSURE_OPEN = "error.proxy.exposed" {
        en: "the proxy would listen on {listen}, beyond this machine, and {server} takes commands from clients that \
             give no password, so anyone who reaches the port could use the database. Give the servers a password \
             (requirepass or ACL users; clients then log in through the proxy with them), or give the proxy a \
             password of its own, or listen on 127.0.0.1",
        zh: "接入层将监听 {listen}（本机以外可以访问），而 {server} 接受未提供密码的客户端的命令，因此任何能访问该端口的人\
             都能使用数据库。请为服务器设置密码（requirepass 或 ACL 用户；客户端随后用它们通过接入层登录），或为接入层\
             设置独立的密码，或监听 127.0.0.1",
    },
    EXPOSURE_UNKNOWN = "error.proxy.exposure_unknown" {
        en: "the proxy would listen on {listen}, beyond this machine, and cannot tell whether the servers require a \
             password ({reason}); start it when the master or the replica answers, or give the proxy a password of \
             its own",
        zh: "接入层将监听 {listen}（本机以外可以访问），但无法判断服务器是否要求密码（{reason}）；请在主节点或副本有应答时\
             再启动，或为接入层设置独立的密码",
    },

    // HaError: starting the hot standby.
    HA_LISTEN = "error.ha.listen" {
        en: "the proxy cannot listen on {addr}: {error}. Check that the address is local and the port is free",
        zh: "接入层无法监听 {addr}：{error}。请检查该地址是否为本机地址，以及端口是否空闲",
    },
    HA_INVALID = "error.ha.invalid" { en: "invalid hot-standby options: {why}", zh: "热备选项无效：{why}" },
    HA_BAD_HEARTBEAT = "error.ha.invalid.heartbeat" {
        en: "the heartbeat ({heartbeat} ms) must be more than 0 and at most down_after ({down_after} ms)",
        zh: "心跳间隔（{heartbeat} 毫秒）必须大于 0，且不超过 down_after（{down_after} 毫秒）",
    },
    HA_SAME_SERVER = "error.ha.invalid.same_server" {
        en: "the master and the replica are the same server ({server})",
        zh: "主节点和副本是同一个服务器（{server}）",
    },
    HA_TLS = "error.ha.tls" { en: "the proxy's TLS settings do not work: {why}", zh: "接入层的 TLS 设置不可用：{why}" },

    // RoleError: which server is the master at start.
    ROLES_TWO_MASTERS = "error.roles.two_masters" {
        en: "both {first} and {second} say they are the master (ROLE), so the proxy cannot tell where writes belong \
             and routes nothing. Make the one whose data is older a replica of the other (REPLICAOF), then start the \
             proxy again",
        zh: "{first} 和 {second} 都声称自己是主节点（ROLE），接入层无法判断写请求应发往哪里，因此不路由任何请求。请将数据\
             较旧的一方设为另一方的副本（REPLICAOF），然后重新启动接入层",
    },
    ROLES_NO_MASTER = "error.roles.no_master" {
        en: "neither server is a master: {first} is a replica of {master} and {second} {state}. Promote one \
             (REPLICAOF NO ONE), or give the pair's real master, then start the proxy again",
        zh: "两个服务器都不是主节点：{first} 是 {master} 的副本，{second} {state}。请提升其中一个（REPLICAOF NO ONE），\
             或指定这对主备真正的主节点，然后重新启动接入层",
    },
    ROLES_IS_REPLICA_OF = "error.roles.no_master.replica" { en: "is a replica of {master}", zh: "是 {master} 的副本" },
    ROLES_DOES_NOT_ANSWER = "error.roles.no_master.silent" { en: "does not answer: {why}", zh: "没有应答：{why}" },
}

#[cfg(test)]
mod tests {
    use super::*;

    use std::io;
    use std::path::PathBuf;

    use crate::client::ClientError;
    use crate::cluster::ClusterError;
    use crate::ha::auth::ExposureError;
    use crate::ha::roles::RoleError;
    use crate::ha::HaError;
    use crate::model::TaskStatus;
    use crate::params::ParamError;
    use crate::pause::PauseError;
    use crate::secrets::SecretError;
    use crate::sentinel::SentinelError;
    use crate::store::StoreError;
    use crate::text::{Lang, Text};
    use crate::transport::ssh::SshError;
    use crate::transport::{ConnectError, TlsError};
    use crate::vault::VaultError;

    /// Each error's English, `Display` and `text()` alike, as it read before it had codes (the CLI,
    /// the logs and the tests go on reading it), and its Chinese with every placeholder filled.
    #[test]
    fn every_error_reads_as_before_in_english_and_fully_in_chinese() {
        let a = || "10.0.0.1:6379".to_string();
        let refused = || io::Error::new(io::ErrorKind::ConnectionRefused, "Connection refused");
        let at = || PathBuf::from("/data/ferry.db");
        let listen: std::net::SocketAddr = "0.0.0.0:6380".parse().unwrap();
        let cases: Vec<(String, Text, &str)> = vec![
            case(ClientError::Connect { addr: a(), source: refused() }, "cannot connect to 10.0.0.1:6379: Connection refused. Check that the server is running, the host and port are right, and no firewall or security group blocks the port"),
            case(ClientError::Timeout { addr: a(), what: &CLIENT_WAITING, secs: 10 }, "10.0.0.1:6379 did not answer within 10 s (waiting for a reply). Check the address, the network, and that the server is not overloaded"),
            case(ClientError::Timeout { addr: a(), what: &CLIENT_CONNECTING, secs: 1 }, "10.0.0.1:6379 did not answer within 1 s (connecting). Check the address, the network, and that the server is not overloaded"),
            case(ClientError::Timeout { addr: a(), what: &CLIENT_SENDING, secs: 1 }, "10.0.0.1:6379 did not answer within 1 s (sending). Check the address, the network, and that the server is not overloaded"),
            case(ClientError::Timeout { addr: a(), what: &CLIENT_OPENING_BACKEND, secs: 1 }, "10.0.0.1:6379 did not answer within 1 s (opening a backend connection). Check the address, the network, and that the server is not overloaded"),
            case(ClientError::NotRedis { addr: a(), got: "HTTP/1.1".into() }, "10.0.0.1:6379 does not speak the Redis protocol (it answered \"HTTP/1.1\"). Check the port: it may belong to another service"),
            case(ClientError::Auth { addr: a(), message: "WRONGPASS invalid".into() }, "10.0.0.1:6379 refused the credentials (WRONGPASS invalid). Check the user name and password"),
            case(ClientError::NoAuth { addr: a(), message: "NOAUTH".into() }, "10.0.0.1:6379 requires a password (NOAUTH). Give it with the address (on the command line: --source-password-file, FERRY_SOURCE_PASSWORD or --source-password-prompt, and likewise for the other addresses)"),
            case(ClientError::NotPlainRedis { addr: a(), what: Text::new(&CLIENT_HUNG_UP) }, "something answers at 10.0.0.1:6379, but not a Redis speaking plain RESP: it closed the connection when sent a Redis command. It may be a port that only takes TLS (then use rediss://), or another service; check the port"),
            case(ClientError::NotPlainRedis { addr: a(), what: Text::new(&CLIENT_RESET) }, "something answers at 10.0.0.1:6379, but not a Redis speaking plain RESP: it reset the connection when sent a Redis command. It may be a port that only takes TLS (then use rediss://), or another service; check the port"),
            case(ClientError::NotPlainRedis { addr: a(), what: Text::new(&CLIENT_TLS_ALERT) }, "something answers at 10.0.0.1:6379, but not a Redis speaking plain RESP: it answered with a TLS alert. It may be a port that only takes TLS (then use rediss://), or another service; check the port"),
            case(ClientError::Tls { addr: a(), source: TlsError::Expired }, "TLS with 10.0.0.1:6379 failed: its certificate has expired; renew the server's certificate (or check this machine's clock)"),
            case(ClientError::Ssh { addr: a(), source: Box::new(SshError::Refused { host: "jump:22".into(), user: "ops".into(), method: Text::new(&SSH_METHOD_KEY) }) }, "the SSH tunnel to 10.0.0.1:6379 failed: the SSH host jump:22 refused ops's key; check the user name and the key or password"),
            case(ClientError::Closed { addr: a(), context: None }, "the connection to 10.0.0.1:6379 was closed by the server"),
            case(ClientError::Closed { addr: a(), context: Some(Text::new(&CLIENT_CLOSED_NO_NODE)) }, "the connection to 10.0.0.1:6379 was closed by the server: no node of the cluster answers"),
            case(ClientError::Closed { addr: a(), context: Some(Text::new(&CLIENT_CLOSED_NO_SOURCE_NODE)) }, "the connection to 10.0.0.1:6379 was closed by the server: no node of the source cluster answers"),
            case(ClientError::Closed { addr: a(), context: Some(Text::new(&CLIENT_CLOSED_AFTER_ERROR)) }, "the connection to 10.0.0.1:6379 was closed by the server after an error"),
            case(ClientError::Closed { addr: a(), context: Some(Text::new(&CLIENT_CLOSED_BECAUSE).arg("why", Text::new(&CONNECT_TIMED_OUT))) }, "the connection to 10.0.0.1:6379 was closed by the server: timed out"),
            case(ClientError::Io { addr: a(), source: refused() }, "I/O error talking to 10.0.0.1:6379: Connection refused"),
            case(ClientError::Server { addr: a(), command: "PING".into(), message: "ERR no".into() }, "10.0.0.1:6379 rejected PING: ERR no"),
            case(ConnectError::Timeout, "timed out"),
            case(ConnectError::Tls(TlsError::NotTls), "it answered in plain text, not TLS: the port does not take TLS; use redis:// for it"),
            case(TlsError::File { path: "/ca.pem".into(), reason: Text::new(&TLS_KEY_MISMATCH).arg("error", "bad") }, "cannot read the TLS file /ca.pem: the certificate and key do not go together (bad)"),
            case(TlsError::File { path: "/ca.pem".into(), reason: Text::new(&TLS_NOT_A_CA).arg("error", "bad") }, "cannot read the TLS file /ca.pem: a certificate in it is not a usable CA (bad)"),
            case(TlsError::File { path: "/ca.pem".into(), reason: Text::new(&TLS_NO_PEM_CERT) }, "cannot read the TLS file /ca.pem: it holds no PEM certificate"),
            case(TlsError::File { path: "/k.pem".into(), reason: Text::new(&TLS_NO_PEM_KEY) }, "cannot read the TLS file /k.pem: it holds no PEM private key"),
            case(TlsError::File { path: "/k.pem".into(), reason: Text::new(&TLS_BAD_PEM).arg("error", "X") }, "cannot read the TLS file /k.pem: it is not valid PEM (X)"),
            case(TlsError::HalfClientCert, "the client certificate needs both a certificate file and a key file; give both, or neither"),
            case(TlsError::BadName { name: "a b".into() }, "\"a b\" is not a valid TLS server name; give another with the TLS server name option"),
            case(TlsError::NoRoots, "no trusted CA certificates were found on this system; give a CA file with the TLS CA option"),
            case(TlsError::NotYetValid, "its certificate is not valid yet; check this machine's clock and the certificate's start date"),
            case(TlsError::UnknownIssuer, "its certificate is not signed by a trusted CA; give the CA that signed it with the TLS CA option"),
            case(TlsError::WrongName { name: "redis".into() }, "its certificate is not valid for \"redis\"; connect by a name the certificate lists, or set the TLS server name"),
            case(TlsError::ClientCertRequired, "it asks for a client certificate (mutual TLS); give one with the TLS certificate and key options"),
            case(TlsError::ClientCertRefused { alert: "UnknownCA".into() }, "it refused the client certificate (UnknownCA); give a certificate its CA trusts"),
            case(TlsError::NoAnswer { secs: 5 }, "it took the connection but did not answer the TLS handshake within 5 s: a plain port (then use redis://), or a server too busy to answer"),
            case(TlsError::Other(Text::new(&TLS_CLIENT_CA_UNUSABLE).arg("error", "e")), "the TLS handshake failed: the client CA cannot verify certificates (e)"),
            case(TlsError::Other(Text::new(&TLS_CLOSED_IN_HANDSHAKE).arg("error", "eof")), "the TLS handshake failed: the server closed the connection during the handshake (eof); check that the port takes TLS"),
            case(TlsError::Other(Text::new(&TLS_CERT_REFUSED).arg("error", "BadEncoding")), "the TLS handshake failed: the server's certificate was refused (BadEncoding)"),
            case(TlsError::Other(Text::new(&TLS_ALERT).arg("alert", "DecodeError")), "the TLS handshake failed: the server sent the alert DecodeError"),
            case(SshError::Connect { host: "jump:22".into(), reason: Text::new(&SSH_LOCAL_END).arg("error", "e") }, "cannot reach the SSH host jump:22: the tunnel's local end failed (e); check its address and port, and that sshd runs there"),
            case(SshError::Connect { host: "jump:22".into(), reason: Text::new(&SSH_NO_LOCAL_PORT).arg("error", "e") }, "cannot reach the SSH host jump:22: no local port for the tunnel (e); check its address and port, and that sshd runs there"),
            case(SshError::Connect { host: "jump:22".into(), reason: Text::new(&SSH_NO_ANSWER).arg("secs", 10u64) }, "cannot reach the SSH host jump:22: no answer within 10 s; check its address and port, and that sshd runs there"),
            case(SshError::UnknownHostKey { host: "jump:22".into(), fingerprint: "SHA256:x".into(), known_hosts: "/k".into() }, "the SSH host jump:22 offered the key SHA256:x, which is not in /k: if that is its key (ask its administrator), accept it with the SSH host key option set to SHA256:x, or add it to known_hosts"),
            case(SshError::ChangedHostKey { host: "jump:22".into(), fingerprint: "SHA256:x".into(), detail: Text::new(&SSH_ACCEPTED).arg("fingerprint", "SHA256:y") }, "the SSH host jump:22 offered the key SHA256:x, which does NOT match the one recorded for it (accepted: SHA256:y): someone may be intercepting the connection; check with its administrator before going on"),
            case(SshError::ChangedHostKey { host: "jump:22".into(), fingerprint: "SHA256:x".into(), detail: Text::new(&SSH_KNOWN_HOSTS_LINE).arg("file", "/k").arg("line", 3usize) }, "the SSH host jump:22 offered the key SHA256:x, which does NOT match the one recorded for it (/k, line 3): someone may be intercepting the connection; check with its administrator before going on"),
            case(SshError::Key { path: "/id".into(), reason: Text::new(&SSH_KEY_ENCRYPTED) }, "cannot read the SSH key /id: it is encrypted; give its passphrase"),
            case(SshError::Key { path: "/id".into(), reason: Text::new(&SSH_KEY_PASSPHRASE).arg("error", "bad") }, "cannot read the SSH key /id: bad (is the passphrase right?)"),
            case(SshError::Agent { reason: Text::new(&SSH_NO_AGENT).arg("error", "no socket") }, "cannot read the SSH key the SSH agent: no socket; give a key file or a password instead, or start an agent holding the key"),
            case(SshError::Refused { host: "jump:22".into(), user: "ops".into(), method: Text::new(&SSH_METHOD_PASSWORD) }, "the SSH host jump:22 refused ops's password; check the user name and the key or password"),
            case(SshError::Refused { host: "jump:22".into(), user: "ops".into(), method: Text::new(&SSH_METHOD_AGENT) }, "the SSH host jump:22 refused ops's agent keys; check the user name and the key or password"),
            case(SshError::Forward { host: "jump:22".into(), target: "r:6379".into(), reason: "denied".into() }, "the SSH host jump:22 could not open a connection to r:6379: denied"),
            case(ClusterError::Uncovered { addr: a(), ranges: vec![(0, 99), (5000, 5000), (16000, 16383)] }, "the cluster at 10.0.0.1:6379 does not serve every slot: slots 0-99, slot 5000, slots 16000-16383 have no master. Fix the cluster (redis-cli --cluster fix), then start again"),
            case(ClusterError::Malformed { addr: a(), command: "CLUSTER SLOTS", detail: Text::new(&CLUSTER_RANGE_NO_BOUNDS) }, "the cluster at 10.0.0.1:6379 answered CLUSTER SLOTS in a shape Ferry does not know: a range without bounds"),
            case(ClusterError::Client(ClientError::Closed { addr: a(), context: None }), "the connection to 10.0.0.1:6379 was closed by the server"),
            case(SentinelError::Unreachable { nodes: "s1:26379, s2:26379".into(), name: "m".into(), causes: vec![Text::new(&SENTINEL_NOT_MONITORED).arg("node", "s1:26379"), Text::new(&SENTINEL_NOT_AN_ADDRESS).arg("node", "s2:26379")] }, "none of the Sentinels (s1:26379, s2:26379) named the master \"m\": s1:26379 does not monitor it; s2:26379 answered an address that is not host and port. Check that they run and that the addresses are their ports (26379 by default)"),
            case(SentinelError::Unreachable { nodes: "s1:26379".into(), name: "m".into(), causes: vec![Text::new(&SENTINEL_ANSWERED).arg("node", "s1:26379").arg("reply", "Int(1)"), Text::new(&SENTINEL_FAILED).arg("node", "s1:26379").arg("error", Text::new(&CONNECT_TIMED_OUT))] }, "none of the Sentinels (s1:26379) named the master \"m\": s1:26379 answered Int(1); s1:26379: timed out. Check that they run and that the addresses are their ports (26379 by default)"),
            case(SentinelError::UnknownMaster { nodes: "s1:26379".into(), name: "m".into() }, "the Sentinels (s1:26379) monitor no master named \"m\"; check the name (`SENTINEL MASTERS` on a Sentinel lists them)"),
            case(SentinelError::BadAddress { node: String::new(), reason: Text::new(&SENTINEL_NONE_GIVEN) }, "the Sentinel address \"\" is not host:port: no Sentinel is given"),
            case(StoreError::NoDataDir, "cannot find the OS app-data directory for Ferry's data. Set FERRY_DATA_DIR to a writable directory"),
            case(StoreError::DataDir { path: at(), source: refused() }, "cannot create Ferry's data directory /data/ferry.db: Connection refused. Check its permissions, or set FERRY_DATA_DIR to a writable directory"),
            case(StoreError::Locked { path: at() }, "the task database at /data/ferry.db is locked by another process (a Ferry CLI or desktop app) and stayed locked for more than 5 s. Try again, or close the other Ferry"),
            case(StoreError::Corrupt { path: at(), cause: Text::new(&STORE_UNKNOWN_EDITION).arg("edition", "\"x\"") }, "the task database at /data/ferry.db is corrupt: unknown instance edition \"x\". Move it away (with its -wal and -shm files) to start fresh"),
            case(StoreError::Corrupt { path: at(), cause: Text::new(&STORE_UNKNOWN_STATUS).arg("status", "\"x\"") }, "the task database at /data/ferry.db is corrupt: unknown task status \"x\". Move it away (with its -wal and -shm files) to start fresh"),
            case(StoreError::Corrupt { path: at(), cause: Text::new(&STORE_UNDECODABLE).arg("what", Text::new(&STORE_TASK_SPEC)).arg("error", "eof") }, "the task database at /data/ferry.db is corrupt: a stored task spec does not decode: eof. Move it away (with its -wal and -shm files) to start fresh"),
            case(StoreError::Corrupt { path: at(), cause: Text::new(&STORE_NEGATIVE).arg("what", Text::new(&STORE_FINAL_LAG)).arg("value", -1i64) }, "the task database at /data/ferry.db is corrupt: a stored final lag is negative (-1). Move it away (with its -wal and -shm files) to start fresh"),
            case(StoreError::Io { path: at(), cause: "disk full".into() }, "cannot read or write the task database at /data/ferry.db: disk full. Check that the disk has space and that the file and its directory are writable"),
            case(StoreError::TooNew { path: at(), found: 99, known: 7 }, "the task database at /data/ferry.db was written by a newer Ferry (schema version 99; this Ferry knows up to 7). Upgrade Ferry, or set FERRY_DATA_DIR to another directory"),
            case(StoreError::Sqlite { path: at(), cause: "misuse".into() }, "the task database at /data/ferry.db failed: misuse"),
            case(StoreError::Encode { what: Text::new(&STORE_SEED_NODES), cause: "bad".into() }, "cannot encode the seed nodes for the task database: bad"),
            case(StoreError::Poisoned, "the task database handle is unusable after a crash in another thread. Restart Ferry"),
            case(StoreError::NotFound { what: "task", which: Text::new(&STORE_NAMED).arg("name", "\"web\"") }, "there is no task named \"web\". List them to see the ids and names"),
            case(StoreError::NotFound { what: "instance", which: Text::raw("7") }, "there is no instance 7. List them to see the ids and names"),
            case(StoreError::NotFound { what: "hot-standby pair", which: Text::raw("p") }, "there is no hot-standby pair p. List them to see the ids and names"),
            case(StoreError::Duplicate { what: "task", name: "web".into() }, "task name \"web\" is already taken. Choose another name"),
            case(StoreError::InUse { instance: "t".into(), task: "web".into(), status: TaskStatus::FullSync }, "instance \"t\" is the target of task \"web\", which is full sync. Cancel the task or let it finish before removing the instance"),
            case(StoreError::Transition { task: "web".into(), from: TaskStatus::NotStarted, to: TaskStatus::CuttingOver }, "task \"web\" cannot go from \"not started\" to \"cutting over\""),
            case(StoreError::TargetRemoved { task: "web".into(), instance: 3 }, "task \"web\" targets instance 3, which was removed. Create a new task for another instance"),
            case(StoreError::Lost { id: 4, owner: "app-1".into() }, "task 4 is no longer run by \"app-1\": its heartbeat went stale and another process took it over. Stop this runner"),
            case(VaultError::KeyFile { path: "/key".into(), cause: Text::new(&VAULT_FIRST_LINE_EMPTY) }, "cannot read the master key from /key (FERRY_MASTER_KEY_FILE): the file's first line is empty"),
            case(VaultError::WrongKey { path: "/v".into() }, "the master key does not open /v: FERRY_MASTER_KEY (or FERRY_MASTER_KEY_FILE) is not the key the file was written with. Give that key, or delete the file and enter the passwords again"),
            case(VaultError::Damaged { path: "/v".into(), cause: Text::new(&VAULT_CUT_SHORT) }, "/v is damaged (an entry is cut short); delete it and enter the passwords again"),
            case(VaultError::Damaged { path: "/v".into(), cause: Text::new(&VAULT_NOT_TEXT) }, "/v is damaged (a password is not text); delete it and enter the passwords again"),
            case(VaultError::Write { path: "/v".into(), cause: "full".into() }, "cannot write /v: full"),
            case(SecretError::Vault(VaultError::WrongKey { path: "/v".into() }), "the master key does not open /v: FERRY_MASTER_KEY (or FERRY_MASTER_KEY_FILE) is not the key the file was written with. Give that key, or delete the file and enter the passwords again"),
            case(SecretError::NotText { account: "instance:1".into() }, "the OS keychain holds a password for instance:1 that is not text. Set the password again in Ferry"),
            case(SecretError::Ambiguous { account: "instance:1".into(), service: "ferry".into() }, "the OS keychain holds several passwords for instance:1 under service \"ferry\". Delete the extra ones with the keychain's own manager (e.g. Seahorse, Keychain Access)"),
            case(SecretError::Rejected { account: "instance:1".into(), cause: "no".into() }, "the OS keychain cannot store the password for instance:1: no"),
            case(ParamError::Refused { action: "SET", name: "repl-timeout".into(), message: "ERR unknown".into() }, "the source refused CONFIG SET repl-timeout: ERR unknown. CONFIG may be renamed or forbidden there; set it by hand or grant the user +config"),
            case(PauseError::Unavailable { server: "Redis 2.8.24".into() }, "Redis 2.8.24 cannot pause its clients (CLIENT PAUSE came with Redis 3.0): stop the writes to it yourself, then cut over without pausing"),
            case(PauseError::NoOffset { addr: a(), got: Text::new(&PAUSE_NO_OFFSET_FIELD) }, "10.0.0.1:6379 did not report its replication offset while pausing writes (no master_repl_offset)"),
            case(ExposureError::Open { listen, server: a() }, "the proxy would listen on 0.0.0.0:6380, beyond this machine, and 10.0.0.1:6379 takes commands from clients that give no password, so anyone who reaches the port could use the database. Give the servers a password (requirepass or ACL users; clients then log in through the proxy with them), or give the proxy a password of its own, or listen on 127.0.0.1"),
            case(ExposureError::Unknown { listen, reasons: vec![Text::new(&CONNECT_TIMED_OUT), Text::raw("b")] }, "the proxy would listen on 0.0.0.0:6380, beyond this machine, and cannot tell whether the servers require a password (timed out; b); start it when the master or the replica answers, or give the proxy a password of its own"),
            case(HaError::Listen { addr: "0.0.0.0:1".into(), source: refused() }, "the proxy cannot listen on 0.0.0.0:1: Connection refused. Check that the address is local and the port is free"),
            case(HaError::Invalid(Text::new(&HA_BAD_HEARTBEAT).arg("heartbeat", "0").arg("down_after", "1000")), "invalid hot-standby options: the heartbeat (0 ms) must be more than 0 and at most down_after (1000 ms)"),
            case(HaError::Invalid(Text::new(&HA_SAME_SERVER).arg("server", "redis://h:1")), "invalid hot-standby options: the master and the replica are the same server (redis://h:1)"),
            case(HaError::Tls(TlsError::HalfClientCert), "the proxy's TLS settings do not work: the client certificate needs both a certificate file and a key file; give both, or neither"),
            case(HaError::Roles(RoleError::TwoMasters("a:1".into(), "b:2".into())), "both a:1 and b:2 say they are the master (ROLE), so the proxy cannot tell where writes belong and routes nothing. Make the one whose data is older a replica of the other (REPLICAOF), then start the proxy again"),
            case(RoleError::NoMaster("a:1".into(), "c:3".into(), "b:2".into(), Text::new(&ROLES_IS_REPLICA_OF).arg("master", "d:4")), "neither server is a master: a:1 is a replica of c:3 and b:2 is a replica of d:4. Promote one (REPLICAOF NO ONE), or give the pair's real master, then start the proxy again"),
            case(RoleError::NoMaster("a:1".into(), "c:3".into(), "b:2".into(), Text::new(&ROLES_DOES_NOT_ANSWER).arg("why", Text::new(&CONNECT_TIMED_OUT))), "neither server is a master: a:1 is a replica of c:3 and b:2 does not answer: timed out. Promote one (REPLICAOF NO ONE), or give the pair's real master, then start the proxy again"),
        ];
        for (display, text, english) in cases {
            assert_eq!(display, english);
            assert_eq!(text.to_string(), english);
            let zh = text.render(Lang::Zh);
            assert!(!zh.contains('{') && zh.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)), "{zh}");
        }
        // The keychain's hint is the platform's.
        let unavailable = SecretError::Unavailable { cause: "no dbus".into() };
        assert!(unavailable.to_string().starts_with("no OS keychain is available (is "), "{unavailable}");
        assert!(!unavailable.text().render(Lang::Zh).contains('{'));
        let denied = SecretError::Denied { account: "instance:1".into(), cause: "locked".into() };
        assert!(denied.to_string().starts_with("the OS keychain refused access to the password for instance:1 (is "));
    }

    fn case<E: std::fmt::Display + Texted>(e: E, english: &str) -> (String, Text, &str) {
        (e.to_string(), e.text(), english)
    }

    /// The errors' `text()`, for [`case`].
    trait Texted {
        fn text(&self) -> Text;
    }

    macro_rules! texted {
        ($($t:ty),*) => {$(impl Texted for $t { fn text(&self) -> Text { <$t>::text(self) } })*};
    }
    texted!(
        ClientError,
        ConnectError,
        TlsError,
        SshError,
        ClusterError,
        SentinelError,
        StoreError,
        VaultError,
        SecretError,
        ParamError,
        PauseError,
        ExposureError,
        HaError,
        RoleError
    );
}
