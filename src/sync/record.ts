/**
 * A table's first state, after `migrate`: cut into ranges of ~RANGE_ROWS rows by key, each range's digest and
 * row set from one scan of SQLite (source-digest.ts), written range slice by range slice (memory stays that of a slice, whatever
 * the table's size), and the ids of the transactions that wrote PostgreSQL's rows (target-guard.ts).
 */
import { quoteQualified } from "../core/quote.js";
import type { Bound } from "./keys.js";
import { countOffClass, digestRange, layoutRanges } from "./source-digest.js";
import { insertRanges, setTableRows, writeTable } from "./state.js";
import type { TableContext } from "./table-diff.js";

const SLICE = 32;

/** Record the table; returns its row count in SQLite's snapshot and in PostgreSQL. */
export async function recordTable(ctx: TableContext): Promise<{ readonly rows: number; readonly pgRows: number }> {
  const { rows: pg } = await ctx.client.query<{ n: string; xids: string[] | null }>(
    `SELECT count(*)::text AS n, array_agg(DISTINCT xmin::text::bigint)::text[] AS xids FROM ${quoteQualified(ctx.pgSchema, ctx.plan.pgName)}`,
  );
  const xids = pg[0].xids ?? [];
  const pgRows = Number(pg[0].n);
  const keys = ctx.keys && countOffClass(ctx.source, ctx.plan, ctx.keys) === 0 ? ctx.keys : null;
  if (keys === null) {
    const d = digestRange(ctx.source, ctx.table, ctx.plan, null, null, null);
    await writeTable(ctx.client, ctx.pgSchema, { table: ctx.plan.name, strategy: "whole", rows: d.rows, xids, ranges: [{ lo: null, rows: d.rows, digest: d.digest }] });
    return { rows: d.rows, pgRows };
  }
  const los: (Bound | null)[] = [null, ...layoutRanges(ctx.source, ctx.plan, keys, null, null)];
  await writeTable(ctx.client, ctx.pgSchema, { table: ctx.plan.name, strategy: "ranges", rows: 0, xids, ranges: [] });
  let rows = 0;
  for (let b = 0; b < los.length; b += SLICE) {
    const slice = los.slice(b, b + SLICE).map((lo, j) => {
      const i = b + j;
      const d = digestRange(ctx.source, ctx.table, ctx.plan, keys, lo, i + 1 < los.length ? los[i + 1] : null);
      rows += d.rows;
      return { ord: i, range: { lo, rows: d.rows, digest: d.digest, ...(d.rowSet ? { rowSet: d.rowSet } : {}) } };
    });
    await insertRanges(ctx.client, ctx.pgSchema, ctx.plan.name, slice);
  }
  await setTableRows(ctx.client, ctx.pgSchema, ctx.plan.name, rows);
  return { rows, pgRows };
}
