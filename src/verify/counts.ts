/**
 * Stage 7 — verify (row counts). Each table's row count in the SQLite snapshot (counted once by readCatalog,
 * inside the snapshot's read transaction) is compared with PostgreSQL's, after accounting for rows deliberately
 * left out (rejected values, deleted orphans) — never silently.
 */
import type { PgClient } from "../db/pg-client.js";
import { quoteQualified } from "../core/quote.js";

export interface CountCheck {
  readonly table: string;
  readonly sourceRows: number;
  /** Rows deliberately not copied (rejects file, orphan policy "delete"). */
  readonly leftOut: number;
  readonly targetRows: number;
  readonly ok: boolean;
}

export async function compareCounts(
  client: PgClient,
  pgSchema: string,
  tables: readonly { readonly name: string; readonly pgName: string; readonly rowCount: number }[],
  leftOut: ReadonlyMap<string, number> = new Map(),
): Promise<CountCheck[]> {
  const checks: CountCheck[] = [];
  for (const { name: table, pgName, rowCount: sourceRows } of tables) {
    const { rows } = await client.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${quoteQualified(pgSchema, pgName)}`);
    const targetRows = Number(rows[0].n);
    const omitted = leftOut.get(table) ?? 0;
    checks.push({ table, sourceRows, leftOut: omitted, targetRows, ok: sourceRows - omitted === targetRows });
  }
  return checks;
}
