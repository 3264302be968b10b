import { fireEvent, render, screen, waitFor } from "@testing-library/react";
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { SandboxView_Serialize as SandboxView } from "../bindings";
import { I18nProvider } from "../i18n";
import { instance, ok, standbyView } from "../test/fixtures";
import { commandError } from "../test/ipc";
import { Sandbox } from "./Sandbox";
import { sandboxTask } from "../newTaskForm";

vi.mock("../bindings", () => ({ commands: { sandbox: vi.fn(), startSandbox: vi.fn(), stopSandbox: vi.fn() } }));
const { commands } = await import("../bindings");
const m = vi.mocked(commands);

const running: SandboxView = {
  source_host: "127.0.0.1",
  source_port: 7100,
  region: "sandbox",
  target: instance({ id: 9, name: "sandbox target :7101", region: "sandbox", host: "127.0.0.1", port: 7101 }),
  cluster: instance({ id: 10, name: "sandbox cluster-1 :7110", region: "sandbox", host: "127.0.0.1", port: 7110, edition: "cluster" }),
  standby: standbyView({ name: "sandbox" }),
  tls: instance({ id: 11, name: "sandbox tls-target :7120", region: "sandbox", host: "127.0.0.1", port: 7120, tls: { ca_file: "/data/sandbox/tls/ca.pem", cert_file: null, key_file: null, server_name: null, insecure: false } }),
  servers: [
    { role: "source", port: 7100 },
    { role: "target", port: 7101 },
  ],
  dir: "/data/sandbox",
};

function show() {
  const onNavigate = vi.fn();
  const onNewTask = vi.fn();
  render(
    <I18nProvider lang="en">
      <Sandbox onNavigate={onNavigate} onNewTask={onNewTask} />
    </I18nProvider>,
  );
  return { onNavigate, onNewTask };
}

beforeEach(() => {
  vi.clearAllMocks();
  m.sandbox.mockResolvedValue(ok(null));
});

describe("Sandbox", () => {
  it("starts the sandbox, shows progress, then what it created with links", async () => {
    let finish: (v: { status: "ok"; data: SandboxView }) => void = () => {};
    m.startSandbox.mockReturnValue(new Promise((resolve) => (finish = resolve)));
    const { onNavigate, onNewTask } = show();
    fireEvent.click(await screen.findByTestId("sandbox-start"));
    expect(await screen.findByText(/Starting eleven redis-servers/)).toBeTruthy();
    finish(ok(running));
    expect(await screen.findByText("127.0.0.1:7100")).toBeTruthy();
    expect(screen.getByText("sandbox target :7101 (127.0.0.1:7101)")).toBeTruthy();
    expect(screen.getByTestId("sandbox-cluster").textContent).toContain("127.0.0.1:7110");
    expect(screen.getByTestId("sandbox-tls").textContent).toContain("rediss://127.0.0.1:7120");
    expect(screen.queryByText(/Starting eleven redis-servers/)).toBeNull();
    fireEvent.click(screen.getByTestId("sandbox-go-standby"));
    fireEvent.click(screen.getByText("New migration task"));
    expect(onNavigate.mock.calls).toEqual([["standby"]]);
    // The new-task form opens filled in with this sandbox: a first migration in three clicks.
    expect(onNewTask).toHaveBeenCalledWith(running);
    expect(sandboxTask(running)).toMatchObject({ name: "sandbox-7100", host: "127.0.0.1", port: "7100", region: "sandbox", targetId: 9 });
  });

  it("says when the redis-server cannot take TLS", async () => {
    m.sandbox.mockResolvedValue(ok({ ...running, tls: null }));
    show();
    expect((await screen.findByTestId("sandbox-tls")).textContent).toBe("not started: this redis-server was built without TLS");
  });

  it("shows the console's message when redis-server is missing", async () => {
    const message = "the sandbox needs redis-server, and redis-server cannot be run. Install it (Debian/Ubuntu: sudo apt-get install redis-server; macOS: brew install redis)";
    m.startSandbox.mockResolvedValue({ status: "error", error: commandError("invalid", message) });
    show();
    fireEvent.click(await screen.findByTestId("sandbox-start"));
    expect(await screen.findByText(message)).toBeTruthy();
    expect(screen.getByTestId("sandbox-start")).toBeTruthy();
  });

  it("stops a running sandbox after confirming", async () => {
    m.sandbox.mockResolvedValue(ok(running));
    m.stopSandbox.mockResolvedValue(ok(null));
    show();
    fireEvent.click(await screen.findByTestId("sandbox-stop"));
    fireEvent.click(await screen.findByTestId("sandbox-stop-confirm"));
    await waitFor(() => expect(m.stopSandbox).toHaveBeenCalled());
    expect(await screen.findByText("The sandbox is stopped.")).toBeTruthy();
    expect(screen.getByTestId("sandbox-start")).toBeTruthy();
  });
});
