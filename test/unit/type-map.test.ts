import { describe, it, expect } from "vitest";
import type { ColumnProfile } from "../../src/core/column-type.js";
import { chooseColumnType, familyOf, parseTypeOverride, TYPE_RULES } from "../../src/convert/type-map.js";

function profile(p: Partial<Omit<ColumnProfile, "storage">> & { storage?: Partial<ColumnProfile["storage"]> } = {}): ColumnProfile {
  const storage = { integer: 0, real: 0, text: 0, blob: 0, ...p.storage };
  return {
    nonNull: p.nonNull ?? storage.integer + storage.real + storage.text + storage.blob,
    minInt: null,
    maxInt: null,
    maxTextLength: 0,
    maxIntegerDigits: 0,
    maxFractionDigits: 0,
    maxSecondFractionDigits: 0,
    booleanLike: false,
    temporalTexts: 0,
    suspectTexts: 0,
    zonedTexts: 0,
    canonicalTimestampTexts: 0,
    canonicalDateTexts: 0,
    binaryBlobs: 0,
    epochIntegers: { seconds: 0, millis: 0, implausible: 0, lateSeconds: 0 },
    ...p,
    storage,
  };
}
const ints = (min: bigint, max: bigint, extra: Partial<ColumnProfile> = {}) => profile({ storage: { integer: 3 }, minInt: min, maxInt: max, ...extra });

function choose(declaredType: string, prof?: ColumnProfile, extra: { isAutoincrementPk?: boolean; override?: string } = {}) {
  return chooseColumnType({
    table: "t",
    column: { name: "c", declaredType, notNull: false, defaultSql: null, pkOrder: 0, hidden: 0 },
    profile: prof,
    ...extra,
  });
}

describe("integers", () => {
  it("Int when every value fits 32 bits, with no native attribute", () => {
    expect(choose("INTEGER", ints(-2147483648n, 2147483647n))).toEqual({ prismaType: "Int", kind: "int" });
  });
  it("BigInt with a note beyond 32 bits, both directions", () => {
    expect(choose("INTEGER", ints(0n, 9223372036854775807n))).toEqual({
      prismaType: "BigInt",
      kind: "bigint",
      note: "INTEGER values up to 9223372036854775807 exceed 32 bits",
    });
    expect(choose("INTEGER", ints(-9223372036854775808n, 5n)).note).toBe("INTEGER values down to -9223372036854775808 exceed 32 bits");
    expect(choose("int", ints(0n, 2147483648n)).prismaType).toBe("BigInt");
  });
  it("declaration alone without a profile (or with only NULLs)", () => {
    expect(choose("INTEGER")).toEqual({ prismaType: "Int", kind: "int" });
    expect(choose("bigint")).toEqual({ prismaType: "BigInt", kind: "bigint" });
    expect(choose("INTEGER", profile({ nonNull: 0 }))).toEqual({ prismaType: "Int", kind: "int" });
  });
  it("declared bigint stays BigInt even with small values", () => {
    expect(choose("bigint", ints(1n, 5n))).toEqual({ prismaType: "BigInt", kind: "bigint" });
  });
  it.each(["intege", "integer auto_increment", "short integer", "INT", "mediumint", "int(11)"])("%s follows INTEGER affinity", (t) => {
    expect(choose(t, ints(1n, 10n))).toEqual({ prismaType: "Int", kind: "int" });
    expect(choose(t, ints(1n, 2n ** 40n)).prismaType).toBe("BigInt");
  });
  it("smallint/tinyint: @db.SmallInt only when the data fits 16 bits", () => {
    expect(choose("smallint", ints(-32768n, 32767n))).toEqual({ prismaType: "Int", kind: "int", native: { name: "SmallInt", args: [] } });
    expect(choose("tinyint", ints(0n, 1n)).native).toEqual({ name: "SmallInt", args: [] });
    expect(choose("tinyint")).toEqual({ prismaType: "Int", kind: "int", native: { name: "SmallInt", args: [] } });
    expect(choose("smallint", ints(0n, 40000n))).toEqual({ prismaType: "Int", kind: "int" });
    expect(choose("smallint", ints(0n, 2n ** 33n)).prismaType).toBe("BigInt");
  });
  it("smallint unsigned (may exceed smallint) → plain Int", () => {
    expect(choose("smallint unsigned", ints(0n, 65535n))).toEqual({ prismaType: "Int", kind: "int" });
    expect(choose("smallint unsigned")).toEqual({ prismaType: "Int", kind: "int" });
  });
  it("an autoincrement key never becomes SmallInt", () => {
    expect(choose("smallint", ints(1n, 10n), { isAutoincrementPk: true })).toEqual({ prismaType: "Int", kind: "int" });
  });
  it("a non-standard integer name holding mixed values lets the values decide (sqlite.db's `intege`)", () => {
    const mixed = profile({ nonNull: 3, storage: { integer: 1, text: 1, real: 1 }, minInt: 1n, maxInt: 1n });
    const c = choose("intege", mixed);
    expect(c).toMatchObject({ prismaType: "String", kind: "text" });
    expect(c.note).toMatch(/holds text values/);
  });
  it("notes values SQLite could not convert (the copy rejects them)", () => {
    const c = choose("INTEGER", profile({ storage: { integer: 1, text: 1 }, minInt: 1n, maxInt: 1n }));
    expect(c.prismaType).toBe("Int");
    expect(c.note).toMatch(/1 text value\(s\) of another storage class/);
  });
});

describe("floats", () => {
  it.each(["REAL", "FLOAT", "double", "double precision", '"double precision"', "DOUBLE PRECISION"])("%s → Float (double precision)", (t) => {
    expect(choose(t, profile({ storage: { real: 2, integer: 1 } }))).toEqual({ prismaType: "Float", kind: "float" });
    expect(choose(t)).toEqual({ prismaType: "Float", kind: "float" });
  });
});

describe("decimals", () => {
  it("NUMERIC(p,s) kept when the data fits", () => {
    expect(choose("NUMERIC(10,2)", profile({ storage: { real: 5 }, maxIntegerDigits: 8, maxFractionDigits: 2 }))).toEqual({
      prismaType: "Decimal",
      kind: "decimal",
      native: { name: "Decimal", args: [10, 2] },
    });
    expect(choose("numeric(20, 6)")).toEqual({ prismaType: "Decimal", kind: "decimal", native: { name: "Decimal", args: [20, 6] } });
    expect(choose("DECIMAL(5)").native).toEqual({ name: "Decimal", args: [5, 0] });
  });
  it("widens (p,s) to fit fraction and integer digits, with a note", () => {
    const c = choose("numeric(12,4)", profile({ storage: { real: 3 }, maxIntegerDigits: 3, maxFractionDigits: 7 }));
    expect(c.native).toEqual({ name: "Decimal", args: [15, 7] });
    expect(c.note).toBe("values need 3 integer and 7 fraction digits; widened numeric(12,4) to numeric(15,7)");
    const d = choose("NUMERIC(10,2)", profile({ storage: { integer: 1 }, minInt: 0n, maxInt: 123456789012n }));
    expect(d.native).toEqual({ name: "Decimal", args: [14, 2] });
  });
  it("bare NUMERIC/DECIMAL → Decimal(65,30) with a note", () => {
    const c = choose("DECIMAL");
    expect(c.native).toEqual({ name: "Decimal", args: [65, 30] });
    expect(c.note).toMatch(/Decimal\(65,30\)/);
    expect(choose("numeric", profile({ storage: { integer: 1 }, minInt: 5n, maxInt: 5n })).prismaType).toBe("Decimal");
  });
});

describe("text", () => {
  it.each([
    ["NVARCHAR(160)", "VarChar", 160],
    ["varchar(20)", "VarChar", 20],
    ["VARYING CHARACTER(255)", "VarChar", 255],
    ["NATIONAL VARCHAR(10)", "VarChar", 10],
  ])("%s → String @db.%s(%d)", (t, name, n) => {
    expect(choose(t, profile({ storage: { text: 1 }, maxTextLength: n }))).toEqual({ prismaType: "String", kind: "text", native: { name, args: [n] } });
    expect(choose(t)).toEqual({ prismaType: "String", kind: "text", native: { name, args: [n] } });
  });
  it.each([
    ["character(20)", 20],
    ["char(70)", 70],
    ["NCHAR(55)", 55],
  ])("%s → String @db.VarChar(%d), with a note (char(n) would pad with spaces)", (t, n) => {
    const c = choose(t, profile({ storage: { text: 1 }, maxTextLength: n }));
    expect(c).toMatchObject({ prismaType: "String", kind: "text", native: { name: "VarChar", args: [n] } });
    expect(c.note).toMatch(/pad/);
  });
  it("values longer than n → plain String, naming the longest", () => {
    expect(choose("NVARCHAR(10)", profile({ storage: { text: 1 }, maxTextLength: 42 }))).toEqual({
      prismaType: "String",
      kind: "text",
      note: "values up to 42 characters exceed varchar(10); kept as text",
    });
    expect(choose("char(2)", profile({ storage: { text: 1 }, maxTextLength: 3 })).native).toBeUndefined();
  });
  it.each(["TEXT", "CLOB", "text nocase", "varchar", "char", "uuid", "STRING_TYPE TEXT"])("%s → String (text)", (t) => {
    expect(choose(t, profile({ storage: { text: 1 }, maxTextLength: 5 }))).toEqual({ prismaType: "String", kind: "text" });
  });
});

describe("dates, booleans, json, bytes", () => {
  it("DATETIME/TIMESTAMP → Timestamp(3), or 6 with microseconds", () => {
    expect(choose("DATETIME")).toEqual({ prismaType: "DateTime", kind: "timestamp", native: { name: "Timestamp", args: [3] } });
    expect(choose("datetime", profile({ storage: { text: 1 }, maxSecondFractionDigits: 3 })).native).toEqual({ name: "Timestamp", args: [3] });
    expect(choose("TIMESTAMP", profile({ storage: { text: 1 }, maxSecondFractionDigits: 6 }))).toEqual({
      prismaType: "DateTime",
      kind: "timestamp",
      native: { name: "Timestamp", args: [6] },
      note: "microsecond values present",
    });
    expect(choose("TIMESTAMP", profile({ storage: { text: 1 }, maxSecondFractionDigits: 9 })).note).toMatch(/keeps 6/);
  });
  it("DATE and TIME", () => {
    expect(choose("DATE")).toEqual({ prismaType: "DateTime", kind: "date", native: { name: "Date", args: [] } });
    expect(choose("time")).toEqual({ prismaType: "DateTime", kind: "time", native: { name: "Time", args: [3] } });
    expect(choose("TIME", profile({ storage: { text: 1 }, maxSecondFractionDigits: 5 })).native).toEqual({ name: "Time", args: [6] });
  });
  it("BOOLEAN/BOOL → Boolean, unless values other than 0/1 appear", () => {
    expect(choose("BOOLEAN")).toEqual({ prismaType: "Boolean", kind: "boolean" });
    expect(choose("bool", profile({ storage: { integer: 2 }, minInt: 0n, maxInt: 1n, booleanLike: true }))).toEqual({ prismaType: "Boolean", kind: "boolean" });
    const c = choose("BOOLEAN", profile({ storage: { integer: 2 }, minInt: 0n, maxInt: 2n, booleanLike: false }));
    expect(c.prismaType).toBe("Int");
    expect(c.note).toMatch(/other than 0\/1; kept as Int/);
  });
  it("JSON/JSONB → Json (jsonb)", () => {
    expect(choose("JSON")).toEqual({ prismaType: "Json", kind: "json" });
    expect(choose("jsonb")).toEqual({ prismaType: "Json", kind: "json" });
  });
  it("declared BLOB → Bytes", () => {
    expect(choose("BLOB", profile({ storage: { blob: 2 } }))).toEqual({ prismaType: "Bytes", kind: "bytes" });
    expect(choose("blob")).toEqual({ prismaType: "Bytes", kind: "bytes" });
  });
});

describe("no declared type: the values decide", () => {
  it("only integers → Int/BigInt", () => {
    expect(choose("", ints(1n, 2n))).toEqual({ prismaType: "Int", kind: "int" });
    expect(choose("", ints(1n, 2n ** 35n)).prismaType).toBe("BigInt");
  });
  it("only text → String, only reals → Float, only blobs → Bytes", () => {
    expect(choose("", profile({ storage: { text: 2 } }))).toEqual({ prismaType: "String", kind: "text" });
    expect(choose("", profile({ storage: { real: 2 } }))).toEqual({ prismaType: "Float", kind: "float" });
    expect(choose("", profile({ storage: { blob: 2 } }))).toEqual({ prismaType: "Bytes", kind: "bytes" });
  });
  it("mixed (1, 'toto', 12.3) → String with a note", () => {
    const c = choose("", profile({ storage: { integer: 1, text: 1, real: 1 }, minInt: 1n, maxInt: 1n }));
    expect(c.prismaType).toBe("String");
    expect(c.note).toMatch(/holds text values; kept as text/);
  });
  it("blobs with text only → Bytes (text as its UTF-8 bytes), with a note", () => {
    expect(choose("", profile({ storage: { blob: 1, text: 2 } }))).toEqual({
      prismaType: "Bytes",
      kind: "bytes",
      note: "untyped column holds blobs mixed with text; kept as bytes (text as its UTF-8 bytes)",
    });
  });
  it("blobs of UTF-8 text with numbers → String: the one type that holds every value", () => {
    expect(choose("", profile({ storage: { blob: 2, integer: 1, real: 1 }, minInt: 4n, maxInt: 4n }))).toEqual({
      prismaType: "String",
      kind: "text",
      note: "untyped column mixes 2 blob(s) with 1 integer(s), 1 real(s); kept as text: numbers as their decimal spelling, blobs as the UTF-8 text they hold",
    });
    expect(choose("ANY", profile({ storage: { blob: 1, integer: 1 }, minInt: 4n, maxInt: 4n })).prismaType).toBe("String");
  });
  it("binary blobs with numbers → Bytes, the note naming the UPDATE that makes every value bytes", () => {
    const c = chooseColumnType({
      table: 'my "t"',
      column: { name: "v", declaredType: "", notNull: false, defaultSql: null, pkOrder: 0, hidden: 0 },
      profile: profile({ storage: { blob: 2, integer: 1 }, minInt: 4n, maxInt: 4n, binaryBlobs: 1 }),
    });
    expect(c).toEqual({
      prismaType: "Bytes",
      kind: "bytes",
      note: `untyped column mixes 2 blob(s) with 1 integer(s), and 1 blob(s) are not UTF-8 text: no PostgreSQL type holds binary data and numbers exactly, so the copy refuses the numbers: to keep them as bytes, on a copy of the file run UPDATE "my ""t""" SET "v" = CAST("v" AS BLOB) WHERE typeof("v") IN ('integer', 'real')`,
    });
  });
  it("no values → String with a note", () => {
    expect(choose("")).toEqual({ prismaType: "String", kind: "text", note: "no declared type and no values; chose String" });
  });
});

describe("unknown NUMERIC-affinity names follow the values", () => {
  it("integers → Int, integers+reals → Float, text → String with a note", () => {
    expect(choose("money", ints(1n, 5n))).toEqual({ prismaType: "Int", kind: "int" });
    expect(choose("money", profile({ storage: { integer: 1, real: 1 }, minInt: 1n, maxInt: 1n }))).toEqual({ prismaType: "Float", kind: "float" });
    expect(choose("STRING", profile({ storage: { integer: 1, text: 1 }, minInt: 1n, maxInt: 1n })).note).toBe("column holds text values; kept as text");
    expect(choose("money", profile({ storage: { integer: 1, real: 1 }, minInt: 0n, maxInt: 2n ** 60n })).prismaType).toBe("String");
  });
  it("no values → Decimal(65,30) with a note", () => {
    expect(choose("money").native).toEqual({ name: "Decimal", args: [65, 30] });
  });
});

describe("rules table", () => {
  it("is exported data and can be replaced", () => {
    expect(familyOf("NVARCHAR(160)")).toBe("varchar");
    expect(familyOf("smallint unsigned")).toBe("loose-integer");
    expect(familyOf("INTEGER")).toBe("integer");
    const rules = [{ base: /^text nocase$/, family: "varchar" as const }, ...TYPE_RULES];
    expect(familyOf("text nocase", rules)).toBe("varchar");
  });
});

describe("overrides (--type)", () => {
  it.each([
    ["BigInt", { prismaType: "BigInt", kind: "bigint" }],
    ["String", { prismaType: "String", kind: "text" }],
    ["Decimal(12,4)", { prismaType: "Decimal", kind: "decimal", native: { name: "Decimal", args: [12, 4] } }],
    ["Decimal", { prismaType: "Decimal", kind: "decimal", native: { name: "Decimal", args: [65, 30] } }],
    ["VarChar(20)", { prismaType: "String", kind: "text", native: { name: "VarChar", args: [20] } }],
    ["@db.VarChar(20)", { prismaType: "String", kind: "text", native: { name: "VarChar", args: [20] } }],
    ["String @db.Char(3)", { prismaType: "String", kind: "text", native: { name: "Char", args: [3] } }],
    ["Timestamp(6)", { prismaType: "DateTime", kind: "timestamp", native: { name: "Timestamp", args: [6] } }],
    ["DateTime", { prismaType: "DateTime", kind: "timestamp", native: { name: "Timestamp", args: [3] } }],
    ["Date", { prismaType: "DateTime", kind: "date", native: { name: "Date", args: [] } }],
    ["SmallInt", { prismaType: "Int", kind: "int", native: { name: "SmallInt", args: [] } }],
    ["Json", { prismaType: "Json", kind: "json" }],
    ["Bytes", { prismaType: "Bytes", kind: "bytes" }],
    ["Boolean", { prismaType: "Boolean", kind: "boolean" }],
  ])("%s", (text, expected) => {
    expect(choose("INTEGER", ints(1n, 2n), { override: text })).toEqual({ ...expected, note: "overridden by --type" });
  });
  it.each(["Foo", "VarChar", "VarChar(0)", "Timestamp(9)", "Decimal(4,6)", "constructor", "Int(3)", ""])("rejects %j with a usage error", (text) => {
    expect(() => parseTypeOverride(text, "t", "c")).toThrow(expect.objectContaining({ code: "BAD_TYPE_OVERRIDE", kind: "usage", object: { table: "t", column: "c" } }));
  });
});
