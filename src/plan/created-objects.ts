/**
 * The names the baseline migration creates in the target schema, read from Prisma's migration text (one
 * statement per line start, identifiers always double-quoted): tables, views, indexes (a PRIMARY KEY or UNIQUE
 * constraint is an index too), the sequences SERIAL columns get, and enum types. In PostgreSQL tables, views,
 * indexes and sequences share one namespace per schema (pg_class), types have their own (pg_type): any of
 * these names already taken fails the migration with 42P07/42710 — after the copy, when an index or the
 * parallel path's move into the target schema meets it. The check runs before the copy instead.
 */

export interface CreatedObjects {
  /** pg_class names: tables, views, indexes, sequences. */
  readonly relations: readonly string[];
  /** pg_type names: enums. */
  readonly types: readonly string[];
}

const IDENT = String.raw`"((?:[^"]|"")+)"`;
const unquote = (s: string): string => s.replace(/""/g, '"');

/**
 * PostgreSQL names a SERIAL column's sequence `<table>_<column>_seq` when that fits 63 bytes (longer names are
 * shortened by rules of its own and, like a taken name, then get a suffix; those are not predicted here).
 */
function serialSequence(table: string, column: string): string | undefined {
  const name = `${table}_${column}_seq`;
  return Buffer.byteLength(name) <= 63 ? name : undefined;
}

export function createdObjects(sql: string): CreatedObjects {
  const relations = new Set<string>();
  const types = new Set<string>();
  const re = (pattern: string, flags = "gim") => new RegExp(pattern, flags);
  for (const m of sql.matchAll(re(String.raw`^CREATE TABLE (?:${IDENT}\.)?${IDENT} \(([\s\S]*?)\n\);`))) {
    const table = unquote(m[2]);
    relations.add(table);
    for (const c of m[3].matchAll(re(String.raw`^\s*${IDENT} (?:SMALL|BIG)?SERIAL\b`))) {
      const seq = serialSequence(table, unquote(c[1]));
      if (seq) relations.add(seq);
    }
    for (const c of m[3].matchAll(re(String.raw`CONSTRAINT ${IDENT} (?:PRIMARY KEY|UNIQUE)`))) relations.add(unquote(c[1]));
  }
  for (const m of sql.matchAll(re(String.raw`^CREATE (?:UNIQUE )?INDEX (?:CONCURRENTLY )?(?:IF NOT EXISTS )?${IDENT}`))) relations.add(unquote(m[1]));
  for (const m of sql.matchAll(re(String.raw`^CREATE (?:OR REPLACE )?(?:MATERIALIZED )?VIEW (?:${IDENT}\.)?${IDENT}`))) relations.add(unquote(m[2]));
  for (const m of sql.matchAll(re(String.raw`ADD CONSTRAINT ${IDENT} (?:PRIMARY KEY|UNIQUE)`))) relations.add(unquote(m[1]));
  for (const m of sql.matchAll(re(String.raw`^CREATE TYPE (?:${IDENT}\.)?${IDENT}`))) types.add(unquote(m[2]));
  return { relations: [...relations], types: [...types] };
}
