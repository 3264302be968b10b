import { useMemo, useState } from "react";
import { Button, Card, Space, Tag } from "tdesign-react";
import { commands, type CommandError, type StandbyView_Serialize as StandbyView } from "../bindings";
import { useI18n } from "../i18n";
import { HEALTH_LABEL, HEALTH_THEME, KIND_THEME, kindLabel, STATE_LABEL, STATE_THEME, type HaEvent } from "../standby";
import type { TagTheme } from "../status";
import { ConfirmButton } from "./ConfirmButton";
import { settle, type Result } from "../command";
import { ErrorView } from "./ErrorView";
import { Notice } from "./Notice";

type Action = "switchover" | "drill" | "stop" | "run" | "remove";

/** One saved pair: who runs it, its topology with live health, the route epoch, actions, and the event
 * timeline. A pair a service runs is controlled through the store, as one this app runs. */
export function StandbyCard({
  pair,
  timeline,
  isSandbox,
  onChanged,
}: {
  pair: StandbyView;
  timeline: HaEvent[];
  isSandbox: boolean;
  onChanged: () => void;
}) {
  const { t, tx, lang } = useI18n();
  const [busy, setBusy] = useState<Action | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [error, setError] = useState<CommandError | null>(null);
  const fmtTime = useMemo(() => new Intl.DateTimeFormat(lang, { timeStyle: "medium" }), [lang]);
  const newestFirst = useMemo(() => [...timeline].reverse(), [timeline]);

  async function run<T>(action: Action, call: () => Promise<Result<T>>, done: (data: T) => string) {
    setBusy(action);
    setNotice(null);
    setError(null);
    const r = await settle(call());
    if (r.status === "ok") setNotice(done(r.data));
    else setError(r.error);
    setBusy(null);
    onChanged();
  }

  const runner = pair.runner;
  const running = runner.kind !== "stopped";
  const runnerLabel =
    runner.kind === "here" ? t("standby.runHere") : runner.kind === "elsewhere" ? t("standby.runElsewhere", { name: runner.name }) : t("standby.notRunning");
  return (
    <div
      data-testid={`standby-${pair.id}`}
      data-epoch={pair.epoch}
      data-state={pair.standby_state ?? "stopped"}
      data-health={pair.master_health ?? "stopped"}
      data-runner={runner.kind}
    >
      <Card
        className="ferry-block ferry-standby-card"
        title={
          <Space align="center" breakLine size={8}>
            <span style={{ whiteSpace: "nowrap" }}>{pair.name}</span>
            {isSandbox && <Tag variant="outline">{t("standby.sandboxTag")}</Tag>}
            <Tag theme="primary" variant="light" data-testid="standby-epoch">
              {t("standby.epoch", { epoch: pair.epoch })}
            </Tag>
            <Tag variant="light">{t(pair.sync_writes ? "standby.syncWrites" : "standby.asyncWrites")}</Tag>
            <Tag theme={running ? "success" : "default"} variant={running ? "light" : "outline"} data-testid="standby-runner">
              {runnerLabel}
            </Tag>
            {pair.mode === "sentinel" && (
              <Tag theme="primary" variant="outline" data-testid="standby-sentinel">
                {t("standby.sentinelMode")}
              </Tag>
            )}
            <Tag variant="light" data-testid="standby-login">
              {t(pair.client_login === "proxy_password" ? "standby.loginProxy" : "standby.loginServers")}
            </Tag>
            {pair.listen_tls !== "plain" && (
              <Tag theme="success" variant="light" data-testid="standby-tls">
                {t(pair.listen_tls === "mutual_tls" ? "standby.listenMutualTls" : "standby.listenTls")}
              </Tag>
            )}
          </Space>
        }
        actions={
          <Space breakLine>
            {!running && (
              <Button theme="primary" loading={busy === "run"} data-testid="run-standby" onClick={() => void run("run", () => commands.runStandby(pair.id), () => t("standby.started", { name: pair.name }))}>
                {t("standby.run")}
              </Button>
            )}
            {!running && (
              <ConfirmButton
                testId="remove-standby"
                theme="danger"
                loading={busy === "remove"}
                title={t("standby.remove")}
                body={t("standby.removeConfirm")}
                onConfirm={() => void run("remove", () => commands.removeStandby(pair.id), () => t("standby.removed", { name: pair.name }))}
              >
                {t("standby.remove")}
              </ConfirmButton>
            )}
            {running && (
            <ConfirmButton
              testId="switchover"
              theme="primary"
              loading={busy === "switchover"}
              title={t("standby.switchover")}
              body={t("standby.switchoverConfirm")}
              onConfirm={() =>
                void run("switchover", () => commands.switchover(pair.id), (v) => t("standby.switchoverDone", { master: v.master, epoch: v.epoch }))
              }
            >
              {t("standby.switchover")}
            </ConfirmButton>
            )}
            {isSandbox && running && (
              <ConfirmButton
                testId="drill"
                theme="warning"
                loading={busy === "drill"}
                title={t("standby.drill")}
                body={t("standby.drillConfirm")}
                onConfirm={() => void run("drill", () => commands.sandboxDrill(), (message) => tx(message))}
              >
                {t("standby.drill")}
              </ConfirmButton>
            )}
            {running && (
              <ConfirmButton
                testId="stop-standby"
                theme="danger"
                loading={busy === "stop"}
                title={t("standby.stop")}
                body={t("standby.stopConfirm")}
                onConfirm={() => void run("stop", () => commands.stopStandby(pair.id), () => t("standby.stopped", { name: pair.name }))}
              >
                {t("standby.stop")}
              </ConfirmButton>
            )}
          </Space>
        }
      >
        <Notice message={notice} onClose={() => setNotice(null)} testId="standby-notice" />
        {error && <ErrorView error={error} />}
        <div className="ferry-topology">
          <TopologyNode role={t("standby.proxy")} address={pair.listen} />
          <div className="ferry-arrow">→</div>
          <TopologyNode
            role={t("standby.master")}
            address={pair.master}
            testId="standby-master"
            tag={pair.master_health ? { theme: HEALTH_THEME[pair.master_health], label: t(HEALTH_LABEL[pair.master_health]) } : undefined}
          />
          <div className="ferry-arrow">⇢</div>
          <TopologyNode
            role={t("standby.standby")}
            address={pair.standby}
            testId="standby-standby"
            tag={pair.standby_state ? { theme: STATE_THEME[pair.standby_state], label: t(STATE_LABEL[pair.standby_state]) } : undefined}
          />
        </div>
        <h3 className="ferry-subtitle">{t("standby.timeline")}</h3>
        {newestFirst.length === 0 ? (
          <p className="ferry-muted">{t("standby.noEvents")}</p>
        ) : (
          <ol className="ferry-timeline" data-testid="standby-timeline">
            {newestFirst.map((e) => (
              <li key={`${e.at_ms}-${e.kind}-${e.epoch}-${JSON.stringify(e.detail)}`} data-kind={e.kind} data-epoch={e.epoch}>
                <span className="ferry-muted">{fmtTime.format(new Date(e.at_ms))}</span>
                <Tag theme={KIND_THEME[e.kind]} variant="light">
                  {t(kindLabel(e.kind))}
                </Tag>
                <span>{tx(e.detail)}</span>
              </li>
            ))}
          </ol>
        )}
      </Card>
    </div>
  );
}

/** One box of the topology: its role, its address, and its condition when it has one. */
function TopologyNode({ role, address, testId, tag }: { role: string; address: string; testId?: string; tag?: { theme: TagTheme; label: string } }) {
  return (
    <div className="ferry-node" data-testid={testId}>
      <div className="ferry-node-role">{role}</div>
      <code>{address}</code>
      {tag && (
        <Tag theme={tag.theme} variant="light">
          {tag.label}
        </Tag>
      )}
    </div>
  );
}
