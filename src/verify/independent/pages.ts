/** SQLite and PostgreSQL rows in key order, a page or a cursor batch at a time (the independent check's two sides). */
import type { PgClient } from "../../db/pg-client.js";
import { quoteIdent } from "../../core/quote.js";
import type { SqliteDb } from "../../db/sqlite-source.js";
import { type Batches } from "./pairing.js";

import { FETCH, type PgRow, type SqliteRow } from "./row-types.js";

/** Cursor names, unique within the process. */
let cursorSeq = 0;

/**
 * SQLite rows in order, a page at a time: each page starts after the last key of the one before (a seek on the
 * key's index, or on the rowid), so no statement stays open between pages and the exact bytes of a value can be
 * read in between. Without a key or a rowid (never: a WITHOUT ROWID table has a key) everything is one page.
 */
export function sqlitePages(
  db: SqliteDb,
  from: string,
  seekCols: readonly string[],
  order: string,
  rawKey: (raw: readonly unknown[]) => unknown[],
  convert: (raw: unknown[]) => SqliteRow | null,
): Batches<SqliteRow> {
  const first = db.prepare(`${from}${order}${seekCols.length > 0 ? ` LIMIT ${FETCH}` : ""}`).safeIntegers(true).raw(true);
  const next =
    seekCols.length > 0
      ? db.prepare(`${from} WHERE (${seekCols.join(", ")}) > (${seekCols.map(() => "?").join(", ")})${order} LIMIT ${FETCH}`).safeIntegers(true).raw(true)
      : null;
  let last: unknown[] | null = null;
  let done = false;
  return async () => {
    while (!done) {
      const raws = (last === null ? first.all() : next!.all(...last)) as unknown[][];
      if (raws.length < FETCH || next === null) done = true;
      if (raws.length === 0) return null;
      const key = rawKey(raws[raws.length - 1]);
      // A key SQLite hands back lossily (invalid UTF-8 in a text key) could seek to the same page again: stop.
      if (last !== null && key.length === last.length && key.every((k, i) => k === last![i])) done = true;
      last = key;
      const rows = raws.map(convert).filter((r): r is SqliteRow => r !== null);
      if (rows.length > 0) return rows;
    }
    return null;
  };
}

/**
 * PostgreSQL rows in order, in batches, through a cursor of the verify transaction
 * (https://www.postgresql.org/docs/current/sql-declare.html), so a large table is never held in memory.
 */
export async function pgStream(client: PgClient, sql: string, convert: (r: Record<string, string | null>) => PgRow): Promise<Batches<PgRow>> {
  const name = quoteIdent(`sqlite2pg_independent_${++cursorSeq}`);
  await client.query(`DECLARE ${name} NO SCROLL CURSOR FOR ${sql}`);
  let open = true;
  return async () => {
    if (!open) return null;
    const { rows } = await client.query<Record<string, string | null>>(`FETCH FORWARD ${FETCH} FROM ${name}`);
    if (rows.length === 0) {
      open = false;
      await client.query(`CLOSE ${name}`);
      return null;
    }
    return rows.map(convert);
  };
}
