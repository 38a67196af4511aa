/**
 * Read-back of a schema with very many models (PURE: text in, text out). A Prisma Client grows with the number of
 * models — `prisma generate` took ~770 MB for 500 models and ~2.6 GB for 2000 for the two clients on the
 * many-tables bench (docs/benchmarks.md), and the clients built in-process (db/prisma-client.ts) hold each model's
 * data model and query plans in our own process. Beyond `maxModels` models,
 * the read-back reads a deterministic sample of models instead: both schemas are reduced to the same sampled models
 * (every `maxModels`-th of the PostgreSQL schema's models, evenly spread over it), relation fields that point
 * outside the sample are removed (the foreign-key scalar fields stay and are compared), and views are left out
 * (read back only when the schema is not sampled, views.ts; a relation to one would point outside the sample). Every row of every table is
 * still covered by the copy's checksums and the independent check; the result says "N of M models read back".
 *
 * Below the threshold the schemas are returned unchanged: ordinary schemas are read back as before.
 */
import { type Field } from "@mrleebo/prisma-ast";
import { fieldsOf, parseSchema, printSchema } from "../../convert/ast.js";
import { topLevelBlocks, type TopLevelBlock } from "../../convert/schema-blocks.js";

/**
 * Models read back in full up to here. On the many-tables bench a 200-model sample took our process to ~300 MB
 * while both clients were loaded; 100 kept it near 256 MB.
 */
const DEFAULT_MAX_MODELS = 100;

/**
 * The threshold; `SQLITE2PG_READBACK_MAX_MODELS` lowers it so tests exercise the sampled path on a few tables (an
 * internal knob, not a user option). Read at each call: tests set it in-process.
 */
export function readBackMaxModels(): number {
  const env = Number(process.env.SQLITE2PG_READBACK_MAX_MODELS);
  return Number.isSafeInteger(env) && env > 0 ? env : DEFAULT_MAX_MODELS;
}

export interface ReadBackSchemas {
  readonly sqlite: string;
  readonly postgresql: string;
  /** Set when the schemas were reduced to a sample of models: how many were kept, of how many. */
  readonly sample?: { readonly models: number; readonly of: number };
}

/**
 * The schemas the read-back generates its clients from and reads its models in. Called alike where the clients
 * are generated and where they are read, so both see the same sample. The whole schema is only scanned for its
 * blocks (parsing a 2000-model schema with prisma-ast takes ~1 s and ~100 MB of garbage per schema); only the
 * sample is parsed, to remove its relation fields to models left out.
 */
export function readBackSchemas(sqlite: string, postgresql: string, maxModels: number = readBackMaxModels()): ReadBackSchemas {
  const pgBlocks = topLevelBlocks(postgresql);
  const names = pgBlocks.filter((b) => b.keyword === "model").map((b) => b.name);
  if (names.length <= maxModels) return { sqlite, postgresql };
  // Evenly spaced over the schema's order (introspection lists tables by name): deterministic, and spread over
  // the whole file rather than its first tables.
  const kept = new Set<string>();
  for (let i = 0; i < maxModels; i++) kept.add(names[Math.floor((i * names.length) / maxModels)]);
  return { sqlite: reduced(sqlite, kept), postgresql: reduced(postgresql, kept, pgBlocks), sample: { models: kept.size, of: names.length } };
}

/** Only the kept models (and every other block but views), without relation fields to what is gone. */
function reduced(text: string, kept: ReadonlySet<string>, blocks: readonly TopLevelBlock[] = topLevelBlocks(text)): string {
  const isDropped = (b: TopLevelBlock) => (b.keyword === "model" && !kept.has(b.name)) || b.keyword === "view";
  const dropped = new Set(blocks.filter(isDropped).map((b) => b.name));
  let cut = "";
  let at = 0;
  for (const b of blocks.filter(isDropped)) {
    cut += text.slice(at, b.start);
    at = b.end;
  }
  cut += text.slice(at);
  const ast = parseSchema(cut);
  for (const block of ast.list) {
    if (block.type !== "model") continue;
    const gone = new Set<Field>(fieldsOf(block).filter((f) => typeof f.fieldType === "string" && dropped.has(f.fieldType)));
    if (gone.size > 0) block.properties = block.properties.filter((p) => !gone.has(p as Field));
  }
  return `${printSchema(ast).trim()}\n`;
}
