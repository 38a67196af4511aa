/**
 * `--jobs N`: tables copied at once over N connections, each table built in a private staging schema and moved
 * into the target in one final transaction (src/apply/parallel-apply.ts). Checked on real databases:
 * - the result is the same database as the one-transaction build (`--jobs 1`): tables, columns, indexes,
 *   constraints, sequences, the baseline; every row verified;
 * - a data problem leaves the target schema untouched and no staging schema behind;
 * - a staging schema left by a dead run is dropped by the next run, a live run's is not touched.
 */
import { join } from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { MigrateSummary } from "../../src/report/summary-types.js";
import { runCli } from "../helpers/cli.js";
import { copyToTemp, corpusFile, tempDir } from "../helpers/files.js";
import { createTestDatabase, type TestDatabase } from "../helpers/pg.js";

/** Everything a schema holds that a build could get wrong, as comparable text. */
async function describeSchema(db: TestDatabase): Promise<Record<string, string[]>> {
  const q = async (sql: string) => (await db.query<{ x: string }>(sql)).map((r) => r.x);
  return {
    columns: await q(
      `SELECT table_name || '.' || column_name || ' ' || data_type || coalesce('(' || character_maximum_length || ')', '') || ' ' || is_nullable || ' ' || coalesce(column_default, '-') AS x
         FROM information_schema.columns WHERE table_schema = 'public' ORDER BY 1`,
    ),
    indexes: await q(`SELECT indexdef AS x FROM pg_indexes WHERE schemaname = 'public' ORDER BY 1`),
    constraints: await q(
      `SELECT conrelid::regclass || ' ' || conname || ' ' || pg_get_constraintdef(oid) AS x FROM pg_constraint
        WHERE connamespace = 'public'::regnamespace ORDER BY 1`,
    ),
    sequences: await q(`SELECT sequencename || ' ' || coalesce(last_value::text, 'unused') AS x FROM pg_sequences WHERE schemaname = 'public' ORDER BY 1`),
    baseline: await q(`SELECT migration_name || ' ' || checksum || ' ' || (finished_at IS NOT NULL) AS x FROM _prisma_migrations`),
    staging: await q(`SELECT nspname AS x FROM pg_namespace WHERE nspname LIKE 'sqlite2pg_load_%'`),
  };
}

describe("--jobs 3 builds the same database as --jobs 1", () => {
  let one: TestDatabase;
  let three: TestDatabase;
  const tmp = tempDir("parallel");
  let source: string;
  let summary: MigrateSummary;

  beforeAll(async () => {
    [one, three] = await Promise.all([createTestDatabase("jobs1"), createTestDatabase("jobs3")]);
    source = copyToTemp(corpusFile("Chinook_Sqlite.sqlite"), tmp.dir);
    const [a, b] = await Promise.all([
      runCli(["migrate", source, "--to", one.url, "--out", join(tmp.dir, "one"), "--yes", "--jobs", "1", "--json"]),
      runCli(["migrate", source, "--to", three.url, "--out", join(tmp.dir, "three"), "--yes", "--jobs", "3", "--json"]),
    ]);
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    summary = JSON.parse(b.stdout) as MigrateSummary;
  });
  afterAll(async () => {
    await Promise.all([one?.drop(), three?.drop()]);
    tmp.cleanup();
  });

  it("has identical columns, indexes, constraints, sequences and baseline, and no staging schema left", async () => {
    const [x, y] = await Promise.all([describeSchema(one), describeSchema(three)]);
    expect(y.indexes.length).toBeGreaterThan(11); // primary keys plus Chinook's foreign-key indexes
    expect(y.constraints.some((c) => c.includes("FOREIGN KEY"))).toBe(true);
    expect(y.staging).toEqual([]);
    expect(y).toEqual(x);
  });

  it("copied and verified every row of all 11 tables", () => {
    expect(summary.ok).toBe(true);
    expect(summary.tables.reduce((n, t) => n + t.rows, 0)).toBe(15607);
    expect(summary.content.map((c) => c.method)).toEqual(Array(11).fill("sent"));
    expect(summary.content.every((c) => c.ok)).toBe(true);
  });
});

describe("--jobs while the application keeps writing (WAL)", () => {
  let db: TestDatabase;
  const tmp = tempDir("parallel-live");

  beforeAll(async () => {
    db = await createTestDatabase("jobs_live");
  });
  afterAll(async () => {
    await db.drop();
    tmp.cleanup();
  });

  it("copies the snapshot: every table complete and counted, while a writer commits every few milliseconds", async () => {
    const source = join(tmp.dir, "live.db");
    const setup = new Database(source);
    setup.pragma("journal_mode = WAL");
    setup.exec("CREATE TABLE a (id INTEGER PRIMARY KEY, v TEXT); CREATE TABLE b (id INTEGER PRIMARY KEY, v TEXT);");
    const fill = setup.prepare("INSERT INTO a (v) VALUES (?)");
    const fillB = setup.prepare("INSERT INTO b (v) VALUES (?)");
    setup.transaction(() => {
      for (let i = 0; i < 20000; i++) {
        fill.run(`a${i}`);
        fillB.run(`b${i}`);
      }
    })();
    // A writer commits every few milliseconds for the whole run (this process; the CLI is a child process).
    const writer = setInterval(() => setup.prepare("UPDATE a SET v = v || '+' WHERE id = 1").run(), 5);
    try {
      const res = await runCli(["migrate", source, "--to", db.url, "--out", join(tmp.dir, "p"), "--yes", "--jobs", "2", "--json", "--verify", "counts"]);
      expect(res.code, res.stderr).toBe(0);
      const summary = JSON.parse(res.stdout) as MigrateSummary;
      expect(summary.tables.map((t) => [t.table, t.rows])).toEqual([
        ["a", 20000],
        ["b", 20000],
      ]);
      expect(summary.counts.every((c) => c.ok)).toBe(true);
    } finally {
      clearInterval(writer);
      setup.close();
    }
  });
});

describe("--jobs with a data problem, and after a dead run", () => {
  let db: TestDatabase;
  const tmp = tempDir("parallel-fail");

  beforeAll(async () => {
    db = await createTestDatabase("jobs_fail");
  });
  afterAll(async () => {
    await db.drop();
    tmp.cleanup();
  });

  it("a value that cannot be converted: exit 1, nothing in the target schema, no staging schema", async () => {
    // type-mismatch.db has one table (which would take the one-transaction path): a second, clean table makes
    // this a parallel build in which one table loads completely into the staging schema before the other fails.
    const source = copyToTemp(corpusFile("type-mismatch.db"), tmp.dir);
    const add = new Database(source);
    add.exec("CREATE TABLE other (id INTEGER PRIMARY KEY, v TEXT NOT NULL)");
    const ins = add.prepare("INSERT INTO other (v) VALUES (?)");
    add.transaction(() => {
      for (let i = 0; i < 1000; i++) ins.run(`v${i}`);
    })();
    add.close();
    const res = await runCli(["migrate", source, "--to", db.url, "--out", join(tmp.dir, "p1"), "--yes", "--jobs", "2"]);
    expect(res.code, res.stderr).toBe(1);
    expect(res.stderr).toContain("[copy] copying rows and building indexes, 2 tables at a time"); // the parallel path ran
    expect(res.stderr).toMatch(/\[copy\] other: 1000 rows in /); // the clean table was loaded (into staging)
    expect(res.stderr).toContain("error [DATA_PROBLEMS]");
    expect(res.stderr).toMatch(/products\.qty \[2\]: text 'lots-of-it'/);
    const left = await db.query<{ x: string }>(
      `SELECT n.nspname || '.' || c.relname AS x FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' OR n.nspname LIKE 'sqlite2pg_load_%'`,
    );
    expect(left).toEqual([]);
    expect(await db.query(`SELECT nspname FROM pg_namespace WHERE nspname LIKE 'sqlite2pg_load_%'`)).toEqual([]);
  });

  it("drops a staging schema whose run is gone, keeps one whose run still holds its lock", async () => {
    await db.query(`CREATE SCHEMA sqlite2pg_load_dead00000000`);
    await db.query(`CREATE TABLE sqlite2pg_load_dead00000000."Artist" (id int)`);
    await db.query(`CREATE SCHEMA sqlite2pg_load_live00000000`);
    const live = new pg.Client({ connectionString: db.url });
    await live.connect();
    try {
      await live.query("SELECT pg_advisory_lock(hashtext('sqlite2pg_load_live00000000'))");
      const source = copyToTemp(corpusFile("Chinook_Sqlite.sqlite"), tmp.dir);
      const res = await runCli(["migrate", source, "--to", db.url, "--out", join(tmp.dir, "p2"), "--yes", "--jobs", "2"]);
      expect(res.code, res.stderr).toBe(0);
      expect(res.stderr).toContain("dropped 1 staging schema(s) left by an interrupted run: sqlite2pg_load_dead00000000");
      const schemas = await db.query<{ nspname: string }>(`SELECT nspname FROM pg_namespace WHERE nspname LIKE 'sqlite2pg_load_%'`);
      expect(schemas.map((s) => s.nspname)).toEqual(["sqlite2pg_load_live00000000"]);
      const [n] = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM "Track"`);
      expect(n.n).toBe(3503);
    } finally {
      await live.end();
    }
  });
});

describe("the default --jobs comes from SQLITE2PG_JOBS (so a test or CI job takes the same path on every machine)", () => {
  let db: TestDatabase;
  const tmp = tempDir("parallel-env");
  let source: string;

  beforeAll(async () => {
    db = await createTestDatabase("jobs_env");
    source = join(tmp.dir, "two.db");
    const d = new Database(source);
    d.exec("CREATE TABLE a (id INTEGER PRIMARY KEY, v TEXT); CREATE TABLE b (id INTEGER PRIMARY KEY, v TEXT); INSERT INTO a (v) VALUES ('x'); INSERT INTO b (v) VALUES ('y');");
    d.close();
  });
  afterAll(async () => {
    await db.drop();
    tmp.cleanup();
  });

  it("SQLITE2PG_JOBS=2 and no --jobs: the parallel path; --jobs 1 overrides it", async () => {
    const parallel = await runCli(["migrate", source, "--to", db.url, "--out", join(tmp.dir, "p"), "--yes"], { SQLITE2PG_JOBS: "2" });
    expect(parallel.code, parallel.stderr).toBe(0);
    expect(parallel.stderr).toContain("2 tables at a time");
    await db.query('DROP TABLE a, b, "_prisma_migrations"');
    const serial = await runCli(["migrate", source, "--to", db.url, "--out", join(tmp.dir, "s"), "--yes", "--jobs", "1"], { SQLITE2PG_JOBS: "2" });
    expect(serial.code, serial.stderr).toBe(0);
    expect(serial.stderr).toMatch(/\[copy\] a: 1 rows?/);
    expect(serial.stderr).not.toContain("tables at a time");
  });

  it("a value that is not a positive whole number: exit 2 naming the variable, nothing touched", async () => {
    const res = await runCli(["migrate", source, "--to", db.url, "--out", join(tmp.dir, "bad"), "--yes"], { SQLITE2PG_JOBS: "0" });
    expect(res.code, res.stderr).toBe(2);
    expect(res.stderr).toContain('SQLITE2PG_JOBS expects a positive whole number (got "0")');
  });
});
