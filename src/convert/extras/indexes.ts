/** Partial, expression and case-insensitive indexes Prisma's SQLite introspection drops. Pure. */
import type { SqliteIndex } from "../../core/catalog.js";
import { quoteIdent } from "../../core/quote.js";
import type { ExtraFacts } from "../../core/catalog.js";
import type { Decision } from "../../core/decisions.js";
import { fitIdentifier } from "../identifiers.js";
import { isOp, isWord, matchParen, splitTopLevel, tokenize, translate, type Token, type TranslateScope } from "../sql/index.js";
import { oneLine, scopeFor, stripSemicolon, type TableCtx } from "./context.js";

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

export function indexes(
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
    // A citext column (nocase.ts) compares case-insensitively itself: the index Prisma keeps is enough.
    const nocase = ix.columns.map(
      (col, i) => col !== null && collations[i] === "NOCASE" && ctx.kinds.get(columnKey(ctx, col)) === "text" && ctx.nocase.get(columnKey(ctx, col)) !== "citext",
    );
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
        `queries on ${lowered} stay case-sensitive in PostgreSQL${cols.every((c, i) => !nocase[i] || ctx.nocase.has(columnKey(ctx, c))) ? "" : " — consider citext (@db.Citext)"}; ` +
        "lower() folds all letters in PostgreSQL, only ASCII in SQLite",
    });
  }
  for (const col of ctx.parsed?.columns ?? []) {
    // Converted columns have their decision from convert-model.ts (citext, or why not).
    if (col.collation !== "NOCASE" || nocaseCovered.has(col.name.toLowerCase()) || ctx.nocase.has(columnKey(ctx, col.name))) continue;
    decisions.push({
      table: ctx.table.name,
      column: col.name,
      code: "nocase",
      message: "compared case-insensitively in SQLite (COLLATE NOCASE); PostgreSQL compares text case-sensitively — consider citext (@db.Citext)",
    });
  }
}

/** A partial or expression index: what Prisma's introspection drops and this module translates. */
export function isSpecialIndex(ix: SqliteIndex): boolean {
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
      if (col !== null && ctx.nocase.get(col) === "citext") {
        // citext compares case-insensitively: the index keeps NOCASE as it is.
      } else if (col !== null && ctx.kinds.get(col) === "text") {
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
