/** Key-range windows of the independent check's sample: where they fall in SQLite, and the same ranges in PostgreSQL. */
import type { TablePlan } from "../../convert/convert.js";
import { byteOrdered } from "../../db/pg-columns.js";
import { quoteIdent } from "../../core/quote.js";
import type { SqliteDb } from "../../db/sqlite-source.js";
import { type KeyPart, type Window } from "./pairing.js";

export interface WindowInputs {
  readonly source: SqliteDb;
  readonly plan: TablePlan;
  readonly columns: readonly Column[];
  readonly keyIdx: readonly number[];
  readonly perWindow: number;
  readonly sqliteFrom: string;
  readonly sqliteKeyOrder: (desc: boolean) => string;
  readonly sqliteAll: (sql: string, params?: unknown[]) => SqliteRow[];
}

import { WINDOWS, type Column, type SqliteRow } from "./row-types.js";

/**
 * SQLite's sample windows: the first `perWindow` rows, the last ones, and WINDOWS − 2 windows starting at evenly
 * spaced keys — by value when the first key column holds integers (an index seek each), else by position. Null
 * when a window's bounds cannot be given to PostgreSQL as integers or text.
 */
export function keyRangeWindows(w: WindowInputs): Window<SqliteRow>[] | null {
  const { source, plan, columns, keyIdx, perWindow } = w;
  const q = quoteIdent(plan.name);
  const keyCols = keyIdx.map((i) => quoteIdent(columns[i].name));
  const order = w.sqliteKeyOrder(false);
  const starts: unknown[][] = [];
  const first = columns[keyIdx[0]];
  // Two subqueries, not `SELECT min(k), max(k)`: SQLite reads a single min() or max() off the key's index (or the
  // rowid's b-tree) but scans the whole table for both in one SELECT (https://sqlite.org/optoverview.html#minmax):
  // 10 ms for 150k rows, a full read at any size.
  const range =
    first.target.kind === "int" ? (source.prepare(`SELECT (SELECT min(${keyCols[0]}) FROM ${q}), (SELECT max(${keyCols[0]}) FROM ${q})`).safeIntegers(true).raw(true).get() as unknown[]) : null;
  const byValue = range !== null && typeof range[0] === "bigint" && typeof range[1] === "bigint";
  for (let k = 1; k < WINDOWS - 1; k++) {
    if (byValue) {
      const [lo, hi] = range as [bigint, bigint];
      starts.push([lo + ((hi - lo) * BigInt(k)) / BigInt(WINDOWS - 1)]);
    } else {
      const at = Math.floor((plan.rowCount * k) / (WINDOWS - 1));
      const key = source.prepare(`SELECT ${keyCols.join(", ")} FROM ${q} ORDER BY ${order} LIMIT 1 OFFSET ?`).safeIntegers(true).raw(true).get(at) as unknown[] | undefined;
      if (key) starts.push(key);
    }
  }
  const colsOfStart = byValue ? [keyIdx[0]] : keyIdx;
  const lhs = colsOfStart.map((i) => `${quoteIdent(columns[i].name)}${columns[i].target.kind === "text" ? " COLLATE BINARY" : ""}`);
  const seek = `${w.sqliteFrom} WHERE (${lhs.join(", ")}) >= (${lhs.map(() => "?").join(", ")}) ORDER BY ${order} LIMIT ?`;
  const windows: Window<SqliteRow>[] = [];
  const make = (rows: SqliteRow[], openLo: boolean, openHi: boolean): void => {
    if (rows.length === 0) return;
    windows.push({ lo: openLo ? null : rows[0].key, hi: openHi ? null : rows[rows.length - 1].key, rows });
  };
  make(w.sqliteAll(`${w.sqliteFrom} ORDER BY ${order} LIMIT ?`, [perWindow]), true, false);
  for (const s of starts) make(w.sqliteAll(seek, [...s, perWindow]), false, false);
  make(w.sqliteAll(`${w.sqliteFrom} ORDER BY ${w.sqliteKeyOrder(true)} LIMIT ?`, [perWindow]).reverse(), false, true);
  // Bounds travel to PostgreSQL as parameters: integers as their digits, text as itself.
  const passable = windows.every((x) => [x.lo, x.hi].every((b) => b === null || b.every((p) => p !== null)));
  return passable ? windows : null;
}

/** `WHERE ((k…) >= (lo…) AND (k…) <= (hi…)) OR …` over the windows, the bounds as parameters. */
export function pgBounds(columns: readonly Column[], keyIdx: readonly number[], windows: readonly Window<SqliteRow>[]): { where: string; params: string[] } {
  const lhs = `(${keyIdx.map((i) => byteOrdered(quoteIdent(columns[i].pgName), columns[i].target)).join(", ")})`;
  const params: string[] = [];
  const bound = (b: readonly KeyPart[], op: string): string => {
    const ph = b.map((p) => {
      params.push(typeof p === "bigint" ? p.toString() : (p as Buffer).toString("utf8"));
      return `$${params.length}`;
    });
    return `${lhs} ${op} (${ph.join(", ")})`;
  };
  const ranges: string[] = [];
  for (const w of windows) {
    const conds = [...(w.lo ? [bound(w.lo, ">=")] : []), ...(w.hi ? [bound(w.hi, "<=")] : [])];
    if (conds.length === 0) return { where: "", params: [] }; // one window spans the table
    ranges.push(`(${conds.join(" AND ")})`);
  }
  return { where: ` WHERE ${ranges.join(" OR ")}`, params };
}
