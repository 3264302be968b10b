/* Number, byte and duration formats shared by the screens. */
import type { Lang, Translate } from "./i18n";

const UNITS = ["B", "KB", "MB", "GB", "TB"];

/**
 * 1536 → "1.5 KB" (binary units, as Redis reports memory). `trim` drops a ".0" ("1 MB" rather than
 * "1.0 MB"), for sizes people set rather than ones that move.
 */
export function fmtBytes(n: number, { trim = false }: { trim?: boolean } = {}): string {
  let v = n;
  let u = 0;
  // Past the bytes, a value that rounds to 1024.0 is shown in the next unit ("1.0 MB", not "1024.0 KB").
  while (Math.abs(v) >= (u === 0 ? 1024 : 1023.95) && u < UNITS.length - 1) {
    v /= 1024;
    u++;
  }
  const num = u === 0 ? String(v) : v.toFixed(1);
  return `${trim ? num.replace(/\.0$/, "") : num} ${UNITS[u]}`;
}

/** Redis's memory units in config values: k, m, g are powers of 1000; kb, mb, gb of 1024 (any case). */
const CONFIG_UNITS: Record<string, number> = { "": 1, b: 1, k: 1e3, kb: 1024, m: 1e6, mb: 1024 ** 2, g: 1e9, gb: 1024 ** 3 };

/** A memory value as Redis config writes it, in bytes: "1048576", "1mb", "64GB", "100k"; null when it is not one. */
export function parseConfigBytes(value: string): number | null {
  const m = /^\s*(\d+)(b|[kmg]b?)?\s*$/i.exec(value);
  if (!m) return null;
  const bytes = Number(m[1]) * CONFIG_UNITS[(m[2] ?? "").toLowerCase()]!;
  return Number.isSafeInteger(bytes) ? bytes : null;
}

/** The replica class's `client-output-buffer-limit`: hard and soft limits in bytes (0: none), soft seconds. */
export interface OutputBufferLimit {
  hard: number;
  soft: number;
  seconds: number;
}

/**
 * The replica class (`slave`, or `replica` from Redis 5) of a `client-output-buffer-limit` value:
 * the whole CONFIG line (`normal 0 0 0 slave 268435456 67108864 60 pubsub ...`) or the replica's
 * part alone; null when the line is not one or has no replica class.
 */
export function parseReplicaOutputLimit(value: string): OutputBufferLimit | null {
  const words = value.trim().split(/\s+/);
  if (words.length % 4 !== 0) return null;
  for (let i = 0; i < words.length; i += 4) {
    const cls = words[i]!.toLowerCase();
    if (cls !== "slave" && cls !== "replica") continue;
    const hard = parseConfigBytes(words[i + 1]!);
    const soft = parseConfigBytes(words[i + 2]!);
    const seconds = /^\d+$/.test(words[i + 3]!) ? Number(words[i + 3]) : null;
    return hard === null || soft === null || seconds === null ? null : { hard, soft, seconds };
  }
  return null;
}

/**
 * A source parameter's CONFIG value for people: sizes in binary units ("1 MB"), the output-buffer
 * limit as the replica's "hard / soft / seconds" (0 is no limit). Null when the parameter is not a
 * size or the value cannot be read: show it as it is.
 */
export function fmtConfigValue(name: string, value: string, t: Translate): string | null {
  if (name === "repl-backlog-size") {
    const bytes = parseConfigBytes(value);
    return bytes === null ? null : fmtBytes(bytes, { trim: true });
  }
  if (name === "client-output-buffer-limit") {
    const limit = parseReplicaOutputLimit(value);
    if (!limit) return null;
    const size = (bytes: number) => (bytes === 0 ? t("params.noLimit") : fmtBytes(bytes, { trim: true }));
    return `${size(limit.hard)} / ${size(limit.soft)} / ${limit.seconds} ${t("params.seconds")}`;
  }
  return null;
}

/** 1234567 → "1,234,567" (or the locale's grouping). */
export function fmtCount(n: number, lang: Lang): string {
  return new Intl.NumberFormat(lang).format(Math.round(n));
}

/** Seconds as "m:ss" or "h:mm:ss". */
export function fmtDuration(secs: number): string {
  const s = Math.max(0, Math.round(secs));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${ss}` : `${m}:${ss}`;
}

/** A measured time: "35 ms" under a second, "4.2 s" under a minute, else as [`fmtDuration`]. */
export function fmtElapsed(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return ms < 60_000 ? `${(ms / 1000).toFixed(1)} s` : fmtDuration(ms / 1000);
}

/** A date and time in the user's language. */
export function fmtTime(ms: number, lang: Lang): string {
  return new Intl.DateTimeFormat(lang, { dateStyle: "short", timeStyle: "medium" }).format(new Date(ms));
}

/** The sum of per-db key counts (`[db, keys]` pairs). */
export function totalKeys(counts: ReadonlyArray<readonly [number, number]>): number {
  return counts.reduce((sum, [, n]) => sum + n, 0);
}

/** A task's source as the lists show it: its address, or the master its Sentinels name. */
export function sourceLabel(source: { host: string; port: number; sentinel?: { nodes: string[]; master_name: string } | null }): string {
  return source.sentinel ? `${source.sentinel.master_name} @ Sentinel ${source.sentinel.nodes.join(",")}` : `${source.host}:${source.port}`;
}
