/**
 * Thin adapter over `pg` for the PostgreSQL target: connect with errors that say what to check, run scripts,
 * open COPY streams. Connection URLs never appear in messages unredacted.
 */
import pg from "pg";
import { Sqlite2pgError, pgErrorFields, type Stage } from "../core/errors.js";
import { redactUrl } from "../core/redact.js";
import { pgPoolConfig } from "./pg-url.js";
import { connectPglite, isPgliteUrl, pgliteDataDir } from "./pglite-target.js";
import { isSqliteError, sourceReadError } from "./sqlite-source.js";
import { type PgClient } from "./pg-client.js";

/** Hints for the failures people hit first, keyed by Node error code or SQLSTATE. */
const CONNECT_HINTS: Record<string, string> = {
  ECONNREFUSED: "is PostgreSQL running and listening there? try `pg_isready -h <host> -p <port>`",
  ENOTFOUND: "the host name does not resolve; check the URL",
  ETIMEDOUT: "the server did not answer; check host, port and firewall",
  "28P01": "password authentication failed; check the user and password in the URL",
  "28000": "the server refused this user; check pg_hba.conf or the user name",
  "3D000": "the database does not exist; create it first (createdb <name>) or fix the URL",
  "42501": "the role lacks a privilege; grant it CREATE on the database/schema (GRANT CREATE ON SCHEMA … TO …)",
  // sqlite2pg sets both to 0 on its own sessions; these fire only if something (a pooler, a server-side
  // setting re-applied) overrides that.
  "57014": "the statement was cancelled: by statement_timeout (sqlite2pg sets it to 0 on its sessions; a connection pooler or a server setting may override that: connect directly, or ALTER ROLE <role> SET statement_timeout = 0) or by an administrator (pg_cancel_backend)",
  "25P03": "the server ended the session for idle_in_transaction_session_timeout (sqlite2pg sets it to 0 on its sessions; a pooler or a server setting overrides that: connect directly, or ALTER ROLE <role> SET idle_in_transaction_session_timeout = 0)",
};

/** How long a statement waits for another session's lock before the run fails (SQLSTATE 55P03). */
export const LOCK_TIMEOUT = "10s";

/** SQLSTATEs and socket errors that mean the connection itself is gone (restart, crash, failover, network). */
const CONNECTION_LOST_CODES = new Set(["57P01", "57P02", "57P03", "08000", "08003", "08006", "ECONNRESET", "EPIPE", "ETIMEDOUT"]);

function connectionLost(code: string | undefined, message: string): boolean {
  return (code !== undefined && CONNECTION_LOST_CODES.has(code)) || /Connection terminated|connection (is )?closed|Client was closed|has encountered a connection error/i.test(message);
}

/** A hint for an SSL negotiation failure, which `pg` reports without a code. */
function sslHint(message: string): string | undefined {
  if (/does not support SSL/i.test(message)) {
    return "the server does not accept SSL connections: enable ssl on the server, or remove sslmode=require from the URL if an unencrypted connection is acceptable on this network";
  }
  if (/self[- ]signed|unable to verify|certificate|altnames/i.test(message)) {
    return "the server's certificate was not accepted: pass its CA with sslrootcert=<file> (verify-full/verify-ca), or use sslmode=require to encrypt without verifying";
  }
  return undefined;
}

/** 42501: name the exact GRANT from PostgreSQL's "permission denied for <kind> <name>". */
function privilegeHint(message: string): string {
  const m = /permission denied for (database|schema|table|relation|sequence) "?([^"\s]+)"?/i.exec(message);
  if (m && m[1].toLowerCase() === "database") {
    return `the role lacks the CREATE privilege on database ${m[2]} (needed by CREATE SCHEMA IF NOT EXISTS): GRANT CREATE ON DATABASE ${m[2]} TO <role>, or run as the database owner. Nothing was changed`;
  }
  if (m && m[1].toLowerCase() === "schema") {
    return `the role lacks the CREATE privilege on schema ${m[2]}: GRANT CREATE ON SCHEMA ${m[2]} TO <role> (PostgreSQL 15 no longer grants it to PUBLIC on "public"), or run as the schema owner. Nothing was changed`;
  }
  return CONNECT_HINTS["42501"];
}

export async function connectTarget(url: string, stage: Stage): Promise<PgClient> {
  if (isPgliteUrl(url)) {
    const embedded = await connectPglite(pgliteDataDir(url));
    await embedded.query(`SET lock_timeout = '${LOCK_TIMEOUT}'`);
    return embedded;
  }
  let config: pg.ClientConfig;
  try {
    config = pgPoolConfig(url);
  } catch (cause) {
    // e.g. sslrootcert=<file> that cannot be read
    throw new Sqlite2pgError(`cannot connect to ${redactUrl(url)}: ${(cause as Error).message}`, {
      code: "TARGET_CONNECT",
      kind: "target",
      stage,
      hint: "check the connection parameters in the URL (sslrootcert must name a readable PEM file)",
      cause,
    });
  }
  const client = new pg.Client(config);
  // `pg` emits 'error' on the client when the connection drops (server restart, network); without a listener
  // Node crashes with a stack trace. The query in flight is rejected with the same error, and reported from there.
  client.on("error", () => undefined);
  try {
    await client.connect();
  } catch (cause) {
    // A failed handshake can leave the socket open (e.g. SCRAM without a password): close it, or the process
    // waits for the server's authentication_timeout before it can exit.
    await client.end().catch(() => undefined);
    const code = (cause as { code?: string }).code ?? "";
    const message = (cause as Error).message;
    const timeoutS = (config.connectionTimeoutMillis ?? 0) / 1000;
    if (/timeout/i.test(message) && timeoutS > 0) {
      throw new Sqlite2pgError(`cannot connect to ${redactUrl(url)}: the server did not complete the connection within ${timeoutS} s`, {
        code: "TARGET_CONNECT_TIMEOUT",
        kind: "target",
        stage,
        hint: "something accepts TCP connections there but does not answer as PostgreSQL (a stopped or overloaded server, a proxy, another service on that port); check host and port with `pg_isready -h <host> -p <port>`. Wait longer with connect_timeout=<seconds> in the URL or PGCONNECT_TIMEOUT",
        cause,
      });
    }
    if (/SASL: .*password must be a string|password must be a string/i.test(message) && !config.password) {
      throw new Sqlite2pgError(`cannot connect to ${redactUrl(url)}: the server asks for a password and none was given`, {
        code: "TARGET_NO_PASSWORD",
        kind: "target",
        stage,
        hint: "put the password in the URL (postgresql://user:password@host/db, percent-encoded) or in the PGPASSWORD environment variable, e.g. DATABASE_URL=… so it does not show in `ps`",
        cause,
      });
    }
    throw new Sqlite2pgError(`cannot connect to ${redactUrl(url)}: ${message}`, {
      code: "TARGET_CONNECT",
      kind: "target",
      stage,
      hint: (code === "42501" ? privilegeHint(message) : CONNECT_HINTS[code]) ?? sslHint(message) ?? "check the URL given with --to or DATABASE_URL",
      cause,
    });
  }
  // A migration must fail loudly rather than wait forever behind another session's lock; and, as pg_dump and
  // pg_restore do, a role's or database's statement_timeout / idle_in_transaction_session_timeout must not end a
  // long COPY or the transaction between two tables (https://www.postgresql.org/docs/current/runtime-config-client.html).
  try {
    await client.query(`SET lock_timeout = '${LOCK_TIMEOUT}'; SET statement_timeout = 0; SET idle_in_transaction_session_timeout = 0`);
  } catch (cause) {
    await client.end().catch(() => undefined);
    throw targetError(stage, "cannot configure the session", cause);
  }
  return client;
}

/** Wrap a PostgreSQL error raised while working on `object`, keeping SQLSTATE, detail and hint. */
export function targetError(stage: Stage, message: string, cause: unknown, table?: string): Sqlite2pgError {
  const object = table === undefined ? undefined : { table };
  const f = pgErrorFields(cause);
  const causeMessage = (cause as Error)?.message ?? String(cause);
  // A failure of the SQLite side of a COPY pipeline (better-sqlite3 raises SqliteError, code SQLITE_*) is not
  // PostgreSQL's: report it as a source problem.
  if (isSqliteError(cause)) {
    const src = sourceReadError("the SQLite file", cause);
    return new Sqlite2pgError(`${message}: ${src.message}`, { code: src.code, kind: "source", stage, object, hint: src.hint, cause });
  }
  const inTransaction = stage === "apply" || stage === "copy";
  const unchanged = inTransaction ? " Nothing was committed: the target is as it was." : "";
  const detail = f.detail ? ` (${f.detail})` : "";
  if (f.sqlstate === "55P03") {
    return new Sqlite2pgError(
      `${message}: ${causeMessage}${detail} — waited lock_timeout (${LOCK_TIMEOUT}) for a lock held by another session`,
      {
        code: "PG_55P03",
        kind: "target",
        stage,
        object,
        hint:
          "another session holds a lock this statement needs (e.g. an open transaction creating or altering the same table or schema, " +
          "a concurrent migration, a client left idle in transaction). Find it with: SELECT pid, usename, application_name, state, xact_start, query " +
          "FROM pg_stat_activity WHERE datname = current_database() AND state <> 'idle' (or pg_locks / pg_blocking_pids), let it finish or end it " +
          `with pg_terminate_backend(pid), then run again.${unchanged}`,
        cause,
      },
    );
  }
  if (connectionLost(f.sqlstate, causeMessage)) {
    return new Sqlite2pgError(`${message}: lost the connection to PostgreSQL: ${causeMessage}${detail}`, {
      // SQLSTATEs always contain a digit; socket errors (EPIPE, ECONNRESET) do not.
      code: f.sqlstate && /\d/.test(f.sqlstate) ? `PG_${f.sqlstate}` : "TARGET_CONNECTION_LOST",
      kind: "target",
      stage,
      object,
      hint: `${(f.sqlstate && CONNECT_HINTS[f.sqlstate]) || "the server closed the connection (restart, crash, failover or network failure)"}.${unchanged} Run the same command again once the server is back`,
      cause,
    });
  }
  const hint = (f.sqlstate === "42501" ? privilegeHint(causeMessage) : f.sqlstate && CONNECT_HINTS[f.sqlstate]) ?? f.pgHint ?? undefined;
  return new Sqlite2pgError(`${message}: ${causeMessage}${detail}`, {
    code: f.sqlstate ? `PG_${f.sqlstate}` : "TARGET_ERROR",
    kind: "target",
    stage,
    object,
    hint,
    cause,
  });
}
