/**
 * Stage 4b — copy one table: stream its rows out of SQLite and into `COPY … FROM STDIN` (text format,
 * https://www.postgresql.org/docs/current/sql-copy.html) through pg-copy-streams, with back-pressure, so memory
 * stays bounded whatever the table size.
 *
 * A value that cannot be converted exactly is a DataProblem: with `onError: "reject"` its row goes to the
 * rejects file and is left out; with "stop" the table is scanned to the end to list every problem, nothing more
 * is sent, and the caller rolls the transaction back. Rows the orphan policy deletes are left out; references
 * it nulls are nulled.
 */
import { isUtf8 } from "node:buffer";
import { createHash } from "node:crypto";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { from as copyFrom } from "pg-copy-streams";
import type { TablePlan } from "../convert/convert.js";
import { readTargetColumns } from "../db/pg-columns.js";
import type { PgClient } from "../db/pg-target.js";
import { targetError } from "../db/pg-target.js";
import { quoteIdent, quoteQualified } from "../db/quote.js";
import type { SqliteDb, SqliteTable } from "../db/sqlite-source.js";
import { Sqlite2pgError } from "../errors.js";
import type { EventListener } from "../pipeline/events.js";
import { hashChunk } from "./checksum.js";
import { excerptOf, makeRowEncoder, ValueError } from "./encode.js";
import type { DataProblem, ProblemCollector } from "./problems.js";
import type { RejectsFile } from "./rejects.js";

/** Flush encoded rows to the socket in chunks of about this many characters. */
const CHUNK_CHARS = 256 * 1024;
const PROGRESS_EVERY_CHUNKS = 8;

export interface CopyTableOptions {
  readonly source: SqliteDb;
  /** null: scan only (another table already failed; we only collect problems). */
  readonly client: PgClient | null;
  readonly pgSchema: string;
  readonly plan: TablePlan;
  readonly table: SqliteTable;
  /** The table was created in the current transaction: COPY FREEZE skips later hint-bit writes. */
  readonly freeze: boolean;
  readonly onError: "stop" | "reject";
  readonly problems: ProblemCollector;
  readonly rejects?: RejectsFile;
  /** rowids to leave out (orphan policy "delete"). */
  readonly skipRows?: ReadonlySet<bigint>;
  /** rowid → columns to write as NULL (orphan policy "null"). */
  readonly nullify?: ReadonlyMap<bigint, readonly string[]>;
  readonly emit: EventListener;
}

export interface CopyTableResult {
  readonly rows: number;
  /**
   * sha256 of the COPY text bytes sent, in the order sent (null when nothing was sent). The encoders spell values
   * as PostgreSQL prints them, so `COPY … TO STDOUT` of the table must give back exactly these bytes
   * (src/verify/sent-checksums.ts).
   */
  readonly sentChecksum: string | null;
  readonly rejected: number;
  readonly skipped: number;
  /** rowids of the rejected rows (verify leaves them out too). */
  readonly rejectedRowids: ReadonlySet<bigint>;
  /** Primary keys (see leftOutKey) of rejected rows in WITHOUT ROWID tables. */
  readonly rejectedKeys: ReadonlySet<string>;
}

/** A name for the rowid that no column of the table shadows (https://sqlite.org/lang_createtable.html#rowid). */
/** Text whose stored bytes are not valid UTF-8 (better-sqlite3 had decoded them to U+FFFD). */
class InvalidTextError extends ValueError {
  constructor(columnIndex: number, readonly bytes: Buffer) {
    super(columnIndex, "invalid UTF-8 in text", `x'${bytes.toString("hex").slice(0, 40)}'`);
  }
}

/** Identity of a row of a WITHOUT ROWID table: its primary-key values as SQLite returned them. */
export function leftOutKey(row: readonly unknown[], keyIndexes: readonly number[]): string {
  return keyIndexes.map((i) => (row[i] instanceof Uint8Array ? Buffer.from(row[i] as Uint8Array).toString("hex") : String(row[i]))).join("\u0000");
}

export function rowidAlias(table: SqliteTable): string | null {
  if (table.withoutRowid) return null;
  return ["rowid", "_rowid_", "oid"].find((a) => !table.columns.some((c) => c.name.toLowerCase() === a)) ?? null;
}

export async function copyTable(o: CopyTableOptions): Promise<CopyTableResult> {
  const { plan, table, emit } = o;
  const columns = plan.columns;
  const started = performance.now();
  emit({ type: "table-start", table: plan.name, totalRows: plan.rowCount });
  if (columns.length === 0) {
    emit({ type: "table-end", table: plan.name, rows: 0, ms: 0 });
    return { rows: 0, sentChecksum: null, rejected: 0, skipped: 0, rejectedRowids: new Set(), rejectedKeys: new Set() };
  }
  const names = columns.map((c) => c.name);
  // The target's types decide the exact spelling of numeric and json values (src/copy/pg-text.ts).
  const pgColumns = o.client === null ? null : await readTargetColumns(o.client, o.pgSchema, plan.pgName);
  const encode = makeRowEncoder(
    columns.map((c) => c.kind),
    columns.map((c) => {
      const pg = pgColumns?.get(c.pgName);
      return { epochUnit: c.epochUnit, pgType: pg?.typname, scale: pg?.scale };
    }),
  );
  const sentHash = createHash("sha256");
  const rowid = rowidAlias(table);
  const rowidIndex = rowid === null ? -1 : columns.length;
  const textColumns = columns.flatMap((c, i) => (c.kind === "text" || c.kind === "json" ? [i] : []));
  const keyIndexes = plan.keyColumns.map((k) => names.indexOf(k)).filter((i) => i >= 0);
  const select = o.source
    .prepare(`SELECT ${[...names.map(quoteIdent), ...(rowid ? [rowid] : [])].join(", ")} FROM ${quoteIdent(plan.name)}`)
    .raw(true);
  // Re-read one stored value's bytes, by rowid, or by primary key in a WITHOUT ROWID table.
  const lookupKey = rowid !== null ? [rowidIndex] : keyIndexes;
  const lookupWhere = rowid !== null ? `${rowid} = ?` : plan.keyColumns.map((k) => `${quoteIdent(k)} = ?`).join(" AND ");
  const rawStatements = new Map<string, ReturnType<SqliteDb["prepare"]>>();
  const rawText = (column: string, row: readonly unknown[]): Buffer | undefined => {
    if (lookupKey.length === 0) return undefined;
    let stmt = rawStatements.get(column);
    if (!stmt) {
      stmt = o.source.prepare(`SELECT CAST(${quoteIdent(column)} AS BLOB) FROM ${quoteIdent(plan.name)} WHERE ${lookupWhere}`).pluck();
      rawStatements.set(column, stmt);
    }
    return stmt.get(lookupKey.map((i) => row[i])) as Buffer | undefined;
  };

  const keyOf = (row: readonly unknown[]): string =>
    keyIndexes.length > 0 ? keyIndexes.map((i) => String(row[i])).join(", ") : rowidIndex >= 0 ? `rowid ${row[rowidIndex]}` : "(no key)";

  /**
   * better-sqlite3 decodes invalid UTF-8 stored as TEXT into U+FFFD without error; when that character shows up
   * we re-read the stored bytes and refuse the value unless they really are valid UTF-8.
   */
  const checkUtf8 = (row: readonly unknown[]): void => {
    for (const i of textColumns) {
      const v = row[i];
      if (typeof v === "string" && v.includes("\uFFFD")) {
        const bytes = rawText(names[i], row);
        if (bytes && !isUtf8(bytes)) throw new InvalidTextError(i, bytes);
      }
    }
  };

  let rows = 0;
  let rejected = 0;
  let skipped = 0;
  const rejectedRowids = new Set<bigint>();
  const rejectedKeys = new Set<string>();
  let failed = o.client === null;
  const pending: Promise<void>[] = [];

  const problemOf = (err: ValueError, row: readonly unknown[]): DataProblem => ({
    table: plan.name,
    column: names[err.columnIndex],
    key: keyOf(row),
    reason: err.reason,
    excerpt: err.excerpt ?? excerptOf(row[err.columnIndex]),
  });

  async function* chunks(): AsyncGenerator<Buffer> {
    let chunk = "";
    let sent = 0;
    for (let row of select.iterate() as IterableIterator<unknown[]>) {
      if (rowidIndex >= 0 && (o.skipRows || o.nullify)) {
        const id = BigInt(row[rowidIndex] as bigint);
        if (o.skipRows?.has(id)) {
          skipped++;
          continue;
        }
        const nulls = o.nullify?.get(id);
        if (nulls) row = row.map((v, i) => (nulls.includes(names[i]) ? null : v));
      }
      let line: string;
      try {
        line = encode(row);
        if (textColumns.length > 0) checkUtf8(row);
      } catch (err) {
        if (!(err instanceof ValueError)) throw err;
        const problem = problemOf(err, row);
        if (o.onError === "reject" && o.rejects) {
          rejected++;
          if (rowidIndex >= 0) rejectedRowids.add(BigInt(row[rowidIndex] as bigint));
          else rejectedKeys.add(leftOutKey(row, keyIndexes));
          // The rejects file keeps what SQLite stored: the original bytes, not their lossy decoding.
          const stored = err instanceof InvalidTextError ? row.map((v, i) => (i === err.columnIndex ? err.bytes : v)) : row;
          pending.push(o.rejects.write({ ...problem, row: Object.fromEntries(names.map((n, i) => [n, stored[i]])) }));
          continue;
        }
        o.problems.add(problem);
        failed = true;
        continue;
      }
      rows++;
      if (failed) continue;
      chunk += line;
      if (chunk.length >= CHUNK_CHARS) {
        yield hashChunk(sentHash, chunk);
        chunk = "";
        if (++sent % PROGRESS_EVERY_CHUNKS === 0) emit({ type: "table-progress", table: plan.name, rows, totalRows: plan.rowCount });
      }
    }
    if (chunk !== "" && !failed) yield hashChunk(sentHash, chunk);
  }

  if (o.client === null) {
    for await (const _ of chunks()) void _;
  } else {
    const copySql =
      `COPY ${quoteQualified(o.pgSchema, plan.pgName)} (${columns.map((c) => quoteIdent(c.pgName)).join(", ")}) ` +
      `FROM STDIN${o.freeze ? " WITH (FREEZE)" : ""}`;
    try {
      await pipeline(Readable.from(chunks()), o.client.query(copyFrom(copySql)));
    } catch (err) {
      if (err instanceof Sqlite2pgError) throw err;
      throw targetError("copy", `COPY into "${plan.name}" failed`, err, plan.name);
    }
  }
  await Promise.all(pending);
  emit({ type: "table-end", table: plan.name, rows, ms: performance.now() - started });
  return { rows, sentChecksum: failed ? null : sentHash.digest("hex"), rejected, skipped, rejectedRowids, rejectedKeys };
}
