import { fireEvent, render, screen } from "@testing-library/react";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { I18nProvider } from "../i18n";
import { applyTheme, savedTheme } from "../theme";
import { Settings } from "./Settings";

function show(dataDir?: string) {
  const onSandbox = vi.fn();
  render(
    <I18nProvider>
      <Settings dataDir={dataDir} onSandbox={onSandbox} />
    </I18nProvider>,
  );
  return { onSandbox };
}

beforeEach(() => {
  localStorage.clear();
  localStorage.setItem("ferry.lang", "en");
  applyTheme("light");
});

describe("Settings", () => {
  it("switches to the dark theme and back, and keeps the choice", () => {
    show("/home/me/.local/share/ferry/ferry.db");
    fireEvent.click(screen.getByText("Dark"));
    expect(document.documentElement.getAttribute("theme-mode")).toBe("dark");
    expect(localStorage.getItem("ferry.theme")).toBe("dark");
    expect(savedTheme()).toBe("dark");
    fireEvent.click(screen.getByText("Light"));
    expect(document.documentElement.hasAttribute("theme-mode")).toBe(false);
    expect(localStorage.getItem("ferry.theme")).toBe("light");
  });

  it("switches the language and keeps it", () => {
    show();
    fireEvent.click(screen.getByTestId("settings-lang-zh"));
    expect(screen.getByText("设置")).toBeTruthy();
    expect(localStorage.getItem("ferry.lang")).toBe("zh-CN");
  });

  it("shows where the data lives, read-only", () => {
    show("/home/me/.local/share/ferry/ferry.db");
    const input = screen.getByTestId("data-dir").querySelector("input");
    expect(input?.value).toBe("/home/me/.local/share/ferry/ferry.db");
    expect(input?.readOnly).toBe(true);
  });

  it("leads to the sandbox", () => {
    const { onSandbox } = show();
    fireEvent.click(screen.getByTestId("settings-sandbox"));
    expect(onSandbox).toHaveBeenCalled();
  });
});
