/**
 * The one place identifiers are quoted. PostgreSQL identifiers are double-quoted with embedded quotes doubled
 * (https://www.postgresql.org/docs/current/sql-syntax-lexical.html#SQL-SYNTAX-IDENTIFIERS); SQLite accepts the
 * same syntax (https://sqlite.org/lang_keywords.html). Values never go through here: they travel as bind
 * parameters or COPY data.
 */
export function quoteIdent(name: string): string {
  if (name.includes("\u0000")) throw new Error(`identifier contains a NUL character: ${JSON.stringify(name)}`);
  return `"${name.replace(/"/g, '""')}"`;
}

/** `"schema"."name"` */
export function quoteQualified(schema: string, name: string): string {
  return `${quoteIdent(schema)}.${quoteIdent(name)}`;
}

/**
 * The search_path under which migration SQL runs: `schema` first, then pg_catalog. Prisma's statements name
 * tables unqualified, and pg_catalog — searched *first* unless search_path lists it
 * (https://www.postgresql.org/docs/current/ddl-schemas.html#DDL-SCHEMAS-CATALOG) — would otherwise turn a table
 * named `pg_type` into the system catalog. Our own catalog queries name `pg_catalog.` explicitly for that reason.
 */
export function migrationSearchPath(schema: string): string {
  return `${quoteIdent(schema)}, pg_catalog`;
}
