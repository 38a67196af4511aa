/**
 * The copy compresses the large values it writes with lz4 (apply.ts LZ4_TOAST) when the server's
 * default_toast_compression is PostgreSQL's own default, and leaves a configured one alone. Checked on the stored
 * values themselves (pg_column_compression), on the schema (no column gets a COMPRESSION clause, so Prisma sees no
 * drift) and on later writes (the server's default again), for the one-transaction copy and --jobs 2.
 */
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { buildSqliteFile, tempDir } from "../helpers/files.js";
import { createTestDatabase, type TestDatabase } from "../helpers/pg.js";

const tmp = tempDir("toast");
const databases: TestDatabase[] = [];
afterAll(async () => {
  for (const db of databases) await db.drop();
  tmp.cleanup();
});

// Two tables (--jobs 2 copies more than one table at a time), each 40 rows with 6 KB bodies: compressible, and
// PostgreSQL compresses values of rows over ~2 KB.
const file = buildSqliteFile(tmp.dir, "docs.db", (d) => {
  d.exec("CREATE TABLE docs (id INTEGER PRIMARY KEY, title TEXT NOT NULL, body TEXT NOT NULL)");
  d.exec("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL)");
  const insert = d.prepare("INSERT INTO docs (title, body) VALUES (?, ?)");
  const note = d.prepare("INSERT INTO notes (body) VALUES (?)");
  for (let i = 0; i < 40; i++) {
    insert.run(`doc ${i}`, `${i} `.repeat(3000));
    note.run(`note ${i} `.repeat(700));
  }
});

async function migrate(label: string, jobs: string, before?: (db: TestDatabase) => Promise<void>): Promise<TestDatabase> {
  const db = await createTestDatabase(label);
  databases.push(db);
  await before?.(db);
  const r = await runCli(["migrate", file, "--to", db.url, "--out", join(tmp.dir, label), "--yes", "--jobs", jobs]);
  expect(r.code, r.stderr).toBe(0);
  expect(r.stderr).toMatch(jobs === "1" ? /\[copy\] copying rows…/ : /tables at a time/);
  expect(r.stdout).toMatch(/schema drift: none/);
  return db;
}

async function methods(db: TestDatabase): Promise<Record<string, number>> {
  const rows = await db.query<{ method: string | null; n: number }>(
    "SELECT pg_column_compression(body) AS method, count(*)::int AS n FROM (SELECT body FROM docs UNION ALL SELECT body FROM notes) b GROUP BY 1 ORDER BY 1",
  );
  return Object.fromEntries(rows.map((r) => [r.method ?? "none", r.n]));
}

describe("TOAST compression of the copied values", () => {
  it.each(["1", "2"])("lz4 under the server's default (--jobs %s); the schema and later writes are untouched", async (jobs) => {
    const db = await migrate(`toast_default_${jobs}`, jobs);
    const [setting] = await db.query<{ setting: string; source: string }>("SELECT setting, source FROM pg_settings WHERE name = 'default_toast_compression'");
    expect(setting).toEqual({ setting: "pglz", source: "default" });
    expect(await methods(db)).toEqual({ lz4: 80 });
    const columns = await db.query<{ attcompression: string }>(
      "SELECT attcompression FROM pg_attribute WHERE attrelid = 'docs'::regclass AND attnum > 0 AND NOT attisdropped",
    );
    expect(columns.map((c) => c.attcompression)).toEqual(["", "", ""]);
    // A write after the migration: the server's default compresses it.
    await db.query("INSERT INTO docs (title, body) VALUES ('later', repeat('later ', 1000))");
    const [later] = await db.query<{ method: string }>("SELECT pg_column_compression(body) AS method FROM docs WHERE title = 'later'");
    expect(later.method).toBe("pglz");
  }, 120_000);

  it("keeps a default_toast_compression someone configured (here for the database)", async () => {
    const db = await migrate("toast_configured", "1", async (d) => {
      await d.query(`ALTER DATABASE "${d.name}" SET default_toast_compression = pglz`);
    });
    expect(await methods(db)).toEqual({ pglz: 80 });
  }, 120_000);
});
