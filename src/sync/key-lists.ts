/**
 * Rows picked by a list of keys on each side (`sync` reads and writes only the rows that changed): in SQLite the
 * list is one JSON parameter (json_each, https://sqlite.org/json1.html#jeach); in PostgreSQL, for
 * `COPY (query)`, which takes no parameters, each key column's values are one text[] setting (copy-out.ts).
 */
import { quoteIdent, quoteQualified } from "../core/quote.js";
import { copyOutLines, fieldsOf } from "./copy-out.js";
import { pgRange, type Bound, type KeyColumn } from "./keys.js";
import { copyColumns, hashLine, keyIndexesOf, type TableContext } from "./context.js";

/** SQLite: the rows whose key is one of `keys`, the list passed as one JSON parameter (json_each, https://sqlite.org/json1.html#jeach). */
export function sqliteKeyIn(keys: readonly KeyColumn[], list: readonly Bound[]): { where: string; params: unknown[] } {
  // Integers as JSON numbers (SQLite's JSON reads 64-bit integers exactly), text as JSON strings.
  const json = `[${list.map((k) => `[${k.map((v, i) => (keys[i].kind === "int" ? BigInt(v).toString() : JSON.stringify(v))).join(",")}]`).join(",")}]`;
  const cols = keys.map((k) => (k.kind === "text" ? `${quoteIdent(k.name)} COLLATE BINARY` : quoteIdent(k.name)));
  const picks = keys.map((_k, i) => `json_extract(value, '$[${i}]')`);
  return keys.length === 1
    ? { where: `${cols[0]} IN (SELECT ${picks[0]} FROM json_each(?))`, params: [json] }
    : { where: `(${cols.join(", ")}) IN (SELECT ${picks.join(", ")} FROM json_each(?))`, params: [json] };
}

/** PostgreSQL, for `COPY (query)`: the rows whose key is one of `keys`, each key column's values one text[] setting. */
export async function pgKeyIn(ctx: TableContext, list: readonly Bound[]): Promise<string> {
  const keys = ctx.keys!;
  for (let i = 0; i < keys.length; i++) {
    await ctx.client.query("SELECT set_config($1, $2::text[]::text, true)", [`sqlite2pg_sync.k${i + 1}`, list.map((k) => k[i])]);
  }
  const arr = (i: number): string => `current_setting('sqlite2pg_sync.k${i + 1}')::text[]`;
  const cast = (k: KeyColumn): string => (k.kind === "int" ? "int8" : "text");
  const col = (k: KeyColumn): string => (k.kind === "text" ? `${quoteIdent(k.pgName)} COLLATE "C"` : quoteIdent(k.pgName));
  return keys.length === 1
    ? `${col(keys[0])} = ANY(${arr(0)}::${cast(keys[0])}[])`
    : `(${keys.map(col).join(", ")}) IN (SELECT ${keys.map((k, i) => `u.c${i}::${cast(k)}`).join(", ")} FROM unnest(${keys.map((_k, i) => arr(i)).join(", ")}) AS u(${keys.map((_k, i) => `c${i}`).join(", ")}))`;
}

/** PostgreSQL's lines of the rows with these keys: (COPY key text, sha1 of the line). */
export async function keyedLines(ctx: TableContext, list: readonly Bound[], onLine: (key: string, hash: string) => void): Promise<void> {
  const keyIndexes = keyIndexesOf(ctx.plan)!;
  const where = await pgKeyIn(ctx, list);
  const sql = `COPY (SELECT ${copyColumns(ctx.plan)} FROM ${quoteQualified(ctx.pgSchema, ctx.plan.pgName)} WHERE ${where}) TO STDOUT`;
  await copyOutLines(ctx.client, sql, (line) => onLine(fieldsOf(line, keyIndexes), hashLine(line)));
}

/** PostgreSQL's row count of a range. */
export async function countRange(ctx: TableContext, lo: Bound | null, hi: Bound | null): Promise<number> {
  const range = ctx.keys ? pgRange(ctx.keys, lo, hi) : { where: "true", params: [] };
  const { rows } = await ctx.client.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${quoteQualified(ctx.pgSchema, ctx.plan.pgName)} WHERE ${range.where}`, range.params);
  return Number(rows[0].n);
}
