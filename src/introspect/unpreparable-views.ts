/**
 * Views SQLite itself cannot run. SQLite stores a CREATE VIEW without checking what it names
 * (https://sqlite.org/lang_createview.html), so a file can hold views over tables that no longer exist, or views
 * calling the application's own SQL functions (registered at run time with sqlite3_create_function, e.g. Calibre's
 * `title_sort()`: https://sqlite.org/appfunc.html). Prisma's introspection describes every view and stops at the
 * first such one ("Error describing the database"); the copy does not need them. Each is named, left out of the
 * clone Prisma reads and reported with its SQL.
 */
import { quoteIdent } from "../core/quote.js";

/** View name → SQLite's error for every view a `SELECT * FROM view` cannot be prepared on. */
export function unpreparableViews(db: { prepare(sql: string): unknown }, views: readonly string[]): Map<string, string> {
  const errors = new Map<string, string>();
  for (const name of views) {
    try {
      // Preparing compiles the whole view (and the views it reads) without running it.
      db.prepare(`SELECT * FROM main.${quoteIdent(name)}`);
    } catch (cause) {
      errors.set(name, (cause as Error).message);
    }
  }
  return errors;
}

