/**
 * How `sync` cuts a table into key ranges, and the SQL that selects one range on each side.
 *
 * A range is `lo ≤ key < hi` in primary-key order. Both databases must agree on which rows a range holds, so a
 * table is cut into ranges only when its key columns order the same way in SQLite and PostgreSQL: integers
 * (int2/int4/int8 in PostgreSQL), and text compared byte by byte — SQLite's BINARY collation
 * (https://sqlite.org/datatype3.html#collation) is memcmp of UTF-8, as is PostgreSQL's "C" collation
 * (https://www.postgresql.org/docs/current/collation.html). Any other key (timestamps, decimals, uuid, char(n),
 * or no key at all) makes the whole table one range.
 */
import type { TablePlan } from "../convert/convert.js";
import type { PgColumn } from "../db/pg-columns.js";
import { quoteIdent } from "../core/quote.js";

/** A range's lower bound: the key's values as text (integers in decimal). */
export type Bound = readonly string[];

export interface KeyColumn {
  readonly name: string;
  readonly pgName: string;
  readonly kind: "int" | "text";
}

export type Strategy = "ranges" | "whole";

const INT_TYPES = new Set(["int2", "int4", "int8"]);
const TEXT_TYPES = new Set(["text", "varchar"]);

/** The key columns a table is ranged by, or null: the whole table is one range. */
export function rangeKey(plan: TablePlan, pgColumns: ReadonlyMap<string, PgColumn> | null): KeyColumn[] | null {
  if (plan.keyColumns.length === 0 || pgColumns === null) return null;
  const out: KeyColumn[] = [];
  for (const name of plan.keyColumns) {
    const c = plan.columns.find((x) => x.name === name);
    const pg = c ? pgColumns.get(c.pgName) : undefined;
    if (!c || !pg) return null;
    if ((c.kind === "int" || c.kind === "bigint") && INT_TYPES.has(pg.typname)) out.push({ name, pgName: c.pgName, kind: "int" });
    else if (c.kind === "text" && TEXT_TYPES.has(pg.typname)) out.push({ name, pgName: c.pgName, kind: "text" });
    else return null;
  }
  return out;
}

/** A condition and its parameters for one side. */
export interface RangeSql {
  readonly where: string;
  readonly params: unknown[];
}

/** SQLite: `lo ≤ key < hi` (either bound may be open), compared as BINARY. */
export function sqliteRange(keys: readonly KeyColumn[], lo: Bound | null, hi: Bound | null): RangeSql {
  const cols = keys.map((k) => (k.kind === "text" ? `${quoteIdent(k.name)} COLLATE BINARY` : quoteIdent(k.name)));
  const tuple = cols.length === 1 ? cols[0] : `(${cols.join(", ")})`;
  const marks = keys.length === 1 ? "?" : `(${keys.map(() => "?").join(", ")})`;
  const value = (b: Bound): unknown[] => keys.map((k, i) => (k.kind === "int" ? BigInt(b[i]) : b[i]));
  const parts: string[] = [];
  const params: unknown[] = [];
  if (lo) {
    parts.push(`${tuple} >= ${marks}`);
    params.push(...value(lo));
  }
  if (hi) {
    parts.push(`${tuple} < ${marks}`);
    params.push(...value(hi));
  }
  return { where: parts.length === 0 ? "1" : parts.join(" AND "), params };
}

/** SQLite: `key > after` (null: every row), compared as BINARY. */
export function sqliteAfter(keys: readonly KeyColumn[], after: Bound | null): RangeSql {
  if (after === null) return { where: "1", params: [] };
  const cols = keys.map((k) => (k.kind === "text" ? `${quoteIdent(k.name)} COLLATE BINARY` : quoteIdent(k.name)));
  const tuple = cols.length === 1 ? cols[0] : `(${cols.join(", ")})`;
  const marks = keys.length === 1 ? "?" : `(${keys.map(() => "?").join(", ")})`;
  return { where: `${tuple} > ${marks}`, params: keys.map((k, i) => (k.kind === "int" ? BigInt(after[i]) : after[i])) };
}

/** SQLite ORDER BY for the key (BINARY for text). */
export function sqliteOrder(keys: readonly KeyColumn[]): string {
  return keys.map((k) => (k.kind === "text" ? `${quoteIdent(k.name)} COLLATE BINARY` : quoteIdent(k.name))).join(", ");
}

/** Rows whose key values have another storage class than the range order assumes (they would sort elsewhere). */
export function sqliteOffClass(keys: readonly KeyColumn[]): string {
  return keys.map((k) => `typeof(${quoteIdent(k.name)}) <> '${k.kind === "int" ? "integer" : "text"}'`).join(" OR ");
}

/**
 * PostgreSQL: the same range, compared in the "C" collation. `mark(n)` spells parameter n (1-based): `$n` for a
 * statement, a setting read back for `COPY (query)`, which takes no parameters (copy-out.ts).
 */
export function pgRange(keys: readonly KeyColumn[], lo: Bound | null, hi: Bound | null, mark: (n: number) => string = (n) => `$${n}`): RangeSql {
  const cols = keys.map((k) => (k.kind === "text" ? `${quoteIdent(k.pgName)} COLLATE "C"` : quoteIdent(k.pgName)));
  const tuple = cols.length === 1 ? cols[0] : `(${cols.join(", ")})`;
  let n = 1;
  const marks = (): string => {
    const m = keys.map((k) => `${mark(n++)}::${k.kind === "int" ? "int8" : "text"}`);
    return m.length === 1 ? m[0] : `(${m.join(", ")})`;
  };
  const parts: string[] = [];
  const params: unknown[] = [];
  if (lo) {
    parts.push(`${tuple} >= ${marks()}`);
    params.push(...lo);
  }
  if (hi) {
    parts.push(`${tuple} < ${marks()}`);
    params.push(...hi);
  }
  return { where: parts.length === 0 ? "true" : parts.join(" AND "), params };
}

/** PostgreSQL ORDER BY for the key ("C" for text). */
export function pgOrder(keys: readonly KeyColumn[]): string {
  return keys.map((k) => (k.kind === "text" ? `${quoteIdent(k.pgName)} COLLATE "C"` : quoteIdent(k.pgName))).join(", ");
}

/** `[lo, hi)` for messages. */
export function describeRange(keys: readonly KeyColumn[] | null, lo: Bound | null, hi: Bound | null): string {
  if (keys === null) return "the whole table (no key to range it by)";
  const name = keys.length === 1 ? keys[0].name : `(${keys.map((k) => k.name).join(", ")})`;
  const value = (v: string, i: number): string => (keys[i].kind === "int" ? v : JSON.stringify(v));
  const show = (b: Bound): string => (b.length === 1 ? value(b[0], 0) : `(${b.map(value).join(", ")})`);
  if (!lo && !hi) return `every ${name}`;
  if (!lo) return `${name} < ${show(hi!)}`;
  if (!hi) return `${name} ≥ ${show(lo)}`;
  return `${show(lo)} ≤ ${name} < ${show(hi)}`;
}
