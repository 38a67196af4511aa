/**
 * Read-back, SQLite side: the rows Prisma Client reads on SQLite come from the run's snapshot, not from the live
 * file. Prisma's driver adapter needs a file of its own, and the snapshot is a read transaction on the user's file
 * (snapshot.ts), so the sample is materialised: the snapshot's schema-only clone is copied, and for every table the
 * read-back reads, its first `sampleSize` rows in key order — the order the read-back uses — are copied in through
 * the snapshot's connection. An application writing to the file meanwhile (WAL) is then not seen as a difference.
 *
 * Values travel as better-sqlite3 returns them with safe integers (bigint for INTEGER, number for REAL, string for
 * TEXT, Buffer for BLOB) and are bound as such, so each value keeps its storage class; the column affinities of the
 * clone are the file's own, and re-applying an affinity to a value it already produced changes nothing
 * (https://sqlite.org/datatype3.html#type_affinity). The sample is partial: foreign keys and CHECK constraints are
 * off, and the clone's triggers are dropped so that inserting fires nothing.
 */
import { bigCellBytes } from "../../copy/big-cells.js";
import { balanced } from "../../copy/sql-chunks.js";
import { copyFileSync } from "node:fs";
import Database from "better-sqlite3";
import { quoteIdent } from "../../core/quote.js";
import type { SqliteDb } from "../../db/sqlite-source.js";

export interface SampleTable {
  readonly table: string;
  /** SQLite columns the read-back orders by (the model's key fields), in order. */
  readonly keyColumns: readonly string[];
  /**
   * A column the read-back also reads in order (ordered.ts): its first `sampleSize` rows in that order (the column's
   * own collation, as Prisma's `orderBy` on SQLite) are copied too, so the sample orders as the file does.
   */
  readonly orderColumn?: string;
}

/**
 * An implicit many-to-many relation table (convert/implicit-m2m.ts) the read-back reads through the relation fields.
 * Its owners are (at most) the first `sampleSize` distinct values of column `A`; every link of those owners is copied (for a
 * self-relation also the links where they are `B`: Prisma reads one field through `A`, the other through `B`), and
 * with them the rows of both models the links point at, so the SQLite client sees each owner's relation lists whole.
 */
export interface SampleRelation {
  readonly table: string;
  /** The table and `@id` column `A` references, and those `B` references. */
  readonly a: { readonly table: string; readonly keyColumn: string };
  readonly b: { readonly table: string; readonly keyColumn: string };
}

/**
 * A view the read-back reads (views.ts): in the sample it becomes a plain table named like the PostgreSQL view, with
 * the PostgreSQL view's column names (positionally: the translation keeps the columns in order, PostgreSQL may name
 * an unaliased expression differently), holding the view's first `sampleSize` rows in byte order — ORDER BY every
 * column with COLLATE BINARY (memcmp for text: UTF-8 code point order; NULLs first; numbers before text before
 * blobs, https://sqlite.org/datatype3.html#sort_order). Columns keep the view's declared types (copyViewRows).
 */
export interface SampleView {
  readonly view: string;
  readonly pgName: string;
  readonly columns: readonly string[];
}

export interface SampleOptions {
  /** The snapshot's connection: read-only, inside its read transaction. Only SELECTs and PRAGMAs run on it. */
  readonly source: SqliteDb;
  /** The snapshot's schema-only clone (the user's schema, no rows). */
  readonly schemaClonePath: string;
  /** Where the sample is written (in the run's work directory). */
  readonly samplePath: string;
  readonly tables: readonly SampleTable[];
  readonly relations?: readonly SampleRelation[];
  readonly views?: readonly SampleView[];
  readonly sampleSize: number;
}

/** Rows copied per table, and why a table could not be copied (its model is then not compared). */
export interface SampleResult {
  readonly rows: ReadonlyMap<string, number>;
  readonly failed: ReadonlyMap<string, string>;
  /** Per relation table: the owners sampled (values of `A`, as better-sqlite3 returns them), in `A` order. */
  readonly owners: ReadonlyMap<string, readonly unknown[]>;
  /** Per view (PostgreSQL name): the rows copied and how many rows the view has in the snapshot. */
  readonly views: ReadonlyMap<string, { readonly rows: number; readonly total: number }>;
}

interface XInfo {
  name: string;
  hidden: bigint | number;
}

export function buildReadBackSample(options: SampleOptions): SampleResult {
  copyFileSync(options.schemaClonePath, options.samplePath);
  const sample = new Database(options.samplePath);
  const rows = new Map<string, number>();
  const failed = new Map<string, string>();
  const owners = new Map<string, readonly unknown[]>();
  const views = new Map<string, { rows: number; total: number }>();
  try {
    sample.pragma("foreign_keys = OFF");
    sample.pragma("ignore_check_constraints = ON");
    const triggers = sample.prepare("SELECT name FROM sqlite_schema WHERE type = 'trigger'").pluck().all() as string[];
    for (const name of triggers) sample.exec(`DROP TRIGGER ${quoteIdent(name)}`);
    for (const t of options.tables) {
      try {
        rows.set(t.table, copyRows(options.source, sample, t, options.sampleSize));
      } catch (err) {
        failed.set(t.table, err instanceof Error ? err.message : String(err));
      }
    }
    for (const r of options.relations ?? []) {
      try {
        owners.set(r.table, copyRelation(options.source, sample, r, options.sampleSize));
      } catch (err) {
        failed.set(r.table, err instanceof Error ? err.message : String(err));
      }
    }
    // The clone's views would read the partial sample: dropped first, then each read view becomes a table.
    const cloneViews = sample.prepare("SELECT name FROM sqlite_schema WHERE type = 'view'").pluck().all() as string[];
    for (const name of cloneViews) sample.exec(`DROP VIEW ${quoteIdent(name)}`);
    for (const v of options.views ?? []) {
      try {
        views.set(v.pgName, copyViewRows(options.source, sample, v, options.sampleSize));
      } catch (err) {
        failed.set(`view ${v.pgName}`, err instanceof Error ? err.message : String(err));
      }
    }
  } finally {
    sample.close();
  }
  return { rows, failed, owners, views };
}

function copyViewRows(source: SqliteDb, sample: Database.Database, v: SampleView, limit: number): { rows: number; total: number } {
  const view = quoteIdent(v.view);
  const select = source.prepare(`SELECT * FROM ${view}`);
  const width = select.columns().length;
  if (width !== v.columns.length) throw new Error(`the SQLite view has ${width} columns, the PostgreSQL view ${v.columns.length}`);
  const order = v.columns.map((_, i) => `${i + 1} COLLATE BINARY`).join(", ");
  const found = source.prepare(`SELECT * FROM ${view} ORDER BY ${order} LIMIT ?`).raw().all(limit) as unknown[][];
  const total = Number(source.prepare(`SELECT count(*) FROM ${view}`).pluck().get() as bigint | number);
  const columns = v.columns.map(quoteIdent);
  // Each column declared as the view declares it (SQLite passes a referenced column's declared type through a view):
  // Prisma's adapter reads values by the declared type, as the app reading the view does. The values came from a
  // column of that type, so its affinity changes nothing; a computed column has none and keeps its storage class.
  const declared = select.columns().map((c) => (c.type !== null && /^[A-Za-z0-9_ (),]+$/.test(c.type) ? ` ${c.type}` : ""));
  sample.exec(`CREATE TABLE ${quoteIdent(v.pgName)} (${columns.map((c, i) => `${c}${declared[i]}`).join(", ")})`);
  const insert = sample.prepare(`INSERT INTO ${quoteIdent(v.pgName)} (${columns.join(", ")}) VALUES (${columns.map(() => "?").join(", ")})`);
  sample.transaction(() => {
    for (const row of found) insert.run(...row);
  })();
  return { rows: found.length, total };
}

function storedColumns(source: SqliteDb, table: string): string[] {
  return (source.prepare(`PRAGMA table_xinfo(${quoteIdent(table)})`).all() as XInfo[]).filter((c) => Number(c.hidden) === 0).map((c) => quoteIdent(c.name));
}

/**
 * The owners of a relation's sample: the first distinct values of `A` in `A` order, as long as the links read stay
 * within a budget (ten per owner sampled); an owner with more links than the whole budget (a tag on every post) is
 * passed over, so a sample never reads a large part of the table.
 */
function sampleOwners(source: SqliteDb, r: SampleRelation, limit: number): unknown[] {
  const join = quoteIdent(r.table);
  const budget = limit * 10;
  const self = r.a.table === r.b.table;
  // Grouped in the order of the `_AB_unique` index, stopping early.
  const candidates = source.prepare(`SELECT "A", count(*) FROM ${join} GROUP BY "A" ORDER BY "A" LIMIT ?`).raw().all(limit * 4) as [unknown, bigint][];
  const asB = self ? source.prepare(`SELECT count(*) FROM ${join} WHERE "B" = ?`).pluck() : undefined;
  const owners: unknown[] = [];
  let links = 0;
  for (const [owner, n] of candidates) {
    if (owners.length >= limit) break;
    const count = Number(n) + (asB ? Number(asB.get(owner) as bigint) : 0);
    if (count > budget - links) continue;
    owners.push(owner);
    links += count;
  }
  return owners;
}

/** Copy one relation's sampled links and the rows they join (see SampleRelation); returns the owners. */
function copyRelation(source: SqliteDb, sample: Database.Database, r: SampleRelation, limit: number): unknown[] {
  const join = quoteIdent(r.table);
  const owners = sampleOwners(source, r, limit);
  if (owners.length === 0) return owners;
  const list = owners.map(() => "?").join(", ");
  // A self-relation's owners are read through both fields: the links where they are `B` are theirs too.
  const self = r.a.table === r.b.table;
  const linksWhere = `"A" IN (${list})${self ? ` OR "B" IN (${list})` : ""}`;
  const params = self ? [...owners, ...owners] : owners;
  const copy = (table: string, selectSql: string): void => {
    const columns = storedColumns(source, table);
    const found = source.prepare(`SELECT ${columns.join(", ")} FROM ${quoteIdent(table)} WHERE ${selectSql}`).raw().all(...params) as unknown[][];
    // A row the models' sample already holds stays as it is (same row: same key).
    const insert = sample.prepare(`INSERT OR IGNORE INTO ${quoteIdent(table)} (${columns.join(", ")}) VALUES (${columns.map(() => "?").join(", ")})`);
    sample.transaction(() => {
      for (const row of found) insert.run(...row);
    })();
  };
  copy(r.table, linksWhere);
  for (const [side, ref] of [["A", r.a], ["B", r.b]] as const) {
    copy(ref.table, `${quoteIdent(ref.keyColumn)} IN (SELECT ${quoteIdent(side)} FROM ${join} WHERE ${linksWhere})`);
  }
  return owners;
}

function copyRows(source: SqliteDb, sample: Database.Database, t: SampleTable, limit: number): number {
  const table = quoteIdent(t.table);
  // Generated columns (hidden 2, 3) are computed by the clone; hidden columns of virtual tables (1) are not data.
  // The clone's columns, not the source's: an FTS table stands in there as a plain table whose key column is the
  // rowid, which the source's virtual table does not list (introspect/virtual-tables.ts).
  const columns = (sample.prepare(`PRAGMA table_xinfo(${table})`).all() as XInfo[]).filter((c) => Number(c.hidden) === 0).map((c) => quoteIdent(c.name));
  if (columns.length === 0) throw new Error(`no columns found for ${t.table}`);
  // `ORDER BY col ASC` with the column's own collation, as Prisma Client's `orderBy: { field: "asc" }` on SQLite.
  const order = t.keyColumns.map((c) => `${quoteIdent(c)} ASC`).join(", ");
  // Rows holding a big cell (src/copy/big-cells.ts) are left out: Prisma Client would hold each one several times
  // over (and as base64 text); the checksum pass and the independent check compare their content.
  const small = balanced(columns.map((c) => `coalesce(octet_length(${c}), 0) <= ${bigCellBytes()}`), "AND");
  const select = source.prepare(`SELECT ${columns.join(", ")} FROM ${table} WHERE ${small}${order ? ` ORDER BY ${order}` : ""} LIMIT ?`).raw();
  const insert = sample.prepare(`INSERT INTO ${table} (${columns.join(", ")}) VALUES (${columns.map(() => "?").join(", ")})`);
  const found = select.all(limit) as unknown[][];
  sample.transaction(() => {
    for (const row of found) insert.run(...row);
  })();
  if (t.orderColumn !== undefined) {
    // Rows the key order copied already stay (same key); big cells included, or the order would have gaps.
    const byField = source.prepare(`SELECT ${columns.join(", ")} FROM ${table} ORDER BY ${quoteIdent(t.orderColumn)} ASC LIMIT ?`).raw();
    const orIgnore = sample.prepare(`INSERT OR IGNORE INTO ${table} (${columns.join(", ")}) VALUES (${columns.map(() => "?").join(", ")})`);
    sample.transaction(() => {
      for (const row of byField.iterate(limit) as IterableIterator<unknown[]>) orIgnore.run(...row);
    })();
  }
  return found.length;
}
