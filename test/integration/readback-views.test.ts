/**
 * Views as Prisma `view` blocks (convert/view-blocks.ts) and their read-back (verify/readback/views.ts), on real
 * SQLite and PostgreSQL: migrate writes a keyless view block per migrated view, typed from PostgreSQL's catalog
 * (computed columns too), with the `views` preview feature once; `prisma validate` accepts the schema; migration.sql
 * still creates the views; the read-back reads every view through Prisma Client on both sides and compares the
 * first rows in byte order as a multiset (duplicates counted, more rows than the sample, text PostgreSQL collates
 * differently); a value or a row changed in PostgreSQL afterwards is a difference naming the view.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runPrisma } from "../helpers/prisma-cli.js";
import { takeSnapshot } from "../../src/introspect/snapshot.js";
import { readBackCheck, type ReadBackResult } from "../../src/verify/readback/check.js";
import { runCli } from "../helpers/cli.js";
import { buildSqliteFile, copyToTemp, REALWORLD, tempDir } from "../helpers/files.js";
import { createTestDatabase, type TestDatabase } from "../helpers/pg.js";

const ACCOUNTS = 150;
/** Rows of "Rich accounts": a balance (every fourth is NULL) above 50. */
const SHARES = ACCOUNTS - Math.floor(ACCOUNTS / 4);
const RICH = [...Array(ACCOUNTS).keys()].map((i) => i + 1).filter((i) => i % 4 !== 0 && i * 1.25 > 50).length;

function buildApp(dir: string): string {
  return buildSqliteFile(dir, "views.db", (d) => {
    d.exec(`
      CREATE TABLE account (id INTEGER PRIMARY KEY, handle TEXT NOT NULL, karma INTEGER NOT NULL, balance NUMERIC(10,2), active BOOLEAN NOT NULL DEFAULT 1);
      CREATE VIEW account_stats AS SELECT count(*) AS n, sum(karma) AS total_karma, max(handle) AS last_handle FROM account;
      CREATE VIEW handles AS SELECT handle, lower(handle) AS low, active FROM account;
      CREATE VIEW karma_mod AS SELECT karma % 3 AS k FROM account;
      CREATE VIEW "Rich accounts" AS SELECT id, balance FROM account WHERE balance > 50;
      CREATE VIEW shares AS SELECT id, balance * 3 / 7 AS share FROM account WHERE balance IS NOT NULL;
    `);
    const insert = d.prepare("INSERT INTO account (id, handle, karma, balance, active) VALUES (?, ?, ?, ?, ?)");
    // Mixed case, accents and punctuation: an ICU or libc collation orders them unlike SQLite's bytes, so the view's
    // first 100 rows by PostgreSQL's ORDER BY would not be SQLite's; the read-back must still compare equal rows.
    const stems = ["alice", "Bob", "chloé", "_dan", "Émile", "zoe", "Zed", "ann"];
    for (let i = 1; i <= ACCOUNTS; i++) insert.run(i, `${stems[i % stems.length]}${i}`, i * 7, i % 4 === 0 ? null : (i * 1.25).toFixed(2), i % 5 === 0 ? 0 : 1);
  });
}

describe("views become Prisma view blocks, read back on both sides", () => {
  let db: TestDatabase;
  const tmp = tempDir("readback-views");
  const out = join(tmp.dir, "prisma");
  let sqlitePath: string;
  let run: Awaited<ReturnType<typeof runCli>>;
  let schema: string;

  beforeAll(async () => {
    db = await createTestDatabase("readback_views");
    sqlitePath = buildApp(tmp.dir);
    run = await runCli(["migrate", sqlitePath, "--to", db.url, "--out", out, "--report", join(tmp.dir, "summary.json"), "--yes"]);
    schema = readFileSync(join(out, "schema.prisma"), "utf8");
  });
  afterAll(async () => {
    await db?.drop();
    tmp.cleanup();
  });

  it("writes a keyless view block per view, typed by PostgreSQL, with the views preview feature once", () => {
    expect(run.code, run.stderr + run.stdout).toBe(0);
    expect(schema.match(/previewFeatures\s*=\s*\[([^\]]*)\]/)?.[1]).toBe('"views"');
    // count(*) is bigint and sum(integer) bigint in PostgreSQL; max(text) text; `%` of integers integer.
    expect(schema).toContain("view account_stats {\n  n           BigInt?\n  total_karma BigInt?\n  last_handle String?\n}");
    expect(schema).toContain("view handles {\n  handle String?\n  low    String?\n  active Boolean?\n}");
    expect(schema).toContain("view karma_mod {\n  k Int?\n}");
    expect(schema).toContain('view Rich_accounts {\n  id      Int?\n  balance Decimal? @db.Decimal(10, 2)\n\n  @@map("Rich accounts")\n}');
    expect(schema).not.toMatch(/^view [^{]*\{[^}]*@(id|unique)/m);
    const migration = readFileSync(join(out, "migrations", "0_init", "migration.sql"), "utf8");
    expect(migration.match(/^CREATE VIEW/gm)).toHaveLength(5);
    // numeric(10,2) * 3 / 7 is numeric in PostgreSQL: exact decimals, where SQLite computes a double.
    expect(schema).toContain("view shares {\n  id    Int?\n  share Decimal?\n}");
    expect(migration).toContain('CREATE VIEW "Rich accounts" AS');
  });

  it("is a schema `prisma validate` accepts", async () => {
    const res = await runPrisma(["validate"], { stage: "verify", adapter: "pg", adapterUrl: db.url, schemaPath: join(out, "schema.prisma"), env: { DATABASE_URL: db.url } });
    expect(res.stdout + res.stderr).toMatch(/is valid/);
  });

  it("reads every view through Prisma Client on both sides: the first rows in byte order, as multisets", () => {
    const rb = (JSON.parse(readFileSync(join(tmp.dir, "summary.json"), "utf8")) as { readBack: ReadBackResult }).readBack;
    expect(rb.status).toBe("same");
    const byName = new Map(rb.models.map((m) => [m.model, m]));
    expect(byName.get("account_stats")).toMatchObject({ status: "compared", rows: 1, view: { total: 1 }, differences: [] });
    // More rows than the sample: 100 of 150 compared, chosen by SQLite's byte order, matched by equality in PostgreSQL.
    expect(byName.get("handles")).toMatchObject({ status: "compared", rows: 100, view: { total: ACCOUNTS }, differences: [], fieldsNotCompared: [] });
    // Three distinct values, each many times: the multiset, not the set, is compared.
    expect(byName.get("karma_mod")).toMatchObject({ status: "compared", rows: 100, view: { total: ACCOUNTS }, differences: [] });
    const rich = RICH;
    expect(byName.get("Rich_accounts")).toMatchObject({ status: "compared", rows: Math.min(rich, 100), view: { total: rich }, differences: [] });
    // The computed decimals differ in their last digits: paired, and said in a note.
    expect(byName.get("shares")).toMatchObject({ status: "compared", rows: 100, view: { total: SHARES }, differences: [] });
    expect(byName.get("shares")?.notes?.[0]).toMatch(/^shares: \d+ row\(s\) whose computed numbers differ beyond the 12th significant digit/);
    expect(run.stdout).toContain(`and ${1 + 100 + 100 + Math.min(rich, 100) + 100} of the ${1 + ACCOUNTS * 2 + rich + SHARES} rows of 5 views (as multisets: each view's first rows in byte order, up to the sample size) identical through Prisma Client`);
  });

  it("names the view of a row changed or missing in PostgreSQL afterwards", async () => {
    expect(run.code, run.stderr + run.stdout).toBe(0);
    const sqliteSchemaPath = join(tmp.dir, "sqlite.prisma");
    writeFileSync(sqliteSchemaPath, `datasource db {\n  provider = "sqlite"\n  url      = "file:./views.db"\n}\n`);
    await runPrisma(["db", "pull"], { stage: "introspect", adapter: "sqlite", adapterUrl: `file:${sqlitePath}`, schemaPath: sqliteSchemaPath, cwd: tmp.dir });
    // "alice8" is among the first rows of `handles` in byte order (lowercase after "_dan…", "Bob…", "Zed…").
    await db.query("UPDATE account SET handle = 'mallory' WHERE id = 8");
    await db.query("DELETE FROM account WHERE id = 3");
    const snapshot = await takeSnapshot(sqlitePath);
    const result = await readBackCheck({
      snapshot,
      sqliteSchemaPath,
      pgSchemaPath: join(out, "schema.prisma"),
      targetUrl: db.url,
      pgSchema: "public",
      workDir: join(tmp.dir, "work"),
      views: ["account_stats", "handles", "karma_mod", "Rich accounts", "shares"].map((v) => ({ view: v, pgName: v })),
    }).finally(() => snapshot.dispose());
    expect(result.status).toBe("different");
    const handles = result.models.find((m) => m.model === "handles");
    expect(handles?.differences).toContainEqual({ model: "handles", key: "(all rows)", field: "(row count)", sqlite: "150", postgres: "149" });
    expect(handles?.differences.filter((d) => d.field === "(row)").map((d) => d.sqlite).sort()).toEqual(
      // The deleted row, and the row whose handle changed (its new value is not among SQLite's rows).
      ['handle="_dan3", low="_dan3", active=true', 'handle="alice8", low="alice8", active=true'],
    );
    const stats = result.models.find((m) => m.model === "account_stats");
    expect(stats?.differences).toEqual([
      { model: "account_stats", key: "row 1 in byte order", field: "(row)", sqlite: expect.stringContaining("n=150n"), postgres: "no equal row" },
    ]);
  });
});

describe("the real-world datasette fixtures: views read back", () => {
  let db: TestDatabase;
  const tmp = tempDir("readback-views-datasette");
  const out = join(tmp.dir, "prisma");
  let run: Awaited<ReturnType<typeof runCli>>;

  beforeAll(async () => {
    db = await createTestDatabase("readback_views_ds");
    const file = copyToTemp(join(REALWORLD, "datasette_fixtures.db"), tmp.dir);
    run = await runCli(["migrate", file, "--to", db.url, "--out", out, "--report", join(tmp.dir, "summary.json"), "--yes"]);
  });
  afterAll(async () => {
    await db?.drop();
    tmp.cleanup();
  });

  it("gives the two views SQLite can run view blocks and reads both back; the two it cannot stay decisions", () => {
    expect(run.code, run.stderr + run.stdout).toBe(0);
    const schema = readFileSync(join(out, "schema.prisma"), "utf8");
    expect(schema).toContain("view paginated_view {\n  content       String?\n  content_extra String?\n}");
    expect(schema).toContain("view simple_view {\n  content       String?\n  upper_content String?\n}");
    expect(schema).not.toMatch(/^view searchable_view/m);
    const rb = (JSON.parse(readFileSync(join(tmp.dir, "summary.json"), "utf8")) as { readBack: ReadBackResult }).readBack;
    expect(rb.status).toBe("same");
    expect(rb.models.find((m) => m.model === "paginated_view")).toMatchObject({ status: "compared", rows: 100, view: { total: 201 }, differences: [] });
    expect(rb.models.find((m) => m.model === "simple_view")).toMatchObject({ status: "compared", rows: 5, view: { total: 5 }, differences: [] });
  });
});

describe("views on the embedded target (PGlite)", () => {
  const tmp = tempDir("readback-views-pglite");
  const out = join(tmp.dir, "prisma");
  let run: Awaited<ReturnType<typeof runCli>>;

  beforeAll(async () => {
    const file = buildApp(tmp.dir);
    run = await runCli(["migrate", file, "--to", `pglite:${join(tmp.dir, "pgdata")}`, "--out", out, "--report", join(tmp.dir, "summary.json"), "--yes"]);
  }, 180_000);
  afterAll(() => tmp.cleanup());

  it("types the view blocks from PGlite's catalog and reads every view back through its instance", () => {
    expect(run.code, run.stderr + run.stdout).toBe(0);
    const schema = readFileSync(join(out, "schema.prisma"), "utf8");
    expect(schema).toContain("view account_stats {\n  n           BigInt?\n  total_karma BigInt?\n  last_handle String?\n}");
    const rb = (JSON.parse(readFileSync(join(tmp.dir, "summary.json"), "utf8")) as { readBack: ReadBackResult }).readBack;
    expect(rb.status).toBe("same");
    expect(rb.models.filter((m) => m.view !== undefined).map((m) => [m.model, m.status, m.rows])).toEqual([
      ["account_stats", "compared", 1],
      ["handles", "compared", 100],
      ["karma_mod", "compared", 100],
      ["Rich_accounts", "compared", Math.min(RICH, 100)],
      ["shares", "compared", 100],
    ]);
  });
});
