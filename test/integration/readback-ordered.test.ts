/**
 * The read-back's ordered reads (verify/readback/ordered.ts): one `findMany({ orderBy: { field: "asc" }, take })`
 * per model with an indexed text field, through Prisma Client on SQLite and on PostgreSQL. An order that differs is
 * reported in "What changes for the app" with the position and both values, and is not a read-back difference:
 * under an ICU collation text orders unlike SQLite's bytes; on any PostgreSQL NULLs come last for ASC where SQLite
 * puts them first; digits order alike. On the embedded target (PGlite) too.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ReadBackResult } from "../../src/verify/readback/check.js";
import type { AppChanges } from "../../src/verify/behaviour/types.js";
import { runCli, type CliResult } from "../helpers/cli.js";
import { buildSqliteFile, tempDir } from "../helpers/files.js";
import { admin, createTestDatabase, SERVER_URL, type TestDatabase } from "../helpers/pg.js";

const tmp = tempDir("readback-ordered");
const databases: TestDatabase[] = [];
const icuName = `s2p_ordered_icu_${process.pid}_${Date.now().toString(36)}`;

const onServer = (sql: string): Promise<void> => admin((c) => c.query(sql)).then(() => undefined);

afterAll(async () => {
  for (const db of databases) await db.drop();
  await onServer(`DROP DATABASE IF EXISTS "${icuName}" WITH (FORCE)`);
  tmp.cleanup();
});

const file = buildSqliteFile(tmp.dir, "club.db", (d) => {
  d.exec(`
    CREATE TABLE member (id INTEGER PRIMARY KEY, handle TEXT NOT NULL UNIQUE, bio TEXT);
    CREATE TABLE note (id INTEGER PRIMARY KEY, tag TEXT, body TEXT NOT NULL);
    CREATE INDEX note_tag ON note (tag);
    CREATE TABLE code (id INTEGER PRIMARY KEY, value TEXT NOT NULL UNIQUE);`);
  const member = d.prepare("INSERT INTO member (handle, bio) VALUES (?, ?)");
  for (const h of ["adam", "Zoe", "Émile", "bob", "_under"]) member.run(h, `${h}'s bio`);
  const note = d.prepare("INSERT INTO note (tag, body) VALUES (?, ?)");
  for (const [tag, body] of [["b", "one"], [null, "two"], ["a", "three"], [null, "four"]]) note.run(tag, body);
  const code = d.prepare("INSERT INTO code (value) VALUES (?)");
  for (const v of ["010", "001", "002", "100"]) code.run(v);
});

interface Summary {
  readonly readBack: ReadBackResult;
  readonly appChanges: AppChanges;
}

async function migrate(url: string, label: string): Promise<{ res: CliResult; summary: Summary; md: string }> {
  const out = join(tmp.dir, `out-${label}`);
  const res = await runCli(["migrate", file, "--to", url, "--out", out, "--yes", "--json", "--report", join(tmp.dir, `${label}.md`)]);
  const summary = JSON.parse(res.stdout) as Summary;
  return { res, summary, md: readFileSync(join(tmp.dir, `${label}.md`), "utf8") };
}

const byModel = (s: Summary) => new Map((s.appChanges.orderedReads ?? []).map((r) => [r.model, r]));

describe("ordered reads into a database with an ICU collation (en-US)", () => {
  let run: Awaited<ReturnType<typeof migrate>>;
  beforeAll(async () => {
    await onServer(`CREATE DATABASE "${icuName}" LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C.UTF-8' TEMPLATE template0`);
    const u = new URL(SERVER_URL);
    u.pathname = `/${icuName}`;
    run = await migrate(u.toString(), "icu");
  }, 180_000);

  it("reports the models whose first rows come in another order, as behaviour, not as a read-back difference", () => {
    expect(run.res.code, run.res.stderr).toBe(0);
    expect(run.summary.readBack.status).toBe("same");
    const reads = byModel(run.summary);
    // Bytes: "Zoe" (Z = 0x5A) < "_under" (0x5F) < "adam" < "bob" < "Émile"; en-US puts "_under" first.
    expect(reads.get("Member")).toEqual({ model: "Member", field: "handle", rows: 5, firstDifference: { position: 0, sqlite: '"Zoe"', postgres: '"_under"' } });
    // SQLite puts NULLs first for ASC, PostgreSQL last.
    expect(reads.get("Note")).toEqual({ model: "Note", field: "tag", rows: 4, firstDifference: { position: 0, sqlite: "null", postgres: '"a"' } });
    expect(reads.get("Code")).toEqual({ model: "Code", field: "value", rows: 4 });
    expect(run.md).toMatch(/- ordered reads through Prisma Client: 2 of 3 model\(s\) return their rows in another order on PostgreSQL/);
    expect(run.md).toContain('  - Member.handle: of the first 5 rows, position 1 holds "Zoe" on SQLite, "_under" on PostgreSQL');
    expect(run.md).toContain('nulls: "first"');
  });
});

describe("ordered reads into a database whose collation is C.UTF-8", () => {
  it("orders text as SQLite did; NULLs still move", async () => {
    const db = await createTestDatabase("ordered_c");
    databases.push(db);
    const { res, summary } = await migrate(db.url, "c");
    expect(res.code, res.stderr).toBe(0);
    const reads = byModel(summary);
    expect(reads.get("Member")).toEqual({ model: "Member", field: "handle", rows: 5 });
    expect(reads.get("Note")?.firstDifference).toEqual({ position: 0, sqlite: "null", postgres: '"a"' });
  }, 180_000);
});

describe("ordered reads on the embedded target (PGlite)", () => {
  it("runs them through Prisma Client on the run's PGlite instance", async () => {
    const { res, summary, md } = await migrate(`pglite:${join(tmp.dir, "pgdata")}`, "pglite");
    expect(res.code, res.stderr).toBe(0);
    expect(summary.readBack.status).toBe("same");
    const reads = byModel(summary);
    expect([...reads.keys()].sort()).toEqual(["Code", "Member", "Note"]);
    expect(reads.get("Code")).toEqual({ model: "Code", field: "value", rows: 4 });
    expect(reads.get("Note")?.firstDifference).toEqual({ position: 0, sqlite: "null", postgres: '"a"' });
    expect(md).toMatch(/ordered reads through Prisma Client/);
  }, 180_000);
});
