/**
 * First run and everyday use: the demo with no server (embedded PGlite), `plan` with no PostgreSQL reachable,
 * reports, --json failures, --quiet.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli, runNodeScript } from "../helpers/cli.js";
import { copyToTemp, corpusFile, EXAMPLE_DB, REPO_ROOT, tempDir } from "../helpers/files.js";
import { createTestDatabase, type TestDatabase } from "../helpers/pg.js";

/** Nothing listens there: proves a command needs no PostgreSQL. */
const UNREACHABLE = "postgresql://nobody:secret@127.0.0.1:1/none";


describe("first run", () => {
  const tmp = tempDir("first-run");
  afterAll(() => tmp.cleanup());

  it("npm run demo migrates the example into the embedded PostgreSQL with no server configured", async () => {
    const res = await runNodeScript(join(REPO_ROOT, "scripts", "demo.js"), [], { DATABASE_URL: undefined, DEMO_DATABASE_URL: undefined });
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toContain('provider = "postgresql"');
    expect(res.stdout).toMatch(/post\s+4\s+0\s+.*rows identical/);
    expect(res.stdout).toMatch(/user\s+3\s+0\s+.*rows identical/);
    expect(res.stdout).toContain("embedded PostgreSQL (PGlite)");
    // The embedded target gets the same drift proof: migrations/ replayed in a rolled-back schema of it.
    expect(res.stdout).toMatch(/schema drift: none \(database = migrations\/ applied to a temporary schema, rolled back, \d+ objects compared\)/);
    // And the same read-back: Prisma Client reads the embedded database through pglite-prisma-adapter.
    expect(res.stdout).toMatch(/application read-back: 7 rows of 2 models identical through Prisma Client/);
    expect(existsSync(join(REPO_ROOT, "demo-output", "prisma", "migrations", "0_init", "migration.sql"))).toBe(true);
    // Part 2: the repository's Prisma app (prisma/: its rows written by Prisma Client, DateTime as integer ms and as
    // ISO text) migrated with --schema into a second embedded database, a copy switched in place, the diff shown.
    const second = res.stdout.slice(res.stdout.indexOf("===== 2. an app on Prisma already"));
    expect(second.length, res.stdout).toBeGreaterThan(100);
    for (const [table, rows] of [["users", 3], ["posts", 4], ["tags", 3], ["_PostToTag", 5]] as const) {
      expect(second).toMatch(new RegExp(`${table}\\s+${rows}\\s+0\\s+.*rows identical`));
    }
    expect(second).toContain("switched to PostgreSQL in place");
    expect(second).toMatch(/target:\s+pglite:.*demo-output\/app-pgdata/);
    expect(second).toMatch(/posts\.created_at: 2 integer value\(s\) read as unix epoch milliseconds/);
    // What changes for the app, from the app's own data: its names (model.field), a value that matched on SQLite.
    expect(second).toMatch(/User\.email \(users\.email\): 3 of 3 sampled values; \{ contains: "zoe" \} found "Zoe@Example\.com" on SQLite, not on PostgreSQL/);
    expect(second).not.toMatch(/User\.id \(users\.id\): \d+ of/);
    expect(second).toMatch(/what --schema changed in schema\.prisma/);
    expect(second).toMatch(/^- {3}provider = "sqlite"$/m);
    expect(second).toMatch(/^\+ {3}provider = "postgresql"$/m);
    expect(existsSync(join(REPO_ROOT, "demo-output", "app", "prisma", "migrations", "0_init", "migration.sql"))).toBe(true);
    // The repository's own app is left as it is: only the copy was switched.
    expect(readFileSync(join(REPO_ROOT, "prisma", "schema.prisma"), "utf8")).toMatch(/provider = "sqlite"/);
    expect(existsSync(join(REPO_ROOT, "prisma", "schema.prisma.sqlite.bak"))).toBe(false);
  });

  it("plan needs no PostgreSQL: writes the schema, the baseline and a Markdown review", async () => {
    const out = join(tmp.dir, "plan-example");
    const report = join(tmp.dir, "plan.md");
    const res = await runCli(["plan", EXAMPLE_DB, "--out", out, "--report", report, "-q"], { DATABASE_URL: UNREACHABLE });
    expect(res.code, res.stderr).toBe(0);
    expect(readFileSync(join(out, "schema.prisma"), "utf8")).toContain('provider = "postgresql"');
    expect(readFileSync(join(out, "migrations", "0_init", "migration.sql"), "utf8")).toContain('CREATE TABLE "post"');
    const md = readFileSync(report, "utf8");
    expect(md).toContain("# Migration plan");
    expect(md).toContain("| post | 4 |");
    expect(md).toContain("None: every value converts exactly.");
  });

  it("plan lists every data problem with table, column and row key, and exits 1", async () => {
    const file = copyToTemp(corpusFile("type-mismatch.db"), tmp.dir);
    const res = await runCli(["plan", file, "--out", join(tmp.dir, "plan-mismatch"), "--json", "-q"], { DATABASE_URL: UNREACHABLE });
    expect(res.code).toBe(1);
    const plan = JSON.parse(res.stdout) as { problemCount: number; problems: { table: string; column: string; key: string }[] };
    expect(plan.problemCount).toBe(1);
    expect(plan.problems[0]).toMatchObject({ table: "products", column: "qty", key: "2" });
  });
});

describe("--tables / --exclude", () => {
  const tmp = tempDir("filters");
  afterAll(() => tmp.cleanup());

  it("keeps only the selected tables (globs), and refuses a selection that breaks a foreign key", async () => {
    const file = copyToTemp(corpusFile("Chinook_Sqlite.sqlite"), tmp.dir);
    const out = join(tmp.dir, "two");
    const ok = await runCli(["plan", file, "--out", out, "--tables", "Art*,Album", "--json", "-q"], { DATABASE_URL: UNREACHABLE });
    expect(ok.code, ok.stderr).toBe(0);
    expect((JSON.parse(ok.stdout) as { tables: { table: string }[] }).tables.map((t) => t.table).sort()).toEqual(["Album", "Artist"]);
    const schema = readFileSync(join(out, "schema.prisma"), "utf8");
    expect(schema).toContain("model Album");
    expect(schema).not.toContain("model Track");

    const excluded = await runCli(["plan", file, "--out", join(tmp.dir, "ex"), "--exclude", "Playlist*", "--json", "-q"], { DATABASE_URL: UNREACHABLE });
    expect(excluded.code, excluded.stderr).toBe(0);
    expect((JSON.parse(excluded.stdout) as { tables: unknown[] }).tables).toHaveLength(9);

    const broken = await runCli(["plan", file, "--out", join(tmp.dir, "bad"), "--tables", "Album", "-q"], { DATABASE_URL: UNREACHABLE });
    expect(broken.code).toBe(2);
    expect(broken.stderr).toContain('table "Album" has a foreign key to "Artist"');
  });
});

describe("reports and output flags", () => {
  let db: TestDatabase;
  const tmp = tempDir("reports");
  beforeAll(async () => {
    db = await createTestDatabase("reports");
  });
  afterAll(async () => {
    await db.drop();
    tmp.cleanup();
  });

  it("--quiet prints no progress; --report x.md writes a Markdown report for the pull request", async () => {
    const report = join(tmp.dir, "migration.md");
    const res = await runCli(["migrate", EXAMPLE_DB, "--to", db.url, "--out", join(tmp.dir, "prisma"), "--yes", "--quiet", "--report", report]);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stderr).toBe("");
    const md = readFileSync(report, "utf8");
    expect(md).toContain("# Migration report");
    expect(md).toMatch(/\| post \| 4 \| 0 \| .* \| every row identical \|/);
  });

  it("--json turns a failure into a JSON error on stdout, password redacted", async () => {
    const res = await runCli(["migrate", EXAMPLE_DB, "--to", UNREACHABLE, "--out", join(tmp.dir, "x"), "--yes", "--json"]);
    expect(res.code).toBe(1);
    const out = JSON.parse(res.stdout) as { ok: boolean; error: { code: string; hint: string } };
    expect(out.ok).toBe(false);
    expect(out.error.code).toBe("TARGET_CONNECT");
    expect(out.error.hint).toMatch(/pg_isready/);
    expect(res.stdout + res.stderr).not.toContain("secret");
  });

  it("--help of every command shows examples", async () => {
    for (const cmd of ["migrate", "plan", "verify"]) {
      const res = await runCli([cmd, "--help"]);
      expect(res.code, cmd).toBe(0);
      expect(res.stdout, cmd).toContain("Examples:");
    }
  });
});
