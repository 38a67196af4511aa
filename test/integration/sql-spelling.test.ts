/**
 * The copy's fast read (src/copy/sql-chunks.ts: SQLite spells the columns the profile vouches for, a chunk at a
 * time) must hand out exactly the bytes the row path (every value through the JS encoders) hands out, report the
 * same problems and reject the same rows. Each table below is encoded both ways from the same snapshot and the
 * outputs compared byte for byte; the fast read must really have been used where the data allows it.
 * Then a hand-made file with every value class is migrated into real PostgreSQL and checked by the standalone
 * `verify`, whose SQLite side always takes the row path: an independent check of the fast read end to end.
 */
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { ColumnProfile } from "../../src/core/column-type.js";
import { sqlSpellingFor } from "../../src/values/sql-spelling.js";
import { hasExtension } from "../../src/db/sqlite-extension.js";
import { emptyProfile } from "../../src/profile/profile.js";
import { encodeTable } from "../../src/copy/table-encoder.js";
import { emptyTally, type CopyTally } from "../../src/copy/copy-result.js";
import type { DataProblem } from "../../src/core/problems.js";
import type { RejectedRow } from "../../src/copy/rejects.js";
import { openSnapshot, prepareSchema, type PreparedSource } from "../../src/pipeline/prepare.js";
import { runCli } from "../helpers/cli.js";
import { buildSqliteFile, copyToTemp, corpusFile, redeclare, tempDir } from "../helpers/files.js";
import { createTestDatabase, type TestDatabase } from "../helpers/pg.js";

const tmp = tempDir("sql-spelling");
const databases: TestDatabase[] = [];
afterAll(async () => {
  for (const db of databases) await db.drop();
  tmp.cleanup();
});

interface Encoded {
  bytes: Buffer;
  summary: CopyTally;
  problems: DataProblem[];
  rejects: RejectedRow[];
}

/**
 * The table encoded three ways: the fast read escaping text with sqlite2pg's extension (`fast`, what a run uses),
 * the fast read with SQLite's replace() (`core`, what a run without the built extension uses), the row path.
 */
function encodeBoth(prepared: PreparedSource, tableName: string, onError: "stop" | "reject"): { fast: Encoded; core: Encoded; rows: Encoded } {
  const plan = prepared.converted.tables.find((t) => t.name === tableName)!;
  const table = prepared.catalog.tables.find((t) => t.name === tableName)!;
  const run = (rowPathOnly: boolean, coreSqlFunctions = false): Encoded => {
    const problems: DataProblem[] = [];
    const rejects: RejectedRow[] = [];
    const summary = emptyTally();
    const chunks = [
      ...encodeTable(
        prepared.source,
        { plan, table, pgColumns: null, onError, rejecting: onError === "reject", scanOnly: false, hash: true, rowPathOnly, coreSqlFunctions },
        { problem: (p) => problems.push(p), reject: (r) => rejects.push(r), progress: () => undefined },
        summary,
      ),
    ];
    return { bytes: Buffer.concat(chunks), summary, problems, rejects };
  };
  return { fast: run(false), core: run(false, true), rows: run(true) };
}

function expectSame(fast: Encoded, rows: Encoded): void {
  // In "stop" mode nothing is committed once a problem is found: the bytes already sent are rolled back, and the
  // fast read may have sent a few more chunks before reaching the problem than the row path did.
  // Even then, what both sent agrees byte for byte: the shorter output is a prefix of the longer one. Otherwise
  // (no problem, or rejected rows left out of both) the outputs are identical.
  if (fast.problems.length === 0 || fast.rejects.length > 0) expect(fast.bytes.equals(rows.bytes)).toBe(true);
  else {
    const [short, long] = fast.bytes.length <= rows.bytes.length ? [fast.bytes, rows.bytes] : [rows.bytes, fast.bytes];
    expect(long.subarray(0, short.length).equals(short)).toBe(true);
  }
  expect(fast.summary.sentChecksum).toBe(rows.summary.sentChecksum);
  expect({ ...fast.summary, sqlSpelledRows: 0 }).toEqual(rows.summary);
  expect(fast.problems).toEqual(rows.problems);
  expect(fast.rejects).toEqual(rows.rejects);
}

async function prepare(file: string): Promise<PreparedSource> {
  const emit = () => undefined;
  return prepareSchema(await openSnapshot(file, emit), emit);
}


const TEXTS = ["plain", "tab\there", "line\nbreak", "cr\r\nlf", "back\\slash", "\\N", "", "ünï©ødé", "emoji 😀 and 中文", "'quotes' \"double\""];

/** Every class of value the fast read spells, next to columns only the JS encoders spell (float, json, decimal). */
function buildValues(file: string): string {
  return buildSqliteFile(tmp.dir, file, (d) => {
    d.exec(`CREATE TABLE mixed (id INTEGER PRIMARY KEY, n INTEGER, big BIGINT, s TEXT, f REAL, flag BOOLEAN,
      at DATETIME, day DATE, j JSON, raw BLOB, price NUMERIC(10,2), tail VARCHAR(20))`);
    const insert = d.prepare("INSERT INTO mixed VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    const stamps = ["2024-01-02 03:04:05", "2024-02-29 23:59:59.123456", "0001-01-01 00:00:00", "9999-12-31 23:59:59.999999", "2023-06-30 12:00:00.5"];
    const days = ["2024-02-29", "0001-01-01", "9999-12-31"];
    const ints = [0, -1, 2147483647, -2147483648, 42];
    const bigs = [0n, 9223372036854775807n, -9223372036854775808n, 4294967296n];
    const floats = [0.1, -0, 1e308, 5e-324, 3.141592653589793, 12];
    d.exec("BEGIN");
    for (let i = 0; i < 3000; i++) {
      const nulls = i % 7 === 0;
      insert.run(
        i * 3 - 4000,
        nulls ? null : ints[i % ints.length],
        nulls ? null : bigs[i % bigs.length],
        nulls ? null : `${TEXTS[i % TEXTS.length]} #${i}`,
        nulls ? null : floats[i % floats.length],
        nulls ? null : i % 2,
        nulls ? null : stamps[i % stamps.length],
        nulls ? null : days[i % days.length],
        nulls ? null : JSON.stringify({ b: i, a: [TEXTS[i % TEXTS.length], i / 8] }),
        nulls ? null : i % 5 === 0 ? Buffer.alloc(0) : Buffer.from([i & 255, 0, 9, 10, 92, 255]),
        nulls ? null : (i % 1000) / 4,
        nulls ? null : `t${i}`,
      );
    }
    // The rowid extremes bound the chunk ranges.
    insert.run(-9223372036854775808n, 1, 1n, "lowest", 1.5, 1, stamps[0], days[0], "[]", Buffer.from("x"), 1, "lo");
    insert.run(9223372036854775807n, 2, 2n, "highest", 2.5, 0, stamps[1], days[1], "{}", Buffer.from("y"), 2, "hi");
    d.exec("COMMIT");
    // DATETIME as unix epoch integers (Prisma's native engine wrote milliseconds), before 1970 too.
    d.exec("CREATE TABLE stamps_ms (id INTEGER PRIMARY KEY, at DATETIME); CREATE TABLE stamps_s (id INTEGER PRIMARY KEY, at DATETIME)");
    const ms = d.prepare("INSERT INTO stamps_ms (at) VALUES (?)");
    const sec = d.prepare("INSERT INTO stamps_s (at) VALUES (?)");
    // Milliseconds are integers of magnitude ≥ 10^11, seconds from 10^8 to below 10^11; below 10^8 an integer is no
    // plausible unix time (encode.ts epochUnitOf). The negative edges exercise the floor division of milliseconds.
    const edgesMs = [-62135596800000n, 253402300799999n, -100000000001n, 100000000000n, 100000000999n, 100000001000n, -100000001000n, -100000001001n, 1704164645678n, 951782400000n];
    for (const v of edgesMs) ms.run(v);
    for (const v of [-62135596800n, 99999999999n, -100000000n, 100000000n, 1704164645n, 951782400n]) sec.run(v);
    const plausible = (v: bigint, min: bigint): boolean => v >= min || v <= -min;
    for (let i = 0; i < 3000; i++) {
      const m = BigInt(i) * 86_399_997_331n - 62_135_596_800_000n;
      const s = BigInt(i) * 53_399_971n - 62_135_596_800n;
      ms.run(i % 11 === 0 || !plausible(m, 100_000_000_000n) ? null : m);
      sec.run(i % 11 === 0 || !plausible(s, 100_000_000n) ? null : s);
    }
    // Text stored as INTEGER in a TEXT column (SQLite prints it in decimal, as the JS encoder does).
    d.exec("CREATE TABLE loose (id INTEGER PRIMARY KEY, label, note)");
    d.prepare("INSERT INTO loose VALUES (1, 17, 'a'), (2, 'x\ty', NULL), (3, -5, 'c')").run();
    redeclare(d, "loose", "CREATE TABLE loose (id INTEGER PRIMARY KEY, label TEXT, note TEXT)");
  });
}

/** Values the fast read must hand back to the row path: invalid UTF-8, NUL, and text in an integer column. */
function buildBroken(file: string): string {
  return buildSqliteFile(tmp.dir, file, (d) => {
    d.exec("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT, n INTEGER)");
    const insert = d.prepare("INSERT INTO notes VALUES (?, ?, ?)");
    // ~1 KB rows: chunks of ~256 rows, so the fast read resumes after each chunk with a bad row.
    for (let i = 1; i <= 2000; i++) insert.run(i, `note ${i} ${"x".repeat(1000)}`, i);
    d.exec("UPDATE notes SET body = CAST(x'6f6b96' AS TEXT) WHERE id = 700");
    d.exec("UPDATE notes SET body = 'nul' || char(0) || 'inside' WHERE id = 1500");
  });
}

describe("fast read = row path, byte for byte", () => {
  it("spells every value class as the JS encoders do, and is really used", async () => {
    const prepared = await prepare(buildValues("values.db"));
    try {
      // The extension is built by `npm install` (native/build.js); the runs below use it.
      expect(hasExtension(prepared.source)).toBe(true);
      const mixed = prepared.converted.tables.find((t) => t.name === "mixed")!;
      const spelled = Object.fromEntries(mixed.columns.map((c) => [c.name, c.sqlSpelling ?? null]));
      expect(spelled).toEqual({
        id: "integer",
        n: "integer",
        big: "integer",
        s: "text",
        f: null,
        flag: "boolean",
        at: "verbatim",
        day: "verbatim",
        j: null,
        raw: "bytea",
        price: null,
        tail: "text",
      });
      const at = (table: string) => prepared.converted.tables.find((t) => t.name === table)!.columns.find((c) => c.name === "at")!;
      expect([at("stamps_ms").epochUnit, at("stamps_ms").sqlSpelling]).toEqual(["ms", "epoch-ms"]);
      expect([at("stamps_s").epochUnit, at("stamps_s").sqlSpelling]).toEqual(["s", "epoch-s"]);
      for (const name of ["mixed", "loose", "stamps_ms", "stamps_s"]) {
        const { fast, core, rows } = encodeBoth(prepared, name, "stop");
        expectSame(fast, rows);
        expectSame(core, rows);
        expect(fast.summary.sqlSpelledRows).toBe(fast.summary.rows);
        expect(core.summary.sqlSpelledRows).toBe(core.summary.rows);
        expect(rows.summary.sqlSpelledRows).toBe(0);
      }
    } finally {
      await prepared.dispose();
    }
  });

  it("hands chunks with invalid UTF-8 or NUL to the row path: same problems, same rejects", async () => {
    const prepared = await prepare(buildBroken("broken.db"));
    try {
      for (const mode of ["stop", "reject"] as const) {
        const { fast, core, rows } = encodeBoth(prepared, "notes", mode);
        expectSame(fast, rows);
        expectSame(core, rows);
        expect(rows.problems.length + rows.rejects.length).toBe(2);
        // Only the chunks holding the two bad rows went through the row path.
        if (mode === "reject") expect(fast.summary.sqlSpelledRows).toBeGreaterThan(1000);
      }
    } finally {
      await prepared.dispose();
    }
  });

  it.each(["Chinook_Sqlite.sqlite", "sqlite.db", "bad-utf8.db", "type-mismatch.db"])("corpus %s: every table", async (name) => {
    const prepared = await prepare(copyToTemp(corpusFile(name), tmp.dir));
    try {
      let spelled = 0;
      for (const plan of prepared.converted.tables) {
        for (const mode of ["stop", "reject"] as const) {
          const { fast, core, rows } = encodeBoth(prepared, plan.name, mode);
          expectSame(fast, rows);
          expectSame(core, rows);
          spelled += fast.summary.sqlSpelledRows;
        }
      }
      // The two smallest files hold two rows each, one of them the problem: their only chunk takes the row path.
      if (name === "Chinook_Sqlite.sqlite" || name === "sqlite.db") expect(spelled).toBeGreaterThan(0);
    } finally {
      await prepared.dispose();
    }
  });
});

describe("sqlSpellingFor", () => {
  const profile = (storage: Partial<ColumnProfile["storage"]>, extra: Partial<ColumnProfile> = {}): ColumnProfile => ({
    ...emptyProfile(),
    nonNull: 1,
    storage: { integer: 0, real: 0, text: 0, blob: 0, ...storage },
    ...extra,
  });
  it("vouches only for what SQLite spells exactly", () => {
    expect(sqlSpellingFor("int", profile({ integer: 2 }, { minInt: -5n, maxInt: 2147483647n }))).toBe("integer");
    expect(sqlSpellingFor("int", profile({ integer: 2 }, { minInt: -5n, maxInt: 2147483648n }))).toBeNull();
    expect(sqlSpellingFor("int", profile({ integer: 1, text: 1 }, { minInt: 1n, maxInt: 1n }))).toBeNull();
    expect(sqlSpellingFor("bigint", profile({ integer: 1, real: 1 }))).toBeNull();
    expect(sqlSpellingFor("text", profile({ text: 3, integer: 1 }))).toBe("text");
    expect(sqlSpellingFor("text", profile({ text: 3, real: 1 }))).toBeNull();
    expect(sqlSpellingFor("text", profile({ text: 3, blob: 1 }))).toBeNull();
    expect(sqlSpellingFor("boolean", profile({ integer: 2 }, { booleanLike: true }))).toBe("boolean");
    expect(sqlSpellingFor("boolean", profile({ text: 2 }, { booleanLike: true }))).toBeNull();
    expect(sqlSpellingFor("timestamp", profile({ text: 2 }, { canonicalTimestampTexts: 2 }))).toBe("verbatim");
    expect(sqlSpellingFor("timestamp", profile({ text: 2 }, { canonicalTimestampTexts: 1 }))).toBeNull();
    expect(sqlSpellingFor("timestamp", profile({ integer: 2 }))).toBeNull(); // no epoch unit decided
    // The profile counts a DATETIME column's integers by unit (encode.ts epochUnitOf).
    const counted = (seconds: number, millis: number) => ({ seconds, millis, implausible: 2 - seconds - millis, lateSeconds: 0 });
    const epochs = (min: bigint, max: bigint, unit: "s" | "ms") =>
      profile({ integer: 2 }, { minInt: min, maxInt: max, epochIntegers: unit === "s" ? counted(2, 0) : counted(0, 2) });
    expect(sqlSpellingFor("timestamp", epochs(-62135596800000n, 253402300799999n, "ms"), "ms")).toBe("epoch-ms");
    expect(sqlSpellingFor("timestamp", epochs(100000000000n, 253402300800000n, "ms"), "ms")).toBeNull(); // year 10000
    expect(sqlSpellingFor("timestamp", epochs(-62135596800n, 253402300799n, "s"), "s")).toBe("epoch-s");
    expect(sqlSpellingFor("timestamp", epochs(-62135596801n, 100000000n, "s"), "s")).toBeNull(); // year 0
    // Not counted (a --type override): the JS encoder decides.
    expect(sqlSpellingFor("timestamp", profile({ integer: 2 }, { minInt: 100000000n, maxInt: 1704103200n }), "s")).toBeNull();
    const mixed = profile({ integer: 2 }, { minInt: 1704103200n, maxInt: 1704103200000n, epochIntegers: counted(1, 1) });
    expect(sqlSpellingFor("timestamp", mixed, "mixed")).toBeNull(); // decided value by value in JS
    const withZero = profile({ integer: 2 }, { minInt: 0n, maxInt: 1704103200n, epochIntegers: { seconds: 1, millis: 0, implausible: 1, lateSeconds: 0 } });
    expect(sqlSpellingFor("timestamp", withZero, "s")).toBeNull(); // 0 is no plausible unix time: the JS encoder refuses it
    expect(sqlSpellingFor("timestamp", profile({ integer: 2, text: 1 }, { minInt: 100000000000n, maxInt: 100000000001n, epochIntegers: counted(0, 2) }), "ms")).toBeNull();
    expect(sqlSpellingFor("date", profile({ text: 2 }, { canonicalDateTexts: 2 }))).toBe("verbatim");
    expect(sqlSpellingFor("bytes", profile({ blob: 2 }))).toBe("bytea");
    expect(sqlSpellingFor("bytes", profile({ blob: 2, text: 1 }))).toBeNull();
    for (const kind of ["float", "decimal", "json", "time"] as const) expect(sqlSpellingFor(kind, profile({ text: 1, integer: 1 }))).toBeNull();
    expect(sqlSpellingFor("int", undefined)).toBeNull();
  });
});

describe("end to end", () => {
  it("migrates the value-class file into PostgreSQL and the row-path verify finds every row identical", async () => {
    const db = await createTestDatabase("sqlspell");
    databases.push(db);
    const file = buildValues("values-e2e.db");
    const out = join(tmp.dir, "out-e2e");
    const migrated = await runCli(["migrate", file, "--to", db.url, "--out", out, "--yes", "--json"]);
    expect(migrated.code, migrated.stderr).toBe(0);
    const verified = await runCli(["verify", file, "--to", db.url, "--json"]);
    expect(verified.code, verified.stderr + verified.stdout).toBe(0);
    const report = JSON.parse(verified.stdout) as { ok: boolean; tables: { table: string; method: string; ok: boolean; targetRows: number }[] };
    expect(report.ok).toBe(true);
    expect(report.tables.map((t) => [t.table, t.ok, t.method, t.targetRows])).toEqual([
      ["loose", true, "checksum", 3],
      ["mixed", true, "checksum", 3002],
      ["stamps_ms", true, "checksum", 3010],
      ["stamps_s", true, "checksum", 3006],
    ]);
  }, 120_000);
});
