/**
 * One consistent view of the user's SQLite file for the whole run, without copying it.
 *
 * - The data: a read-only connection that holds one read transaction from start to end. SQLite guarantees a
 *   reader in a transaction sees a single snapshot (https://sqlite.org/isolation.html): in WAL mode the
 *   application keeps writing meanwhile; in rollback-journal mode its writers wait (SQLITE_BUSY) until we finish.
 *   Profile, copy and verify all read through this connection, so they agree row for row.
 * - The schema: Prisma's `db pull` needs a file of its own. It reads only the schema, so we give it a
 *   schema-only clone built from `sqlite_schema` — instant whatever the data size, and the user's file is never
 *   opened by anything that could write to it.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { openSqlite, sourceReadError, type SqliteDb } from "../db/sqlite-source.js";
import { isInternalTable } from "../core/catalog.js";
import { Sqlite2pgError } from "../core/errors.js";
import { classifySourceTables, shadowTableNames } from "./source-tables.js";
import { unpreparableViews } from "./unpreparable-views.js";
import { describeVirtualTables } from "./virtual-tables.js";

export interface Snapshot {
  readonly dir: string;
  /** The schema-only clone Prisma introspects. */
  readonly schemaClonePath: string;
  /** Read-only connection to the user's file, inside a read transaction (the snapshot). */
  readonly db: SqliteDb;
  /**
   * True while no connection has committed to the file since the snapshot began (`PRAGMA data_version` on a
   * monitor connection opened before it, https://sqlite.org/pragma.html#pragma_data_version): a connection whose
   * read transaction started before this returns true sees exactly the snapshot (profile-all.ts uses that).
   */
  unchanged(): boolean;
  /** End the read transaction, close, and remove the temporary directory. */
  dispose(): Promise<void>;
}

interface SchemaRow {
  type: string;
  name: string;
  tbl_name: string;
  sql: string;
}

/** Creation order: tables before what refers to them. */
const ORDER: Record<string, number> = { table: 0, index: 1, view: 2, trigger: 3 };

/** `keep`: which tables take part (--tables/--exclude); their indexes, triggers and views follow them. */
export async function takeSnapshot(sourcePath: string, keep: (table: string) => boolean = () => true): Promise<Snapshot> {
  // Read before the snapshot starts, so a commit between the two is seen as a change (never a false "unchanged").
  let monitor: SqliteDb | undefined;
  let version0: unknown;
  try {
    monitor = openSqlite(sourcePath);
    version0 = monitor.pragma("data_version", { simple: true });
  } catch {
    monitor?.close();
    monitor = undefined; // no monitor: unchanged() is always false, and everything reads through the snapshot
  }
  let db: SqliteDb;
  try {
    db = openSqlite(sourcePath);
  } catch (err) {
    monitor?.close();
    throw err;
  }
  db.exec("BEGIN");
  const dir = await mkdtemp(join(tmpdir(), "sqlite2pg-"));
  const schemaClonePath = join(dir, "schema.db");
  try {
    // The first read starts the snapshot; everything after sees the database as of this moment.
    let rows: SchemaRow[];
    try {
      rows = (db.prepare("SELECT type, name, tbl_name, sql FROM sqlite_schema WHERE sql IS NOT NULL").all() as SchemaRow[])
        .filter((r) => !/^sqlite_/i.test(r.name) && (r.type === "view" ? keep(r.name) : keep(r.tbl_name)))
        .sort((a, b) => (ORDER[a.type] ?? 9) - (ORDER[b.type] ?? 9));
    } catch (cause) {
      throw sourceReadError(sourcePath, cause);
    }
    if (!rows.some((r) => r.type === "table" && !isInternalTable(r.name))) {
      // SQLite treats a 0-byte (or wrong) file as a valid empty database; Prisma would fail on it with P4001.
      throw new Sqlite2pgError(`${sourcePath} has no tables: there is nothing to migrate`, {
        code: "SOURCE_EMPTY",
        kind: "source",
        stage: "introspect",
        hint: "check the path: an empty or 0-byte file is an empty SQLite database (apps often create one when pointed at a wrong path)",
      });
    }
    rows = cloneableRows(db, rows);
    const clone = new Database(schemaClonePath);
    try {
      // A throw-away file: one transaction, journal in memory, no fsync. In autocommit each CREATE was its own
      // synced transaction (~2 ms): 8 s for a 2000-table file. A failing statement still rolls back alone
      // (statement journal, https://sqlite.org/tempfiles.html#statement_journals), as before.
      clone.pragma("journal_mode = MEMORY");
      clone.pragma("synchronous = OFF");
      clone.exec("BEGIN");
      for (const r of rows) {
        try {
          clone.exec(r.sql);
        } catch {
          // An object SQLite cannot re-create here (e.g. a virtual table of a missing module) is reported
          // by the catalog stage; Prisma does not need it.
        }
      }
      clone.exec("COMMIT");
    } finally {
      clone.close();
    }
  } catch (err) {
    db.close();
    monitor?.close();
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  return {
    dir,
    schemaClonePath,
    db,
    unchanged() {
      try {
        return monitor !== undefined && monitor.open && monitor.pragma("data_version", { simple: true }) === version0;
      } catch {
        return false;
      }
    },
    async dispose() {
      if (monitor?.open) monitor.close();
      if (db.open) {
        // A read transaction has nothing to commit; ending it must not fail (e.g. on a damaged file) and hide
        // the error that made us dispose.
        try {
          if (db.inTransaction) db.exec("ROLLBACK");
        } catch {
          /* closing releases the lock anyway */
        }
        db.close();
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * What Prisma may introspect: shadow tables left out (their data is the virtual table's), an FTS or R-tree table
 * replaced by the plain table standing in for it (so Prisma gives it a model), other virtual tables and views
 * SQLite itself cannot prepare left out (Prisma stops at the first view it cannot describe). The catalog
 * (readCatalog) reports each of them.
 */
function cloneableRows(db: SqliteDb, rows: readonly SchemaRow[]): SchemaRow[] {
  const tableRows = rows.filter((r) => r.type === "table");
  const entries = classifySourceTables(tableRows, shadowTableNames(db));
  const kind = new Map(entries.map((e) => [e.name, e.kind]));
  const virtuals = new Map(describeVirtualTables(db, entries, (n) => tableRows.find((r) => r.name === n)?.sql ?? "").map((v) => [v.name, v]));
  const badViews = unpreparableViews(db, rows.filter((r) => r.type === "view").map((r) => r.name));
  const out: SchemaRow[] = [];
  for (const r of rows) {
    if (r.type === "view" && badViews.has(r.name)) continue;
    if (r.type === "table" && kind.get(r.name) === "shadow") continue;
    // Indexes and triggers of a shadow table belong to the module.
    if (r.type !== "table" && r.type !== "view" && kind.get(r.tbl_name) === "shadow") continue;
    const v = r.type === "table" ? virtuals.get(r.name) : undefined;
    if (v !== undefined) {
      if (v.plainSql !== undefined) out.push({ ...r, sql: v.plainSql });
      continue;
    }
    out.push(r);
  }
  return out;
}
