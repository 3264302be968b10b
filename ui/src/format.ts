/* Number, byte and duration formats shared by the screens. */
import type { Lang } from "./i18n";

const UNITS = ["B", "KB", "MB", "GB", "TB"];

/** 1536 → "1.5 KB" (binary units, as Redis reports memory). */
export function fmtBytes(n: number): string {
  let v = n;
  let u = 0;
  while (Math.abs(v) >= 1024 && u < UNITS.length - 1) {
    v /= 1024;
    u++;
  }
  return `${u === 0 ? v : v.toFixed(1)} ${UNITS[u]}`;
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
