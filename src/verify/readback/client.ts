/**
 * Read-back, client side: the two Prisma Client classes, built in this process from the schemas' text
 * (db/prisma-client.ts) — what `prisma generate` would write, without a Node process and a WASM load per schema.
 * The client runs the query compiler (`engineType = "client"`) through a driver adapter, so nothing is downloaded.
 */
import { prismaClientFor, type ModelDelegate, type PrismaClientModule } from "../../db/prisma-client.js";
import { clientSchemaText } from "./schema.js";

export type { ModelDelegate };
export type GeneratedClient = PrismaClientModule;

/** The last classes built, by schema text: built ahead of the read-back while the migration diff runs (check.ts). */
const built = new Map<string, GeneratedClient>();
const KEPT = 4;

/** A client class for `schema`: our generator only, a literal datasource URL (schema.ts clientSchemaText). */
export function readBackClient(schema: string): GeneratedClient {
  const known = built.get(schema);
  if (known) return known;
  const client = prismaClientFor(clientSchemaText(schema), "verify");
  built.set(schema, client);
  if (built.size > KEPT) built.delete(built.keys().next().value!);
  return client;
}
