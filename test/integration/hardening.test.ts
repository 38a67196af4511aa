/**
 * Hardening through the real CLI: awkward passwords never printed on any channel; a server that accepts TCP but
 * never answers fails within connect_timeout (URL, PGCONNECT_TIMEOUT, default 15 s) saying so; unknown URL
 * parameters and system schemas refused before anything runs; a role's statement_timeout and
 * idle_in_transaction_session_timeout cannot kill the migration; output paths checked before the target is
 * touched. (More tables than the lock table holds: many-tables.test.ts.)
 */
import { readFileSync, writeFileSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli, type CliResult } from "../helpers/cli.js";
import { allFiles, buildSqliteFile, EXAMPLE_DB, tempDir } from "../helpers/files.js";
import { createTestDatabase, type TestDatabase } from "../helpers/pg.js";
import { startThrowawayCluster, type ThrowawayCluster } from "../helpers/throwaway-cluster.js";

const tmp = tempDir("hardening");
let n = 0;
const out = (): string => join(tmp.dir, `out-${n++}`);
afterAll(() => tmp.cleanup());

/** The password, raw and percent-encoded, appears nowhere in the run's output or in `texts`. */
function expectNowhere(password: string, res: CliResult, texts: readonly string[] = []): void {
  const forms = [password, encodeURIComponent(password), encodeURI(password)].filter((f) => f.length >= 4);
  for (const form of new Set(forms)) {
    expect(res.stdout, `stdout holds ${form}`).not.toContain(form);
    expect(res.stderr, `stderr holds ${form}`).not.toContain(form);
    for (const t of texts) expect(t, `a written file holds ${form}`).not.toContain(form);
  }
}

/** postgresql://postgres:<password>@host:port/db, the password written raw (as users paste it) or encoded. */
function urlWith(base: string, password: string, raw: boolean, port?: number): string {
  const u = new URL(base);
  const hostPort = `${u.hostname}:${port ?? u.port}`;
  return `postgresql://postgres:${raw ? password : encodeURIComponent(password)}@${hostPort}${u.pathname}`;
}

// Raw in the URL: characters the URL parser accepts in a password. Encoded: any character at all.
const RAW_PASSWORDS = ["it's a secret", "pass <w> \"x\" ü", "quote'n'space"];
const ENCODED_PASSWORDS = ["at@sign#hash%pct", "slash/ques?tion", "ünï©ødé-pässwörd", "%41lready-encoded"];

describe("passwords are never printed", () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase("hardening_pw");
  });
  afterAll(async () => {
    await db.drop();
  });

  it("a full migration (trust auth ignores the password): stdout, stderr, --report JSON and Markdown, every written file", async () => {
    const password = RAW_PASSWORDS[0] + "<>";
    const url = urlWith(db.url, password, true);
    const dir = out();
    const json = join(tmp.dir, "r.json");
    const md = join(tmp.dir, "r.md");
    const res = await runCli(["migrate", EXAMPLE_DB, "--to", url, "--out", dir, "--yes", "--jobs", "2", "--report", json]);
    expect(res.code, res.stderr).toBe(0);
    const res2 = await runCli(["verify", EXAMPLE_DB, "--to", url, "--report", join(tmp.dir, "v.json")]);
    expect(res2.code, res2.stderr).toBe(0);
    const summary = JSON.parse(readFileSync(json, "utf8")) as { target: string };
    expect(summary.target).toBe(`postgresql://postgres:***@${new URL(db.url).host}${new URL(db.url).pathname}`);
    expect(res.stdout).toContain(`target:    postgresql://postgres:***@`);
    // The Markdown report of a second, JSON-printing run into another schema.
    const res3 = await runCli(["migrate", EXAMPLE_DB, "--to", `${url}?schema=second`, "--out", out(), "--yes", "--json", "--verify", "counts", "--report", md]);
    expect(res3.code, res3.stderr).toBe(0);
    const files = [...allFiles(dir), json, md, join(tmp.dir, "v.json")].map((f) => readFileSync(f, "utf8"));
    expectNowhere(password, res, files);
    expectNowhere(password, res2);
    expectNowhere(password, res3);
  }, 300_000);

  for (const [password, raw] of [...RAW_PASSWORDS.map((p) => [p, true] as const), ...ENCODED_PASSWORDS.map((p) => [p, false] as const)]) {
    it(`a connection error, text and --json: ${JSON.stringify(password)} (${raw ? "raw" : "percent-encoded"})`, async () => {
      const url = urlWith(db.url, password, raw, 1); // nothing listens on port 1
      const text = await runCli(["migrate", EXAMPLE_DB, "--to", url, "--out", out(), "--yes"]);
      expect(text.code).toBe(1);
      expect(text.stderr).toContain("cannot connect to postgresql://postgres:***@");
      expectNowhere(password, text);
      const json = await runCli(["migrate", EXAMPLE_DB, "--to", url, "--out", out(), "--yes", "--json"]);
      expect(json.code).toBe(1);
      expect((JSON.parse(json.stdout) as { ok: boolean }).ok).toBe(false);
      expectNowhere(password, json);
    });
  }
});

describe("connecting", () => {
  let silent: Server;
  let port = 0;
  const sockets: Socket[] = [];
  beforeAll(async () => {
    // Accepts TCP connections and never says a word, like a hung server or a black-holing proxy.
    silent = createServer((s) => sockets.push(s));
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    port = (silent.address() as { port: number }).port;
  });
  afterAll(() => {
    for (const s of sockets) s.destroy();
    silent.close();
  });

  it("a server that never answers fails after connect_timeout from the URL, saying so", async () => {
    const res = await runCli(["migrate", EXAMPLE_DB, "--to", `postgresql://postgres@127.0.0.1:${port}/x?connect_timeout=2`, "--out", out(), "--yes"]);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain("TARGET_CONNECT_TIMEOUT");
    expect(res.stderr).toContain("the server did not complete the connection within 2 s");
  });

  it("PGCONNECT_TIMEOUT works as in libpq", async () => {
    const res = await runCli(["migrate", EXAMPLE_DB, "--to", `postgresql://postgres@127.0.0.1:${port}/x`, "--out", out(), "--yes"], { PGCONNECT_TIMEOUT: "3" });
    expect(res.code).toBe(1);
    expect(res.stderr).toContain("within 3 s");
  });

  it("by default it gives up after 15 s", async () => {
    const res = await runCli(["migrate", EXAMPLE_DB, "--to", `postgresql://postgres@127.0.0.1:${port}/x`, "--out", out(), "--yes"], { PGCONNECT_TIMEOUT: undefined });
    expect(res.code).toBe(1);
    expect(res.stderr).toContain("within 15 s");
  }, 60_000);

  it("an unknown URL parameter is refused (exit 2), not dropped", async () => {
    const res = await runCli(["migrate", EXAMPLE_DB, "--to", "postgresql://postgres@127.0.0.1:5432/x?target_session_attrs=read-write", "--out", out(), "--yes"]);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain("unsupported URL parameter(s): target_session_attrs");
  });

  for (const schema of ["pg_catalog", "information_schema", "pg_toast", 'we"ird']) {
    it(`?schema=${schema} is refused before anything runs (exit 2)`, async () => {
      const res = await runCli(["migrate", EXAMPLE_DB, "--to", `postgresql://postgres@127.0.0.1:5432/x?schema=${encodeURIComponent(schema)}`, "--out", out(), "--yes"]);
      expect(res.code).toBe(2);
      expect(res.stderr).toContain(`?schema=${schema}`);
    });
  }
});

describe("server settings and output paths", () => {
  let db: TestDatabase;
  const role = `s2p_slow_${process.pid}`;
  beforeAll(async () => {
    db = await createTestDatabase("hardening_role");
    await db.query(`CREATE ROLE ${role} LOGIN SUPERUSER`);
    // Settings that would end any real COPY and any pause between two statements of the load transaction.
    await db.query(`ALTER ROLE ${role} SET statement_timeout = '1ms'`);
    await db.query(`ALTER ROLE ${role} SET idle_in_transaction_session_timeout = '1ms'`);
  });
  afterAll(async () => {
    // Roles are cluster-wide: drop what the role owns in the test database, then the role, then the database.
    await db.query(`DROP OWNED BY ${role}`);
    await db.query(`DROP ROLE ${role}`);
    await db.drop();
  });

  it("a role's statement_timeout and idle_in_transaction_session_timeout do not kill the migration", async () => {
    const u = new URL(db.url);
    u.username = role;
    const res = await runCli(["migrate", EXAMPLE_DB, "--to", u.toString(), "--out", out(), "--yes", "--jobs", "2"]);
    expect(res.code, res.stderr).toBe(0);
    // The drift check and the read-back connect through Prisma's adapter: they ran too.
    expect(res.stdout).toMatch(/schema drift: none/);
    expect(res.stdout).toMatch(/application read-back: \d+ rows/);
    const rows = await db.query<{ n: string }>('SELECT count(*)::text AS n FROM "post"');
    expect(Number(rows[0].n)).toBeGreaterThan(0);
  });

  for (const jobs of ["1", "2"]) {
    it(`--jobs ${jobs}: a sequence or index name already taken in the target is refused before the copy`, async () => {
      const target = await createTestDatabase("hardening_names");
      try {
        await target.query("CREATE SEQUENCE post_id_seq; CREATE TABLE other (a int); CREATE INDEX user_username_key ON other (a)");
        const res = await runCli(["migrate", EXAMPLE_DB, "--to", target.url, "--out", out(), "--yes", "--jobs", jobs]);
        expect(res.code).toBe(1);
        expect(res.stderr).toContain('the target schema "public" already has 2 object(s) whose names this migration needs: sequence post_id_seq, index user_username_key');
        expect(res.stderr).not.toMatch(/\[copy\]/);
        const tables = await target.query<{ tablename: string }>("SELECT tablename FROM pg_tables WHERE schemaname = 'public'");
        expect(tables.map((t) => t.tablename)).toEqual(["other"]);
      } finally {
        await target.drop();
      }
    });
  }

  it("--report into a missing folder is refused before the target is touched", async () => {
    const target = await createTestDatabase("hardening_paths");
    try {
      const res = await runCli(["migrate", EXAMPLE_DB, "--to", target.url, "--out", out(), "--yes", "--report", "/nonexistent/dir/r.json"]);
      expect(res.code).toBe(2);
      expect(res.stderr).toContain("--report /nonexistent/dir/r.json: the folder /nonexistent/dir does not exist");
      const tables = await target.query("SELECT tablename FROM pg_tables WHERE schemaname = 'public'");
      expect(tables).toEqual([]);
      // --out naming a file
      const file = join(tmp.dir, "a-file");
      writeFileSync(file, "x");
      const res2 = await runCli(["migrate", EXAMPLE_DB, "--to", target.url, "--out", file, "--yes"]);
      expect(res2.code).toBe(2);
      expect(res2.stderr).toContain(`--out ${file} is a file, not a folder`);
      const res3 = await runCli(["migrate", EXAMPLE_DB, "--to", target.url, "--out", out(), "--yes", "--rejects", join(tmp.dir, "missing", "r.jsonl"), "--on-error", "reject"]);
      expect(res3.code).toBe(2);
      expect(res3.stderr).toContain("--rejects");
      expect(await target.query("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")).toEqual([]);
    } finally {
      await target.drop();
    }
  });
});

describe("a SCRAM role and no password in the URL", () => {
  let cluster: ThrowawayCluster;
  beforeAll(async () => {
    cluster = await startThrowawayCluster({ hba: ["host all scram_user 127.0.0.1/32 scram-sha-256"] });
    const { default: pg } = await import("pg");
    const c = new pg.Client({ connectionString: cluster.url() });
    await c.connect();
    await c.query("SET password_encryption = 'scram-sha-256'");
    await c.query("CREATE ROLE scram_user LOGIN PASSWORD 'right-password'");
    await c.end();
  }, 120_000);
  afterAll(() => cluster?.stop());

  it("fails at once with a clear message, and the process exits without waiting for the server", async () => {
    const url = `postgresql://scram_user@127.0.0.1:${cluster.port}/postgres`;
    const res = await runCli(["migrate", EXAMPLE_DB, "--to", url, "--out", out(), "--yes"], { PGPASSWORD: undefined });
    expect(res.code).toBe(1);
    expect(res.stderr).toContain("TARGET_NO_PASSWORD");
    expect(res.stderr).toContain("the server asks for a password and none was given");
    // The server's authentication_timeout (60 s) never ended the session: our side closed it.
    expect(cluster.log()).not.toMatch(/authentication timeout|canceling authentication due to timeout/);
  });

  it("connects with the password from PGPASSWORD", async () => {
    const url = `postgresql://scram_user@127.0.0.1:${cluster.port}/postgres`;
    const res = await runCli(["verify", EXAMPLE_DB, "--to", url], { PGPASSWORD: "right-password" });
    // Nothing is migrated there: verify runs (and fails on missing tables) only once it is connected.
    expect(res.stderr).not.toContain("TARGET_NO_PASSWORD");
    expect(res.stderr).not.toContain("cannot connect");
    expect(res.code).toBe(1);
    expect(res.stdout).toContain("MISSING:");
  });
});
