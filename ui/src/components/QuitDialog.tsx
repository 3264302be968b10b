import { useEffect, useState } from "react";
import { Dialog } from "tdesign-react";
import { commands, events, type QuitRequestedEvent } from "../bindings";
import { useI18n } from "../i18n";

/** Asks before the window closes while this app runs migration tasks (they pause, resumable) or
 * hot-standby pairs (their proxies stop with it; a pair run as a service, `ferry standby run`, keeps
 * running), saying what will happen to each. */
export function QuitDialog() {
  const { t } = useI18n();
  const [running, setRunning] = useState<QuitRequestedEvent | null>(null);

  useEffect(() => {
    let unlisten: (() => void) | undefined;
    let gone = false;
    void events.quitRequestedEvent
      .listen(({ payload }) => setRunning(payload))
      .then((u) => (gone ? u() : (unlisten = u)))
      .catch(() => {});
    return () => {
      gone = true;
      unlisten?.();
    };
  }, []);

  const tasks = running?.tasks ?? 0;
  const pairs = running?.pairs ?? 0;
  const body = (
    <div data-testid="quit-body">
      {tasks > 0 && <p data-testid="quit-tasks">{t("quit.tasks", { tasks })}</p>}
      {pairs > 0 && <p data-testid="quit-pairs">{t("quit.body", { pairs })}</p>}
    </div>
  );
  const confirm = pairs > 0 ? (tasks > 0 ? "quit.confirmBoth" : "quit.confirm") : "quit.confirmTasks";
  return (
    <Dialog
      visible={running !== null}
      header={t("quit.title")}
      body={body}
      confirmBtn={{ content: t(confirm), theme: "danger", "data-testid": "quit-confirm" } as never}
      cancelBtn={t("quit.cancel")}
      onConfirm={() => void commands.quit()}
      onClose={() => setRunning(null)}
    />
  );
}
