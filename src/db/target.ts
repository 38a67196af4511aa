/**
 * The migration's target, built once from its URL: where the tables go, how to connect, and what it can do.
 * Stages ask its capabilities instead of testing the URL (kysely's adapters do the same with flags such as
 * `supportsTransactionalDdl`); only this file and the two adapters (pg-target.ts, pglite-target.ts) know that an
 * embedded PGlite exists.
 */
import type { Stage } from "../core/errors.js";
import { redactUrl } from "../core/redact.js";
import type { PgClient } from "./pg-client.js";
import { connectTarget } from "./pg-target.js";
import { isPgliteUrl, pgliteDataDir, pgliteOf } from "./pglite-target.js";
import { parseTargetUrl, pgPoolConfig } from "./pg-url.js";

export interface TargetCapabilities {
  /**
   * More than one connection at a time: the parallel load (`--jobs`), and the drift check and the read-back
   * beside the content check. The embedded target is one in-process database with a single connection.
   */
  readonly separateConnections: boolean;
  /** A shadow database on the same server (`CREATE DATABASE`); without it, a rolled-back schema or an in-memory instance. */
  readonly shadowDatabase: boolean;
  /**
   * Prisma Client can read it through a driver adapter (prismaAdapter): the read-back runs — on a server through
   * `@prisma/adapter-pg`, embedded through `pglite-prisma-adapter` on the run's own PGlite instance.
   */
  readonly readBack: boolean;
  /**
   * A shared lock table sized by max_locks_per_transaction × connection slots: a migration may need more locks
   * than one transaction can hold (target-check.ts planLocks).
   */
  readonly lockTable: boolean;
}

export interface Target {
  /** The URL as given, secrets included: pass it to connections, never print it (use `redacted`). */
  readonly url: string;
  readonly redacted: string;
  /** The PostgreSQL schema the tables go into (Prisma's `?schema=`, default public). */
  readonly pgSchema: string;
  readonly database: string;
  readonly can: TargetCapabilities;
  /** The embedded target's data directory (`pglite:<dir>`); undefined for a server. */
  readonly embedded?: { readonly dataDir: string };
  /** A new connection, session settings applied (pg-target.ts). */
  connect(stage: Stage): Promise<PgClient>;
  /**
   * A Prisma driver adapter (factory) reading `schema`: a pool of its own on a server; for the embedded target,
   * the PGlite instance behind `client` (a second instance on the same directory would not be safe).
   */
  prismaAdapter(schema: string, client?: PgClient): Promise<object>;
}

const SERVER: TargetCapabilities = { separateConnections: true, shadowDatabase: true, readBack: true, lockTable: true };
const EMBEDDED: TargetCapabilities = { separateConnections: false, shadowDatabase: false, readBack: true, lockTable: false };

/** The target of a URL (`postgresql://…`, or `pglite:<dir>` for the embedded one); refuses a URL it cannot use. */
export function openTarget(url: string): Target {
  const parsed = parseTargetUrl(url);
  return {
    url,
    redacted: redactUrl(url),
    pgSchema: parsed.schema,
    database: parsed.database,
    can: isPgliteUrl(url) ? EMBEDDED : SERVER,
    ...(isPgliteUrl(url) ? { embedded: { dataDir: pgliteDataDir(url) } } : {}),
    connect: (stage) => connectTarget(url, stage),
    prismaAdapter: (schema, client) => (isPgliteUrl(url) ? pgliteAdapter(client, schema) : serverAdapter(url, schema)),
  };
}

/** Discrete pool fields, never a connectionString (docs/toolchain.md, adapter-pg defect 2); `schema` qualifies tables. */
async function serverAdapter(url: string, schema: string): Promise<object> {
  const { PrismaPg } = await import("@prisma/adapter-pg");
  return new PrismaPg({ ...pgPoolConfig(url), max: 2 }, { schema });
}

/**
 * pglite-prisma-adapter's factory passes no options to its adapter, whose connection info then names no schema
 * (Prisma Client would read `public`): the schema is set on the adapter it connects.
 */
async function pgliteAdapter(client: PgClient | undefined, schema: string): Promise<object> {
  const db = client && pgliteOf(client);
  if (!db) throw new Error("the embedded target's read-back needs the run's PGlite connection");
  const { PrismaPGlite } = await import("pglite-prisma-adapter");
  const factory = new PrismaPGlite(db);
  return {
    provider: factory.provider,
    adapterName: factory.adapterName,
    connect: async () => {
      const adapter = await factory.connect();
      const info = adapter.getConnectionInfo?.bind(adapter);
      return Object.assign(adapter, { getConnectionInfo: () => ({ ...(info?.() ?? {}), schemaName: schema }) });
    },
    connectToShadowDb: () => factory.connectToShadowDb(),
  };
}
