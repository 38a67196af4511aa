/**
 * Read-back, client side: the two Prisma Client classes, built in this process from the schemas' text
 * (db/prisma-client.ts) — what `prisma generate` would write, without a Node process and a WASM load per schema.
 * The client runs the query compiler (`engineType = "client"`) through a driver adapter, so nothing is downloaded.
 */
import { prismaClientFor, type ModelDelegate, type PrismaClientModule } from "../../db/prisma-client.js";
import { clientSchemaText } from "./schema.js";

export type { ModelDelegate };
export type GeneratedClient = PrismaClientModule;

/** A client class for `schema`: our generator only, a literal datasource URL (schema.ts clientSchemaText). */
export function readBackClient(schema: string): GeneratedClient {
  return prismaClientFor(clientSchemaText(schema), "verify");
}
