/**
 * Read-back of a schema with very many models (PURE: text in, text out). `prisma generate` grows with the number of
 * models — measured on the many-tables bench (docs/benchmarks.md): ~770 MB for 500 models, ~2.6 GB for 2000, for
 * the two clients — and so does loading both generated clients into our own process. Beyond `maxModels` models,
 * the read-back reads a deterministic sample of models instead: both schemas are reduced to the same sampled models
 * (every `maxModels`-th of the PostgreSQL schema's models, evenly spread over it), relation fields that point
 * outside the sample are removed (the foreign-key scalar fields stay and are compared), and views are left out
 * (the read-back never reads them; a relation to one would point outside the sample). Every row of every table is
 * still covered by the copy's checksums and the independent check; the result says "N of M models read back".
 *
 * Below the threshold the schemas are returned unchanged: ordinary schemas are read back as before.
 */
import { getSchema, printSchema, type Block, type Field, type Model } from "@mrleebo/prisma-ast";
import { fieldsOf } from "../../convert/ast.js";

/**
 * Models read back in full up to here. On the many-tables bench a 200-model sample took our process to ~300 MB
 * while both clients were loaded; 100 keeps it, and each `prisma generate` child, near 256 MB.
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
 * are generated and where they are read, so both see the same sample.
 */
export function readBackSchemas(sqlite: string, postgresql: string, maxModels: number = readBackMaxModels()): ReadBackSchemas {
  const pg = getSchema(postgresql);
  const names = pg.list.filter((b): b is Model => b.type === "model").map((m) => m.name);
  if (names.length <= maxModels) return { sqlite, postgresql };
  // Evenly spaced over the schema's order (introspection lists tables by name): deterministic, and spread over
  // the whole file rather than its first tables.
  const kept = new Set<string>();
  for (let i = 0; i < maxModels; i++) kept.add(names[Math.floor((i * names.length) / maxModels)]);
  return {
    sqlite: `${printSchema(reduced(getSchema(sqlite), kept)).trim()}\n`,
    postgresql: `${printSchema(reduced(pg, kept)).trim()}\n`,
    sample: { models: kept.size, of: names.length },
  };
}

type Schema = ReturnType<typeof getSchema>;

/** Only the kept models (and every non-model block but views), without relation fields to what is gone. */
function reduced(schema: Schema, kept: ReadonlySet<string>): Schema {
  const dropped = new Set(
    schema.list.filter((b): b is Model => (b.type === "model" && !kept.has(b.name)) || b.type === "view").map((b) => b.name),
  );
  const list: Block[] = [];
  for (const block of schema.list) {
    if ((block.type === "model" || block.type === "view") && dropped.has(block.name)) continue;
    if (block.type === "model") {
      const gone = new Set<Field>(fieldsOf(block).filter((f) => typeof f.fieldType === "string" && dropped.has(f.fieldType)));
      if (gone.size > 0) block.properties = block.properties.filter((p) => !gone.has(p as Field));
    }
    list.push(block);
  }
  return { ...schema, list };
}
