/**
 * What Prisma's schema cannot express, as reviewed raw SQL appended to the baseline migration (Prisma allows
 * custom SQL in a migration: https://www.prisma.io/docs/orm/prisma-migrate/workflows/customizing-migrations),
 * plus a decision for each object, migrated or not. PURE: works on the catalog (and optional extra facts) only.
 *
 * Covered: partial and expression indexes (Prisma's SQLite introspection drops them), case-insensitive
 * uniqueness (`COLLATE NOCASE` on a column that stays text → a unique index on lower(col)), CHECK constraints, generated columns (as STORED:
 * PostgreSQL 15 has no virtual ones), views, and reports for triggers and tables without a primary key.
 * Expressions are translated only when they mean the same in PostgreSQL (see sql/translate.ts); otherwise the
 * decision carries the SQLite text for a human to port.
 *
 * Statements are unqualified, like Prisma's own migration.sql: they run with search_path set to the target schema.
 */
import type { SqliteCatalog } from "../../core/catalog.js";
import type { ExtraFacts } from "../../core/catalog.js";
import type { TablePlan } from "../convert.js";
import type { Decision } from "../../core/decisions.js";
import { fitNames } from "../identifiers.js";
import { parseCreateTable, type ColumnKind, type ParsedTable } from "../sql/index.js";
import { familyOf } from "../type-map.js";
import { convertVirtualTables } from "../virtual-tables.js";
import { asKind, FAMILY_KIND, oneLine, type TableCtx } from "./context.js";
import { checkConstraints } from "./checks.js";
import { generatedColumns } from "./generated-columns.js";
import { indexes, isSpecialIndex } from "./indexes.js";
import { views } from "./views.js";

export interface ExtrasOptions {
  /** Target schema; statements stay unqualified (they run with search_path set to it, as Prisma's do). */
  readonly pgSchema?: string;
  /** Index key collations read by readExtraFacts(); without them, collations come from the CREATE TABLE/INDEX text. */
  readonly facts?: ExtraFacts;
  /**
   * convertSchema's table plans: which tables and columns exist in PostgreSQL and with which type. Without them,
   * every table and non-generated column is assumed to exist, typed from its declaration.
   */
  readonly tables?: readonly TablePlan[];
  /** View name → PostgreSQL's error for translated views the target refused (apply/validate-views.ts): left out. */
  readonly refusedViews?: ReadonlyMap<string, string>;
}

export interface ExtrasResult {
  /** Statements (each ending with `;`) in the order to run them, after Prisma's post-data DDL and the copy. */
  readonly postDataSql: string[];
  readonly decisions: Decision[];
  /** SQLite index names handled here: the caller removes any @@index/@@unique Prisma kept for them. */
  readonly indexesHandled: string[];
  /** The CREATE VIEW statement of each translated view (also in postDataSql), by SQLite view name. */
  readonly viewStatements: { readonly view: string; readonly pgName: string; readonly sql: string }[];
  /**
   * STORED generated columns PostgreSQL cannot compute (expression not portable, unreadable, or no safe type):
   * their values exist only in SQLite, so the caller keeps them as ordinary columns (kept-generated.ts).
   */
  readonly storedNotComputable: readonly { readonly table: string; readonly column: string }[];
}

export function convertExtras(catalog: SqliteCatalog, options: ExtrasOptions = {}): ExtrasResult {
  const postDataSql: string[] = [];
  const decisions: Decision[] = [];
  const indexesHandled: string[] = [];
  const storedNotComputable: { table: string; column: string }[] = [];
  const plans = options.tables ? new Map(options.tables.map((p) => [p.name, p])) : undefined;
  const migrated = catalog.tables.filter((t) => !plans || plans.has(t.name));
  const notMigrated = catalog.tables.filter((t) => plans && !plans.has(t.name));

  // Tables, views and indexes share one PostgreSQL namespace per schema.
  const relationNames = new Set<string>();
  const pgTableNames = fitNames([...catalog.tables.map((t) => t.name), ...catalog.views.map((v) => v.name)], relationNames);
  for (const t of catalog.tables) {
    relationNames.add(`${t.name}_pkey`);
    for (const c of t.columns) {
      relationNames.add(`${t.name}_${c.name}_key`);
      relationNames.add(`${t.name}_${c.name}_seq`);
    }
    for (const ix of t.indexes) {
      // Partial/expression indexes are dropped by Prisma: their names stay free for the indexes made here.
      if (!isSpecialIndex(ix)) relationNames.add(ix.name);
      const cols = ix.columns.filter((c): c is string => c !== null).join("_");
      relationNames.add(`${t.name}_${cols}_key`);
      relationNames.add(`${t.name}_${cols}_idx`);
    }
  }

  const contexts: TableCtx[] = [];
  for (const table of migrated) {
    let parsed: ParsedTable | null = null;
    try {
      parsed = parseCreateTable(table.sql);
    } catch (e) {
      decisions.push({
        table: table.name,
        code: "extras-parse",
        message: `CREATE TABLE could not be parsed (${(e as Error).message}): CHECK constraints, collations and generated columns not migrated; SQLite: ${oneLine(table.sql)}`,
      });
    }
    const plan = plans?.get(table.name);
    const present = plan
      ? plan.columns.map((c) => c.name)
      : table.columns.filter((c) => c.hidden === 0).map((c) => c.name);
    const pgCols = plan ? new Map(plan.columns.map((c) => [c.name, c.pgName])) : fitNames(present);
    const kinds = new Map<string, ColumnKind>();
    for (const c of table.columns) kinds.set(c.name, FAMILY_KIND[familyOf(c.declaredType)] ?? "unknown");
    for (const c of plan?.columns ?? []) kinds.set(c.name, asKind(c.kind));
    contexts.push({
      table,
      pgName: plan?.pgName ?? pgTableNames.get(table.name) ?? table.name,
      parsed,
      columns: pgCols,
      kinds,
      nocase: new Map((plan?.columns ?? []).flatMap((c) => (c.nocase ? [[c.name, c.nocase] as const] : []))),
      constraintNames: new Set([`${table.name}_pkey`, ...table.foreignKeys.map((fk) => `${table.name}_${fk.from.join("_")}_fkey`)]),
    });
  }

  for (const ctx of contexts) generatedColumns(ctx, postDataSql, decisions, storedNotComputable);
  for (const ctx of contexts) checkConstraints(ctx, postDataSql, decisions);
  for (const ctx of contexts) indexes(ctx, options.facts, relationNames, postDataSql, decisions, indexesHandled);
  const viewStatements = views(catalog, contexts, notMigrated, pgTableNames, postDataSql, decisions, options.refusedViews);
  const virtual = convertVirtualTables(catalog.virtualTables ?? [], (name) => contexts.find((c) => c.table.name === name), relationNames);
  postDataSql.push(...virtual.postDataSql);
  decisions.push(...virtual.decisions);
  for (const ctx of contexts) {
    for (const fk of ctx.table.danglingForeignKeys ?? []) {
      decisions.push({
        table: ctx.table.name,
        ...(fk.from.length === 1 ? { column: fk.from[0] } : {}),
        code: "foreign-key",
        message: `foreign key (${fk.from.join(", ")}) → ${fk.table}(${fk.to.map((c) => c ?? "its primary key").join(", ")}) not migrated: the file has no table "${fk.table}"; the column values are copied as they are`,
      });
    }
  }

  for (const trigger of catalog.triggers) {
    decisions.push({
      table: trigger.table,
      code: "trigger",
      message: `trigger ${trigger.name} not migrated: rewrite it as a PostgreSQL trigger function; SQLite: ${oneLine(trigger.sql)}`,
    });
  }
  for (const ctx of contexts) {
    if (ctx.table.columns.some((c) => c.pkOrder > 0)) continue;
    // An implicit many-to-many relation table has no model; Prisma's migration gives it its primary key (A, B).
    if (plans?.get(ctx.table.name)?.implicitRelation) continue;
    decisions.push({
      table: ctx.table.name,
      code: "no-primary-key",
      message:
        "table has no primary key: Prisma Client cannot address its rows (the model is @@ignore); consider adding `id BigInt @id @default(autoincrement())`",
    });
  }
  return { postDataSql, decisions, indexesHandled, viewStatements, storedNotComputable };
}

export { renderExtrasSql } from "./render.js";
