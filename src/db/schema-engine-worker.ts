/**
 * Worker thread for schema-engine.ts: runs one schema-engine request (schema-engine-wasm.ts) and posts its result.
 * The thread ends with the request, and with it the engine's WASM memory.
 */
import { parentPort, workerData } from "node:worker_threads";
import { Sqlite2pgError } from "../core/errors.js";
import { diffScript, introspectSqlite } from "./schema-engine-wasm.js";
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

parentPort?.postMessage(await run(workerData as EngineRequest));
