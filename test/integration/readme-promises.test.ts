/**
 * README promises that had no test of their own, each checked through the real CLI on real SQLite files and a
 * real PostgreSQL (or the embedded one where that is the promise):
 * - `--type table.column=Type`: repeatable, applied to the columns named; a malformed or unknown type is exit 2;
 * - `--yes` is required when stdin is not a terminal (exit 2, nothing touched);
 * - the default target is `$DATABASE_URL`, else the embedded PostgreSQL `pglite:./sqlite2pg-data`;
 * - `--verify none` verifies nothing and says so;
 * - `--schema <folder>` (a multi-file Prisma schema) is refused (exit 2);
 * - `--orphans=keep-without-fk`: the constraint left out is reported as drift, and drift is a warning (exit 0);
 * - `?schema=name` puts the tables (and `_prisma_migrations`) in that schema, none in `public`;
 * - `--on-error reject` writes the rejects to `<out>/rejects.jsonl` by default;
 * - a read-back difference (what the application would read through Prisma Client) fails `migrate` with exit 1;
 * - `plan` lists orphaned rows without any server;
 * - the next Prisma migration builds on the baseline: `prisma migrate diff --from-migrations` against the
 *   converted schema finds no change, and against a changed schema gives only that change.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { MigrateSummary } from "../../src/report/summary-types.js";
import { runCli, runNodeScript, runProcess, TEST_DEFAULT_JOBS, type CliResult } from "../helpers/cli.js";
import { buildSqliteFile, REPO_ROOT, tempDir } from "../helpers/files.js";
import { createTestDatabase, type TestDatabase } from "../helpers/pg.js";

const tmp = tempDir("readme");
afterAll(() => tmp.cleanup());

/** Nothing listens on port 1: a URL there proves a command never connected (it would fail if it tried). */
const UNREACHABLE = "postgresql://postgres@127.0.0.1:1/nowhere";

/**
 * `account` (integers to retype with --type) and `post`, whose row 3 references a missing account (SQLite does not
 * enforce foreign keys by default) and whose row 2 holds text in an INTEGER column.
 */
function buildApp(name: string, options: { orphan?: boolean; badValue?: boolean } = {}): string {
  return buildSqliteFile(tmp.dir, name, (d) => {
    d.pragma("foreign_keys = OFF"); // better-sqlite3 turns them on; SQLite itself and most apps do not
    d.exec(`
      CREATE TABLE account (id INTEGER PRIMARY KEY, handle TEXT NOT NULL, views INTEGER NOT NULL, code INTEGER);
      CREATE TABLE post (id INTEGER PRIMARY KEY, account_id INTEGER NOT NULL REFERENCES account(id), title TEXT NOT NULL, likes INTEGER);
      INSERT INTO account VALUES (1, 'ann', 7, 42), (2, 'bob', 0, NULL);
      INSERT INTO post VALUES (1, 1, 'hello', 3), (2, 2, 'second', ${options.badValue ? "'many'" : "5"});
    `);
    if (options.orphan) d.exec("INSERT INTO post VALUES (3, 99, 'orphan', 0)");
  });
}

function summaryOf(res: CliResult): MigrateSummary {
  expect(res.code, res.stderr).toBe(0);
  return JSON.parse(res.stdout) as MigrateSummary;
}

async function relations(db: TestDatabase): Promise<string[]> {
  const rows = await db.query<{ x: string }>(
    `SELECT n.nspname || '.' || c.relname AS x FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%' ORDER BY 1`,
  );
  return rows.map((r) => r.x);
}

describe("command-line checks made before anything is touched", () => {
  let db: TestDatabase;
  let source: string;
  beforeAll(async () => {
    db = await createTestDatabase("readme_usage");
    source = buildApp("usage.db");
  });
  afterAll(async () => {
    await db.drop();
  });

  it("--type without table.column=Type: exit 2 with an example; nothing created", async () => {
    const res = await runCli(["migrate", source, "--to", db.url, "--out", join(tmp.dir, "u1"), "--yes", "--type", "views=BigInt"]);
    expect(res.code, res.stderr).toBe(2);
    expect(res.stderr).toContain('--type expects table.column=Type, got "views=BigInt"');
    expect(res.stderr).toContain("--type posts.views=BigInt");
    expect(await relations(db)).toEqual([]);
  });

  it("--type with a type that does not exist: exit 2 naming the column and the known types; nothing created", async () => {
    const res = await runCli(["migrate", source, "--to", db.url, "--out", join(tmp.dir, "u2"), "--yes", "--type", "account.views=BigInt", "--type", "account.code=Whole"]);
    expect(res.code, res.stderr).toBe(2);
    expect(res.stderr).toContain("BAD_TYPE_OVERRIDE");
    expect(res.stderr).toContain('invalid --type override "Whole" for account.code');
    expect(res.stderr).toMatch(/known: .*bigint/i);
    expect(await relations(db)).toEqual([]);
  });

  it("without --yes and without a terminal: exit 2, nothing created, no files written", async () => {
    const out = join(tmp.dir, "u3");
    // runCli's child has no terminal on stdin (stdio "ignore"), like a CI job or a cron line.
    const res = await runCli(["migrate", source, "--to", db.url, "--out", out]);
    expect(res.code, res.stderr).toBe(2);
    expect(res.stderr).toContain("refusing to run unattended without --yes");
    expect(res.stderr).toContain("add --yes to confirm the migration");
    expect(existsSync(join(out, "schema.prisma"))).toBe(false);
    expect(await relations(db)).toEqual([]);
  });

  it("--schema pointing at a folder (a multi-file Prisma schema): exit 2, nothing created", async () => {
    const folder = join(tmp.dir, "schema-folder");
    mkdirSync(folder);
    writeFileSync(join(folder, "base.prisma"), 'datasource db {\n  provider = "sqlite"\n  url      = "file:./usage.db"\n}\n');
    writeFileSync(join(folder, "models.prisma"), "model account {\n  id Int @id\n}\n");
    const res = await runCli(["migrate", source, "--schema", folder, "--to", db.url, "--yes"]);
    expect(res.code, res.stderr).toBe(2);
    expect(res.stderr).toContain("SCHEMA_FOLDER");
    expect(res.stderr).toContain("multi-file schemas (prismaSchemaFolder) are not supported");
    expect(await relations(db)).toEqual([]);
  });
});

describe("--type (repeated), ?schema=name, --orphans=keep-without-fk and the default rejects file, in one run", () => {
  let db: TestDatabase;
  const out = join(tmp.dir, "typed");
  let summary: MigrateSummary;
  let res: CliResult;

  beforeAll(async () => {
    db = await createTestDatabase("readme_typed");
    const source = buildApp("typed.db", { orphan: true, badValue: true });
    res = await runCli([
      "migrate", source, "--to", `${db.url}?schema=app`, "--out", out, "--yes", "--json",
      "--type", "account.views=BigInt", "--type", "account.code=String",
      "--orphans", "keep-without-fk", "--on-error", "reject",
    ]);
  });
  afterAll(async () => {
    await db.drop();
  });

  it("exits 0: drift is a warning, not a failure", () => {
    summary = summaryOf(res);
    expect(summary.ok).toBe(true);
    expect(summary.verified).toBe("full");
  });

  it("?schema=app: every table and _prisma_migrations in schema app, nothing in public", async () => {
    summary ??= summaryOf(res);
    expect(summary.pgSchema).toBe("app");
    expect(await relations(db)).toEqual(["app._prisma_migrations", "app.account", "app.post"]);
  });

  it("both --type overrides applied (bigint and text), values exact", async () => {
    const cols = await db.query<{ c: string }>(
      `SELECT column_name || ' ' || data_type AS c FROM information_schema.columns WHERE table_schema = 'app' AND table_name = 'account' ORDER BY ordinal_position`,
    );
    expect(cols.map((c) => c.c)).toEqual(["id integer", "handle text", "views bigint", "code text"]);
    expect(await db.query('SELECT id, views::text AS views, code FROM app.account ORDER BY id')).toEqual([
      { id: 1, views: "7", code: "42" },
      { id: 2, views: "0", code: null },
    ]);
    expect(readFileSync(join(out, "schema.prisma"), "utf8")).toMatch(/views\s+BigInt/);
  });

  it("--on-error reject with no --rejects: the row lands in <out>/rejects.jsonl, the others are copied", async () => {
    summary ??= summaryOf(res);
    const path = join(out, "rejects.jsonl");
    expect(summary.rejects).toEqual({ path, count: 1 });
    const lines = readFileSync(path, "utf8").trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('"post"');
    expect(lines[0]).toContain("many");
    expect((await db.query<{ id: number }>("SELECT id FROM app.post ORDER BY id")).map((r) => r.id)).toEqual([1, 3]);
  });

  it("keep-without-fk: the orphan kept, the foreign key left out, and that reported as drift naming it", async () => {
    summary ??= summaryOf(res);
    expect(summary.orphans).toMatchObject({ policy: "keep-without-fk", found: 1, droppedForeignKeys: 1 });
    expect(await db.query("SELECT account_id FROM app.post WHERE id = 3")).toEqual([{ account_id: 99 }]);
    const fks = await db.query("SELECT conname FROM pg_constraint WHERE contype = 'f' AND connamespace = 'app'::regnamespace");
    expect(fks).toEqual([]);
    expect(summary.drift?.status).toBe("drift");
    expect(summary.drift?.differences?.length).toBeGreaterThan(0);
    for (const d of summary.drift!.differences!) expect(d).toMatch(/post_account_id_fkey/);
    expect(res.stderr + res.stdout).not.toMatch(/^error /m);
  });
});

describe("the default target", () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase("readme_default");
  });
  afterAll(async () => {
    await db.drop();
  });

  it("no --to: $DATABASE_URL is the target", async () => {
    const source = buildApp("env.db");
    const summary = summaryOf(await runCli(["migrate", source, "--out", join(tmp.dir, "env"), "--yes", "--json"], { DATABASE_URL: db.url }));
    expect(summary.target).toContain(`/${db.name}`);
    expect(await relations(db)).toEqual(["public._prisma_migrations", "public.account", "public.post"]);
  });

  it("no --to and no $DATABASE_URL: the embedded PostgreSQL in ./sqlite2pg-data; --verify none verifies nothing", async () => {
    const source = buildApp("embedded.db");
    const cwd = join(tmp.dir, "embedded-cwd");
    mkdirSync(cwd);
    // A child of its own: the embedded database lands in the working directory, which must not be the repository.
    const env: NodeJS.ProcessEnv = { ...process.env, SQLITE2PG_JOBS: TEST_DEFAULT_JOBS };
    delete env.DATABASE_URL;
    const res = await runProcess(process.execPath, [join(REPO_ROOT, "bin", "sqlite2pg.js"), "migrate", source, "--out", "prisma", "--yes", "--json", "--verify", "none"], { cwd, env });
    const summary = summaryOf(res);
    expect(summary.target).toBe("pglite:./sqlite2pg-data");
    expect(readdirSync(join(cwd, "sqlite2pg-data")).length).toBeGreaterThan(0);
    expect(existsSync(join(cwd, "prisma", "migrations", "0_init", "migration.sql"))).toBe(true);
    expect(summary.tables.map((t) => [t.table, t.rows])).toEqual([
      ["account", 2],
      ["post", 2],
    ]);
    // --verify none: no count, no content comparison, no drift check, no read-back.
    expect(summary.verified).toBe("none");
    expect(summary.counts).toEqual([]);
    expect(summary.content).toEqual([]);
    expect(summary.drift).toBeUndefined();
    expect(summary.readBack).toBeUndefined();
    expect(res.stderr).not.toMatch(/\[verify\]/);
  });
});

describe("a read-back difference fails migrate", () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase("readme_readback");
  });
  afterAll(async () => {
    await db.drop();
  });

  it("exit 1 naming model, key and field, when only the application's reads differ from an exact copy", async () => {
    // A real way for only the read-back to differ: a database whose sessions print doubles with fewer digits
    // (https://www.postgresql.org/docs/15/runtime-config-client.html#GUC-EXTRA-FLOAT-DIGITS). The copy and its
    // checks set their own session (verify.ts SETTINGS: extra_float_digits = 1), so the data is exact; Prisma
    // Client, like the application, takes the database's setting and reads 0.30000000000000004 as 0.3.
    await db.query(`ALTER DATABASE "${db.name}" SET extra_float_digits = -5`);
    const source = buildSqliteFile(tmp.dir, "floats.db", (d) => {
      d.exec("CREATE TABLE reading (id INTEGER PRIMARY KEY, value REAL NOT NULL)");
      const ins = d.prepare("INSERT INTO reading VALUES (?, ?)");
      for (const [id, v] of [[1, 0.1 + 0.2], [2, 0.5]] as const) ins.run(id, v);
    });
    const res = await runCli(["migrate", source, "--to", db.url, "--out", join(tmp.dir, "floats"), "--yes"]);
    expect(res.code, res.stderr).toBe(1);
    expect(res.stderr).toContain("error [VERIFY_READBACK]");
    expect(res.stderr).toContain("DIFFERS: 1 difference(s) (2 rows of 1 model read)");
    expect(res.stderr).toContain("Reading [id=1] value: SQLite 0.30000000000000004 ≠ PostgreSQL 0.3");
    // Only the read-back failed (migrate.ts checks coverage, counts, content and the independent decode first), and the value is exact.
    expect(res.stderr).not.toMatch(/VERIFY_(COVERAGE|COUNTS|CONTENT|INDEPENDENT)/);
    const [row] = await db.query("SELECT value = 0.30000000000000004::float8 AS exact, value = 0.3::float8 AS rounded FROM reading WHERE id = 1");
    expect(row).toEqual({ exact: true, rounded: false });
  });
});

describe("plan lists orphaned rows without a server", () => {
  it("exit 1, the orphan named by table, column and key; DATABASE_URL points nowhere and is never used", async () => {
    const source = buildApp("plan.db", { orphan: true });
    const res = await runCli(["plan", source, "--out", join(tmp.dir, "plan"), "--json"], { DATABASE_URL: UNREACHABLE });
    expect(res.code, res.stderr).toBe(1);
    const plan = JSON.parse(res.stdout) as { orphans: { table: string; column?: string; key: string; reason: string }[] };
    expect(plan.orphans).toEqual([expect.objectContaining({ table: "post", column: "account_id", key: "3", reason: 'references a missing row of "account"' })]);
    expect(existsSync(join(tmp.dir, "plan", "migrations", "0_init", "migration.sql"))).toBe(true);
    expect(res.stderr).not.toMatch(/ECONNREFUSED|TARGET_CONNECT/);
  });
});

describe("the next Prisma migration builds on the baseline", () => {
  let db: TestDatabase;
  const out = join(tmp.dir, "next");
  const prismaCli = createRequire(import.meta.url).resolve("prisma/build/index.js");
  // Prisma's own shadow database, with adapter-pg's drop-before-close defect worked around (see the file).
  const config = join(REPO_ROOT, "test", "fixtures", "prisma-config-fixed-shadow.mjs");
  const prisma = (args: string[], schemaPath: string): Promise<CliResult> =>
    runNodeScript(prismaCli, [...args, "--config", config], {
      SQLITE2PG_ADAPTER: "pg",
      SQLITE2PG_ADAPTER_URL: db.url,
      SQLITE2PG_SCHEMA: schemaPath,
      DATABASE_URL: db.url,
      PRISMA_CLIENT_ENGINE_TYPE: "client",
      CHECKPOINT_DISABLE: "1",
      PRISMA_HIDE_UPDATE_MESSAGE: "1",
      NO_COLOR: "1",
    });

  beforeAll(async () => {
    db = await createTestDatabase("readme_next");
    const source = buildApp("next.db");
    summaryOf(await runCli(["migrate", source, "--to", db.url, "--out", out, "--yes", "--json"]));
  });
  afterAll(async () => {
    await db.drop();
  });

  it("prisma migrate diff --from-migrations: the converted schema is exactly what migrations/ builds", async () => {
    const schema = join(out, "schema.prisma");
    const before = await relations(db);
    const res = await prisma(["migrate", "diff", "--from-migrations", join(out, "migrations"), "--to-schema-datamodel", schema, "--exit-code"], schema);
    expect(res.code, res.stderr + res.stdout).toBe(0);
    expect(res.stdout).toContain("No difference detected");
    // The shadow was a database of its own (not the target), and it is gone.
    expect(await relations(db)).toEqual(before);
    const shadows = await db.query("SELECT datname FROM pg_database WHERE datname LIKE 's2p_prisma_shadow_%'");
    expect(shadows).toEqual([]);
  });

  it("a field added to the schema: the next migration holds that one change and nothing else", async () => {
    const changed = join(out, "changed.prisma");
    writeFileSync(changed, readFileSync(join(out, "schema.prisma"), "utf8").replace(/^model Post \{\n/m, "model Post {\n  subtitle String?\n"));
    const res = await prisma(["migrate", "diff", "--from-migrations", join(out, "migrations"), "--to-schema-datamodel", changed, "--script"], changed);
    expect(res.code, res.stderr + res.stdout).toBe(0);
    const statements = res.stdout.split("\n").filter((l) => l.trim() !== "" && !l.startsWith("--"));
    expect(statements).toEqual(['ALTER TABLE "post" ADD COLUMN     "subtitle" TEXT;']);
  });
});
