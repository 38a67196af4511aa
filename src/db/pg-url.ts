/**
 * Connection-URL handling for PostgreSQL targets. We turn URLs into discrete `pg` pool fields ourselves:
 * adapter-pg's shadow-database code only overrides `database` correctly on discrete fields, and it lets us
 * honour `?schema=` (Prisma's convention) and libpq's sslmode values.
 * https://www.postgresql.org/docs/current/libpq-connect.html#LIBPQ-CONNSTRING-URIS
 */
import type { PoolConfig } from "pg";
import { Sqlite2pgError } from "../core/errors.js";
import { parse as parseConnectionString } from "pg-connection-string";
import { redactUrl, rememberSecretsOf } from "../core/redact.js";

export interface TargetUrl {
  readonly url: string;
  /** PostgreSQL schema the tables go into (Prisma's `?schema=`, default public). */
  readonly schema: string;
  readonly database: string;
}

/**
 * URL parameters we pass on (libpq's meaning, https://www.postgresql.org/docs/current/libpq-connect.html#LIBPQ-PARAMKEYWORDS)
 * and Prisma's own, which configure Prisma Client's pool and change nothing for a migration
 * (https://www.prisma.io/docs/orm/overview/databases/postgresql#arguments). Anything else is refused: a
 * parameter dropped silently could be one the user relies on (e.g. a `target_session_attrs`).
 */
const LIBPQ_PARAMS = new Set(["host", "port", "user", "password", "sslmode", "sslrootcert", "sslcert", "sslkey", "application_name", "options", "connect_timeout", "client_encoding"]);
const PRISMA_PARAMS = new Set(["schema", "connection_limit", "pool_timeout", "pgbouncer", "statement_cache_size", "socket_timeout"]);

/** PostgreSQL's own schemas: a migration into them would mix user tables with the catalogs. */
function systemSchema(name: string): boolean {
  return /^(pg_catalog|information_schema|pg_toast.*|pg_temp.*)$/i.test(name);
}

function urlError(message: string, hint: string, cause?: unknown): Sqlite2pgError {
  return new Sqlite2pgError(message, { code: "TARGET_URL", kind: "usage", stage: "cli", hint, ...(cause === undefined ? {} : { cause }) });
}

export function parseTargetUrl(url: string): TargetUrl {
  // The embedded target (pglite:<data dir>) has one database and the public schema.
  if (url.startsWith("pglite:")) return { url, schema: "public", database: "pglite" };
  rememberSecretsOf(url);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (cause) {
    throw urlError(`not a valid PostgreSQL URL: ${redactUrl(url)}`, "use postgresql://user:password@host:5432/database (percent-encode special characters of the password: @ → %40, # → %23, / → %2F)", cause);
  }
  if (parsed.protocol !== "postgresql:" && parsed.protocol !== "postgres:") {
    throw urlError(`not a PostgreSQL URL (scheme ${parsed.protocol}): ${redactUrl(url)}`, "use postgresql://user:password@host:5432/database");
  }
  const unknown = [...parsed.searchParams.keys()].filter((k) => !LIBPQ_PARAMS.has(k) && !PRISMA_PARAMS.has(k));
  if (unknown.length > 0) {
    throw urlError(
      `unsupported URL parameter(s): ${unknown.join(", ")}`,
      `sqlite2pg connects with: ${[...LIBPQ_PARAMS].join(", ")} (as libpq), and accepts Prisma's ${[...PRISMA_PARAMS].join(", ")}; remove the others from the URL for the migration`,
    );
  }
  const encoding = parsed.searchParams.get("client_encoding");
  if (encoding !== null && !/^utf-?8$/i.test(encoding)) {
    throw urlError(`client_encoding=${encoding} is not supported`, "sqlite2pg sends UTF-8 (SQLite's text encoding): remove client_encoding from the URL or set it to UTF8");
  }
  const schema = parsed.searchParams.get("schema") ?? "public";
  if (schema === "" || systemSchema(schema) || schema.includes("\u0000")) {
    throw urlError(`?schema=${schema} cannot hold the migrated tables`, "PostgreSQL's own schemas (pg_catalog, information_schema, pg_toast*, pg_temp*) and an empty name are refused: choose another schema name (it is created if missing)");
  }
  if (schema.includes('"')) {
    // Prisma writes the schema name into migration.sql between double quotes without doubling embedded ones.
    throw urlError(`?schema=${schema} contains a double quote`, "Prisma's migration SQL cannot quote such a schema name safely: choose a name without \"");
  }
  if (Buffer.byteLength(schema) > 63) {
    throw urlError(`?schema=${schema} is longer than PostgreSQL's 63-byte limit`, "choose a shorter schema name");
  }
  return {
    url,
    schema,
    database: decodeURIComponent(parsed.pathname.replace(/^\//, "")) || "postgres",
  };
}

/** Default for connect_timeout: a server that accepts TCP but never answers must not hang the run. */
export const DEFAULT_CONNECT_TIMEOUT_S = 15;

/** libpq's connect_timeout (URL, else $PGCONNECT_TIMEOUT), in ms; 0 = wait forever, as libpq does for ≤ 0. */
export function connectTimeoutMs(url: string): number {
  const raw = new URL(url).searchParams.get("connect_timeout") ?? process.env.PGCONNECT_TIMEOUT ?? String(DEFAULT_CONNECT_TIMEOUT_S);
  const seconds = Number.parseInt(raw, 10);
  if (!Number.isFinite(seconds)) throw urlError(`connect_timeout=${raw} is not a number of seconds`, "use e.g. connect_timeout=15");
  // libpq: "values less than 2 are treated as 2" for a positive timeout; ≤ 0 waits indefinitely.
  return seconds <= 0 ? 0 : Math.max(seconds, 2) * 1000;
}

/**
 * Discrete `pg` connection fields for a URL (never `connectionString`; see prisma-config.ts), parsed by
 * node-postgres's own pg-connection-string with libpq's sslmode meanings (useLibpqCompat).
 */
export function pgPoolConfig(url: string): PoolConfig {
  parseTargetUrl(url);
  const c = parseConnectionString(url, { useLibpqCompat: true });
  const sslmode = c.sslmode as string | undefined;
  // pg-connection-string implements disable, prefer, require (verify-ca with a root certificate), verify-ca and
  // verify-full as libpq does; `allow` (libpq tries without TLS first) connects without TLS, and node-postgres's
  // own `no-verify` encrypts without checking the certificate.
  const ssl: PoolConfig["ssl"] =
    sslmode === "allow" ? false : sslmode === "no-verify" ? { ...(c.ssl as object), rejectUnauthorized: false } : (c.ssl as PoolConfig["ssl"]);
  return {
    host: c.host ?? "localhost",
    port: c.port ? Number(c.port) : 5432,
    user: c.user || undefined,
    password: c.password || process.env.PGPASSWORD || undefined,
    database: c.database || undefined,
    ssl,
    application_name: (c as { application_name?: string }).application_name ?? "sqlite2pg",
    // Startup options outrank a role's or database's defaults (ALTER ROLE … SET), so every connection of ours —
    // Prisma's adapters for the drift check and the read-back included — runs without those timeouts, as
    // pg_dump's sessions do. The user's own `options` come after, and win.
    options: ["-c statement_timeout=0 -c idle_in_transaction_session_timeout=0", (c as { options?: string }).options].filter(Boolean).join(" "),
    connectionTimeoutMillis: connectTimeoutMs(url),
  };
}

/** The same URL pointing at another database on the same server. */
export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${encodeURIComponent(database)}`;
  return u.toString();
}
