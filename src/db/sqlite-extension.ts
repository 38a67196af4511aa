/**
 * sqlite2pg's own SQLite extension (native/copy-text.c): `s2p_copy_text(x)`, a value as a COPY text field in one
 * pass, where SQLite's core functions need four nested replace() calls. Built by the package's postinstall
 * (native/build.js) when a C compiler is there; without it the copy spells the same bytes with replace(), more
 * slowly (sql-spelling.ts). Loaded per connection, once (https://sqlite.org/loadext.html; better-sqlite3's
 * `loadExtension`).
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { SqliteDb } from "./sqlite-source.js";

/** The module's path: native/build/ of the package root, two folders above this module in src/, dist/ and the bundle. */
const MODULE = fileURLToPath(
  new URL(`../../native/build/s2p-copy-text.${process.platform === "darwin" ? "dylib" : process.platform === "win32" ? "dll" : "so"}`, import.meta.url),
);
const ENTRY_POINT = "sqlite3_s2pcopytext_init";

const BUILT = existsSync(MODULE);
const loaded = new WeakSet<SqliteDb>();

/**
 * Load the extension into a connection just opened (openSqlite), before any statement of its runs: better-sqlite3
 * refuses to load one while a statement is being iterated. Nothing happens when it was not built, when
 * SQLITE2PG_NO_NATIVE=1 asks for SQLite's core functions only, or when loading fails (a module built for another
 * platform, a damaged file): replace() spells the same bytes.
 */
export function loadCopyText(db: SqliteDb): void {
  if (!BUILT || process.env.SQLITE2PG_NO_NATIVE === "1") return;
  try {
    // better-sqlite3 takes the entry point as a second argument; its type declarations omit it.
    (db as unknown as { loadExtension(path: string, entryPoint: string): void }).loadExtension(MODULE, ENTRY_POINT);
    loaded.add(db);
  } catch {
    // Left to replace().
  }
}

/** Whether `s2p_copy_text` can be called on this connection. */
export function hasCopyText(db: SqliteDb): boolean {
  return loaded.has(db);
}

/** The extension's file, for messages and tests. */
export const COPY_TEXT_MODULE = MODULE;
