/**
 * SIGINT / SIGTERM mid-copy: the CLI says nothing was committed, exits 130 / 143, the target schema holds no
 * table, no staging schema is left (parallel path), no shadow database (the drift check's, replayed beside the
 * copy), and the work directory is removed.
 */
import { spawn } from "node:child_process";
import { mkdirSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildSqliteFile, REPO_ROOT, tempDir } from "../helpers/files.js";
import { createTestDatabase, type TestDatabase } from "../helpers/pg.js";

const tmp = tempDir("interrupts");
let sqlite: string;

beforeAll(() => {
  // Two tables (so --jobs 2 takes the parallel path), big enough that the copy is still running when signalled.
  sqlite = buildSqliteFile(tmp.dir, "big.db", (d) => {
    d.exec("CREATE TABLE a (id INTEGER PRIMARY KEY, body TEXT); CREATE TABLE b (id INTEGER PRIMARY KEY, body TEXT);");
    const fill = d.transaction((table: string) => {
      const ins = d.prepare(`INSERT INTO ${table} (body) VALUES (?)`);
      for (let i = 0; i < 400_000; i++) ins.run(`row ${i} ${"x".repeat(60)}`);
    });
    fill("a");
    fill("b");
  });
});
afterAll(() => tmp.cleanup());

/** Run migrate, send `signal` once the copy has started (its first progress line), resolve with the outcome. */
function interruptDuringCopy(db: TestDatabase, jobs: string, signal: NodeJS.Signals, workTmp: string): Promise<{ code: number | null; stderr: string; pid: number | undefined }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(REPO_ROOT, "bin", "sqlite2pg.js"), "migrate", sqlite, "--to", db.url, "--out", join(tmp.dir, `out-${jobs}-${signal}`), "--yes", "--jobs", jobs], {
      cwd: REPO_ROOT,
      // The drift check's shadow is replayed beside the copy here too (by default only for small files), so that the
      // interrupt finds one to drop.
      env: { ...process.env, TMPDIR: workTmp, SQLITE2PG_SHADOW_BESIDE_COPY_BYTES: String(2 ** 40) },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    let sent = false;
    child.stderr.on("data", (b: Buffer) => {
      stderr += b.toString();
      if (!sent && /\[copy\] .*\d+ rows/.test(stderr)) {
        sent = true;
        child.kill(signal);
      }
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stderr, pid: child.pid }));
  });
}

describe.each([
  ["1", "SIGINT", 130],
  ["2", "SIGINT", 130],
  ["2", "SIGTERM", 143],
] as const)("--jobs %s, %s mid-copy", (jobs, signal, exitCode) => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase("interrupt");
  });
  afterAll(async () => {
    await db.drop();
  });

  it(`exits ${exitCode}, says nothing was committed, leaves the database and the temp folder as they were`, async () => {
    const workTmp = join(tmp.dir, `tmp-${jobs}-${signal}`);
    mkdirSync(workTmp);
    const res = await interruptDuringCopy(db, jobs, signal, workTmp);
    expect(res.stderr).toMatch(/\[copy\] .*\d+ rows/); // the signal came during the copy
    expect(res.code, res.stderr).toBe(exitCode);
    expect(res.stderr).toContain(`interrupted (${signal}): nothing was committed: the target is as it was`);
    const tables = await db.query("SELECT schemaname, tablename FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')");
    expect(tables).toEqual([]);
    const schemas = await db.query("SELECT nspname FROM pg_namespace WHERE nspname LIKE 'sqlite2pg_load_%'");
    expect(schemas).toEqual([]);
    // The drift check's shadow database is replayed beside the copy: dropped too (named after the run's pid).
    expect(res.pid).toBeTypeOf("number");
    // (named sqlite2pg_shadow_<target database's OID>_<pid>_…, shadow.ts)
    const [{ oid }] = await db.query<{ oid: string }>("SELECT oid::text AS oid FROM pg_database WHERE datname = current_database()");
    const shadows = await db.query("SELECT datname FROM pg_database WHERE starts_with(datname, $1)", [`sqlite2pg_shadow_${oid}_${res.pid}_`]);
    expect(shadows).toEqual([]);
    // Prisma's config loader leaves its own cache (jiti) there; our work directories are sqlite2pg-*.
    expect(readdirSync(workTmp).filter((n) => n.startsWith("sqlite2pg-"))).toEqual([]);
  });
});
