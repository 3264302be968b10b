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
