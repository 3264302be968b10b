import { fireEvent, render, screen, waitFor } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import { I18nProvider } from "../i18n";
import { detail, raw, task } from "../test/fixtures";
import { commandError, deferred, fakeBackend, sendEvent } from "../test/ipc";
import { CutoverDialog } from "./CutoverDialog";

const orders = task(5, "incremental_sync", "orders");

function show() {
  const onDone = vi.fn();
  render(
    <I18nProvider lang="en">
      <CutoverDialog task={orders} onClose={() => {}} onDone={onDone} />
    </I18nProvider>,
  );
  return { onDone };
}

function confirmDisabled(): boolean {
  const b = screen.getByTestId("cutover-confirm");
  return b.hasAttribute("disabled") || b.classList.contains("t-is-disabled");
}

function typeName(value: string) {
  fireEvent.input(screen.getByTestId("confirm-name").querySelector("input")!, { target: { value } });
}

const clean = { keys_compared: 120, missing: 0, extra: 0, different: 0, not_carried: 0, differences: [], duration_ms: 12 };

describe("CutoverDialog", () => {
  it("keeps the cutover disabled until the task's name is typed", async () => {
    const b = fakeBackend({
      task_detail: () => detail(orders),
      cutover_task: () => ({ ...orders, status: "completed", final_lag_bytes: 0 }),
    });
    const { onDone } = show();
    expect(await screen.findByTestId("verify-none")).toBeTruthy();
    expect(confirmDisabled()).toBe(true);
    typeName("order");
    expect(confirmDisabled()).toBe(true);
    typeName("orders");
    await waitFor(() => expect(confirmDisabled()).toBe(false));

    fireEvent.click(screen.getByText("Pause writes on the source while the target catches up"));
    fireEvent.click(screen.getByTestId("cutover-confirm"));
    expect(await screen.findByText("Sync disconnected: the migration is complete.")).toBeTruthy();
    expect(b.argsOf("cutover_task")[0]).toEqual({ id: 5, options: { pause_writes: false, timeout_secs: 60 } });
    expect(onDone).toHaveBeenCalledWith(expect.objectContaining({ status: "completed" }));
  });

  it("shows the latest verify, and runs it again", async () => {
    const diff = { ...clean, missing: 2, differences: [{ db: 0, key: "user:9", kind: "missing" as const, detail: raw("not on the target") }] };
    const b = fakeBackend({ task_detail: () => detail(orders, { verify: diff }), verify_task: () => clean });
    show();
    expect(await screen.findByText(/120 keys compared: 2 missing, 0 extra, 0 different/)).toBeTruthy();
    expect(screen.getByText("user:9")).toBeTruthy();
    expect(screen.getByText(/missing on the target: not on the target/)).toBeTruthy();
    fireEvent.click(screen.getByTestId("run-verify"));
    expect(await screen.findByText("120 keys compared: source and target match.")).toBeTruthy();
    expect(b.argsOf("verify_task")[0]).toEqual({ id: 5 });
  });

  it("shows how far a running verify is, stage by stage", async () => {
    const held = deferred<typeof clean>();
    fakeBackend({ task_detail: () => detail(orders), verify_task: () => held.promise });
    show();
    await screen.findByTestId("verify-none");
    fireEvent.click(screen.getByTestId("run-verify"));
    expect(await screen.findByText("Counting the keys on both sides…")).toBeTruthy();
    await sendEvent("verify-progress-event", { task_id: 5, progress: { stage: "compare", done: 250000, total: 1000000 } });
    expect(await screen.findByText("Comparing every source key with the target: 250,000 of 1,000,000 keys")).toBeTruthy();
    expect(screen.getByTestId("verify-progress").getAttribute("data-stage")).toBe("compare");
    // Another task's verify is not this one's.
    await sendEvent("verify-progress-event", { task_id: 6, progress: { stage: "recheck", done: 1, total: 2 } });
    await sendEvent("verify-progress-event", { task_id: 5, progress: { stage: "extra", done: 10, total: 1000000 } });
    expect(await screen.findByText("Looking for keys only the target has: 10 of 1,000,000 keys")).toBeTruthy();
    held.resolve(clean);
    expect(await screen.findByText("120 keys compared: source and target match.")).toBeTruthy();
    expect(screen.queryByTestId("verify-progress")).toBeNull();
  });

  it("shows why a cutover failed, and the sync goes on", async () => {
    fakeBackend({
      task_detail: () => detail(orders),
      cutover_task: () => {
        throw commandError("cutover_failed", "the cutover did not complete: the target did not catch up in 60 s");
      },
    });
    show();
    await screen.findByTestId("verify-none");
    typeName("orders");
    fireEvent.click(screen.getByTestId("cutover-confirm"));
    expect(await screen.findByText(/did not catch up in 60 s/)).toBeTruthy();
    expect(screen.getByText(/The sync goes on; try the cutover again/)).toBeTruthy();
  });
});
