/** What the sync tests share: writing to the SQLite file as the app would, and a `migrate --sync-state` to start from. */
import { join } from "node:path";
import Database from "better-sqlite3";
import { expect } from "vitest";
import { runCli } from "./cli.js";
import { createTestDatabase, type TestDatabase } from "./pg.js";

/** Run `sql` on the SQLite file in a connection of its own (the app writing meanwhile). */
export function writeSqlite(file: string, sql: string, options: { foreignKeys?: boolean } = {}): void {
  const d = new Database(file);
  try {
    if (options.foreignKeys) d.pragma("foreign_keys = ON");
    d.exec(sql);
  } finally {
    d.close();
  }
}

/**
 * `migrate --sync-state` of `file` into a new database (pushed onto `databases`, which the test file drops),
 * writing its project into `<outRoot>/out-<label>`; fails the test unless it exits 0.
 */
export async function migrateForSync(file: string, label: string, outRoot: string, databases: TestDatabase[], extra: readonly string[] = ["--verify", "counts", "--quiet"]): Promise<TestDatabase> {
  const db = await createTestDatabase(`sync_${label}`);
  databases.push(db);
  const res = await runCli(["migrate", file, "--to", db.url, "--out", join(outRoot, `out-${label}`), "--yes", "--sync-state", ...extra]);
  expect(res.code, res.stderr + res.stdout).toBe(0);
  return db;
}
