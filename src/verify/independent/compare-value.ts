/**
 * The independent comparison of one value (PURE): does PostgreSQL's value, decoded by pg's parsers
 * (pg-decode.ts), mean what SQLite's stored value means (sqlite-meaning.ts)? Doubles bit for bit, integers
 * exactly (64-bit), text byte for byte, timestamps by instant, booleans, bytes by content, JSON by structure,
 * decimals by exact value.
 *
 * The changes a migration makes on purpose are recognised from the two values alone, never from the plan or the
 * copy's encoders: an integer in a timestamp column equals the instant it denotes as unix seconds or as unix
 * milliseconds; 0/1 and 't'/'false'… equal booleans; integer text '42' equals the integer 42; an integral REAL
 * 7.0 equals 7; a REAL in a text column equals text that reads back as the very same double; a REAL in a decimal
 * or JSON column equals the shortest decimal that reads back as it (what the value says, not its binary expansion).
 */
import { exactDecimal, exactInteger } from "./exact-decimal.js";
import { parseExactJson, sameJsonValue, type JsonValue } from "./exact-json.js";
import { formatInstant } from "./instant.js";
import type { PgValue, TargetKind } from "./pg-decode.js";
import { epochCandidates, isMidnight, parseSqliteTimeText, parseSqliteTimestampText, sqliteBoolean, sqliteInteger } from "./sqlite-meaning.js";

/**
 * One SQLite value; `bytes` is `CAST(value AS BLOB)` when the value is TEXT that is not plain printable ASCII
 * (its exact bytes, which may not be valid UTF-8); absent, a text's bytes are its UTF-8 encoding.
 */
export interface SqliteCell {
  readonly value: unknown;
  readonly bytes?: Buffer | null;
}

const FLOAT_TEXT = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
const INFINITE_TEXT: Readonly<Record<string, number>> = { Inf: Infinity, Infinity: Infinity, "+Infinity": Infinity, "-Inf": -Infinity, "-Infinity": -Infinity, NaN: NaN };

/** A decimal literal or a spelling of ±Infinity/NaN as the double it reads as, or null. */
function textAsDouble(text: string): number | null {
  if (text in INFINITE_TEXT) return INFINITE_TEXT[text];
  return FLOAT_TEXT.test(text) ? Number(text) : null;
}

function textBytes(cell: SqliteCell): Buffer | null {
  const v = cell.value;
  if (typeof v === "string") return cell.bytes ?? Buffer.from(v, "utf8");
  if (v instanceof Uint8Array) return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
  return null;
}

/** The shortest decimal that reads back as the double (ECMAScript Number::toString), exactly. */
function doubleAsDecimal(n: number): string | null {
  return Number.isFinite(n) ? exactDecimal(String(n)) : null;
}

function sqliteJson(cell: SqliteCell): JsonValue | undefined {
  const v = cell.value;
  if (typeof v === "bigint") return { num: exactInteger(v) };
  if (typeof v === "number") {
    const d = doubleAsDecimal(v);
    return d === null ? undefined : { num: d };
  }
  // A text read without its bytes is exactly its UTF-8 (SqliteCell): unless it holds a lone surrogate, which no
  // UTF-8 spells, decoding its encoding gives the string itself.
  if (typeof v === "string" && !cell.bytes && !LONE_SURROGATE.test(v)) return parseExactJson(v);
  const bytes = textBytes(cell);
  if (bytes === null) return undefined;
  let text: string;
  try {
    text = STRICT_UTF8.decode(bytes);
  } catch {
    return undefined;
  }
  return parseExactJson(text);
}

/** In a `u` pattern a surrogate pair is one code point, so only an unpaired surrogate is of this category. */
const LONE_SURROGATE = /\p{Surrogate}/u;
/** Refuses invalid UTF-8 instead of replacing it (https://encoding.spec.whatwg.org/#dom-textdecoder-fatal). */
const STRICT_UTF8 = new TextDecoder("utf-8", { fatal: true });

function sqliteInstant(v: unknown): readonly bigint[] {
  if (typeof v === "string") {
    const ns = parseSqliteTimestampText(v);
    return ns === null ? [] : [ns];
  }
  const n = typeof v === "number" && Number.isInteger(v) ? BigInt(v) : typeof v === "bigint" ? v : null;
  return n === null ? [] : epochCandidates(n);
}

function uuidHex(text: string): string | null {
  const hex = text.replace(/^\{|\}$/g, "").replace(/-/g, "").toLowerCase();
  return /^[0-9a-f]{32}$/.test(hex) ? hex : null;
}

/** Is PostgreSQL's value `pg` (null = SQL NULL) the value SQLite stores in `cell`, for a column of `kind`? */
export function sameByMeaning(kind: TargetKind, cell: SqliteCell, pg: PgValue | null): boolean {
  const v = cell.value;
  if (v === null || v === undefined || pg === null) return (v === null || v === undefined) && pg === null;
  switch (pg.kind) {
    case "undecodable":
      return false;
    case "int":
      return sqliteInteger(v) === pg.value;
    case "float": {
      if (typeof v === "number") return Object.is(v, pg.value);
      if (typeof v === "bigint") return BigInt(Number(v)) === v && Object.is(Number(v), pg.value);
      if (typeof v === "string") {
        const n = textAsDouble(v);
        return n !== null && Object.is(n, pg.value);
      }
      return false;
    }
    case "decimal": {
      if (typeof v === "bigint") return exactInteger(v) === pg.value;
      if (typeof v === "number") return Number.isFinite(v) ? doubleAsDecimal(v) === pg.value : String(v) === pg.value;
      if (typeof v === "string") return (v in INFINITE_TEXT ? String(INFINITE_TEXT[v]) : exactDecimal(v)) === pg.value;
      return false;
    }
    case "text": {
      if (kind === "uuid") {
        const bytes = textBytes(cell);
        const mine = typeof v === "string" ? uuidHex(v) : bytes?.length === 16 ? bytes.toString("hex") : null;
        return mine !== null && mine === uuidHex(pg.value.toString("utf8"));
      }
      if (typeof v === "bigint") return pg.value.toString("latin1") === v.toString();
      if (typeof v === "number") {
        // A REAL that lands in a text column must keep every bit: the text must read back as the same double.
        const n = textAsDouble(pg.value.toString("latin1"));
        return n !== null && Object.is(n, v);
      }
      const bytes = textBytes(cell);
      return bytes !== null && bytes.equals(pg.value);
    }
    case "boolean":
      return sqliteBoolean(v) === pg.value;
    case "instant":
      return sqliteInstant(v).includes(pg.value);
    case "day":
      return sqliteInstant(v).some((ns) => isMidnight(ns) && ns === pg.value);
    case "time":
      return typeof v === "string" && parseSqliteTimeText(v) === pg.value;
    case "json": {
      const mine = sqliteJson(cell);
      return mine !== undefined && sameJsonValue(mine, pg.value);
    }
    case "bytes": {
      const bytes = textBytes(cell);
      return bytes !== null && bytes.equals(pg.value);
    }
  }
}

const MAX_SHOWN = 120;

function cut(s: string): string {
  return s.length > MAX_SHOWN ? `${s.slice(0, MAX_SHOWN)}… (${s.length} chars)` : s;
}

/** SQLite's value with its storage class: `integer 5`, `real 0.30000000000000004`, `text "a"`, `blob x'00ff'`. */
export function describeSqlite(cell: SqliteCell): string {
  const v = cell.value;
  if (v === null || v === undefined) return "NULL";
  if (typeof v === "bigint") return `integer ${v}`;
  if (typeof v === "number") return `real ${Object.is(v, -0) ? "-0" : String(v)}`;
  if (typeof v === "string") {
    const exact = cell.bytes && !cell.bytes.equals(Buffer.from(v, "utf8")) ? ` (bytes x'${cut(cell.bytes.toString("hex"))}')` : "";
    return `text ${cut(JSON.stringify(v))}${exact}`;
  }
  if (v instanceof Uint8Array) return `blob x'${cut(Buffer.from(v).toString("hex"))}' (${v.byteLength} bytes)`;
  return String(v);
}

/** PostgreSQL's value: its type and its text as PostgreSQL prints it, plus what it was decoded to when it helps. */
export function describePg(typname: string, text: string | null, decoded: PgValue | null): string {
  if (text === null) return "NULL";
  const extra = decoded?.kind === "instant" || decoded?.kind === "day" ? ` (${formatInstant(decoded.value)})` : decoded?.kind === "undecodable" ? ` (${decoded.why})` : "";
  return `${typname} ${cut(JSON.stringify(text))}${extra}`;
}
