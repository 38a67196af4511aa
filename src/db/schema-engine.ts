/**
 * Prisma's schema engine (`db pull`, `migrate diff`) in a worker thread of this process: the WASM engine
 * (schema-engine-wasm.ts) costs ~150 ms per call (a thread, its imports, the module's compilation) instead of a
 * ~1.5 s Prisma CLI child, and the thread ends with the call, which gives back the WASM memory (it only ever grows,
 * up to ~120 MB for 2000 tables) before the copy. With the pull of a small schema the diff's thread is started
 * too, so that it has loaded by the time the schema is converted.
 * Run from TypeScript sources (tests importing src/) there is no compiled worker: the call runs in this thread.
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Sqlite2pgError, type ErrorKind, type Stage } from "../core/errors.js";
import type { EngineCall, SchemaFile } from "./schema-engine-wasm.js";
import { prewarmSchemaEngine, startEngineWorker, takeSpareWorker } from "./schema-engine-spare.js";

export type { EngineCall, SchemaFile } from "./schema-engine-wasm.js";

export type EngineRequest =
  | { readonly op: "introspect"; readonly seed: SchemaFile; readonly baseDirectory: string; readonly call: EngineCall }
  | { readonly op: "diff"; readonly from: SchemaFile | "empty"; readonly to: SchemaFile; readonly call: Omit<EngineCall, "sqliteUrl"> };

export type EngineReply =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly message: string; readonly code: string; readonly kind: ErrorKind; readonly stage: Stage; readonly hint?: string };

const WORKER_URL = new URL("./schema-engine-worker.js", import.meta.url);


function inWorker(request: EngineRequest): Promise<unknown> {
  const worker = takeSpareWorker() ?? startEngineWorker();
  worker.ref();
  return new Promise((resolve, reject) => {
    let replied = false;
    worker.once("message", (reply: EngineReply) => {
      replied = true;
      if (reply.ok) resolve(reply.value);
      else reject(new Sqlite2pgError(reply.message, { code: reply.code, kind: reply.kind, stage: reply.stage, hint: reply.hint }));
    });
    const failed = (err: unknown): void =>
      reject(new Sqlite2pgError(`prisma ${request.op === "introspect" ? "db pull" : "migrate diff"} failed: ${err instanceof Error ? err.message : String(err)}`, {
        code: "PRISMA_ENGINE",
        kind: request.call.kind,
        stage: request.call.stage,
        cause: err,
      }));
    worker.once("error", failed);
    worker.once("exit", (code) => {
      if (!replied) failed(new Error(`the engine's thread ended (exit ${code})`));
    });
    worker.postMessage(request);
  });
}

const workerBuilt = (): boolean => existsSync(fileURLToPath(WORKER_URL));
/** The engine in this thread (loaded only then: its driver adapter and WASM glue are not needed otherwise). */
const inThread = () => import("./schema-engine-wasm.js");

/**
 * `prisma db pull` of the SQLite file at `call.sqliteUrl` into `seed` (a schema with a datasource and no models).
 * `prewarmDiff`: a diff follows (the baseline, or the check of a user's schema), so its thread starts loading now,
 * beside the pull — for small schemas only, as it holds ~50 MB until it is used.
 */
export async function introspectSqlite(
  seed: SchemaFile,
  baseDirectory: string,
  call: EngineCall,
  prewarmDiff = false,
): Promise<{ schema: string; warnings: string | null }> {
  if (!workerBuilt()) return (await inThread()).introspectSqlite(seed, baseDirectory, call);
  const pulling = inWorker({ op: "introspect", seed, baseDirectory, call }) as Promise<{ schema: string; warnings: string | null }>;
  if (prewarmDiff) prewarmSchemaEngine();
  return pulling;
}

/**
 * `prisma migrate diff --from-… --to-schema-datamodel … --script [--exit-code]`: the SQL that takes `from` (a
 * schema, or nothing) to `to`; `same` is the `--exit-code` answer (exit 0: nothing to do, 2: a difference).
 */
export async function diffScript(from: SchemaFile | "empty", to: SchemaFile, call: Omit<EngineCall, "sqliteUrl">): Promise<{ script: string; same: boolean }> {
  if (!workerBuilt()) return (await inThread()).diffScript(from, to, call);
  return (await inWorker({ op: "diff", from, to, call })) as { script: string; same: boolean };
}
