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
import { jsonbRefusesString, pgFloatText, pgJsonbTextCounting, pgNumericText, type JsonbStats } from "./pg-text.js";

export interface EncodeOptions {
  /**
   * How the profile found a DATETIME column's integers (convert.ts epochUnitFor). Each value's unit is decided by
   * its magnitude (epochUnitOf) whatever this says; in a "mixed" column a value that is unix seconds after 2100
   * could as well be milliseconds of 1970–1973, and is refused as ambiguous.
   */
  epochUnit?: "s" | "ms" | "mixed";
  /** The target column's PostgreSQL type name (pg_type.typname), when known: "json" keeps JSON text as written. */
  pgType?: string;
  /** numeric(p,s): the declared scale s, so decimals are sent with exactly s fraction digits as PostgreSQL prints them. */
  scale?: number;
  /**
   * Told of each value that lands exactly but not as it was stored, so the copy can report it as a decision with
   * its count (table-encoder.ts); called before the encoder returns, never for a value it refuses.
   */
  onNote?: (note: ValueNote) => void;
}

/**
 * Values kept exactly in meaning, not in form: a JSON object with a repeated key (jsonb keeps the last value of
 * each key, https://www.postgresql.org/docs/current/datatype-json.html), a BLOB holding UTF-8 text stored as that
 * text in a text or json column.
 */
export type ValueNote = "json-duplicate-keys" | "text-from-blob";

/** A value that cannot be converted exactly to its target column's type. */
export class ValueError extends Error {
  /** 0-based index of the column in the row. */
  readonly columnIndex: number;
  /** Why, in words a user understands (e.g. "text 'lots-of-it' in an integer column"). */
  readonly reason: string;
  /** A short, printable rendering of the offending value. */
  readonly excerpt: string;

  constructor(columnIndex: number, reason: string, excerpt: string) {
    super(`column ${columnIndex}: ${reason}`);
    this.name = "ValueError";
    this.columnIndex = columnIndex;
    this.reason = reason;
    this.excerpt = excerpt;
  }
}

/** Encodes one non-null value; throws ValueError. */
type FieldEncoder = (v: unknown) => string;

// ---------------------------------------------------------------------------------------------------------------
// Helpers

const NEEDS_ESCAPE = /[\\\t\n\r\u0000]/;
/** COPY-escape a string known to be free of NUL characters. */
function escapeCopy(s: string): string {
  return NEEDS_ESCAPE.test(s) ? escapeAll(s) : s;
}

/** Replace \\ \t \n \r by their COPY escapes (the caller has checked there is at least one). */
function escapeAll(s: string): string {
  let out = "";
  let last = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    let rep: string;
    if (c === 92) rep = "\\\\";
    else if (c === 9) rep = "\\t";
    else if (c === 10) rep = "\\n";
    else if (c === 13) rep = "\\r";
    else continue;
    out += s.slice(last, i) + rep;
    last = i + 1;
  }
  return out + s.slice(last);
}

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

function isBytes(v: unknown): v is Uint8Array {
  return v instanceof Uint8Array;
}

/** A short printable rendering of a value for error messages. */
export function excerptOf(v: unknown): string {
  if (v === null || v === undefined) return "NULL";
  if (typeof v === "bigint") return v.toString();
  if (typeof v === "number") return Object.is(v, -0) ? "-0" : String(v);
  if (typeof v === "string") {
    const s = v.length > 40 ? `${v.slice(0, 40)}…` : v;
    return `'${s.replace(/[\u0000-\u001f\u007f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`)}'`;
  }
  if (isBytes(v)) {
    const hex = Buffer.from(v.buffer, v.byteOffset, Math.min(v.byteLength, 16)).toString("hex");
    return `x'${hex}${v.byteLength > 16 ? "…" : ""}' (${v.byteLength} bytes)`;
  }
  return String(v);
}

/** "text 'abc'", "integer 5", "real 1.5", "blob x'00' (1 bytes)". */
function describe(v: unknown): string {
  if (typeof v === "bigint") return `integer ${excerptOf(v)}`;
  if (typeof v === "number") return `real ${excerptOf(v)}`;
  if (typeof v === "string") return `text ${excerptOf(v)}`;
  if (isBytes(v)) return `blob ${excerptOf(v)}`;
  return `value ${excerptOf(v)}`;
}

const INT_TEXT = /^[+-]?\d+$/;
/** A decimal number as PostgreSQL's numeric input accepts it (no whitespace, no NaN/Infinity). */
const DECIMAL_TEXT = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

export const INT32_MIN = -2147483648n;
export const INT32_MAX = 2147483647n;
export const INT64_MIN = -9223372036854775808n;
export const INT64_MAX = 9223372036854775807n;

/**
 * Canonical form of a decimal literal (matching DECIMAL_TEXT or JS number output): significant digits without
 * leading/trailing zeros plus the exponent of the last digit; "0" for zero. Used to test whether text denotes
 * exactly the value its double parses to.
 */
function canonDecimal(s: string): string {
  let i = 0;
  let neg = false;
  if (s[0] === "+" || s[0] === "-") {
    neg = s[0] === "-";
    i = 1;
  }
  let e = s.indexOf("e");
  if (e < 0) e = s.indexOf("E");
  const mant = e < 0 ? s.slice(i) : s.slice(i, e);
  let exp = e < 0 ? 0 : Number(s.slice(e + 1));
  const dot = mant.indexOf(".");
  let digits = mant;
  if (dot >= 0) {
    digits = mant.slice(0, dot) + mant.slice(dot + 1);
    exp -= mant.length - dot - 1;
  }
  let a = 0;
  while (a < digits.length && digits[a] === "0") a++;
  let b = digits.length;
  while (b > a && digits[b - 1] === "0") {
    b--;
    exp++;
  }
  if (a === b) return "0";
  return `${neg ? "-" : ""}${digits.slice(a, b)}e${exp}`;
}

/**
 * The text a REAL becomes in a text column: SQLite's own layout (`CAST(x AS TEXT)`, printf "%!.15g": at least one
 * digit after the point, exponent form with at least two exponent digits when the decimal exponent is < -4 or
 * >= 15, infinities as "Inf"/"-Inf") with the *shortest digits that read back as the same double* (ECMAScript's
 * Number::toString, https://tc39.es/ecma262/#sec-numeric-types-number-tostring) instead of SQLite's 15
 * significant digits, which lose the last digits of 0.1+0.2 ("0.3") or of 2^64 ("1.84467440737096e+19").
 *
 * So the text is SQLite's own spelling whenever those 15 digits are exact (the shortest digits then are the same
 * digits: two 15-digit decimals are further apart than a normal double's ulp), and otherwise has up to 17 significant
 * digits. An integral REAL keeps its ".0" (7.0 → "7.0", 2^64 → "1.8446744073709552e+19") so it stays
 * distinguishable from the INTEGER 7 in the same column, as in SQLite; -0.0 keeps its sign ("-0.0").
 */
export function realText(n: number): string {
  if (Number.isNaN(n)) return "NaN";
  if (n === Infinity) return "Inf";
  if (n === -Infinity) return "-Inf";
  if (n === 0) return Object.is(n, -0) ? "-0.0" : "0.0";
  const sign = n < 0 ? "-" : "";
  const t = Math.abs(n).toExponential(); // shortest round-trip digits, "d.ddde±x"
  const ePos = t.indexOf("e");
  const exp = Number(t.slice(ePos + 1));
  const digits = ePos > 1 ? t[0] + t.slice(2, ePos) : t[0];
  if (exp < -4 || exp > 14) {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : `${digits}.0`;
    const ae = Math.abs(exp);
    return `${sign}${m}e${exp < 0 ? "-" : "+"}${ae < 10 ? "0" : ""}${ae}`;
  }
  if (exp < 0) return `${sign}0.${"0".repeat(-exp - 1)}${digits}`;
  if (digits.length <= exp + 1) return `${sign}${digits}${"0".repeat(exp + 1 - digits.length)}.0`;
  return `${sign}${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}`;
}

/** Parse a boolean-like value: true, false, or null when it is not one. Shared with the profiler. */
export function parseBooleanLike(v: unknown): boolean | null {
  if (typeof v === "bigint") return v === 1n ? true : v === 0n ? false : null;
  if (typeof v === "number") return v === 1 ? true : v === 0 ? false : null;
  if (typeof v === "string") {
    switch (v.length) {
      case 1:
        if (v === "1" || v === "t" || v === "T") return true;
        if (v === "0" || v === "f" || v === "F") return false;
        return null;
      case 4:
        return v.toLowerCase() === "true" ? true : null;
      case 5:
        return v.toLowerCase() === "false" ? false : null;
      default:
        return null;
    }
  }
  return null;
}

// ---------------------------------------------------------------------------------------------------------------
// Date and time arithmetic (proleptic Gregorian, exact, no JS Date)

/** Days since 1970-01-01 of a civil date (H. Hinnant's days_from_civil). */
function daysFromCivil(y: number, m: number, d: number): number {
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** Civil date "YYYY-MM-DD" of a day count since 1970-01-01, or null when the year is outside 1..9999. */
function civilFromDays(z: number): string | null {
  z += 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  if (y < 1 || y > 9999) return null;
  return `${pad4(y)}-${pad2(m)}-${pad2(d)}`;
}

/** "00".."59" */
const PAD2: readonly string[] = Array.from({ length: 60 }, (_, i) => (i < 10 ? `0${i}` : `${i}`));
/** Millisecond fractions with trailing zeros dropped: "", ".001", … ".01", … ".999". */
const FRAC_MS: readonly string[] = Array.from({ length: 1000 }, (_, i) =>
  i === 0 ? "" : `.${String(i).padStart(3, "0")}`.replace(/0+$/, ""),
);

function pad2(n: number): string {
  return PAD2[n];
}
function pad4(n: number): string {
  return n >= 1000 ? `${n}` : n >= 100 ? `0${n}` : n >= 10 ? `00${n}` : `000${n}`;
}

function daysInMonth(y: number, m: number): number {
  if (m === 2) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
  return m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}

/** Value of the decimal digit at s[i], or -1. */
function dig(s: string, i: number): number {
  const c = s.charCodeAt(i) - 48;
  return c >= 0 && c <= 9 ? c : -1;
}
/** Value of the two digits at s[i], s[i+1], or -1. */
function dig2(s: string, i: number): number {
  const a = dig(s, i);
  const b = dig(s, i + 1);
  return a < 0 || b < 0 ? -1 : a * 10 + b;
}

/*
 * The timestamp parsers return the normalized UTC text `YYYY-MM-DD HH:MM:SS[.ffffff]` (trailing fraction zeros
 * dropped, as PostgreSQL prints it), or null with the reason in `tsFailure`. `tsMidnight` tells whether the last
 * successful parse was exactly 00:00:00. (Module state instead of a result object: no allocation per value.)
 */
let tsFailure = "";
let tsMidnight = false;

function tsFail(reason: string): null {
  tsFailure = reason;
  return null;
}

const NOT_A_TIMESTAMP = "not a timestamp";

/**
 * Parse `YYYY-MM-DD[( |T)HH:MM[:SS[.f{1,9}]][Z|±HH:MM|±HHMM|±HH]]` by hand (this runs for every DATETIME value);
 * return a reason string when the text is not such a timestamp or cannot be kept exactly.
 */
function parseTimestampText(s: string): string | null {
  const len = s.length;
  if (len < 10 || s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45) return tsFail(NOT_A_TIMESTAMP);
  const y1 = dig2(s, 0);
  const y2 = dig2(s, 2);
  const mo = dig2(s, 5);
  const d = dig2(s, 8);
  if (y1 < 0 || y2 < 0 || mo < 0 || d < 0) return tsFail(NOT_A_TIMESTAMP);
  const y = y1 * 100 + y2;
  if (y < 1) return tsFail("year outside 0001..9999");
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo)) return tsFail("no such date");
  if (len === 10) {
    tsMidnight = true;
    return `${s} 00:00:00`;
  }
  const sep = s.charCodeAt(10);
  if ((sep !== 32 && sep !== 84 && sep !== 116) || len < 16 || s.charCodeAt(13) !== 58) return tsFail(NOT_A_TIMESTAMP);
  let h = dig2(s, 11);
  let mi = dig2(s, 14);
  if (h < 0 || mi < 0) return tsFail(NOT_A_TIMESTAMP);
  let pos = 16;
  let sec = 0;
  let hasSec = false;
  let fracStart = 0;
  let fracEnd = 0; // after dropping trailing zeros
  if (pos < len && s.charCodeAt(pos) === 58) {
    sec = dig2(s, pos + 1);
    if (sec < 0) return tsFail(NOT_A_TIMESTAMP);
    hasSec = true;
    pos += 3;
    if (pos < len && s.charCodeAt(pos) === 46) {
      fracStart = pos + 1;
      pos = fracStart;
      while (pos < len && dig(s, pos) >= 0) pos++;
      const n = pos - fracStart;
      if (n === 0 || n > 9) return tsFail(NOT_A_TIMESTAMP);
      fracEnd = pos;
      while (fracEnd > fracStart && s.charCodeAt(fracEnd - 1) === 48) fracEnd--;
      if (fracEnd - fracStart > 6) return tsFail("more than 6 fractional-second digits (PostgreSQL would round)");
    }
  }
  if (h > 23 || mi > 59 || sec > 59) return tsFail("no such time of day");
  let offset = 0;
  if (pos < len) {
    const z = s.charCodeAt(pos);
    if (z === 90 || z === 122) {
      if (pos + 1 !== len) return tsFail(NOT_A_TIMESTAMP);
    } else if (z === 43 || z === 45) {
      const oh = dig2(s, pos + 1);
      let om = 0;
      const rest = len - pos - 3;
      if (oh < 0) return tsFail(NOT_A_TIMESTAMP);
      if (rest === 3 && s.charCodeAt(pos + 3) === 58) om = dig2(s, pos + 4);
      else if (rest === 2) om = dig2(s, pos + 3);
      else if (rest !== 0) return tsFail(NOT_A_TIMESTAMP);
      if (om < 0) return tsFail(NOT_A_TIMESTAMP);
      if (oh > 15 || om > 59) return tsFail("invalid UTC offset");
      offset = (oh * 60 + om) * (z === 45 ? -1 : 1);
    } else {
      return tsFail(NOT_A_TIMESTAMP);
    }
  }
  const frac = fracEnd > fracStart ? s.slice(fracStart - 1, fracEnd) : "";
  if (offset === 0) {
    tsMidnight = h === 0 && mi === 0 && sec === 0 && frac === "";
    // Already normalized: hand back the very string.
    if (sep === 32 && hasSec && pos === len && (fracStart === 0 || fracEnd === len)) return s;
    return `${s.slice(0, 10)} ${s.slice(11, 16)}:${hasSec ? s.slice(17, 19) : "00"}${frac}`;
  }
  // local = UTC + offset  →  UTC = local - offset, on whole minutes (seconds and fraction unchanged)
  let total = daysFromCivil(y, mo, d) * 1440 + h * 60 + mi - offset;
  const days = Math.floor(total / 1440);
  total -= days * 1440;
  h = Math.floor(total / 60);
  mi = total - h * 60;
  const date = civilFromDays(days);
  if (date === null) return tsFail("year outside 0001..9999 after conversion to UTC");
  tsMidnight = h === 0 && mi === 0 && sec === 0 && frac === "";
  return `${date} ${PAD2[h]}:${PAD2[mi]}:${PAD2[sec]}${frac}`;
}

/**
 * Text the timestamp encoder sends exactly as stored: already `YYYY-MM-DD HH:MM:SS[.f{1,6}]` without a zone or a
 * trailing fraction zero, a real date and time of day. The profile counts such values, and a column holding only
 * these is spelled by SQLite itself during the copy (src/copy/sql-spelling.ts).
 */
export function isCanonicalTimestampText(s: string): boolean {
  return s.length >= 19 && parseTimestampText(s) === s;
}

/** Text the date encoder sends exactly as stored: a real date `YYYY-MM-DD` (see isCanonicalTimestampText). */
export function isCanonicalDateText(s: string): boolean {
  return s.length === 10 && parseTimestampText(s) !== null;
}

const TIME_TEXT = /^(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?$/;

/** Up to 6 fraction digits with trailing zeros dropped ("" for none), or null when precision would be lost. */
function normFraction(f: string | undefined): string | null {
  if (f === undefined) return "";
  let end = f.length;
  while (end > 0 && f.charCodeAt(end - 1) === 48) end--;
  if (end > 6) return null;
  return end === 0 ? "" : `.${f.slice(0, end)}`;
}

/** Epoch milliseconds bounds of years 0001..9999. */
export const MIN_EPOCH_MS = -62135596800000;
export const MAX_EPOCH_MS = 253402300799999;

/** Consecutive epoch values mostly fall on the same day: remember the last day's date text. */
let lastEpochDay = NaN;
let lastEpochDate = "";

/** UTC timestamp text of unix epoch milliseconds (an integral number), or null when outside years 1..9999. */
function epochMsText(ms: number): string | null {
  if (!(ms >= MIN_EPOCH_MS && ms <= MAX_EPOCH_MS)) return null;
  const days = Math.floor(ms / 86400000);
  let rem = ms - days * 86400000;
  const h = Math.floor(rem / 3600000);
  rem -= h * 3600000;
  const mi = Math.floor(rem / 60000);
  rem -= mi * 60000;
  const sec = Math.floor(rem / 1000);
  const milli = rem - sec * 1000;
  if (days !== lastEpochDay) {
    lastEpochDate = civilFromDays(days)!;
    lastEpochDay = days;
  }
  tsMidnight = rem === 0 && h === 0 && mi === 0;
  return `${lastEpochDate} ${PAD2[h]}:${PAD2[mi]}:${PAD2[sec]}${FRAC_MS[milli]}`;
}

/**
 * Below this magnitude an integer is no plausible unix time: as seconds it falls within 1966-10-31..1973-03-03, as
 * milliseconds within a day of 1970-01-01. Such values are years (2024), placeholders (0) or counters; turning
 * them into 1970 timestamps would change them silently, so the copy refuses them.
 */
export const EPOCH_PLAUSIBLE_MIN = 100_000_000;
/**
 * From this magnitude on an integer is unix *milliseconds* (as seconds it would lie beyond the year 5138), below
 * it unix *seconds* (as milliseconds it would fall in 1970–1973). The two bands do not overlap, so each value is
 * decided on its own: a column mixing seconds and milliseconds (an application that changed its writer) converts
 * exactly.
 */
export const EPOCH_MS_MIN = 100_000_000_000;
/**
 * 2100-01-01 in unix seconds. In a column that also holds milliseconds, a seconds-band value from here on (years
 * 2100–5138 as seconds) reads as well as milliseconds of 1970-02-17..1973-03-03: neither reading can be chosen.
 */
export const EPOCH_S_AMBIGUOUS_MIN = 4_102_444_800;
const EPOCH_PLAUSIBLE_MIN_N = BigInt(EPOCH_PLAUSIBLE_MIN);
const EPOCH_PLAUSIBLE_MAX_NEG = -EPOCH_PLAUSIBLE_MIN_N;
const EPOCH_MS_MIN_N = BigInt(EPOCH_MS_MIN);
const EPOCH_MS_MAX_NEG = -EPOCH_MS_MIN_N;

/** How a DATETIME column reads an integer: unix seconds, unix milliseconds, or null (no plausible unix time). */
export function epochUnitOf(v: bigint | number): "s" | "ms" | null {
  // The profile calls this for every integer it reads: comparisons only, no negated bigint.
  if (typeof v === "bigint") {
    if (v >= EPOCH_MS_MIN_N || v <= EPOCH_MS_MAX_NEG) return "ms";
    return v >= EPOCH_PLAUSIBLE_MIN_N || v <= EPOCH_PLAUSIBLE_MAX_NEG ? "s" : null;
  }
  const a = Math.abs(v);
  return a >= EPOCH_MS_MIN ? "ms" : a >= EPOCH_PLAUSIBLE_MIN ? "s" : null;
}

const NOT_AN_EPOCH =
  "not a plausible unix time (its magnitude is below 10^8: 1966-10-31..1973-03-03 as seconds, within a day of 1970-01-01 as milliseconds); " +
  "keep the column's values as they are with --type <table>.<column>=BigInt (integers only) or =String";

const AMBIGUOUS_EPOCH =
  "ambiguous in a column that mixes unix seconds and milliseconds: as seconds after 2100, as milliseconds in 1970–1973; " +
  "fix the value in SQLite, or keep the column's values as they are with --type <table>.<column>=BigInt (integers only) or =String";

/** Timestamp of an integer epoch value (its unit decided by its magnitude, epochUnitOf), or a reason string. */
function epochText(v: bigint | number, mixed: boolean): string | null {
  const unit = epochUnitOf(v);
  if (unit === null) return tsFail(NOT_AN_EPOCH);
  if (mixed && unit === "s" && (v >= EPOCH_S_AMBIGUOUS_MIN || v <= -EPOCH_S_AMBIGUOUS_MIN)) return tsFail(AMBIGUOUS_EPOCH);
  let n: number;
  if (typeof v === "bigint") {
    // Any in-range value is far below 2^53 ms; reject the rest before converting.
    if (v < -300000000000000n || v > 300000000000000n) return tsFail(`epoch ${unit} value outside years 0001..9999`);
    n = Number(v);
  } else {
    n = v;
  }
  return epochMsText(unit === "s" ? n * 1000 : n) ?? tsFail(`epoch ${unit} value outside years 0001..9999`);
}

// ---------------------------------------------------------------------------------------------------------------
// Per-kind encoders

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
  const fail = (v: unknown, why: string): never => {
    throw new ValueError(index, why, excerptOf(v));
  };
  const out = (r: string | null, v: unknown): string => {
    if (r === null) return fail(v, `${describe(v)} in a ${what} column: ${tsFailure}`);
    if (!dateOnly) return r;
    if (!tsMidnight) return fail(v, `${describe(v)} in a date column has a time of day`);
    return r.length === 10 ? r : r.slice(0, 10);
  };
  return (v) => {
    if (typeof v === "string") {
      if (dateOnly && v.length === 10) return parseTimestampText(v) === null ? out(null, v) : v;
      return out(parseTimestampText(v), v);
    }
    if (typeof v === "bigint") return out(epochText(v, mixed), v);
    if (typeof v === "number") {
      if (Number.isInteger(v)) return out(epochText(v, mixed), v);
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

/** A parsed JSON value holds a string PostgreSQL's jsonb refuses (U+0000, or an unpaired surrogate). */
function jsonHasBadString(x: unknown): boolean {
  if (typeof x === "string") return jsonbRefusesString(x);
  if (Array.isArray(x)) return x.some(jsonHasBadString);
  if (x !== null && typeof x === "object") {
    for (const [k, val] of Object.entries(x)) if (jsonbRefusesString(k) || jsonHasBadString(val)) return true;
  }
  return false;
}

/**
 * Whether valid JSON text has an object with a repeated key, for the texts pgJsonbText does not print (a huge
 * exponent, deep nesting): iterative, so no nesting depth overflows it. Strings are skipped by their quotes;
 * keys with escapes are decoded before they are compared.
 */
function hasRepeatedKey(s: string): boolean {
  const keys: (Set<string> | null)[] = []; // one entry per open object (a Set) or array (null)
  let expectKey = false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 34) {
      const start = i;
      let escaped = false;
      for (i++; s.charCodeAt(i) !== 34; i++) {
        if (s.charCodeAt(i) === 92) {
          escaped = true;
          i++;
        }
      }
      const top = keys[keys.length - 1];
      if (expectKey && top) {
        const raw = s.slice(start, i + 1);
        const key = escaped ? (JSON.parse(raw) as string) : raw.slice(1, -1);
        if (top.has(key)) return true;
        top.add(key);
      }
      expectKey = false;
    } else if (c === 123) {
      keys.push(new Set());
      expectKey = true;
    } else if (c === 91) {
      keys.push(null);
      expectKey = false;
    } else if (c === 125 || c === 93) {
      keys.pop();
      expectKey = false;
    } else if (c === 44) {
      expectKey = keys[keys.length - 1] !== null && keys.length > 0;
    }
  }
  return false;
}

function jsonEncoder(index: number, pgType: string | undefined, onNote: ((note: ValueNote) => void) | undefined): FieldEncoder {
  // jsonb keeps the value, not the text: send the text jsonb_out will print (pg-text.ts), whose printer also
  // validates. A json column keeps the text exactly as written.
  const jsonb = pgType !== "json";
  const stats: JsonbStats | undefined = onNote ? { duplicateKeys: 0 } : undefined;
  const fail = (v: unknown, why: string): never => {
    throw new ValueError(index, why, excerptOf(v));
  };
  const str = (s: string, v: unknown): string => {
    if (jsonb) {
      const spelled = pgJsonbTextCounting(s, stats);
      if (spelled !== null) {
        if (stats !== undefined && stats.duplicateKeys > 0) {
          stats.duplicateKeys = 0;
          onNote!("json-duplicate-keys");
        }
        return escapeCopy(spelled);
      }
      if (stats !== undefined) stats.duplicateKeys = 0;
    }
    // Slow path: say what is wrong, or send valid JSON the printer would not predict (a huge exponent) as written.
    let parsed: unknown;
    try {
      parsed = JSON.parse(s);
    } catch {
      return fail(v, `${describe(v)}: invalid JSON`);
    }
    // Escapes (\u0000, unpaired \ud800) are the only way such characters reach a parsed string.
    if (s.includes("\\u") && jsonHasBadString(parsed)) {
      return fail(v, `${describe(v)}: JSON contains \\u0000 or an unpaired surrogate escape, which jsonb rejects`);
    }
    if (jsonb && onNote !== undefined && hasRepeatedKey(s)) onNote("json-duplicate-keys");
    return escapeCopy(s);
  };
  return (v) => {
    if (typeof v === "string") return str(v, v);
    if (typeof v === "bigint") return v.toString();
    if (typeof v === "number") {
      if (Number.isFinite(v)) return pgType === "json" ? (Object.is(v, -0) ? "-0" : String(v)) : (pgNumericText(String(v)) ?? String(v));
      return fail(v, `${describe(v)} is not a JSON value`);
    }
    if (isBytes(v)) {
      let s: string;
      try {
        s = utf8.decode(v);
      } catch {
        return fail(v, `${describe(v)} is invalid UTF-8 (json column)`);
      }
      const out = str(s, v);
      onNote?.("text-from-blob");
      return out;
    }
    return fail(v, `${describe(v)} in a json column`);
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
