/**
 * Reading and encoding a table in a worker thread (copy-worker.ts), so that with `--jobs N` N tables are encoded
 * on N cores while this thread only moves bytes into COPY. The worker opens its own read-only connection to the
 * SQLite file; it may do so only if that connection sees exactly the run's snapshot. SQLite gives connections no
 * way to share a snapshot, so we check that nobody has committed since the snapshot began: `PRAGMA data_version`
 * on a monitor connection opened before it changes whenever another connection commits
 * (https://sqlite.org/pragma.html#pragma_data_version). The worker starts its read transaction, says so, and
 * only then is the monitor asked: unchanged means the worker's view is the snapshot, for the whole table. If a
 * writer did commit (a live application in WAL mode), the table is read on this thread from the snapshot instead.
 *
 * Back-pressure: at most MAX_IN_FLIGHT chunks (~256 KB each) are between the worker and the COPY stream; the
 * worker blocks on a shared counter (Atomics.wait) until PostgreSQL has taken more.
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import type { EncodeSinks, EncodeSummary, EncodeTableInput } from "./table-encoder.js";

export interface WorkerSource {
  /** The user's SQLite file. */
  readonly path: string;
  /** True while no connection has committed to the file since the snapshot began. */
  unchanged(): boolean;
}

export const MAX_IN_FLIGHT = 8;

type WorkerMessage =
  | { type: "started" }
  | { type: "chunk"; data: Uint8Array }
  | { type: "problem"; problem: Parameters<EncodeSinks["problem"]>[0] }
  | { type: "reject"; row: Parameters<EncodeSinks["reject"]>[0] }
  | { type: "progress"; rows: number }
  | { type: "done"; summary: EncodeSummary }
  | { type: "error"; message: string; code?: string };

const WORKER_URL = new URL("./copy-worker.js", import.meta.url);

/** The worker's chunks and final summary, or null when the table must be read on this thread. */
export async function encodeInWorker(
  source: WorkerSource,
  input: EncodeTableInput,
  sinks: EncodeSinks,
): Promise<{ chunks: AsyncIterable<Buffer>; summary: Promise<EncodeSummary> } | null> {
  // Run from TypeScript sources (tests importing src/), there is no compiled worker next to this file.
  if (!existsSync(fileURLToPath(WORKER_URL))) return null;
  const shared = new SharedArrayBuffer(8);
  const flags = new Int32Array(shared); // [0] chunks in flight, [1] stop
  const worker = new Worker(WORKER_URL, { workerData: { path: source.path, input, shared } });

  const queue: Buffer[] = [];
  let wake: (() => void) | undefined;
  let ended = false;
  let failure: Error | undefined;
  let resolveSummary!: (s: EncodeSummary) => void;
  let rejectSummary!: (e: Error) => void;
  const summary = new Promise<EncodeSummary>((res, rej) => {
    resolveSummary = res;
    rejectSummary = rej;
  });
  summary.catch(() => undefined);
  const notify = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };

  const handle = (m: WorkerMessage): void => {
    switch (m.type) {
      case "started":
        return;
      case "chunk":
        queue.push(Buffer.from(m.data.buffer, m.data.byteOffset, m.data.byteLength));
        break;
      case "problem":
        sinks.problem(m.problem);
        break;
      case "reject":
        sinks.reject(m.row);
        break;
      case "progress":
        sinks.progress(m.rows);
        break;
      case "done":
        ended = true;
        resolveSummary(m.summary);
        break;
      case "error":
        failure = Object.assign(new Error(m.message), m.code ? { code: m.code } : {});
        ended = true;
        rejectSummary(failure);
        break;
    }
    notify();
  };
  // Until the snapshot check has passed, nothing the worker says reaches the sinks (a fallback must not report
  // a problem or a rejected row twice).
  let early: WorkerMessage[] | undefined = [];
  let abandoned = false;
  let onStarted: (ok: boolean) => void = () => undefined;
  const started = new Promise<boolean>((resolve) => (onStarted = resolve));
  worker.on("message", (m: WorkerMessage) => {
    if (abandoned) return;
    if (early === undefined) return handle(m);
    if (m.type === "started") onStarted(true);
    else if (m.type === "error") onStarted(false);
    else early.push(m);
  });
  worker.on("error", (err) => {
    onStarted(false);
    failure ??= err;
    ended = true;
    rejectSummary(failure);
    notify();
  });
  if (!(await started) || !source.unchanged()) {
    abandoned = true;
    await worker.terminate();
    return null;
  }
  const buffered = early;
  early = undefined;
  for (const m of buffered) handle(m);

  async function* chunks(): AsyncGenerator<Buffer> {
    try {
      for (;;) {
        const next = queue.shift();
        if (next !== undefined) {
          Atomics.sub(flags, 0, 1);
          Atomics.notify(flags, 0);
          yield next;
          continue;
        }
        if (failure) throw failure;
        if (ended) return;
        await new Promise<void>((res) => (wake = res));
      }
    } finally {
      if (!ended) {
        // The COPY gave up (an error downstream): stop the worker.
        Atomics.store(flags, 1, 1);
        Atomics.notify(flags, 0);
        await worker.terminate();
      }
    }
  }
  return { chunks: chunks(), summary };
}
