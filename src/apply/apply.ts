/**
 * Stage 6 — apply + copy, in one PostgreSQL transaction: pre-data DDL, every table's rows, post-data DDL
 * (indexes and foreign keys, built once over the loaded data), sequences, and the baseline record in
 * `_prisma_migrations`. A failure or an interrupted run leaves the target exactly as it was.
 */
import { markCommitted } from "../core/interrupt.js";
import type { TablePlan } from "../convert/convert.js";
import type { PgClient } from "../db/pg-client.js";
import { targetError } from "../db/pg-target.js";
import { migrationSearchPath } from "../core/quote.js";
import type { SqliteDb } from "../db/sqlite-source.js";
import type { SqliteTable } from "../core/catalog.js";
import { Sqlite2pgError } from "../core/errors.js";
import { copyOrder } from "./copy-order.js";
import { openTableCopy, type TableCopy } from "../copy/copy-table.js";
import type { TableCopyResult } from "../copy/copy-result.js";
import { dataProblemsError } from "../copy/problems.js";
import { ProblemCollector } from "../core/problems.js";
import type { RejectsFile } from "../copy/rejects.js";
import type { TextFallback } from "../copy/text-fallback.js";
import type { EventListener } from "../core/events.js";
import { timedStage } from "../core/events.js";
import { BASELINE_NAME, type PlanResult } from "../plan/plan.js";
import type { PlannedStatement } from "../plan/statements.js";
import type { OrphanPlan } from "../profile/orphans.js";
import { recordBaseline } from "./baseline.js";
import { resetSequence } from "./sequences.js";

export interface ApplyOptions {
  readonly client: PgClient;
  readonly source: SqliteDb;
  readonly pgSchema: string;
  readonly plan: PlanResult;
  readonly tables: readonly TablePlan[];
  readonly catalog: ReadonlyMap<string, SqliteTable>;
  readonly onError: "stop" | "reject";
  readonly rejects?: RejectsFile;
  readonly orphans?: OrphanPlan;
  readonly emit: EventListener;
  /** Hash the COPY data sent, for the verification by sent checksums (default true). */
  readonly hashSent?: boolean;
  /** `--decode-fallback`: how text whose stored bytes are not UTF-8 is decoded. */
  readonly decodeFallback?: TextFallback;
  /**
   * Called once when every row is sent and the post-data statements (indexes, foreign keys) begin: work that needs
   * none of the copied data can start beside them (migrate starts the read-back's preparation there, and the drift
   * check's shadow for a large source).
   */
  readonly onRowsSent?: () => void;
}

export interface ApplyResult {
  readonly copied: readonly TableCopyResult[];
  readonly timings: { readonly preDataMs: number; readonly dataMs: number; readonly postDataMs: number };
}

export async function applyAndCopy(options: ApplyOptions): Promise<ApplyResult> {
  const { client, emit } = options;
  const copied: TableCopyResult[] = [];
  const problems = new ProblemCollector();
  const t0 = performance.now();
  await client.query("BEGIN");
  try {
    const preData = await openTargetTransaction(client, options.pgSchema, options.plan.preData);
    await timedStage(emit, "pre-data", "creating tables", () => runStatements(client, preData));
    const t1 = performance.now();
    await timedStage(emit, "copy", "copying rows", async () => {
      copied.push(...(await copyInTurn(options, client, problems)));
    });
    if (problems.count > 0) throw dataProblemsError(problems, DATA_PROBLEMS_HINT, options.tables.map((t) => t.name));
    const t2 = performance.now();
    options.onRowsSent?.();
    await timedStage(emit, "post-data", "building indexes and foreign keys", () =>
      runStatementsAtOnce(client, withoutDroppedForeignKeys(options.plan.postData, options)),
    );
    await timedStage(emit, "sequences", "resetting sequences", async () => {
      for (const plan of options.tables) await resetSequence(client, options.pgSchema, plan);
    });
    await recordBaseline(client, BASELINE_NAME, options.plan.checksum);
    await client.query("COMMIT");
    markCommitted("the migration (schema, every row, the baseline)");
    const t3 = performance.now();
    return { copied, timings: { preDataMs: t1 - t0, dataMs: t2 - t1, postDataMs: t3 - t2 } };
  } catch (err) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw err;
  }
}

/**
 * For the transaction that copies rows: compress the large values it writes with lz4 instead of pglz, unless the
 * server's default_toast_compression was set by someone (its source is then not "default") or PostgreSQL was built
 * without lz4 (not in the setting's enumvals; before PostgreSQL 14 there is no such setting and this does nothing).
 * Only how the copied values are stored changes, not the values and not the schema: no column gets a COMPRESSION
 * clause, and later writes use the server's default again
 * (https://www.postgresql.org/docs/current/runtime-config-client.html#GUC-DEFAULT-TOAST-COMPRESSION,
 * https://www.postgresql.org/docs/current/storage-toast.html). lz4 compresses several times faster: blog scale 1's
 * posts (1–2 KB bodies), server-side COPY 4.1 → 2.6 s (docs/benchmarks.md, session 10), and reads back faster.
 */
export const LZ4_TOAST =
  "SELECT set_config('default_toast_compression', 'lz4', true) FROM pg_catalog.pg_settings " +
  "WHERE name = 'default_toast_compression' AND source = 'default' AND 'lz4' = ANY (enumvals)";

/**
 * Inside the transaction that writes the target schema (the caller has run BEGIN): its session settings, and
 * `statements` without the migration's CREATE SCHEMA when the schema exists already — CREATE SCHEMA IF NOT
 * EXISTS needs CREATE on the database even then, and an application role that may create tables in an existing
 * schema would be refused for nothing.
 */
export async function openTargetTransaction(client: PgClient, pgSchema: string, statements: readonly PlannedStatement[]): Promise<readonly PlannedStatement[]> {
  await client.query("SELECT set_config('search_path', $1, true)", [migrationSearchPath(pgSchema)]);
  // Index builds after the copy sort whole tables: give them memory for this transaction only
  // (https://www.postgresql.org/docs/current/populate.html#POPULATE-WORK-MEM).
  await client.query("SELECT set_config('maintenance_work_mem', '512MB', true)");
  await client.query(LZ4_TOAST);
  const { rows: ns } = await client.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_catalog.pg_namespace WHERE nspname = $1", [pgSchema]);
  return ns[0]?.n ? statements.filter((s) => s.kind !== "schema") : statements;
}

/**
 * Most this many bytes of the next table's COPY data are encoded ahead while the current table waits on
 * PostgreSQL: enough to cover the wait behind a table PostgreSQL is slow to load (the blog benchmark's posts,
 * bodies and jsonb, left Node's main thread idle a third of its ~0.7 s), little beside the run's peak memory.
 */
export const READ_AHEAD_BYTES = 32 * 1024 * 1024;

/**
 * Every table through the one connection, one COPY at a time, the largest first (copyOrder); results in the plan's
 * order. One connection sends one COPY at a time, so on its own Node would wait whenever PostgreSQL is behind
 * (a table of large text and jsonb values) and PostgreSQL whenever Node is (a table of many small rows). While a
 * COPY waits for the socket to drain, the next table's chunks are encoded ahead (READ_AHEAD_BYTES at most), so
 * that its COPY starts with data at hand and the two sides overlap across tables. Not with a rejects file (its
 * rows stay grouped by table, in copy order), and never after a problem in "stop" mode: from there the remaining
 * tables are only scanned, nothing more is sent.
 */
async function copyInTurn(options: ApplyOptions, client: PgClient, problems: ProblemCollector): Promise<TableCopyResult[]> {
  const order = copyOrder(options.tables);
  const results = new Map<string, TableCopyResult>();
  const readAhead = options.rejects === undefined;
  let next: TableCopy | null = null;
  for (let i = 0; i < order.length; i++) {
    const sending = problems.count === 0;
    const current = next ?? (await openPlannedTable(options, order[i], sending ? client : null, options.pgSchema, problems));
    // Its target columns are read now, before this table's COPY holds the connection.
    const ahead = readAhead && sending && i + 1 < order.length ? await openPlannedTable(options, order[i + 1], client, options.pgSchema, problems) : null;
    next = ahead;
    const whileBehind = ahead === null ? undefined : () => problems.count === 0 && ahead.readAhead(READ_AHEAD_BYTES);
    // After a problem in "stop" mode nothing more is sent: the remaining tables are only scanned.
    results.set(current.plan.name, await current.run(problems.count > 0 ? null : client, whileBehind));
  }
  return options.tables.map((t) => results.get(t.name)!);
}

/** A planned table's copy, opened (client null: scan only, to list problems) into `pgSchema`. */
export async function openPlannedTable(options: ApplyOptions, plan: TablePlan, client: PgClient | null, pgSchema: string, problems: ProblemCollector): Promise<TableCopy> {
  const table = options.catalog.get(plan.name);
  if (!table) throw new Sqlite2pgError(`table ${plan.name} vanished from the catalog`, { code: "INTERNAL", kind: "internal", stage: "copy" });
  return openTableCopy({
    source: options.source,
    client,
    pgSchema,
    plan,
    table,
    freeze: true,
    onError: options.onError,
    problems,
    rejects: options.rejects,
    skipRows: options.orphans?.skip.get(plan.name),
    nullify: options.orphans?.nullify.get(plan.name),
    emit: options.emit,
    hashSent: options.hashSent,
    decodeFallback: options.decodeFallback,
  });
}

/** Copy one planned table (client null: scan only, to list problems) into `pgSchema`, timed. */
export async function copyPlannedTable(
  options: ApplyOptions,
  plan: TablePlan,
  client: PgClient | null,
  pgSchema: string,
  problems: ProblemCollector,
): Promise<TableCopyResult> {
  return (await openPlannedTable(options, plan, client, pgSchema, problems)).run(client);
}

export const DATA_PROBLEMS_HINT =
  "fix the values in SQLite, override the column type (--type table.column=String), decode text that is not UTF-8 (--decode-fallback windows-1252), or run with --on-error=reject to copy everything else and write these rows to a rejects file";

/**
 * Orphan policy "keep-without-fk": the foreign keys the orphans would violate are not created. The orphan plan
 * names them as SQLite does; the migration's statements use the PostgreSQL names (pg-names.ts renames tables and
 * columns PostgreSQL or Prisma cannot take), so the names are translated through the table plans first, then
 * compared with each foreign key's table, columns and referenced table as the plan classified them (statements.ts).
 */
export function withoutDroppedForeignKeys(statements: readonly PlannedStatement[], options: Pick<ApplyOptions, "orphans" | "tables">): readonly PlannedStatement[] {
  const dropped = options.orphans?.droppedForeignKeys ?? [];
  if (dropped.length === 0) return statements;
  const byName = new Map(options.tables.map((t) => [t.name, t]));
  const tableName = (name: string): string => byName.get(name)?.pgName ?? name;
  const columnName = (table: string, name: string): string => byName.get(table)?.columns.find((c) => c.name === name)?.pgName ?? name;
  const keys = dropped.map((fk) => ({
    table: tableName(fk.table),
    columns: fk.columns.map((c) => columnName(fk.table, c)),
    references: tableName(fk.parent),
  }));
  const sameColumns = (a: readonly string[], b: readonly string[]): boolean => a.length === b.length && a.every((c, i) => c === b[i]);
  return statements.filter(
    (s) => s.kind !== "foreignKey" || !keys.some((k) => s.table === k.table && s.references.table === k.references && sameColumns(s.columns, k.columns)),
  );
}

/**
 * Each section of Prisma's script runs as one simple-protocol query: never split on `;` ourselves, a `;` may sit
 * inside a string literal (the reason adapter-pg's executeScript fails on such scripts).
 */
export async function runStatements(client: PgClient, statements: readonly { readonly sql: string }[]): Promise<void> {
  for (const { sql } of statements) {
    try {
      await client.query(sql);
    } catch (err) {
      throw targetError("apply", `PostgreSQL rejected:\n${sql}\n`, err);
    }
  }
}

/**
 * The same statements sent as one simple-protocol query (the sections joined as migration.sql holds them; a
 * multi-statement query runs them in order inside the open transaction,
 * https://www.postgresql.org/docs/current/protocol-flow.html#PROTOCOL-FLOW-MULTI-STATEMENT). PostgreSQL then goes
 * from one index build to the next without waiting for Node: the post-data statements no longer sit in the queue
 * while the main thread works beside them (the read-back's preparation, migrate-verify.ts). Inside a savepoint: a
 * failure rolls back to it and the statements run again one by one, so the error names its statement as before
 * (the one that failed stops the second pass too; statements before it are built twice, on the failure path only).
 */
export async function runStatementsAtOnce(client: PgClient, statements: readonly { readonly sql: string }[]): Promise<void> {
  if (statements.length <= 1) return runStatements(client, statements);
  await client.query("SAVEPOINT sqlite2pg_post_data");
  try {
    // A line break ends a trailing `--` comment; the `;` ends a section that has none (an empty statement is skipped).
    await client.query(statements.map((s) => s.sql).join("\n;\n"));
  } catch (err) {
    try {
      await client.query("ROLLBACK TO SAVEPOINT sqlite2pg_post_data");
    } catch {
      // The connection itself failed (lost, interrupted): that is the error.
      throw targetError("apply", "PostgreSQL rejected the index and foreign-key statements", err);
    }
    await runStatements(client, statements);
  }
  await client.query("RELEASE SAVEPOINT sqlite2pg_post_data");
}
