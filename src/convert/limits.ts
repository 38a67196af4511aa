/**
 * Limits PostgreSQL has and SQLite does not (PURE). SQLite allows 2000 columns per table by default
 * (SQLITE_MAX_COLUMN, https://sqlite.org/limits.html#max_column); PostgreSQL at most 1600
 * (MaxHeapAttributeNumber, https://www.postgresql.org/docs/current/limits.html). Such a table cannot be created at
 * all, so it is refused before anything is written, by name, instead of as PostgreSQL's 54011 on a CREATE TABLE
 * statement thousands of lines long.
 */
import type { SqliteTable } from "../core/catalog.js";
import { Sqlite2pgError } from "../core/errors.js";

export const PG_MAX_COLUMNS = 1600;

export function assertPostgresLimits(tables: readonly SqliteTable[]): void {
  const wide = tables.filter((t) => t.columns.length > PG_MAX_COLUMNS);
  if (wide.length === 0) return;
  const list = wide.map((t) => `"${t.name}" (${t.columns.length} columns)`).join(", ");
  throw new Sqlite2pgError(`PostgreSQL tables can have at most ${PG_MAX_COLUMNS} columns: ${list}`, {
    code: "TABLE_TOO_WIDE",
    kind: "source",
    stage: "convert",
    object: { table: wide[0].name },
    hint:
      `split the table in SQLite first (e.g. CREATE TABLE "${wide[0].name}_2" AS SELECT <key>, <the columns beyond ${PG_MAX_COLUMNS - 1}> FROM "${wide[0].name}", ` +
      `then drop those columns from "${wide[0].name}"), or leave it out with --exclude "${wide[0].name}"`,
  });
}
