/**
 * A Prisma Client class for a schema's text, built in this process instead of by `prisma generate`.
 *
 * What `prisma generate` (prisma-client-js, `engineType = "client"`, 6.19.3) writes is a small `index.js` that hands
 * one config object to the runtime's `getPrismaClient`: the schema text (the query compiler plans queries from it),
 * the provider, and the runtime data model, which is the schema's datamodel (Prisma's `get_datamodel`, from
 * `@prisma/prisma-schema-wasm` at the engine commit prisma 6.19.3 ships) reduced to what the runtime reads. The query
 * compiler is the WASM file the CLI would copy next to it. Building that object here gives the same client without a
 * Node process and a WASM load per schema (~1 s each); test/integration/prisma-engines.test.ts checks the data model
 * against what `prisma generate` writes for real schemas.
 *
 * The client reads through a driver adapter (https://www.prisma.io/docs/orm/overview/databases/database-drivers),
 * so nothing is downloaded.
 */
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { Sqlite2pgError, type Stage } from "../core/errors.js";

const require = createRequire(import.meta.url);

/** The part of a Prisma Client class the callers use. */
export interface ModelDelegate {
  findMany(args: Record<string, unknown>): Promise<Record<string, unknown>[]>;
}
export type PrismaClientInstance = Record<string, unknown> & { $disconnect(): Promise<void> };
export interface RuntimeField {
  readonly name: string;
  readonly kind: string;
  readonly type: string;
  readonly relationName?: string;
  readonly dbName?: string;
}
export interface PrismaClientModule {
  readonly PrismaClient: new (options: { adapter: unknown }) => PrismaClientInstance;
  readonly Prisma: { readonly dmmf: { readonly datamodel: { readonly models: readonly { name: string; fields: readonly RuntimeField[] }[] } } };
}

/** The runtime data model: models, enums and composite types by name (what generated clients embed). */
export interface RuntimeDataModel {
  readonly models: Record<string, { fields: RuntimeField[]; dbName: string | null }>;
  readonly enums: Record<string, { values: { name: string; dbName: string | null }[]; dbName: string | null }>;
  readonly types: Record<string, { fields: RuntimeField[]; dbName: string | null }>;
}

interface SchemaWasm {
  get_datamodel(params: string): string;
  get_config(params: string): string;
}
interface ClientRuntime {
  getPrismaClient(config: Record<string, unknown>): PrismaClientModule["PrismaClient"];
  defineDmmfProperty(target: object, runtimeDataModel: RuntimeDataModel): void;
}

const CLIENT_VERSION = (require("@prisma/client/package.json") as { version: string }).version;
const ENGINE_VERSION = (require("@prisma/engines-version/package.json") as { prisma: { enginesVersion: string } }).prisma.enginesVersion;
const PROVIDERS = new Set(["sqlite", "postgresql"]);

/** `WebAssembly.compile` (its types live in TypeScript's DOM library, not in @types/node). */
const wasmCompile = (globalThis as unknown as { WebAssembly: { compile(bytes: Uint8Array): Promise<object> } }).WebAssembly.compile;
const PRISMA_DIR = dirname(require.resolve("prisma/package.json"));
/** The WASM query compiler for a provider: the files `prisma generate` copies next to a client (same bytes). */
const compilerFile = (provider: string, ext: "js" | "wasm"): string => join(PRISMA_DIR, "build", `query_compiler_bg.${provider}.${ext}`);
const compiled = new Map<string, Promise<object>>();

/**
 * Compile the query compiler for `provider` now, off the main thread (V8 compiles WASM on background threads), so
 * that a client's first query does not wait for it; every client of the process shares the compiled module.
 */
export function precompileQueryCompiler(provider: "sqlite" | "postgresql"): Promise<object> {
  let module = compiled.get(provider);
  if (!module) {
    module = readFile(compilerFile(provider, "wasm")).then((bytes) => wasmCompile(bytes));
    module.catch(() => compiled.delete(provider)); // tried again at the first query, which reports the failure
    compiled.set(provider, module);
  }
  return module;
}

let schemaWasm: SchemaWasm | undefined;
let runtime: ClientRuntime | undefined;

interface DatamodelField {
  name: string;
  kind: string;
  type: string;
  relationName?: string | null;
  dbName?: string | null;
}
interface Datamodel {
  models: { name: string; dbName: string | null; fields: DatamodelField[] }[];
  enums: { name: string; dbName: string | null; values: { name: string; dbName: string | null }[] }[];
  types: { name: string; dbName: string | null; fields: DatamodelField[] }[];
}

function field(f: DatamodelField): RuntimeField {
  return {
    name: f.name,
    kind: f.kind,
    type: f.type,
    ...(f.relationName ? { relationName: f.relationName } : {}),
    ...(f.dbName ? { dbName: f.dbName } : {}),
  };
}

/** Pure: the datamodel Prisma's schema parser returns, reduced to the runtime data model generated clients carry. */
export function runtimeDataModel(datamodel: Datamodel): RuntimeDataModel {
  const byName = <T extends { name: string }, R>(list: readonly T[], map: (item: T) => R): Record<string, R> =>
    Object.fromEntries(list.map((item) => [item.name, map(item)]));
  return {
    models: byName(datamodel.models, (m) => ({ fields: m.fields.map(field), dbName: m.dbName })),
    enums: byName(datamodel.enums, (e) => ({ values: e.values.map((v) => ({ name: v.name, dbName: v.dbName })), dbName: e.dbName })),
    types: byName(datamodel.types, (t) => ({ fields: t.fields.map(field), dbName: t.dbName })),
  };
}

/** Prisma's schema parser reports errors as JSON (`{"error_code":"P1012","message":…}`). */
function parserError(err: unknown, stage: Stage): Sqlite2pgError {
  const raw = err instanceof Error ? err.message : String(err);
  let message = raw;
  try {
    message = (JSON.parse(raw) as { message?: string }).message ?? raw;
  } catch {
    // not JSON: keep the text
  }
  return new Sqlite2pgError(`Prisma could not parse the schema for a Prisma Client:\n${message.trim()}`, {
    code: "PRISMA_SCHEMA",
    kind: "internal",
    stage,
    cause: err,
    hint: "the schema parser's message above names the line",
  });
}

interface ParsedSchema {
  readonly model: RuntimeDataModel;
  readonly provider: string;
  readonly previewFeatures: readonly string[];
}

/** What a client needs from the schema, read by Prisma's own parser. */
function parseForClient(schema: string, stage: Stage): ParsedSchema {
  schemaWasm ??= require("@prisma/prisma-schema-wasm") as SchemaWasm;
  try {
    const datamodel = JSON.parse(schemaWasm.get_datamodel(JSON.stringify({ prismaSchema: schema, noColor: true }))) as Datamodel;
    const config = JSON.parse(schemaWasm.get_config(JSON.stringify({ prismaSchema: schema, datasourceOverrides: {}, ignoreEnvVarErrors: true, env: {} }))) as {
      config: { datasources: { provider: string }[]; generators: { previewFeatures: string[] }[] };
    };
    return {
      model: runtimeDataModel(datamodel),
      provider: config.config.datasources[0]?.provider ?? "",
      previewFeatures: [...new Set(config.config.generators.flatMap((g) => g.previewFeatures))],
    };
  } catch (err) {
    throw parserError(err, stage);
  }
}

/** The runtime data model a generated client for `schema` embeds (compared with `prisma generate`'s in the tests). */
export function runtimeDataModelFor(schema: string): RuntimeDataModel {
  return parseForClient(schema, "verify").model;
}

/**
 * A Prisma Client class (and its `Prisma.dmmf`) for `schema`, whose datasource provider is sqlite or postgresql.
 * The schema's generator blocks are ignored except for their `previewFeatures`.
 */
export function prismaClientFor(schema: string, stage: Stage): PrismaClientModule {
  runtime ??= require("@prisma/client/runtime/client.js") as ClientRuntime;
  const { model, provider, previewFeatures } = parseForClient(schema, stage);
  if (!PROVIDERS.has(provider)) throw parserError(new Error(`datasource provider "${provider}" is not sqlite or postgresql`), stage);
  const PrismaClient = runtime.getPrismaClient({
    generator: { name: "client", provider: { fromEnvVar: null, value: "prisma-client-js" }, config: { engineType: "client" }, binaryTargets: [], previewFeatures },
    relativeEnvPaths: {},
    relativePath: "",
    clientVersion: CLIENT_VERSION,
    engineVersion: ENGINE_VERSION,
    datasourceNames: ["db"],
    activeProvider: provider,
    inlineDatasources: {},
    inlineSchema: schema,
    copyEngine: true,
    dirname: PRISMA_DIR,
    runtimeDataModel: model,
    engineWasm: undefined,
    compilerWasm: {
      getRuntime: async () => require(compilerFile(provider, "js")) as unknown,
      getQueryCompilerWasmModule: () => precompileQueryCompiler(provider as "sqlite" | "postgresql"),
    },
  });
  const Prisma = {} as PrismaClientModule["Prisma"];
  runtime.defineDmmfProperty(Prisma, model);
  return { PrismaClient, Prisma };
}

