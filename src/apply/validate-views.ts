/**
 * Every translated view tried on the target before any row is copied. The translation (convert/sql/translate.ts)
 * refuses what it knows PostgreSQL would reject, but only PostgreSQL's parser and type checker are the final word
 * (an operand behind a function, an implicit cast SQLite allows). Views are created for real after the data; a view
 * PostgreSQL refuses there would fail the migration after the whole copy. So the baseline is replayed here, on
 * empty tables, in a transaction that is rolled back: each post-data statement under a savepoint
 * (https://www.postgresql.org/docs/15/sql-savepoint.html), so one refused view does not hide the next, and views
 * over a refused view are refused too, as they would be.
 */
import type { PgClient } from "../db/pg-client.js";
import type { SplitMigration } from "../plan/split.js";
import { openTargetTransaction } from "./apply.js";

/** Statement → PostgreSQL's error, for each of `viewStatements` that PostgreSQL refuses after the baseline's DDL. */
export async function refusedViewStatements(
  client: PgClient,
  pgSchema: string,
  plan: SplitMigration,
  viewStatements: readonly string[],
): Promise<Map<string, string>> {
  const refused = new Map<string, string>();
  if (viewStatements.length === 0) return refused;
  const views = new Set(viewStatements.map((s) => s.trim()));
  await client.query("BEGIN");
  try {
    try {
      const preData = await openTargetTransaction(client, pgSchema, plan.preData);
      for (const { sql } of preData) await client.query(sql);
    } catch {
      // Not a view's doing: the real run meets the same error and reports it with its statement.
      return refused;
    }
    for (const { sql } of plan.postData) {
      const isView = views.has(sql.trim());
      await client.query("SAVEPOINT sqlite2pg_view_check");
      try {
        await client.query(sql);
        await client.query("RELEASE SAVEPOINT sqlite2pg_view_check");
      } catch (err) {
        await client.query("ROLLBACK TO SAVEPOINT sqlite2pg_view_check");
        // Other post-data statements are checked by the real run, on the data; only views are decided here.
        if (isView) refused.set(sql.trim(), (err as Error).message);
      }
    }
  } finally {
    await client.query("ROLLBACK");
  }
  return refused;
}
