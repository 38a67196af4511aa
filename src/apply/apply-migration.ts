/**
 * Stage 6 (apply + copy) entry point: the parallel build (parallel-apply.ts) when more than one job is asked for and the
 * migration allows it, otherwise everything in one transaction on one connection (apply.ts). Both leave the
 * target schema unchanged unless everything succeeded. A migration with more objects than one transaction can
 * lock is built in steps and swapped in (staged-apply.ts), which keeps that promise too.
 */
import type { PgClient } from "../db/pg-client.js";
import { Sqlite2pgError } from "../core/errors.js";
import { applyAndCopy, type ApplyOptions, type ApplyResult } from "./apply.js";
import { applyInParallel, planParallel, type ParallelPlan } from "./parallel-apply.js";
import { applyStaged } from "./staged-apply.js";
import type { LockPlan } from "./target-check.js";

export interface ApplyMigrationOptions extends ApplyOptions {
  /** Tables copied at once; 1 = the one-transaction path. */
  readonly jobs: number;
  /** Opens one more connection to the target; absent (the embedded target has one connection): one job. */
  readonly connect?: () => Promise<PgClient>;
  /** From target-check.ts planLocks; absent = one transaction holds everything. */
  readonly locks?: LockPlan;
}

const coversTables = (parallel: ParallelPlan | null, options: ApplyMigrationOptions): parallel is ParallelPlan =>
  parallel !== null && parallel.createTable.size === options.tables.length && options.tables.every((t) => parallel.createTable.has(t.pgName));

export async function applyMigration(options: ApplyMigrationOptions): Promise<ApplyResult> {
  const { connect, locks } = options;
  if (locks && !locks.oneTransaction) {
    const parallel = planParallel(options.plan.preData, options.plan.postData, true);
    // A statement naming the target schema would write into it directly, not into staging.
    if (!connect || !coversTables(parallel, options) || options.plan.namesTargetSchema) {
      throw new Sqlite2pgError(
        `the migration would lock about ${locks.needed} objects in one transaction, more than this server's lock table holds (${locks.capacity}), and its statements cannot be built table by table in a staging schema`,
        { code: "TARGET_LOCK_CAPACITY", kind: "target", stage: "apply", hint: "nothing was changed. Raise max_locks_per_transaction (ALTER SYSTEM SET max_locks_per_transaction = …; then restart PostgreSQL) and run again" },
      );
    }
    return applyStaged({ ...options, connect, jobs: Math.max(1, options.jobs) }, parallel, locks);
  }
  if (options.jobs > 1 && connect && options.tables.length > 1) {
    const parallel = planParallel(options.plan.preData, options.plan.postData);
    if (coversTables(parallel, options)) {
      const result = await applyInParallel({ ...options, connect }, parallel);
      if (result) return result;
    } else {
      options.emit({ type: "info", message: "[apply] the migration creates types or extensions shared by its tables: copying one table at a time in one transaction" });
    }
  }
  return applyAndCopy(options);
}
