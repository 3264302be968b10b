import { useEffect, useState } from "react";
import { Dialog } from "tdesign-react";
import { commands, events } from "../bindings";
import { useI18n } from "../i18n";

/** Asks before the window closes while this app runs hot-standby pairs: their proxies stop with it
 * (a pair run as a service, `ferry standby run`, keeps running). */
export function QuitDialog() {
  const { t } = useI18n();
  const [pairs, setPairs] = useState<number | null>(null);

  useEffect(() => {
    let unlisten: (() => void) | undefined;
    let gone = false;
    void events.quitRequestedEvent
      .listen(({ payload }) => setPairs(payload.pairs))
      .then((u) => (gone ? u() : (unlisten = u)))
      .catch(() => {});
    return () => {
      gone = true;
      unlisten?.();
    };
  }, []);

  return (
    <Dialog
      visible={pairs !== null}
      header={t("quit.title")}
      body={<span data-testid="quit-body">{t("quit.body", { pairs: pairs ?? 0 })}</span>}
      confirmBtn={{ content: t("quit.confirm"), theme: "danger", "data-testid": "quit-confirm" } as never}
      cancelBtn={t("quit.cancel")}
      onConfirm={() => void commands.quit()}
      onClose={() => setPairs(null)}
    />
  );
}
