/**
 * The independent check of one table: read rows from SQLite (better-sqlite3, safe integers, text also as its
 * bytes) and from PostgreSQL (`::text`, decoded by pg's parsers: pg-decode.ts), pair them by primary key, and
 * compare every column by meaning (compare-value.ts). Nothing here uses the copy's encoders or canonical.ts.
 *
 * Which rows: every row with mode "all" (`--verify deep`) or for a table of at most `sampleSize` rows; otherwise
 * a deterministic sample of about `sampleSize` rows spread over the key range — the first and the last rows and
 * evenly spaced windows between them (by key value for an integer key, by position otherwise). Tables whose key
 * is not integers or text (or that have none) are sampled at their first and last rows.
 */
import { isUtf8 } from "node:buffer";
import type { TextFallback } from "../../copy/text-fallback.js";
import type { TablePlan } from "../../convert/convert.js";
import type { PgClient } from "../../db/pg-client.js";
import { byteOrdered } from "../../db/pg-columns.js";
import { quoteIdent, quoteQualified } from "../../core/quote.js";
import type { SqliteDb } from "../../db/sqlite-source.js";
import type { LeftOutRows } from "../content/compare-table.js";
import { describePg, describeSqlite, sameByMeaning, type SqliteCell } from "./compare-value.js";
import { arrayBatches, compareKeyParts, mergeWindows, pairRows, type Batches, type KeyPart } from "./pairing.js";
import { decodePg, parseFloat8, type TargetKind } from "./pg-decode.js";
import { sqliteInteger } from "./sqlite-meaning.js";
import { bigCellColumns, parsePgDigests, describeDigest, pgTextDigest, sqliteCellDigest, sqliteDigest } from "./big-cells.js";
import { bigCellBytes } from "../../copy/big-cells.js";
import type { TargetColumn } from "./target-columns.js";
import { sqlitePages, pgStream } from "./pages.js";
import { keyRangeWindows, pgBounds } from "./windows.js";
import { type SqliteRow, type PgRow, type Column, WINDOWS } from "./row-types.js";

export interface IndependentDifference {
  /** value: same key, different meaning; missing: only in SQLite; extra: only in PostgreSQL. */
  readonly kind: "value" | "missing" | "extra";
  readonly table: string;
  readonly key: string;
  readonly column?: string;
  /** SQLite's value with its storage class (`real 0.30000000000000004`). */
  readonly sqlite?: string;
  /** PostgreSQL's value with its type, as PostgreSQL prints it (`text "0.3"`). */
  readonly postgres?: string;
}

export interface IndependentTable {
  readonly table: string;
  /** Rows compared (pairs, plus rows found on one side only). */
  readonly rows: number;
  /** "all": every row; "sample": `how` says which. */
  readonly scope: "all" | "sample";
  readonly how: "every row" | "key ranges" | "first and last rows";
  readonly differences: readonly IndependentDifference[];
  readonly differenceCount: number;
  /** Why the table was not compared (it is missing in PostgreSQL, or a column is: the other checks name it). */
  readonly skipped?: string;
}

export interface CheckTableOptions {
  /**
   * `--decode-fallback`: a text whose stored bytes are not UTF-8 means what those bytes decode to in that
   * encoding (the user's reviewed decision), so that is what PostgreSQL must hold.
   */
  readonly decodeFallback?: TextFallback;
  readonly source: SqliteDb;
  readonly client: PgClient;
  readonly pgSchema: string;
  readonly plan: TablePlan;
  /** Column name (PostgreSQL) → kind, from the catalog (target-columns.ts). */
  readonly targets: ReadonlyMap<string, TargetColumn>;
  /** PostgreSQL's primary key (its column names, in key order; empty: pair in load order). */
  readonly primaryKey: readonly string[];
  readonly leftOut?: LeftOutRows;
  readonly mode: "sample" | "all";
  /** Rows per table in a sample (default 1000). */
  readonly sampleSize?: number;
  readonly maxDifferences?: number;
}

/**
 * Kinds whose SQLite text is compared as bytes. better-sqlite3 turns each invalid UTF-8 sequence into U+FFFD
 * when it makes a JS string, so a string without U+FFFD is exactly its UTF-8 bytes; only a string holding one
 * has its bytes read again (`CAST(x AS BLOB)`, https://sqlite.org/lang_expr.html#castexpr).
 */
const BYTE_KINDS: ReadonlySet<TargetKind> = new Set(["text", "bytes", "json", "uuid", "other"]);
/** The rowid's name in a rowid table (one no column shadows), or null for a WITHOUT ROWID table. */
function rowidName(db: SqliteDb, table: string): string | null {
  const info = db.prepare("SELECT wr FROM pragma_table_list WHERE schema = 'main' AND name = ?").get(table) as { wr: bigint | number } | undefined;
  if (info === undefined || Number(info.wr) === 1) return null;
  const names = (db.prepare("SELECT name FROM pragma_table_xinfo(?)").pluck().all(table) as string[]).map((n) => n.toLowerCase());
  return ["rowid", "_rowid_", "oid"].find((a) => !names.includes(a)) ?? null;
}

/** The key a rejected row of a WITHOUT ROWID table is recorded under (copy-table.ts leftOutKey's format). */
function leftOutKeyOf(values: readonly unknown[]): string {
  return values.map((v) => (v instanceof Uint8Array ? Buffer.from(v).toString("hex") : String(v))).join("\u0000");
}

/** SQLite returned the key out of the order both sides are merged in (see `inOrder`). */
class KeyDisorder extends Error {}

export async function checkTable(options: CheckTableOptions): Promise<IndependentTable> {
  try {
    return await checkTableOrdered(options);
  } catch (err) {
    if (!(err instanceof KeyDisorder)) throw err;
    const { plan } = options;
    // A key column mixing storage classes (integers and text in an untyped column) sorts integers first in
    // SQLite (https://sqlite.org/datatype3.html#sort_order) but as text in PostgreSQL: the rows cannot be paired
    // by merging. Said in the summary rather than reported as rows missing on both sides.
    return { table: plan.name, rows: 0, scope: options.mode, how: "every row", differences: [], differenceCount: 0, skipped: "its key sorts differently in SQLite (several storage classes) and PostgreSQL" };
  }
}

async function checkTableOrdered(options: CheckTableOptions): Promise<IndependentTable> {
  const { plan, source, client } = options;
  const maxDifferences = options.maxDifferences ?? 100;
  const sampleSize = options.sampleSize ?? 1000;
  const columns: Column[] = [];
  for (const c of plan.columns) {
    const target = options.targets.get(c.pgName);
    if (target === undefined) return { table: plan.name, rows: 0, scope: options.mode, how: "every row", differences: [], differenceCount: 0, skipped: `column "${c.pgName}" does not exist in PostgreSQL` };
    columns.push({ name: c.name, pgName: c.pgName, target });
  }
  // Rows are paired on the key PostgreSQL enforces, so it is unique on both sides (SQLite's own key may hold
  // NULLs, and then the migration created none).
  const keyIdx = options.primaryKey.map((k) => columns.findIndex((c) => c.pgName === k));
  const keyed = keyIdx.length > 0 && keyIdx.every((i) => i >= 0);
  // A merge on the key needs both databases to order it alike: integers, and text compared as bytes.
  const mergeable = keyed && keyIdx.every((i) => columns[i].target.kind === "int" || (columns[i].target.kind === "text" && columns[i].target.collatable && columns[i].target.typname !== "bpchar"));
  const rowid = rowidName(source, plan.name);

  // SQLite: each column, plus its bytes when it is text; then the rowid (to recognise rows the copy left out).
  const big = bigCellColumns(source, columns, keyed ? keyIdx : [], bigCellBytes());
  const sqliteSelect = columns.map((c, i) => big.sqliteExpr(i, quoteIdent(c.name)));
  if (rowid) sqliteSelect.push(rowid);
  const flagsAt = sqliteSelect.length;
  if (big.sqliteFlags !== null) sqliteSelect.push(big.sqliteFlags);
  const byteLookups = new Map<number, { get(...params: unknown[]): unknown }>();
  /** The exact bytes of column `i` of a row (by rowid, else by its key as SQLite returned it). */
  const bytesOf = (i: number, raw: readonly unknown[]): Buffer | null => {
    let st = byteLookups.get(i);
    if (st === undefined) {
      const where = rowid ? `${rowid} = ?` : keyIdx.map((k) => `${quoteIdent(columns[k].name)} = ?`).join(" AND ");
      st = source.prepare(`SELECT CAST(${quoteIdent(columns[i].name)} AS BLOB) FROM ${quoteIdent(plan.name)} WHERE ${where}`).safeIntegers(true).pluck();
      byteLookups.set(i, st);
    }
    const got = st.get(...(rowid ? [raw[columns.length]] : keyIdx.map((k) => raw[k])));
    return got instanceof Uint8Array ? Buffer.from(got) : null;
  };
  const sqliteKeyOrder = (desc: boolean): string =>
    keyed
      ? keyIdx.map((i) => `${quoteIdent(columns[i].name)}${columns[i].target.kind === "text" ? " COLLATE BINARY" : ""}${desc ? " DESC" : ""}`).join(", ")
      : rowid
        ? `${rowid}${desc ? " DESC" : ""}`
        : "";
  // The key as the sort sees it: k0, k1, … of the subquery below (ctid when there is no key).
  const pgKeyOrder = (desc: boolean): string =>
    keyed
      ? keyIdx.map((i, n) => `${byteOrdered(`"k${n}"`, columns[i].target)}${desc ? " DESC NULLS LAST" : " NULLS FIRST"}`).join(", ")
      : `"k0"${desc ? " DESC" : ""}`;
  const sqliteFrom = `SELECT ${sqliteSelect.join(", ")} FROM ${quoteIdent(plan.name)}`;
  const pgItems = columns.map((c, i) => big.pgItem(i, c.pgName, quoteIdent(`v${i}`)));
  if (big.pgDigests !== null) pgItems.push(`${big.pgDigests} AS "digests"`);
  pgItems.push(...(keyed ? keyIdx.map((i, n) => `${quoteIdent(columns[i].pgName)} AS "k${n}"`) : ['ctid AS "k0"']));
  // The projection (text casts, big-cell digests) runs below the sort, in a subquery kept apart by OFFSET 0
  // (https://www.postgresql.org/docs/current/queries-limit.html): sorting the raw columns beside the projected
  // ones would make the sorted tuple of a 1600-column table wider than PostgreSQL's 1664 entries.
  const pgQuery = (where: string, desc: boolean, limit = ""): string =>
    `SELECT * FROM (SELECT ${pgItems.join(", ")} FROM ${quoteQualified(options.pgSchema, plan.pgName)}${where} OFFSET 0) AS s ORDER BY ${pgKeyOrder(desc)}${limit}`;

  const keyPartSqlite = (cell: SqliteCell, kind: TargetKind): KeyPart => {
    if (cell.value === null) return null;
    if (kind === "int") return sqliteInteger(cell.value) ?? Buffer.from(String(cell.value));
    if (typeof cell.value === "string") return cell.bytes ?? Buffer.from(cell.value, "utf8");
    return cell.value instanceof Uint8Array ? Buffer.from(cell.value) : Buffer.from(String(cell.value));
  };
  const keyPartPg = (text: string | null, kind: TargetKind): KeyPart => (text === null ? null : kind === "int" && /^-?\d+$/.test(text) ? BigInt(text) : Buffer.from(text, "utf8"));

  const skip = options.leftOut?.skip;
  const skipKeys = options.leftOut?.skipKeys;
  const nullify = options.leftOut?.nullify;
  /** A raw SQLite row as the copy meant to write it, or null for a row it left out on purpose. */
  const toSqliteRow = (raw: unknown[]): SqliteRow | null => {
    const cells: SqliteCell[] = [];
    for (let i = 0; i < columns.length; i++) {
      const value = raw[i];
      if (typeof value === "string" && BYTE_KINDS.has(columns[i].target.kind) && value.includes("\uFFFD")) {
        const bytes = bytesOf(i, raw);
        const decoded = bytes && options.decodeFallback && !isUtf8(bytes) ? options.decodeFallback.decode(bytes) : null;
        cells.push(decoded !== null ? { value: decoded } : { value, bytes });
      } else cells.push({ value });
    }
    const id = rowid ? (raw[columns.length] as bigint) : null;
    if (id !== null && skip?.has(BigInt(id))) return null;
    let digests: (string | null)[] | null = null;
    const flags = big.sqliteFlags === null ? null : (raw[flagsAt] as string | null);
    big.indexes.forEach((i, j) => {
      if (flags?.[j] !== "1") return;
      (digests ??= columns.map(() => null))[i] = sqliteDigest(bytesOf(i, raw), columns[i].target.kind, options.decodeFallback);
    });
    if (id === null && skipKeys && skipKeys.size > 0 && skipKeys.has(leftOutKeyOf(keyIdx.map((i) => cells[i].value)))) return null;
    const nulled = id !== null ? nullify?.get(BigInt(id)) : undefined;
    // Orphan policy "null": the copy cleared these references on purpose (the decision is in the report).
    if (nulled) columns.forEach((c, i) => nulled.includes(c.name) && (cells[i] = { value: null }));
    return { cells, digests, rowid: id, key: keyed ? keyIdx.map((i) => keyPartSqlite(cells[i], columns[i].target.kind)) : [] };
  };
  const toPgRow = (r: Record<string, string | null>): PgRow => {
    const texts = columns.map((_, i) => r[`v${i}`] ?? null);
    const found = parsePgDigests(r.digests ?? null, big.indexes);
    const digests = found === null || found.size === 0 ? null : columns.map((_, i) => found.get(i) ?? null);
    return { texts, digests, key: keyed ? keyIdx.map((i) => keyPartPg(texts[i], columns[i].target.kind)) : [] };
  };

  const sqliteAll = (sql: string, params: unknown[] = []): SqliteRow[] =>
    (source.prepare(sql).safeIntegers(true).raw(true).all(...params) as unknown[][]).map(toSqliteRow).filter((r): r is SqliteRow => r !== null);
  const pgAll = async (sql: string, params: unknown[] = []): Promise<PgRow[]> => (await client.query<Record<string, string | null>>(sql, params)).rows.map(toPgRow);

  // The comparison and its report.
  const listed: IndependentDifference[] = [];
  let count = 0;
  let rows = 0;
  const record = (d: IndependentDifference): void => {
    count++;
    if (listed.length < maxDifferences) listed.push(d);
  };
  const keyText = (s: SqliteRow): string =>
    keyed ? keyIdx.map((i) => `${columns[i].name}=${describeKeyValue(s.cells[i].value)}`).join(", ") : `(no primary key) rowid ${s.rowid ?? "?"}`;
  let pgPosition = 0;
  const pgKeyText = (p: PgRow): string =>
    keyed ? keyIdx.map((i) => `${columns[i].name}=${p.texts[i] ?? "NULL"}`).join(", ") : `(no primary key) PostgreSQL row ${pgPosition}`;
  const handlers = {
    pair: (s: SqliteRow, p: PgRow) => {
      rows++;
      pgPosition++;
      for (let i = 0; i < columns.length; i++) {
        const c = columns[i];
        if (s.digests?.[i] != null || p.digests?.[i] != null) {
          // A big cell on either side: compared by length and sha256 (big-cells.ts).
          const a = s.digests?.[i] ?? sqliteCellDigest(s.cells[i]);
          const b = p.digests?.[i] ?? pgTextDigest(c.target.kind, p.texts[i]);
          if (a !== b) record({ kind: "value", table: plan.name, key: keyText(s), column: c.name, sqlite: describeDigest("value", a), postgres: describeDigest(c.target.typname, b) });
          continue;
        }
        if (sameAtOnce(c.target.kind, s.cells[i], p.texts[i])) continue;
        const decoded = decodePg(c.target.kind, p.texts[i]);
        if (sameByMeaning(c.target.kind, s.cells[i], decoded)) continue;
        record({ kind: "value", table: plan.name, key: keyText(s), column: c.name, sqlite: describeSqlite(s.cells[i]), postgres: describePg(c.target.typname, p.texts[i], decoded) });
      }
    },
    missing: (s: SqliteRow) => {
      rows++;
      record({ kind: "missing", table: plan.name, key: keyText(s) });
    },
    extra: (p: PgRow) => {
      rows++;
      pgPosition++;
      record({ kind: "extra", table: plan.name, key: pgKeyText(p) });
    },
  };
  const compare = mergeable ? (s: SqliteRow, p: PgRow) => compareKeyParts(s.key, p.key) : null;
  let previous: SqliteRow | null = null;
  /** SQLite's rows, checked to come in the merge's key order (else KeyDisorder). */
  const inOrder = (rows: readonly SqliteRow[]): readonly SqliteRow[] => {
    if (!mergeable) return rows;
    for (const r of rows) {
      if (previous !== null && compareKeyParts(previous.key, r.key) >= 0) throw new KeyDisorder();
      previous = r;
    }
    return rows;
  };
  const result = (how: IndependentTable["how"], scope: IndependentTable["scope"]): IndependentTable => ({ table: plan.name, rows, scope, how, differences: listed, differenceCount: count });

  const leftOutCount = (skip?.size ?? 0) + (skipKeys?.size ?? 0);
  if (options.mode === "all" || plan.rowCount <= sampleSize + leftOutCount) {
    const seekCols = keyed ? keyIdx.map((i) => `${quoteIdent(columns[i].name)}${columns[i].target.kind === "text" ? " COLLATE BINARY" : ""}`) : rowid ? [rowid] : [];
    const rawKey = (raw: readonly unknown[]): unknown[] => (keyed ? keyIdx.map((i) => raw[i]) : [raw[columns.length]]);
    const pages = sqlitePages(source, sqliteFrom, seekCols, orderBy(sqliteKeyOrder(false)), rawKey, toSqliteRow);
    const ordered: Batches<SqliteRow> = async () => {
      const b = await pages();
      return b === null ? null : inOrder(b);
    };
    await pairRows(ordered, await pgStream(client, pgQuery("", false), toPgRow), compare, handlers);
    return result("every row", options.mode === "all" ? "all" : "sample");
  }

  const perWindow = Math.max(1, Math.floor(sampleSize / WINDOWS));
  if (mergeable) {
    const windows = keyRangeWindows({ source, plan, columns, keyIdx, perWindow, sqliteFrom, sqliteKeyOrder, sqliteAll });
    if (windows !== null) {
      // One query for all windows (they are disjoint once merged, and in key order): one round trip per table.
      const merged = mergeWindows(windows, (r) => r.key);
      const { where, params } = pgBounds(columns, keyIdx, merged);
      const pgRows = await preferringIndexes(client, () => pgAll(pgQuery(where, false), params));
      await pairRows(arrayBatches(inOrder(merged.flatMap((w) => w.rows))), arrayBatches(pgRows), compare, handlers);
      return result("key ranges", "sample");
    }
  }
  // Keys that do not order alike (or no key): the first and the last rows, paired in order.
  const half = Math.max(1, Math.floor(sampleSize / 2));
  const firstS = sqliteAll(`${sqliteFrom}${orderBy(sqliteKeyOrder(false))} LIMIT ?`, [half + leftOutCount]).slice(0, half);
  const firstP = await pgAll(pgQuery("", false, " LIMIT $1"), [half]);
  await pairRows(arrayBatches(firstS), arrayBatches(firstP), compare, handlers);
  const lastS = sqliteAll(`${sqliteFrom}${orderBy(sqliteKeyOrder(true))} LIMIT ?`, [half + leftOutCount]).slice(0, half).reverse();
  const lastP = (await pgAll(pgQuery("", true, " LIMIT $1"), [half])).reverse();
  pgPosition = -1; // positions of the last rows are not known without counting; the key (if any) names them
  await pairRows(arrayBatches(lastS), arrayBatches(lastP), compare, handlers);
  return result("first and last rows", "sample");
}

/**
 * Run one query with sequential scans discouraged. A table just loaded has no planner statistics until autovacuum
 * analyzes it, and then the open-ended first and last windows (`key <= hi`, `key >= lo`) are estimated at a third
 * of the table each: PostgreSQL read the whole heap for ~1000 rows (blog scale 1: 60–120 ms a table, most of the
 * check). The windows are a few short key ranges of the primary key, which an index scan reads at once.
 * enable_seqscan only raises a sequential scan's cost, so a table without a usable index (a text key compared in
 * byte order) is still read (https://www.postgresql.org/docs/current/runtime-config-query.html).
 */
async function preferringIndexes<T>(client: PgClient, run: () => Promise<T>): Promise<T> {
  const { rows } = await client.query<{ was: string }>("SELECT current_setting('enable_seqscan') AS was, set_config('enable_seqscan', 'off', true)");
  try {
    return await run();
  } finally {
    await client.query("SELECT set_config('enable_seqscan', $1, true)", [rows[0].was]);
  }
}

/**
 * The common cases decided without decoding (every row of `--verify deep` passes here): text that is plain ASCII
 * on both sides is equal exactly when the strings are, and an integer equals PostgreSQL's integer output when that
 * is its decimal digits. False means "decode and compare", not "different".
 */
function sameAtOnce(kind: TargetKind, cell: SqliteCell, text: string | null): boolean {
  const v = cell.value;
  if (text === null) return false;
  switch (kind) {
    case "text":
      return typeof v === "string" && !cell.bytes && v === text;
    case "int":
      return typeof v === "bigint" && v.toString() === text;
    case "float":
      return typeof v === "number" && Object.is(parseFloat8(text), v);
    case "boolean":
      return (v === 1n && text === "t") || (v === 0n && text === "f");
    case "timestamp":
      // SQLite text spelled exactly as PostgreSQL prints a timestamp without zone names the same UTC instant.
      return typeof v === "string" && v === text && PLAIN_TIMESTAMP.test(v);
    default:
      return false;
  }
}

const PLAIN_TIMESTAMP = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(?:\.\d{1,6})?$/;

function orderBy(order: string): string {
  return order === "" ? "" : ` ORDER BY ${order}`;
}

function describeKeyValue(v: unknown): string {
  if (typeof v === "string") return JSON.stringify(v);
  if (v instanceof Uint8Array) return `x'${Buffer.from(v).toString("hex")}'`;
  return v === null || v === undefined ? "NULL" : String(v);
}

