/**
 * The independent check (issue 15 item 2): PostgreSQL's values decoded by pg's own parsers, compared with
 * SQLite's by meaning, sharing nothing with the copy's encoder.
 *
 * (a) files with many value kinds migrate and the check passes — in the summary, the JSON and the Markdown report,
 *     and with `verify --verify deep`; the decisions that change values on purpose (orphans nulled, rows rejected,
 *     epoch seconds and milliseconds, 0/1 booleans, '42' in an INTEGER column) are equal by meaning;
 * (b) it catches what the encoder-based checks cannot be shown to: a double one ulp off, a timestamp one
 *     microsecond off, a blob one byte off are each named with table, key, column and both values; `sqlite2pg
 *     verify --verify deep` on a tampered target exits 1 naming the difference;
 * (c) a REAL in a column that becomes text (issue 15 item 1): the check reports exactly when PostgreSQL's text
 *     does not read back as the same double.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TablePlan } from "../../src/convert/convert.js";
import type { MigrateSummary } from "../../src/report/summary-types.js";
import { migrateMarkdown } from "../../src/report/migrate-report.js";
import { checkIndependently, type IndependentResult } from "../../src/verify/independent/independent-check.js";
import type { VerifyResult } from "../../src/pipeline/verify.js";
import { runCli, type CliResult } from "../helpers/cli.js";
import { buildSqliteFile, redeclare, tempDir } from "../helpers/files.js";
import { createTestDatabase, type TestDatabase } from "../helpers/pg.js";

const tmp = tempDir("independent");
afterAll(() => tmp.cleanup());

/** Many value kinds, each spelled the ways SQLite applications store them. */
function buildKinds(dir: string): string {
  return buildSqliteFile(dir, "kinds.db", (d) => {
    d.defaultSafeIntegers(true);
    d.exec(`
      CREATE TABLE nums (id INTEGER PRIMARY KEY, big INTEGER, r REAL, d NUMERIC(20,6));
      CREATE TABLE texts (k TEXT PRIMARY KEY, t TEXT, b BLOB);
      CREATE TABLE times (id INTEGER PRIMARY KEY, created DATETIME, day DATE);
      CREATE TABLE epochs (id INTEGER PRIMARY KEY, s DATETIME, ms DATETIME);
      CREATE TABLE docs (id INTEGER PRIMARY KEY, j JSON);
      CREATE TABLE flags (id INTEGER PRIMARY KEY, flag BOOLEAN);
      CREATE TABLE pairs (a INTEGER, b TEXT, v REAL, PRIMARY KEY (a, b));
      CREATE TABLE log (msg TEXT, n INTEGER);
      CREATE TABLE many (id INTEGER PRIMARY KEY, v REAL, s TEXT);
      CREATE TABLE many_text (k TEXT PRIMARY KEY, v INTEGER) WITHOUT ROWID;
      CREATE TABLE bulk (x INTEGER, y TEXT);
    `);
    const insert = (sql: string, rows: unknown[][]): void => {
      const st = d.prepare(sql);
      for (const r of rows) st.run(...r);
    };
    insert("INSERT INTO nums VALUES (?, ?, ?, ?)", [
      [1n, 9223372036854775807n, 0.1 + 0.2, "12345678901234.123456"],
      [2n, -9223372036854775808n, -0.0, "0.000001"],
      [3n, 9223372036854775806n, 1e308, 1.5],
      [4n, 42n, 5e-324, 7n],
      [5n, -1n, 1.0000000000000002, "-99.5"],
    ]);
    insert("INSERT INTO texts VALUES (?, ?, ?)", [
      ["a", "héllo 🌍", Buffer.from([0, 255, 1])],
      ["b", "tab\tnew\nline \\ back", Buffer.alloc(0)],
      ["ç", "日本語", Buffer.from("text bytes")],
      ["🌍", "", null],
    ]);
    insert("INSERT INTO times VALUES (?, ?, ?)", [
      [1n, "2024-01-01 10:00:00", "2024-01-01"],
      [2n, "2024-01-01T10:00:00Z", "2024-02-29"],
      [3n, "2024-01-01 10:00:00.123456", "1999-12-31"],
      [4n, "2024-01-01T12:00:00+02:00", null],
      [5n, "2024-01-01", "2000-01-01"],
    ]);
    // Unix seconds in one column, milliseconds in the other: each lands as the instant it denotes.
    insert("INSERT INTO epochs VALUES (?, ?, ?)", [
      [1n, 1704103200n, 1704103200000n],
      [2n, 1000000000n, 1704103200123n],
      [3n, 1700000000n, null],
    ]);
    insert("INSERT INTO docs VALUES (?, ?)", [
      [1n, '{"a":1,"b":[1,2.50,{"c":null}],"a2":"x"}'],
      [2n, "[]"],
      [3n, '"str"'],
      [4n, "12345678901234567890"],
      [5n, '{"z": 1e2, "y": true, "nested": {"k": [false, "ü"]}}'],
    ]);
    insert("INSERT INTO flags VALUES (?, ?)", [[1n, 0n], [2n, 1n], [3n, null]]);
    insert("INSERT INTO pairs VALUES (?, ?, ?)", [[1n, "a", 0.5], [1n, "b", -2.25], [2n, "a", 3e-10]]);
    insert("INSERT INTO log VALUES (?, ?)", [["first", 1n], ["second", 2n], ["first", 1n]]);
    // Tables larger than the sample: by integer key value, by text key position, and without a key.
    const many = d.prepare("INSERT INTO many VALUES (?, ?, ?)");
    const manyText = d.prepare("INSERT INTO many_text VALUES (?, ?)");
    const bulk = d.prepare("INSERT INTO bulk VALUES (?, ?)");
    d.transaction(() => {
      for (let i = 1; i <= 5000; i++) many.run(BigInt(i * 7), i / 3, `row ${i} ✓`);
      for (let i = 1; i <= 3000; i++) manyText.run(`key-${String(i).padStart(5, "0")}`, BigInt(i));
      for (let i = 1; i <= 3000; i++) bulk.run(BigInt(i % 17), `b${i}`);
    })();
  });
}

/**
 * Table plans as the check needs them (names, key, row count), read from SQLite alone: every column's kind is
 * deliberately "text", to show the check takes each column's kind from PostgreSQL's catalog, not from the plan.
 */
function plansOf(file: string, names: readonly string[]): TablePlan[] {
  const d = new Database(file, { readonly: true });
  try {
    return names.map((name) => {
      const cols = d.prepare("SELECT name, pk FROM pragma_table_info(?)").all(name) as { name: string; pk: number }[];
      const rowCount = Number(d.prepare(`SELECT count(*) FROM "${name}"`).pluck().get());
      return {
        name,
        pgName: name,
        columns: cols.map((c) => ({ name: c.name, pgName: c.name, kind: "text" as const })),
        keyColumns: cols.filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk).map((c) => c.name),
        rowCount,
        sequenceFloor: null,
      };
    });
  } finally {
    d.close();
  }
}

async function runCheck(db: TestDatabase, file: string, tables: readonly string[], mode: "sample" | "all"): Promise<IndependentResult> {
  const source = new Database(file, { readonly: true });
  source.defaultSafeIntegers(true);
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  try {
    return await checkIndependently({ source, client, pgSchema: "public", tables: plansOf(file, tables), mode });
  } finally {
    await client.end();
    source.close();
  }
}

function migrateCli(db: TestDatabase, file: string, dir: string, extra: readonly string[] = []): Promise<CliResult> {
  return runCli(["migrate", file, "--to", db.url, "--out", join(dir, "prisma"), "--yes", "--quiet", ...extra]);
}

/** A migration includes two `prisma generate` runs (the read-back): minutes on a loaded 2-core machine. */
const MIGRATION_TIMEOUT = 400_000;

const KIND_TABLES = ["nums", "texts", "times", "epochs", "docs", "flags", "pairs", "log", "many", "many_text", "bulk"];

describe("a file with many value kinds", () => {
  let db: TestDatabase;
  let file: string;
  let run: CliResult;
  const report = join(tmp.dir, "kinds-report.json");

  beforeAll(async () => {
    db = await createTestDatabase("independent_kinds");
    file = buildKinds(tmp.dir);
    run = await migrateCli(db, file, tmp.dir, ["--report", report]);
  }, MIGRATION_TIMEOUT);
  afterAll(async () => {
    await db.drop();
  });

  it("migrates with the check passing: a line of the summary, the JSON report and the Markdown report", () => {
    expect(run.code, run.stderr).toBe(0);
    // 5 + 4 + 5 + 3 + 5 + 3 + 3 + 3 small-table rows, then 1000 sampled rows of each of the three large tables.
    expect(run.stdout).toContain("values decoded independently: 3031 rows of 11 tables sampled, identical");
    const summary = JSON.parse(readFileSync(report, "utf8")) as MigrateSummary;
    expect(summary.ok).toBe(true);
    expect(summary.independent).toMatchObject({ mode: "sample", ok: true, rows: 3031, tables: 11, differenceCount: 0 });
    const how = Object.fromEntries(summary.independent!.perTable.map((t) => [t.table, [t.how, t.rows]]));
    expect(how).toMatchObject({ many: ["key ranges", 1000], many_text: ["key ranges", 1000], bulk: ["first and last rows", 1000], nums: ["every row", 5] });
    expect(migrateMarkdown(summary)).toContain("Independent check (PostgreSQL's values decoded by pg's parsers, compared with SQLite's by meaning): 3031 rows of 11 tables sampled, identical.");
  });

  it("`verify --verify deep` compares every row and exits 0", async () => {
    const res = await runCli(["verify", file, "--to", db.url, "--verify", "deep", "--quiet"]);
    expect(res.code, res.stderr + res.stdout).toBe(0);
    expect(res.stdout).toContain("values decoded independently: 11031 rows of 11 tables (every row), identical");
  });

  describe("after PostgreSQL's values are changed by the smallest step", () => {
    beforeAll(async () => {
      await db.query("UPDATE nums SET r = 1.0000000000000004 WHERE id = 5"); // one ulp above 1.0000000000000002
      await db.query("UPDATE times SET created = created + interval '1 microsecond' WHERE id = 3");
      await db.query("UPDATE texts SET b = '\\x00ff02'::bytea WHERE k = 'a'"); // last byte 01 → 02
      await db.query("UPDATE texts SET t = 'hëllo 🌍' WHERE k = 'a'");
      await db.query("UPDATE many SET s = 'row 1 ✔' WHERE id = 7"); // the first row: always sampled
      await db.query("UPDATE many SET v = v + 1 WHERE id = 7000"); // between two sample windows
      await db.query("DELETE FROM many_text WHERE k = 'key-03000'"); // the last row
    });

    it("the check names table, key, column and both values", async () => {
      const r = await runCheck(db, file, KIND_TABLES, "sample");
      expect(r.ok).toBe(false);
      const lines = r.differences.map((d) => [d.table, d.key, d.column, d.sqlite, d.postgres]);
      expect(lines).toContainEqual(["nums", "id=5", "r", "real 1.0000000000000002", 'float8 "1.0000000000000004"']);
      expect(lines).toContainEqual(["times", "id=3", "created", 'text "2024-01-01 10:00:00.123456"', 'timestamp "2024-01-01 10:00:00.123457" (2024-01-01T10:00:00.123457Z)']);
      expect(lines).toContainEqual(["texts", 'k="a"', "b", "blob x'00ff01' (3 bytes)", 'bytea "\\\\x00ff02"']);
      expect(lines).toContainEqual(["texts", 'k="a"', "t", 'text "héllo 🌍"', 'text "hëllo 🌍"']);
      expect(lines).toContainEqual(["many", "id=7", "s", 'text "row 1 ✓"', 'text "row 1 ✔"']);
      expect(r.differences).toContainEqual({ kind: "missing", table: "many_text", key: 'k="key-03000"' });
    });

    it("every row with mode all: also the row between the sample windows", async () => {
      const r = await runCheck(db, file, ["many"], "all");
      expect(r.rows).toBe(5000);
      expect(r.differences.map((d) => [d.key, d.column, d.sqlite, d.postgres])).toEqual([
        ["id=7", "s", 'text "row 1 ✓"', 'text "row 1 ✔"'],
        ["id=7000", "v", "real 333.3333333333333", 'float8 "334.3333333333333"'],
      ]);
    });

    it("`sqlite2pg verify --verify deep` exits 1 and names the differences", async () => {
      const out = join(tmp.dir, "tampered-verify.json");
      const res = await runCli(["verify", file, "--to", db.url, "--verify", "deep", "--quiet", "--report", out]);
      expect(res.code, res.stderr).toBe(1);
      expect(res.stdout).toContain("values decoded independently: 11031 rows of 11 tables (every row), 7 DIFFERENCE(S)");
      expect(res.stdout).toContain('nums [id=5] r: SQLite real 1.0000000000000002 ≠ PostgreSQL float8 "1.0000000000000004"');
      expect(res.stdout).toContain('many [id=7000] v: SQLite real 333.3333333333333 ≠ PostgreSQL float8 "334.3333333333333"');
      expect(res.stdout).toContain('many_text [k="key-03000"] missing in PostgreSQL');
      const written = JSON.parse(readFileSync(out, "utf8")) as VerifyResult;
      expect(written.ok).toBe(false);
      expect(written.independent).toMatchObject({ mode: "all", ok: false, differenceCount: 7 });
    });
  });
});

describe("a key whose order differs between the databases", () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase("independent_disorder");
  });
  afterAll(async () => {
    await db.drop();
  });

  it("is listed as not compared, not as rows missing on both sides", async () => {
    // An untyped key keeps integers and text: SQLite sorts 2, 10, 'a'; PostgreSQL's text sorts '10', '2', 'a'.
    const file = buildSqliteFile(tmp.dir, "mixed-key.db", (d) => {
      d.exec("CREATE TABLE mixed (k PRIMARY KEY, v TEXT); INSERT INTO mixed VALUES (2, 'two'), (10, 'ten'), ('a', 'letter')");
    });
    await db.query("CREATE TABLE mixed (k text PRIMARY KEY, v text); INSERT INTO mixed VALUES ('2', 'two'), ('10', 'ten'), ('a', 'letter')");
    const r = await runCheck(db, file, ["mixed"], "all");
    expect(r.perTable).toEqual([expect.objectContaining({ table: "mixed", skipped: "its key sorts differently in SQLite (several storage classes) and PostgreSQL", differenceCount: 0 })]);
    expect(r.tables).toBe(0);
  });
});

describe("decisions that change values on purpose are equal by meaning", () => {
  let db: TestDatabase;
  let run: CliResult;
  const report = join(tmp.dir, "decisions.json");

  beforeAll(async () => {
    db = await createTestDatabase("independent_decisions");
    const file = buildSqliteFile(tmp.dir, "decisions.db", (d) => {
      d.pragma("foreign_keys = OFF");
      d.exec(`
        CREATE TABLE parent (id INTEGER PRIMARY KEY, name TEXT NOT NULL);
        CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER REFERENCES parent(id), label TEXT);
        INSERT INTO parent VALUES (1, 'p1');
        INSERT INTO child VALUES (1, 1, 'ok'), (2, 99, 'orphan'), (3, NULL, 'none');
        CREATE TABLE counts (id INTEGER PRIMARY KEY, qty, active);
        INSERT INTO counts VALUES (1, 5, 1), (2, '42', 0), (3, 'lots', 1), (4, 7, 't');
      `);
      // '42' and 'lots' stay TEXT in an INTEGER column (no affinity applied): '42' lands as 42, 'lots' is rejected.
      redeclare(d, "counts", "CREATE TABLE counts (id INTEGER PRIMARY KEY, qty INTEGER, active BOOLEAN)");
    });
    run = await migrateCli(db, file, tmp.dir, ["--orphans=null", "--on-error=reject", "--rejects", join(tmp.dir, "rejects.jsonl"), "--report", report]);
  }, MIGRATION_TIMEOUT);
  afterAll(async () => {
    await db.drop();
  });

  it("orphan nulled, row rejected, '42' → 42, 0/1/'t' → booleans: identical", async () => {
    expect(run.code, run.stderr).toBe(0);
    expect(await db.query("SELECT id, parent_id FROM child ORDER BY id")).toEqual([
      { id: 1, parent_id: 1 },
      { id: 2, parent_id: null },
      { id: 3, parent_id: null },
    ]);
    expect(await db.query("SELECT id, qty, active FROM counts ORDER BY id")).toEqual([
      { id: 1, qty: 5, active: true },
      { id: 2, qty: 42, active: false },
      { id: 4, qty: 7, active: true },
    ]);
    const summary = JSON.parse(readFileSync(report, "utf8")) as MigrateSummary;
    // parent 1 + child 3 + counts 3 (row 3 was rejected, so it is not expected in PostgreSQL).
    expect(summary.independent).toMatchObject({ ok: true, rows: 7, tables: 3, differenceCount: 0 });
  });
});

describe("a REAL in a column that becomes text (issue 15 item 1)", () => {
  let db: TestDatabase;
  let run: CliResult;
  const REALS = [0.1 + 0.2, 1.0000000000000002, 123456789.12345678];

  beforeAll(async () => {
    db = await createTestDatabase("independent_real_text");
    const file = buildSqliteFile(tmp.dir, "real-text.db", (d) => {
      d.exec("CREATE TABLE loose (id INTEGER PRIMARY KEY, v)");
      const st = d.prepare("INSERT INTO loose VALUES (?, ?)");
      REALS.forEach((x, i) => st.run(i + 1, x));
      st.run(4, "words");
    });
    run = await migrateCli(db, file, tmp.dir);
  }, MIGRATION_TIMEOUT);
  afterAll(async () => {
    await db.drop();
  });

  it("is reported exactly for the values whose text does not read back as the same double", async () => {
    const landed = await db.query<{ id: number; v: string }>("SELECT id, v FROM loose ORDER BY id");
    expect(landed).toHaveLength(4);
    const wrong = REALS.flatMap((x, i) => (Object.is(Number(landed[i].v), x) ? [] : [i]));
    // Until issue 15.1 is fixed the copy writes SQLite's 15-digit text ("0.3"): the check must name each such value
    // and fail the run. Once it is fixed, every value reads back exactly and the run passes.
    for (const i of wrong) {
      expect(run.stderr).toContain(`loose [id=${i + 1}] v: SQLite real ${REALS[i]} ≠ PostgreSQL text ${JSON.stringify(landed[i].v)}`);
    }
    expect(run.code, run.stderr).toBe(wrong.length > 0 ? 1 : 0);
    if (wrong.length > 0) expect(run.stderr).toContain("VERIFY_INDEPENDENT");
  });
});

describe("(d) the sample of a table just loaded", () => {
  let db: TestDatabase;
  let file: string;
  beforeAll(async () => {
    db = await createTestDatabase("independent_fresh");
    // Shaped like a blog's posts: rows of ~1 KB, so reading the whole heap is what a plan without statistics picks.
    file = buildSqliteFile(tmp.dir, "fresh.db", (d) => {
      d.exec("CREATE TABLE posts (id INTEGER PRIMARY KEY, title TEXT NOT NULL, body TEXT NOT NULL)");
      const st = d.prepare("INSERT INTO posts (title, body) VALUES (?, ?)");
      d.transaction(() => {
        for (let i = 0; i < 40_000; i++) st.run(`post ${i}`, `${i} lorem ipsum `.repeat(70));
      })();
    });
    const run = await migrateCli(db, file, tmp.dir, ["--verify", "counts"]);
    expect(run.code, run.stderr).toBe(0);
  }, MIGRATION_TIMEOUT);
  afterAll(async () => {
    await db.drop();
  });

  it("reads its key ranges through the primary key's index, not the whole heap, even with no planner statistics", async () => {
    // As right after a migration, before autovacuum analyzes the table: no statistics.
    await db.query("DELETE FROM pg_statistic WHERE starelid = 'posts'::regclass");
    const source = new Database(file, { readonly: true });
    source.defaultSafeIntegers(true);
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      // In one transaction: the check runs in a savepoint of it, and the transaction's own scan counts
      // (pg_stat_xact_user_tables) show how PostgreSQL read the table.
      await client.query("BEGIN");
      const result = await checkIndependently({ source, client, pgSchema: "public", tables: plansOf(file, ["posts"]), mode: "sample" });
      expect(result.ok).toBe(true);
      expect(result.perTable[0]).toMatchObject({ table: "posts", how: "key ranges", rows: 1000 });
      const [scans] = (await client.query<{ seq_scan: string; idx_scan: string }>("SELECT seq_scan, idx_scan FROM pg_stat_xact_user_tables WHERE relname = 'posts'")).rows;
      expect({ seq_scan: Number(scans.seq_scan), usedIndex: Number(scans.idx_scan) > 0 }).toEqual({ seq_scan: 0, usedIndex: true });
      // The session's setting is back afterwards.
      expect((await client.query("SHOW enable_seqscan")).rows[0].enable_seqscan).toBe("on");
      await client.query("ROLLBACK");
    } finally {
      await client.end();
      source.close();
    }
  });
});
