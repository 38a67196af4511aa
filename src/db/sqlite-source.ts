/**
 * Thin adapter over better-sqlite3: opens the user's file read-only and answers the questions the pipeline
 * asks (catalog facts through PRAGMAs, row streams). Nothing here writes to the source.
 *
 * PRAGMAs used: table_xinfo, index_list, index_xinfo, foreign_key_list (https://sqlite.org/pragma.html).
 */
import Database from "better-sqlite3";
import { Sqlite2pgError, type Stage } from "../errors.js";
import { quoteIdent } from "./quote.js";
import { classifySourceTables, shadowTableNames } from "../introspect/source-tables.js";
import { describeVirtualTables, type SqliteVirtualTable } from "../introspect/virtual-tables.js";
import { unpreparableViews } from "../introspect/unpreparable-views.js";

export type SqliteDb = Database.Database;

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
  return /^sqlite_/i.test(name) || name === "_prisma_migrations";
}

const SQLITE_MAGIC = "SQLite format 3\u0000";

/**
 * Turn an error SQLite raised while reading the file into one that says what is wrong with the file:
 * locked by another connection (SQLITE_BUSY / SQLITE_LOCKED), damaged (SQLITE_CORRUPT), a statement SQLite refused
 * (SQLITE_ERROR, a limit), not a database (SQLITE_NOTADB), or unreadable for another reason (https://sqlite.org/rescode.html).
 * `where`: the stage and table the read was for, when not the catalog's (introspect).
 */
export function sourceReadError(path: string, cause: unknown, where: { readonly stage?: Stage; readonly table?: string } = {}): Sqlite2pgError {
  const stage = where.stage ?? "introspect";
  const object = where.table === undefined ? {} : { object: { table: where.table } };
  const reading = where.table === undefined ? "" : ` (reading table "${where.table}")`;
  if (cause instanceof Sqlite2pgError) return cause;
  const code = String((cause as { code?: unknown }).code ?? "");
  const why = (cause as Error).message;
  if (/^SQLITE_(BUSY|LOCKED)/.test(code)) {
    return new Sqlite2pgError(`${path} is locked by another connection${reading}: ${why}`, {
      code: "SOURCE_LOCKED",
      kind: "source",
      stage,
      ...object,
      hint: "another process holds a write lock on the file (an open write transaction, e.g. BEGIN EXCLUSIVE); let it finish or stop the application, then retry. In WAL mode (PRAGMA journal_mode=WAL) readers are not blocked by writers",
      cause,
    });
  }
  if (/^SQLITE_CORRUPT/.test(code)) {
    return new Sqlite2pgError(`${path} is not a readable SQLite database: it is damaged${reading} (${why})`, {
      code: "SOURCE_CORRUPT",
      kind: "source",
      stage,
      ...object,
      hint: `check it with \`sqlite3 <file> "PRAGMA integrity_check"\` and salvage what is left with \`sqlite3 <file> .recover\` into a new file`,
      cause,
    });
  }
  // SQLITE_ERROR and the limits (https://sqlite.org/limits.html) mean SQLite read the file but refused a statement
  // sqlite2pg built: the file is a SQLite database, and saying otherwise sends the user looking in the wrong place.
  if (/^SQLITE_(ERROR|TOOBIG|RANGE|NOMEM)$/.test(code)) {
    return new Sqlite2pgError(`SQLite refused a query sqlite2pg made on ${path}${reading}: ${why}`, {
      code: "SOURCE_QUERY",
      kind: "source",
      stage,
      ...object,
      hint: "the file itself is a SQLite database; this is one of SQLite's limits (https://sqlite.org/limits.html) or a defect of sqlite2pg: please report it with the table's CREATE TABLE statement",
      cause,
    });
  }
  return new Sqlite2pgError(`${path} is not a readable SQLite database${reading}: ${why}`, {
    code: "SOURCE_NOT_SQLITE",
    kind: "source",
    stage,
    ...object,
    hint: `a SQLite file starts with the 16 bytes "${SQLITE_MAGIC.replace(/\u0000$/, "")}" and a NUL byte; check you passed the database file, not a dump or a WAL file`,
    cause,
  });
}

/** Open a SQLite file read-only, with a clear error when it is missing, locked or not a SQLite database. */
export function openSqlite(path: string): SqliteDb {
  let db: SqliteDb;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true });
  } catch (cause) {
    throw new Sqlite2pgError(`cannot open SQLite file ${path}: ${(cause as Error).message}`, {
      code: "SOURCE_OPEN",
      kind: "source",
      stage: "introspect",
      hint: "check the path and that the file is readable",
      cause,
    });
  }
  try {
    // Reading the schema forces SQLite to check the header; a non-SQLite file fails here, a locked one after
    // the busy timeout.
    db.prepare("SELECT count(*) FROM sqlite_schema").get();
  } catch (cause) {
    db.close();
    throw sourceReadError(path, cause);
  }
  db.defaultSafeIntegers(true);
  return db;
}

/**
 * Prisma's SQL generator (`migrate diff`) writes identifiers between double quotes without doubling embedded
 * ones, and its SQLite introspection fails on them: a name containing `"` would turn into SQL of the file
 * author's choosing in migration.sql. Refuse such names before anything is generated.
 */
export function assertQuotableIdentifiers(tables: readonly SqliteTable[]): void {
  const bad: string[] = [];
  const check = (what: string, name: string | null | undefined): void => {
    if (name && (name.includes('"') || name.includes("\u0000"))) bad.push(`${what} ${JSON.stringify(name)}`);
  };
  for (const t of tables) {
    check("table", t.name);
    for (const c of t.columns) check(`column of ${JSON.stringify(t.name)}`, c.name);
    for (const ix of t.indexes) {
      check(`index on ${JSON.stringify(t.name)}`, ix.name);
      for (const c of ix.columns) check(`index column on ${JSON.stringify(t.name)}`, c);
    }
    for (const fk of t.foreignKeys) check(`foreign key target of ${JSON.stringify(t.name)}`, fk.table);
  }
  // Names beyond PostgreSQL's 63 bytes are shortened deterministically by convert (identifiers.ts).
  if (bad.length === 0) return;
  throw new Sqlite2pgError(`unsupported identifier(s) containing a double quote: ${bad.join("; ")}`, {
    code: "SOURCE_IDENTIFIER",
    kind: "source",
    stage: "introspect",
    object: { table: tables.find((t) => bad.some((b) => b.includes(JSON.stringify(t.name))))?.name },
    hint: 'Prisma cannot generate safe SQL for names containing `"`; rename them in SQLite (ALTER TABLE … RENAME …) and run again. Nothing was changed',
  });
}

interface XInfoRow { name: string; type: string; notnull: bigint; dflt_value: string | null; pk: bigint; hidden: bigint }
interface IndexListRow { name: string; unique: bigint; origin: string; partial: bigint }
interface IndexXInfoRow { seqno: bigint; cid: bigint; name: string | null; key: bigint }
interface FkRow { id: bigint; seq: bigint; table: string; from: string; to: string | null; on_update: string; on_delete: string }

/** A name for the rowid that no column of the table shadows (https://sqlite.org/lang_createtable.html#rowid). */
export function rowidAlias(table: SqliteTable): string | null {
  if (table.withoutRowid) return null;
  return ["rowid", "_rowid_", "oid"].find((a) => !table.columns.some((c) => c.name.toLowerCase() === a)) ?? null;
}

const SIZE_SAMPLE_ROWS = 256;

/**
 * The table's size from its first rows: the row count alone misleads a scheduler (the benchmark's 200k posts of
 * ~1.7 KB outweigh its 1M comments of ~280 bytes). A sample costs a few page reads; dbstat
 * (https://sqlite.org/dbstat.html) would be exact but reads every page of the file.
 */
function estimateBytes(db: SqliteDb, table: string, columns: readonly SqliteColumn[], rowCount: number): number | undefined {
  // Named, not `*`: an FTS table's stand-in has a rowid key column that `SELECT *` on the virtual table omits.
  const stored = columns.filter((c) => c.hidden === 0);
  if (rowCount === 0 || stored.length === 0) return 0;
  const size = stored.map((c) => `coalesce(length(CAST(${quoteIdent(c.name)} AS BLOB)), 0)`).join(" + ");
  try {
    const { n, bytes } = db.prepare(`SELECT count(*) AS n, sum(${size}) AS bytes FROM (SELECT ${stored.map((c) => quoteIdent(c.name)).join(", ")} FROM ${table} LIMIT ${SIZE_SAMPLE_ROWS})`).get() as {
      n: bigint;
      bytes: bigint | null;
    };
    return n === 0n ? 0 : Math.round((Number(bytes ?? 0n) / Number(n)) * rowCount);
  } catch {
    // A damaged page among the sampled rows: no estimate. Reading the rows (profile, copy) reports the damage
    // with the table it is in; a scheduling hint must not change what fails where.
    return undefined;
  }
}

/** Read every table's catalog facts (the ones Prisma's introspection drops included). */
export function readCatalog(db: SqliteDb): SqliteCatalog {
  let catalog: SqliteCatalog;
  try {
    catalog = readCatalogUnchecked(db);
  } catch (cause) {
    throw sourceReadError(db.name, cause);
  }
  assertQuotableIdentifiers(catalog.tables);
  return catalog;
}

function readCatalogUnchecked(db: SqliteDb): SqliteCatalog {
  const schemaRows = db
    .prepare("SELECT type, name, tbl_name, sql FROM sqlite_schema ORDER BY rowid")
    .all() as { type: string; name: string; tbl_name: string; sql: string | null }[];
  const hasSequence = schemaRows.some((r) => r.type === "table" && r.name === "sqlite_sequence");
  const sequences = new Map<string, bigint>();
  if (hasSequence) {
    for (const r of db.prepare("SELECT name, seq FROM sqlite_sequence").all() as { name: string; seq: bigint }[]) {
      sequences.set(r.name, BigInt(r.seq));
    }
  }
  const indexSql = new Map(schemaRows.filter((r) => r.type === "index").map((r) => [r.name, r.sql]));
  // Shadow tables are a virtual table's private structures, never tables of their own; FTS and R-tree tables
  // take part as the plain table that stands in for them (their PRAGMAs are read from that table's definition).
  const sourceTables = classifySourceTables(schemaRows.filter((r) => r.type === "table"), shadowTableNames(db));
  const kindOf = new Map(sourceTables.map((e) => [e.name, e.kind]));
  const virtualTables = describeVirtualTables(db, sourceTables, (name) => schemaRows.find((r) => r.type === "table" && r.name === name)?.sql ?? "",
    (name) => schemaRows.find((r) => (r.type === "table" || r.type === "view") && r.name.toLowerCase() === name.toLowerCase())?.type,
  );
  const standIns = new Map(virtualTables.filter((v) => v.plainSql !== undefined).map((v) => [v.name, v]));
  const plainDefs = standIns.size > 0 ? new Database(":memory:") : undefined;
  for (const v of standIns.values()) plainDefs!.exec(v.plainSql!);

  const tableNames = new Set(schemaRows.filter((r) => r.type === "table").map((r) => r.name.toLowerCase()));
  const tables: SqliteTable[] = [];
  for (const row of schemaRows) {
    if (row.type !== "table" || isInternalTable(row.name) || row.sql === null) continue;
    if (kindOf.get(row.name) === "shadow") continue;
    const standIn = standIns.get(row.name);
    if (/^\s*CREATE\s+VIRTUAL\s+TABLE/i.test(row.sql) && !standIn) continue;
    const q = quoteIdent(row.name);
    const pragmas = standIn ? plainDefs! : db;
    const columns = (pragmas.prepare(`PRAGMA table_xinfo(${q})`).all() as XInfoRow[]).map(
      (c): SqliteColumn => ({
        name: c.name,
        declaredType: c.type ?? "",
        notNull: Number(c.notnull) === 1,
        defaultSql: c.dflt_value,
        pkOrder: Number(c.pk),
        hidden: Number(c.hidden),
      }),
    );
    const indexes = (pragmas.prepare(`PRAGMA index_list(${q})`).all() as IndexListRow[]).map((ix): SqliteIndex => {
      const cols = (pragmas.prepare(`PRAGMA index_xinfo(${quoteIdent(ix.name)})`).all() as IndexXInfoRow[])
        .filter((c) => Number(c.key) === 1)
        .sort((a, b) => Number(a.seqno) - Number(b.seqno))
        .map((c) => (Number(c.cid) === -2 ? null : c.name));
      return {
        name: ix.name,
        unique: Number(ix.unique) === 1,
        origin: ix.origin,
        partial: Number(ix.partial) === 1,
        columns: cols,
        sql: indexSql.get(ix.name) ?? null,
      };
    });
    const fkRows = pragmas.prepare(`PRAGMA foreign_key_list(${q})`).all() as FkRow[];
    const fkById = new Map<number, SqliteForeignKey & { from: string[]; to: (string | null)[] }>();
    for (const fk of fkRows) {
      const id = Number(fk.id);
      let entry = fkById.get(id);
      if (!entry) {
        entry = { id, table: fk.table, from: [], to: [], onUpdate: fk.on_update, onDelete: fk.on_delete };
        fkById.set(id, entry);
      }
      entry.from.push(fk.from);
      entry.to.push(fk.to);
    }
    const foreignKeys = [...fkById.values()].filter((fk) => tableNames.has(fk.table.toLowerCase()));
    const danglingForeignKeys = [...fkById.values()].filter((fk) => !tableNames.has(fk.table.toLowerCase()));
    const rowCount = Number((db.prepare(`SELECT count(*) AS n FROM ${q}`).get() as { n: bigint }).n);
    const estimatedBytes = estimateBytes(db, q, columns, rowCount);
    const sql = standIn?.plainSql ?? row.sql;
    tables.push({
      name: row.name,
      sql,
      columns,
      indexes,
      foreignKeys,
      ...(danglingForeignKeys.length > 0 ? { danglingForeignKeys } : {}),
      withoutRowid: /\)\s*WITHOUT\s+ROWID\s*;?\s*$/i.test(sql),
      autoincrement: /\bAUTOINCREMENT\b/i.test(sql),
      sequence: sequences.get(row.name) ?? null,
      rowCount,
      estimatedBytes,
      ...(standIn ? { virtual: { module: standIn.module, sql: row.sql } } : {}),
    });
  }
  plainDefs?.close();
  const viewErrors = unpreparableViews(db, schemaRows.filter((r) => r.type === "view").map((r) => r.name));
  return {
    tables,
    views: schemaRows
      .filter((r) => r.type === "view")
      .map((r) => {
        const error = viewErrors.get(r.name);
        return { name: r.name, sql: r.sql ?? "", ...(error === undefined ? {} : { error }) };
      }),
    virtualTables,
    triggers: schemaRows
      .filter((r) => r.type === "trigger")
      .map((r) => ({ name: r.name, table: r.tbl_name, sql: r.sql ?? "" })),
  };
}
