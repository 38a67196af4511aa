/**
 * Secrets and access, through the real CLI: a password in the target URL never reaches stdout, stderr, the --json
 * summary or the written files, on success or failure; a role without CREATE fails naming the privilege to grant;
 * sslmode=require connects encrypted to a server with SSL and fails saying so against one without.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli, type CliResult } from "../helpers/cli.js";
import { EXAMPLE_DB, tempDir } from "../helpers/files.js";
import { createTestDatabase, SERVER_URL, type TestDatabase } from "../helpers/pg.js";
import { startThrowawayCluster, type ThrowawayCluster } from "../helpers/throwaway-cluster.js";

// Trust authentication ignores passwords: the URLs below connect while carrying a secret we can look for.
const SECRET = "s3cr3t-P4ss";

function withAuth(url: string, user: string, password: string, port?: number): string {
  const u = new URL(url);
  u.username = user;
  u.password = password;
  if (port !== undefined) u.port = String(port);
  return u.toString();
}

function allFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? allFiles(p) : [p];
  });
}

/** No form of the secret anywhere the user or a log could see it. */
function expectNoSecret(res: CliResult, secret = SECRET): void {
  for (const form of new Set([secret, encodeURIComponent(secret)])) {
    expect(res.stdout).not.toContain(form);
    expect(res.stderr).not.toContain(form);
  }
}

const tmp = tempDir("secrets");
let caseNo = 0;
const outDir = (): string => join(tmp.dir, `out-${caseNo++}`);
afterAll(() => tmp.cleanup());

async function adminQuery<T extends pg.QueryResultRow = pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query<T>(sql)).rows;
  } finally {
    await c.end();
  }
}

describe("a password in the target URL", () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase("secrets");
  });
  afterAll(async () => {
    await db.drop();
  });

  it("never appears on success: progress, --json summary, written files", async () => {
    const url = withAuth(db.url, "postgres", SECRET);
    const out = outDir();
    const res = await runCli(["migrate", EXAMPLE_DB, "--to", url, "--out", out, "--yes", "--json"]);
    expect(res.code, res.stderr).toBe(0);
    expectNoSecret(res);
    const summary = JSON.parse(res.stdout) as { target: string };
    expect(summary.target).toBe(url.replace(SECRET, "***"));
    for (const f of allFiles(out)) expect(readFileSync(f, "utf8"), f).not.toContain(SECRET);
    // The plain (non-JSON) summary too, into a fresh schema of the same database.
    const plain = await runCli(["migrate", EXAMPLE_DB, "--to", `${url}?schema=plain`, "--out", outDir(), "--yes"]);
    expect(plain.code, plain.stderr).toBe(0);
    expect(plain.stdout).toContain("***");
    expectNoSecret(plain);
  });

  it("never appears on failure: wrong port (plain and --json)", async () => {
    const url = withAuth(db.url, "postgres", SECRET, 1); // nothing listens on port 1
    for (const extra of [[], ["--json"]]) {
      const res = await runCli(["migrate", EXAMPLE_DB, "--to", url, "--out", outDir(), "--yes", ...extra]);
      expect(res.code, res.stderr).toBe(1);
      expect(res.stderr).toContain("TARGET_CONNECT");
      expect(res.stderr).toContain("postgres:***@");
      expect(res.stderr).toMatch(/ECONNREFUSED/);
      expectNoSecret(res);
    }
  });

  it("never appears, even in part, when it contains unencoded @ or sits in ?password=", async () => {
    const atSecret = `p@ss-${SECRET}`;
    const inUserinfo = `postgresql://postgres:${atSecret}@127.0.0.1:1/${db.name}`;
    const inQuery = `postgresql://127.0.0.1:1/${db.name}?user=postgres&password=${SECRET}`;
    for (const url of [inUserinfo, inQuery]) {
      const res = await runCli(["migrate", EXAMPLE_DB, "--to", url, "--out", outDir(), "--yes"]);
      expect(res.code, res.stderr).toBe(1);
      expect(res.stderr).toContain("TARGET_CONNECT");
      expectNoSecret(res);
      expect(res.stderr).not.toContain("ss-s3cr3t");
    }
  });

  it("never appears when the URL itself is invalid", async () => {
    const res = await runCli(["migrate", EXAMPLE_DB, "--to", `postgresql://postgres:${SECRET}@127.0.0.1:99999/x`, "--out", outDir(), "--yes"]);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain("TARGET_URL");
    expectNoSecret(res);
  });
});

describe("a role without the CREATE privilege", () => {
  let db: TestDatabase;
  // Roles are cluster-wide: a per-run name keeps parallel runs of this file apart.
  const role = `s2p_nocreate_${process.pid}`;
  let admin: pg.Client;

  beforeAll(async () => {
    db = await createTestDatabase("nocreate");
    admin = new pg.Client({ connectionString: SERVER_URL });
    await admin.connect();
    await admin.query(`DROP ROLE IF EXISTS ${role}`);
    await admin.query(`CREATE ROLE ${role} LOGIN`);
    await admin.query(`GRANT CONNECT ON DATABASE "${db.name}" TO ${role}`);
    await db.query("REVOKE CREATE ON SCHEMA public FROM PUBLIC");
    await db.query(`REVOKE CREATE ON DATABASE "${db.name}" FROM PUBLIC`);
  });
  afterAll(async () => {
    await db.drop();
    await admin.query(`DROP ROLE IF EXISTS ${role}`);
    await admin.end();
  });

  it("exits 1, names the missing privilege and the GRANT, changes nothing and shows no password", async () => {
    const url = withAuth(db.url, role, SECRET);
    const res = await runCli(["migrate", EXAMPLE_DB, "--to", url, "--out", outDir(), "--yes"]);
    expect(res.code, res.stderr).toBe(1);
    expect(res.stderr).toContain("PG_42501");
    expect(res.stderr).toMatch(/permission denied for (schema public|database)/);
    expect(res.stderr).toMatch(/lacks the CREATE privilege on (schema public|database)/);
    expect(res.stderr).toMatch(/GRANT CREATE ON (SCHEMA public|DATABASE \S+) TO/);
    expect(res.stderr).not.toContain("internal error");
    expectNoSecret(res);
    const tables = await db.query("SELECT relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public'");
    expect(tables).toEqual([]);
  });

  // migration.sql starts with `CREATE SCHEMA IF NOT EXISTS "public"`, which PostgreSQL checks against CREATE on the
  // database even when the schema exists: apply must skip it for an existing schema, or this role is refused.
  it("a role with CREATE on schema public only (not on the database) can migrate", async () => {
    await db.query(`GRANT CREATE, USAGE ON SCHEMA public TO ${role}`);
    try {
      const res = await runCli(["migrate", EXAMPLE_DB, "--to", withAuth(db.url, role, SECRET), "--out", outDir(), "--yes"]);
      expect(res.code, res.stderr).toBe(0);
    } finally {
      await db.query(`DROP OWNED BY ${role}`);
      await db.query(`REVOKE CREATE, USAGE ON SCHEMA public FROM ${role}`);
    }
  });
});

describe("TLS: sslmode=require, on a server with and without SSL (private clusters, so both outcomes always run)", () => {
  let db: TestDatabase;
  let withSsl: ThrowawayCluster;
  let withoutSsl: ThrowawayCluster;
  beforeAll(async () => {
    db = await createTestDatabase("tls");
    withSsl = await startThrowawayCluster({ ssl: true });
    withoutSsl = await startThrowawayCluster();
    for (const c of [withSsl, withoutSsl]) await adminQuery(c.url(), "CREATE DATABASE target");
  });
  afterAll(async () => {
    withSsl?.stop();
    withoutSsl?.stop();
    await db.drop();
  });

  it("a server with SSL: migrates, and every connection to the target was encrypted", async () => {
    const [{ ssl }] = await adminQuery<{ ssl: string }>(withSsl.url(), "SHOW ssl");
    expect(ssl).toBe("on");
    const url = `${withAuth(withSsl.url("target"), "postgres", SECRET)}?sslmode=require`;
    const res = await runCli(["migrate", EXAMPLE_DB, "--to", url, "--out", outDir(), "--yes"]);
    // log_connections: one "connection authorized" line per session. Read before this test opens its own
    // (unencrypted) session below: every session of the run on database "target" says SSL enabled.
    const sessions = withSsl.log().split("\n").filter((l) => /connection authorized: user=postgres database=target/.test(l));
    expect(res.code, res.stderr).toBe(0);
    expectNoSecret(res);
    expect(sessions.length).toBeGreaterThan(0);
    expect(sessions.filter((l) => !l.includes("SSL enabled"))).toEqual([]);
    const tables = await adminQuery(withSsl.url("target"), "SELECT 1 FROM pg_tables WHERE schemaname = 'public'");
    expect(tables.length).toBeGreaterThan(0);
    // A full migration (drift check and read-back: Prisma's adapter connections are the ones worth checking) over
    // TLS took over 120 s on the loaded 2-core machine; a hang is still caught.
  }, 300_000);

  it("a server without SSL: fails saying so (never silently unencrypted), nothing written", async () => {
    const [{ ssl }] = await adminQuery<{ ssl: string }>(withoutSsl.url(), "SHOW ssl");
    expect(ssl).toBe("off");
    const url = `${withAuth(withoutSsl.url("target"), "postgres", SECRET)}?sslmode=require`;
    const res = await runCli(["migrate", EXAMPLE_DB, "--to", url, "--out", outDir(), "--yes"]);
    expectNoSecret(res);
    expect(res.code, res.stderr).toBe(1);
    expect(res.stderr).toContain("TARGET_CONNECT");
    expect(res.stderr).toMatch(/does not support SSL/);
    expect(res.stderr).toMatch(/hint: .*sslmode=require/);
    const tables = await adminQuery(withoutSsl.url("target"), "SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public'");
    expect(tables).toEqual([]);
  });

  it("an unreadable sslrootcert is a clear connection error, not a stack trace", async () => {
    const url = `${withAuth(db.url, "postgres", SECRET)}?sslmode=verify-full&sslrootcert=${encodeURIComponent(join(tmp.dir, "missing-ca.pem"))}`;
    const res = await runCli(["migrate", EXAMPLE_DB, "--to", url, "--out", outDir(), "--yes"]);
    expect(res.code, res.stderr).toBe(1);
    expect(res.stderr).toContain("TARGET_CONNECT");
    expect(res.stderr).toMatch(/missing-ca\.pem/);
    expect(res.stderr).not.toContain("internal error");
    expectNoSecret(res);
  });
});
