/**
 * Stage 6 — copy one table: stream its rows out of SQLite and into `COPY … FROM STDIN` (text format,
 * https://www.postgresql.org/docs/current/sql-copy.html) through pg-copy-streams, with back-pressure, so memory
 * stays bounded whatever the table size.
 *
 * A value that cannot be converted exactly is a DataProblem: with `onError: "reject"` its row goes to the
 * rejects file and is left out; with "stop" the table is scanned to the end to list every problem, nothing more
 * is sent, and the caller rolls the transaction back. Rows the orphan policy deletes are left out; references
 * it nulls are nulled. The rows are read and encoded by table-encoder.ts.
 */
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { from as copyFrom } from "pg-copy-streams";
import type { TablePlan } from "../convert/convert.js";
import { readTargetColumns } from "../db/pg-columns.js";
import type { PgClient } from "../db/pg-client.js";
import { targetError } from "../db/pg-target.js";
import { quoteIdent, quoteQualified } from "../core/quote.js";
import { isSqliteError, sourceReadError, type SqliteDb } from "../db/sqlite-source.js";
import type { SqliteTable } from "../core/catalog.js";
import { Sqlite2pgError } from "../core/errors.js";
import type { EventListener } from "../core/events.js";
import type { ProblemCollector } from "../core/problems.js";
import type { RejectsFile } from "./rejects.js";
import type { TextFallback } from "./text-fallback.js";
import { encodeTable, type EncodeSinks, type EncodeTableInput } from "./table-encoder.js";
import { emptyTally, type CopyTally, type TableCopyResult } from "./copy-result.js";

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
  /** Hash the COPY data sent (sentChecksum, for migrate's full verification); default true. */
  readonly hashSent?: boolean;
  /** `--decode-fallback`: how text whose stored bytes are not UTF-8 is decoded (text-fallback.ts). */
  readonly decodeFallback?: TextFallback;
}

export async function copyTable(o: CopyTableOptions): Promise<TableCopyResult> {
  const { plan, emit } = o;
  const started = performance.now();
  emit({ type: "table-start", table: plan.name, totalRows: plan.rowCount });
  if (plan.columns.length === 0) {
    emit({ type: "table-end", table: plan.name, rows: 0, ms: 0 });
    return { ...emptyTally(), table: plan.name, ms: performance.now() - started };
  }
  const input: EncodeTableInput = {
    plan,
    table: o.table,
    // The target's types decide the exact spelling of numeric and json values (src/copy/pg-text.ts).
    pgColumns: o.client === null ? null : await readTargetColumns(o.client, o.pgSchema, plan.pgName),
    onError: o.onError,
    rejecting: o.rejects !== undefined,
    skipRows: o.skipRows,
    nullify: o.nullify,
    scanOnly: o.client === null,
    hash: o.hashSent ?? true,
    decodeFallback: o.decodeFallback,
  };
  const pending: Promise<void>[] = [];
  const sinks: EncodeSinks = {
    problem: (p) => o.problems.add(p),
    reject: (r) => {
      if (o.rejects) pending.push(o.rejects.write(r));
    },
    progress: (rows) => emit({ type: "table-progress", table: plan.name, rows, totalRows: plan.rowCount }),
  };
  const summary: CopyTally = emptyTally();
  await send(o, encodeTable(o.source, input, sinks, summary));
  return finish();

  async function finish(): Promise<TableCopyResult> {
    await Promise.all(pending);
    const ms = performance.now() - started;
    emit({ type: "table-end", table: plan.name, rows: summary.rows, ms });
    return { ...summary, table: plan.name, ms };
  }
}

/** Stream the chunks into COPY (or, scanning only, just drain them). */
async function send(o: CopyTableOptions, chunks: AsyncIterable<Buffer> | Iterable<Buffer>): Promise<void> {
  const { plan } = o;
  if (o.client === null) {
    try {
      for await (const _ of chunks) void _;
    } catch (err) {
      // With no COPY around it (plan, or scanning after a failure), a damaged or locked file is still the source's
      // problem, named with its table; the COPY path gets the same from targetError.
      if (isSqliteError(err)) throw sourceReadError(o.source.name, err, { stage: "copy", table: plan.name });
      throw err;
    }
    return;
  }
  const copySql =
    `COPY ${quoteQualified(o.pgSchema, plan.pgName)} (${plan.columns.map((c) => quoteIdent(c.pgName)).join(", ")}) ` +
    `FROM STDIN${o.freeze ? " WITH (FREEZE)" : ""}`;
  try {
    // Read ahead two chunks (~512 KB), not Readable.from's default 16: enough to keep COPY fed, less memory held.
    await pipeline(Readable.from(chunks, { highWaterMark: 2 }), o.client.query(copyFrom(copySql)));
  } catch (err) {
    if (err instanceof Sqlite2pgError) throw err;
    throw targetError("copy", `COPY into "${plan.name}" failed`, err, plan.name);
  }
}
