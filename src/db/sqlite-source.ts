/**
 * Thin adapter over better-sqlite3: opens the user's file read-only and answers the questions the pipeline
 * asks (catalog facts through PRAGMAs, row streams). Nothing here writes to the source.
 *
 * PRAGMAs used: table_xinfo, index_list, index_xinfo, foreign_key_list (https://sqlite.org/pragma.html).
 */
import Database from "better-sqlite3";
import { Sqlite2pgError, type Stage } from "../core/errors.js";
import { loadExtension } from "./sqlite-extension.js";

export type SqliteDb = Database.Database;

const SQLITE_MAGIC = "SQLite format 3\u0000";

/** An error better-sqlite3 raised (SqliteError, code SQLITE_*): the SQLite file's problem, not PostgreSQL's. */
export function isSqliteError(err: unknown): boolean {
  return String((err as { code?: unknown } | null)?.code ?? "").startsWith("SQLITE_");
}

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

/**
 * A read connection of its own inside a read transaction that has already read (a worker thread's: profile,
 * sync digests). The first read starts the transaction (https://sqlite.org/isolation.html): the caller says
 * "started" after this, and the main thread then checks that nobody committed since its snapshot began.
 */
export function openInReadTransaction(path: string): SqliteDb {
  const db = openSqlite(path);
  db.exec("BEGIN");
  db.prepare("SELECT count(*) FROM sqlite_schema").get();
  return db;
}

/** Page cache of a read connection, in SQLite's negative-KiB form (its compiled default). */
export const SOURCE_CACHE_KIB = -2000;

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
  // better-sqlite3 is built with a 16 MB page cache per connection (SQLITE_DEFAULT_CACHE_SIZE=-16000); SQLite's own
  // default is 2 MB (https://sqlite.org/pragma.html#pragma_cache_size). sqlite2pg reads each table front to back
  // (profile, copy, verify), where a cache does not help and the OS's file cache serves the re-reads: every read
  // connection (the snapshot's, each profile thread's) would otherwise hold 16 MB of pages it never reads again.
  db.pragma(`cache_size = ${SOURCE_CACHE_KIB}`);
  loadExtension(db);
  return db;
}
