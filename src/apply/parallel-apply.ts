/**
 * Stage 6, parallel (`--jobs N`, N > 1): several tables are copied at once, over N connections, and each table's
 * indexes are built by its own connection right after its rows, while other tables are still copying.
 *
 * PostgreSQL has no transaction shared by several connections, so the one-transaction guarantee of apply.ts is
 * kept another way: everything is built in a private staging schema (`sqlite2pg_load_<random>`), one committed
 * transaction per table (CREATE TABLE, COPY … FREEZE into it, CREATE INDEX), and only the final transaction
 * touches the target schema: it moves every table there (`ALTER TABLE … SET SCHEMA`, which takes the table's
 * indexes, constraints and owned sequences along: https://www.postgresql.org/docs/current/sql-altertable.html),
 * adds the foreign keys and the extra SQL, resets the sequences, records the baseline and drops the staging
 * schema. Until that COMMIT the target schema is unchanged; after a failure the staging schema is dropped, and
 * after a crash (kill -9, lost server) the next run drops it: each run holds an advisory lock named after its
 * staging schema, so a staging schema whose lock is free belongs to a dead run.
 */
import { copyOrder } from "./copy-order.js";
import { isInterrupting, markCommitted } from "../core/interrupt.js";
import { randomBytes } from "node:crypto";
import type { TablePlan } from "../convert/convert.js";
import type { PgClient } from "../db/pg-client.js";
import { targetError } from "../db/pg-target.js";
import { migrationSearchPath, quoteIdent } from "../core/quote.js";
import { Sqlite2pgError } from "../core/errors.js";
import { dataProblemsError } from "../copy/problems.js";
import { ProblemCollector } from "../core/problems.js";
import { timedStage } from "../core/events.js";
import { BASELINE_NAME } from "../plan/plan.js";
import { recordBaseline } from "./baseline.js";
import { dropSchemaInSteps, inStaging } from "./drop-schema.js";
import { resetSequence } from "./sequences.js";
import type { PlannedStatement } from "../plan/statements.js";
import { copyPlannedTable, DATA_PROBLEMS_HINT, LZ4_TOAST, openTargetTransaction, runStatements, withoutDroppedForeignKeys, type ApplyOptions, type ApplyResult } from "./apply.js";
import type { TableCopyResult } from "../copy/copy-result.js";

export const STAGING_PREFIX = "sqlite2pg_load_";

export interface ParallelApplyOptions extends ApplyOptions {
  readonly jobs: number;
  /** Opens one more connection to the target (same URL and settings as `client`). */
  readonly connect: () => Promise<PgClient>;
}

export interface ParallelPlan {
  readonly createTable: ReadonlyMap<string, PlannedStatement>;
  /** Per table, its primary key and plain indexes, built right after its rows. */
  readonly indexes: ReadonlyMap<string, readonly PlannedStatement[]>;
  /** Statements for the final transaction, in the migration's order. */
  readonly finalStatements: readonly PlannedStatement[];
  /** Pre-data other than tables (enums, extensions): only with `allowShared` (staged-apply.ts runs them first). */
  readonly shared: readonly PlannedStatement[];
}

/**
 * Which statements run where, by their kind (plan/statements.ts); null when the migration holds pre-data a
 * table-by-table build cannot reproduce (enums, extensions and any other pre-data statement live in the schema they
 * are created in), and the one-transaction path must be used.
 */
export function planParallel(preData: readonly PlannedStatement[], postData: readonly PlannedStatement[], allowShared = false): ParallelPlan | null {
  const createTable = new Map<string, PlannedStatement>();
  const shared: PlannedStatement[] = [];
  for (const s of preData) {
    if (s.kind === "schema") continue;
    if (s.kind === "table") createTable.set(s.table, s);
    else if (allowShared) shared.push(s);
    else return null;
  }
  const indexes = new Map<string, PlannedStatement[]>();
  const finalStatements: PlannedStatement[] = [];
  for (const s of postData) {
    if ((s.kind === "index" || s.kind === "primaryKey") && createTable.has(s.table)) indexes.set(s.table, [...(indexes.get(s.table) ?? []), s]);
    else finalStatements.push(s);
  }
  return { createTable, indexes, finalStatements, shared };
}

/** Drop the staging schemas of runs that died (their advisory lock is free). */
export async function dropAbandonedStaging(client: PgClient): Promise<string[]> {
  const { rows } = await client.query<{ nspname: string }>(
    "SELECT nspname FROM pg_catalog.pg_namespace WHERE starts_with(nspname, $1) ORDER BY nspname",
    [STAGING_PREFIX],
  );
  const dropped: string[] = [];
  for (const { nspname } of rows) {
    const { rows: got } = await client.query<{ ok: boolean }>("SELECT pg_try_advisory_lock(hashtext($1)) AS ok", [nspname]);
    if (!got[0].ok) continue; // a live run
    try {
      await dropSchemaInSteps(client, nspname);
      dropped.push(nspname);
    } finally {
      await client.query("SELECT pg_advisory_unlock(hashtext($1))", [nspname]);
    }
  }
  return dropped;
}

/**
 * Create the staging schema, or return null when the role may not create schemas in this database (then the
 * one-transaction path runs, which needs no more than CREATE on the target schema).
 */
export async function createStaging(client: PgClient): Promise<string | null> {
  const name = `${STAGING_PREFIX}${randomBytes(6).toString("hex")}`;
  await client.query("SELECT pg_advisory_lock(hashtext($1))", [name]);
  try {
    // Ctrl-C may have come meanwhile: its cleanups ran already, and a schema created now would stay until the next run.
    if (isInterrupting()) throw new Sqlite2pgError("interrupted before the staging schema was created", { code: "INTERRUPTED", kind: "target", stage: "apply" });
    await client.query(`CREATE SCHEMA ${quoteIdent(name)}`);
    return name;
  } catch (err) {
    await client.query("SELECT pg_advisory_unlock(hashtext($1))", [name]).catch(() => undefined);
    if ((err as { code?: string }).code === "42501") return null;
    throw targetError("apply", "cannot create the staging schema for the parallel copy", err);
  }
}

/** The parallel build, or null when it does not apply (see planParallel, createStaging): use applyAndCopy. */
export async function applyInParallel(options: ParallelApplyOptions, parallel: ParallelPlan): Promise<ApplyResult | null> {
  const { client, emit } = options;
  const t0 = performance.now();
  const dropped = await dropAbandonedStaging(client);
  if (dropped.length > 0) emit({ type: "info", message: `[apply] dropped ${dropped.length} staging schema(s) left by an interrupted run: ${dropped.join(", ")}` });
  const staging = await createStaging(client);
  if (staging === null) {
    emit({ type: "info", message: "[apply] this role may not create a staging schema (CREATE on the database): copying one table at a time in one transaction" });
    return null;
  }
  return inStaging(client, options.connect, staging, async (workers) => {
    const t1 = performance.now();
    const copied = await timedStage(emit, "copy", `copying rows and building indexes, ${options.jobs} tables at a time`, () =>
      copyAll(options, parallel, staging, workers),
    );
    const t2 = performance.now();
    options.onRowsSent?.();
    await timedStage(emit, "post-data", "moving the tables into place, building foreign keys", () => finish(options, parallel, staging));
    const t3 = performance.now();
    return { copied, timings: { preDataMs: t1 - t0, dataMs: t2 - t1, postDataMs: t3 - t2 } };
  });
}

export async function copyAll(options: ParallelApplyOptions, parallel: ParallelPlan, staging: string, workers: PgClient[]): Promise<TableCopyResult[]> {
  const queue = copyOrder(options.tables);
  const problems = new ProblemCollector();
  const results = new Map<string, TableCopyResult>();
  let failure: unknown;
  const jobs = Math.max(1, Math.min(options.jobs, queue.length));
  const worker = async (): Promise<void> => {
    let conn: PgClient | undefined;
    for (let plan = queue.shift(); plan !== undefined && failure === undefined; plan = queue.shift()) {
      if (problems.count > 0) {
        // After a problem ("stop" mode) nothing more is written: the remaining tables are only scanned.
        results.set(plan.name, await copyOne(options, plan, null, problems, staging, parallel));
        continue;
      }
      if (!conn) {
        conn = await options.connect();
        workers.push(conn);
      }
      try {
        results.set(plan.name, await copyOne(options, plan, conn, problems, staging, parallel));
      } catch (err) {
        failure ??= err;
      }
    }
  };
  await Promise.all(Array.from({ length: jobs }, worker));
  if (failure !== undefined) throw failure;
  if (problems.count > 0) throw dataProblemsError(problems, DATA_PROBLEMS_HINT, options.tables.map((t) => t.name));
  return options.tables.map((t) => results.get(t.name)!);
}

/** One table in its own transaction in the staging schema: CREATE TABLE, COPY FREEZE, its indexes, COMMIT. */
async function copyOne(
  options: ParallelApplyOptions,
  plan: TablePlan,
  conn: PgClient | null,
  problems: ProblemCollector,
  staging: string,
  parallel: ParallelPlan,
): Promise<TableCopyResult> {
  if (conn === null) return copyPlannedTable(options, plan, null, staging, problems);
  const create = parallel.createTable.get(plan.pgName);
  if (!create) throw new Sqlite2pgError(`no CREATE TABLE for ${plan.pgName} in the migration`, { code: "INTERNAL", kind: "internal", stage: "apply" });
  await conn.query("BEGIN");
  try {
    await conn.query("SELECT set_config('search_path', $1, true)", [migrationSearchPath(staging)]);
    // Nothing in staging is needed after a crash (the next run drops it), so its many small commits need not wait
    // for the WAL flush; the final transaction into the target commits synchronously
    // (https://www.postgresql.org/docs/current/wal-async-commit.html).
    await conn.query("SELECT set_config('synchronous_commit', 'off', true)");
    // The one-transaction path gives its single index build 512MB; N concurrent builds share that budget.
    await conn.query("SELECT set_config('maintenance_work_mem', $1, true)", [`${Math.max(64, Math.floor(512 / options.jobs))}MB`]);
    await conn.query(LZ4_TOAST);
    await runStatements(conn, [create]);
    const before = problems.count;
    const result = await copyPlannedTable(options, plan, conn, staging, problems);
    if (problems.count === before) await runStatements(conn, parallel.indexes.get(plan.pgName) ?? []);
    await conn.query(problems.count === before ? "COMMIT" : "ROLLBACK");
    return result;
  } catch (err) {
    await conn.query("ROLLBACK").catch(() => undefined);
    throw err;
  }
}

/** The one transaction that changes the target schema. */
async function finish(options: ParallelApplyOptions, parallel: ParallelPlan, staging: string): Promise<void> {
  const { client } = options;
  await client.query("BEGIN");
  await runStatements(client, await openTargetTransaction(client, options.pgSchema, options.plan.preData.filter((s) => s.kind === "schema")));
  for (const plan of options.tables) {
    await runStatements(client, [{ sql: `ALTER TABLE ${quoteIdent(staging)}.${quoteIdent(plan.pgName)} SET SCHEMA ${quoteIdent(options.pgSchema)}` }]);
  }
  await runStatements(client, withoutDroppedForeignKeys(parallel.finalStatements, options));
  for (const plan of options.tables) await resetSequence(client, options.pgSchema, plan);
  await recordBaseline(client, BASELINE_NAME, options.plan.checksum);
  // RESTRICT: the schema must be empty now; anything left in it would be a table we failed to move.
  await client.query(`DROP SCHEMA ${quoteIdent(staging)}`);
  await client.query("COMMIT");
  markCommitted("the migration (schema, every row, the baseline)");
}
