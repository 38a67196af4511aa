/**
 * The target kind of every column, read from PostgreSQL's catalog (pg_attribute, pg_type:
 * https://www.postgresql.org/docs/current/catalog-pg-attribute.html) — not from the migration plan, so a plan
 * that chose the wrong type is seen as PostgreSQL holds it. A domain counts as its base type.
 */
import type { PgClient } from "../../db/pg-client.js";
import { quoteQualified } from "../../core/quote.js";
import { targetKindOf, type TargetKind } from "./pg-decode.js";

export interface TargetColumn {
  readonly kind: TargetKind;
  /** pg_type.typname (of the base type for a domain), shown in difference messages. */
  readonly typname: string;
  /** Has a collation: `COLLATE "C"` applies (enums and non-text types have none). */
  readonly collatable: boolean;
}

/**
 * The primary key's columns in key order (PostgreSQL names), empty when the table has none — e.g. when SQLite's
 * key held NULLs and the migration created the table without one (https://www.postgresql.org/docs/current/catalog-pg-index.html).
 */
export async function readPrimaryKey(client: PgClient, pgSchema: string, table: string): Promise<string[]> {
  const { rows } = await client.query<{ attname: string }>(
    `SELECT a.attname
       FROM pg_index i
       JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey::int2[])
      WHERE i.indrelid = to_regclass($1) AND i.indisprimary
      ORDER BY array_position(i.indkey::int2[], a.attnum)`,
    [quoteQualified(pgSchema, table)],
  );
  return rows.map((r) => r.attname);
}

/** Column name → kind, or null when the table does not exist. */
export async function readTargetKinds(client: PgClient, pgSchema: string, table: string): Promise<Map<string, TargetColumn> | null> {
  const { rows } = await client.query<{ attname: string; typname: string; typtype: string; collatable: boolean }>(
    `SELECT a.attname, coalesce(b.typname, t.typname)::text AS typname, coalesce(b.typtype, t.typtype)::text AS typtype,
            a.attcollation <> 0 AS collatable
       FROM pg_attribute a
       JOIN pg_type t ON t.oid = a.atttypid
       LEFT JOIN pg_type b ON t.typtype = 'd' AND b.oid = t.typbasetype
      WHERE a.attrelid = to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped`,
    [quoteQualified(pgSchema, table)],
  );
  if (rows.length === 0) return null;
  return new Map(rows.map((r) => [r.attname, { kind: targetKindOf(r.typname, r.typtype), typname: r.typname, collatable: r.collatable === true || (r.collatable as unknown) === "t" }]));
}
