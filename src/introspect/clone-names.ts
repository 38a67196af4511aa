/**
 * Renames, in the schema-only clone `prisma db pull` reads (never in the user's file), the tables and columns
 * whose names Prisma's introspection cannot handle (convert/prisma-names.ts says which and why). SQLite's
 * ALTER TABLE … RENAME rewrites every reference to the renamed object — foreign keys of other tables, indexes,
 * triggers, views (https://sqlite.org/lang_altertable.html#alter_table_rename) — so Prisma sees a consistent file.
 *
 * Index names containing `"` make the introspection fail as well: in the clone such an index is re-created
 * under the name with `_` for `"` (the name PostgreSQL gets; see convert/pg-names.ts for why), or dropped when it
 * is partial or on expressions, which Prisma does not represent anyway (convert/extras.ts builds those from the
 * user's file).
 */
import { readIndexKeys } from "./index-keys.js";
import Database from "better-sqlite3";
import { quoteIdent } from "../core/quote.js";
import { isEmptyPlan, planCloneNames, type CloneNamePlan } from "../convert/prisma-names.js";
import type { Decision } from "../core/decisions.js";

interface Row { type: string; name: string; tbl_name: string; sql: string | null }

function renameAll(clone: Database.Database, plan: CloneNamePlan): void {
  for (const [table, renames] of plan.columns) {
    for (const r of renames) clone.exec(`ALTER TABLE ${quoteIdent(table)} RENAME COLUMN ${quoteIdent(r.real)} TO ${quoteIdent(r.clone)}`);
  }
  for (const r of plan.tables) clone.exec(`ALTER TABLE ${quoteIdent(r.real)} RENAME TO ${quoteIdent(r.clone)}`);
}

/** Re-create indexes whose name holds `"` under a plain name (see the file comment). */
function renameQuotedIndexes(clone: Database.Database): Decision[] {
  const rows = clone.prepare("SELECT type, name, tbl_name, sql FROM sqlite_schema").all() as Row[];
  const used = new Set(rows.map((r) => r.name.toLowerCase()));
  const decisions: Decision[] = [];
  for (const ix of rows.filter((r) => r.type === "index" && r.sql !== null && r.name.includes('"'))) {
    const keys = readIndexKeys(clone, ix.name);
    const list = clone.prepare(`PRAGMA index_list(${quoteIdent(ix.tbl_name)})`).all() as { name: string; unique: bigint | number; partial: bigint | number }[];
    const entry = list.find((l) => l.name === ix.name);
    clone.exec(`DROP INDEX ${quoteIdent(ix.name)}`);
    if (!entry || Number(entry.partial) === 1 || keys.some((c) => c.name === null)) continue;
    const columns = keys.map((c) => `${quoteIdent(c.name!)}${c.desc ? " DESC" : ""}`).join(", ");
    const unique = Number(entry.unique) === 1 ? "UNIQUE " : "";
    const stem = ix.name.replace(/"/g, "_");
    let name = stem;
    for (let i = 2; used.has(name.toLowerCase()); i++) name = `${stem}_${i}`;
    used.add(name.toLowerCase());
    clone.exec(`CREATE ${unique}INDEX ${quoteIdent(name)} ON ${quoteIdent(ix.tbl_name)} (${columns})`);
    decisions.push({
      table: ix.tbl_name,
      code: "index-name",
      message: `index name ${JSON.stringify(ix.name)} contains a double quote, which Prisma writes into SQL unescaped; created as "${name}"`,
    });
  }
  return decisions;
}

/** Apply the renames to the clone at `clonePath`: the plan (empty when nothing needed renaming) and the index renames. */
export function renameHostileNames(clonePath: string): { plan: CloneNamePlan; decisions: Decision[] } {
  const clone = new Database(clonePath);
  try {
    const rows = clone.prepare("SELECT type, name, tbl_name, sql FROM sqlite_schema").all() as Row[];
    const tables = rows
      .filter((r) => r.type === "table" && !/^sqlite_/i.test(r.name) && !/^\s*CREATE\s+VIRTUAL\s+TABLE/i.test(r.sql ?? ""))
      .map((r) => ({
        name: r.name,
        columns: (clone.prepare(`PRAGMA table_xinfo(${quoteIdent(r.name)})`).all() as { name: string }[]).map((c) => c.name),
      }));
    const plan = planCloneNames(tables, rows.filter((r) => r.type !== "table").map((r) => r.name));
    const decisions = renameQuotedIndexes(clone);
    if (isEmptyPlan(plan)) return { plan, decisions };
    try {
      clone.transaction(() => renameAll(clone, plan))();
    } catch {
      // A view or trigger SQLite cannot re-parse stops a rename (it rewrites their SQL). Prisma's introspection
      // of tables needs neither: without them the renames go through.
      for (const r of clone.prepare("SELECT type, name FROM sqlite_schema WHERE type IN ('view', 'trigger')").all() as Row[]) {
        clone.exec(`DROP ${r.type === "view" ? "VIEW" : "TRIGGER"} ${quoteIdent(r.name)}`);
      }
      clone.transaction(() => renameAll(clone, plan))();
    }
    return { plan, decisions };
  } finally {
    clone.close();
  }
}
