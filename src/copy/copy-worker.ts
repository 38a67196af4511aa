/**
 * Worker-thread entry of threaded-copy.ts: open the SQLite file read-only, start a read transaction, report
 * "started" (the main thread then checks that this view is the run's snapshot), and stream the table's encoded
 * chunks, problems, rejected rows and progress back. Blocks while MAX_IN_FLIGHT chunks wait for PostgreSQL.
 */
import { parentPort, workerData } from "node:worker_threads";
import { openSqlite } from "../db/sqlite-source.js";
import { emptySummary, encodeTable, type EncodeTableInput } from "./table-encoder.js";
import { MAX_IN_FLIGHT } from "./threaded-copy.js";

const { path, input, shared } = workerData as { path: string; input: EncodeTableInput; shared: SharedArrayBuffer };
const flags = new Int32Array(shared);
const port = parentPort!;

function run(): void {
  const db = openSqlite(path);
  try {
    db.exec("BEGIN");
    db.prepare("SELECT count(*) FROM sqlite_schema").get(); // the first read starts the read transaction
    port.postMessage({ type: "started" });
    const summary = emptySummary();
    const sinks = {
      problem: (problem: unknown) => port.postMessage({ type: "problem", problem }),
      reject: (row: unknown) => port.postMessage({ type: "reject", row }),
      progress: (rows: number) => port.postMessage({ type: "progress", rows }),
    };
    for (const chunk of encodeTable(db, input, sinks, summary)) {
      for (;;) {
        if (Atomics.load(flags, 1) !== 0) return; // the consumer gave up
        const inFlight = Atomics.load(flags, 0);
        if (inFlight < MAX_IN_FLIGHT) break;
        Atomics.wait(flags, 0, inFlight, 1000);
      }
      Atomics.add(flags, 0, 1);
      const data = new Uint8Array(chunk); // a copy with its own ArrayBuffer, which can be transferred
      port.postMessage({ type: "chunk", data }, [data.buffer]);
    }
    port.postMessage({ type: "done", summary });
  } finally {
    db.close();
  }
}

try {
  run();
} catch (err) {
  const e = err as { message?: string; code?: string };
  port.postMessage({ type: "error", message: String(e?.message ?? err), code: e?.code });
}
