import { lazy, Suspense, useCallback, useEffect, useState, type ReactNode } from "react";
import { Alert, Button, Card, Popconfirm, Space, Tabs, Tag } from "tdesign-react";
import { commands, events, type CommandError, type Progress, type TaskDetail as Detail, type TaskEvent } from "../bindings";
import { settle } from "../command";
import { CheckResults } from "../components/CheckResults";
import { CutoverDialog } from "../components/CutoverDialog";
import { ErrorView } from "../components/ErrorView";
import { FullSyncProgress } from "../components/FullSyncProgress";
import { ShardTable } from "../components/ShardTable";
import { StatusSteps } from "../components/StatusSteps";
import { describeFilter } from "../filters";
import { fmtBytes, fmtCount, fmtElapsed, fmtTime, sourceLabel } from "../format";
import { useI18n, type MessageKey } from "../i18n";
import { canCancel, canStart, startLabel, STATUS_LABEL, STATUS_THEME } from "../status";
import { appendPoint, MAX_POINTS, toPoint, type SyncPoint } from "../syncSeries";
import { useEvent } from "../useEvent";

// ECharts is most of the bundle and only this page draws charts: load it when a chart is shown, so
// the app starts without parsing it.
const SyncCharts = lazy(() => import("../components/SyncCharts").then((m) => ({ default: m.SyncCharts })));

/** Event kinds the engine records, in the user's language (an unknown one shows as it is). */
const EVENT_KINDS: Partial<Record<string, MessageKey>> = { status: "event.status", check: "event.check", params: "event.params", verify: "event.verify" };

/** A task's events, the newest first (numbered, as two may share a millisecond). */
function newestFirst(events: TaskEvent[]): Array<TaskEvent & { n: number }> {
  return events.map((e, n) => ({ ...e, n })).sort((a, b) => b.at_ms - a.at_ms || b.n - a.n);
}

interface Props {
  id: number;
  onBack: () => void;
  dataDir?: string;
}

/** A task's detail page: its way through the migration, live progress and charts, history, settings. */
export function TaskDetail({ id, onBack, dataDir }: Props) {
  const { t, tx, lang } = useI18n();
  const [detail, setDetail] = useState<Detail | null>(null);
  const [progress, setProgress] = useState<Progress | null>(null);
  const [points, setPoints] = useState<SyncPoint[]>([]);
  const [error, setError] = useState<CommandError | null>(null);
  const [cutover, setCutover] = useState(false);

  const load = useCallback(async () => {
    const [d, s] = await Promise.all([settle(commands.taskDetail(id)), settle(commands.taskSnapshots(id, MAX_POINTS))]);
    if (d.status === "error") return setError(d.error);
    if (s.status === "error") return setError(s.error);
    setError(null);
    setDetail(d.data);
    setProgress(d.data.progress);
    setPoints(s.data.map((snap) => toPoint(snap.at_ms, snap.progress)));
  }, [id]);

  useEffect(() => {
    void load();
  }, [load]);

  useEvent(events.taskProgressEvent, ({ task_id, progress }) => {
    if (task_id !== id) return;
    setProgress(progress);
    setPoints((old) => appendPoint(old, toPoint(Date.now(), progress)));
  });
  useEvent(events.taskChangedEvent, ({ task }) => {
    if (task.id === id) void load();
  });

  const act = async (action: "start" | "cancel") => {
    const r = await settle(action === "start" ? commands.startTask(id) : commands.cancelTask(id));
    if (r.status === "error") setError(r.error);
    await load();
  };

  if (!detail) {
    return (
      <section data-testid="task-detail-screen">
        <Button variant="text" onClick={onBack}>
          ← {t("detail.back")}
        </Button>
        {error ? <ErrorView error={error} onRetry={() => void load()} dataDir={dataDir} /> : <Card className="ferry-empty" loading />}
      </section>
    );
  }

  const { task } = detail;
  const status = task.status;
  const syncing = status === "full_sync" || status === "checking";
  const charted = status === "incremental_sync" || status === "cutting_over" || status === "completed";

  const kindLabel = (kind: string) => {
    const key = EVENT_KINDS[kind];
    return key ? t(key) : kind;
  };
  const p = task.spec.params;
  const [dbMapping, include, exclude] = describeFilter(task.spec, t);
  const mode = task.spec.write_mode;
  // [label, value, test id]
  const settings: Array<[string, ReactNode, string?]> = [
    [t("tasks.col.source"), `${sourceLabel(task.spec.source)}${task.spec.source.user ? ` (${task.spec.source.user})` : ""}`],
    [t("tasks.col.target"), `${detail.target.name} (${detail.target.host}:${detail.target.port}, ${detail.target.region})`],
    [t("tasks.col.type"), t(`kind.${task.spec.kind}`)],
    [
      t("newTask.writeMode"),
      <>
        {t(`writeMode.${mode}`)}
        <span className="ferry-option-hint">{t(`writeModeHint.${mode}`)}</span>
      </>,
      "setting-writeMode",
    ],
    [...dbMapping, "setting-dbMapping"],
    [...include, "setting-include"],
    [...exclude, "setting-exclude"],
    ["client-output-buffer-limit", `${p.output_buffer_hard_mb} MB / ${p.output_buffer_soft_mb} MB / ${p.output_buffer_soft_seconds} s`],
    ["repl-backlog-size", `${p.backlog_mb} MB`],
    ["repl-timeout", `${p.repl_timeout_seconds} s`],
  ];

  return (
    <section data-testid="task-detail-screen" data-status={status}>
      <Button variant="text" onClick={onBack} data-testid="detail-back">
        ← {t("detail.back")}
      </Button>
      <div className="ferry-toolbar">
        <h1 className="ferry-page-title ferry-inline" data-testid="detail-title">
          {t("tasks.detail", { id: task.id, name: task.spec.name })}
        </h1>
        <Tag theme={STATUS_THEME[status]} variant="light" data-testid="detail-status" data-status={status}>
          {t(STATUS_LABEL[status])}
        </Tag>
        <span className="ferry-spacer" />
        <Space>
          {canStart(status) && (
            <Button theme="primary" onClick={() => void act("start")} data-testid="detail-start">
              {t(startLabel(status))}
            </Button>
          )}
          {status === "incremental_sync" && (
            <Button theme="danger" onClick={() => setCutover(true)} data-testid="detail-cutover">
              {t("tasks.cutover")}
            </Button>
          )}
          {canCancel(status) && (
            <Popconfirm content={t("tasks.cancelConfirm")} onConfirm={() => void act("cancel")}>
              <Button variant="outline" theme="danger">
                {t("tasks.cancel")}
              </Button>
            </Popconfirm>
          )}
        </Space>
      </div>
      {error && <ErrorView error={error} onRetry={() => void load()} dataDir={dataDir} />}
      {task.reason && (status === "failed" || status === "cancelled" || status === "check_failed" || status === "interrupted") && (
        <Alert
          className="ferry-block"
          theme={status === "cancelled" ? "info" : status === "interrupted" ? "warning" : "error"}
          title={t("tasks.reason")}
          message={tx(task.reason)}
        />
      )}
      {progress?.warning && (status === "full_sync" || status === "incremental_sync" || status === "cutting_over") && (
        <Alert className="ferry-block" theme="warning" title={t("detail.warning")} message={tx(progress.warning)} data-testid="progress-warning" />
      )}
      <StatusSteps status={status} phase={progress?.phase ?? null} />
      <Card className="ferry-block" title={t("detail.sync")} bordered>
        {status === "not_started" && <p className="ferry-empty">{t("detail.notStarted")}</p>}
        {syncing && (progress ? <FullSyncProgress progress={progress} /> : <p className="ferry-empty">{t("detail.checking")}</p>)}
        {progress && (charted || status === "failed" || status === "cancelled" || status === "interrupted") && (
          <dl className="ferry-stats" data-testid="sync-stats">
            <div>
              <dt>{t("detail.fullSyncTook")}</dt>
              <dd>{progress.full_sync_ms === null || progress.full_sync_ms === undefined ? "—" : fmtElapsed(progress.full_sync_ms)}</dd>
            </div>
            <div>
              <dt>{t("full.keys")}</dt>
              <dd>{fmtCount(progress.keys_written, lang)}</dd>
            </div>
            <div>
              <dt>{t("detail.lag")}</dt>
              <dd data-testid="lag">{fmtBytes(progress.lag_bytes)}</dd>
            </div>
            <div>
              <dt>{t("detail.commands")}</dt>
              <dd>{fmtCount(progress.commands_acked, lang)}</dd>
            </div>
            {status === "completed" && task.final_lag_bytes !== null && task.final_lag_bytes !== undefined && (
              <div>
                <dt>{t("detail.finalLag")}</dt>
                <dd>{fmtBytes(task.final_lag_bytes)}</dd>
              </div>
            )}
          </dl>
        )}
        {progress?.shards && <ShardTable shards={progress.shards} />}
        {(charted || syncing) && points.length > 0 && (
          <Suspense fallback={<p className="ferry-empty">{t("detail.loadingCharts")}</p>}>
            <SyncCharts points={points} />
          </Suspense>
        )}
        {charted && points.length === 0 && <p className="ferry-empty">{t("detail.noSnapshots")}</p>}
      </Card>
      <Tabs defaultValue="events" className="ferry-block">
        <Tabs.TabPanel value="events" label={t("tasks.events")}>
          <div data-testid="detail-events">
            {detail.events.length === 0 ? (
              <p className="ferry-empty">{t("tasks.noEvents")}</p>
            ) : (
              <table className="ferry-events">
                <thead>
                  <tr>
                    <th>{t("detail.col.time")}</th>
                    <th>{t("detail.col.kind")}</th>
                    <th>{t("detail.col.message")}</th>
                  </tr>
                </thead>
                <tbody>
                  {newestFirst(detail.events).map((e) => (
                    <tr key={e.n}>
                      <td>{fmtTime(e.at_ms, lang)}</td>
                      <td>{kindLabel(e.kind)}</td>
                      <td>{tx(e.message)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </div>
        </Tabs.TabPanel>
        <Tabs.TabPanel value="settings" label={t("detail.settings")}>
          <dl className="ferry-settings" data-testid="detail-settings">
            {settings.map(([k, v, id]) => (
              <div key={k} data-testid={id}>
                <dt>{k}</dt>
                <dd>{v}</dd>
              </div>
            ))}
          </dl>
        </Tabs.TabPanel>
        <Tabs.TabPanel value="check" label={t("detail.check")}>
          {detail.check ? <CheckResults items={detail.check.items} /> : <p className="ferry-empty">{t("detail.noCheck")}</p>}
        </Tabs.TabPanel>
      </Tabs>
      {cutover && (
        <CutoverDialog
          task={task}
          onClose={() => {
            setCutover(false);
            void load();
          }}
          onDone={() => void load()}
        />
      )}
    </section>
  );
}
