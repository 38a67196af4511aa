import Database from "better-sqlite3";
import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";

export const REPO_ROOT = fileURLToPath(new URL("../..", import.meta.url));
export const CORPUS = join(REPO_ROOT, "..", "shared", "corpus", "pgloader");
export const EXAMPLE_DB = join(REPO_ROOT, "examples", "blog.db");

export function tempDir(label: string): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), `s2p-test-${label}-`));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The corpus is read-only and shared: tests work on a copy. */
export function copyToTemp(source: string, dir: string): string {
  const dest = join(dir, basename(source));
  copyFileSync(source, dest);
  return dest;
}

export function corpusFile(name: string): string {
  return join(CORPUS, name);
}

/** Create a SQLite file `name` in `dir` with better-sqlite3 and let `build` fill it; returns its path. */
export function buildSqliteFile(dir: string, name: string, build: (d: Database.Database) => void): string {
  const path = join(dir, name);
  const d = new Database(path);
  try {
    build(d);
  } finally {
    d.close();
  }
  return path;
}
