/**
 * Hostile or broken input, through the real CLI: every case either migrates exactly or fails with exit 1 and a
 * message that says what is wrong with the file — never a stack trace, never SQL of the file author's choosing run
 * on the target (a sentinel table must survive every run).
 */
import { closeSync, copyFileSync, mkdirSync, openSync, statSync, writeFileSync, writeSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { runCli, type CliResult } from "../helpers/cli.js";
import { EXAMPLE_DB, tempDir, buildSqliteFile } from "../helpers/files.js";
import { createTestDatabase, type TestDatabase } from "../helpers/pg.js";

const q = (name: string): string => `"${name.replace(/"/g, '""')}"`;

const tmp = tempDir("hostile");
afterAll(() => tmp.cleanup());

let db: TestDatabase;
let caseNo = 0;
beforeEach(async () => {
  db = await createTestDatabase("hostile");
  await db.query("CREATE TABLE sentinel (x int)");
});
afterEach(async () => {
  await db.drop();
});

function migrate(file: string, extra: readonly string[] = []): Promise<CliResult> {
  return runCli(["migrate", file, "--to", db.url, "--out", join(tmp.dir, `out-${caseNo++}`), "--yes", ...extra]);
}

async function publicTables(): Promise<string[]> {
  const rows = await db.query<{ relname: string }>(
    "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relkind = 'r' ORDER BY 1",
  );
  return rows.map((r) => r.relname);
}

/** A failure the user can act on: exit 1, one `error [CODE]` line, no stack trace, the target untouched. */
async function expectCleanFailure(res: CliResult, code: string, message: RegExp): Promise<void> {
  expect(res.code, res.stderr).toBe(1);
  expect(res.stderr).toMatch(new RegExp(`^error \\[${code}\\]`, "m"));
  expect(res.stderr).toMatch(message);
  expect(res.stderr).not.toContain("internal error");
  expect(res.stderr).not.toMatch(/^\s+at /m);
  expect(res.stdout).toBe("");
  expect(await publicTables()).toEqual(["sentinel"]);
}

function newDb(name: string, build: (d: Database.Database) => void): string {
  return buildSqliteFile(tmp.dir, name, build);
}

/** A table `note` with one TEXT value spanning overflow pages, the first of which points far past the file's end. */
function damagedOverflow(name: string): string {
  const file = newDb(name, (d) => {
    d.exec("CREATE TABLE note (id INTEGER PRIMARY KEY, body TEXT)");
    d.prepare("INSERT INTO note (body) VALUES (?)").run("a".repeat(20_000));
  });
  const probe = new Database(file, { readonly: true });
  const page = probe.prepare("SELECT pageno FROM dbstat WHERE name = 'note' AND pagetype = 'overflow' ORDER BY pageno LIMIT 1").pluck().get() as number;
  const pageSize = probe.pragma("page_size", { simple: true }) as number;
  probe.close();
  // An overflow page starts with the number of the next one.
  const fd = openSync(file, "r+");
  writeSync(fd, Buffer.from([0x7f, 0xff, 0xff, 0xff]), 0, 4, (page - 1) * pageSize);
  closeSync(fd);
  return file;
}

describe("hostile identifiers", () => {
  const payload = `v '"; DROP TABLE sentinel; --\\ \t\n 日本`;
  const tables: Record<string, string[]> = {
    "back\\slash": ["co\\l", "it's"],
    "x'; DROP TABLE sentinel; --": ["a.b", "1st"],
    "dots.and spaces": ["col with space", "ünïcödé 日本"],
    "tab\tname": ["select", "from"],
  };

  it("migrates names with backslashes, quotes ('), unicode, dots, spaces, tabs and SQL keywords exactly", async () => {
    const file = newDb("names.db", (d) => {
      for (const [t, cols] of Object.entries(tables)) {
        d.exec(`CREATE TABLE ${q(t)} (id INTEGER PRIMARY KEY, ${cols.map((c) => `${q(c)} TEXT`).join(", ")})`);
        d.prepare(`INSERT INTO ${q(t)} (${cols.map(q).join(", ")}) VALUES (${cols.map(() => "?").join(", ")})`).run(
          ...cols.map((c) => `${payload} ${c}`),
        );
      }
    });
    const res = await migrate(file, ["--json"]);
    expect(res.code, res.stderr).toBe(0);
    expect(await publicTables()).toContain("sentinel");
    for (const [t, cols] of Object.entries(tables)) {
      // PostgreSQL truncates long names in every statement, so the full SQLite name still addresses the table.
      const rows = await db.query(`SELECT ${cols.map(q).join(", ")} FROM ${q(t)}`);
      expect(rows, t).toEqual([Object.fromEntries(cols.map((c) => [c, `${payload} ${c}`]))]);
    }
    expect((await publicTables()).length).toBe(Object.keys(tables).length + 2); // + sentinel + _prisma_migrations
  });

  it("migrates names longer than PostgreSQL's 63 bytes, two sharing their first 63 bytes included, as distinct names", async () => {
    const base = `t_${"é".repeat(40)}`; // 82 bytes
    const longColumn = `c_${"x".repeat(70)}`; // 72 bytes
    const file = newDb("long.db", (d) => {
      for (const t of [`${base}_a`, `${base}_b`]) {
        d.exec(`CREATE TABLE ${q(t)} (id INTEGER PRIMARY KEY, ${q(`${longColumn}_1`)} TEXT, ${q(`${longColumn}_2`)} TEXT)`);
        d.prepare(`INSERT INTO ${q(t)} (${q(`${longColumn}_1`)}, ${q(`${longColumn}_2`)}) VALUES (?, ?)`).run(`${t} 1 ${payload}`, `${t} 2 ${payload}`);
      }
    });
    const res = await migrate(file);
    expect(res.code, res.stderr).toBe(0);
    const created = (await publicTables()).filter((t) => t.startsWith("t_é"));
    expect(created).toHaveLength(2);
    const values: string[] = [];
    for (const t of created) {
      expect(Buffer.byteLength(t)).toBeLessThanOrEqual(63);
      const cols = await db.query<{ attname: string }>(
        `SELECT attname FROM pg_attribute WHERE attrelid = $1::regclass AND attname LIKE 'c\\_%' ORDER BY attnum`,
        [q(t)],
      );
      expect(cols).toHaveLength(2);
      const [row] = await db.query<Record<string, string>>(`SELECT ${cols.map((c) => q(c.attname)).join(", ")} FROM ${q(t)}`);
      // In column order: the first column (…_1) holds the "1" value, the second the "2" value, both of one table.
      const [first, second] = cols.map((c) => row[c.attname]);
      const source = first.slice(0, first.indexOf(" 1 "));
      expect([first, second]).toEqual([`${source} 1 ${payload}`, `${source} 2 ${payload}`]);
      values.push(first, second);
    }
    expect(values.sort()).toEqual([`${base}_a 1 ${payload}`, `${base}_a 2 ${payload}`, `${base}_b 1 ${payload}`, `${base}_b 2 ${payload}`]);
    expect(await publicTables()).toContain("sentinel");
  });

  // Prisma's introspection comments out a field whose name it cannot derive (`// $1 String? @map("$1")`); the column
  // is renamed for the introspection only (introspect/clone-names.ts) and keeps its name in PostgreSQL.
  it("a column named $1 is migrated with its value, not dropped", async () => {
    const file = newDb("dollar.db", (d) => {
      d.exec(`CREATE TABLE x (id INTEGER PRIMARY KEY, "$1" TEXT, ok TEXT)`);
      d.exec(`INSERT INTO x ("$1", ok) VALUES ('keep me', 'y')`);
    });
    const res = await migrate(file);
    expect(res.code, res.stderr).toBe(0);
    expect(await db.query('SELECT id, "$1" AS v, ok FROM x')).toEqual([{ id: 1, v: "keep me", ok: "y" }]);
  });

  // Names containing `"` are migrated under names without one (convert/pg-names.ts; test/integration/hostile-names.test.ts
  // covers them in full): whatever SQL they spell never runs on the target.
  it('migrates a table name with a double quote (x"; DROP TABLE …) without running it', async () => {
    const file = newDb("dq-table.db", (d) => {
      d.exec(`CREATE TABLE ${q('x"; DROP TABLE sentinel; --')} (id INTEGER PRIMARY KEY, v TEXT)`);
      d.exec(`INSERT INTO ${q('x"; DROP TABLE sentinel; --')} VALUES (1, 'kept')`);
      d.exec(`CREATE TABLE ok (id INTEGER PRIMARY KEY)`);
    });
    const res = await migrate(file);
    expect(res.code, res.stderr).toBe(0);
    expect(await publicTables()).toEqual(["_prisma_migrations", "ok", "sentinel", "x_; DROP TABLE sentinel; --"]);
    expect(await db.query(`SELECT v FROM ${q("x_; DROP TABLE sentinel; --")}`)).toEqual([{ v: "kept" }]);
  });

  it("migrates a column name that would inject SQL into migration.sql (Prisma does not escape \" in identifiers) without running it", async () => {
    // Prisma's migrate diff would write `"a" TEXT); COMMIT; DROP TABLE sentinel; CREATE TABLE "zz" (...`: the COMMIT
    // would end our transaction and the sentinel would be dropped. The PostgreSQL name has `_` for each `"`.
    const file = newDb("dq-column.db", (d) => {
      d.exec(`CREATE TABLE plain (id INTEGER PRIMARY KEY, ${q('a" TEXT); COMMIT; DROP TABLE sentinel; CREATE TABLE "zz" ("id" INT, "b')} TEXT)`);
      d.exec(`INSERT INTO plain VALUES (1, 'kept')`);
    });
    const res = await migrate(file);
    expect(res.code, res.stderr).toBe(0);
    expect(await publicTables()).toEqual(["_prisma_migrations", "plain", "sentinel"]);
    const [column] = await db.query<{ attname: string }>("SELECT attname FROM pg_catalog.pg_attribute WHERE attrelid = 'public.plain'::regclass AND attnum = 2");
    expect(column.attname).toMatch(/^a_ TEXT\); COMMIT; DROP TABLE sentinel; CREATE TABLE _z_[0-9a-f]{8}$/);
    expect(await db.query(`SELECT ${q(column.attname)} AS v FROM plain`)).toEqual([{ v: "kept" }]);
  });

  it("migrates an index name with a double quote without running it", async () => {
    const file = newDb("dq-index.db", (d) => {
      d.exec(`CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)`);
      d.exec(`CREATE INDEX ${q('ix"; DROP TABLE sentinel; --')} ON t (v)`);
    });
    const res = await migrate(file);
    expect(res.code, res.stderr).toBe(0);
    expect(await publicTables()).toEqual(["_prisma_migrations", "sentinel", "t"]);
    const indexes = await db.query<{ indexname: string }>("SELECT indexname FROM pg_catalog.pg_indexes WHERE schemaname = 'public' AND tablename = 't' ORDER BY 1");
    expect(indexes.map((i) => i.indexname)).toEqual(["ix_; DROP TABLE sentinel; --", "t_pkey"]);
  });
});

describe("files that are not (healthy, available) SQLite databases", () => {
  it("a text file: not a readable SQLite database", async () => {
    const file = join(tmp.dir, "dump.sql");
    writeFileSync(file, "CREATE TABLE t (id int);\nINSERT INTO t VALUES (1);\n".repeat(200));
    const res = await migrate(file);
    await expectCleanFailure(res, "SOURCE_NOT_SQLITE", /dump\.sql is not a readable SQLite database: file is not a database/);
    // The hint names the header in words: the NUL byte that ends it is never printed to the terminal.
    expect(res.stderr).toContain('hint:  a SQLite file starts with the 16 bytes "SQLite format 3" and a NUL byte;');
    expect(res.stderr).not.toContain("\u0000");
  });

  it("a 0-byte file (an empty SQLite database): no tables, nothing to migrate", async () => {
    const file = join(tmp.dir, "empty.db");
    writeFileSync(file, "");
    await expectCleanFailure(await migrate(file), "SOURCE_EMPTY", /empty\.db has no tables: there is nothing to migrate/);
    expect(statSync(file).size).toBe(0); // read-only: SQLite did not initialise the file
  });

  it("a missing file: cannot open", async () => {
    await expectCleanFailure(await migrate(join(tmp.dir, "nope.db")), "SOURCE_OPEN", /cannot open SQLite file .*nope\.db/);
  });

  it("a damaged page in the middle of a large database: not readable, damaged", async () => {
    const file = newDb("corrupt.db", (d) => {
      d.exec("CREATE TABLE item (id INTEGER PRIMARY KEY, body TEXT)");
      const ins = d.prepare("INSERT INTO item (body) VALUES (?)");
      d.transaction(() => {
        for (let i = 0; i < 20_000; i++) ins.run(`row ${i} `.repeat(8));
      })();
    });
    const size = statSync(file).size;
    const fd = openSync(file, "r+");
    writeSync(fd, Buffer.alloc(4096 * 4, 0xab), 0, 4096 * 4, Math.floor(size / 2 / 4096) * 4096);
    closeSync(fd);
    await expectCleanFailure(await migrate(file), "SOURCE_CORRUPT", /corrupt\.db is not a readable SQLite database: it is damaged/);
  });

  it("a damaged data page found while reading rows: reported as a SQLite problem naming the table, not PostgreSQL's", async () => {
    // The catalog is intact (page 1); the first table's rows (page 2) are garbage.
    const file = join(tmp.dir, "bad-rows.db");
    copyFileSync(EXAMPLE_DB, file);
    const fd = openSync(file, "r+");
    writeSync(fd, Buffer.alloc(100, 0x58), 0, 100, 4096);
    closeSync(fd);
    const res = await migrate(file);
    // The profile reads the rows first (the catalog's intact page 1 passed).
    await expectCleanFailure(res, "SOURCE_CORRUPT", /bad-rows\.db is not a readable SQLite database: it is damaged \(reading table "[^"]+"\)/);
    expect(res.stderr).toMatch(/ in profile: /);
    expect(res.stderr).toMatch(/where: table "/);
    expect(res.stderr).not.toContain("PG_SQLITE");
  });

  it("a damaged overflow page of a TEXT value, which only the copy reads: a SQLite problem, not PostgreSQL's", async () => {
    // The profile reads no plain TEXT column, so only the copy follows this value's overflow chain.
    const res = await migrate(damagedOverflow("bad-overflow.db"));
    await expectCleanFailure(res, "SOURCE_CORRUPT", /the SQLite file is not a readable SQLite database: it is damaged/);
    expect(res.stderr).toMatch(/ in copy: /);
    expect(res.stderr).toMatch(/where: table "note"/);
    expect(res.stderr).not.toContain("PG_SQLITE");
  });

  it("the same damaged overflow page under `plan` (no PostgreSQL, the copy only scans): a SQLite problem naming the table", async () => {
    const res = await runCli(["plan", damagedOverflow("bad-overflow-plan.db"), "--out", join(tmp.dir, "plan-overflow")]);
    expect(res.code, res.stderr).toBe(1);
    expect(res.stderr).toMatch(/^error \[SOURCE_CORRUPT\] in copy: .*bad-overflow-plan\.db is not a readable SQLite database: it is damaged \(reading table "note"\)/m);
    expect(res.stderr).toMatch(/where: table "note"/);
    expect(res.stderr).not.toContain("internal error");
    expect(res.stderr).not.toMatch(/^\s+at /m);
  });

  it("a database another connection holds an EXCLUSIVE lock on: locked, names the cause", async () => {
    const file = join(tmp.dir, "locked.db");
    copyFileSync(EXAMPLE_DB, file);
    const holder = new Database(file);
    try {
      holder.exec("BEGIN EXCLUSIVE");
      const res = await migrate(file);
      await expectCleanFailure(res, "SOURCE_LOCKED", /locked\.db is locked by another connection/);
      expect(res.stderr).toMatch(/another process holds a write lock/);
    } finally {
      holder.exec("ROLLBACK");
      holder.close();
    }
  });

  it("a path with spaces and unicode works", async () => {
    const dir = join(tmp.dir, "my app data ü");
    mkdirSync(dir);
    const file = join(dir, "blog copy é.db");
    copyFileSync(EXAMPLE_DB, file);
    const res = await migrate(file);
    expect(res.code, res.stderr).toBe(0);
    const [r] = await db.query<{ n: string }>('SELECT count(*)::text AS n FROM "user"');
    expect(r.n).toBe("3");
    expect(await publicTables()).toContain("sentinel");
  });
});
