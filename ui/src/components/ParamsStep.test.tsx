import { render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { ParamRow_Serialize as ParamRow } from "../bindings";
import { I18nProvider, type Lang } from "../i18n";
import { ParamsStep } from "./ParamsStep";

const PARAMS = { output_buffer_hard_mb: 512, output_buffer_soft_mb: 512, output_buffer_soft_seconds: 60, backlog_mb: 512, repl_timeout_seconds: 120 };
const LINE = "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60";

function show(lang: Lang, rows: ParamRow[]) {
  render(
    <I18nProvider lang={lang}>
      <ParamsStep rows={rows} params={PARAMS} recommended={PARAMS} onChange={() => {}} onBack={() => {}} onCheck={() => {}} />
    </I18nProvider>,
  );
}

const current = (name: string) => screen.getByTestId(`current-${name}`);

describe("ParamsStep", () => {
  it("shows the source's sizes for people, the CONFIG text on hover", () => {
    show("en", [
      { name: "client-output-buffer-limit", value: "slave 536870912 536870912 60", current: LINE },
      { name: "repl-backlog-size", value: "536870912", current: "1048576" },
      { name: "repl-timeout", value: "120", current: "60" },
    ]);
    expect(current("client-output-buffer-limit").textContent).toBe("256 MB / 64 MB / 60 s");
    expect(current("client-output-buffer-limit").getAttribute("title")).toBe(LINE);
    expect(current("repl-backlog-size").textContent).toBe("1 MB");
    expect(current("repl-backlog-size").getAttribute("title")).toBe("1048576");
    expect(current("repl-timeout").textContent).toBe("60");
  });

  it("in Chinese too, with no limit for zeros and units Redis writes", () => {
    show("zh-CN", [
      { name: "client-output-buffer-limit", value: "replica 536870912 536870912 60", current: "normal 0 0 0 replica 0 0 0 pubsub 32mb 8mb 60" },
      { name: "repl-backlog-size", value: "536870912", current: "1536mb" },
    ]);
    expect(current("client-output-buffer-limit").textContent).toBe("不限制 / 不限制 / 0 秒");
    expect(current("client-output-buffer-limit").getAttribute("title")).toBe("normal 0 0 0 replica 0 0 0 pubsub 32mb 8mb 60");
    expect(current("repl-backlog-size").textContent).toBe("1.5 GB");
    expect(current("repl-backlog-size").getAttribute("title")).toBe("1536mb");
  });

  it("shows what it cannot read as it is, and says when CONFIG was not allowed", () => {
    show("en", [
      { name: "client-output-buffer-limit", value: "replica 536870912 536870912 60", current: "normal 0 0 0" },
      { name: "repl-backlog-size", value: "536870912", current: "lots" },
      { name: "repl-timeout", value: "120", current: null },
    ]);
    expect(current("client-output-buffer-limit").textContent).toBe("normal 0 0 0");
    expect(current("client-output-buffer-limit").hasAttribute("title")).toBe(false);
    expect(current("repl-backlog-size").textContent).toBe("lots");
    expect(screen.getByText("Unknown (CONFIG not allowed)")).toBeTruthy();
  });
});
