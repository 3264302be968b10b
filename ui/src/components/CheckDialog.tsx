import { useEffect, useState } from "react";
import { Dialog } from "tdesign-react";
import { commands, type CheckReport, type CommandError, type Task } from "../bindings";
import { settle } from "../command";
import { useI18n } from "../i18n";
import { CheckResults } from "./CheckResults";
import { ErrorView } from "./ErrorView";

/** "View check": a task's latest pre-check, from its detail. */
export function CheckDialog({ task, onClose }: { task: Task; onClose: () => void }) {
  const { t } = useI18n();
  const [report, setReport] = useState<CheckReport | null | undefined>(undefined);
  const [error, setError] = useState<CommandError | null>(null);

  useEffect(() => {
    void settle(commands.taskDetail(task.id)).then((r) => {
      if (r.status === "ok") setReport(r.data.check);
      else setError(r.error);
    });
  }, [task.id]);

  return (
    <Dialog visible header={t("checkDialog.title", { name: task.spec.name })} width={900} onClose={onClose} cancelBtn={null} confirmBtn={t("checkDialog.close")} onConfirm={onClose}>
      <div data-testid="check-dialog">
        {error && <ErrorView error={error} />}
        {report === null && <p>{t("checkDialog.none")}</p>}
        {report !== null && !error && <CheckResults items={report?.items ?? []} loading={report === undefined} />}
      </div>
    </Dialog>
  );
}
