/**
 * Values that used to change silently: SQLite files built here are migrated through the real CLI into a real
 * PostgreSQL, and what PostgreSQL holds is read back as text (`::text`) and compared with the value SQLite stored,
 * never with the copy's own encoder.
 *
 * SQLite applies column affinity on INSERT (https://sqlite.org/datatype3.html#type_affinity), so tables that must
 * hold a storage class their declaration would convert are created untyped, filled, and redeclared
 * (helpers/files.ts redeclare), which leaves the stored values untouched.
 */
import { dirname, join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encodeTable } from "../../src/copy/table-encoder.js";
import { emptyTally } from "../../src/copy/copy-result.js";
import type { ColumnPlan, TablePlan } from "../../src/convert/convert.js";
import { openSqlite, sourceReadError } from "../../src/db/sqlite-source.js";
import { readCatalog } from "../../src/introspect/read-catalog.js";
import { runCli, type CliResult } from "../helpers/cli.js";
import { buildSqliteFile, copyToTemp, CORPUS, redeclare, tempDir } from "../helpers/files.js";
import { createTestDatabase, type TestDatabase } from "../helpers/pg.js";
import type { MigrateSummary } from "../../src/report/summary-types.js";
import type { Decision } from "../../src/core/decisions.js";

/** The summary `--report`/`--json` write: the library's own types, not a copy of them. */
type Summary = MigrateSummary;

const tmp = tempDir("exact-values");
/** Each test migrates with the real CLI (Prisma introspection, plan, read-back): a budget, not a timing claim. */
const SLOW = { timeout: 600_000 };
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

describe("a REAL keeps every digit wherever it lands", SLOW, () => {
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
  }, SLOW.timeout);

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

/** A table `w` of `columns` columns in all: the key, then integers and texts taking turns (short values: PostgreSQL's 8 KB row limit). */
function buildWide(name: string, columns: number, rows: number): string {
  return buildSqliteFile(tmp.dir, name, (d) => {
    const cols = Array.from({ length: columns - 1 }, (_, i) => `c${i} ${i % 2 === 0 ? "INTEGER" : "TEXT"}`);
    d.exec(`CREATE TABLE w (id INTEGER PRIMARY KEY, ${cols.join(", ")})`);
    const insert = d.prepare(`INSERT INTO w VALUES (${Array(columns).fill("?").join(", ")})`);
    for (let r = 1; r <= rows; r++) insert.run(r, ...Array.from({ length: columns - 1 }, (_, i) => (i % 2 === 0 ? BigInt(r * i) : i === 1 ? `a\tb ${r}` : String(r % 10))));
  });
}

describe("wide tables", SLOW, () => {
  it("1600 columns (PostgreSQL's limit) migrate and verify; every value in place", async () => {
    const file = buildWide("wide-1600.db", 1600, 30);
    const db = await newTarget();
    const summary = parseSummary(await migrate(file, db, "wide-1600"));
    expect(summary.ok).toBe(true);
    expect(summary.content).toEqual([expect.objectContaining({ table: "w", ok: true })]);
    const [shape] = await db.query<{ n: string }>("SELECT count(*)::text AS n FROM information_schema.columns WHERE table_name = 'w'");
    expect(shape.n).toBe("1600");
    const rows = await db.query<Record<string, string>>('SELECT id, c0::text, c1, c1596::text, c1597, c1598::text FROM w ORDER BY id');
    expect(rows).toHaveLength(30);
    expect(rows[29]).toEqual({ id: 30, c0: "0", c1: "a\tb 30", c1596: String(30 * 1596), c1597: "0", c1598: String(30 * 1598) });
  });

  it("SQLite spells 1999 columns (next to the rowid: SQLite's 2000 result columns) byte for byte as the row path does", () => {
    // 1999 columns: the row path reads every column plus the rowid, and SQLite returns at most 2000 result columns.
    // PostgreSQL cannot hold such a table (see below), so the plan is made here, not by convert.
    const file = buildWide("wide-1999.db", 1999, 40);
    const source = openSqlite(file);
    try {
      const table = readCatalog(source).tables[0];
      const columns: ColumnPlan[] = table.columns.map((c) =>
        c.declaredType === "TEXT" ? { name: c.name, pgName: c.name, kind: "text", sqlSpelling: "text" } : { name: c.name, pgName: c.name, kind: "bigint", sqlSpelling: "integer" },
      );
      const plan: TablePlan = { name: "w", pgName: "w", columns, keyColumns: ["id"], sequenceFloor: null, rowCount: 40 };
      const run = (rowPathOnly: boolean) => {
        const summary = emptyTally();
        const sink = { problem: () => undefined, reject: () => undefined, progress: () => undefined };
        const bytes = Buffer.concat([...encodeTable(source, { plan, table, pgColumns: null, onError: "stop", rejecting: false, scanOnly: false, hash: false, rowPathOnly }, sink, summary)]);
        return { bytes, summary };
      };
      const fast = run(false);
      const rows = run(true);
      expect(fast.summary.sqlSpelledRows).toBe(40);
      expect(rows.summary.sqlSpelledRows).toBe(0);
      expect(fast.bytes.equals(rows.bytes)).toBe(true);
      const first = fast.bytes.toString().split("\n")[0].split("\t");
      expect([first.length, first[0], first[2], first[1998]]).toEqual([1999, "1", "a\\tb 1", "1"]);
    } finally {
      source.close();
    }
  });

  it("more than 1600 columns: refused before anything is written, naming the table", async () => {
    const file = buildWide("wide-2000.db", 2000, 2);
    const db = await newTarget();
    const res = await migrate(file, db, "wide-2000");
    expect(res.code).toBe(1);
    const error = (JSON.parse(res.stdout) as { error: { code: string; message: string; hint: string } }).error;
    expect(error.code).toBe("TABLE_TOO_WIDE");
    expect(error.message).toContain('"w" (2000 columns)');
    expect(error.hint).toContain("--exclude");
    expect(await db.query("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")).toEqual([]);
  });

  it("a statement SQLite refuses is SQLite's refusal, never 'not a SQLite database'", () => {
    const d = new Database(join(tmp.dir, "deep.db"));
    let cause: unknown;
    try {
      d.prepare(`SELECT ${Array(1200).fill("'x'").join(" || ")}`);
    } catch (err) {
      cause = err;
    } finally {
      d.close();
    }
    expect((cause as { code?: string }).code).toBe("SQLITE_ERROR");
    const err = sourceReadError("deep.db", cause, { stage: "copy", table: "w" });
    expect(err.code).toBe("SOURCE_QUERY");
    expect(err.message).toMatch(/^SQLite refused a query sqlite2pg made on deep\.db \(reading table "w"\): Expression tree is too large/);
    expect(err.message).not.toContain("not a readable SQLite database");
  });
});

describe("DATETIME integers: each value's unit by its magnitude, implausible ones refused", SLOW, () => {
  it("a column mixing unix seconds and milliseconds lands on the right instants, with a decision giving both counts", async () => {
    const file = buildSqliteFile(tmp.dir, "mixed-epochs.db", (d) => {
      d.exec("CREATE TABLE events (id INTEGER PRIMARY KEY, at DATETIME)");
      const insert = d.prepare("INSERT INTO events (id, at) VALUES (?, ?)");
      [1704103200n, 1704103200000n, 1704103200123n, 946684800n, 4102444799n, 100000000000n, -100000000n].forEach((v, i) => insert.run(i + 1, v));
    });
    const db = await newTarget();
    const summary = parseSummary(await migrate(file, db, "mixed-epochs"));
    expect(summary.ok).toBe(true);
    const rows = await db.query<{ at: string }>("SELECT at::text AS at FROM events ORDER BY id");
    expect(rows.map((r) => r.at)).toEqual([
      "2024-01-01 10:00:00",
      "2024-01-01 10:00:00",
      "2024-01-01 10:00:00.123",
      "2000-01-01 00:00:00",
      "2099-12-31 23:59:59",
      "1973-03-03 09:46:40",
      "1966-10-31 14:13:20",
    ]);
    // The same instants as JS computes them from each value's unit (seconds × 1000, or milliseconds).
    const instants = [1704103200e3, 1704103200000, 1704103200123, 946684800e3, 4102444799e3, 100000000000, -100000000e3];
    expect(rows.map((r) => Date.parse(`${r.at.replace(" ", "T")}Z`))).toEqual(instants);
    const epoch = summary.decisions.filter((d) => d.code === "epoch");
    expect(epoch).toHaveLength(1);
    expect(epoch[0]).toMatchObject({ table: "events", column: "at" });
    expect(epoch[0].message).toMatch(/^integers decided one by one by magnitude: 4 read as unix epoch seconds \(below 10\^11\) and 3 as unix epoch milliseconds \(UTC\)/);
  });

  it("integers that are no plausible unix time (2024, 0), or ambiguous between the units, are refused by table, column and row; nothing is written", async () => {
    const file = buildSqliteFile(tmp.dir, "bad-epochs.db", (d) => {
      d.exec("CREATE TABLE stamps (id INTEGER PRIMARY KEY, at DATETIME, note TEXT)");
      const insert = d.prepare("INSERT INTO stamps (id, at) VALUES (?, ?)");
      [1704103200n, 2024n, 0n, 1704103200000n].forEach((v, i) => insert.run(i + 1, v));
      // Beside milliseconds, 5000000000 is 2128-06-11 as seconds or 1970-02-27 as milliseconds.
      d.exec("CREATE TABLE ticks (id INTEGER PRIMARY KEY, at DATETIME)");
      d.prepare("INSERT INTO ticks (id, at) VALUES (1, 1704103200000), (2, 5000000000), (3, 1704103200)").run();
    });
    const db = await newTarget();
    const res = await migrate(file, db, "bad-epochs");
    expect(res.stderr).not.toContain("internal error");
    expect(res.code).toBe(1);
    const error = (JSON.parse(res.stdout) as { error: { code: string; message: string } }).error;
    expect(error.code).toBe("DATA_PROBLEMS");
    expect(error.message).toContain("stamps.at [2]: integer 2024 in a DATETIME column: not a plausible unix time");
    expect(error.message).toContain("stamps.at [3]: integer 0 in a DATETIME column: not a plausible unix time");
    expect(error.message).toContain("ticks.at [2]: integer 5000000000 in a DATETIME column: ambiguous in a column that mixes unix seconds and milliseconds");
    expect(error.message).not.toMatch(/stamps\.at \[[14]\]|ticks\.at \[[13]\]/);
    expect(await db.query("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")).toEqual([]);

    // The override the message names keeps every value as the number it is.
    const kept = await newTarget();
    const summary = parseSummary(await migrate(file, kept, "bad-epochs-kept", ["--type", "stamps.at=BigInt", "--type", "ticks.at=BigInt"]));
    expect(summary.ok).toBe(true);
    const rows = await kept.query<{ at: string }>("SELECT at::text AS at FROM stamps ORDER BY id");
    expect(rows.map((r) => r.at)).toEqual(["1704103200", "2024", "0", "1704103200000"]);
  });
});

describe("nothing changes without a decision", SLOW, () => {
  let file: string;
  let db: TestDatabase;
  let summary: Summary;
  beforeAll(async () => {
    file = buildSqliteFile(tmp.dir, "decided.db", (d) => {
      d.exec("CREATE TABLE docs (id INTEGER PRIMARY KEY, j JSON); CREATE TABLE pages (id INTEGER PRIMARY KEY, body TEXT)");
      const docs = d.prepare("INSERT INTO docs (id, j) VALUES (?, ?)");
      ['{"a":1,"a":2}', '{"b":{"c":1,"c":3}}', '{"x":1}', '[{"k":1,"k":1}]', '{"a":1,"b":2}'].forEach((j, i) => docs.run(i + 1, j));
      // TEXT affinity leaves BLOBs as they are (https://sqlite.org/datatype3.html#type_affinity): text stored as bytes.
      const pages = d.prepare("INSERT INTO pages (id, body) VALUES (?, ?)");
      for (let i = 1; i <= 300; i++) pages.run(i, i % 60 === 0 ? Buffer.from(`{"title": "page ${i}", "ü": "✓"}`, "utf8") : `page ${i}`);
    });
    db = await newTarget();
    summary = parseSummary(await migrate(file, db, "decided"));
  }, SLOW.timeout);

  it("JSON objects with a repeated key: jsonb keeps the last value, and a decision counts the values", async () => {
    const rows = await db.query<{ j: string }>("SELECT j::text AS j FROM docs ORDER BY id");
    expect(rows.map((r) => r.j)).toEqual(['{"a": 2}', '{"b": {"c": 3}}', '{"x": 1}', '[{"k": 1}]', '{"a": 1, "b": 2}']);
    const decided = summary.decisions.filter((d) => d.code === "json-duplicate-keys");
    expect(decided).toEqual([
      {
        table: "docs",
        column: "j",
        code: "json-duplicate-keys",
        message: "3 JSON value(s) hold an object with a repeated key: jsonb keeps only the last value of each key (https://www.postgresql.org/docs/current/datatype-json.html)",
      },
    ]);
  });

  it("BLOBs holding text in a text column: stored as that text, and a decision counts them", async () => {
    const rows = await db.query<{ id: number; body: string }>("SELECT id, body FROM pages ORDER BY id");
    expect(rows).toHaveLength(300);
    for (const r of rows) expect(r.body).toBe(r.id % 60 === 0 ? `{"title": "page ${r.id}", "ü": "✓"}` : `page ${r.id}`);
    expect(summary.decisions.filter((d) => d.code === "text-from-blob")).toEqual([
      { table: "pages", column: "body", code: "text-from-blob", message: "5 BLOB value(s) hold UTF-8 text and are stored as that text (--type pages.body=Bytes keeps them as bytes)" },
    ]);
  });

  it("Grafana's dashboard.data (a BLOB holding the dashboard's JSON in a TEXT column) is such a decision", async () => {
    const grafana = copyToTemp(join(dirname(CORPUS), "realworld", "grafana.db"), tmp.dir);
    const res = await runCli(["plan", grafana, "--out", join(tmp.dir, "plan-grafana"), "--tables", "dashboard", "--json"]);
    expect(res.code, res.stderr).toBe(0);
    const planned = (JSON.parse(res.stdout) as { decisions: Decision[] }).decisions.filter((d) => d.code === "text-from-blob");
    expect(planned).toEqual([
      { table: "dashboard", column: "data", code: "text-from-blob", message: "1 BLOB value(s) hold UTF-8 text and are stored as that text (--type dashboard.data=Bytes keeps them as bytes)" },
    ]);
  });

  it("plan lists the same decisions before anything is written", async () => {
    const res = await runCli(["plan", file, "--out", join(tmp.dir, "plan-decided"), "--json"]);
    expect(res.code, res.stderr).toBe(0);
    const planned = (JSON.parse(res.stdout) as { decisions: Decision[] }).decisions.filter((d) => d.code === "json-duplicate-keys" || d.code === "text-from-blob");
    expect(planned.map((d) => [d.table, d.code, d.message.split(" ")[0]])).toEqual([
      ["docs", "json-duplicate-keys", "3"],
      ["pages", "text-from-blob", "5"],
    ]);
  });
});

describe("a STORED generated column PostgreSQL cannot compute", SLOW, () => {
  it("keeps the values SQLite stored as an ordinary column, with a decision; a portable one is still computed", async () => {
    const file = buildSqliteFile(tmp.dir, "generated.db", (d) => {
      d.exec(`CREATE TABLE orders (id INTEGER PRIMARY KEY, created TEXT, price REAL, qty INTEGER,
        yr TEXT GENERATED ALWAYS AS (strftime('%Y', created)) STORED,
        total REAL GENERATED ALWAYS AS (price * qty) STORED)`);
      const insert = d.prepare("INSERT INTO orders (id, created, price, qty) VALUES (?, ?, ?, ?)");
      insert.run(1, "2024-05-01", 2.5, 4);
      insert.run(2, "1999-12-31", 0.1, 3);
      insert.run(3, null, null, null);
    });
    const db = await newTarget();
    const summary = parseSummary(await migrate(file, db, "generated"));
    expect(summary.ok).toBe(true);
    const rows = await db.query<{ yr: string | null; total: string | null }>("SELECT yr, total::text AS total FROM orders ORDER BY id");
    expect(rows).toEqual([
      { yr: "2024", total: "10" },
      { yr: "1999", total: String(0.1 * 3) },
      { yr: null, total: null },
    ]);
    const generated = await db.query<{ attname: string; attgenerated: string }>(
      "SELECT attname, attgenerated FROM pg_attribute WHERE attrelid = 'orders'::regclass AND attname IN ('yr', 'total') ORDER BY attname",
    );
    expect(generated).toEqual([
      { attname: "total", attgenerated: "s" },
      { attname: "yr", attgenerated: "" },
    ]);
    const kept = summary.decisions.find((d) => d.code === "generated" && d.column === "yr");
    expect(kept?.message).toMatch(/^stored generated column kept as an ordinary column holding the values SQLite stored: PostgreSQL cannot compute it \(expression not portable/);
    expect(kept?.message).toContain("SQLite: yr TEXT GENERATED ALWAYS AS (strftime('%Y', created)) STORED");
  });
});
