/**
 * Take a private, consistent copy of the user's SQLite file with SQLite's online backup API
 * (https://sqlite.org/backup.html). Every later stage (Prisma introspection, profile, copy, verify) reads this
 * copy, so they all see one snapshot even if the application keeps writing to the original (WAL or not),
 * and the user's file is never opened for writing.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openSqlite } from "../db/sqlite-source.js";

export interface Snapshot {
  readonly dir: string;
  readonly path: string;
  /** Remove the temporary directory. */
  dispose(): Promise<void>;
}

export async function takeSnapshot(sourcePath: string): Promise<Snapshot> {
  const source = openSqlite(sourcePath);
  const dir = await mkdtemp(join(tmpdir(), "sqlite2pg-"));
  const path = join(dir, "source.db");
  try {
    await source.backup(path);
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  } finally {
    source.close();
  }
  return { dir, path, dispose: () => rm(dir, { recursive: true, force: true }) };
}
