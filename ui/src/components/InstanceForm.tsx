import { useState } from "react";
import { Button, Card, Input, Radio } from "tdesign-react";
import { commands, type CommandError, type Edition, type Instance } from "../bindings";
import { useI18n, type MessageKey } from "../i18n";
import { asCommandError } from "../command";
import { ErrorView } from "./ErrorView";
import { NO_TLS, TlsFields, tlsOptions, validateTls, type TlsState } from "./TlsFields";
import { NO_SSH, SshFields, sshSecret, sshTunnel, validateSsh, type SshState } from "./SshFields";

interface Fields {
  name: string;
  region: string;
  host: string;
  port: string;
  user: string;
  password: string;
  edition: Edition;
  /** Further nodes of a cluster, `host:port`, separated by commas or spaces. */
  seeds: string;
}

const EMPTY: Fields = {
  name: "",
  region: "",
  host: "127.0.0.1",
  port: "6379",
  user: "",
  password: "",
  edition: "standard",
  seeds: "",
};

/** The seed nodes typed in the form, one `host:port` each. */
export function parseSeeds(text: string): string[] {
  return text.split(/[\s,]+/).filter((s) => s !== "");
}

function isHostPort(seed: string): boolean {
  const m = /^(\[[0-9a-fA-F:.]+\]|[^\s:[\]]+):(\d+)$/.exec(seed);
  return m !== null && Number(m[2]) >= 1 && Number(m[2]) <= 65535;
}

type Errors = Partial<Record<keyof Fields, MessageKey>>;

/** Field checks the UI can do before asking the console (which checks again). */
export function validate(f: Fields): Errors {
  const errors: Errors = {};
  for (const k of ["name", "region", "host"] as const) {
    if (!f[k].trim()) errors[k] = "form.required";
  }
  const port = Number(f.port);
  if (!/^\d+$/.test(f.port.trim()) || port < 1 || port > 65535) errors.port = "form.badPort";
  if (f.edition === "cluster" && !parseSeeds(f.seeds).every(isHostPort)) errors.seeds = "form.badSeeds";
  return errors;
}

/** Registers an instance: name, region, host, port, user, password, edition (and a cluster's seed nodes). */
export function InstanceForm({ onSaved, onCancel }: { onSaved: (i: Instance) => void; onCancel: () => void }) {
  const { t } = useI18n();
  const [f, setF] = useState<Fields>(EMPTY);
  const [tls, setTls] = useState<TlsState>(NO_TLS);
  const [ssh, setSsh] = useState<SshState>(NO_SSH);
  const [errors, setErrors] = useState<Errors>({});
  const [error, setError] = useState<CommandError | null>(null);
  const [saving, setSaving] = useState(false);
  const set = (k: keyof Fields) => (v: string | number) => setF((old) => ({ ...old, [k]: String(v) }));

  const submit = async () => {
    const found = validate(f);
    setErrors(found);
    if (Object.keys(found).length > 0 || validateTls(tls) || validateSsh(ssh)) return;
    setSaving(true);
    setError(null);
    try {
      const result = await commands.addInstance(
        {
          name: f.name.trim(),
          region: f.region.trim(),
          host: f.host.trim(),
          port: Number(f.port),
          user: f.user.trim() || null,
          edition: f.edition,
          proxy: null,
          seeds: f.edition === "cluster" ? parseSeeds(f.seeds) : [],
          tls: tlsOptions(tls),
          ssh: sshTunnel(ssh),
          ssh_secret: sshSecret(ssh),
        },
        f.password === "" ? null : f.password,
      );
      if (result.status === "ok") {
        setF(EMPTY);
        setTls(NO_TLS);
        setSsh(NO_SSH);
        onSaved(result.data);
      } else {
        setError(result.error);
      }
    } catch (e) {
      setError(asCommandError(e));
    } finally {
      setSaving(false);
    }
  };

  const field = (k: keyof Fields, label: MessageKey, type: "text" | "password" = "text") => (
    <label data-testid={`field-${k}`}>
      {t(label)}
      <Input
        value={f[k]}
        type={type}
        name={k}
        onChange={set(k)}
        status={errors[k] ? "error" : "default"}
        onEnter={() => void submit()}
      />
      {errors[k] && <span className="ferry-field-error">{t(errors[k])}</span>}
    </label>
  );

  return (
    <Card className="ferry-block" title={t("form.title")} bordered>
      {error && <ErrorView error={error} />}
      <div className="ferry-form" data-testid="instance-form">
        {field("name", "form.name")}
        {field("region", "form.region")}
        {field("host", "form.host")}
        {field("port", "form.port")}
        {field("user", "form.user")}
        {field("password", "form.password", "password")}
        <div className="ferry-label" role="group" aria-label={t("form.edition")}>
          {t("form.edition")}
          <Radio.Group value={f.edition} onChange={(v) => setF((old) => ({ ...old, edition: v as Edition }))}>
            <Radio.Button value="standard">{t("edition.standard")}</Radio.Button>
            <Radio.Button value="cluster">{t("edition.cluster")}</Radio.Button>
          </Radio.Group>
        </div>
        {f.edition === "cluster" && field("seeds", "form.seeds")}
        <TlsFields value={tls} onChange={setTls} error={validateTls(tls)} />
        <SshFields value={ssh} onChange={setSsh} error={validateSsh(ssh)} />
        <div className="ferry-form-actions">
          <Button theme="primary" loading={saving} onClick={() => void submit()} data-testid="instance-save">
            {t("form.save")}
          </Button>
          <Button variant="outline" onClick={onCancel} data-testid="instance-cancel">
            {t("form.cancel")}
          </Button>
        </div>
      </div>
    </Card>
  );
}
