/**
 * `sqlite2pg sync` through the real CLI on a real PostgreSQL and real SQLite files: every change kind (insert,
 * update, delete) on every table kind (rowid table with AUTOINCREMENT, composite key, WITHOUT ROWID, no key, an
 * implicit many-to-many relation table), converted by migrate's rules; sequences moved past every id ever used;
 * `verify` passing afterwards; refusals that change nothing: rows written in PostgreSQL by someone else, a SQLite
 * schema change, a target without baseline or state.
 */
import { spawn } from "node:child_process";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli, type CliResult } from "../helpers/cli.js";
import { buildSqliteFile, REPO_ROOT, tempDir } from "../helpers/files.js";
import { createTestDatabase, type TestDatabase } from "../helpers/pg.js";
import { migrateForSync, writeSqlite } from "../helpers/sync.js";

const tmp = tempDir("sync");
const databases: TestDatabase[] = [];
afterAll(async () => {
  for (const db of databases) await db.drop();
  tmp.cleanup();
});

const USERS = 5000;

/** A Prisma-shaped app database (WAL, like a live app's) with one table of each kind. */
function buildApp(name: string): string {
  return buildSqliteFile(tmp.dir, name, (d) => {
    d.pragma("journal_mode = WAL");
    d.exec(`
      CREATE TABLE "User" ("id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT, "email" TEXT NOT NULL, "name" TEXT, "born" DATETIME);
      CREATE UNIQUE INDEX "User_email_key" ON "User"("email");
      CREATE TABLE "Post" ("id" INTEGER NOT NULL PRIMARY KEY, "title" TEXT NOT NULL, "score" REAL, "authorId" INTEGER NOT NULL,
        CONSTRAINT "Post_authorId_fkey" FOREIGN KEY ("authorId") REFERENCES "User" ("id") ON DELETE CASCADE ON UPDATE CASCADE);
      CREATE TABLE "Tag" ("name" TEXT NOT NULL PRIMARY KEY, "uses" INTEGER NOT NULL) WITHOUT ROWID;
      CREATE TABLE "Membership" ("orgId" INTEGER NOT NULL, "userKey" TEXT NOT NULL, "role" TEXT, PRIMARY KEY ("orgId", "userKey"));
      CREATE TABLE "AuditLog" ("msg" TEXT, "at" INTEGER);
      CREATE TABLE "Reading" ("at" DATETIME NOT NULL PRIMARY KEY, "value" REAL);
      CREATE TABLE "_PostToTag" ("A" INTEGER NOT NULL, "B" TEXT NOT NULL,
        CONSTRAINT "_PostToTag_A_fkey" FOREIGN KEY ("A") REFERENCES "Post" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
        CONSTRAINT "_PostToTag_B_fkey" FOREIGN KEY ("B") REFERENCES "Tag" ("name") ON DELETE CASCADE ON UPDATE CASCADE);
      CREATE UNIQUE INDEX "_PostToTag_AB_unique" ON "_PostToTag"("A", "B");
      CREATE INDEX "_PostToTag_B_index" ON "_PostToTag"("B");
    `);
    const user = d.prepare(`INSERT INTO "User" ("email", "name", "born") VALUES (?, ?, ?)`);
    const post = d.prepare(`INSERT INTO "Post" ("id", "title", "score", "authorId") VALUES (?, ?, ?, ?)`);
    d.exec("BEGIN");
    for (let i = 1; i <= USERS; i++) {
      user.run(`u${i}@example.com`, `user ${i}`, `2020-01-${String((i % 28) + 1).padStart(2, "0")} 10:00:00`);
      post.run(i, `post ${i}`, i / 4, i);
    }
    for (let i = 0; i < 20; i++) d.prepare(`INSERT INTO "Tag" VALUES (?, ?)`).run(`tag${String(i).padStart(2, "0")}`, i);
    for (let i = 0; i < 40; i++) d.prepare(`INSERT INTO "Membership" VALUES (?, ?, ?)`).run(i % 4, `key${i}`, i % 2 ? "admin" : "member");
    for (let i = 0; i < 30; i++) d.prepare(`INSERT INTO "AuditLog" VALUES (?, ?)`).run(`event ${i}`, i);
    for (let i = 1; i <= 9; i++) d.prepare(`INSERT INTO "Reading" VALUES (?, ?)`).run(`2024-05-0${i} 08:00:00`, i * 1.5);
    for (let i = 1; i <= 30; i++) d.prepare(`INSERT INTO "_PostToTag" VALUES (?, ?)`).run(i, `tag${String(i % 20).padStart(2, "0")}`);
    d.exec("COMMIT");
  });
}

const migrate = (file: string, label: string, extra: string[] = ["--verify", "counts"]): Promise<TestDatabase> => migrateForSync(file, label, tmp.dir, databases, extra);
const write = (file: string, sql: string): void => writeSqlite(file, sql, { foreignKeys: true });

interface TableLine {
  table: string;
  inserted: number;
  updated: number;
  deleted: number;
  rangesChanged: number;
  ranges: number;
  rows: number;
}
interface Summary {
  ok: boolean;
  tables: TableLine[];
  totals: { inserted: number; updated: number; deleted: number };
  verified: { tables: number; rows: number };
  pass: number;
}

async function sync(file: string, db: TestDatabase): Promise<{ res: CliResult; summary: Summary }> {
  const res = await runCli(["sync", file, "--to", db.url, "--yes", "--json"]);
  expect(res.code, res.stderr + res.stdout).toBe(0);
  return { res, summary: JSON.parse(res.stdout) as Summary };
}

const byTable = (s: Summary): Record<string, { inserted: number; updated: number; deleted: number }> =>
  Object.fromEntries(s.tables.map((t) => [t.table, { inserted: t.inserted, updated: t.updated, deleted: t.deleted }]));

describe("sync after migrate: every change kind on every table kind", () => {
  let file: string;
  let db: TestDatabase;
  let migrateOut: string;

  beforeAll(async () => {
    file = buildApp("app.db");
    db = await createTestDatabase("sync_main");
    databases.push(db);
    // The full verification: its drift check runs after the sync state is recorded and must not see it.
    const res = await runCli(["migrate", file, "--to", db.url, "--out", join(tmp.dir, "out-main"), "--yes", "--sync-state"]);
    migrateOut = res.stdout;
    expect(res.code, res.stderr + res.stdout).toBe(0);
  });

  it("migrate records the state outside the app's schema, and the drift check ignores it", async () => {
    expect(migrateOut).toContain("schema drift: none");
    const tables = await db.query<{ table_name: string; strategy: string; total_rows: string }>(
      "SELECT table_name, strategy, total_rows::text FROM sqlite2pg_sync.tables ORDER BY table_name",
    );
    expect(tables).toEqual([
      { table_name: "AuditLog", strategy: "whole", total_rows: "30" },
      { table_name: "Membership", strategy: "ranges", total_rows: "40" },
      { table_name: "Post", strategy: "ranges", total_rows: String(USERS) },
      // A timestamp key sorts by instant in PostgreSQL, by text in SQLite: one range.
      { table_name: "Reading", strategy: "whole", total_rows: "9" },
      { table_name: "Tag", strategy: "ranges", total_rows: "20" },
      { table_name: "User", strategy: "ranges", total_rows: String(USERS) },
      { table_name: "_PostToTag", strategy: "ranges", total_rows: "30" },
    ]);
    const [ranges] = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM sqlite2pg_sync.ranges WHERE table_name = 'User'");
    expect(ranges.n).toBe(3); // 5000 rows in ranges of 2048
    const inApp = await db.query("SELECT 1 FROM information_schema.tables WHERE table_schema = 'public' AND table_name LIKE 'sqlite2pg%'");
    expect(inApp).toEqual([]);
  });

  it("with nothing changed, a pass writes nothing", async () => {
    const before = await db.query<{ x: string }>(`SELECT xmin::text AS x FROM "User" WHERE id = 1`);
    const { summary } = await sync(file, db);
    expect(summary.totals).toEqual({ inserted: 0, updated: 0, deleted: 0 });
    expect(summary.tables.every((t) => t.rangesChanged === 0)).toBe(true);
    expect(summary.pass).toBe(1);
    expect(await db.query<{ x: string }>(`SELECT xmin::text AS x FROM "User" WHERE id = 1`)).toEqual(before);
  });

  it("inserts, updates and deletes land in every table kind, converted as migrate converts", async () => {
    write(
      file,
      `
      -- rowid table: an update in the first range, one in the second, a delete (its post cascades), inserts at the end
      UPDATE "User" SET "name" = 'Zoë', "born" = '1999-12-31 23:59:58.123' WHERE "id" = 5;
      UPDATE "User" SET "name" = NULL WHERE "id" = 3000;
      DELETE FROM "User" WHERE "id" = 10;
      INSERT INTO "User" ("email", "name", "born") VALUES ('new@example.com', 'new', '2024-02-29 12:00:00');
      -- a unique value moved from a deleted row to a new one (PostgreSQL checks unique indexes per statement)
      DELETE FROM "User" WHERE "id" = 20;
      INSERT INTO "User" ("email", "name") VALUES ('u20@example.com', 'reborn');
      -- AUTOINCREMENT: an id handed out and deleted still moves the sequence (sqlite_sequence = 9000)
      INSERT INTO "User" ("id", "email") VALUES (9000, 'gone@example.com');
      DELETE FROM "User" WHERE "id" = 9000;
      -- plain INTEGER PRIMARY KEY, with a foreign key to a new parent
      INSERT INTO "Post" ("id", "title", "score", "authorId") VALUES (7000, 'new post', 0.1, (SELECT max("id") FROM "User"));
      UPDATE "Post" SET "score" = 1e300, "authorId" = 1 WHERE "id" = 2;
      DELETE FROM "Post" WHERE "id" = 4999;
      -- WITHOUT ROWID, text key (non-ASCII sorts after ASCII byte-wise)
      INSERT INTO "Tag" VALUES ('Ärger', 1), ('zz', 2);
      UPDATE "Tag" SET "uses" = 99 WHERE "name" = 'tag03';
      DELETE FROM "Tag" WHERE "name" = 'tag19';
      -- composite key
      INSERT INTO "Membership" VALUES (9, 'key9', 'owner');
      UPDATE "Membership" SET "role" = 'owner' WHERE "orgId" = 0 AND "userKey" = 'key0';
      DELETE FROM "Membership" WHERE "orgId" = 1;
      -- no key: a duplicate row, a row with a tab, a change, a delete
      INSERT INTO "AuditLog" VALUES ('event 2', 2), ('tab	inside', 100);
      UPDATE "AuditLog" SET "at" = 1000 WHERE "msg" = 'event 3';
      DELETE FROM "AuditLog" WHERE "msg" = 'event 4';
      -- a key that is not integers or text: the table is one range, its rows paired by key
      INSERT INTO "Reading" VALUES ('2024-06-01 00:00:00', 0.25);
      UPDATE "Reading" SET "value" = -1 WHERE "at" = '2024-05-02 08:00:00';
      DELETE FROM "Reading" WHERE "at" = '2024-05-03 08:00:00';
      -- implicit many-to-many
      INSERT INTO "_PostToTag" VALUES (7000, 'zz'), (1, 'Ärger');
      DELETE FROM "_PostToTag" WHERE "A" = 3;
      `,
    );
    const { summary } = await sync(file, db);
    expect(byTable(summary)).toEqual({
      User: { inserted: 2, updated: 2, deleted: 2 },
      // Post 10 and 20 went with their authors (ON DELETE CASCADE), 4999 was deleted.
      Post: { inserted: 1, updated: 1, deleted: 3 },
      Tag: { inserted: 2, updated: 1, deleted: 1 },
      Membership: { inserted: 1, updated: 1, deleted: 10 },
      // Without a key an update is a delete and an insert.
      // Without a key a changed row is a delete and an insert; one copy of the duplicated row was there already.
      AuditLog: { inserted: 3, updated: 0, deleted: 2 },
      Reading: { inserted: 1, updated: 1, deleted: 1 },
      // The rows of posts 10 and 20 and of tag19 cascaded in SQLite; A = 3 deleted.
      _PostToTag: { inserted: 2, updated: 0, deleted: 4 },
    });
    expect(summary.verified.tables).toBe(7);
    expect(await db.query(`SELECT at::text AS at, value FROM "Reading" WHERE at IN ('2024-06-01', '2024-05-02 08:00', '2024-05-03 08:00') ORDER BY at`)).toEqual([
      { at: "2024-05-02 08:00:00", value: -1 },
      { at: "2024-06-01 00:00:00", value: 0.25 },
    ]);

    const [zoe] = await db.query<{ name: string; born: string }>(`SELECT name, born::text AS born FROM "User" WHERE id = 5`);
    expect(zoe).toEqual({ name: "Zoë", born: "1999-12-31 23:59:58.123" });
    expect(await db.query(`SELECT name FROM "User" WHERE id = 3000`)).toEqual([{ name: null }]);
    expect(await db.query(`SELECT id FROM "User" WHERE id IN (10, 20)`)).toEqual([]);
    expect(await db.query<{ name: string }>(`SELECT name FROM "User" WHERE email = 'u20@example.com'`)).toEqual([{ name: "reborn" }]);
    expect(await db.query(`SELECT score::text AS s, "authorId" AS a FROM "Post" WHERE id = 2`)).toEqual([{ s: "1e+300", a: 1 }]);
    expect(await db.query(`SELECT title FROM "Post" WHERE id IN (10, 20, 4999)`)).toEqual([]);
    expect(await db.query(`SELECT name, uses FROM "Tag" WHERE name IN ('Ärger', 'zz', 'tag03', 'tag19') ORDER BY name COLLATE "C"`)).toEqual([
      { name: "tag03", uses: 99 },
      { name: "zz", uses: 2 },
      { name: "Ärger", uses: 1 },
    ]);
    expect(await db.query(`SELECT count(*)::int AS n FROM "Membership" WHERE "orgId" = 1`)).toEqual([{ n: 0 }]);
    expect(await db.query(`SELECT role FROM "Membership" WHERE "orgId" = 0 AND "userKey" = 'key0'`)).toEqual([{ role: "owner" }]);
    expect(await db.query(`SELECT msg, at FROM "AuditLog" WHERE at IN (2, 100, 1000) ORDER BY at, msg`)).toEqual([
      { msg: "event 2", at: 2 },
      { msg: "event 2", at: 2 },
      { msg: "tab\tinside", at: 100 },
      { msg: "event 3", at: 1000 },
    ]);
    expect(await db.query(`SELECT "A", "B" FROM "_PostToTag" WHERE "A" IN (1, 3, 7000) ORDER BY "A", "B"`)).toEqual([
      { A: 1, B: "tag01" },
      { A: 1, B: "Ärger" },
      { A: 7000, B: "zz" },
    ]);
  });

  it("sequences move past every id ever used (sqlite_sequence included), never back", async () => {
    const [u] = await db.query<{ id: string }>(`INSERT INTO "User" (email) VALUES ('pg@example.com') RETURNING id::text AS id`);
    expect(u.id).toBe("9001");
    await db.query(`DELETE FROM "User" WHERE id = 9001`);
    const [p] = await db.query<{ id: string }>(`INSERT INTO "Post" (title, "authorId") VALUES ('pg', 1) RETURNING id::text AS id`);
    expect(p.id).toBe("7001");
    await db.query(`DELETE FROM "Post" WHERE id = 7001`);
  });

  it("verify passes afterwards; the next pass writes nothing and leaves the sequence where PostgreSQL moved it", async () => {
    const res = await runCli(["verify", file, "--to", db.url, "--verify", "deep"]);
    expect(res.code, res.stdout + res.stderr).toBe(0);
    expect(res.stdout).toContain("verified: PostgreSQL holds exactly the SQLite data");
    const { summary } = await sync(file, db);
    expect(summary.totals).toEqual({ inserted: 0, updated: 0, deleted: 0 });
    // The test's own insert above took id 9001 from the sequence: a sync never hands it out again.
    const [u] = await db.query<{ last: string }>(`SELECT last_value::text AS last FROM pg_sequences WHERE sequencename = 'User_id_seq'`);
    expect(u.last).toBe("9001");
  });
  it("a range grown past twice its size is cut again; the ranges before it keep their stored rows", async () => {
    const before = await db.query<{ ord: number; digest: string }>(
      "SELECT ord, digest FROM sqlite2pg_sync.ranges WHERE table_name = 'User' ORDER BY ord",
    );
    expect(before.length).toBe(3);
    write(file, `WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < 5000) INSERT INTO "User" ("email", "name") SELECT 'grow' || n || '@example.com', 'grown' FROM s;`);
    const { summary } = await sync(file, db);
    expect(byTable(summary).User).toEqual({ inserted: 5000, updated: 0, deleted: 0 });
    const after = await db.query<{ ord: number; digest: string; rows: number }>(
      "SELECT ord, digest, rows::int FROM sqlite2pg_sync.ranges WHERE table_name = 'User' ORDER BY ord",
    );
    expect(after.length).toBeGreaterThan(3);
    expect(after.slice(0, 2)).toEqual(before.slice(0, 2).map((r, i) => ({ ...r, rows: after[i].rows })));
    expect(after.every((r) => r.rows <= 2 * 2048)).toBe(true);
    // A change in one of the new ranges, then in an old one: found by their row digests.
    write(file, `UPDATE "User" SET "name" = 'late edit' WHERE "email" IN ('grow4000@example.com', 'u2@example.com');`);
    const next = await sync(file, db);
    expect(byTable(next.summary).User).toEqual({ inserted: 0, updated: 2, deleted: 0 });
    const res = await runCli(["verify", file, "--to", db.url]);
    expect(res.code, res.stdout + res.stderr).toBe(0);
  });
});

describe("sync --watch", () => {
  it("repeats until Ctrl-C, one JSON line per pass, each pass bringing what was written since", async () => {
    const file = buildApp("watch.db");
    const db = await migrate(file, "watch");
    const child = spawn(process.execPath, [join(REPO_ROOT, "bin", "sqlite2pg.js"), "sync", file, "--to", db.url, "--yes", "--json", "--watch", "1"], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    const passes: Summary[] = [];
    let wake: (() => void) | null = null;
    child.stdout.on("data", (b: Buffer) => {
      stdout += b.toString();
      const lines = stdout.split("\n");
      stdout = lines.pop() ?? "";
      for (const l of lines) if (l.trim()) passes.push(JSON.parse(l) as Summary);
      wake?.();
    });
    child.stderr.on("data", (b: Buffer) => (stderr += b.toString()));
    const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
    const until = async (ok: () => boolean): Promise<void> => {
      while (!ok()) {
        if (child.exitCode !== null) throw new Error(`sync --watch exited: ${stderr}`);
        await new Promise<void>((r) => (wake = r));
      }
    };
    await until(() => passes.length >= 1);
    expect(passes[0].totals).toEqual({ inserted: 0, updated: 0, deleted: 0 });
    write(file, `UPDATE "User" SET "name" = 'watched' WHERE "id" = 42;`);
    await until(() => passes.some((p) => p.totals.updated === 1));
    child.kill("SIGINT");
    expect(await exited).toBe(130);
    expect(await db.query(`SELECT name FROM "User" WHERE id = 42`)).toEqual([{ name: "watched" }]);
    const numbers = passes.map((p) => p.pass);
    expect(numbers).toEqual(numbers.map((_n, i) => i + 1));
  });

  it("a bad --watch value is a usage error (exit 2) before any connection", async () => {
    const res = await runCli(["sync", "nothing.db", "--to", "postgresql://nobody@127.0.0.1:1/none", "--yes", "--watch", "0"]);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain("--watch expects a positive whole number of seconds");
  });
});

describe("sync after the parallel build (--jobs 2)", () => {
  it("rows loaded by several transactions are sqlite2pg's own: no false refusal, and the change lands", async () => {
    const file = buildApp("parallel.db");
    const db = await createTestDatabase("sync_parallel");
    databases.push(db);
    const res = await runCli(["migrate", file, "--to", db.url, "--out", join(tmp.dir, "out-parallel"), "--yes", "--verify", "counts", "--jobs", "2", "--sync-state"]);
    expect(res.code, res.stderr + res.stdout).toBe(0);
    expect(res.stderr).toMatch(/\[copy\] copying rows and building indexes, \d+ tables at a time/);
    const [xids] = await db.query<{ n: number }>(`SELECT count(DISTINCT x)::int AS n FROM sqlite2pg_sync.tables, unnest(xids) AS x`);
    expect(xids.n).toBeGreaterThan(1);
    write(file, `UPDATE "Tag" SET "uses" = 70 WHERE "name" = 'tag07'; DELETE FROM "AuditLog" WHERE "msg" = 'event 0';`);
    const { summary } = await sync(file, db);
    expect(summary.totals).toEqual({ inserted: 0, updated: 1, deleted: 1 });
    const verify = await runCli(["verify", file, "--to", db.url]);
    expect(verify.code, verify.stdout + verify.stderr).toBe(0);
  });
});
