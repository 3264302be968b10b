import { describe, expect, it } from "vitest";
import { MESSAGES } from "./messages.gen";
import { renderText } from "./text";

const placeholders = (s: string) => [...new Set([...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]))].sort();

describe("the engine's sentences", () => {
  it("every code has both languages with the same placeholders", () => {
    const codes = Object.keys(MESSAGES);
    expect(codes.length).toBeGreaterThan(100);
    const wrong = codes.filter((code) => {
      const entry = MESSAGES[code];
      if (!entry) return true;
      const { en, "zh-CN": zh } = entry;
      return !en.trim() || !zh.trim() || placeholders(en).join() !== placeholders(zh).join();
    });
    expect(wrong).toEqual([]);
  });

  it("renders nested sentences and lists in the chosen language", () => {
    const role = { code: "check.role.source" };
    const entry = MESSAGES["check.role.source"];
    if (!entry) throw new Error("the catalog has no check.role.source");
    const list = [{ code: "raw", args: { text: "a" } }, { code: "raw", args: { text: "b" } }];
    const text = { code: "raw", args: { text: "x" } };
    expect(renderText(text, "zh-CN")).toBe("x");
    expect(renderText(role, "en")).toBe(entry.en);
    expect(renderText(role, "zh-CN")).toBe(entry["zh-CN"]);
    // A code whose text is one placeholder, given a list: joined the language's way.
    expect(renderText({ code: "raw", args: { text: list } }, "en")).toBe("a; b");
    expect(renderText({ code: "raw", args: { text: list } }, "zh-CN")).toBe("a；b");
  });

  it("shows an unknown code (from a newer version) with its arguments instead of nothing", () => {
    expect(renderText({ code: "from.the.future", args: { n: "3" } }, "en")).toBe("from.the.future n=3");
  });
});
