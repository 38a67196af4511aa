/**
 * What each SQLite virtual table becomes in PostgreSQL (introspect/virtual-tables.ts says what it is), as
 * decisions and reviewed raw SQL run after the data. PURE.
 *
 * Full-text search: SQLite's FTS index becomes a GIN index over a tsvector expression
 * (https://www.postgresql.org/docs/15/textsearch-tables.html#TEXTSEARCH-TABLES-INDEX). The 'simple' configuration
 * lower-cases and splits words without stemming or stop words, closest to FTS's default `unicode61`/`simple`
 * tokenizers; the two-argument to_tsvector with a constant configuration is immutable, so it can be indexed. A
 * query uses the index only when it repeats the indexed expression, which the decision spells out.
 */
import type { SqliteVirtualTable } from "../core/catalog.js";
import { quoteIdent } from "../core/quote.js";
import type { Decision } from "../core/decisions.js";
import { fitIdentifier } from "./identifiers.js";
import type { ColumnKind } from "./sql/index.js";

/** A migrated table as the extras stage sees it. */
export interface MigratedTable {
  readonly pgName: string;
  /** SQLite column name → PostgreSQL name, for the columns that exist in PostgreSQL. */
  readonly columns: ReadonlyMap<string, string>;
  readonly kinds: ReadonlyMap<string, ColumnKind>;
}

/** Kinds whose text cast is immutable (usable in an index expression) and means the value itself. */
const CASTABLE = new Set<ColumnKind>(["int", "bigint", "float", "decimal", "boolean"]);

const MODULE_LABEL: Readonly<Record<string, string>> = { fts3: "FTS3", fts4: "FTS4", fts5: "FTS5", rtree: "R-tree", rtree_i32: "R-tree (rtree_i32)" };

function label(v: SqliteVirtualTable): string {
  return MODULE_LABEL[v.module] ?? `"${v.module}"`;
}

function shadowNote(v: SqliteVirtualTable): string {
  return v.shadowTables.length === 0 ? "" : `; its shadow tables (${v.shadowTables.join(", ")}) hold SQLite's index structures and are not copied`;
}

function oneLine(sql: string): string {
  return sql.replace(/\s+/g, " ").trim();
}

/**
 * The tsvector expression over `columns` of `table`: `to_tsvector('simple', coalesce("a", '') || ' ' || …)`.
 * A column missing in PostgreSQL, or of a kind without an immutable text cast, makes it undefined (with why).
 */
export function tsvectorExpression(table: MigratedTable, columns: readonly string[]): { sql: string } | { reason: string } {
  const parts: string[] = [];
  for (const c of columns) {
    const key = [...table.columns.keys()].find((k) => k.toLowerCase() === c.toLowerCase());
    if (key === undefined) return { reason: `column ${c} is not a column of ${table.pgName} in PostgreSQL` };
    const kind = table.kinds.get(key) ?? "unknown";
    const q = quoteIdent(table.columns.get(key)!);
    if (kind === "text") parts.push(`coalesce(${q}, '')`);
    else if (CASTABLE.has(kind)) parts.push(`coalesce(${q}::text, '')`);
    else return { reason: `column ${c} is ${kind} in PostgreSQL, which has no immutable text form to index` };
  }
  if (parts.length === 0) return { reason: "it has no columns" };
  return { sql: `to_tsvector('simple', ${parts.join(" || ' ' || ")})` };
}

/**
 * Decisions for every virtual table, and the GIN index statements for the FTS ones. `lookup` finds a migrated
 * table by its SQLite name (undefined: not in PostgreSQL); `relationNames` is the schema's namespace of tables and
 * indexes (index names are fitted into it).
 */
export function convertVirtualTables(
  virtualTables: readonly SqliteVirtualTable[],
  lookup: (sqliteName: string) => MigratedTable | undefined,
  relationNames: Set<string>,
): { postDataSql: string[]; decisions: Decision[] } {
  const postDataSql: string[] = [];
  const decisions: Decision[] = [];
  // "left-out": the table is not in PostgreSQL on purpose, for this reviewed reason (coverage accepts it).
  const say = (v: SqliteVirtualTable, message: string, leftOut = false): void => {
    decisions.push({ table: v.name, code: leftOut ? "left-out" : "virtual-table", message });
  };
  /** `leftOut`: the virtual table itself is not a PostgreSQL table (external content: only the index is). */
  const ftsIndex = (v: SqliteVirtualTable, on: string, target: MigratedTable, intro: string, leftOut: boolean): void => {
    const expr = tsvectorExpression(target, v.indexedColumns ?? v.columns);
    if ("reason" in expr) {
      say(v, `${intro}; full-text index not created: ${expr.reason}${shadowNote(v)}; SQLite: ${oneLine(v.sql)}`, leftOut);
      return;
    }
    const name = fitIdentifier(`${on}_fts_idx`, relationNames).name;
    postDataSql.push(`CREATE INDEX ${quoteIdent(name)} ON ${quoteIdent(target.pgName)} USING gin (${expr.sql});`);
    say(
      v,
      `${intro}; full-text search as GIN index ${quoteIdent(name)} on ${quoteIdent(target.pgName)} (raw SQL in the migration): ` +
        `query it with WHERE ${expr.sql} @@ plainto_tsquery('simple', '…') — PostgreSQL's 'simple' configuration, ` +
        `not SQLite's tokenizer options or MATCH syntax${shadowNote(v)}`,
      leftOut,
    );
  };

  for (const v of virtualTables) {
    switch (v.kind) {
      case "fts": {
        const table = lookup(v.name);
        const intro = `${label(v)} virtual table migrated as a plain table: its columns as text, its rowid as the key column "${v.keyColumn ?? "rowid"}", every row copied`;
        if (table === undefined) {
          say(v, `${label(v)} virtual table not migrated: Prisma could not represent its stand-in table${shadowNote(v)}`);
          break;
        }
        ftsIndex(v, v.name, table, intro, false);
        break;
      }
      case "fts-external": {
        const content = v.contentTable ?? "";
        const intro = `${label(v)} virtual table with external content (content=${JSON.stringify(content)}): its text is that table's, so it is not a table in PostgreSQL`;
        if (v.contentType === undefined) {
          say(v, `${intro}; left out: the content table "${content}" does not exist in the file, so there is no text to index${shadowNote(v)}; SQLite: ${oneLine(v.sql)}`, true);
          break;
        }
        if (v.contentType === "view") {
          say(v, `${intro}; left out: the content "${content}" is a view, and PostgreSQL cannot index a view${shadowNote(v)}; SQLite: ${oneLine(v.sql)}`, true);
          break;
        }
        const target = lookup(content);
        if (target === undefined) {
          say(v, `${intro}; left out: the content table "${content}" is not migrated${shadowNote(v)}; SQLite: ${oneLine(v.sql)}`, true);
          break;
        }
        ftsIndex(v, content, target, intro, true);
        break;
      }
      case "fts-contentless":
        say(
          v,
          `contentless ${label(v)} virtual table (content=''): it stores only SQLite's index, no text to copy; left out — build a full-text index on the table that holds the text${shadowNote(v)}; SQLite: ${oneLine(v.sql)}`,
          true,
        );
        break;
      case "rtree": {
        const coordinates = v.module === "rtree_i32" ? "integer" : "double precision (R-tree stores 32-bit floats; each is copied exactly)";
        if (lookup(v.name) === undefined) {
          say(v, `${label(v)} virtual table not migrated: Prisma could not represent its stand-in table${shadowNote(v)}`);
          break;
        }
        say(
          v,
          `${label(v)} virtual table migrated as a plain table with every row: ${v.columns[0] ?? "id"} as the primary key, coordinates as ${coordinates}; the spatial index itself is not reproduced (consider PostGIS or a GiST index)${shadowNote(v)}`,
        );
        break;
      }
      case "other":
        say(v, `virtual table of module ${label(v)} not migrated: ${v.reason ?? "no PostgreSQL equivalent"}${shadowNote(v)}; SQLite: ${oneLine(v.sql)}`, true);
        break;
    }
  }
  return { postDataSql, decisions };
}
