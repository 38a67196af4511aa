/**
 * The SQLite side of sync's digests on a real SQLite database: ranges cut and digested in one scan
 * (digestRanges, how migrate records a table's first state) give exactly the digests and row sets that
 * digestRange gives for the same bounds (what each later sync pass computes), across statement boundaries; a
 * range whose text holds U+FFFD digests like any other for its unchanged rows.
 */
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import type { TablePlan } from "../../src/convert/convert.js";
import type { SqliteTable } from "../../src/core/catalog.js";
import { digestRange, digestRanges, RANGE_ROWS } from "../../src/sync/source-digest.js";
import type { Bound, KeyColumn } from "../../src/sync/keys.js";
import { keyOffsets, rowKeyValues } from "../../src/values/row-hash.js";

const plan = (columns: string[], keyColumns: string[]): TablePlan =>
  ({ name: "t", pgName: "t", columns: columns.map((name) => ({ name, pgName: name, kind: "text" })), keyColumns, sequenceFloor: null, rowCount: 0 }) as unknown as TablePlan;
const table = { name: "t", withoutRowid: false, columns: [] } as unknown as SqliteTable;

function cutAll(db: Database.Database, p: TablePlan, keys: KeyColumn[], count: number): { lo: Bound | null; rows: number; digest: string }[] {
  const out: { lo: Bound | null; rows: number; digest: string }[] = [];
  let after: Bound | null = null;
  for (;;) {
    const cut = digestRanges(db, table, p, keys, after, count)!;
    out.push(...cut.map((r, j) => ({ lo: out.length + j === 0 ? null : r.lo, rows: r.digest.rows, digest: r.digest.digest })));
    const last = cut[cut.length - 1];
    if (cut.length < count || last.digest.rows < RANGE_ROWS) return out;
    const kinds = keys.map((k) => k.kind);
    after = rowKeyValues(last.digest.rowSet!.keys, keyOffsets(last.digest.rowSet!.keys, kinds, last.digest.rowSet!.rows)[last.digest.rowSet!.rows - 1], kinds);
  }
}

describe("digestRanges", () => {
  it("cuts ranges of RANGE_ROWS rows whose digests equal digestRange's, across statements", () => {
    const db = new Database(":memory:");
    db.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT, n)");
    const ins = db.prepare("INSERT INTO t VALUES (?, ?, ?)");
    const rows = 5 * RANGE_ROWS + 17;
    for (let i = 0; i < rows; i++) ins.run(BigInt(3 * i - 100), i % 97 === 0 ? `bad \uFFFD ${i}` : `v${i}`, i % 3 === 0 ? BigInt(i) : i / 7);
    const keys: KeyColumn[] = [{ name: "id", pgName: "id", kind: "int" }];
    const p = plan(["id", "v", "n"], ["id"]);
    const ranges = cutAll(db, p, keys, 2);
    expect(ranges.map((r) => r.rows)).toEqual([RANGE_ROWS, RANGE_ROWS, RANGE_ROWS, RANGE_ROWS, RANGE_ROWS, 17]);
    ranges.forEach((r, i) => {
      const d = digestRange(db, table, p, keys, r.lo, ranges[i + 1]?.lo ?? null);
      expect({ rows: d.rows, digest: d.digest }).toEqual({ rows: r.rows, digest: r.digest });
    });
    // One changed value changes its range's digest only.
    db.prepare("UPDATE t SET v = 'changed' WHERE id = ?").run(BigInt(3 * (3 * RANGE_ROWS + 5) - 100));
    const after = cutAll(db, p, keys, 4);
    expect(after.map((r, i) => r.digest === ranges[i].digest)).toEqual([true, true, true, false, true, true]);
  });

  it("text and composite keys: byte order, a NUL inside a key", () => {
    const db = new Database(":memory:");
    db.exec("CREATE TABLE t (a TEXT, b INTEGER, v, PRIMARY KEY (a, b)) WITHOUT ROWID");
    const ins = db.prepare("INSERT INTO t VALUES (?, ?, ?)");
    for (let i = 0; i < 3 * RANGE_ROWS; i++) ins.run(`k${i % 50}${i % 7 === 0 ? "\u0000x" : ""}é`, BigInt(i), i % 2 ? null : "x");
    const keys: KeyColumn[] = [{ name: "a", pgName: "a", kind: "text" }, { name: "b", pgName: "b", kind: "int" }];
    const p = plan(["a", "b", "v"], ["a", "b"]);
    const ranges = cutAll(db, p, keys, 1);
    expect(ranges.map((r) => r.rows)).toEqual([RANGE_ROWS, RANGE_ROWS, RANGE_ROWS]);
    ranges.forEach((r, i) => expect(digestRange(db, table, p, keys, r.lo, ranges[i + 1]?.lo ?? null).digest).toBe(r.digest));
  });
});
