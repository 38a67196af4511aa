/**
 * Uniqueness broken by conversion: values SQLite keeps apart (`1` and `'1'`; two spellings of one instant) that
 * are one value in PostgreSQL. migrate names every colliding SQLite row and commits nothing, on both copy paths;
 * plan lists them without a server.
 */
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { buildSqliteFile, redeclare, tempDir } from "../helpers/files.js";
import { createTestDatabase, type TestDatabase } from "../helpers/pg.js";

describe("unique values that conversion makes equal", () => {
  const tmp = tempDir("unique");
  let db: TestDatabase;
  let sqlite: string;

  beforeAll(async () => {
    db = await createTestDatabase("unique");
    sqlite = buildSqliteFile(tmp.dir, "u.db", (d) => {
      d.exec(`CREATE TABLE other (id INTEGER PRIMARY KEY, name TEXT);
        INSERT INTO other (name) VALUES ('a'), ('b');
        CREATE TABLE u (id INTEGER PRIMARY KEY, code UNIQUE, at TEXT UNIQUE, label TEXT UNIQUE);
        INSERT INTO u VALUES (1, 1, '2024-01-01 10:00:00+02:00', 'x'), (2, '1', '2024-01-01 08:00:00Z', 'X'), (3, 5, '2024-02-01 00:00:00', 'y');`);
      redeclare(d, "u", "CREATE TABLE u (id INTEGER PRIMARY KEY, code INTEGER UNIQUE, at DATETIME UNIQUE, label TEXT UNIQUE)");
    });
  });
  afterAll(async () => {
    await db.drop();
    tmp.cleanup();
  });

  for (const jobs of ["1", "2"]) {
    it(`migrate --jobs ${jobs} names both collisions and commits nothing`, async () => {
      const res = await runCli(["migrate", sqlite, "--to", db.url, "--out", join(tmp.dir, `out${jobs}`), "--yes", "--quiet", "--jobs", jobs]);
      expect(res.code, res.stderr).toBe(1);
      expect(res.stderr).toContain("2 data problems in 2 columns; nothing was written");
      // --on-error reject would not help (the encoder refuses neither value): no lossy command is offered.
      expect(res.stderr).toContain("no option keeps every row: no flag converts the values of u.at, u.code exactly (fix them in SQLite).");
      expect(res.stderr).not.toContain("--on-error reject");
      expect(res.stderr).toContain("u.code [2]: converts to the same value as row [1] (1 and '1' differ in SQLite, not in PostgreSQL): UNIQUE (code) would be violated");
      expect(res.stderr).toContain("u.at [2]: converts to the same value as row [1] ('2024-01-01 10:00:00+02:00' and '2024-01-01 08:00:00Z' differ in SQLite, not in PostgreSQL): UNIQUE (at) would be violated");
      // Text is compared byte for byte: 'x' and 'X' stay distinct and are not reported.
      expect(res.stderr).not.toContain("u.label");
      expect(res.stderr).not.toContain("PG_23505");
      const tables = await db.query("SELECT tablename FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')");
      expect(tables).toEqual([]);
    });
  }

  it("plan lists them without a server", async () => {
    const res = await runCli(["plan", sqlite, "--out", join(tmp.dir, "plan"), "--quiet"]);
    expect(res.code, res.stderr).toBe(1);
    expect(res.stdout).toContain("u.code [2]: converts to the same value as row [1]");
    expect(res.stdout).toContain("u.at [2]: converts to the same value as row [1]");
  });
});
