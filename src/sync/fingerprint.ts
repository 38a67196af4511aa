/**
 * The SQLite schema `sync` was recorded against: every table, index, view and trigger of the migrated tables as
 * `sqlite_schema` spells it (https://sqlite.org/schematab.html). A difference means PostgreSQL's schema no
 * longer matches the file: that needs a Prisma migration (and a new `migrate`) first, never a silent sync.
 */
import { isInternalTable } from "../core/catalog.js";
import type { SqliteDb } from "../db/sqlite-source.js";

export interface SourceObject {
  readonly type: string;
  readonly name: string;
  readonly table: string;
  readonly sql: string;
}

/** The schema objects of the selected tables (their indexes, triggers, and views), sorted. */
export function readSourceObjects(db: SqliteDb, selected: (table: string) => boolean): SourceObject[] {
  const rows = db.prepare("SELECT type, name, tbl_name AS \"table\", sql FROM sqlite_schema WHERE sql IS NOT NULL").all() as SourceObject[];
  return rows
    .filter((r) => !isInternalTable(r.name) && !isInternalTable(r.table) && (r.type === "view" ? selected(r.name) : selected(r.table)))
    .sort((a, b) => (a.type === b.type ? (a.name < b.name ? -1 : a.name > b.name ? 1 : 0) : a.type < b.type ? -1 : 1));
}

/** Each difference, as a line a user can act on; empty when the schema is the same. */
export function schemaDifferences(recorded: readonly SourceObject[], current: readonly SourceObject[]): string[] {
  const key = (o: SourceObject): string => `${o.type} ${JSON.stringify(o.name)}`;
  const before = new Map(recorded.map((o) => [key(o), o]));
  const now = new Map(current.map((o) => [key(o), o]));
  const out: string[] = [];
  for (const [k, o] of now) {
    const old = before.get(k);
    if (!old) out.push(`${k} was added: ${oneLine(o.sql)}`);
    else if (old.sql !== o.sql) out.push(`${k} changed: was ${oneLine(old.sql)}, now ${oneLine(o.sql)}`);
  }
  for (const k of before.keys()) if (!now.has(k)) out.push(`${k} was removed`);
  return out;
}

function oneLine(sql: string): string {
  return sql.replace(/\s+/g, " ").trim();
}
