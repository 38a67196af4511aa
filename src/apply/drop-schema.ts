/**
 * Drop a staging schema (ours: sqlite2pg_load_*) whatever it holds. `DROP SCHEMA … CASCADE` locks every relation
 * in it until COMMIT, so a schema with thousands of tables fails with "out of shared memory" (the lock table is
 * sized max_locks_per_transaction × connection slots: https://www.postgresql.org/docs/current/runtime-config-locks.html)
 * and, while it fills the table, other sessions' transactions may fail too. A schema with more relations than
 * one transaction's share is emptied in steps of a few tables per transaction first.
 */
import type { PgClient } from "../db/pg-client.js";
import { quoteIdent } from "../core/quote.js";
import { onInterrupt } from "../core/interrupt.js";

/** Locks one transaction of ours may take: max_locks_per_transaction, each session's average share. */
export async function locksPerTransaction(client: PgClient): Promise<number> {
  const { rows } = await client.query<{ n: number }>("SELECT current_setting('max_locks_per_transaction')::int AS n");
  return rows[0]?.n ?? 64;
}

export async function dropSchemaInSteps(client: PgClient, schema: string): Promise<void> {
  const budget = await locksPerTransaction(client);
  // A table brings its TOAST table and index, its indexes, its sequences, and (CASCADE) the tables whose
  // foreign keys point at it: ~8 locks is a generous estimate.
  const perStep = Math.max(1, Math.floor(budget / 8));
  const kinds: Record<string, string> = { r: "TABLE", p: "TABLE", f: "FOREIGN TABLE", v: "VIEW", m: "MATERIALIZED VIEW" };
  for (;;) {
    const { rows } = await client.query<{ relname: string; relkind: string; total: number }>(
      `SELECT c.relname, c.relkind::text AS relkind, count(*) OVER ()::int AS total
         FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = $1 AND c.relkind IN ('r', 'p', 'v', 'm', 'f') ORDER BY c.relkind DESC, c.relname LIMIT $2`,
      [schema, perStep],
    );
    if (rows.length === 0 || rows[0].total <= perStep) break;
    for (const kind of new Set(rows.map((r) => r.relkind))) {
      const names = rows.filter((r) => r.relkind === kind).map((r) => `${quoteIdent(schema)}.${quoteIdent(r.relname)}`);
      await client.query(`DROP ${kinds[kind]} IF EXISTS ${names.join(", ")} CASCADE`);
    }
  }
  await client.query(`DROP SCHEMA IF EXISTS ${quoteIdent(schema)} CASCADE`);
}

/**
 * Ctrl-C during a staged build: end our sessions (the server rolls back what they had not committed, releasing
 * their locks), then drop the staging schema from a fresh session, so the target is left exactly as it was.
 * Returns the function that removes the handler once the staging schema is in place or dropped.
 */
export function dropStagingOnInterrupt(sessions: () => readonly PgClient[], connect: () => Promise<PgClient>, staging: string): () => void {
  return onInterrupt(async () => {
    await Promise.all(sessions().map((w) => w.end().catch(() => undefined)));
    const fresh = await connect();
    try {
      await dropSchemaInSteps(fresh, staging);
    } finally {
      await fresh.end().catch(() => undefined);
    }
  });
}

/**
 * Runs a build in `staging` with its cleanup: Ctrl-C drops the staging schema (dropStagingOnInterrupt); a
 * failure rolls back and drops it; at the end the workers' sessions are closed and the staging schema's
 * advisory lock (which marks it as a live run's) is released. `workers` is filled by the build.
 */
export async function inStaging<T>(
  client: PgClient,
  connect: () => Promise<PgClient>,
  staging: string,
  build: (workers: PgClient[]) => Promise<T>,
): Promise<T> {
  const workers: PgClient[] = [];
  const forget = dropStagingOnInterrupt(() => [...workers, client], connect, staging);
  try {
    return await build(workers);
  } catch (err) {
    await client.query("ROLLBACK").catch(() => undefined);
    await dropSchemaInSteps(client, staging).catch(() => undefined);
    throw err;
  } finally {
    forget();
    await Promise.all(workers.map((w) => w.end().catch(() => undefined)));
    await client.query("SELECT pg_advisory_unlock(hashtext($1))", [staging]).catch(() => undefined);
  }
}
