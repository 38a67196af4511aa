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

export interface TargetTable {
  /** Column name → kind. */
  readonly targets: ReadonlyMap<string, TargetColumn>;
  /**
   * The primary key's columns in key order (PostgreSQL names), empty when the table has none — e.g. when SQLite's
   * key held NULLs and the migration created the table without one (https://www.postgresql.org/docs/current/catalog-pg-index.html).
   */
  readonly primaryKey: readonly string[];
}

/**
 * Every table's columns and primary key in one catalog query (one round trip for the whole check, not two per
 * table); a table that does not exist is absent from the result.
 */
export async function readTargetTables(client: PgClient, pgSchema: string, tables: readonly string[]): Promise<Map<string, TargetTable>> {
  const { rows } = await client.query<{ i: number; attname: string; typname: string; typtype: string; collatable: boolean; pk: number | null }>(
    `SELECT t.i::int AS i, a.attname, coalesce(b.typname, ty.typname)::text AS typname, coalesce(b.typtype, ty.typtype)::text AS typtype,
            a.attcollation <> 0 AS collatable, array_position(x.indkey::int2[], a.attnum)::int AS pk
       FROM unnest($1::text[]) WITH ORDINALITY AS t(name, i)
       JOIN pg_attribute a ON a.attrelid = to_regclass(t.name) AND a.attnum > 0 AND NOT a.attisdropped
       JOIN pg_type ty ON ty.oid = a.atttypid
       LEFT JOIN pg_type b ON ty.typtype = 'd' AND b.oid = ty.typbasetype
       LEFT JOIN pg_index x ON x.indrelid = a.attrelid AND x.indisprimary
      ORDER BY t.i, a.attnum`,
    [tables.map((t) => quoteQualified(pgSchema, t))],
  );
  const found = new Map<string, { targets: Map<string, TargetColumn>; key: { attname: string; pk: number }[] }>();
  for (const r of rows) {
    const table = tables[r.i - 1];
    let entry = found.get(table);
    if (entry === undefined) found.set(table, (entry = { targets: new Map(), key: [] }));
    entry.targets.set(r.attname, { kind: targetKindOf(r.typname, r.typtype), typname: r.typname, collatable: r.collatable === true || (r.collatable as unknown) === "t" });
    if (r.pk !== null) entry.key.push({ attname: r.attname, pk: r.pk });
  }
  return new Map([...found].map(([table, e]) => [table, { targets: e.targets, primaryKey: e.key.sort((x, y) => x.pk - y.pk).map((k) => k.attname) }]));
}
