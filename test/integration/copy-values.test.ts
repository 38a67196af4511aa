/**
 * Data copy engine, value by value: SQLite files built here (every storage class forced on purpose) are migrated
 * through the real CLI into a real PostgreSQL, and every value is read back exactly (`::text`, `encode(…, 'hex')`)
 * and compared with what SQLite holds.
 *
 * SQLite applies column affinity on INSERT (https://sqlite.org/datatype3.html#type_affinity): text '42' or the real
 * 7.0 bound into an INTEGER column would be stored as the integer 42 / 7. Real files still hold such values (written
 * before a schema change, or by tools that edit the schema), so those tables are created untyped, filled, and then
 * given their declared types by rewriting `sqlite_schema` (PRAGMA writable_schema), which leaves the stored values
 * and their storage classes untouched.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli, type CliResult } from "../helpers/cli.js";
import { buildSqliteFile, redeclare, tempDir } from "../helpers/files.js";
import { createTestDatabase, type TestDatabase } from "../helpers/pg.js";
import type { MigrateSummary } from "../../src/report/summary-types.js";

/** The summary `--report`/`--json` write: the library's own types, not a copy of them. */
type Summary = MigrateSummary;

const tmp = tempDir("copy-values");
const databases: TestDatabase[] = [];
afterAll(async () => {
  for (const db of databases) await db.drop();
  tmp.cleanup();
});

async function newTarget(): Promise<TestDatabase> {
  const db = await createTestDatabase("copyvalues");
  databases.push(db);
  return db;
}

function buildSqlite(name: string, build: (d: Database.Database) => void): string {
  return buildSqliteFile(tmp.dir, name, build);
}


function migrate(file: string, db: TestDatabase, label: string): Promise<CliResult> {
  return runCli(["migrate", file, "--to", db.url, "--out", join(tmp.dir, `out-${label}`), "--yes", "--json"]);
}

function parseSummary(res: CliResult): Summary {
  expect(res.stderr).not.toContain("internal error");
  expect(res.code, res.stderr).toBe(0);
  return JSON.parse(res.stdout) as Summary;
}

/** 70 000 bytes covering every byte value, so the blob spans several COPY chunks. */
const BIG_BLOB = Buffer.from(Array.from({ length: 70_000 }, (_, i) => (i * 7 + (i >> 8)) & 0xff));
const sha256 = (b: Buffer): string => createHash("sha256").update(b).digest("hex");

// Both copy paths: one transaction (--jobs 1) and the parallel build through a staging schema (--jobs 2, 7 tables).
describe.each(["1", "2"] as const)("--jobs %s: every value survives the copy exactly", (jobs) => {
  let db: TestDatabase;
  let summary: Summary;
  let res: CliResult;

  beforeAll(async () => {
    const file = buildSqlite(`values-${jobs}.db`, (d) => {
      d.exec(`
        CREATE TABLE ints (id INTEGER PRIMARY KEY, n, r);
        CREATE TABLE flags (id INTEGER PRIMARY KEY, b BOOLEAN NOT NULL);
        CREATE TABLE times (id INTEGER PRIMARY KEY, ts DATETIME, sec DATETIME, ms DATETIME, d DATE);
        CREATE TABLE docs (id INTEGER PRIMARY KEY, j JSON);
        CREATE TABLE bins (id INTEGER PRIMARY KEY, b BLOB);
        CREATE TABLE texts (id INTEGER PRIMARY KEY, s TEXT);
        CREATE TABLE reals (id INTEGER PRIMARY KEY, f, z);
      `);
      // ints: declared INTEGER below; n holds text and 64-bit extremes, r holds integral REALs.
      const ints = d.prepare("INSERT INTO ints (id, n, r) VALUES (?, ?, ?)");
      ints.run(1, "42", 7.0);
      ints.run(2, 9223372036854775807n, -3.0);
      ints.run(3, -9223372036854775808n, 0.0);
      d.prepare("INSERT INTO ints (id, n, r) VALUES (4, CAST(-17 AS TEXT), CAST(12 AS REAL))").run();
      ints.run(5, null, null);

      const flags = d.prepare("INSERT INTO flags (id, b) VALUES (?, ?)");
      for (const [id, v] of [[1, 0n], [2, 1n], [3, "t"], [4, "f"], [5, "true"], [6, "false"]] as const) flags.run(id, v);

      const times = d.prepare("INSERT INTO times (id, ts, sec, ms, d) VALUES (?, ?, ?, ?, ?)");
      times.run(1, "2024-01-15 10:30:00", 1700000000n, 1700000000123n, "2024-02-29");
      // Before 1970 too; integers below 10^8 are no plausible unix time (exact-values.test.ts).
      times.run(2, "2024-01-15 10:30:00.123456", 946684800n, 946684800000n, "1999-12-31");
      times.run(3, "2024-01-15T10:30:00", -100000000n, -100000000001n, null);
      times.run(4, "2024-01-15T10:30:00Z", null, null, null);
      times.run(5, "2024-01-15T10:30:00+02:00", null, null, null);
      times.run(6, "2024-01-01T01:00:00+02:00", null, null, null);

      const docs = d.prepare("INSERT INTO docs (id, j) VALUES (?, ?)");
      docs.run(1, '{"a": 1, "b": [true, null, "x"]}');
      docs.run(2, String.raw`{"path": "C:\\dir\\file", "tab": "a\tb", "emoji": "🚀", "q": "\"quoted\""}`);
      docs.run(3, "[]");
      docs.run(4, null);

      const bins = d.prepare("INSERT INTO bins (id, b) VALUES (?, ?)");
      bins.run(1, Buffer.from([0x00, 0x01, 0x02, 0xff, 0x5c, 0x09, 0x0a, 0x0d]));
      bins.run(2, Buffer.alloc(0));
      bins.run(3, null);
      bins.run(4, BIG_BLOB);

      const texts = d.prepare("INSERT INTO texts (id, s) VALUES (?, ?)");
      texts.run(1, "");
      texts.run(2, null);
      texts.run(3, "Grüße, 日本語, emoji 🚀 👩‍👩‍👧");
      texts.run(4, "tab\there\nnewline\r\nCRLF back\\slash \"double\" 'single'");
      texts.run(5, "\\N");
      texts.run(6, "\\.");
      texts.run(7, " ");
      texts.run(8, "\uFFFD is a valid character");

      // reals: declared REAL below (REAL affinity on INSERT would store -0.0 as the integer 0); z stays untyped.
      const reals = d.prepare("INSERT INTO reals (id, f, z) VALUES (?, ?, ?)");
      reals.run(1, 1e308, -0.0);
      reals.run(2, -0.0, 0.5);
      reals.run(3, 5e-324, 1e308);
      reals.run(4, 0.1, null);
      reals.run(5, 1.7976931348623157e308, -1.5);

      redeclare(d, "ints", "CREATE TABLE ints (id INTEGER PRIMARY KEY, n INTEGER, r INTEGER)");
      redeclare(d, "reals", "CREATE TABLE reals (id INTEGER PRIMARY KEY, f REAL, z)");
    });
    // The fixture really holds the storage classes under test.
    const check = new Database(file, { readonly: true });
    try {
      expect(check.prepare("SELECT typeof(n) || '/' || typeof(r) FROM ints WHERE id = 1").pluck().get()).toBe("text/real");
      expect(check.prepare("SELECT typeof(b) || length(b) FROM bins WHERE id = 2").pluck().get()).toBe("blob0");
      expect(check.prepare("SELECT typeof(b) FROM flags WHERE id = 3").pluck().get()).toBe("text");
      expect(Object.is(check.prepare("SELECT f FROM reals WHERE id = 2").pluck().get(), -0)).toBe(true);
    } finally {
      check.close();
    }
    db = await newTarget();
    // No --json here (it silences the progress lines that say which path ran): the summary comes from --report.
    const report = join(tmp.dir, `values-${jobs}.json`);
    res = await runCli(["migrate", file, "--to", db.url, "--out", join(tmp.dir, `out-values-${jobs}`), "--yes", "--jobs", jobs, "--report", report]);
    expect(res.stderr).not.toContain("internal error");
    expect(res.code, res.stderr).toBe(0);
    summary = JSON.parse(readFileSync(report, "utf8")) as Summary;
  });

  it("migrates and verifies, on the path asked for", () => {
    if (jobs === "2") expect(res.stderr).toContain("[copy] copying rows and building indexes, 2 tables at a time");
    else expect(res.stderr).not.toContain("tables at a time");
    expect(summary.ok).toBe(true);
    expect(summary.tables.every((t) => t.rejected === 0 && t.skipped === 0)).toBe(true);
  });

  it("INTEGER: integer text, integral reals and both 64-bit extremes (column becomes bigint)", async () => {
    const cols = await db.query<{ column_name: string; data_type: string }>(
      "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'ints' ORDER BY column_name",
    );
    expect(cols).toEqual([
      { column_name: "id", data_type: "integer" },
      { column_name: "n", data_type: "bigint" },
      { column_name: "r", data_type: "integer" },
    ]);
    const rows = await db.query("SELECT id, n::text AS n, r::text AS r FROM ints ORDER BY id");
    expect(rows).toEqual([
      { id: 1, n: "42", r: "7" },
      { id: 2, n: "9223372036854775807", r: "-3" },
      { id: 3, n: "-9223372036854775808", r: "0" },
      { id: 4, n: "-17", r: "12" },
      { id: 5, n: null, r: null },
    ]);
  });

  it("INTEGER: the report does not claim that values the copy accepted will be rejected", () => {
    // '42' and 7.0 are exact integers and were copied; a note saying "the copy will reject them" is wrong.
    const notes = summary.decisions.filter((d) => d.table === "ints");
    for (const n of notes) expect(n.message, `${n.column}: ${n.message}`).not.toMatch(/will reject/);
  });

  it("BOOLEAN: 0/1, 't'/'f' and 'true'/'false'", async () => {
    const rows = await db.query("SELECT id, b::text AS b FROM flags ORDER BY id");
    expect(rows.map((r) => r.b)).toEqual(["false", "true", "true", "false", "true", "false"]);
    const [t] = await db.query("SELECT data_type FROM information_schema.columns WHERE table_name = 'flags' AND column_name = 'b'");
    expect(t.data_type).toBe("boolean");
  });

  it("DATETIME text: plain, microseconds, ISO-8601 with T, with Z, with an offset (converted to UTC)", async () => {
    const rows = await db.query("SELECT id, ts::text AS ts FROM times ORDER BY id");
    expect(rows.map((r) => r.ts)).toEqual([
      "2024-01-15 10:30:00",
      "2024-01-15 10:30:00.123456",
      "2024-01-15 10:30:00",
      "2024-01-15 10:30:00",
      "2024-01-15 08:30:00",
      "2023-12-31 23:00:00", // +02:00 across midnight and the year boundary
    ]);
    const [t] = await db.query(
      "SELECT data_type, datetime_precision FROM information_schema.columns WHERE table_name = 'times' AND column_name = 'ts'",
    );
    expect(t).toEqual({ data_type: "timestamp without time zone", datetime_precision: 6 });
  });

  it("DATETIME text with a UTC offset: the conversion to UTC is reported for the column", () => {
    // The stored local time is changed (10:30+02:00 → 08:30); a reviewer must be told, like every other decision.
    const reported = summary.decisions.filter((d) => d.table === "times" && d.column === "ts");
    expect(reported.some((d) => /UTC|offset|time zone/i.test(d.message)), JSON.stringify(reported)).toBe(true);
  });

  it("DATETIME integers: unix seconds in one column, milliseconds in another, the rule reported per column", async () => {
    const rows = await db.query("SELECT id, sec::text AS sec, ms::text AS ms FROM times WHERE id <= 3 ORDER BY id");
    expect(rows).toEqual([
      { id: 1, sec: "2023-11-14 22:13:20", ms: "2023-11-14 22:13:20.123" },
      { id: 2, sec: "2000-01-01 00:00:00", ms: "2000-01-01 00:00:00" },
      { id: 3, sec: "1966-10-31 14:13:20", ms: "1966-10-31 14:13:19.999" },
    ]);
    const epoch = summary.decisions.filter((d) => d.code === "epoch" && d.table === "times");
    expect(epoch.map((d) => d.column).sort()).toEqual(["ms", "sec"]);
    expect(epoch.find((d) => d.column === "sec")?.message).toMatch(/seconds/);
    expect(epoch.find((d) => d.column === "ms")?.message).toMatch(/milliseconds/);
  });

  it("DATE", async () => {
    const rows = await db.query("SELECT d::text AS d FROM times ORDER BY id");
    expect(rows.map((r) => r.d)).toEqual(["2024-02-29", "1999-12-31", null, null, null, null]);
    const [t] = await db.query("SELECT data_type FROM information_schema.columns WHERE table_name = 'times' AND column_name = 'd'");
    expect(t.data_type).toBe("date");
  });

  it("JSON text → jsonb, escapes and unicode intact", async () => {
    const [t] = await db.query("SELECT data_type FROM information_schema.columns WHERE table_name = 'docs' AND column_name = 'j'");
    expect(t.data_type).toBe("jsonb");
    const rows = await db.query<{ id: number; j: string | null }>("SELECT id, j::text AS j FROM docs ORDER BY id");
    expect(rows).toEqual([
      { id: 1, j: '{"a": 1, "b": [true, null, "x"]}' },
      { id: 2, j: String.raw`{"q": "\"quoted\"", "tab": "a\tb", "path": "C:\\dir\\file", "emoji": "🚀"}` },
      { id: 3, j: "[]" },
      { id: 4, j: null },
    ]);
    const [doc] = await db.query("SELECT j->>'path' AS path, j->>'tab' AS tab, j->>'q' AS q FROM docs WHERE id = 2");
    expect(doc).toEqual({ path: "C:\\dir\\file", tab: "a\tb", q: '"quoted"' });
  });

  it("BLOB → bytea: bytes exact, empty blob is not NULL, NULL stays NULL, a large blob intact", async () => {
    const rows = await db.query(
      "SELECT id, encode(b, 'hex') AS hex, b IS NULL AS isnull, octet_length(b) AS len FROM bins WHERE id <= 3 ORDER BY id",
    );
    expect(rows).toEqual([
      { id: 1, hex: "000102ff5c090a0d", isnull: false, len: 8 },
      { id: 2, hex: "", isnull: false, len: 0 },
      { id: 3, hex: null, isnull: true, len: null },
    ]);
    const [big] = await db.query("SELECT octet_length(b) AS len, encode(sha256(b), 'hex') AS h FROM bins WHERE id = 4");
    expect(big).toEqual({ len: BIG_BLOB.length, h: sha256(BIG_BLOB) });
  });

  it("TEXT: empty string is not NULL; unicode, emoji, tabs, newlines, CR, backslashes, quotes, \\N and \\. literally", async () => {
    const rows = await db.query("SELECT id, s, s IS NULL AS isnull FROM texts ORDER BY id");
    expect(rows).toEqual([
      { id: 1, s: "", isnull: false },
      { id: 2, s: null, isnull: true },
      { id: 3, s: "Grüße, 日本語, emoji 🚀 👩‍👩‍👧", isnull: false },
      { id: 4, s: "tab\there\nnewline\r\nCRLF back\\slash \"double\" 'single'", isnull: false },
      { id: 5, s: "\\N", isnull: false },
      { id: 6, s: "\\.", isnull: false },
      { id: 7, s: " ", isnull: false },
      { id: 8, s: "\uFFFD is a valid character", isnull: false },
    ]);
    const [emoji] = await db.query("SELECT encode(convert_to(s, 'UTF8'), 'hex') AS hex FROM texts WHERE id = 3");
    expect(emoji.hex).toBe(Buffer.from("Grüße, 日本語, emoji 🚀 👩‍👩‍👧", "utf8").toString("hex"));
  });

  it("REAL → float8: 1e308, the largest and smallest doubles, 0.1 and -0 (sign kept)", async () => {
    const [t] = await db.query("SELECT data_type FROM information_schema.columns WHERE table_name = 'reals' AND column_name = 'f'");
    expect(t.data_type).toBe("double precision");
    const rows = await db.query("SELECT id, f::text AS f, z::text AS z FROM reals ORDER BY id");
    expect(rows).toEqual([
      { id: 1, f: "1e+308", z: "-0" },
      { id: 2, f: "-0", z: "0.5" },
      { id: 3, f: "5e-324", z: "1e+308" },
      { id: 4, f: "0.1", z: null },
      { id: 5, f: "1.7976931348623157e+308", z: "-1.5" },
    ]);
  });
});

describe("an integral REAL beyond 32 bits in an INTEGER column", () => {
  it("is copied exactly (the column becomes bigint), not refused as out of range for integer", async () => {
    const file = buildSqlite("big-real.db", (d) => {
      d.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, n)");
      d.prepare("INSERT INTO t (id, n) VALUES (?, ?)").run(1, 3000000000.0);
      d.prepare("INSERT INTO t (id, n) VALUES (?, ?)").run(2, 7.0);
      redeclare(d, "t", "CREATE TABLE t (id INTEGER PRIMARY KEY, n INTEGER)");
    });
    const db = await newTarget();
    const res = await migrate(file, db, "big-real");
    expect(res.stderr).not.toContain("internal error");
    expect(res.code, res.stderr).toBe(0);
    const rows = await db.query("SELECT id, n::text AS n, pg_typeof(n)::text AS type FROM t ORDER BY id");
    expect(rows).toEqual([
      { id: 1, n: "3000000000", type: "bigint" },
      { id: 2, n: "7", type: "bigint" },
    ]);
  });
});
