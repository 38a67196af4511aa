/**
 * Connection-URL handling for PostgreSQL targets. We turn URLs into discrete `pg` pool fields ourselves:
 * adapter-pg's shadow-database code only overrides `database` correctly on discrete fields, and it lets us
 * honour `?schema=` (Prisma's convention) and libpq's sslmode values.
 * https://www.postgresql.org/docs/current/libpq-connect.html#LIBPQ-CONNSTRING-URIS
 */
import { readFileSync } from "node:fs";
import type { PoolConfig } from "pg";
import { Sqlite2pgError } from "../errors.js";
import { redactUrl } from "../redact.js";

export interface TargetUrl {
  readonly url: string;
  /** PostgreSQL schema the tables go into (Prisma's `?schema=`, default public). */
  readonly schema: string;
  readonly database: string;
}

export function parseTargetUrl(url: string): TargetUrl {
  // The embedded target (pglite:<data dir>) has one database and the public schema.
  if (url.startsWith("pglite:")) return { url, schema: "public", database: "pglite" };
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (cause) {
    throw new Sqlite2pgError(`not a valid PostgreSQL URL: ${redactUrl(url)}`, {
      code: "TARGET_URL",
      kind: "usage",
      stage: "cli",
      hint: "use postgresql://user:password@host:5432/database",
      cause,
    });
  }
  if (parsed.protocol !== "postgresql:" && parsed.protocol !== "postgres:") {
    throw new Sqlite2pgError(`not a PostgreSQL URL (scheme ${parsed.protocol}): ${redactUrl(url)}`, {
      code: "TARGET_URL",
      kind: "usage",
      stage: "cli",
      hint: "use postgresql://user:password@host:5432/database",
    });
  }
  return {
    url,
    schema: parsed.searchParams.get("schema") ?? "public",
    database: decodeURIComponent(parsed.pathname.replace(/^\//, "")) || "postgres",
  };
}

/** Discrete `pg` connection fields for a URL (never `connectionString`; see prisma-config.ts). */
export function pgPoolConfig(url: string): PoolConfig {
  const u = new URL(url);
  const params = u.searchParams;
  const sslmode = params.get("sslmode");
  let ssl: PoolConfig["ssl"];
  if (sslmode === "require" || sslmode === "prefer" || sslmode === "no-verify") ssl = { rejectUnauthorized: false };
  if (sslmode === "verify-ca" || sslmode === "verify-full") {
    const rootcert = params.get("sslrootcert");
    ssl = {
      rejectUnauthorized: true,
      ...(rootcert ? { ca: readFileSync(rootcert, "utf8") } : {}),
      ...(sslmode === "verify-ca" ? { checkServerIdentity: () => undefined } : {}),
    };
  }
  const host = params.get("host") ?? (u.hostname ? decodeURIComponent(u.hostname) : "localhost");
  return {
    host: host.replace(/^\[(.*)\]$/, "$1"),
    port: u.port ? Number(u.port) : 5432,
    user: u.username ? decodeURIComponent(u.username) : undefined,
    password: u.password ? decodeURIComponent(u.password) : undefined,
    database: decodeURIComponent(u.pathname.replace(/^\//, "")) || undefined,
    ssl,
    application_name: "sqlite2pg",
  };
}

/** The same URL pointing at another database on the same server. */
export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${encodeURIComponent(database)}`;
  return u.toString();
}
