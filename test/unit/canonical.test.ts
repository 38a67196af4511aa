import { describe, expect, it } from "vitest";
import type { ValueKind } from "../../src/core/column-type.js";
import {
  canonicalDecimal,
  canonicalJson,
  compareCodePoints,
  displayCanonical,
  makeCanonicalComparator,
  makeSourceCanonicalizer,
  makeTargetCanonicalizer,
  unescapeCopyText,
  type CanonicalColumn,
} from "../../src/verify/content/canonical.js";

const src = (col: CanonicalColumn | ValueKind, v: unknown) =>
  makeSourceCanonicalizer(typeof col === "string" ? { kind: col } : col)(v);
const tgt = (col: CanonicalColumn | ValueKind, s: string | null) =>
  makeTargetCanonicalizer(typeof col === "string" ? { kind: col } : col)(s);
/** The SQLite value and PostgreSQL's text canonicalize identically. */
const same = (col: CanonicalColumn | ValueKind, v: unknown, pgText: string) => expect(src(col, v), `${String(v)} vs ${pgText}`).toBe(tgt(col, pgText));
const differ = (col: CanonicalColumn | ValueKind, v: unknown, pgText: string) => expect(src(col, v)).not.toBe(tgt(col, pgText));

describe("decimal", () => {
  it("ignores the trailing zeros numeric prints for its scale", () => {
    same("decimal", 1.5, "1.50");
    same("decimal", 42n, "42.00");
    same("decimal", "0.990", "0.99");
    same("decimal", "1e3", "1000.00");
    same("decimal", 0, "0.00");
    same("decimal", "-0.0", "0.00");
    same("decimal", 123456789012345678901234567890n, "123456789012345678901234567890.00");
    expect(canonicalDecimal("-000.0100")).toBe("-0.01");
    expect(canonicalDecimal("+.5e-2")).toBe("0.005");
  });
  it("sees PostgreSQL's rounding as a difference", () => {
    differ("decimal", 1.555, "1.56");
    differ("decimal", 1.5, "1.51");
  });
});

describe("float", () => {
  it("compares the shortest representations of JS and PostgreSQL", () => {
    same("float", 1e-7, "1e-07");
    same("float", 1e15, "1e+15");
    same("float", 0.1, "0.1");
    same("float", 5n, "5");
    same("float", "2.50", "2.5");
    same("float", -0, "-0");
    same("float", Number.MAX_VALUE, "1.7976931348623157e+308");
    differ("float", 0.1, "0.10000000000000002");
  });
});

describe("timestamps", () => {
  it("matches with and without a fraction, ISO 'T', offsets and epochs", () => {
    same("timestamp", "2024-01-01 10:00:00", "2024-01-01 10:00:00");
    same("timestamp", "2024-01-01T10:00:00Z", "2024-01-01 10:00:00");
    same("timestamp", "2024-01-01 10:00", "2024-01-01 10:00:00");
    same("timestamp", "2024-01-01 10:00:00.500", "2024-01-01 10:00:00.5");
    same("timestamp", "2024-01-01 10:00:00.123456", "2024-01-01 10:00:00.123456");
    same("timestamp", "2024-01-01 12:00:00+02:00", "2024-01-01 10:00:00");
    same("timestamp", "2024-01-01", "2024-01-01 00:00:00");
    same("timestamp", 1704103200000n, "2024-01-01 10:00:00");
    same({ kind: "timestamp", epochUnit: "s" }, 1704103200n, "2024-01-01 10:00:00");
    same("timestamp", "2024-01-01 10:00:00", "2024-01-01 10:00:00+00"); // timestamptz under TimeZone UTC
    differ("timestamp", "2024-01-01 10:00:00", "2024-01-01 10:00:01");
    differ("timestamp", "2024-01-01 10:00:00.5", "2024-01-01 10:00:00");
  });
  it("handles dates and times", () => {
    same("date", "2024-02-29", "2024-02-29");
    same("date", "2024-02-29 00:00:00", "2024-02-29");
    same("time", "10:00", "10:00:00");
    same("time", "10:00:00.250", "10:00:00.25");
  });
});

describe("booleans and integers", () => {
  it("accepts every boolean spelling the copy accepts", () => {
    same("boolean", 1n, "t");
    same("boolean", 0n, "f");
    same("boolean", "true", "t");
    same("boolean", "F", "f");
    differ("boolean", 1n, "f");
  });
  it("compares integers stored as text or real", () => {
    same("int", "42", "42");
    same("bigint", 7.0, "7");
    same("text", 42n, "42");
    same("text", 1.5, "1.5");
  });
});

describe("text, bytes and json", () => {
  it("keeps text exact, trims character(n) padding and normalizes uuids", () => {
    same("text", "tab\there\nback\\slash", "tab\there\nback\\slash");
    same("text", Buffer.from("héllo"), "héllo");
    differ("text", "abc ", "abc");
    same({ kind: "text", pgType: "bpchar" }, "ab", "ab   ");
    same({ kind: "text", pgType: "uuid" }, "A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11");
  });
  it("compares bytea hex in either case", () => {
    same("bytes", Buffer.from([0xde, 0xad, 0x00]), "\\xdead00");
    same("bytes", Buffer.from([0xde, 0xad]), "\\xDEAD");
    differ("bytes", Buffer.from([0xde, 0xad]), "\\xdeae");
  });
  it("ignores key order, whitespace and duplicate keys like jsonb, keeping big numbers exact", () => {
    same("json", '{"b": 1, "a": [1, 2.50, {"y": null, "x": true}]}', '{"a": [1, 2.5, {"x": true, "y": null}], "b": 1}');
    same("json", '{"a": 1, "a": 2}', '{"a": 2}');
    same("json", '{"n": 12345678901234567890123}', '{"n": 12345678901234567890123}');
    differ("json", '{"n": 12345678901234567890123}', '{"n": 12345678901234567890124}');
    same("json", '"caf\\u00e9"', '"café"');
    same("json", 5n, "5");
    expect(canonicalJson('{ "b" : [ ], "a" : { } }')).toBe('{"a":{},"b":[]}');
    expect(canonicalJson("{not json")).toBe("{not json");
  });
});

describe("NULL and values the copy refuses", () => {
  it("keeps NULL distinct from the text 'NULL'", () => {
    expect(src("text", null)).toBeNull();
    expect(tgt("text", null)).toBeNull();
    differ("text", null, "NULL");
  });
  it("marks an unconvertible value so it never equals anything", () => {
    const v = src("int", "abc");
    expect(v).not.toBe(tgt("int", "abc"));
    expect(displayCanonical(v)).toMatch(/^\(not convertible: text 'abc' in an integer column\)$/);
  });
});

describe("helpers", () => {
  it("un-escapes COPY text", () => {
    expect(unescapeCopyText("a\\tb\\nc\\\\d\\re\\\\N")).toBe("a\tb\nc\\d\re\\N");
    expect(unescapeCopyText("plain")).toBe("plain");
  });
  it("orders like SQLite BINARY / PostgreSQL \"C\" with NULLs first", () => {
    const ints = makeCanonicalComparator("bigint");
    expect(["10", "-2", "9", null, "-10", "0"].sort(ints)).toEqual([null, "-10", "-2", "0", "9", "10"]);
    const decs = makeCanonicalComparator("decimal");
    expect(["1.5", "-0.25", "10", "1.25", "-1"].sort(decs)).toEqual(["-1", "-0.25", "1.25", "1.5", "10"]);
    // U+FF21 (3 UTF-8 bytes) sorts before U+1F600 (4 bytes), though its UTF-16 code unit is larger.
    expect(compareCodePoints("\uff21", "😀")).toBeLessThan(0);
    expect(compareCodePoints("B", "a")).toBeLessThan(0);
    expect(compareCodePoints("ab", "abc")).toBeLessThan(0);
  });
});
