/**
 * Data copy engine, what goes wrong: values that cannot be converted exactly (pgloader corpus files and fixtures
 * built here) and orphaned foreign keys, through the real CLI on a real PostgreSQL.
 *
 * - default (`--on-error=stop`, `--orphans=stop`): exit 1, every problem listed with table, column, row key and a
 *   value excerpt, and nothing at all written to the target (no table, no `_prisma_migrations`);
 * - `--on-error=reject --rejects <file>`: exit 0, the rejected rows in full in a JSON Lines file, counted in the
 *   summary, every other row in PostgreSQL;
 * - `--orphans=null|delete|keep-without-fk`: each policy's effect on rows and constraints (keep-without-fk also on
 *   tables PostgreSQL names differently).
 *
 * The three-table files run on both apply paths (`--jobs 1`: one transaction; `--jobs 2`: the parallel build), each
 * run asserting the path it took; the one-table corpus files always take the one-transaction path.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli, type CliResult } from "../helpers/cli.js";
import { copyToTemp, corpusFile, tempDir, buildSqliteFile } from "../helpers/files.js";
import { createTestDatabase, type TestDatabase } from "../helpers/pg.js";

interface Summary {
  ok: boolean;
  tables: { table: string; rows: number; rejected: number; skipped: number }[];
  counts: { table: string; sourceRows: number; leftOut: number; targetRows: number; ok: boolean }[];
  rejects?: { path: string; count: number };
  orphans: { policy: string; found: number; cascaded: number; droppedForeignKeys: number };
}

interface RejectLine {
  table: string;
  column?: string;
  key: string;
  reason: string;
  excerpt?: string;
  row: Record<string, unknown>;
}

const tmp = tempDir("copy-problems");
const databases: TestDatabase[] = [];
afterAll(async () => {
  for (const db of databases) await db.drop();
  tmp.cleanup();
});

/**
 * Each CLI run costs seconds (mostly waiting on the Prisma schema engine and PostgreSQL): the runs of this file
 * are all started in beforeAll, at most two at a time, and each test awaits the run it checks.
 */
const MAX_PARALLEL_RUNS = 2;
let running = 0;
const waiting: (() => void)[] = [];
async function limited<T>(fn: () => Promise<T>): Promise<T> {
  if (running >= MAX_PARALLEL_RUNS) await new Promise<void>((resolve) => waiting.push(resolve));
  running++;
  try {
    return await fn();
  } finally {
    running--;
    waiting.shift()?.();
  }
}

let runNo = 0;
function migrate(file: string | (() => string), extra: readonly string[] = []): Promise<{ db: TestDatabase; res: CliResult }> {
  const out = join(tmp.dir, `out-${runNo++}`);
  return limited(async () => {
    const db = await createTestDatabase("copyproblems");
    databases.push(db);
    const res = await runCli(["migrate", typeof file === "string" ? file : file(), "--to", db.url, "--out", out, "--yes", ...extra]);
    return { db, res };
  });
}

/** Build once, on first use. */
function memo<T>(fn: () => T): () => T {
  let done = false;
  let value: T;
  return () => {
    if (!done) {
      value = fn();
      done = true;
    }
    return value;
  };
}

/** Run once, on first use (or when beforeAll starts every run), shared by the tests that check it. */
const allRuns: (() => Promise<unknown>)[] = [];
function lazy<T>(fn: () => Promise<T>): () => Promise<T> {
  let p: Promise<T> | undefined;
  const get = () => (p ??= fn());
  allRuns.push(get);
  return get;
}
beforeAll(() => {
  // Start them all; failures surface in the tests that await them.
  for (const run of allRuns) run().catch(() => undefined);
});

function buildSqlite(name: string, build: (d: Database.Database) => void): string {
  return buildSqliteFile(tmp.dir, name, build);
}

/** Every relation outside the system schemas: after a refused run there must be none (nor _prisma_migrations). */
async function userRelations(db: TestDatabase): Promise<string[]> {
  const rows = await db.query<{ name: string }>(
    `SELECT n.nspname || '.' || c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%' ORDER BY 1`,
  );
  return rows.map((r) => r.name);
}

/** exit 1 with `error [DATA_PROBLEMS]`, no stack trace, nothing written. */
async function expectRefused(db: TestDatabase, res: CliResult, code = "DATA_PROBLEMS"): Promise<void> {
  expect(res.stderr).not.toContain("internal error");
  expect(res.stderr).not.toMatch(/^\s+at /m);
  expect(res.code, res.stderr).toBe(1);
  expect(res.stderr).toMatch(new RegExp(`^error \\[${code}\\]`, "m"));
  expect(await userRelations(db)).toEqual([]);
}

function summaryOf(res: CliResult): Summary {
  expect(res.stderr).not.toContain("internal error");
  expect(res.code, res.stderr).toBe(0);
  return JSON.parse(res.stdout) as Summary;
}

function readRejects(path: string): RejectLine[] {
  const text = readFileSync(path, "utf8");
  expect(text.endsWith("\n")).toBe(true);
  return text
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => JSON.parse(l) as RejectLine);
}

const JOBS = ["1", "2"] as const;

/**
 * The apply path a run took: the parallel build announces itself (docs/testing.md), the one transaction does not.
 * With --json the progress lines are not printed; the summary's stages name the same copy step.
 */
function expectPath(res: CliResult, jobs: (typeof JOBS)[number]): void {
  const copyStep = res.stdout.startsWith("{")
    ? `[copy] ${(JSON.parse(res.stdout) as { stages: { stage: string; step: string }[] }).stages.find((s) => s.stage === "copy")?.step}`
    : res.stderr;
  if (jobs === "2") expect(copyStep).toContain("[copy] copying rows and building indexes, 2 tables at a time");
  else {
    expect(copyStep).toContain("[copy] copying rows");
    expect(copyStep).not.toContain("tables at a time");
  }
}

async function foreignKeys(db: TestDatabase): Promise<string[]> {
  const rows = await db.query<{ def: string }>(
    "SELECT conrelid::regclass::text || ': ' || pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE contype = 'f' ORDER BY 1",
  );
  return rows.map((r) => r.def);
}

describe("type-mismatch.db (text 'lots-of-it' in an INTEGER column)", () => {
  const file = () => copyToTemp(corpusFile("type-mismatch.db"), mkdtempSync(join(tmp.dir, "corpus-")));
  const rejects = join(tmp.dir, "type-mismatch.rejects.jsonl");
  const stopRun = lazy(() => migrate(file));
  const rejectRun = lazy(() => migrate(file, ["--on-error=reject", "--rejects", rejects, "--json"]));

  it("default: exit 1, the problem named with table, column, row key and value; nothing written", async () => {
    const { db, res } = await stopRun();
    await expectRefused(db, res);
    // The value once: the reason quotes it, so no "(value: …)" repeats it.
    expect(res.stderr).toMatch(/products\.qty \[2\]: text 'lots-of-it' in an integer column\n/);
    expect(res.stdout).toBe("");
  });

  it("--on-error=reject: exit 0, the full row in the rejects file, counted in the summary, the other rows copied", async () => {
    const { db, res } = await rejectRun();
    const summary = summaryOf(res);
    expect(summary.ok).toBe(true);
    expect(summary.rejects).toEqual({ path: rejects, count: 1 });
    expect(summary.tables.find((t) => t.table === "products")).toMatchObject({ rows: 2, rejected: 1 });
    const lines = readRejects(rejects);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ table: "products", column: "qty", key: "2", excerpt: "'lots-of-it'" });
    expect(lines[0].row).toEqual({ id: 2, name: "banana", qty: "lots-of-it" });
    expect(await db.query("SELECT id, name, qty FROM products ORDER BY id")).toEqual([
      { id: 1, name: "apple", qty: 10 },
      { id: 3, name: "cherry", qty: 5 },
    ]);
  });
});

describe("bad-utf8.db (a filename holding invalid UTF-8 bytes)", () => {
  const file = () => copyToTemp(corpusFile("bad-utf8.db"), mkdtempSync(join(tmp.dir, "corpus-")));
  const BAD = Buffer.from("66696c65966e616d652e747874", "hex");
  const rejects = join(tmp.dir, "bad-utf8.rejects.jsonl");
  const stopRun = lazy(() => migrate(file));
  const rejectRun = lazy(() => migrate(file, ["--on-error=reject", "--rejects", rejects, "--json"]));

  it("default: exit 1, the problem named with table, column, row key and value; nothing written", async () => {
    const { db, res } = await stopRun();
    await expectRefused(db, res);
    expect(res.stderr).toMatch(/files\.filename \[2\]: .*UTF-8/);
    expect(res.stderr).toContain("66696c65966e616d65");
  });

  it("--on-error=reject: exit 0, the row with its exact bytes in the rejects file, the other rows copied", async () => {
    const { db, res } = await rejectRun();
    const summary = summaryOf(res);
    expect(summary.rejects?.count).toBe(1);
    expect(summary.tables.find((t) => t.table === "files")).toMatchObject({ rows: 2, rejected: 1 });
    const lines = readRejects(rejects);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ table: "files", column: "filename", key: "2" });
    expect(lines[0].row).toEqual({ id: 2, filename: { base64: BAD.toString("base64") } });
    expect(await db.query("SELECT id, filename FROM files ORDER BY id")).toEqual([
      { id: 1, filename: "valid-file.txt" },
      { id: 3, filename: "another-valid.txt" },
    ]);
  });
});

// Both apply paths on these three-table files: one transaction (--jobs 1) and the parallel build (--jobs 2).
describe.each(JOBS)("--jobs %s: text that PostgreSQL cannot hold: invalid UTF-8 with TEXT storage class, a NUL byte", (jobs) => {
  const BAD_NAME = Buffer.from("66696c65966e616d65", "hex"); // "file", 0x96, "name"
  const BAD_LABEL = Buffer.from("6261649f", "hex"); // "bad", 0x9f
  const file = memo(() =>
    buildSqlite(`text-problems-${jobs}.db`, (d) => {
      d.exec(`
        CREATE TABLE files (id INTEGER PRIMARY KEY, name TEXT);
        CREATE TABLE tags (k TEXT PRIMARY KEY, label TEXT) WITHOUT ROWID;
        CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT);
        INSERT INTO files VALUES (1, 'ok.txt');
        INSERT INTO files VALUES (2, CAST(X'66696c65966e616d65' AS TEXT));
        INSERT INTO files VALUES (3, CAST(X'efbfbd2069732066696e65' AS TEXT)); -- a real U+FFFD: valid UTF-8
        INSERT INTO tags VALUES ('a', 'fine');
        INSERT INTO tags VALUES ('b', CAST(X'6261649f' AS TEXT));
        INSERT INTO notes VALUES (2, 'fine');
      `);
      d.prepare("INSERT INTO notes VALUES (1, ?)").run("a\u0000b");
      expect(d.prepare("SELECT typeof(name) FROM files WHERE id = 2").pluck().get()).toBe("text");
      expect(d.prepare("SELECT typeof(label) FROM tags WHERE k = 'b'").pluck().get()).toBe("text");
      expect(d.prepare("SELECT hex(body) FROM notes WHERE id = 1").pluck().get()).toBe("610062");
    }),
  );
  const stopRun = lazy(() => migrate(file, ["--jobs", jobs]));
  const rejects = join(tmp.dir, `text-problems-${jobs}.rejects.jsonl`);
  const rejectRun = lazy(() => migrate(file, ["--on-error=reject", "--rejects", rejects, "--json", "--jobs", jobs]));

  it("default: invalid UTF-8 (not silently U+FFFD) and the NUL byte are problems; a real U+FFFD is not; nothing written", async () => {
    const { db, res } = await stopRun();
    await expectRefused(db, res);
    expectPath(res, jobs);
    expect(res.stderr).toMatch(/files\.name \[2\]: invalid UTF-8.*66696c65966e616d65/);
    expect(res.stderr).toMatch(/notes\.body \[1\]: NUL byte/);
    expect(res.stderr).not.toMatch(/files\.name \[3\]/);
  });

  it("default: invalid UTF-8 in a WITHOUT ROWID table is a problem too", async () => {
    const { res } = await stopRun();
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/tags\.label \[b\]: invalid UTF-8.*6261649f/);
  });

  it("--on-error=reject: those rows rejected with their exact bytes, the rest copied unchanged", async () => {
    const { db, res } = await rejectRun();
    const summary = summaryOf(res);
    expectPath(res, jobs);
    expect(summary.tables.find((t) => t.table === "files")).toMatchObject({ rows: 2, rejected: 1 });
    expect(summary.tables.find((t) => t.table === "notes")).toMatchObject({ rows: 1, rejected: 1 });
    const lines = readRejects(rejects);
    const file = lines.find((l) => l.table === "files");
    expect(file).toMatchObject({ column: "name", key: "2" });
    const note = lines.find((l) => l.table === "notes");
    expect(note).toMatchObject({ column: "body", key: "1" });
    expect(note?.row).toEqual({ id: 1, body: "a\u0000b" });
    expect(await db.query("SELECT id, name FROM files ORDER BY id")).toEqual([
      { id: 1, name: "ok.txt" },
      { id: 3, name: "\uFFFD is fine" },
    ]);
    expect(await db.query("SELECT id, body FROM notes ORDER BY id")).toEqual([{ id: 2, body: "fine" }]);
  });

  it("--on-error=reject: the rejected invalid UTF-8 row keeps the original bytes (not U+FFFD)", async () => {
    await rejectRun();
    const file = readRejects(rejects).find((l) => l.table === "files");
    expect(JSON.stringify(file?.row)).not.toContain("\uFFFD");
    expect(file?.row).toEqual({ id: 2, name: { $bytes: BAD_NAME.toString("base64") } });
  });

  it("--on-error=reject: the WITHOUT ROWID row with invalid UTF-8 is rejected, not copied as U+FFFD", async () => {
    const { db, res } = await rejectRun();
    const summary = summaryOf(res);
    const tag = readRejects(rejects).find((l) => l.table === "tags");
    expect(tag).toMatchObject({ column: "label", key: "b" });
    expect(tag?.row).toEqual({ k: "b", label: { $bytes: BAD_LABEL.toString("base64") } });
    expect(summary.rejects?.count).toBe(3);
    expect(await db.query("SELECT k, label FROM tags ORDER BY k")).toEqual([{ k: "a", label: "fine" }]);
  });
});

describe.each(JOBS)("--jobs %s: orphaned foreign keys", (jobs) => {
  // child 2 and 3 point at missing parents; grandchild 2 and 3 point at orphan child 2; child 5 has no parent (NULL).
  const file = memo(() =>
    buildSqlite(`orphans-${jobs}.db`, (d) => {
      d.pragma("foreign_keys = OFF");
      d.exec(`
        CREATE TABLE parent (id INTEGER PRIMARY KEY, name TEXT NOT NULL);
        CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER REFERENCES parent(id), label TEXT);
        CREATE TABLE grandchild (id INTEGER PRIMARY KEY, child_id INTEGER NOT NULL REFERENCES child(id), note TEXT);
        INSERT INTO parent VALUES (1, 'p1'), (2, 'p2');
        INSERT INTO child VALUES (1, 1, 'ok'), (2, 99, 'orphan-a'), (3, 98, 'orphan-b'), (4, 2, 'ok2'), (5, NULL, 'no parent');
        INSERT INTO grandchild VALUES (1, 1, 'ok'), (2, 2, 'under orphan-a'), (3, 2, 'also under orphan-a'), (4, 4, 'ok');
      `);
    }),
  );
  const CHILD_FK = "child: FOREIGN KEY (parent_id) REFERENCES parent(id)";
  const GRANDCHILD_FK = "grandchild: FOREIGN KEY (child_id) REFERENCES child(id)";
  const stopRun = lazy(() => migrate(file, ["--jobs", jobs]));
  const nullRun = lazy(() => migrate(file, ["--orphans=null", "--json", "--jobs", jobs]));
  const deleteRun = lazy(() => migrate(file, ["--orphans=delete", "--json", "--jobs", jobs]));
  const keepRun = lazy(() => migrate(file, ["--orphans=keep-without-fk", "--json", "--jobs", jobs]));
  // Tables and a column PostgreSQL gets under another name (a double quote: pg-names.ts), the orphan in the renamed
  // child; the child's second foreign key has no orphan and must be created.
  const keepRenamedRun = lazy(() =>
    migrate(
      () =>
        buildSqlite(`orphans-renamed-${jobs}.db`, (d) => {
          d.pragma("foreign_keys = OFF");
          d.exec(`
            CREATE TABLE "acc""t" (id INTEGER PRIMARY KEY, name TEXT);
            CREATE TABLE other (id INTEGER PRIMARY KEY);
            CREATE TABLE "po""st" (id INTEGER PRIMARY KEY, "acc""id" INTEGER REFERENCES "acc""t"(id), other_id INTEGER REFERENCES other(id));
            INSERT INTO "acc""t" VALUES (1, 'ann');
            INSERT INTO other VALUES (1);
            INSERT INTO "po""st" VALUES (1, 1, 1), (2, 99, 1);
          `);
        }),
      ["--orphans=keep-without-fk", "--json", "--jobs", jobs],
    ),
  );
  const notNullRun = lazy(() =>
    migrate(
      () =>
        buildSqlite(`orphans-not-null-${jobs}.db`, (d) => {
          d.pragma("foreign_keys = OFF");
          d.exec(`
            CREATE TABLE parent (id INTEGER PRIMARY KEY);
            CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER NOT NULL REFERENCES parent(id));
            INSERT INTO parent VALUES (1);
            INSERT INTO child VALUES (1, 1), (2, 99);
          `);
        }),
      ["--orphans=null", "--jobs", jobs],
    ),
  );

  it("default: exit 1 naming each orphan (table, column, row key, missing value); nothing written", async () => {
    const { db, res } = await stopRun();
    await expectRefused(db, res);
    expectPath(res, jobs);
    expect(res.stderr).toMatch(/child\.parent_id \[2\]: references a missing row of "parent" \(value: 99\)/);
    expect(res.stderr).toMatch(/child\.parent_id \[3\]: references a missing row of "parent" \(value: 98\)/);
    expect(res.stderr).toContain("--orphans=");
    // The grandchild's rows point at child rows that exist: the error must not list them (progress lines may name it).
    expect(res.stderr.slice(res.stderr.indexOf("error ["))).not.toMatch(/grandchild/);
  });

  it("--orphans=null: the references are NULL, every row kept, both constraints exist", async () => {
    const { db, res } = await nullRun();
    const summary = summaryOf(res);
    expect(summary.orphans).toEqual({ policy: "null", found: 2, cascaded: 0, droppedForeignKeys: 0 });
    expect(await db.query("SELECT id, parent_id, label FROM child ORDER BY id")).toEqual([
      { id: 1, parent_id: 1, label: "ok" },
      { id: 2, parent_id: null, label: "orphan-a" },
      { id: 3, parent_id: null, label: "orphan-b" },
      { id: 4, parent_id: 2, label: "ok2" },
      { id: 5, parent_id: null, label: "no parent" },
    ]);
    expect((await db.query("SELECT id, child_id FROM grandchild ORDER BY id")).map((r) => [r.id, r.child_id])).toEqual([
      [1, 1],
      [2, 2],
      [3, 2],
      [4, 4],
    ]);
    expect(await foreignKeys(db)).toEqual([CHILD_FK, GRANDCHILD_FK]);
  });

  it("--orphans=delete: orphans and the grandchildren under them left out, counted in the summary, constraints exist", async () => {
    const { db, res } = await deleteRun();
    const summary = summaryOf(res);
    expect(summary.orphans).toEqual({ policy: "delete", found: 2, cascaded: 2, droppedForeignKeys: 0 });
    expect(summary.tables.find((t) => t.table === "child")).toMatchObject({ rows: 3, skipped: 2 });
    expect(summary.tables.find((t) => t.table === "grandchild")).toMatchObject({ rows: 2, skipped: 2 });
    expect(summary.tables.find((t) => t.table === "parent")).toMatchObject({ rows: 2, skipped: 0 });
    expect(summary.counts.find((c) => c.table === "child")).toMatchObject({ sourceRows: 5, leftOut: 2, targetRows: 3, ok: true });
    expect((await db.query("SELECT id FROM child ORDER BY id")).map((r) => r.id)).toEqual([1, 4, 5]);
    expect((await db.query("SELECT id FROM grandchild ORDER BY id")).map((r) => r.id)).toEqual([1, 4]);
    expect(await foreignKeys(db)).toEqual([CHILD_FK, GRANDCHILD_FK]);
  });

  it("--orphans=keep-without-fk: every row kept as is, the violated constraint absent, the other one present", async () => {
    const { db, res } = await keepRun();
    const summary = summaryOf(res);
    expect(summary.orphans).toEqual({ policy: "keep-without-fk", found: 2, cascaded: 0, droppedForeignKeys: 1 });
    expect(await db.query("SELECT id, parent_id FROM child ORDER BY id")).toEqual([
      { id: 1, parent_id: 1 },
      { id: 2, parent_id: 99 },
      { id: 3, parent_id: 98 },
      { id: 4, parent_id: 2 },
      { id: 5, parent_id: null },
    ]);
    expect((await db.query("SELECT count(*)::int AS n FROM grandchild"))[0].n).toBe(4);
    expect(await foreignKeys(db)).toEqual([GRANDCHILD_FK]);
    expectPath(res, jobs);
  });

  it("--orphans=keep-without-fk on renamed tables and columns: the violated constraint (PostgreSQL names) absent, the other present", async () => {
    const { db, res } = await keepRenamedRun();
    const summary = summaryOf(res);
    expectPath(res, jobs);
    expect(summary.orphans).toEqual({ policy: "keep-without-fk", found: 1, cascaded: 0, droppedForeignKeys: 1 });
    expect(await db.query('SELECT id, acc_id, other_id FROM "po_st" ORDER BY id')).toEqual([
      { id: 1, acc_id: 1, other_id: 1 },
      { id: 2, acc_id: 99, other_id: 1 },
    ]);
    expect(await foreignKeys(db)).toEqual(["po_st: FOREIGN KEY (other_id) REFERENCES other(id)"]);
  });

  it("--orphans=null on a NOT NULL reference: a clean refusal naming the column and row, nothing written", async () => {
    const { db, res } = await notNullRun();
    expect(res.stderr).not.toContain("internal error");
    expect(res.code, res.stderr).toBe(1);
    // The problem line itself (not a progress line's "2 rows") names the column, the orphan row (id 2) and why.
    const problem = res.stderr.split("\n").find((l) => l.includes("parent_id") && l.includes("cannot be set to NULL"));
    expect(problem, res.stderr).toBeDefined();
    expect(problem).toMatch(/\bchild\b/);
    expect(problem).toMatch(/\b2\b/);
    expect(problem).not.toMatch(/\b1\b/); // row 1 is not an orphan
    expect(await userRelations(db)).toEqual([]);
  });
});
