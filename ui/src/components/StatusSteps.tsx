import { Steps } from "tdesign-react";
import type { Phase, TaskStatus } from "../bindings";
import { useI18n, type MessageKey } from "../i18n";

type StepStatus = "default" | "process" | "finish" | "error";

const STEPS: Array<{ status: TaskStatus; label: MessageKey }> = [
  { status: "checking", label: "status.checking" },
  { status: "full_sync", label: "status.full_sync" },
  { status: "incremental_sync", label: "status.incremental_sync" },
  { status: "cutting_over", label: "step.cutover" },
  { status: "completed", label: "status.completed" },
];

/** Where a task that stopped (failed, cancelled) stopped, from the last phase its sync reached. */
function stoppedAt(phase: Phase | null): number {
  switch (phase) {
    case null:
      return 0;
    case "incremental":
      return 2;
    case "cutting_over":
    case "done":
      return 3;
    default:
      return 1;
  }
}

/** Each step's state for a task in `status` whose sync last reported `phase`. */
export function stepStates(status: TaskStatus, phase: Phase | null): StepStatus[] {
  const at = STEPS.findIndex((s) => s.status === status);
  return STEPS.map((_, i) => {
    switch (status) {
      case "not_started":
        return "default";
      case "completed":
        return "finish";
      case "check_failed":
        return i === 0 ? "error" : "default";
      case "failed":
      case "interrupted":
      case "cancelled": {
        const stop = stoppedAt(phase);
        return i < stop ? "finish" : i === stop ? "error" : "default";
      }
      default:
        return i < at ? "finish" : i === at ? "process" : "default";
    }
  });
}

/** The task's way through the migration: checking → full sync → incremental sync → cutover → completed. */
export function StatusSteps({ status, phase }: { status: TaskStatus; phase: Phase | null }) {
  const { t } = useI18n();
  const states = stepStates(status, phase);
  const current = Math.max(0, states.findIndex((s) => s === "process" || s === "error"));
  return (
    <div data-testid="status-steps" data-states={states.join(",")}>
      <Steps className="ferry-block" readonly current={status === "completed" ? STEPS.length : current}>
        {STEPS.map((s, i) => (
          <Steps.StepItem key={s.status} title={t(s.label)} status={states[i]} />
        ))}
      </Steps>
    </div>
  );
}
