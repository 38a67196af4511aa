/**
 * The SQLite side of `sync`: where a table's ranges start, and per range the digest of each row and of the range,
 * computed inside SQLite's scan by an aggregate function (https://sqlite.org/appfunc.html, better-sqlite3's
 * `aggregate()`): each row's values reach the function once, as SQLite stores them, and are hashed there
 * (values/row-hash.ts), so no row is spelled as text or kept as an object. The digests are over the values as
 * SQLite stores them (not as converted): they answer "did this row change in SQLite since the last run?", never
 * "does PostgreSQL hold the same" (the verification of what sync writes does that, touched.ts).
 *
 * A range's row set (its keys, spelled in key order by KeyWriter, and 8 bytes of digest per row) is what the state
 * keeps per range; the range's digest is the sha1 of both, so an unchanged range is known by one comparison.
 */
import { createHash, type Hash } from "node:crypto";
import type { TablePlan } from "../convert/convert.js";
import { rowidAlias, type SqliteTable } from "../core/catalog.js";
import { Sqlite2pgError } from "../core/errors.js";
import { quoteIdent } from "../core/quote.js";
import { sourceReadError, type SqliteDb } from "../db/sqlite-source.js";
import { compareKeys, KeyWriter, needsBytes, RowHash, rowKeyValues } from "../values/row-hash.js";
import { sqliteAfter, sqliteOffClass, sqliteOrder, sqliteRange, type Bound, type KeyColumn } from "./keys.js";

interface Statement {
  get(...params: unknown[]): unknown;
}

/** About this many rows per range: a changed range's row digests are read and written whole. */
export const RANGE_ROWS = 2048;

/** A range's rows: their keys (KeyWriter's spelling, in key order) and 8 bytes of digest each. */
export interface RowSet {
  readonly rows: number;
  readonly keys: Buffer;
  readonly digests: Buffer;
}

export interface RangeDigest {
  readonly rows: number;
  readonly digest: string;
  /** Rows whose key has a storage class the range order does not assume (the table is then synced whole). */
  readonly offClass: number;
  /** The range's rows (a ranged table's range; absent for a table synced whole). */
  readonly rowSet?: RowSet;
}

/**
 * How values reach the function. "fast": as stored (better-sqlite3 converts them as for the copy's reads, so a
 * value the copy can read can be digested); a text that decodes with U+FFFD sends the range to "exact": text as
 * its bytes, beside a flag saying it was text. A table too wide for the function's arguments
 * (SQLITE_MAX_FUNCTION_ARG) is "spelled": its values as unambiguous text (hex of text and blobs, quote() of
 * numbers) in groups.
 */
type Mode = "fast" | "exact" | "spelled";

const MAX_ARGS = 900;
const SPELLED_GROUP = 64;
const FUNCTION = "sqlite2pg_sync_rows";
const WHOLE_CHUNK = 1024;

interface Job {
  readonly keyKinds: readonly KeyColumn["kind"][];
  readonly mode: Mode;
  readonly collect: boolean;
  readonly hash: RowHash;
  readonly keys: KeyWriter;
  digests: Buffer;
  rows: number;
  offClass: number;
  /** The range must be read again in "exact" mode. */
  escalate: boolean;
  /** Start of the last key written (the order check). */
  last: number;
  /** Whole tables: the digests are hashed as they come, not kept. */
  readonly running: Hash;
  /** Cut the rows into ranges of this many (digestRanges); null: one range. */
  readonly cut: number | null;
  /** The ranges cut so far. */
  readonly done: RowSet[];
  /** Per column of the table: the argument of its key value, or -1 (its value follows the keys). */
  readonly fromKey: Int16Array;
}

let job: Job | null = null;
const registered = new WeakSet<SqliteDb>();
const statements = new WeakMap<SqliteDb, Map<string, Statement>>();

function prepared(db: SqliteDb, sql: string): Statement {
  let byDb = statements.get(db);
  if (!byDb) statements.set(db, (byDb = new Map()));
  let st = byDb.get(sql);
  if (!st) byDb.set(sql, (st = db.prepare(sql) as Statement));
  return st;
}

function step(j: Job, args: unknown[]): void {
  if (j.escalate) return;
  const nk = j.keyKinds.length;
  const start = j.keys.length;
  let off = false;
  for (let i = 0; i < nk; i++) {
    const v = args[i];
    if (j.keyKinds[i] === "int") {
      if (typeof v === "bigint") j.keys.integer(v);
      else off = true;
    } else if (v instanceof Uint8Array) j.keys.text(v);
    else off = true;
  }
  if (off) {
    j.offClass++;
    j.keys.length = start;
  } else if (nk > 0) {
    // The function must see the rows in key order (the inner query's ORDER BY): the row sets are merged by it.
    if (j.rows - j.offClass > 0 && compareKeys(j.keys.buf, start, j.keys.length, j.keys.buf, j.last, start) <= 0) throw new Error("sync: rows reached the digest out of key order");
    j.last = start;
  }
  const h = j.hash;
  h.reset();
  if (j.mode === "spelled") for (let i = nk; i < args.length; i++) h.text(args[i] as string);
  else {
    // The columns in table order; a key column's value is its key argument (passed once).
    const exact = j.mode === "exact";
    let at = nk;
    for (let c = 0; c < j.fromKey.length; c++) {
      const k = j.fromKey[c];
      if (k >= 0) {
        const v = args[k];
        if (v instanceof Uint8Array) h.textBytes(v);
        else h.value(v);
      } else if (exact) {
        const v = args[at + 1];
        if (args[at] === 1n) h.textBytes(v as Uint8Array);
        else h.value(v);
        at += 2;
      } else {
        const v = args[at++];
        if (typeof v === "string" && needsBytes(v)) {
          j.escalate = true;
          return;
        }
        h.value(v);
      }
    }
  }
  if (j.collect) {
    if (8 * j.rows + 8 > j.digests.length) {
      const next = Buffer.allocUnsafe(2 * j.digests.length);
      j.digests.copy(next);
      j.digests = next;
    }
    h.finish(j.digests, 8 * j.rows);
  } else {
    // A whole table: its digests hashed 1024 at a time, never all kept.
    const slot = j.rows % WHOLE_CHUNK;
    if (slot === 0 && j.rows > 0) j.running.update(j.digests);
    h.finish(j.digests, 8 * slot);
  }
  j.rows++;
  if (j.rows === j.cut) {
    j.done.push(rowSetOf(j));
    j.keys.length = 0;
    j.rows = 0;
  }
}

const rowSetOf = (j: Job): RowSet => ({ rows: j.rows, keys: j.keys.take(), digests: Buffer.from(j.digests.subarray(0, 8 * j.rows)) });

/** A ranged range's digest: of its row count, keys and row digests. */
function rangeDigestOf(set: RowSet): string {
  const count = Buffer.alloc(8);
  count.writeUInt32LE(set.rows);
  return createHash("sha1").update(count).update(set.keys).update(set.digests).digest("hex");
}

/**
 * Page cache of a connection that digests: 4 MB. A digest pass reads each page once, in key order, so SQLite's
 * default of 16 MB per connection (https://sqlite.org/pragma.html#pragma_cache_size) only holds memory.
 */
const DIGEST_CACHE_KIB = 4096;

function register(db: SqliteDb): void {
  if (registered.has(db)) return;
  db.pragma(`cache_size = -${DIGEST_CACHE_KIB}`);
  db.aggregate(FUNCTION, {
    start: 0,
    step: (acc: number, ...args: unknown[]) => {
      step(job!, args);
      return acc;
    },
    varargs: true,
    safeIntegers: true,
    deterministic: true,
  });
  registered.add(db);
}

/** Per column: its position among the range key's columns, or -1 (see Job.fromKey; "spelled": every column). */
function keyPositions(plan: TablePlan, keys: readonly KeyColumn[] | null, mode: Mode): Int16Array {
  return Int16Array.from(plan.columns, (c) => (keys === null || mode === "spelled" ? -1 : keys.findIndex((k) => k.name === c.name)));
}

function valueArgs(plan: TablePlan, mode: Mode, fromKey: Int16Array): string[] {
  const cols = plan.columns.filter((_c, i) => fromKey[i] < 0).map((c) => quoteIdent(c.name));
  if (mode === "fast") return cols;
  if (mode === "exact") return cols.flatMap((c) => [`typeof(${c}) = 'text'`, `CASE typeof(${c}) WHEN 'text' THEN CAST(${c} AS BLOB) ELSE ${c} END`]);
  const spell = (c: string): string => `CASE typeof(${c}) WHEN 'text' THEN 't' || hex(${c}) WHEN 'blob' THEN 'b' || hex(${c}) ELSE quote(${c}) END`;
  const groups: string[] = [];
  for (let i = 0; i < cols.length; i += SPELLED_GROUP) groups.push(cols.slice(i, i + SPELLED_GROUP).map(spell).join(" || ',' || ") || "''");
  return groups.length > 0 ? groups : ["''"];
}

function keyArgs(keys: readonly KeyColumn[]): string[] {
  return keys.map((k) => (k.kind === "int" ? quoteIdent(k.name) : `CASE WHEN typeof(${quoteIdent(k.name)}) = 'text' THEN CAST(${quoteIdent(k.name)} AS BLOB) END`));
}

/** A deterministic order for a table without a range key: the rowid, else the primary key. */
export function wholeOrder(table: SqliteTable, plan: TablePlan): string {
  const rowid = rowidAlias(table);
  if (rowid !== null) return rowid;
  return plan.keyColumns.map((k) => `${quoteIdent(k)} COLLATE BINARY`).join(", ") || "1";
}

interface Scan {
  readonly where: string;
  readonly params: readonly unknown[];
  readonly limit: number | null;
  readonly cut: number | null;
}

function run(db: SqliteDb, table: SqliteTable, plan: TablePlan, keys: readonly KeyColumn[] | null, scan: Scan, mode: Mode): Job {
  const order = keys ? sqliteOrder(keys) : wholeOrder(table, plan);
  const fromKey = keyPositions(plan, keys, mode);
  const args = [...(keys ? keyArgs(keys) : []), ...valueArgs(plan, mode, fromKey)];
  const names = args.map((_a, i) => `a${i}`);
  const limit = scan.limit === null ? "" : ` LIMIT ${scan.limit}`;
  const sql = `SELECT ${FUNCTION}(${names.join(", ")}) FROM (SELECT ${args.map((a, i) => `${a} AS ${names[i]}`).join(", ")} FROM ${quoteIdent(plan.name)} WHERE ${scan.where} ORDER BY ${order}${limit})`;
  register(db);
  const j: Job = {
    keyKinds: keys ? keys.map((k) => k.kind) : [],
    mode,
    collect: keys !== null,
    hash: new RowHash(),
    keys: new KeyWriter(),
    digests: Buffer.allocUnsafe(8 * (keys ? RANGE_ROWS + 64 : WHOLE_CHUNK)),
    rows: 0,
    offClass: 0,
    escalate: false,
    last: 0,
    running: createHash("sha1"),
    cut: scan.cut,
    done: [],
    fromKey,
  };
  job = j;
  try {
    prepared(db, sql).get(...scan.params);
  } catch (cause) {
    throw sourceReadError(db.name, cause, { stage: "sync", table: plan.name });
  } finally {
    job = null;
  }
  return j;
}

/** The scan in "fast" mode, again in "exact" mode when a value asked for it (see Mode). */
function runExact(db: SqliteDb, table: SqliteTable, plan: TablePlan, keys: readonly KeyColumn[] | null, scan: Scan): Job {
  const width = (keys?.length ?? 0) + plan.columns.length;
  let j = run(db, table, plan, keys, scan, width > MAX_ARGS ? "spelled" : "fast");
  if (j.escalate) j = run(db, table, plan, keys, scan, width + plan.columns.length > MAX_ARGS ? "spelled" : "exact");
  if (j.escalate) throw new Sqlite2pgError(`sync: the rows of "${plan.name}" could not be digested`, { code: "INTERNAL", kind: "internal", stage: "sync" });
  return j;
}

/** The digests of the rows `lo ≤ key < hi` (keys null: the whole table, in rowid or primary-key order). */
export function digestRange(db: SqliteDb, table: SqliteTable, plan: TablePlan, keys: readonly KeyColumn[] | null, lo: Bound | null, hi: Bound | null): RangeDigest {
  const range = keys ? sqliteRange(keys, lo, hi) : { where: "1", params: [] };
  const j = runExact(db, table, plan, keys, { ...range, limit: null, cut: null });
  if (!j.collect) {
    const count = Buffer.alloc(8);
    count.writeUInt32LE(j.rows);
    const tail = j.rows === 0 ? 0 : j.rows % WHOLE_CHUNK || WHOLE_CHUNK;
    j.running.update(j.digests.subarray(0, 8 * tail));
    return { rows: j.rows, offClass: 0, digest: j.running.update(count).digest("hex") };
  }
  const rowSet = rowSetOf(j);
  return { rows: j.rows, offClass: j.offClass, digest: rangeDigestOf(rowSet), ...(j.offClass === 0 ? { rowSet } : {}) };
}

/**
 * Up to `count` ranges of RANGE_ROWS rows (the last one shorter at the table's end) from the first key after
 * `after` (null: from the smallest), cut and digested in one scan: a table's first layout (record.ts), without
 * a scan of its own to find where ranges start. The same rows give the same digests as digestRange. Null: a
 * key of another storage class was met (the table is then recorded whole).
 */
export function digestRanges(db: SqliteDb, table: SqliteTable, plan: TablePlan, keys: readonly KeyColumn[], after: Bound | null, count: number): { lo: Bound; digest: RangeDigest }[] | null {
  const j = runExact(db, table, plan, keys, { ...sqliteAfter(keys, after), limit: count * RANGE_ROWS, cut: RANGE_ROWS });
  if (j.offClass > 0) return null;
  const sets = j.rows > 0 ? [...j.done, rowSetOf(j)] : j.done;
  const kinds = keys.map((k) => k.kind);
  return sets.map((set) => ({ lo: rowKeyValues(set.keys, 0, kinds), digest: { rows: set.rows, offClass: 0, digest: rangeDigestOf(set), rowSet: set } }));
}

/** The lower bounds cutting `lo ≤ key < hi` into ranges of about RANGE_ROWS rows (first range: from `lo`). */
export function layoutRanges(db: SqliteDb, plan: TablePlan, keys: readonly KeyColumn[], lo: Bound | null, hi: Bound | null): Bound[] {
  const range = sqliteRange(keys, lo, hi);
  const cols = keys.map((k) => quoteIdent(k.name));
  // Numbered by a window function (https://sqlite.org/windowfunctions.html), so only the bounds reach Node.
  const sql = `SELECT ${cols.join(", ")} FROM (SELECT ${cols.join(", ")}, row_number() OVER (ORDER BY ${sqliteOrder(keys)}) AS n FROM ${quoteIdent(plan.name)} WHERE ${range.where}) WHERE n % ${RANGE_ROWS} = 1 AND n > 1 ORDER BY n`;
  try {
    return (db.prepare(sql).raw(true).safeIntegers(true).all(...range.params) as unknown[][]).map((row) => row.map((v) => String(v)));
  } catch (cause) {
    throw sourceReadError(db.name, cause, { stage: "sync", table: plan.name });
  }
}

/** Rows whose key has another storage class than the range order assumes (RangeDigest.offClass). */
export function countOffClass(db: SqliteDb, plan: TablePlan, keys: readonly KeyColumn[]): number {
  try {
    return Number(db.prepare(`SELECT count(*) FROM ${quoteIdent(plan.name)} WHERE ${sqliteOffClass(keys)}`).pluck().get());
  } catch (cause) {
    throw sourceReadError(db.name, cause, { stage: "sync", table: plan.name });
  }
}
