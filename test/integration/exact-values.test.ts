/**
 * Values that used to change silently: SQLite files built here are migrated through the real CLI into a real
 * PostgreSQL, and what PostgreSQL holds is read back as text (`::text`) and compared with the value SQLite stored,
 * never with the copy's own encoder.
 *
 * SQLite applies column affinity on INSERT (https://sqlite.org/datatype3.html#type_affinity), so tables that must
 * hold a storage class their declaration would convert are created untyped, filled, and redeclared
 * (helpers/files.ts redeclare), which leaves the stored values untouched.
 */
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli, type CliResult } from "../helpers/cli.js";
import { buildSqliteFile, redeclare, tempDir } from "../helpers/files.js";
import { createTestDatabase, type TestDatabase } from "../helpers/pg.js";

interface Decision {
  table: string;
  column?: string;
  code: string;
  message: string;
}
interface Summary {
  ok: boolean;
  decisions: Decision[];
  tables: { table: string; rows: number }[];
  content: { table: string; ok: boolean }[];
}

const tmp = tempDir("exact-values");
const databases: TestDatabase[] = [];
afterAll(async () => {
  for (const db of databases) await db.drop();
  tmp.cleanup();
});

async function newTarget(): Promise<TestDatabase> {
  const db = await createTestDatabase("exactvalues");
  databases.push(db);
  return db;
}

function migrate(file: string, db: TestDatabase, label: string, extra: readonly string[] = []): Promise<CliResult> {
  return runCli(["migrate", file, "--to", db.url, "--out", join(tmp.dir, `out-${label}`), "--yes", "--json", "--jobs", "1", ...extra]);
}

function parseSummary(res: CliResult): Summary {
  expect(res.stderr).not.toContain("internal error");
  expect(res.code, res.stderr).toBe(0);
  return JSON.parse(res.stdout) as Summary;
}

describe("a REAL keeps every digit wherever it lands", () => {
  let db: TestDatabase;
  let summary: Summary;

  beforeAll(async () => {
    const file = buildSqliteFile(tmp.dir, "reals.db", (d) => {
      d.exec(`
        CREATE TABLE mixed (id INTEGER PRIMARY KEY, v);
        CREATE TABLE notes (id INTEGER PRIMARY KEY, s);
        CREATE TABLE big (id INTEGER PRIMARY KEY, v REAL);
        CREATE TABLE dec (id INTEGER PRIMARY KEY, v REAL);
        CREATE TABLE whole (id INTEGER PRIMARY KEY, v REAL);
        CREATE TABLE docs (id INTEGER PRIMARY KEY, j JSON);
      `);
      // An untyped column holding text and integers too becomes text.
      const mixed = d.prepare("INSERT INTO mixed (id, v) VALUES (?, ?)");
      [0.1 + 0.2, 1.0000000000000002, 123456789.12345678, 1.0, 2 ** 64, -0.0, 5e-324, 1e300, 1 / 3, "abc", 1n].forEach((v, i) => mixed.run(i + 1, v));
      // A TEXT column (never profiled, spelled by SQLite chunk by chunk) with one REAL among many texts.
      const notes = d.prepare("INSERT INTO notes (id, s) VALUES (?, ?)");
      for (let i = 1; i <= 300; i++) notes.run(i, i === 150 ? 0.1 + 0.2 : `note ${i}`);
      redeclare(d, "notes", "CREATE TABLE notes (id INTEGER PRIMARY KEY, s TEXT)");
      const big = d.prepare("INSERT INTO big (id, v) VALUES (?, ?)");
      [2 ** 64, 1e300, 0.1 + 0.2, 7.0].forEach((v, i) => big.run(i + 1, v));
      const dec = d.prepare("INSERT INTO dec (id, v) VALUES (?, ?)");
      [0.1 + 0.2, 123456789.12345678, 1.5].forEach((v, i) => dec.run(i + 1, v));
      const whole = d.prepare("INSERT INTO whole (id, v) VALUES (?, ?)");
      [2 ** 62, 2 ** 53 + 2, -(2 ** 63)].forEach((v, i) => whole.run(i + 1, v));
      const docs = d.prepare("INSERT INTO docs (id, j) VALUES (?, ?)");
      [0.1 + 0.2, 2 ** 64, 1.0000000000000002].forEach((v, i) => docs.run(i + 1, v));
    });
    db = await newTarget();
    summary = parseSummary(
      await migrate(file, db, "reals", ["--type", "big.v=String", "--type", "dec.v=Decimal(40,20)", "--type", "whole.v=BigInt"]),
    );
  });

  it("verifies every table", () => {
    expect(summary.ok).toBe(true);
    expect(summary.content.map((c) => [c.table, c.ok])).toEqual(
      ["big", "dec", "docs", "mixed", "notes", "whole"].map((t) => [t, true]).sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
    );
  });

  it("untyped column that becomes text: SQLite's layout, every digit, integral REALs keep their '.0'", async () => {
    const rows = await db.query<{ id: number; v: string }>("SELECT id, v::text AS v, pg_typeof(v)::text AS t FROM mixed ORDER BY id");
    expect(rows.map((r) => r.v)).toEqual([
      "0.30000000000000004",
      "1.0000000000000002",
      "123456789.12345678",
      "1.0",
      "1.8446744073709552e+19",
      "-0.0",
      "5.0e-324",
      "1.0e+300",
      "0.3333333333333333",
      "abc",
      "1",
    ]);
    // Each text reads back as the very double SQLite stored (JS's own parser, not ours).
    const stored = [0.1 + 0.2, 1.0000000000000002, 123456789.12345678, 1.0, 2 ** 64, -0.0, 5e-324, 1e300, 1 / 3];
    stored.forEach((x, i) => expect(Object.is(Number(rows[i].v), x), rows[i].v).toBe(true));
  });

  it("a REAL among texts in a TEXT column (the chunk SQLite cannot spell takes the row path)", async () => {
    const rows = await db.query<{ id: number; s: string }>("SELECT id, s FROM notes ORDER BY id");
    expect(rows).toHaveLength(300);
    expect(rows[149]).toEqual({ id: 150, s: "0.30000000000000004" });
    expect(rows.filter((r) => r.id !== 150).every((r) => r.s === `note ${r.id}`)).toBe(true);
  });

  it("--type String on a REAL column beyond 2^63", async () => {
    const rows = await db.query<{ v: string }>("SELECT v FROM big ORDER BY id");
    expect(rows.map((r) => r.v)).toEqual(["1.8446744073709552e+19", "1.0e+300", "0.30000000000000004", "7.0"]);
    expect(Number(rows[0].v)).toBe(2 ** 64);
  });

  it("--type Decimal: the shortest digits of each double, at the column's scale", async () => {
    const rows = await db.query<{ v: string }>("SELECT v::text AS v FROM dec ORDER BY id");
    expect(rows.map((r) => r.v)).toEqual(["0.30000000000000004000", "123456789.12345678000000000000", "1.50000000000000000000"]);
    expect(rows.map((r) => Number(r.v))).toEqual([0.1 + 0.2, 123456789.12345678, 1.5]);
  });

  it("--type BigInt: integral REALs exactly, 2^63 negative included", async () => {
    const rows = await db.query<{ v: string }>("SELECT v::text AS v FROM whole ORDER BY id");
    expect(rows.map((r) => r.v)).toEqual([(2n ** 62n).toString(), (2n ** 53n + 2n).toString(), (-(2n ** 63n)).toString()]);
  });

  it("JSON: a REAL is a jsonb number with every digit", async () => {
    const rows = await db.query<{ j: string }>("SELECT j::text AS j FROM docs ORDER BY id");
    expect(rows.map((r) => r.j)).toEqual(["0.30000000000000004", "18446744073709552000", "1.0000000000000002"]);
    expect(rows.map((r) => Number(r.j))).toEqual([0.1 + 0.2, 2 ** 64, 1.0000000000000002]);
  });
});
