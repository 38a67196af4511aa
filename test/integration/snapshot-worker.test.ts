/**
 * The snapshot worker's protocol (src/db/snapshot-worker.ts), with real worker threads running small scripts: a
 * worker counts only once it said "started" and nobody committed since the snapshot; its end or failure is
 * reported exactly once, however early (a worker may send everything and exit before the caller saw it start).
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { startSnapshotWorker } from "../../src/db/snapshot-worker.js";
import { tempDir } from "../helpers/files.js";

const tmp = tempDir("snapshot-worker");
afterAll(() => tmp.cleanup());

function script(name: string, body: string): URL {
  const file = join(tmp.dir, `${name}.mjs`);
  writeFileSync(file, `import { parentPort } from "node:worker_threads";\n${body}\n`);
  return pathToFileURL(file);
}

type Message = { readonly type: "result"; readonly value: number };

function watch() {
  const got: number[] = [];
  let failures = 0;
  let ended!: () => void;
  const end = new Promise<void>((r) => (ended = r));
  return {
    got,
    failures: () => failures,
    end,
    handlers: {
      onMessage: (m: Message) => void got.push(m.value),
      onFailure: () => {
        failures++;
        ended();
      },
    },
  };
}

describe("startSnapshotWorker", () => {
  it("keeps a worker that started while nothing changed: its messages arrive, its exit is reported once", async () => {
    const w = watch();
    const url = script("ok", `parentPort.postMessage({ type: "started" }); parentPort.postMessage({ type: "result", value: 7 });`);
    const worker = await startSnapshotWorker<Message>(url, {}, () => true, w.handlers);
    expect(worker).not.toBeNull();
    await w.end;
    expect(w.got).toEqual([7]);
    expect(w.failures()).toBe(1);
  });

  it("a worker that sends everything and exits at once: its messages and its end both arrive, every time", async () => {
    const url = script("fast", `parentPort.postMessage({ type: "started" }); parentPort.postMessage({ type: "result", value: 3 }); process.exit(0);`);
    for (let i = 0; i < 10; i++) {
      const w = watch();
      const worker = await startSnapshotWorker<Message>(url, {}, () => true, w.handlers);
      await w.end;
      if (worker !== null) expect(w.got).toEqual([3]);
      expect(w.failures()).toBe(1);
    }
  });

  it("drops a worker when somebody committed since the snapshot: null, terminated, no message counted", async () => {
    const w = watch();
    const url = script("slow", `parentPort.postMessage({ type: "started" }); setTimeout(() => parentPort.postMessage({ type: "result", value: 1 }), 200); setTimeout(() => {}, 5000);`);
    let asked = 0;
    const worker = await startSnapshotWorker<Message>(url, {}, () => (asked++, false), w.handlers);
    expect(worker).toBeNull();
    expect(asked).toBe(1);
    await w.end; // its termination, long before its 5 s timer
    await new Promise((r) => setTimeout(r, 400));
    expect(w.got).toEqual([]);
    expect(w.failures()).toBe(1);
  });

  it("a worker that fails before it started (it says error, or throws) is null; unchanged() is not even asked", async () => {
    for (const body of [`parentPort.postMessage({ type: "error", message: "cannot open" });`, `throw new Error("boom");`]) {
      const w = watch();
      let asked = 0;
      const worker = await startSnapshotWorker<Message>(script(`early-${body.length}`, body), {}, () => (asked++, true), w.handlers);
      expect(worker).toBeNull();
      expect(asked).toBe(0);
      await new Promise((r) => setTimeout(r, 200));
      expect(w.failures()).toBe(1);
    }
  });

  it("a failure after it was kept is reported once, whatever follows it", async () => {
    const w = watch();
    const url = script("late", `parentPort.postMessage({ type: "started" }); parentPort.postMessage({ type: "result", value: 2 }); parentPort.postMessage({ type: "error", message: "damaged page" }); setTimeout(() => { throw new Error("after"); }, 50);`);
    const worker = await startSnapshotWorker<Message>(url, {}, () => true, w.handlers);
    expect(worker).not.toBeNull();
    await w.end;
    await new Promise((r) => setTimeout(r, 300));
    expect(w.got).toEqual([2]);
    expect(w.failures()).toBe(1);
  });
});
