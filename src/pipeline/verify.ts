/**
 * Stage 7 — verify: prove the PostgreSQL copy equals the SQLite source, table by table (row counts, a sha256 over
 * canonical rows, and every differing row named by its key). See compare-table.ts for the merge, canonical.ts for
 * what "equal" means per column kind.
 */
import type { TablePlan } from "../convert/convert.js";
import { targetError } from "../db/pg-target.js";
import { type PgClient } from "../db/pg-client.js";
import { openTarget } from "../db/target.js";
import type { SqliteDb } from "../db/sqlite-source.js";
import type { SqliteTable } from "../core/catalog.js";
import { Sqlite2pgError } from "../core/errors.js";
import { noopListener, timedStage, type EventListener } from "../core/events.js";
import { openSnapshot, prepareSchema } from "./prepare.js";
import type { TableFilter } from "../introspect/table-filter.js";
import { compareTable, type Difference, type LeftOutRows, type TableVerification } from "../verify/content/compare-table.js";
import { matchSentChecksum, type SentChecksum } from "../verify/content/sent-checksums.js";
import { coverageLines, targetCoverage, type CoverageResult } from "../verify/coverage.js";
import { checkIndependently, describeIndependent, formatIndependentDifferences, type IndependentResult } from "../verify/independent/independent-check.js";
import { textFallback, type TextFallback } from "../copy/text-fallback.js";
import { onTwoConnections, worthTwoConnections } from "../verify/content/two-connections.js";

export type { Difference, TableVerification } from "../verify/content/compare-table.js";

export interface VerifyResult {
  /** Every table identical and, when it ran, the independent check found no difference. */
  readonly ok: boolean;
  readonly tables: readonly TableVerification[];
  /** `verify` command: every table and column of the SQLite file, checked in PostgreSQL's catalog (coverage.ts). */
  readonly coverage?: CoverageResult;
  /** PostgreSQL's values decoded by pg's parsers against SQLite's, by meaning (independent/independent-check.ts). */
  readonly independent?: IndependentResult;
}

export interface VerifyDatabaseOptions {
  readonly source: SqliteDb;
  readonly client: PgClient;
  readonly pgSchema: string;
  readonly tables: readonly TablePlan[];
  readonly emit?: EventListener;
  /** Differences listed per table (all are counted); default 100. */
  readonly maxDifferences?: number;
  /** migrate's own verification: SQLite tables and the rows the copy left out or changed on purpose. */
  readonly catalog?: ReadonlyMap<string, SqliteTable>;
  readonly leftOut?: ReadonlyMap<string, LeftOutRows>;
  /** migrate's own verification: the checksum of the COPY data sent per table (sent-checksums.ts). */
  readonly sent?: ReadonlyMap<string, SentChecksum>;
  /** The independent check: a sample of rows per table (default), every row ("all", `--verify deep`), or "off". */
  readonly independent?: "sample" | "all" | "off";
  /** `--decode-fallback`: compare text whose stored bytes are not UTF-8 decoded as the copy decoded it. */
  readonly decodeFallback?: TextFallback;
  /**
   * Opens one more connection to the target: the sent checksums are then matched over two connections, the second
   * in the first's snapshot (verify/content/two-connections.ts). Left out where the target has one connection
   * (PGlite).
   */
  readonly connect?: () => Promise<PgClient>;
  /**
   * More checks of the same snapshot (migrate's coverage and row counts): on the independent check's own connection
   * before it, beside the tables being printed; without that connection, on the first one before the tables.
   */
  readonly alongside?: (client: PgClient) => Promise<void>;
}

/**
 * Session settings the canonical forms assume, local to the verify transaction so the caller's session is left
 * as it was (https://www.postgresql.org/docs/current/sql-set.html): ISO dates, hex bytea, UTC for any timestamptz,
 * shortest-exact floats (https://www.postgresql.org/docs/current/runtime-config-client.html).
 */
export const SESSION_SETTINGS = [
  "SET LOCAL DateStyle = 'ISO, YMD'",
  "SET LOCAL bytea_output = 'hex'",
  "SET LOCAL TimeZone = 'UTC'",
  "SET LOCAL extra_float_digits = 1",
  // A table scan returns a freshly loaded heap in load order, unless it joins another scan midway.
  "SET LOCAL synchronize_seqscans = off",
];

export async function verifyDatabase(options: VerifyDatabaseOptions): Promise<VerifyResult> {
  const emit = options.emit ?? noopListener;
  const { client } = options;
  const scope = await openScope(client);
  const tables: TableVerification[] = [];
  let independent: IndependentResult | undefined;
  const independentMode = options.independent ?? "sample";
  const checkIndependentlyOn = (c: PgClient): Promise<IndependentResult> =>
    checkIndependently({
      source: options.source,
      client: c,
      pgSchema: options.pgSchema,
      tables: options.tables,
      mode: independentMode === "all" ? "all" : "sample",
      leftOut: options.leftOut,
      maxDifferences: options.maxDifferences,
      decodeFallback: options.decodeFallback,
    });
  // The sample's check beside the tables being printed, not after them; but `--verify deep` reads every row,
  // which is PostgreSQL's work again and is left for after.
  const beside = async (c: PgClient): Promise<IndependentResult | undefined> => {
    await options.alongside?.(c);
    return independentMode === "sample" ? checkIndependentlyOn(c) : undefined;
  };
  try {
    const early =
      options.connect && options.sent && scope.fresh && worthTwoConnections(options.tables)
        ? await onTwoConnections({
            client,
            connect: options.connect,
            sessionSettings: SESSION_SETTINGS,
            pgSchema: options.pgSchema,
            tables: options.tables,
            sent: options.sent,
            ...(independentMode === "sample" || options.alongside ? { beside } : {}),
          })
        : undefined;
    if (early?.beside === undefined) await options.alongside?.(client);
    // Only after the tables above: the comparisons below read SQLite with statements open across awaits, which
    // the independent check (reading the same connection) must not run into.
    independent = early?.beside?.value;
    for (const plan of options.tables) {
      const done = early?.done.get(plan.name);
      const started = performance.now() - (done?.ms ?? 0);
      let result: TableVerification | null = done?.result ?? null;
      try {
        const sent = options.sent?.get(plan.name);
        if (sent && !done) result = await matchSentChecksum(client, options.pgSchema, plan, sent);
        result ??= await compareTable({
          source: options.source,
          client,
          pgSchema: options.pgSchema,
          plan,
          maxDifferences: options.maxDifferences,
          table: options.catalog?.get(plan.name),
          leftOut: options.leftOut?.get(plan.name),
          decodeFallback: options.decodeFallback,
        });
      } catch (err) {
        if (err instanceof Sqlite2pgError) throw err;
        throw targetError("verify", `verifying "${plan.name}" failed`, err, plan.name);
      }
      tables.push(result);
      const ms = Math.round(performance.now() - started);
      emit({
        type: "info",
        message: `[verify] ${plan.name}: ${result.sourceRows} rows, ${result.ok ? "identical" : `${result.differenceCount} difference(s)`} (${METHOD_TEXT[result.method]}, ${ms} ms)`,
      });
    }
    if (independentMode !== "off") {
      independent ??= await checkIndependentlyOn(client);
      emit({ type: "info", message: `[verify] ${describeIndependent(independent)} (${independent.ms} ms)` });
    }
  } finally {
    // Verification only reads: ending the scope by rolling back also undoes the SET LOCALs.
    await client.query(scope.end).catch(() => undefined);
  }
  return { ok: tables.every((t) => t.ok) && (independent?.ok ?? true), tables, ...(independent ? { independent } : {}) };
}

const METHOD_TEXT: Record<TableVerification["method"], string> = {
  sent: "sha256 of the COPY data sent = sha256 of PostgreSQL's COPY output",
  checksum: "sha256 of SQLite's rows encoded = sha256 of PostgreSQL's COPY output",
  rows: "row-by-row canonical comparison",
  schema: "table or columns missing",
};

/**
 * Outside a transaction: a REPEATABLE READ READ ONLY one, so every table is compared as of the same moment
 * (https://www.postgresql.org/docs/current/transaction-iso.html#XACT-REPEATABLE-READ). Inside the caller's
 * transaction (e.g. before the migration commits): a savepoint, so the caller's uncommitted rows are what is
 * verified and its transaction is neither committed nor disturbed. In a transaction block now() is the block's
 * start, earlier than statement_timestamp() (https://www.postgresql.org/docs/current/functions-datetime.html#FUNCTIONS-DATETIME-CURRENT).
 */
async function openScope(client: PgClient): Promise<{ end: string; fresh: boolean }> {
  try {
    const { rows } = await client.query<{ intx: boolean }>("SELECT now() <> statement_timestamp() AS intx");
    const inTransaction = rows[0].intx;
    await client.query(inTransaction ? "SAVEPOINT sqlite2pg_verify" : "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    for (const sql of SESSION_SETTINGS) await client.query(sql);
    return { end: inTransaction ? "ROLLBACK TO SAVEPOINT sqlite2pg_verify; RELEASE SAVEPOINT sqlite2pg_verify" : "ROLLBACK", fresh: !inTransaction };
  } catch (err) {
    throw targetError("verify", "cannot start the verification transaction", err);
  }
}

export interface VerifyCommandOptions {
  readonly sqlitePath: string;
  readonly targetUrl: string;
  readonly emit?: EventListener;
  /** The `--type` overrides the migration used, so columns are compared as the types they were copied as. */
  readonly typeOverrides?: ReadonlyMap<string, string>;
  readonly maxDifferences?: number;
  /** The `--tables` / `--exclude` globs the migration used. */
  readonly tables?: TableFilter;
  /** "deep": the independent check compares every row instead of a sample. */
  readonly verify?: "full" | "deep";
  /** The `--decode-fallback` encoding the migration used. */
  readonly decodeFallback?: string;
}

/** Snapshot + introspect the SQLite file (the same table plans `migrate` derives), then compare with PostgreSQL. */
export async function verifyCommandRun(options: VerifyCommandOptions): Promise<VerifyResult> {
  const emit = options.emit ?? noopListener;
  const target = openTarget(options.targetUrl);
  const opened = await openSnapshot(options.sqlitePath, emit, options.tables);
  try {
    const client = await target.connect("verify");
    try {
      const prepared = await prepareSchema(opened, emit, options.typeOverrides);
      const coverage = await timedStage(emit, "verify", "accounting for every table and column of the file", () =>
        targetCoverage(client, target.pgSchema, prepared.coverageInput),
      );
      const rows = await timedStage(emit, "verify", "comparing every row", () =>
        verifyDatabase({
          source: prepared.source,
          client,
          pgSchema: target.pgSchema,
          tables: prepared.converted.tables,
          emit,
          maxDifferences: options.maxDifferences,
          independent: options.verify === "deep" ? "all" : "sample",
          // The SQLite tables, so decoding finds a row's stored bytes by rowid.
          catalog: new Map(prepared.catalog.tables.map((t) => [t.name, t])),
          decodeFallback: options.decodeFallback === undefined ? undefined : textFallback(options.decodeFallback),
        }),
      );
      return { ...rows, ok: rows.ok && coverage.ok, coverage };
    } finally {
      await client.end().catch(() => undefined);
    }
  } finally {
    await opened.dispose();
  }
}

/** Human-readable lines for a result: one per table, then every listed difference. */
export function formatVerifyResult(result: VerifyResult): string {
  const lines: string[] = [];
  const width = Math.max(5, ...result.tables.map((t) => t.table.length));
  for (const t of result.tables) {
    const rows = t.sourceRows === t.targetRows ? `${t.sourceRows} rows` : `rows SQLite ${t.sourceRows} / PostgreSQL ${t.targetRows}`;
    const sum = t.sourceChecksum === null ? "checksum n/a" : t.sourceChecksum === t.targetChecksum ? `checksum ok ${t.sourceChecksum.slice(0, 12)}` : "checksum DIFFERS";
    lines.push(`${t.ok ? "ok  " : "FAIL"} ${t.table.padEnd(width)}  ${rows}  ${sum}`);
  }
  const bad = result.tables.filter((t) => !t.ok);
  for (const t of bad) {
    lines.push("", `${t.table}: ${t.differenceCount} difference(s)${t.differenceCount > t.differences.length ? `, first ${t.differences.length} listed` : ""}`);
    for (const d of t.differences) lines.push(`  ${formatDifference(d)}`);
  }
  const ind = result.independent;
  if (ind) {
    lines.push("", describeIndependent(ind));
    if (!ind.ok) lines.push(formatIndependentDifferences(ind));
  }
  if (result.coverage) lines.push("", ...coverageLines(result.coverage));
  const gaps = result.coverage?.missing.length ?? 0;
  const failures = [
    bad.length > 0 ? `${bad.length} table(s) differ` : "",
    ind && !ind.ok ? "values decoded independently differ" : "",
    gaps > 0 ? `${gaps} table(s)/column(s) of the file missing` : "",
  ].filter(Boolean);
  lines.push("", result.ok ? "verified: PostgreSQL holds exactly the SQLite data" : `verification FAILED: ${failures.join("; ")}`);
  return lines.join("\n");
}

export function formatDifference(d: Difference): string {
  switch (d.kind) {
    case "value":
      return `${d.table} [${d.key}] ${d.column}: SQLite ${quoted(d.sourceValue)} ≠ PostgreSQL ${quoted(d.targetValue)}`;
    case "missing":
      return `${d.table} [${d.key}] missing in PostgreSQL`;
    case "extra":
      return `${d.table} [${d.key}] extra in PostgreSQL (not in SQLite)`;
    case "schema":
      return `${d.table}: ${d.message}`;
  }
}

/** Strings JSON-quoted (control characters visible, NULL distinct from 'NULL'). */
function quoted(v: string | null | undefined): string {
  return v === null || v === undefined ? "NULL" : JSON.stringify(v);
}
