/** The SQLite catalog as the stages see it: tables, columns, indexes, foreign keys, virtual tables. Plain data. */
import { PRISMA_MIGRATIONS_TABLE } from "./prisma-migrations.js";

export interface SqliteColumn {
  readonly name: string;
  /** The type as written in CREATE TABLE ("" when none). */
  readonly declaredType: string;
  readonly notNull: boolean;
  /** The default expression as SQLite stores it (SQL text), or null. */
  readonly defaultSql: string | null;
  /** 1-based position in the primary key, 0 when not part of it. */
  readonly pkOrder: number;
  /** 0 normal, 2 virtual generated, 3 stored generated (PRAGMA table_xinfo "hidden"). */
  readonly hidden: number;
}

export interface SqliteIndex {
  readonly name: string;
  readonly unique: boolean;
  /** "c" CREATE INDEX, "u" UNIQUE constraint, "pk" PRIMARY KEY. */
  readonly origin: string;
  readonly partial: boolean;
  /** Column names; null entries are expressions. */
  readonly columns: readonly (string | null)[];
  readonly sql: string | null;
}

export interface SqliteForeignKey {
  readonly id: number;
  readonly table: string;
  readonly from: readonly string[];
  readonly to: readonly (string | null)[];
  readonly onUpdate: string;
  readonly onDelete: string;
}

export interface SqliteTable {
  readonly name: string;
  readonly sql: string;
  readonly columns: readonly SqliteColumn[];
  readonly indexes: readonly SqliteIndex[];
  readonly foreignKeys: readonly SqliteForeignKey[];
  readonly withoutRowid: boolean;
  /** Declared with AUTOINCREMENT (ids must never be reused). */
  readonly autoincrement: boolean;
  /** Last value handed out by AUTOINCREMENT (sqlite_sequence.seq), if any. */
  readonly sequence: bigint | null;
  readonly rowCount: number;
  /** Rough size of the table's rows in bytes (a sample's average × rowCount), to copy the largest first; absent when the sample could not be read. */
  readonly estimatedBytes?: number;
  /**
   * A virtual table (FTS, R-tree) standing in as this plain table: `sql` is the plain CREATE TABLE, its rows are
   * read through the module (introspect/virtual-tables.ts).
   */
  readonly virtual?: { readonly module: string; readonly sql: string };
  /**
   * Foreign keys naming a table the file does not hold (SQLite does not check: https://sqlite.org/foreignkeys.html).
   * They cannot be created in PostgreSQL; they are kept out of `foreignKeys` and reported.
   */
  readonly danglingForeignKeys?: readonly SqliteForeignKey[];
}

export interface SqliteCatalog {
  readonly tables: readonly SqliteTable[];
  /** `error`: SQLite itself cannot prepare the view (a missing table, an application-defined function). */
  readonly views: readonly { readonly name: string; readonly sql: string; readonly error?: string }[];
  readonly triggers: readonly { readonly name: string; readonly table: string; readonly sql: string }[];
  /** Every virtual table and what it becomes; the FTS and R-tree ones that become plain tables are also in `tables`. */
  readonly virtualTables?: readonly SqliteVirtualTable[];
}

/** Internal tables that are never user data (https://sqlite.org/fileformat2.html#intschema). */
export function isInternalTable(name: string): boolean {
  return /^sqlite_/i.test(name) || name === PRISMA_MIGRATIONS_TABLE;
}

/** A name for the rowid that no column of the table shadows (https://sqlite.org/lang_createtable.html#rowid). */
export function rowidAlias(table: SqliteTable): string | null {
  if (table.withoutRowid) return null;
  return ["rowid", "_rowid_", "oid"].find((a) => !table.columns.some((c) => c.name.toLowerCase() === a)) ?? null;
}

export type VirtualTableKind = "fts" | "fts-external" | "fts-contentless" | "rtree" | "other";

export interface SqliteVirtualTable {
  readonly name: string;
  /** The module, lower-cased (`fts5`, `rtree`, `virtualspatialindex`, …). */
  readonly module: string;
  /** The CREATE VIRTUAL TABLE text. */
  readonly sql: string;
  readonly kind: VirtualTableKind;
  /** The module's declared (not hidden) columns, in order; empty when the module is not available. */
  readonly columns: readonly string[];
  /** FTS: the columns it indexes (without FTS5's `UNINDEXED` ones and FTS4's `notindexed=`). */
  readonly indexedColumns?: readonly string[];
  /** fts-external: the table named by `content=`. */
  readonly contentTable?: string;
  /** fts-external: what the file holds under that name ("table", "view", or absent: nothing). */
  readonly contentType?: "table" | "view";
  /** fts and rtree: the ordinary CREATE TABLE standing in for the virtual table. */
  readonly plainSql?: string;
  /** fts: the key column holding the rowid ("rowid"). */
  readonly keyColumn?: string;
  /** other: why it is left out (e.g. the module is not compiled into this SQLite). */
  readonly reason?: string;
  /** Its shadow tables (never copied). */
  readonly shadowTables: readonly string[];
}

export interface ExtraFacts {
  /** index name → collation name of each key column, in key order (same order as SqliteIndex.columns). */
  readonly indexCollations: ReadonlyMap<string, readonly string[]>;
}
