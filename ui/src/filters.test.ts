import { describe, expect, it } from "vitest";
import { clusterRefusedDbs, describeFilter, filterSpec, NO_FILTERS, parseDbMap, splitPatterns, validateFilters } from "./filters";
import { translate } from "./i18n";

const on = (over: Partial<typeof NO_FILTERS>) => ({ ...NO_FILTERS, on: true, ...over });

describe("the db mapping's text", () => {
  it("reads the CLI's SOURCE:TARGET pairs, spaces and a trailing comma allowed", () => {
    expect(parseDbMap("")).toEqual({ mapping: [] });
    expect(parseDbMap(" 0:1, 2 : 3 ,")).toEqual({
      mapping: [
        { source: 0, target: 1 },
        { source: 2, target: 3 },
      ],
    });
  });

  it("says what is wrong: not a pair, out of range, a source or a target twice", () => {
    expect(parseDbMap("0-1")).toEqual({ problem: { key: "filters.badDbEntry", params: { entry: "0-1" } } });
    expect(parseDbMap("0:1, a:2")).toEqual({ problem: { key: "filters.badDbEntry", params: { entry: "a:2" } } });
    expect(parseDbMap("-1:0")).toMatchObject({ problem: { key: "filters.badDbEntry" } });
    expect(parseDbMap("1023:0")).toEqual({ mapping: [{ source: 1023, target: 0 }] });
    expect(parseDbMap("0:1024")).toEqual({ problem: { key: "filters.dbOutOfRange", params: { db: "1024", max: 1023 } } });
    expect(parseDbMap("0:1, 0:2")).toEqual({ problem: { key: "filters.sourceTwice", params: { db: 0 } } });
    expect(parseDbMap("0:1, 2:1")).toEqual({ problem: { key: "filters.targetTwice", params: { a: 0, b: 2, db: 1 } } });
  });
});

describe("key patterns", () => {
  it("are separated by commas, trimmed, with \\, for a comma inside one", () => {
    expect(splitPatterns("  ")).toEqual([]);
    expect(splitPatterns("user:*, order:* ")).toEqual(["user:*", "order:*"]);
    expect(splitPatterns("a\\,b*,c")).toEqual(["a\\,b*", "c"]);
    expect(splitPatterns("user:*,,order:*")).toEqual(["user:*", "", "order:*"]);
    expect(splitPatterns("user:*,")).toEqual(["user:*", ""]);
  });
});

describe("the filter section", () => {
  it("checks nothing and sends nothing when it is off, whatever it holds", () => {
    const off = { on: false, dbMap: "nonsense", include: ",", exclude: "" };
    expect(validateFilters(off)).toEqual({});
    expect(filterSpec(off)).toEqual({ db_mapping: [], include: [], exclude: [] });
  });

  it("names an empty pattern, and a pattern both included and excluded", () => {
    expect(validateFilters(on({ include: "user:*,", exclude: "tmp:*" }))).toEqual({ include: { key: "filters.emptyPattern" } });
    expect(validateFilters(on({ include: "user:*, order:*", exclude: "order:*" }))).toEqual({ exclude: { key: "filters.inBoth", params: { pattern: "order:*" } } });
    expect(validateFilters(on({ dbMap: "0:1", include: "user:*", exclude: "user:tmp*" }))).toEqual({});
  });

  it("becomes the spec's filter", () => {
    expect(filterSpec(on({ dbMap: "0:1", include: "user:*, order:*", exclude: "user:tmp*" }))).toEqual({
      db_mapping: [{ source: 0, target: 1 }],
      include: ["user:*", "order:*"],
      exclude: ["user:tmp*"],
    });
  });

  it("knows which target dbs a cluster cannot hold", () => {
    expect(clusterRefusedDbs(on({ dbMap: "1:0" }))).toEqual([]);
    expect(clusterRefusedDbs(on({ dbMap: "0:1, 2:3, 4:0" }))).toEqual([1, 3]);
    expect(clusterRefusedDbs({ ...on({ dbMap: "0:1" }), on: false })).toEqual([]);
  });

  it("reads in words on a task's page", () => {
    const t = (k: Parameters<typeof translate>[1], p?: Record<string, string | number>) => translate("en", k, p);
    expect(describeFilter({ db_mapping: [], include: [], exclude: [] }, t)).toEqual([
      ["Db mapping", "Same db numbers"],
      ["Include keys", "All keys"],
      ["Exclude keys", "None"],
    ]);
    expect(describeFilter({ db_mapping: [{ source: 0, target: 1 }, { source: 2, target: 3 }], include: ["user:*", "order:*"], exclude: ["tmp:*"] }, t)).toEqual([
      ["Db mapping", "0 → 1, 2 → 3"],
      ["Include keys", "user:*, order:*"],
      ["Exclude keys", "tmp:*"],
    ]);
  });
});
