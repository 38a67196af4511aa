/**
 * A table's first state, after `migrate`: cut into ranges of RANGE_ROWS rows by key, the ranges' row sets and
 * digests from one scan of SQLite (source-digest.ts digestRanges, SLICE ranges per statement), written slice by
 * slice (memory stays that of a slice, whatever the table's size), and the ids of the transactions that wrote
 * PostgreSQL's rows (target-guard.ts).
 */
import { quoteQualified } from "../core/quote.js";
import type { Bound, KeyColumn } from "./keys.js";
import { keyOffsets, rowKeyValues } from "../values/row-hash.js";
import { countOffClass, digestRange, digestRanges, RANGE_ROWS, type RangeDigest, type RowSet } from "./source-digest.js";
import { insertRanges, setTableRows, writeTable } from "./state.js";
import type { TableContext } from "./table-diff.js";

const SLICE = 32;

/** The range key a table is recorded by: null when it has none or a key value of another storage class (whole). */
export function recordKeys(ctx: TableContext): readonly KeyColumn[] | null {
  return ctx.keys && countOffClass(ctx.source, ctx.plan, ctx.keys) === 0 ? ctx.keys : null;
}

/**
 * Record the table; returns its row count in SQLite's snapshot and in PostgreSQL. `cut`: its ranges, cut by
 * another thread (digest-helper.ts); else cut here.
 */
export async function recordTable(ctx: TableContext, keys: readonly KeyColumn[] | null, cut: readonly CutRange[] | null = null): Promise<{ readonly rows: number; readonly pgRows: number }> {
  const { rows: pg } = await ctx.client.query<{ n: string; xids: string[] | null }>(
    `SELECT count(*)::text AS n, array_agg(DISTINCT xmin::text::bigint)::text[] AS xids FROM ${quoteQualified(ctx.pgSchema, ctx.plan.pgName)}`,
  );
  const xids = pg[0].xids ?? [];
  const pgRows = Number(pg[0].n);
  if (keys === null) {
    const d = digestRange(ctx.source, ctx.table, ctx.plan, null, null, null);
    await writeTable(ctx.client, ctx.pgSchema, { table: ctx.plan.name, strategy: "whole", rows: d.rows, xids, ranges: [{ lo: null, rows: d.rows, digest: d.digest }] });
    return { rows: d.rows, pgRows };
  }
  await writeTable(ctx.client, ctx.pgSchema, { table: ctx.plan.name, strategy: "ranges", rows: 0, xids, ranges: [] });
  let rows = 0;
  let ord = 0;
  for await (const slice of cut === null ? cutHere(ctx, keys) : inSlices(cut)) {
    // The first range starts at the smallest key (null), so a key inserted below it later still falls in a range.
    const ranges = (slice.length === 0 && ord === 0 ? [{ lo: null, digest: digestRange(ctx.source, ctx.table, ctx.plan, keys, null, null) }] : slice).map((r, j) => {
      const d = r.digest;
      rows += d.rows;
      return { ord: ord + j, range: { lo: ord + j === 0 ? null : r.lo, rows: d.rows, digest: d.digest, ...(d.rowSet ? { rowSet: d.rowSet } : {}) } };
    });
    await insertRanges(ctx.client, ctx.pgSchema, ctx.plan.name, ranges);
    ord += ranges.length;
  }
  await setTableRows(ctx.client, ctx.pgSchema, ctx.plan.name, rows);
  return { rows, pgRows };
}

type CutRange = { readonly lo: Bound | null; readonly digest: RangeDigest };

/** The table's ranges, SLICE at a time, cut here (at least one slice, maybe empty). */
function* cutHere(ctx: TableContext, keys: readonly KeyColumn[]): Generator<readonly CutRange[]> {
  let after: Bound | null = null;
  for (;;) {
    const cut = digestRanges(ctx.source, ctx.table, ctx.plan, keys, after, SLICE);
    if (cut === null) throw new Error(`sync: a key of "${ctx.plan.name}" changed storage class within the snapshot`);
    yield cut;
    const last = cut[cut.length - 1];
    if (cut.length < SLICE || !last || last.digest.rows < RANGE_ROWS) return;
    after = lastKey(last.digest.rowSet!, keys);
  }
}

function* inSlices(cut: readonly CutRange[]): Generator<readonly CutRange[]> {
  if (cut.length === 0) yield [];
  for (let b = 0; b < cut.length; b += SLICE) yield cut.slice(b, b + SLICE);
}

/** The last key of a row set, as a bound. */
function lastKey(set: RowSet, keys: readonly KeyColumn[]): Bound {
  const kinds = keys.map((k) => k.kind);
  return rowKeyValues(set.keys, keyOffsets(set.keys, kinds, set.rows)[set.rows - 1], kinds);
}
