import { act, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { I18nProvider, type Lang } from "../i18n";
import { checkItem, detail, instance, ok, task } from "../test/fixtures";
import { commandError } from "../test/ipc";
import { TaskList } from "./TaskList";

// The bindings are mocked: these tests exercise the component, not Tauri or Redis.
const listeners: Array<(e: { payload: unknown }) => void> = [];
vi.mock("../bindings", () => ({
  commands: {
    regions: vi.fn(),
    listInstances: vi.fn(),
    listTasks: vi.fn(),
    startTask: vi.fn(),
    cancelTask: vi.fn(),
    taskDetail: vi.fn(),
    cutoverTask: vi.fn(),
  },
  events: {
    taskChangedEvent: {
      listen: vi.fn(async (cb: (e: { payload: unknown }) => void) => {
        listeners.push(cb);
        return () => {};
      }),
    },
  },
}));

const { commands } = await import("../bindings");
const m = vi.mocked(commands);

function show(lang: Lang = "en") {
  const onNew = vi.fn();
  render(
    <I18nProvider lang={lang}>
      <TaskList onNew={onNew} onInstances={() => {}} onOpen={() => {}} />
    </I18nProvider>,
  );
  return { onNew };
}

beforeEach(() => {
  vi.clearAllMocks();
  listeners.length = 0;
  m.regions.mockResolvedValue(ok(["ap-guangzhou"]));
  m.listInstances.mockResolvedValue(ok([instance()]));
  m.listTasks.mockResolvedValue(ok([task(1, "not_started", "orders"), task(2, "incremental_sync", "sessions"), task(3, "failed", "cache")]));
});

describe("TaskList", () => {
  it("starts the selected tasks that can start, from the toolbar", async () => {
    m.startTask.mockResolvedValue(ok(task(1, "checking", "orders")));
    const { container } = render(
      <I18nProvider lang="en">
        <TaskList onNew={() => {}} onInstances={() => {}} onOpen={() => {}} />
      </I18nProvider>,
    );
    await screen.findByText("orders");
    const startSelected = () => screen.getByTestId("start-selected");
    expect(startSelected().hasAttribute("disabled")).toBe(true);
    // Select every row: only "orders" (not started) and "cache" (failed) can start.
    const all = container.querySelector("thead .t-checkbox input");
    if (!all) throw new Error("no select-all checkbox");
    fireEvent.click(all);
    await waitFor(() => expect(startSelected().textContent).toContain("Start selected (2)"));
    fireEvent.click(startSelected());
    await waitFor(() => expect(m.startTask).toHaveBeenCalledTimes(2));
    expect(m.startTask.mock.calls.map((c) => c[0])).toEqual([1, 3]);
    expect(await screen.findByText("2 task(s) started.")).toBeTruthy();
  });

  it("shows a task's pre-check from its row", async () => {
    const t1 = task(1, "not_started", "orders");
    m.taskDetail.mockResolvedValue(ok(detail(t1, { check: { items: [checkItem("rtt", "pass", "Network and duration")], duration_ms: 3 } })));
    show();
    fireEvent.click(await screen.findByTestId("view-check-1"));
    expect(await screen.findByText("Network and duration")).toBeTruthy();
    expect(m.taskDetail).toHaveBeenCalledWith(1);
  });

  it("offers the sandbox when there is no task yet", async () => {
    m.listTasks.mockResolvedValue(ok([]));
    const onSandbox = vi.fn();
    render(
      <I18nProvider lang="en">
        <TaskList onNew={() => {}} onInstances={() => {}} onOpen={() => {}} onSandbox={onSandbox} />
      </I18nProvider>,
    );
    fireEvent.click(await screen.findByTestId("tasks-sandbox"));
    expect(onSandbox).toHaveBeenCalledTimes(1);
  });

  it("shows tasks with the console's status names and colours", async () => {
    show();
    expect(await screen.findByText("orders")).toBeTruthy();
    expect(screen.getByText("Not started").closest("[data-status]")?.getAttribute("data-status")).toBe("not_started");
    const sync = screen.getByText("Incremental sync").closest(".t-tag");
    expect(sync?.className).toContain("t-tag--primary");
    expect(screen.getByText("Failed").closest(".t-tag")?.className).toContain("t-tag--danger");
    expect(screen.getAllByText("target-gz").length).toBe(3);
    expect(m.listTasks).toHaveBeenCalledWith({ region: null, kind: null, status: null });
    expect(screen.queryByTestId("target-cluster")).toBeNull();
  });

  it("marks tasks whose target is a cluster", async () => {
    m.listInstances.mockResolvedValue(ok([instance({ edition: "cluster", seeds: ["10.0.0.6:6379"] })]));
    show();
    expect(await screen.findByText("orders")).toBeTruthy();
    expect(screen.getAllByTestId("target-cluster").map((tag) => tag.textContent)).toEqual(["Cluster", "Cluster", "Cluster"]);
  });

  it("tags a task that migrates part of the source, with the whole filter on hover, and nothing else", async () => {
    const filtered = task(4, "not_started", "users-only");
    filtered.spec = { ...filtered.spec, db_mapping: [{ source: 0, target: 1 }, { source: 2, target: 3 }], include: ["user:*", "session:*"], exclude: ["user:tmp*"] };
    const sameDbs = task(5, "not_started", "same-dbs");
    sameDbs.spec = { ...sameDbs.spec, db_mapping: [{ source: 0, target: 0 }] };
    m.listTasks.mockResolvedValue(ok([task(1, "not_started", "orders"), filtered, sameDbs]));
    show();
    const tags = await screen.findByTestId("filter-tags-4");
    expect([...tags.querySelectorAll(".t-tag")].map((tag) => tag.textContent)).toEqual(["db 0→1 +1", "include 2", "exclude 1"]);
    expect(tags.getAttribute("title")).toBe("Db mapping: 0 → 1, 2 → 3\nInclude keys: user:*, session:*\nExclude keys: user:tmp*");
    // A plain task, and one whose mapping keeps every db's number, have no tag.
    expect(screen.queryByTestId("filter-tags-1")).toBeNull();
    expect(screen.queryByTestId("filter-tags-5")).toBeNull();
    // The type shows under each task's name.
    expect([...document.querySelectorAll("tbody .ferry-cell-sub")].map((e) => e.textContent)).toEqual(Array(3).fill("Public-network migration"));
  });

  it("tags a filtered task in Chinese too", async () => {
    const filtered = task(4, "not_started", "users-only");
    filtered.spec = { ...filtered.spec, include: ["user:*"] };
    m.listTasks.mockResolvedValue(ok([filtered]));
    show("zh-CN");
    const tags = await screen.findByTestId("filter-tags-4");
    expect(tags.textContent).toBe("包含 1");
    expect(tags.getAttribute("title")).toBe("DB 映射：保持原 db 编号\n包含的 key：user:*\n排除的 key：无");
  });

  it("starts a task from its row and reloads", async () => {
    m.startTask.mockResolvedValue(ok(task(1, "checking", "orders")));
    show();
    await screen.findByText("orders");
    const startButtons = screen.getAllByText("Start").map((el) => el.closest(".t-button")!);
    // Only not-started and failed tasks can start (TDesign renders a disabled text button as a div).
    expect(startButtons.map((b) => b.classList.contains("t-is-disabled"))).toEqual([false, true, false]);
    fireEvent.click(startButtons[0]!);
    await waitFor(() => expect(m.startTask).toHaveBeenCalledWith(1));
    expect(await screen.findByText("Task “orders” started.")).toBeTruthy();
    expect(m.listTasks).toHaveBeenCalledTimes(2);
  });

  it("offers to resume an interrupted task", async () => {
    m.listTasks.mockResolvedValue(ok([task(7, "interrupted", "resumable")]));
    m.startTask.mockResolvedValue(ok(task(7, "checking", "resumable")));
    show();
    expect(await screen.findByText("resumable")).toBeTruthy();
    expect(screen.getByText("Interrupted").closest(".t-tag")?.className).toContain("t-tag--warning");
    fireEvent.click(screen.getByText("Resume").closest(".t-button")!);
    await waitFor(() => expect(m.startTask).toHaveBeenCalledWith(7));
  });

  it("refreshes live when a task changes", async () => {
    show();
    await screen.findByText("orders");
    await waitFor(() => expect(listeners.length).toBeGreaterThan(0));
    m.listTasks.mockResolvedValue(ok([task(1, "full_sync", "orders")]));
    await act(async () => listeners.forEach((l) => l({ payload: { task: task(1, "full_sync", "orders") } })));
    expect(await screen.findByText("Full sync")).toBeTruthy();
  });

  it("opens a task's page, and the cutover dialog from the row of a task in incremental sync", async () => {
    const onOpen = vi.fn();
    m.taskDetail.mockResolvedValue(ok(detail(task(2, "incremental_sync", "sessions"))));
    render(
      <I18nProvider lang="en">
        <TaskList onNew={() => {}} onInstances={() => {}} onOpen={onOpen} />
      </I18nProvider>,
    );
    await screen.findByText("orders");
    fireEvent.click(screen.getByTestId("view-1"));
    expect(onOpen).toHaveBeenCalledWith(1);
    // Only the task in incremental sync can be cut over.
    expect(screen.getByTestId("cutover-1").classList.contains("t-is-disabled")).toBe(true);
    fireEvent.click(screen.getByTestId("cutover-2"));
    expect(await screen.findByText("Disconnect sync: sessions")).toBeTruthy();
    expect(screen.getByText("Type the task name “sessions” to confirm")).toBeTruthy();
  });

  it("filters by migration type", async () => {
    show();
    await screen.findByText("orders");
    fireEvent.click(screen.getByText("CVM self-hosted migration"));
    await waitFor(() => expect(m.listTasks).toHaveBeenLastCalledWith({ region: null, kind: "cloud_vm", status: null }));
  });

  it("shows an empty state that says what to do, in Chinese too", async () => {
    m.listTasks.mockResolvedValue(ok([]));
    const { onNew } = show("zh-CN");
    expect(await screen.findByText("暂无迁移任务。")).toBeTruthy();
    expect(screen.getByText("迁移任务列表")).toBeTruthy();
    fireEvent.click(screen.getAllByText("新建实例迁移任务")[1]!);
    expect(onNew).toHaveBeenCalled();
  });

  it("shows a command error with what to do", async () => {
    m.listTasks.mockResolvedValue({ status: "error", error: commandError("store", "database is locked") });
    show();
    expect(await screen.findByText("database is locked")).toBeTruthy();
    expect(screen.getByText(/Check that the data directory is writable/)).toBeTruthy();
  });
});
