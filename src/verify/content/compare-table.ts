/**
 * Verify one table: stream both sides ordered by the primary key and merge them like a sorted-merge join.
 * Rows with equal keys are compared column by column; a key on one side only is a missing (SQLite only) or extra
 * (PostgreSQL only) row. Each side gets a row count and a sha256 over its canonical rows, so two equal checksums
 * prove equal content. Memory is bounded by one batch per side plus the rows sharing one key (always one row for
 * tables with a primary key).
 *
 * Tables without a primary key are ordered by their columns whose order is the same in both databases (integers,
 * numbers, text, blobs); rows that tie on those are matched as a multiset.
 */
import { createHash, type Hash } from "node:crypto";
import type { ColumnPlan, TablePlan } from "../../convert/convert.js";
import type { ValueKind } from "../../core/column-type.js";
import type { PgClient } from "../../db/pg-client.js";
import { leftOutKey, tableBigCellLine, tableRowEncoder } from "../../copy/table-encoder.js";
import { type SqliteDb } from "../../db/sqlite-source.js";
import { rowidAlias, type SqliteTable } from "../../core/catalog.js";
import { byteOrdered, readTargetColumns } from "../../db/pg-columns.js";
import { quoteIdent, quoteQualified } from "../../core/quote.js";
import { Sqlite2pgError } from "../../core/errors.js";
import { displayCanonical, makeCanonicalComparator, type Canonical, type CanonicalColumn } from "./canonical.js";
import { postgresRows, RowCursor, sqliteRows, type Row } from "./rows.js";
import { checksumsEqual } from "./fast-path.js";
import { decodingAdjuster, storedBytesReader, type TextFallback } from "../../copy/text-fallback.js";

export interface Difference {
  /** value: same key, different column value; missing: only in SQLite; extra: only in PostgreSQL; schema: table/column absent. */
  readonly kind: "value" | "missing" | "extra" | "schema";
  readonly table: string;
  /** The row's primary key ("id=5", "a=1, b=2"), or its values for tables without one. */
  readonly key: string;
  readonly column?: string;
  /** The canonical values (null = SQL NULL), long ones cut around their first difference. */
  readonly sourceValue?: string | null;
  readonly targetValue?: string | null;
  readonly message?: string;
}

export interface TableVerification {
  readonly table: string;
  readonly sourceRows: number;
  readonly targetRows: number;
  /** sha256 (hex) over the canonical rows; null when the table could not be compared. */
  readonly sourceChecksum: string | null;
  readonly targetChecksum: string | null;
  readonly ok: boolean;
  /**
   * How the content was compared: "sent" = the checksum of the COPY data migrate sent against PostgreSQL's COPY
   * output (sent-checksums.ts); "checksum" = SQLite re-read and encoded, both sides hashed (fast-path.ts);
   * "rows" = the canonical row-by-row merge; "schema" = not compared (table or columns missing).
   */
  readonly method: "sent" | "checksum" | "rows" | "schema";
  /** The first `maxDifferences` differences. */
  readonly differences: readonly Difference[];
  /** All differences, listed or not. */
  readonly differenceCount: number;
}

export interface CompareTableOptions {
  readonly source: SqliteDb;
  readonly client: PgClient;
  readonly pgSchema: string;
  readonly plan: TablePlan;
  /** How many differences to list (all are counted); default 100. */
  readonly maxDifferences?: number;
  /** The SQLite table and the rows the copy left out or changed on purpose (migrate's own verification). */
  readonly table?: SqliteTable;
  readonly leftOut?: LeftOutRows;
  /** `--decode-fallback`: text the copy decoded (stored bytes not UTF-8) is compared decoded the same way. */
  readonly decodeFallback?: TextFallback;
}

/** Kinds whose ORDER BY agrees between SQLite (BINARY) and PostgreSQL (COLLATE "C") on well-typed data. */
const ORDERABLE: ReadonlySet<ValueKind> = new Set(["int", "bigint", "float", "decimal", "text", "bytes"]);
const MAX_VALUE_CHARS = 120;

/** Rows the copy deliberately left out or changed, by rowid: the comparison expects the same. */
export interface LeftOutRows {
  readonly skip?: ReadonlySet<bigint>;
  /** WITHOUT ROWID tables: rows left out, by primary key (copy-table.ts leftOutKey). */
  readonly skipKeys?: ReadonlySet<string>;
  readonly nullify?: ReadonlyMap<bigint, readonly string[]>;
}

function leftOutAdjuster(leftOut: LeftOutRows, names: readonly string[], rowidIndex: number): (values: unknown[]) => unknown[] | null {
  return (values) => {
    const id = BigInt(values[rowidIndex] as bigint);
    if (leftOut.skip?.has(id)) return null;
    const nulls = leftOut.nullify?.get(id);
    return nulls ? values.map((v, i) => (i < rowidIndex && nulls.includes(names[i]) ? null : v)) : values;
  };
}

export async function compareTable(options: CompareTableOptions): Promise<TableVerification> {
  const { plan, client, source } = options;
  const table = plan.name;
  const columns = plan.columns;
  const pgColumns = await readTargetColumns(client, options.pgSchema, plan.pgName);
  const missing = pgColumns === null ? [] : columns.filter((c) => !pgColumns.has(c.pgName));
  if (pgColumns === null || missing.length > 0 || columns.length === 0) {
    return schemaMismatch(options, pgColumns === null ? undefined : missing);
  }

  const specs: CanonicalColumn[] = columns.map((c) => ({ kind: c.kind, epochUnit: c.epochUnit, pgType: pgColumns.get(c.pgName)?.typname }));
  const orderIdx = orderColumns(plan);
  const selectList = columns.map((c) => quoteIdent(c.name)).join(", ");
  const pgSelectList = columns.map((c) => quoteIdent(c.pgName)).join(", ");
  const sqliteOrder = orderIdx.map((i) => `${quoteIdent(columns[i].name)}${columns[i].kind === "text" ? " COLLATE BINARY" : ""}`);
  // "C" compares bytes like SQLite's BINARY (https://www.postgresql.org/docs/current/collation.html); SQLite sorts
  // NULLs first (https://sqlite.org/lang_select.html#the_order_by_clause), PostgreSQL last unless told.
  const pgOrder = orderIdx.map((i) => {
    const c = columns[i];
    return `${c.kind === "text" ? byteOrdered(quoteIdent(c.pgName), pgColumns.get(c.pgName)) : quoteIdent(c.pgName)} NULLS FIRST`;
  });
  const orderBy = (parts: string[]): string => (parts.length > 0 ? ` ORDER BY ${parts.join(", ")}` : "");
  const hasRowid = options.table !== undefined && rowidAlias(options.table) !== null;
  const keyIdx = plan.keyColumns.map((k) => columns.findIndex((c) => c.name === k));
  const leftOutAdjust = !options.leftOut
    ? undefined
    : hasRowid
      ? leftOutAdjuster(options.leftOut, columns.map((c) => c.name), columns.length)
      : options.leftOut.skipKeys && options.leftOut.skipKeys.size > 0
        ? (values: unknown[]) => (options.leftOut!.skipKeys!.has(leftOutKey(values, keyIdx)) ? null : values)
        : undefined;
  // Decoding re-reads a value's stored bytes by rowid (selected after the columns) or, without one, by primary key.
  const textIdx = columns.flatMap((c, i) => (c.kind === "text" || c.kind === "json" ? [i] : []));
  const rowid = hasRowid && options.table ? rowidAlias(options.table) : null;
  const decode =
    options.decodeFallback && textIdx.length > 0 && (rowid !== null || keyIdx.length > 0)
      ? decodingAdjuster(options.decodeFallback, storedBytesReader(source, table, rowid, plan.keyColumns), columns.map((c) => c.name), textIdx, rowid !== null ? [columns.length] : keyIdx)
      : undefined;
  const adjust = decode && leftOutAdjust ? (values: unknown[]) => leftOutAdjust(decode(values)) : (decode ?? leftOutAdjust);
  const rowidSelect = adjust && rowid !== null ? `, ${rowid}` : "";
  const sqliteSql = `SELECT ${selectList}${rowidSelect} FROM ${quoteIdent(table)}${orderBy(sqliteOrder)}`;
  const pgSql = `COPY (SELECT ${pgSelectList} FROM ${quoteQualified(options.pgSchema, plan.pgName)}${orderBy(pgOrder)}) TO STDOUT`;

  // Tables with a key: first the fast checksum pass; only if some line differs, the full merge below.
  if (plan.keyColumns.length > 0) {
    const encode = tableRowEncoder(columns, pgColumns);
    const fast = await checksumsEqual({ source, client, sqliteSql, pgSql, encode, bigLine: tableBigCellLine(columns, pgColumns), adjust });
    if (fast.equal) {
      return { table, sourceRows: fast.rows, targetRows: fast.rows, sourceChecksum: fast.checksum, targetChecksum: fast.checksum, ok: true, method: "checksum", differences: [], differenceCount: 0 };
    }
  }

  // Start PostgreSQL first: it streams while SQLite's rows are read and canonicalized.
  const tgt = new RowCursor(postgresRows(client, pgSql, specs));
  const src = new RowCursor(sqliteRows(source, sqliteSql, specs, adjust));
  const merge = new Merger(plan, orderIdx, options.maxDifferences ?? 100);
  try {
    await merge.run(src, tgt);
  } finally {
    await Promise.all([src.close(), tgt.close()]);
  }
  return merge.result();
}

function orderColumns(plan: TablePlan): number[] {
  const byName = plan.columns.map((c) => c.name);
  if (plan.keyColumns.length > 0) return plan.keyColumns.map((k) => byName.indexOf(k)).filter((i) => i >= 0);
  return plan.columns.flatMap((c, i) => (ORDERABLE.has(c.kind) ? [i] : []));
}

async function schemaMismatch(options: CompareTableOptions, missingColumns: ColumnPlan[] | undefined): Promise<TableVerification> {
  const { plan } = options;
  const sourceRows = Number((options.source.prepare(`SELECT count(*) AS n FROM ${quoteIdent(plan.name)}`).get() as { n: bigint }).n);
  let targetRows = 0;
  const differences: Difference[] = [];
  if (missingColumns === undefined) {
    differences.push({ kind: "schema", table: plan.name, key: "", message: `table "${plan.name}" does not exist in PostgreSQL` });
  } else {
    const { rows } = await options.client.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${quoteQualified(options.pgSchema, plan.pgName)}`);
    targetRows = Number(rows[0].n);
    for (const c of missingColumns) {
      differences.push({ kind: "schema", table: plan.name, key: "", column: c.name, message: `column "${c.name}" does not exist in PostgreSQL` });
    }
  }
  const ok = differences.length === 0 && sourceRows === targetRows; // a table without columns: counts only
  return { table: plan.name, sourceRows, targetRows, sourceChecksum: null, targetChecksum: null, ok, method: "schema", differences, differenceCount: differences.length };
}

/** One field of the checksum input: length-prefixed so no two rows serialize alike. */
function serializeRow(row: Row): string {
  let s = "";
  for (const v of row) s += v === null ? "N;" : `${v.length}:${v};`;
  return s;
}

/** sha256 over serialized rows, each followed by "\n"; fed in ~64 KiB pieces (one hash call per row is slow). */
class RowChecksum {
  private readonly hash: Hash = createHash("sha256");
  private pending = "";
  rows = 0;

  add(serialized: string): void {
    this.pending += serialized + "\n";
    this.rows++;
    if (this.pending.length >= 65536) {
      this.hash.update(this.pending);
      this.pending = "";
    }
  }

  digest(): string {
    return this.hash.update(this.pending).digest("hex");
  }
}

class Merger {
  private readonly keyCmp: ((a: Canonical, b: Canonical) => number)[];
  private readonly checksums = { source: new RowChecksum(), target: new RowChecksum() };
  private readonly lastKey: { source?: Row; target?: Row } = {};
  private count = 0;
  private readonly listed: Difference[] = [];

  constructor(
    private readonly plan: TablePlan,
    private readonly orderIdx: readonly number[],
    private readonly maxDifferences: number,
  ) {
    this.keyCmp = orderIdx.map((i) => makeCanonicalComparator(plan.columns[i].kind));
  }

  private compareKeys(a: Row, b: Row): number {
    for (let k = 0; k < this.orderIdx.length; k++) {
      const i = this.orderIdx[k];
      const c = this.keyCmp[k](a[i], b[i]);
      if (c !== 0) return c;
    }
    return 0;
  }

  async run(src: RowCursor, tgt: RowCursor): Promise<void> {
    for (;;) {
      if (src.needsFill) await src.fill();
      if (tgt.needsFill) await tgt.fill();
      const a = src.head();
      const b = tgt.head();
      if (a === undefined && b === undefined) return;
      const c = a === undefined ? 1 : b === undefined ? -1 : this.compareKeys(a, b);
      const ga = c <= 0 ? await this.takeGroup(src, "source") : [];
      const gb = c >= 0 ? await this.takeGroup(tgt, "target") : [];
      this.matchGroups(ga, gb);
    }
  }

  /** All rows sharing the head's key; checks the side's order and feeds its checksum. */
  private async takeGroup(cursor: RowCursor, side: "source" | "target"): Promise<Row[]> {
    const first = cursor.shift();
    const last = this.lastKey[side];
    if (last !== undefined && this.compareKeys(last, first) > 0) throw this.orderError(side, last, first);
    this.lastKey[side] = first;
    const group = [first];
    for (;;) {
      if (cursor.needsFill) await cursor.fill();
      const next = cursor.head();
      if (next === undefined || this.compareKeys(first, next) !== 0) break;
      group.push(cursor.shift());
    }
    if (group.length === 1) this.checksums[side].add(serializeRow(first));
    else for (const s of group.map(serializeRow).sort()) this.checksums[side].add(s); // tied rows: any order, same multiset
    return group;
  }

  private matchGroups(ga: Row[], gb: Row[]): void {
    if (ga.length === 1 && gb.length === 1) return this.compareRows(ga[0], gb[0]);
    let onlyA = ga;
    let onlyB = gb;
    if (ga.length > 0 && gb.length > 0) {
      const pending = new Map<string, Row[]>();
      for (const r of ga) {
        const s = serializeRow(r);
        pending.set(s, [...(pending.get(s) ?? []), r]);
      }
      onlyB = [];
      for (const r of gb) {
        const same = pending.get(serializeRow(r));
        if (same && same.length > 0) same.pop();
        else onlyB.push(r);
      }
      onlyA = [...pending.values()].flat();
    }
    if (onlyA.length === 1 && onlyB.length === 1) return this.compareRows(onlyA[0], onlyB[0]);
    for (const r of onlyA) this.record({ kind: "missing", table: this.plan.name, key: this.keyOf(r), message: "row is in SQLite but not in PostgreSQL" });
    for (const r of onlyB) this.record({ kind: "extra", table: this.plan.name, key: this.keyOf(r), message: "row is in PostgreSQL but not in SQLite" });
  }

  private compareRows(a: Row, b: Row): void {
    for (let i = 0; i < a.length; i++) {
      if (a[i] === b[i]) continue;
      const [sourceValue, targetValue] = excerptPair(a[i], b[i]);
      this.record({ kind: "value", table: this.plan.name, key: this.keyOf(a), column: this.plan.columns[i].name, sourceValue, targetValue });
    }
  }

  private record(d: Difference): void {
    this.count++;
    if (this.listed.length < this.maxDifferences) this.listed.push(d);
  }

  private keyOf(row: Row): string {
    const cols = this.plan.columns;
    if (this.plan.keyColumns.length > 0) {
      return this.orderIdx.map((i) => `${cols[i].name}=${displayCanonical(row[i])}`).join(", ");
    }
    const all = cols.map((c, i) => `${c.name}=${displayCanonical(row[i])}`).join(", ");
    return `(no primary key) ${all.length > 200 ? `${all.slice(0, 200)}…` : all}`;
  }

  private orderError(side: "source" | "target", prev: Row, next: Row): Sqlite2pgError {
    const where = side === "source" ? "SQLite" : "PostgreSQL";
    return new Sqlite2pgError(
      `${this.plan.name}: ${where} returned row ${this.keyOf(next)} after ${this.keyOf(prev)}; the two databases order this table's key differently, so rows cannot be matched`,
      {
        code: "VERIFY_ORDER",
        kind: "verification",
        stage: "verify",
        object: { table: this.plan.name },
        hint: "the key column probably mixes storage classes or formats in SQLite (e.g. integers stored as text, timestamps in several formats)",
      },
    );
  }

  result(): TableVerification {
    const sourceChecksum = this.checksums.source.digest();
    const targetChecksum = this.checksums.target.digest();
    const sourceRows = this.checksums.source.rows;
    const targetRows = this.checksums.target.rows;
    return {
      table: this.plan.name,
      sourceRows,
      targetRows,
      sourceChecksum,
      targetChecksum,
      ok: this.count === 0 && sourceChecksum === targetChecksum && sourceRows === targetRows,
      method: "rows",
      differences: this.listed,
      differenceCount: this.count,
    };
  }
}

/** Both values for a report; long values are cut around their first difference so the difference stays visible. */
function excerptPair(a: Canonical, b: Canonical): [string | null, string | null] {
  if (a === null || b === null) return [a === null ? null : displayCanonical(a), b === null ? null : displayCanonical(b)];
  const x = displayCanonical(a);
  const y = displayCanonical(b);
  if (x.length <= MAX_VALUE_CHARS && y.length <= MAX_VALUE_CHARS) return [x, y];
  let i = 0;
  while (i < x.length && i < y.length && x[i] === y[i]) i++;
  const from = Math.max(0, i - 30);
  const cut = (s: string): string =>
    `${from > 0 ? "…" : ""}${s.slice(from, from + MAX_VALUE_CHARS)}${s.length > from + MAX_VALUE_CHARS ? "…" : ""} (${s.length} chars)`;
  return [cut(x), cut(y)];
}
