import { Checkbox, Input } from "tdesign-react";
import type { SshTunnel_Deserialize as SshTunnel } from "../bindings";
import { useI18n, type MessageKey } from "../i18n";

/** What the SSH section of a form holds (files are paths on the machine Ferry runs on). */
export interface SshState {
  on: boolean;
  /** `user@host[:port]` of the jump host. */
  jump: string;
  keyFile: string;
  knownHosts: string;
  hostKey: string;
  /** The key's passphrase, or the SSH password when there is no key file (kept in the keychain). */
  secret: string;
}

export const NO_SSH: SshState = { on: false, jump: "", keyFile: "", knownHosts: "", hostKey: "", secret: "" };

/** `user@host[:port]` as its parts, or null when it is not one. */
export function parseJump(text: string): { user: string; host: string; port: number } | null {
  const m = /^([^@\s]+)@(\[[0-9a-fA-F:.]+\]|[^\s:@[\]]+)(?::(\d+))?$/.exec(text.trim());
  if (!m) return null;
  const port = m[3] === undefined ? 22 : Number(m[3]);
  if (port < 1 || port > 65535) return null;
  return { user: m[1]!, host: m[2]!.replace(/^\[|\]$/g, ""), port };
}

/** The console's tunnel for the section, or null when there is none. */
export function sshTunnel(s: SshState): SshTunnel | null {
  const jump = s.on ? parseJump(s.jump) : null;
  if (!jump) return null;
  const opt = (v: string) => v.trim() || null;
  return { ...jump, key_file: opt(s.keyFile), known_hosts: opt(s.knownHosts), host_key: opt(s.hostKey) };
}

/** The secret to keep with the tunnel, or null. */
export function sshSecret(s: SshState): string | null {
  return s.on && s.secret !== "" ? s.secret : null;
}

export function validateSsh(s: SshState): MessageKey | null {
  return s.on && !parseJump(s.jump) ? "ssh.badJump" : null;
}

/** The SSH section: off by default; on, the jump host, its key (or password, or the agent), and how
 * its host key is checked. */
export function SshFields({ value, onChange, error }: { value: SshState; onChange: (s: SshState) => void; error: MessageKey | null }) {
  const { t } = useI18n();
  const set = <K extends keyof SshState>(k: K, v: SshState[K]) => onChange({ ...value, [k]: v });
  const field = (k: "jump" | "keyFile" | "knownHosts" | "hostKey" | "secret", label: MessageKey, type: "text" | "password" = "text") => (
    <label data-testid={`field-ssh-${k}`}>
      {t(label)}
      <Input value={value[k]} type={type} name={`ssh-${k}`} onChange={(v) => set(k, String(v))} status={k === "jump" && error ? "error" : "default"} />
      {k === "jump" && error && <span className="ferry-field-error">{t(error)}</span>}
    </label>
  );
  return (
    <div className="ferry-label" role="group" aria-label={t("ssh.title")} data-testid="ssh-fields">
      <Checkbox checked={value.on} onChange={(v) => set("on", v)}>
        {t("ssh.on")}
      </Checkbox>
      {value.on && (
        <>
          {field("jump", "ssh.jump")}
          {field("keyFile", "ssh.keyFile")}
          {field("secret", "ssh.secret", "password")}
          {field("knownHosts", "ssh.knownHosts")}
          {field("hostKey", "ssh.hostKey")}
        </>
      )}
    </div>
  );
}
