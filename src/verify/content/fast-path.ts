/**
 * The fast path of verification, for the common case where the copy is exact: one sha256 per side over COPY text.
 * SQLite's rows go through the copy's own encoders, which spell every value exactly as PostgreSQL prints it
 * (src/copy/pg-text.ts for floats, decimals and jsonb); PostgreSQL's side is the raw byte stream of
 * `COPY (SELECT …) TO STDOUT`, hashed as it arrives, never split into rows or values. Both sides run at once:
 * PostgreSQL's backend formats while Node encodes.
 *
 * Equal digests and row counts mean byte-identical COPY text, hence identical values. Anything else (a real
 * difference, a value spelled differently, a value the copy would refuse) says "not equal", and compare-table.ts
 * runs the canonical merge, which names every differing row. So this path can only ever say "identical" when
 * the two databases hold the same rows.
 */
import { createHash } from "node:crypto";
import { hashChunk } from "../../copy/checksum.js";
import { setImmediate as yieldToEventLoop } from "node:timers/promises";
import { to as copyTo } from "pg-copy-streams";
import { ValueError } from "../../values/copy-text.js";
import { bigCellSlices, type LinePart } from "../../copy/big-cells.js";
import type { PgClient } from "../../db/pg-client.js";
import { canDigestCopyOut, digestCopyOut } from "../../db/copy-out-digest.js";
import type { SqliteDb } from "../../db/sqlite-source.js";

export interface FastPathResult {
  readonly equal: boolean;
  readonly rows: number;
  readonly checksum: string;
}

/** Hash about this much SQLite-side text at a time, then let PostgreSQL's stream be read. */
const CHUNK_CHARS = 256 * 1024;

/** sha256 and row count of a COPY TO STDOUT stream (one "\n" per row: text format escapes newlines in values). */
export async function hashCopyOut(client: PgClient, sql: string): Promise<{ checksum: string; rows: number }> {
  // node-postgres: the frames parsed off the socket (db/copy-out-digest.ts); PGlite's adapter: its stream.
  if (canDigestCopyOut(client)) return digestCopyOut(client, sql);
  const hash = createHash("sha256");
  let rows = 0;
  const stream = client.query(copyTo(sql, { highWaterMark: 1 << 20 }));
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    hash.update(chunk);
    for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) rows++;
  }
  return { checksum: hash.digest("hex"), rows };
}

export async function checksumsEqual(options: {
  readonly source: SqliteDb;
  readonly client: PgClient;
  readonly sqliteSql: string;
  readonly pgSql: string;
  /** The copy's own row encoder for this table (table-encoder.ts tableRowEncoder). */
  readonly encode: (row: readonly unknown[]) => string;
  /** A row with a big cell as parts (table-encoder.ts tableBigCellLine), hashed slice by slice; null: `encode`. */
  readonly bigLine?: (row: readonly unknown[]) => LinePart[] | null;
  readonly adjust?: (values: unknown[]) => unknown[] | null;
}): Promise<FastPathResult> {
  const { encode } = options;
  // PostgreSQL streams while SQLite is read below; the COPY must always be drained to the end.
  const target = hashCopyOut(options.client, options.pgSql);
  target.catch(() => undefined); // awaited below; avoid an unhandled rejection while SQLite is read

  const hash = createHash("sha256");
  let rows = 0;
  let encodable = true;
  const it = options.source.prepare(options.sqliteSql).raw(true).iterate() as IterableIterator<unknown[]>;
  try {
    let chunk = "";
    for (const raw of it) {
      const values = options.adjust ? options.adjust(raw) : raw;
      if (values === null) continue;
      try {
        const parts = options.bigLine?.(values) ?? null;
        if (parts === null) chunk += encode(values);
        else {
          for (const part of parts) {
            if (typeof part === "string") chunk += part;
            else {
              hashChunk(hash, chunk);
              chunk = "";
              for (const slice of bigCellSlices(part.kind, part.value)) hash.update(slice);
            }
          }
        }
      } catch (err) {
        if (!(err instanceof ValueError)) throw err;
        encodable = false; // a value the copy would refuse: the full merge reports it
        break;
      }
      rows++;
      if (chunk.length >= CHUNK_CHARS) {
        hashChunk(hash, chunk);
        chunk = "";
        await yieldToEventLoop();
      }
    }
    hashChunk(hash, chunk);
  } finally {
    it.return?.();
  }
  const pg = await target;
  const checksum = hash.digest("hex");
  return { equal: encodable && pg.rows === rows && pg.checksum === checksum, rows, checksum };
}
