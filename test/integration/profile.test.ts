import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ColumnProfile } from "../../src/core/column-type.js";
import { openSqlite, type SqliteDb } from "../../src/db/sqlite-source.js";
import { readCatalog } from "../../src/introspect/read-catalog.js";
import { type SqliteTable } from "../../src/core/catalog.js";
import { emptyProfile, profileTable } from "../../src/profile/profile.js";

let dir: string;
let db: SqliteDb;
let tables: Map<string, SqliteTable>;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "s2p-profile-"));
  const file = join(dir, "src.db");
  const w = new Database(file);
  w.defaultSafeIntegers(true);
  w.exec(`
    CREATE TABLE "Mixed 'Table'" (
      id INTEGER PRIMARY KEY,
      n,                       -- untyped: keeps every storage class as inserted
      price REAL,
      amount NUMERIC,
      label VARCHAR(20),
      flag BOOLEAN,
      created DATETIME,
      at TEXT,
      data BLOB,
      empty TEXT
    );
    CREATE TABLE empty_table (a INTEGER, b TEXT);
    CREATE TABLE sized (id INTEGER PRIMARY KEY, body TEXT, pic BLOB);
    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000)
      INSERT INTO sized SELECT i, printf('%.100c', 'x'), CASE WHEN i % 2 = 0 THEN zeroblob(50) END FROM n;
  `);
  const ins = w.prepare(
    `INSERT INTO "Mixed 'Table'" (id, n, price, amount, label, flag, created, at, data, empty) VALUES (?,?,?,?,?,?,?,?,?,?)`,
  );
  const rows: unknown[][] = [
    [1n, 5n, 12.5, "123.4500", "héllo", 1n, 1704164645678n, "2024-01-02 03:04:05.123456", Buffer.from([1, 2]), null],
    [2n, "-42", 0.001, 7n, "🎉🎉🎉", 0n, "2024-01-02T03:04:05.678+00:00", "12:30:00.5", Buffer.alloc(0), null],
    [3n, 9223372036854775807n, 1e21, "1.5e3", "tab\there", "true", null, "2024-01-02T03:04:05.120000Z", null, null],
    [4n, "abc", -3.0, "0.000012", "", "f", "2024-01-02", "not a date", null, null],
    [5n, 2.75, 1.5e-7, null, null, null, null, null, null, null],
    [6n, "-9223372036854775808", null, null, "x".repeat(25), null, null, null, null, null],
    [7n, Buffer.from("blob"), null, null, null, null, null, null, null, null],
  ];
  for (const r of rows) ins.run(...r);
  w.close();

  db = openSqlite(file);
  tables = new Map(readCatalog(db).tables.map((t) => [t.name, t]));
});

describe("profiling in batches of rows by rowid", () => {
  it("sees every row once, across batches, sparse rowids and both rowid extremes", () => {
    const file = join(dir, "batches.db");
    const w = new Database(file);
    w.exec("CREATE TABLE b (id INTEGER PRIMARY KEY, n INTEGER)");
    const ins = w.prepare("INSERT INTO b (id, n) VALUES (?, ?)");
    const ids = [-(2n ** 63n), -5n, ...Array.from({ length: 4500 }, (_, i) => BigInt(i * 3 + 1)), 2n ** 63n - 1n];
    w.transaction(() => ids.forEach((id, i) => ins.run(id, BigInt(i))))();
    w.close();
    const r = openSqlite(file);
    const [t] = readCatalog(r).tables;
    const p = profileTable(r, t);
    r.close();
    expect(p.get("id")).toMatchObject({ nonNull: ids.length, minInt: -(2n ** 63n), maxInt: 2n ** 63n - 1n });
    expect(p.get("n")).toMatchObject({ nonNull: ids.length, minInt: 0n, maxInt: BigInt(ids.length - 1) });
  });
});

describe("the catalog's size estimate", () => {
  it("is a sample's average row size times the row count", () => {
    // First 256 rows: 100 text bytes each, ids of 1–3 digits (9·1 + 90·2 + 157·3 = 660), a 50-byte blob every other row.
    const expected = Math.round(((256 * 100 + 660 + 128 * 50) / 256) * 1000);
    expect(tables.get("sized")!.estimatedBytes).toBe(expected);
    expect(tables.get("empty_table")!.estimatedBytes).toBe(0);
  });
});

afterAll(() => {
  db?.close();
  rmSync(dir, { recursive: true, force: true });
});

function profile(table: string): ReadonlyMap<string, ColumnProfile> {
  const t = tables.get(table);
  if (!t) throw new Error(`no table ${table}`);
  return profileTable(db, t);
}

describe("profileTable", () => {
  it("profiles every column in table order, quoting awkward names", () => {
    const p = profile("Mixed 'Table'");
    expect([...p.keys()]).toEqual(["id", "n", "price", "amount", "label", "flag", "created", "at", "data", "empty"]);
  });

  it("counts storage classes and integer extremes (including integer text)", () => {
    const n = profile("Mixed 'Table'").get("n")!;
    expect(n.nonNull).toBe(7);
    expect(n.storage).toEqual({ integer: 2, real: 1, text: 3, blob: 1 });
    expect(n.minInt).toBe(-9223372036854775808n);
    expect(n.maxInt).toBe(9223372036854775807n);
    expect(n.maxIntegerDigits).toBe(19);
    expect(n.maxFractionDigits).toBe(2); // 2.75
    expect(n.booleanLike).toBe(false);
  });

  it("measures the integer primary key", () => {
    const id = profile("Mixed 'Table'").get("id")!;
    expect(id).toMatchObject({ nonNull: 7, minInt: 1n, maxInt: 7n, maxIntegerDigits: 1, maxFractionDigits: 0 });
    expect(id.storage).toEqual({ integer: 7, real: 0, text: 0, blob: 0 });
  });

  it("measures digits of reals from their shortest form", () => {
    const price = profile("Mixed 'Table'").get("price")!;
    expect(price.storage.real).toBe(5);
    // Whole-number REALs (1e21, -3.0) count in the integer range: they convert to an integer column exactly.
    expect(price.minInt).toBe(-3n);
    expect(price.maxInt).toBe(10n ** 21n);
    expect(price.maxIntegerDigits).toBe(22); // 1e21
    expect(price.maxFractionDigits).toBe(8); // 1.5e-7 = 0.00000015
  });

  it("measures digits of NUMERIC affinity values and decimal text", () => {
    const amount = profile("Mixed 'Table'").get("amount")!;
    // NUMERIC affinity turns '123.4500' into REAL 123.45, '1.5e3' into INTEGER 1500, '0.000012' into REAL 1.2e-5
    expect(amount.storage).toEqual({ integer: 2, real: 2, text: 0, blob: 0 });
    expect(amount.minInt).toBe(7n);
    expect(amount.maxInt).toBe(1500n);
    expect(amount.maxIntegerDigits).toBe(4);
    expect(amount.maxFractionDigits).toBe(6);
  });

  it("counts text length in code points", () => {
    const label = profile("Mixed 'Table'").get("label")!;
    expect(label.maxTextLength).toBe(25);
    expect(label.storage.text).toBe(5);
    const p2 = profileTable(db, tables.get("Mixed 'Table'")!);
    expect(p2.get("label")!.maxTextLength).toBe(25);
  });

  it("detects boolean-like columns", () => {
    const p = profile("Mixed 'Table'");
    expect(p.get("flag")!.booleanLike).toBe(true);
    expect(p.get("flag")!.nonNull).toBe(4);
    expect(p.get("created")!.booleanLike).toBe(false);
    expect(p.get("data")!.booleanLike).toBe(false);
  });

  it("measures fractional-second digits of timestamp and time text", () => {
    const p = profile("Mixed 'Table'");
    expect(p.get("at")!.maxSecondFractionDigits).toBe(6);
    expect(p.get("created")!.maxSecondFractionDigits).toBe(3);
    expect(p.get("created")!.storage).toEqual({ integer: 1, real: 0, text: 2, blob: 0 });
  });

  it("handles blobs and all-null columns", () => {
    const p = profile("Mixed 'Table'");
    expect(p.get("data")!.storage.blob).toBe(2);
    // A declared BLOB column's type does not depend on its values: its blobs are not read as text.
    expect(p.get("data")!.binaryBlobs).toBe(0);
    expect(p.get("empty")).toEqual(emptyProfile());
  });

  it("counts the blobs text could not hold where the values decide the type (untyped, unknown names)", () => {
    const w = new Database(":memory:");
    w.defaultSafeIntegers(true);
    w.exec("CREATE TABLE t (u, n MONEY, b BLOB)");
    const ins = w.prepare("INSERT INTO t VALUES (?, ?, ?)");
    // UTF-8 text; a NUL byte; invalid UTF-8 (a lone continuation byte); an empty blob.
    for (const v of [Buffer.from("grüße"), Buffer.from([0x61, 0x00]), Buffer.from([0x80]), Buffer.alloc(0)]) ins.run(v, v, v);
    const [t] = readCatalog(w).tables;
    const p = profileTable(w, t);
    w.close();
    expect(p.get("u")!.binaryBlobs).toBe(2);
    expect(p.get("n")!.binaryBlobs).toBe(2);
    expect(p.get("b")!.binaryBlobs).toBe(0);
    expect(p.get("u")!.storage.blob).toBe(4);
  });

  it("profiles an empty table", () => {
    const p = profile("empty_table");
    expect(p.get("a")).toEqual(emptyProfile());
    expect(p.get("b")).toEqual(emptyProfile());
  });

  it("text digits: counts significant integer digits and written fraction digits", () => {
    const w = new Database(":memory:");
    w.defaultSafeIntegers(true);
    w.exec("CREATE TABLE t (v TEXT)");
    const ins = w.prepare("INSERT INTO t VALUES (?)");
    for (const v of ["007", "0.50", "-12.345e-1", "0.00123e4", ".5"]) ins.run(v);
    const [t] = readCatalog(w).tables;
    const v = profileTable(w, t).get("v")!;
    w.close();
    expect(v.maxIntegerDigits).toBe(2); // 12.3
    expect(v.maxFractionDigits).toBe(4); // 1.2345
    expect(v.minInt).toBe(7n);
    expect(v.maxTextLength).toBe(10);
  });
});
