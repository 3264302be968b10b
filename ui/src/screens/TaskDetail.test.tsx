import { fireEvent, render, screen, waitFor } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { echarts } from "../charts";
import { I18nProvider } from "../i18n";
import type { TaskStatus, Text } from "../bindings";
import { detail, progress, task } from "../test/fixtures";
import { commandError, fakeBackend, sendEvent } from "../test/ipc";
import { TaskDetail } from "./TaskDetail";

function show(id = 3, lang: "en" | "zh-CN" = "en") {
  render(
    <I18nProvider lang={lang}>
      <TaskDetail id={id} onBack={() => {}} />
    </I18nProvider>,
  );
}

/** The engine's "from → to" event, as it stores it: a code with the two statuses as sentences. */
function statusChange(from: TaskStatus, to: TaskStatus): Text {
  return { code: "task.status.changed", args: { from: { code: `task.status.${from}` }, to: { code: `task.status.${to}` } } };
}

/** The data of one series of the ECharts chart in the element with this test id. */
function seriesData(testId: string, series: number): unknown[] {
  const chart = echarts.getInstanceByDom(screen.getByTestId(testId));
  if (!chart) throw new Error(`no chart in ${testId}`);
  const option = chart.getOption() as { series: Array<{ data: unknown[] }> };
  return option.series[series]!.data;
}

describe("TaskDetail", () => {
  it("follows the full sync: bytes, keys, rate and time left, from progress events", async () => {
    const full = progress({ phase: "full_sync", rdb_bytes: 1024 * 1024, rdb_total: 4 * 1024 * 1024, keys_written: 2500, keys_per_sec: 500, eta_secs: 15, source_keys: [[0, 10000]] });
    fakeBackend({ task_detail: () => detail(task(3, "full_sync", "orders"), { progress: full }), task_snapshots: () => [] });
    show();
    const bar = await screen.findByTestId("full-sync-progress");
    expect(bar.textContent).toContain("1.0 MB / 4.0 MB");
    expect(bar.textContent).toContain("2,500 / 10,000");
    expect(bar.textContent).toContain("500 keys/s");
    expect(bar.textContent).toContain("0:15");
    expect(screen.getByTestId("status-steps").dataset.states).toBe("finish,process,default,default,default");

    await sendEvent("task-progress-event", { task_id: 3, progress: { ...full, rdb_bytes: 3 * 1024 * 1024, keys_written: 7500, eta_secs: 5 } });
    await waitFor(() => expect(screen.getByTestId("full-sync-progress").textContent).toContain("3.0 MB / 4.0 MB"));
    expect(screen.getByTestId("full-sync-progress").textContent).toContain("7,500 / 10,000");
    expect(screen.getByTestId("full-sync-progress").textContent).toContain("0:05");
    // Another task's progress does not move this page.
    await sendEvent("task-progress-event", { task_id: 4, progress: { ...full, keys_written: 1 } });
    expect(screen.getByTestId("full-sync-progress").textContent).toContain("7,500 / 10,000");
  });

  it("shows a row per master of a cluster source, live", async () => {
    const row = (name: string, phase: "full_sync" | "incremental", applied: number) => ({
      name,
      master: "10.0.0.1:7000",
      read_from: name.startsWith("slots 0") ? "10.0.0.2:7000" : "10.0.0.1:7000",
      phase,
      source_offset: 5000,
      applied_offset: applied,
      lag_bytes: 5000 - applied,
      keys_written: 1200,
      source_keys: 2000,
    });
    const two = progress({ phase: "full_sync", shards: [row("slots 0-8191", "incremental", 4000), row("slots 8192-16383", "full_sync", 0)] });
    fakeBackend({ task_detail: () => detail(task(3, "full_sync", "orders"), { progress: two }), task_snapshots: () => [] });
    show();
    const table = await screen.findByTestId("shard-table");
    const rows = table.querySelectorAll("tbody tr");
    expect(rows).toHaveLength(2);
    expect(rows[0]!.textContent).toContain("slots 0-8191");
    expect(rows[0]!.textContent).toContain("Incremental sync");
    expect(rows[0]!.textContent).toContain("1,200 / 2,000");
    expect(rows[0]!.textContent).toContain("10.0.0.2:7000");
    expect(rows[1]!.textContent).toContain("the master");
    expect(rows[1]!.textContent).toContain("Full sync");
    await sendEvent("task-progress-event", { task_id: 3, progress: { ...two, shards: [row("slots 0-8191", "incremental", 5000), row("slots 8192-16383", "incremental", 5000)] } });
    await waitFor(() => expect(screen.getByTestId("shard-table").querySelectorAll("tbody tr")[1]!.textContent).toContain("Incremental sync"));
  });

  it("has no master rows for a single source", async () => {
    fakeBackend({ task_detail: () => detail(task(3, "incremental_sync", "orders"), { progress: progress() }), task_snapshots: () => [] });
    show();
    await screen.findByTestId("status-steps");
    expect(screen.queryByTestId("shard-table")).toBeNull();
  });

  it("shows the progress's warning while it lasts (a target that stopped answering)", async () => {
    const calm = progress({ source_offset: 100, applied_offset: 100 });
    fakeBackend({ task_detail: () => detail(task(3, "incremental_sync", "orders"), { progress: calm }), task_snapshots: () => [] });
    show();
    await screen.findByTestId("status-steps");
    expect(screen.queryByTestId("progress-warning")).toBeNull();
    const warning = { code: "sync.target.stalled", args: { secs: "12" } };
    await sendEvent("task-progress-event", { task_id: 3, progress: { ...calm, warning } });
    await waitFor(() => expect(screen.getByTestId("progress-warning").textContent).toContain("has not answered for 12 s"));
    await sendEvent("task-progress-event", { task_id: 3, progress: calm });
    await waitFor(() => expect(screen.queryByTestId("progress-warning")).toBeNull());
  });

  it("charts key counts and offsets during incremental sync, live", async () => {
    const p = (keys: number, target: number, offset: number, applied: number) =>
      progress({ source_keys: [[0, keys]], target_keys: [[0, target]], source_offset: offset, applied_offset: applied, lag_bytes: offset - applied });
    fakeBackend({
      task_detail: () => detail(task(3, "incremental_sync", "orders"), { progress: p(100, 100, 5000, 5000) }),
      task_snapshots: () => [
        { at_ms: 1_700_000_000_000, progress: p(100, 98, 4000, 3900) },
        { at_ms: 1_700_000_001_000, progress: p(100, 100, 5000, 5000) },
      ],
    });
    show();
    const charts = await screen.findByTestId("sync-charts");
    expect(charts.dataset.points).toBe("2");
    expect(seriesData("keys-chart", 1)).toEqual([
      [1_700_000_000_000, 98],
      [1_700_000_001_000, 100],
    ]);
    expect(screen.getByTestId("status-steps").dataset.states).toBe("finish,finish,process,default,default");

    await sendEvent("task-progress-event", { task_id: 3, progress: p(105, 103, 6200, 6000) });
    await waitFor(() => expect(screen.getByTestId("sync-charts").dataset.points).toBe("3"));
    expect(screen.getByTestId("keys-caption").textContent).toContain("source 105, target 103");
    expect(screen.getByTestId("offsets-caption").textContent).toContain("lag 200 B");
    expect(seriesData("keys-chart", 0).at(-1)).toEqual([expect.any(Number), 105]);
    expect(seriesData("offsets-chart", 2).at(-1)).toEqual([expect.any(Number), 200]);
    expect(screen.getByTestId("lag").textContent).toBe("200 B");
  });

  it("reloads when the task changes status, and offers the cutover in incremental sync", async () => {
    let status: "full_sync" | "incremental_sync" = "full_sync";
    const events = [
      { task_id: 3, at_ms: 1_700_000_000_000, kind: "status", message: statusChange("not_started", "checking") },
      { task_id: 3, at_ms: 1_700_000_001_000, kind: "status", message: statusChange("checking", "full_sync") },
    ];
    const b = fakeBackend({
      task_detail: () => detail(task(3, status, "orders"), { progress: progress({ phase: "full_sync" }), events: [...events] }),
      task_snapshots: () => [],
    });
    const newest = () => screen.getByTestId("detail-events").querySelector("tbody tr")?.textContent;
    show();
    await screen.findByTestId("full-sync-progress");
    expect(screen.queryByTestId("detail-cutover")).toBeNull();
    expect(newest()).toContain("checking → full sync");
    status = "incremental_sync";
    events.push({ task_id: 3, at_ms: 1_700_000_009_000, kind: "status", message: statusChange("full_sync", "incremental_sync") });
    await sendEvent("task-changed-event", { task: task(3, "incremental_sync", "orders") });
    expect(await screen.findByTestId("detail-cutover")).toBeTruthy();
    expect(b.argsOf("task_detail").length).toBe(2);
    // The history, newest first.
    expect(newest()).toContain("full sync → incremental sync");
    expect(screen.getByTestId("detail-events").querySelectorAll("tbody tr")).toHaveLength(3);
  });

  it("shows the history and the reason in the language chosen now, whatever it was written in", async () => {
    const interrupted = {
      ...task(3, "interrupted", "orders"),
      reason: { code: "task.interrupted.orphan" },
    };
    const events = [{ task_id: 3, at_ms: 1_700_000_000_000, kind: "status", message: statusChange("incremental_sync", "interrupted") }];
    fakeBackend({ task_detail: () => detail(interrupted, { events }), task_snapshots: () => [] });
    show(3, "zh-CN");
    expect(await screen.findByText("增量同步中 → 已中断")).toBeTruthy();
    expect(screen.getByText(/运行该任务的进程已/)).toBeTruthy();
  });

  it("shows the task's filter and write mode among its settings", async () => {
    const filtered = task(3, "not_started", "orders");
    filtered.spec = { ...filtered.spec, write_mode: "clear_first", db_mapping: [{ source: 0, target: 1 }, { source: 2, target: 3 }], include: ["user:*", "order:*"], exclude: ["user:tmp*"] };
    fakeBackend({ task_detail: () => detail(filtered), task_snapshots: () => [] });
    show();
    fireEvent.click(await screen.findByText("Parameters"));
    expect((await screen.findByTestId("setting-dbMapping")).textContent).toBe("Db mapping0 → 1, 2 → 3");
    expect(screen.getByTestId("setting-include").textContent).toBe("Include keysuser:*, order:*");
    expect(screen.getByTestId("setting-exclude").textContent).toBe("Exclude keysuser:tmp*");
    const mode = screen.getByTestId("setting-writeMode").textContent;
    expect(mode).toContain("Clear the target first");
    expect(mode).toContain("FLUSHALL the target before the full sync");
  });

  it("says a task without a filter migrates every key into the same db numbers", async () => {
    fakeBackend({ task_detail: () => detail(task(3, "not_started", "orders")), task_snapshots: () => [] });
    show();
    fireEvent.click(await screen.findByText("Parameters"));
    expect((await screen.findByTestId("setting-dbMapping")).textContent).toBe("Db mappingSame db numbers");
    expect(screen.getByTestId("setting-include").textContent).toBe("Include keysAll keys");
    expect(screen.getByTestId("setting-exclude").textContent).toBe("Exclude keysNone");
    expect(screen.getByTestId("setting-writeMode").textContent).toContain("Keys that exist on the target are replaced");
  });

  it("says what went wrong and offers to retry when the task cannot be read", async () => {
    fakeBackend({
      task_detail: () => {
        throw commandError("store", "no task 3");
      },
      task_snapshots: () => [],
    });
    show();
    expect(await screen.findByText("no task 3")).toBeTruthy();
    expect(screen.getByText("Try again")).toBeTruthy();
  });

  it("says an engine error in the chosen language", async () => {
    fakeBackend({
      task_detail: () => {
        throw { kind: "invalid", message: "the port must be a number from 1 to 65535", text: { code: "error.url.port" } };
      },
      task_snapshots: () => [],
    });
    show(3, "zh-CN");
    expect(await screen.findByText("端口须为 1 到 65535 之间的数字")).toBeTruthy();
  });
});
