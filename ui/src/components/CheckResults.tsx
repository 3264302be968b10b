import { Table, Tag, type PrimaryTableCol } from "tdesign-react";
import type { CheckItem, Level } from "../bindings";
import { isMessageKey, useI18n, type MessageKey } from "../i18n";

const LEVEL_THEME: Record<Level, "success" | "warning" | "danger" | "default"> = {
  pass: "success",
  warning: "warning",
  error: "danger",
  skipped: "default",
};
const LEVEL_LABEL: Record<Level, MessageKey> = {
  pass: "check.pass",
  warning: "check.warning",
  error: "check.error",
  skipped: "check.skipped",
};

/** Pre-check items as the console lists them: item, result, what was measured, what to do. */
export function CheckResults({ items, loading = false }: { items: CheckItem[]; loading?: boolean }) {
  const { t, tx } = useI18n();
  const columns: PrimaryTableCol<CheckItem>[] = [
    {
      colKey: "title",
      title: t("check.col.item"),
      width: 220,
      // The item's name in the user's language; the engine's own title for an item the UI does not know.
      cell: ({ row }) => {
        const key = `checkItem.${row.id}`;
        return isMessageKey(key) ? t(key) : row.title;
      },
    },
    {
      colKey: "level",
      title: t("check.col.result"),
      width: 90,
      cell: ({ row }) => (
        <Tag theme={LEVEL_THEME[row.level]} variant="light" data-level={row.level}>
          {t(LEVEL_LABEL[row.level])}
        </Tag>
      ),
    },
    { colKey: "value", title: t("check.col.value"), width: 180, ellipsis: true, cell: ({ row }) => tx(row.value) },
    { colKey: "message", title: t("check.col.message"), width: 480, cell: ({ row }) => tx(row.message) },
  ];
  return (
    <div data-testid="check-results">
      <Table rowKey="id" size="small" data={items} columns={columns} loading={loading && items.length === 0} empty={t("check.none")} />
    </div>
  );
}
