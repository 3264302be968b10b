/* A small i18n module: two dictionaries with the same keys (the compiler checks it), a provider,
 * and `t(key, params)` with `{name}` placeholders. */
import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from "react";
import type { ErrorKind } from "./bindings";

const en = {
  "app.title": "Ferry",
  "nav.tasks": "Migration tasks",
  "nav.instances": "Instances",
  "lang.label": "Language",

  "status.not_started": "Not started",
  "status.checking": "Checking parameters",
  "status.check_failed": "Check failed",
  "status.full_sync": "Full sync",
  "status.incremental_sync": "Incremental sync",
  "status.cutting_over": "Disconnecting sync",
  "status.completed": "Completed",
  "status.failed": "Failed",
  "status.cancelled": "Cancelled",

  "kind.all": "All types",
  "kind.cloud_vm": "CVM self-hosted migration",
  "kind.public_network": "Public-network migration",

  "tasks.title": "Migration task list",
  "tasks.region": "Target region",
  "tasks.allRegions": "All regions",
  "tasks.type": "Migration type",
  "tasks.new": "New migration task",
  "tasks.refresh": "Refresh",
  "tasks.col.id": "ID",
  "tasks.col.name": "Task name",
  "tasks.col.source": "Source",
  "tasks.col.target": "Target instance",
  "tasks.col.type": "Type",
  "tasks.col.status": "Status",
  "tasks.col.created": "Created",
  "tasks.col.actions": "Actions",
  "tasks.start": "Start",
  "tasks.cancel": "Cancel",
  "tasks.view": "View",
  "tasks.cancelConfirm": "Cancel this task? The sync stops and the source's parameters are restored.",
  "tasks.empty": "No migration tasks here yet.",
  "tasks.emptyHint": "Register a target instance, then click “New migration task”.",
  "tasks.emptyFiltered": "No task matches this region and type. Choose “All regions” or another type.",
  "tasks.started": "Task “{name}” started.",
  "tasks.cancelled": "Task “{name}” cancelled.",
  "tasks.detail": "Task {id}: {name}",
  "tasks.reason": "Reason",
  "tasks.events": "Events",
  "tasks.noEvents": "No events yet.",
  "tasks.goInstances": "Register an instance",

  "newTask.title": "New migration task",
  "newTask.placeholder": "The create-task form (basic information, parameter settings, pre-check) comes in the next slice. Until then, create tasks with the CLI: ferry migrate --source … --target …",
  "newTask.back": "Back to the task list",

  "instances.title": "Instances",
  "instances.register": "Register instance",
  "instances.empty": "No instances registered yet.",
  "instances.emptyHint": "Register the Redis you migrate into: its name, region, address and credentials.",
  "instances.col.name": "Name",
  "instances.col.address": "Address",
  "instances.col.user": "User",
  "instances.col.edition": "Edition",
  "instances.col.password": "Password",
  "instances.col.actions": "Actions",
  "instances.passwordKept": "In the OS keychain",
  "instances.noPassword": "None",
  "instances.test": "Test connection",
  "instances.remove": "Remove",
  "instances.removeConfirm": "Remove instance “{name}”? Its password is deleted from the OS keychain.",
  "instances.removed": "Instance “{name}” removed.",
  "instances.testOk": "{name}: {version}, {latency} ms, {keys} keys",
  "instances.region": "Region {region}",
  "instances.defaultUser": "(default)",

  "edition.standard": "Standard",
  "edition.cluster": "Cluster",

  "form.title": "Register an instance",
  "form.name": "Name",
  "form.region": "Region",
  "form.host": "Host",
  "form.port": "Port",
  "form.user": "ACL user (optional)",
  "form.password": "Password (optional, kept in the OS keychain)",
  "form.edition": "Edition",
  "form.save": "Register",
  "form.cancel": "Cancel",
  "form.required": "Required.",
  "form.badPort": "A port is a whole number from 1 to 65535.",
  "form.saved": "Instance “{name}” registered.",

  "error.title": "Something went wrong",
  "error.retry": "Try again",
  "hint.store": "Ferry could not use its task store. Check that the data directory is writable: {dir}",
  "hint.secret": "The OS keychain refused. Unlock it (or log in to a desktop session) and try again.",
  "hint.client": "Check the host, port, user and password, and that this machine can reach the server (firewall, security group).",
  "hint.migrate": "See the task's events for the cause, then start it again.",
  "hint.invalid": "Correct the field the message names.",
  "hint.check_failed": "Fix the pre-check's errors, then check again.",
  "hint.warnings_not_accepted": "Read the warnings; confirm to go ahead anyway.",
  "hint.wrong_status": "The task's status does not allow this now; refresh the list.",
  "hint.running_elsewhere": "Another Ferry process runs this task; act on it there or stop that process.",
  "hint.not_running": "Start the task first.",
  "hint.missing_password": "Edit the instance and enter its password again.",
  "hint.cutover_failed": "The sync goes on; try the cutover again when the lag is low.",
  "hint.timeout": "It is taking longer than expected; refresh in a moment.",
  "hint.runner_gone": "See the task's events, then start it again.",
  "hint.app": "Restart Ferry; if it happens again, report it with the message above.",

  "nav.standby": "Hot standby",
  "nav.sandbox": "Try it locally",
  "nav.settings": "Settings",

  "settings.title": "Settings",
  "settings.language": "Language",
  "settings.theme": "Theme",
  "settings.theme.light": "Light",
  "settings.theme.dark": "Dark",
  "settings.theme.system": "Follow system",
  "settings.dataDir": "Where data lives",
  "settings.dataDirHint": "Tasks, instances and events are kept in this SQLite file; passwords are in the OS keychain, never here. Set FERRY_DATA_DIR before starting Ferry to use another place.",
  "settings.dataDirUnknown": "The task store did not say where it is; restart Ferry.",
  "settings.copy": "Copy",
  "settings.copied": "Copied.",
  "settings.copyFailed": "Could not copy; select the path and copy it by hand.",
  "settings.openSandbox": "Open the sandbox",

  "standby.title": "Hot standby",
  "standby.intro": "A master and its replica behind an access proxy: the proxy's heartbeat detects a failed master, the routing moves to the standby, and clients keep connecting to the same address.",
  "standby.new": "New hot-standby pair",
  "standby.refresh": "Refresh",
  "standby.empty": "No hot-standby pair runs in this app.",
  "standby.emptyHint": "Start one from two registered instances (a master and a replica of it), or try it locally with the sandbox.",
  "standby.trySandbox": "Try it locally",
  "standby.proxy": "Access proxy (clients connect here)",
  "standby.master": "Master",
  "standby.standby": "Standby",
  "standby.epoch": "Route epoch {epoch}",
  "standby.syncWrites": "Sync writes",
  "standby.asyncWrites": "Async writes",
  "standby.sandboxTag": "Sandbox",
  "standby.switchover": "Planned switchover",
  "standby.switchoverConfirm": "Swap master and standby? Writes are held at the proxy until the standby has all of them, then the roles swap: no write is lost and clients see no error. If the standby cannot catch up within 3 s nothing changes.",
  "standby.switchoverDone": "Switched over: the master is now {master} (route epoch {epoch}).",
  "standby.drill": "Failover drill",
  "standby.drillConfirm": "Kill the sandbox's master with SIGKILL? The proxy's heartbeat notices, the standby is promoted and clients are moved to it. A few seconds later the old master starts again, empty (as a crashed server without persistence comes back), and is fenced as the new standby.",
  "standby.stop": "Stop",
  "standby.stopConfirm": "Stop this pair's proxy? Its clients are disconnected; the servers keep their roles and data.",
  "standby.stopped": "Pair “{name}” stopped.",
  "standby.timeline": "Events (newest first)",
  "standby.noEvents": "No events yet: the heartbeat records each step as it happens.",
  "standby.confirm": "Confirm",
  "standby.cancel": "Cancel",

  "health.up": "Up",
  "health.unreachable": "Unreachable",
  "health.down": "Down",
  "standbyState.unfenced": "Not fenced yet",
  "standbyState.syncing": "Syncing",
  "standbyState.ready": "Ready",

  "haKind.master_unreachable": "Master unreachable",
  "haKind.master_recovered": "Master recovered",
  "haKind.marked_down": "Master marked down",
  "haKind.promoted": "Standby promoted",
  "haKind.promotion_refused": "Promotion refused",
  "haKind.route_pushed": "Route pushed",
  "haKind.first_request_served": "First request served",
  "haKind.fenced": "Fenced",
  "haKind.standby_ready": "Standby ready",
  "haKind.switchover_started": "Switchover started",
  "haKind.switchover_done": "Switchover done",
  "haKind.switchover_aborted": "Switchover aborted",

  "standbyForm.title": "Start a hot-standby pair",
  "standbyForm.name": "Name",
  "standbyForm.master": "Master instance",
  "standbyForm.replica": "Replica instance (promoted when the master fails)",
  "standbyForm.listen": "Proxy listen address (port 0 picks a free one)",
  "standbyForm.syncWrites": "Sync writes: acknowledge a write only once the replica has it",
  "standbyForm.start": "Start",
  "standbyForm.cancel": "Cancel",
  "standbyForm.required": "Required.",
  "standbyForm.same": "Choose two different instances.",
  "standbyForm.noInstances": "Register at least two instances first: a master and a replica of it.",
  "standbyForm.started": "Pair “{name}” started; clients connect to {listen}.",

  "sandbox.title": "Try it locally",
  "sandbox.intro": "The sandbox starts four local redis-server processes with sample data: a source to migrate from, a target instance, and a master with its replica behind an access proxy. They stop when you stop the sandbox or quit Ferry.",
  "sandbox.start": "Start the sandbox",
  "sandbox.starting": "Starting four redis-servers and loading about 2,000 sample keys…",
  "sandbox.running": "The sandbox is running.",
  "sandbox.source": "Source address (paste it into the new-task form)",
  "sandbox.target": "Target instance",
  "sandbox.standby": "Hot-standby pair",
  "sandbox.servers": "Servers",
  "sandbox.dir": "Files",
  "sandbox.goTasks": "Task list",
  "sandbox.goNewTask": "New migration task",
  "sandbox.goStandby": "Hot standby",
  "sandbox.stop": "Stop the sandbox",
  "sandbox.stopConfirm": "Stop the sandbox? Its servers are killed, their files deleted and its instances unregistered.",
  "sandbox.stopped": "The sandbox is stopped.",
};

export type MessageKey = keyof typeof en;
export type Dict = Record<MessageKey, string>;

const zh: Dict = {
  "app.title": "Ferry",
  "nav.tasks": "迁移任务",
  "nav.instances": "实例",
  "lang.label": "语言",

  "status.not_started": "未启动",
  "status.checking": "参数校验中",
  "status.check_failed": "校验失败",
  "status.full_sync": "全量同步中",
  "status.incremental_sync": "增量同步中",
  "status.cutting_over": "断开同步中",
  "status.completed": "已完成",
  "status.failed": "失败",
  "status.cancelled": "已取消",

  "kind.all": "全部类型",
  "kind.cloud_vm": "CVM自建实例迁移",
  "kind.public_network": "外网实例迁移",

  "tasks.title": "迁移任务列表",
  "tasks.region": "目标地域",
  "tasks.allRegions": "全部地域",
  "tasks.type": "迁移类型",
  "tasks.new": "新建实例迁移任务",
  "tasks.refresh": "刷新",
  "tasks.col.id": "ID",
  "tasks.col.name": "任务名称",
  "tasks.col.source": "源实例",
  "tasks.col.target": "目标实例",
  "tasks.col.type": "类型",
  "tasks.col.status": "状态",
  "tasks.col.created": "创建时间",
  "tasks.col.actions": "操作",
  "tasks.start": "启动",
  "tasks.cancel": "取消",
  "tasks.view": "查看",
  "tasks.cancelConfirm": "取消该任务？同步将停止，源实例参数将恢复。",
  "tasks.empty": "暂无迁移任务。",
  "tasks.emptyHint": "先登记目标实例，再点击“新建实例迁移任务”。",
  "tasks.emptyFiltered": "没有符合该地域和类型的任务。请选择“全部地域”或其他类型。",
  "tasks.started": "任务“{name}”已启动。",
  "tasks.cancelled": "任务“{name}”已取消。",
  "tasks.detail": "任务 {id}：{name}",
  "tasks.reason": "原因",
  "tasks.events": "事件",
  "tasks.noEvents": "暂无事件。",
  "tasks.goInstances": "登记实例",

  "newTask.title": "新建实例迁移任务",
  "newTask.placeholder": "创建任务表单（基本信息、参数设置、迁移前检查）将在下一版本提供。在此之前，请使用命令行创建任务：ferry migrate --source … --target …",
  "newTask.back": "返回迁移任务列表",

  "instances.title": "实例",
  "instances.register": "登记实例",
  "instances.empty": "尚未登记任何实例。",
  "instances.emptyHint": "登记要迁入的 Redis：名称、地域、地址和凭据。",
  "instances.col.name": "名称",
  "instances.col.address": "地址",
  "instances.col.user": "用户",
  "instances.col.edition": "版本",
  "instances.col.password": "密码",
  "instances.col.actions": "操作",
  "instances.passwordKept": "保存在系统钥匙串",
  "instances.noPassword": "无",
  "instances.test": "测试连接",
  "instances.remove": "删除",
  "instances.removeConfirm": "删除实例“{name}”？其密码将从系统钥匙串中删除。",
  "instances.removed": "实例“{name}”已删除。",
  "instances.testOk": "{name}：{version}，{latency} 毫秒，{keys} 个 key",
  "instances.region": "地域 {region}",
  "instances.defaultUser": "（默认）",

  "edition.standard": "标准版",
  "edition.cluster": "集群版",

  "form.title": "登记实例",
  "form.name": "名称",
  "form.region": "地域",
  "form.host": "主机",
  "form.port": "端口",
  "form.user": "ACL 用户（可选）",
  "form.password": "密码（可选，保存在系统钥匙串）",
  "form.edition": "版本",
  "form.save": "登记",
  "form.cancel": "取消",
  "form.required": "必填。",
  "form.badPort": "端口为 1 到 65535 的整数。",
  "form.saved": "实例“{name}”已登记。",

  "error.title": "出错了",
  "error.retry": "重试",
  "hint.store": "Ferry 无法使用任务数据库。请检查数据目录是否可写：{dir}",
  "hint.secret": "系统钥匙串拒绝了请求。请解锁钥匙串（或登录桌面会话）后重试。",
  "hint.client": "请检查主机、端口、用户和密码，以及本机能否访问该服务器（防火墙、安全组）。",
  "hint.migrate": "请查看任务事件了解原因，然后重新启动任务。",
  "hint.invalid": "请修正提示中指出的字段。",
  "hint.check_failed": "请先修复检查中的错误项，再重新检查。",
  "hint.warnings_not_accepted": "请阅读告警项；确认后仍可继续。",
  "hint.wrong_status": "任务当前状态不允许该操作；请刷新列表。",
  "hint.running_elsewhere": "该任务由另一个 Ferry 进程运行；请在那里操作或停止该进程。",
  "hint.not_running": "请先启动任务。",
  "hint.missing_password": "请编辑该实例并重新输入密码。",
  "hint.cutover_failed": "同步仍在继续；请在延迟较低时重试断开同步。",
  "hint.timeout": "耗时超出预期；请稍后刷新。",
  "hint.runner_gone": "请查看任务事件，然后重新启动任务。",
  "hint.app": "请重启 Ferry；如果再次出现，请附上上面的信息报告问题。",

  "nav.standby": "热备",
  "nav.sandbox": "本地体验",
  "nav.settings": "设置",

  "settings.title": "设置",
  "settings.language": "语言",
  "settings.theme": "主题",
  "settings.theme.light": "浅色",
  "settings.theme.dark": "深色",
  "settings.theme.system": "跟随系统",
  "settings.dataDir": "数据位置",
  "settings.dataDirHint": "任务、实例和事件保存在这个 SQLite 文件中；密码保存在系统钥匙串，从不写在这里。启动 Ferry 前设置 FERRY_DATA_DIR 可改用其他位置。",
  "settings.dataDirUnknown": "任务数据库未返回其位置；请重启 Ferry。",
  "settings.copy": "复制",
  "settings.copied": "已复制。",
  "settings.copyFailed": "无法复制；请选中路径后手动复制。",
  "settings.openSandbox": "打开沙箱",

  "standby.title": "热备",
  "standby.intro": "主备热备：主节点与其备节点位于接入层（代理）之后。心跳检测到主节点故障时，路由切换到备节点，客户端仍连接同一地址。",
  "standby.new": "新建热备",
  "standby.refresh": "刷新",
  "standby.empty": "本应用中没有运行的热备。",
  "standby.emptyHint": "用两个已登记的实例（主节点及其副本）创建热备，或通过沙箱在本地体验。",
  "standby.trySandbox": "本地体验",
  "standby.proxy": "接入层（客户端连接地址）",
  "standby.master": "主节点",
  "standby.standby": "备节点",
  "standby.epoch": "路由版本 {epoch}",
  "standby.syncWrites": "同步写",
  "standby.asyncWrites": "异步写",
  "standby.sandboxTag": "沙箱",
  "standby.switchover": "计划内主备切换",
  "standby.switchoverConfirm": "交换主备角色？写请求会暂存在接入层，直到备节点追上全部写入，然后交换角色：不丢写入，客户端无报错。如果备节点 3 秒内无法追上，则不做任何改变。",
  "standby.switchoverDone": "切换完成：主节点现在是 {master}（路由版本 {epoch}）。",
  "standby.drill": "故障演练",
  "standby.drillConfirm": "用 SIGKILL 杀掉沙箱的主节点？接入层的心跳会发现故障，提升备节点并把客户端切换过去。几秒后旧主节点以空数据重新启动（如同没有持久化的服务器崩溃后恢复），并被隔离为新的备节点。",
  "standby.stop": "停止",
  "standby.stopConfirm": "停止该热备的接入层？其客户端连接将断开；服务器保持各自的角色和数据。",
  "standby.stopped": "热备“{name}”已停止。",
  "standby.timeline": "事件（最新在前）",
  "standby.noEvents": "暂无事件：心跳会在每一步发生时记录。",
  "standby.confirm": "确认",
  "standby.cancel": "取消",

  "health.up": "正常",
  "health.unreachable": "无响应",
  "health.down": "故障",
  "standbyState.unfenced": "待隔离",
  "standbyState.syncing": "同步中",
  "standbyState.ready": "就绪",

  "haKind.master_unreachable": "主节点无响应",
  "haKind.master_recovered": "主节点恢复",
  "haKind.marked_down": "主节点判定故障",
  "haKind.promoted": "备节点已提升",
  "haKind.promotion_refused": "拒绝提升",
  "haKind.route_pushed": "路由已推送",
  "haKind.first_request_served": "首个请求已响应",
  "haKind.fenced": "已隔离",
  "haKind.standby_ready": "备节点就绪",
  "haKind.switchover_started": "开始主备切换",
  "haKind.switchover_done": "主备切换完成",
  "haKind.switchover_aborted": "主备切换中止",

  "standbyForm.title": "新建热备",
  "standbyForm.name": "名称",
  "standbyForm.master": "主节点实例",
  "standbyForm.replica": "副本实例（主节点故障时提升）",
  "standbyForm.listen": "接入层监听地址（端口 0 表示自动选择空闲端口）",
  "standbyForm.syncWrites": "同步写：副本确认后才应答写请求",
  "standbyForm.start": "启动",
  "standbyForm.cancel": "取消",
  "standbyForm.required": "必填。",
  "standbyForm.same": "请选择两个不同的实例。",
  "standbyForm.noInstances": "请先登记至少两个实例：主节点及其副本。",
  "standbyForm.started": "热备“{name}”已启动；客户端连接 {listen}。",

  "sandbox.title": "本地体验",
  "sandbox.intro": "沙箱会在本机启动四个带示例数据的 redis-server 进程：一个迁移源、一个目标实例，以及位于接入层之后的一对主备。停止沙箱或退出 Ferry 时它们都会停止。",
  "sandbox.start": "启动沙箱",
  "sandbox.starting": "正在启动四个 redis-server 并写入约 2,000 个示例 key…",
  "sandbox.running": "沙箱正在运行。",
  "sandbox.source": "源地址（粘贴到新建任务表单中）",
  "sandbox.target": "目标实例",
  "sandbox.standby": "热备",
  "sandbox.servers": "服务器",
  "sandbox.dir": "文件",
  "sandbox.goTasks": "迁移任务列表",
  "sandbox.goNewTask": "新建实例迁移任务",
  "sandbox.goStandby": "热备",
  "sandbox.stop": "停止沙箱",
  "sandbox.stopConfirm": "停止沙箱？其服务器将被终止，文件被删除，实例被注销。",
  "sandbox.stopped": "沙箱已停止。",
};

export type Lang = "zh-CN" | "en";
export const DICTS: Record<Lang, Dict> = { "zh-CN": zh, en };
const STORAGE_KEY = "ferry.lang";

export type Translate = (key: MessageKey, params?: Record<string, string | number>) => string;

export function translate(lang: Lang, key: MessageKey, params?: Record<string, string | number>): string {
  const text = DICTS[lang][key];
  if (!params) return text;
  return text.replace(/\{(\w+)\}/g, (m, name: string) => (name in params ? String(params[name]) : m));
}

export function hintKey(kind: ErrorKind): MessageKey {
  return `hint.${kind}` as MessageKey;
}

interface I18n {
  lang: Lang;
  setLang: (lang: Lang) => void;
  t: Translate;
}

const I18nContext = createContext<I18n>({
  lang: "en",
  setLang: () => {},
  t: (key, params) => translate("en", key, params),
});

function initialLang(): Lang {
  try {
    const saved = localStorage.getItem(STORAGE_KEY);
    if (saved === "zh-CN" || saved === "en") return saved;
  } catch {
    // No storage: fall through to the system language.
  }
  return typeof navigator !== "undefined" && navigator.language?.startsWith("zh") ? "zh-CN" : "en";
}

export function I18nProvider({ children, lang: fixed }: { children: ReactNode; lang?: Lang }) {
  const [lang, setLangState] = useState<Lang>(fixed ?? initialLang);
  const setLang = useCallback((next: Lang) => {
    setLangState(next);
    try {
      localStorage.setItem(STORAGE_KEY, next);
    } catch {
      // Not kept across restarts; fine.
    }
  }, []);
  const t = useCallback<Translate>((key, params) => translate(lang, key, params), [lang]);
  const value = useMemo(() => ({ lang, setLang, t }), [lang, setLang, t]);
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18n {
  return useContext(I18nContext);
}
