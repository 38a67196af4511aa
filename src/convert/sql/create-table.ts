/** CREATE TABLE parsing: column collations, CHECK constraints, generated columns. Pure. */
import { isOp, isWord, matchParen, splitTopLevel, SqlSyntaxError, tokenize, type Token } from "./tokens.js";

export interface ParsedCheck {
  readonly name: string | null;
  /** The column it is declared on (column constraint), or null (table constraint). */
  readonly column: string | null;
  /** Tokens inside CHECK ( … ). */
  readonly expr: readonly Token[];
}

export interface ParsedColumn {
  readonly name: string;
  readonly collation: string | null;
  readonly generated: { readonly expr: readonly Token[]; readonly stored: boolean } | null;
}

export interface ParsedTable {
  readonly columns: readonly ParsedColumn[];
  /** In source order. */
  readonly checks: readonly ParsedCheck[];
}

const COLUMN_CONSTRAINT_START = new Set([
  "constraint", "primary", "not", "null", "unique", "check", "default", "collate", "references", "generated", "as",
]);

function nameOf(t: Token | undefined): string {
  if (!t || (t.kind !== "word" && t.kind !== "ident" && t.kind !== "string")) {
    throw new SqlSyntaxError(`expected a name, found ${t?.text ?? "end of input"}`);
  }
  return t.value;
}

/** Parse the column definitions and constraints of a `CREATE TABLE … ( … )` statement (https://sqlite.org/lang_createtable.html). */
export function parseCreateTable(sql: string): ParsedTable {
  const tokens = tokenize(sql);
  const open = tokens.findIndex((t) => isOp(t, "("));
  if (open < 0) throw new SqlSyntaxError("no column list");
  const close = matchParen(tokens, open);
  const columns: ParsedColumn[] = [];
  const checks: ParsedCheck[] = [];
  for (const def of splitTopLevel(tokens.slice(open + 1, close))) {
    if (def.length === 0) continue;
    const first = def[0];
    const tableConstraint = isWord(first, "constraint", "primary", "unique", "check", "foreign");
    let column: string | null = null;
    let i = 0;
    if (!tableConstraint) {
      column = nameOf(first);
      i = 1;
      // Type name: tokens up to the first constraint keyword (parenthesised size arguments skipped).
      while (i < def.length && !isWord(def[i], ...COLUMN_CONSTRAINT_START)) {
        i = isOp(def[i], "(") ? matchParen(def, i) + 1 : i + 1;
      }
    }
    let pendingName: string | null = null;
    let collation: string | null = null;
    let generated: ParsedColumn["generated"] = null;
    while (i < def.length) {
      const t = def[i];
      if (isWord(t, "constraint")) {
        pendingName = nameOf(def[i + 1]);
        i += 2;
        continue;
      }
      if (isWord(t, "check") && isOp(def[i + 1], "(")) {
        const end = matchParen(def, i + 1);
        checks.push({ name: pendingName, column, expr: def.slice(i + 2, end) });
        pendingName = null;
        i = end + 1;
        continue;
      }
      if (column !== null && isWord(t, "collate")) {
        collation = nameOf(def[i + 1]).toUpperCase();
        i += 2;
        continue;
      }
      if (column !== null && (isWord(t, "generated") || isWord(t, "as"))) {
        let j = i;
        if (isWord(def[j], "generated")) j += 2; // GENERATED ALWAYS
        if (!isWord(def[j], "as") || !isOp(def[j + 1], "(")) throw new SqlSyntaxError("malformed generated column");
        const end = matchParen(def, j + 1);
        const stored = isWord(def[end + 1], "stored");
        generated = { expr: def.slice(j + 2, end), stored };
        pendingName = null;
        i = end + 1;
        continue;
      }
      if (isWord(t, "primary", "unique", "not", "null", "default", "references", "foreign")) pendingName = null;
      i = isOp(t, "(") ? matchParen(def, i) + 1 : i + 1;
    }
    if (column !== null) columns.push({ name: column, collation, generated });
  }
  return { columns, checks };
}

// ---------------------------------------------------------------------------------------------------------------
// Translation.
