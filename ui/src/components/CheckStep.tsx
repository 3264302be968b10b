import { Alert, Button, Card, Checkbox, Progress } from "tdesign-react";
import type { CheckItem, ScanProgress } from "../bindings";
import { fmtCount } from "../format";
import { useI18n } from "../i18n";
import { CheckResults } from "./CheckResults";

interface Props {
  items: CheckItem[];
  /** How many items the check reports in all (0 until the first arrives). */
  total: number;
  /** The big-key scan's latest step while it runs (it samples the source within a time budget). */
  scan: ScanProgress | null;
  running: boolean;
  accepted: boolean;
  onAccept: (v: boolean) => void;
  onRecheck: () => void;
  onBack: () => void;
  onCreate: () => void;
  creating: boolean;
}

/**
 * Step 3, the pre-check: items appear as they finish, with a progress bar. Errors block the task;
 * warnings need an explicit "I understand".
 */
export function CheckStep({ items, total, scan, running, accepted, onAccept, onRecheck, onBack, onCreate, creating }: Props) {
  const { t, lang } = useI18n();
  // The scan runs until its last word or its item arrives; then what it did stays in view, also
  // once the check is over (a scan of a small source is over within a frame).
  const scanned = scan?.done === true || items.some((i) => i.id === "source.bigkeys");
  const errors = items.filter((i) => i.level === "error").length;
  const warnings = items.filter((i) => i.level === "warning").length;
  const percentage = running ? (total > 0 ? Math.min(99, Math.round((items.length / total) * 100)) : 0) : 100;
  const done = !running && items.length > 0;
  const canCreate = done && errors === 0 && (warnings === 0 || accepted) && !creating;

  return (
    <Card className="ferry-block" title={t("newTask.check")} bordered>
      <div className="ferry-block" data-testid="check-progress" data-done={done}>
        <Progress percentage={percentage} label={running ? t("check.running", { done: items.length, total: total || "?" }) : undefined} />
      </div>
      {scan !== null && (running || scanned) && (
        <div className="ferry-block" data-testid="check-scan" data-done={scanned}>
          <div className="ferry-muted">
            {t(scanned ? "check.scanned" : "check.scanning", {
              n: fmtCount(scan.looked_at, lang),
              of: fmtCount(scan.of, lang),
              secs: (scan.elapsed_ms / 1000).toFixed(1),
              budget: (scan.budget_ms / 1000).toFixed(1),
            })}
          </div>
          {!scanned && running && (
            <Progress
              size="small"
              percentage={Math.min(99, Math.floor(100 * Math.max(scan.of > 0 ? scan.looked_at / scan.of : 0, scan.budget_ms > 0 ? scan.elapsed_ms / scan.budget_ms : 0)))}
            />
          )}
        </div>
      )}
      {done && (
        <div className="ferry-block" data-testid="check-summary">
          {errors > 0 ? (
            <Alert theme="error" message={t("check.errors", { n: errors })} />
          ) : warnings > 0 ? (
            <Alert
              theme="warning"
              message={
                <div>
                  <div>{t("check.warnings", { n: warnings })}</div>
                  <span data-testid="accept-warnings">
                    <Checkbox checked={accepted} onChange={(v) => onAccept(v)}>
                      {t("check.understand")}
                    </Checkbox>
                  </span>
                </div>
              }
            />
          ) : (
            <Alert theme="success" message={t("check.passed")} />
          )}
        </div>
      )}
      <div className="ferry-actions ferry-block">
        <Button variant="outline" onClick={onBack} disabled={running || creating}>
          {t("newTask.back")}
        </Button>
        <Button variant="outline" onClick={onRecheck} disabled={running || creating} data-testid="recheck">
          {t("check.again")}
        </Button>
        <Button theme="primary" disabled={!canCreate} loading={creating} onClick={onCreate} data-testid="create-task">
          {t("newTask.create")}
        </Button>
      </div>
      <CheckResults items={items} loading={running} />
    </Card>
  );
}
