/** Profile every table of the catalog (one streaming pass each). */
import type { ColumnProfile } from "../convert/column-type.js";
import type { SqliteCatalog, SqliteDb } from "../db/sqlite-source.js";
import { profileTable } from "./profile.js";

export function profileCatalog(db: SqliteDb, catalog: SqliteCatalog): Map<string, ReadonlyMap<string, ColumnProfile>> {
  const result = new Map<string, ReadonlyMap<string, ColumnProfile>>();
  for (const table of catalog.tables) result.set(table.name, profileTable(db, table));
  return result;
}
