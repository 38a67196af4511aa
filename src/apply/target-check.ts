/**
 * Refuse to touch a target that already holds any table the migration would create (or a Prisma migration
 * history): we never merge into, or overwrite, somebody else's data.
 */
import { PRISMA_MIGRATIONS_TABLE } from "../core/prisma-migrations.js";
import { Sqlite2pgError } from "../core/errors.js";
import type { PgClient } from "../db/pg-client.js";
import type { CreatedObjects } from "../plan/created-objects.js";
import { inspectTargetSchema, type TargetSchemaState } from "./schema-swap.js";


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

/**
 * Every name the migration creates (plan/created-objects.ts) that the target schema already uses, by kind:
 * checked before the copy, so a taken index or sequence name does not fail the run after all the rows are in.
 */
export async function assertNamesFree(client: PgClient, schema: string, objects: CreatedObjects): Promise<void> {
  const { rows } = await client.query<{ name: string; kind: string }>(
    `SELECT c.relname AS name, CASE c.relkind WHEN 'i' THEN 'index' WHEN 'I' THEN 'index' WHEN 'S' THEN 'sequence' WHEN 'v' THEN 'view'
              WHEN 'm' THEN 'materialized view' WHEN 'f' THEN 'foreign table' ELSE 'table' END AS kind
       FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND c.relname = ANY($2::text[])
     UNION ALL
     SELECT t.typname, 'type' FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
      WHERE n.nspname = $1 AND t.typname = ANY($3::text[])
     ORDER BY 1`,
    [schema, [...objects.relations], [...objects.types]],
  );
  if (rows.length === 0) return;
  throw new Sqlite2pgError(
    `the target schema "${schema}" already has ${rows.length} object(s) whose names this migration needs: ${rows.map((r) => `${r.kind} ${r.name}`).join(", ")}`,
    {
      code: "TARGET_NOT_EMPTY",
      kind: "target",
      stage: "apply",
      hint: "nothing was changed. Migrate into an empty database (createdb <new-name>) or another schema (?schema=<name> in the URL), or drop or rename those objects if they are disposable",
      details: { objects: rows },
    },
  );
}

/** How the migration's locks are held: all in one transaction, or (too many for that) staged-apply.ts. */
export type LockPlan =
  | { readonly oneTransaction: true }
  | { readonly oneTransaction: false; readonly locksPerTransaction: number; readonly needed: number; readonly capacity: number; readonly target: TargetSchemaState };

/**
 * The migration runs in one transaction (the parallel path: its final move), which holds a lock on every
 * relation it creates until COMMIT. PostgreSQL's lock table is shared and sized max_locks_per_transaction ×
 * (max_connections + max_prepared_transactions) (https://www.postgresql.org/docs/current/runtime-config-locks.html):
 * a file with thousands of tables would fail with "out of shared memory" after the whole copy. Counted before.
 * Each table may also get a TOAST table and its index, locked with it: two more per table.
 *
 * When it does not fit, the build is staged over many transactions and swapped in (staged-apply.ts), which
 * needs the target schema empty or absent (schema-swap.ts); otherwise the run is refused here, before the copy.
 */
export async function planLocks(client: PgClient, schema: string, objects: CreatedObjects, tables: number): Promise<LockPlan> {
  const { rows } = await client.query<{ name: string; setting: string }>(
    "SELECT name, setting FROM pg_catalog.pg_settings WHERE name IN ('max_locks_per_transaction', 'max_connections', 'max_prepared_transactions')",
  );
  const setting = (name: string): number => Number(rows.find((r) => r.name === name)?.setting ?? 0);
  const perTransaction = setting("max_locks_per_transaction");
  const slots = setting("max_connections") + setting("max_prepared_transactions");
  const capacity = perTransaction * slots;
  const needed = objects.relations.length + objects.types.length + 2 * tables;
  // Measured here: a 2000-table file (8000 relations created, ~10000 objects with TOAST) fails at 6400, while the
  // lock table's own slack lets a transaction of somewhat more than capacity through. Half the capacity is the
  // limit for one transaction: other sessions share the table.
  if (capacity === 0 || needed <= capacity / 2) return { oneTransaction: true };
  const target = await inspectTargetSchema(client, schema);
  if (!target.obstacle) return { oneTransaction: false, locksPerTransaction: perTransaction, needed, capacity, target };
  const suggested = Math.ceil((needed * 2.5) / Math.max(1, slots) / 64) * 64;
  throw new Sqlite2pgError(
    `the migration creates ${objects.relations.length} tables, indexes and sequences, which would lock about ${needed} objects in one transaction: more than this server's lock table holds (max_locks_per_transaction ${perTransaction} × ${slots} connection slots = ${capacity}), and it cannot be built in steps and swapped in because ${target.obstacle}`,
    {
      code: "TARGET_LOCK_CAPACITY",
      kind: "target",
      stage: "apply",
      hint: `nothing was changed. Migrate into an empty schema (?schema=<new> in the URL) or a new database, or raise the limit and restart PostgreSQL (as for pg_restore of many tables): ALTER SYSTEM SET max_locks_per_transaction = ${suggested}; then e.g. pg_ctl restart, and run again`,
    },
  );
}
