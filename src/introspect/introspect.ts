/**
 * Stage 1 — introspect: `prisma db pull` on the snapshot through @prisma/adapter-better-sqlite3. The catalog
 * facts Prisma's introspection drops (declared types, defaults as SQL, AUTOINCREMENT, sqlite_sequence,
 * partial/expression indexes, views, triggers) are read from SQLite's PRAGMAs by db/sqlite-source.ts.
 */
import { writeFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { runPrisma } from "../db/prisma-cli.js";
import type { Snapshot } from "./snapshot.js";

export interface IntrospectResult {
  /** The schema.prisma text Prisma produced for the SQLite database. */
  readonly pulledSchema: string;
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
  // `db pull` rewrites the schema file in place; `--print` would mix a warning banner into stdout.
  await runPrisma(["db", "pull"], {
    stage: "introspect",
    adapter: "sqlite",
    adapterUrl: `file:${snapshot.schemaClonePath}`,
    schemaPath,
    cwd: snapshot.dir,
  });
  return { pulledSchema: await readFile(schemaPath, "utf8") };
}
