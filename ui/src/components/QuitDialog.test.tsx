import { act, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import { I18nProvider } from "../i18n";
import { QuitDialog } from "./QuitDialog";

type Running = { tasks: number; pairs: number };
let asked: ((e: { payload: Running }) => void) | undefined;
vi.mock("../bindings", () => ({
  commands: { quit: vi.fn() },
  events: {
    quitRequestedEvent: {
      listen: vi.fn(async (cb: (e: { payload: Running }) => void) => {
        asked = cb;
        return () => {};
      }),
    },
  },
}));
const { commands } = await import("../bindings");

describe("QuitDialog", () => {
  it("asks before quitting while pairs run here, and quits only when confirmed", async () => {
    render(
      <I18nProvider lang="en">
        <QuitDialog />
      </I18nProvider>,
    );
    await waitFor(() => expect(asked).toBeTruthy());
    expect(screen.queryByTestId("quit-body")).toBeNull();
    act(() => asked!({ payload: { tasks: 0, pairs: 2 } }));
    expect((await screen.findByTestId("quit-body")).textContent).toContain("runs 2 hot-standby pair(s)");
    fireEvent.click(screen.getByText("Keep running"));
    expect(vi.mocked(commands.quit)).not.toHaveBeenCalled();
    act(() => asked!({ payload: { tasks: 0, pairs: 1 } }));
    fireEvent.click(await screen.findByText("Quit and stop the proxies"));
    expect(vi.mocked(commands.quit)).toHaveBeenCalled();
  });

  it("says what happens to running tasks (they pause, resumable) and to pairs, in the chosen language", async () => {
    render(
      <I18nProvider lang="zh-CN">
        <QuitDialog />
      </I18nProvider>,
    );
    await waitFor(() => expect(asked).toBeTruthy());
    act(() => asked!({ payload: { tasks: 2, pairs: 0 } }));
    expect((await screen.findByTestId("quit-tasks")).textContent).toContain("正在运行 2 个迁移任务");
    expect(screen.queryByTestId("quit-pairs")).toBeNull();
    expect(screen.getByText("退出并暂停任务")).toBeTruthy();
    act(() => asked!({ payload: { tasks: 1, pairs: 1 } }));
    expect(await screen.findByTestId("quit-pairs")).toBeTruthy();
    expect(screen.getByText("退出、暂停任务并停止接入层")).toBeTruthy();
  });
});
