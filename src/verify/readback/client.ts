/**
 * Read-back, client side: `prisma generate` of a throw-away Prisma Client into the run's work directory, then
 * loading it. Generation is offline: `engineType = "client"` (no query-engine binary), and the CLI's auto-install
 * of @prisma/client is turned off — it would run `npm install` in the work directory. The generator looks for
 * @prisma/client next to the schema, so the work directory gets a `node_modules/@prisma/client` link to ours (a
 * junction on Windows: no privileges needed). The generated client is self-contained CommonJS (its runtime and the
 * query compiler's WASM are copied into the output folder).
 */
import { mkdir, symlink, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { runPrisma } from "../../db/prisma-cli.js";
import { clientSchemaText } from "./schema.js";

const require = createRequire(import.meta.url);

/** The part of a generated client the read-back uses. */
export interface ModelDelegate {
  findMany(args: Record<string, unknown>): Promise<Record<string, unknown>[]>;
}
export interface GeneratedClient {
  readonly PrismaClient: new (options: { adapter: unknown }) => Record<string, unknown> & { $disconnect(): Promise<void> };
  readonly Prisma: {
    readonly dmmf: { readonly datamodel: { readonly models: readonly { name: string; fields: readonly { name: string; kind: string; type: string }[] }[] } };
  };
}

/** Make @prisma/client resolvable from `workDir` (once per directory). */
async function linkPrismaClient(workDir: string): Promise<void> {
  const link = join(workDir, "node_modules", "@prisma", "client");
  await mkdir(dirname(link), { recursive: true });
  await symlink(dirname(require.resolve("@prisma/client/package.json")), link, "junction").catch((err: NodeJS.ErrnoException) => {
    if (err.code !== "EEXIST") throw err;
  });
}

/** Where to generate, and how (readback-client's callers start it ahead of time, beside the copy). */
export interface GenerateOptions {
  readonly lowPriority?: boolean;
  readonly signal?: AbortSignal;
}

/**
 * Generate a client for `schema` into `<workDir>/<name>`; resolves to the folder to `loadClient` from. `prisma
 * generate` costs ~1 s of CPU (a Node process plus the WASM schema engine); callers run the two generations
 * concurrently, and the migration starts them before the copy, at low priority.
 */
export async function generateClientFiles(schema: string, workDir: string, name: string, options: GenerateOptions = {}): Promise<string> {
  await linkPrismaClient(workDir);
  const output = join(workDir, name);
  const schemaPath = join(workDir, `${name}.prisma`);
  await writeFile(schemaPath, clientSchemaText(schema, output));
  await runPrisma(["generate"], {
    stage: "verify",
    // `generate` connects to nothing; the config module still wants an adapter.
    adapter: "sqlite",
    adapterUrl: ":memory:",
    schemaPath,
    cwd: workDir,
    lowPriority: options.lowPriority,
    signal: options.signal,
  });
  return output;
}

/** Load a generated client (kept out of generateClientFiles: a loaded client stays in memory for the run). */
export function loadClient(output: string): GeneratedClient {
  return require(join(output, "index.js")) as GeneratedClient;
}
