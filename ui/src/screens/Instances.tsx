import { useCallback, useEffect, useMemo, useState } from "react";
import { Button, Card, Popconfirm, Space, Table, type PrimaryTableCol } from "tdesign-react";
import { commands, type CommandError, type Instance } from "../bindings";
import { asCommandError } from "../command";
import { ErrorView } from "../components/ErrorView";
import { Notice } from "../components/Notice";
import { InstanceForm } from "../components/InstanceForm";
import { useI18n } from "../i18n";

type NoticeState = { theme: "success" | "info"; text: string };

/** Registered instances, grouped by region: register, remove, test connection. */
export function Instances({ dataDir }: { dataDir?: string }) {
  const { t } = useI18n();
  const [instances, setInstances] = useState<Instance[] | null>(null);
  const [error, setError] = useState<CommandError | null>(null);
  const [showForm, setShowForm] = useState(false);
  const [notice, setNotice] = useState<NoticeState | null>(null);
  const [busy, setBusy] = useState<number | null>(null);

  const load = useCallback(async () => {
    try {
      const r = await commands.listInstances(null);
      if (r.status === "ok") {
        setInstances(r.data);
        setError(null);
      } else setError(r.error);
    } catch (e) {
      setError(asCommandError(e));
    }
  }, []);

  useEffect(() => {
    void load();
  }, [load]);

  const byRegion = useMemo(() => {
    const groups = new Map<string, Instance[]>();
    for (const i of instances ?? []) groups.set(i.region, [...(groups.get(i.region) ?? []), i]);
    return [...groups.entries()].sort(([a], [b]) => a.localeCompare(b));
  }, [instances]);

  const test = async (i: Instance) => {
    setBusy(i.id);
    setNotice(null);
    try {
      const r = await commands.testInstance(i.id);
      if (r.status === "ok") {
        const latency = r.data.latency_ms === null ? "?" : r.data.latency_ms.toFixed(1);
        setNotice({ theme: "success", text: t("instances.testOk", { name: i.name, version: r.data.version, latency, keys: r.data.keys }) });
        setError(null);
      } else setError(r.error);
    } catch (e) {
      setError(asCommandError(e));
    } finally {
      setBusy(null);
    }
  };

  const remove = async (i: Instance) => {
    try {
      const r = await commands.removeInstance(i.id);
      if (r.status === "ok") {
        setNotice({ theme: "info", text: t("instances.removed", { name: i.name }) });
        await load();
      } else setError(r.error);
    } catch (e) {
      setError(asCommandError(e));
    }
  };

  const columns: PrimaryTableCol<Instance>[] = [
    // Every column sized, together narrower than a 1024 px window's card (about 920 px).
    { colKey: "name", title: t("instances.col.name"), width: 150 },
    {
      colKey: "address",
      title: t("instances.col.address"),
      width: 180,
      cell: ({ row }) =>
        row.seeds.length === 0 ? `${row.host}:${row.port}` : (
          <span title={[`${row.host}:${row.port}`, ...row.seeds].join("\n")}>
            {`${row.host}:${row.port}`} {t("instances.moreSeeds", { n: row.seeds.length })}
          </span>
        ),
    },
    { colKey: "user", title: t("instances.col.user"), width: 100, cell: ({ row }) => row.user ?? t("instances.defaultUser") },
    { colKey: "edition", title: t("instances.col.edition"), width: 100, cell: ({ row }) => t(`edition.${row.edition}`) },
    {
      colKey: "has_password",
      title: t("instances.col.password"),
      width: 110,
      cell: ({ row }) => (row.has_password ? t("instances.passwordKept") : t("instances.noPassword")),
    },
    {
      colKey: "actions",
      title: t("instances.col.actions"),
      width: 210,
      cell: ({ row }) => (
        <Space size={4} breakLine>
          <Button size="small" variant="text" theme="primary" loading={busy === row.id} onClick={() => void test(row)}>
            {t("instances.test")}
          </Button>
          <Popconfirm content={t("instances.removeConfirm", { name: row.name })} onConfirm={() => void remove(row)}>
            <Button size="small" variant="text" theme="danger">
              {t("instances.remove")}
            </Button>
          </Popconfirm>
        </Space>
      ),
    },
  ];

  return (
    <section data-testid="instances-screen">
      <h1 className="ferry-page-title">{t("instances.title")}</h1>
      <div className="ferry-toolbar">
        <span className="ferry-spacer" />
        <Button theme="primary" onClick={() => setShowForm(true)} disabled={showForm} data-testid="register-instance">
          {t("instances.register")}
        </Button>
      </div>
      {showForm && (
        <InstanceForm
          onCancel={() => setShowForm(false)}
          onSaved={(i) => {
            setShowForm(false);
            setNotice({ theme: "success", text: t("form.saved", { name: i.name }) });
            void load();
          }}
        />
      )}
      <Notice message={notice?.text ?? null} theme={notice?.theme} onClose={() => setNotice(null)} />
      {error && <ErrorView error={error} onRetry={() => void load()} dataDir={dataDir} />}
      {instances !== null && instances.length === 0 && !showForm && (
        <div data-testid="instances-empty">
        <Card className="ferry-empty">
          <p>{t("instances.empty")}</p>
          <p>{t("instances.emptyHint")}</p>
          <Button theme="primary" onClick={() => setShowForm(true)}>
            {t("instances.register")}
          </Button>
        </Card>
        </div>
      )}
      {byRegion.map(([region, list]) => (
        <div key={region} data-testid={`region-${region}`}>
          <Card className="ferry-region" title={t("instances.region", { region })} bordered>
            <Table rowKey="id" data={list} columns={columns} size="medium" hover />
          </Card>
        </div>
      ))}
    </section>
  );
}
