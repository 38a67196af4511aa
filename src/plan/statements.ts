/**
 * The baseline's statements, classified once, here, so that apply runs them by kind and never reads SQL text
 * back. The shapes recognised are the ones `prisma migrate diff --script` writes for a single-schema datamodel
 * (unqualified, double-quoted names; one statement per `-- <Kind>` section): see the golden migrations under
 * test/golden/. Anything else — extensions, the extra SQL (views, CHECKs, expression or partial indexes,
 * generated columns), a schema-qualified name, a section holding more than one statement — is kind "extra",
 * which runs where such statements always ran: in order, before the data when pre-data, in the final
 * transaction when post-data.
 *
 * `sql` is the statement exactly as it runs; migration.sql itself is never rewritten (its sha256 is the
 * checksum Prisma records in `_prisma_migrations`).
 */
import { quoteIdent } from "../core/quote.js";

export type PlannedStatement =
  /** The migration's own `CREATE SCHEMA IF NOT EXISTS` (plan.ts writes it first). */
  | { readonly kind: "schema"; readonly name?: string; readonly sql: string }
  | { readonly kind: "enum"; readonly name: string; readonly sql: string }
  | { readonly kind: "table"; readonly table: string; readonly sql: string }
  /** A primary key added after the data (split.ts deferPrimaryKey). */
  | { readonly kind: "primaryKey"; readonly table: string; readonly name: string; readonly sql: string }
  /** Prisma's plain `CREATE [UNIQUE] INDEX "name" ON "table"(…)`, one table's only. */
  | { readonly kind: "index"; readonly table: string; readonly name: string; readonly sql: string }
  | {
      readonly kind: "foreignKey";
      readonly table: string;
      readonly name: string;
      /** The referencing columns, in the key's order (PostgreSQL names). */
      readonly columns: readonly string[];
      readonly references: { readonly table: string; readonly columns: readonly string[] };
      readonly sql: string;
    }
  | { readonly kind: "extra"; readonly sql: string };

export type StatementKind = PlannedStatement["kind"];

const IDENT = '"((?:[^"]|"")+)"';
const IDENTS = '((?:"(?:[^"]|"")+")(?:,\\s*"(?:[^"]|"")+")*)';
/** Nothing but blanks after the statement's `;`: one statement (a `;` inside it must not end a line's text). */
const ONE_STATEMENT_TAIL = "(?:[^;]|;(?!\\s*\\S))*;\\s*$";

const CREATE_SCHEMA = /^CREATE SCHEMA IF NOT EXISTS /;
const SCHEMA_NAME = new RegExp(`^CREATE SCHEMA IF NOT EXISTS ${IDENT};\\s*$`);
const CREATE_TABLE = new RegExp(`^CREATE TABLE ${IDENT} \\(`);
const CREATE_ENUM = new RegExp(`^CREATE TYPE ${IDENT} AS ENUM \\(${ONE_STATEMENT_TAIL}`);
const CREATE_INDEX = new RegExp(`^CREATE (?:UNIQUE )?INDEX ${IDENT} ON ${IDENT}\\(${ONE_STATEMENT_TAIL}`);
const ADD_PRIMARY_KEY = new RegExp(`^ALTER TABLE ${IDENT} ADD CONSTRAINT ${IDENT} PRIMARY KEY \\(${ONE_STATEMENT_TAIL}`);
/** `ALTER TABLE "t" ADD CONSTRAINT "n" FOREIGN KEY ("a", "b") REFERENCES "p"("x", "y") ON DELETE … ON UPDATE …;` */
const ADD_FOREIGN_KEY = new RegExp(`^ALTER TABLE ${IDENT} ADD CONSTRAINT ${IDENT} FOREIGN KEY \\(${IDENTS}\\) REFERENCES ${IDENT}\\(${IDENTS}\\)`);

const unquote = (s: string): string => s.replace(/""/g, '"');
const identList = (list: string): string[] => [...list.matchAll(new RegExp(IDENT, "g"))].map((m) => unquote(m[1]));

/** A statement that runs before the data (a section CreateSchema, CreateEnum, CreateTable or CreateExtension). */
export function preDataStatement(sql: string): PlannedStatement {
  if (CREATE_SCHEMA.test(sql)) {
    const name = SCHEMA_NAME.exec(sql)?.[1];
    return name === undefined ? { kind: "schema", sql } : { kind: "schema", name: unquote(name), sql };
  }
  const table = CREATE_TABLE.exec(sql);
  if (table && !/;\s*\S/.test(sql)) return { kind: "table", table: unquote(table[1]), sql };
  const type = CREATE_ENUM.exec(sql);
  if (type) return { kind: "enum", name: unquote(type[1]), sql };
  return { kind: "extra", sql };
}

/** A statement that runs after the data (keys, indexes, foreign keys, the extra SQL). */
export function postDataStatement(sql: string): PlannedStatement {
  const index = CREATE_INDEX.exec(sql);
  if (index) return { kind: "index", table: unquote(index[2]), name: unquote(index[1]), sql };
  const key = ADD_PRIMARY_KEY.exec(sql);
  if (key) return { kind: "primaryKey", table: unquote(key[1]), name: unquote(key[2]), sql };
  const fk = ADD_FOREIGN_KEY.exec(sql);
  if (fk) {
    return {
      kind: "foreignKey",
      table: unquote(fk[1]),
      name: unquote(fk[2]),
      columns: identList(fk[3]),
      references: { table: unquote(fk[4]), columns: identList(fk[5]) },
      sql,
    };
  }
  return { kind: "extra", sql };
}

/**
 * Whether a statement names `schema` itself (`"app".t`, or `app."t"` for a name that needs no quotes): a build in
 * another schema through search_path (staged-apply.ts) would then write into `schema` directly.
 */
export function namesSchema(statements: readonly PlannedStatement[], schema: string): boolean {
  const quoted = quoteIdent(schema);
  const bare = /^[a-z_][a-z0-9_$]*$/.test(schema) ? new RegExp(`(?<![\\w$"])${schema}\\s*\\.\\s*"`, "i") : null;
  return statements.some(({ sql }) => sql.includes(`${quoted}.`) || (bare !== null && bare.test(sql)));
}
