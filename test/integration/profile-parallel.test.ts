/**
 * The profile's second thread (src/profile/profile-all.ts): on a large file a worker thread profiles some tables
 * on its own connection, and its results count only while nobody has committed since the snapshot began
 * (snapshot.ts unchanged(), PRAGMA data_version).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { takeSnapshot } from "../../src/introspect/snapshot.js";
import { runCli } from "../helpers/cli.js";
import { buildSqliteFile, REPO_ROOT, tempDir } from "../helpers/files.js";
import { createTestDatabase, type TestDatabase } from "../helpers/pg.js";

const tmp = tempDir("profile-parallel");
// Profiled inside SQLite (sqlite2pg's extension), files this small would not get the worker (profile-all.ts
// parallelValues): the threshold of reading values into JS, so these tests exercise it.
const WORKER_FROM = "500000";
const databases: TestDatabase[] = [];
beforeAll(() => {
  process.env.SQLITE2PG_PROFILE_PARALLEL_VALUES = WORKER_FROM;
});
afterAll(async () => {
  delete process.env.SQLITE2PG_PROFILE_PARALLEL_VALUES;
  for (const db of databases) await db.drop();
  tmp.cleanup();
});

describe("snapshot.unchanged()", () => {
  it("is true until another connection commits to the file (WAL: the writer is not blocked)", async () => {
    const file = buildSqliteFile(tmp.dir, "wal.db", (d) => {
      d.pragma("journal_mode = WAL");
      d.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT); INSERT INTO t (v) VALUES ('a')");
    });
    const snapshot = await takeSnapshot(file);
    try {
      expect(snapshot.unchanged()).toBe(true);
      const writer = new Database(file);
      writer.prepare("INSERT INTO t (v) VALUES ('b')").run();
      writer.close();
      expect(snapshot.unchanged()).toBe(false);
      // The snapshot itself still sees one row.
      expect(snapshot.db.prepare("SELECT count(*) AS n FROM t").get()).toEqual({ n: 1n });
    } finally {
      await snapshot.dispose();
    }
  });
});

describe("profile on two threads", () => {
  it("profiles a large file on two threads, and each table's data-dependent types are right", async () => {
    // Two tables of 150k rows × 4 profiled columns: over the threshold, so each thread gets one.
    const file = buildSqliteFile(tmp.dir, "large.db", (d) => {
      d.exec(`CREATE TABLE wide_ints (id INTEGER PRIMARY KEY, a INTEGER, b INTEGER, c INTEGER);
              CREATE TABLE stamps (id INTEGER PRIMARY KEY, at DATETIME, n INTEGER, flag BOOLEAN)`);
      const a = d.prepare("INSERT INTO wide_ints VALUES (?, ?, ?, ?)");
      const s = d.prepare("INSERT INTO stamps VALUES (?, ?, ?, ?)");
      d.exec("BEGIN");
      for (let i = 1; i <= 150_000; i++) {
        a.run(i, i, i % 7, i === 99_999 ? 2n ** 40n : i); // one 64-bit value: c must become BigInt
        s.run(i, `2024-01-02 03:04:05.${String(i % 1_000_000).padStart(6, "0")}`, i, i % 2);
      }
      d.exec("COMMIT");
    });
    const db = await createTestDatabase("profpar");
    databases.push(db);
    const out = join(tmp.dir, "out");
    const r = await runCli(["migrate", file, "--to", db.url, "--out", out, "--yes", "--verify=counts"], { SQLITE2PG_PROFILE_PARALLEL_VALUES: WORKER_FROM });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout + r.stderr).toMatch(/profiled on 2 threads/);
    const schema = readFileSync(join(out, "schema.prisma"), "utf8");
    expect(schema).toMatch(/\bc\s+BigInt\b/);
    expect(schema).toMatch(/\ba\s+Int\b/);
    expect(schema).toMatch(/\bat\s+DateTime\?\s+@db\.Timestamp\(6\)/);
    expect(schema).toMatch(/\bflag\s+Boolean\?/);
  }, 120_000);
});

describe("the two threads overlap", () => {
  it("this thread profiles its tables while the worker profiles the others, not after it", async () => {
    const { profileCatalog } = (await import(join(REPO_ROOT, "dist", "profile", "profile-all.js"))) as typeof import("../../src/profile/profile-all.js");
    const { takeSnapshot: take } = (await import(join(REPO_ROOT, "dist", "introspect", "snapshot.js"))) as typeof import("../../src/introspect/snapshot.js");
    const { readCatalog } = (await import(join(REPO_ROOT, "dist", "introspect", "read-catalog.js"))) as typeof import("../../src/introspect/read-catalog.js");
    // Two tables of 300k rows × 4 profiled columns, one per thread: each takes the worker a good part of a second.
    const file = buildSqliteFile(tmp.dir, "overlap.db", (d) => {
      d.exec("CREATE TABLE a (id INTEGER PRIMARY KEY, x INTEGER, y INTEGER, z INTEGER); CREATE TABLE b (id INTEGER PRIMARY KEY, x INTEGER, y INTEGER, z INTEGER)");
      const ia = d.prepare("INSERT INTO a VALUES (?, ?, ?, ?)");
      const ib = d.prepare("INSERT INTO b VALUES (?, ?, ?, ?)");
      d.exec("BEGIN");
      for (let i = 1; i <= 300_000; i++) {
        ia.run(i, i, i % 7, i);
        ib.run(i, i, i % 5, i);
      }
      d.exec("COMMIT");
    });
    // The order of two events seen on this thread: the worker's "done" message, and this thread's first query of
    // its own tables. Observed, not mocked: the real Worker's events and the snapshot connection's prepare.
    const seen: string[] = [];
    const emit = Worker.prototype.emit;
    Worker.prototype.emit = function (this: Worker, event: string | symbol, ...args: unknown[]): boolean {
      if (event === "message" && (args[0] as { type?: string })?.type === "done") seen.push("worker done");
      return emit.call(this, event, ...args);
    };
    const snapshot = await take(file);
    try {
      const catalog = readCatalog(snapshot.db);
      const prepare = snapshot.db.prepare.bind(snapshot.db);
      snapshot.db.prepare = ((sql: string) => {
        if (!seen.includes("own tables")) seen.push("own tables");
        return prepare(sql);
      }) as typeof snapshot.db.prepare;
      const result = await profileCatalog(snapshot.db, catalog, { path: file, unchanged: () => snapshot.unchanged() });
      expect(result.threads).toBe(2);
      expect(result.profiles.get("a")!.get("x")!.maxInt).toBe(300_000n);
      expect(result.profiles.get("b")!.get("x")!.maxInt).toBe(300_000n);
    } finally {
      Worker.prototype.emit = emit;
      await snapshot.dispose();
    }
    // Waiting for the worker's results before starting its own tables, this thread would see "worker done" first.
    expect(seen).toEqual(["own tables", "worker done"]);
  }, 120_000);
});

describe("profile fallback when the file changes under the snapshot", () => {
  it("a commit after the snapshot began: the worker's results are dropped, this thread profiles the snapshot's rows", async () => {
    // The compiled modules (the global setup builds dist/): the worker thread runs dist/profile/profile-worker.js,
    // which does not exist next to src/ (profile-all.ts split()).
    const { profileCatalog } = (await import(join(REPO_ROOT, "dist", "profile", "profile-all.js"))) as typeof import("../../src/profile/profile-all.js");
    const { takeSnapshot: take } = (await import(join(REPO_ROOT, "dist", "introspect", "snapshot.js"))) as typeof import("../../src/introspect/snapshot.js");
    const { readCatalog } = (await import(join(REPO_ROOT, "dist", "introspect", "read-catalog.js"))) as typeof import("../../src/introspect/read-catalog.js");
    // Two tables of 80k rows × 4 profiled columns: over the two-thread threshold (500k values), one table each.
    const file = buildSqliteFile(tmp.dir, "live.db", (d) => {
      d.pragma("journal_mode = WAL");
      d.exec("CREATE TABLE a (id INTEGER PRIMARY KEY, x INTEGER, y INTEGER, z INTEGER); CREATE TABLE b (id INTEGER PRIMARY KEY, x INTEGER, y INTEGER, z INTEGER)");
      const ia = d.prepare("INSERT INTO a VALUES (?, ?, ?, ?)");
      const ib = d.prepare("INSERT INTO b VALUES (?, ?, ?, ?)");
      d.exec("BEGIN");
      for (let i = 1; i <= 80_000; i++) {
        ia.run(i, i, i % 7, i);
        ib.run(i, i, i % 5, i);
      }
      d.exec("COMMIT");
    });
    const profileOnce = async (write?: () => void) => {
      const snapshot = await take(file);
      try {
        write?.();
        const catalog = readCatalog(snapshot.db);
        return await profileCatalog(snapshot.db, catalog, { path: file, unchanged: () => snapshot.unchanged() });
      } finally {
        await snapshot.dispose();
      }
    };
    // Control: nobody writes, the worker's results are used.
    const quiet = await profileOnce();
    expect(quiet.threads).toBe(2);
    // A live writer commits after the snapshot began (PRAGMA data_version changes): the worker would read the new
    // rows, so its results must not be used, and neither table's profile may show the writer's rows.
    const live = await profileOnce(() => {
      const writer = new Database(file);
      writer.prepare("INSERT INTO a VALUES (?, ?, ?, ?)").run(80_001, 2n ** 40n, 0, 2n ** 40n);
      writer.prepare("INSERT INTO b VALUES (?, ?, ?, ?)").run(80_001, 2n ** 40n, 0, 2n ** 40n);
      writer.close();
    });
    expect(live.threads).toBe(1);
    for (const t of ["a", "b"]) {
      const x = live.profiles.get(t)!.get("x")!;
      expect([t, x.nonNull, x.minInt, x.maxInt]).toEqual([t, 80_000, 1n, 80_000n]);
      expect(live.profiles.get(t)).toEqual(quiet.profiles.get(t));
    }
  }, 120_000);
});
