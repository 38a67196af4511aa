/**
 * Coverage: every table and column of the SQLite file is accounted for — migrated, or left out for a stated
 * reason (the user's --tables/--exclude, a documented internal rule, a reviewed decision). The source side is
 * enumerated from the file itself (introspect/source-tables.ts, PRAGMA table_xinfo), never from the plan, so a
 * table or column the plan forgot is found: before anything is written (`planCoverage`), and again against
 * PostgreSQL's catalog after the copy (`targetCoverage`).
 */
import type { PgClient } from "../db/pg-client.js";
import { quoteIdent } from "../core/quote.js";
import type { SqliteDb } from "../db/sqlite-source.js";
import { readSourceTables, type SourceTableEntry } from "../introspect/source-tables.js";

/** One table (or column) of the SQLite file that is not in PostgreSQL, and why that is fine. */
export interface LeftOut {
  readonly table: string;
  readonly column?: string;
  readonly reason: string;
}

/** One table (or column) of the SQLite file whose data is not in PostgreSQL, with no reason: a failure. */
export interface Missing {
  readonly table: string;
  readonly column?: string;
  readonly why: string;
}

export interface CoverageResult {
  readonly ok: boolean;
  /** Tables of the file (every entry of sqlite_schema of type table). */
  readonly sourceTables: number;
  /** Columns of the migrated tables (stored ones; a virtual table's hidden columns are not data). */
  readonly sourceColumns: number;
  readonly migratedTables: number;
  readonly leftOut: readonly LeftOut[];
  readonly missing: readonly Missing[];
}

/** A source column as the file declares it (PRAGMA table_xinfo, https://sqlite.org/pragma.html#pragma_table_xinfo). */
export interface SourceColumn {
  readonly name: string;
  /** 0 ordinary, 1 hidden column of a virtual table, 2 virtual generated, 3 stored generated. */
  readonly hidden: number;
}

export interface SourceTable extends SourceTableEntry {
  readonly columns: readonly SourceColumn[];
}

/** The plan's side, as far as coverage needs it: which tables and columns the copy fills, and under which names. */
export interface PlannedTable {
  readonly name: string;
  readonly pgName: string;
  readonly columns: readonly { readonly name: string; readonly pgName: string }[];
}

export interface CoverageInput {
  readonly source: readonly SourceTable[];
  readonly planned: readonly PlannedTable[];
  /** Is the table selected by --tables/--exclude? */
  readonly selected: (table: string) => boolean;
  /**
   * Tables and columns the conversion leaves out on purpose, each with its reviewed reason (a decision: e.g. an
   * external-content full-text table that becomes an index on its content table). Keyed `table` or `table.column`.
   */
  readonly leftOutOnPurpose?: ReadonlyMap<string, string>;
}

/** Read every table of the file with its columns, inside the caller's read transaction. */
export function readSourceCoverage(db: SqliteDb): SourceTable[] {
  return readSourceTables(db).map((t): SourceTable => {
    if (t.kind !== "table" && t.kind !== "virtual") return { ...t, columns: [] };
    let columns: SourceColumn[] = [];
    try {
      columns = (db.prepare(`PRAGMA main.table_xinfo(${quoteIdent(t.name)})`).all() as { name: string; hidden: bigint | number }[]).map((c) => ({
        name: c.name,
        hidden: Number(c.hidden),
      }));
    } catch {
      // A virtual table whose module this SQLite lacks cannot be described: it has no readable columns here,
      // and the table itself is reported (missing or left out) by name.
    }
    return { ...t, columns };
  });
}

/** What the plan covers of the file: pure, so `plan` and `migrate` refuse a gap before writing anything. */
export function planCoverage(input: CoverageInput): CoverageResult {
  const planned = new Map(input.planned.map((p) => [p.name, p]));
  const onPurpose = input.leftOutOnPurpose ?? new Map<string, string>();
  const leftOut: LeftOut[] = [];
  const missing: Missing[] = [];
  let columns = 0;
  let migrated = 0;
  for (const t of input.source) {
    if (t.kind === "internal" || t.kind === "shadow") {
      leftOut.push({ table: t.name, reason: t.reason ?? t.kind });
      continue;
    }
    if (!input.selected(t.name)) {
      leftOut.push({ table: t.name, reason: "left out by --tables/--exclude" });
      continue;
    }
    const plan = planned.get(t.name);
    if (!plan) {
      const why = onPurpose.get(t.name);
      if (why !== undefined) leftOut.push({ table: t.name, reason: why });
      else
        missing.push({
          table: t.name,
          why: t.kind === "virtual" ? `a virtual table (module ${t.module}) that is not migrated` : "no PostgreSQL table is planned for it",
        });
      continue;
    }
    migrated++;
    const plannedColumns = new Set(plan.columns.map((c) => c.name));
    for (const c of t.columns) {
      if (c.hidden === 1) continue; // a virtual table's hidden column (e.g. FTS5's rank) holds no data of its own
      columns++;
      if (plannedColumns.has(c.name)) continue;
      const why = onPurpose.get(`${t.name}.${c.name}`);
      if (why !== undefined) leftOut.push({ table: t.name, column: c.name, reason: why });
      // Generated columns are computed by PostgreSQL from the copied ones; targetCoverage checks they exist.
      else if (c.hidden !== 2 && c.hidden !== 3) missing.push({ table: t.name, column: c.name, why: "the copy does not fill this column" });
    }
  }
  return { ok: missing.length === 0, sourceTables: input.source.length, sourceColumns: columns, migratedTables: migrated, leftOut, missing };
}

interface PgColumnRow {
  table: string;
  column: string;
  generated: string;
}

/**
 * The plan's coverage, checked against what PostgreSQL holds: every planned table exists in the target schema
 * with every column the copy fills, and every generated column of the source exists there as a generated
 * column. Counts and content (counts.ts, verify.ts) then compare the rows of these tables.
 */
export async function targetCoverage(client: PgClient, pgSchema: string, input: CoverageInput): Promise<CoverageResult> {
  const base = planCoverage(input);
  const { rows } = await client.query<PgColumnRow>(
    `SELECT c.relname AS "table", a.attname AS "column", a.attgenerated::text AS generated
       FROM pg_catalog.pg_class c
       JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
       JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
      WHERE n.nspname = $1 AND c.relkind IN ('r', 'p')`,
    [pgSchema],
  );
  const pgTables = new Map<string, Map<string, string>>();
  for (const r of rows) {
    let cols = pgTables.get(r.table);
    if (!cols) pgTables.set(r.table, (cols = new Map()));
    cols.set(r.column, r.generated);
  }
  const missing = [...base.missing];
  const sourceByName = new Map(input.source.map((t) => [t.name, t]));
  for (const plan of input.planned) {
    const source = sourceByName.get(plan.name);
    if (!source || !input.selected(plan.name)) continue;
    const cols = pgTables.get(plan.pgName);
    if (!cols) {
      missing.push({ table: plan.name, why: `PostgreSQL has no table "${pgSchema}"."${plan.pgName}"` });
      continue;
    }
    for (const c of plan.columns) {
      if (!cols.has(c.pgName)) missing.push({ table: plan.name, column: c.name, why: `PostgreSQL's "${plan.pgName}" has no column "${c.pgName}"` });
    }
    const plannedColumns = new Set(plan.columns.map((c) => c.name));
    for (const c of source.columns) {
      if ((c.hidden !== 2 && c.hidden !== 3) || plannedColumns.has(c.name)) continue;
      if (input.leftOutOnPurpose?.has(`${plan.name}.${c.name}`)) continue;
      if (cols.get(c.name) !== "s") missing.push({ table: plan.name, column: c.name, why: `a generated column in SQLite, not a generated column of PostgreSQL's "${plan.pgName}"` });
    }
  }
  return { ...base, ok: missing.length === 0, missing };
}

/** `table` or `table.column`. */
export function coverageName(x: { readonly table: string; readonly column?: string }): string {
  return x.column === undefined ? x.table : `${x.table}.${x.column}`;
}

/** One line for the summary, e.g. "12 tables and 80 columns of the file accounted for: 10 tables migrated, 2 left out". */
export function describeCoverage(c: CoverageResult): string {
  const leftTables = c.leftOut.filter((l) => l.column === undefined).length;
  const leftColumns = c.leftOut.length - leftTables;
  const parts = [`${c.migratedTables} migrated`, `${leftTables} left out`];
  if (leftColumns > 0) parts.push(`${leftColumns} column(s) left out`);
  if (c.missing.length > 0) parts.push(`${c.missing.length} MISSING`);
  return `${c.sourceTables} table(s) of the SQLite file, ${c.sourceColumns} column(s) of the migrated ones: ${parts.join(", ")}`;
}

/** The coverage verdict and one "left out: <why>" line per table or column of the file not in PostgreSQL. */
export function coverageLines(c: CoverageResult): string[] {
  return [
    `source:    ${describeCoverage(c)}`,
    ...c.leftOut.map((l) => `left out:  ${coverageName(l)} — ${l.reason}`),
    ...c.missing.map((m) => `MISSING:   ${coverageName(m)} — ${m.why}`),
  ];
}
