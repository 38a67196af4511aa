/**
 * Stage 4 entry point: the parallel build (parallel-apply.ts) when more than one job is asked for and the
 * migration allows it, otherwise everything in one transaction on one connection (apply.ts). Both leave the
 * target schema unchanged unless everything succeeded.
 */
import type { PgClient } from "../db/pg-client.js";
import { applyAndCopy, type ApplyOptions, type ApplyResult } from "./apply.js";
import { applyInParallel, planParallel } from "./parallel-apply.js";

export interface ApplyMigrationOptions extends ApplyOptions {
  /** Tables copied at once; 1 = the one-transaction path. */
  readonly jobs: number;
  /** Opens one more connection to the target; absent (the embedded target has one connection): one job. */
  readonly connect?: () => Promise<PgClient>;
}

export async function applyMigration(options: ApplyMigrationOptions): Promise<ApplyResult> {
  const { connect } = options;
  if (options.jobs > 1 && connect && options.tables.length > 1) {
    const parallel = planParallel(options.plan.preData, options.plan.postData);
    const sameTables =
      parallel !== null &&
      parallel.createTable.size === options.tables.length &&
      options.tables.every((t) => parallel.createTable.has(t.pgName));
    if (parallel && sameTables) {
      const result = await applyInParallel({ ...options, connect }, parallel);
      if (result) return result;
    } else {
      options.emit({ type: "info", message: "[apply] the migration creates types or extensions shared by its tables: copying one table at a time in one transaction" });
    }
  }
  return applyAndCopy(options);
}
