/**
 * Catalog facts the extras converter (convert/extras.ts) needs beyond readCatalog(): the collation of each
 * index key column (PRAGMA index_xinfo "coll", https://sqlite.org/pragma.html#pragma_index_xinfo). A column
 * declared `COLLATE NOCASE` passes its collation to every index on it, and `CREATE INDEX … (x COLLATE NOCASE)`
 * sets it explicitly, so this is the one reliable source for "is this uniqueness case-insensitive".
 * Read-only; kept apart so convertExtras stays pure.
 */
import type { SqliteDb } from "../db/sqlite-source.js";
import type { SqliteCatalog } from "../core/catalog.js";
import { readIndexKeys } from "./index-keys.js";
import { type ExtraFacts } from "../core/catalog.js";

export function readExtraFacts(db: SqliteDb, catalog: SqliteCatalog): ExtraFacts {
  const indexCollations = new Map<string, string[]>();
  for (const table of catalog.tables) {
    for (const index of table.indexes) {
      indexCollations.set(index.name, readIndexKeys(db, index.name).map((k) => k.collation));
    }
  }
  return { indexCollations };
}
