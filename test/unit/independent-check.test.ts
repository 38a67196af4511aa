/** The independent check's pure parts: PostgreSQL text decoding, SQLite meanings, the comparison, pairing. */
import { describe, expect, it } from "vitest";
import { describePg, describeSqlite, sameByMeaning, type SqliteCell } from "../../src/verify/independent/compare-value.js";
import { exactDecimal } from "../../src/verify/independent/exact-decimal.js";
import { mulberry32 } from "../helpers/random.js";
import { parseExactJson, sameJsonValue } from "../../src/verify/independent/exact-json.js";
import { formatInstant } from "../../src/verify/independent/instant.js";
import { arrayBatches, compareKeyParts, mergeWindows, pairRows, type KeyPart } from "../../src/verify/independent/pairing.js";
import { decodePg, parsePgDate, parsePgTimestamp, targetKindOf, type TargetKind } from "../../src/verify/independent/pg-decode.js";
import { parseSqliteTimestampText, sqliteBoolean, sqliteInteger } from "../../src/verify/independent/sqlite-meaning.js";
import { describeIndependent, formatIndependentDifference, type IndependentResult } from "../../src/verify/independent/independent-check.js";

const cell = (value: unknown, bytes?: Buffer): SqliteCell => ({ value, ...(bytes ? { bytes } : {}) });
const same = (kind: TargetKind, value: unknown, pgText: string | null, bytes?: Buffer): boolean => sameByMeaning(kind, cell(value, bytes), decodePg(kind, pgText));

describe("exact decimals", () => {
  it("one spelling per value, whatever the scale, exponent or sign of zero", () => {
    expect(exactDecimal("1.50")).toBe(exactDecimal("15e-1"));
    expect(exactDecimal("100")).toBe(exactDecimal("1e2"));
    expect(exactDecimal("-0.000")).toBe("0");
    expect(exactDecimal("0.1000000000000000000001")).not.toBe(exactDecimal("0.1"));
    expect(exactDecimal("1e+21")).toBe(exactDecimal("1000000000000000000000"));
    expect(exactDecimal("abc")).toBeNull();
    expect(exactDecimal(".")).toBeNull();
  });
});

describe("exact JSON", () => {
  it("keeps every digit, ignores key order, keeps the last of repeated keys", () => {
    const a = parseExactJson('{"a": 1.0, "b": [true, null, "x"], "n": 12345678901234567890}')!;
    expect(sameJsonValue(a, parseExactJson('{"n":12345678901234567890,"b":[true,null,"x"],"a":1}')!)).toBe(true);
    expect(sameJsonValue(a, parseExactJson('{"n":12345678901234567891,"b":[true,null,"x"],"a":1}')!)).toBe(false);
    expect(sameJsonValue(parseExactJson('{"k":1,"k":2}')!, parseExactJson('{"k":2}')!)).toBe(true);
    expect(sameJsonValue(parseExactJson("[1,2]")!, parseExactJson("[2,1]")!)).toBe(false);
    expect(sameJsonValue(parseExactJson('"1"')!, parseExactJson("1")!)).toBe(false);
    expect(parseExactJson("{bad}")).toBeUndefined();
    expect(parseExactJson("[1,]")).toBeUndefined();
    expect(parseExactJson('"\\u00e9"')).toBe("é");
  });

  it("reads what JSON.parse reads, and refuses what it refuses (random documents and their truncations)", () => {
    const rand = mulberry32(19);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
    const text = (): string => Array.from({ length: Math.floor(rand() * 6) }, () => pick(["a", "é", "😀", '"', "\\", "/", "\n", "\t", "\u0001", " ", "x"])).join("");
    const doc = (depth: number): unknown => {
      const k = Math.floor(rand() * (depth > 3 ? 4 : 6));
      if (k === 0) return pick([true, false, null]);
      if (k === 1) return pick([0, -1, 1.5, 1e21, -2.5e-7, 123456789, 0.1]);
      if (k === 2) return text();
      if (k === 3) return "";
      if (k === 4) return Array.from({ length: Math.floor(rand() * 4) }, () => doc(depth + 1));
      return Object.fromEntries(Array.from({ length: Math.floor(rand() * 4) }, () => [text(), doc(depth + 1)]));
    };
    // JSON.parse's value in the reader's shapes: numbers as their exact decimal, objects as maps.
    const shape = (v: unknown): unknown =>
      v === null || typeof v !== "object" ? (typeof v === "number" ? { num: exactDecimal(JSON.stringify(v)) } : v)
      : Array.isArray(v) ? v.map(shape) : new Map(Object.entries(v as object).map(([k, x]) => [k, shape(x)]));
    for (let i = 0; i < 2000; i++) {
      const json = JSON.stringify(doc(0), null, i % 3 === 0 ? 1 : undefined);
      expect(parseExactJson(json)).toEqual(shape(JSON.parse(json)));
      const cut = json.slice(0, Math.floor(rand() * json.length));
      let parses = true;
      try {
        JSON.parse(cut);
      } catch {
        parses = false;
      }
      expect(parseExactJson(cut) !== undefined).toBe(parses);
    }
  });
});

describe("PostgreSQL text, decoded", () => {
  it("timestamps to the microsecond, with offsets and BC years", () => {
    expect(parsePgTimestamp("2024-01-01 10:00:00.123457")! - parsePgTimestamp("2024-01-01 10:00:00.123456")!).toBe(1000n);
    expect(parsePgTimestamp("2024-01-01 12:00:00+02")).toBe(parsePgTimestamp("2024-01-01 10:00:00"));
    expect(parsePgTimestamp("2024-01-01 05:30:00-04:30")).toBe(parsePgTimestamp("2024-01-01 10:00:00"));
    expect(parsePgTimestamp("0001-01-01 00:00:00 BC")! < parsePgTimestamp("0001-01-01 00:00:00")!).toBe(true);
    expect(parsePgTimestamp("infinity")).toBeNull();
    expect(parsePgDate("2024-02-29")).toBe(parsePgTimestamp("2024-02-29 00:00:00"));
    expect(parsePgDate("2023-02-29")).toBeNull();
  });

  it("uses pg's parsers, with int8 as BigInt and numeric exact", () => {
    expect(decodePg("int", "9223372036854775807")).toEqual({ kind: "int", value: 9223372036854775807n });
    expect(decodePg("int", "-5")).toEqual({ kind: "int", value: -5n });
    expect(decodePg("float", "0.30000000000000004")).toEqual({ kind: "float", value: 0.1 + 0.2 });
    expect(decodePg("float", "-Infinity")).toEqual({ kind: "float", value: -Infinity });
    expect(decodePg("decimal", "12.3400")).toEqual({ kind: "decimal", value: exactDecimal("12.34") });
    expect(decodePg("bytes", "\\x00ff")).toEqual({ kind: "bytes", value: Buffer.from([0, 255]) });
    expect(decodePg("boolean", "t")).toEqual({ kind: "boolean", value: true });
    expect(decodePg("timestamp", "not a time")).toMatchObject({ kind: "undecodable" });
    expect(decodePg("text", null)).toBeNull();
  });

  it("maps catalog types to kinds", () => {
    expect(targetKindOf("int8", "b")).toBe("int");
    expect(targetKindOf("varchar", "b")).toBe("text");
    expect(targetKindOf("mood", "e")).toBe("text");
    expect(targetKindOf("jsonb", "b")).toBe("json");
    expect(targetKindOf("timestamptz", "b")).toBe("timestamp");
    expect(targetKindOf("inet", "b")).toBe("other");
  });
});

describe("SQLite values, read by meaning", () => {
  it("timestamp texts in SQLite's forms, zones converted to UTC, impossible dates refused", () => {
    const at10 = parsePgTimestamp("2024-01-01 10:00:00");
    for (const s of ["2024-01-01 10:00:00", "2024-01-01T10:00:00Z", "2024-01-01 10:00", "2024-01-01T12:00:00+02:00", "2024-01-01 09:00:00-0100", "2024-01-01 10:00:00.000"]) {
      expect(parseSqliteTimestampText(s), s).toBe(at10);
    }
    expect(parseSqliteTimestampText("2024-01-01 10:00:00.123456789")! - at10!).toBe(123456789n);
    expect(parseSqliteTimestampText("2024-02-30")).toBeNull();
    expect(parseSqliteTimestampText("2024-01-01 24:00:00")).toBeNull();
    expect(parseSqliteTimestampText("yesterday")).toBeNull();
  });

  it("booleans and integers as applications store them", () => {
    expect([1n, 0n, 1, "t", "FALSE", "1", "yes", 2n].map(sqliteBoolean)).toEqual([true, false, true, true, false, true, null, null]);
    expect([7n, 7.0, "42", "+3", 7.5, "4x"].map(sqliteInteger)).toEqual([7n, 7n, 42n, 3n, null, null]);
  });
});

describe("sameByMeaning", () => {
  it("doubles bit for bit", () => {
    expect(same("float", 0.1 + 0.2, "0.30000000000000004")).toBe(true);
    expect(same("float", 0.1 + 0.2, "0.3")).toBe(false);
    expect(same("float", 1.0000000000000002, "1.0000000000000004")).toBe(false); // one ulp
    expect(same("float", -0, "0")).toBe(false);
    expect(same("float", -0, "-0")).toBe(true);
    expect(same("float", 1e308, "1e+308")).toBe(true);
    expect(same("float", 5n, "5")).toBe(true);
    expect(same("float", 9007199254740993n, "9007199254740992")).toBe(false); // 2^53 + 1 is no double
  });

  it("integers exactly, 64-bit; integer text and integral REALs are integers", () => {
    expect(same("int", 9223372036854775807n, "9223372036854775807")).toBe(true);
    expect(same("int", 9223372036854775807n, "9223372036854775806")).toBe(false);
    expect(same("int", "42", "42")).toBe(true);
    expect(same("int", 7.0, "7")).toBe(true);
    expect(same("int", 7.5, "7")).toBe(false);
  });

  it("text byte for byte; a REAL in text must read back as the same double", () => {
    expect(same("text", "héllo", "héllo")).toBe(true);
    expect(same("text", "héllo", "hëllo")).toBe(false);
    // invalid UTF-8 as better-sqlite3 returns it (U+FFFD) with its real bytes: no PostgreSQL text equals it.
    expect(same("text", "a\uFFFD", "a\uFFFD", Buffer.from([0x61, 0xff]))).toBe(false);
    expect(same("text", 42n, "42")).toBe(true);
    expect(same("text", 0.1 + 0.2, "0.3")).toBe(false);
    expect(same("text", 0.1 + 0.2, "0.30000000000000004")).toBe(true);
    expect(same("text", 1.0, "1.0")).toBe(true);
    expect(same("text", Buffer.from("abc"), "abc")).toBe(true);
  });

  it("timestamps by instant: text forms, and integers as unix seconds or milliseconds", () => {
    expect(same("timestamp", "2024-01-01T12:00:00+02:00", "2024-01-01 10:00:00")).toBe(true);
    expect(same("timestamp", "2024-01-01 10:00:00.123456", "2024-01-01 10:00:00.123457")).toBe(false);
    expect(same("timestamp", 1704103200n, "2024-01-01 10:00:00")).toBe(true);
    expect(same("timestamp", 1704103200000n, "2024-01-01 10:00:00")).toBe(true);
    expect(same("timestamp", 1704103200n, "1970-01-20 17:21:43.2")).toBe(true); // the same integer read as ms
    expect(same("timestamp", 1704103201n, "2024-01-01 10:00:00")).toBe(false);
    expect(same("timestamp", "2024-01-01 10:00:00", "2024-01-01 10:00:00+00")).toBe(true); // timestamptz in UTC
    expect(same("date", "2024-02-29", "2024-02-29")).toBe(true);
    expect(same("date", "2024-02-29 10:00:00", "2024-02-29")).toBe(false);
    expect(same("time", "10:30", "10:30:00")).toBe(true);
  });

  it("booleans, bytes, JSON by structure, decimals by exact value, NULL", () => {
    expect(same("boolean", 1n, "t")).toBe(true);
    expect(same("boolean", "false", "f")).toBe(true);
    expect(same("boolean", 0n, "t")).toBe(false);
    expect(same("bytes", Buffer.from([0, 255, 1]), "\\x00ff01")).toBe(true);
    expect(same("bytes", Buffer.from([0, 255, 1]), "\\x00ff02")).toBe(false);
    expect(same("json", '{"b": [1, 2.50], "a": null}', '{"a": null, "b": [1, 2.5]}')).toBe(true);
    expect(same("json", '{"a": 1}', '{"a": 2}')).toBe(false);
    expect(same("json", 12n, "12")).toBe(true);
    // Text read without its bytes is its UTF-8: an emoji as itself, an unpaired surrogate as U+FFFD (what its
    // UTF-8 encoding decodes to); text whose stored bytes are not UTF-8 is no JSON at all.
    expect(same("json", '["😀", "é"]', '["😀", "é"]')).toBe(true);
    expect(same("json", '"\uD800"', '"\uFFFD"')).toBe(true);
    expect(same("json", '"x"', '"x"', Buffer.from([0x22, 0x96, 0x22]))).toBe(false);
    expect(same("decimal", "12345678901234.123456", "12345678901234.123456")).toBe(true);
    expect(same("decimal", "12345678901234.123456", "12345678901234.123457")).toBe(false);
    expect(same("decimal", 1.5, "1.500000")).toBe(true);
    expect(same("decimal", 0.1, "0.1000000000000000055511151231257827")).toBe(false);
    expect(same("decimal", 7n, "7.00")).toBe(true);
    expect(same("uuid", "0E8A3C4C-1111-2222-3333-444455556666", "0e8a3c4c-1111-2222-3333-444455556666")).toBe(true);
    expect(same("text", null, null)).toBe(true);
    expect(same("text", null, "")).toBe(false);
    expect(same("int", 0n, null)).toBe(false);
  });

  it("describes both values for a difference", () => {
    expect(describeSqlite(cell(0.1 + 0.2))).toBe("real 0.30000000000000004");
    expect(describeSqlite(cell(-0))).toBe("real -0");
    expect(describeSqlite(cell(Buffer.from([0, 255])))).toBe("blob x'00ff' (2 bytes)");
    expect(describeSqlite(cell("a\uFFFD", Buffer.from([0x61, 0xff])))).toBe("text \"a\uFFFD\" (bytes x'61ff')");
    expect(describePg("timestamp", "2024-01-01 10:00:00.5", decodePg("timestamp", "2024-01-01 10:00:00.5"))).toBe('timestamp "2024-01-01 10:00:00.5" (2024-01-01T10:00:00.5Z)');
    expect(formatInstant(parsePgTimestamp("2024-01-01 10:00:00.000001")!)).toBe("2024-01-01T10:00:00.000001Z");
  });
});

describe("pairing", () => {
  const collect = async (s: KeyPart[][], p: KeyPart[][], byKey: boolean) => {
    const out: string[] = [];
    await pairRows(arrayBatches(s), arrayBatches(p), byKey ? (a, b) => compareKeyParts(a, b) : null, {
      pair: (a) => out.push(`= ${String(a[0])}`),
      missing: (a) => out.push(`- ${String(a[0])}`),
      extra: (b) => out.push(`+ ${String(b[0])}`),
    });
    return out;
  };

  it("merges on the key: rows only in SQLite are missing, rows only in PostgreSQL are extra", async () => {
    expect(await collect([[1n], [2n], [4n]], [[1n], [3n], [4n], [5n]], true)).toEqual(["= 1", "- 2", "+ 3", "= 4", "+ 5"]);
  });

  it("pairs by position without a key", async () => {
    expect(await collect([[1n], [2n]], [[9n], [8n], [7n]], false)).toEqual(["= 1", "= 2", "+ 7"]);
  });

  it("orders text keys as bytes, after integers, NULL first", () => {
    expect(compareKeyParts([Buffer.from("B")], [Buffer.from("a")])).toBeLessThan(0); // "B" (0x42) < "a" (0x61), as BINARY and "C"
    expect(compareKeyParts([5n], [Buffer.from("1")])).toBeLessThan(0);
    expect(compareKeyParts([null], [0n])).toBeLessThan(0);
    expect(compareKeyParts([1n, Buffer.from("b")], [1n, Buffer.from("a")])).toBeGreaterThan(0);
  });

  it("merges overlapping sample windows without repeating rows", () => {
    const w = (lo: bigint | null, hi: bigint | null, ids: bigint[]) => ({ lo: lo === null ? null : [lo], hi: hi === null ? null : [hi], rows: ids.map((id) => [id]) });
    const merged = mergeWindows([w(null, 3n, [1n, 2n, 3n]), w(2n, 5n, [2n, 3n, 4n, 5n]), w(10n, 12n, [10n, 11n, 12n]), w(11n, null, [11n, 12n, 13n])], (r) => r);
    expect(merged.map((m) => [m.lo, m.hi, m.rows.map((r) => r[0])])).toEqual([
      [null, [5n], [1n, 2n, 3n, 4n, 5n]],
      [[10n], null, [10n, 11n, 12n, 13n]],
    ]);
  });
});

describe("the summary line", () => {
  const result = (over: Partial<IndependentResult>): IndependentResult => ({ mode: "sample", ok: true, rows: 2000, tables: 3, perTable: [], differences: [], differenceCount: 0, ms: 5, ...over });

  it("says what was compared and the verdict", () => {
    expect(describeIndependent(result({}))).toBe("values decoded independently: 2000 rows of 3 tables sampled, identical");
    expect(describeIndependent(result({ mode: "all", ok: false, differenceCount: 2 }))).toBe("values decoded independently: 2000 rows of 3 tables (every row), 2 DIFFERENCE(S)");
    expect(formatIndependentDifference({ kind: "value", table: "t", key: "id=1", column: "v", sqlite: "real 0.30000000000000004", postgres: 'text "0.3"' })).toBe(
      't [id=1] v: SQLite real 0.30000000000000004 ≠ PostgreSQL text "0.3"',
    );
  });
});
