/**
 * Stage 2 — introspect: `prisma db pull` on the snapshot through @prisma/adapter-better-sqlite3, by Prisma's schema
 * engine in this process (db/schema-engine.ts). The catalog
 * facts Prisma's introspection drops (declared types, defaults as SQL, AUTOINCREMENT, sqlite_sequence,
 * partial/expression indexes, views, triggers) are read from SQLite's PRAGMAs by db/sqlite-source.ts.
 */
import { copyFileSync } from "node:fs";
import { join } from "node:path";
import { introspectSqlite } from "../db/schema-engine.js";
import type { Snapshot } from "./snapshot.js";
import type { Decision } from "../core/decisions.js";
import { restoreCloneNames } from "../convert/prisma-names.js";
import { renameHostileNames } from "./clone-names.js";

export interface IntrospectResult {
  /** The schema.prisma text Prisma produced for the SQLite database. */
  readonly pulledSchema: string;
  /** Model, field and index names chosen because Prisma could not derive them (convert/prisma-names.ts). */
  readonly decisions: readonly Decision[];
}

const PULL_SEED = `datasource db {
  provider = "sqlite"
  url      = "file:./schema.db"
}
`;

/** Up to this many tables, the diff's engine thread loads beside the pull (db/schema-engine.ts prewarmDiff). */
const PREWARM_DIFF_TABLES = 200;

export async function introspect(snapshot: Snapshot, tables: number): Promise<IntrospectResult> {
  // Renames go into a copy: the read-back copies sample rows into the clone under the real names.
  const pullPath = join(snapshot.dir, "introspected.db");
  copyFileSync(snapshot.schemaClonePath, pullPath);
  const renamed = renameHostileNames(pullPath);
  const pulled = await introspectSqlite({ path: "schema.prisma", content: PULL_SEED }, snapshot.dir, {
    stage: "introspect",
    kind: "source",
    sqliteUrl: `file:${pullPath}`,
  }, tables <= PREWARM_DIFF_TABLES);
  const restored = restoreCloneNames(pulled.schema, renamed.plan);
  return { pulledSchema: restored.schema, decisions: [...renamed.decisions, ...restored.decisions] };
}
