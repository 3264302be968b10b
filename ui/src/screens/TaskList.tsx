import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { Button, Card, Popconfirm, Radio, Select, Space, Table, Tag, type PrimaryTableCol } from "tdesign-react";
import { commands, events, type CommandError, type Instance, type MigrationType, type Task } from "../bindings";
import { asCommandError } from "../command";
import { CheckDialog } from "../components/CheckDialog";
import { CutoverDialog } from "../components/CutoverDialog";
import { ErrorView } from "../components/ErrorView";
import { Notice } from "../components/Notice";
import { describeFilter, fmtDbMapping, movedDbs } from "../filters";
import { sourceLabel } from "../format";
import { useI18n, type Translate } from "../i18n";
import { canCancel, canStart, startLabel, STATUS_LABEL, STATUS_THEME } from "../status";
import { useEvent } from "../useEvent";

type KindChoice = MigrationType | "all";

/** A task's filter as small tags (the whole of it on hover); nothing when it migrates everything as it is. */
function FilterTags({ task, t }: { task: Task; t: Translate }) {
  const moved = movedDbs(task.spec.db_mapping);
  const { include, exclude } = task.spec;
  if (moved.length === 0 && include.length === 0 && exclude.length === 0) return null;
  const title = describeFilter(task.spec, t)
    .map(([label, value]) => t("filters.line", { label, value }))
    .join("\n");
  return (
    <span className="ferry-tags" title={title} data-testid={`filter-tags-${task.id}`}>
      {moved.length > 0 && (
        <Tag size="small" variant="light-outline" theme="primary">
          {t("filters.tagDb", { map: `${fmtDbMapping(moved.slice(0, 1), "→")}${moved.length > 1 ? ` +${moved.length - 1}` : ""}` })}
        </Tag>
      )}
      {include.length > 0 && (
        <Tag size="small" variant="light-outline" theme="primary">
          {t("filters.tagInclude", { n: include.length })}
        </Tag>
      )}
      {exclude.length > 0 && (
        <Tag size="small" variant="light-outline" theme="primary">
          {t("filters.tagExclude", { n: exclude.length })}
        </Tag>
      )}
    </span>
  );
}

interface Props {
  onNew: () => void;
  onInstances: () => void;
  onOpen: (id: number) => void;
  /** Opens the sandbox, offered when there is no task yet. */
  onSandbox?: () => void;
  dataDir?: string;
}

/** The console's "migration task list": region and type selectors, the tasks, live status. */
export function TaskList({ onNew, onInstances, onOpen, onSandbox, dataDir }: Props) {
  const { t, lang } = useI18n();
  const [region, setRegion] = useState<string>("");
  const [kind, setKind] = useState<KindChoice>("all");
  const [regions, setRegions] = useState<string[]>([]);
  const [instances, setInstances] = useState<Instance[]>([]);
  const [tasks, setTasks] = useState<Task[] | null>(null);
  const [error, setError] = useState<CommandError | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [cutover, setCutover] = useState<Task | null>(null);
  const [checking, setChecking] = useState<Task | null>(null);
  const [selected, setSelected] = useState<number[]>([]);
  const filter = useRef({ region, kind });
  filter.current = { region, kind };

  const load = useCallback(async () => {
    try {
      const { region, kind } = filter.current;
      const [r, i, list] = await Promise.all([
        commands.regions(),
        commands.listInstances(null),
        commands.listTasks({ region: region || null, kind: kind === "all" ? null : kind, status: null }),
      ]);
      for (const res of [r, i, list]) {
        if (res.status === "error") {
          setError(res.error);
          return;
        }
      }
      if (r.status === "ok") setRegions(r.data);
      if (i.status === "ok") setInstances(i.data);
      if (list.status === "ok") setTasks(list.data);
      setError(null);
    } catch (e) {
      setError(asCommandError(e));
    }
  }, []);

  useEffect(() => {
    void load();
  }, [load, region, kind]);

  // Live: any task change reloads the list (the filter decides whether it shows).
  useEvent(events.taskChangedEvent, () => void load());

  const instanceById = useMemo(() => new Map(instances.map((i) => [i.id, i])), [instances]);
  const fmtTime = useMemo(() => new Intl.DateTimeFormat(lang, { dateStyle: "short", timeStyle: "medium" }), [lang]);

  const act = async (task: Task, action: "start" | "cancel") => {
    setNotice(null);
    try {
      const r = action === "start" ? await commands.startTask(task.id) : await commands.cancelTask(task.id);
      if (r.status === "ok") {
        setNotice(t(action === "start" ? "tasks.started" : "tasks.cancelled", { name: task.spec.name }));
        await load();
      } else setError(r.error);
    } catch (e) {
      setError(asCommandError(e));
    }
  };

  // The toolbar acts on the selected tasks that allow the action; it stops at the first error.
  const chosen = (tasks ?? []).filter((task) => selected.includes(task.id));
  const startable = chosen.filter((task) => canStart(task.status));
  const cancellable = chosen.filter((task) => canCancel(task.status));
  const actOnSelected = async (action: "start" | "cancel") => {
    setNotice(null);
    let done = 0;
    try {
      for (const task of action === "start" ? startable : cancellable) {
        const r = action === "start" ? await commands.startTask(task.id) : await commands.cancelTask(task.id);
        if (r.status === "error") {
          setError(r.error);
          break;
        }
        done += 1;
      }
    } catch (e) {
      setError(asCommandError(e));
    }
    if (done > 0) setNotice(t(action === "start" ? "tasks.startedMany" : "tasks.cancelledMany", { n: done }));
    setSelected([]);
    await load();
  };


  const columns: PrimaryTableCol<Task>[] = [
    { colKey: "row-select", type: "multiple", width: 46 },
    // The widths fit a 1024 px window without scrolling sideways: the type shows under the name,
    // the filter under the source, and the actions wrap onto a second line.
    { colKey: "id", title: t("tasks.col.id"), width: 44 },
    {
      colKey: "name",
      title: t("tasks.col.name"),
      width: 130,
      cell: ({ row }) => (
        <>
          <div className="ferry-ellipsis" title={row.spec.name}>
            {row.spec.name}
          </div>
          <div className="ferry-cell-sub">{t(`kind.${row.spec.kind}`)}</div>
        </>
      ),
    },
    {
      colKey: "source",
      title: t("tasks.col.source"),
      width: 140,
      cell: ({ row }) => (
        <>
          <div className="ferry-ellipsis" title={sourceLabel(row.spec.source)}>
            {sourceLabel(row.spec.source)}
          </div>
          <FilterTags task={row} t={t} />
        </>
      ),
    },
    {
      colKey: "target",
      title: t("tasks.col.target"),
      cell: ({ row }) => {
        const target = instanceById.get(row.spec.target_instance);
        if (!target) return `#${row.spec.target_instance}`;
        return (
          <>
            <div className="ferry-ellipsis" title={target.name}>
              {target.name}
            </div>
            {target.edition === "cluster" && (
              <Tag size="small" variant="outline" data-testid="target-cluster">
                {t("edition.cluster")}
              </Tag>
            )}
          </>
        );
      },
    },
    {
      colKey: "status",
      title: t("tasks.col.status"),
      // "Incremental sync" / "Disconnecting sync" in a tag.
      width: 140,
      cell: ({ row }) => (
        <Tag theme={STATUS_THEME[row.status]} variant="light" data-status={row.status}>
          {t(STATUS_LABEL[row.status])}
        </Tag>
      ),
    },
    { colKey: "created", title: t("tasks.col.created"), width: 100, cell: ({ row }) => fmtTime.format(new Date(row.created_at_ms)) },
    {
      colKey: "actions",
      title: t("tasks.col.actions"),
      width: 200,
      cell: ({ row }) => (
        <Space size={0} breakLine>
          <Button size="small" variant="text" theme="primary" disabled={!canStart(row.status)} onClick={() => void act(row, "start")}>
            {t(startLabel(row.status))}
          </Button>
          {canCancel(row.status) ? (
            <Popconfirm content={t("tasks.cancelConfirm")} onConfirm={() => void act(row, "cancel")}>
              <Button size="small" variant="text" theme="danger">
                {t("tasks.cancel")}
              </Button>
            </Popconfirm>
          ) : (
            <Button size="small" variant="text" theme="danger" disabled>
              {t("tasks.cancel")}
            </Button>
          )}
          <Button size="small" variant="text" theme="danger" disabled={row.status !== "incremental_sync"} onClick={() => setCutover(row)} data-testid={`cutover-${row.id}`}>
            {t("tasks.cutover")}
          </Button>
          <Button size="small" variant="text" theme="primary" onClick={() => onOpen(row.id)} data-testid={`view-${row.id}`}>
            {t("tasks.view")}
          </Button>
          <Button size="small" variant="text" theme="primary" onClick={() => setChecking(row)} data-testid={`view-check-${row.id}`}>
            {t("tasks.viewCheck")}
          </Button>
        </Space>
      ),
    },
  ];

  const filtered = region !== "" || kind !== "all";

  return (
    <section data-testid="tasks-screen">
      <h1 className="ferry-page-title" data-testid="tasks-title">
        {t("tasks.title")}
      </h1>
      <div className="ferry-toolbar">
        <Space align="center">
          <span>{t("tasks.region")}</span>
          <Select
            style={{ width: 200 }}
            value={region}
            onChange={(v) => setRegion(String(v ?? ""))}
            options={[{ label: t("tasks.allRegions"), value: "" }, ...regions.map((r) => ({ label: r, value: r }))]}
          />
        </Space>
        <Space align="center">
          <span>{t("tasks.type")}</span>
          <Radio.Group variant="default-filled" value={kind} onChange={(v) => setKind(v as KindChoice)}>
            <Radio.Button value="all">{t("kind.all")}</Radio.Button>
            <Radio.Button value="cloud_vm">{t("kind.cloud_vm")}</Radio.Button>
            <Radio.Button value="public_network">{t("kind.public_network")}</Radio.Button>
          </Radio.Group>
        </Space>
        <span className="ferry-spacer" />
        <Button variant="outline" disabled={startable.length === 0} onClick={() => void actOnSelected("start")} data-testid="start-selected">
          {t("tasks.startSelected", { n: startable.length })}
        </Button>
        <Popconfirm content={t("tasks.cancelConfirm")} onConfirm={() => void actOnSelected("cancel")}>
          <Button variant="outline" theme="danger" disabled={cancellable.length === 0} data-testid="cancel-selected">
            {t("tasks.cancelSelected", { n: cancellable.length })}
          </Button>
        </Popconfirm>
        <Button variant="outline" onClick={() => void load()}>
          {t("tasks.refresh")}
        </Button>
        <Button theme="primary" onClick={onNew} data-testid="new-task">
          {t("tasks.new")}
        </Button>
      </div>
      <Notice message={notice} onClose={() => setNotice(null)} />
      {error && <ErrorView error={error} onRetry={() => void load()} dataDir={dataDir} />}
      {tasks !== null && tasks.length === 0 ? (
        <div data-testid="tasks-empty">
        <Card className="ferry-empty">
          <p>{filtered ? t("tasks.emptyFiltered") : t("tasks.empty")}</p>
          {!filtered && <p>{t("tasks.emptyHint")}</p>}
          {!filtered && (
            <Space>
              <Button variant="outline" onClick={onInstances}>
                {t("tasks.goInstances")}
              </Button>
              <Button theme="primary" onClick={onNew}>
                {t("tasks.new")}
              </Button>
              {onSandbox && (
                <Button variant="text" theme="primary" onClick={onSandbox} data-testid="tasks-sandbox">
                  {t("nav.sandbox")}
                </Button>
              )}
            </Space>
          )}
        </Card>
        </div>
      ) : (
        <Table
          rowKey="id"
          data={tasks ?? []}
          columns={columns}
          loading={tasks === null && !error}
          hover
          selectedRowKeys={selected}
          onSelectChange={(keys) => setSelected(keys.map(Number))}
        />
      )}
      {checking && <CheckDialog task={checking} onClose={() => setChecking(null)} />}
      {cutover && <CutoverDialog task={cutover} onClose={() => setCutover(null)} onDone={() => void load()} />}
    </section>
  );
}
