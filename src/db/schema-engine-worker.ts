/**
 * Worker thread for schema-engine.ts: loads the engine (its module compiled, its driver adapter imported) as soon as
 * it starts, so that a worker started ahead of a request is ready for it; then runs the one request it is sent and
 * posts the result. The thread ends with the request, and with it the engine's WASM memory.
 */
import { parentPort } from "node:worker_threads";
import { Sqlite2pgError } from "../core/errors.js";
import { diffScript, introspectSqlite, preloadEngine } from "./schema-engine-wasm.js";
import type { EngineReply, EngineRequest } from "./schema-engine.js";

async function run(request: EngineRequest): Promise<EngineReply> {
  try {
    if (request.op === "introspect") return { ok: true, value: await introspectSqlite(request.seed, request.baseDirectory, request.call) };
    return { ok: true, value: await diffScript(request.from, request.to, request.call) };
  } catch (err) {
    const e = err instanceof Sqlite2pgError ? err : new Sqlite2pgError(String(err), { code: "PRISMA_ENGINE", kind: "internal", stage: request.call.stage });
    return { ok: false, message: e.message, code: e.code, kind: e.kind, stage: e.stage, hint: e.hint };
  }
}

// A failure to load is reported with the request (which loads again and fails with the reason).
preloadEngine().catch(() => undefined);
parentPort?.once("message", (request: EngineRequest) => {
  void run(request).then((reply) => {
    parentPort?.postMessage(reply);
    // The engine may leave timers behind; the thread's work is done.
    process.exit(0);
  });
});
