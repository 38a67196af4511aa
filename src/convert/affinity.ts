/**
 * SQLite column affinity and a tolerant parser for declared types. Pure.
 *
 * SQLite accepts any text as a column type and only derives an *affinity* from it; the convert stage needs both
 * the affinity (what SQLite actually did with the values) and the declared name/params (what the author meant).
 */
import type { Affinity } from "../core/column-type.js";

/**
 * The five rules of https://sqlite.org/datatype3.html#determination_of_column_affinity, in their order.
 * Substring matches on purpose, like SQLite: "intege" and "POINT" are INTEGER, "CHARINT" is INTEGER,
 * "FLOATING POINT" is INTEGER too (rule 1 wins).
 */
export function affinityOf(declaredType: string): Affinity {
  const t = declaredType.toUpperCase();
  if (t.includes("INT")) return "INTEGER";
  if (t.includes("CHAR") || t.includes("CLOB") || t.includes("TEXT")) return "TEXT";
  if (t.includes("BLOB") || t.trim() === "") return "BLOB";
  if (t.includes("REAL") || t.includes("FLOA") || t.includes("DOUB")) return "REAL";
  return "NUMERIC";
}

export interface DeclaredType {
  /** Lowercased name without parameters or quoting, inner whitespace collapsed: "double precision", "nvarchar". */
  readonly base: string;
  /** Numeric parameters in order: numeric(20, 6) → [20, 6]. Non-numeric parameters are dropped. */
  readonly params: readonly number[];
}

/**
 * Split a declared type into name and numeric parameters. SQLite's grammar allows a type name of several
 * identifiers (each possibly quoted with "", [] or ``) followed by up to two signed numbers in parentheses
 * (https://sqlite.org/syntax/type-name.html). Words after the parentheses are kept in the base.
 */
export function parseDeclaredType(declared: string): DeclaredType {
  const unquoted = declared.replace(/["'`[\]]/g, " ");
  const open = unquoted.indexOf("(");
  let name = unquoted;
  let params: number[] = [];
  if (open >= 0) {
    const close = unquoted.indexOf(")", open);
    const inner = close >= 0 ? unquoted.slice(open + 1, close) : unquoted.slice(open + 1);
    const rest = close >= 0 ? unquoted.slice(close + 1) : "";
    name = `${unquoted.slice(0, open)} ${rest}`;
    params = inner
      .split(",")
      .map((p) => p.trim())
      .filter((p) => /^[+-]?\d+(\.\d+)?$/.test(p))
      .map(Number);
  }
  return { base: name.trim().replace(/\s+/g, " ").toLowerCase(), params };
}
