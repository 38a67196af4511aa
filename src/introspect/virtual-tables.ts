/**
 * What each virtual table of a SQLite file is, and what it becomes in PostgreSQL
 * (https://sqlite.org/vtab.html). A virtual table's rows live in its module, its shadow tables hold the module's
 * private structures (https://sqlite.org/vtab.html#xshadowname), so neither can be copied as an ordinary table:
 *
 * - FTS3/FTS4/FTS5 holding its own text (https://sqlite.org/fts3.html, https://sqlite.org/fts5.html): a plain table
 *   with the FTS columns as text and the rowid as the key column `rowid` (FTS3/4 call it `docid` too; "rowid" is
 *   the name every FTS version accepts), plus a GIN full-text index (convert/virtual-tables.ts).
 * - FTS with external content (`content=<table>`, https://sqlite.org/fts5.html#external_content_tables): its text
 *   is the content table's; only the index is made, on the content table.
 * - Contentless FTS (`content=''`, https://sqlite.org/fts5.html#contentless_tables): no text to copy.
 * - R-tree (https://sqlite.org/rtree.html): a plain table with its rows, id as the key, coordinates as
 *   double precision (`rtree_i32`: integer), auxiliary columns (`+name`) as declared.
 * - Any other module: reported by name, left out.
 *
 * For a table that becomes a plain one, `plainSql` is an ordinary CREATE TABLE with the same columns: it stands
 * in for the virtual table in the schema-only clone Prisma introspects (so it gets a model) and in the catalog
 * (so profile, copy and verification treat it like any table). Reading its rows goes through the module:
 * `SELECT rowid, … FROM fts` works on every FTS version and on R-trees.
 */
import { quoteIdent } from "../core/quote.js";
import type { SourceTableEntry } from "./source-tables.js";
import { type SqliteVirtualTable } from "../core/catalog.js";

const FTS_MODULES = new Set(["fts3", "fts4", "fts5"]);
const RTREE_MODULES = new Set(["rtree", "rtree_i32"]);

/** The text between the parentheses of `USING module(...)`, split at top-level commas (quotes respected). */
export function moduleArguments(sql: string): string[] {
  const using = /\bUSING\s+(?:"(?:[^"]|"")*"|\[[^\]]*\]|`(?:[^`]|``)*`|\w+)\s*\(/i.exec(sql);
  if (!using) return [];
  const args: string[] = [];
  let depth = 0;
  let current = "";
  let quote: string | null = null;
  for (let i = using.index + using[0].length; i < sql.length; i++) {
    const ch = sql[i];
    if (quote !== null) {
      current += ch;
      if (ch === quote) {
        // A doubled quote inside a quoted string stays part of it.
        if (sql[i + 1] === quote && quote !== "]") {
          current += sql[++i];
        } else quote = null;
      }
      continue;
    }
    if (ch === "'" || ch === '"' || ch === "`") quote = ch;
    else if (ch === "[") quote = "]";
    else if (ch === "(") depth++;
    else if (ch === ")") {
      if (depth === 0) break;
      depth--;
    } else if (ch === "," && depth === 0) {
      args.push(current.trim());
      current = "";
      continue;
    }
    current += ch;
  }
  if (current.trim() !== "") args.push(current.trim());
  return args;
}

/** `'a''b'` → `a'b`, `"x"` → `x`, `[x]` → `x`, bare words unchanged. */
export function unquoteSqlite(value: string): string {
  const v = value.trim();
  const q = v[0];
  if ((q === "'" || q === '"' || q === "`") && v.endsWith(q) && v.length >= 2) return v.slice(1, -1).split(q + q).join(q);
  if (q === "[" && v.endsWith("]")) return v.slice(1, -1);
  return v;
}

/** FTS options are `key = value` arguments (FTS3/4 write them bare, FTS5 quotes the value). */
export function ftsOption(args: readonly string[], key: string): string | undefined {
  for (const a of args) {
    const m = /^([A-Za-z_]+)\s*=\s*([\s\S]*)$/.exec(a);
    if (m && m[1].toLowerCase() === key) return unquoteSqlite(m[2]);
  }
  return undefined;
}

/**
 * Lower-cased names of the columns FTS stores but does not index: FTS5 `col UNINDEXED`
 * (https://sqlite.org/fts5.html#the_unindexed_column_option), FTS4 `notindexed=col`
 * (https://sqlite.org/fts3.html#the_notindexed_option).
 */
function unindexedColumns(args: readonly string[]): Set<string> {
  const out = new Set<string>();
  for (const a of args) {
    const option = /^([A-Za-z_]+)\s*=\s*([\s\S]*)$/.exec(a);
    if (option) {
      if (option[1].toLowerCase() === "notindexed") out.add(unquoteSqlite(option[2]).toLowerCase());
      continue;
    }
    const column = /^("(?:[^"]|"")*"|\[[^\]]*\]|`(?:[^`]|``)*`|'(?:[^']|'')*'|\S+)\s+UNINDEXED\s*$/i.exec(a);
    if (column) out.add(unquoteSqlite(column[1]).toLowerCase());
  }
  return out;
}

interface XInfo {
  name: string;
  type: string;
  hidden: bigint | number;
}

/** The module's visible columns, or undefined when SQLite cannot open the table (module not compiled in). */
function visibleColumns(db: { prepare(sql: string): { all(): unknown[] } }, name: string): { name: string; type: string }[] | undefined {
  try {
    const rows = db.prepare(`PRAGMA main.table_xinfo(${quoteIdent(name)})`).all() as XInfo[];
    if (rows.length === 0) return undefined;
    return rows.filter((r) => Number(r.hidden) === 0).map((r) => ({ name: r.name, type: r.type ?? "" }));
  } catch {
    return undefined;
  }
}

/** A name for the FTS key column that no FTS column uses. */
function keyName(columns: readonly string[]): string {
  const taken = new Set(columns.map((c) => c.toLowerCase()));
  for (const candidate of ["rowid", "docid", "fts_rowid"]) if (!taken.has(candidate)) return candidate;
  let n = 2;
  while (taken.has(`fts_rowid_${n}`)) n++;
  return `fts_rowid_${n}`;
}

/**
 * Describe every virtual table among `entries` (from readSourceTables). `db` must be able to open the file's
 * virtual tables (better-sqlite3 has FTS3/4/5 and R-tree compiled in); a module it lacks yields kind "other".
 */
export function describeVirtualTables(
  db: { prepare(sql: string): { all(): unknown[] } },
  entries: readonly SourceTableEntry[],
  sqlOf: (name: string) => string,
  /** Type of a schema object by name, case-insensitively ("table", "view", …), to find an external content table. */
  typeOf: (name: string) => string | undefined = () => undefined,
): SqliteVirtualTable[] {
  const out: SqliteVirtualTable[] = [];
  for (const entry of entries) {
    if (entry.kind !== "virtual") continue;
    const module = entry.module ?? "";
    const sql = sqlOf(entry.name);
    const shadowTables = entries.filter((e) => e.kind === "shadow" && e.owner === entry.name).map((e) => e.name);
    const base = { name: entry.name, module, sql, shadowTables };
    const columns = visibleColumns(db, entry.name);
    if (columns === undefined) {
      out.push({ ...base, kind: "other", columns: [], reason: `module "${module}" is not available in this SQLite build, so its rows cannot be read` });
      continue;
    }
    const names = columns.map((c) => c.name);
    if (FTS_MODULES.has(module)) {
      const args = moduleArguments(sql);
      const content = ftsOption(args, "content");
      const unindexed = unindexedColumns(args);
      const indexedColumns = names.filter((n) => !unindexed.has(n.toLowerCase()));
      if (content === "") {
        out.push({ ...base, kind: "fts-contentless", columns: names, indexedColumns });
      } else if (content !== undefined) {
        const type = typeOf(content);
        const contentType = type === "table" || type === "view" ? type : undefined;
        out.push({ ...base, kind: "fts-external", columns: names, indexedColumns, contentTable: content, ...(contentType ? { contentType } : {}) });
      } else {
        const key = keyName(names);
        const plainSql = `CREATE TABLE ${quoteIdent(entry.name)} (${[`${quoteIdent(key)} INTEGER PRIMARY KEY`, ...names.map((c) => `${quoteIdent(c)} TEXT`)].join(", ")})`;
        out.push({ ...base, kind: "fts", columns: names, indexedColumns, plainSql, keyColumn: key });
      }
      continue;
    }
    if (RTREE_MODULES.has(module) && columns.length >= 1) {
      const coordinate = module === "rtree_i32" ? "INTEGER" : "DOUBLE PRECISION";
      const args = moduleArguments(sql);
      const defs = columns.map((c, i) => {
        if (i === 0) return `${quoteIdent(c.name)} INTEGER PRIMARY KEY`;
        // Auxiliary columns (`+name type`, SQLite ≥ 3.24) keep their declared type; coordinates are numbers.
        const auxiliary = /^\+\s*(?:"(?:[^"]|"")*"|\[[^\]]*\]|`(?:[^`]|``)*`|[^\s]+)\s*([\s\S]*)$/.exec(args[i]?.trim() ?? "");
        if (!auxiliary) return `${quoteIdent(c.name)} ${coordinate}`;
        // SQLite's table_xinfo does not report an auxiliary column's type; the declaration does.
        const type = (c.type || auxiliary[1]).trim();
        return `${quoteIdent(c.name)}${/^[\w\s(),]+$/.test(type) && type !== "" ? ` ${type}` : ""}`;
      });
      out.push({ ...base, kind: "rtree", columns: names, plainSql: `CREATE TABLE ${quoteIdent(entry.name)} (${defs.join(", ")})` });
      continue;
    }
    out.push({ ...base, kind: "other", columns: names, reason: `sqlite2pg knows no PostgreSQL equivalent of the "${module}" module` });
  }
  return out;
}
