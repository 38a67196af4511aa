/**
 * Sequences after the copy, through the real CLI on a real PostgreSQL: the next id PostgreSQL hands out must be
 * the one SQLite would have handed out. AUTOINCREMENT never reuses an id, even a deleted one, so
 * sqlite_sequence.seq is a floor (https://sqlite.org/autoinc.html); a plain INTEGER PRIMARY KEY continues at
 * max(id)+1; an empty table without history starts at 1.
 */
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli, type CliResult } from "../helpers/cli.js";
import { tempDir } from "../helpers/files.js";
import { createTestDatabase, type TestDatabase } from "../helpers/pg.js";

const tmp = tempDir("sequences");
const databases: TestDatabase[] = [];
afterAll(async () => {
  for (const db of databases) await db.drop();
  tmp.cleanup();
});

function buildSqlite(name: string, sql: string): string {
  const path = join(tmp.dir, name);
  const d = new Database(path);
  try {
    d.exec(sql);
  } finally {
    d.close();
  }
  return path;
}

async function migrate(file: string, label: string): Promise<{ db: TestDatabase; res: CliResult }> {
  const db = await createTestDatabase("sequences");
  databases.push(db);
  const res = await runCli(["migrate", file, "--to", db.url, "--out", join(tmp.dir, `out-${label}`), "--yes", "--quiet"]);
  return { db, res };
}

/** The id PostgreSQL gives the next row inserted without one, as text (exact beyond 2^53). */
async function nextId(db: TestDatabase, table: string): Promise<string> {
  const [row] = await db.query<{ id: string }>(`INSERT INTO "${table}" (v) VALUES ('new') RETURNING id::text AS id`);
  return row.id;
}

async function idType(db: TestDatabase, table: string): Promise<string> {
  const [row] = await db.query<{ data_type: string }>(
    "SELECT data_type FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1 AND column_name = 'id'",
    [table],
  );
  return row.data_type;
}

describe("sequences continue where SQLite would", () => {
  let db: TestDatabase;

  beforeAll(async () => {
    const file = buildSqlite(
      "sequences.db",
      `
      -- AUTOINCREMENT, ids 1..7 left, 100 handed out then deleted: sqlite_sequence.seq = 100
      CREATE TABLE auto_t (id INTEGER PRIMARY KEY AUTOINCREMENT, v TEXT);
      INSERT INTO auto_t (v) VALUES ('a'), ('b'), ('c'), ('d'), ('e'), ('f'), ('g');
      INSERT INTO auto_t (id, v) VALUES (100, 'x');
      DELETE FROM auto_t WHERE id = 100;
      -- plain INTEGER PRIMARY KEY: SQLite itself continues at max(rowid)+1 = 10
      CREATE TABLE plain_t (id INTEGER PRIMARY KEY, v TEXT);
      INSERT INTO plain_t VALUES (1, 'a'), (2, 'b'), (5, 'c'), (9, 'd');
      -- empty, never used
      CREATE TABLE empty_auto (id INTEGER PRIMARY KEY AUTOINCREMENT, v TEXT);
      CREATE TABLE empty_plain (id INTEGER PRIMARY KEY, v TEXT);
      -- empty with history: seq = 3
      CREATE TABLE empty_hist (id INTEGER PRIMARY KEY AUTOINCREMENT, v TEXT);
      INSERT INTO empty_hist (v) VALUES ('a'), ('b'), ('c');
      DELETE FROM empty_hist;
      -- ids beyond 2^31
      CREATE TABLE big_auto (id INTEGER PRIMARY KEY AUTOINCREMENT, v TEXT);
      INSERT INTO big_auto VALUES (1, 'a'), (3000000000, 'big');
      CREATE TABLE big_plain (id INTEGER PRIMARY KEY, v TEXT);
      INSERT INTO big_plain VALUES (2147483648, 'just past int32');
      `,
    );
    const check = new Database(file, { readonly: true });
    try {
      const seq = check.prepare("SELECT name, seq FROM sqlite_sequence ORDER BY name").all();
      expect(seq).toEqual([
        { name: "auto_t", seq: 100 },
        { name: "big_auto", seq: 3000000000 },
        { name: "empty_hist", seq: 3 },
      ]);
    } finally {
      check.close();
    }
    const run = await migrate(file, "main");
    expect(run.res.stderr).not.toContain("internal error");
    expect(run.res.code, run.res.stderr).toBe(0);
    db = run.db;
  });

  it("AUTOINCREMENT with sqlite_sequence above max(id): next id is seq+1, never a deleted id", async () => {
    expect(await nextId(db, "auto_t")).toBe("101");
    expect((await db.query("SELECT count(*)::int AS n FROM auto_t"))[0].n).toBe(8);
  });

  it("plain INTEGER PRIMARY KEY: next id is max+1", async () => {
    expect(await nextId(db, "plain_t")).toBe("10");
  });

  it("empty tables: next id 1 without history, seq+1 with it", async () => {
    expect(await nextId(db, "empty_auto")).toBe("1");
    expect(await nextId(db, "empty_plain")).toBe("1");
    expect(await nextId(db, "empty_hist")).toBe("4");
  });

  it("ids beyond 2^31: the column is bigint and the sequence continues past them", async () => {
    expect(await idType(db, "big_auto")).toBe("bigint");
    expect(await nextId(db, "big_auto")).toBe("3000000001");
    expect(await idType(db, "big_plain")).toBe("bigint");
    expect(await nextId(db, "big_plain")).toBe("2147483649");
  });
});

describe("sqlite_sequence beyond 2^31 while the remaining ids fit 32 bits", () => {
  it("migrates; the id column is bigint and the next id is seq+1", async () => {
    const file = buildSqlite(
      "sequence-floor-big.db",
      `
      CREATE TABLE hist_big (id INTEGER PRIMARY KEY AUTOINCREMENT, v TEXT);
      INSERT INTO hist_big (v) VALUES ('a'), ('b'), ('c');
      INSERT INTO hist_big VALUES (5000000000, 'gone');
      DELETE FROM hist_big WHERE id = 5000000000;
      `,
    );
    const { db, res } = await migrate(file, "floor-big");
    expect(res.stderr).not.toContain("internal error");
    expect(res.code, res.stderr).toBe(0);
    expect(await idType(db, "hist_big")).toBe("bigint");
    expect(await nextId(db, "hist_big")).toBe("5000000001");
  });
});
