/**
 * A worker thread that reads the SQLite file on a connection of its own, for work whose results count only if that
 * connection sees the run's snapshot (the profile's second thread, sync's second digest thread). SQLite cannot hand
 * a snapshot to another connection, so the worker opens its read transaction first and says "started"
 * (openInReadTransaction); then the snapshot's monitor is asked whether anybody committed since the snapshot began
 * (introspect/snapshot.ts unchanged()). Only if not is the worker kept; otherwise it is terminated and the caller
 * does that work itself, as it does when the worker fails at any point.
 */
import { Worker, type WorkerOptions } from "node:worker_threads";

/** What every snapshot worker posts, besides its own messages: "started" once, "error" on failure. */
export type SnapshotWorkerMessage = { readonly type: "started" } | { readonly type: "error"; readonly message: string };

export interface SnapshotWorkerHandlers<M> {
  /** Each of the worker's own messages, after "started" (possibly before startSnapshotWorker has returned). */
  onMessage(message: M): void;
  /**
   * Called once, when the worker fails ("error", a crash) or ends (its exit, after its last message; or its
   * termination when it is not kept): whatever it has not sent by then will not come, so settle only what is
   * still pending. Not gated on the worker being kept: a worker may send everything and exit before the caller
   * has even seen it started.
   */
  onFailure(): void;
}

/**
 * Start the worker and wait for its "started"; the Worker if it started and nobody committed since the snapshot,
 * else null (terminated: nothing of it counts).
 */
export async function startSnapshotWorker<M extends { readonly type: string }>(
  url: URL,
  options: WorkerOptions,
  unchanged: () => boolean,
  handlers: SnapshotWorkerHandlers<M>,
): Promise<Worker | null> {
  const worker = new Worker(url, options);
  let failed = false;
  const started = await new Promise<boolean>((resolveStarted) => {
    const fail = (): void => {
      resolveStarted(false);
      if (!failed) {
        failed = true;
        handlers.onFailure();
      }
    };
    worker.on("message", (m: M | SnapshotWorkerMessage) => {
      if (m.type === "started") resolveStarted(true);
      else if (m.type === "error") fail();
      else handlers.onMessage(m as M);
    });
    worker.on("error", fail);
    worker.on("exit", fail);
  });
  // The worker's read transaction has begun: if nobody committed since the snapshot did, it sees the snapshot.
  if (!started || !unchanged()) {
    void worker.terminate();
    return null;
  }
  return worker;
}
