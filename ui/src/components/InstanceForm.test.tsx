import { fireEvent, render, screen, waitFor } from "@testing-library/react";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { I18nProvider } from "../i18n";
import { instance, ok } from "../test/fixtures";
import { commandError } from "../test/ipc";
import { InstanceForm, validate } from "./InstanceForm";

vi.mock("../bindings", () => ({ commands: { addInstance: vi.fn() } }));
const { commands } = await import("../bindings");
const addInstance = vi.mocked(commands.addInstance);

function input(name: string): HTMLInputElement {
  return screen.getByTestId(`field-${name}`).querySelector("input")!;
}

function type(name: string, value: string) {
  fireEvent.input(input(name), { target: { value } });
}

function show() {
  const onSaved = vi.fn();
  render(
    <I18nProvider lang="en">
      <InstanceForm onSaved={onSaved} onCancel={() => {}} />
    </I18nProvider>,
  );
  return { onSaved };
}

beforeEach(() => vi.clearAllMocks());

describe("InstanceForm", () => {
  it("validates before calling the console", async () => {
    show();
    type("port", "70000");
    fireEvent.click(screen.getByText("Register"));
    expect(await screen.findAllByText("Required.")).toHaveLength(2); // name, region
    expect(screen.getByText("A port is a whole number from 1 to 65535.")).toBeTruthy();
    expect(addInstance).not.toHaveBeenCalled();
    const fields = { name: "a", region: "b", host: "h", port: "6379", user: "", password: "", edition: "standard" as const };
    expect(validate({ ...fields, seeds: "" })).toEqual({});
    expect(validate({ ...fields, edition: "cluster", seeds: "10.0.0.6:7000, [fd00::7]:7001" })).toEqual({});
    expect(validate({ ...fields, edition: "cluster", seeds: "10.0.0.6" })).toEqual({ seeds: "form.badSeeds" });
    expect(validate({ ...fields, edition: "cluster", seeds: "h:0" })).toEqual({ seeds: "form.badSeeds" });
  });

  it("registers an instance with its password", async () => {
    addInstance.mockResolvedValue(ok(instance({ name: "gz-1" })));
    const { onSaved } = show();
    type("name", "gz-1");
    type("region", " ap-guangzhou ");
    type("host", "10.0.0.5");
    type("port", "6380");
    type("user", "");
    type("password", "s3cret");
    expect(screen.queryByTestId("field-seeds")).toBeNull();
    fireEvent.click(screen.getByText("Cluster"));
    type("seeds", "10.0.0.6:6380, 10.0.0.7:6380");
    fireEvent.click(screen.getByText("Register"));
    await waitFor(() => expect(onSaved).toHaveBeenCalled());
    expect(addInstance).toHaveBeenCalledWith(
      {
        name: "gz-1",
        region: "ap-guangzhou",
        host: "10.0.0.5",
        port: 6380,
        user: null,
        edition: "cluster",
        proxy: null,
        seeds: ["10.0.0.6:6380", "10.0.0.7:6380"],
        tls: null,
        ssh: null,
        ssh_secret: null,
      },
      "s3cret",
    );
  });

  it("registers a TLS instance, warning loudly when its certificate is not checked", async () => {
    addInstance.mockResolvedValue(ok(instance({ name: "tls-1" })));
    const { onSaved } = show();
    type("name", "tls-1");
    type("region", "r");
    expect(screen.queryByTestId("field-tls-ca")).toBeNull();
    fireEvent.click(screen.getByText("Connect with TLS (rediss://)"));
    type("tls-serverName", "cache.internal");
    fireEvent.click(screen.getByText("Do not check the certificate (dangerous)"));
    expect(screen.getByText(/anyone between Ferry and the server can pose as it/)).toBeTruthy();
    fireEvent.click(screen.getByText("Register"));
    await waitFor(() => expect(onSaved).toHaveBeenCalled());
    expect(addInstance.mock.calls[0]![0].tls).toEqual({
      ca_file: null,
      cert_file: null,
      key_file: null,
      server_name: "cache.internal",
      insecure: true,
    });
  });

  it("registers an instance behind an SSH jump host, its passphrase apart from the settings", async () => {
    addInstance.mockResolvedValue(ok(instance({ name: "behind-ssh" })));
    const { onSaved } = show();
    type("name", "behind-ssh");
    type("region", "r");
    fireEvent.click(screen.getByText("Reach it through an SSH jump host"));
    type("ssh-jump", "bastion");
    fireEvent.click(screen.getByText("Register"));
    expect(await screen.findByText("Write the jump host as user@host or user@host:port.")).toBeTruthy();
    expect(addInstance).not.toHaveBeenCalled();
    type("ssh-jump", "ops@bastion.example.com:2222");
    type("ssh-keyFile", "/home/ops/.ssh/id_ed25519");
    type("ssh-secret", "key passphrase");
    fireEvent.click(screen.getByText("Register"));
    await waitFor(() => expect(onSaved).toHaveBeenCalled());
    const sent = addInstance.mock.calls[0]![0];
    expect(sent.ssh).toEqual({
      user: "ops",
      host: "bastion.example.com",
      port: 2222,
      key_file: "/home/ops/.ssh/id_ed25519",
      known_hosts: null,
      host_key: null,
    });
    expect(sent.ssh_secret).toBe("key passphrase");
  });

  it("shows the console's error and what to do", async () => {
    addInstance.mockResolvedValue({ status: "error", error: commandError("secret", "the keychain is locked") });
    show();
    type("name", "a");
    type("region", "r");
    fireEvent.click(screen.getByText("Register"));
    expect(await screen.findByText("the keychain is locked")).toBeTruthy();
    expect(screen.getByText(/Unlock it/)).toBeTruthy();
  });
});
