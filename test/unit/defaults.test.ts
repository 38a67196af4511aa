import { describe, it, expect } from "vitest";
import type { ColumnTypeChoice } from "../../src/core/column-type.js";
import { convertDefault } from "../../src/convert/defaults.js";

const INT: ColumnTypeChoice = { prismaType: "Int", kind: "int" };
const SMALLINT: ColumnTypeChoice = { prismaType: "Int", kind: "int", native: { name: "SmallInt", args: [] } };
const BIGINT: ColumnTypeChoice = { prismaType: "BigInt", kind: "bigint" };
const FLOAT: ColumnTypeChoice = { prismaType: "Float", kind: "float" };
const DEC: ColumnTypeChoice = { prismaType: "Decimal", kind: "decimal", native: { name: "Decimal", args: [10, 2] } };
const TEXT: ColumnTypeChoice = { prismaType: "String", kind: "text" };
const VARCHAR3: ColumnTypeChoice = { prismaType: "String", kind: "text", native: { name: "VarChar", args: [3] } };
const BOOL: ColumnTypeChoice = { prismaType: "Boolean", kind: "boolean" };
const TS: ColumnTypeChoice = { prismaType: "DateTime", kind: "timestamp", native: { name: "Timestamp", args: [3] } };
const DATE: ColumnTypeChoice = { prismaType: "DateTime", kind: "date", native: { name: "Date", args: [] } };
const TIME: ColumnTypeChoice = { prismaType: "DateTime", kind: "time", native: { name: "Time", args: [3] } };
const JSON_: ColumnTypeChoice = { prismaType: "Json", kind: "json" };
const BYTES: ColumnTypeChoice = { prismaType: "Bytes", kind: "bytes" };

const now = { kind: "now" };
const LOCAL = "localtime default becomes now() (server time zone semantics differ)";

describe("no default / NULL", () => {
  it("null and NULL give no default and no note", () => {
    expect(convertDefault(null, INT)).toEqual({ value: null });
    expect(convertDefault("NULL", INT)).toEqual({ value: null });
    expect(convertDefault("(null)", TEXT)).toEqual({ value: null });
  });
});

describe("current time", () => {
  it.each([
    "CURRENT_TIMESTAMP",
    "current_timestamp",
    "(CURRENT_TIMESTAMP)",
    "datetime('now')",
    "(datetime('now'))",
    "DATETIME( 'now' )",
    "datetime()",
    "datetime('now', 'utc')",
    "strftime('%Y-%m-%d %H:%M:%f', 'now')",
    "(strftime('%Y-%m-%dT%H:%M:%fZ','now'))",
    "strftime('%Y-%m-%d %H:%M:%f', 'now', 'subsec')",
  ])("%s → now() on a timestamp, noting the UTC/session time zone difference", (sql) => {
    const c = convertDefault(sql, TS);
    expect(c.value).toEqual(now);
    expect(c.note).toMatch(/UTC/);
  });
  it("localtime variants → now() with a note", () => {
    expect(convertDefault("DATETIME('now', 'localtime')", TS)).toEqual({ value: now, note: LOCAL });
    expect(convertDefault("(DATETIME('now', 'localtime'))", TS)).toEqual({ value: now, note: LOCAL });
    expect(convertDefault("datetime('now','localtime')", TS)).toEqual({ value: now, note: LOCAL });
  });
  it("current_date / date('now') → CURRENT_DATE on date and timestamp columns", () => {
    const cd = { value: { kind: "dbgenerated", sql: "CURRENT_DATE" } };
    expect(convertDefault("current_date", TS)).toMatchObject(cd);
    expect(convertDefault("CURRENT_DATE", DATE)).toMatchObject(cd);
    expect(convertDefault("date('now')", DATE)).toMatchObject(cd);
    expect(convertDefault("CURRENT_TIMESTAMP", DATE)).toMatchObject({ value: now });
  });
  it("time columns", () => {
    expect(convertDefault("CURRENT_TIME", TIME)).toMatchObject({ value: now });
    expect(convertDefault("time('now')", TIME)).toMatchObject({ value: now });
    expect(convertDefault("CURRENT_DATE", TIME).value).toBeNull();
    expect(convertDefault("CURRENT_TIME", TS).value).toBeNull();
  });
  it("text columns get the same text format SQLite writes", () => {
    const r = convertDefault("CURRENT_TIMESTAMP", TEXT);
    expect(r.value).toEqual({ kind: "dbgenerated", sql: "to_char((CURRENT_TIMESTAMP AT TIME ZONE 'UTC'), 'YYYY-MM-DD HH24:MI:SS')" });
    expect(r.note).toBe("default CURRENT_TIMESTAMP on a text column becomes to_char(...) in the same format");
    expect(convertDefault("date('now')", TEXT).value).toEqual({ kind: "dbgenerated", sql: "to_char((CURRENT_TIMESTAMP AT TIME ZONE 'UTC'), 'YYYY-MM-DD')" });
    expect(convertDefault("datetime('now','localtime')", TEXT).value).toEqual({ kind: "dbgenerated", sql: "to_char(LOCALTIMESTAMP, 'YYYY-MM-DD HH24:MI:SS')" });
  });
  it("shifted or unknown clock expressions are dropped with a note", () => {
    for (const sql of ["datetime('now', '+1 day')", "datetime('2020-01-01')", "julianday('now')", "unixepoch()"]) {
      expect(convertDefault(sql, TS)).toEqual({ value: null, note: `default ${sql} has no PostgreSQL equivalent; dropped` });
    }
    expect(convertDefault("strftime('%s','now')", INT).value).toBeNull();
    // any strftime format of 'now' is still "the current instant" for a DateTime column
    expect(convertDefault("strftime('%s', 'now')", TS).value).toEqual(now);
    expect(convertDefault("strftime('%Y','now')", TEXT).value).toBeNull();
    expect(convertDefault("CURRENT_TIMESTAMP", INT).value).toBeNull();
  });
});

describe("temporal literals", () => {
  it("0 on a DATETIME is dropped with a note", () => {
    expect(convertDefault("0", TS)).toEqual({ value: null, note: "default 0 on a DATETIME column has no timestamp meaning; dropped" });
  });
  it("strict timestamp / date / time literals become typed PostgreSQL literals", () => {
    expect(convertDefault("'2020-01-01 00:00:00'", TS)).toEqual({ value: { kind: "dbgenerated", sql: "'2020-01-01 00:00:00'::timestamp" } });
    expect(convertDefault("'2020-01-01T12:30:00.123'", TS)).toEqual({ value: { kind: "dbgenerated", sql: "'2020-01-01 12:30:00.123'::timestamp" } });
    expect(convertDefault("'2020-02-29'", TS).value).toEqual({ kind: "dbgenerated", sql: "'2020-02-29'::timestamp" });
    expect(convertDefault("'2020-02-29'", DATE).value).toEqual({ kind: "dbgenerated", sql: "'2020-02-29'::date" });
    expect(convertDefault("'12:30'", TIME).value).toEqual({ kind: "dbgenerated", sql: "'12:30'::time" });
  });
  it.each(["'2019-02-29'", "'2020-13-01'", "'2020-01-01 24:00:00'", "'yesterday'", "'now'", "''", "'2020-01-01 00:00:00+02'"])("%s is dropped", (sql) => {
    expect(convertDefault(sql, TS)).toEqual({ value: null, note: `default ${sql} has no PostgreSQL equivalent; dropped` });
  });
});

describe("numbers", () => {
  it("'0', 0, '\"0\"' on integers", () => {
    expect(convertDefault("'0'", INT)).toEqual({ value: { kind: "number", value: "0" } });
    expect(convertDefault("0", INT)).toEqual({ value: { kind: "number", value: "0" } });
    expect(convertDefault("'\"0\"'", INT).value).toEqual({ kind: "number", value: "0" });
    expect(convertDefault("-5", BIGINT).value).toEqual({ kind: "number", value: "-5" });
    expect(convertDefault("(+7)", INT).value).toEqual({ kind: "number", value: "7" });
    expect(convertDefault("0x1F", INT).value).toEqual({ kind: "number", value: "31" });
    expect(convertDefault("1.0", INT).value).toEqual({ kind: "number", value: "1" });
    expect(convertDefault("TRUE", INT).value).toEqual({ kind: "number", value: "1" });
  });
  it("integers must be integral and in range", () => {
    expect(convertDefault("1.5", INT).value).toBeNull();
    expect(convertDefault("1e3", INT).value).toBeNull();
    expect(convertDefault("2147483648", INT).note).toMatch(/does not fit Int/);
    expect(convertDefault("2147483648", BIGINT).value).toEqual({ kind: "number", value: "2147483648" });
    expect(convertDefault("9223372036854775808", BIGINT).value).toBeNull();
    expect(convertDefault("40000", SMALLINT).value).toBeNull();
    expect(convertDefault("'abc'", INT)).toEqual({ value: null, note: "default 'abc' has no PostgreSQL equivalent; dropped" });
    expect(convertDefault("''", INT).value).toBeNull();
    expect(convertDefault('""', INT).value).toBeNull();
  });
  it("floats and decimals", () => {
    expect(convertDefault("1.5", FLOAT).value).toEqual({ kind: "number", value: "1.5" });
    expect(convertDefault("1e3", FLOAT).value).toEqual({ kind: "number", value: "1000" });
    expect(convertDefault("1e999", FLOAT).value).toBeNull();
    expect(convertDefault("'0.00'", DEC).value).toEqual({ kind: "number", value: "0.00" });
    expect(convertDefault("-12345678.99", DEC).value).toEqual({ kind: "number", value: "-12345678.99" });
    expect(convertDefault("123456789", DEC).value).toBeNull();
    expect(convertDefault("0.001", DEC).value).toBeNull();
  });
});

describe("booleans", () => {
  it.each([
    ["true", true],
    ["FALSE", false],
    ["1", true],
    ["0", false],
    ["'1'", true],
    ["'0'", false],
    ["'t'", true],
    ["'false'", false],
  ])("%s → %s", (sql, v) => {
    expect(convertDefault(sql, BOOL)).toEqual({ value: { kind: "boolean", value: v } });
  });
  it("anything else is dropped", () => {
    expect(convertDefault("2", BOOL).value).toBeNull();
    expect(convertDefault("'yes'", BOOL)).toEqual({ value: null, note: "default 'yes' has no PostgreSQL equivalent; dropped" });
  });
});

describe("strings", () => {
  it("quoted strings, with '' unescaped", () => {
    expect(convertDefault("'hello'", TEXT)).toEqual({ value: { kind: "string", value: "hello" } });
    expect(convertDefault("'it''s'", TEXT)).toEqual({ value: { kind: "string", value: "it's" } });
    expect(convertDefault("''", TEXT)).toEqual({ value: { kind: "string", value: "" } });
    expect(convertDefault("'a, b'", TEXT).value).toEqual({ kind: "string", value: "a, b" });
    expect(convertDefault("'(x)'", TEXT).value).toEqual({ kind: "string", value: "(x)" });
  });
  it('"" (double-quoted) is the empty string', () => {
    expect(convertDefault('""', TEXT)).toEqual({ value: { kind: "string", value: "" } });
    expect(convertDefault('"say ""hi"""', TEXT).value).toEqual({ kind: "string", value: 'say "hi"' });
  });
  it("numbers on text columns are their text (TEXT affinity)", () => {
    expect(convertDefault("0", TEXT).value).toEqual({ kind: "string", value: "0" });
  });
  it("too long for varchar(n), NUL, or expressions → dropped", () => {
    expect(convertDefault("'abcd'", VARCHAR3).note).toMatch(/longer than VarChar\(3\)/);
    expect(convertDefault("'abc'", VARCHAR3).value).toEqual({ kind: "string", value: "abc" });
    expect(convertDefault("'a\u0000b'", TEXT).value).toBeNull();
    expect(convertDefault("'a' || 'b'", TEXT)).toEqual({ value: null, note: "default 'a' || 'b' has no PostgreSQL equivalent; dropped" });
    expect(convertDefault("lower('A')", TEXT).value).toBeNull();
    expect(convertDefault("constructor", TEXT).value).toBeNull();
  });
});

describe("json and bytes", () => {
  it("valid JSON text → string default; invalid → dropped", () => {
    expect(convertDefault("'{}'", JSON_)).toEqual({ value: { kind: "string", value: "{}" } });
    expect(convertDefault("'[1, \"a\"]'", JSON_).value).toEqual({ kind: "string", value: '[1, "a"]' });
    expect(convertDefault("'{oops'", JSON_).value).toBeNull();
  });
  it("X'..' blob literal → decode(hex)", () => {
    expect(convertDefault("X'00FF'", BYTES)).toEqual({ value: { kind: "dbgenerated", sql: "decode('00ff', 'hex')" } });
    expect(convertDefault("'abc'", BYTES).value).toBeNull();
  });
});
