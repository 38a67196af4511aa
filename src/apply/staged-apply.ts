/**
 * Stage 6 for migrations that create more objects than one transaction can lock (target-check.ts planLocks):
 * thousands of tables, each with its indexes, sequence and TOAST table. The one-transaction promise — an
 * interrupted or failed run leaves the target unchanged — is kept by building everything in a private staging
 * schema over many short transactions and making it the target at the end in one transaction that locks O(1)
 * objects (schema-swap.ts: drop the empty target schema, rename the staging schema, restore owner/ACL/comment).
 *
 *   1. the shared pre-data (enum types, extensions) in staging, one transaction;
 *   2. each table in its own transaction: CREATE TABLE, COPY FREEZE, its keys and indexes (parallel-apply.ts
 *      copyAll, over `jobs` connections);
 *   3. foreign keys, views and the other extra SQL in staging, a few statements per transaction;
 *   4. sequences reset in staging;
 *   5. one transaction: the baseline record, the swap, COMMIT.
 *
 * Until step 5 commits the target schema is untouched; a failure drops the staging schema (in steps:
 * drop-schema.ts), an interrupt drops it too, and after a crash the next run drops it (its advisory lock is free).
 */
import { markCommitted } from "../core/interrupt.js";
import type { PgClient } from "../db/pg-client.js";
import { migrationSearchPath } from "../core/quote.js";
import { Sqlite2pgError } from "../core/errors.js";
import { timedStage } from "../core/events.js";
import { BASELINE_NAME } from "../plan/plan.js";
import { recordBaseline } from "./baseline.js";
import { inStaging } from "./drop-schema.js";
import { copyAll, createStaging, dropAbandonedStaging, type ParallelApplyOptions, type ParallelPlan } from "./parallel-apply.js";
import { runStatements, withoutDroppedForeignKeys, type ApplyResult } from "./apply.js";
import { resetSequence } from "./sequences.js";
import { swapSchema, type TargetSchemaState } from "./schema-swap.js";

export interface StagedLocks {
  /** max_locks_per_transaction: what one of our transactions may lock. */
  readonly locksPerTransaction: number;
  readonly target: TargetSchemaState;
}

/** `durable` false: a step inside staging, which a crash makes worthless anyway (see copyOne in parallel-apply.ts). */
async function inTransaction(client: PgClient, schema: string, run: () => Promise<void>, durable = false): Promise<void> {
  await client.query("BEGIN");
  try {
    await client.query("SELECT set_config('search_path', $1, true)", [migrationSearchPath(schema)]);
    if (!durable) await client.query("SELECT set_config('synchronous_commit', 'off', true)");
    await run();
    await client.query("COMMIT");
  } catch (err) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw err;
  }
}

export async function applyStaged(options: ParallelApplyOptions, parallel: ParallelPlan, locks: StagedLocks): Promise<ApplyResult> {
  const { client, emit } = options;
  const t0 = performance.now();
  const dropped = await dropAbandonedStaging(client);
  if (dropped.length > 0) emit({ type: "info", message: `[apply] dropped ${dropped.length} staging schema(s) left by an interrupted run: ${dropped.join(", ")}` });
  const staging = await createStaging(client);
  if (staging === null) {
    throw new Sqlite2pgError("this role may not create the staging schema a migration of this size needs (CREATE on the database)", {
      code: "TARGET_LOCK_CAPACITY",
      kind: "target",
      stage: "apply",
      hint: "nothing was changed. GRANT CREATE ON DATABASE <db> TO <role>, or raise max_locks_per_transaction",
    });
  }
  emit({
    type: "info",
    message: `[apply] more objects than one transaction can lock (max_locks_per_transaction ${locks.locksPerTransaction}): building in schema ${staging} over many transactions, then renaming it to ${options.pgSchema} in one; until then ${options.pgSchema} is unchanged`,
  });
  return inStaging(client, options.connect, staging, async (workers) => {
    if (parallel.shared.length > 0) await inTransaction(client, staging, () => runStatements(client, parallel.shared));
    const t1 = performance.now();
    const copied = await timedStage(emit, "copy", `copying rows and building indexes, ${options.jobs} ${options.jobs === 1 ? "table" : "tables"} at a time, one transaction each`, () =>
      copyAll(options, parallel, staging, workers),
    );
    const t2 = performance.now();
    options.onRowsSent?.();
    await timedStage(emit, "post-data", "building foreign keys and the extra SQL, a few per transaction", async () => {
      // A foreign key locks its two tables and the referenced key's index; a view each table it reads.
      const perStep = Math.max(1, Math.floor(locks.locksPerTransaction / 4));
      const statements = withoutDroppedForeignKeys(parallel.finalStatements, options);
      for (let i = 0; i < statements.length; i += perStep) {
        await inTransaction(client, staging, () => runStatements(client, statements.slice(i, i + perStep)));
      }
    });
    await timedStage(emit, "sequences", "resetting sequences", async () => {
      for (const plan of options.tables) await resetSequence(client, staging, plan);
    });
    await timedStage(emit, "post-data", `making ${staging} the schema ${options.pgSchema}`, () =>
      inTransaction(client, staging, async () => {
        await recordBaseline(client, BASELINE_NAME, options.plan.checksum);
        await swapSchema(client, staging, options.pgSchema, locks.target);
      }, true),
    );
    markCommitted("the migration (schema, every row, the baseline)");
    return { copied, timings: { preDataMs: t1 - t0, dataMs: t2 - t1, postDataMs: performance.now() - t2 } };
  });
}
