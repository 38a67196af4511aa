/**
 * Worker thread of a sync pass's digests (digest-helper.ts): digests the spans of some tables on a connection of
 * its own while the main thread digests and diffs the others. It starts its read transaction first and says so;
 * the main thread then checks that nobody committed to the file since the run's snapshot began, and otherwise
 * stops it and digests these tables itself (as the profile's worker, profile/profile-worker.ts).
 */
import type { SnapshotWorkerMessage } from "../db/snapshot-worker.js";
import { parentPort, workerData } from "node:worker_threads";
import type { TablePlan } from "../convert/convert.js";
import type { SqliteTable } from "../core/catalog.js";
import type { Bound, KeyColumn } from "./keys.js";
import { openInReadTransaction, type SqliteDb } from "../db/sqlite-source.js";
import { keyOffsets, rowKeyValues } from "../values/row-hash.js";
import { digestRange, digestRanges, RANGE_ROWS, type RangeDigest } from "./source-digest.js";

export interface DigestWork {
  readonly plan: TablePlan;
  readonly table: SqliteTable;
  /** The range key; null: the table is one span. */
  readonly keys: readonly KeyColumn[] | null;
  /** Each span, with its recorded digest and rows (a span that still matches them needs no row set back). */
  readonly spans: readonly { readonly lo: Bound | null; readonly hi: Bound | null; readonly digest: string | null; readonly rows: number }[];
}

export interface DigestWorkerInput {
  readonly path: string;
  readonly tables: readonly DigestWork[];
  /** "spans": digest the given spans (a sync pass); "cut": cut each ranged table into ranges and digest them (migrate's first state). */
  readonly mode: "spans" | "cut";
}

export type DigestWorkerMessage =
  | SnapshotWorkerMessage
  /** The digests of the next spans of a table (posted a slice at a time: the worker holds one slice). */
  | { readonly type: "spans"; readonly table: string; readonly digests: readonly RangeDigest[] }
  /** The next ranges of a table cut in "cut" mode, each with its lower bound (its first key). */
  | { readonly type: "cut"; readonly table: string; readonly ranges: readonly { readonly lo: Bound; readonly digest: RangeDigest }[] }
  /** A table is done (off: a key of another storage class was met; the table goes whole). */
  | { readonly type: "table"; readonly table: string; readonly off: boolean };

const SLICE = 32;
const input = workerData as DigestWorkerInput;
// Copied, not transferred: a small Buffer may share Node's buffer pool (its memory is not the Buffer's alone).
const post = (m: DigestWorkerMessage): void => parentPort!.postMessage(m);
try {
  const db = openInReadTransaction(input.path);
  post({ type: "started" });
  if (input.mode === "cut") {
    for (const w of input.tables) cutTable(db, w);
  } else for (const w of input.tables) {
    let slice: RangeDigest[] = [];
    let off = false;
    for (const s of w.spans) {
      const d = digestRange(db, w.table, w.plan, w.keys, s.lo, s.hi);
      if (w.keys !== null && d.offClass > 0) {
        off = true;
        break;
      }
      const same = s.digest === d.digest && s.rows === d.rows;
      slice.push(same || !d.rowSet ? { rows: d.rows, digest: d.digest, offClass: d.offClass } : d);
      if (slice.length === SLICE) {
        post({ type: "spans", table: w.plan.name, digests: slice });
        slice = [];
      }
    }
    if (!off && slice.length > 0) post({ type: "spans", table: w.plan.name, digests: slice });
    post({ type: "table", table: w.plan.name, off });
  }
  db.close();
} catch (err) {
  post({ type: "error", message: err instanceof Error ? err.message : String(err) });
}

/** A ranged table cut and digested SLICE ranges at a time (as record.ts does on the main thread). */
function cutTable(db: SqliteDb, w: DigestWork): void {
  const keys = w.keys!;
  const kinds = keys.map((k) => k.kind);
  let after: Bound | null = null;
  for (;;) {
    const cut = digestRanges(db, w.table, w.plan, keys, after, SLICE);
    if (cut === null) {
      post({ type: "table", table: w.plan.name, off: true });
      return;
    }
    if (cut.length > 0) post({ type: "cut", table: w.plan.name, ranges: cut });
    const last = cut[cut.length - 1];
    if (cut.length < SLICE || !last || last.digest.rows < RANGE_ROWS) break;
    const set = last.digest.rowSet!;
    after = rowKeyValues(set.keys, keyOffsets(set.keys, kinds, set.rows)[set.rows - 1], kinds);
  }
  post({ type: "table", table: w.plan.name, off: false });
}
