/**
 * Every table a SQLite file holds, each with what it is: user data, a virtual table, a virtual table's shadow
 * table, or internal by a documented rule. Verification enumerates the file through this (never through the
 * plan), so a table the plan forgot is a failure, not a silent loss.
 *
 * Shadow tables: SQLite marks them itself (`PRAGMA table_list` type "shadow", https://sqlite.org/pragma.html#pragma_table_list,
 * SQLite ≥ 3.37), but only for modules compiled into the library that opens the file; the documented shadow
 * names of the standard modules are the fallback (SHADOW_SUFFIXES: https://sqlite.org/fts3.html#shadow_tables,
 * https://sqlite.org/fts5.html, https://sqlite.org/rtree.html).
 */
import { PRISMA_MIGRATIONS_TABLE } from "../core/prisma-migrations.js";
export type SourceTableKind = "table" | "virtual" | "shadow" | "internal";

export interface SourceTableEntry {
  readonly name: string;
  readonly kind: SourceTableKind;
  /** For virtual tables: the module (`fts5`, `fts4`, `rtree`, …), lower-cased. */
  readonly module?: string;
  /** For shadow tables: the virtual table they belong to. */
  readonly owner?: string;
  /** For shadow and internal tables: why the table is not user data, as the summary says it. */
  readonly reason?: string;
}

/** The shadow tables each standard module creates, by suffix after `<virtual table name>_`. */
const SHADOW_SUFFIXES: Readonly<Record<string, readonly string[]>> = {
  fts3: ["content", "segments", "segdir", "docsize", "stat"],
  fts4: ["content", "segments", "segdir", "docsize", "stat"],
  fts5: ["data", "idx", "content", "docsize", "config"],
  rtree: ["node", "parent", "rowid"],
  rtree_i32: ["node", "parent", "rowid"],
  geopoly: ["node", "parent", "rowid"],
};

/** `CREATE VIRTUAL TABLE x USING fts5(...)` → "fts5" (https://sqlite.org/lang_createvtab.html). */
export function virtualModule(sql: string | null): string | undefined {
  if (sql === null) return undefined;
  const m = /^\s*CREATE\s+VIRTUAL\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?(?:"(?:[^"]|"")*"|\[[^\]]*\]|`(?:[^`]|``)*`|'(?:[^']|'')*'|[^\s(]+)(?:\s*\.\s*(?:"(?:[^"]|"")*"|\[[^\]]*\]|`(?:[^`]|``)*`|[^\s(]+))?\s+USING\s+("(?:[^"]|"")*"|\[[^\]]*\]|`(?:[^`]|``)*`|\w+)/i.exec(sql);
  if (!m) return undefined;
  return m[1].replace(/^["[`]|["\]`]$/g, "").toLowerCase();
}

/** Internal by a documented rule: SQLite's own tables and the migration histories the baseline replaces. */
export function internalReason(name: string): string | undefined {
  if (name.toLowerCase() === "sqlite_sequence") return "SQLite's AUTOINCREMENT counters: they move the PostgreSQL sequences past every id ever used";
  if (/^sqlite_stat\d$/i.test(name)) return "SQLite's query-planner statistics (ANALYZE); PostgreSQL keeps its own";
  if (/^sqlite_/i.test(name)) return "SQLite's internal table (https://sqlite.org/fileformat2.html#intschema)";
  if (name === PRISMA_MIGRATIONS_TABLE) return "Prisma Migrate's history on SQLite; the new baseline 0_init replaces it";
  if (name === "_Migration") return "Prisma 2's migration history (prisma migrate experimental); the new baseline 0_init replaces it";
  return undefined;
}

export interface SchemaTableRow {
  readonly type: string;
  readonly name: string;
  readonly sql: string | null;
}

/**
 * Classify the tables of `sqlite_schema` rows. `shadowNames`: tables SQLite itself marks as shadow
 * (`PRAGMA table_list`), when the library could tell.
 */
export function classifySourceTables(rows: readonly SchemaTableRow[], shadowNames: ReadonlySet<string> = new Set()): SourceTableEntry[] {
  const tables = rows.filter((r) => r.type === "table");
  const virtuals = new Map<string, string>();
  for (const r of tables) {
    const module = virtualModule(r.sql);
    if (module !== undefined) virtuals.set(r.name, module);
  }
  const ownerOf = (name: string): { owner: string; module: string } | undefined => {
    for (const [owner, module] of virtuals) {
      const suffixes = SHADOW_SUFFIXES[module];
      const prefix = `${owner}_`;
      if (name.length > prefix.length && name.slice(0, prefix.length).toLowerCase() === prefix.toLowerCase()) {
        const suffix = name.slice(prefix.length).toLowerCase();
        if (suffixes?.includes(suffix) || shadowNames.has(name)) return { owner, module };
      }
    }
    return undefined;
  };
  return tables.map((r): SourceTableEntry => {
    const internal = internalReason(r.name);
    if (internal !== undefined) return { name: r.name, kind: "internal", reason: internal };
    const module = virtuals.get(r.name);
    if (module !== undefined) return { name: r.name, kind: "virtual", module };
    const shadow = ownerOf(r.name);
    if (shadow !== undefined || shadowNames.has(r.name)) {
      const owner = shadow?.owner;
      return {
        name: r.name,
        kind: "shadow",
        ...(owner === undefined ? {} : { owner }),
        reason: owner === undefined ? "a virtual table's shadow table (SQLite marks it so)" : `shadow table of the ${shadow!.module} virtual table "${owner}" (its data is the virtual table's)`,
      };
    }
    return { name: r.name, kind: "table" };
  });
}

/** The names SQLite marks as shadow tables, or an empty set when it cannot tell (older SQLite, unknown module). */
export function shadowTableNames(db: { prepare(sql: string): { all(): unknown[] } }): Set<string> {
  try {
    const rows = db.prepare("PRAGMA main.table_list").all() as { name: string; type: string }[];
    return new Set(rows.filter((r) => r.type === "shadow").map((r) => r.name));
  } catch {
    return new Set();
  }
}

/** Read and classify every table of the open file's main schema. */
export function readSourceTables(db: { prepare(sql: string): { all(): unknown[] } }): SourceTableEntry[] {
  const rows = db.prepare("SELECT type, name, sql FROM main.sqlite_schema WHERE type = 'table' ORDER BY rowid").all() as SchemaTableRow[];
  return classifySourceTables(rows, shadowTableNames(db));
}
