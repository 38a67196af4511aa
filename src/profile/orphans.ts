/**
 * Orphaned foreign keys: SQLite does not enforce foreign keys unless `PRAGMA foreign_keys=ON`
 * (https://sqlite.org/foreignkeys.html#fk_enable), so real databases hold child rows whose parent is gone.
 * PostgreSQL would refuse the constraint; we find them first with `PRAGMA foreign_key_check` and let the user
 * choose: stop (default), null the reference, delete the row (and, transitively, rows that pointed at it), or
 * keep the rows and skip the constraint.
 */
import type { SqliteDb } from "../db/sqlite-source.js";
import type { SqliteTable } from "../core/catalog.js";
import { quoteIdent } from "../core/quote.js";
import type { DataProblem } from "../core/problems.js";

export type OrphanPolicy = "stop" | "null" | "delete" | "keep-without-fk";

export interface OrphanPlan {
  /** table → rowid → the columns to set to NULL (policy "null"). */
  readonly nullify: ReadonlyMap<string, ReadonlyMap<bigint, readonly string[]>>;
  /** table → rowids to leave out (policy "delete", closure included). */
  readonly skip: ReadonlyMap<string, ReadonlySet<bigint>>;
  /** `table` + FK columns whose constraint is not created (policy "keep-without-fk"). */
  readonly droppedForeignKeys: readonly { readonly table: string; readonly columns: readonly string[]; readonly parent: string }[];
  /** Every orphan found, for the report (and the error under policy "stop"). */
  readonly orphans: readonly DataProblem[];
  /** Rows removed by the delete closure beyond the orphans themselves. */
  readonly cascaded: number;
  /** Orphans the policy cannot handle (policy "null" on a NOT NULL column): the run stops before writing. */
  readonly unresolvable: readonly DataProblem[];
}

interface CheckRow { table: string; rowid: bigint | null; parent: string; fkid: bigint }

export function findOrphans(db: SqliteDb, tables: readonly SqliteTable[], policy: OrphanPolicy): OrphanPlan {
  const byName = new Map(tables.map((t) => [t.name, t]));
  const orphans: DataProblem[] = [];
  const nullify = new Map<string, Map<bigint, string[]>>();
  const skip = new Map<string, Set<bigint>>();
  const dropped = new Map<string, { table: string; columns: string[]; parent: string }>();
  const unresolvable: DataProblem[] = [];

  for (const table of tables) {
    if (table.foreignKeys.length === 0) continue;
    let rows: CheckRow[];
    try {
      rows = db.prepare(`PRAGMA foreign_key_check(${quoteIdent(table.name)})`).all() as CheckRow[];
    } catch {
      // "foreign key mismatch": one key of the table references columns that are not unique (convert leaves that
      // key out, relations.ts), and SQLite then checks none of them. The others are checked one by one.
      rows = checkEachForeignKey(db, table, byName);
    }
    for (const r of rows) {
      const fk = table.foreignKeys.find((f) => f.id === Number(r.fkid));
      if (!fk) continue;
      const rowid = r.rowid === null ? null : BigInt(r.rowid);
      const values = rowid === null ? [] : readColumns(db, table.name, fk.from, rowid);
      orphans.push({
        table: table.name,
        column: fk.from.join(", "),
        key: describeRow(db, table, rowid),
        reason: `references a missing row of "${r.parent}"`,
        excerpt: values.map(String).join(", "),
        kind: "orphan",
        // Keeping the row as is and leaving out the constraint it violates loses no row (migrate --orphans).
        lossless: ["keep-without-fk"],
      });
      if (rowid === null) continue;
      const notNull = fk.from.filter((c) => table.columns.find((x) => x.name === c)?.notNull);
      if (policy === "null" && notNull.length > 0) {
        unresolvable.push({ ...orphans[orphans.length - 1], reason: `references a missing row of "${r.parent}" and ${notNull.join(", ")} is NOT NULL: it cannot be set to NULL (use --orphans=delete or keep-without-fk)` });
      } else if (policy === "null") {
        const m = nullify.get(table.name) ?? new Map<bigint, string[]>();
        m.set(rowid, [...(m.get(rowid) ?? []), ...fk.from]);
        nullify.set(table.name, m);
      } else if (policy === "delete") {
        const s = skip.get(table.name) ?? new Set<bigint>();
        s.add(rowid);
        skip.set(table.name, s);
      } else if (policy === "keep-without-fk") {
        dropped.set(`${table.name}\u0000${fk.id}`, { table: table.name, columns: [...fk.from], parent: fk.table });
      }
    }
  }
  const cascaded = policy === "delete" ? deleteClosure(db, byName, skip) : 0;
  return { nullify, skip, droppedForeignKeys: [...dropped.values()], orphans, cascaded, unresolvable };
}

/** PRAGMA foreign_key_check's answer for each foreign key whose parent columns exist, by a query per key. */
function checkEachForeignKey(db: SqliteDb, table: SqliteTable, tables: ReadonlyMap<string, SqliteTable>): CheckRow[] {
  if (table.withoutRowid) return [];
  const rows: CheckRow[] = [];
  for (const fk of table.foreignKeys) {
    const parent = tables.get(fk.table);
    const refCols = fk.to.map((c, i) => c ?? pkColumn(parent, i));
    if (!parent || refCols.some((c) => c === undefined || !parent.columns.some((x) => x.name === c))) continue;
    // A key with a NULL column references nothing (https://sqlite.org/foreignkeys.html#fk_basics).
    const sql =
      `SELECT c.rowid AS rowid FROM ${quoteIdent(table.name)} AS c WHERE ${fk.from.map((f) => `c.${quoteIdent(f)} IS NOT NULL`).join(" AND ")} ` +
      `AND NOT EXISTS (SELECT 1 FROM ${quoteIdent(parent.name)} AS p WHERE ${fk.from.map((f, i) => `p.${quoteIdent(refCols[i]!)} = c.${quoteIdent(f)}`).join(" AND ")})`;
    try {
      for (const r of db.prepare(sql).all() as { rowid: bigint }[]) rows.push({ table: table.name, rowid: r.rowid, parent: parent.name, fkid: BigInt(fk.id) });
    } catch {
      // unreadable: left to PostgreSQL, which checks every foreign key it builds
    }
  }
  return rows;
}

function readColumns(db: SqliteDb, table: string, columns: readonly string[], rowid: bigint): unknown[] {
  const row = db
    .prepare(`SELECT ${columns.map(quoteIdent).join(", ")} FROM ${quoteIdent(table)} WHERE rowid = ?`)
    .raw(true)
    .get(rowid) as unknown[] | undefined;
  return row ?? [];
}

export function describeRow(db: SqliteDb, table: SqliteTable, rowid: bigint | null): string {
  if (rowid === null) return "(row without rowid)";
  const pk = table.columns.filter((c) => c.pkOrder > 0).sort((a, b) => a.pkOrder - b.pkOrder).map((c) => c.name);
  if (pk.length === 0) return `rowid ${rowid}`;
  return readColumns(db, table.name, pk, rowid).map(String).join(", ");
}

/**
 * Deleting a parent row orphans its children in turn: follow every foreign key pointing at a deleted row until
 * nothing new is deleted. Returns how many rows the closure added.
 */
function deleteClosure(db: SqliteDb, tables: ReadonlyMap<string, SqliteTable>, skip: Map<string, Set<bigint>>): number {
  let added = 0;
  let frontier = new Map([...skip].map(([t, s]) => [t, [...s]]));
  while (frontier.size > 0) {
    const next = new Map<string, bigint[]>();
    for (const [parentName, rowids] of frontier) {
      for (const child of tables.values()) {
        for (const fk of child.foreignKeys) {
          if (fk.table !== parentName) continue;
          const parent = tables.get(parentName);
          const refCols = fk.to.map((c, i) => c ?? pkColumn(parent, i));
          if (refCols.some((c) => c === undefined)) continue;
          const find = db.prepare(
            `SELECT rowid FROM ${quoteIdent(child.name)} WHERE ${fk.from.map((c) => `${quoteIdent(c)} = ?`).join(" AND ")}`,
          ).pluck();
          for (const rowid of rowids) {
            const keyValues = readColumns(db, parentName, refCols as string[], rowid);
            for (const childRowid of find.all(...keyValues) as bigint[]) {
              const id = BigInt(childRowid);
              const set = skip.get(child.name) ?? new Set<bigint>();
              if (set.has(id)) continue;
              set.add(id);
              skip.set(child.name, set);
              next.set(child.name, [...(next.get(child.name) ?? []), id]);
              added++;
            }
          }
        }
      }
    }
    frontier = next;
  }
  return added;
}

function pkColumn(table: SqliteTable | undefined, i: number): string | undefined {
  return table?.columns.filter((c) => c.pkOrder > 0).sort((a, b) => a.pkOrder - b.pkOrder)[i]?.name;
}
