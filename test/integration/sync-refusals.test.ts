/**
 * When `sqlite2pg sync` refuses, it changes nothing and says why: rows written in PostgreSQL by someone else
 * since the last migrate/sync (the table and the keys, or the key range of deleted rows, named), a SQLite schema
 * change (the difference named), a target without baseline or without the state migrate records.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { buildSqliteFile, tempDir } from "../helpers/files.js";
import { createTestDatabase, type TestDatabase } from "../helpers/pg.js";
import { migrateForSync, writeSqlite } from "../helpers/sync.js";

const tmp = tempDir("sync-refusals");
const databases: TestDatabase[] = [];
afterAll(async () => {
  for (const db of databases) await db.drop();
  tmp.cleanup();
});

function buildApp(name: string): string {
  return buildSqliteFile(tmp.dir, name, (d) => {
    d.pragma("journal_mode = WAL");
    d.exec(`
      CREATE TABLE "User" ("id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT, "email" TEXT NOT NULL, "name" TEXT);
      CREATE TABLE "Tag" ("name" TEXT NOT NULL PRIMARY KEY, "uses" INTEGER NOT NULL) WITHOUT ROWID;
      CREATE TABLE "Note" ("body" TEXT);
    `);
    const user = d.prepare(`INSERT INTO "User" ("email", "name") VALUES (?, ?)`);
    d.exec("BEGIN");
    for (let i = 1; i <= 5000; i++) user.run(`u${i}@example.com`, `user ${i}`);
    for (let i = 0; i < 10; i++) d.prepare(`INSERT INTO "Tag" VALUES (?, ?)`).run(`tag${i}`, i);
    d.prepare(`INSERT INTO "Note" VALUES ('hello')`).run();
    d.exec("COMMIT");
  });
}

const migrated = (file: string, label: string): Promise<TestDatabase> => migrateForSync(file, label, tmp.dir, databases);
const write = (file: string, sql: string): void => writeSqlite(file, sql);

const sync = (file: string, db: TestDatabase) => runCli(["sync", file, "--to", db.url, "--yes", "--quiet"]);

/** What PostgreSQL holds, whole: every table's rows as text, and sync's own state. */
async function snapshotOf(db: TestDatabase): Promise<unknown> {
  return {
    user: await db.query(`SELECT count(*)::int AS n, max(id) AS max, md5(string_agg("User"::text, ',' ORDER BY id)) AS sum FROM "User"`),
    tag: await db.query(`SELECT md5(string_agg("Tag"::text, ',' ORDER BY name)) AS sum FROM "Tag"`),
    note: await db.query(`SELECT string_agg(body, ',') AS s FROM "Note"`),
    state: await db.query(`SELECT passes FROM sqlite2pg_sync.targets`),
    ranges: await db.query(`SELECT table_name, ord, rows::int, digest FROM sqlite2pg_sync.ranges ORDER BY 1, 2`),
  };
}

describe("rows written in PostgreSQL by someone else", () => {
  let file: string;
  let db: TestDatabase;

  beforeAll(async () => {
    file = buildApp("foreign.db");
    db = await migrated(file, "foreign");
    // A change in SQLite that a sync would copy: it must not be.
    write(file, `UPDATE "User" SET "name" = 'changed in SQLite' WHERE "id" = 1; INSERT INTO "Tag" VALUES ('new', 1);`);
  });

  it("an UPDATE and an INSERT by the application: refused, naming table and keys, nothing written", async () => {
    await db.query(`UPDATE "Tag" SET uses = 100 WHERE name = 'tag3'`);
    await db.query(`INSERT INTO "Note" VALUES ('written in PostgreSQL')`);
    const before = await snapshotOf(db);
    const res = await sync(file, db);
    expect(res.code, res.stdout + res.stderr).toBe(1);
    expect(res.stderr).toContain("SYNC_TARGET_CHANGED");
    expect(res.stderr).toContain("Tag: 1 row(s) inserted or updated by someone else: name = tag3");
    expect(res.stderr).toContain("Note: 1 row(s) inserted or updated by someone else: row = (\"written in PostgreSQL\")");
    expect(res.stderr).toContain("nothing was written");
    expect(await snapshotOf(db)).toEqual(before);
    expect(await db.query(`SELECT name FROM "User" WHERE id = 1`)).toEqual([{ name: "user 1" }]);
  });

  it("a DELETE by the application: refused, naming the key range of the missing rows (also in --report)", async () => {
    const fresh = await migrated(buildApp("foreign-delete.db"), "foreign_delete");
    await fresh.query(`DELETE FROM "User" WHERE id IN (3000, 3001)`);
    const before = await snapshotOf(fresh);
    const report = join(tmp.dir, "foreign-delete.json");
    const res = await runCli(["sync", join(tmp.dir, "foreign-delete.db"), "--to", fresh.url, "--yes", "--quiet", "--report", report]);
    expect(res.code, res.stdout + res.stderr).toBe(1);
    expect(res.stderr).toContain("User: 2 row(s) deleted by someone else: 2 row(s) deleted where 2049 ≤ id < 4097");
    expect(await snapshotOf(fresh)).toEqual(before);
    const json = JSON.parse(readFileSync(report, "utf8")) as { ok: boolean; error: { code: string; details: { tables: { table: string; missing: number }[] } } };
    expect(json.ok).toBe(false);
    expect(json.error.code).toBe("SYNC_TARGET_CHANGED");
    expect(json.error.details.tables).toEqual([expect.objectContaining({ table: "User", missing: 2 })]);
  });
});

describe("what sync wrote does not read back as SQLite's rows", () => {
  it("a trigger in PostgreSQL alters the rows written: the verification fails and nothing is committed", async () => {
    const file = buildApp("trigger.db");
    const db = await migrated(file, "trigger");
    await db.query(`CREATE FUNCTION shout() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.name := upper(NEW.name); RETURN NEW; END $$`);
    await db.query(`CREATE TRIGGER shout BEFORE UPDATE ON "User" FOR EACH ROW EXECUTE FUNCTION shout()`);
    write(file, `UPDATE "User" SET "name" = 'quiet' WHERE "id" = 7;`);
    const before = await snapshotOf(db);
    const res = await sync(file, db);
    expect(res.code, res.stdout + res.stderr).toBe(1);
    expect(res.stderr).toContain("SYNC_VERIFICATION");
    expect(res.stderr).toContain("[7] differs from SQLite's row");
    expect(await snapshotOf(db)).toEqual(before);
    expect(await db.query(`SELECT name FROM "User" WHERE id = 7`)).toEqual([{ name: "user 7" }]);
  });
});

describe("the SQLite schema changed since", () => {
  it("a new column and a new index: refused, each named, nothing written", async () => {
    const file = buildApp("schema.db");
    const db = await migrated(file, "schema");
    write(file, `ALTER TABLE "User" ADD COLUMN "bio" TEXT; CREATE INDEX "User_name_idx" ON "User"("name"); UPDATE "User" SET "name" = 'x' WHERE id = 2;`);
    const before = await snapshotOf(db);
    const res = await sync(file, db);
    expect(res.code, res.stdout + res.stderr).toBe(1);
    expect(res.stderr).toContain("SYNC_SOURCE_SCHEMA_CHANGED");
    expect(res.stderr).toContain(`table "User" changed: was CREATE TABLE "User" ("id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT, "email" TEXT NOT NULL, "name" TEXT), now CREATE TABLE "User" ("id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT, "email" TEXT NOT NULL, "name" TEXT, "bio" TEXT)`);
    expect(res.stderr).toContain(`index "User_name_idx" was added`);
    expect(res.stderr).toContain("Prisma migration");
    expect(await snapshotOf(db)).toEqual(before);
  });
});

describe("a target sqlite2pg did not migrate", () => {
  it("no state: refused before reading anything", async () => {
    const db = await createTestDatabase("sync_empty");
    databases.push(db);
    const res = await sync(buildApp("nostate.db"), db);
    expect(res.code, res.stdout + res.stderr).toBe(1);
    expect(res.stderr).toContain("SYNC_NO_STATE");
    expect(await db.query("SELECT nspname FROM pg_namespace WHERE nspname = 'sqlite2pg_sync'")).toEqual([]);
  });

  it("migrate without --sync-state records nothing: sync refuses, naming the flag", async () => {
    const file = buildApp("nosyncstate.db");
    const db = await createTestDatabase("sync_nosyncstate");
    databases.push(db);
    const res = await runCli(["migrate", file, "--to", db.url, "--out", join(tmp.dir, "out-nosyncstate"), "--yes", "--verify", "counts", "--quiet"]);
    expect(res.code, res.stderr + res.stdout).toBe(0);
    expect(await db.query("SELECT nspname FROM pg_namespace WHERE nspname = 'sqlite2pg_sync'")).toEqual([]);
    const refused = await sync(file, db);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("SYNC_NO_STATE");
    expect(refused.stderr).toContain("migrate --sync-state");
  });

  it("no baseline: refused", async () => {
    const file = buildApp("nobaseline.db");
    const db = await migrated(file, "nobaseline");
    await db.query(`DELETE FROM "_prisma_migrations"`);
    write(file, `UPDATE "User" SET "name" = 'x' WHERE id = 2;`);
    const res = await sync(file, db);
    expect(res.code, res.stdout + res.stderr).toBe(1);
    expect(res.stderr).toContain("SYNC_NO_BASELINE");
    expect(await db.query(`SELECT name FROM "User" WHERE id = 2`)).toEqual([{ name: "user 2" }]);
  });

  it("a migration that left rows out on purpose: refused with the reason", async () => {
    const file = buildSqliteFile(tmp.dir, "rejects.db", (d) => {
      d.exec(`CREATE TABLE "Item" ("id" INTEGER NOT NULL PRIMARY KEY, "at" DATETIME); INSERT INTO "Item" VALUES (1, '2024-01-01 00:00:00'), (2, 'not a date');`);
    });
    const db = await createTestDatabase("sync_rejects");
    databases.push(db);
    const out = join(tmp.dir, "out-rejects");
    const migrate = await runCli(["migrate", file, "--to", db.url, "--out", out, "--yes", "--quiet", "--verify", "counts", "--on-error", "reject", "--rejects", join(tmp.dir, "rejects.jsonl"), "--sync-state"]);
    expect(migrate.code, migrate.stderr + migrate.stdout).toBe(0);
    const res = await sync(file, db);
    expect(res.code, res.stdout + res.stderr).toBe(1);
    expect(res.stderr).toContain("SYNC_UNAVAILABLE");
    expect(res.stderr).toContain("1 row(s) were rejected (--on-error reject)");
  });
});
