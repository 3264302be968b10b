import { fireEvent, render, screen, waitFor } from "@testing-library/react";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { I18nProvider } from "../i18n";
import { instance, ok, standbyView } from "../test/fixtures";
import { commandError } from "../test/ipc";
import { StandbyForm, validateStandby } from "./StandbyForm";

vi.mock("../bindings", () => ({ commands: { listInstances: vi.fn(), startStandby: vi.fn() } }));
const { commands } = await import("../bindings");
const m = vi.mocked(commands);

async function choose(field: "master" | "replica", label: string) {
  fireEvent.click(screen.getByTestId(`standby-field-${field}`).querySelector("input")!);
  const options = await screen.findAllByText(label);
  fireEvent.click(options[options.length - 1]!);
}

function show() {
  const onStarted = vi.fn();
  render(
    <I18nProvider lang="en">
      <StandbyForm onStarted={onStarted} onCancel={() => {}} />
    </I18nProvider>,
  );
  return { onStarted };
}

beforeEach(() => {
  vi.clearAllMocks();
  m.listInstances.mockResolvedValue(ok([instance({ id: 1, name: "gz-a" }), instance({ id: 2, name: "gz-b" })]));
});

describe("StandbyForm", () => {
  it("checks the fields before calling the console", async () => {
    show();
    fireEvent.input(screen.getByTestId("standby-field-listen").querySelector("input")!, { target: { value: "" } });
    fireEvent.click(screen.getByTestId("standby-start"));
    expect(await screen.findAllByText("Required.")).toHaveLength(4); // name, listen, master, replica
    expect(m.startStandby).not.toHaveBeenCalled();
    const base = { name: "ha", listen: "127.0.0.1:0", syncWrites: false, tls: false, tlsCert: "", tlsKey: "", tlsClientCa: "", password: "", mode: "heartbeat" as const, sentinels: "", masterName: "" };
    expect(validateStandby({ ...base, master: 1, replica: 1 })).toEqual({ replica: "standbyForm.same" });
    expect(validateStandby({ ...base, master: 1, replica: 2 })).toEqual({});
    expect(validateStandby({ ...base, master: 1, replica: 2, tls: true, tlsCert: "/etc/ferry/proxy.pem" })).toEqual({ tlsKey: "standbyForm.required" });
    // Sentinel mode: no replica, but the Sentinels and the master's name.
    const sentinel = { ...base, master: 1, replica: null, mode: "sentinel" as const };
    expect(validateStandby(sentinel)).toEqual({ sentinels: "standbyForm.required", masterName: "standbyForm.required" });
    expect(validateStandby({ ...sentinel, sentinels: "s1:26379, nope", masterName: "m" })).toEqual({ sentinels: "standbyForm.badSentinels" });
    expect(validateStandby({ ...sentinel, sentinels: "s1:26379, s2:26380 s3:26381", masterName: "m" })).toEqual({});
  });

  it("says to register instances first when fewer than two exist", async () => {
    m.listInstances.mockResolvedValue(ok([instance()]));
    show();
    expect(await screen.findByText(/Register at least two instances first/)).toBeTruthy();
  });

  it("starts a pair from two instances and shows the console's error when it cannot", async () => {
    m.startStandby.mockResolvedValueOnce({ status: "error", error: commandError("invalid", "cannot listen on 127.0.0.1:6379: address in use") });
    m.startStandby.mockResolvedValueOnce(ok(standbyView({ name: "orders-ha" })));
    const { onStarted } = show();
    await waitFor(() => expect(m.listInstances).toHaveBeenCalled());
    fireEvent.input(screen.getByTestId("standby-field-name").querySelector("input")!, { target: { value: " orders-ha " } });
    await choose("master", "gz-a (10.0.0.5:6379)");
    await choose("replica", "gz-b (10.0.0.5:6379)");
    fireEvent.click(screen.getByRole("switch"));
    fireEvent.click(screen.getByTestId("standby-start"));
    expect(await screen.findByText("cannot listen on 127.0.0.1:6379: address in use")).toBeTruthy();
    expect(m.startStandby).toHaveBeenCalledWith({ name: "orders-ha", master_instance: 1, replica_instance: 2, listen: "127.0.0.1:0", sync_writes: true, listen_tls: null, proxy_password: null, sentinel: null });
    fireEvent.click(screen.getByTestId("standby-start"));
    await waitFor(() => expect(onStarted).toHaveBeenCalled());
  });

  it("sends the proxy's TLS listener with its certificate, key and client CA", async () => {
    m.startStandby.mockResolvedValue(ok(standbyView({ listen_tls: "mutual_tls" })));
    show();
    await waitFor(() => expect(m.listInstances).toHaveBeenCalled());
    fireEvent.input(screen.getByTestId("standby-field-name").querySelector("input")!, { target: { value: "tls-ha" } });
    await choose("master", "gz-a (10.0.0.5:6379)");
    await choose("replica", "gz-b (10.0.0.5:6379)");
    fireEvent.click(screen.getByText("Clients connect to the proxy with TLS"));
    const type = (k: string, value: string) => fireEvent.input(screen.getByTestId(`standby-field-${k}`).querySelector("input")!, { target: { value } });
    type("tlsCert", " /etc/ferry/proxy.pem ");
    fireEvent.click(screen.getByTestId("standby-start"));
    expect(await screen.findByText("Required.")).toBeTruthy();
    expect(m.startStandby).not.toHaveBeenCalled();
    type("tlsKey", "/etc/ferry/proxy.key");
    type("tlsClientCa", "/etc/ferry/clients-ca.pem");
    fireEvent.click(screen.getByTestId("standby-start"));
    await waitFor(() => expect(m.startStandby).toHaveBeenCalled());
    fireEvent.input(screen.getByTestId("standby-field-password").querySelector("input")!, { target: { value: " pr0xy p@ss " } });
    fireEvent.click(screen.getByTestId("standby-start"));
    await waitFor(() => expect(m.startStandby).toHaveBeenCalledTimes(2));
    expect(m.startStandby.mock.calls[1]![0].proxy_password).toBe(" pr0xy p@ss ");
    expect(m.startStandby.mock.calls[0]![0].listen_tls).toEqual({ cert_file: "/etc/ferry/proxy.pem", key_file: "/etc/ferry/proxy.key", client_ca_file: "/etc/ferry/clients-ca.pem" });
  });

  it("starts a pair in Sentinel mode with the Sentinels and the master's name", async () => {
    m.startStandby.mockResolvedValue(ok(standbyView({ mode: "sentinel" })));
    show();
    await waitFor(() => expect(m.listInstances).toHaveBeenCalled());
    fireEvent.input(screen.getByTestId("standby-field-name").querySelector("input")!, { target: { value: "orders" } });
    fireEvent.click(screen.getByText("Redis Sentinel"));
    expect(screen.queryByTestId("standby-field-replica")).toBeNull();
    await choose("master", "gz-a (10.0.0.5:6379)");
    fireEvent.input(screen.getByTestId("standby-field-sentinels").querySelector("input")!, { target: { value: "10.0.0.11:26379, 10.0.0.12:26379" } });
    fireEvent.input(screen.getByTestId("standby-field-masterName").querySelector("input")!, { target: { value: " mymaster " } });
    fireEvent.click(screen.getByTestId("standby-start"));
    await waitFor(() => expect(m.startStandby).toHaveBeenCalled());
    const input = m.startStandby.mock.calls[0]![0];
    expect([input.replica_instance, input.sentinel]).toEqual([null, { nodes: ["10.0.0.11:26379", "10.0.0.12:26379"], master_name: "mymaster" }]);
  });
});
