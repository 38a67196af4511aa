/**
 * A normalized description of one PostgreSQL schema, read from the system catalogs (see catalog-sql.ts), so
 * that two databases can be compared object by object (catalog-diff.ts). Neutral readonly data: no oids, no
 * positions, no current sequence values, names without the schema qualifier.
 */
import type { PgClient } from "../../db/pg-client.js";
import { quoteIdent } from "../../core/quote.js";
import {
  COLUMNS_SQL,
  CONSTRAINTS_SQL,
  ENUMS_SQL,
  FUNCTIONS_SQL,
  INDEXES_SQL,
  RELATIONS_SQL,
  SEQUENCES_SQL,
  TRIGGERS_SQL,
} from "./catalog-sql.js";

/** Prisma's migration history table: created by `migrate`/`migrate deploy`, never by a migration.sql. */
export { PRISMA_MIGRATIONS_TABLE as MIGRATIONS_TABLE } from "../../core/prisma-migrations.js";
import { PRISMA_MIGRATIONS_TABLE as MIGRATIONS_TABLE } from "../../core/prisma-migrations.js";

export interface ColumnFacts {
  readonly type: string;
  readonly notNull: boolean;
  /** Default expression (pg_get_expr), or null. */
  readonly default: string | null;
  /** "" none, "a" GENERATED ALWAYS AS IDENTITY, "d" BY DEFAULT (pg_attribute.attidentity). */
  readonly identity: string;
  /** Generation expression of a generated column, or null. */
  readonly generated: string | null;
  /** Collation when it differs from the type's default, or null. */
  readonly collation: string | null;
}

export interface TableFacts {
  /** "table", "partitioned table" or "foreign table". */
  readonly kind: string;
  readonly unlogged: boolean;
  readonly columns: ReadonlyMap<string, ColumnFacts>;
  /** Constraint name → pg_get_constraintdef. */
  readonly constraints: ReadonlyMap<string, string>;
}

export interface SequenceFacts {
  readonly type: string;
  readonly start: string;
  readonly increment: string;
  readonly min: string;
  readonly max: string;
  readonly cache: string;
  readonly cycle: boolean;
  /** "table.column" owning the sequence (serial / identity), or null. */
  readonly ownedBy: string | null;
}

export interface SchemaCatalog {
  readonly tables: ReadonlyMap<string, TableFacts>;
  /** View name → kind ("view" / "materialized view") and pg_get_viewdef. */
  readonly views: ReadonlyMap<string, { readonly kind: string; readonly definition: string }>;
  /** Index name → its table and pg_get_indexdef (schema qualifier removed). */
  readonly indexes: ReadonlyMap<string, { readonly table: string; readonly definition: string }>;
  readonly sequences: ReadonlyMap<string, SequenceFacts>;
  /** "table.trigger" → pg_get_triggerdef. */
  readonly triggers: ReadonlyMap<string, string>;
  /** Enum name → its labels, quoted, in order. */
  readonly enums: ReadonlyMap<string, string>;
  /** Signature (regprocedure) → pg_get_functiondef. */
  readonly functions: ReadonlyMap<string, string>;
  /** Whether `_prisma_migrations` exists there (it is otherwise left out of the description). */
  readonly hasMigrationsTable: boolean;
}

const RELATION_KINDS: Readonly<Record<string, string>> = {
  r: "table",
  p: "partitioned table",
  f: "foreign table",
  v: "view",
  m: "materialized view",
};

/** Rows of a catalog query; `requalify` rewrites the values a deparser printed (never the names). */
async function rows<T>(client: PgClient, sql: string, schema: string, requalify?: (text: string) => string): Promise<T[]> {
  const found = (await client.query(sql, [schema])).rows as Record<string, unknown>[];
  if (!requalify) return found as T[];
  return found.map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, k !== "name" && k !== "table" && typeof v === "string" ? requalify(v) : v]))) as T[];
}

/**
 * A shadow schema described as if it had the target schema's name. The deparsers qualify a name of the schema
 * where the implicit pg_catalog hides it (a table named pg_type: `REFERENCES <schema>.pg_type(id)`); the target
 * then prints its own schema's name there, the shadow its own. The shadow's name is made at check time
 * (`sqlite2pg_shadow_<pid>_<random>`), so no text of the migration can hold it: replacing `<shadow>.` with
 * `<target>.`, both spelled by quote_ident as the deparsers spell them, rewrites only those qualifiers.
 */
async function requalifier(client: PgClient, schema: string, asSchema: string): Promise<((text: string) => string) | undefined> {
  if (schema === asSchema) return undefined;
  const { rows: spelled } = await client.query<{ from: string; to: string }>("SELECT quote_ident($1) AS from, quote_ident($2) AS to", [schema, asSchema]);
  const from = `${spelled[0].from}.`;
  const to = `${spelled[0].to}.`;
  return (text) => (text.includes(from) ? text.split(from).join(to) : text);
}

function byName<T extends { name: string }, V>(list: readonly T[], value: (row: T) => V): Map<string, V> {
  return new Map([...list].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)).map((r) => [r.name, value(r)]));
}

/**
 * Describe `schema` (as if named `asSchema`: a shadow schema, see requalifier). Must run inside a transaction:
 * search_path is set to the schema for that transaction only (set_config(…, true)), so that the deparsed
 * definitions name the schema's own objects without a qualifier and two schemas of different names describe alike.
 */
export async function readSchemaCatalog(client: PgClient, schema: string, asSchema = schema): Promise<SchemaCatalog> {
  await client.query("SELECT set_config('search_path', $1, true)", [quoteIdent(schema)]);
  const fix = await requalifier(client, schema, asSchema);
  const relations = await rows<{ name: string; kind: string; persistence: string; definition: string | null }>(client, RELATIONS_SQL, schema, fix);
  const columns = await rows<{ table: string; name: string; type: string; notNull: boolean; identity: string; generated: string; expression: string | null; collation: string | null }>(
    client,
    COLUMNS_SQL,
    schema,
    fix,
  );
  const constraints = await rows<{ table: string; name: string; definition: string }>(client, CONSTRAINTS_SQL, schema, fix);
  const indexes = await rows<{ name: string; table: string; definition: string }>(client, INDEXES_SQL, schema, fix);
  const sequences = await rows<SequenceFacts & { name: string }>(client, SEQUENCES_SQL, schema, fix);
  const triggers = await rows<{ table: string; name: string; definition: string }>(client, TRIGGERS_SQL, schema, fix);
  const enums = await rows<{ name: string; labels: string }>(client, ENUMS_SQL, schema, fix);
  const functions = await rows<{ name: string; definition: string }>(client, FUNCTIONS_SQL, schema, fix);

  const kept = (table: string) => table !== MIGRATIONS_TABLE;
  const tableRows = relations.filter((r) => ["r", "p", "f"].includes(r.kind) && kept(r.name));
  const tables = byName(tableRows, (r) => ({
    kind: RELATION_KINDS[r.kind] ?? r.kind,
    unlogged: r.persistence === "u",
    columns: byName(
      columns.filter((c) => c.table === r.name),
      (c): ColumnFacts => ({
        type: c.type,
        notNull: c.notNull,
        default: c.generated === "" ? c.expression : null,
        identity: c.identity,
        generated: c.generated === "" ? null : c.expression,
        collation: c.collation,
      }),
    ),
    constraints: byName(
      constraints.filter((k) => k.table === r.name),
      (k) => k.definition,
    ),
  }));
  return {
    tables,
    views: byName(
      relations.filter((r) => r.kind === "v" || r.kind === "m"),
      (r) => ({ kind: RELATION_KINDS[r.kind], definition: r.definition ?? "" }),
    ),
    indexes: byName(
      indexes.filter((i) => kept(i.table)),
      (i) => ({ table: i.table, definition: i.definition }),
    ),
    sequences: byName(sequences, ({ name: _name, ...facts }) => facts),
    triggers: byName(
      triggers.filter((t) => kept(t.table)).map((t) => ({ ...t, name: `${t.table}.${t.name}` })),
      (t) => t.definition,
    ),
    enums: byName(enums, (e) => e.labels),
    functions: byName(functions, (f) => f.definition),
    hasMigrationsTable: relations.some((r) => r.name === MIGRATIONS_TABLE && r.kind === "r"),
  };
}
