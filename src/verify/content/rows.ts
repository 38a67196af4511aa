/**
 * Row streams for verification: both sides yield rows of canonical values, in batches, ordered by the same key.
 * SQLite rows come from a better-sqlite3 iterator (synchronous, one row at a time); PostgreSQL rows from
 * `COPY (SELECT …) TO STDOUT` in text format through pg-copy-streams, so neither side is ever held in memory and
 * PostgreSQL keeps producing rows while SQLite's are canonicalized.
 */
import { StringDecoder } from "node:string_decoder";
import { to as copyTo } from "pg-copy-streams";
import type { PgClient } from "../../db/pg-client.js";
import type { SqliteDb } from "../../db/sqlite-source.js";
import { makeSourceCanonicalizer, makeTargetCanonicalizer, unescapeCopyText, type Canonical, type CanonicalColumn } from "./canonical.js";

export type Row = Canonical[];

/** A source of row batches; `close` releases it early (after an error). */
export interface RowBatches {
  next(): Promise<Row[] | null>;
  close(): Promise<void>;
}

const SQLITE_BATCH = 512;

/**
 * `adjust` sees each raw row first: it returns null to leave the row out (rows the copy deliberately left out)
 * or the row as the copy wrote it (orphan references nulled).
 */
export function sqliteRows(
  db: SqliteDb,
  sql: string,
  columns: readonly CanonicalColumn[],
  adjust?: (values: unknown[]) => unknown[] | null,
): RowBatches {
  const canon = columns.map(makeSourceCanonicalizer);
  const n = canon.length;
  const it = db.prepare(sql).raw(true).iterate() as IterableIterator<unknown[]>;
  let done = false;
  return {
    async next() {
      if (done) return null;
      const batch: Row[] = [];
      while (batch.length < SQLITE_BATCH) {
        const r = it.next();
        if (r.done) {
          done = true;
          break;
        }
        const values = adjust ? adjust(r.value) : r.value;
        if (values === null) continue;
        const row: Row = new Array(n);
        for (let i = 0; i < n; i++) row[i] = canon[i](values[i]);
        batch.push(row);
      }
      return batch.length > 0 ? batch : null;
    },
    async close() {
      // An open iterator keeps the connection busy (https://github.com/WiseLibs/better-sqlite3/blob/master/docs/api.md#iteratebindparameters--iterator).
      if (!done) it.return?.();
      done = true;
    },
  };
}

export function postgresRows(client: PgClient, copySql: string, columns: readonly CanonicalColumn[]): RowBatches {
  const canon = columns.map(makeTargetCanonicalizer);
  const n = canon.length;
  // A larger buffer lets PostgreSQL keep sending while a batch of SQLite rows is canonicalized.
  const stream = client.query(copyTo(copySql, { highWaterMark: 1 << 20 }));
  const chunks = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const decoder = new StringDecoder("utf8");
  let rest = "";
  let done = false;

  function parseLine(line: string): Row {
    const fields = line.split("\t");
    if (fields.length !== n) throw new Error(`COPY returned ${fields.length} fields, expected ${n}`);
    const row: Row = new Array(n);
    // NULL is written as \N (a literal backslash-N in data is escaped as \\N).
    for (let i = 0; i < n; i++) row[i] = fields[i] === "\\N" ? null : canon[i](unescapeCopyText(fields[i]));
    return row;
  }

  return {
    async next() {
      while (!done) {
        const r = await chunks.next();
        if (r.done) {
          done = true;
          break;
        }
        // Newlines inside values are escaped as \n, so every raw newline ends a row.
        const text = rest + decoder.write(r.value);
        const lines = text.split("\n");
        rest = lines.pop() ?? "";
        if (lines.length > 0) return lines.map(parseLine);
      }
      const tail = rest + decoder.end();
      rest = "";
      return tail === "" ? null : [parseLine(tail)];
    },
    async close() {
      if (done) return;
      done = true;
      // Read the COPY to its end so the connection is usable (and can roll back) afterwards.
      try {
        for (;;) if ((await chunks.next()).done) break;
      } catch {
        /* the connection's error surfaces to the caller */
      }
    },
  };
}

/** Pull-based cursor over row batches with synchronous access to the current row. */
export class RowCursor {
  private batch: Row[] = [];
  private pos = 0;
  private ended = false;

  constructor(private readonly source: RowBatches) {}

  /** True when `head()` may be stale: call `fill()` first. */
  get needsFill(): boolean {
    return this.pos >= this.batch.length && !this.ended;
  }

  async fill(): Promise<void> {
    while (this.pos >= this.batch.length && !this.ended) {
      const b = await this.source.next();
      if (b === null) this.ended = true;
      else {
        this.batch = b;
        this.pos = 0;
      }
    }
  }

  head(): Row | undefined {
    return this.batch[this.pos];
  }

  shift(): Row {
    return this.batch[this.pos++];
  }

  close(): Promise<void> {
    return this.source.close();
  }
}
