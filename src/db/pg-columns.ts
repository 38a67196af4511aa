/**
 * The columns of one table as PostgreSQL created them (https://www.postgresql.org/docs/current/catalog-pg-attribute.html):
 * the type name, the declared numeric scale, and whether the type is collatable. The copy spells values in the
 * exact form PostgreSQL prints them, which depends on these (numeric(p,s) prints s fraction digits; json keeps its
 * text, jsonb does not); verification needs the same facts.
 */
import type { PgClient } from "./pg-client.js";
import { quoteQualified } from "../core/quote.js";

export interface PgColumn {
  readonly typname: string;
  /** numeric(p,s): s; undefined for an unconstrained numeric and every other type. */
  readonly scale?: number;
  readonly collatable: boolean;
}

/** Column name → facts, or null when the table does not exist. */
export async function readTargetColumns(client: PgClient, pgSchema: string, table: string): Promise<Map<string, PgColumn> | null> {
  const { rows } = await client.query<{ attname: string; typname: string; typmod: number; collatable: boolean }>(
    `SELECT a.attname, t.typname, a.atttypmod AS typmod, a.attcollation <> 0 AS collatable
       FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
      WHERE a.attrelid = pg_catalog.to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped`,
    [quoteQualified(pgSchema, table)],
  );
  if (rows.length === 0) return null;
  return new Map(
    rows.map((r) => [
      r.attname,
      {
        typname: r.typname,
        // numeric's typmod is ((precision << 16) | scale) + VARHDRSZ (src/backend/utils/adt/numeric.c).
        scale: r.typname === "numeric" && r.typmod >= 4 ? (r.typmod - 4) & 0xffff : undefined,
        collatable: r.collatable,
      },
    ]),
  );
}

/**
 * `expr` ordered and compared by its bytes, as SQLite's BINARY: `COLLATE "C"` on text
 * (https://www.postgresql.org/docs/current/collation.html). A citext column is cast to text first: citext
 * compares lower() of its values under any collation (https://www.postgresql.org/docs/current/citext.html),
 * so `'B' < 'a'` in bytes but not in citext.
 */
export function byteOrdered(expr: string, column: { readonly typname: string; readonly collatable: boolean } | undefined): string {
  if (column?.typname === "citext") return `${expr}::text COLLATE "C"`;
  return column?.collatable ? `${expr} COLLATE "C"` : expr;
}
