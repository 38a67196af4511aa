/**
 * A second thread for a sync pass's digests: digesting SQLite's rows is most of a pass, and the tables are
 * independent, so on a large database a worker thread (digest-worker.ts) digests the tables the pass reaches
 * last while the main thread digests and diffs the first ones. Its digests count only if its connection sees the
 * pass's snapshot: SQLite cannot hand a snapshot to another connection, so once the worker has started its read
 * transaction the snapshot's monitor is asked whether anybody committed since the snapshot began
 * (introspect/snapshot.ts unchanged()); if not, or if the worker fails, the main thread digests those tables
 * itself. The digests are the same whichever thread computes them (source-digest.ts).
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { startSnapshotWorker } from "../db/snapshot-worker.js";
import type { Bound } from "./keys.js";
import type { RangeDigest, RowSet } from "./source-digest.js";
import type { DigestWork, DigestWorkerInput, DigestWorkerMessage } from "./digest-worker.js";

const WORKER_URL = new URL("./digest-worker.js", import.meta.url);

/**
 * Below this many rows in the pass, a worker thread costs more than it saves. `SQLITE2PG_SYNC_PARALLEL_ROWS`
 * changes it so tests exercise the worker on small files (an internal knob, not a user option).
 */
function parallelRows(): number {
  const env = Number(process.env.SQLITE2PG_SYNC_PARALLEL_ROWS);
  return Number.isSafeInteger(env) && env >= 0 ? env : 200_000;
}

export interface DigestHelper {
  /** The tables the worker digests. */
  readonly tables: readonly string[];
  /** The worker's digests of a table it took, once they are there; null: not its table, or it failed (digest it here). */
  digests(table: string): Promise<RangeDigest[] | null>;
  /** Stop the worker (its remaining work is dropped). */
  stop(): void;
}

/**
 * Hand the worker the last tables of `work` (in the order the pass takes them) up to about half of the rows.
 * Null: too little work, no compiled worker (run from TypeScript sources), or the snapshot could not be shared.
 */
export async function startDigestHelper(path: string, work: readonly (DigestWork & { readonly weight: number })[], unchanged: () => boolean): Promise<DigestHelper | null> {
  const helper = await startWorker(path, work, "spans", unchanged);
  if (helper === null) return null;
  return { tables: helper.tables, stop: helper.stop, digests: async (table) => (await helper.results(table))?.map((x) => x.digest) ?? null };
}

/** A ranged table's first ranges (record.ts), cut by the worker: each with its lower bound. */
export interface CutHelper {
  readonly tables: readonly string[];
  /** The table's ranges once the worker has cut them all; null: not its table, or it failed (cut it here). */
  ranges(table: string): Promise<{ readonly lo: Bound; readonly digest: RangeDigest }[] | null>;
  stop(): void;
}

/** As startDigestHelper, for migrate's first state: the worker cuts and digests the last ranged tables of `work`. */
export async function startCutHelper(path: string, work: readonly (DigestWork & { readonly weight: number })[], unchanged: () => boolean): Promise<CutHelper | null> {
  const helper = await startWorker(path, work, "cut", unchanged);
  if (helper === null) return null;
  return { tables: helper.tables, stop: helper.stop, ranges: async (table) => (await helper.results(table))?.map((x) => ({ lo: x.lo!, digest: x.digest })) ?? null };
}

type Result = { readonly lo: Bound | null; readonly digest: RangeDigest };

async function startWorker(
  path: string,
  work: readonly (DigestWork & { readonly weight: number })[],
  mode: DigestWorkerInput["mode"],
  unchanged: () => boolean,
): Promise<{ tables: string[]; results(table: string): Promise<Result[] | null>; stop(): void } | null> {
  const total = work.reduce((n, w) => n + w.weight, 0);
  if (work.length < 2 || total < parallelRows() || !existsSync(fileURLToPath(WORKER_URL))) return null;
  const theirs: DigestWork[] = [];
  let weight = 0;
  for (let i = work.length - 1; i > 0 && weight + work[i].weight <= total / 2 + work[i].weight / 2; i--) {
    theirs.unshift(work[i]);
    weight += work[i].weight;
  }
  if (theirs.length === 0) return null;
  const input: DigestWorkerInput = { path, mode, tables: theirs.map(({ plan, table, keys, spans }) => ({ plan, table, keys, spans })) };
  const waiting = new Map<string, { promise: Promise<Result[] | null>; resolve: (d: Result[] | null) => void; got: Result[] }>();
  for (const w of theirs) {
    let resolve!: (d: Result[] | null) => void;
    const promise = new Promise<Result[] | null>((r) => (resolve = r));
    waiting.set(w.plan.name, { promise, resolve, got: [] });
  }
  // A small young generation: the worker's garbage is short-lived, and its memory adds to the pass's peak.
  const worker = await startSnapshotWorker<DigestWorkerMessage>(WORKER_URL, { workerData: input, resourceLimits: { maxYoungGenerationSizeMb: 8 } }, unchanged, {
    onMessage: (m) => {
      if (m.type === "spans") waiting.get(m.table)?.got.push(...m.digests.map((d) => ({ lo: null, digest: asBuffers(d) })));
      else if (m.type === "cut") waiting.get(m.table)?.got.push(...m.ranges.map((r) => ({ lo: r.lo, digest: asBuffers(r.digest) })));
      else if (m.type === "table") {
        const w = waiting.get(m.table);
        w?.resolve(m.off ? null : w.got);
      }
    },
    onFailure: () => {
      for (const w of waiting.values()) w.resolve(null);
    },
  });
  if (worker === null) return null;
  return {
    tables: theirs.map((w) => w.plan.name),
    results: (table) => waiting.get(table)?.promise ?? Promise.resolve(null),
    stop: () => void worker.terminate(),
  };
}

/** A digest as the structured clone delivers it: its row set's bytes back as Buffers. */
function asBuffers(d: RangeDigest): RangeDigest {
  if (!d.rowSet) return d;
  const buf = (u: Uint8Array): Buffer => Buffer.from(u.buffer, u.byteOffset, u.byteLength);
  const rowSet: RowSet = { rows: d.rowSet.rows, keys: buf(d.rowSet.keys), digests: buf(d.rowSet.digests) };
  return { ...d, rowSet };
}
