import { Alert, Button, Card, Checkbox, Progress } from "tdesign-react";
import type { CheckItem } from "../bindings";
import { useI18n } from "../i18n";
import { CheckResults } from "./CheckResults";

interface Props {
  items: CheckItem[];
  /** How many items the check reports in all (0 until the first arrives). */
  total: number;
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
export function CheckStep({ items, total, running, accepted, onAccept, onRecheck, onBack, onCreate, creating }: Props) {
  const { t } = useI18n();
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
