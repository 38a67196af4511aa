/**
 * One table in one sync pass: its ranges' SQLite digests against the recorded ones, each changed range made level
 * (table-diff.ts), what was written read back and compared (touched.ts), and the table's new state — a range
 * grown past twice its size cut again, so a table that keeps growing at its end keeps small ranges.
 */
import type { Bound } from "./keys.js";
import { digestRange, layoutRanges, RANGE_ROWS, type RangeDigest, type RowSet } from "./source-digest.js";
import { readRowSets, writeRanges, type RangeState, type TableState } from "./state.js";
import { diffRange, diffRangesByRows, emptyChange, type RangeChange, type TableContext } from "./table-diff.js";
import { verifyTouched, type TouchedCheck } from "./touched.js";

/** Ranges digested at a time (their row sets in memory at once, the changed ones kept until the state is written). */
const SLICE = 32;

export interface TablePass {
  readonly table: string;
  readonly inserted: number;
  readonly updated: number;
  readonly deleted: number;
  readonly rangesChanged: number;
  readonly ranges: number;
  readonly ms: number;
  /** The verification of the changed ranges; absent when nothing changed. */
  readonly check?: TouchedCheck;
  /** The table's state after the pass (its xids are added by the caller, which knows the transaction). */
  readonly next: TableState;
  /** Rows were written (inserted, updated or deleted). */
  readonly wrote: boolean;
  /** The table was rewritten whole (every row now carries this transaction's id). */
  readonly rewritten: boolean;
}

export interface Span {
  readonly lo: Bound | null;
  readonly hi: Bound | null;
  readonly recorded: RangeState | null;
}

/** What a table needs changed, found without writing (digests, then the changed rows). */
export interface TableDiff {
  readonly ctx: TableContext;
  readonly state: TableState;
  readonly strategy: TableState["strategy"];
  readonly spans: readonly Span[];
  /** Per span its digest (without its row set: only a changed range keeps that, in `changed`). */
  readonly digests: readonly RangeDigest[];
  readonly changed: readonly Changed[];
  /** Time spent on this table: finding the change, then writing it (apply-pass.ts adds to it). */
  ms: number;
  /** The table's ranges after the pass, once recorded (recordRanges). */
  next?: readonly RangeState[];
}

interface Changed {
  readonly span: Span;
  readonly digest: RangeDigest;
  readonly change: RangeChange;
  /** The range's rows now, to record (dropped once recorded). */
  now?: RowSet;
}

/** The spans a pass digests for a table: its recorded ranges, or the whole table as one. */
export function planSpans(ctx: TableContext, state: TableState): { strategy: TableState["strategy"]; ctx: TableContext; spans: Span[] } {
  let spans: Span[] = state.ranges.map((r, i) => ({ lo: r.lo, hi: state.ranges[i + 1]?.lo ?? null, recorded: r }));
  let strategy = state.strategy;
  let c = ctx;
  if (strategy === "ranges" && ctx.keys === null) strategy = "whole";
  if (strategy === "whole") c = { ...ctx, keys: null };
  if (spans.length === 0 || (strategy === "whole" && spans.length !== 1)) spans = [{ lo: null, hi: null, recorded: null }];
  return { strategy, ctx: c, spans };
}

/** `digests`: the spans' digests when another thread computed them (digest-helper.ts), else computed here. */
export async function diffTable(ctx: TableContext, state: TableState, digests: readonly RangeDigest[] | null = null): Promise<TableDiff> {
  const started = performance.now();
  let { strategy, ctx: c, spans } = planSpans(ctx, state);
  let found = await diffSpans(c, spans, digests !== null && digests.length === spans.length ? digests : null);
  if (found === null) {
    // A key SQLite now holds in another storage class would sort elsewhere than in PostgreSQL: the table whole.
    strategy = "whole";
    c = { ...ctx, keys: null };
    spans = [{ lo: null, hi: null, recorded: null }];
    found = (await diffSpans(c, spans, null))!;
  }
  return { ctx: c, state, strategy, spans, digests: found.digests, changed: found.changed, ms: performance.now() - started };
}

/**
 * Each span's digest, a slice of spans at a time, and what each changed one needs: from the row sets recorded
 * with the ranges (read for the slice) when there are some, else by reading the range from both sides. Null: a
 * key of another storage class was met (the caller syncs the table whole).
 */
async function diffSpans(c: TableContext, spans: readonly Span[], given: readonly RangeDigest[] | null): Promise<{ digests: RangeDigest[]; changed: Changed[] } | null> {
  const digests: RangeDigest[] = [];
  const changed: Changed[] = [];
  for (let b = 0; b < spans.length; b += SLICE) {
    const slice = spans.slice(b, b + SLICE).map((span, i) => ({ span, d: given?.[b + i] ?? digestRange(c.source, c.table, c.plan, c.keys, span.lo, span.hi) }));
    if (c.keys !== null && slice.some(({ d }) => d.offClass > 0)) return null;
    const dirty = slice.filter(({ span, d }) => !(span.recorded && span.recorded.digest === d.digest && span.recorded.rows === d.rows));
    const ords = dirty.flatMap(({ span, d }) => (span.recorded?.ord === undefined || !d.rowSet ? [] : [span.recorded.ord]));
    const stored = ords.length > 0 ? await readRowSets(c.client, c.pgSchema, c.plan.name, ords) : new Map<number, RowSet>();
    // Ranges with recorded row sets: merged, their changed rows read together (the first range carries the change).
    const byRows = dirty.flatMap(({ span, d }) => {
      const old = span.recorded?.ord === undefined ? undefined : stored.get(span.recorded.ord);
      return old && d.rowSet ? [{ span, d, old, now: d.rowSet }] : [];
    });
    const merged = byRows.length > 0 ? diffRangesByRows(c, byRows) : null;
    byRows.forEach(({ span, d, now }, i) => changed.push({ span, digest: strip(d), change: i === 0 ? merged! : emptyChange(now.rows), now }));
    for (const { span, d } of dirty) {
      if (byRows.some((x) => x.span === span)) continue;
      const change = await diffRange(c, span.lo, span.hi);
      changed.push({ span, digest: strip(d), change, ...(d.rowSet ? { now: d.rowSet } : {}) });
    }
    digests.push(...slice.map(({ d }) => strip(d)));
  }
  return { digests, changed };
}

const strip = (d: RangeDigest): RangeDigest => ({ rows: d.rows, digest: d.digest, offClass: d.offClass });

/**
 * The table's ranges after the pass (a range grown past twice its size cut again), written to the state in the
 * pass's transaction as soon as the table is diffed, so the changed ranges' row sets are not held until the end
 * (the table's own row, with the transaction ids, is written last: sync.ts recordPass).
 */
export async function recordRanges(diff: TableDiff): Promise<void> {
  const started = performance.now();
  const { ctx: c, spans, digests } = diff;
  const byLo = new Map(diff.changed.map((x) => [x.span, x]));
  const next: RangeState[] = [];
  spans.forEach((span, i) => {
    const d = digests[i];
    const x = byLo.get(span);
    if (!x && span.recorded) {
      next.push(span.recorded);
      return;
    }
    if (c.keys && d.rows > 2 * RANGE_ROWS) {
      const los = [span.lo, ...layoutRanges(c.source, c.plan, c.keys, span.lo, span.hi)];
      los.forEach((lo, j) => {
        const hi = j + 1 < los.length ? los[j + 1] : span.hi;
        const sub = digestRange(c.source, c.table, c.plan, c.keys, lo, hi);
        next.push({ lo, rows: sub.rows, digest: sub.digest, ...(sub.rowSet ? { rowSet: sub.rowSet } : {}) });
      });
    } else next.push({ lo: span.lo, rows: d.rows, digest: d.digest, ...(x?.now ? { rowSet: x.now } : {}) });
  });
  if (diff.changed.length > 0 || diff.strategy !== diff.state.strategy) await writeRanges(c.client, c.pgSchema, { table: diff.state.table, ranges: next });
  for (const x of diff.changed) delete x.now;
  // Every range is now stored under its index (writeRanges numbers them so; recorded ones already were).
  diff.next = next.map((r, i) => ({ lo: r.lo, rows: r.rows, digest: r.digest, ord: i }));
  diff.ms += performance.now() - started;
}

/** After the writes: the changed ranges verified; the table's new state (recordRanges wrote its ranges). */
export async function finishTable(diff: TableDiff): Promise<TablePass> {
  const started = performance.now();
  const c = diff.ctx;
  const next = diff.next!;
  const sum = (f: (x: RangeChange) => number): number => diff.changed.reduce((n, x) => n + f(x.change), 0);
  const inserted = sum((x) => x.inserted);
  const updated = sum((x) => x.updated);
  const deleted = sum((x) => x.deleted);
  const total = next.reduce((n, r) => n + r.rows, 0);
  const check = diff.changed.length > 0 ? await verifyTouched(c, diff.changed.map((x) => ({ lo: x.span.lo, hi: x.span.hi, change: x.change })), total) : undefined;
  return {
    table: c.plan.name,
    inserted,
    updated,
    deleted,
    rangesChanged: diff.changed.length,
    ranges: next.length,
    ms: diff.ms + (performance.now() - started),
    ...(check ? { check } : {}),
    next: { table: diff.state.table, strategy: diff.strategy, rows: total, xids: diff.state.xids, ranges: next },
    wrote: inserted + updated + deleted > 0,
    rewritten: diff.changed.some((x) => x.change.rewrite !== null),
  };
}
