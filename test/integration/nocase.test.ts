/**
 * COLLATE NOCASE on a real PostgreSQL: a NOCASE column becomes citext (`@db.Citext`, the extension declared
 * through `postgresqlExtensions`), so `=`, uniqueness and LIKE match case-insensitively as they did in SQLite, and
 * every value still lands byte-exact (checksums, the independent check on every row, the read-back). Where the
 * target role cannot create the extension, the column stays text with today's lower() unique index and a decision
 * saying what changes. citext folds every letter where SQLite's NOCASE folds only A–Z: values SQLite kept apart
 * ('É@z.io', 'é@z.io') that citext's unique index would merge are named before anything is committed.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli, type CliResult } from "../helpers/cli.js";
import { buildSqliteFile, tempDir } from "../helpers/files.js";
import { createTestDatabase, SERVER_URL, type TestDatabase } from "../helpers/pg.js";

const tmp = tempDir("nocase");
const databases: TestDatabase[] = [];
const roles: string[] = [];
afterAll(async () => {
  for (const db of databases) await db.drop();
  // Roles are the cluster's: dropped once the databases holding their objects are gone.
  const admin = new pg.Client({ connectionString: SERVER_URL });
  await admin.connect();
  try {
    for (const role of roles) await admin.query(`DROP ROLE IF EXISTS "${role}"`);
  } finally {
    await admin.end();
  }
  tmp.cleanup();
});

// Keys whose byte order ('B' < 'C' < 'a' < 'b2') differs from citext's order (a, B, b2, C): the verification
// must pair rows by bytes, as SQLite's BINARY ORDER BY does.
const SCHEMA = `
  CREATE TABLE account (id INTEGER PRIMARY KEY, email TEXT COLLATE NOCASE NOT NULL UNIQUE, name VARCHAR(40) COLLATE NOCASE, note TEXT);
  CREATE TABLE tag (code TEXT COLLATE NOCASE PRIMARY KEY, label TEXT);`;
const ROWS = `
  INSERT INTO account (email, name, note) VALUES ('A@x.io', 'Ann', 'Note'), ('b@Y.io', 'bob', 'n'), ('Zoé@z.io', 'ZOÉ', NULL);
  INSERT INTO tag VALUES ('B', 'b'), ('a', 'a'), ('C', 'c'), ('b2', 'b2');`;

function build(name: string, extra = ""): string {
  return buildSqliteFile(tmp.dir, name, (d) => d.exec(SCHEMA + ROWS + extra));
}

async function migrate(file: string, url: string, label: string, extra: string[] = []): Promise<CliResult & { out: string }> {
  const out = join(tmp.dir, `out-${label}`);
  const res = await runCli(["migrate", file, "--to", url, "--out", out, "--yes", ...extra]);
  return { ...res, out };
}

async function columnType(db: TestDatabase, schema: string, table: string, column: string): Promise<string> {
  const [row] = await db.query<{ t: string }>(
    "SELECT format_type(a.atttypid, a.atttypmod) AS t FROM pg_attribute a WHERE a.attrelid = to_regclass($1) AND a.attname = $2",
    [`"${schema}"."${table}"`, column],
  );
  return row.t;
}

describe("COLLATE NOCASE becomes citext where the target can create it", () => {
  let db: TestDatabase;
  let res: CliResult & { out: string };

  beforeAll(async () => {
    db = await createTestDatabase("nocase");
    databases.push(db);
    res = await migrate(build("nocase.db"), db.url, "citext", ["--verify", "deep"]);
  }, 180_000);

  it("migrates and verifies every value byte-exact (checksums, every row decoded independently, read-back)", () => {
    expect(res.code, res.stderr + res.stdout).toBe(0);
    expect(res.stdout).toMatch(/content of every row: 2\/2 tables identical/);
    expect(res.stdout).toMatch(/values decoded independently: 7 rows of 2 tables \(every row\), identical/);
    expect(res.stdout).toMatch(/application read-back: 7 rows of 2 models identical/);
    expect(res.stdout).toMatch(/account\.email: COLLATE NOCASE kept as citext \(@db\.Citext\)/);
    expect(res.stdout).toMatch(/É = é/);
  });

  it("`verify` re-reads both sides ordered by the citext key's bytes, as SQLite orders it: identical", async () => {
    const v = await runCli(["verify", join(tmp.dir, "nocase.db"), "--to", db.url, "--verify", "deep"]);
    expect(v.code, v.stderr + v.stdout).toBe(0);
    expect(v.stdout).toMatch(/ok\s+tag\s+4 rows\s+checksum ok/);
    expect(v.stdout).toMatch(/verified: PostgreSQL holds exactly the SQLite data/);
  });

  it("declares the extension in schema.prisma and creates it in the migration", async () => {
    const schema = readFileSync(join(res.out, "schema.prisma"), "utf8");
    expect(schema).toMatch(/extensions\s*=\s*\[citext\]/);
    expect(schema).toMatch(/previewFeatures\s*=\s*\["postgresqlExtensions"\]/);
    expect(schema).toMatch(/email\s+String\s+@unique @db\.Citext/);
    expect(schema).toMatch(/note\s+String\?\n/);
    const sql = readFileSync(join(res.out, "migrations", "0_init", "migration.sql"), "utf8");
    expect(sql).toContain('CREATE EXTENSION IF NOT EXISTS "citext"');
    // citext's own unique index is case-insensitive: no lower() companion.
    expect(sql).not.toMatch(/lower\(/);
    expect(await columnType(db, "public", "account", "email")).toBe("citext");
    expect(await columnType(db, "public", "tag", "code")).toBe("citext");
    expect(await columnType(db, "public", "account", "note")).toBe("text");
  });

  it("values land as SQLite stored them: case kept, bytes equal", async () => {
    const rows = await db.query<{ email: string; hex: string }>("SELECT email::text AS email, encode(convert_to(email::text, 'UTF8'), 'hex') AS hex FROM account ORDER BY id");
    expect(rows.map((r) => r.email)).toEqual(["A@x.io", "b@Y.io", "Zoé@z.io"]);
    expect(rows[2].hex).toBe(Buffer.from("Zoé@z.io", "utf8").toString("hex"));
  });

  it("equality finds the row whatever the case, as in SQLite", async () => {
    expect(await db.query(`SELECT id FROM account WHERE "email" = 'a@X.IO'`)).toEqual([{ id: 1 }]);
    expect(await db.query(`SELECT code FROM tag WHERE code = 'c'`)).toEqual([{ code: "C" }]);
    // A column without NOCASE stays case-sensitive.
    expect(await db.query(`SELECT id FROM account WHERE note = 'note'`)).toEqual([]);
  });

  it("LIKE matches case-insensitively on the citext column", async () => {
    expect(await db.query(`SELECT id FROM account WHERE name LIKE 'BO%'`)).toEqual([{ id: 2 }]);
    expect(await db.query(`SELECT id FROM account WHERE email LIKE '%@y.IO'`)).toEqual([{ id: 2 }]);
  });

  it("a case variant of an existing value violates the unique constraint", async () => {
    await expect(db.query(`INSERT INTO account (email) VALUES ('a@x.IO')`)).rejects.toMatchObject({ code: "23505" });
    await expect(db.query(`INSERT INTO tag (code) VALUES ('A')`)).rejects.toMatchObject({ code: "23505" });
  });
});

describe("citext installed in a schema the migration does not search", () => {
  it("falls back to text, saying where the extension is", async () => {
    const db = await createTestDatabase("nocase_elsewhere");
    databases.push(db);
    await db.query("CREATE SCHEMA ext");
    await db.query("CREATE EXTENSION citext SCHEMA ext");
    const url = new URL(db.url);
    url.searchParams.set("schema", "app");
    const res = await migrate(build("nocase-elsewhere.db"), url.toString(), "elsewhere", ["--verify", "counts"]);
    expect(res.code, res.stderr + res.stdout).toBe(0);
    expect(res.stdout).toMatch(/COLLATE NOCASE not kept as citext \(the database has the citext extension in schema "ext", which the migration's search_path \("app", pg_catalog\) does not include\)/);
    expect(await columnType(db, "app", "account", "email")).toBe("text");
  }, 120_000);
});

describe("values SQLite's NOCASE kept apart but citext folds alike", () => {
  it("are named, and nothing is committed", async () => {
    const db = await createTestDatabase("nocase_fold");
    databases.push(db);
    const file = build("nocase-fold.db", "INSERT INTO account (email) VALUES ('É@z.io'), ('é@z.io');");
    const res = await migrate(file, db.url, "fold");
    expect(res.code).not.toBe(0);
    expect(res.stderr).toMatch(/account\.email \[5\]: converts to the same value as row \[4\] \('É@z.io' and 'é@z.io' differ in SQLite, not in PostgreSQL\)/);
    expect(await db.query("SELECT to_regclass('public.account') AS t")).toEqual([{ t: null }]);
  }, 120_000);
});

describe("a target role that cannot create the extension", () => {
  let db: TestDatabase;
  let res: CliResult & { out: string };
  const role = `s2p_nocase_${process.pid}`;

  beforeAll(async () => {
    db = await createTestDatabase("nocase_norole");
    databases.push(db);
    roles.push(role);
    // Owns its schema (it can create tables there) but has no CREATE on the database: CREATE EXTENSION is refused.
    await db.query(`CREATE ROLE "${role}" LOGIN`);
    await db.query(`CREATE SCHEMA app AUTHORIZATION "${role}"`);
    await db.query(`REVOKE CREATE ON DATABASE "${db.name}" FROM PUBLIC`);
    const url = new URL(db.url);
    url.username = role;
    url.searchParams.set("schema", "app");
    res = await migrate(build("nocase-norole.db"), url.toString(), "norole", ["--verify", "counts"]);
  }, 180_000);

  it("falls back to text and a lower() unique index, with a decision saying what changes", async () => {
    expect(res.code, res.stderr + res.stdout).toBe(0);
    expect(res.stdout).toMatch(/account\.email: COLLATE NOCASE not kept as citext \(the role may not create extensions here: it needs CREATE on the database/);
    expect(res.stdout).toMatch(/= 'A@x\.io' no longer finds 'a@x\.io'/);
    const schema = readFileSync(join(res.out, "schema.prisma"), "utf8");
    expect(schema).not.toContain("Citext");
    expect(schema).not.toMatch(/extensions\s*=/);
    expect(await columnType(db, "app", "account", "email")).toBe("text");
    expect(await db.query("SELECT 1 FROM pg_extension WHERE extname = 'citext'")).toEqual([]);
  });

  it("uniqueness stays case-insensitive; equality becomes case-sensitive", async () => {
    await expect(db.query(`INSERT INTO app.account (email) VALUES ('a@x.IO')`)).rejects.toMatchObject({ code: "23505" });
    expect(await db.query(`SELECT id FROM app.account WHERE email = 'a@X.IO'`)).toEqual([]);
    expect(await db.query(`SELECT id FROM app.account WHERE email = 'A@x.io'`)).toEqual([{ id: 1 }]);
  });
});
