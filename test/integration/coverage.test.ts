/**
 * Verification enumerates the SQLite file, not the plan: every table and column is migrated or a "left out:
 * <why>" line (the user's --exclude, SQLite's internal tables, a replaced migration history), and a table or
 * column of the file missing in PostgreSQL fails `verify` (exit 1) naming it.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { MigrateSummary } from "../../src/report/summary-types.js";
import type { VerifyResult } from "../../src/pipeline/verify.js";
import { runCli } from "../helpers/cli.js";
import { buildSqliteFile, tempDir } from "../helpers/files.js";
import { createTestDatabase, type TestDatabase } from "../helpers/pg.js";

describe("every table and column of the file is accounted for", () => {
  let db: TestDatabase;
  const tmp = tempDir("coverage");
  let sqlite: string;
  let summary: MigrateSummary;
  let stdout: string;

  beforeAll(async () => {
    db = await createTestDatabase("coverage");
    sqlite = buildSqliteFile(tmp.dir, "app.db", (d) => {
      d.exec(`CREATE TABLE authors (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL);
        CREATE TABLE books (id INTEGER PRIMARY KEY, author_id INTEGER REFERENCES authors(id), title TEXT, pages INTEGER);
        CREATE TABLE scratch (id INTEGER PRIMARY KEY, note TEXT);
        CREATE TABLE _prisma_migrations (id TEXT PRIMARY KEY, checksum TEXT, migration_name TEXT);
        INSERT INTO authors (name) VALUES ('Ada'), ('Grace');
        INSERT INTO books (author_id, title, pages) VALUES (1, 'Notes', 10), (2, 'Compilers', 300), (2, 'COBOL', 200);
        INSERT INTO scratch (note) VALUES ('temporary');
        INSERT INTO _prisma_migrations VALUES ('1', 'abc', '0_init');
        CREATE INDEX books_author ON books(author_id);
        ANALYZE;`);
    });
    const report = join(tmp.dir, "report.json");
    const res = await runCli(["migrate", sqlite, "--to", db.url, "--out", join(tmp.dir, "prisma"), "--yes", "--jobs", "1", "--exclude", "scratch", "--report", report]);
    expect(res.code, res.stderr).toBe(0);
    stdout = res.stdout;
    summary = JSON.parse(readFileSync(report, "utf8")) as MigrateSummary;
  });

  afterAll(async () => {
    await db.drop();
    tmp.cleanup();
  });

  it("lists each table not migrated with its reason, in the summary and the report", () => {
    const reasons = new Map(summary.coverage.leftOut.map((l) => [l.table, l.reason]));
    expect(reasons.get("scratch")).toBe("left out by --tables/--exclude");
    expect(reasons.get("_prisma_migrations")).toMatch(/baseline 0_init replaces it/);
    expect(reasons.get("sqlite_sequence")).toMatch(/AUTOINCREMENT counters/);
    expect(reasons.get("sqlite_stat1")).toMatch(/statistics/);
    // better-sqlite3 builds SQLite with SQLITE_ENABLE_STAT4: ANALYZE writes sqlite_stat1 and sqlite_stat4.
    expect([...reasons.keys()].sort()).toEqual(["_prisma_migrations", "scratch", "sqlite_sequence", "sqlite_stat1", "sqlite_stat4"]);
    expect(summary.coverage.missing).toEqual([]);
    expect(summary.coverage.migratedTables).toBe(2);
    // authors: id, name; books: id, author_id, title, pages
    expect(summary.coverage.sourceColumns).toBe(6);
    expect(stdout).toContain("left out:  scratch — left out by --tables/--exclude");
    expect(stdout).toMatch(/source: +7 table\(s\) of the SQLite file, 6 column\(s\) of the migrated ones: 2 migrated, 5 left out/);
    expect(stdout).not.toMatch(/not migrated/);
  });

  it("records every stage's start and wall time in the report and prints the stage table", () => {
    const stages = summary.stages.map((s) => s.stage);
    for (const stage of ["snapshot", "introspect", "profile", "plan", "copy", "verify", "drift", "readback"]) expect(stages, stage).toContain(stage);
    for (const s of summary.stages) {
      expect(s.ms).toBeGreaterThanOrEqual(0);
      expect(s.startMs).toBeLessThanOrEqual(summary.timings.totalMs);
    }
    // In start order, each step named.
    expect(summary.stages.map((s) => s.startMs)).toEqual([...summary.stages.map((s) => s.startMs)].sort((a, b) => a - b));
    expect(summary.stages.find((s) => s.stage === "introspect")?.step).toBe("prisma db pull");
    expect(stdout).toMatch(/^stage +step +start +time$/m);
  });

  it("verify fails naming a column of the file that PostgreSQL lacks", async () => {
    await db.query('ALTER TABLE "books" DROP COLUMN "pages"');
    const report = join(tmp.dir, "verify-column.json");
    const res = await runCli(["verify", sqlite, "--to", db.url, "--exclude", "scratch", "--report", report, "--quiet"]);
    expect(res.code, res.stderr).toBe(1);
    const result = JSON.parse(readFileSync(report, "utf8")) as VerifyResult;
    expect(result.ok).toBe(false);
    expect(result.coverage?.missing).toEqual([{ table: "books", column: "pages", why: `PostgreSQL's "books" has no column "pages"` }]);
    expect(res.stdout).toContain(`MISSING:   books.pages — PostgreSQL's "books" has no column "pages"`);
  });

  it("verify fails naming a table of the file that PostgreSQL lacks", async () => {
    await db.query('DROP TABLE "books"');
    const report = join(tmp.dir, "verify-table.json");
    const res = await runCli(["verify", sqlite, "--to", db.url, "--exclude", "scratch", "--report", report, "--quiet"]);
    expect(res.code, res.stderr).toBe(1);
    const result = JSON.parse(readFileSync(report, "utf8")) as VerifyResult;
    expect(result.coverage?.missing).toEqual([{ table: "books", why: `PostgreSQL has no table "public"."books"` }]);
    expect(res.stdout).toMatch(/verification FAILED: .*1 table\(s\)\/column\(s\) of the file missing/);
  });
});
