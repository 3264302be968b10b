import { render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { I18nProvider } from "../i18n";
import { checkItem } from "../test/fixtures";
import { CheckResults } from "./CheckResults";

describe("CheckResults", () => {
  it("names known items in the user's language and unknown ones as the engine does", () => {
    render(
      <I18nProvider lang="zh-CN">
        <CheckResults items={[checkItem("rtt", "pass", "Network and duration"), checkItem("future.item", "warning", "Something new")]} />
      </I18nProvider>,
    );
    expect(screen.getByText("网络与预计耗时")).toBeTruthy();
    expect(screen.getByText("Something new")).toBeTruthy();
    expect(screen.getByText("告警")).toBeTruthy();
  });

  it("renders the engine's sentences in the chosen language", () => {
    const item = {
      ...checkItem("region", "error", "Region"),
      value: { code: "check.region.source_missing" },
      message: { code: "check.region.cross", args: { source: "ap-beijing", target: "ap-guangzhou" } },
    };
    const { unmount } = render(
      <I18nProvider lang="zh-CN">
        <CheckResults items={[item]} />
      </I18nProvider>,
    );
    expect(screen.getByText("缺少源端地域")).toBeTruthy();
    expect(screen.getByText(/源端在 ap-beijing，目标端在 ap-guangzhou/)).toBeTruthy();
    unmount();
    render(
      <I18nProvider lang="en">
        <CheckResults items={[item]} />
      </I18nProvider>,
    );
    expect(screen.getByText(/source in ap-beijing, target in ap-guangzhou/)).toBeTruthy();
  });
});
