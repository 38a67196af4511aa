/**
 * Keeps the fast read's garbage from piling up. Each SQLite chunk (sql-chunks.ts) arrives as a Buffer whose memory
 * lives outside V8's heap; the row path made so many small JS strings that young-generation collections ran all
 * the time and freed spent Buffers on the way, but the fast read allocates almost nothing else, and V8 lets
 * external memory grow by about 64 MB before it collects on its own. Measured on the blog benchmark: 52 MB of
 * spent chunk Buffers at peak, RSS 227 MB instead of 163 MB. A young-generation collection (a scavenge, about a
 * millisecond with this heap) every 4 MB of chunks frees them: measured on the blog benchmark (`--verify counts`,
 * two runs each), peak RSS 194–204 MB at every interval from 256 KB to 16 MB against 223–266 MB without; data
 * phase 12.9–13.7 s every 4 MB against 14.5–16.6 s after every 256 KB chunk.
 *
 * `gc` is reached the way Node's own documentation of v8.setFlagsFromString shows for flags set at run time; when
 * that is unavailable the collector does nothing and V8's own heuristics apply.
 */
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

type Gc = (options?: { type?: "minor" | "major" }) => void;

const EVERY_BYTES = 4 * 1024 * 1024;

let gc: Gc | null | undefined;

function findGc(): Gc | null {
  const existing = (globalThis as { gc?: Gc }).gc;
  if (typeof existing === "function") return existing;
  try {
    setFlagsFromString("--expose-gc");
    const fn = runInNewContext("gc") as unknown;
    return typeof fn === "function" ? (fn as Gc) : null;
  } catch {
    return null;
  }
}

/** A function to call with each chunk's size; it runs a scavenge every EVERY_BYTES. */
export function bufferCollector(): (bytes: number) => void {
  let pending = 0;
  return (bytes) => {
    pending += bytes;
    if (pending < EVERY_BYTES) return;
    pending = 0;
    if (gc === undefined) gc = findGc();
    gc?.({ type: "minor" });
  };
}
