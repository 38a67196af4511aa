/** Views, translated when their SELECT means the same in PostgreSQL, else a decision with the SQLite text. Pure. */
import type { SqliteCatalog, SqliteTable } from "../../core/catalog.js";
import { quoteIdent } from "../../core/quote.js";
import type { Decision } from "../../core/decisions.js";
import { isOp, isWord, matchParen, splitTopLevel, tokenize, translate, type ColumnKind, type Token } from "../sql/index.js";
import { oneLine, stripSemicolon, type TableCtx } from "./context.js";

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

export function views(
  catalog: SqliteCatalog,
  contexts: readonly TableCtx[],
  notMigrated: readonly SqliteTable[],
  pgNames: ReadonlyMap<string, string>,
  out: string[],
  decisions: Decision[],
  refused: ReadonlyMap<string, string> = new Map(),
): { view: string; pgName: string; sql: string }[] {
  const statements: { view: string; pgName: string; sql: string }[] = [];
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
    statements.push({ view: view.name, pgName, sql: statement });
    decisions.push({
      table: view.name,
      code: "view",
      message: `view created by raw SQL in the migration (Prisma Migrate does not create views; migrate adds its Prisma view block, typed by PostgreSQL)${result.notes.length ? `; ${result.notes.join("; ")}` : ""}`,
    });
  }
  return statements;
}
