/**
 * The migrations directory as Prisma Migrate reads it: every subdirectory holding a `migration.sql`, applied in
 * the order of the directory names (https://www.prisma.io/docs/orm/prisma-migrate/understanding-prisma-migrate/migration-histories).
 */
import { existsSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";

export interface MigrationFile {
  /** Directory name, e.g. "0_init". */
  readonly name: string;
  readonly sql: string;
}

export async function readMigrations(migrationsDir: string): Promise<MigrationFile[]> {
  const entries = await readdir(migrationsDir, { withFileTypes: true });
  const names = entries
    .filter((e) => e.isDirectory() && existsSync(join(migrationsDir, e.name, "migration.sql")))
    .map((e) => e.name)
    // Code-unit order, not the locale's: Prisma sorts the names as plain strings.
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return Promise.all(names.map(async (name) => ({ name, sql: await readFile(join(migrationsDir, name, "migration.sql"), "utf8") })));
}
