/**
 * Pairing rows of the two databases (PURE apart from awaiting batches): a sorted-merge join on the primary key
 * when both sides order it alike, else row by row in the order both sides were read (keyless tables: SQLite's
 * rowid order against PostgreSQL's physical order, the order the copy loaded them in).
 */

/** A source of row batches in order; null when exhausted. */
export type Batches<T> = () => Promise<readonly T[] | null>;

export interface PairHandlers<S, P> {
  pair(s: S, p: P): void;
  /** In SQLite only. */
  missing(s: S): void;
  /** In PostgreSQL only. */
  extra(p: P): void;
}

/** `compare(s, p)` < 0 when SQLite's row sorts first; null = pair by position. */
export type KeyCompare<S, P> = ((s: S, p: P) => number) | null;

class Cursor<T> {
  private batch: readonly T[] = [];
  private at = 0;
  private done = false;
  constructor(private readonly next: Batches<T>) {}

  async head(): Promise<T | undefined> {
    while (this.at >= this.batch.length && !this.done) {
      const b = await this.next();
      if (b === null) this.done = true;
      else {
        this.batch = b;
        this.at = 0;
      }
    }
    return this.at < this.batch.length ? this.batch[this.at] : undefined;
  }

  shift(): void {
    this.at++;
  }
}

export async function pairRows<S, P>(source: Batches<S>, target: Batches<P>, compare: KeyCompare<S, P>, on: PairHandlers<S, P>): Promise<void> {
  const src = new Cursor(source);
  const tgt = new Cursor(target);
  for (;;) {
    const s = await src.head();
    const p = await tgt.head();
    if (s === undefined && p === undefined) return;
    const c = s === undefined ? 1 : p === undefined ? -1 : compare === null ? 0 : compare(s, p);
    if (c === 0) {
      on.pair(s!, p!);
      src.shift();
      tgt.shift();
    } else if (c < 0) {
      on.missing(s!);
      src.shift();
    } else {
      on.extra(p!);
      tgt.shift();
    }
  }
}

/** One batch holding the whole array (sample windows). */
export function arrayBatches<T>(rows: readonly T[]): Batches<T> {
  let given = false;
  return async () => {
    if (given) return null;
    given = true;
    return rows;
  };
}

/** A primary-key value as both sides order it: integers by value, text by its UTF-8 bytes. */
export type KeyPart = bigint | Buffer | null;

/** SQLite's BINARY collation and PostgreSQL's "C" both compare text as bytes; NULLs first on both sides. */
export function compareKeyParts(a: readonly KeyPart[], b: readonly KeyPart[]): number {
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    if (x === y) continue;
    if (x === null) return -1;
    if (y === null) return 1;
    if (typeof x === "bigint" && typeof y === "bigint") {
      if (x !== y) return x < y ? -1 : 1;
      continue;
    }
    if (typeof x === "bigint") return -1;
    if (typeof y === "bigint") return 1;
    const c = Buffer.compare(x, y);
    if (c !== 0) return c;
  }
  return 0;
}

/**
 * Sample windows over a key range, merged where they overlap. Each window is the SQLite rows from `lo` to `hi`
 * (inclusive; null = open end), in key order.
 */
export interface Window<R> {
  lo: readonly KeyPart[] | null;
  hi: readonly KeyPart[] | null;
  rows: R[];
}

export function mergeWindows<R>(windows: readonly Window<R>[], keyOf: (r: R) => readonly KeyPart[]): Window<R>[] {
  const lower = (w: Window<R>): readonly KeyPart[] | null => w.lo;
  const sorted = [...windows].sort((a, b) => (lower(a) === null ? -1 : lower(b) === null ? 1 : compareKeyParts(a.lo!, b.lo!)));
  const out: Window<R>[] = [];
  for (const w of sorted) {
    const prev = out[out.length - 1];
    const overlaps = prev !== undefined && (prev.hi === null || w.lo === null || compareKeyParts(w.lo, prev.hi) <= 0);
    if (!overlaps) {
      out.push({ lo: w.lo, hi: w.hi, rows: [...w.rows] });
      continue;
    }
    const rows = [...prev.rows];
    const lastKey = rows.length > 0 ? keyOf(rows[rows.length - 1]) : null;
    for (const r of w.rows) if (lastKey === null || compareKeyParts(keyOf(r), lastKey) > 0) rows.push(r);
    prev.rows = rows;
    prev.hi = prev.hi === null || w.hi === null ? null : compareKeyParts(w.hi, prev.hi) > 0 ? w.hi : prev.hi;
  }
  return out;
}
