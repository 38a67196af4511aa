/**
 * Reliability, through the real CLI on real PostgreSQL:
 * - a run killed mid-copy (SIGKILL) leaves no table in the target schema, on both paths (--jobs 1: one
 *   transaction; --jobs 2: the staging schema, seen mid-run), and a re-run succeeds;
 * - the server restarting mid-copy makes the run fail with exit 1 and a clear message, on both paths, and a re-run
 *   succeeds;
 * - a SQLite file that keeps being written (WAL) migrates one consistent snapshot;
 * - a lock held by another session makes the run fail after lock_timeout, naming what it waited for.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli, TEST_DEFAULT_JOBS, type CliResult } from "../helpers/cli.js";
import { REPO_ROOT, tempDir } from "../helpers/files.js";
import { createTestDatabase, type TestDatabase } from "../helpers/pg.js";
import { startThrowawayCluster, type ThrowawayCluster } from "../helpers/throwaway-cluster.js";

/**
 * A database big enough that COPY takes a few seconds: `item` with `rows` rows and, with `twoTables`, a small `tag`
 * table too — with one table the apply stage always takes the one-transaction path, whatever --jobs says.
 */
function makeItemsDb(path: string, rows: number, options: { wal?: boolean; twoTables?: boolean } = {}): void {
  const db = new Database(path);
  if (options.wal) db.pragma("journal_mode = WAL");
  db.exec("CREATE TABLE item (id INTEGER PRIMARY KEY, name TEXT NOT NULL, body TEXT)");
  const insert = db.prepare("INSERT INTO item (name, body) VALUES (?, ?)");
  const body = "lorem ipsum dolor sit amet ".repeat(4);
  db.transaction(() => {
    for (let i = 0; i < rows; i++) insert.run(`name ${i}`, body + i);
  })();
  if (options.twoTables) {
    db.exec("CREATE TABLE tag (id INTEGER PRIMARY KEY, label TEXT NOT NULL)");
    const tag = db.prepare("INSERT INTO tag (label) VALUES (?)");
    db.transaction(() => {
      for (let i = 0; i < TAGS; i++) tag.run(`tag ${i}`);
    })();
  }
  db.close();
}

const TAGS = 1000;

/** The line the parallel path prints when its copy starts (src/apply/parallel-apply.ts); absent on --jobs 1. */
const PARALLEL_COPY = "[copy] copying rows and building indexes, 2 tables at a time";

/** What stderr says about the path taken, checked before the run is disturbed. */
function expectPath(stderr: string, jobs: "1" | "2"): void {
  if (jobs === "2") expect(stderr).toContain(PARALLEL_COPY);
  else expect(stderr).not.toContain("tables at a time");
}

async function stagingSchemas(url: string): Promise<string[]> {
  const rows = await query<{ nspname: string }>(url, "SELECT nspname FROM pg_namespace WHERE nspname LIKE 'sqlite2pg_load_%' ORDER BY 1");
  return rows.map((r) => r.nspname);
}

interface RunningCli {
  readonly child: ChildProcess;
  readonly done: Promise<CliResult & { signal: NodeJS.Signals | null }>;
  /** Resolves when stderr matches `pattern`; rejects if the process exits first or after `ms`. */
  waitForStderr(pattern: RegExp, ms?: number): Promise<void>;
  stderr(): string;
}

function startCli(args: readonly string[]): RunningCli {
  const child = spawn(process.execPath, [join(REPO_ROOT, "bin", "sqlite2pg.js"), ...args], {
    env: { ...process.env, SQLITE2PG_JOBS: TEST_DEFAULT_JOBS },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  const waiters: { pattern: RegExp; resolve: () => void }[] = [];
  child.stdout!.on("data", (b: Buffer) => (stdout += b.toString()));
  child.stderr!.on("data", (b: Buffer) => {
    stderr += b.toString();
    for (const w of [...waiters]) {
      if (w.pattern.test(stderr)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    }
  });
  const done = new Promise<CliResult & { signal: NodeJS.Signals | null }>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ code: code ?? -1, signal, stdout, stderr }));
  });
  return {
    child,
    done,
    stderr: () => stderr,
    waitForStderr(pattern, ms = 60_000) {
      if (pattern.test(stderr)) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`timed out waiting for ${pattern}; stderr:\n${stderr}`)), ms);
        const entry = { pattern, resolve: () => (clearTimeout(timer), resolve()) };
        waiters.push(entry);
        void done.then((r) => {
          clearTimeout(timer);
          if (waiters.includes(entry)) reject(new Error(`CLI exited (${r.code}/${r.signal}) before ${pattern}; stderr:\n${r.stderr}`));
        });
      });
    },
  };
}

async function query<T extends pg.QueryResultRow>(url: string, sql: string, params?: unknown[]): Promise<T[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query<T>(sql, params)).rows;
  } finally {
    await c.end();
  }
}

/** Every relation in `public` plus whether `_prisma_migrations` exists anywhere. */
async function userRelations(url: string): Promise<string[]> {
  const rows = await query<{ name: string }>(
    url,
    `SELECT n.nspname || '.' || c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE (n.nspname = 'public' OR c.relname = '_prisma_migrations') AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S')
      ORDER BY 1`,
  );
  return rows.map((r) => r.name);
}

/** Wait until the server has finished with every sqlite2pg session on `database` (a killed client's backend). */
async function waitForBackendsGone(url: string, database: string, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    const [r] = await query<{ n: string }>(
      url,
      "SELECT count(*)::text AS n FROM pg_stat_activity WHERE datname = $1 AND application_name = 'sqlite2pg'",
      [database],
    );
    if (r.n === "0") return;
    if (Date.now() > deadline) throw new Error(`sqlite2pg backends still alive on ${database}`);
    await new Promise((res) => setTimeout(res, 100));
  }
}

async function countItems(url: string): Promise<number> {
  const [r] = await query<{ n: string }>(url, "SELECT count(*)::text AS n FROM item");
  return Number(r.n);
}

const ROWS = 300_000;
/**
 * These tests run two migrations of a few hundred thousand rows each (the disturbed run and the re-run, or one
 * run racing a writer): about a minute each on a loaded 2-core CI machine, so more than the default 120 s budget.
 * A hang is still caught, just later.
 */
const LONG = 300_000;
/** A progress line during the data phase: rows are flowing into COPY. */
const COPY_PROGRESS = /\[copy\] item: \d+\/\d+/;

describe.each(["1", "2"] as const)("--jobs %s: a run killed mid-copy leaves the target schema unchanged", (jobs) => {
  let db: TestDatabase;
  const tmp = tempDir("interrupt");
  const source = join(tmp.dir, "big.db");

  beforeAll(async () => {
    db = await createTestDatabase("interrupt");
    makeItemsDb(source, ROWS, { twoTables: true });
  });
  afterAll(async () => {
    await db.drop();
    tmp.cleanup();
  });

  it("SIGKILL during COPY: no table, no _prisma_migrations; the same command then succeeds", async () => {
    const args = ["migrate", source, "--to", db.url, "--out", join(tmp.dir, "prisma"), "--yes", "--jobs", jobs];
    const run = startCli(args);
    await run.waitForStderr(COPY_PROGRESS);
    expectPath(run.stderr(), jobs);
    // --jobs 2 loads into a private staging schema, which exists (committed) while the copy runs; --jobs 1 has its
    // tables inside the one open transaction, invisible to us: only rollback can make either disappear.
    const staging = await stagingSchemas(db.url);
    expect(staging.length).toBe(jobs === "2" ? 1 : 0);
    run.child.kill("SIGKILL");
    const killed = await run.done;
    expect(killed.signal).toBe("SIGKILL");
    expect(killed.stderr).not.toMatch(/\[copy\] done/);

    await waitForBackendsGone(db.url, db.name);
    expect(await userRelations(db.url)).toEqual([]);

    const again = await runCli(args);
    expect(again.code, again.stderr).toBe(0);
    expectPath(again.stderr, jobs);
    // A killed parallel run cannot drop its staging schema: the next run does, and says so.
    if (jobs === "2") expect(again.stderr).toContain(`dropped 1 staging schema(s) left by an interrupted run: ${staging[0]}`);
    expect(await stagingSchemas(db.url)).toEqual([]);
    expect(await countItems(db.url)).toBe(ROWS);
    const [m] = await db.query<{ n: string }>("SELECT count(*)::text AS n FROM _prisma_migrations");
    expect(m.n).toBe("1");
  }, LONG);
});

describe.each(["1", "2"] as const)("--jobs %s: the server restarts mid-copy", (jobs) => {
  let cluster: ThrowawayCluster;
  const tmp = tempDir("connloss");
  const source = join(tmp.dir, "big.db");
  let url: string;

  beforeAll(async () => {
    cluster = await startThrowawayCluster();
    await query(cluster.url(), "CREATE DATABASE target");
    url = cluster.url("target");
    makeItemsDb(source, ROWS, { twoTables: true });
  });
  afterAll(() => {
    cluster?.stop();
    tmp.cleanup();
  });

  it("exits 1 with a clear connection error, claims no success, and a re-run succeeds", async () => {
    const args = ["migrate", source, "--to", url, "--out", join(tmp.dir, "prisma"), "--yes", "--jobs", jobs];
    const run = startCli(args);
    await run.waitForStderr(COPY_PROGRESS);
    expectPath(run.stderr(), jobs);
    cluster.restart();
    // A CLI hanging on a dead connection would never resolve this: the test's own timeout catches it.
    const res = await run.done;
    expect(res.code, res.stderr).toBe(1);
    expect(res.stderr).not.toContain("internal error");
    expect(res.stderr).toMatch(/^error \[/m);
    // Says what happened and that nothing was committed.
    expect(res.stderr).toMatch(/lost the connection to PostgreSQL/);
    expect(res.stderr).toMatch(/nothing was (committed|changed)/i);
    expect(res.stdout).not.toMatch(/verified|rows copied/);
    expect(res.stderr).not.toMatch(/\[verify\]/);

    expect(await userRelations(url)).toEqual([]);
    const again = await runCli(args);
    expect(again.code, again.stderr).toBe(0);
    expect(await stagingSchemas(url)).toEqual([]);
    expect(await countItems(url)).toBe(ROWS);
  }, LONG);
});

describe("a live SQLite file (WAL) keeps being written during the run", () => {
  let db: TestDatabase;
  const tmp = tempDir("live");
  const source = join(tmp.dir, "live.db");
  const INITIAL = 200_000;

  beforeAll(async () => {
    db = await createTestDatabase("live");
    makeItemsDb(source, INITIAL, { wal: true });
  });
  afterAll(async () => {
    await db.drop();
    tmp.cleanup();
  });

  it("migrates one consistent snapshot while a writer keeps inserting", async () => {
    // The writer inserts small transactions as fast as it can until told to stop, then prints how many it did.
    const writerScript = `
      const Database = require(${JSON.stringify(join(REPO_ROOT, "node_modules", "better-sqlite3"))});
      const db = new Database(${JSON.stringify(source)});
      db.pragma("busy_timeout = 5000");
      const ins = db.prepare("INSERT INTO item (name, body) VALUES (?, ?)");
      let n = 0, stop = false;
      process.on("message", () => { stop = true; });
      const tick = () => {
        if (stop) { db.close(); process.send({ inserted: n }, () => process.exit(0)); return; }
        db.transaction(() => { for (let i = 0; i < 50; i++) { ins.run("live " + n, "x"); n++; } })();
        setImmediate(tick);
      };
      // "ready" only once a first batch is committed: the file is already moving when the migration starts.
      db.transaction(() => { for (let i = 0; i < 50; i++) { ins.run("live " + n, "x"); n++; } })();
      process.send({ ready: true });
      tick();
    `;
    const writer = spawn(process.execPath, ["-e", writerScript], { stdio: ["ignore", "inherit", "pipe", "ipc"] });
    let writerErr = "";
    writer.stderr!.on("data", (b: Buffer) => (writerErr += b.toString()));
    const messages: { ready?: boolean; inserted?: number }[] = [];
    const gotInserted = new Promise<number>((resolve, reject) => {
      writer.on("message", (m: { ready?: boolean; inserted?: number }) => {
        messages.push(m);
        if (m.inserted !== undefined) resolve(m.inserted);
      });
      writer.on("exit", (code) => (code === 0 ? undefined : reject(new Error(`writer failed (${code}): ${writerErr}`))));
    });
    await new Promise<void>((resolve) => writer.once("message", () => resolve()));

    const res = await runCli(["migrate", source, "--to", db.url, "--out", join(tmp.dir, "prisma"), "--yes", "--json"]);
    // The writer was still running when the migration finished.
    expect(writer.exitCode).toBeNull();
    writer.send("stop");
    const inserted = await gotInserted;
    expect(writerErr).toBe("");

    expect(res.code, res.stderr).toBe(0);
    const summary = JSON.parse(res.stdout) as { ok: boolean; counts: { table: string; sourceRows: number; targetRows: number; ok: boolean }[]; tables: { table: string; rows: number }[] };
    expect(summary.ok).toBe(true);
    const [count] = summary.counts;
    expect(count.sourceRows).toBe(count.targetRows);
    expect(summary.tables[0].rows).toBe(count.targetRows);
    expect(await countItems(db.url)).toBe(count.targetRows);
    // A snapshot: at least the initial rows, and the live file moved on past it.
    expect(count.targetRows).toBeGreaterThanOrEqual(INITIAL);
    const live = new Database(source, { readonly: true });
    const liveRows = Number((live.prepare("SELECT count(*) AS n FROM item").get() as { n: number }).n);
    live.close();
    expect(liveRows).toBe(INITIAL + inserted);
    expect(liveRows).toBeGreaterThan(count.targetRows);
    // And the PostgreSQL side holds exactly a prefix of ids: rows committed before the snapshot, nothing after.
    const [ids] = await db.query<{ max: string }>("SELECT max(id)::text AS max FROM item");
    expect(Number(ids.max)).toBe(count.targetRows);
  }, LONG);
});

describe("another session holds a lock the migration needs", () => {
  let db: TestDatabase;
  const tmp = tempDir("lock");
  const source = join(tmp.dir, "small.db");

  beforeAll(async () => {
    db = await createTestDatabase("lock");
    makeItemsDb(source, 10);
  });
  afterAll(async () => {
    await db.drop();
    tmp.cleanup();
  });

  it("fails after lock_timeout, naming the statement that waited and the other session", async () => {
    // A realistic collision: another deploy creating the same table in a still-open transaction. The target looks
    // empty (uncommitted), so our CREATE TABLE has to wait for that transaction.
    const blocker = new pg.Client({ connectionString: db.url });
    await blocker.connect();
    try {
      await blocker.query("BEGIN");
      await blocker.query("CREATE TABLE item (other_deploy int)");
      const run = startCli(["migrate", source, "--to", db.url, "--out", join(tmp.dir, "prisma"), "--yes"]);
      await run.waitForStderr(/\[pre-data\]/);
      // The run really waits on the lock (a condition, not a clock): its backend shows up blocked by ours.
      const blockerPid = (await blocker.query<{ pid: number }>("SELECT pg_backend_pid() AS pid")).rows[0].pid;
      let blocked = false;
      while (!blocked && run.child.exitCode === null) {
        const rows = await db.query<{ n: number }>(
          "SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'sqlite2pg' AND $1 = ANY(pg_blocking_pids(pid))",
          [blockerPid],
        );
        blocked = rows[0].n > 0;
        if (!blocked) await new Promise((r) => setTimeout(r, 50));
      }
      const res = await run.done;
      expect(blocked, res.stderr).toBe(true);
      expect(res.code, res.stderr).toBe(1);
      expect(res.stderr).toMatch(/waited lock_timeout \(\d+s?\)/);
      expect(res.stderr).toContain("PG_55P03");
      expect(res.stderr).toMatch(/lock timeout/i);
      expect(res.stderr).toContain('CREATE TABLE "item"');
      expect(res.stderr).toMatch(/another session/i);
      expect(res.stderr).toMatch(/pg_stat_activity|pg_blocking_pids/);
    } finally {
      await blocker.query("ROLLBACK").catch(() => undefined);
      await blocker.end();
    }
    expect(await userRelations(db.url)).toEqual([]);
  });
});
