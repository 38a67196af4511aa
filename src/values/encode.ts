/**
 * Pure value encoders for PostgreSQL `COPY ... FROM STDIN` in text format
 * (https://www.postgresql.org/docs/current/sql-copy.html, "Text Format"): fields separated by a tab, rows ended by
 * a newline, NULL written as `\N`, and backslash, tab, newline and carriage return escaped as `\\ \t \n \r`.
 *
 * Input values are what better-sqlite3 returns with `defaultSafeIntegers(true)`: null, bigint (INTEGER),
 * number (REAL), string (TEXT), Buffer (BLOB). Every encoder either produces text that PostgreSQL reads back as
 * exactly the same value, or throws a {@link ValueError}; nothing is rounded or guessed silently.
 *
 * This is the hot path of the whole tool: one closure per column is chosen once by {@link makeRowEncoder}, the
 * common cases avoid regular expressions and allocations beyond the output string.
 */
import type { ValueKind } from "../core/column-type.js";
import { pgFloatText, pgNumericText } from "./pg-text.js";
import { type EncodeOptions, type ValueNote, ValueError, type FieldEncoder, NEEDS_ESCAPE, escapeAll, utf8, isBytes, excerptOf, describe } from "./copy-text.js";
import { INT_TEXT, DECIMAL_TEXT, INT32_MIN, INT32_MAX, INT64_MIN, INT64_MAX, canonDecimal, realText, parseBooleanLike } from "./numbers.js";
import { TIME_TEXT, normFraction, TimestampReader } from "./timestamps.js";
import { jsonEncoder } from "./json.js";

function intEncoder(index: number, min: bigint, max: bigint, what: string): FieldEncoder {
  const fail = (v: unknown, why: string): never => {
    throw new ValueError(index, why, excerptOf(v));
  };
  const range = (b: bigint, v: unknown): string =>
    b >= min && b <= max ? b.toString() : fail(v, `${describe(v)} out of range for ${what}`);
  return (v) => {
    if (typeof v === "bigint") return v >= min && v <= max ? v.toString() : range(v, v);
    if (typeof v === "number") {
      // An integral REAL (7.0, or even 2^60) is an exact integer; the range is checked exactly.
      if (Number.isInteger(v)) return range(BigInt(v), v);
      return fail(v, `${describe(v)} is not an integer (${what} column)`);
    }
    if (typeof v === "string") {
      if (INT_TEXT.test(v)) return range(BigInt(v), v);
      return fail(v, `${describe(v)} in an integer column`);
    }
    return fail(v, `${describe(v)} in an integer column`);
  };
}

function floatEncoder(index: number): FieldEncoder {
  const fail = (v: unknown, why: string): never => {
    throw new ValueError(index, why, excerptOf(v));
  };
  return (v) => {
    if (typeof v === "number") return pgFloatText(v);
    if (typeof v === "bigint") {
      const n = Number(v);
      if (BigInt(n) === v) return pgFloatText(n);
      return fail(v, `${describe(v)} cannot be represented exactly as double precision`);
    }
    if (typeof v === "string") {
      if (DECIMAL_TEXT.test(v)) {
        const n = Number(v);
        if (Number.isFinite(n) && (n === 0 ? canonDecimal(v) === "0" : canonDecimal(v) === canonDecimal(String(n)))) {
          return pgFloatText(n);
        }
        return fail(v, `${describe(v)} cannot be represented exactly as double precision`);
      }
      if (v === "Infinity" || v === "+Infinity") return "Infinity";
      if (v === "-Infinity") return "-Infinity";
      if (v === "NaN") return "NaN";
      return fail(v, `${describe(v)} in a floating-point column`);
    }
    return fail(v, `${describe(v)} in a floating-point column`);
  };
}

function decimalEncoder(index: number, scale: number | undefined): FieldEncoder {
  const fail = (v: unknown, why: string): never => {
    throw new ValueError(index, why, excerptOf(v));
  };
  // Sent as numeric_out would print it (pg-text.ts); a literal it would round is sent as written, and
  // verification then compares that table row by row.
  const spell = (literal: string): string => pgNumericText(literal, scale) ?? literal;
  return (v) => {
    if (typeof v === "bigint") return spell(v.toString());
    if (typeof v === "number") {
      if (Number.isFinite(v)) return spell(String(v)); // -0 → "0"
      return fail(v, `${describe(v)} in a decimal column`);
    }
    if (typeof v === "string") {
      if (DECIMAL_TEXT.test(v)) return spell(v);
      return fail(v, `${describe(v)} in a decimal column`);
    }
    return fail(v, `${describe(v)} in a decimal column`);
  };
}

function textEncoder(index: number, onNote: ((note: ValueNote) => void) | undefined): FieldEncoder {
  const fail = (v: unknown, why: string): never => {
    throw new ValueError(index, why, excerptOf(v));
  };
  const str = (s: string, v: unknown): string => {
    if (!NEEDS_ESCAPE.test(s)) return s;
    if (s.includes("\u0000")) return fail(v, "NUL byte in text (PostgreSQL text cannot hold U+0000)");
    return escapeAll(s);
  };
  return (v) => {
    if (typeof v === "string") return NEEDS_ESCAPE.test(v) ? str(v, v) : v;
    if (typeof v === "bigint") return v.toString();
    if (typeof v === "number") return realText(v);
    if (isBytes(v)) {
      let s: string;
      try {
        s = utf8.decode(v);
      } catch {
        return fail(v, `${describe(v)} is invalid UTF-8 (text column)`);
      }
      const out = str(s, v);
      onNote?.("text-from-blob");
      return out;
    }
    return fail(v, `${describe(v)} in a text column`);
  };
}

function booleanEncoder(index: number): FieldEncoder {
  return (v) => {
    const b = parseBooleanLike(v);
    if (b === null) throw new ValueError(index, `${describe(v)} in a boolean column`, excerptOf(v));
    return b ? "t" : "f";
  };
}

function timestampEncoder(index: number, mixed: boolean, dateOnly: boolean): FieldEncoder {
  const what = dateOnly ? "date" : "DATETIME";
  const reader = new TimestampReader();
  const fail = (v: unknown, why: string): never => {
    throw new ValueError(index, why, excerptOf(v));
  };
  const out = (r: string | null, v: unknown): string => {
    if (r === null) return fail(v, `${describe(v)} in a ${what} column: ${reader.failure}`);
    if (!dateOnly) return r;
    if (!reader.midnight) return fail(v, `${describe(v)} in a date column has a time of day`);
    return r.length === 10 ? r : r.slice(0, 10);
  };
  return (v) => {
    if (typeof v === "string") {
      if (dateOnly && v.length === 10) return reader.parse(v) === null ? out(null, v) : v;
      return out(reader.parse(v), v);
    }
    if (typeof v === "bigint") return out(reader.epoch(v, mixed), v);
    if (typeof v === "number") {
      if (Number.isInteger(v)) return out(reader.epoch(v, mixed), v);
      return fail(v, `REAL in a ${what} column (julian day?): ${excerptOf(v)}`);
    }
    return fail(v, `${describe(v)} in a ${what} column`);
  };
}

function timeEncoder(index: number): FieldEncoder {
  const fail = (v: unknown, why: string): never => {
    throw new ValueError(index, why, excerptOf(v));
  };
  return (v) => {
    if (typeof v !== "string") return fail(v, `${describe(v)} in a time column`);
    const m = TIME_TEXT.exec(v);
    if (m === null) return fail(v, `${describe(v)} in a time column: not a time of day`);
    const sec = m[3] === undefined ? "00" : m[3];
    if (+m[1] > 23 || +m[2] > 59 || +sec > 59) return fail(v, `${describe(v)} in a time column: no such time of day`);
    const frac = normFraction(m[4]);
    if (frac === null) return fail(v, `${describe(v)} has more than 6 fractional-second digits (PostgreSQL would round)`);
    return `${m[1]}:${m[2]}:${sec}${frac}`;
  };
}

function bytesEncoder(index: number): FieldEncoder {
  return (v) => {
    if (isBytes(v)) {
      const b = Buffer.isBuffer(v) ? v : Buffer.from(v.buffer, v.byteOffset, v.byteLength);
      return `\\\\x${b.toString("hex")}`;
    }
    if (typeof v === "string") return `\\\\x${Buffer.from(v, "utf8").toString("hex")}`;
    throw new ValueError(index, `${describe(v)} in a bytes column`, excerptOf(v));
  };
}

function fieldEncoder(kind: ValueKind, index: number, opts: EncodeOptions | undefined): FieldEncoder {
  switch (kind) {
    case "int":
      return intEncoder(index, INT32_MIN, INT32_MAX, "integer");
    case "bigint":
      return intEncoder(index, INT64_MIN, INT64_MAX, "bigint");
    case "float":
      return floatEncoder(index);
    case "decimal":
      return decimalEncoder(index, opts?.scale);
    case "text":
      return textEncoder(index, opts?.onNote);
    case "boolean":
      return booleanEncoder(index);
    case "timestamp":
      return timestampEncoder(index, opts?.epochUnit === "mixed", false);
    case "date":
      return timestampEncoder(index, opts?.epochUnit === "mixed", true);
    case "time":
      return timeEncoder(index);
    case "json":
      return jsonEncoder(index, opts?.pgType, opts?.onNote);
    case "bytes":
      return bytesEncoder(index);
    default: {
      const never: never = kind;
      throw new Error(`unknown value kind ${String(never)}`);
    }
  }
}

/**
 * Build the encoder for rows whose columns have the given kinds. The returned function turns one row (values in
 * column order) into one COPY text line, trailing "\n" included; it throws {@link ValueError} for a value that
 * cannot be converted exactly.
 */
export function makeRowEncoder(
  kinds: readonly ValueKind[],
  options?: readonly (EncodeOptions | undefined)[],
): (row: readonly unknown[]) => string {
  const encoders = kinds.map((k, i) => fieldEncoder(k, i, options?.[i]));
  const n = encoders.length;
  if (n === 0) throw new Error("makeRowEncoder: no columns");
  return (row) => {
    // Trailing extras (the copy appends the rowid to name a row) are ignored.
    if (row.length < n) throw new Error(`row has ${row.length} values, expected ${n}`);
    const v0 = row[0];
    let line = v0 === null || v0 === undefined ? "\\N" : encoders[0](v0);
    for (let i = 1; i < n; i++) {
      const v = row[i];
      line += v === null || v === undefined ? "\t\\N" : "\t" + encoders[i](v);
    }
    return line + "\n";
  };
}

/**
 * The encoder of one non-null value of the given kind, exactly as {@link makeRowEncoder} applies it (COPY-escaped
 * output; throws {@link ValueError} with column index 0). Exported so verify canonicalizes the source side with the
 * very rules the copy used.
 */
export function makeFieldEncoder(kind: ValueKind, options?: EncodeOptions): (v: unknown) => string {
  return fieldEncoder(kind, 0, options);
}
