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
import type { PgViewColumn } from "../convert/view-blocks.js";
import { openTargetTransaction } from "./apply.js";

export interface ViewCheck {
  /** Statement → PostgreSQL's error, for each view PostgreSQL refuses after the baseline's DDL. */
  readonly refused: Map<string, string>;
  /**
   * PostgreSQL view name → its columns as PostgreSQL's catalog types them, for each view it created: what the
   * schema's view blocks are typed from (convert/view-blocks.ts), computed columns included.
   */
  readonly columns: Map<string, PgViewColumn[]>;
}

/** Each view tried after the baseline's DDL (rolled back): which PostgreSQL refuses, and the columns of the others. */
export async function checkViewStatements(
  client: PgClient,
  pgSchema: string,
  plan: SplitMigration,
  viewStatements: readonly { readonly pgName: string; readonly sql: string }[],
): Promise<ViewCheck> {
  const refused = new Map<string, string>();
  const columns = new Map<string, PgViewColumn[]>();
  if (viewStatements.length === 0) return { refused, columns };
  const views = new Map(viewStatements.map((v) => [v.sql.trim(), v.pgName]));
  await client.query("BEGIN");
  try {
    try {
      const preData = await openTargetTransaction(client, pgSchema, plan.preData);
      for (const { sql } of preData) await client.query(sql);
    } catch {
      // Not a view's doing: the real run meets the same error and reports it with its statement.
      return { refused, columns };
    }
    for (const { sql } of plan.postData) {
      const view = views.get(sql.trim());
      const isView = view !== undefined;
      await client.query("SAVEPOINT sqlite2pg_view_check");
      try {
        await client.query(sql);
        await client.query("RELEASE SAVEPOINT sqlite2pg_view_check");
        if (view !== undefined) columns.set(view, await viewColumns(client, pgSchema, view));
      } catch (err) {
        await client.query("ROLLBACK TO SAVEPOINT sqlite2pg_view_check");
        // Other post-data statements are checked by the real run, on the data; only views are decided here.
        if (isView) refused.set(sql.trim(), (err as Error).message);
      }
    }
  } finally {
    await client.query("ROLLBACK");
  }
  return { refused, columns };
}

/** The columns of a view in column order, typed by format_type (https://www.postgresql.org/docs/15/functions-info.html). */
async function viewColumns(client: PgClient, pgSchema: string, view: string): Promise<PgViewColumn[]> {
  const { rows } = await client.query<{ name: string; type: string; typtype: string }>(
    `SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type, t.typtype::text AS typtype
       FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_type t ON t.oid = a.atttypid
      WHERE n.nspname = $1 AND c.relname = $2 AND a.attnum > 0 AND NOT a.attisdropped
      ORDER BY a.attnum`,
    [pgSchema, view],
  );
  return rows.map((r) => ({ name: r.name, type: r.type, typtype: r.typtype }));
}
