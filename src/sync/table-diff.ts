/**
 * What a changed range needs, and writing it. SQLite's rows are always encoded by the copy's own encoder
 * (table-encoder.ts: the conversion rules of `migrate`). Which rows changed comes from the row digests recorded
 * with the range (diffRangesByRows: only the changed rows are read and encoded), or, for a range without them (a
 * table synced whole), from PostgreSQL's rows of the range as COPY text against SQLite's encoded lines, paired by
 * primary key (diffRange). Rows only in PostgreSQL are deleted, rows only in SQLite inserted, rows whose line
 * differs updated in place; equal rows are left alone. A table without a primary key is compared as a multiset of
 * lines and rewritten whole (or, when a foreign key refers to it, its surplus rows deleted by ctid: stable, the
 * tables are locked, sync.ts).
 */
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { from as copyFrom } from "pg-copy-streams";
import { ProblemCollector } from "../core/problems.js";
import { quoteIdent, quoteQualified } from "../core/quote.js";
import { targetError } from "../db/pg-target.js";
import { emptyTally } from "../copy/copy-result.js";
import { dataProblemsError } from "../copy/problems.js";
import { encodeTable } from "../copy/table-encoder.js";
import { bindCopyParams, copyMark, copyOutLines, fieldsOf, linesOf, unescapeCopyField } from "./copy-out.js";
import { copyColumns, hashLine, keyIndexesOf, type TableContext } from "./context.js";
import { sqliteKeyIn } from "./key-lists.js";
import { pgOrder, pgRange, sqliteOrder, sqliteRange, type Bound } from "./keys.js";
import { compareKeys, keyOffsets, rowKeyValues } from "../values/row-hash.js";
import { wholeOrder, type RowSet } from "./source-digest.js";

export { copyColumns, hashLine, keyIndexesOf, type TableContext } from "./context.js";

export interface RangeChange {
  inserted: number;
  updated: number;
  deleted: number;
  /** SQLite's rows in the range now. */
  rows: number;
  /**
   * What the verification reads back (touched.ts): with a key, key → sha1 of the line of each row written;
   * without one, the sha1 of every line of the range. Only the change is held, never the unchanged rows.
   */
  readonly expect: Map<string, string> | string[];
  /** The keys the verification reads back (the rows written and deleted); null: the whole range. */
  readback: Bound[] | null;
  /** Lines of rows PostgreSQL lacks. */
  readonly inserts: Buffer[];
  /** Lines of rows whose key PostgreSQL holds with other values. */
  readonly updates: Buffer[];
  /** Keys (the values as text) of the rows to delete; for a table without a key, [ctid]. */
  readonly deletes: string[][];
  /**
   * A table without a key, rewritten whole (TRUNCATE, then every row in SQLite's rowid order) instead of
   * deleted from and appended to: PostgreSQL then stores its rows in SQLite's order, the order `verify` pairs
   * the rows of a table without a key in (verify/content/compare-table.ts). Null: changed row by row.
   */
  rewrite: Buffer[] | null;
}



/** `COPY (SELECT … WHERE range ORDER BY key) TO STDOUT` for a range, its bounds bound first. */
export async function rangeCopyOut(ctx: TableContext, lo: Bound | null, hi: Bound | null, withCtid: boolean): Promise<string> {
  const range = ctx.keys ? pgRange(ctx.keys, lo, hi, copyMark) : { where: "true", params: [] };
  await bindCopyParams(ctx.client, range.params);
  const order = ctx.keys ? ` ORDER BY ${pgOrder(ctx.keys)}` : "";
  return `COPY (SELECT ${withCtid ? "ctid, " : ""}${copyColumns(ctx.plan)} FROM ${quoteQualified(ctx.pgSchema, ctx.plan.pgName)} WHERE ${range.where}${order}) TO STDOUT`;
}

/** SQLite's rows of the range, encoded as `migrate` encodes them; a value that cannot convert stops the sync. */
export function encodeRange(ctx: TableContext, lo: Bound | null, hi: Bound | null): Buffer[] {
  const range = ctx.keys ? sqliteRange(ctx.keys, lo, hi) : { where: "1", params: [] };
  return encodeWhere(ctx, range.where, range.params);
}

/** SQLite's rows matching `where`, in key order (rowid order without a key), encoded as `migrate` encodes them. */
function encodeWhere(ctx: TableContext, where: string, params: readonly unknown[]): Buffer[] {
  const range = { where, params };
  const orderBy = ctx.keys ? sqliteOrder(ctx.keys) : wholeOrder(ctx.table, ctx.plan);
  const problems = new ProblemCollector();
  const chunks = encodeTable(
    ctx.source,
    {
      plan: ctx.plan,
      table: ctx.table,
      pgColumns: ctx.pgColumns,
      onError: "stop",
      rejecting: false,
      scanOnly: false,
      hash: false,
      decodeFallback: ctx.decodeFallback,
      range: { where: range.where, params: range.params, orderBy },
    },
    { problem: (p) => problems.add(p), reject: () => undefined, progress: () => undefined },
    emptyTally(),
  );
  const lines = [...linesOf(chunks)];
  if (problems.count > 0) {
    throw dataProblemsError(problems, "sync converts values with the rules migrate used; these rows hold values it cannot convert exactly: fix them in SQLite, then run sync again (nothing was written)");
  }
  return lines;
}

/**
 * What must change in the range for PostgreSQL to equal SQLite (nothing is written yet): the lines to insert,
 * the lines that replace a row of the same key, and the keys (or ctids) of the rows to delete.
 */
export async function diffRange(ctx: TableContext, lo: Bound | null, hi: Bound | null): Promise<RangeChange> {
  const { plan } = ctx;
  const newLines = encodeRange(ctx, lo, hi);
  const keyIndexes = keyIndexesOf(plan);
  const change: RangeChange = {
    inserted: 0,
    updated: 0,
    deleted: 0,
    rows: newLines.length,
    expect: keyIndexes ? new Map() : newLines.map(hashLine),
    readback: null,
    inserts: [],
    updates: [],
    deletes: [],
    rewrite: null,
  };
  if (keyIndexes) {
    const old = new Map<string, string>();
    await copyOutLines(ctx.client, await rangeCopyOut(ctx, lo, hi, false), (line) => old.set(fieldsOf(line, keyIndexes), hashLine(line)));
    const expect = change.expect as Map<string, string>;
    for (const line of newLines) {
      const key = fieldsOf(line, keyIndexes);
      const hash = hashLine(line);
      const was = old.get(key);
      if (was !== undefined) old.delete(key);
      if (was === hash) continue;
      // A copy: the line is a view into a chunk of the whole range, which must not stay in memory.
      (was === undefined ? change.inserts : change.updates).push(Buffer.from(line));
      expect.set(keyId(key), hash);
    }
    change.deletes.push(...[...old.keys()].map(keyValues));
  } else {
    // No key: a multiset of lines; the surplus of PostgreSQL's copies is deleted by ctid.
    const old = new Map<string, string[]>();
    await copyOutLines(ctx.client, await rangeCopyOut(ctx, lo, hi, true), (line) => {
      const tab = line.indexOf(9);
      const ctid = line.toString("utf8", 0, tab === -1 ? line.length : tab);
      const h = hashLine(tab === -1 ? Buffer.alloc(0) : line.subarray(tab + 1));
      const list = old.get(h);
      if (list) list.push(ctid);
      else old.set(h, [ctid]);
    });
    const hashes = change.expect as string[];
    newLines.forEach((line, i) => {
      const list = old.get(hashes[i]);
      if (list && list.length > 0) list.pop();
      else change.inserts.push(line);
    });
    change.deletes.push(...[...old.values()].flat().map((ctid) => [ctid]));
    if ((change.inserts.length > 0 || change.deletes.length > 0) && !(await isReferenced(ctx))) change.rewrite = newLines;
  }
  change.inserted = change.inserts.length;
  change.updated = change.updates.length;
  change.deleted = change.deletes.length;
  return change;
}

/** Write one kind of change of a range. */
export async function applyChange(ctx: TableContext, change: RangeChange, kind: "inserts" | "updates" | "deletes"): Promise<void> {
  if (change.rewrite !== null) {
    if (kind !== "inserts") return;
    // TRUNCATE gives the table a new, empty heap (https://www.postgresql.org/docs/current/sql-truncate.html).
    await query(ctx, `TRUNCATE ${quoteQualified(ctx.pgSchema, ctx.plan.pgName)}`, []);
    await copyIn(ctx, quoteQualified(ctx.pgSchema, ctx.plan.pgName), change.rewrite);
    return;
  }
  if (kind === "inserts") await copyIn(ctx, quoteQualified(ctx.pgSchema, ctx.plan.pgName), change.inserts);
  else if (kind === "updates") await updateRows(ctx, change.updates);
  else if (keyIndexesOf(ctx.plan)) await deleteByKeys(ctx, keyIndexesOf(ctx.plan)!, change.deletes);
  else {
    for (let i = 0; i < change.deletes.length; i += BATCH) {
      await query(ctx, `DELETE FROM ${quoteQualified(ctx.pgSchema, ctx.plan.pgName)} WHERE ctid = ANY($1::tid[])`, [change.deletes.slice(i, i + BATCH).map((d) => d[0])]);
    }
  }
}

const UPDATES_TABLE = "sqlite2pg_sync_updates";

/**
 * Rows whose key stays and whose values changed: UPDATE in place, never DELETE + INSERT, so a foreign key that
 * refers to the row (ON DELETE RESTRICT, Prisma's default for required relations) is not disturbed. The new
 * values are COPYed into a temporary table shaped like the target (CREATE TEMP TABLE … LIKE,
 * https://www.postgresql.org/docs/current/sql-createtable.html) and joined on the key.
 */
async function updateRows(ctx: TableContext, lines: readonly Buffer[]): Promise<void> {
  if (lines.length === 0) return;
  const keyIndexes = keyIndexesOf(ctx.plan)!;
  const cols = ctx.plan.columns;
  const keyCols = keyIndexes.map((i) => cols[i]);
  const valueCols = cols.filter((_c, i) => !keyIndexes.includes(i));
  if (valueCols.length === 0) return;
  const temp = quoteIdent(UPDATES_TABLE);
  await query(ctx, `CREATE TEMP TABLE ${temp} (LIKE ${quoteQualified(ctx.pgSchema, ctx.plan.pgName)}) ON COMMIT DROP`, []);
  try {
    await copyIn(ctx, temp, lines);
    await query(
      ctx,
      `UPDATE ${quoteQualified(ctx.pgSchema, ctx.plan.pgName)} AS t SET ${valueCols.map((c) => `${quoteIdent(c.pgName)} = u.${quoteIdent(c.pgName)}`).join(", ")}
         FROM ${temp} AS u WHERE ${keyCols.map((c) => `t.${quoteIdent(c.pgName)} = u.${quoteIdent(c.pgName)}`).join(" AND ")}`,
      [],
    );
  } finally {
    await ctx.client.query(`DROP TABLE IF EXISTS ${temp}`).catch(() => undefined);
  }
}

const BATCH = 5000;

/** Does a foreign key refer to the table (TRUNCATE would be refused)? */
async function isReferenced(ctx: TableContext): Promise<boolean> {
  const { rows } = await ctx.client.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM pg_catalog.pg_constraint WHERE contype = 'f' AND confrelid = pg_catalog.to_regclass($1)",
    [quoteQualified(ctx.pgSchema, ctx.plan.pgName)],
  );
  return (rows[0]?.n ?? 0) > 0;
}

async function query(ctx: TableContext, sql: string, params: unknown[]): Promise<void> {
  try {
    await ctx.client.query(sql, params);
  } catch (err) {
    throw targetError("apply", `sync could not change "${ctx.plan.name}"`, err, ctx.plan.name);
  }
}

/** A key's COPY text fields (tab-joined) as its values' text. */
export const keyValues = (copyKey: string): string[] => copyKey.split("\t").map(unescapeCopyField);
/** One string per key, the same from a COPY line and from SQLite's values (for maps and sets). */
export const keyId = (copyKey: string): string => JSON.stringify(keyValues(copyKey));

/** DELETE the rows with these keys (their values as text), cast to the key columns' types. */
async function deleteByKeys(ctx: TableContext, keyIndexes: readonly number[], keys: readonly (readonly string[])[]): Promise<void> {
  if (keys.length === 0) return;
  const cols = keyIndexes.map((i) => ctx.plan.columns[i]);
  const target = quoteQualified(ctx.pgSchema, ctx.plan.pgName);
  const typeOf = (pgName: string): string => {
    const t = ctx.pgTypes.get(pgName);
    if (!t) throw new Error(`sync: no PostgreSQL type known for "${ctx.plan.name}"."${pgName}"`);
    return t;
  };
  const sql =
    cols.length === 1
      ? `DELETE FROM ${target} WHERE ${quoteIdent(cols[0].pgName)} = ANY($1::text[]::${typeOf(cols[0].pgName)}[])`
      : `DELETE FROM ${target} WHERE (${cols.map((c) => quoteIdent(c.pgName)).join(", ")}) IN (SELECT ${cols
          .map((c, i) => `u.c${i}::${typeOf(c.pgName)}`)
          .join(", ")} FROM unnest(${cols.map((_c, i) => `$${i + 1}::text[]`).join(", ")}) AS u(${cols.map((_c, i) => `c${i}`).join(", ")}))`;
  for (let b = 0; b < keys.length; b += BATCH) {
    const batch = keys.slice(b, b + BATCH);
    await query(ctx, sql, cols.map((_c, i) => batch.map((k) => k[i])));
  }
}

/** COPY the lines into `target` (~256 KB chunks). */
async function copyIn(ctx: TableContext, target: string, lines: readonly Buffer[]): Promise<void> {
  if (lines.length === 0) return;
  function* chunks(): Generator<Buffer> {
    let parts: Buffer[] = [];
    let size = 0;
    for (const line of lines) {
      parts.push(line, NEWLINE);
      size += line.length + 1;
      if (size >= 256 * 1024) {
        yield Buffer.concat(parts);
        parts = [];
        size = 0;
      }
    }
    if (parts.length > 0) yield Buffer.concat(parts);
  }
  const sql = `COPY ${target} (${copyColumns(ctx.plan)}) FROM STDIN`;
  try {
    await pipeline(Readable.from(chunks(), { highWaterMark: 2 }), ctx.client.query(copyFrom(sql)));
  } catch (err) {
    throw targetError("apply", `sync: COPY into "${ctx.plan.name}" failed`, err, ctx.plan.name);
  }
}

const NEWLINE = Buffer.from("\n");

/** PostgreSQL's line hashes of the range now (the verification of what sync wrote). */
export async function targetLines(ctx: TableContext, lo: Bound | null, hi: Bound | null, onLine: (key: string | null, hash: string) => void): Promise<void> {
  const keyIndexes = keyIndexesOf(ctx.plan);
  await copyOutLines(ctx.client, await rangeCopyOut(ctx, lo, hi, false), (line) => onLine(keyIndexes ? fieldsOf(line, keyIndexes) : null, hashLine(line)));
}


/**
 * Changed ranges whose row sets were recorded: SQLite's row set now against that one, merged in key order (both
 * are in the range's order, their keys spelled so that byte order is that order: values/row-hash.ts), says which
 * rows were inserted, updated or deleted; only those rows are read from SQLite and encoded (for all the ranges
 * at once: one query per 5000 keys, not one per range), nothing is read from PostgreSQL. (The range key is
 * integers or byte-ordered text, so SQLite's key values are PostgreSQL's.) One change for all the ranges.
 */
export function diffRangesByRows(ctx: TableContext, pairs: readonly { readonly old: RowSet; readonly now: RowSet }[]): RangeChange {
  const keys = ctx.keys!;
  const keyIndexes = keyIndexesOf(ctx.plan)!;
  const upsert: Bound[] = [];
  const updated = new Set<string>();
  const deletes: string[][] = [];
  for (const { old, now } of pairs) mergeRowSets(keys.map((k) => k.kind), old, now, upsert, updated, deletes);
  const rows = pairs.reduce((n, p) => n + p.now.rows, 0);
  const change: RangeChange = { inserted: 0, updated: 0, deleted: 0, rows, expect: new Map(), readback: null, inserts: [], updates: [], deletes, rewrite: null };
  const expect = change.expect as Map<string, string>;
  for (let b = 0; b < upsert.length; b += BATCH) {
    const where = sqliteKeyIn(keys, upsert.slice(b, b + BATCH));
    for (const line of encodeWhere(ctx, where.where, where.params)) {
      const id = keyId(fieldsOf(line, keyIndexes));
      (updated.has(id) ? change.updates : change.inserts).push(Buffer.from(line));
      expect.set(id, hashLine(line));
    }
  }
  change.readback = [...upsert, ...change.deletes];
  change.inserted = change.inserts.length;
  change.updated = change.updates.length;
  change.deleted = change.deletes.length;
  return change;
}

/** A change with nothing to write (a range whose rows are written with another range's change). */
export const emptyChange = (rows: number): RangeChange => ({ inserted: 0, updated: 0, deleted: 0, rows, expect: new Map(), readback: [], inserts: [], updates: [], deletes: [], rewrite: null });

/** One range's merge: keys to read from SQLite (`upsert`, those that existed also in `updated`) and to delete. */
function mergeRowSets(kinds: readonly ("int" | "text")[], old: RowSet, now: RowSet, upsert: Bound[], updated: Set<string>, deletes: string[][]): void {
  const at = keyOffsets(old.keys, kinds, old.rows);
  const to = keyOffsets(now.keys, kinds, now.rows);
  let i = 0;
  let j = 0;
  while (i < old.rows || j < now.rows) {
    // Negative: the recorded key sorts first, it is gone; positive: the key is new.
    const order = i >= old.rows ? 1 : j >= now.rows ? -1 : compareKeys(old.keys, at[i], at[i + 1], now.keys, to[j], to[j + 1]);
    if (order < 0) deletes.push(rowKeyValues(old.keys, at[i++], kinds));
    else if (order > 0) upsert.push(rowKeyValues(now.keys, to[j++], kinds));
    else {
      if (old.digests.readInt32LE(8 * i) !== now.digests.readInt32LE(8 * j) || old.digests.readInt32LE(8 * i + 4) !== now.digests.readInt32LE(8 * j + 4)) {
        const k = rowKeyValues(now.keys, to[j], kinds);
        upsert.push(k);
        updated.add(JSON.stringify(k));
      }
      i++;
      j++;
    }
  }
}
