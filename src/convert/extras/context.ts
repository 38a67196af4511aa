/** What the extras' parts share: a table's names and kinds as the translator sees them. Pure. */
import type { SqliteTable } from "../../core/catalog.js";
import { isOp, type ColumnKind, type ParsedTable, type Token, type TranslateScope } from "../sql/index.js";
import { type TypeFamily } from "../type-map.js";

export const FAMILY_KIND: Readonly<Partial<Record<TypeFamily, ColumnKind>>> = {
  boolean: "boolean",
  timestamp: "timestamp",
  date: "date",
  time: "time",
  json: "json",
  smallint: "int",
  integer: "int",
  bigint: "bigint",
  float: "float",
  decimal: "decimal",
  varchar: "text",
  char: "text",
  text: "text",
  bytes: "bytes",
  untyped: "unknown",
  numeric: "unknown",
};

export const KNOWN_KINDS = new Set<string>(["int", "bigint", "float", "decimal", "text", "boolean", "timestamp", "date", "time", "json", "bytes"]);

/** A copy-stage value kind as seen by the translator ("unknown" for kinds it does not reason about). */
export function asKind(kind: string): ColumnKind {
  return KNOWN_KINDS.has(kind) ? (kind as ColumnKind) : "unknown";
}

/** Collapse whitespace so the SQLite text reads on one report line. */
export function oneLine(sql: string): string {
  return sql.replace(/\s+/g, " ").trim();
}

export function stripSemicolon(tokens: Token[]): Token[] {
  while (tokens.length > 0 && isOp(tokens[tokens.length - 1], ";")) tokens.pop();
  return tokens;
}

export interface TableCtx {
  readonly table: SqliteTable;
  readonly pgName: string;
  readonly parsed: ParsedTable | null;
  /** SQLite column name → PostgreSQL name, for the columns that exist in PostgreSQL. */
  readonly columns: Map<string, string>;
  readonly kinds: Map<string, ColumnKind>;
  /** SQLite column name → how a COLLATE NOCASE column was converted (table-plan.ts ColumnPlan.nocase). */
  readonly nocase: ReadonlyMap<string, "citext" | "text">;
  /** Constraint names used on this table. */
  readonly constraintNames: Set<string>;
}

export function scopeFor(ctx: TableCtx): TranslateScope {
  const names = new Map<string, string>([[ctx.table.name.toLowerCase(), ctx.pgName]]);
  const kinds = new Map<string, ColumnKind>();
  for (const [sqlite, pg] of ctx.columns) {
    names.set(sqlite.toLowerCase(), pg);
    const k = ctx.kinds.get(sqlite);
    if (k) kinds.set(sqlite.toLowerCase(), k);
  }
  return { names, kinds, closed: true };
}
