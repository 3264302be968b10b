/* The create-task form's fields, their checks, and the request they become. */
import type { MigrationType, Params, TaskRequest_Deserialize as TaskRequest, WriteMode } from "./bindings";
import { NO_TLS, tlsOptions, validateTls, type TlsState } from "./components/TlsFields";
import { NO_SSH, sshSecret, sshTunnel, validateSsh, type SshState } from "./components/SshFields";
import { filterSpec, NO_FILTERS, validateFilters, type FilterErrors, type FilterFields } from "./filters";
import type { MessageKey } from "./i18n";

export interface BasicFields {
  name: string;
  kind: MigrationType;
  /** Where the source VM runs (cloud VM migrations only). */
  sourceRegion: string;
  host: string;
  port: string;
  user: string;
  password: string;
  /**
   * When given, the source is managed by Redis Sentinel: `host`/`port` are a Sentinel's, and the
   * task follows the master it names under this name (after a failover too).
   */
  sentinelMaster: string;
  /** How the source is reached: plain TCP, or TLS with these settings. */
  tls: TlsState;
  /** The SSH jump host the source is reached through, if any. */
  ssh: SshState;
  /** The target's region: the target instance is one of its instances. */
  region: string;
  targetId: number | null;
  /** When given, replaces the password kept for the target instance. */
  targetPassword: string;
  writeMode: WriteMode;
  /** What of the source is migrated: off, all of it, every db into the same number. */
  filters: FilterFields;
}

export const EMPTY_BASIC: BasicFields = {
  name: "",
  kind: "public_network",
  sourceRegion: "",
  host: "",
  port: "6379",
  user: "",
  password: "",
  sentinelMaster: "",
  tls: NO_TLS,
  ssh: NO_SSH,
  region: "",
  targetId: null,
  targetPassword: "",
  writeMode: "overwrite",
  filters: NO_FILTERS,
};

export type BasicErrors = Partial<Record<Exclude<keyof BasicFields, "filters">, MessageKey>> & { filters?: FilterErrors };

/** The form filled in for a first migration in the sandbox: its source into its target instance. */
export function sandboxTask(sandbox: { source_host: string; source_port: number; region: string; target: { id: number } }): BasicFields {
  return {
    ...EMPTY_BASIC,
    name: `sandbox-${sandbox.source_port}`,
    host: sandbox.source_host,
    port: String(sandbox.source_port),
    region: sandbox.region,
    targetId: sandbox.target.id,
  };
}

/** Field checks the form does before asking the console (which checks again). */
export function validateBasic(f: BasicFields): BasicErrors {
  const errors: BasicErrors = {};
  if (!f.name.trim()) errors.name = "form.required";
  if (!f.host.trim()) errors.host = "form.required";
  const port = Number(f.port);
  if (!/^\d+$/.test(f.port.trim()) || port < 1 || port > 65535) errors.port = "form.badPort";
  if (f.kind === "cloud_vm" && !f.sourceRegion.trim()) errors.sourceRegion = "form.required";
  if (!f.region) errors.region = "form.required";
  if (f.targetId === null) errors.targetId = "form.required";
  const tls = validateTls(f.tls);
  if (tls) errors.tls = tls;
  const ssh = validateSsh(f.ssh);
  if (ssh) errors.ssh = ssh;
  const filters = validateFilters(f.filters);
  if (Object.keys(filters).length > 0) errors.filters = filters;
  return errors;
}

/** The console's request for these fields and parameters. */
export function toRequest(f: BasicFields, params: Params): TaskRequest {
  return {
    spec: {
      name: f.name.trim(),
      kind: f.kind,
      source: {
        host: f.host.trim(),
        port: Number(f.port),
        user: f.user.trim() || null,
        has_password: f.password !== "",
        region: f.kind === "cloud_vm" ? f.sourceRegion.trim() : null,
        sentinel: f.sentinelMaster.trim()
          ? { nodes: [`${f.host.trim()}:${Number(f.port)}`], master_name: f.sentinelMaster.trim() }
          : null,
        tls: tlsOptions(f.tls),
        ssh: sshTunnel(f.ssh),
      },
      target_instance: f.targetId ?? 0,
      params,
      write_mode: f.writeMode,
      ...filterSpec(f.filters),
    },
    source_password: f.password === "" ? null : f.password,
    ssh_secret: sshSecret(f.ssh),
  };
}

/**
 * The fields with a target chosen when the choice is obvious: the first region when none is chosen,
 * and its instance when it has exactly one.
 */
export function withDefaultTarget(f: BasicFields, instances: ReadonlyArray<{ id: number; region: string }>): BasicFields {
  if (f.region) return f;
  const region = [...new Set(instances.map((i) => i.region))].sort()[0];
  if (region === undefined) return f;
  const inRegion = instances.filter((i) => i.region === region);
  return { ...f, region, targetId: inRegion.length === 1 && inRegion[0] ? inRegion[0].id : null };
}
