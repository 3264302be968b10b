import { useEffect, useState } from "react";
import { Button, Card, Checkbox, Input, Radio, Select, Switch } from "tdesign-react";
import { commands, type CommandError, type Instance, type ListenTls_Deserialize as ListenTls, type StandbyView_Serialize as StandbyView } from "../bindings";
import { useI18n, type MessageKey } from "../i18n";
import { asCommandError } from "../command";
import { ErrorView } from "./ErrorView";

interface Fields {
  name: string;
  master: number | null;
  replica: number | null;
  listen: string;
  syncWrites: boolean;
  /** Clients speak TLS to the proxy: its certificate and key, and the CA of client certificates. */
  tls: boolean;
  tlsCert: string;
  tlsKey: string;
  tlsClientCa: string;
  /** A password of the proxy's own; empty: clients log in with the servers' users. */
  password: string;
  /** Who decides failovers: the proxy's heartbeat, or Redis Sentinel (its nodes and master name). */
  mode: "heartbeat" | "sentinel";
  sentinels: string;
  masterName: string;
}

const EMPTY: Fields = { name: "", master: null, replica: null, listen: "127.0.0.1:0", syncWrites: false, tls: false, tlsCert: "", tlsKey: "", tlsClientCa: "", password: "", mode: "heartbeat", sentinels: "", masterName: "" };

type Errors = Partial<Record<"name" | "master" | "replica" | "listen" | "tlsCert" | "tlsKey" | "sentinels" | "masterName", MessageKey>>;

/** The Sentinels' addresses as typed: `host:port`, separated by commas or spaces. */
export function sentinelNodes(text: string): string[] {
  return text
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter((s) => s !== "");
}

/** The proxy's TLS listener as the console takes it, or null for plain TCP. */
export function listenTls(f: Fields): ListenTls | null {
  if (!f.tls) return null;
  return { cert_file: f.tlsCert.trim(), key_file: f.tlsKey.trim(), client_ca_file: f.tlsClientCa.trim() || null };
}

/** Checks the UI can do before asking the console (which checks again). */
export function validateStandby(f: Fields): Errors {
  const errors: Errors = {};
  if (!f.name.trim()) errors.name = "standbyForm.required";
  if (!f.listen.trim()) errors.listen = "standbyForm.required";
  if (f.master === null) errors.master = "standbyForm.required";
  if (f.mode === "sentinel") {
    const nodes = sentinelNodes(f.sentinels);
    if (nodes.length === 0) errors.sentinels = "standbyForm.required";
    else if (nodes.some((n) => !/^[^:\s]+:\d{1,5}$/.test(n))) errors.sentinels = "standbyForm.badSentinels";
    if (!f.masterName.trim()) errors.masterName = "standbyForm.required";
  } else if (f.replica === null) errors.replica = "standbyForm.required";
  else if (f.replica === f.master) errors.replica = "standbyForm.same";
  if (f.tls && !f.tlsCert.trim()) errors.tlsCert = "standbyForm.required";
  if (f.tls && !f.tlsKey.trim()) errors.tlsKey = "standbyForm.required";
  return errors;
}

/** Starts a pair from two registered instances. */
export function StandbyForm({ onStarted, onCancel }: { onStarted: (pair: StandbyView) => void; onCancel: () => void }) {
  const { t } = useI18n();
  const [f, setF] = useState<Fields>(EMPTY);
  const [errors, setErrors] = useState<Errors>({});
  const [instances, setInstances] = useState<Instance[] | null>(null);
  const [error, setError] = useState<CommandError | null>(null);
  const [saving, setSaving] = useState(false);

  useEffect(() => {
    commands
      .listInstances(null)
      .then((r) => (r.status === "ok" ? setInstances(r.data) : setError(r.error)))
      .catch((e: unknown) => setError(asCommandError(e)));
  }, []);

  const submit = async () => {
    const found = validateStandby(f);
    setErrors(found);
    if (Object.keys(found).length > 0 || f.master === null) return;
    const sentinel = f.mode === "sentinel" ? { nodes: sentinelNodes(f.sentinels), master_name: f.masterName.trim() } : null;
    setSaving(true);
    setError(null);
    try {
      const input = {
        name: f.name.trim(),
        master_instance: f.master,
        replica_instance: sentinel ? null : f.replica,
        listen: f.listen.trim(),
        sync_writes: f.syncWrites,
        listen_tls: listenTls(f),
        proxy_password: f.password === "" ? null : f.password,
        sentinel,
      };
      const r = await commands.startStandby(input);
      if (r.status === "ok") onStarted(r.data);
      else setError(r.error);
    } catch (e) {
      setError(asCommandError(e));
    } finally {
      setSaving(false);
    }
  };

  const options = (instances ?? []).map((i) => ({ label: `${i.name} (${i.host}:${i.port})`, value: i.id }));
  const fieldError = (k: keyof Errors) => errors[k] && <span className="ferry-field-error">{t(errors[k])}</span>;
  const path = (k: "tlsCert" | "tlsKey" | "tlsClientCa", label: MessageKey) => (
    <label data-testid={`standby-field-${k}`}>
      {t(label)}
      <Input value={f[k]} status={k !== "tlsClientCa" && errors[k] ? "error" : "default"} onChange={(v) => setF((old) => ({ ...old, [k]: String(v) }))} />
      {k !== "tlsClientCa" && fieldError(k)}
    </label>
  );
  const pick = (k: "master" | "replica") => (
    <label data-testid={`standby-field-${k}`}>
      {t(k === "master" ? "standbyForm.master" : "standbyForm.replica")}
      <Select
        value={f[k] ?? undefined}
        options={options}
        status={errors[k] ? "error" : "default"}
        onChange={(v) => setF((old) => ({ ...old, [k]: typeof v === "number" ? v : null }))}
      />
      {fieldError(k)}
    </label>
  );

  return (
    <Card className="ferry-block" title={t("standbyForm.title")} bordered>
      {error && <ErrorView error={error} />}
      {instances !== null && instances.length < 2 && <p className="ferry-muted">{t("standbyForm.noInstances")}</p>}
      <div className="ferry-form" data-testid="standby-form">
        <label data-testid="standby-field-name">
          {t("standbyForm.name")}
          <Input value={f.name} status={errors.name ? "error" : "default"} onChange={(v) => setF((old) => ({ ...old, name: v }))} />
          {fieldError("name")}
        </label>
        <label data-testid="standby-field-listen">
          {t("standbyForm.listen")}
          <Input value={f.listen} status={errors.listen ? "error" : "default"} onChange={(v) => setF((old) => ({ ...old, listen: v }))} />
          {fieldError("listen")}
        </label>
        <div className="ferry-label" data-testid="standby-field-mode">
          {t("standbyForm.mode")}
          <Radio.Group variant="default-filled" value={f.mode} onChange={(v) => setF((old) => ({ ...old, mode: v === "sentinel" ? "sentinel" : "heartbeat" }))}>
            <Radio.Button value="heartbeat">{t("standbyForm.modeHeartbeat")}</Radio.Button>
            <Radio.Button value="sentinel">{t("standbyForm.modeSentinel")}</Radio.Button>
          </Radio.Group>
          <span className="ferry-muted">{t(f.mode === "sentinel" ? "standbyForm.modeSentinelHint" : "standbyForm.modeHeartbeatHint")}</span>
        </div>
        {pick("master")}
        {f.mode === "heartbeat" && pick("replica")}
        {f.mode === "sentinel" && (
          <>
            <label data-testid="standby-field-sentinels">
              {t("standbyForm.sentinels")}
              <Input value={f.sentinels} placeholder="10.0.0.11:26379, 10.0.0.12:26379, 10.0.0.13:26379" status={errors.sentinels ? "error" : "default"} onChange={(v) => setF((old) => ({ ...old, sentinels: String(v) }))} />
              {fieldError("sentinels")}
            </label>
            <label data-testid="standby-field-masterName">
              {t("standbyForm.masterName")}
              <Input value={f.masterName} placeholder="mymaster" status={errors.masterName ? "error" : "default"} onChange={(v) => setF((old) => ({ ...old, masterName: String(v) }))} />
              {fieldError("masterName")}
            </label>
          </>
        )}
        <label className="ferry-label-inline">
          <Switch value={f.syncWrites} onChange={(v) => setF((old) => ({ ...old, syncWrites: v }))} />
          {t("standbyForm.syncWrites")}
        </label>
        <label data-testid="standby-field-password">
          {t("standbyForm.password")}
          <Input type="password" name="proxy-password" value={f.password} onChange={(v) => setF((old) => ({ ...old, password: String(v) }))} />
          <span className="ferry-muted">{t("standbyForm.passwordHint")}</span>
        </label>
        <div className="ferry-label" role="group" aria-label={t("standbyForm.tls")} data-testid="standby-tls-fields">
          <Checkbox checked={f.tls} onChange={(v) => setF((old) => ({ ...old, tls: v }))}>
            {t("standbyForm.tls")}
          </Checkbox>
          {f.tls && (
            <>
              {path("tlsCert", "standbyForm.tlsCert")}
              {path("tlsKey", "standbyForm.tlsKey")}
              {path("tlsClientCa", "standbyForm.tlsClientCa")}
            </>
          )}
          <span className="ferry-muted">{t("standbyForm.tlsBackends")}</span>
        </div>
        <div className="ferry-form-actions">
          <Button theme="primary" loading={saving} onClick={() => void submit()} data-testid="standby-start">
            {t("standbyForm.start")}
          </Button>
          <Button variant="outline" onClick={onCancel} data-testid="standby-cancel">
            {t("standbyForm.cancel")}
          </Button>
        </div>
      </div>
    </Card>
  );
}
