/**
 * The schema engine's next worker thread, started ahead of its request (schema-engine.ts). A module of its own, with
 * no imports beyond Node's: the CLI launcher (bin/sqlite2pg.js) starts one for `migrate` and `plan` before it loads
 * the rest of sqlite2pg, so that the thread's imports and the engine's compilation (~150 ms) run on the other core
 * while this thread loads its modules. Unreferenced: an unused spare never keeps the process alive.
 */
import { Worker } from "node:worker_threads";

const WORKER_URL = new URL("./schema-engine-worker.js", import.meta.url);

let spare: Worker | undefined;

/** A new engine thread: it loads the engine, then waits for one request. */
export function startEngineWorker(): Worker {
  const worker = new Worker(WORKER_URL);
  worker.unref();
  return worker;
}

/** Start a worker for the next request now, unless one is waiting already. */
export function prewarmSchemaEngine(): void {
  if (spare === undefined || spare.threadId === -1) spare = startEngineWorker();
}

/** The waiting worker, if any (a thread that has ended is no spare). */
export function takeSpareWorker(): Worker | undefined {
  const worker = spare !== undefined && spare.threadId !== -1 ? spare : undefined;
  spare = undefined;
  return worker;
}
