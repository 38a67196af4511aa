/**
 * Prisma's schema engine, in the calling thread: the WASM build that prisma 6.19.3's CLI itself runs with
 * `engine: "js"` (`@prisma/schema-engine-wasm` at the engine commit prisma 6.19.3 ships, c2990dca; its `.wasm` is
 * byte for byte the CLI's `build/schema_engine_bg.wasm`). The introspection (`db pull`) and the migration
 * (`migrate diff`) stay Prisma's own; what goes is a Node start and a WASM load per command (~1.5 s each): the module
 * compiles in ~25 ms and an engine costs ~50 ms. schema-engine.ts runs this in a worker thread, so that the WASM
 * memory (which only grows: ~60 MB fixed, ~60 MB more for 2000 tables) is given back when the call is done.
 *
 * The engine talks to a database only through a driver adapter (https://www.prisma.io/docs/orm/overview/databases/database-drivers),
 * wrapped by Prisma's `bindMigrationAwareSqlAdapterFactory` as the CLI does: it turns the adapter's exceptions into
 * the result values the engine expects.
 */
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { bindMigrationAwareSqlAdapterFactory } from "@prisma/driver-adapter-utils";
import type { DiffParams, DiffTarget, IntrospectResult, SchemaEngine } from "@prisma/schema-engine-wasm";
import { Sqlite2pgError, type ErrorKind, type Stage } from "../core/errors.js";
import { redact } from "../core/redact.js";

const require = createRequire(import.meta.url);

type Bindings = typeof import("@prisma/schema-engine-wasm/schema_engine_bg");

let bindings: Promise<Bindings> | undefined;

/** The part of the WebAssembly JS API used here (its types live in TypeScript's DOM library, not in @types/node). */
interface WasmApi {
  compile(bytes: Uint8Array): Promise<object>;
  instantiate(module: object, imports: Record<string, object>): Promise<{ exports: Record<string, unknown> }>;
}
const wasmApi = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

/**
 * The bindings' own entry point imports the `.wasm` file as an ES module, which Node 20 does not do without a flag
 * (https://nodejs.org/api/esm.html#wasm-modules): instantiate it here instead, wired to its generated JS glue the way
 * wasm-bindgen's bundler target expects (the import namespace is named after the glue file).
 */
async function loadBindings(): Promise<Bindings> {
  const glue = (await import("@prisma/schema-engine-wasm/schema_engine_bg")) as Bindings & {
    __wbg_set_wasm(exports: Record<string, unknown>): void;
  };
  const wasmPath = join(dirname(require.resolve("@prisma/schema-engine-wasm")), "schema_engine_bg.wasm");
  const module = await wasmApi.compile(await readFile(wasmPath));
  const instance = await wasmApi.instantiate(module, { "./schema_engine_bg.js": glue });
  glue.__wbg_set_wasm(instance.exports);
  (instance.exports.__wbindgen_start as () => void)();
  return glue;
}

/** Compile the engine's module and load its glue now (a worker started ahead of its request). */
export async function preloadEngine(): Promise<void> {
  bindings ??= loadBindings();
  await bindings;
}

export interface SchemaFile {
  /** A name for messages; nothing is read from it. */
  readonly path: string;
  readonly content: string;
}

export interface EngineCall {
  readonly stage: Stage;
  /** Whose fault a failure is: the SQLite source's (introspection) or the schema's. */
  readonly kind: ErrorKind;
  /** `file:<path>` of a SQLite database, or ":memory:" when the command reads no database. */
  readonly sqliteUrl: string;
}

/** The engine's errors are plain `Error`s whose message is Prisma's own text (e.g. P1012 with the schema's line). */
export function engineError(what: string, err: unknown, call: Pick<EngineCall, "stage" | "kind">): Sqlite2pgError {
  const message = err instanceof Error ? err.message : String(err);
  return new Sqlite2pgError(`prisma ${what} failed:\n${redact(message.trim())}`, {
    code: "PRISMA_ENGINE",
    kind: call.kind,
    stage: call.stage,
    cause: err,
    hint: "the Prisma schema engine's message above says what it could not do",
  });
}

async function withEngine<T>(what: string, schema: SchemaFile, call: EngineCall, use: (engine: SchemaEngine) => Promise<T>): Promise<T> {
  bindings ??= loadBindings();
  const { SchemaEngine } = await bindings;
  const adapter = bindMigrationAwareSqlAdapterFactory(new PrismaBetterSQLite3({ url: call.sqliteUrl }));
  let engine: SchemaEngine | undefined;
  try {
    engine = await SchemaEngine.new({ datamodels: [[schema.path, schema.content]] }, () => {}, adapter);
    return await use(engine);
  } catch (err) {
    throw engineError(what, err, call);
  } finally {
    engine?.free();
  }
}

/** `prisma db pull` of the SQLite file at `call.sqliteUrl` into `seed` (a schema with a datasource and no models). */
export async function introspectSqlite(seed: SchemaFile, baseDirectory: string, call: EngineCall): Promise<{ schema: string; warnings: string | null }> {
  const result: IntrospectResult = await withEngine("db pull", seed, call, (engine) =>
    engine.introspect({ schema: { files: [{ ...seed }] }, baseDirectoryPath: baseDirectory, force: false, compositeTypeDepth: -1, namespaces: null }),
  );
  const file = result.schema.files[0];
  if (file === undefined) throw engineError("db pull", new Error("the engine returned no schema"), call);
  return { schema: file.content, warnings: result.warnings };
}

const NO_FILTERS: DiffParams["filters"] = { externalTables: [], externalEnums: [] };

/**
 * `prisma migrate diff --from-… --to-schema-datamodel … --script [--exit-code]`: the SQL that takes `from` (a
 * schema, or nothing) to `to`. `same` is the `--exit-code` answer (exit 0: nothing to do, 2: a difference).
 * A postgresql schema diffs offline: the engine reads no database for two datamodels (docs/toolchain.md).
 */
export async function diffScript(from: SchemaFile | "empty", to: SchemaFile, call: Omit<EngineCall, "sqliteUrl">): Promise<{ script: string; same: boolean }> {
  const target = (file: SchemaFile): DiffTarget => ({ tag: "schemaDatamodel", files: [{ ...file }] });
  const result = await withEngine("migrate diff", to, { ...call, sqliteUrl: ":memory:" }, (engine) =>
    engine.diff({
      from: from === "empty" ? { tag: "empty" } : target(from),
      to: target(to),
      script: true,
      shadowDatabaseUrl: null,
      exitCode: true,
      filters: NO_FILTERS,
    }),
  );
  return { script: result.stdout ?? "", same: result.exitCode === 0 };
}
