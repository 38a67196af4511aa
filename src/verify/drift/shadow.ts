/**
 * A shadow: an empty place where every `migrations/<name>/migration.sql` is replayed, the same idea as Prisma
 * Migrate's own shadow database (https://www.prisma.io/docs/orm/prisma-migrate/understanding-prisma-migrate/shadow-database).
 * Three kinds, tried in this order:
 *
 * - "database" (server targets): `CREATE DATABASE` with a unique name on the same server, from template0 so
 *   nothing a site added to template1 shows up (https://www.postgresql.org/docs/current/manage-ag-templatedbs.html);
 *   dropped afterwards. Needs the CREATEDB attribute.
 * - "schema": without CREATEDB (and for the embedded target, see below), a uniquely named schema inside the
 *   target database, created, filled and read inside ONE transaction that is always rolled back — nothing is
 *   left behind even if the process dies. Works only when the migration SQL keeps its statements unqualified
 *   (as Prisma's and ours do: they run with search_path set to the schema) and needs CREATE on the database.
 * - "pglite": for the embedded target when the schema kind cannot be used: a fresh in-memory PGlite.
 *
 * On a server the schema kind also comes first for the run's own small baseline (schemaFirst below).
 *
 * For the embedded target the schema kind comes first: a new in-memory PGlite runs initdb, measured at 2.5–7 s
 * on 2 vCPUs, against a few milliseconds for a rolled-back schema in the (single-database) instance at hand.
 *
 * Each migration.sql runs as ONE simple-protocol query (never split on ';': a ';' inside a string literal or a
 * function body must stay where it is), with search_path set as for the target.
 */
import { randomBytes } from "node:crypto";
import { connectTarget } from "../../db/pg-target.js";
import { type PgClient } from "../../db/pg-client.js";
import { openPgliteInMemory } from "../../db/pglite-target.js";
import { withDatabase } from "../../db/pg-url.js";
import type { Target } from "../../db/target.js";
import { migrationSearchPath, quoteIdent } from "../../core/quote.js";
import { Sqlite2pgError, pgErrorFields } from "../../core/errors.js";
import { isInterrupting, onInterrupt } from "../../core/interrupt.js";
import { redact } from "../../core/redact.js";
import type { MigrationFile } from "./migration-files.js";
import { isOwnBaseline, lockRoom, locksNeeded, replayGroups, type OwnBaseline } from "./replay.js";

export type ShadowKind = "database" | "schema" | "pglite";

export interface ShadowOptions {
  /** An open connection to the target (idle, not inside a transaction). */
  readonly client: PgClient;
  readonly target: Target;
  /** The target schema: migrations run with search_path set to it. */
  readonly pgSchema: string;
  readonly migrations: readonly MigrationFile[];
  /** The baseline this run wrote: the one migration that may be replayed in groups of statements (replay.ts). */
  readonly ownBaseline?: OwnBaseline;
}

/** Reads the shadow; called inside a transaction on the shadow's connection with the schema holding the result. */
export type ShadowReader<T> = (client: PgClient, schema: string) => Promise<T>;

export interface ShadowResult<T> {
  readonly value: T;
  readonly kind: ShadowKind;
  /** Anything worth telling (e.g. the shadow database could not be dropped). */
  readonly notes: readonly string[];
}

const uniqueName = () => `sqlite2pg_shadow_${process.pid}_${randomBytes(4).toString("hex")}`;

function message(err: unknown): string {
  return redact(err instanceof Error ? err.message : String(err));
}

/** The check cannot run: why, and what would let it run. */
export function shadowUnavailable(reason: string, hint: string, cause?: unknown): Sqlite2pgError {
  return new Sqlite2pgError(reason, { code: "DRIFT_UNAVAILABLE", kind: "target", stage: "verify", hint, cause });
}

/**
 * Replay each file as one query, except (`own`, a fresh shadow database) the run's own baseline when it needs
 * more locks than one transaction should take: then in groups of statements (replay.ts).
 */
async function applyMigrations(client: PgClient, migrations: readonly MigrationFile[], where: string, own?: OwnBaseline): Promise<void> {
  const room = own ? await lockRoom(client) : undefined;
  for (const m of migrations) {
    const groups = room && isOwnBaseline(m, own) && locksNeeded(m.sql) > room.capacity / 2 ? replayGroups(m.sql, room.perTransaction) : null;
    try {
      for (const sql of groups ?? [m.sql]) await client.query(sql);
    } catch (cause) {
      const f = pgErrorFields(cause);
      // 53200: the lock table is full (max_locks_per_transaction). The migration is not wrong; the check cannot run.
      if (f.sqlstate === "53200") {
        throw shadowUnavailable(
          `migrations/${m.name}/migration.sql needs more locks than one transaction can hold on this server to be replayed in ${where} (${message(cause)})`,
          "raise max_locks_per_transaction (ALTER SYSTEM SET max_locks_per_transaction = …; restart PostgreSQL) to let the check replay it",
          cause,
        );
      }
      throw shadowUnavailable(
        `migrations/${m.name}/migration.sql failed in ${where}: ${message(cause)}${f.sqlstate ? ` (SQLSTATE ${f.sqlstate})` : ""}`,
        "the migrations directory does not replay on an empty database; `prisma migrate dev` would fail the same way: fix the migration",
        cause,
      );
    }
  }
}

/** Run `read` in a transaction that is always rolled back (reading only; set_config(…, true) ends with it). */
export async function inRolledBackTransaction<T>(client: PgClient, run: () => Promise<T>): Promise<T> {
  await client.query("BEGIN");
  try {
    return await run();
  } finally {
    await client.query("ROLLBACK").catch(() => undefined);
  }
}

/** A statement naming `schema` explicitly, or controlling the transaction: the schema kind cannot replay that. */
function schemaKindObstacle(migrations: readonly MigrationFile[], schema: string): string | undefined {
  const escaped = schema.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const quoted = quoteIdent(schema).replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const qualified = new RegExp(`(?:${quoted}|(?<![\\w$"])${escaped})\\s*\\.\\s*[\\w"]`, /^[a-z_][a-z0-9_$]*$/.test(schema) ? "i" : "");
  const transactionControl = /^\s*(?:BEGIN|COMMIT|ROLLBACK|START\s+TRANSACTION)\s*;/im;
  for (const m of migrations) {
    if (qualified.test(m.sql)) return `migrations/${m.name}/migration.sql names schema ${schema} explicitly`;
    if (transactionControl.test(m.sql)) return `migrations/${m.name}/migration.sql controls transactions itself`;
  }
  return undefined;
}

/** The "schema" kind: a schema in the target database, inside one transaction that is rolled back. */
async function inTemporarySchema<T>(options: ShadowOptions, read: ShadowReader<T>): Promise<T> {
  const obstacle = schemaKindObstacle(options.migrations, options.pgSchema);
  if (obstacle) throw shadowUnavailable(`${obstacle}, so it cannot be replayed in a temporary schema`, "");
  const { client } = options;
  const schema = uniqueName();
  return inRolledBackTransaction(client, async () => {
    try {
      await client.query(`CREATE SCHEMA ${quoteIdent(schema)}`);
    } catch (cause) {
      throw shadowUnavailable(`cannot create a temporary schema in the target database: ${message(cause)}`, "", cause);
    }
    await client.query("SELECT set_config('search_path', $1, true)", [migrationSearchPath(schema)]);
    await applyMigrations(client, options.migrations, "a temporary schema of the target database (rolled back)");
    return read(client, schema);
  });
}

/** The "database" and "pglite" kinds: replay on a fresh connection, with search_path set as for the target. */
async function inFreshDatabase<T>(shadow: PgClient, options: ShadowOptions, where: string, read: ShadowReader<T>, freshDatabase = false): Promise<T> {
  await shadow.query("SELECT set_config('search_path', $1, false)", [migrationSearchPath(options.pgSchema)]);
  await applyMigrations(shadow, options.migrations, where, freshDatabase ? options.ownBaseline : undefined);
  return inRolledBackTransaction(shadow, () => read(shadow, options.pgSchema));
}

async function dropDatabase(client: PgClient, name: string): Promise<string | undefined> {
  // WITH (FORCE) (PostgreSQL 13+) ends a backend of ours that has not finished exiting yet;
  // https://www.postgresql.org/docs/current/sql-dropdatabase.html
  try {
    await client.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
    return undefined;
  } catch {
    try {
      await client.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)}`);
      return undefined;
    } catch (cause) {
      return `the shadow database ${name} could not be dropped (${message(cause)}): DROP DATABASE ${quoteIdent(name)}`;
    }
  }
}

async function currentRole(client: PgClient): Promise<string> {
  const { rows } = await client.query<{ role: string }>("SELECT current_user::text AS role");
  return rows[0]?.role ?? "<role>";
}

/** No shadow database: a rolled-back schema of the target, else "unavailable" with the GRANT that would help. */
async function fallBackToSchema<T>(options: ShadowOptions, read: ShadowReader<T>, why: string, notes: readonly string[]): Promise<ShadowResult<T>> {
  try {
    return { value: await inTemporarySchema(options, read), kind: "schema", notes };
  } catch (schemaError) {
    const role = quoteIdent(await currentRole(options.client).catch(() => "<role>"));
    const database = quoteIdent(options.target.database);
    throw shadowUnavailable(
      `no shadow to replay migrations/ into: ${why}, and ${message(schemaError)}`,
      `let the role create a shadow database: ALTER ROLE ${role} CREATEDB (and connect to it); or create schemas in this database: GRANT CREATE ON DATABASE ${database} TO ${role}`,
      schemaError,
    );
  }
}

/**
 * Shadow databases are named after the target database's OID, and their run holds an advisory lock named after the
 * shadow on its connection to the target (advisory locks belong to one database: the OID keeps a run from taking
 * another database's shadows for abandoned). A run killed with -9 cannot drop its shadow; its lock goes with its
 * session, so the next drift check against the same database drops it.
 */
async function shadowPrefix(client: PgClient): Promise<string> {
  const { rows } = await client.query<{ oid: string }>("SELECT oid::text AS oid FROM pg_catalog.pg_database WHERE datname = current_database()");
  return `sqlite2pg_shadow_${rows[0]?.oid ?? "0"}_`;
}

/** Drop the shadow databases of runs that died (their advisory lock is free); what was dropped, for the notes. */
export async function dropAbandonedShadows(client: PgClient, prefix: string): Promise<string[]> {
  const { rows } = await client.query<{ datname: string }>("SELECT datname FROM pg_catalog.pg_database WHERE starts_with(datname, $1) ORDER BY datname", [prefix]);
  const dropped: string[] = [];
  for (const { datname } of rows) {
    const { rows: got } = await client.query<{ ok: boolean }>("SELECT pg_try_advisory_lock(hashtext($1)) AS ok", [datname]);
    if (!got[0].ok) continue; // a live run's
    try {
      if ((await dropDatabase(client, datname)) === undefined) dropped.push(datname);
    } finally {
      await client.query("SELECT pg_advisory_unlock(hashtext($1))", [datname]).catch(() => undefined);
    }
  }
  return dropped;
}

async function onServer<T>(options: ShadowOptions, read: ShadowReader<T>): Promise<ShadowResult<T>> {
  const { client } = options;
  const prefix = await shadowPrefix(client);
  const abandoned = await dropAbandonedShadows(client, prefix).catch(() => []);
  const name = `${prefix}${process.pid}_${randomBytes(4).toString("hex")}`;
  await client.query("SELECT pg_advisory_lock(hashtext($1))", [name]);
  // Ctrl-C may have come while the lock was taken: its cleanups already ran, and a database created now would stay.
  // (The check, the CREATE and the cleanup's registration run in one synchronous step: no signal handler between.)
  if (isInterrupting()) throw shadowUnavailable("interrupted before the shadow database was created", "");
  const creating = client.query(`CREATE DATABASE ${quoteIdent(name)} TEMPLATE template0`);
  // Interrupted (Ctrl-C) from now on, e.g. while the shadow is replayed beside the copy: dropped on a connection of
  // its own, since `client` may be in the middle of a query. A CREATE DATABASE under way is waited for first: the
  // server finishes it even if our connection goes away, and it would then outlive a DROP sent before it.
  const releaseInterrupt = onInterrupt(async () => {
    await creating.catch(() => undefined);
    const admin = await connectTarget(options.target.url, "verify");
    await dropDatabase(admin, name).finally(() => admin.end().catch(() => undefined));
  });
  try {
    const result = await shadowDatabase(options, read, name, creating);
    return abandoned.length === 0 ? result : { ...result, notes: [...result.notes, `dropped the shadow database(s) of an earlier run that did not end: ${abandoned.join(", ")}`] };
  } finally {
    releaseInterrupt();
    await client.query("SELECT pg_advisory_unlock(hashtext($1))", [name]).catch(() => undefined);
  }
}

async function shadowDatabase<T>(options: ShadowOptions, read: ShadowReader<T>, name: string, creating: Promise<unknown>): Promise<ShadowResult<T>> {
  const { client } = options;
  try {
    await creating;
  } catch (createError) {
    // Most often 42501: the role lacks CREATEDB.
    return fallBackToSchema(options, read, `CREATE DATABASE failed (${message(createError)})`, []);
  }
  let shadow: PgClient;
  try {
    shadow = await connectTarget(withDatabase(options.target.url, name), "verify");
  } catch (connectError) {
    // e.g. pg_hba.conf lets the role reach listed databases only.
    const dropFailed = await dropDatabase(client, name);
    return fallBackToSchema(options, read, `the new shadow database refused the connection (${message(connectError)})`, dropFailed ? [dropFailed] : []);
  }
  const notes: string[] = [];
  let value: T;
  try {
    value = await inFreshDatabase(shadow, options, `the shadow database ${name}`, read, true);
  } finally {
    // Close before dropping: an open session blocks DROP DATABASE.
    await shadow.end().catch(() => undefined);
    // A failed drop is reported, never fatal (the check itself may have thrown).
    const dropFailed = await dropDatabase(client, name);
    if (dropFailed) notes.push(dropFailed);
  }
  return { value, kind: "database", notes };
}

/**
 * The schema kind as a first try: its result, or undefined when it cannot run here (DRIFT_UNAVAILABLE: e.g. a
 * migration naming its schema, or calling a function only the target's search_path provides) and another kind
 * should. Any other error is the check's own and propagates.
 */
async function trySchemaKind<T>(options: ShadowOptions, read: ShadowReader<T>): Promise<ShadowResult<T> | undefined> {
  try {
    return { value: await inTemporarySchema(options, read), kind: "schema", notes: [] };
  } catch (err) {
    if (!(err instanceof Sqlite2pgError && err.code === "DRIFT_UNAVAILABLE")) throw err;
    return undefined;
  }
}

async function embedded<T>(options: ShadowOptions, read: ShadowReader<T>): Promise<ShadowResult<T>> {
  const inSchema = await trySchemaKind(options, read);
  if (inSchema) return inSchema;
  const shadow = await openPgliteInMemory();
  try {
    return { value: await inFreshDatabase(shadow, options, "a fresh in-memory PGlite", read), kind: "pglite", notes: [] };
  } finally {
    await shadow.end().catch(() => undefined);
  }
}

/**
 * On a server, the rolled-back schema comes first for the run's own baseline (the only migration, the file this run
 * wrote: Prisma's DDL plus our extra SQL, every statement unqualified) when it creates no extension (extensions
 * belong to the database: `CREATE EXTENSION IF NOT EXISTS` would find the target's and create nothing in the
 * shadow) and takes a small share of the server's lock table in its one transaction. It then costs neither
 * `CREATE DATABASE` nor `DROP DATABASE`, which forces a checkpoint
 * (https://www.postgresql.org/docs/current/sql-dropdatabase.html): on the server of a run that has just written its
 * rows, that is every dirty buffer flushed (blog scale 0.15: DROP DATABASE 247 ms, CREATE DATABASE 70 ms, against
 * a 39 ms replay). Any reason the schema kind cannot run (a permission, the lock table, a replay it refuses) falls
 * back to the shadow database, which then reports as it always did.
 */
async function schemaFirst(options: ShadowOptions): Promise<boolean> {
  const [only] = options.migrations;
  if (options.migrations.length !== 1 || !isOwnBaseline(only, options.ownBaseline) || /\bCREATE\s+EXTENSION\b/i.test(only.sql)) return false;
  // The baseline's `CREATE SCHEMA IF NOT EXISTS <target>` is a no-op only for a schema that exists: one the copy
  // is creating beside this replay (not committed yet) would make it wait for the copy's commit, then fail.
  const { rows } = await options.client.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_catalog.pg_namespace WHERE nspname = $1", [options.pgSchema]);
  if (rows[0]?.n !== 1) return false;
  const room = await lockRoom(options.client);
  return locksNeeded(only.sql) <= room.capacity / SCHEMA_KIND_LOCK_SHARE;
}

/** The schema kind's one transaction may take up to 1/8 of the lock table (800 of 6400 slots on default settings). */
const SCHEMA_KIND_LOCK_SHARE = 8;

/** Replay `migrations/` into a shadow, read it with `read`, and remove the shadow. */
export async function withShadow<T>(options: ShadowOptions, read: ShadowReader<T>): Promise<ShadowResult<T>> {
  if (!options.target.can.shadowDatabase) return embedded(options, read);
  return ((await schemaFirst(options)) ? await trySchemaKind(options, read) : undefined) ?? onServer(options, read);
}
