/**
 * Canonical value forms for verification (PURE: no I/O). A SQLite value and the text PostgreSQL prints for the
 * same column canonicalize to the same string exactly when the copy preserved the value.
 *
 * The source side reuses the copy's own encoder (src/copy/encode.ts): a SQLite value is turned into the very COPY
 * text the copy sent, un-escaped, and then canonicalized exactly like PostgreSQL's output. So `1` and `true`,
 * `'42'` and `42`, `1.5` and `1.50`, `'2024-01-01T10:00:00Z'` and a timestamp compare equal because they are
 * equal after the rules the copy applies — and any rounding PostgreSQL did on input shows up as a difference.
 *
 * The target side expects PostgreSQL's text output under DateStyle ISO, bytea_output hex and TimeZone UTC
 * (verify.ts sets these): https://www.postgresql.org/docs/current/datatype-datetime.html#DATATYPE-DATETIME-OUTPUT,
 * https://www.postgresql.org/docs/current/datatype-binary.html#DATATYPE-BINARY-BYTEA-HEX-FORMAT,
 * https://www.postgresql.org/docs/current/datatype-numeric.html#DATATYPE-FLOAT (shortest-exact float output).
 */
import type { ValueKind } from "../../core/column-type.js";
import { makeFieldEncoder } from "../../values/encode.js";
import { ValueError } from "../../values/copy-text.js";

export interface CanonicalColumn {
  readonly kind: ValueKind;
  /** For integer timestamps in SQLite: unit of the unix epoch (as the copy used it). */
  readonly epochUnit?: "s" | "ms" | "mixed";
  /** PostgreSQL type name (pg_type.typname, e.g. "bpchar", "uuid", "numeric") when known. */
  readonly pgType?: string;
}

/** null stands for SQL NULL. */
export type Canonical = string | null;

/**
 * Prefix of the canonical form of a SQLite value the copy could not have converted. U+0000 never occurs in
 * PostgreSQL text (https://www.postgresql.org/docs/current/datatype-character.html), so it never equals a target.
 */
export const INVALID_MARK = "\u0000";

/** Un-escape one field of COPY text format (https://www.postgresql.org/docs/current/sql-copy.html, "Text Format"). */
export function unescapeCopyText(s: string): string {
  if (!s.includes("\\")) return s;
  let out = "";
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c !== "\\" || i + 1 === s.length) {
      out += c;
      continue;
    }
    const n = s[++i];
    switch (n) {
      case "n": out += "\n"; break;
      case "r": out += "\r"; break;
      case "t": out += "\t"; break;
      case "b": out += "\b"; break;
      case "f": out += "\f"; break;
      case "v": out += "\v"; break;
      default: out += n; // "\\" and any other escaped character stand for themselves
    }
  }
  return out;
}

const DECIMAL = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

/**
 * A decimal number in plain notation without redundant zeros: "1.50" → "1.5", "1e3" → "1000", "-0.0" → "0".
 * PostgreSQL's numeric prints trailing zeros up to the column's scale
 * (https://www.postgresql.org/docs/current/datatype-numeric.html#DATATYPE-NUMERIC-DECIMAL); the value is the same.
 * Text that is not a finite decimal (NaN, Infinity, garbage) is returned unchanged.
 */
export function canonicalDecimal(s: string): string {
  const m = DECIMAL.exec(s);
  if (m === null || (m[2] === "" && (m[3] ?? "") === "")) return s;
  const frac = m[3] ?? "";
  let digits = m[2] + frac;
  let exp = (m[4] === undefined ? 0 : Number(m[4])) - frac.length;
  let a = 0;
  while (a < digits.length && digits.charCodeAt(a) === 48) a++;
  let b = digits.length;
  while (b > a && digits.charCodeAt(b - 1) === 48) {
    b--;
    exp++;
  }
  if (a === b) return "0";
  digits = digits.slice(a, b);
  const sign = m[1] === "-" ? "-" : "";
  if (Math.abs(exp) > 100_000) return `${sign}${digits}e${exp}`; // beyond numeric's range: keep it short
  if (exp >= 0) return `${sign}${digits}${"0".repeat(exp)}`;
  const point = digits.length + exp;
  if (point > 0) return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
  return `${sign}0.${"0".repeat(-point)}${digits}`;
}

/**
 * A double in ECMAScript's shortest round-trip form ("1e-7"). PostgreSQL prints the shortest exact form too, in C
 * notation ("1e-07", "1e+15"); parsing either and printing with Number::toString gives the same text.
 */
export function canonicalFloat(s: string): string {
  const n = Number(s);
  if (Number.isNaN(n)) return s === "NaN" ? "NaN" : s;
  if (n === 0) return Object.is(n, -0) ? "-0" : "0";
  return String(n); // Infinity / -Infinity spelled as PostgreSQL does
}

/** Timestamp or time text with the fraction's trailing zeros and a UTC offset of zero dropped. */
function canonicalTime(s: string): string {
  let t = s;
  if (t.endsWith("+00")) t = t.slice(0, -3);
  else if (t.endsWith("+00:00")) t = t.slice(0, -6);
  const dot = t.lastIndexOf(".");
  if (dot < 0 || !/^\d*$/.test(t.slice(dot + 1))) return t;
  let end = t.length;
  while (end > dot + 1 && t.charCodeAt(end - 1) === 48) end--;
  return end === dot + 1 ? t.slice(0, dot) : t.slice(0, end);
}

/** uuid text in PostgreSQL's output form (lower case, hyphenated): https://www.postgresql.org/docs/current/datatype-uuid.html */
function canonicalUuid(s: string): string {
  const hex = s.toLowerCase().replace(/[{}-]/g, "");
  if (!/^[0-9a-f]{32}$/.test(hex)) return s;
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

// ---------------------------------------------------------------------------------------------------------------
// JSON: jsonb stores a parsed value — key order, whitespace and duplicate keys (last wins) are not kept, numbers
// are numeric (https://www.postgresql.org/docs/current/datatype-json.html). Canonical JSON: keys sorted, no
// whitespace, last duplicate wins, strings re-serialized, numbers as canonical decimals (never through a double,
// so big numbers keep every digit).

const JSON_NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

class JsonCanonicalizer {
  private i = 0;
  constructor(private readonly s: string) {}

  run(): string {
    const v = this.value();
    this.ws();
    if (this.i !== this.s.length) throw new SyntaxError("trailing characters");
    return v;
  }

  private ws(): void {
    const s = this.s;
    while (this.i < s.length) {
      const c = s.charCodeAt(this.i);
      if (c !== 32 && c !== 9 && c !== 10 && c !== 13) break;
      this.i++;
    }
  }

  private value(): string {
    this.ws();
    const s = this.s;
    const c = s[this.i];
    if (c === "{") return this.object();
    if (c === "[") return this.array();
    if (c === '"') return JSON.stringify(this.string());
    for (const lit of ["true", "false", "null"]) {
      if (s.startsWith(lit, this.i)) {
        this.i += lit.length;
        return lit;
      }
    }
    JSON_NUMBER.lastIndex = this.i;
    const m = JSON_NUMBER.exec(s);
    if (m === null) throw new SyntaxError(`unexpected character at ${this.i}`);
    this.i += m[0].length;
    return canonicalDecimal(m[0]);
  }

  private string(): string {
    const s = this.s;
    let j = this.i + 1;
    while (j < s.length && s[j] !== '"') j += s[j] === "\\" ? 2 : 1;
    if (j >= s.length) throw new SyntaxError("unterminated string");
    const decoded = JSON.parse(s.slice(this.i, j + 1)) as string;
    this.i = j + 1;
    return decoded;
  }

  private expect(c: string): void {
    this.ws();
    if (this.s[this.i] !== c) throw new SyntaxError(`expected ${c} at ${this.i}`);
    this.i++;
  }

  private object(): string {
    this.i++;
    const entries = new Map<string, string>();
    this.ws();
    if (this.s[this.i] === "}") {
      this.i++;
      return "{}";
    }
    for (;;) {
      this.ws();
      if (this.s[this.i] !== '"') throw new SyntaxError(`expected a key at ${this.i}`);
      const key = this.string();
      this.expect(":");
      entries.delete(key); // last duplicate wins, as in jsonb
      entries.set(key, this.value());
      this.ws();
      if (this.s[this.i] === ",") {
        this.i++;
        continue;
      }
      this.expect("}");
      break;
    }
    const keys = [...entries.keys()].sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${entries.get(k)}`).join(",")}}`;
  }

  private array(): string {
    this.i++;
    const items: string[] = [];
    this.ws();
    if (this.s[this.i] === "]") {
      this.i++;
      return "[]";
    }
    for (;;) {
      items.push(this.value());
      this.ws();
      if (this.s[this.i] === ",") {
        this.i++;
        continue;
      }
      this.expect("]");
      break;
    }
    return `[${items.join(",")}]`;
  }
}

/** Canonical JSON text; text that is not JSON is returned unchanged (it then only equals itself). */
export function canonicalJson(s: string): string {
  try {
    return new JsonCanonicalizer(s).run();
  } catch {
    return s;
  }
}

// ---------------------------------------------------------------------------------------------------------------

/** Canonicalizer for the text PostgreSQL prints for a column (null = SQL NULL). */
export function makeTargetCanonicalizer(column: CanonicalColumn): (text: string | null) => Canonical {
  const f = targetFn(column);
  return (text) => (text === null ? null : f(text));
}

function targetFn(column: CanonicalColumn): (s: string) => string {
  switch (column.kind) {
    case "int":
    case "bigint":
    case "boolean":
    case "date":
      return (s) => s;
    case "float":
      return canonicalFloat;
    case "decimal":
      return canonicalDecimal;
    case "timestamp":
    case "time":
      return canonicalTime;
    case "json":
      return canonicalJson;
    case "bytes":
      return (s) => s.toLowerCase();
    case "text":
      // character(n) pads with spaces and ignores them in comparisons:
      // https://www.postgresql.org/docs/current/datatype-character.html
      if (column.pgType === "bpchar") return (s) => s.replace(/ +$/, "");
      if (column.pgType === "uuid") return canonicalUuid;
      return (s) => s;
  }
}

/**
 * Canonicalizer for values read from SQLite with better-sqlite3 (`defaultSafeIntegers(true)`: bigint, number,
 * string, Buffer, null). A value the copy would refuse canonicalizes to {@link INVALID_MARK} + the reason.
 */
export function makeSourceCanonicalizer(column: CanonicalColumn): (value: unknown) => Canonical {
  const encode = makeFieldEncoder(column.kind, column.epochUnit ? { epochUnit: column.epochUnit } : undefined);
  const target = targetFn(column);
  return (value) => {
    if (value === null || value === undefined) return null;
    let copyText: string;
    try {
      copyText = encode(value);
    } catch (err) {
      if (err instanceof ValueError) return `${INVALID_MARK}${err.reason}`;
      throw err;
    }
    return target(unescapeCopyText(copyText));
  };
}

/** Printable rendering of a canonical value for reports. */
export function displayCanonical(v: Canonical): string {
  if (v === null) return "NULL";
  if (v.startsWith(INVALID_MARK)) return `(not convertible: ${v.slice(1)})`;
  return v;
}

// ---------------------------------------------------------------------------------------------------------------
// Ordering of canonical key values, consistent with SQLite's ORDER BY (BINARY collation, NULLs first:
// https://sqlite.org/datatype3.html#sort_order) and PostgreSQL's ORDER BY … COLLATE "C" NULLS FIRST.

function compareIntText(a: string, b: string): number {
  const na = a.startsWith("-");
  const nb = b.startsWith("-");
  if (na !== nb) return na ? -1 : 1;
  const sign = na ? -1 : 1;
  if (a.length !== b.length) return (a.length < b.length ? -1 : 1) * sign;
  return (a < b ? -1 : a > b ? 1 : 0) * sign;
}

function decimalRank(s: string): number {
  return s === "-Infinity" ? -1 : s === "Infinity" ? 1 : s === "NaN" ? 2 : 0;
}

function compareDecimalText(a: string, b: string): number {
  const ra = decimalRank(a);
  const rb = decimalRank(b);
  if (ra !== 0 || rb !== 0) return ra - rb;
  const na = a.startsWith("-");
  const nb = b.startsWith("-");
  if (na !== nb) return na ? -1 : 1;
  const [ia, fa = ""] = (na ? a.slice(1) : a).split(".");
  const [ib, fb = ""] = (nb ? b.slice(1) : b).split(".");
  let c = ia.length !== ib.length ? (ia.length < ib.length ? -1 : 1) : ia < ib ? -1 : ia > ib ? 1 : 0;
  if (c === 0) c = fa < fb ? -1 : fa > fb ? 1 : 0; // no trailing zeros: plain string order is numeric order
  return na ? -c : c;
}

function compareFloatText(a: string, b: string): number {
  const x = Number(a);
  const y = Number(b);
  if (Number.isNaN(x) || Number.isNaN(y)) return Number.isNaN(x) ? (Number.isNaN(y) ? 0 : 1) : -1;
  return x < y ? -1 : x > y ? 1 : 0;
}

/** UTF-16 code unit → rank in code point (= UTF-8 byte) order. */
function codePointRank(c: number): number {
  if (c >= 0xd800 && c <= 0xdfff) return c + 0x2000;
  if (c >= 0xe000) return c - 0x800;
  return c;
}

/** Code point order, which is the byte order of UTF-8 (SQLite BINARY, PostgreSQL "C" in a UTF8 database). */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return codePointRank(x) - codePointRank(y);
  }
  return a.length - b.length;
}

function comparePlain(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A comparator of canonical values of one kind, NULLs first. */
export function makeCanonicalComparator(kind: ValueKind): (a: Canonical, b: Canonical) => number {
  const cmp =
    kind === "int" || kind === "bigint"
      ? compareIntText
      : kind === "decimal"
        ? compareDecimalText
        : kind === "float"
          ? compareFloatText
          : kind === "text" || kind === "json"
            ? compareCodePoints
            : comparePlain;
  return (a, b) => (a === b ? 0 : a === null ? -1 : b === null ? 1 : cmp(a, b));
}
