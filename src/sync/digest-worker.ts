/**
 * Worker thread of a sync pass's digests (digest-helper.ts): digests the spans of some tables on a connection of
 * its own while the main thread digests and diffs the others. It starts its read transaction first and says so;
 * the main thread then checks that nobody committed to the file since the run's snapshot began, and otherwise
 * stops it and digests these tables itself (as the profile's worker, profile/profile-worker.ts).
 */
import { parentPort, workerData } from "node:worker_threads";
import type { TablePlan } from "../convert/convert.js";
import type { SqliteTable } from "../core/catalog.js";
import { openSqlite } from "../db/sqlite-source.js";
import type { Bound, KeyColumn } from "./keys.js";
import { digestRange, type RangeDigest } from "./source-digest.js";

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
}

export type DigestWorkerMessage =
  | { readonly type: "started" }
  /** The digests of the next spans of a table (posted a slice at a time: the worker holds one slice). */
  | { readonly type: "spans"; readonly table: string; readonly digests: readonly RangeDigest[] }
  /** A table is done (off: a key of another storage class was met; the table goes whole). */
  | { readonly type: "table"; readonly table: string; readonly off: boolean }
  | { readonly type: "error"; readonly message: string };

const SLICE = 32;
const input = workerData as DigestWorkerInput;
// Copied, not transferred: a small Buffer may share Node's buffer pool (its memory is not the Buffer's alone).
const post = (m: DigestWorkerMessage): void => parentPort!.postMessage(m);
try {
  const db = openSqlite(input.path);
  db.exec("BEGIN");
  // The first read starts the read transaction (https://sqlite.org/isolation.html).
  db.prepare("SELECT count(*) FROM sqlite_schema").get();
  post({ type: "started" });
  for (const w of input.tables) {
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
