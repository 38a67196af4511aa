/**
 * Profile the columns whose type choice depends on the data. Plain TEXT, BLOB and JSON columns map to one type
 * whatever they hold (values that do not fit are caught value by value by the copy), so their — often largest —
 * values are not read twice.
 */
import type { ColumnProfile } from "../convert/column-type.js";
import { familyOf, type TypeFamily } from "../convert/type-map.js";
import type { SqliteCatalog, SqliteDb } from "../db/sqlite-source.js";
import { profileTable } from "./profile.js";

const DATA_INDEPENDENT: ReadonlySet<TypeFamily> = new Set(["text", "bytes", "json"]);

export function profileCatalog(db: SqliteDb, catalog: SqliteCatalog): Map<string, ReadonlyMap<string, ColumnProfile>> {
  const result = new Map<string, ReadonlyMap<string, ColumnProfile>>();
  for (const table of catalog.tables) {
    result.set(table.name, profileTable(db, table, (c) => !DATA_INDEPENDENT.has(familyOf(c.declaredType))));
  }
  return result;
}
