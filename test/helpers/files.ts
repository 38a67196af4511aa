import Database from "better-sqlite3";
import { copyFileSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const REPO_ROOT = fileURLToPath(new URL("../..", import.meta.url));
/**
 * The shared pgloader corpus (read-only): $SQLITE2PG_CORPUS, else the first `shared/corpus/pgloader` found walking
 * up from the repository (a checkout in /work/main or a clean clone elsewhere), else /work/shared/corpus/pgloader.
 */
function findCorpus(): string {
  if (process.env.SQLITE2PG_CORPUS) return process.env.SQLITE2PG_CORPUS;
  for (let dir = REPO_ROOT; ; dir = dirname(dir)) {
    const candidate = join(dir, "shared", "corpus", "pgloader");
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) break;
  }
  return "/work/shared/corpus/pgloader";
}
export const CORPUS = findCorpus();
/** The real-world application databases beside it (shared/corpus/realworld, read-only). */
export const REALWORLD = join(dirname(CORPUS), "realworld");
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

/**
 * Give an (untyped) table its declared types without touching the stored values (PRAGMA writable_schema): SQLite
 * applies column affinity on INSERT, so this is how files holding e.g. text in an INTEGER column are made.
 */
export function redeclare(d: Database.Database, table: string, createSql: string): void {
  d.unsafeMode(true);
  d.pragma("writable_schema = ON");
  d.prepare("UPDATE sqlite_schema SET sql = ? WHERE type = 'table' AND name = ?").run(createSql, table);
  d.pragma("writable_schema = OFF");
  d.unsafeMode(false);
}

/** Every file below `dir`, recursively. */
export function allFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? allFiles(p) : [p];
  });
}
