/** What `sync` needs to know about one table on both sides before it reads a range. */
import { createHash } from "node:crypto";
import type { TablePlan } from "../convert/convert.js";
import type { SqliteTable } from "../core/catalog.js";
import { Sqlite2pgError } from "../core/errors.js";
import { quoteIdent, quoteQualified } from "../core/quote.js";
import { readTargetColumns, type PgColumn } from "../db/pg-columns.js";
import type { PgClient } from "../db/pg-client.js";
import type { SqliteDb } from "../db/sqlite-source.js";
import type { TextFallback } from "../copy/text-fallback.js";
import { rangeKey, type KeyColumn } from "./keys.js";

export interface TableContext {
  readonly source: SqliteDb;
  readonly client: PgClient;
  readonly pgSchema: string;
  readonly plan: TablePlan;
  readonly table: SqliteTable;
  readonly pgColumns: ReadonlyMap<string, PgColumn>;
  /** PostgreSQL's type of each column (format_type), for the key casts of DELETE. */
  readonly pgTypes: ReadonlyMap<string, string>;
  /** The range key; null: the range is the whole table. */
  readonly keys: readonly KeyColumn[] | null;
  readonly decodeFallback?: TextFallback;
}

/** A COPY line's identity for comparing lines (sha1: collisions are not a concern between a row and its own update). */
export const hashLine = (line: Buffer): string => createHash("sha1").update(line).digest("base64");

/** The columns of the plan in PostgreSQL, quoted, in COPY order. */
export function copyColumns(plan: TablePlan): string {
  return plan.columns.map((c) => quoteIdent(c.pgName)).join(", ");
}

/** The positions of the primary-key columns among the plan's columns, or null when the table has no key. */
export function keyIndexesOf(plan: TablePlan): number[] | null {
  const idx = plan.keyColumns.map((k) => plan.columns.findIndex((c) => c.name === k));
  return idx.length > 0 && idx.every((i) => i >= 0) ? idx : null;
}

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
