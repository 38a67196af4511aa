/**
 * What Prisma's schema cannot express, as reviewed raw SQL appended to the baseline migration (Prisma allows
 * custom SQL in a migration: https://www.prisma.io/docs/orm/prisma-migrate/workflows/customizing-migrations),
 * plus a decision for each object, migrated or not. PURE: works on the catalog (and optional extra facts) only.
 *
 * Covered: partial and expression indexes (Prisma's SQLite introspection drops them), case-insensitive
 * uniqueness (`COLLATE NOCASE` → a unique index on lower(col)), CHECK constraints, generated columns (as STORED:
 * PostgreSQL 15 has no virtual ones), views, and reports for triggers and tables without a primary key.
 * Expressions are translated only when they mean the same in PostgreSQL (see sql/translate.ts); otherwise the
 * decision carries the SQLite text for a human to port.
 *
 * Statements are unqualified, like Prisma's own migration.sql: they run with search_path set to the target schema.
 */
import type { SqliteCatalog, SqliteIndex, SqliteTable } from "../db/sqlite-source.js";
import { quoteIdent } from "../db/quote.js";
import type { ExtraFacts } from "../introspect/extra-facts.js";
import { parseDeclaredType } from "./affinity.js";
import type { TablePlan } from "./convert.js";
import type { Decision } from "./decisions.js";
import { fitIdentifier, fitNames } from "./identifiers.js";
import {
  isOp,
  isWord,
  matchParen,
  parseCreateTable,
  render,
  splitTopLevel,
  tokenize,
  translate,
  type ColumnKind,
  type ParsedTable,
  type Token,
  type TranslateScope,
} from "./sql/index.js";
import { familyOf, type TypeFamily } from "./type-map.js";
import { convertVirtualTables } from "./virtual-tables.js";

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
  readonly viewStatements: { readonly view: string; readonly sql: string }[];
  /**
   * STORED generated columns PostgreSQL cannot compute (expression not portable, unreadable, or no safe type):
   * their values exist only in SQLite, so the caller keeps them as ordinary columns (kept-generated.ts).
   */
  readonly storedNotComputable: readonly { readonly table: string; readonly column: string }[];
}

const FAMILY_KIND: Readonly<Partial<Record<TypeFamily, ColumnKind>>> = {
  boolean: "boolean",
  timestamp: "timestamp",
  date: "date",
  time: "time",
  json: "json",
  smallint: "int",
  integer: "int",
  bigint: "bigint",
  float: "float",
  decimal: "decimal",
  varchar: "text",
  char: "text",
  text: "text",
  bytes: "bytes",
  untyped: "unknown",
  numeric: "unknown",
};

const KNOWN_KINDS = new Set<string>(["int", "bigint", "float", "decimal", "text", "boolean", "timestamp", "date", "time", "json", "bytes"]);

/** A copy-stage value kind as seen by the translator ("unknown" for kinds it does not reason about). */
function asKind(kind: string): ColumnKind {
  return KNOWN_KINDS.has(kind) ? (kind as ColumnKind) : "unknown";
}

/** Collapse whitespace so the SQLite text reads on one report line. */
function oneLine(sql: string): string {
  return sql.replace(/\s+/g, " ").trim();
}

function stripSemicolon(tokens: Token[]): Token[] {
  while (tokens.length > 0 && isOp(tokens[tokens.length - 1], ";")) tokens.pop();
  return tokens;
}

interface TableCtx {
  readonly table: SqliteTable;
  readonly pgName: string;
  readonly parsed: ParsedTable | null;
  /** SQLite column name → PostgreSQL name, for the columns that exist in PostgreSQL. */
  readonly columns: Map<string, string>;
  readonly kinds: Map<string, ColumnKind>;
  /** Constraint names used on this table. */
  readonly constraintNames: Set<string>;
}

function scopeFor(ctx: TableCtx): TranslateScope {
  const names = new Map<string, string>([[ctx.table.name.toLowerCase(), ctx.pgName]]);
  const kinds = new Map<string, ColumnKind>();
  for (const [sqlite, pg] of ctx.columns) {
    names.set(sqlite.toLowerCase(), pg);
    const k = ctx.kinds.get(sqlite);
    if (k) kinds.set(sqlite.toLowerCase(), k);
  }
  return { names, kinds, closed: true };
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

// ---------------------------------------------------------------------------------------------------------------

function generatedType(declared: string): { sql: string; kind: ColumnKind } | undefined {
  const family = familyOf(declared);
  switch (family) {
    case "smallint":
    case "integer":
    case "bigint":
      return { sql: "BIGINT", kind: "bigint" };
    case "float":
      return { sql: "DOUBLE PRECISION", kind: "float" };
    case "decimal": {
      const [p, s = 0] = parseDeclaredType(declared).params;
      const valid = p !== undefined && Number.isInteger(p) && Number.isInteger(s) && p >= 1 && p <= 1000 && s >= 0 && s <= p;
      return { sql: valid ? `NUMERIC(${p},${s})` : "NUMERIC", kind: "decimal" };
    }
    case "varchar":
    case "char":
    case "text":
      return { sql: "TEXT", kind: "text" };
    case "boolean":
      return { sql: "BOOLEAN", kind: "boolean" };
    default:
      return undefined;
  }
}

function generatedColumns(ctx: TableCtx, out: string[], decisions: Decision[], storedNotComputable: { table: string; column: string }[]): void {
  const scope = scopeFor(ctx); // base columns only: PostgreSQL forbids generated columns referring to each other
  for (const column of ctx.table.columns) {
    if (column.hidden !== 2 && column.hidden !== 3) continue;
    const kindWord = column.hidden === 2 ? "VIRTUAL" : "STORED";
    const parsed = ctx.parsed?.columns.find((c) => c.name.toLowerCase() === column.name.toLowerCase())?.generated;
    const sqliteText = parsed ? `${column.name} ${column.declaredType} GENERATED ALWAYS AS (${oneLine(render(parsed.expr))}) ${kindWord}` : undefined;
    const type = generatedType(column.declaredType);
    const tr = parsed && type ? translate(parsed.expr, scope) : undefined;
    // Why PostgreSQL cannot compute it, or undefined when it can.
    const why = !parsed
      ? "its expression could not be read from CREATE TABLE"
      : !type
        ? `declared type "${column.declaredType}" has no safe PostgreSQL equivalent for a generated value`
        : !tr!.ok
          ? `expression not portable (${tr!.reason})`
          : undefined;
    const report = (message: string): void => {
      decisions.push({ table: ctx.table.name, column: column.name, code: "generated", message });
    };
    const notMigrated = (reason: string): void =>
      report(`generated column (${kindWord}) not migrated: ${reason}${sqliteText ? `; SQLite: ${sqliteText}` : ""}`);
    if (ctx.columns.has(column.name)) {
      // A STORED column PostgreSQL cannot compute was added to the schema (kept-generated.ts): its values are copied.
      if (column.hidden === 3 && why !== undefined) {
        report(
          `stored generated column kept as an ordinary column holding the values SQLite stored: PostgreSQL cannot compute it (${why}); ` +
            `the application now has to write it${sqliteText ? `; SQLite: ${sqliteText}` : ""}`,
        );
      } else notMigrated("Prisma created it as an ordinary column");
      continue;
    }
    if (why !== undefined || !tr?.ok || !type) {
      if (column.hidden === 3) storedNotComputable.push({ table: ctx.table.name, column: column.name });
      notMigrated(why ?? "no PostgreSQL expression");
      continue;
    }
    const pgName = fitIdentifier(column.name, new Set(ctx.columns.values())).name;
    out.push(`ALTER TABLE ${quoteIdent(ctx.pgName)} ADD COLUMN ${quoteIdent(pgName)} ${type.sql} GENERATED ALWAYS AS (${tr.sql}) STORED;`);
    ctx.columns.set(column.name, pgName);
    ctx.kinds.set(column.name, type.kind);
    const notes = [
      column.hidden === 2 ? "VIRTUAL in SQLite, STORED in PostgreSQL 15 (no virtual generated columns)" : undefined,
      "not in schema.prisma (Prisma does not model generated columns) and not copied: PostgreSQL computes it",
      ...tr.notes,
    ].filter((n): n is string => n !== undefined);
    report(`generated column added by raw SQL in the migration as ${type.sql} GENERATED ALWAYS AS (${tr.sql}) STORED; ${notes.join("; ")}`);
  }
}

/** SQLAlchemy's Boolean writes `CHECK (col IN (0, 1))`: a PostgreSQL boolean needs no check. */
function isBooleanDomainCheck(expr: readonly Token[], ctx: TableCtx): boolean {
  const sig = expr.map((t) => t.text.toLowerCase());
  if (expr.length !== 7 || sig[1] !== "in" || sig[2] !== "(" || sig[6] !== ")") return false;
  if (!((sig[3] === "0" && sig[5] === "1") || (sig[3] === "1" && sig[5] === "0"))) return false;
  const col = [...ctx.columns.keys()].find((c) => c.toLowerCase() === expr[0].value.toLowerCase());
  return col !== undefined && ctx.kinds.get(col) === "boolean";
}

function checkConstraints(ctx: TableCtx, out: string[], decisions: Decision[]): void {
  if (!ctx.parsed) return;
  const scope = scopeFor(ctx);
  ctx.parsed.checks.forEach((check, n) => {
    const sqliteText = `${check.name ? `CONSTRAINT ${check.name} ` : ""}CHECK (${oneLine(render(check.expr))})`;
    const base = { table: ctx.table.name, ...(check.column ? { column: check.column } : {}), code: "check" };
    if (isBooleanDomainCheck(check.expr, ctx)) {
      decisions.push({ ...base, message: `${sqliteText} dropped: the column is boolean in PostgreSQL, which allows only true/false` });
      return;
    }
    const tr = translate(check.expr, scope);
    if (!tr.ok) {
      decisions.push({ ...base, message: `CHECK constraint not migrated: not portable (${tr.reason}); SQLite: ${sqliteText}` });
      return;
    }
    const name = fitIdentifier(check.name ?? `${ctx.table.name}_${n + 1}_check`, ctx.constraintNames).name;
    out.push(`ALTER TABLE ${quoteIdent(ctx.pgName)} ADD CONSTRAINT ${quoteIdent(name)} CHECK (${tr.sql});`);
    decisions.push({
      ...base,
      message: `CHECK constraint added by raw SQL in the migration as ${quoteIdent(name)} CHECK (${tr.sql}) (Prisma does not model CHECK constraints)${tr.notes.length ? `; ${tr.notes.join("; ")}` : ""}`,
    });
  });
}

// ---------------------------------------------------------------------------------------------------------------

interface IndexItem {
  readonly expr: Token[];
  readonly collation: string | null;
  readonly order: string | null;
}

interface ParsedIndex {
  readonly items: IndexItem[];
  readonly where: Token[] | null;
}

/** `CREATE [UNIQUE] INDEX [IF NOT EXISTS] name ON table ( item, … ) [WHERE expr]` (https://sqlite.org/lang_createindex.html). */
function parseIndexSql(sql: string): ParsedIndex {
  const tokens = stripSemicolon(tokenize(sql));
  const on = tokens.findIndex((t) => isWord(t, "on"));
  const open = on + 2;
  if (on < 0 || !isOp(tokens[open], "(")) throw new Error("unexpected CREATE INDEX form");
  const close = matchParen(tokens, open);
  const items = splitTopLevel(tokens.slice(open + 1, close)).map((raw): IndexItem => {
    const expr = [...raw];
    let order: string | null = null;
    let collation: string | null = null;
    if (isWord(expr[expr.length - 1], "asc", "desc")) order = expr.pop()!.value.toUpperCase();
    if (expr.length >= 2 && isWord(expr[expr.length - 2], "collate")) {
      collation = expr.pop()!.value.toUpperCase();
      expr.pop();
    }
    return { expr, collation, order };
  });
  const rest = tokens.slice(close + 1);
  const where = isWord(rest[0], "where") ? rest.slice(1) : null;
  return { items, where };
}

function indexCollations(ix: SqliteIndex, ctx: TableCtx, parsed: ParsedIndex | null, facts?: ExtraFacts): string[] {
  const fromFacts = facts?.indexCollations.get(ix.name);
  return ix.columns.map((col, i) => {
    if (fromFacts?.[i]) return fromFacts[i].toUpperCase();
    const explicit = parsed?.items[i]?.collation;
    if (explicit) return explicit;
    if (col === null) return "BINARY";
    return ctx.parsed?.columns.find((c) => c.name.toLowerCase() === col.toLowerCase())?.collation ?? "BINARY";
  });
}

function indexes(
  ctx: TableCtx,
  facts: ExtraFacts | undefined,
  relationNames: Set<string>,
  out: string[],
  decisions: Decision[],
  handled: string[],
): void {
  const scope = scopeFor(ctx);
  const nocaseCovered = new Set<string>();
  for (const ix of ctx.table.indexes) {
    let parsed: ParsedIndex | null = null;
    if (ix.sql) {
      try {
        parsed = parseIndexSql(ix.sql);
      } catch {
        parsed = null;
      }
    }
    const collations = indexCollations(ix, ctx, parsed, facts);
    if (isSpecialIndex(ix)) {
      handled.push(ix.name);
      const what = ix.partial ? (ix.columns.includes(null) ? "partial expression index" : "partial index") : "expression index";
      const result = parsed ? translateIndex(ix, parsed, collations, ctx, scope) : { ok: false as const, reason: "cannot parse its SQL" };
      if (!result.ok) {
        decisions.push({ table: ctx.table.name, code: "index", message: `${what} ${ix.name} not migrated: ${result.reason}; SQLite: ${oneLine(ix.sql ?? "")}` });
        continue;
      }
      const name = fitIdentifier(ix.name, relationNames).name;
      out.push(`CREATE ${ix.unique ? "UNIQUE " : ""}INDEX ${quoteIdent(name)} ON ${quoteIdent(ctx.pgName)} ${result.body};`);
      decisions.push({
        table: ctx.table.name,
        code: "index",
        message: `${what} ${quoteIdent(name)} added by raw SQL in the migration (Prisma cannot express it)${result.notes.length ? `; ${result.notes.join("; ")}` : ""}`,
      });
      continue;
    }
    // Plain index Prisma keeps; a case-insensitive UNIQUE needs a companion index on lower(col).
    const nocase = ix.columns.map((col, i) => col !== null && collations[i] === "NOCASE" && ctx.kinds.get(columnKey(ctx, col)) === "text");
    ix.columns.forEach((col, i) => {
      if (col !== null && collations[i] === "NOCASE") nocaseCovered.add(col.toLowerCase());
    });
    const rtrim = ix.columns.filter((col, i) => col !== null && collations[i] === "RTRIM");
    if (ix.unique && rtrim.length > 0) {
      decisions.push({ table: ctx.table.name, code: "collation", message: `unique index ${ix.name} uses COLLATE RTRIM (trailing spaces ignored); PostgreSQL's unique index compares them` });
    }
    if (!ix.unique || !nocase.some(Boolean)) continue;
    const cols = ix.columns as string[];
    if (!cols.every((c) => ctx.columns.has(columnKey(ctx, c)))) continue;
    const parts = cols.map((c, i) => {
      const q = quoteIdent(ctx.columns.get(columnKey(ctx, c))!);
      return nocase[i] ? `lower(${q})` : q;
    });
    const name = fitIdentifier(`${ctx.table.name}_${cols.join("_")}_lower_key`, relationNames).name;
    out.push(`CREATE UNIQUE INDEX ${quoteIdent(name)} ON ${quoteIdent(ctx.pgName)} (${parts.join(", ")});`);
    const lowered = cols.filter((_, i) => nocase[i]).join(", ");
    decisions.push({
      table: ctx.table.name,
      column: cols.length === 1 ? cols[0] : undefined,
      code: "nocase-unique",
      message:
        `case-insensitive uniqueness (COLLATE NOCASE) kept as unique index ${quoteIdent(name)} on ${parts.join(", ")}; ` +
        `queries on ${lowered} stay case-sensitive in PostgreSQL — consider citext (@db.Citext); ` +
        "lower() folds all letters in PostgreSQL, only ASCII in SQLite",
    });
  }
  for (const col of ctx.parsed?.columns ?? []) {
    if (col.collation !== "NOCASE" || nocaseCovered.has(col.name.toLowerCase())) continue;
    decisions.push({
      table: ctx.table.name,
      column: col.name,
      code: "nocase",
      message: "compared case-insensitively in SQLite (COLLATE NOCASE); PostgreSQL compares text case-sensitively — consider citext (@db.Citext)",
    });
  }
}

/** A partial or expression index: what Prisma's introspection drops and this module translates. */
function isSpecialIndex(ix: SqliteIndex): boolean {
  return ix.origin === "c" && (ix.partial || ix.columns.includes(null));
}

/** The catalog spelling of a column name (SQLite names are case-insensitive). */
function columnKey(ctx: TableCtx, name: string): string {
  return ctx.table.columns.find((c) => c.name.toLowerCase() === name.toLowerCase())?.name ?? name;
}

function translateIndex(
  ix: SqliteIndex,
  parsed: ParsedIndex,
  collations: readonly string[],
  ctx: TableCtx,
  scope: TranslateScope,
): { ok: true; body: string; notes: string[] } | { ok: false; reason: string } {
  const notes = new Set<string>();
  const items: string[] = [];
  for (const [i, item] of parsed.items.entries()) {
    const tr = translate(item.expr, scope);
    if (!tr.ok) return { ok: false, reason: `not portable (${tr.reason})` };
    tr.notes.forEach((n) => notes.add(n));
    const collation = collations[i] ?? item.collation ?? "BINARY";
    const single = item.expr.length === 1 && (item.expr[0].kind === "word" || item.expr[0].kind === "ident");
    let sql = single ? tr.sql : `(${tr.sql})`;
    if (collation === "NOCASE") {
      const col = single ? columnKey(ctx, item.expr[0].value) : null;
      const folded = !single && isWord(item.expr[0], "lower", "upper") && isOp(item.expr[1], "(") && matchParen(item.expr, 1) === item.expr.length - 1;
      if (col !== null && ctx.kinds.get(col) === "text") {
        if (ix.unique) {
          sql = `lower(${tr.sql})`;
          notes.add("COLLATE NOCASE uniqueness kept with lower(); lower() folds all letters in PostgreSQL, only ASCII in SQLite");
        } else {
          notes.add("COLLATE NOCASE dropped: the PostgreSQL index compares case-sensitively");
        }
      } else if (!folded && ix.unique) {
        return { ok: false, reason: "COLLATE NOCASE on an expression in a unique index" };
      }
    } else if (collation !== "BINARY") {
      return { ok: false, reason: `COLLATE ${collation}` };
    }
    items.push(item.order ? `${sql} ${item.order}` : sql);
  }
  let where = "";
  if (parsed.where) {
    const tr = translate(parsed.where, scope);
    if (!tr.ok) return { ok: false, reason: `predicate not portable (${tr.reason})` };
    tr.notes.forEach((n) => notes.add(n));
    where = ` WHERE ${tr.sql}`;
  }
  return { ok: true, body: `(${items.join(", ")})${where}`, notes: [...notes] };
}

// ---------------------------------------------------------------------------------------------------------------

/** `CREATE [TEMP] VIEW [IF NOT EXISTS] name [(columns)] AS select` (https://sqlite.org/lang_createview.html). */
function parseViewSql(sql: string): { columns: string[] | null; select: Token[] } {
  const tokens = stripSemicolon(tokenize(sql));
  let i = tokens.findIndex((t) => isWord(t, "view")) + 1;
  if (i === 0) throw new Error("not a CREATE VIEW");
  if (isWord(tokens[i], "if")) i += 3;
  i += isOp(tokens[i + 1], ".") ? 3 : 1;
  let columns: string[] | null = null;
  if (isOp(tokens[i], "(")) {
    const close = matchParen(tokens, i);
    columns = splitTopLevel(tokens.slice(i + 1, close)).map((part) => part[0].value);
    i = close + 1;
  }
  if (!isWord(tokens[i], "as")) throw new Error("no AS");
  return { columns, select: tokens.slice(i + 1) };
}

function views(
  catalog: SqliteCatalog,
  contexts: readonly TableCtx[],
  notMigrated: readonly SqliteTable[],
  pgNames: ReadonlyMap<string, string>,
  out: string[],
  decisions: Decision[],
  refused: ReadonlyMap<string, string> = new Map(),
): { view: string; sql: string }[] {
  const statements: { view: string; sql: string }[] = [];
  const names = new Map<string, string>();
  const kindSets = new Map<string, Set<ColumnKind>>();
  const missing = new Map<string, string>();
  for (const ctx of contexts) {
    names.set(ctx.table.name.toLowerCase(), ctx.pgName);
    for (const [sqlite, pg] of ctx.columns) {
      const key = sqlite.toLowerCase();
      const prior = names.get(key);
      // A name spelled two ways in two tables cannot be re-quoted without knowing which table it refers to.
      if (prior !== undefined && prior !== pg) missing.set(key, `column name ${sqlite} is spelled differently in several tables`);
      names.set(key, pg);
      const set = kindSets.get(key) ?? new Set<ColumnKind>();
      set.add(ctx.kinds.get(sqlite) ?? "unknown");
      kindSets.set(key, set);
    }
    for (const c of ctx.table.columns) {
      if (!ctx.columns.has(c.name) && !names.has(c.name.toLowerCase())) missing.set(c.name.toLowerCase(), `column ${c.name} is not migrated`);
    }
  }
  for (const t of notMigrated) missing.set(t.name.toLowerCase(), `table ${t.name} is not migrated`);
  const kinds = new Map<string, ColumnKind>();
  for (const [k, set] of kindSets) kinds.set(k, set.size === 1 ? [...set][0] : "unknown");

  for (const view of catalog.views) {
    if (view.error !== undefined) {
      // SQLite itself cannot run it (introspect/unpreparable-views.ts): nothing to translate.
      missing.set(view.name.toLowerCase(), `view ${view.name} is not migrated`);
      decisions.push({ table: view.name, code: "view", message: `view not migrated: SQLite itself cannot run it (${view.error}); SQLite: ${oneLine(view.sql)}` });
      continue;
    }
    const pgName = pgNames.get(view.name) ?? view.name;
    let result: ReturnType<typeof translate>;
    let columns: string[] | null = null;
    try {
      const parsed = parseViewSql(view.sql);
      columns = parsed.columns;
      result = translate(parsed.select, { names, kinds, closed: false, missing });
    } catch (e) {
      result = { ok: false, reason: `cannot parse: ${(e as Error).message}` };
    }
    if (!result.ok) {
      missing.set(view.name.toLowerCase(), `view ${view.name} is not migrated`);
      decisions.push({ table: view.name, code: "view", message: `view not migrated: not portable (${result.reason}); SQLite: ${oneLine(view.sql)}` });
      continue;
    }
    const columnList = columns ? ` (${columns.map(quoteIdent).join(", ")})` : "";
    const statement = `CREATE VIEW ${quoteIdent(pgName)}${columnList} AS ${result.sql};`;
    const refusal = refused.get(view.name);
    if (refusal !== undefined) {
      missing.set(view.name.toLowerCase(), `view ${view.name} is not migrated`);
      decisions.push({ table: view.name, code: "view", message: `view not migrated: PostgreSQL refused its translation (${refusal}); translated: ${statement} SQLite: ${oneLine(view.sql)}` });
      continue;
    }
    names.set(view.name.toLowerCase(), pgName);
    out.push(statement);
    statements.push({ view: view.name, sql: statement });
    decisions.push({
      table: view.name,
      code: "view",
      message: `view added by raw SQL in the migration (Prisma does not model views without the "views" preview feature)${result.notes.length ? `; ${result.notes.join("; ")}` : ""}`,
    });
  }
  return statements;
}

// ---------------------------------------------------------------------------------------------------------------

function sectionKind(statement: string): string {
  if (/^CREATE VIEW/.test(statement)) return "CreateView";
  if (/^CREATE (UNIQUE )?INDEX/.test(statement)) return "CreateIndex";
  if (/ADD CONSTRAINT .* CHECK/.test(statement)) return "AddCheckConstraint";
  if (/ADD COLUMN/.test(statement)) return "AddGeneratedColumn";
  return "RawSql";
}

/**
 * The text to append to migration.sql: one `-- <Kind>` section per statement, the format split.ts reads (none of
 * these kinds is pre-data, so they land in postData, after the copy, in this order).
 */
export function renderExtrasSql(statements: readonly string[]): string {
  if (statements.length === 0) return "";
  return `-- sqlite2pg: what Prisma's schema cannot express (see the decisions in the summary)\n\n${statements
    .map((s) => `-- ${sectionKind(s)}\n${s}\n`)
    .join("\n")}`;
}
