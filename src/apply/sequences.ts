/**
 * After the copy, move each autoincrement (SERIAL) sequence past every id in use. For AUTOINCREMENT tables
 * SQLite never reuses an id, even a deleted one (https://sqlite.org/autoinc.html): sqlite_sequence.seq is
 * honoured as a floor. An empty table without history leaves the sequence to start at 1.
 */
import type { TablePlan } from "../convert/convert.js";
import type { PgClient } from "../db/pg-client.js";
import { quoteIdent, quoteQualified } from "../core/quote.js";

export async function resetSequence(client: PgClient, schema: string, table: TablePlan): Promise<bigint | null> {
  if (!table.serialColumn) return null;
  const serial = table.columns.find((c) => c.name === table.serialColumn)?.pgName ?? table.serialColumn;
  const col = quoteIdent(serial);
  const { rows } = await client.query<{ max: string | null }>(
    `SELECT max(${col})::text AS max FROM ${quoteQualified(schema, table.pgName)}`,
  );
  const maxId = rows[0]?.max === null || rows[0]?.max === undefined ? null : BigInt(rows[0].max);
  const floor = table.sequenceFloor;
  const last = maxId === null ? floor : floor === null || maxId > floor ? maxId : floor;
  if (last === null || last < 1n) return null;
  await client.query("SELECT setval(pg_get_serial_sequence($1, $2), $3::bigint, true)", [
    quoteQualified(schema, table.pgName),
    serial,
    last.toString(),
  ]);
  return last;
}
