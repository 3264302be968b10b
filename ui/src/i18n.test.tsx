import { fireEvent, render, screen } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { I18nProvider, initialLang, useI18n } from "./i18n";
import { Settings } from "./screens/Settings";

/** The system's languages, as the webview reports them (happy-dom's own are en-US, en). */
function system(...languages: string[]) {
  Object.defineProperty(navigator, "languages", { value: languages, configurable: true });
  Object.defineProperty(navigator, "language", { value: languages[0] ?? "", configurable: true });
}

beforeEach(() => localStorage.clear());
afterEach(() => {
  // Back to happy-dom's getters.
  delete (navigator as unknown as Record<string, unknown>).languages;
  delete (navigator as unknown as Record<string, unknown>).language;
  localStorage.clear();
});

function Probe() {
  const { lang, t } = useI18n();
  return <p data-testid="probe" data-lang={lang}>{t("nav.tasks")}</p>;
}

/** Starts the app's language context, as a launch does. */
function launch() {
  const view = render(
    <I18nProvider>
      <Probe />
      <Settings onSandbox={() => {}} />
    </I18nProvider>,
  );
  return { lang: () => screen.getByTestId("probe").getAttribute("data-lang"), unmount: view.unmount };
}

describe("the language at first launch", () => {
  it("is Chinese on a Chinese system", () => {
    system("zh-CN", "en-US");
    const app = launch();
    expect(app.lang()).toBe("zh-CN");
    expect(screen.getByTestId("probe").textContent).toBe("迁移任务");
  });

  it("is English on an English system", () => {
    system("en-US", "en");
    const app = launch();
    expect(app.lang()).toBe("en");
    expect(screen.getByTestId("probe").textContent).toBe("Migration tasks");
  });

  it("maps every Chinese to zh-CN and the rest to English, from the first of the system's languages", () => {
    for (const zh of ["zh", "zh-CN", "zh-TW", "zh-HK", "zh-Hans-CN", "zh-Hant-TW", "zh_CN", "ZH-cn"]) {
      system(zh, "en-US");
      expect(initialLang(), zh).toBe("zh-CN");
    }
    // Chinese second (after the system's own) does not count.
    for (const other of ["en-US", "en-GB", "fr-FR", "ja-JP", "zha", ""]) {
      system(other, "zh-CN");
      expect(initialLang(), other).toBe("en");
    }
    // The first preference counts, not the webview's own UI language.
    Object.defineProperty(navigator, "languages", { value: ["zh-CN", "en-US"], configurable: true });
    Object.defineProperty(navigator, "language", { value: "en-US", configurable: true });
    expect(initialLang()).toBe("zh-CN");
    // A webview with no list has the one language.
    Object.defineProperty(navigator, "languages", { value: [], configurable: true });
    Object.defineProperty(navigator, "language", { value: "zh-Hans-CN", configurable: true });
    expect(initialLang()).toBe("zh-CN");
  });
});

describe("the language chosen in Settings", () => {
  it("is kept and wins over the system's language at the next launch", () => {
    system("zh-CN");
    const first = launch();
    expect(first.lang()).toBe("zh-CN");
    fireEvent.click(screen.getByTestId("settings-lang-en"));
    expect(first.lang()).toBe("en");
    expect(localStorage.getItem("ferry.lang")).toBe("en");
    first.unmount();

    const next = launch();
    expect(next.lang()).toBe("en");
    expect(screen.getByText("Settings")).toBeTruthy();
  });

  it("a saved choice wins over the system's language", () => {
    system("en-US");
    localStorage.setItem("ferry.lang", "zh-CN");
    expect(launch().lang()).toBe("zh-CN");
  });

  it("without a choice, the app follows the system's language from launch to launch", () => {
    system("en-US");
    const first = launch();
    expect(first.lang()).toBe("en");
    first.unmount();
    expect(localStorage.getItem("ferry.lang")).toBeNull();

    system("zh-TW");
    expect(launch().lang()).toBe("zh-CN");
  });

  it("a saved value that is not a language is ignored", () => {
    system("zh-CN");
    localStorage.setItem("ferry.lang", "klingon");
    expect(launch().lang()).toBe("zh-CN");
  });
});
