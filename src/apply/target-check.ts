/**
 * Refuse to touch a target that already holds any table the migration would create (or a Prisma migration
 * history): we never merge into, or overwrite, somebody else's data.
 */
import { Sqlite2pgError } from "../errors.js";
import type { PgClient } from "../db/pg-target.js";

export const PRISMA_MIGRATIONS_TABLE = "_prisma_migrations";

export async function findConflictingTables(
  client: PgClient,
  schema: string,
  tables: readonly string[],
): Promise<string[]> {
  const { rows } = await client.query<{ relname: string }>(
    `SELECT c.relname FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND c.relkind IN ('r', 'p', 'v', 'm', 'f') AND c.relname = ANY($2::text[])
      ORDER BY c.relname`,
    [schema, [...tables, PRISMA_MIGRATIONS_TABLE]],
  );
  return rows.map((r) => r.relname);
}

export async function assertTargetEmpty(client: PgClient, schema: string, tables: readonly string[]): Promise<void> {
  const conflicts = await findConflictingTables(client, schema, tables);
  if (conflicts.length === 0) return;
  throw new Sqlite2pgError(
    `the target schema "${schema}" already has ${conflicts.length} table(s) this migration would create: ${conflicts.join(", ")}`,
    {
      code: "TARGET_NOT_EMPTY",
      kind: "target",
      stage: "apply",
      hint: "nothing was changed. Migrate into an empty database (createdb <new-name>) or another schema (?schema=<name> in the URL), or drop those tables if they are disposable",
      details: { tables: conflicts },
    },
  );
}
