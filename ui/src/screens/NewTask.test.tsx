import { fireEvent, render, screen, waitFor } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import type { CheckReport, TaskRequest_Deserialize as TaskRequest } from "../bindings";
import { I18nProvider } from "../i18n";
import { checkItem, instance, task } from "../test/fixtures";
import { commandError, deferred, fakeBackend, sendEvent, type Handler } from "../test/ipc";
import { NewTask } from "./NewTask";

const RECOMMENDED = { output_buffer_hard_mb: 512, output_buffer_soft_mb: 512, output_buffer_soft_seconds: 60, backlog_mb: 512, repl_timeout_seconds: 120 };

function backend(extra: Record<string, Handler> = {}) {
  return fakeBackend({
    list_instances: () => [instance({ id: 4, name: "gz-target" })],
    recommended_params: () => RECOMMENDED,
    parameter_rows: () => [
      { name: "client-output-buffer-limit", value: "replica 536870912 536870912 60", current: "replica 268435456 67108864 60" },
      { name: "repl-backlog-size", value: "536870912", current: "1048576" },
      { name: "repl-timeout", value: "120", current: "60" },
      { name: "repl-diskless-sync-delay", value: "0", current: "5" },
    ],
    ...extra,
  });
}

function show() {
  const onOpenTask = vi.fn();
  render(
    <I18nProvider lang="en">
      <NewTask onBack={() => {}} onOpenTask={onOpenTask} onInstances={() => {}} />
    </I18nProvider>,
  );
  return { onOpenTask };
}

function type(field: string, value: string) {
  const input = screen.getByTestId(`field-${field}`).querySelector("input")!;
  fireEvent.input(input, { target: { value } });
}

/** Whether a TDesign button is disabled (a disabled text button renders with t-is-disabled). */
function disabled(testId: string): boolean {
  const b = screen.getByTestId(testId);
  return b.hasAttribute("disabled") || b.classList.contains("t-is-disabled");
}

async function fillBasicAndGoToParams(source: Record<string, string> = { host: "10.0.0.9", port: "6380", password: "src-secret" }) {
  await screen.findByTestId("basic-form");
  type("name", "orders");
  for (const [field, value] of Object.entries(source)) type(field, value);
  fireEvent.click(screen.getByTestId("basic-next"));
  await screen.findByTestId("params-table");
}

describe("NewTask", () => {
  it("validates the basic information before asking the console", async () => {
    const b = backend();
    show();
    await screen.findByTestId("basic-form");
    type("port", "0");
    fireEvent.click(screen.getByTestId("basic-next"));
    expect(await screen.findAllByText("Required.")).toHaveLength(2); // name, host
    expect(screen.getByText("A port is a whole number from 1 to 65535.")).toBeTruthy();
    expect(b.argsOf("parameter_rows")).toHaveLength(0);
  });

  it("shows the parameters beside the source's values, editable, recommended by default", async () => {
    const b = backend({ check_task: () => ({ items: [checkItem("source.connect", "pass")], duration_ms: 5 }) });
    show();
    await fillBasicAndGoToParams();
    // The only instance of the only region was chosen for the user.
    const request = b.argsOf("parameter_rows")[0]!.request as TaskRequest;
    expect(request.spec.target_instance).toBe(4);
    expect(request.spec.source).toMatchObject({ host: "10.0.0.9", port: 6380, has_password: true, sentinel: null, tls: null });
    expect(request.source_password).toBe("src-secret");
    // The source's values for people, the CONFIG text on hover.
    expect(screen.getByText("256 MB / 64 MB / 60 s").getAttribute("title")).toBe("replica 268435456 67108864 60");
    expect(screen.getByText("1 MB").getAttribute("title")).toBe("1048576");
    expect(screen.getAllByText("Recommended")).toHaveLength(3);

    const backlog = screen.getByTestId("param-backlog_mb").querySelector("input")!;
    fireEvent.input(backlog, { target: { value: "1024" } });
    fireEvent.blur(backlog);
    await waitFor(() => expect(screen.getAllByText("Recommended")).toHaveLength(2));
    fireEvent.click(screen.getByTestId("start-check"));
    await screen.findByTestId("check-summary");
    expect((b.argsOf("check_task")[0]!.request as TaskRequest).spec.params.backlog_mb).toBe(1024);
  });

  it("sends a Sentinel-managed source as the Sentinel's address and the master's name", async () => {
    const b = backend();
    show();
    await fillBasicAndGoToParams({ host: "10.0.0.7", port: "26379", sentinelMaster: "mymaster" });
    const request = b.argsOf("parameter_rows")[0]!.request as TaskRequest;
    expect(request.spec.source.sentinel).toEqual({ nodes: ["10.0.0.7:26379"], master_name: "mymaster" });
  });

  it("sends a TLS source with its CA and client certificate, and wants the certificate's key", async () => {
    const b = backend();
    show();
    await screen.findByTestId("basic-form");
    type("name", "orders");
    type("host", "cache.example.com");
    fireEvent.click(screen.getByText("Connect with TLS (rediss://)"));
    type("tls-ca", "/etc/ssl/ca.pem");
    type("tls-cert", "/etc/ssl/client.pem");
    fireEvent.click(screen.getByTestId("basic-next"));
    expect(await screen.findByText(/give both or neither/)).toBeTruthy();
    expect(b.argsOf("parameter_rows")).toHaveLength(0);
    type("tls-key", "/etc/ssl/client.key");
    fireEvent.click(screen.getByTestId("basic-next"));
    await screen.findByTestId("params-table");
    const request = b.argsOf("parameter_rows")[0]!.request as TaskRequest;
    expect(request.spec.source.tls).toEqual({
      ca_file: "/etc/ssl/ca.pem",
      cert_file: "/etc/ssl/client.pem",
      key_file: "/etc/ssl/client.key",
      server_name: null,
      insecure: false,
    });
  });

  it("sends every key into the same db numbers, overwriting, unless told otherwise", async () => {
    const b = backend();
    show();
    await screen.findByTestId("basic-form");
    // The filter section starts closed; each write mode says what it does.
    expect(screen.queryByTestId("field-filter-dbMap")).toBeNull();
    expect(screen.getByTestId("write-mode-clear_first").textContent).toContain("FLUSHALL the target before the full sync");
    expect(screen.getByTestId("write-mode-fail_on_existing").textContent).toContain("Refuse to start when the target holds keys");
    expect(screen.getByTestId("write-mode-overwrite").textContent).toContain("Keys that exist on the target are replaced");
    await fillBasicAndGoToParams();
    const spec = (b.argsOf("parameter_rows")[0]!.request as TaskRequest).spec;
    expect(spec).toMatchObject({ write_mode: "overwrite", db_mapping: [], include: [], exclude: [] });
  });

  it("sends the filter and the write mode chosen in the form", async () => {
    const b = backend({ check_task: () => ({ items: [checkItem("filter.commands", "pass")], duration_ms: 5 }) });
    show();
    await screen.findByTestId("basic-form");
    type("name", "orders");
    type("host", "10.0.0.9");
    fireEvent.click(screen.getByTestId("write-mode-clear_first").querySelector("input")!);
    fireEvent.click(screen.getByText("Migrate only part of the source, or into other db numbers"));
    expect(screen.getByText(/Pairs separated by commas, e.g. 0:1, 2:3/)).toBeTruthy();
    expect(screen.getByText(/Empty: every key\./)).toBeTruthy();
    type("filter-dbMap", "0:1, 2:3");
    type("filter-include", "user:*, order:*");
    type("filter-exclude", "user:tmp*");
    fireEvent.click(screen.getByTestId("basic-next"));
    await screen.findByTestId("params-table");
    const filter = { write_mode: "clear_first", db_mapping: [{ source: 0, target: 1 }, { source: 2, target: 3 }], include: ["user:*", "order:*"], exclude: ["user:tmp*"] };
    expect((b.argsOf("parameter_rows")[0]!.request as TaskRequest).spec).toMatchObject(filter);
    fireEvent.click(screen.getByTestId("start-check"));
    await screen.findByTestId("check-summary");
    expect((b.argsOf("check_task")[0]!.request as TaskRequest).spec).toMatchObject(filter);
  });

  it("keeps what the filter section holds but sends nothing once it is closed again", async () => {
    const b = backend();
    show();
    await screen.findByTestId("basic-form");
    const toggle = () => fireEvent.click(screen.getByText("Migrate only part of the source, or into other db numbers"));
    toggle();
    type("filter-dbMap", "0:");
    toggle();
    await fillBasicAndGoToParams();
    expect((b.argsOf("parameter_rows")[0]!.request as TaskRequest).spec).toMatchObject({ db_mapping: [], include: [], exclude: [] });
  });

  it("says what is wrong with the filter and what to write, and goes no further", async () => {
    const b = backend();
    show();
    await screen.findByTestId("basic-form");
    type("name", "orders");
    type("host", "10.0.0.9");
    fireEvent.click(screen.getByText("Migrate only part of the source, or into other db numbers"));
    const cases: Array<[field: string, value: string, message: string]> = [
      ["filter-dbMap", "0-1", "“0-1” is not source:target. Write pairs of db numbers separated by commas, e.g. 0:1, 2:3."],
      ["filter-dbMap", "0:1, 3:2000", "Db 2000 is out of range: write db numbers from 0 to 1023 (the pre-check compares them with the target's databases setting)."],
      ["filter-dbMap", "0:1, 0:2", "Source db 0 is mapped twice: map each source db once."],
      ["filter-dbMap", "0:1, 2:1", "Source dbs 0 and 2 both map into db 1: map each into its own db."],
      ["filter-include", "user:*,,order:*", "An empty pattern: remove the extra comma. Separate patterns with commas, e.g. user:*, order:*."],
      ["filter-exclude", "order:*, tmp:*", "“order:*” is both included and excluded: keep it in one list."],
    ];
    type("filter-include", "user:*, order:*");
    for (const [field, value, message] of cases) {
      type(field, value);
      fireEvent.click(screen.getByTestId("basic-next"));
      expect(await screen.findByText(message)).toBeTruthy();
      expect(screen.getByTestId(`field-${field}`).textContent).toContain(message);
      expect(b.argsOf("parameter_rows")).toHaveLength(0);
      // Put it right for the next case.
      type(field, field === "filter-include" ? "user:*, order:*" : "");
    }
    type("filter-dbMap", "0:1");
    fireEvent.click(screen.getByTestId("basic-next"));
    await screen.findByTestId("params-table");
    expect((b.argsOf("parameter_rows")[0]!.request as TaskRequest).spec).toMatchObject({ db_mapping: [{ source: 0, target: 1 }], include: ["user:*", "order:*"], exclude: [] });
  });

  it("warns that a cluster target refuses a mapping into a db other than 0, without blocking", async () => {
    const b = backend({ list_instances: () => [instance({ id: 4, name: "gz-cluster", edition: "cluster", seeds: ["10.0.0.6:6379"] })] });
    show();
    await screen.findByTestId("basic-form");
    type("name", "orders");
    type("host", "10.0.0.9");
    fireEvent.click(screen.getByText("Migrate only part of the source, or into other db numbers"));
    type("filter-dbMap", "1:0");
    expect(screen.queryByTestId("filter-cluster-warning")).toBeNull();
    type("filter-dbMap", "1:0, 2:3");
    expect(screen.getByTestId("filter-cluster-warning").textContent).toContain(
      "The target is a cluster, which has db 0 only: the pre-check refuses a mapping into db 3 when that source db holds keys.",
    );
    // The pre-check decides (the source db may hold no key).
    fireEvent.click(screen.getByTestId("basic-next"));
    await screen.findByTestId("params-table");
    expect((b.argsOf("parameter_rows")[0]!.request as TaskRequest).spec.db_mapping).toEqual([{ source: 1, target: 0 }, { source: 2, target: 3 }]);
  });

  it("does not warn about db numbers for a target that is not a cluster", async () => {
    backend();
    show();
    await screen.findByTestId("basic-form");
    fireEvent.click(screen.getByText("Migrate only part of the source, or into other db numbers"));
    type("filter-dbMap", "0:3");
    expect(screen.queryByTestId("filter-cluster-warning")).toBeNull();
  });

  it("shows items as they finish, and errors block creating the task", async () => {
    const hold = deferred<CheckReport>();
    const items = [checkItem("source.connect", "pass", "Source reachable"), checkItem("target.memory", "error", "Target memory"), checkItem("rtt", "pass", "Network and duration")];
    const b = backend({ check_task: () => hold.promise });
    show();
    await fillBasicAndGoToParams();
    fireEvent.click(screen.getByTestId("start-check"));
    await waitFor(() => expect(b.argsOf("check_task")).toHaveLength(1));

    await sendEvent("check-item-event", { task_id: null, item: items[0], total: 3 });
    expect(await screen.findByText("Source reachable")).toBeTruthy();
    expect(screen.getByText("Checking: 1 of 3 items")).toBeTruthy();
    // Another task's check (a task being started) is not this form's.
    await sendEvent("check-item-event", { task_id: 9, item: checkItem("other", "pass", "Other task's item"), total: 3 });
    await sendEvent("check-item-event", { task_id: null, item: items[1], total: 3 });
    expect(await screen.findByText("Checking: 2 of 3 items")).toBeTruthy();
    expect(screen.queryByText("Other task's item")).toBeNull();
    expect(disabled("create-task")).toBe(true);

    hold.resolve({ items, duration_ms: 40 });
    expect(await screen.findByText(/found 1 error\(s\): the task cannot be created/)).toBeTruthy();
    expect(screen.getByText("Network and duration")).toBeTruthy();
    expect(screen.queryByTestId("accept-warnings")).toBeNull();
    expect(disabled("create-task")).toBe(true);
  });

  it("shows how far the big-key scan is while it runs, then what it measured", async () => {
    const hold = deferred<CheckReport>();
    const b = backend({ check_task: () => hold.promise });
    show();
    await fillBasicAndGoToParams();
    fireEvent.click(screen.getByTestId("start-check"));
    await waitFor(() => expect(b.argsOf("check_task")).toHaveLength(1));
    expect(screen.queryByTestId("check-scan")).toBeNull();
    await sendEvent("check-scan-event", { task_id: null, progress: { looked_at: 12000, of: 50000, elapsed_ms: 800, budget_ms: 2000, done: false } });
    expect((await screen.findByTestId("check-scan")).textContent).toContain("Looking for big keys: 12,000 of up to 50,000 keys measured (0.8 of at most 2.0 s)");
    // A task being started elsewhere scans too: not this form's.
    await sendEvent("check-scan-event", { task_id: 4, progress: { looked_at: 1, of: 2, elapsed_ms: 1, budget_ms: 500, done: false } });
    expect(screen.getByTestId("check-scan").textContent).toContain("12,000");
    await sendEvent("check-scan-event", { task_id: null, progress: { looked_at: 20000, of: 50000, elapsed_ms: 1500, budget_ms: 2000, done: true } });
    await sendEvent("check-item-event", { task_id: null, item: checkItem("source.bigkeys", "pass", "Big keys"), total: 20 });
    await waitFor(() => expect(screen.getByTestId("check-scan").textContent).toBe("Big keys: 20,000 keys measured in 1.5 s"));
    hold.resolve({ items: [checkItem("source.bigkeys", "pass", "Big keys")], duration_ms: 1600 });
    // What it measured stays in view with the check's result.
    expect(await screen.findByTestId("check-summary")).toBeTruthy();
    expect(screen.getByTestId("check-scan").textContent).toBe("Big keys: 20,000 keys measured in 1.5 s");
  });

  it("needs “I understand” for warnings, then creates and starts the task", async () => {
    const report = { items: [checkItem("source.connect", "pass"), checkItem("target.eviction", "warning", "Target eviction policy")], duration_ms: 9 };
    const b = backend({
      check_task: () => report,
      create_task: () => ({ task: task(7, "not_started", "orders"), report }),
      start_task: () => task(7, "checking", "orders"),
    });
    const { onOpenTask } = show();
    await fillBasicAndGoToParams();
    fireEvent.click(screen.getByTestId("start-check"));
    expect(await screen.findByText(/found 1 warning\(s\)/)).toBeTruthy();
    expect(disabled("create-task")).toBe(true);

    fireEvent.click(screen.getByText("I understand the warnings and want to go ahead"));
    await waitFor(() => expect(disabled("create-task")).toBe(false));
    fireEvent.click(screen.getByTestId("create-task"));
    expect(await screen.findByText("Task “orders” created.")).toBeTruthy();
    expect(b.argsOf("create_task")[0]).toMatchObject({ acceptWarnings: true });

    fireEvent.click(screen.getByTestId("start-created"));
    await waitFor(() => expect(onOpenTask).toHaveBeenCalledWith(7));
    expect(b.argsOf("start_task")[0]).toEqual({ id: 7 });
  });

  it("stays on the form and says what to do when the source cannot be reached", async () => {
    backend({
      parameter_rows: () => {
        throw commandError("client", "cannot connect to 10.0.0.9:6380: connection refused");
      },
    });
    show();
    await screen.findByTestId("basic-form");
    type("name", "orders");
    type("host", "10.0.0.9");
    fireEvent.click(screen.getByTestId("basic-next"));
    expect(await screen.findByText("cannot connect to 10.0.0.9:6380: connection refused")).toBeTruthy();
    expect(screen.getByText(/Check the host, port, user and password/)).toBeTruthy();
    expect(screen.getByTestId("basic-form")).toBeTruthy();
  });

  it("sends the user to register an instance when there is none", async () => {
    backend({ list_instances: () => [] });
    show();
    expect(await screen.findByTestId("no-instances")).toBeTruthy();
  });
});
