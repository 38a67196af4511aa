/**
 * COPY text format basics shared by the encoders (https://www.postgresql.org/docs/current/sql-copy.html, "Text
 * Format"): escaping, the ValueError a refused value raises, and short printable excerpts of values. Pure.
 */
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
export type FieldEncoder = (v: unknown) => string;

// ---------------------------------------------------------------------------------------------------------------
// Helpers

export const NEEDS_ESCAPE = /[\\\t\n\r\u0000]/;

/** COPY-escape a string known to be free of NUL characters. */
export function escapeCopy(s: string): string {
  return NEEDS_ESCAPE.test(s) ? escapeAll(s) : s;
}

/** Replace \\ \t \n \r by their COPY escapes (the caller has checked there is at least one). */
export function escapeAll(s: string): string {
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

export const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

export function isBytes(v: unknown): v is Uint8Array {
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
export function describe(v: unknown): string {
  if (typeof v === "bigint") return `integer ${excerptOf(v)}`;
  if (typeof v === "number") return `real ${excerptOf(v)}`;
  if (typeof v === "string") return `text ${excerptOf(v)}`;
  if (isBytes(v)) return `blob ${excerptOf(v)}`;
  return `value ${excerptOf(v)}`;
}
