/**
 * `sync` under disturbance, on a real PostgreSQL and a real SQLite file in WAL mode:
 * - killed with SIGKILL after it wrote its changes but before it committed: PostgreSQL is left exactly as it
 *   was; the same command then makes it level, and `verify` passes.
 * - an application writing to the file while a pass runs: the pass copies its snapshot, never half of a later
 *   write; the next pass brings the rest.
 * The moment is a condition, not a clock: a session of the test holds the sync state's row (FOR UPDATE), so the
 * pass, once its data is written, waits on that lock where the test can see it (pg_stat_activity).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli, TEST_DEFAULT_JOBS } from "../helpers/cli.js";
import { buildSqliteFile, REPO_ROOT, tempDir } from "../helpers/files.js";
import { type TestDatabase } from "../helpers/pg.js";
import { migrateForSync, writeSqlite } from "../helpers/sync.js";

const tmp = tempDir("sync-reliability");
const databases: TestDatabase[] = [];
afterAll(async () => {
  for (const db of databases) await db.drop();
  tmp.cleanup();
});

function buildApp(name: string): string {
  return buildSqliteFile(tmp.dir, name, (d) => {
    d.pragma("journal_mode = WAL");
    d.exec(`CREATE TABLE "User" ("id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT, "email" TEXT NOT NULL, "name" TEXT);
            CREATE UNIQUE INDEX "User_email_key" ON "User"("email");`);
    const user = d.prepare(`INSERT INTO "User" ("email", "name") VALUES (?, ?)`);
    d.exec("BEGIN");
    for (let i = 1; i <= 20000; i++) user.run(`u${i}@example.com`, `user ${i}`);
    d.exec("COMMIT");
  });
}

const migrated = (file: string, label: string): Promise<TestDatabase> => migrateForSync(file, label, tmp.dir, databases);
const write = (file: string, sql: string): void => writeSqlite(file, sql);

function startSync(file: string, db: TestDatabase): { child: ChildProcess; done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> } {
  const child = spawn(process.execPath, [join(REPO_ROOT, "bin", "sqlite2pg.js"), "sync", file, "--to", db.url, "--yes", "--json"], {
    env: { ...process.env, SQLITE2PG_JOBS: TEST_DEFAULT_JOBS },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (b: Buffer) => (stdout += b.toString()));
  child.stderr!.on("data", (b: Buffer) => (stderr += b.toString()));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { child, done };
}

/** A session holding the sync state's row: a pass that has written its data then waits on it. */
async function holdState(db: TestDatabase): Promise<pg.Client> {
  const c = new pg.Client({ connectionString: db.url });
  await c.connect();
  await c.query("BEGIN");
  await c.query("SELECT 1 FROM sqlite2pg_sync.targets FOR UPDATE");
  return c;
}

/** Wait until a sqlite2pg backend on the database waits for a lock while writing the sync state; its query. */
async function waitUntilBlocked(db: TestDatabase, child: ChildProcess): Promise<string> {
  for (;;) {
    const rows = await db.query<{ query: string }>(
      "SELECT query FROM pg_stat_activity WHERE datname = $1 AND application_name = 'sqlite2pg' AND wait_event_type = 'Lock'",
      [db.name],
    );
    if (rows.length > 0) return rows[0].query;
    if (child.exitCode !== null) throw new Error("sync exited before it blocked");
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function waitForBackendsGone(db: TestDatabase): Promise<void> {
  for (;;) {
    const [r] = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND application_name = 'sqlite2pg'", [db.name]);
    if (r.n === 0) return;
    await new Promise((res) => setTimeout(res, 100));
  }
}

async function contentOf(db: TestDatabase): Promise<unknown> {
  return {
    rows: await db.query(`SELECT count(*)::int AS n, md5(string_agg("User"::text, ',' ORDER BY id)) AS sum FROM "User"`),
    state: await db.query(`SELECT passes FROM sqlite2pg_sync.targets`),
    ranges: await db.query(`SELECT table_name, ord, rows::int, digest FROM sqlite2pg_sync.ranges ORDER BY 1, 2`),
    sequence: await db.query(`SELECT last_value::text AS v FROM pg_sequences WHERE sequencename = 'User_id_seq'`),
  };
}

const CHANGES = `
  UPDATE "User" SET "name" = 'updated ' || "id" WHERE "id" % 20 = 0;
  DELETE FROM "User" WHERE "id" % 97 = 0;
  INSERT INTO "User" ("email", "name")
    WITH RECURSIVE s(value) AS (SELECT 1 UNION ALL SELECT value + 1 FROM s WHERE value < 500) SELECT 'new' || value || '@example.com', 'new' FROM s;
`;

describe("sync killed with SIGKILL after writing, before committing", () => {
  let file: string;
  let db: TestDatabase;

  beforeAll(async () => {
    file = buildApp("kill.db");
    db = await migrated(file, "kill");
  });

  it("leaves PostgreSQL as it was; the same command then makes it level and verify passes", async () => {
    write(file, CHANGES);
    const before = await contentOf(db);
    const holder = await holdState(db);
    const run = startSync(file, db);
    let blockedOn: string;
    try {
      blockedOn = await waitUntilBlocked(db, run.child);
      run.child.kill("SIGKILL");
    } finally {
      const killed = await run.done;
      expect(killed.signal).toBe("SIGKILL");
      await waitForBackendsGone(db);
      await holder.query("ROLLBACK");
      await holder.end();
    }
    // It was writing its state: the rows were already written, inside its transaction.
    expect(blockedOn).toContain("sqlite2pg_sync");
    expect(await contentOf(db)).toEqual(before);

    const again = await runCli(["sync", file, "--to", db.url, "--yes", "--json"]);
    expect(again.code, again.stderr).toBe(0);
    const summary = JSON.parse(again.stdout) as { totals: { inserted: number; updated: number; deleted: number } };
    const deleted = Math.floor(20000 / 97);
    const updated = 20000 / 20 - Math.floor(20000 / (20 * 97));
    expect(summary.totals).toEqual({ inserted: 500, updated, deleted });
    const verify = await runCli(["verify", file, "--to", db.url]);
    expect(verify.code, verify.stdout + verify.stderr).toBe(0);
  });
});

describe("an application writing to the file while sync runs", () => {
  it("a pass copies its snapshot only; the next pass brings the later write", async () => {
    const file = buildApp("live.db");
    const db = await migrated(file, "live");
    write(file, `UPDATE "User" SET "name" = 'before the pass' WHERE "id" = 1;`);
    const holder = await holdState(db);
    const run = startSync(file, db);
    try {
      await waitUntilBlocked(db, run.child);
      // The pass holds its read transaction on the file; in WAL mode the application keeps writing.
      write(file, `UPDATE "User" SET "name" = 'during the pass' WHERE "id" = 2; INSERT INTO "User" ("email") VALUES ('late@example.com');`);
    } finally {
      await holder.query("ROLLBACK");
      await holder.end();
    }
    const first = await run.done;
    expect(first.code, first.stderr).toBe(0);
    expect((JSON.parse(first.stdout) as { totals: unknown }).totals).toEqual({ inserted: 0, updated: 1, deleted: 0 });
    expect(await db.query(`SELECT id, name FROM "User" WHERE id IN (1, 2) ORDER BY id`)).toEqual([
      { id: 1, name: "before the pass" },
      { id: 2, name: "user 2" },
    ]);
    const second = await runCli(["sync", file, "--to", db.url, "--yes", "--json"]);
    expect(second.code, second.stderr).toBe(0);
    expect((JSON.parse(second.stdout) as { totals: unknown }).totals).toEqual({ inserted: 1, updated: 1, deleted: 0 });
    const verify = await runCli(["verify", file, "--to", db.url]);
    expect(verify.code, verify.stdout + verify.stderr).toBe(0);
  });
});
