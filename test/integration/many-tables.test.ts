/**
 * More tables than one transaction can lock (issue 16, item 11), on a private cluster whose lock table is tiny:
 * max_locks_per_transaction 10 × (10 connections + 0 prepared) = 100 objects, while 40 tables with a key, a
 * UNIQUE column, a sequence and a foreign key need ~240. The migration is built in a staging schema over many
 * transactions and renamed into the empty target schema at the end: it succeeds with every row and a passing
 * drift check (the baseline replayed in groups of statements); a failure late in the build or a kill -9 leaves the target schema as it was; a target schema that
 * is not empty (so cannot be swapped) is refused before the copy, naming the setting to raise.
 */
import { spawn } from "node:child_process";
import { join } from "node:path";
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli, TEST_DEFAULT_JOBS, type CliResult } from "../helpers/cli.js";
import { buildSqliteFile, REPO_ROOT, tempDir } from "../helpers/files.js";
import { startThrowawayCluster, type ThrowawayCluster } from "../helpers/throwaway-cluster.js";
import { checkDrift } from "../../src/verify/drift/drift.js";

const TABLES = 40;
const ROWS = 3;
const tmp = tempDir("many-tables");
let cluster: ThrowawayCluster;
let dbCount = 0;
let outCount = 0;
const out = (): string => join(tmp.dir, `out-${outCount++}`);

beforeAll(async () => {
  cluster = await startThrowawayCluster({ settings: { max_locks_per_transaction: "10", max_connections: "10" } });
}, 120_000);
afterAll(() => {
  cluster?.stop();
  tmp.cleanup();
});

async function query<T extends pg.QueryResultRow>(url: string, sql: string, params?: unknown[]): Promise<T[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query<T>(sql, params)).rows;
  } finally {
    await c.end();
  }
}

async function freshDatabase(): Promise<string> {
  const name = `many_${process.pid}_${dbCount++}`;
  await query(cluster.url(), `CREATE DATABASE ${name}`);
  return cluster.url(name);
}

/** t0 … t{n-1}: key, UNIQUE name, a foreign key to the table before; `orphanInLast`: the last one's points nowhere. */
function manyTables(name: string, orphanInLast = false): string {
  return buildSqliteFile(tmp.dir, name, (d) => {
    d.pragma("foreign_keys = OFF"); // SQLite enforces nothing by default; the orphan must be storable
    for (let i = 0; i < TABLES; i++) {
      const parent = i === 0 ? "" : `, parent_id INTEGER REFERENCES t${i - 1}(id)`;
      d.exec(`CREATE TABLE t${i} (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE${parent})`);
      for (let r = 1; r <= ROWS; r++) {
        const ref = i === 0 ? "" : `, ${orphanInLast && i === TABLES - 1 && r === ROWS ? 999 : r}`;
        d.exec(`INSERT INTO t${i} (id, name${i === 0 ? "" : ", parent_id"}) VALUES (${r}, 'row ${r}'${ref})`);
      }
    }
  });
}

/** What the target schema looks like: its relations, its owner, ACL and comment, and staging schemas left. */
async function publicState(url: string) {
  const [s] = await query<{ owner: string; acl: string | null; comment: string | null }>(
    url,
    "SELECT nspowner::regrole::text AS owner, nspacl::text AS acl, obj_description(oid, 'pg_namespace') AS comment FROM pg_namespace WHERE nspname = 'public'",
  );
  const relations = await query<{ relname: string }>(url, "SELECT relname FROM pg_class WHERE relnamespace = 'public'::regnamespace ORDER BY 1");
  const staging = await query<{ nspname: string }>(url, "SELECT nspname FROM pg_namespace WHERE nspname LIKE 'sqlite2pg_load_%'");
  return { ...s, relations: relations.length, staging: staging.map((r) => r.nspname) };
}

const STAGED = /more objects than one transaction can lock \(max_locks_per_transaction 10\): building in schema sqlite2pg_load_[0-9a-f]+ over many transactions/;

describe("more tables than the server's lock table holds in one transaction", () => {
  it("migrates every row through a staging schema renamed into place, and the drift check replays the baseline", async () => {
    const url = await freshDatabase();
    const before = await publicState(url);
    const outDir = out();
    // --verify counts: the drift check is run below on its own, as migrate runs it (the full verification's
    // read-back would generate two Prisma Clients of 40 models, ~20 s, for nothing this test checks).
    const res = await runCli(["migrate", manyTables("ok.db"), "--to", url, "--out", outDir, "--yes", "--verify", "counts"]);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stderr).toMatch(STAGED);
    // The baseline needs ~240 locks in one transaction: the shadow database replays it in groups of statements.
    const migrationSql = readFileSync(join(outDir, "migrations", "0_init", "migration.sql"), "utf8");
    const ownBaseline = { name: "0_init", checksum: createHash("sha256").update(migrationSql).digest("hex") };
    const drift = await checkDrift({ client: () => connect(url), targetUrl: url, pgSchema: "public", migrationsDir: join(outDir, "migrations"), ownBaseline });
    expect(drift).toMatchObject({ status: "no-drift", shadow: "database" });
    for (let i = 0; i < TABLES; i++) {
      const [c] = await query<{ n: number; fks: number }>(
        url,
        `SELECT (SELECT count(*)::int FROM public.t${i}) AS n,
                (SELECT count(*)::int FROM pg_constraint WHERE conrelid = 'public.t${i}'::regclass AND contype = 'f') AS fks`,
      );
      expect(c).toEqual({ n: ROWS, fks: i === 0 ? 0 : 1 });
    }
    const after = await publicState(url);
    // The renamed schema has the owner, privileges and comment the database's own public schema had.
    expect({ owner: after.owner, acl: after.acl, comment: after.comment, staging: after.staging }).toEqual({ owner: before.owner, acl: before.acl, comment: before.comment, staging: [] });
    expect(before.relations).toBe(0);
    // Sequences moved past the copied ids; the history holds the baseline.
    const [next] = await query<{ id: number }>(url, "INSERT INTO public.t5 (name, parent_id) VALUES ('new', 1) RETURNING id");
    expect(next.id).toBe(ROWS + 1);
    const [m] = await query<{ n: number }>(url, "SELECT count(*)::int AS n FROM public._prisma_migrations");
    expect(m.n).toBe(1);
  }, 180_000);

  it("an orphaned foreign key in the last table, found after the build, leaves the target schema as it was", async () => {
    const url = await freshDatabase();
    const before = await publicState(url);
    const res = await runCli(["migrate", manyTables("orphan.db", true), "--to", url, "--out", out(), "--yes", "--verify", "counts"]);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(STAGED);
    expect(res.stderr).toContain(`t${TABLES - 1}`);
    expect(res.stderr).toMatch(/DATA_PROBLEMS|foreign key/);
    expect(await publicState(url)).toEqual(before);
  }, 180_000);

  it("kill -9 during the build leaves the target schema as it was; the next run drops the staging schema and succeeds", async () => {
    const url = await freshDatabase();
    const before = await publicState(url);
    const args = ["migrate", manyTables("killed.db"), "--to", url, "--out", out(), "--yes", "--verify", "counts"];
    const child = spawn(process.execPath, [join(REPO_ROOT, "bin", "sqlite2pg.js"), ...args], { env: { ...process.env, SQLITE2PG_JOBS: TEST_DEFAULT_JOBS }, stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on("close", (_code, signal) => resolve(signal)));
    // Every table is committed in the staging schema once the foreign keys start: kill there.
    await new Promise<void>((resolve, reject) => {
      child.stderr.on("data", (b: Buffer) => {
        stderr += b.toString();
        if (/building foreign keys and the extra SQL/.test(stderr)) resolve();
      });
      void exited.then(() => reject(new Error(`exited before the foreign keys:\n${stderr}`)));
    });
    child.kill("SIGKILL");
    expect(await exited).toBe("SIGKILL");
    const left = await publicState(url);
    expect(left.relations).toBe(0);
    expect(left.staging).toHaveLength(1);
    // Its backends end with it; the next run finds the staging schema's advisory lock free and drops it.
    const again: CliResult = await runCli(args);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toContain(`dropped 1 staging schema(s) left by an interrupted run: ${left.staging[0]}`);
    const after = await publicState(url);
    expect(after.staging).toEqual([]);
    expect({ owner: after.owner, acl: after.acl, comment: after.comment }).toEqual({ owner: before.owner, acl: before.acl, comment: before.comment });
    const [c] = await query<{ n: number }>(url, `SELECT count(*)::int AS n FROM public.t${TABLES - 1}`);
    expect(c.n).toBe(ROWS);
  }, 180_000);

  it("is refused before the copy when the target schema is not empty (it cannot be swapped), naming the setting to raise", async () => {
    const url = await freshDatabase();
    await query(url, "CREATE TABLE public.unrelated (x int)");
    const res = await runCli(["migrate", manyTables("refused.db"), "--to", url, "--out", out(), "--yes", "--jobs", "1", "--verify", "counts"]);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain("TARGET_LOCK_CAPACITY");
    expect(res.stderr).toContain("max_locks_per_transaction 10 × 10 connection slots = 100");
    expect(res.stderr).toContain('the schema "public" is not empty');
    expect(res.stderr).toMatch(/ALTER SYSTEM SET max_locks_per_transaction = \d+/);
    expect(res.stderr).not.toMatch(/\[copy\]/);
    expect((await publicState(url)).relations).toBe(1);
  }, 120_000);

  it("a migration of the user's own that does not fit in one transaction makes the drift check unavailable, not drift", async () => {
    const url = await freshDatabase();
    const dir = join(tmp.dir, "user-migrations");
    mkdirSync(join(dir, "1_big"), { recursive: true });
    // 200 tables of ~6 locks each: more than the whole lock table (which PostgreSQL sizes with room for its
    // background processes too), so the one-query replay must fail.
    const sql = Array.from({ length: 200 }, (_, i) => `CREATE TABLE "u${i}" ("id" SERIAL NOT NULL, "name" TEXT NOT NULL UNIQUE, CONSTRAINT "u${i}_pkey" PRIMARY KEY ("id"));`).join("\n");
    writeFileSync(join(dir, "1_big", "migration.sql"), sql);
    const drift = await checkDrift({ client: () => connect(url), targetUrl: url, pgSchema: "public", migrationsDir: dir });
    expect(drift.status).toBe("unavailable");
    expect(drift.detail).toContain("needs more locks than one transaction can hold");
    expect(drift.hint).toContain("max_locks_per_transaction");
  }, 60_000);
});

async function connect(url: string) {
  const { connectTarget } = await import("../../src/db/pg-target.js");
  return connectTarget(url, "verify");
}
