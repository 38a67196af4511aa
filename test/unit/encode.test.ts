import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import type { ValueKind } from "../../src/core/column-type.js";
import { makeFieldEncoder, makeRowEncoder } from "../../src/values/encode.js";
import { parseBooleanLike, realText } from "../../src/values/numbers.js";
import { ValueError, type EncodeOptions } from "../../src/values/copy-text.js";

/** Encode one value of the given kind (the field, without the trailing newline). */
function enc(kind: ValueKind, v: unknown, opts?: EncodeOptions): string {
  const line = makeRowEncoder([kind], [opts])([v]);
  expect(line.endsWith("\n")).toBe(true);
  return line.slice(0, -1);
}

function err(kind: ValueKind, v: unknown, opts?: EncodeOptions): ValueError {
  try {
    enc(kind, v, opts);
  } catch (e) {
    expect(e).toBeInstanceOf(ValueError);
    return e as ValueError;
  }
  throw new Error(`expected a ValueError for ${String(v)} in ${kind}`);
}

describe("row encoder", () => {
  it("joins fields with tabs, ends with a newline, writes NULL as \\N", () => {
    const e = makeRowEncoder(["int", "text", "text", "bytes", "bytes"]);
    expect(e([1n, "a", null, Buffer.alloc(0), null])).toBe("1\ta\t\\N\t\\\\x\t\\N\n");
  });
  it("keeps the empty string distinct from NULL", () => {
    expect(makeRowEncoder(["text", "text"])(["", null])).toBe("\t\\N\n");
  });
  it("reports the column index of the failing value", () => {
    const e = makeRowEncoder(["int", "text", "int"]);
    try {
      e([1n, "x", "lots-of-it"]);
      throw new Error("no error");
    } catch (x) {
      expect(x).toBeInstanceOf(ValueError);
      const ve = x as ValueError;
      expect(ve.columnIndex).toBe(2);
      expect(ve.reason).toBe("text 'lots-of-it' in an integer column");
      expect(ve.excerpt).toBe("'lots-of-it'");
      expect(ve.message).toContain("column 2");
    }
  });
  it("rejects rows of the wrong width", () => {
    expect(() => makeRowEncoder(["int", "int"])([1n])).toThrow(/expected 2/);
  });
  it("applies per-column options", () => {
    const e = makeRowEncoder(["decimal", "decimal"], [{ scale: 2 }, undefined]);
    expect(e([1n, 1n])).toBe("1.00\t1\n");
  });
});

describe("int / bigint", () => {
  it("encodes bigints", () => {
    expect(enc("int", 42n)).toBe("42");
    expect(enc("int", -2147483648n)).toBe("-2147483648");
    expect(enc("int", 2147483647n)).toBe("2147483647");
    expect(enc("bigint", 9223372036854775807n)).toBe("9223372036854775807");
    expect(enc("bigint", -9223372036854775808n)).toBe("-9223372036854775808");
  });
  it("range-checks int32", () => {
    expect(err("int", 2147483648n).reason).toMatch(/out of range for integer/);
    expect(err("int", -2147483649n).reason).toMatch(/out of range/);
    expect(err("int", "3000000000").reason).toMatch(/out of range/);
  });
  it("accepts integral reals and integer text, canonically", () => {
    expect(enc("int", 7.0)).toBe("7");
    expect(enc("int", -0.0)).toBe("0");
    expect(enc("bigint", 2 ** 60)).toBe("1152921504606846976");
    expect(enc("int", "42")).toBe("42");
    expect(enc("int", "+042")).toBe("42");
    expect(enc("int", "-0")).toBe("0");
    expect(enc("bigint", "-9223372036854775808")).toBe("-9223372036854775808");
    expect(err("bigint", "9223372036854775808").reason).toMatch(/out of range for bigint/);
    expect(err("bigint", 2 ** 63).reason).toMatch(/out of range/);
  });
  it("rejects everything else", () => {
    expect(err("int", "lots-of-it").reason).toBe("text 'lots-of-it' in an integer column");
    expect(err("int", " 42").reason).toMatch(/in an integer column/);
    expect(err("int", "4.0").reason).toMatch(/in an integer column/);
    expect(err("int", "").reason).toMatch(/in an integer column/);
    expect(err("int", 7.5).reason).toMatch(/not an integer/);
    expect(err("int", Infinity).reason).toMatch(/not an integer/);
    expect(err("bigint", Buffer.from("1")).reason).toMatch(/blob/);
  });
});

describe("float", () => {
  it("uses the shortest round-trip form", () => {
    expect(enc("float", 0.1)).toBe("0.1");
    expect(enc("float", 0.1 + 0.2)).toBe("0.30000000000000004");
    expect(enc("float", 1e308)).toBe("1e+308");
    expect(enc("float", 5e-324)).toBe("5e-324");
    expect(enc("float", 7)).toBe("7");
    expect(enc("float", -0.0)).toBe("-0");
    expect(enc("float", 0)).toBe("0");
  });
  it("spells the special values as PostgreSQL does", () => {
    expect(enc("float", Infinity)).toBe("Infinity");
    expect(enc("float", -Infinity)).toBe("-Infinity");
    expect(enc("float", NaN)).toBe("NaN");
  });
  it("accepts bigints only when exact", () => {
    // spelled as float8out prints it (exponent form from 1e15 on)
    expect(enc("float", 9007199254740992n)).toBe("9.007199254740992e+15");
    expect(enc("float", -9007199254740992n)).toBe("-9.007199254740992e+15");
    expect(enc("float", 123456789n)).toBe("123456789");
    expect(err("float", 9007199254740993n).reason).toMatch(/exactly/);
    expect(err("float", 9223372036854775807n).reason).toMatch(/exactly/);
  });
  it("accepts numeric text only when it round-trips", () => {
    expect(enc("float", "1.5")).toBe("1.5");
    expect(enc("float", "1.50")).toBe("1.5");
    expect(enc("float", "1e5")).toBe("100000");
    expect(enc("float", "-0.0")).toBe("-0");
    expect(enc("float", "0.30000000000000004")).toBe("0.30000000000000004");
    expect(enc("float", "Infinity")).toBe("Infinity");
    expect(err("float", "0.1000000000000000000001").reason).toMatch(/exactly/);
    expect(err("float", "9007199254740993").reason).toMatch(/exactly/);
    expect(err("float", "1e999").reason).toMatch(/exactly/);
    expect(err("float", "abc").reason).toMatch(/floating-point/);
  });
});

describe("decimal", () => {
  it("encodes integers, reals and decimal text", () => {
    expect(enc("decimal", 123n)).toBe("123");
    expect(enc("decimal", 9223372036854775807n)).toBe("9223372036854775807");
    expect(enc("decimal", 12.34)).toBe("12.34");
    expect(enc("decimal", -0.0)).toBe("0");
    expect(enc("decimal", "12.340")).toBe("12.340");
    // spelled as numeric_out prints it: the same value, display scale = fraction digits − exponent
    expect(enc("decimal", "-1.5e3")).toBe("-1500");
    expect(enc("decimal", ".5")).toBe("0.5");
  });
  it("pads to a declared scale, and sends a value the scale would round as written", () => {
    expect(enc("decimal", 12.3, { scale: 2 })).toBe("12.30");
    expect(enc("decimal", 7n, { scale: 2 })).toBe("7.00");
    expect(enc("decimal", "1.2300", { scale: 2 })).toBe("1.23");
    expect(enc("decimal", "0.005", { scale: 2 })).toBe("0.005");
  });
  it("rejects non-finite and non-numeric values", () => {
    expect(err("decimal", Infinity).reason).toMatch(/decimal/);
    expect(err("decimal", NaN).reason).toMatch(/decimal/);
    expect(err("decimal", "12,5").reason).toMatch(/decimal/);
    expect(err("decimal", "").reason).toMatch(/decimal/);
  });
});

describe("text", () => {
  it("escapes backslash, tab, newline and carriage return", () => {
    expect(enc("text", "a\\b\tc\nd\re")).toBe("a\\\\b\\tc\\nd\\re");
    expect(enc("text", "\\N")).toBe("\\\\N");
    expect(enc("text", "plain")).toBe("plain");
    expect(enc("text", "")).toBe("");
  });
  it("passes unicode through", () => {
    expect(enc("text", "héllo wörld 日本 🎉👍🏽")).toBe("héllo wörld 日本 🎉👍🏽");
  });
  it("rejects NUL", () => {
    expect(err("text", "a\u0000b").reason).toMatch(/NUL byte in text/);
  });
  it("renders integers as SQLite does and REALs in SQLite's layout with every digit", () => {
    expect(enc("text", 42n)).toBe("42");
    expect(enc("text", -9223372036854775808n)).toBe("-9223372036854775808");
    expect(enc("text", 12.3)).toBe("12.3");
    expect(enc("text", 1e308)).toBe("1.0e+308");
    expect(enc("text", 7.0)).toBe("7.0");
    expect(enc("text", -0.0)).toBe("-0.0");
    expect(enc("text", 0)).toBe("0.0");
    expect(enc("text", 0.1 + 0.2)).toBe("0.30000000000000004");
    expect(enc("text", 1.0000000000000002)).toBe("1.0000000000000002");
    expect(enc("text", 123456789.12345678)).toBe("123456789.12345678");
    expect(enc("text", 2 ** 64)).toBe("1.8446744073709552e+19");
    expect(enc("text", 1e14)).toBe("100000000000000.0");
    expect(enc("text", 1e15)).toBe("1.0e+15");
    expect(enc("text", 1e-5)).toBe("1.0e-05");
    expect(enc("text", 0.0001)).toBe("0.0001");
    expect(enc("text", 2.5e-300)).toBe("2.5e-300");
    expect(enc("text", 5e-324)).toBe("5.0e-324");
    expect(enc("text", 1234567890123455)).toBe("1.234567890123455e+15");
    expect(enc("text", -1.5)).toBe("-1.5");
    expect(realText(Infinity)).toBe("Inf");
    expect(realText(-Infinity)).toBe("-Inf");
  });
  it("decodes blobs that are valid UTF-8", () => {
    expect(enc("text", Buffer.from("tab\there ✓", "utf8"))).toBe("tab\\there ✓");
    expect(enc("text", Buffer.from("\ufeffbom", "utf8"))).toBe("\ufeffbom");
    expect(enc("text", new Uint8Array([104, 105]))).toBe("hi");
    expect(enc("text", Buffer.alloc(0))).toBe("");
  });
  it("rejects blobs that are not UTF-8 or contain NUL", () => {
    expect(err("text", Buffer.from([0xff, 0xfe, 0x41])).reason).toMatch(/invalid UTF-8/);
    expect(err("text", Buffer.from([0xc3])).reason).toMatch(/invalid UTF-8/);
    expect(err("text", Buffer.from([0x41, 0x00])).reason).toMatch(/NUL byte/);
  });
});

describe("boolean", () => {
  it("accepts 0/1 and the usual spellings", () => {
    expect(enc("boolean", 1n)).toBe("t");
    expect(enc("boolean", 0n)).toBe("f");
    expect(enc("boolean", 1.0)).toBe("t");
    expect(enc("boolean", 0)).toBe("f");
    for (const s of ["1", "t", "T", "true", "TRUE", "True"]) expect(enc("boolean", s)).toBe("t");
    for (const s of ["0", "f", "F", "false", "FALSE", "False"]) expect(enc("boolean", s)).toBe("f");
  });
  it("rejects anything else", () => {
    expect(err("boolean", 2n).reason).toBe("integer 2 in a boolean column");
    expect(err("boolean", "yes").reason).toMatch(/boolean/);
    expect(err("boolean", 0.5).reason).toMatch(/boolean/);
    expect(err("boolean", "").reason).toMatch(/boolean/);
    expect(parseBooleanLike(Buffer.from([1]))).toBeNull();
  });
});

describe("timestamp", () => {
  it("normalizes naive text", () => {
    expect(enc("timestamp", "2024-01-02 03:04:05")).toBe("2024-01-02 03:04:05");
    expect(enc("timestamp", "2024-01-02T03:04:05")).toBe("2024-01-02 03:04:05");
    expect(enc("timestamp", "2024-01-02 03:04")).toBe("2024-01-02 03:04:00");
    expect(enc("timestamp", "2024-01-02")).toBe("2024-01-02 00:00:00");
    expect(enc("timestamp", "2024-01-02 03:04:05.123456")).toBe("2024-01-02 03:04:05.123456");
    expect(enc("timestamp", "2024-01-02 03:04:05.120")).toBe("2024-01-02 03:04:05.12");
    expect(enc("timestamp", "2024-01-02 03:04:05.000")).toBe("2024-01-02 03:04:05");
    expect(enc("timestamp", "2024-01-02 03:04:05.123456000")).toBe("2024-01-02 03:04:05.123456");
    expect(enc("timestamp", "0001-01-01 00:00:00")).toBe("0001-01-01 00:00:00");
    expect(enc("timestamp", "9999-12-31 23:59:59.999999")).toBe("9999-12-31 23:59:59.999999");
    expect(enc("timestamp", "2024-02-29 00:00:00")).toBe("2024-02-29 00:00:00");
  });
  it("rejects sub-microsecond precision that PostgreSQL would round", () => {
    expect(err("timestamp", "2024-01-02 03:04:05.1234567").reason).toMatch(/more than 6/);
  });
  it("converts Z and offsets to UTC exactly", () => {
    expect(enc("timestamp", "2024-01-02T03:04:05.678Z")).toBe("2024-01-02 03:04:05.678");
    expect(enc("timestamp", "2024-01-02T03:04:05.678+00:00")).toBe("2024-01-02 03:04:05.678");
    expect(enc("timestamp", "2024-01-02T03:04:05.123456+02:00")).toBe("2024-01-02 01:04:05.123456");
    expect(enc("timestamp", "2024-01-02T01:04:05+0530")).toBe("2024-01-01 19:34:05");
    expect(enc("timestamp", "2023-12-31T22:30:00-05:00")).toBe("2024-01-01 03:30:00");
    expect(enc("timestamp", "2024-02-28T23:00:00-01:00")).toBe("2024-02-29 00:00:00");
    expect(enc("timestamp", "2023-02-28T23:00:00-01:00")).toBe("2023-03-01 00:00:00");
    expect(enc("timestamp", "2024-01-02 03:04:05+02")).toBe("2024-01-02 01:04:05");
    expect(err("timestamp", "0001-01-01T00:30:00+01:00").reason).toMatch(/year outside/);
    expect(err("timestamp", "9999-12-31T23:30:00-01:00").reason).toMatch(/year outside/);
  });
  it("reads each integer as unix seconds or milliseconds by its magnitude; refuses one that is no plausible unix time", () => {
    expect(enc("timestamp", 1704164645n)).toBe("2024-01-02 03:04:05");
    expect(enc("timestamp", 100000000n)).toBe("1973-03-03 09:46:40");
    expect(enc("timestamp", -100000000n)).toBe("1966-10-31 14:13:20");
    expect(enc("timestamp", 99999999999n)).toBe("5138-11-16 09:46:39");
    expect(enc("timestamp", 100000000000n)).toBe("1973-03-03 09:46:40");
    expect(enc("timestamp", 1704103200)).toBe("2024-01-01 10:00:00");
    for (const v of [0n, 2024n, -1n, 99999999n, -99999999n, 0, 2024]) {
      expect(err("timestamp", v).reason).toMatch(/in a DATETIME column: not a plausible unix time .*--type <table>\.<column>=BigInt \(integers only\) or =String$/);
    }
    expect(err("date", 2024n).reason).toMatch(/in a date column: not a plausible unix time/);
    // Beside milliseconds, seconds after 2100 could as well be milliseconds of 1970–1973.
    expect(enc("timestamp", 4102444799n, { epochUnit: "mixed" })).toBe("2099-12-31 23:59:59");
    expect(enc("timestamp", 4102444800n, { epochUnit: "s" })).toBe("2100-01-01 00:00:00");
    expect(err("timestamp", 4102444800n, { epochUnit: "mixed" }).reason).toMatch(/ambiguous in a column that mixes unix seconds and milliseconds/);
    expect(err("timestamp", -4102444800n, { epochUnit: "mixed" }).reason).toMatch(/ambiguous/);
    expect(enc("timestamp", 1704103200000n, { epochUnit: "mixed" })).toBe("2024-01-01 10:00:00");
    expect(enc("timestamp", 1704164645678n)).toBe("2024-01-02 03:04:05.678");
    expect(enc("timestamp", 1704164645670n)).toBe("2024-01-02 03:04:05.67");
    expect(enc("timestamp", 1704164645001n)).toBe("2024-01-02 03:04:05.001");
    expect(enc("timestamp", 1704164645678)).toBe("2024-01-02 03:04:05.678");
    expect(enc("timestamp", -62135596800000n)).toBe("0001-01-01 00:00:00");
    expect(enc("timestamp", 253402300799999n)).toBe("9999-12-31 23:59:59.999");
    expect(err("timestamp", 253402300800000n).reason).toMatch(/outside years/);
    expect(err("timestamp", 9223372036854775807n).reason).toMatch(/outside years/);
  });
  it("parses the grammar strictly", () => {
    expect(enc("timestamp", "2024-01-02 03:04Z")).toBe("2024-01-02 03:04:00");
    expect(enc("timestamp", "2024-01-02t03:04:05z")).toBe("2024-01-02 03:04:05");
    expect(enc("timestamp", "2024-01-02 03:04:05.100")).toBe("2024-01-02 03:04:05.1");
    expect(enc("timestamp", "2024-01-02 03:04:05.000000000")).toBe("2024-01-02 03:04:05");
    expect(enc("timestamp", "2024-01-02 03:04:05-00:00")).toBe("2024-01-02 03:04:05");
    for (const bad of [
      "2024-01-02T03:04:05.Z",
      "2024-01-02 03:04:5",
      "2024-01-02 03:04:05+1",
      "2024-01-02 03:04:05+01:0",
      "2024-01-02 03:04:05+01:000",
      "2024-01-02x03:04",
      "2024-01-02 03:04:05 ",
      "2024-1-02",
      "2024-01-02 03",
      "2024-01-02 03:04:05.1234567890",
      "2024-01-02 03:04:05ZZ",
      "20240102",
      "2024-01-02Z",
    ]) {
      expect(err("timestamp", bad).reason, bad).toMatch(/not a timestamp/);
    }
    expect(err("timestamp", "2024-01-02 03:04:05+16:00").reason).toMatch(/invalid UTC offset/);
    expect(err("timestamp", "2024-01-02 03:60").reason).toMatch(/no such time/);
    expect(err("timestamp", "2024-01-02 03:04:60").reason).toMatch(/no such time/);
  });
  it("rejects reals, garbage and impossible dates", () => {
    expect(err("timestamp", 2460310.5).reason).toMatch(/REAL in a DATETIME column \(julian day\?\)/);
    expect(err("timestamp", "not a date").reason).toMatch(/not a timestamp/);
    expect(err("timestamp", "2023-02-29").reason).toMatch(/no such date/);
    expect(err("timestamp", "2024-13-01").reason).toMatch(/no such date/);
    expect(err("timestamp", "2024-01-02 24:00:00").reason).toMatch(/no such time/);
    expect(err("timestamp", "0000-01-01").reason).toMatch(/year outside/);
    expect(err("timestamp", " 2024-01-02").reason).toMatch(/not a timestamp/);
    expect(err("timestamp", Buffer.from("2024-01-02")).reason).toMatch(/blob/);
  });
});

describe("date", () => {
  it("accepts dates and midnight timestamps", () => {
    expect(enc("date", "2024-01-02")).toBe("2024-01-02");
    expect(enc("date", "2024-01-02 00:00:00")).toBe("2024-01-02");
    expect(enc("date", "2024-01-02T00:00:00.000Z")).toBe("2024-01-02");
    expect(enc("date", "2024-01-02T00:00:00.000+00:00")).toBe("2024-01-02");
    expect(enc("date", 1704153600000n)).toBe("2024-01-02");
  });
  it("rejects a time of day", () => {
    expect(err("date", "2024-01-02 00:00:01").reason).toMatch(/time of day/);
    expect(err("date", "2024-01-02T00:00:00+01:00").reason).toMatch(/time of day/);
    expect(err("date", 1704153600001n).reason).toMatch(/time of day/);
    expect(err("date", "2024-02-30").reason).toMatch(/no such date/);
    expect(err("date", "02/01/2024").reason).toMatch(/not a timestamp/);
  });
});

describe("time", () => {
  it("normalizes time text", () => {
    expect(enc("time", "03:04")).toBe("03:04:00");
    expect(enc("time", "03:04:05")).toBe("03:04:05");
    expect(enc("time", "23:59:59.999999")).toBe("23:59:59.999999");
    expect(enc("time", "03:04:05.500")).toBe("03:04:05.5");
  });
  it("rejects the rest", () => {
    expect(err("time", "25:00").reason).toMatch(/no such time/);
    expect(err("time", "03:04:05.1234567").reason).toMatch(/more than 6/);
    expect(err("time", "3pm").reason).toMatch(/not a time/);
    expect(err("time", 3n).reason).toMatch(/time column/);
  });
});

describe("json", () => {
  it("sends valid JSON as jsonb prints it, escaped for COPY", () => {
    expect(enc("json", '{"b":1,"a":1}')).toBe('{"a": 1, "b": 1}');
    expect(enc("json", '{"a":"x\\ny"}')).toBe('{"a": "x\\\\ny"}');
    expect(enc("json", '{\n  "a": 1\n}')).toBe('{"a": 1}');
    expect(enc("json", '"\\\\u0000"')).toBe('"\\\\\\\\u0000"'); // an escaped backslash, then the text u0000
    expect(enc("json", '"\\ud83c\\udf89"')).toBe('"🎉"');
    expect(enc("json", "null")).toBe("null");
    expect(enc("json", 5n)).toBe("5");
    expect(enc("json", 1.5)).toBe("1.5");
    expect(enc("json", Buffer.from("[1,2]"))).toBe("[1, 2]");
  });
  it("keeps the text exactly as written for a json (not jsonb) column", () => {
    expect(enc("json", '{\n  "b": 1, "a": 1.50\n}', { pgType: "json" })).toBe('{\\n  "b": 1, "a": 1.50\\n}');
  });
  it("rejects invalid JSON and what jsonb refuses", () => {
    expect(err("json", "{a:1}").reason).toMatch(/invalid JSON/);
    expect(err("json", "").reason).toMatch(/invalid JSON/);
    expect(err("json", '{"a":"\\u0000"}').reason).toMatch(/\\u0000/);
    expect(err("json", '{"\\u0000":1}').reason).toMatch(/\\u0000/);
    expect(err("json", '["\\ud800"]').reason).toMatch(/surrogate/);
    expect(err("json", Buffer.from([0xff])).reason).toMatch(/invalid UTF-8/);
  });
});

describe("bytes", () => {
  it("writes hex with a doubled backslash", () => {
    expect(enc("bytes", Buffer.from("Hello"))).toBe("\\\\x48656c6c6f");
    expect(enc("bytes", new Uint8Array([0, 255]))).toBe("\\\\x00ff");
    expect(enc("bytes", Buffer.alloc(0))).toBe("\\\\x");
    expect(enc("bytes", "é")).toBe("\\\\xc3a9");
  });
  it("rejects numbers", () => {
    expect(err("bytes", 1n).reason).toMatch(/bytes/);
  });
});

/*
 * realText keeps SQLite's layout but never its lost digits: it reads back as the very double, and whenever SQLite's
 * own 15-digit CAST(x AS TEXT) reads back as the same double, it is that text (so nothing changes where SQLite's
 * text was already exact).
 */
describe("realText: every double exactly, SQLite's own text wherever that is exact", () => {
  it("round-trips and agrees with CAST(x AS TEXT) when SQLite's text is exact", () => {
    const db = new Database(":memory:");
    const cast = db.prepare("SELECT CAST(? AS TEXT) AS t");
    const values: number[] = [
      0.1, 0.5, 1, 7, 10, 100, 1e14, 1e15, 1e16, 99999999999999.9, 999999999999999, 9999999999999999,
      1e-4, 1e-5, 0.00012345, 123456.789, 5e-324, 1.7976931348623157e308, 2 ** 53, 2 ** 64, 1234567890123445,
      1234567890123455, 0.125, 1 / 3, 2 / 3, Math.PI, Math.E, 1e308, 1e-300, 19.99, 0.07, 1.005, 0.1 + 0.2,
    ];
    let seed = 12345;
    const rnd = (): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed;
    };
    for (let i = 0; i < 30000; i++) {
      values.push((rnd() / 7) * 10 ** ((rnd() % 40) - 20), rnd() / 1000, (rnd() % 100000) / 100);
    }
    // Random bit patterns cover every magnitude, subnormals included.
    const bits = new DataView(new ArrayBuffer(8));
    for (let i = 0; i < 20000; i++) {
      bits.setUint32(0, rnd() ^ (rnd() << 1));
      bits.setUint32(4, rnd() ^ (rnd() << 1));
      const x = bits.getFloat64(0);
      if (Number.isFinite(x)) values.push(x);
    }
    const bad: string[] = [];
    let sameAsSqlite = 0;
    for (const v of values) {
      for (const x of [v, -v]) {
        const ours = realText(x);
        if (!Object.is(Number(ours), x)) bad.push(`${x}: ours ${ours} reads back as ${Number(ours)}`);
        if (!/^-?\d+\.\d+(e[+-]\d{2,3})?$/.test(ours)) bad.push(`${x}: ours ${ours} is not in SQLite's layout`);
        const sqlite = (cast.get(x) as { t: string }).t;
        // Subnormals have fewer than 15 significant bits' worth of digits: several 15-digit texts read back alike.
        if (Math.abs(x) >= 2.2250738585072014e-308 && Number(sqlite) === x) {
          sameAsSqlite++;
          if (sqlite !== ours) bad.push(`${x}: sqlite ${sqlite} (exact), ours ${ours}`);
        }
      }
    }
    db.close();
    expect(bad.slice(0, 10)).toEqual([]);
    // Most values of the ordinary magnitudes have an exact 15-digit text: the comparison really ran.
    expect(sameAsSqlite).toBeGreaterThan(50000);
  });
});

describe("onNote: values kept exactly in meaning but not in form", () => {
  const notes = (kind: ValueKind, v: unknown, pgType?: string): string[] => {
    const seen: string[] = [];
    makeFieldEncoder(kind, { pgType, onNote: (n) => seen.push(n) })(v);
    return seen;
  };
  it("a JSON object with a repeated key, at any depth, once per value; not for json, which keeps the text", () => {
    expect(notes("json", '{"a":1,"a":2}')).toEqual(["json-duplicate-keys"]);
    expect(notes("json", '[{"k":{"x":1,"x":2,"y":1,"y":2}}]')).toEqual(["json-duplicate-keys"]);
    expect(notes("json", '{"a":1,"b":{"a":2}}')).toEqual([]);
    expect(notes("json", '{"a":1,"a":2}', "json")).toEqual([]);
    // Texts the jsonb printer does not predict (a huge exponent) are checked the slow way.
    expect(notes("json", '{"a":1e2000,"a":2}')).toEqual(["json-duplicate-keys"]);
    expect(notes("json", '{"\\u0061":[1, {"b":1}],"a":1e2000}')).toEqual(["json-duplicate-keys"]);
    expect(notes("json", '{"a":1e2000,"b":{"a":1},"c":["a","a"],"d":"a,\\"a"}')).toEqual([]);
  });
  it("a BLOB holding UTF-8 text in a text or json column", () => {
    expect(notes("text", Buffer.from("héllo", "utf8"))).toEqual(["text-from-blob"]);
    expect(notes("json", Buffer.from('{"a":1}', "utf8"))).toEqual(["text-from-blob"]);
    expect(notes("text", "plain")).toEqual([]);
    expect(notes("bytes", Buffer.from("x"))).toEqual([]);
  });
});
