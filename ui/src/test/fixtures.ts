import type { CheckItem, Instance_Serialize as Instance, Level, Progress_Serialize as Progress, TaskDetail_Serialize as TaskDetail, Task_Serialize as Task, TaskStatus } from "../bindings";
import type { EventKind, HaEvent, StandbyView_Serialize as StandbyView, Text } from "../bindings";
import { rawText } from "../text";

export function instance(over: Partial<Instance> = {}): Instance {
  return {
    id: 1,
    name: "target-gz",
    region: "ap-guangzhou",
    host: "10.0.0.5",
    port: 6379,
    user: null,
    has_password: true,
    edition: "standard",
    proxy: null,
    seeds: [],
    tls: null,
    ssh: null,
    created_at_ms: 1_700_000_000_000,
    ...over,
  };
}

export function task(id: number, status: TaskStatus, name = `task-${id}`): Task {
  return {
    id,
    status,
    reason: null,
    created_at_ms: 1_700_000_000_000 + id,
    updated_at_ms: 1_700_000_000_000 + id,
    cutover_at_ms: null,
    final_lag_bytes: null,
    spec: {
      name,
      kind: "public_network",
      source: { host: "192.168.1.9", port: 6380, user: null, has_password: false, region: null, sentinel: null, tls: null, ssh: null },
      target_instance: 1,
      params: { output_buffer_hard_mb: 512, output_buffer_soft_mb: 512, output_buffer_soft_seconds: 60, backlog_mb: 512, repl_timeout_seconds: 120 },
      write_mode: "overwrite",
      db_mapping: [],
      include: [],
      exclude: [],
      sync: { skip_errors: [], force_rewrite: false, window: 8192, stall_timeout_secs: 60, checkpoint: true, from_replicas: false },
    },
  };
}

export const ok = <T,>(data: T) => ({ status: "ok" as const, data });

export function progress(over: Partial<Progress> = {}): Progress {
  return {
    phase: "incremental",
    mode: "restore",
    elapsed_ms: 10_000,
    rdb_bytes: 0,
    rdb_total: null,
    keys_written: 0,
    keys_expired: 0,
    keys_per_sec: null,
    eta_secs: null,
    commands_sent: 0,
    commands_acked: 0,
    errors: 0,
    source_offset: 0,
    received_offset: 0,
    applied_offset: 0,
    lag_bytes: 0,
    resumes: 0,
    full_sync_ms: null,
    source_keys: [],
    target_keys: [],
    not_carried: [],
    warning: null,
    notice: null,
    shards: [],
    ...over,
  };
}

export function standbyView(over: Partial<StandbyView> = {}): StandbyView {
  return {
    id: 1,
    name: "orders-ha",
    listen: "127.0.0.1:7000",
    master: "127.0.0.1:7001",
    standby: "127.0.0.1:7002",
    standby_state: "ready",
    master_health: "up",
    epoch: 0,
    sync_writes: false,
    listen_tls: "plain",
    client_login: "servers",
    mode: "heartbeat",
    runner: { kind: "here" },
    ...over,
  };
}

/** An engine sentence that shows `text` as it is in every language. */
export const raw: (text: string) => Text = rawText;

export function checkItem(id: string, level: Level, title = id): CheckItem {
  return { id, title, level, value: raw(`${id} value`), message: raw(`${id}: ${level}`) };
}

export function detail(t: Task, over: Partial<TaskDetail> = {}): TaskDetail {
  return { task: t, target: instance(), events: [], progress: null, check: null, verify: null, running: true, ...over };
}

export function haEvent(kind: EventKind, at_ms: number, detail = "", epoch = 0): HaEvent {
  return { at_ms, kind, epoch, detail: raw(detail) };
}
