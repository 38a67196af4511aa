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
  /** Each of the worker's own messages, after "started". */
  onMessage(message: M): void;
  /**
   * The worker failed or ended after it was kept ("error", a crash, its exit): whatever it has not sent by then
   * will not come. Called on its normal exit too, after its last message: settle only what is still pending.
   */
  onFailure(): void;
}

/**
 * Start the worker and wait for its "started"; the Worker if it started and nobody committed since the snapshot,
 * else null (terminated, nothing of it counts, `onFailure` not called).
 */
export async function startSnapshotWorker<M extends { readonly type: string }>(
  url: URL,
  options: WorkerOptions,
  unchanged: () => boolean,
  handlers: SnapshotWorkerHandlers<M>,
): Promise<Worker | null> {
  const worker = new Worker(url, options);
  let kept = false;
  let failed = false;
  const started = await new Promise<boolean>((resolveStarted) => {
    const fail = (): void => {
      resolveStarted(false);
      if (kept && !failed) {
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
  kept = true;
  return worker;
}
