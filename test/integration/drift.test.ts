/**
 * Schema drift (src/verify/drift/drift.ts): after `migrate`, the database equals migrations/ replayed in a shadow —
 * views, partial and expression indexes, CHECKs and generated columns included. Changes made by hand afterwards
 * are each reported, naming the object. migrate's own small baseline is replayed in a rolled-back schema of the
 * target (no CREATE/DROP DATABASE); other migrations in a shadow database. Without CREATEDB the shadow is a rolled-back schema of the target;
 * without CREATE on the database either, the check says why it cannot run and which GRANT would let it.
 */
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { connectTarget } from "../../src/db/pg-target.js";
import { type PgClient } from "../../src/db/pg-client.js";
import { checkDrift, type DriftResult } from "../../src/verify/drift/drift.js";
import { runCli } from "../helpers/cli.js";
import { buildSqliteFile, tempDir } from "../helpers/files.js";
import { createTestDatabase, SERVER_URL, type TestDatabase } from "../helpers/pg.js";

const SQLITE_SCHEMA = `
  CREATE TABLE author (id INTEGER PRIMARY KEY, name TEXT NOT NULL);
  CREATE TABLE post (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    author_id INTEGER NOT NULL REFERENCES author(id),
    title TEXT NOT NULL CHECK (length(title) > 0),
    body TEXT,
    status TEXT NOT NULL DEFAULT 'draft',
    words INTEGER,
    chars INTEGER GENERATED ALWAYS AS (length(body)) STORED
  );
  CREATE INDEX post_published ON post(author_id) WHERE status = 'published';
  CREATE INDEX post_title_lower ON post(lower(title));
  CREATE VIEW published AS SELECT id, title FROM post WHERE status = 'published';
  INSERT INTO author VALUES (1, 'ann');
  INSERT INTO post (author_id, title, body, status, words) VALUES (1, 'hello', 'hi there', 'published', 2), (1, 'draft', NULL, 'draft', 0);
`;

/** Shadow databases are named after the target database's OID (shadow.ts). */
async function shadowPrefixOf(db: TestDatabase): Promise<string> {
  const [row] = await db.query<{ oid: string }>("SELECT oid::text AS oid FROM pg_database WHERE datname = current_database()");
  return `sqlite2pg_shadow_${row.oid}_`;
}

/** Roles are cluster-wide: a per-run name keeps parallel runs apart. */
const ROLE = `s2p_nocreatedb_${process.pid}`;

function withUser(url: string, user: string): string {
  const u = new URL(url);
  u.username = user;
  u.password = "";
  return u.toString();
}

describe("schema drift after migrate", () => {
  const tmp = tempDir("drift");
  let db: TestDatabase;
  let migrationsDir: string;
  let summaryDrift: DriftResult;
  let admin: pg.Client;
  let client: PgClient;

  const check = (c: PgClient = client, url = db.url) => checkDrift({ client: c, targetUrl: url, pgSchema: "public", migrationsDir });

  beforeAll(async () => {
    db = await createTestDatabase("drift");
    const file = buildSqliteFile(tmp.dir, "drift.db", (d) => d.exec(SQLITE_SCHEMA));
    const out = join(tmp.dir, "prisma");
    migrationsDir = join(out, "migrations");
    const res = await runCli(["migrate", file, "--to", db.url, "--out", out, "--yes", "--json"]);
    expect(res.code, res.stderr).toBe(0);
    summaryDrift = (JSON.parse(res.stdout) as { drift: DriftResult }).drift;
    client = await connectTarget(db.url, "verify");
    admin = new pg.Client({ connectionString: SERVER_URL });
    await admin.connect();
    await admin.query(`DROP ROLE IF EXISTS ${ROLE}`);
    await admin.query(`CREATE ROLE ${ROLE} LOGIN NOCREATEDB`);
  });
  afterAll(async () => {
    await client?.end();
    await db?.drop();
    await admin?.query(`DROP ROLE IF EXISTS ${ROLE}`);
    await admin?.end();
    tmp.cleanup();
  });

  it("migrate reports no drift: its own small baseline replayed in a rolled-back schema equals the target; nothing is left", async () => {
    // The run's own baseline, no extension, few locks: no CREATE DATABASE, no DROP DATABASE (shadow.ts schemaFirst).
    expect(summaryDrift).toMatchObject({ status: "no-drift", shadow: "schema" });
    expect(summaryDrift.notes).toBeUndefined();
    expect(await db.query("SELECT nspname FROM pg_namespace WHERE nspname LIKE 'sqlite2pg_shadow%'")).toEqual([]);
    // Without the baseline's identity the files are anyone's: replayed in a fresh shadow database, same answer.
    expect(await check()).toMatchObject({ status: "no-drift", shadow: "database", objects: summaryDrift.objects });
    // This process's shadow database is gone (shadows are named after the process: other test files running
    // at the same time may have one of their own right now).
    const left = await db.query("SELECT datname FROM pg_database WHERE starts_with(datname, $1)", [`${await shadowPrefixOf(db)}${process.pid}_`]);
    expect(left).toEqual([]);
  });

  it("the run's own baseline goes to a shadow database when it creates an extension, or when it is not the only migration", async () => {
    const sql = readFileSync(join(migrationsDir, "0_init", "migration.sql"), "utf8");
    const own = (text: string) => ({ name: "0_init", checksum: createHash("sha256").update(text, "utf8").digest("hex") });
    const ownCheck = () => checkDrift({ client, targetUrl: db.url, pgSchema: "public", migrationsDir, ownBaseline: own(sql) });
    expect(await ownCheck()).toMatchObject({ status: "no-drift", shadow: "schema" });
    // The rolled-back schema sees a change made by hand as the shadow database does.
    await db.query("ALTER TABLE author ADD COLUMN nickname text");
    try {
      expect(await ownCheck()).toMatchObject({ status: "drift", shadow: "schema", differences: ["table author: extra column nickname in database (text)"] });
    } finally {
      await db.query("ALTER TABLE author DROP COLUMN nickname");
    }

    // An extension belongs to the database: IF NOT EXISTS would find the target's and create nothing in a schema.
    await db.query('CREATE EXTENSION IF NOT EXISTS "pg_trgm" SCHEMA public');
    onTestFinished(() => db.query('DROP EXTENSION IF EXISTS "pg_trgm"').then(() => undefined));
    const withExtension = join(tmp.dir, "migrations-extension");
    mkdirSync(join(withExtension, "0_init"), { recursive: true });
    const extended = `CREATE EXTENSION IF NOT EXISTS "pg_trgm";\n${sql}`;
    writeFileSync(join(withExtension, "0_init", "migration.sql"), extended);
    expect(await checkDrift({ client, targetUrl: db.url, pgSchema: "public", migrationsDir: withExtension, ownBaseline: own(extended) })).toMatchObject({ shadow: "database" });

    // A second migration after the baseline: a user's, replayed as Prisma would, in a fresh database.
    const twoMigrations = join(tmp.dir, "migrations-two");
    mkdirSync(join(twoMigrations, "0_init"), { recursive: true });
    mkdirSync(join(twoMigrations, "1_noop"), { recursive: true });
    writeFileSync(join(twoMigrations, "0_init", "migration.sql"), sql);
    writeFileSync(join(twoMigrations, "1_noop", "migration.sql"), "SELECT 1;\n");
    expect(await checkDrift({ client, targetUrl: db.url, pgSchema: "public", migrationsDir: twoMigrations, ownBaseline: own(sql) })).toMatchObject({ status: "no-drift", shadow: "database" });
  });

  it("a target schema still being created by the copy (not committed) sends the baseline to a shadow database, without waiting", async () => {
    // As `migrate` into ?schema=<new> replays the shadow beside the copy: the copy's transaction has created the
    // schema, uncommitted. A rolled-back schema's `CREATE SCHEMA IF NOT EXISTS` would wait for that commit.
    const sql = 'CREATE SCHEMA IF NOT EXISTS "app_pending";\n\nCREATE TABLE "t" (\n    "id" INTEGER NOT NULL,\n\n    CONSTRAINT "t_pkey" PRIMARY KEY ("id")\n);\n';
    const dir = join(tmp.dir, "migrations-pending");
    mkdirSync(join(dir, "0_init"), { recursive: true });
    writeFileSync(join(dir, "0_init", "migration.sql"), sql);
    const holder = await connectTarget(db.url, "verify");
    let blocked = 0;
    let checking = true;
    try {
      await holder.query("BEGIN");
      await holder.query('CREATE SCHEMA "app_pending"');
      await holder.query('CREATE TABLE "app_pending"."t" ("id" integer PRIMARY KEY)');
      const [{ pid }] = (await holder.query<{ pid: number }>("SELECT pg_backend_pid() AS pid")).rows;
      // Whether any session waits on the holder while the check runs (it would, up to the tool's lock_timeout).
      const watching = (async () => {
        while (checking) {
          const [{ n }] = await admin.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_stat_activity WHERE $1 = ANY(pg_blocking_pids(pid))", [pid]).then((r) => r.rows);
          blocked += n;
          await new Promise((r) => setTimeout(r, 20));
        }
      })();
      const result = await checkDrift({
        client,
        targetUrl: db.url,
        pgSchema: "app_pending",
        migrationsDir: dir,
        ownBaseline: { name: "0_init", checksum: createHash("sha256").update(sql, "utf8").digest("hex") },
      });
      checking = false;
      await watching;
      // Not committed, so the check sees no table t in the target: what matters is where it replayed, without waiting.
      expect(result).toMatchObject({ shadow: "database" });
      expect(blocked).toBe(0);
    } finally {
      checking = false;
      await holder.query("ROLLBACK").catch(() => undefined);
      await holder.end();
    }
  }, 30_000);

  it("drops the shadow database of a run that died (kill -9), keeps a live run's", async () => {
    const prefix = await shadowPrefixOf(db);
    const dead = `${prefix}999999_deadbeef`;
    const live = `${prefix}999998_cafebabe`;
    await admin.query(`CREATE DATABASE "${dead}"`);
    await admin.query(`CREATE DATABASE "${live}"`);
    // A live run holds an advisory lock named after its shadow, on its session in the target database.
    const holder = await connectTarget(db.url, "verify");
    onTestFinished(async () => {
      await holder.end();
      await admin.query(`DROP DATABASE IF EXISTS "${live}" WITH (FORCE)`);
      await admin.query(`DROP DATABASE IF EXISTS "${dead}" WITH (FORCE)`);
    });
    await holder.query("SELECT pg_advisory_lock(hashtext($1))", [live]);
    const result = await check();
    expect(result).toMatchObject({ status: "no-drift", shadow: "database" });
    expect(result.notes).toEqual([`dropped the shadow database(s) of an earlier run that did not end: ${dead}`]);
    const names = (await admin.query<{ datname: string }>("SELECT datname FROM pg_database WHERE datname = ANY($1)", [[dead, live]])).rows.map((r) => r.datname);
    expect(names).toEqual([live]);
  });

  it("without CREATEDB: a rolled-back schema of the target is the shadow; no drift, nothing left behind", async () => {
    await admin.query(`GRANT CREATE, CONNECT ON DATABASE "${db.name}" TO ${ROLE}`);
    await db.query(`GRANT SELECT ON ALL TABLES IN SCHEMA public TO ${ROLE}`);
    onTestFinished(() => admin.query(`REVOKE CREATE ON DATABASE "${db.name}" FROM ${ROLE}`).then(() => undefined));
    const url = withUser(db.url, ROLE);
    const limited = await connectTarget(url, "verify");
    try {
      expect(await check(limited, url)).toMatchObject({ status: "no-drift", shadow: "schema", objects: summaryDrift.objects });
    } finally {
      await limited.end();
    }
    expect(await db.query("SELECT nspname FROM pg_namespace WHERE nspname LIKE 'sqlite2pg_shadow%'")).toEqual([]);
  });

  it("without CREATEDB nor CREATE on the database: not checked, with the reason and the GRANT/ALTER ROLE hint", async () => {
    // Its own setup: the role may connect and read, but not create (whatever the tests before did).
    await admin.query(`GRANT CONNECT ON DATABASE "${db.name}" TO ${ROLE}`);
    await admin.query(`REVOKE CREATE ON DATABASE "${db.name}" FROM ${ROLE}`);
    await db.query(`GRANT SELECT ON ALL TABLES IN SCHEMA public TO ${ROLE}`);
    const url = withUser(db.url, ROLE);
    const limited = await connectTarget(url, "verify");
    try {
      const result = await check(limited, url);
      expect(result.status).toBe("unavailable");
      expect(result.detail).toContain("permission denied to create database");
      expect(result.hint).toContain(`ALTER ROLE "${ROLE}" CREATEDB`);
      expect(result.hint).toContain(`GRANT CREATE ON DATABASE "${db.name}" TO "${ROLE}"`);
    } finally {
      await limited.end();
    }
  });

  it("names each change made by hand: an added column, a dropped index, a changed type, a changed view", async () => {
    const [{ view }] = await db.query<{ view: string }>("SELECT pg_get_viewdef('published'::regclass) AS view");
    const [{ index }] = await db.query<{ index: string }>("SELECT pg_get_indexdef('post_title_lower'::regclass) AS index");
    await db.query("ALTER TABLE author ADD COLUMN nickname text");
    await db.query("DROP INDEX post_title_lower");
    await db.query("ALTER TABLE post ALTER COLUMN words TYPE bigint");
    await db.query("CREATE OR REPLACE VIEW published AS SELECT id, title FROM post WHERE status = 'live'");
    // Undone afterwards, so the other tests of this block never depend on running before this one.
    onTestFinished(async () => {
      await db.query(`CREATE OR REPLACE VIEW published AS ${view}`);
      await db.query("ALTER TABLE post ALTER COLUMN words TYPE integer");
      await db.query(index);
      await db.query("ALTER TABLE author DROP COLUMN nickname");
      expect(await check()).toMatchObject({ status: "no-drift" });
    });
    const result = await check();
    expect(result.status).toBe("drift");
    expect(result.differences).toEqual([
      "table author: extra column nickname in database (text)",
      "table post: column words type integer in migrations, bigint in database",
      expect.stringMatching(/^view published: definition .*'published'::text.* in migrations, .*'live'::text.* in database$/),
      expect.stringMatching(/^index post_title_lower missing in database \(CREATE INDEX post_title_lower ON post USING btree \(lower\(title\)\)\)$/),
    ]);
  });
});
