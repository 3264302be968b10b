import type { TaskStatus } from "./bindings";
import type { MessageKey } from "./i18n";

/** TDesign tag themes, as the console colours its statuses. */
export type TagTheme = "default" | "primary" | "warning" | "danger" | "success";

export const STATUS_THEME: Record<TaskStatus, TagTheme> = {
  not_started: "default",
  checking: "primary",
  check_failed: "danger",
  full_sync: "primary",
  incremental_sync: "primary",
  cutting_over: "warning",
  completed: "success",
  failed: "danger",
  cancelled: "default",
  interrupted: "warning",
};

export const STATUS_LABEL: Record<TaskStatus, MessageKey> = {
  not_started: "status.not_started",
  checking: "status.checking",
  check_failed: "status.check_failed",
  full_sync: "status.full_sync",
  incremental_sync: "status.incremental_sync",
  cutting_over: "status.cutting_over",
  completed: "status.completed",
  failed: "status.failed",
  cancelled: "status.cancelled",
  interrupted: "status.interrupted",
};

/** Whether the console lets a task in this status be started (or restarted). */
export function canStart(s: TaskStatus): boolean {
  return s === "not_started" || s === "check_failed" || s === "failed" || s === "interrupted";
}

/** The start action's words: an interrupted task resumes where the target stands. */
export function startLabel(s: TaskStatus): MessageKey {
  return s === "interrupted" ? "tasks.resume" : "tasks.start";
}

/** Whether the task can still be cancelled. */
export function canCancel(s: TaskStatus): boolean {
  return s !== "completed" && s !== "failed" && s !== "cancelled";
}
