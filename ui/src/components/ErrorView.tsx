import { Alert, Button } from "tdesign-react";
import type { CommandError } from "../bindings";
import { hintKey, useI18n } from "../i18n";

/** An error from a command: what happened (the engine's message) and what to do (the hint). */
export function ErrorView({ error, onRetry, dataDir }: { error: CommandError; onRetry?: () => void; dataDir?: string }) {
  const { t, tx } = useI18n();
  return (
    <div data-testid="error">
    <Alert
      className="ferry-block"
      theme="error"
      title={t("error.title")}
      message={
        <div>
          <div>{tx(error.text)}</div>
          <div>{t(hintKey(error.kind), { dir: dataDir ?? "" })}</div>
        </div>
      }
      operation={onRetry ? <Button variant="text" theme="primary" onClick={onRetry}>{t("error.retry")}</Button> : undefined}
    />
    </div>
  );
}
