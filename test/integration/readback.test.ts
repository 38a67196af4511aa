/**
 * "What the application sees" (client-readback.ts), on real SQLite and PostgreSQL: migrate reads a sample of rows
 * through generated Prisma Clients on both sides and finds them equal, deliberate representation changes included
 * (INTEGER beyond 32 bits → BigInt, epoch-seconds DATETIME → timestamp, a text key PostgreSQL collates differently);
 * a value changed in PostgreSQL afterwards is named by model, key and field.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runPrisma } from "../../src/db/prisma-cli.js";
import { readBackCheck, type ReadBackResult } from "../../src/verify/client-readback.js";
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
    account.run(3, "chloé", 0, null, null, null, Buffer.alloc(0), 1);
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
    const byModel = new Map(rb.models.map((m) => [m.model, m]));
    expect(byModel.get("account")).toMatchObject({ status: "compared", rows: 3, differences: [], fieldsNotCompared: [] });
    expect(byModel.get("tag")).toMatchObject({ status: "compared", rows: 4, differences: [] });
    expect(byModel.get("log")?.status).toBe("not-compared");
    expect(run.stdout).toMatch(/application read-back: 7 rows of 2 models identical through Prisma Client; not compared: log \(/);
  });

  it("names the model, key and field of a value changed in PostgreSQL", async () => {
    // The SQLite schema the run started from: Prisma's own introspection of the file.
    const sqliteSchemaPath = join(tmp.dir, "sqlite.prisma");
    writeFileSync(sqliteSchemaPath, `datasource db {\n  provider = "sqlite"\n  url      = "file:./app.db"\n}\n`);
    await runPrisma(["db", "pull"], { stage: "introspect", adapter: "sqlite", adapterUrl: `file:${sqlitePath}`, schemaPath: sqliteSchemaPath, cwd: tmp.dir });
    await db.query("UPDATE account SET handle = 'mallory', balance = 99 WHERE id = 2");
    const result = await readBackCheck({
      sqlitePath,
      sqliteSchemaPath,
      pgSchemaPath: join(out, "schema.prisma"),
      targetUrl: db.url,
      pgSchema: "public",
      workDir: join(tmp.dir, "work"),
      epochSecondsColumns: new Set(["account.joined"]),
    });
    expect(result.status).toBe("different");
    const account = result.models.find((m) => m.model === "account");
    expect(account?.differences).toEqual([
      { model: "account", key: "id=2", field: "handle", sqlite: '"bob"', postgres: '"mallory"' },
      { model: "account", key: "id=2", field: "balance", sqlite: "Decimal(0.1)", postgres: "Decimal(99)" },
    ]);
    expect(result.models.find((m) => m.model === "tag")?.differences).toEqual([]);
  });
});
