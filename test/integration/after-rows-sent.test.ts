/**
 * What `migrate` starts once every row is sent, beside the index and foreign-key builds (pipeline/migrate.ts): the
 * drift check's shadow for a source too large to replay it beside the copy, and the read-back's preparation (its
 * sample, both Prisma Clients, SQLite's reads). Forced here with SQLITE2PG_SHADOW_BESIDE_COPY_BYTES=0, so a small
 * file takes the large file's path. Through the real CLI on a real PostgreSQL, --jobs 1 and 2:
 * - a clean run reports no drift (the shadow replayed and described) and the read-back compared every model;
 * - a run that fails in post-data (an orphan the foreign key refuses) names the orphan, writes nothing, and leaves
 *   no shadow schema or database and no work directory behind, though both were started before the failure.
 */
import { mkdirSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { buildSqliteFile, tempDir } from "../helpers/files.js";
import { createTestDatabase, type TestDatabase } from "../helpers/pg.js";

const tmp = tempDir("after-rows-sent");
const databases: TestDatabase[] = [];
let clean: string;
let orphaned: string;

const SCHEMA = `
  CREATE TABLE author (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
  CREATE TABLE book (id INTEGER PRIMARY KEY, author_id INTEGER NOT NULL REFERENCES author(id), title TEXT NOT NULL, added DATETIME);
  CREATE INDEX book_author ON book(author_id);
`;

beforeAll(() => {
  const fill = (orphan: boolean) => (d: import("better-sqlite3").Database) => {
    d.pragma("foreign_keys = OFF"); // SQLite leaves them off by default; the helper turns them on
    d.exec(SCHEMA);
    const a = d.prepare("INSERT INTO author (id, name) VALUES (?, ?)");
    const b = d.prepare("INSERT INTO book (id, author_id, title, added) VALUES (?, ?, ?, ?)");
    for (let i = 1; i <= 50; i++) a.run(i, `author ${i}`);
    for (let i = 1; i <= 500; i++) b.run(i, orphan && i === 321 ? 777 : (i % 50) + 1, `title ${i}`, `2024-01-${String((i % 28) + 1).padStart(2, "0")} 10:00:00`);
  };
  clean = buildSqliteFile(tmp.dir, "clean.db", fill(false));
  orphaned = buildSqliteFile(tmp.dir, "orphaned.db", fill(true));
});
afterAll(async () => {
  for (const db of databases) await db.drop();
  tmp.cleanup();
});

async function migrateWithLateShadow(file: string, jobs: string, label: string) {
  const db = await createTestDatabase("afterrows");
  databases.push(db);
  const workTmp = join(tmp.dir, `tmp-${label}`);
  mkdirSync(workTmp);
  const res = await runCli(["migrate", file, "--to", db.url, "--out", join(tmp.dir, `out-${label}`), "--yes", "--json", "--jobs", jobs], {
    SQLITE2PG_SHADOW_BESIDE_COPY_BYTES: "0",
    TMPDIR: workTmp,
  });
  return { db, res, workTmp };
}

/** Shadow schemas (in the target) and shadow databases (on the server) a run may leave: none may remain. */
async function shadowsLeft(db: TestDatabase): Promise<unknown[]> {
  const schemas = await db.query("SELECT nspname FROM pg_namespace WHERE nspname LIKE 'sqlite2pg_shadow%'");
  const dbs = await db.query("SELECT datname FROM pg_database WHERE datname LIKE 'sqlite2pg_shadow%'");
  return [...schemas, ...dbs];
}

describe.each(["1", "2"])("--jobs %s, the shadow and the read-back started once every row is sent", (jobs) => {
  it("a clean run: no drift, every model read back the same", async () => {
    const { db, res, workTmp } = await migrateWithLateShadow(clean, jobs, `clean-${jobs}`);
    expect(res.code, res.stderr).toBe(0);
    const summary = JSON.parse(res.stdout) as {
      ok: boolean;
      drift: { status: string; objects: number; shadow: string };
      readBack: { status: string; models: { model: string; status: string; rows: number }[] };
      counts: { table: string; ok: boolean }[];
    };
    expect(summary.ok).toBe(true);
    expect(summary.drift).toMatchObject({ status: "no-drift", shadow: expect.stringMatching(/^(schema|database)$/) });
    expect(summary.drift.objects).toBeGreaterThan(5);
    expect(summary.readBack.status).toBe("same");
    expect(summary.readBack.models.map((m) => [m.model, m.status, m.rows]).sort()).toEqual([
      ["Author", "compared", 50],
      ["Book", "compared", 100],
    ]);
    expect(await shadowsLeft(db)).toEqual([]);
    expect(readdirSync(workTmp).filter((n) => n.startsWith("sqlite2pg-"))).toEqual([]);
  });

  it("a run refused in post-data (an orphan): the orphan named, nothing written, no shadow and no work directory left", async () => {
    const { db, res, workTmp } = await migrateWithLateShadow(orphaned, jobs, `orphaned-${jobs}`);
    expect(res.code, res.stderr).toBe(1);
    expect(res.stderr).toMatch(/book\.author_id \[321\]: references a missing row of "author" \(value: 777\)/);
    const tables = await db.query("SELECT tablename FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')");
    expect(tables).toEqual([]);
    expect(await shadowsLeft(db)).toEqual([]);
    expect(readdirSync(workTmp).filter((n) => n.startsWith("sqlite2pg-"))).toEqual([]);
  });
});
