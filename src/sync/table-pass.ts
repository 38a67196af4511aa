/**
 * One table in one sync pass: its ranges' SQLite digests against the recorded ones, each changed range made level
 * (table-diff.ts), what was written read back and compared (touched.ts), and the table's new state — a range
 * grown past twice its size cut again, so a table that keeps growing at its end keeps small ranges.
 */
import type { Bound } from "./keys.js";
import { layoutRanges, rangeDigest, rowDigests, RANGE_ROWS, type RangeDigest } from "./source-digest.js";
import { readRowDigests, storedRows, type RangeState, type RowDigests, type StoredRowDigests, type TableState } from "./state.js";

/** Changed ranges handled at a time (their stored row digests in memory at once). */
const SLICE = 32;
import { diffRange, diffRangeByRows, type RangeChange, type TableContext } from "./table-diff.js";
import { verifyTouched, type TouchedCheck } from "./touched.js";

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

interface Span {
  readonly lo: Bound | null;
  readonly hi: Bound | null;
  readonly recorded: RangeState | null;
}

/** What a table needs changed, found without writing (digests, then the changed ranges read from both sides). */
export interface TableDiff {
  readonly ctx: TableContext;
  readonly state: TableState;
  readonly strategy: TableState["strategy"];
  readonly spans: readonly Span[];
  readonly digests: readonly RangeDigest[];
  readonly changed: readonly { readonly span: Span; readonly digest: RangeDigest; readonly change: RangeChange; readonly now?: StoredRowDigests }[];
  /** Time spent on this table: finding the change, then writing it (apply-pass.ts adds to it). */
  ms: number;
}

export async function diffTable(ctx: TableContext, state: TableState): Promise<TableDiff> {
  const started = performance.now();
  let spans: Span[] = state.ranges.map((r, i) => ({ lo: r.lo, hi: state.ranges[i + 1]?.lo ?? null, recorded: r }));
  let strategy = state.strategy;
  let c = ctx;
  if (strategy === "ranges" && ctx.keys === null) strategy = "whole";
  if (strategy === "whole") c = { ...ctx, keys: null };
  if (spans.length === 0 || (strategy === "whole" && spans.length !== 1)) spans = [{ lo: null, hi: null, recorded: null }];
  let digests = spans.map((s) => rangeDigest(c.source, c.table, c.plan, c.keys, s.lo, s.hi));
  if (strategy === "ranges" && digests.some((d) => d.offClass > 0)) {
    // A key SQLite now holds in another storage class would sort elsewhere than in PostgreSQL: the table whole.
    strategy = "whole";
    c = { ...ctx, keys: null };
    spans = [{ lo: null, hi: null, recorded: null }];
    digests = [rangeDigest(c.source, c.table, c.plan, null, null, null)];
  }
  const changed: { span: Span; digest: RangeDigest; change: RangeChange; now?: StoredRowDigests }[] = [];
  const dirty = spans.map((span, i) => ({ span, d: digests[i] })).filter(({ span, d }) => !(span.recorded && span.recorded.digest === d.digest && span.recorded.rows === d.rows));
  const byRows = strategy === "ranges" && c.keys !== null;
  // Which rows changed: from the row digests recorded with the ranges (read a slice of ranges at a time) when
  // there are some, else by reading the range from both sides.
  for (let b = 0; b < dirty.length; b += SLICE) {
    const slice = dirty.slice(b, b + SLICE);
    const ords = slice.flatMap(({ span }) => (span.recorded?.ord === undefined ? [] : [span.recorded.ord]));
    const stored = byRows && ords.length > 0 ? await readRowDigests(c.client, c.pgSchema, c.plan.name, ords) : new Map<number, RowDigests>();
    for (const { span, d } of slice) {
      const old = span.recorded?.ord === undefined ? undefined : stored.get(span.recorded.ord);
      const now = byRows ? rowDigests(c.source, c.table, c.plan, c.keys!, span.lo, span.hi) : undefined;
      const change = old && now ? diffRangeByRows(c, old, now) : await diffRange(c, span.lo, span.hi);
      changed.push({ span, digest: d, change, ...(now ? { now: storedRows(now) } : {}) });
    }
  }
  return { ctx: c, state, strategy, spans, digests, changed, ms: performance.now() - started };
}

/** After the writes: the changed ranges verified, the new state (a range grown past twice its size cut again). */
export async function finishTable(diff: TableDiff): Promise<TablePass> {
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
        const sub = rowDigests(c.source, c.table, c.plan, c.keys!, lo, hi);
        next.push({ lo, rows: sub.rows, digest: sub.digest, rowDigests: storedRows(sub) });
      });
    } else next.push({ lo: span.lo, rows: d.rows, digest: d.digest, ...(x?.now ? { rowDigests: x.now } : {}) });
  });
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
    next: { table: diff.state.table, strategy: diff.strategy, rows: next.reduce((n, r) => n + r.rows, 0), xids: diff.state.xids, ranges: next },
    wrote: inserted + updated + deleted > 0,
    rewritten: diff.changed.some((x) => x.change.rewrite !== null),
  };
}

