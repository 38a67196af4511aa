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

/**
 * Tables counted per query: one round trip for several tables (each count a scalar subquery in a column of its own,
 * so the mapping does not depend on row order). The statement holds a lock on each table and on each of its
 * indexes (the planner opens them) until it ends: few enough for PostgreSQL's smallest lock tables
 * (max_locks_per_transaction × max_connections, shared by every session; test/integration/many-tables.test.ts
 * runs with 100).
 */
const TABLES_PER_QUERY = 8;

export async function compareCounts(
  client: PgClient,
  pgSchema: string,
  tables: readonly { readonly name: string; readonly pgName: string; readonly rowCount: number }[],
  leftOut: ReadonlyMap<string, number> = new Map(),
): Promise<CountCheck[]> {
  const checks: CountCheck[] = [];
  for (let at = 0; at < tables.length; at += TABLES_PER_QUERY) {
    const batch = tables.slice(at, at + TABLES_PER_QUERY);
    const counts = batch.map((t, i) => `(SELECT count(*) FROM ${quoteQualified(pgSchema, t.pgName)})::text AS c${i}`);
    const { rows } = await client.query<Record<string, string>>(`SELECT ${counts.join(", ")}`);
    batch.forEach(({ name: table, rowCount: sourceRows }, i) => {
      const targetRows = Number(rows[0][`c${i}`]);
      const omitted = leftOut.get(table) ?? 0;
      checks.push({ table, sourceRows, leftOut: omitted, targetRows, ok: sourceRows - omitted === targetRows });
    });
  }
  return checks;
}
