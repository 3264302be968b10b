import { Alert, Checkbox, Input } from "tdesign-react";
import type { TlsOptions_Deserialize as TlsOptions } from "../bindings";
import { useI18n, type MessageKey } from "../i18n";

/** What the TLS section of a form holds (files are paths on the machine Ferry runs on). */
export interface TlsState {
  on: boolean;
  ca: string;
  cert: string;
  key: string;
  serverName: string;
  insecure: boolean;
}

export const NO_TLS: TlsState = { on: false, ca: "", cert: "", key: "", serverName: "", insecure: false };

/** The console's TLS settings for the section, or null for plain TCP. */
export function tlsOptions(s: TlsState): TlsOptions | null {
  if (!s.on) return null;
  const path = (v: string) => v.trim() || null;
  return {
    ca_file: path(s.ca),
    cert_file: path(s.cert),
    key_file: path(s.key),
    server_name: path(s.serverName),
    insecure: s.insecure,
  };
}

/** A client certificate needs its key, and a key its certificate. */
export function validateTls(s: TlsState): MessageKey | null {
  if (!s.on) return null;
  return (s.cert.trim() === "") !== (s.key.trim() === "") ? "tls.certAndKey" : null;
}

/** The TLS section: off (plain TCP) by default; on, the CA, a client certificate and key, the name to
 * check, and the loudly named way to skip verification. */
export function TlsFields({ value, onChange, error }: { value: TlsState; onChange: (s: TlsState) => void; error: MessageKey | null }) {
  const { t } = useI18n();
  const set = <K extends keyof TlsState>(k: K, v: TlsState[K]) => onChange({ ...value, [k]: v });
  const path = (k: "ca" | "cert" | "key" | "serverName", label: MessageKey, placeholder?: MessageKey) => (
    <label data-testid={`field-tls-${k}`}>
      {t(label)}
      <Input value={value[k]} name={`tls-${k}`} placeholder={placeholder && t(placeholder)} onChange={(v) => set(k, String(v))} />
    </label>
  );
  return (
    <div className="ferry-label" role="group" aria-label={t("tls.title")} data-testid="tls-fields">
      <Checkbox checked={value.on} onChange={(v) => set("on", v)}>
        {t("tls.on")}
      </Checkbox>
      {value.on && (
        <>
          {path("ca", "tls.ca", "tls.caPlaceholder")}
          {path("cert", "tls.cert")}
          {path("key", "tls.key")}
          {error && <span className="ferry-field-error">{t(error)}</span>}
          {path("serverName", "tls.serverName")}
          <Checkbox checked={value.insecure} onChange={(v) => set("insecure", v)}>
            {t("tls.insecure")}
          </Checkbox>
          {value.insecure && <Alert theme="warning" message={t("tls.insecureWarning")} />}
        </>
      )}
    </div>
  );
}
