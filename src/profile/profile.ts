/**
 * One streaming pass over a table that measures what the convert stage needs to choose exact PostgreSQL types
 * (see ColumnProfile in src/convert/column-type.ts). Runs over every row before the copy, so it is written for
 * speed: raw row arrays, mutable accumulators, cheap first-character checks before any regular expression.
 *
 * Conventions where the ColumnProfile comments leave room:
 * - minInt/maxInt cover INTEGER storage and integer text (/^[+-]?\d+$/), not integral REALs.
 * - maxTextLength counts TEXT storage only, in Unicode code points.
 * - maxIntegerDigits/maxFractionDigits cover integers, finite reals (their shortest round-trip form) and decimal
 *   text (exponent applied). Integer digits are significant digits (leading zeros dropped, "0.5" has 0);
 *   fraction digits of text are counted as written ("1.50" has 2).
 * - maxSecondFractionDigits counts significant fractional-second digits (trailing zeros dropped, as PostgreSQL
 *   keeps the value) of timestamp-looking and time-looking text.
 * - booleanLike is vacuously true for a column with no non-null value.
 */
import type { ColumnProfile } from "../core/column-type.js";
import { EPOCH_S_AMBIGUOUS_MIN, epochUnitOf, isCanonicalDateText, isCanonicalTimestampText } from "../values/timestamps.js";
import { INT64_MAX, INT64_MIN, parseBooleanLike } from "../values/numbers.js";
import { quoteIdent } from "../core/quote.js";
import { sourceReadError, type SqliteDb } from "../db/sqlite-source.js";
import { hasExtension } from "../db/sqlite-extension.js";
import { rowidAlias, type SqliteTable } from "../core/catalog.js";
import { isUtf8 } from "node:buffer";
import { familyOf, type TypeFamily } from "../convert/type-map.js";

/** The families whose type the values decide (type-map.ts byValues): a blob's UTF-8 validity matters there. */
const VALUES_DECIDE: ReadonlySet<TypeFamily> = new Set<TypeFamily>(["untyped", "numeric", "loose-integer", "boolean"]);

export function emptyProfile(): ColumnProfile {
  return freeze(newAcc());
}

interface Acc {
  nonNull: number;
  integer: number;
  real: number;
  text: number;
  blob: number;
  minInt: bigint | null;
  maxInt: bigint | null;
  maxTextLength: number;
  maxIntegerDigits: number;
  maxFractionDigits: number;
  maxSecondFractionDigits: number;
  booleanLike: boolean;
  temporalTexts: number;
  suspectTexts: number;
  zonedTexts: number;
  canonicalTimestampTexts: number;
  canonicalDateTexts: number;
  epochSeconds: number;
  epochMillis: number;
  epochImplausible: number;
  epochLateSeconds: number;
  binaryBlobs: number;
  /** Count integers by epoch unit: only DATETIME/DATE columns need it (convert.ts epochUnitFor). */
  temporal: boolean;
  /** Check blobs for UTF-8 text: only columns whose values decide the type need it (type-map.ts byValues). */
  valuesDecide: boolean;
}

function newAcc(temporal = false, valuesDecide = false): Acc {
  return {
    temporal,
    valuesDecide,
    nonNull: 0,
    integer: 0,
    real: 0,
    text: 0,
    blob: 0,
    minInt: null,
    maxInt: null,
    maxTextLength: 0,
    maxIntegerDigits: 0,
    maxFractionDigits: 0,
    maxSecondFractionDigits: 0,
    booleanLike: true,
    temporalTexts: 0,
    suspectTexts: 0,
    zonedTexts: 0,
    canonicalTimestampTexts: 0,
    canonicalDateTexts: 0,
    epochSeconds: 0,
    epochMillis: 0,
    epochImplausible: 0,
    epochLateSeconds: 0,
    binaryBlobs: 0,
  };
}

/** Date, timestamp (space or T, optional fraction and zone) or time text; the encoder checks ranges exactly. */
const TEMPORAL_TEXT =
  /^(?:\d{4}-\d{2}-\d{2}(?:[Tt ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:[Zz]|[+-]\d{2}(?::?\d{2})?)?)?|\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)$/;

/** A timestamp with a non-UTC offset (±hh[:mm] other than 00): the copy converts it to UTC, which shifts its clock time. */
const ZONED_TEXT = /[Tt ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?[+-](?!00(?::?00)?$)\d{2}(?::?\d{2})?$/;

const INT_TEXT = /^[+-]?\d+$/;
const DECIMAL_TEXT = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
/** Fractional seconds of a timestamp (`YYYY-MM-DD[T ]HH:MM:SS.f…`) or a time (`HH:MM:SS.f…`). */
const SECOND_FRACTION = /^(?:\d{4}-\d{2}-\d{2}[Tt ])?\d{2}:\d{2}:\d{2}\.(\d+)/;

/** Number of code points of a string, knowing it has at least as many as UTF-16 units minus surrogate pairs. */
function codePointLength(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n--;
        i++;
      }
    }
  }
  return n;
}

/** Count of decimal digits of a non-negative bigint (0 for 0n: no significant digit). */
function bigintDigits(v: bigint): number {
  if (v < 0n) v = -v;
  return v === 0n ? 0 : v.toString().length;
}

/**
 * Significant integer digits and fraction digits of a decimal literal (DECIMAL_TEXT or JS number output), exponent
 * applied: with D the mantissa digits as written and P the point position in D after the exponent shift, the
 * integer digits are those of D before P minus leading zeros, the fraction digits those after P.
 */
function decimalDigits(s: string, acc: Acc): void {
  const start = s.charCodeAt(0) === 43 || s.charCodeAt(0) === 45 ? 1 : 0; // + -
  let e = s.indexOf("e");
  if (e < 0) e = s.indexOf("E");
  const end = e < 0 ? s.length : e;
  const exp = e < 0 ? 0 : Number(s.slice(e + 1));
  let dot = s.indexOf(".", start);
  if (dot < 0 || dot > end) dot = end;
  const total = dot < end ? end - start - 1 : end - start; // digits in D
  let lead = 0;
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c === 46) continue;
    if (c !== 48) break;
    lead++;
  }
  const point = dot - start + exp;
  const intDigits = Math.max(0, point - lead);
  const fracDigits = Math.max(0, total - point);
  if (intDigits > acc.maxIntegerDigits) acc.maxIntegerDigits = intDigits;
  if (fracDigits > acc.maxFractionDigits) acc.maxFractionDigits = fracDigits;
}

/** Digits of an integral double below 1e21 (powers of ten up to 1e22 are exact doubles). */
function integralNumberDigits(a: number): number {
  let d = 0;
  let p = 1;
  while (a >= p) {
    d++;
    p *= 10;
  }
  return d;
}

/** Count an integer by how a DATETIME column would read it (one rule: encode.ts epochUnitOf). */
function noteEpoch(acc: Acc, v: bigint | number): void {
  const unit = epochUnitOf(v);
  if (unit === "s") {
    acc.epochSeconds++;
    if (v >= EPOCH_S_AMBIGUOUS_MIN || v <= -EPOCH_S_AMBIGUOUS_MIN) acc.epochLateSeconds++;
  } else if (unit === "ms") acc.epochMillis++;
  else acc.epochImplausible++;
}

function noteInt(acc: Acc, v: bigint): void {
  if (acc.minInt === null || v < acc.minInt) acc.minInt = v;
  if (acc.maxInt === null || v > acc.maxInt) acc.maxInt = v;
}

function observe(acc: Acc, v: unknown): void {
  acc.nonNull++;
  if (typeof v === "bigint") {
    acc.integer++;
    if (acc.minInt === null) {
      acc.minInt = v;
      acc.maxInt = v;
    } else if (v < acc.minInt) acc.minInt = v;
    else if (v > acc.maxInt!) acc.maxInt = v;
    if (acc.booleanLike && v !== 0n && v !== 1n) acc.booleanLike = false;
    if (acc.temporal) noteEpoch(acc, v);
    return;
  }
  if (typeof v === "number") {
    acc.real++;
    if (acc.booleanLike && v !== 0 && v !== 1) acc.booleanLike = false;
    if (!Number.isFinite(v)) return;
    const a = Math.abs(v);
    // A whole-number REAL (7.0) converts to an integer column exactly: it counts for the integer range.
    if (Number.isInteger(v)) {
      noteInt(acc, BigInt(v));
      if (acc.temporal) noteEpoch(acc, v);
    }
    if (Number.isInteger(a) && a < 1e21) {
      const d = integralNumberDigits(a);
      if (d > acc.maxIntegerDigits) acc.maxIntegerDigits = d;
    } else {
      decimalDigits(String(v), acc);
    }
    return;
  }
  if (typeof v === "string") {
    acc.text++;
    if (v.length > acc.maxTextLength) {
      const n = codePointLength(v);
      if (n > acc.maxTextLength) acc.maxTextLength = n;
    }
    if (acc.booleanLike && parseBooleanLike(v) === null) acc.booleanLike = false;
    if (v.includes("\uFFFD") || v.includes("\u0000")) acc.suspectTexts++;
    const c = v.charCodeAt(0);
    // Only text starting with a digit, a sign or a point can be numeric, a timestamp or a time.
    if ((c >= 48 && c <= 57) || c === 43 || c === 45 || c === 46) {
      if (INT_TEXT.test(v)) {
        const b = BigInt(v);
        noteInt(acc, b);
        const d = bigintDigits(b);
        if (d > acc.maxIntegerDigits) acc.maxIntegerDigits = d;
      } else if (DECIMAL_TEXT.test(v)) {
        decimalDigits(v, acc);
      } else if (v.charCodeAt(2) === 58 /* HH: */ || v.charCodeAt(4) === 45 /* YYYY- */) {
        if (TEMPORAL_TEXT.test(v)) {
          acc.temporalTexts++;
          if (ZONED_TEXT.test(v)) acc.zonedTexts++;
          else if (v.length === 10) {
            if (isCanonicalDateText(v)) acc.canonicalDateTexts++;
          } else if (isCanonicalTimestampText(v)) acc.canonicalTimestampTexts++;
        }
        const m = SECOND_FRACTION.exec(v);
        if (m !== null) {
          const f = m[1];
          let n = f.length;
          while (n > 0 && f.charCodeAt(n - 1) === 48) n--;
          if (n > acc.maxSecondFractionDigits) acc.maxSecondFractionDigits = n;
        }
      }
    }
    return;
  }
  // BLOB (Buffer / Uint8Array)
  acc.blob++;
  acc.booleanLike = false;
  if (acc.valuesDecide) {
    const b = v as Uint8Array;
    if (b.includes(0) || !isUtf8(b)) acc.binaryBlobs++;
  }
}

function freeze(acc: Acc): ColumnProfile {
  let maxIntegerDigits = acc.maxIntegerDigits;
  if (acc.minInt !== null) maxIntegerDigits = Math.max(maxIntegerDigits, bigintDigits(acc.minInt));
  if (acc.maxInt !== null) maxIntegerDigits = Math.max(maxIntegerDigits, bigintDigits(acc.maxInt));
  return {
    nonNull: acc.nonNull,
    storage: { integer: acc.integer, real: acc.real, text: acc.text, blob: acc.blob },
    minInt: acc.minInt,
    maxInt: acc.maxInt,
    maxTextLength: acc.maxTextLength,
    maxIntegerDigits,
    maxFractionDigits: acc.maxFractionDigits,
    maxSecondFractionDigits: acc.maxSecondFractionDigits,
    booleanLike: acc.booleanLike,
    temporalTexts: acc.temporalTexts,
    suspectTexts: acc.suspectTexts,
    zonedTexts: acc.zonedTexts,
    canonicalTimestampTexts: acc.canonicalTimestampTexts,
    canonicalDateTexts: acc.canonicalDateTexts,
    binaryBlobs: acc.binaryBlobs,
    epochIntegers: { seconds: acc.epochSeconds, millis: acc.epochMillis, implausible: acc.epochImplausible, lateSeconds: acc.epochLateSeconds },
  };
}

/**
 * Profile every column of a table. The database must have been opened by `openSqlite` (safe integers on, so
 * INTEGER values arrive as bigint). Keys are column names, in table order.
 *
 * Where the connection has sqlite2pg's extension (db/sqlite-extension.ts), one aggregate query profiles every
 * column inside SQLite first (native/profile.c s2p_profile); only the columns holding a value it does not handle
 * (BLOB, numbers or times as text, invalid UTF-8) are then read into JS by the streaming pass below, which
 * computes their whole profile as before. `jsOnly` skips the aggregate (tests compare the two).
 */
export function profileTable(
  db: SqliteDb,
  table: SqliteTable,
  only?: (column: SqliteTable["columns"][number]) => boolean,
  options: { readonly jsOnly?: boolean } = {},
): ReadonlyMap<string, ColumnProfile> {
  const cols = only ? table.columns.filter(only) : table.columns;
  const result = new Map<string, ColumnProfile>();
  if (cols.length === 0) return result;
  // A --type override can make another column a DATETIME: convert then decides its unit from minInt/maxInt alone.
  const accs = cols.map((c) => {
    const family = familyOf(c.declaredType);
    return newAcc(family === "timestamp" || family === "date", VALUES_DECIDE.has(family));
  });
  const done = !options.jsOnly && hasExtension(db) ? profileInSqlite(db, table, cols, accs) : cols.map(() => false);
  const js = cols.flatMap((_, i) => (done[i] ? [] : [i]));
  if (js.length > 0) {
    const n = js.length;
    const jsAccs = js.map((i) => accs[i]);
    const observeRow = (row: readonly unknown[]): void => {
      for (let i = 0; i < n; i++) {
        const v = row[i];
        if (v !== null) observe(jsAccs[i], v);
      }
    };
    const select = `SELECT ${js.map((i) => quoteIdent(cols[i].name)).join(", ")}`;
    const rowid = rowidAlias(table);
    if (rowid === null) {
      for (const row of db.prepare(`${select} FROM ${quoteIdent(table.name)}`).raw(true).safeIntegers(true).iterate() as IterableIterator<unknown[]>) observeRow(row);
    } else {
      // Batches of rows by rowid range: one call into SQLite per batch instead of one per row (comments of the blog
      // benchmark: 0.77 s against 0.86–0.98 s).
      const stmt = db.prepare(`${select}, ${rowid} FROM ${quoteIdent(table.name)} WHERE ${rowid} >= ? ORDER BY ${rowid} LIMIT ${PROFILE_BATCH_ROWS}`).raw(true).safeIntegers(true);
      for (let lo: bigint | null = INT64_MIN; lo !== null; ) {
        const rows = stmt.all(lo) as unknown[][];
        for (const row of rows) observeRow(row);
        const last = rows.length === PROFILE_BATCH_ROWS ? (rows[rows.length - 1][n] as bigint) : INT64_MAX;
        lo = last === INT64_MAX ? null : last + 1n;
      }
    }
  }
  for (let i = 0; i < cols.length; i++) result.set(cols[i].name, freeze(accs[i]));
  return result;
}

/**
 * What s2p_profile returns for a column (native/profile.c): the accumulator's counts under the same names, the
 * integer range as decimal strings (they may exceed 2^53), and how many values it left to JS.
 */
type SqliteProfile = Omit<Acc, "minInt" | "maxInt" | "temporal" | "valuesDecide" | "blob" | "zonedTexts" | "binaryBlobs"> & {
  readonly unhandled: number;
  readonly minInt: string | null;
  readonly maxInt: string | null;
};

/**
 * One aggregate query over the table: each column whose values s2p_profile handled all of gets its accumulator
 * filled (true at its index); the others are left to the JS pass.
 */
function profileInSqlite(db: SqliteDb, table: SqliteTable, cols: readonly SqliteTable["columns"][number][], accs: Acc[]): boolean[] {
  const calls = cols.map((c, i) => `s2p_profile(${quoteIdent(c.name)}, ${accs[i].temporal ? 1 : 0})`);
  // NOT INDEXED: the table's own pages, as the JS pass reads them, never a covering index instead (an index could
  // disagree with a damaged table, and a damaged page must be found here, naming the table, as before).
  const row = db.prepare(`SELECT ${calls.join(", ")} FROM ${quoteIdent(table.name)} NOT INDEXED`).raw(true).get() as string[];
  return row.map((text, i) => {
    const { unhandled, minInt, maxInt, ...counts } = JSON.parse(text) as SqliteProfile;
    if (unhandled > 0) return false;
    // The epoch counts are made only for DATETIME/DATE columns, as observe() does (s2p_profile's second argument).
    Object.assign(accs[i], counts, { minInt: minInt === null ? null : BigInt(minInt), maxInt: maxInt === null ? null : BigInt(maxInt) });
    return true;
  });
}

const PROFILE_BATCH_ROWS = 2000;

/** The columns of a table the profile needs (by name), as the main thread and the profile worker both read them. */
export interface ProfileWork {
  readonly table: SqliteTable;
  readonly columns: readonly string[];
}

export function profileWork(db: SqliteDb, work: ProfileWork): ReadonlyMap<string, ColumnProfile> {
  const wanted = new Set(work.columns);
  try {
    return profileTable(db, work.table, (c) => wanted.has(c.name));
  } catch (cause) {
    // A damaged page, or a lock: the source's problem, named with its table (not an internal error).
    throw sourceReadError(db.name, cause, { stage: "profile", table: work.table.name });
  }
}
