/** The pure pieces of `sync`: key ranges on both sides, COPY text fields, the SQLite schema difference. */
import { describe, expect, it } from "vitest";
import type { TablePlan } from "../../src/convert/convert.js";
import { describeRange, pgRange, rangeKey, sqliteRange } from "../../src/sync/keys.js";
import { fieldsOf, unescapeCopyField } from "../../src/sync/copy-out.js";
import { schemaDifferences } from "../../src/sync/fingerprint.js";

const plan = (keys: string[], kinds: Record<string, TablePlan["columns"][number]["kind"]>): TablePlan => ({
  name: "t",
  pgName: "t",
  columns: Object.entries(kinds).map(([name, kind]) => ({ name, pgName: name, kind })),
  keyColumns: keys,
  sequenceFloor: null,
  rowCount: 0,
});
const pg = (types: Record<string, string>) => new Map(Object.entries(types).map(([k, typname]) => [k, { typname, collatable: typname === "text" }]));

describe("rangeKey", () => {
  it("ranges integer and byte-ordered text keys, and nothing else", () => {
    expect(rangeKey(plan(["id"], { id: "int", v: "text" }), pg({ id: "int4", v: "text" }))).toEqual([{ name: "id", pgName: "id", kind: "int" }]);
    expect(rangeKey(plan(["a", "b"], { a: "bigint", b: "text" }), pg({ a: "int8", b: "varchar" }))?.map((k) => k.kind)).toEqual(["int", "text"]);
    expect(rangeKey(plan(["at"], { at: "timestamp" }), pg({ at: "timestamp" }))).toBeNull();
    expect(rangeKey(plan(["u"], { u: "text" }), pg({ u: "uuid" }))).toBeNull();
    expect(rangeKey(plan(["c"], { c: "text" }), pg({ c: "bpchar" }))).toBeNull();
    expect(rangeKey(plan([], { v: "text" }), pg({ v: "text" }))).toBeNull();
  });
});

describe("ranges on both sides", () => {
  const keys = [
    { name: "a", pgName: "a", kind: "int" as const },
    { name: "b", pgName: "b", kind: "text" as const },
  ];
  it("SQLite compares BINARY, PostgreSQL in the C collation, bounds as parameters", () => {
    expect(sqliteRange(keys, ["1", "x"], ["2", "y"])).toEqual({ where: '("a", "b" COLLATE BINARY) >= (?, ?) AND ("a", "b" COLLATE BINARY) < (?, ?)', params: [1n, "x", 2n, "y"] });
    expect(pgRange(keys, null, ["2", "y"])).toEqual({ where: '("a", "b" COLLATE "C") < ($1::int8, $2::text)', params: ["2", "y"] });
    expect(pgRange([keys[0]], null, null)).toEqual({ where: "true", params: [] });
    expect(pgRange([keys[0]], ["5"], null, (n) => `p${n}`)).toEqual({ where: '"a" >= p1::int8', params: ["5"] });
  });
  it("names a range for messages", () => {
    expect(describeRange([keys[0]], ["2049"], ["4097"])).toBe("2049 ≤ a < 4097");
    expect(describeRange(keys, null, ["1", "x"])).toBe('(a, b) < (1, "x")');
    expect(describeRange(null, null, null)).toBe("the whole table (no key to range it by)");
  });
});

describe("COPY text fields", () => {
  it("picks fields by position and reads escapes back", () => {
    expect(fieldsOf(Buffer.from("1\tab\\tc\t\\N\tz"), [0, 2])).toBe("1\t\\N");
    expect(fieldsOf(Buffer.from("1\tab\\tc"), [1])).toBe("ab\\tc");
    expect(unescapeCopyField("ab\\tc\\\\d\\ne")).toBe("ab\tc\\d\ne");
    expect(unescapeCopyField("plain")).toBe("plain");
  });
});

describe("schemaDifferences", () => {
  const t = (name: string, sql: string) => ({ type: "table", name, table: name, sql });
  it("names what was added, changed and removed", () => {
    expect(schemaDifferences([t("a", "CREATE TABLE a (x)"), t("b", "CREATE TABLE b (y)")], [t("a", "CREATE TABLE a (x, z)"), t("c", "CREATE TABLE c (q)")])).toEqual([
      'table "a" changed: was CREATE TABLE a (x), now CREATE TABLE a (x, z)',
      'table "c" was added: CREATE TABLE c (q)',
      'table "b" was removed',
    ]);
    expect(schemaDifferences([t("a", "CREATE TABLE a (x)")], [t("a", "CREATE TABLE a (x)")])).toEqual([]);
  });
});
