import { act, fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { StandbyTimelineEvent } from "../bindings";
import { I18nProvider, type Lang } from "../i18n";
import { haEvent, ok, raw, standbyView } from "../test/fixtures";
import { commandError } from "../test/ipc";
import { HotStandby } from "./HotStandby";

// The bindings are mocked: these tests exercise the screen, not Tauri or Redis.
const listeners: Array<(e: { payload: StandbyTimelineEvent }) => void> = [];
vi.mock("../bindings", () => ({
  commands: {
    listStandbys: vi.fn(),
    sandbox: vi.fn(),
    standbyEvents: vi.fn(),
    switchover: vi.fn(),
    sandboxDrill: vi.fn(),
    stopStandby: vi.fn(),
    runStandby: vi.fn(),
    removeStandby: vi.fn(),
    listInstances: vi.fn(),
  },
  events: {
    standbyTimelineEvent: {
      listen: vi.fn(async (cb: (e: { payload: StandbyTimelineEvent }) => void) => {
        listeners.push(cb);
        return () => {};
      }),
    },
  },
}));

const { commands } = await import("../bindings");
const m = vi.mocked(commands);

function show(lang: Lang = "en") {
  const onSandbox = vi.fn();
  render(
    <I18nProvider lang={lang}>
      <HotStandby onSandbox={onSandbox} />
    </I18nProvider>,
  );
  return { onSandbox };
}

function timelineKinds(): string[] {
  return [...screen.getByTestId("standby-timeline").querySelectorAll("li")].map((li) => li.getAttribute("data-kind") ?? "");
}

beforeEach(() => {
  vi.clearAllMocks();
  listeners.length = 0;
  m.listStandbys.mockResolvedValue(ok([standbyView()]));
  m.sandbox.mockResolvedValue(ok(null));
  m.standbyEvents.mockResolvedValue(ok([haEvent("fenced", 1_700_000_000_000, "127.0.0.1:7002"), haEvent("standby_ready", 1_700_000_001_000, "127.0.0.1:7002")]));
});

describe("HotStandby", () => {
  it("shows who runs each saved pair, and runs or removes a stopped one", async () => {
    const service = standbyView({ id: 2, name: "svc-ha", runner: { kind: "elsewhere", name: "db-host/4242/1700000000000" }, mode: "sentinel", client_login: "proxy_password" });
    const stopped = standbyView({ id: 3, name: "idle-ha", runner: { kind: "stopped" }, standby_state: null, master_health: null });
    m.listStandbys.mockResolvedValue(ok([service, stopped]));
    m.runStandby.mockResolvedValue(ok(standbyView({ id: 3, name: "idle-ha" })));
    show();
    const svc = await screen.findByTestId("standby-2");
    expect(within(svc).getByTestId("standby-runner").textContent).toBe("Runs in db-host/4242/1700000000000");
    expect(within(svc).getByTestId("standby-sentinel").textContent).toBe("Sentinel mode");
    expect(within(svc).getByTestId("standby-login").textContent).toBe("Login: proxy password");
    expect(within(svc).getByTestId("switchover")).toBeTruthy();
    const idle = screen.getByTestId("standby-3");
    expect(idle.getAttribute("data-runner")).toBe("stopped");
    expect(within(idle).queryByTestId("switchover")).toBeNull();
    expect(within(idle).queryByText("Up")).toBeNull();
    fireEvent.click(within(idle).getByTestId("run-standby"));
    await waitFor(() => expect(m.runStandby).toHaveBeenCalledWith(3));
    expect(await screen.findByText("Pair “idle-ha” runs in this app.")).toBeTruthy();
  });

  it("shows the topology with live health, the epoch and the timeline newest first", async () => {
    show();
    expect(await screen.findByText("orders-ha")).toBeTruthy();
    expect(screen.getByText("127.0.0.1:7000")).toBeTruthy();
    expect(within(screen.getByTestId("standby-master")).getByText("Up").closest(".t-tag")?.className).toContain("t-tag--success");
    expect(within(screen.getByTestId("standby-standby")).getByText("Ready")).toBeTruthy();
    expect(screen.getByText("Route epoch 0")).toBeTruthy();
    expect(screen.getByText("Async writes")).toBeTruthy();
    expect(timelineKinds()).toEqual(["standby_ready", "fenced"]);
    expect(screen.getByText("Standby ready")).toBeTruthy();
    // No drill on a pair that is not the sandbox's.
    expect(screen.queryByText("Failover drill")).toBeNull();
  });

  it("updates the timeline and the pair live from the event", async () => {
    show();
    await screen.findByText("orders-ha");
    await waitFor(() => expect(listeners.length).toBeGreaterThan(0));
    m.listStandbys.mockResolvedValue(ok([standbyView({ epoch: 1, master: "127.0.0.1:7002", standby: "127.0.0.1:7001", standby_state: "unfenced" })]));
    const event = haEvent("promoted", 1_700_000_005_000, "127.0.0.1:7002 is master", 1);
    await act(async () => listeners.forEach((l) => l({ payload: { standby_id: 1, event } })));
    expect(await screen.findByText("Route epoch 1")).toBeTruthy();
    expect(timelineKinds()).toEqual(["promoted", "standby_ready", "fenced"]);
    expect(screen.getByText("Standby promoted")).toBeTruthy();
    expect(screen.getByText("127.0.0.1:7002 is master")).toBeTruthy();
    expect(screen.getByText("Not fenced yet")).toBeTruthy();
    // The same event twice (history and live overlapping) shows once.
    await act(async () => listeners.forEach((l) => l({ payload: { standby_id: 1, event } })));
    expect(timelineKinds()).toEqual(["promoted", "standby_ready", "fenced"]);
  });

  it("runs a planned switchover after confirming, and shows the error when it fails", async () => {
    m.switchover.mockResolvedValue({ status: "error", error: commandError("invalid", "no switchover: the standby is not ready") });
    show();
    await screen.findByText("orders-ha");
    fireEvent.click(screen.getByTestId("switchover"));
    expect(m.switchover).not.toHaveBeenCalled();
    fireEvent.click(await screen.findByTestId("switchover-confirm"));
    await waitFor(() => expect(m.switchover).toHaveBeenCalledWith(1));
    expect(await screen.findByText("no switchover: the standby is not ready")).toBeTruthy();
  });

  it("shows the new master after a successful switchover", async () => {
    m.switchover.mockResolvedValue(ok(standbyView({ epoch: 1, master: "127.0.0.1:7002" })));
    show();
    await screen.findByText("orders-ha");
    fireEvent.click(screen.getByTestId("switchover"));
    fireEvent.click(await screen.findByTestId("switchover-confirm"));
    expect(await screen.findByText("Switched over: the master is now 127.0.0.1:7002 (route epoch 1).")).toBeTruthy();
  });

  it("offers the failover drill on the sandbox's pair", async () => {
    m.sandbox.mockResolvedValue(ok(sandboxWith(1)));
    m.sandboxDrill.mockResolvedValue(ok(raw("killed the master at 127.0.0.1:7001 (SIGKILL)")));
    show();
    fireEvent.click(await screen.findByTestId("drill"));
    expect(screen.getByText(/starts again, empty/)).toBeTruthy();
    fireEvent.click(await screen.findByTestId("drill-confirm"));
    expect(await screen.findByText("killed the master at 127.0.0.1:7001 (SIGKILL)")).toBeTruthy();
  });

  it("says what to do when no pair runs, in Chinese too", async () => {
    m.listStandbys.mockResolvedValue(ok([]));
    const { onSandbox } = show("zh-CN");
    expect(await screen.findByText("尚未保存任何热备。")).toBeTruthy();
    fireEvent.click(screen.getByText("本地体验"));
    expect(onSandbox).toHaveBeenCalled();
  });

  it("shows a command error with what to do", async () => {
    m.listStandbys.mockRejectedValue(new Error("ipc down"));
    show();
    expect(await screen.findByText("ipc down")).toBeTruthy();
    expect(screen.getByText(/Restart Ferry/)).toBeTruthy();
  });
});

function sandboxWith(standbyId: number) {
  return {
    source_host: "127.0.0.1",
    source_port: 7100,
    region: "sandbox",
    target: { id: 9, name: "sandbox target :7101", region: "sandbox", host: "127.0.0.1", port: 7101, user: null, has_password: false, edition: "standard" as const, proxy: null, seeds: [], tls: null, ssh: null, created_at_ms: 0 },
    cluster: { id: 10, name: "sandbox cluster-1 :7110", region: "sandbox", host: "127.0.0.1", port: 7110, user: null, has_password: false, edition: "cluster" as const, proxy: null, seeds: [], tls: null, ssh: null, created_at_ms: 0 },
    standby: standbyView({ id: standbyId }),
    tls: null,
    servers: [],
    dir: "/tmp/sandbox",
  };
}
