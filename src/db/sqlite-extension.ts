/**
 * sqlite2pg's own SQLite extension (native/): `s2p_copy_text(x)`, a value as a COPY text field in one pass, where
 * SQLite's core functions need four nested replace() calls (copy-text.c, used by sql-spelling.ts), and the
 * `s2p_profile(x, temporal)` aggregate, which profiles the common value classes without reading them into JS
 * (profile.c, used by profile.ts), and `s2p_jsonb_copy(x)`, a JSON text as jsonb_out prints it (jsonb-text.c, used
 * by sql-chunks.ts), and `s2p_copy_line(…)` / `s2p_copy_lines(r, line)`, which join a chunk's spelled fields into
 * its COPY text (lines.c, used by sql-chunks.ts). Built by the package's postinstall (native/build.js) when a C
 * compiler is there; without it the copy and the profile do the same work with core SQL and JS, with the same
 * results, more slowly.
 * Loaded per connection, once (https://sqlite.org/loadext.html; better-sqlite3's `loadExtension`).
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type Database from "better-sqlite3";

/** A better-sqlite3 connection (sqlite-source.ts's SqliteDb, named here without importing the module that loads this one). */
type SqliteDb = Database.Database;

/** The module's path: native/build/ of the package root, two folders above this module in src/, dist/ and the bundle. */
const MODULE = fileURLToPath(
  new URL(`../../native/build/sqlite2pg.${process.platform === "darwin" ? "dylib" : process.platform === "win32" ? "dll" : "so"}`, import.meta.url),
);
const ENTRY_POINT = "sqlite3_sqlitepg_init";

const BUILT = existsSync(MODULE);
const loaded = new WeakSet<SqliteDb>();

/**
 * Load the extension into a connection just opened (openSqlite), before any statement of its runs: better-sqlite3
 * refuses to load one while a statement is being iterated. Nothing happens when it was not built, when
 * SQLITE2PG_NO_NATIVE=1 asks for SQLite's core functions only, or when loading fails (a module built for another
 * platform, a damaged file): the copy's replace() and the JS profile give the same results.
 */
export function loadExtension(db: SqliteDb): void {
  if (!BUILT || process.env.SQLITE2PG_NO_NATIVE === "1") return;
  try {
    // better-sqlite3 takes the entry point as a second argument; its type declarations omit it.
    (db as unknown as { loadExtension(path: string, entryPoint: string): void }).loadExtension(MODULE, ENTRY_POINT);
    // A module built from older sources (native/ changed, postinstall not run again) may lack a function: then none
    // of them is used.
    db.prepare("SELECT s2p_copy_text(NULL), s2p_jsonb_copy(NULL), s2p_profile(NULL, 0), s2p_copy_line(1), s2p_copy_lines(1, NULL)").get();
    loaded.add(db);
  } catch {
    // Left to replace() and the JS profile.
  }
}

/** Whether the extension's functions can be called on this connection. */
export function hasExtension(db: SqliteDb): boolean {
  return loaded.has(db);
}

/** The extension's file, for messages and tests. */
export const EXTENSION_MODULE = MODULE;
