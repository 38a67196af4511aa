/**
 * Thin adapter over `pg` for the PostgreSQL target: connect with errors that say what to check, run scripts,
 * open COPY streams. Connection URLs never appear in messages unredacted.
 */
import pg from "pg";
import { Sqlite2pgError, pgErrorFields, type Stage } from "../errors.js";
import { redactUrl } from "../redact.js";
import { pgPoolConfig } from "./pg-url.js";

export type PgClient = pg.Client;

/** Hints for the failures people hit first, keyed by Node error code or SQLSTATE. */
const CONNECT_HINTS: Record<string, string> = {
  ECONNREFUSED: "is PostgreSQL running and listening there? try `pg_isready -h <host> -p <port>`",
  ENOTFOUND: "the host name does not resolve; check the URL",
  ETIMEDOUT: "the server did not answer; check host, port and firewall",
  "28P01": "password authentication failed; check the user and password in the URL",
  "28000": "the server refused this user; check pg_hba.conf or the user name",
  "3D000": "the database does not exist; create it first (createdb <name>) or fix the URL",
  "42501": "the role lacks a privilege; grant it CREATE on the database/schema (GRANT CREATE ON SCHEMA … TO …)",
};

export async function connectTarget(url: string, stage: Stage): Promise<PgClient> {
  const client = new pg.Client(pgPoolConfig(url));
  try {
    await client.connect();
  } catch (cause) {
    const code = (cause as { code?: string }).code ?? "";
    throw new Sqlite2pgError(`cannot connect to ${redactUrl(url)}: ${(cause as Error).message}`, {
      code: "TARGET_CONNECT",
      kind: "target",
      stage,
      hint: CONNECT_HINTS[code] ?? "check the URL given with --to or DATABASE_URL",
      cause,
    });
  }
  // A migration must fail loudly rather than wait forever behind another session's lock.
  await client.query("SET lock_timeout = '10s'");
  return client;
}

/** Wrap a PostgreSQL error raised while working on `object`, keeping SQLSTATE, detail and hint. */
export function targetError(stage: Stage, message: string, cause: unknown, table?: string): Sqlite2pgError {
  const f = pgErrorFields(cause);
  const hint = (f.sqlstate && CONNECT_HINTS[f.sqlstate]) ?? f.pgHint ?? undefined;
  const detail = f.detail ? ` (${f.detail})` : "";
  return new Sqlite2pgError(`${message}: ${(cause as Error).message}${detail}`, {
    code: f.sqlstate ? `PG_${f.sqlstate}` : "TARGET_ERROR",
    kind: "target",
    stage,
    object: table === undefined ? undefined : { table },
    hint,
    cause,
  });
}
