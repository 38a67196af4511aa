/**
 * Making a fully built staging schema the target schema in O(1) locks, for migrations with more objects than
 * one transaction can lock (staged-apply.ts). The final transaction drops the (empty) target schema and renames
 * the staging schema to its name: `ALTER SCHEMA … RENAME TO` changes one pg_namespace row and takes no lock on
 * the relations inside (https://www.postgresql.org/docs/current/sql-alterschema.html), whereas moving each table
 * (`ALTER TABLE … SET SCHEMA`) locks every table, index, sequence and TOAST table until COMMIT.
 *
 * A schema is a name, an owner, an ACL (nspacl), a comment, security labels, and what lives in it or depends on
 * it (pg_depend: objects, `ALTER DEFAULT PRIVILEGES IN SCHEMA`, `CREATE PUBLICATION … FOR TABLES IN SCHEMA`;
 * https://www.postgresql.org/docs/current/catalog-pg-namespace.html). The swap is only used when nothing would
 * be lost: the target schema is absent, or it holds nothing and nothing depends on it, has no security label,
 * and its owner and ACL can be given back exactly (owner: we may act as it; ACL: every entry granted by the
 * owner, as our GRANTs will be recorded). What changes is the schema's OID, which nothing refers to once it is
 * empty and dependency-free. Anything else: `obstacle` says why, and the caller refuses as before.
 */
import type { PgClient } from "../db/pg-client.js";
import { quoteIdent } from "../core/quote.js";
import { Sqlite2pgError } from "../core/errors.js";

export interface TargetSchemaState {
  readonly exists: boolean;
  /** Why the swap cannot be used here; undefined = it can. */
  readonly obstacle?: string;
  readonly owner?: string;
  /** nspacl as text items, in the catalog's order; null = the default ACL (NULL in pg_namespace). */
  readonly acl?: readonly string[] | null;
}

export async function inspectTargetSchema(client: PgClient, schema: string): Promise<TargetSchemaState> {
  const { rows } = await client.query<{
    owner: string;
    may_own: boolean;
    acl: string[] | null;
    foreign_grantor: boolean;
    dependents: number;
    labels: number;
    may_create: boolean;
  }>(
    `SELECT n.nspowner::regrole::text AS owner,
            pg_catalog.pg_has_role(n.nspowner, 'USAGE') AS may_own,
            (SELECT array_agg(a.item::text ORDER BY a.i) FROM unnest(n.nspacl) WITH ORDINALITY a(item, i)) AS acl,
            EXISTS (SELECT FROM aclexplode(n.nspacl) e WHERE e.grantor <> n.nspowner) AS foreign_grantor,
            (SELECT count(*)::int FROM pg_catalog.pg_depend d WHERE d.refclassid = 'pg_catalog.pg_namespace'::regclass AND d.refobjid = n.oid) AS dependents,
            (SELECT count(*)::int FROM pg_catalog.pg_seclabel l WHERE l.classoid = 'pg_catalog.pg_namespace'::regclass AND l.objoid = n.oid) AS labels,
            pg_catalog.has_database_privilege(current_database(), 'CREATE') AS may_create
       FROM pg_catalog.pg_namespace n WHERE n.nspname = $1`,
    [schema],
  );
  const s = rows[0];
  if (!s) return { exists: false };
  const obstacle =
    s.dependents > 0
      ? `the schema "${schema}" is not empty (${s.dependents} object(s) in it or depending on it: tables, types, functions, default privileges or publications)`
      : !s.may_own
        ? `this role cannot act as the owner of schema "${schema}" (${s.owner})`
        : !s.may_create
          ? "this role lacks CREATE on the database"
          : s.foreign_grantor
            ? `the privileges on schema "${schema}" were granted by a role other than its owner, and could not be given back as they are`
            : s.labels > 0
              ? `the schema "${schema}" has a security label`
              : undefined;
  return { exists: true, owner: s.owner, acl: s.acl, ...(obstacle ? { obstacle } : {}) };
}

/**
 * Inside the caller's final transaction: replace `target` (empty, or absent) by `staging`, with the owner, ACL
 * and comment `target` had. DROP … RESTRICT fails if anything appeared in the target schema since the check,
 * and then nothing is changed.
 */
export async function swapSchema(client: PgClient, staging: string, target: string, state: TargetSchemaState): Promise<void> {
  const t = quoteIdent(target);
  // The comment, read before the drop. COMMENT takes no parameters: PostgreSQL itself quotes the stored text
  // (format %L), so the value never passes through our string building.
  const { rows: comment } = await client.query<{ sql: string }>(
    `SELECT format('COMMENT ON SCHEMA %s IS %L', $2::text, d.description) AS sql
       FROM pg_catalog.pg_description d JOIN pg_catalog.pg_namespace n ON n.oid = d.objoid
      WHERE d.classoid = 'pg_catalog.pg_namespace'::regclass AND n.nspname = $1`,
    [target, t],
  );
  if (state.exists) await client.query(`DROP SCHEMA ${t} RESTRICT`);
  await client.query(`ALTER SCHEMA ${quoteIdent(staging)} RENAME TO ${t}`);
  if (!state.exists) return; // created by this run, as the migration's CREATE SCHEMA would have: ours, default ACL
  await client.query(`ALTER SCHEMA ${t} OWNER TO ${quoteIdent(state.owner!)}`);
  if (state.acl !== null && state.acl !== undefined) {
    // An explicit ACL: start from none (REVOKE from the owner turns the NULL default into an explicit list),
    // then grant each entry in the catalog's order, which GRANT keeps (https://www.postgresql.org/docs/current/ddl-priv.html).
    await client.query(`REVOKE ALL ON SCHEMA ${t} FROM ${quoteIdent(state.owner!)}`);
    const { rows: grants } = await client.query<{ grantee: string | null; privilege: string; grantable: boolean }>(
      `SELECT CASE WHEN e.grantee = 0 THEN NULL ELSE e.grantee::regrole::text END AS grantee, e.privilege_type AS privilege, e.is_grantable AS grantable
         FROM aclexplode($1::aclitem[]) e`,
      [`{${state.acl.join(",")}}`],
    );
    for (const g of grants) {
      if (!/^(USAGE|CREATE)$/.test(g.privilege)) throw new Sqlite2pgError(`unexpected schema privilege ${g.privilege}`, { code: "INTERNAL", kind: "internal", stage: "apply" });
      await client.query(`GRANT ${g.privilege} ON SCHEMA ${t} TO ${g.grantee === null ? "PUBLIC" : quoteIdent(g.grantee)}${g.grantable ? " WITH GRANT OPTION" : ""}`);
    }
    const { rows } = await client.query<{ acl: string[] | null }>(
      "SELECT (SELECT array_agg(a.item::text ORDER BY a.i) FROM unnest(nspacl) WITH ORDINALITY a(item, i)) AS acl FROM pg_catalog.pg_namespace WHERE nspname = $1",
      [target],
    );
    if (JSON.stringify(rows[0]?.acl ?? []) !== JSON.stringify(state.acl)) {
      throw new Sqlite2pgError(`the privileges on schema "${target}" could not be given back exactly (${rows[0]?.acl?.join(",")} instead of ${state.acl.join(",")}); nothing was changed`, {
        code: "TARGET_SCHEMA_ACL",
        kind: "target",
        stage: "apply",
      });
    }
  }
  for (const c of comment) await client.query(c.sql);
}
