import { useEffect, useState } from "react";
import { Alert, Button, Card, Descriptions, Loading, Space } from "tdesign-react";
import { commands, type CommandError, type SandboxView } from "../bindings";
import { ConfirmButton } from "../components/ConfirmButton";
import { asCommandError } from "../command";
import { ErrorView } from "../components/ErrorView";
import { useI18n } from "../i18n";

export type SandboxLink = "tasks" | "new-task" | "standby";

/** "Try it locally": starts the sandbox and shows what it created, with the way to each screen. */
export function Sandbox({ onNavigate, onNewTask }: { onNavigate: (to: SandboxLink) => void; onNewTask: (sandbox: SandboxView) => void }) {
  const { t } = useI18n();
  const [sandbox, setSandbox] = useState<SandboxView | null | undefined>(undefined);
  const [busy, setBusy] = useState<"start" | "stop" | null>(null);
  const [error, setError] = useState<CommandError | null>(null);
  const [stopped, setStopped] = useState(false);

  useEffect(() => {
    commands
      .sandbox()
      .then((r) => (r.status === "ok" ? setSandbox(r.data) : setError(r.error)))
      .catch((e: unknown) => setError(asCommandError(e)));
  }, []);

  const act = async (what: "start" | "stop") => {
    setBusy(what);
    setError(null);
    setStopped(false);
    try {
      const r = what === "start" ? await commands.startSandbox() : await commands.stopSandbox();
      if (r.status === "error") setError(r.error);
      else {
        setSandbox(r.data);
        setStopped(what === "stop");
      }
    } catch (e) {
      setError(asCommandError(e));
    } finally {
      setBusy(null);
    }
  };

  return (
    <section data-testid="sandbox-screen">
      <h1 className="ferry-page-title">{t("sandbox.title")}</h1>
      <p className="ferry-muted">{t("sandbox.intro")}</p>
      {error && <ErrorView error={error} />}
      {stopped && (
        <div data-testid="sandbox-stopped">
          <Alert className="ferry-block" theme="info" message={t("sandbox.stopped")} />
        </div>
      )}
      {busy === "start" && (
        <div data-testid="sandbox-starting">
          <Card className="ferry-empty">
            <Loading text={t("sandbox.starting")} />
          </Card>
        </div>
      )}
      {sandbox === null && busy !== "start" && (
        <Button theme="primary" size="large" onClick={() => void act("start")} data-testid="sandbox-start">
          {t("sandbox.start")}
        </Button>
      )}
      {sandbox && (
        <div data-testid="sandbox-ready">
          <Card className="ferry-block" title={t("sandbox.running")}>
            <Descriptions
              column={1}
              items={[
                { label: t("sandbox.source"), content: <code data-testid="sandbox-source">{`${sandbox.source_host}:${sandbox.source_port}`}</code> },
                { label: t("sandbox.target"), content: `${sandbox.target.name} (${sandbox.target.host}:${sandbox.target.port})` },
                {
                  label: t("sandbox.tls"),
                  content: (
                    <span data-testid="sandbox-tls">
                      {sandbox.tls ? (
                        <>
                          <code>{`rediss://${sandbox.tls.host}:${sandbox.tls.port}`}</code> {t("sandbox.tlsHint")}
                        </>
                      ) : (
                        t("sandbox.noTls")
                      )}
                    </span>
                  ),
                },
                {
                  label: t("sandbox.cluster"),
                  content: (
                    <span data-testid="sandbox-cluster">
                      <code>{`${sandbox.cluster.host}:${sandbox.cluster.port}`}</code> {t("sandbox.clusterHint")}
                    </span>
                  ),
                },
                { label: t("sandbox.standby"), content: `${sandbox.standby.name}: ${sandbox.standby.listen} → ${sandbox.standby.master}, ${sandbox.standby.standby}` },
                { label: t("sandbox.servers"), content: sandbox.servers.map((s) => `${s.role} :${s.port}`).join(", ") },
                { label: t("sandbox.dir"), content: <code>{sandbox.dir}</code> },
              ]}
            />
            <Space className="ferry-actions">
              <Button variant="outline" onClick={() => onNavigate("tasks")}>
                {t("sandbox.goTasks")}
              </Button>
              <Button variant="outline" onClick={() => onNewTask(sandbox)} data-testid="sandbox-new-task">
                {t("sandbox.goNewTask")}
              </Button>
              <Button theme="primary" onClick={() => onNavigate("standby")} data-testid="sandbox-go-standby">
                {t("sandbox.goStandby")}
              </Button>
              <ConfirmButton testId="sandbox-stop" theme="danger" loading={busy === "stop"} title={t("sandbox.stop")} body={t("sandbox.stopConfirm")} onConfirm={() => void act("stop")}>
                {t("sandbox.stop")}
              </ConfirmButton>
            </Space>
          </Card>
        </div>
      )}
      {sandbox === undefined && !error && <Loading />}
    </section>
  );
}
