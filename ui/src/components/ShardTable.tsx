import type { Phase, ShardProgress } from "../bindings";
import { fmtBytes, fmtCount } from "../format";
import { useI18n, type MessageKey } from "../i18n";

const PHASE_LABEL: Record<Phase, MessageKey> = {
  connecting: "phase.connecting",
  waiting_for_rdb: "phase.waiting_for_rdb",
  full_sync: "phase.full_sync",
  incremental: "phase.incremental",
  cutting_over: "phase.cutting_over",
  done: "phase.done",
  failed: "phase.failed",
};

/** A cluster source's masters, one row each: where each master's own stream stands. */
export function ShardTable({ shards }: { shards: ShardProgress[] }) {
  const { t, lang } = useI18n();
  if (shards.length === 0) return null;
  return (
    <table className="ferry-events" data-testid="shard-table">
      <caption>{t("shards.title")}</caption>
      <thead>
        <tr>
          <th>{t("shards.col.slots")}</th>
          <th>{t("shards.col.master")}</th>
          <th>{t("shards.col.readFrom")}</th>
          <th>{t("shards.col.phase")}</th>
          <th>{t("shards.col.offset")}</th>
          <th>{t("shards.col.lag")}</th>
          <th>{t("shards.col.keys")}</th>
        </tr>
      </thead>
      <tbody>
        {shards.map((s) => (
          <tr key={s.name}>
            <td>{s.name}</td>
            <td>{s.master}</td>
            <td>{s.read_from === s.master ? t("shards.theMaster") : s.read_from}</td>
            <td>{t(PHASE_LABEL[s.phase])}</td>
            <td>{fmtCount(s.applied_offset, lang)}</td>
            <td>{fmtBytes(s.lag_bytes)}</td>
            <td>
              {fmtCount(s.keys_written, lang)} / {fmtCount(s.source_keys, lang)}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
