/**
 * PostgreSQL names for SQLite tables and columns that PostgreSQL (or Prisma's SQL) cannot take as they are. Pure.
 *
 * - longer than 63 bytes: PostgreSQL truncates (identifiers.ts);
 * - empty (`""`): PostgreSQL refuses zero-length delimited identifiers
 *   (https://www.postgresql.org/docs/current/sql-syntax-lexical.html#SQL-SYNTAX-IDENTIFIERS);
 * - containing `"`: Prisma writes identifiers between double quotes without doubling embedded ones, in the
 *   migration (`migrate diff`) and in every query of Prisma Client, so such a name would be SQL of the file
 *   author's choosing. The PostgreSQL name gets `_` instead, so migration.sql and the Client only ever see a
 *   plain name;
 * - a column named like a system column (`xmin`, `ctid`, …): PostgreSQL refuses it ("column name … conflicts with
 *   a system column name", https://www.postgresql.org/docs/current/ddl-system-columns.html).
 *
 * Every renamed object keeps its data; the reason is returned so the converter can record a decision.
 */
import { fitIdentifier, PG_MAX_IDENTIFIER_BYTES, utf8Length } from "./identifiers.js";

/** The system columns of every PostgreSQL 12+ table (`oid` stopped being one in 12). */
export const PG_SYSTEM_COLUMNS: ReadonlySet<string> = new Set(["tableoid", "xmin", "cmin", "xmax", "cmax", "ctid"]);

export type NameKind = "table" | "column";

export interface PgName {
  readonly name: string;
  /** Why the name differs from the SQLite one ("is longer than …"); absent when it is the same. */
  readonly reason?: string;
}

/** Why `name` cannot be a PostgreSQL name as is, and the name to start from instead; undefined when it can. */
function unusable(name: string, kind: NameKind): { base: string; reason: string } | undefined {
  if (name === "") return { base: kind === "table" ? "unnamed_table" : "unnamed_column", reason: "is empty, which PostgreSQL refuses" };
  if (name.includes('"')) {
    return {
      base: name.replace(/"/g, "_"),
      reason: "contains a double quote, which Prisma writes into SQL unescaped (migrations and Prisma Client)",
    };
  }
  if (kind === "column" && PG_SYSTEM_COLUMNS.has(name)) {
    return { base: `${name}_`, reason: `is the name of a PostgreSQL system column (${name})` };
  }
  if (utf8Length(name) > PG_MAX_IDENTIFIER_BYTES) return { base: name, reason: "is longer than PostgreSQL's 63-byte limit" };
  return undefined;
}

/**
 * PostgreSQL names for names sharing one namespace (the columns of a table; the tables and views of a schema).
 * Usable names are kept and reserved first; the others get their replacement base, fitted to 63 bytes and made
 * distinct with identifiers.ts's rule (`<prefix>_<8 hex of sha256>`). Deterministic for a given list.
 */
export function pgNamesFor(names: Iterable<string>, kind: NameKind, taken: Set<string> = new Set()): Map<string, PgName> {
  const list = [...names];
  const result = new Map<string, PgName>();
  for (const n of list) {
    if (unusable(n, kind) === undefined) {
      taken.add(n);
      result.set(n, { name: n });
    }
  }
  for (const n of list) {
    if (result.has(n)) continue;
    const { base, reason } = unusable(n, kind)!;
    result.set(n, { name: fitIdentifier(base, taken).name, reason });
  }
  return result;
}

/** The text of a rename decision: `column name "xmin" is the name of …; created as "xmin_" (@map)`. */
export function renameMessage(kind: NameKind, sqliteName: string, pg: PgName): string {
  const attr = kind === "table" ? "@@map" : "@map";
  // The long-name wording predates the other reasons; it names no value (the name is already in the decision).
  if (pg.reason === "is longer than PostgreSQL's 63-byte limit") return `${kind} name ${pg.reason}; created as "${pg.name}" (${attr})`;
  return `${kind} name ${JSON.stringify(sqliteName)} ${pg.reason}; created as "${pg.name}" (${attr}), the data is kept`;
}
