/**
 * Verification that does not share the copy's encoder (issue 15 item 2). The checksum verification compares
 * PostgreSQL's COPY output with the copy's own encoding of SQLite's rows, so an encoder that spells a value wrong
 * spells it wrong on both sides and passes. This check reads PostgreSQL's values through pg's own type parsers
 * and SQLite's through better-sqlite3, and compares them by meaning (compare-value.ts), with the column kinds
 * taken from PostgreSQL's catalog. By default it samples up to 1000 rows per table (check-table.ts); `--verify
 * deep` compares every row.
 */
import type { TextFallback } from "../../copy/text-fallback.js";
import type { TablePlan } from "../../convert/convert.js";
import type { PgClient } from "../../db/pg-client.js";
import type { SqliteDb } from "../../db/sqlite-source.js";
import type { LeftOutRows } from "../content/compare-table.js";
import { checkTable, type IndependentDifference, type IndependentTable } from "./check-table.js";
import { readTargetTables } from "./target-columns.js";

export type { IndependentDifference, IndependentTable } from "./check-table.js";

export interface IndependentResult {
  /** "sample": up to `sampleSize` rows per table (the default); "all": every row (`--verify deep`). */
  readonly mode: "sample" | "all";
  readonly ok: boolean;
  /** Rows compared over all tables, and the tables compared. */
  readonly rows: number;
  readonly tables: number;
  readonly perTable: readonly IndependentTable[];
  /** The first `maxDifferences` differences over all tables (all are counted). */
  readonly differences: readonly IndependentDifference[];
  readonly differenceCount: number;
  readonly ms: number;
}

export interface IndependentOptions {
  readonly source: SqliteDb;
  readonly client: PgClient;
  readonly pgSchema: string;
  readonly tables: readonly TablePlan[];
  readonly mode: "sample" | "all";
  readonly leftOut?: ReadonlyMap<string, LeftOutRows>;
  /** `--decode-fallback`: how text that is not UTF-8 was decoded (check-table.ts). */
  readonly decodeFallback?: TextFallback;
  readonly sampleSize?: number;
  readonly maxDifferences?: number;
}

/**
 * The session settings the decoders read PostgreSQL's text under, local to the check
 * (https://www.postgresql.org/docs/current/runtime-config-client.html): ISO dates, hex bytea, UTC, and
 * extra_float_digits > 0, which prints every double in its shortest exact form (PostgreSQL 12+).
 */
const SETTINGS = ["SET LOCAL DateStyle = 'ISO, YMD'", "SET LOCAL bytea_output = 'hex'", "SET LOCAL TimeZone = 'UTC'", "SET LOCAL extra_float_digits = 1"];

/**
 * Run the check in a savepoint of the caller's transaction (verify's, so both checks see one snapshot) or, when
 * there is none, in a read-only transaction of its own; either way it leaves nothing behind.
 */
export async function checkIndependently(options: IndependentOptions): Promise<IndependentResult> {
  const started = performance.now();
  const { client } = options;
  let end: string;
  try {
    await client.query("SAVEPOINT sqlite2pg_independent");
    end = "ROLLBACK TO SAVEPOINT sqlite2pg_independent; RELEASE SAVEPOINT sqlite2pg_independent";
  } catch {
    // Outside a transaction block SAVEPOINT fails without effect (https://www.postgresql.org/docs/current/sql-savepoint.html).
    await client.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    end = "ROLLBACK";
  }
  const perTable: IndependentTable[] = [];
  const maxDifferences = options.maxDifferences ?? 100;
  try {
    for (const sql of SETTINGS) await client.query(sql);
    const described = await readTargetTables(client, options.pgSchema, options.tables.map((p) => p.pgName));
    for (const plan of options.tables) {
      if (plan.columns.length === 0) continue;
      const target = described.get(plan.pgName);
      if (target === undefined) {
        perTable.push({ table: plan.name, rows: 0, scope: options.mode, how: "every row", differences: [], differenceCount: 0, skipped: `table "${plan.pgName}" does not exist in PostgreSQL` });
        continue;
      }
      perTable.push(
        await checkTable({ source: options.source, client, pgSchema: options.pgSchema, plan, targets: target.targets, primaryKey: target.primaryKey, leftOut: options.leftOut?.get(plan.name), mode: options.mode, sampleSize: options.sampleSize, maxDifferences, decodeFallback: options.decodeFallback }),
      );
    }
  } finally {
    await client.query(end).catch(() => undefined);
  }
  const compared = perTable.filter((t) => t.skipped === undefined);
  const differenceCount = perTable.reduce((n, t) => n + t.differenceCount, 0);
  return {
    mode: options.mode,
    ok: differenceCount === 0,
    rows: compared.reduce((n, t) => n + t.rows, 0),
    tables: compared.length,
    perTable,
    differences: perTable.flatMap((t) => t.differences).slice(0, maxDifferences),
    differenceCount,
    ms: Math.round(performance.now() - started),
  };
}

/** The summary line: "values decoded independently: 2000 rows of 3 tables sampled, identical". */
export function describeIndependent(r: IndependentResult): string {
  const what = `${r.rows} row${r.rows === 1 ? "" : "s"} of ${r.tables} table${r.tables === 1 ? "" : "s"} ${r.mode === "all" ? "(every row)" : "sampled"}`;
  const skipped = r.perTable.filter((t) => t.skipped !== undefined);
  const listed = skipped.slice(0, 5).map((t) => `${t.table} (${t.skipped})`);
  if (skipped.length > 5) listed.push(`… ${skipped.length - 5} more (see perTable in --json)`);
  const notes = skipped.length > 0 ? `; not compared: ${listed.join(", ")}` : "";
  return `values decoded independently: ${what}, ${r.ok ? "identical" : `${r.differenceCount} DIFFERENCE(S)`}${notes}`;
}

/** One line per listed difference: table, key, column and both values. */
export function formatIndependentDifference(d: IndependentDifference): string {
  switch (d.kind) {
    case "value":
      return `${d.table} [${d.key}] ${d.column}: SQLite ${d.sqlite} ≠ PostgreSQL ${d.postgres}`;
    case "missing":
      return `${d.table} [${d.key}] missing in PostgreSQL`;
    case "extra":
      return `${d.table} [${d.key}] extra in PostgreSQL (not in SQLite)`;
  }
}

export function formatIndependentDifferences(r: IndependentResult): string {
  const lines = r.differences.map((d) => `  ${formatIndependentDifference(d)}`);
  if (r.differenceCount > r.differences.length) lines.push(`  … and ${r.differenceCount - r.differences.length} more`);
  return lines.join("\n");
}
