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
import { setImmediate as yieldToEventLoop } from "node:timers/promises";
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
  return (await openTableCopy(o)).run(o.client);
}

/**
 * A table's copy, opened (its target columns read, its encoder ready) but not yet sent. `readAhead()` encodes its
 * next chunk into memory, for the caller to spend time it would otherwise wait on PostgreSQL (apply.ts: while the
 * table before it is sent); `run()` then sends the chunks read ahead first and goes on from there.
 */
export interface TableCopy {
  readonly plan: TablePlan;
  /** Encode one more chunk ahead; false when there is nothing more to do (table read, cap reached, or an error kept for run()). */
  readAhead(capBytes: number): boolean;
  /** Send every chunk through `client`'s COPY (null: only scan, to list problems); `whileBehind` is called while PostgreSQL is behind. */
  run(client: PgClient | null, whileBehind?: () => boolean): Promise<TableCopyResult>;
}

export async function openTableCopy(o: CopyTableOptions): Promise<TableCopy> {
  const { plan, emit } = o;
  let running = false;
  const input: EncodeTableInput = {
    plan,
    table: o.table,
    // The target's types decide the exact spelling of numeric and json values (src/copy/pg-text.ts).
    pgColumns: o.client === null || plan.columns.length === 0 ? null : await readTargetColumns(o.client, o.pgSchema, plan.pgName),
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
    // Rows read ahead are reported once the table's own turn has come (its table-start first).
    progress: (rows) => {
      if (running) emit({ type: "table-progress", table: plan.name, rows, totalRows: plan.rowCount });
    },
  };
  const summary: CopyTally = emptyTally();
  const chunks = plan.columns.length === 0 ? null : encodeTable(o.source, input, sinks, summary);
  const ahead: Buffer[] = [];
  let aheadBytes = 0;
  let exhausted = chunks === null;
  let failure: { readonly error: unknown } | null = null;

  function* fromAhead(): Generator<Buffer> {
    while (ahead.length > 0) yield ahead.shift()!;
    if (failure !== null) throw failure.error;
    if (!exhausted && chunks !== null) yield* chunks;
  }

  return {
    plan,
    readAhead(capBytes) {
      if (exhausted || failure !== null || running || aheadBytes >= capBytes) return false;
      try {
        const next = chunks!.next();
        if (next.done) exhausted = true;
        else {
          ahead.push(next.value);
          aheadBytes += next.value.length;
        }
      } catch (error) {
        // The table's own run reports it, where it would have without the read-ahead.
        failure = { error };
      }
      return !exhausted && failure === null && aheadBytes < capBytes;
    },
    async run(client, whileBehind) {
      running = true;
      const started = performance.now();
      emit({ type: "table-start", table: plan.name, totalRows: plan.rowCount });
      if (chunks !== null) await send(o, client, fromAhead(), whileBehind);
      await Promise.all(pending);
      const ms = performance.now() - started;
      emit({ type: "table-end", table: plan.name, rows: summary.rows, ms });
      return { ...summary, table: plan.name, ms };
    },
  };
}

/**
 * Stream the chunks into COPY (or, scanning only, just drain them), with back-pressure: a chunk is written when the
 * socket has taken the one before. While it has not (PostgreSQL is behind), `whileBehind` is called between turns
 * of the event loop until it returns false or the socket drains.
 */
async function send(o: CopyTableOptions, client: PgClient | null, chunks: Iterable<Buffer>, whileBehind?: () => boolean): Promise<void> {
  const { plan } = o;
  if (client === null) {
    try {
      for (const _ of chunks) void _;
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
  const stream = client.query(copyFrom(copySql));
  // Listened to from the start: pg-copy-streams emits a server or connection error as an 'error' event without
  // destroying the stream, so a listener added later (stream/promises finished) would never hear of it.
  let failed = false;
  const done = new Promise<void>((resolve, reject) => {
    stream.on("finish", resolve);
    stream.on("error", (error: unknown) => {
      failed = true;
      reject(error);
    });
  });
  done.catch(() => undefined); // awaited below
  try {
    for (const chunk of chunks) {
      if (failed) break;
      if (!stream.write(chunk)) await drained(stream, () => failed, whileBehind);
    }
    if (!failed) stream.end();
    await done;
  } catch (err) {
    // The stream's own error, or one reading SQLite: then the COPY is aborted (pg-copy-streams sends CopyFail and
    // settles on PostgreSQL's answer) and the read error is the one reported.
    if (!failed) {
      stream.destroy(err instanceof Error ? err : new Error(String(err)));
      await done.catch(() => undefined);
    }
    if (err instanceof Sqlite2pgError) throw err;
    throw targetError("copy", `COPY into "${plan.name}" failed`, err, plan.name);
  }
}

/** Until `stream` drains or fails, calling `whileBehind` once per turn of the event loop while it returns true. */
async function drained(stream: NodeJS.EventEmitter, failed: () => boolean, whileBehind?: () => boolean): Promise<void> {
  // Failed already (its error came while SQLite was read): no drain will come.
  if (failed()) return;
  let done = false;
  const wait = new Promise<void>((resolve) => {
    const end = (): void => {
      done = true;
      stream.off("drain", end);
      stream.off("error", end);
      stream.off("close", end);
      resolve();
    };
    stream.on("drain", end);
    stream.on("error", end);
    stream.on("close", end);
  });
  if (whileBehind !== undefined) {
    // setImmediate runs after the poll phase's I/O callbacks, so a drain that is already due is seen before any
    // more work is done ahead.
    while (!done && (await yieldToEventLoop(), !done) && whileBehind());
  }
  await wait;
}
