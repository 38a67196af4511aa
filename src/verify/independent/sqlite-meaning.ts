/**
 * SQLite's side of the independent check (PURE): what a stored value means, read without the copy's encoders.
 * Values come from better-sqlite3 with safe integers: null, bigint (INTEGER), number (REAL), string (TEXT),
 * Buffer (BLOB); a text value's exact bytes come from `CAST(x AS BLOB)` (better-sqlite3 would replace invalid
 * UTF-8 when making a JS string).
 *
 * Timestamps: SQLite has no timestamp type; applications store ISO-8601 text in the forms SQLite's own date
 * functions read (https://sqlite.org/lang_datefunc.html#time_values: `YYYY-MM-DD`, `YYYY-MM-DD HH:MM`,
 * `…HH:MM:SS`, `…HH:MM:SS.SSS`, a `T` separator, a trailing `Z` or `±HH:MM` zone; without one, UTC), or unix
 * epoch integers in seconds or milliseconds.
 */
import { civilMs, fractionNs, NS_PER_DAY, NS_PER_MS, NS_PER_S } from "./instant.js";

const SQLITE_TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?)?(?:([Zz])|([+-])(\d{2})(?::?(\d{2}))?)?$/;

/** An ISO-8601 timestamp text as nanoseconds since 1970 UTC, or null when it is not one. */
export function parseSqliteTimestampText(s: string): bigint | null {
  const m = SQLITE_TIMESTAMP.exec(s);
  if (m === null) return null;
  const [, y, mo, d, h, mi, sec, frac, , sign, oh, om] = m;
  if (h === undefined && (sign !== undefined || m[8] !== undefined)) return null; // a zone needs a time
  const ms = civilMs(Number(y), Number(mo), Number(d), Number(h ?? 0), Number(mi ?? 0), Number(sec ?? 0));
  const f = fractionNs(frac);
  if (ms === null || f === null) return null;
  let ns = BigInt(ms) * NS_PER_MS + f;
  if (sign !== undefined) ns -= BigInt((Number(oh) * 60 + Number(om ?? 0)) * 60) * NS_PER_S * (sign === "-" ? -1n : 1n);
  return ns;
}

/**
 * The instants an integer may denote in a DATETIME column: unix seconds or unix milliseconds. Which one the
 * migration chose is a decision of the plan; the check accepts the target's value when it is either, so it needs
 * no knowledge of the plan (and an integer that matches neither is a difference).
 */
export function epochCandidates(n: bigint): readonly bigint[] {
  return [n * NS_PER_S, n * NS_PER_MS];
}

/** `HH:MM[:SS[.f…]]` as nanoseconds since midnight, or null. */
export function parseSqliteTimeText(s: string): bigint | null {
  const m = /^(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?$/.exec(s);
  if (m === null) return null;
  const [, h, mi, sec = "0", frac] = m;
  if (Number(h) > 23 || Number(mi) > 59 || Number(sec) > 59) return null;
  const f = fractionNs(frac);
  return f === null ? null : BigInt(Number(h) * 3600 + Number(mi) * 60 + Number(sec)) * NS_PER_S + f;
}

/** Whether an instant falls on a midnight (a DATE column keeps only the day). */
export function isMidnight(ns: bigint): boolean {
  return ns % NS_PER_DAY === 0n;
}

/**
 * A boolean stored the ways SQLite applications store them: 0/1 (SQLite's own TRUE/FALSE,
 * https://sqlite.org/lang_expr.html#boolean_expressions), or the words and letters ORMs and exports write.
 */
export function sqliteBoolean(v: unknown): boolean | null {
  if (typeof v === "bigint") return v === 1n ? true : v === 0n ? false : null;
  if (typeof v === "number") return v === 1 ? true : v === 0 ? false : null;
  if (typeof v === "string") {
    const w = v.toLowerCase();
    if (w === "1" || w === "t" || w === "true") return true;
    if (w === "0" || w === "f" || w === "false") return false;
  }
  return null;
}

/** An integer stored as INTEGER, as an integral REAL (7.0), or as integer text ('42'), exactly; else null. */
export function sqliteInteger(v: unknown): bigint | null {
  if (typeof v === "bigint") return v;
  if (typeof v === "number") return Number.isInteger(v) ? BigInt(v) : null;
  if (typeof v === "string" && /^[+-]?\d+$/.test(v)) return BigInt(v);
  return null;
}
