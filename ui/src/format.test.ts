import { describe, expect, it } from "vitest";
import { fmtBytes, fmtConfigValue, parseConfigBytes, parseReplicaOutputLimit, sourceLabel } from "./format";
import { translate, type Lang, type Translate } from "./i18n";

const t =
  (lang: Lang): Translate =>
  (key, params) =>
    translate(lang, key, params);

describe("sourceLabel", () => {
  it("shows an address, or the master a Sentinel names", () => {
    expect(sourceLabel({ host: "10.0.0.9", port: 6380, sentinel: null })).toBe("10.0.0.9:6380");
    expect(sourceLabel({ host: "10.0.0.7", port: 26379, sentinel: { nodes: ["10.0.0.7:26379", "10.0.0.8:26379"], master_name: "mymaster" } })).toBe(
      "mymaster @ Sentinel 10.0.0.7:26379,10.0.0.8:26379",
    );
  });
});

describe("fmtBytes", () => {
  it("keeps one decimal by default, and drops a .0 when asked", () => {
    expect(fmtBytes(512)).toBe("512 B");
    expect(fmtBytes(1048576)).toBe("1.0 MB");
    expect(fmtBytes(1048576, { trim: true })).toBe("1 MB");
    expect(fmtBytes(1.5 * 1024 ** 3, { trim: true })).toBe("1.5 GB");
    expect(fmtBytes(268435456, { trim: true })).toBe("256 MB");
    expect(fmtBytes(0, { trim: true })).toBe("0 B");
  });

  it("shows a value that rounds to 1024 in the next unit", () => {
    expect(fmtBytes(1024 ** 2 - 1)).toBe("1.0 MB");
    expect(fmtBytes(1024 ** 3 - 1, { trim: true })).toBe("1 GB");
  });
});

describe("parseConfigBytes", () => {
  it("reads bare byte counts", () => {
    expect(parseConfigBytes("1048576")).toBe(1048576);
    expect(parseConfigBytes("0")).toBe(0);
  });

  it("reads Redis's units, in any case: k/m/g are powers of 1000, kb/mb/gb of 1024", () => {
    expect(parseConfigBytes("100b")).toBe(100);
    expect(parseConfigBytes("1k")).toBe(1000);
    expect(parseConfigBytes("1kb")).toBe(1024);
    expect(parseConfigBytes("1m")).toBe(1_000_000);
    expect(parseConfigBytes("1mb")).toBe(1048576);
    expect(parseConfigBytes("64MB")).toBe(64 * 1024 ** 2);
    expect(parseConfigBytes("2g")).toBe(2_000_000_000);
    expect(parseConfigBytes("64gb")).toBe(64 * 1024 ** 3);
    expect(parseConfigBytes("1Gb")).toBe(1024 ** 3);
  });

  it("refuses what is not a size", () => {
    for (const junk of ["", "mb", "-1", "1.5mb", "1 mb", "1tb", "12abc", "1constructor", "yes", "99999999999999999999gb"]) {
      expect(parseConfigBytes(junk), junk).toBeNull();
    }
  });
});

describe("parseReplicaOutputLimit", () => {
  it("picks the replica class out of the whole CONFIG line, named slave", () => {
    expect(parseReplicaOutputLimit("normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60")).toEqual({
      hard: 268435456,
      soft: 67108864,
      seconds: 60,
    });
  });

  it("or named replica, alone or in the line, with units", () => {
    expect(parseReplicaOutputLimit("replica 268435456 67108864 60")).toEqual({ hard: 268435456, soft: 67108864, seconds: 60 });
    expect(parseReplicaOutputLimit("normal 0 0 0 replica 256mb 64mb 60 pubsub 32mb 8mb 60")).toEqual({ hard: 268435456, soft: 67108864, seconds: 60 });
  });

  it("keeps zeros (no limit)", () => {
    expect(parseReplicaOutputLimit("normal 0 0 0 slave 0 0 0 pubsub 0 0 0")).toEqual({ hard: 0, soft: 0, seconds: 0 });
  });

  it("refuses junk and lines without a replica class", () => {
    for (const junk of ["", "garbage", "normal 0 0 0 pubsub 33554432 8388608 60", "slave 256mb 64mb", "slave 256mb lots 60", "slave 256mb 64mb 1m", "normal 0 0 slave 1 2 3"]) {
      expect(parseReplicaOutputLimit(junk), junk).toBeNull();
    }
  });
});

describe("fmtConfigValue", () => {
  const LINE = "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60";

  it("shows the backlog as a size", () => {
    expect(fmtConfigValue("repl-backlog-size", "1048576", t("en"))).toBe("1 MB");
    expect(fmtConfigValue("repl-backlog-size", "1536mb", t("en"))).toBe("1.5 GB");
  });

  it("shows the replica's output-buffer limit as hard / soft / seconds, in the user's language", () => {
    expect(fmtConfigValue("client-output-buffer-limit", LINE, t("en"))).toBe("256 MB / 64 MB / 60 s");
    expect(fmtConfigValue("client-output-buffer-limit", LINE, t("zh-CN"))).toBe("256 MB / 64 MB / 60 秒");
    expect(fmtConfigValue("client-output-buffer-limit", "replica 1gb 0 0", t("en"))).toBe("1 GB / no limit / 0 s");
    expect(fmtConfigValue("client-output-buffer-limit", "normal 0 0 0 slave 0 0 0 pubsub 0 0 0", t("zh-CN"))).toBe("不限制 / 不限制 / 0 秒");
  });

  it("leaves junk and parameters that are not sizes alone", () => {
    expect(fmtConfigValue("repl-backlog-size", "lots", t("en"))).toBeNull();
    expect(fmtConfigValue("client-output-buffer-limit", "normal 0 0 0", t("en"))).toBeNull();
    expect(fmtConfigValue("repl-timeout", "60", t("en"))).toBeNull();
  });
});
