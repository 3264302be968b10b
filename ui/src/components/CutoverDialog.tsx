import { useEffect, useState } from "react";
import { Alert, Button, Checkbox, Dialog, Input, Progress } from "tdesign-react";
import { commands, events, type CommandError, type Task, type VerifyProgress, type VerifyReport } from "../bindings";
import { settle } from "../command";
import { fmtBytes, fmtCount } from "../format";
import { useI18n } from "../i18n";
import { useEvent } from "../useEvent";
import { ErrorView } from "./ErrorView";

interface Props {
  task: Task;
  onClose: () => void;
  /** The cutover finished: the task as it is now (completed). */
  onDone: (task: Task) => void;
}

/** The result of a verify in one line, and its first differences. */
function VerifySummary({ report }: { report: VerifyReport }) {
  const { t, tx, lang } = useI18n();
  const clean = report.missing === 0 && report.extra === 0 && report.different === 0;
  return (
    <div data-testid="verify-summary" data-clean={clean}>
      <Alert
        theme={clean ? "success" : "warning"}
        message={t(clean ? "cutover.verifyClean" : "cutover.verifyDiff", {
          keys: fmtCount(report.keys_compared, lang),
          missing: report.missing,
          extra: report.extra,
          different: report.different,
        })}
      />
      {report.differences.length > 0 && (
        <ul className="ferry-diffs">
          {report.differences.slice(0, 5).map((d) => (
            <li key={`${d.db}:${d.key}`}>
              db{d.db} <code>{d.key}</code> — {t(`diff.${d.kind}`)}: {tx(d.detail)}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** What a running verify is doing: its stage, and how many of about how many keys. */
function VerifyBar({ progress }: { progress: VerifyProgress | null }) {
  const { t, lang } = useI18n();
  if (!progress) return <p data-testid="verify-progress">{t("cutover.verifyStarting")}</p>;
  const { stage, done, total } = progress;
  const percent = total > 0 ? Math.min(100, Math.floor((done * 100) / total)) : 100;
  return (
    <div data-testid="verify-progress" data-stage={stage}>
      <div>{t(`verify.stage.${stage}`, { done: fmtCount(done, lang), total: fmtCount(total, lang) })}</div>
      <Progress percentage={percent} />
    </div>
  );
}

/**
 * "Disconnect sync": verify the target, choose whether to pause source writes, type the task's name
 * to confirm, then cut over and show how it ended.
 */
export function CutoverDialog({ task, onClose, onDone }: Props) {
  const { t } = useI18n();
  const [verify, setVerify] = useState<VerifyReport | null>(null);
  const [verifying, setVerifying] = useState(false);
  const [progress, setProgress] = useState<VerifyProgress | null>(null);
  const [pause, setPause] = useState(true);
  const [typed, setTyped] = useState("");
  const [running, setRunning] = useState(false);
  const [error, setError] = useState<CommandError | null>(null);
  const [done, setDone] = useState<Task | null>(null);
  const name = task.spec.name;

  // The latest verify kept with the task, unless one was run here already.
  useEffect(() => {
    let gone = false;
    void settle(commands.taskDetail(task.id)).then((r) => {
      if (!gone && r.status === "ok" && r.data.verify) setVerify((v) => v ?? r.data.verify);
    });
    return () => {
      gone = true;
    };
  }, [task.id]);

  useEvent(
    events.verifyProgressEvent,
    (e) => {
      if (e.task_id === task.id) setProgress(e.progress);
    },
    verifying,
  );

  const runVerify = async () => {
    setProgress(null);
    setVerifying(true);
    setError(null);
    const r = await settle(commands.verifyTask(task.id));
    setVerifying(false);
    if (r.status === "ok") setVerify(r.data);
    else setError(r.error);
  };

  const cutover = async () => {
    setRunning(true);
    setError(null);
    const r = await settle(commands.cutoverTask(task.id, { pause_writes: pause, timeout_secs: 60 }));
    setRunning(false);
    if (r.status === "ok") {
      setDone(r.data);
      onDone(r.data);
    } else setError(r.error);
  };

  const footer = done ? (
    <Button theme="primary" onClick={onClose} data-testid="cutover-close">
      {t("cutover.close")}
    </Button>
  ) : (
    <>
      <Button variant="outline" onClick={onClose} disabled={running}>
        {t("form.cancel")}
      </Button>
      <Button theme="danger" disabled={typed !== name || running || verifying} loading={running} onClick={() => void cutover()} data-testid="cutover-confirm">
        {t("cutover.confirm")}
      </Button>
    </>
  );

  return (
    <Dialog visible header={t("cutover.title", { name })} footer={footer} onClose={onClose} closeOnOverlayClick={false} width={640} destroyOnClose>
      <div data-testid="cutover-dialog">
        {done ? (
          <div data-testid="cutover-result">
            <Alert theme="success" title={t("cutover.done")} message={t("cutover.doneDetail", { lag: fmtBytes(done.final_lag_bytes ?? 0) })} />
          </div>
        ) : (
          <>
            <p>{t("cutover.intro")}</p>
            <h4>{t("cutover.verify")}</h4>
            {verifying ? (
              <VerifyBar progress={progress} />
            ) : verify ? (
              <VerifySummary report={verify} />
            ) : (
              <p data-testid="verify-none">{t("cutover.verifyNone")}</p>
            )}
            <Button variant="outline" loading={verifying} disabled={running} onClick={() => void runVerify()} data-testid="run-verify">
              {verify ? t("cutover.verifyAgain") : t("cutover.verifyRun")}
            </Button>
            <div className="ferry-dialog-row" data-testid="pause-writes">
              <Checkbox checked={pause} onChange={(v) => setPause(v)} disabled={running}>
                {t("cutover.pause")}
              </Checkbox>
              <div className="ferry-form-note">{t("cutover.pauseHint")}</div>
            </div>
            <label className="ferry-dialog-row" data-testid="confirm-name">
              {t("cutover.typeName", { name })}
              <Input value={typed} onChange={(v) => setTyped(String(v))} placeholder={name} disabled={running} />
            </label>
          </>
        )}
        {error && <ErrorView error={error} />}
      </div>
    </Dialog>
  );
}
