import type { ReactNode } from "react";
import { Button, Card, InputNumber, Space, Table, Tag, type PrimaryTableCol } from "tdesign-react";
import type { ParamRow_Serialize as ParamRow, Params } from "../bindings";
import { fmtConfigValue } from "../format";
import { useI18n, type MessageKey } from "../i18n";

interface Props {
  rows: ParamRow[];
  params: Params;
  recommended: Params;
  onChange: (p: Params) => void;
  onBack: () => void;
  onCheck: () => void;
}

type Field = keyof Params;

/** Which task parameters set each source parameter, and in what unit. */
const EDITORS: Record<string, Array<{ field: Field; unit: MessageKey }>> = {
  "client-output-buffer-limit": [
    { field: "output_buffer_hard_mb", unit: "params.hardMb" },
    { field: "output_buffer_soft_mb", unit: "params.softMb" },
    { field: "output_buffer_soft_seconds", unit: "params.softSeconds" },
  ],
  "repl-backlog-size": [{ field: "backlog_mb", unit: "params.mb" }],
  "repl-timeout": [{ field: "repl_timeout_seconds", unit: "params.seconds" }],
};

/** The parameters that are not zero, as the console requires. */
export function paramsValid(p: Params): boolean {
  return Object.values(p).every((v) => Number.isInteger(v) && v > 0);
}

/**
 * Step 2, parameter settings: what the migration sets on the source (restored when it ends), beside
 * the source's current values; editable, the recommended values first.
 */
export function ParamsStep({ rows, params, recommended, onChange, onBack, onCheck }: Props) {
  const { t } = useI18n();
  const editors = (row: ParamRow): ReactNode => {
    const fields = EDITORS[row.name];
    if (!fields) return <code>{row.value}</code>;
    return (
      <Space size="small" breakLine>
        {fields.map(({ field, unit }) => (
          <label key={field} className="ferry-param" data-testid={`param-${field}`}>
            <InputNumber
              value={params[field]}
              min={1}
              decimalPlaces={0}
              theme="normal"
              size="small"
              style={{ width: 110 }}
              status={params[field] > 0 ? "default" : "error"}
              onChange={(v) => onChange({ ...params, [field]: Number(v) })}
            />
            <span>{t(unit)}</span>
          </label>
        ))}
        {fields.every(({ field }) => params[field] === recommended[field]) && <Tag theme="success" variant="light">{t("params.recommended")}</Tag>}
      </Space>
    );
  };
  /** The source's value for people ("1 MB", "256 MB / 64 MB / 60 s"), the CONFIG text on hover. */
  const current = (row: ParamRow): ReactNode => {
    if (row.current == null) return t("params.unknown");
    const human = fmtConfigValue(row.name, row.current, t);
    return (
      <span title={human === null ? undefined : row.current} data-testid={`current-${row.name}`}>
        {human ?? row.current}
      </span>
    );
  };
  const columns: PrimaryTableCol<ParamRow>[] = [
    { colKey: "name", title: t("params.col.name"), width: 220, cell: ({ row }) => <code>{row.name}</code> },
    { colKey: "value", title: t("params.col.value"), width: 560, cell: ({ row }) => editors(row) },
    { colKey: "current", title: t("params.col.current"), width: 320, cell: ({ row }) => current(row) },
  ];
  const valid = paramsValid(params);
  return (
    <Card className="ferry-block" title={t("newTask.params")} bordered>
      <p className="ferry-form-note">{t("params.note")}</p>
      <div data-testid="params-table">
        <Table rowKey="name" data={rows} columns={columns} empty={t("params.none")} />
      </div>
      {!valid && <p className="ferry-field-error">{t("params.invalid")}</p>}
      <div className="ferry-actions">
        <Button variant="outline" onClick={onBack}>
          {t("newTask.back")}
        </Button>
        <Button variant="outline" onClick={() => onChange(recommended)}>
          {t("params.restore")}
        </Button>
        <Button theme="primary" disabled={!valid} onClick={onCheck} data-testid="start-check">
          {t("newTask.startCheck")}
        </Button>
      </div>
    </Card>
  );
}
