/**
 * Catalog queries for the schema drift check, one per kind of object, all taking the schema name as $1.
 *
 * Definitions come from PostgreSQL's own deparsers (format_type, pg_get_expr, pg_get_constraintdef,
 * pg_get_indexdef, pg_get_viewdef, pg_get_triggerdef, pg_get_functiondef:
 * https://www.postgresql.org/docs/current/functions-info.html#FUNCTIONS-INFO-CATALOG), so two databases built by
 * the same SQL print the same text. Those functions qualify a name only when it is not visible on the
 * search_path, so the reader sets search_path to the schema being described; pg_get_indexdef and
 * pg_get_functiondef always qualify their own object, and that qualifier is cut here (quote_ident gives the
 * spelling PostgreSQL uses). Objects that belong to an extension (pg_depend deptype 'e',
 * https://www.postgresql.org/docs/current/catalog-pg-depend.html) are left out: an extension installed in the
 * target beforehand is not part of migrations/. Every `name` is cast to text (some drivers cannot decode it).
 */

/** Not a member of an extension: `alias` is a row of pg_class, pg_type or pg_proc (`catalog`). */
const notFromExtension = (alias: string, catalog: string) =>
  `NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.classid = '${catalog}'::regclass AND e.objid = ${alias}.oid AND e.deptype = 'e')`;

/** Tables (r), partitioned tables (p), foreign tables (f), views (v), materialized views (m). */
export const RELATIONS_SQL = `
SELECT c.relname::text AS name, c.relkind::text AS kind, c.relpersistence::text AS persistence,
       CASE WHEN c.relkind IN ('v', 'm') THEN pg_get_viewdef(c.oid, true) END AS definition
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = $1 AND c.relkind IN ('r', 'p', 'f', 'v', 'm') AND ${notFromExtension("c", "pg_class")}`;

/** Columns of tables: type with modifiers, NOT NULL, default or generation expression, identity, explicit collation. */
export const COLUMNS_SQL = `
SELECT c.relname::text AS "table", a.attname::text AS name, format_type(a.atttypid, a.atttypmod) AS type,
       a.attnotnull AS "notNull", a.attidentity::text AS identity, a.attgenerated::text AS generated,
       pg_get_expr(d.adbin, d.adrelid) AS expression,
       CASE WHEN a.attcollation <> t.typcollation THEN co.collname::text END AS collation
  FROM pg_attribute a
  JOIN pg_class c ON c.oid = a.attrelid
  JOIN pg_namespace n ON n.oid = c.relnamespace
  JOIN pg_type t ON t.oid = a.atttypid
  LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
  LEFT JOIN pg_collation co ON co.oid = a.attcollation
 WHERE n.nspname = $1 AND c.relkind IN ('r', 'p', 'f') AND a.attnum > 0 AND NOT a.attisdropped
   AND ${notFromExtension("c", "pg_class")}`;

/** Table constraints (primary, unique, foreign keys, CHECK, exclusion; NOT NULL ones on PostgreSQL 18). */
export const CONSTRAINTS_SQL = `
SELECT c.relname::text AS "table", k.conname::text AS name, pg_get_constraintdef(k.oid, true) AS definition
  FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = $1 AND ${notFromExtension("c", "pg_class")}`;

export const INDEXES_SQL = `
SELECT i.relname::text AS name, t.relname::text AS "table",
       replace(replace(pg_get_indexdef(i.oid), ' ON ONLY ' || quote_ident(n.nspname) || '.', ' ON ONLY '),
               ' ON ' || quote_ident(n.nspname) || '.', ' ON ') AS definition
  FROM pg_index x
  JOIN pg_class i ON i.oid = x.indexrelid
  JOIN pg_class t ON t.oid = x.indrelid
  JOIN pg_namespace n ON n.oid = i.relnamespace
 WHERE n.nspname = $1 AND ${notFromExtension("t", "pg_class")}`;

/** Sequence parameters, and the column owning it. Never the current value: the copy moved it on purpose. */
export const SEQUENCES_SQL = `
SELECT c.relname::text AS name, format_type(s.seqtypid, NULL) AS type, s.seqstart::text AS start,
       s.seqincrement::text AS increment, s.seqmin::text AS min, s.seqmax::text AS max, s.seqcache::text AS cache,
       s.seqcycle AS cycle,
       (SELECT t.relname || '.' || a.attname
          FROM pg_depend d
          JOIN pg_class t ON t.oid = d.refobjid
          JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
         WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.refclassid = 'pg_class'::regclass
           AND d.deptype IN ('a', 'i')
         LIMIT 1) AS "ownedBy"
  FROM pg_sequence s JOIN pg_class c ON c.oid = s.seqrelid JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = $1 AND ${notFromExtension("c", "pg_class")}`;

export const TRIGGERS_SQL = `
SELECT c.relname::text AS "table", g.tgname::text AS name,
       replace(pg_get_triggerdef(g.oid, true), ' ON ' || quote_ident(n.nspname) || '.', ' ON ') AS definition
  FROM pg_trigger g JOIN pg_class c ON c.oid = g.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = $1 AND NOT g.tgisinternal AND ${notFromExtension("c", "pg_class")}`;

/** Enum labels in their sort order (the order is part of the type). */
export const ENUMS_SQL = `
SELECT t.typname::text AS name, string_agg(quote_literal(e.enumlabel::text), ', ' ORDER BY e.enumsortorder) AS labels
  FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid JOIN pg_namespace n ON n.oid = t.typnamespace
 WHERE n.nspname = $1 AND ${notFromExtension("t", "pg_type")}
 GROUP BY t.typname`;

/** Functions and procedures (trigger functions, hand-written SQL); aggregates have no pg_get_functiondef. */
export const FUNCTIONS_SQL = `
SELECT p.oid::regprocedure::text AS name,
       replace(replace(pg_get_functiondef(p.oid), 'FUNCTION ' || quote_ident(n.nspname) || '.', 'FUNCTION '),
               'PROCEDURE ' || quote_ident(n.nspname) || '.', 'PROCEDURE ') AS definition
  FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
 WHERE n.nspname = $1 AND p.prokind IN ('f', 'p') AND ${notFromExtension("p", "pg_proc")}`;
