/* What of the source a task migrates (db mapping, key patterns): the form's text, its checks, and
 * how a task's filter reads. The text is the CLI's: `--db-map 0:1,2:3`, patterns like `user:*`. */
import type { DbMapping } from "./bindings";
import type { MessageKey, Translate } from "./i18n";

/** The highest db number the form takes: Redis's `databases` is configurable, and the pre-check
 * compares the mapping with the target's. */
export const MAX_DB = 1023;

/** A message for a field, with its placeholders. */
export interface Problem {
  key: MessageKey;
  params?: Record<string, string | number>;
}

/** The filter section of the create-task form, as typed. */
export interface FilterFields {
  /** Off: the whole source, every db into the same number (what is typed below is kept, not sent). */
  on: boolean;
  /** `SOURCE:TARGET` pairs separated by commas, e.g. `0:1, 2:3`. */
  dbMap: string;
  /** Redis glob patterns separated by commas (`\,` is a comma inside one); empty: every key. */
  include: string;
  /** Patterns of keys to leave out; empty: none. */
  exclude: string;
}

export const NO_FILTERS: FilterFields = { on: false, dbMap: "", include: "", exclude: "" };

export type FilterErrors = Partial<Record<"dbMap" | "include" | "exclude", Problem>>;

/** `0:1, 2:3` as mappings (empty entries, as after a trailing comma, are skipped), or what is wrong. */
export function parseDbMap(text: string): { mapping: DbMapping[] } | { problem: Problem } {
  const mapping: DbMapping[] = [];
  for (const raw of text.split(",")) {
    const entry = raw.trim();
    if (entry === "") continue;
    const m = /^(\d+)\s*:\s*(\d+)$/.exec(entry);
    if (!m) return { problem: { key: "filters.badDbEntry", params: { entry } } };
    for (const digits of [m[1]!, m[2]!]) {
      if (Number(digits) > MAX_DB) return { problem: { key: "filters.dbOutOfRange", params: { db: digits, max: MAX_DB } } };
    }
    const [source, target] = [Number(m[1]), Number(m[2])];
    if (mapping.some((d) => d.source === source)) return { problem: { key: "filters.sourceTwice", params: { db: source } } };
    const other = mapping.find((d) => d.target === target);
    // The console refuses two source dbs written into one target db.
    if (other) return { problem: { key: "filters.targetTwice", params: { a: other.source, b: source, db: target } } };
    mapping.push({ source, target });
  }
  return { mapping };
}

/**
 * Patterns separated by commas, each trimmed; a comma escaped with a backslash (`\,`) stays in its
 * pattern, where the glob reads it as a comma. Empty text is no pattern; an empty pattern (two
 * commas in a row, a comma at an end) is kept as "", for the check to name.
 */
export function splitPatterns(text: string): string[] {
  if (text.trim() === "") return [];
  const out: string[] = [];
  let current = "";
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === "\\" && i + 1 < text.length) {
      current += c + text[i + 1]!;
      i++;
    } else if (c === ",") {
      out.push(current.trim());
      current = "";
    } else current += c;
  }
  out.push(current.trim());
  return out;
}

/** What the form can tell before the pre-check: the syntax, numbers in range, nothing twice. */
export function validateFilters(f: FilterFields): FilterErrors {
  if (!f.on) return {};
  const errors: FilterErrors = {};
  const db = parseDbMap(f.dbMap);
  if ("problem" in db) errors.dbMap = db.problem;
  const include = splitPatterns(f.include);
  const exclude = splitPatterns(f.exclude);
  if (include.includes("")) errors.include = { key: "filters.emptyPattern" };
  if (exclude.includes("")) errors.exclude = { key: "filters.emptyPattern" };
  const both = exclude.find((p) => p !== "" && include.includes(p));
  if (both !== undefined && !errors.exclude) errors.exclude = { key: "filters.inBoth", params: { pattern: both } };
  return errors;
}

/** The spec's filter for the section: nothing when it is off (or, for a field, while it is invalid). */
export function filterSpec(f: FilterFields): { db_mapping: DbMapping[]; include: string[]; exclude: string[] } {
  if (!f.on) return { db_mapping: [], include: [], exclude: [] };
  const db = parseDbMap(f.dbMap);
  return {
    db_mapping: "mapping" in db ? db.mapping : [],
    include: splitPatterns(f.include).filter((p) => p !== ""),
    exclude: splitPatterns(f.exclude).filter((p) => p !== ""),
  };
}

/** The target dbs other than 0 the section maps into: what a cluster target (db 0 only) cannot hold. */
export function clusterRefusedDbs(f: FilterFields): number[] {
  if (!f.on) return [];
  const db = parseDbMap(f.dbMap);
  if (!("mapping" in db)) return [];
  return [...new Set(db.mapping.filter((d) => d.target !== 0).map((d) => d.target))];
}

/** The mappings that move a db (`0:0` changes nothing). */
export function movedDbs(mapping: DbMapping[]): DbMapping[] {
  return mapping.filter((d) => d.source !== d.target);
}

/** `0 → 1, 2 → 3`. */
export function fmtDbMapping(mapping: DbMapping[], arrow = " → "): string {
  return mapping.map((d) => `${d.source}${arrow}${d.target}`).join(", ");
}

type Line = [label: string, value: string];

/** A task's filter in words, a line per part: for its page and the task list's tooltip. */
export function describeFilter(spec: { db_mapping: DbMapping[]; include: string[]; exclude: string[] }, t: Translate): [db: Line, include: Line, exclude: Line] {
  return [
    [t("filters.dbMapShort"), spec.db_mapping.length === 0 ? t("filters.sameDbs") : fmtDbMapping(spec.db_mapping)],
    [t("filters.include"), spec.include.length === 0 ? t("filters.allKeys") : spec.include.join(", ")],
    [t("filters.exclude"), spec.exclude.length === 0 ? t("filters.none") : spec.exclude.join(", ")],
  ];
}
