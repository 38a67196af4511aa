/**
 * Stage 5 — verify (row counts). Each table's row count in the SQLite snapshot is compared with PostgreSQL's.
 */
import type { PgClient } from "../db/pg-target.js";
import { quoteIdent, quoteQualified } from "../db/quote.js";
import type { SqliteDb } from "../db/sqlite-source.js";

export interface CountCheck {
  readonly table: string;
  readonly sourceRows: number;
  readonly targetRows: number;
  readonly ok: boolean;
}

export async function compareCounts(
  source: SqliteDb,
  client: PgClient,
  pgSchema: string,
  tables: readonly string[],
): Promise<CountCheck[]> {
  const checks: CountCheck[] = [];
  for (const table of tables) {
    const sourceRows = Number((source.prepare(`SELECT count(*) AS n FROM ${quoteIdent(table)}`).get() as { n: bigint }).n);
    const { rows } = await client.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${quoteQualified(pgSchema, table)}`);
    const targetRows = Number(rows[0].n);
    checks.push({ table, sourceRows, targetRows, ok: sourceRows === targetRows });
  }
  return checks;
}
