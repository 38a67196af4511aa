/**
 * "What changes for the app", measured on real databases: a SQLite file whose text orders differently under an
 * ICU collation (en-US) than in SQLite's byte order, text fields whose LIKE matching depends on ASCII case, and
 * columns whose SQLite values were looser than their new PostgreSQL type. The same file into a database whose
 * collation is C.UTF-8 (code point order = SQLite's byte order) orders the same; `plan` reports matching and
 * types, and says the ordering is measured by migrate.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli, type CliResult } from "../helpers/cli.js";
import { buildSqliteFile, tempDir } from "../helpers/files.js";
import { admin, createTestDatabase, SERVER_URL, type TestDatabase } from "../helpers/pg.js";

const tmp = tempDir("app-changes");
const databases: TestDatabase[] = [];
const icuName = `s2p_appchanges_icu_${process.pid}_${Date.now().toString(36)}`;

const onServer = (sql: string): Promise<void> => admin((c) => c.query(sql)).then(() => undefined);

afterAll(async () => {
  for (const db of databases) await db.drop();
  await onServer(`DROP DATABASE IF EXISTS "${icuName}" WITH (FORCE)`);
  tmp.cleanup();
});

const file = buildSqliteFile(tmp.dir, "people.db", (d) => {
  d.exec(`
    CREATE TABLE person (id INTEGER PRIMARY KEY, name TEXT NOT NULL, code TEXT, email TEXT COLLATE NOCASE, age INTEGER, nick VARCHAR(20), born DATETIME);
    CREATE TABLE score (id INTEGER PRIMARY KEY, points REAL);`);
  const insert = d.prepare("INSERT INTO person (name, code, email, age, nick, born) VALUES (?, ?, ?, ?, ?, ?)");
  insert.run("adam", "001", "Adam@x.io", 30, "ad", "2024-01-02 03:04:05");
  insert.run("Zoe", "002", "zoe@x.io", 41, "zz", 1_700_000_000_000);
  insert.run("Émile", "003", "emile@x.io", 25, "em", "2024-01-03 00:00:00");
  insert.run("bob", "010", "BOB@x.io", 25, null, null);
  insert.run("_under", "011", "u@x.io", 5, null, null);
  // A REAL column holding text SQLite could not read as a number ('4,5' stays text): the copy rejects that row.
  d.prepare("INSERT INTO score (points) VALUES (?), (?)").run(1.5, "4,5");
});

function migrate(url: string, label: string): Promise<CliResult> {
  const out = join(tmp.dir, `out-${label}`);
  return runCli(["migrate", file, "--to", url, "--out", out, "--yes", "--report", join(tmp.dir, `${label}.md`), "--on-error", "reject"]);
}

describe("migrate into a database with an ICU collation (en-US)", () => {
  let res: CliResult;

  beforeAll(async () => {
    await onServer(`CREATE DATABASE "${icuName}" LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C.UTF-8' TEMPLATE template0`);
    const u = new URL(SERVER_URL);
    u.pathname = `/${icuName}`;
    res = await migrate(u.toString(), "icu");
  }, 180_000);

  it("counts the sampled values that order differently, with a pair from the data, and says how to keep byte order", () => {
    expect(res.code, res.stderr + res.stdout).toBe(0);
    expect(res.stdout).toMatch(/what changes for the app:/);
    expect(res.stdout).toMatch(/text ordering: ORDER BY follows the database's collation en-US \(icu\), not SQLite's byte order — 1 of 4 sampled text column\(s\) order differently/);
    // Fields by the app's names (model Person, Prisma's name for table person), then the table and column.
    // Bytes: 'Zoe' (Z = 0x5A) < '_under' (0x5F) < 'adam'; en-US puts punctuation first and ignores case.
    expect(res.stdout).toMatch(/Person\.name \(person\.name\): 5 of 5 sampled values move; SQLite: "Zoe" before "_under", PostgreSQL: "_under" first/);
    expect(res.stdout).toMatch(/COLLATE "C"/);
    // Digits order alike; the citext column orders case-insensitively on both sides.
    expect(res.stdout).not.toMatch(/Person\.code \(person\.code\): \d+ of/);
    expect(res.stdout).not.toMatch(/Person\.email \(person\.email\): \d+ of \d+ sampled values move/);
  });

  it("lists the text fields whose contains/LIKE matching depends on case, with the fix", () => {
    expect(res.stdout).toMatch(/Person\.name \(person\.name\): 5 of 5 sampled values; \{ contains: "zoe" \} found "Zoe" on SQLite, not on PostgreSQL/);
    expect(res.stdout).toMatch(/mode: "insensitive"/);
    // citext keeps matching case-insensitively; digits-only codes do not depend on case.
    expect(res.stdout).not.toMatch(/Person\.email \(person\.email\): \d+ of \d+ sampled values;/);
    expect(res.stdout).not.toMatch(/Person\.code \(person\.code\): \d+ of \d+ sampled values;/);
  });

  it("names the columns whose SQLite values were looser than the new type, with a value", () => {
    expect(res.stdout).toMatch(/Person\.born \(person\.born\) → timestamp\(3\): SQLite accepted any value here and held 1 unix epoch number\(s\) \(converted\).*e\.g\. "1700000000000"/);
    expect(res.stdout).toMatch(/Person\.nick \(person\.nick\) → varchar\(20\): SQLite ignored the declared length; PostgreSQL refuses values over 20 characters .*longest today: 2/);
    expect(res.stdout).toMatch(/Score\.points \(score\.points\) → double precision: SQLite kept 1 text value\(s\) in this numeric column.*e\.g\. "4,5"/);
  });

  it("the Markdown report has the same section", () => {
    const md = readFileSync(join(tmp.dir, "icu.md"), "utf8");
    expect(md).toMatch(/## What changes for the app/);
    expect(md).toMatch(/- Person\.name \(person\.name\): 5 of 5 sampled values move/);
    expect(md).toMatch(/- Score\.points \(score\.points\) → double precision/);
  });
});

describe("migrate into a database whose collation is C.UTF-8", () => {
  it("orders every sampled column as SQLite did, and says so", async () => {
    const db = await createTestDatabase("app_changes_c");
    databases.push(db);
    const res = await migrate(db.url, "c");
    expect(res.code, res.stderr + res.stdout).toBe(0);
    expect(res.stdout).toMatch(/text ordering: the same as SQLite's for every sampled text column \(4 sampled; the database's collation is C\.UTF-8 \(libc\)\)/);
  }, 180_000);
});

describe("plan (no PostgreSQL)", () => {
  it("reports matching and types, and that the ordering is measured by migrate; the JSON plan carries the data", async () => {
    const out = join(tmp.dir, "plan-out");
    const res = await runCli(["plan", file, "--out", out, "--report", join(tmp.dir, "plan.json")]);
    expect(res.code, res.stderr + res.stdout).not.toBe(2);
    expect(res.stdout).toMatch(/text ordering: not measured \(plan does not connect to PostgreSQL/);
    expect(res.stdout).toMatch(/\{ contains: "zoe" \} found "Zoe"/);
    const json = JSON.parse(readFileSync(join(tmp.dir, "plan.json"), "utf8"));
    expect(json.appChanges.ordering).toEqual({ measured: false, reason: expect.stringMatching(/plan does not connect/) });
    expect(json.appChanges.matching.map((m: { column: string }) => m.column).sort()).toEqual(["name", "nick"]);
    expect(json.appChanges.stricter.map((s: { table: string; column: string }) => `${s.table}.${s.column}`).sort()).toEqual(["person.born", "person.nick", "score.points"]);
  }, 120_000);
});
