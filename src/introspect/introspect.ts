/**
 * Stage 2 — introspect: `prisma db pull` on the snapshot through @prisma/adapter-better-sqlite3. The catalog
 * facts Prisma's introspection drops (declared types, defaults as SQL, AUTOINCREMENT, sqlite_sequence,
 * partial/expression indexes, views, triggers) are read from SQLite's PRAGMAs by db/sqlite-source.ts.
 */
import { copyFileSync, writeFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { runPrisma } from "../db/prisma-cli.js";
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

export async function introspect(snapshot: Snapshot): Promise<IntrospectResult> {
  const schemaPath = join(snapshot.dir, "introspected.prisma");
  // Synchronous on purpose: the child process must start now, while the caller profiles the data.
  writeFileSync(schemaPath, PULL_SEED);
  // Renames go into a copy: the read-back copies sample rows into the clone under the real names.
  const pullPath = join(snapshot.dir, "introspected.db");
  copyFileSync(snapshot.schemaClonePath, pullPath);
  const renamed = renameHostileNames(pullPath);
  // `db pull` rewrites the schema file in place; `--print` would mix a warning banner into stdout.
  await runPrisma(["db", "pull"], {
    stage: "introspect",
    adapter: "sqlite",
    adapterUrl: `file:${pullPath}`,
    schemaPath,
    cwd: snapshot.dir,
  });
  const restored = restoreCloneNames(await readFile(schemaPath, "utf8"), renamed.plan);
  return { pulledSchema: restored.schema, decisions: [...renamed.decisions, ...restored.decisions] };
}
