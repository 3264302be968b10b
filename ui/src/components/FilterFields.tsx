import { Alert, Checkbox, Input } from "tdesign-react";
import { clusterRefusedDbs, type FilterErrors, type FilterFields as Fields } from "../filters";
import { useI18n, type MessageKey } from "../i18n";

interface Props {
  value: Fields;
  onChange: (f: Fields) => void;
  errors: FilterErrors;
  /** The chosen target instance is a cluster (db 0 only). */
  cluster: boolean;
  onEnter?: () => void;
}

/** The filter section: off (the whole source, same db numbers) by default; on, the db mapping and
 * the key patterns to include and exclude, each with a hint, in the CLI's syntax. */
export function FilterFields({ value, onChange, errors, cluster, onEnter }: Props) {
  const { t } = useI18n();
  const set = <K extends keyof Fields>(k: K, v: Fields[K]) => onChange({ ...value, [k]: v });
  const refused = cluster ? clusterRefusedDbs(value) : [];
  const field = (k: "dbMap" | "include" | "exclude", label: MessageKey, hint: MessageKey, placeholder: string) => {
    const problem = errors[k];
    return (
      <label data-testid={`field-filter-${k}`}>
        {t(label)}
        <Input value={value[k]} name={`filter-${k}`} placeholder={placeholder} onChange={(v) => set(k, String(v))} status={problem ? "error" : "default"} onEnter={onEnter} />
        {problem ? <span className="ferry-field-error">{t(problem.key, problem.params)}</span> : <span className="ferry-field-hint">{t(hint)}</span>}
      </label>
    );
  };
  return (
    <div className="ferry-label ferry-wide" role="group" aria-label={t("newTask.filters")} data-testid="filter-fields">
      <Checkbox checked={value.on} onChange={(v) => set("on", v)}>
        {t("filters.on")}
      </Checkbox>
      {value.on && (
        <div className="ferry-subform">
          {field("dbMap", "filters.dbMap", "filters.dbMapHint", "0:1, 2:3")}
          {field("include", "filters.include", "filters.includeHint", "user:*, order:*")}
          {field("exclude", "filters.exclude", "filters.excludeHint", "tmp:*")}
          {refused.length > 0 && (
            <div className="ferry-wide" data-testid="filter-cluster-warning">
              <Alert theme="warning" message={t("filters.clusterWarning", { dbs: refused.join(", ") })} />
            </div>
          )}
          <p className="ferry-form-note">{t("filters.checkNote")}</p>
        </div>
      )}
    </div>
  );
}
