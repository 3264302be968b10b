import { useEffect, useRef, useState } from "react";
import { Alert, Button, Card, Space, Steps } from "tdesign-react";
import { commands, events, type CheckItem, type CommandError, type Instance, type ParamRow_Serialize as ParamRow, type Params, type ScanProgress, type Task } from "../bindings";
import { BasicInfoStep } from "../components/BasicInfoStep";
import { CheckStep } from "../components/CheckStep";
import { ErrorView } from "../components/ErrorView";
import { ParamsStep } from "../components/ParamsStep";
import { settle } from "../command";
import { useI18n } from "../i18n";
import { EMPTY_BASIC, toRequest, validateBasic, withDefaultTarget, type BasicErrors, type BasicFields } from "../newTaskForm";
import { useEvent } from "../useEvent";

type Step = "basic" | "params" | "check";
const STEPS: Step[] = ["basic", "params", "check"];

interface Props {
  /** The fields to start from (the sandbox fills them in); empty otherwise. */
  initial?: BasicFields;
  onBack: () => void;
  onOpenTask: (id: number) => void;
  onInstances: () => void;
  dataDir?: string;
}

/**
 * "New instance migration task": basic information → parameter settings → pre-check → confirm and
 * create (then, optionally, start it).
 */
export function NewTask({ initial, onBack, onOpenTask, onInstances, dataDir }: Props) {
  const { t } = useI18n();
  const [step, setStep] = useState<Step>("basic");
  const [instances, setInstances] = useState<Instance[] | null>(null);
  const [recommended, setRecommended] = useState<Params | null>(null);
  const [fields, setFields] = useState<BasicFields>(initial ?? EMPTY_BASIC);
  const [errors, setErrors] = useState<BasicErrors>({});
  const [params, setParams] = useState<Params | null>(null);
  const [rows, setRows] = useState<ParamRow[]>([]);
  const [items, setItems] = useState<CheckItem[]>([]);
  const [total, setTotal] = useState(0);
  const [scan, setScan] = useState<ScanProgress | null>(null);
  const [checking, setChecking] = useState(false);
  const [accepted, setAccepted] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<CommandError | null>(null);
  const [created, setCreated] = useState<Task | null>(null);

  const load = async () => {
    setError(null);
    const [i, p] = await Promise.all([settle(commands.listInstances(null)), settle(commands.recommendedParams())]);
    if (i.status === "error") return setError(i.error);
    if (p.status === "error") return setError(p.error);
    setInstances(i.data);
    setFields((old) => withDefaultTarget(old, i.data));
    setRecommended(p.data);
    setParams((old) => old ?? p.data);
  };

  useEffect(() => {
    void load();
  }, []);

  // Items of a check run from this form (no task yet) arrive one by one while it runs. The
  // listeners stay registered: registering takes a round trip, and a fast check on a small source
  // would be over before it ended; `live` says whether this form's check is running.
  const live = useRef(false);
  useEvent(events.checkItemEvent, ({ task_id, item, total }) => {
    if (!live.current || (task_id !== null && task_id !== undefined)) return;
    setTotal(total);
    setItems((old) => (old.some((o) => o.id === item.id) ? old : [...old, item]));
  });
  // The scan's last word may arrive just after the check's result: it is kept either way.
  useEvent(events.checkScanEvent, ({ task_id, progress }) => {
    if (task_id === null || task_id === undefined) setScan(progress);
  });

  const toParams = async () => {
    const found = validateBasic(fields);
    setErrors(found);
    if (Object.keys(found).length > 0 || !params) return;
    setBusy(true);
    setError(null);
    try {
      const target = instances?.find((i) => i.id === fields.targetId);
      if (target && fields.targetPassword !== "") {
        const { name, region, host, port, user, edition, proxy } = target;
        const input = { name, region, host, port, user, edition, proxy };
        const r = await settle(commands.updateInstance(target.id, input, fields.targetPassword));
        if (r.status === "error") return setError(r.error);
      }
      const r = await settle(commands.parameterRows(toRequest(fields, params)));
      if (r.status === "error") return setError(r.error);
      setRows(r.data);
      setStep("params");
    } finally {
      setBusy(false);
    }
  };

  const check = async () => {
    if (!params) return;
    setStep("check");
    setError(null);
    setItems([]);
    setTotal(0);
    setScan(null);
    setAccepted(false);
    setChecking(true);
    live.current = true;
    const r = await settle(commands.checkTask(toRequest(fields, params)));
    live.current = false;
    setChecking(false);
    // The report is the whole truth (an event may have been missed).
    if (r.status === "ok") setItems(r.data.items);
    else setError(r.error);
  };

  const create = async () => {
    if (!params) return;
    setBusy(true);
    setError(null);
    const r = await settle(commands.createTask(toRequest(fields, params), accepted));
    setBusy(false);
    if (r.status === "ok") setCreated(r.data.task);
    else setError(r.error);
  };

  const startCreated = async (task: Task) => {
    setBusy(true);
    const r = await settle(commands.startTask(task.id));
    setBusy(false);
    if (r.status === "ok") onOpenTask(task.id);
    else setError(r.error);
  };

  const body = () => {
    if (created) {
      return (
        <Card className="ferry-block" bordered>
          <div data-testid="task-created">
            <Alert theme="success" title={t("newTask.created", { name: created.spec.name })} message={t("newTask.createdHint")} />
          </div>
          <Space className="ferry-actions">
            <Button theme="primary" loading={busy} onClick={() => void startCreated(created)} data-testid="start-created">
              {t("newTask.startNow")}
            </Button>
            <Button variant="outline" onClick={() => onOpenTask(created.id)} data-testid="view-created">
              {t("newTask.viewTask")}
            </Button>
            <Button variant="outline" onClick={onBack}>
              {t("newTask.backToList")}
            </Button>
          </Space>
        </Card>
      );
    }
    if (instances === null || recommended === null || params === null) {
      return error ? null : <Card className="ferry-empty" loading />;
    }
    if (instances.length === 0) {
      return (
        <div data-testid="no-instances">
          <Card className="ferry-empty">
            <p>{t("newTask.noInstances")}</p>
            <Button theme="primary" onClick={onInstances}>
              {t("tasks.goInstances")}
            </Button>
          </Card>
        </div>
      );
    }
    switch (step) {
      case "basic":
        return <BasicInfoStep fields={fields} errors={errors} instances={instances} onChange={setFields} onNext={() => void toParams()} onCancel={onBack} busy={busy} />;
      case "params":
        return <ParamsStep rows={rows} params={params} recommended={recommended} onChange={setParams} onBack={() => setStep("basic")} onCheck={() => void check()} />;
      case "check":
        return (
          <CheckStep
            items={items}
            total={total}
            scan={scan}
            running={checking}
            accepted={accepted}
            onAccept={setAccepted}
            onRecheck={() => void check()}
            onBack={() => setStep("params")}
            onCreate={() => void create()}
            creating={busy}
          />
        );
    }
  };

  return (
    <section data-testid="new-task-screen" data-step={created ? "created" : step}>
      <h1 className="ferry-page-title">{t("newTask.title")}</h1>
      <Steps className="ferry-block" current={created ? STEPS.length : STEPS.indexOf(step)} readonly>
        <Steps.StepItem title={t("newTask.basic")} />
        <Steps.StepItem title={t("newTask.params")} />
        <Steps.StepItem title={t("newTask.check")} />
      </Steps>
      {error && <ErrorView error={error} onRetry={instances === null ? () => void load() : undefined} dataDir={dataDir} />}
      {body()}
    </section>
  );
}
