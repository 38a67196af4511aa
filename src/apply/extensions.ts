/**
 * Can the migration use the citext extension on this target? Asked of the catalog before anything is written, so
 * the conversion falls back to text + lower() (with a decision) instead of failing at `CREATE EXTENSION`.
 *
 * - installed already: usable when its schema is on the migration's search_path ("<schema>", pg_catalog), since
 *   Prisma writes the type unqualified (`CITEXT`);
 * - not installed: the server must ship it (pg_available_extensions: the contrib package), and the role must be
 *   allowed to create it — a superuser, or, for a trusted extension (citext is, since PostgreSQL 13), any role
 *   with CREATE on the database (https://www.postgresql.org/docs/current/sql-createextension.html), and CREATE on
 *   the target schema where the extension's objects go.
 */
import type { PgClient } from "../db/pg-client.js";
import type { CitextSupport } from "../convert/nocase.js";

interface Row {
  readonly installed_in: string | null;
  readonly available: boolean;
  readonly trusted: boolean | null;
  readonly superuser: boolean;
  readonly create_db: boolean;
  readonly schema_exists: boolean;
  readonly create_schema: boolean | null;
}

export async function citextSupport(client: PgClient, pgSchema: string): Promise<CitextSupport> {
  const { rows } = await client.query<Row>(
    `SELECT (SELECT n.nspname::text FROM pg_catalog.pg_extension e JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'citext') AS installed_in,
            EXISTS (SELECT 1 FROM pg_catalog.pg_available_extensions WHERE name = 'citext') AS available,
            (SELECT v.trusted FROM pg_catalog.pg_available_extension_versions v JOIN pg_catalog.pg_available_extensions a ON a.name = v.name AND a.default_version = v.version
              WHERE v.name = 'citext') AS trusted,
            (SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user) AS superuser,
            has_database_privilege(current_database(), 'CREATE') AS create_db,
            EXISTS (SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = $1) AS schema_exists,
            CASE WHEN EXISTS (SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = $1) THEN has_schema_privilege($1, 'CREATE') END AS create_schema`,
    [pgSchema],
  );
  const r = rows[0];
  const yes = (v: unknown): boolean => v === true || v === "t";
  if (r.installed_in !== null) {
    if (r.installed_in === pgSchema || r.installed_in === "pg_catalog") return { available: true };
    return { available: false, reason: `the database has the citext extension in schema "${r.installed_in}", which the migration's search_path ("${pgSchema}", pg_catalog) does not include` };
  }
  if (!yes(r.available)) return { available: false, reason: "this PostgreSQL server does not ship the citext extension (the contrib package is not installed)" };
  const schemaOk = !yes(r.schema_exists) || yes(r.create_schema);
  if (yes(r.superuser) || (yes(r.trusted) && yes(r.create_db) && schemaOk)) return { available: true };
  return {
    available: false,
    reason: yes(r.trusted)
      ? `the role may not create extensions here: it needs CREATE on the database${schemaOk ? "" : ` and on schema "${pgSchema}"`} — GRANT CREATE ON DATABASE, or have an owner run CREATE EXTENSION citext once`
      : "the role may not create the citext extension: it is not trusted on this server, a superuser must run CREATE EXTENSION citext",
  };
}
