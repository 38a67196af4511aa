/**
 * The SQLite side of `sync`: where a table's ranges start, and one digest per range, computed in SQLite so only
 * a string per range reaches Node. The digest is over the values as SQLite stores them (not as converted): it
 * answers "did this range change in SQLite since the last run?", never "does PostgreSQL hold the same" (the
 * verification of what sync writes does that, touched.ts).
 *
 * Each value is spelled exactly and unambiguously: text and blobs as hex of their bytes (quote() would stop at
 * an embedded NUL), integers and reals by quote(), which SQLite spells so that they read back to the same value
 * (https://sqlite.org/lang_corefunc.html#quote), NULL as NULL. A one-letter prefix keeps the storage class.
 */
import { createHash } from "node:crypto";
import type { TablePlan } from "../convert/convert.js";
import { rowidAlias, type SqliteTable } from "../core/catalog.js";
import { quoteIdent } from "../core/quote.js";
import { sourceReadError, type SqliteDb } from "../db/sqlite-source.js";
import { balanced } from "../copy/sql-chunks.js";
import { sqliteOffClass, sqliteOrder, sqliteRange, type Bound, type KeyColumn } from "./keys.js";
import type { RowDigests } from "./state.js";

/** About this many rows per range: a changed range is read from both sides whole. */
export const RANGE_ROWS = 2048;

export interface RangeDigest {
  readonly rows: number;
  readonly digest: string;
  /** Rows whose key has a storage class the range order does not assume (the table is then synced whole). */
  readonly offClass: number;
}

function valueSql(column: string): string {
  const c = quoteIdent(column);
  return `CASE typeof(${c}) WHEN 'text' THEN 't' || hex(${c}) WHEN 'blob' THEN 'b' || hex(${c}) ELSE quote(${c}) END`;
}

/** One row spelled for the digest. */
export function rowDigestSql(plan: TablePlan): string {
  if (plan.columns.length === 0) return "''";
  return balanced(
    plan.columns.flatMap((c, i) => (i === 0 ? [valueSql(c.name)] : ["','", valueSql(c.name)])),
    "||",
  );
}

/** A deterministic order for a table without a range key: the rowid, else the primary key. */
export function wholeOrder(table: SqliteTable, plan: TablePlan): string {
  const rowid = rowidAlias(table);
  if (rowid !== null) return rowid;
  return plan.keyColumns.map((k) => `${quoteIdent(k)} COLLATE BINARY`).join(", ") || "1";
}

/** The digest of the rows `lo ≤ key < hi` (keys null: the whole table). */
export function rangeDigest(db: SqliteDb, table: SqliteTable, plan: TablePlan, keys: readonly KeyColumn[] | null, lo: Bound | null, hi: Bound | null): RangeDigest {
  const range = keys ? sqliteRange(keys, lo, hi) : { where: "1", params: [] };
  const order = keys ? sqliteOrder(keys) : wholeOrder(table, plan);
  const off = keys ? `(${sqliteOffClass(keys)})` : "0";
  const inner = `SELECT ${rowDigestSql(plan)} AS line, ${off} AS off FROM ${quoteIdent(plan.name)} WHERE ${range.where} ORDER BY ${order}`;
  try {
    try {
      const [rows, offClass, text] = db.prepare(`SELECT count(*), coalesce(sum(off), 0), group_concat(line, char(10)) FROM (${inner})`).raw(true).get(...range.params) as [bigint, bigint, string | null];
      return { rows: Number(rows), offClass: Number(offClass), digest: createHash("sha256").update(text ?? "", "utf8").digest("hex") };
    } catch (err) {
      // A range too big to concatenate (https://sqlite.org/limits.html#max_length): the same digest, row by row.
      if ((err as { code?: string }).code !== "SQLITE_TOOBIG") throw err;
      const hash = createHash("sha256");
      let rows = 0;
      let offClass = 0;
      for (const [line, o] of db.prepare(inner).raw(true).iterate(...range.params) as IterableIterator<[string, bigint]>) {
        if (rows > 0) hash.update("\n");
        hash.update(line, "utf8");
        rows++;
        offClass += Number(o);
      }
      return { rows, offClass, digest: hash.digest("hex") };
    }
  } catch (cause) {
    throw sourceReadError(db.name, cause, { stage: "sync", table: plan.name });
  }
}

/** The lower bounds cutting `lo ≤ key < hi` into ranges of about RANGE_ROWS rows (first range: from `lo`). */
export function layoutRanges(db: SqliteDb, plan: TablePlan, keys: readonly KeyColumn[], lo: Bound | null, hi: Bound | null): Bound[] {
  const range = sqliteRange(keys, lo, hi);
  const sql = `SELECT ${keys.map((k) => quoteIdent(k.name)).join(", ")} FROM ${quoteIdent(plan.name)} WHERE ${range.where} ORDER BY ${sqliteOrder(keys)}`;
  const bounds: Bound[] = [];
  let n = 0;
  try {
    for (const row of db.prepare(sql).raw(true).iterate(...range.params) as IterableIterator<unknown[]>) {
      if (n > 0 && n % RANGE_ROWS === 0) bounds.push(row.map((v) => String(v)));
      n++;
    }
  } catch (cause) {
    throw sourceReadError(db.name, cause, { stage: "sync", table: plan.name });
  }
  return bounds;
}

/**
 * Per row of `lo ≤ key < hi`, in key order: the key and the md5 of the row spelled as for the range digest. Stored
 * with the range, they say which rows of a changed range changed, so only those are read and written. The same
 * scan gives the range's digest (the lines joined by "\n", as group_concat joins them in rangeDigest).
 */
export function rowDigests(db: SqliteDb, table: SqliteTable, plan: TablePlan, keys: readonly KeyColumn[], lo: Bound | null, hi: Bound | null): RowDigests & RangeDigest {
  const range = sqliteRange(keys, lo, hi);
  const sql = `SELECT ${keys.map((k) => quoteIdent(k.name)).join(", ")}, ${rowDigestSql(plan)}, (${sqliteOffClass(keys)}) FROM ${quoteIdent(plan.name)} WHERE ${range.where} ORDER BY ${sqliteOrder(keys)}`;
  const out: Bound[] = [];
  const parts: Buffer[] = [];
  const whole = createHash("sha256");
  let offClass = 0;
  try {
    for (const row of db.prepare(sql).raw(true).iterate(...range.params) as IterableIterator<unknown[]>) {
      const line = row[keys.length] as string;
      if (out.length > 0) whole.update("\n");
      whole.update(line, "utf8");
      out.push(row.slice(0, keys.length).map((v) => String(v)));
      parts.push(createHash("md5").update(line, "utf8").digest());
      offClass += Number(row[keys.length + 1]);
    }
  } catch (cause) {
    throw sourceReadError(db.name, cause, { stage: "sync", table: table.name });
  }
  return { keys: out, digests: Buffer.concat(parts), rows: out.length, digest: whole.digest("hex"), offClass };
}

/** Rows whose key has another storage class than the range order assumes (source-digest.ts RangeDigest.offClass). */
export function countOffClass(db: SqliteDb, plan: TablePlan, keys: readonly KeyColumn[]): number {
  try {
    return Number(db.prepare(`SELECT count(*) FROM ${quoteIdent(plan.name)} WHERE ${sqliteOffClass(keys)}`).pluck().get());
  } catch (cause) {
    throw sourceReadError(db.name, cause, { stage: "sync", table: plan.name });
  }
}
