/**
 * Stage 4b — copy one table: stream its rows out of SQLite and into `COPY … FROM STDIN` (text format,
 * https://www.postgresql.org/docs/current/sql-copy.html) through pg-copy-streams, with back-pressure, so memory
 * stays bounded whatever the table size. A value that cannot be converted exactly aborts the COPY (CopyFail,
 * so the server discards it) and is reported with its table, column and row key.
 */
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { from as copyFrom } from "pg-copy-streams";
import type { TablePlan } from "../convert/convert.js";
import type { SqliteDb, SqliteTable } from "../db/sqlite-source.js";
import type { PgClient } from "../db/pg-target.js";
import { targetError } from "../db/pg-target.js";
import { quoteIdent, quoteQualified } from "../db/quote.js";
import { Sqlite2pgError } from "../errors.js";
import type { EventListener } from "../pipeline/events.js";
import { makeRowEncoder, ValueError } from "./encode.js";

/** Flush encoded rows to the socket in chunks of about this many characters. */
const CHUNK_CHARS = 256 * 1024;
const PROGRESS_EVERY = 50_000;

export interface CopyTableOptions {
  readonly source: SqliteDb;
  readonly client: PgClient;
  readonly pgSchema: string;
  readonly plan: TablePlan;
  readonly table: SqliteTable;
  /** The table was created in the current transaction: COPY FREEZE skips later hint-bit writes. */
  readonly freeze: boolean;
  readonly emit: EventListener;
}

export async function copyTable(options: CopyTableOptions): Promise<number> {
  const { plan, table, emit } = options;
  const columns = plan.columns;
  const started = performance.now();
  emit({ type: "table-start", table: plan.name, totalRows: plan.rowCount });
  if (columns.length === 0) {
    emit({ type: "table-end", table: plan.name, rows: 0, ms: 0 });
    return 0;
  }
  const encode = makeRowEncoder(
    columns.map((c) => c.kind),
    columns.map((c) => (c.epochUnit ? { epochUnit: c.epochUnit } : undefined)),
  );
  const keyIndexes = keyColumnIndexes(table, columns.map((c) => c.name));
  const select = options.source
    .prepare(`SELECT ${columns.map((c) => quoteIdent(c.name)).join(", ")} FROM ${quoteIdent(plan.name)}`)
    .raw(true);
  const copySql =
    `COPY ${quoteQualified(options.pgSchema, plan.name)} (${columns.map((c) => quoteIdent(c.name)).join(", ")}) ` +
    `FROM STDIN${options.freeze ? " WITH (FREEZE)" : ""}`;

  let rows = 0;
  async function* chunks(): AsyncGenerator<string> {
    let chunk = "";
    for (const row of select.iterate() as IterableIterator<unknown[]>) {
      try {
        chunk += encode(row);
      } catch (err) {
        throw conversionError(err, plan.name, columns[(err as ValueError).columnIndex]?.name, row, keyIndexes, rows);
      }
      rows++;
      if (chunk.length >= CHUNK_CHARS) {
        yield chunk;
        chunk = "";
        if (rows % PROGRESS_EVERY < 1000) emit({ type: "table-progress", table: plan.name, rows, totalRows: plan.rowCount });
      }
    }
    if (chunk !== "") yield chunk;
  }

  const stream = options.client.query(copyFrom(copySql));
  try {
    await pipeline(Readable.from(chunks()), stream);
  } catch (err) {
    if (err instanceof Sqlite2pgError) throw err;
    throw targetError("copy", `COPY into "${plan.name}" failed`, err, plan.name);
  }
  const ms = performance.now() - started;
  emit({ type: "table-end", table: plan.name, rows, ms });
  return rows;
}

/** Positions of the primary-key columns in the selected row (to name a failing row by its key). */
function keyColumnIndexes(table: SqliteTable, selected: readonly string[]): number[] {
  return table.columns
    .filter((c) => c.pkOrder > 0)
    .sort((a, b) => a.pkOrder - b.pkOrder)
    .map((c) => selected.indexOf(c.name))
    .filter((i) => i >= 0);
}

function describeKey(row: readonly unknown[], keyIndexes: readonly number[], ordinal: number): string {
  if (keyIndexes.length === 0) return `#${ordinal + 1} (no primary key)`;
  return keyIndexes.map((i) => String(row[i])).join(", ");
}

function conversionError(
  err: unknown,
  table: string,
  column: string | undefined,
  row: readonly unknown[],
  keyIndexes: readonly number[],
  ordinal: number,
): Sqlite2pgError {
  if (!(err instanceof ValueError)) return new Sqlite2pgError(String(err), { code: "INTERNAL", kind: "internal", stage: "copy", cause: err });
  const key = describeKey(row, keyIndexes, ordinal);
  return new Sqlite2pgError(`cannot convert the value of ${table}.${column} in row ${key}: ${err.message}`, {
    code: "VALUE_CONVERSION",
    kind: "data",
    stage: "copy",
    object: { table, column, row: key },
    hint: "fix the value in SQLite, or override the column type with --type table.column=String",
    cause: err,
  });
}
