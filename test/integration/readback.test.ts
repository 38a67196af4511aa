/**
 * "What the application sees" (client-readback.ts), on real SQLite and PostgreSQL: migrate reads a sample of rows
 * through generated Prisma Clients on both sides and finds them equal, deliberate representation changes included
 * (INTEGER beyond 32 bits → BigInt, epoch-seconds DATETIME → timestamp, a text key PostgreSQL collates differently);
 * a value changed in PostgreSQL afterwards is named by model, key and field. SQLite's side is the run's snapshot: an
 * application rewriting sampled rows during the run (WAL) causes no difference, and the sample file
 * (readback-sample.ts) holds the snapshot's values with their storage classes.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runPrisma } from "../helpers/prisma-cli.js";
import { connectPglite } from "../../src/db/pglite-target.js";
import { nameSchema } from "../../src/convert/naming/index.js";
import { takeSnapshot } from "../../src/introspect/snapshot.js";
import { readBackCheck, type ReadBackResult } from "../../src/verify/readback/check.js";
import { buildReadBackSample } from "../../src/verify/readback/sample.js";
import { runCli } from "../helpers/cli.js";
import { buildSqliteFile, tempDir } from "../helpers/files.js";
import { createTestDatabase, type TestDatabase } from "../helpers/pg.js";

/** 2024-01-02 03:04:05 UTC as unix seconds: what a Python/PHP app writes with time.time() / time(). */
const JOINED_S = 1_704_164_645;

function buildApp(dir: string): string {
  return buildSqliteFile(dir, "app.db", (d) => {
    d.exec(`
      CREATE TABLE account (
        id INTEGER PRIMARY KEY,
        handle TEXT NOT NULL UNIQUE,
        karma INTEGER NOT NULL,
        joined DATETIME,
        seen DATETIME,
        balance NUMERIC(10,2),
        avatar BLOB,
        active BOOLEAN NOT NULL DEFAULT 1
      );
      CREATE TABLE tag (name TEXT PRIMARY KEY, uses INTEGER NOT NULL);
      CREATE TABLE log (message TEXT);
    `);
    const account = d.prepare("INSERT INTO account (id, handle, karma, joined, seen, balance, avatar, active) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
    account.run(1, "alice", 5_000_000_000, JOINED_S, "2024-01-02 03:04:05.678", 12.5, Buffer.from([0, 1, 2, 255]), 1);
    account.run(2, "bob", -7, JOINED_S + 86_400, "2024-02-29 23:59:59", 0.1, null, 0);
    // Valid SQLite time text without seconds (https://sqlite.org/lang_datefunc.html#time_values): it lands as
    // 10:00:00, but Prisma Client on SQLite reads it as an Invalid Date — a note about SQLite's side, not a difference.
    account.run(3, "chloé", 0, null, "2024-06-01 10:00", null, Buffer.alloc(0), 1);
    // PostgreSQL's collation may order these differently from SQLite's byte order: rows are matched by key.
    const tag = d.prepare("INSERT INTO tag (name, uses) VALUES (?, ?)");
    for (const [name, uses] of [["a", 1], ["B", 2], ["_x", 3], ["Z", 4]] as const) tag.run(name, uses);
    d.prepare("INSERT INTO log (message) VALUES ('no key here')").run();
  });
}

describe("application read-back through Prisma Client", () => {
  let db: TestDatabase;
  const tmp = tempDir("readback");
  const out = join(tmp.dir, "prisma");
  let sqlitePath: string;
  let run: Awaited<ReturnType<typeof runCli>>;

  beforeAll(async () => {
    db = await createTestDatabase("readback");
    sqlitePath = buildApp(tmp.dir);
    run = await runCli(["migrate", sqlitePath, "--to", db.url, "--out", out, "--report", join(tmp.dir, "summary.json"), "--yes"]);
  });
  afterAll(async () => {
    await db?.drop();
    tmp.cleanup();
  });

  it("migrate reads every sampled row back the same, including deliberate type changes", () => {
    expect(run.code, run.stderr + run.stdout).toBe(0);
    const schema = readFileSync(join(out, "schema.prisma"), "utf8");
    // The representation changes this test is about really happened.
    expect(schema).toMatch(/karma\s+BigInt/);
    expect(schema).toMatch(/epoch seconds/);
    const summary = JSON.parse(readFileSync(join(tmp.dir, "summary.json"), "utf8")) as { readBack: ReadBackResult };
    const rb = summary.readBack;
    expect(rb.status).toBe("same");
    // Models by Prisma's names (convert/naming/): both clients were generated with them.
    const byModel = new Map(rb.models.map((m) => [m.model, m]));
    expect(byModel.get("Account")).toMatchObject({ status: "compared", rows: 3, differences: [], fieldsNotCompared: [] });
    expect(byModel.get("Tag")).toMatchObject({ status: "compared", rows: 4, differences: [] });
    expect(byModel.get("Log")?.status).toBe("not-compared");
    expect(run.stdout).toMatch(/application read-back: 7 rows of 2 models identical through Prisma Client; not compared: Log \(/);
    const note =
      "Account.seen: Prisma Client on SQLite reads 1 value(s) as Invalid Date (DATETIME text it does not parse, e.g. without seconds); PostgreSQL reads a valid timestamp, checked by the copy's verification";
    expect(byModel.get("Account")?.notes).toEqual([note]);
    expect(run.stdout).toContain(`; note: ${note}`);
  });

  it("lands DATETIME text without seconds as that minute", async () => {
    expect(run.code, run.stderr + run.stdout).toBe(0);
    expect(await db.query("SELECT seen::text AS seen FROM account WHERE id = 3")).toEqual([{ seen: "2024-06-01 10:00:00" }]);
  });

  it("names the model, key and field of a value changed in PostgreSQL", async () => {
    // The SQLite schema the run started from: Prisma's own introspection of the file.
    const sqliteSchemaPath = join(tmp.dir, "sqlite.prisma");
    writeFileSync(sqliteSchemaPath, `datasource db {\n  provider = "sqlite"\n  url      = "file:./app.db"\n}\n`);
    await runPrisma(["db", "pull"], { stage: "introspect", adapter: "sqlite", adapterUrl: `file:${sqlitePath}`, schemaPath: sqliteSchemaPath, cwd: tmp.dir });
    // …with the names the migration gave the models (migrate renames the SQLite side alike).
    writeFileSync(sqliteSchemaPath, nameSchema(readFileSync(sqliteSchemaPath, "utf8")).schema);
    await db.query("UPDATE account SET handle = 'mallory', balance = 99 WHERE id = 2");
    const snapshot = await takeSnapshot(sqlitePath);
    const result = await readBackCheck({
      snapshot,
      sqliteSchemaPath,
      pgSchemaPath: join(out, "schema.prisma"),
      targetUrl: db.url,
      pgSchema: "public",
      workDir: join(tmp.dir, "work"),
      epochSecondsColumns: new Set(["account.joined"]),
    }).finally(() => snapshot.dispose());
    expect(result.status).toBe("different");
    const account = result.models.find((m) => m.model === "Account");
    expect(account?.differences).toEqual([
      { model: "Account", key: "id=2", field: "handle", sqlite: '"bob"', postgres: '"mallory"' },
      { model: "Account", key: "id=2", field: "balance", sqlite: "Decimal(0.1)", postgres: "Decimal(99)" },
    ]);
    expect(result.models.find((m) => m.model === "Tag")?.differences).toEqual([]);
  });

  it("fails, rather than passes, when the SQLite schema has none of the models: nothing compared is no proof", async () => {
    // Prisma's own introspection, not renamed: models account/tag/log, where PostgreSQL's schema says Account/Tag/Log.
    const sqliteSchemaPath = join(tmp.dir, "sqlite-raw.prisma");
    writeFileSync(sqliteSchemaPath, `datasource db {\n  provider = "sqlite"\n  url      = "file:./app.db"\n}\n`);
    await runPrisma(["db", "pull"], { stage: "introspect", adapter: "sqlite", adapterUrl: `file:${sqlitePath}`, schemaPath: sqliteSchemaPath, cwd: tmp.dir });
    expect(readFileSync(sqliteSchemaPath, "utf8")).toMatch(/^model account \{/m);
    const snapshot = await takeSnapshot(sqlitePath);
    const result = await readBackCheck({
      snapshot,
      sqliteSchemaPath,
      pgSchemaPath: join(out, "schema.prisma"),
      targetUrl: db.url,
      pgSchema: "public",
      workDir: join(tmp.dir, "work-raw"),
    }).finally(() => snapshot.dispose());
    expect(result.status).toBe("different");
    expect(result.models.find((m) => m.model === "Account")).toMatchObject({ status: "failed", reason: "no model of this name in the SQLite schema: nothing of it could be compared" });
  });
});

describe("application read-back while the application keeps writing (WAL)", () => {
  let db: TestDatabase;
  const tmp = tempDir("readback-live");
  let sqlitePath: string;
  const ROWS = 300;

  beforeAll(async () => {
    db = await createTestDatabase("readback_live");
    sqlitePath = buildSqliteFile(tmp.dir, "live.db", (d) => {
      d.pragma("journal_mode = WAL");
      d.exec("CREATE TABLE note (id INTEGER PRIMARY KEY, body TEXT NOT NULL, score REAL, data BLOB)");
      const insert = d.prepare("INSERT INTO note (id, body, score, data) VALUES (?, ?, ?, ?)");
      d.transaction(() => {
        for (let i = 1; i <= ROWS; i++) insert.run(i, `before ${i}`, i + 0.5, Buffer.from([i % 256]));
      })();
    });
  });
  afterAll(async () => {
    await db?.drop();
    tmp.cleanup();
  });

  it("compares with the run's snapshot, not with rows changed in the live file meanwhile", async () => {
    // The application rewrites rows that fall in the read-back's first 100, from the start of the run to its end.
    const writer = new Database(sqlitePath);
    writer.pragma("busy_timeout = 5000");
    const update = writer.prepare("UPDATE note SET body = ?, score = ? WHERE id <= 10");
    let writes = 0;
    const timer = setInterval(() => {
      writes++;
      update.run(`live ${writes}`, -writes);
    }, 5);
    let res: Awaited<ReturnType<typeof runCli>>;
    try {
      res = await runCli(["migrate", sqlitePath, "--to", db.url, "--out", join(tmp.dir, "prisma"), "--yes", "--json"]);
    } finally {
      clearInterval(timer);
    }
    const [live] = writer.prepare("SELECT body FROM note WHERE id = 1").all() as { body: string }[];
    writer.close();

    expect(res.code, res.stderr + res.stdout).toBe(0);
    const summary = JSON.parse(res.stdout) as { ok: boolean; readBack: ReadBackResult };
    expect(summary.ok).toBe(true);
    expect(summary.readBack.status).toBe("same");
    expect(summary.readBack.models.find((m) => m.model === "Note")).toMatchObject({ status: "compared", rows: 100, differences: [] });
    // The live file really moved on past what was migrated: reading it would have shown differences.
    const [migrated] = await db.query<{ body: string }>(`SELECT body FROM note WHERE id = 1`);
    expect(writes).toBeGreaterThan(0);
    expect(live.body).toMatch(/^live /);
    expect(live.body).not.toBe(migrated.body);
  });
});

describe("the read-back's SQLite sample (readback-sample.ts)", () => {
  const tmp = tempDir("readback-sample");
  afterAll(() => tmp.cleanup());

  it("holds the snapshot's first rows in key order, storage classes kept, whatever the live file says now", async () => {
    const path = buildSqliteFile(tmp.dir, "app.db", (d) => {
      d.pragma("journal_mode = WAL");
      d.exec(`
        CREATE TABLE "odd ""name" (code TEXT PRIMARY KEY, n INTEGER, r REAL, b BLOB, anything, twice INTEGER GENERATED ALWAYS AS (n * 2));
        CREATE TABLE audit (what TEXT);
        CREATE TRIGGER "odd ""trigger" AFTER INSERT ON "odd ""name" BEGIN INSERT INTO audit VALUES ('inserted'); END;
      `);
      const insert = d.prepare(`INSERT INTO "odd ""name" (code, n, r, b, anything) VALUES (?, ?, ?, ?, ?)`);
      // Key order is not insertion order; `anything` (no affinity) holds every storage class.
      for (const [code, anything] of [["d", 5n], ["b", "text"], ["a", 1.0], ["c", Buffer.from([7])], ["e", null]] as const) {
        insert.run(code, 2n ** 40n, 0.5, Buffer.from(code), anything);
      }
    });
    const snapshot = await takeSnapshot(path);
    try {
      const writer = new Database(path);
      writer.exec(`UPDATE "odd ""name" SET n = -1, anything = 'changed' WHERE code IN ('a', 'b')`);
      writer.close();
      const samplePath = join(tmp.dir, "sample.db");
      const result = buildReadBackSample({
        source: snapshot.db,
        schemaClonePath: snapshot.schemaClonePath,
        samplePath,
        tables: [{ table: 'odd "name', keyColumns: ["code"] }],
        sampleSize: 3,
      });
      expect(result.failed.size).toBe(0);
      expect(result.rows.get('odd "name')).toBe(3);
      const sample = new Database(samplePath, { readonly: true });
      const rows = sample
        .prepare(`SELECT code, n, typeof(n) AS tn, r, b, anything, typeof(anything) AS ta, twice FROM "odd ""name" ORDER BY code`)
        .safeIntegers(true)
        .all();
      const audit = sample.prepare("SELECT count(*) AS n FROM audit").pluck().get();
      sample.close();
      expect(rows).toEqual([
        { code: "a", n: 2n ** 40n, tn: "integer", r: 0.5, b: Buffer.from("a"), anything: 1, ta: "real", twice: 2n ** 41n },
        { code: "b", n: 2n ** 40n, tn: "integer", r: 0.5, b: Buffer.from("b"), anything: "text", ta: "text", twice: 2n ** 41n },
        { code: "c", n: 2n ** 40n, tn: "integer", r: 0.5, b: Buffer.from("c"), anything: Buffer.from([7]), ta: "blob", twice: 2n ** 41n },
      ]);
      // The clone's triggers did not fire.
      expect(audit).toBe(0);
    } finally {
      await snapshot.dispose();
    }
  });
});

describe("application read-back on the embedded target (PGlite)", () => {
  const tmp = tempDir("readback-pglite");
  const out = join(tmp.dir, "prisma");
  const dataDir = join(tmp.dir, "pgdata");
  let sqlitePath: string;
  let run: Awaited<ReturnType<typeof runCli>>;

  beforeAll(async () => {
    sqlitePath = buildApp(tmp.dir);
    run = await runCli(["migrate", sqlitePath, "--to", `pglite:${dataDir}`, "--out", out, "--report", join(tmp.dir, "summary.json"), "--yes"]);
  });
  afterAll(() => tmp.cleanup());

  it("reads the sampled rows back through Prisma Client on the run's PGlite instance", () => {
    expect(run.code, run.stderr + run.stdout).toBe(0);
    const rb = (JSON.parse(readFileSync(join(tmp.dir, "summary.json"), "utf8")) as { readBack: ReadBackResult }).readBack;
    expect(rb.status).toBe("same");
    expect(rb.models.find((m) => m.model === "Account")).toMatchObject({ status: "compared", rows: 3, differences: [] });
    expect(run.stdout).toMatch(/application read-back: 7 rows of 2 models identical through Prisma Client/);
  });

  it("names a value changed in the embedded database afterwards", async () => {
    expect(run.code, run.stderr + run.stdout).toBe(0);
    const sqliteSchemaPath = join(tmp.dir, "sqlite.prisma");
    writeFileSync(sqliteSchemaPath, `datasource db {\n  provider = "sqlite"\n  url      = "file:./app.db"\n}\n`);
    await runPrisma(["db", "pull"], { stage: "introspect", adapter: "sqlite", adapterUrl: `file:${sqlitePath}`, schemaPath: sqliteSchemaPath, cwd: tmp.dir });
    // …with the names the migration gave the models (migrate renames the SQLite side alike).
    writeFileSync(sqliteSchemaPath, nameSchema(readFileSync(sqliteSchemaPath, "utf8")).schema);
    const client = await connectPglite(dataDir);
    const snapshot = await takeSnapshot(sqlitePath);
    try {
      await client.query("UPDATE account SET handle = 'mallory' WHERE id = 2");
      const result = await readBackCheck({
        snapshot,
        sqliteSchemaPath,
        pgSchemaPath: join(out, "schema.prisma"),
        targetUrl: `pglite:${dataDir}`,
        client,
        pgSchema: "public",
        workDir: join(tmp.dir, "work"),
        epochSecondsColumns: new Set(["account.joined"]),
      });
      expect(result.status).toBe("different");
      expect(result.models.find((m) => m.model === "Account")?.differences).toEqual([
        { model: "Account", key: "id=2", field: "handle", sqlite: '"bob"', postgres: '"mallory"' },
      ]);
    } finally {
      await snapshot.dispose();
      await client.end();
    }
  });
});
