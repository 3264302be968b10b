import { Progress as Bar } from "tdesign-react";
import type { Progress } from "../bindings";
import { fmtBytes, fmtCount, fmtDuration, totalKeys } from "../format";
import { useI18n } from "../i18n";

/** How far the full sync is, 0–100: by RDB bytes when the source announced the size, else by keys. */
export function fullSyncPercent(p: Progress): number | null {
  if (p.rdb_total) return Math.min(100, (p.rdb_bytes / p.rdb_total) * 100);
  const keys = totalKeys(p.source_keys);
  return keys > 0 ? Math.min(100, (p.keys_written / keys) * 100) : null;
}

/** The full sync: a progress bar with bytes, keys, rate and time left. */
export function FullSyncProgress({ progress: p }: { progress: Progress }) {
  const { t, lang } = useI18n();
  const percent = fullSyncPercent(p);
  const sourceKeys = totalKeys(p.source_keys);
  const stats: Array<[string, string]> = [
    [t("full.bytes"), p.rdb_total ? `${fmtBytes(p.rdb_bytes)} / ${fmtBytes(p.rdb_total)}` : fmtBytes(p.rdb_bytes)],
    [t("full.keys"), sourceKeys > 0 ? `${fmtCount(p.keys_written, lang)} / ${fmtCount(sourceKeys, lang)}` : fmtCount(p.keys_written, lang)],
    [t("full.rate"), p.keys_per_sec === null ? "—" : t("full.perSec", { n: fmtCount(p.keys_per_sec, lang) })],
    [t("full.eta"), p.eta_secs === null || p.eta_secs === undefined ? "—" : fmtDuration(p.eta_secs)],
  ];
  return (
    <div className="ferry-block" data-testid="full-sync-progress">
      <Bar percentage={percent === null ? 0 : Math.floor(percent)} label={percent === null ? t("full.waiting") : undefined} />
      <dl className="ferry-stats">
        {stats.map(([k, v]) => (
          <div key={k}>
            <dt>{k}</dt>
            <dd>{v}</dd>
          </div>
        ))}
      </dl>
    </div>
  );
}
