import { describe, expect, it } from "vitest";
import { sourceLabel } from "./format";

describe("sourceLabel", () => {
  it("shows an address, or the master a Sentinel names", () => {
    expect(sourceLabel({ host: "10.0.0.9", port: 6380, sentinel: null })).toBe("10.0.0.9:6380");
    expect(sourceLabel({ host: "10.0.0.7", port: 26379, sentinel: { nodes: ["10.0.0.7:26379", "10.0.0.8:26379"], master_name: "mymaster" } })).toBe(
      "mymaster @ Sentinel 10.0.0.7:26379,10.0.0.8:26379",
    );
  });
});
