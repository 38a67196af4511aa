/**
 * After a pass: each autoincrement sequence moved past every id ever used — the largest id in the table, the
 * id SQLite's AUTOINCREMENT handed out last (sqlite_sequence, https://sqlite.org/autoinc.html, read from the
 * snapshot now) and the sequence's own last value: it never moves back, so an id PostgreSQL handed out once is
 * never handed out again.
 *
 * `ALTER SEQUENCE … RESTART`, not setval(): setval is never rolled back
 * (https://www.postgresql.org/docs/current/functions-sequence.html), so a pass killed before its commit would
 * leave the sequence moved; ALTER SEQUENCE is transactional (measured on PostgreSQL 15: RESTART rolled back
 * with its transaction), so a killed pass leaves PostgreSQL exactly as it was.
 */
import type { TablePlan } from "../convert/convert.js";
import { quoteIdent, quoteQualified } from "../core/quote.js";
import type { PgClient } from "../db/pg-client.js";

export async function advanceSequence(client: PgClient, pgSchema: string, plan: TablePlan, sqliteSequence: bigint | null): Promise<bigint | null> {
  if (!plan.serialColumn) return null;
  const serial = plan.columns.find((c) => c.name === plan.serialColumn)?.pgName ?? plan.serialColumn;
  const table = quoteQualified(pgSchema, plan.pgName);
  const { rows: seqs } = await client.query<{ schema: string; name: string }>(
    `SELECT n.nspname AS schema, c.relname AS name FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
      WHERE c.oid = pg_catalog.pg_get_serial_sequence($1, $2)::regclass`,
    [table, serial],
  );
  if (seqs.length === 0) return null;
  const seq = quoteQualified(seqs[0].schema, seqs[0].name);
  const { rows } = await client.query<{ used: string | null; max: string | null }>(
    `SELECT (SELECT CASE WHEN is_called THEN last_value ELSE last_value - 1 END FROM ${seq})::text AS used, (SELECT max(${quoteIdent(serial)}) FROM ${table})::text AS max`,
  );
  const candidates = [rows[0].max, sqliteSequence?.toString() ?? null].filter((v): v is string => v !== null).map(BigInt);
  const used = rows[0].used === null ? 0n : BigInt(rows[0].used);
  const last = candidates.reduce((a, b) => (b > a ? b : a), used);
  if (last > used) {
    // DDL takes no bind parameters; the value is a bigint computed here, spelled by BigInt, never text from outside.
    await client.query(`ALTER SEQUENCE ${seq} RESTART WITH ${(last + 1n).toString()}`);
  }
  return last >= 1n ? last : null;
}
