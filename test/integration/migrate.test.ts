/**
 * Foundation, end to end on real PostgreSQL through the real CLI: the bundled example and Chinook migrate with
 * equal row counts, foreign keys, a recorded baseline Prisma accepts, and a second run is refused untouched.
 */
import { createHash } from "node:crypto";
import { readFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectTarget } from "../../src/db/pg-target.js";
import { runPrisma } from "../helpers/prisma-cli.js";
import { checkDrift } from "../../src/verify/drift/drift.js";
import pg from "pg";
import { runCli, type CliResult } from "../helpers/cli.js";
import { copyToTemp, corpusFile, EXAMPLE_DB, tempDir } from "../helpers/files.js";
import { createTestDatabase, type TestDatabase } from "../helpers/pg.js";

async function foreignKeyCount(db: TestDatabase): Promise<number> {
  const rows = await db.query<{ n: string }>(
    "SELECT count(*)::text AS n FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace WHERE c.contype = 'f' AND n.nspname = 'public'",
  );
  return Number(rows[0].n);
}

async function fingerprint(db: TestDatabase): Promise<string> {
  const tables = await db.query<{ relname: string }>(
    "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relkind = 'r' ORDER BY 1",
  );
  const parts: string[] = [];
  for (const t of tables) {
    const [r] = await db.query<{ n: string; h: string }>(
      `SELECT count(*)::text AS n, md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) AS h FROM "public"."${t.relname.replace(/"/g, '""')}" x`,
    );
    parts.push(`${t.relname}:${r.n}:${r.h}`);
  }
  return parts.join("\n");
}

describe("migrate the bundled Flask blog example", () => {
  let db: TestDatabase;
  const tmp = tempDir("example");
  const out = join(tmp.dir, "prisma");
  let res: CliResult;

  // The migration every test of this block reads: run once here, so no test depends on another having run first.
  beforeAll(async () => {
    db = await createTestDatabase("example");
    res = await runCli(["migrate", EXAMPLE_DB, "--to", db.url, "--out", out, "--yes"]);
  });
  afterAll(async () => {
    await db.drop();
    tmp.cleanup();
  });

  it("writes the Prisma project files and copies every row", async () => {
    expect(res.stderr + res.stdout).not.toContain("internal error");
    expect(res.code).toBe(0);

    const schema = readFileSync(join(out, "schema.prisma"), "utf8");
    expect(schema).toMatch(/provider\s*=\s*"postgresql"/);
    expect(schema).toMatch(/url\s*=\s*env\("DATABASE_URL"\)/);
    expect(schema).not.toContain(db.url);
    expect(readFileSync(join(out, "migrations", "migration_lock.toml"), "utf8")).toMatch(/provider = "postgresql"/);

    const users = await db.query<{ username: string }>('SELECT username FROM "user" ORDER BY id');
    expect(users.map((u) => u.username)).toEqual(["alice", "bob", "chloé"]);
    const posts = await db.query<{ id: number; title: string; body: string; created: string }>(
      `SELECT id, title, body, to_char(created, 'YYYY-MM-DD HH24:MI:SS') AS created FROM post ORDER BY id`,
    );
    expect(posts).toHaveLength(4);
    expect(posts[1]).toEqual({ id: 2, title: 'Tabs\tand "quotes"', body: "Backslash \\ and 'single quotes' survive.", created: "2024-01-16 18:02:11" });
    expect(posts[2].body).toBe("Grüße, 日本語, emoji 🚀");
    expect(posts[3].body).toBe("");
    expect(await foreignKeyCount(db)).toBe(1);
    // The unique constraint on username was rebuilt under Prisma's default name.
    const idx = await db.query<{ indexname: string }>("SELECT indexname FROM pg_indexes WHERE tablename = 'user' ORDER BY 1");
    expect(idx.map((i) => i.indexname)).toEqual(["user_pkey", "user_username_key"]);
  });

  it("continues ids past sqlite_sequence (AUTOINCREMENT never reuses a deleted id)", async () => {
    expect(res.code, res.stderr).toBe(0);
    // Inside a transaction rolled back afterwards: the rows the other tests count stay as migrated.
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      await client.query("BEGIN");
      const { rows: [row] } = await client.query<{ id: number }>(`INSERT INTO post (author_id, title, body) VALUES (1, 'new', 'x') RETURNING id`);
      expect(row.id).toBe(6);
      const { rows: [u] } = await client.query<{ id: number }>(`INSERT INTO "user" (username, password) VALUES ('dave', 'x') RETURNING id`);
      expect(u.id).toBe(4);
    } finally {
      await client.query("ROLLBACK");
      await client.end();
    }
  });

  it("records the baseline with the checksum of the migration.sql it wrote", async () => {
    expect(res.code, res.stderr).toBe(0);
    const sql = readFileSync(join(out, "migrations", "0_init", "migration.sql"));
    const rows = await db.query<{ migration_name: string; checksum: string; finished_at: Date | null }>(
      "SELECT migration_name, checksum, finished_at FROM _prisma_migrations",
    );
    expect(rows).toHaveLength(1);
    expect(rows[0].migration_name).toBe("0_init");
    expect(rows[0].checksum).toBe(createHash("sha256").update(sql).digest("hex"));
    expect(rows[0].finished_at).not.toBeNull();
  });
});

describe("migrate Chinook (11 tables, 11 foreign keys)", () => {
  let db: TestDatabase;
  const tmp = tempDir("chinook");
  const out = join(tmp.dir, "prisma");
  let source: string;
  let res: CliResult;

  // The migration every test of this block reads: run once here, so no test depends on another having run first.
  beforeAll(async () => {
    db = await createTestDatabase("chinook");
    source = copyToTemp(corpusFile("Chinook_Sqlite.sqlite"), tmp.dir);
    res = await runCli(["migrate", source, "--to", db.url, "--out", out, "--yes", "--json"]);
  });
  afterAll(async () => {
    await db.drop();
    tmp.cleanup();
  });

  it("copies all 11 tables with equal row counts and creates the 11 foreign keys", async () => {
    expect(res.code, res.stderr).toBe(0);
    const summary = JSON.parse(res.stdout) as { ok: boolean; drift?: { status: string; shadow?: string }; counts: { table: string; sourceRows: number; targetRows: number; ok: boolean }[] };
    expect(summary.ok).toBe(true);
    // Its own baseline, no extension, 11 tables: replayed in a rolled-back schema (verify/drift/shadow.ts schemaFirst).
    expect(summary.drift).toMatchObject({ status: "no-drift", shadow: "schema" });
    expect(summary.counts).toHaveLength(11);
    const expected: Record<string, number> = {
      Album: 347, Artist: 275, Customer: 59, Employee: 8, Genre: 25, Invoice: 412,
      InvoiceLine: 2240, MediaType: 5, Playlist: 18, PlaylistTrack: 8715, Track: 3503,
    };
    for (const [table, n] of Object.entries(expected)) {
      const [r] = await db.query<{ n: string }>(`SELECT count(*)::text AS n FROM "${table}"`);
      expect(Number(r.n), table).toBe(n);
    }
    expect(await foreignKeyCount(db)).toBe(11);
    const [types] = await db.query<{ t: string; d: string }>(
      `SELECT format_type(a.atttypid, a.atttypmod) AS t,
              (SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = '"Invoice"'::regclass AND attname = 'Total') AS d
         FROM pg_attribute a WHERE a.attrelid = '"Album"'::regclass AND a.attname = 'Title'`,
    );
    expect(types).toEqual({ t: "character varying(160)", d: "numeric(10,2)" });
  });

  it("reports no schema drift, and detects drift once the database is changed by hand", async () => {
    expect(res.code, res.stderr).toBe(0);
    const client = await connectTarget(db.url, "verify");
    const check = () => checkDrift({ client, targetUrl: db.url, pgSchema: "public", migrationsDir: join(out, "migrations") });
    try {
      expect(await check()).toMatchObject({ status: "no-drift", shadow: "database" });
      await db.query('ALTER TABLE "Genre" ADD COLUMN "handmade" integer');
      const drift = await check();
      expect(drift.status).toBe("drift");
      expect(drift.differences).toEqual(["table Genre: extra column handmade in database (integer)"]);
    } finally {
      await db.query('ALTER TABLE "Genre" DROP COLUMN IF EXISTS "handmade"');
      await client.end();
    }
  });

  it("leaves a history `prisma migrate status` calls up to date", async () => {
    expect(res.code, res.stderr).toBe(0);
    const status = await runPrisma(["migrate", "status"], {
      stage: "verify",
      adapter: "pg",
      adapterUrl: db.url,
      schemaPath: join(out, "schema.prisma"),
      env: { DATABASE_URL: db.url },
    });
    expect(status.stdout).toContain("Database schema is up to date");
    const sql = readFileSync(join(out, "migrations", "0_init", "migration.sql"));
    const [row] = await db.query<{ checksum: string }>("SELECT checksum FROM _prisma_migrations WHERE migration_name = '0_init'");
    expect(row.checksum).toBe(createHash("sha256").update(sql).digest("hex"));
  });

  it("refuses a second run into the same database and changes nothing", async () => {
    expect(res.code, res.stderr).toBe(0);
    const before = await fingerprint(db);
    const out2 = join(tmp.dir, "second");
    const second = await runCli(["migrate", source, "--to", db.url, "--out", out2, "--yes"]);
    expect(second.code).toBe(1);
    expect(second.stderr).toContain("TARGET_NOT_EMPTY");
    for (const t of ["Album", "Track", "_prisma_migrations"]) expect(second.stderr).toContain(t);
    expect(await fingerprint(db)).toBe(before);
    expect(existsSync(join(out2, "migrations"))).toBe(false);
  });
});
