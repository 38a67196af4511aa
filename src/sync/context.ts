/** What `sync` needs to know about one table on both sides before it reads a range. */
import type { TablePlan } from "../convert/convert.js";
import type { SqliteTable } from "../core/catalog.js";
import { Sqlite2pgError } from "../core/errors.js";
import { quoteQualified } from "../core/quote.js";
import { readTargetColumns } from "../db/pg-columns.js";
import type { PgClient } from "../db/pg-client.js";
import type { SqliteDb } from "../db/sqlite-source.js";
import type { TextFallback } from "../copy/text-fallback.js";
import { rangeKey } from "./keys.js";
import type { TableContext } from "./table-diff.js";

export async function tableContext(
  client: PgClient,
  source: SqliteDb,
  pgSchema: string,
  plan: TablePlan,
  table: SqliteTable,
  decodeFallback: TextFallback | undefined,
): Promise<TableContext> {
  const pgColumns = await readTargetColumns(client, pgSchema, plan.pgName);
  if (pgColumns === null) {
    throw new Sqlite2pgError(`table "${plan.pgName}" is missing from PostgreSQL schema "${pgSchema}"`, {
      code: "SYNC_TARGET_SCHEMA",
      kind: "target",
      stage: "sync",
      object: { table: plan.name },
      hint: "the migrated schema was changed in PostgreSQL; sync needs the tables migrate created",
    });
  }
  const { rows } = await client.query<{ attname: string; type: string }>(
    `SELECT a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod) AS type FROM pg_catalog.pg_attribute a
      WHERE a.attrelid = pg_catalog.to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped`,
    [quoteQualified(pgSchema, plan.pgName)],
  );
  return {
    source,
    client,
    pgSchema,
    plan,
    table,
    pgColumns,
    pgTypes: new Map(rows.map((r) => [r.attname, r.type])),
    keys: rangeKey(plan, pgColumns),
    ...(decodeFallback ? { decodeFallback } : {}),
  };
}
