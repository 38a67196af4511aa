/**
 * After a pass: each autoincrement sequence moved past every id ever used — the largest id in the table, the
 * id SQLite's AUTOINCREMENT handed out last (sqlite_sequence, https://sqlite.org/autoinc.html, read from the
 * snapshot now) and the sequence's own last value (pg_sequence_last_value): it never moves back, so an id
 * PostgreSQL handed out once is never handed out again.
 */
import type { TablePlan } from "../convert/convert.js";
import { quoteIdent, quoteQualified } from "../core/quote.js";
import type { PgClient } from "../db/pg-client.js";

export async function advanceSequence(client: PgClient, pgSchema: string, plan: TablePlan, sqliteSequence: bigint | null): Promise<bigint | null> {
  if (!plan.serialColumn) return null;
  const serial = plan.columns.find((c) => c.name === plan.serialColumn)?.pgName ?? plan.serialColumn;
  const table = quoteQualified(pgSchema, plan.pgName);
  const { rows } = await client.query<{ last: string | null }>(
    `WITH s AS (SELECT pg_catalog.pg_get_serial_sequence($1, $2)::regclass AS seq),
          v AS (SELECT seq, GREATEST(pg_catalog.pg_sequence_last_value(seq), (SELECT max(${quoteIdent(serial)}) FROM ${table})::bigint, $3::bigint) AS last FROM s)
     SELECT (CASE WHEN last >= 1 THEN pg_catalog.setval(seq, last, true) END)::text AS last FROM v`,
    [table, serial, sqliteSequence === null ? null : sqliteSequence.toString()],
  );
  const last = rows[0]?.last;
  return last === null || last === undefined ? null : BigInt(last);
}
