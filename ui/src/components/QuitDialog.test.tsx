import { act, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import { I18nProvider } from "../i18n";
import { QuitDialog } from "./QuitDialog";

let asked: ((e: { payload: { pairs: number } }) => void) | undefined;
vi.mock("../bindings", () => ({
  commands: { quit: vi.fn() },
  events: {
    quitRequestedEvent: {
      listen: vi.fn(async (cb: (e: { payload: { pairs: number } }) => void) => {
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
    act(() => asked!({ payload: { pairs: 2 } }));
    expect((await screen.findByTestId("quit-body")).textContent).toContain("runs 2 hot-standby pair(s)");
    fireEvent.click(screen.getByText("Keep running"));
    expect(vi.mocked(commands.quit)).not.toHaveBeenCalled();
    act(() => asked!({ payload: { pairs: 1 } }));
    fireEvent.click(await screen.findByText("Quit and stop the proxies"));
    expect(vi.mocked(commands.quit)).toHaveBeenCalled();
  });
});
