import { Button, Card, Input, Radio, Select } from "tdesign-react";
import type { Instance, WriteMode } from "../bindings";
import { useI18n, type MessageKey } from "../i18n";
import type { BasicErrors, BasicFields } from "../newTaskForm";
import { FilterFields } from "./FilterFields";
import { SshFields } from "./SshFields";
import { TlsFields } from "./TlsFields";

interface Props {
  fields: BasicFields;
  errors: BasicErrors;
  instances: Instance[];
  onChange: (f: BasicFields) => void;
  onNext: () => void;
  onCancel: () => void;
  busy: boolean;
}

const WRITE_MODES: WriteMode[] = ["overwrite", "clear_first", "fail_on_existing"];

/** Step 1, basic information: the source's address and credentials, the target instance. */
export function BasicInfoStep({ fields: f, errors, instances, onChange, onNext, onCancel, busy }: Props) {
  const { t } = useI18n();
  const set = <K extends keyof BasicFields>(k: K, v: BasicFields[K]) => onChange({ ...f, [k]: v });
  const regions = [...new Set(instances.map((i) => i.region))].sort();
  const targets = instances.filter((i) => i.region === f.region);
  const target = targets.find((i) => i.id === f.targetId);

  const error = (k: Exclude<keyof BasicFields, "filters">) => errors[k] && <span className="ferry-field-error">{t(errors[k])}</span>;
  const text = (k: "name" | "sourceRegion" | "host" | "port" | "user" | "password" | "sentinelMaster" | "targetPassword", label: MessageKey, type: "text" | "password" = "text") => (
    <label data-testid={`field-${k}`}>
      {t(label)}
      <Input value={f[k]} type={type} name={k} onChange={(v) => set(k, String(v))} status={errors[k] ? "error" : "default"} onEnter={onNext} />
      {error(k)}
    </label>
  );

  return (
    <Card className="ferry-block" title={t("newTask.basic")} bordered>
      <div className="ferry-form" data-testid="basic-form">
        {text("name", "newTask.name")}
        <div className="ferry-label" role="group" aria-label={t("tasks.type")}>
          {t("tasks.type")}
          <Radio.Group value={f.kind} onChange={(v) => set("kind", v === "cloud_vm" ? "cloud_vm" : "public_network")}>
            <Radio.Button value="public_network">{t("kind.public_network")}</Radio.Button>
            <Radio.Button value="cloud_vm">{t("kind.cloud_vm")}</Radio.Button>
          </Radio.Group>
        </div>
        <h3 className="ferry-form-section">{t("newTask.source")}</h3>
        {text("host", "form.host")}
        {text("port", "form.port")}
        {text("user", "form.user")}
        {text("password", "newTask.sourcePassword", "password")}
        {text("sentinelMaster", "newTask.sentinelMaster")}
        <TlsFields value={f.tls} onChange={(tls) => set("tls", tls)} error={errors.tls ?? null} />
        <SshFields value={f.ssh} onChange={(ssh) => set("ssh", ssh)} error={errors.ssh ?? null} />
        {f.kind === "cloud_vm" && text("sourceRegion", "newTask.sourceRegion")}
        <p className="ferry-form-note">{t("newTask.noPasswordNote")}</p>
        <h3 className="ferry-form-section">{t("newTask.target")}</h3>
        <label data-testid="field-region">
          {t("tasks.region")}
          <Select
            value={f.region}
            placeholder={t("newTask.chooseRegion")}
            onChange={(v) => onChange({ ...f, region: String(v ?? ""), targetId: null })}
            options={regions.map((r) => ({ label: r, value: r }))}
            status={errors.region ? "error" : "default"}
          />
          {error("region")}
        </label>
        <label data-testid="field-targetId">
          {t("newTask.targetInstance")}
          <Select
            value={f.targetId ?? undefined}
            placeholder={f.region ? t("newTask.chooseTarget") : t("newTask.chooseRegionFirst")}
            disabled={!f.region}
            onChange={(v) => set("targetId", typeof v === "number" ? v : null)}
            options={targets.map((i) => ({
              label: `${i.name} (${i.host}:${i.port}${i.edition === "cluster" ? `, ${t("edition.cluster")}` : ""})`,
              value: i.id,
            }))}
            status={errors.targetId ? "error" : "default"}
          />
          {error("targetId")}
        </label>
        {text("targetPassword", target?.has_password ? "newTask.targetPasswordKept" : "newTask.targetPassword", "password")}
        <div className="ferry-label ferry-wide" role="group" aria-label={t("newTask.writeMode")} data-testid="field-writeMode">
          {t("newTask.writeMode")}
          <Radio.Group className="ferry-options" value={f.writeMode} onChange={(v) => set("writeMode", WRITE_MODES.find((m) => m === v) ?? "overwrite")}>
            {WRITE_MODES.map((m) => (
              <Radio key={m} value={m} data-testid={`write-mode-${m}`}>
                {t(`writeMode.${m}`)}
                <span className="ferry-option-hint">{t(`writeModeHint.${m}`)}</span>
              </Radio>
            ))}
          </Radio.Group>
        </div>
        <h3 className="ferry-form-section">{t("newTask.filters")}</h3>
        <FilterFields value={f.filters} onChange={(filters) => set("filters", filters)} errors={errors.filters ?? {}} cluster={target?.edition === "cluster"} onEnter={onNext} />
        <div className="ferry-form-actions">
          <Button theme="primary" loading={busy} onClick={onNext} data-testid="basic-next">
            {t("newTask.nextParams")}
          </Button>
          <Button variant="outline" onClick={onCancel}>
            {t("form.cancel")}
          </Button>
        </div>
      </div>
    </Card>
  );
}
