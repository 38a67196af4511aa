/**
 * Columns declared `COLLATE NOCASE` (https://sqlite.org/datatype3.html#collating_sequences): SQLite compares
 * them case-insensitively in `=`, UNIQUE, ORDER BY and GROUP BY. On PostgreSQL the `citext` extension's type
 * does the same (https://www.postgresql.org/docs/current/citext.html), declared in the schema with `@db.Citext`
 * and the `postgresqlExtensions` preview feature (https://www.prisma.io/docs/orm/prisma-schema/postgresql-extensions).
 * Pure: which columns become citext, and why the others cannot.
 *
 * Both sides of a foreign key need one type in PostgreSQL (and in Prisma's relation check), so a NOCASE column
 * joined by a foreign key to a column that is not NOCASE stays text (the lower() index then keeps its uniqueness).
 */
import type { SqliteCatalog } from "../core/catalog.js";
import { parseCreateTable } from "./sql/index.js";
import { familyOf } from "./type-map.js";

/** Whether the target can hold citext columns: checked on the target before converting (apply/extensions.ts). */
export type CitextSupport = { readonly available: true } | { readonly available: false; readonly reason: string };

export interface NocasePlan {
  /** `table\0column` (SQLite names) of the columns that become `@db.Citext`. */
  readonly citext: ReadonlySet<string>;
  /** `table\0column` → why a NOCASE text column stays case-sensitive text. */
  readonly kept: ReadonlyMap<string, string>;
}

export const columnKey = (table: string, column: string): string => `${table}\0${column}`;

const TEXT_FAMILIES = new Set(["text", "varchar", "char"]);

/** The columns declared COLLATE NOCASE whose declared type is text (not every NOCASE column holds text). */
function declaredNocase(catalog: SqliteCatalog): Set<string> {
  const out = new Set<string>();
  for (const table of catalog.tables) {
    let parsed;
    try {
      parsed = parseCreateTable(table.sql);
    } catch {
      continue; // extras reports the unparsable CREATE TABLE
    }
    for (const col of parsed.columns) {
      if (col.collation !== "NOCASE") continue;
      const column = table.columns.find((c) => c.name.toLowerCase() === col.name.toLowerCase());
      if (column && column.hidden === 0 && TEXT_FAMILIES.has(familyOf(column.declaredType))) out.add(columnKey(table.name, column.name));
    }
  }
  return out;
}

export function planNocase(catalog: SqliteCatalog, support: CitextSupport): NocasePlan {
  const candidates = declaredNocase(catalog);
  const kept = new Map<string, string>();
  if (!support.available) {
    for (const key of candidates) kept.set(key, support.reason);
    return { citext: new Set(), kept };
  }
  // Foreign-key edges between columns (SQLite names; `null` = the parent's primary key, resolved here).
  const edges: [string, string, string][] = [];
  for (const table of catalog.tables) {
    for (const fk of table.foreignKeys) {
      const parent = catalog.tables.find((t) => t.name === fk.table);
      const pk = parent?.columns.filter((c) => c.pkOrder > 0).sort((a, b) => a.pkOrder - b.pkOrder).map((c) => c.name) ?? [];
      fk.from.forEach((from, i) => {
        const to = fk.to[i] ?? pk[i];
        if (to === undefined) return;
        edges.push([columnKey(table.name, from), columnKey(fk.table, to), `foreign key ${table.name}(${fk.from.join(", ")}) → ${fk.table}(${fk.to.map((c, j) => c ?? pk[j]).join(", ")})`]);
      });
    }
  }
  // A column leaves the set when a foreign key joins it to one outside; repeat until nothing changes.
  let changed = true;
  while (changed) {
    changed = false;
    for (const [a, b, what] of edges) {
      for (const [self, other] of [[a, b], [b, a]]) {
        if (candidates.has(self) && !candidates.has(other)) {
          candidates.delete(self);
          kept.set(self, `${what} joins it to a column PostgreSQL compares case-sensitively, and both sides of a foreign key need one type`);
          changed = true;
        }
      }
    }
  }
  return { citext: candidates, kept };
}
