/**
 * A small SQLite SQL tokenizer and a conservative SQLite → PostgreSQL expression translator. Pure.
 *
 * The translator accepts only constructs that mean the same in both databases (a whitelist of functions and
 * keywords, see FUNCTIONS / KEYWORDS), rewrites the few that have an exact PostgreSQL spelling (`==` → `=`,
 * `ifnull` → `coalesce`, `instr` → `strpos`, `LIKE` → `ILIKE`, `a IS b` → `a IS NOT DISTINCT FROM b`, …) and
 * re-quotes every identifier with quoteIdent, spelled as the catalog spells it (SQLite identifiers are
 * case-insensitive, quoted PostgreSQL ones are not). Anything else makes the expression "not portable" with a
 * reason, so the caller reports it instead of emitting SQL that means something else.
 */
import { quoteIdent } from "../db/quote.js";

export type TokenKind = "string" | "ident" | "word" | "number" | "blob" | "param" | "op";

export interface Token {
  readonly kind: TokenKind;
  /** The source text of the token. */
  readonly text: string;
  /** Identifier value (unquoted) for "ident" and "word", string value for "string". */
  readonly value: string;
  /** Whitespace before the token (comments become one space). */
  readonly ws: string;
  /** For "ident": the opening quote character. */
  readonly quote?: string;
}

export class SqlSyntaxError extends Error {}

const TWO_CHAR_OPS = new Set(["||", "->", "<<", ">>", "<=", ">=", "==", "!=", "<>"]);

function isWordStart(c: string): boolean {
  return /[A-Za-z_]/.test(c) || c.charCodeAt(0) >= 0x80;
}

function isWordPart(c: string): boolean {
  return /[A-Za-z0-9_$]/.test(c) || c.charCodeAt(0) >= 0x80;
}

/** Split SQLite SQL into tokens (https://sqlite.org/lang_expr.html, https://sqlite.org/lang_keywords.html). */
export function tokenize(sql: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  let ws = "";
  const push = (kind: TokenKind, text: string, value: string, quote?: string): void => {
    tokens.push({ kind, text, value, ws, ...(quote ? { quote } : {}) });
    ws = "";
  };
  const quoted = (open: string, close: string, doubled: boolean): { text: string; value: string } => {
    let j = i + 1;
    let value = "";
    for (;;) {
      if (j >= sql.length) throw new SqlSyntaxError(`unterminated ${open}…${close} at offset ${i}`);
      const c = sql[j];
      if (c === close) {
        if (doubled && sql[j + 1] === close) {
          value += close;
          j += 2;
          continue;
        }
        break;
      }
      value += c;
      j++;
    }
    return { text: sql.slice(i, j + 1), value };
  };
  while (i < sql.length) {
    const c = sql[i];
    if (/\s/.test(c)) {
      ws += c;
      i++;
    } else if (c === "-" && sql[i + 1] === "-") {
      const end = sql.indexOf("\n", i);
      i = end < 0 ? sql.length : end;
      ws += " ";
    } else if (c === "/" && sql[i + 1] === "*") {
      const end = sql.indexOf("*/", i + 2);
      i = end < 0 ? sql.length : end + 2;
      ws += " ";
    } else if (c === "'") {
      const q = quoted("'", "'", true);
      push("string", q.text, q.value);
      i += q.text.length;
    } else if (c === '"' || c === "`") {
      const q = quoted(c, c, true);
      push("ident", q.text, q.value, c);
      i += q.text.length;
    } else if (c === "[") {
      const q = quoted("[", "]", false);
      push("ident", q.text, q.value, "[");
      i += q.text.length;
    } else if ((c === "x" || c === "X") && sql[i + 1] === "'") {
      i++;
      const q = quoted("'", "'", true);
      i--;
      push("blob", sql[i] + q.text, q.value);
      i += q.text.length + 1;
    } else if (/[0-9]/.test(c) || (c === "." && /[0-9]/.test(sql[i + 1] ?? ""))) {
      const m = /^(0[xX][0-9a-fA-F]+|(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)/.exec(sql.slice(i));
      const text = m ? m[0] : c;
      push("number", text, text);
      i += text.length;
    } else if (c === "?" || ((c === ":" || c === "@" || c === "$") && isWordStart(sql[i + 1] ?? " "))) {
      let j = i + 1;
      while (j < sql.length && isWordPart(sql[j])) j++;
      push("param", sql.slice(i, j), sql.slice(i, j));
      i = j;
    } else if (isWordStart(c)) {
      let j = i + 1;
      while (j < sql.length && isWordPart(sql[j])) j++;
      const text = sql.slice(i, j);
      push("word", text, text);
      i = j;
    } else {
      const three = sql.slice(i, i + 3);
      const two = sql.slice(i, i + 2);
      const text = three === "->>" ? three : TWO_CHAR_OPS.has(two) ? two : c;
      push("op", text, text);
      i += text.length;
    }
  }
  return tokens;
}

export function isWord(t: Token | undefined, ...words: string[]): boolean {
  return t !== undefined && t.kind === "word" && words.includes(t.value.toLowerCase());
}

export function isOp(t: Token | undefined, op: string): boolean {
  return t !== undefined && t.kind === "op" && t.text === op;
}

/** Index of the `)` matching the `(` at `open`. */
export function matchParen(tokens: readonly Token[], open: number): number {
  let depth = 0;
  for (let i = open; i < tokens.length; i++) {
    if (isOp(tokens[i], "(")) depth++;
    else if (isOp(tokens[i], ")")) {
      depth--;
      if (depth === 0) return i;
    }
  }
  throw new SqlSyntaxError("unbalanced parentheses");
}

/** Split tokens at top-level commas. */
export function splitTopLevel(tokens: readonly Token[]): Token[][] {
  const parts: Token[][] = [[]];
  let depth = 0;
  for (const t of tokens) {
    if (isOp(t, "(")) depth++;
    if (isOp(t, ")")) depth--;
    if (depth === 0 && isOp(t, ",")) parts.push([]);
    else parts[parts.length - 1].push(t);
  }
  return parts;
}

/** Re-assemble tokens as text (first token without its leading whitespace). */
export function render(tokens: readonly { ws: string; text: string }[]): string {
  return tokens
    .map((t, i) => (i === 0 ? t.text : t.ws + t.text))
    .join("")
    .trim();
}

// ---------------------------------------------------------------------------------------------------------------
// CREATE TABLE parsing: column collations, CHECK constraints, generated columns.

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

/** How PostgreSQL will type a column (the copy stage's ValueKind, or "unknown"). */
export type ColumnKind =
  | "int" | "bigint" | "float" | "decimal" | "text" | "boolean" | "timestamp" | "date" | "time" | "json" | "bytes" | "unknown";

const NUMERIC_KINDS = new Set<ColumnKind>(["int", "bigint", "float", "decimal"]);
/** Kinds whose SQLite storage (text or 0/1) PostgreSQL types differently: functions and arithmetic on them differ. */
const OPAQUE_KINDS = new Set<ColumnKind>(["boolean", "timestamp", "date", "time", "json", "bytes"]);

export interface TranslateScope {
  /** lower-cased name → spelling as created in PostgreSQL (tables, columns, views). */
  readonly names: ReadonlyMap<string, string>;
  /** lower-cased column name → kind. */
  readonly kinds: ReadonlyMap<string, ColumnKind>;
  /**
   * Closed (CHECK, index, generated column): every identifier must be a known name. Open (view): aliases are
   * allowed; a double-quoted unknown name is still refused (SQLite may read it as a string literal).
   */
  readonly closed: boolean;
  /** lower-cased names that exist in SQLite but not in PostgreSQL (objects not migrated), with why. */
  readonly missing?: ReadonlyMap<string, string>;
}

export type TranslateResult =
  | { readonly ok: true; readonly sql: string; readonly notes: readonly string[] }
  | { readonly ok: false; readonly reason: string };

/** Keywords that mean the same in PostgreSQL. */
const KEYWORDS = new Set([
  "select", "distinct", "all", "from", "where", "group", "by", "having", "order", "asc", "desc", "limit", "offset",
  "as", "join", "inner", "left", "outer", "cross", "on", "using", "and", "or", "not", "null", "is", "in", "between",
  "like", "escape", "case", "when", "then", "else", "end", "union", "except", "intersect", "exists", "with",
  "nulls", "first", "last", "isnull", "notnull", "distinct",
]);

/** Keywords (or SQLite-only names) with no same-meaning PostgreSQL spelling. */
const REJECTED_WORDS: Readonly<Record<string, string>> = {
  glob: "GLOB has no PostgreSQL equivalent with the same semantics",
  regexp: "REGEXP is a user function in SQLite",
  match: "MATCH is SQLite full-text search",
  collate: "COLLATE names a SQLite collation",
  cast: "CAST converts differently (SQLite never fails, PostgreSQL raises on bad input)",
  raise: "RAISE exists only in SQLite triggers",
  current_timestamp: "CURRENT_TIMESTAMP is text in SQLite, timestamptz in PostgreSQL",
  current_date: "CURRENT_DATE is text in SQLite, date in PostgreSQL",
  current_time: "CURRENT_TIME is text in SQLite, timetz in PostgreSQL",
  true: "TRUE is the integer 1 in SQLite",
  false: "FALSE is the integer 0 in SQLite",
  over: "window functions are not translated",
  filter: "aggregate FILTER is not translated",
  window: "window definitions are not translated",
  values: "VALUES lists are not translated",
  indexed: "INDEXED BY is SQLite-only",
  natural: "NATURAL JOIN is not translated",
  rowid: "rowid does not exist in PostgreSQL",
  _rowid_: "rowid does not exist in PostgreSQL",
  oid: "rowid does not exist in PostgreSQL",
  recursive: "recursive queries are not translated",
  new: "NEW exists only in triggers",
  old: "OLD exists only in triggers",
};

interface FunctionRule {
  readonly minArgs: number;
  readonly maxArgs: number;
  /** PostgreSQL spelling when it differs. */
  readonly rename?: string;
  readonly note?: string;
  /** Extra check on the arguments (tokens of each). */
  readonly check?: (args: readonly Token[][]) => string | undefined;
  /** Arguments may be of any kind (no OPAQUE_KINDS check). */
  readonly polymorphic?: boolean;
}

const LOWER_NOTE = "lower()/upper() fold only ASCII letters in SQLite and all letters in PostgreSQL";

function positiveIntegerLiteral(arg: readonly Token[] | undefined): boolean {
  return arg !== undefined && arg.length === 1 && arg[0].kind === "number" && /^\d+$/.test(arg[0].text) && Number(arg[0].text) >= 1;
}

/** Functions that mean the same in PostgreSQL (https://sqlite.org/lang_corefunc.html vs PostgreSQL's). */
const FUNCTIONS: Readonly<Record<string, FunctionRule>> = {
  lower: { minArgs: 1, maxArgs: 1, note: LOWER_NOTE },
  upper: { minArgs: 1, maxArgs: 1, note: LOWER_NOTE },
  length: { minArgs: 1, maxArgs: 1 },
  abs: { minArgs: 1, maxArgs: 1 },
  coalesce: { minArgs: 2, maxArgs: 100, polymorphic: true },
  ifnull: { minArgs: 2, maxArgs: 2, rename: "coalesce", polymorphic: true },
  nullif: { minArgs: 2, maxArgs: 2, polymorphic: true },
  trim: { minArgs: 1, maxArgs: 2, check: (a) => (a.length === 2 ? "trim(x, characters) is btrim in PostgreSQL" : undefined) },
  ltrim: { minArgs: 1, maxArgs: 2 },
  rtrim: { minArgs: 1, maxArgs: 2 },
  replace: { minArgs: 3, maxArgs: 3 },
  instr: { minArgs: 2, maxArgs: 2, rename: "strpos" },
  substr: {
    minArgs: 2,
    maxArgs: 3,
    // A start ≤ 0 counts from the end in SQLite only; a negative length means "before" in SQLite only.
    check: (a) => (positiveIntegerLiteral(a[1]) && (a[2] === undefined || positiveIntegerLiteral(a[2])) ? undefined : "substr() with a start or length other than a positive integer literal differs"),
  },
  substring: {
    minArgs: 2,
    maxArgs: 3,
    rename: "substr",
    check: (a) => (positiveIntegerLiteral(a[1]) && (a[2] === undefined || positiveIntegerLiteral(a[2])) ? undefined : "substring() with a start or length other than a positive integer literal differs"),
  },
  count: { minArgs: 0, maxArgs: 1, polymorphic: true },
  sum: { minArgs: 1, maxArgs: 1 },
  avg: { minArgs: 1, maxArgs: 1 },
  min: { minArgs: 1, maxArgs: 1, polymorphic: true, check: () => undefined },
  max: { minArgs: 1, maxArgs: 1, polymorphic: true, check: () => undefined },
};

const FUNCTION_HINTS: Readonly<Record<string, string>> = {
  group_concat: "group_concat() becomes string_agg() with different arguments",
  min: "min()/max() with several arguments ignore NULLs in PostgreSQL (greatest/least)",
  max: "min()/max() with several arguments ignore NULLs in PostgreSQL (greatest/least)",
  round: "round() rounds halves differently and takes no precision for double precision in PostgreSQL",
  strftime: "strftime() is SQLite's date formatting",
  datetime: "datetime() is SQLite's date function",
  date: "date() is SQLite's date function",
  time: "time() is SQLite's date function",
  julianday: "julianday() is SQLite-only",
  unixepoch: "unixepoch() is SQLite-only",
  typeof: "typeof() reports SQLite storage classes",
  printf: "printf() is SQLite-only",
  json_extract: "JSON functions differ",
};

const COMPARISON = new Set(["=", "==", "!=", "<>", "<", "<=", ">", ">="]);
const ARITHMETIC = new Set(["+", "-", "*", "/", "%"]);
const ALLOWED_OPS = new Set([...COMPARISON, ...ARITHMETIC, "||", "(", ")", ",", ".", ";"]);

interface Out {
  ws: string;
  text: string;
  /** Column kind when this output token is a column reference. */
  kind?: ColumnKind;
  /** Source token kind. */
  src: TokenKind;
  /** A function name (its "(" follows): parentheses after it are a call, not grouping. */
  call?: boolean;
}

/** Translate an expression or a SELECT from SQLite to PostgreSQL, or say why it cannot be. */
export function translate(tokens: readonly Token[], scope: TranslateScope): TranslateResult {
  try {
    return translateOrThrow(tokens, scope);
  } catch (e) {
    if (e instanceof NotPortable) return { ok: false, reason: e.message };
    if (e instanceof SqlSyntaxError) return { ok: false, reason: `cannot parse: ${e.message}` };
    throw e;
  }
}

class NotPortable extends Error {}

function fail(reason: string): never {
  throw new NotPortable(reason);
}

function translateOrThrow(tokens: readonly Token[], scope: TranslateScope): TranslateResult {
  const notes = new Set<string>();
  const names = new Map(scope.names);
  // Open scope: aliases (a word after AS, or an unquoted word that is no keyword) keep their first spelling.
  if (!scope.closed) {
    tokens.forEach((t, i) => {
      const key = t.value.toLowerCase();
      if (names.has(key)) return;
      const afterAs = isWord(tokens[i - 1], "as") && (t.kind === "word" || t.kind === "ident");
      const bareAlias = t.kind === "word" && !KEYWORDS.has(key) && !(key in REJECTED_WORDS) && !isOp(tokens[i + 1], "(");
      if (afterAs || bareAlias) names.set(key, t.value);
    });
  }
  const out: Out[] = [];
  const fnStack: { name: string; depth: number; polymorphic: boolean }[] = [];
  let depth = 0;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    const next = tokens[i + 1];
    const prev = tokens[i - 1];
    switch (t.kind) {
      case "blob":
        fail("blob literal");
      case "param":
        fail(`parameter ${t.text}`);
      case "number":
        if (/^0x/i.test(t.text)) fail(`hexadecimal literal ${t.text} (PostgreSQL 15 has none)`);
        out.push({ ws: t.ws, text: t.text, src: "number" });
        break;
      case "string":
        out.push({ ws: t.ws, text: t.text, src: "string" });
        break;
      case "op": {
        if (!ALLOWED_OPS.has(t.text) && !(t.text === "*")) fail(`operator ${t.text}`);
        if (t.text === "(") depth++;
        if (t.text === ")") {
          depth--;
          if (fnStack.length > 0 && fnStack[fnStack.length - 1].depth === depth) fnStack.pop();
        }
        if (t.text === "/") notes.add("division by zero raises an error in PostgreSQL (NULL in SQLite)");
        out.push({ ws: t.ws, text: t.text === "==" ? "=" : t.text, src: "op" });
        break;
      }
      case "word":
      case "ident": {
        const key = t.value.toLowerCase();
        if (t.kind === "word" && isOp(next, "(") && !KEYWORDS.has(key)) {
          i = translateCall(tokens, i, out, notes, fnStack, depth);
          depth++;
          break;
        }
        const softKeyword = (key === "first" || key === "last") && names.has(key) && !isWord(prev, "nulls");
        if (t.kind === "word" && KEYWORDS.has(key) && !softKeyword) {
          translateKeyword(tokens, i, out, notes);
          if (key === "is" && !isWord(next, "null", "not", "distinct")) {
            out.push({ ws: " ", text: "NOT DISTINCT FROM", src: "word" });
          } else if (key === "not" && isWord(prev, "is") && !isWord(next, "null", "distinct")) {
            out.pop();
            out.push({ ws: t.ws, text: "DISTINCT FROM", src: "word" });
          }
          break;
        }
        if (t.kind === "word" && key in REJECTED_WORDS && !names.has(key)) fail(REJECTED_WORDS[key]);
        const missing = scope.missing?.get(key);
        if (missing) fail(missing);
        let canonical = names.get(key);
        if (canonical === undefined) {
          if (scope.closed) fail(t.quote === '"' ? `"${t.value}" is not a column (SQLite reads it as a string)` : `unknown name ${t.value}`);
          if (t.quote === '"' && !isWord(prev, "as")) fail(`"${t.value}" is not a known name (SQLite may read it as a string)`);
          canonical = t.value;
        }
        const isQualifier = isOp(next, ".");
        const kind = isQualifier ? undefined : scope.kinds.get(key);
        if (kind !== undefined && fnStack.length > 0 && !fnStack[fnStack.length - 1].polymorphic && OPAQUE_KINDS.has(kind)) {
          fail(`${fnStack[fnStack.length - 1].name}() on column ${canonical}, which becomes ${kind} in PostgreSQL`);
        }
        out.push({ ws: t.ws, text: quoteIdent(canonical), src: "ident", ...(kind ? { kind } : {}) });
        break;
      }
    }
  }
  checkOperands(out);
  return { ok: true, sql: render(out), notes: [...notes] };
}

function translateKeyword(tokens: readonly Token[], i: number, out: Out[], notes: Set<string>): void {
  const t = tokens[i];
  const key = t.value.toLowerCase();
  const next = tokens[i + 1];
  const prev = tokens[i - 1];
  if (key === "like") {
    const pattern = tokens[i + 1];
    if (pattern?.kind !== "string") fail("LIKE with a non-literal pattern (escaping differs)");
    if (pattern.value.includes("\\") && !isWord(tokens[i + 2], "escape")) fail("LIKE pattern with a backslash (an escape in PostgreSQL only)");
    notes.add("LIKE is case-insensitive (ASCII) in SQLite: translated to ILIKE");
    out.push({ ws: t.ws, text: "ILIKE", src: "word" });
    return;
  }
  if (key === "in" && !isOp(next, "(")) fail("IN followed by a table name");
  if (key === "limit") {
    const comma = tokens.slice(i + 1).findIndex((x) => isOp(x, ","));
    if (comma >= 0 && !tokens.slice(i + 1, i + 1 + comma).some((x) => isOp(x, "(") || isOp(x, ")"))) fail("LIMIT offset, count");
  }
  if (key === "null" && isWord(prev, "not") && !isWord(tokens[i - 2], "is")) {
    // SQLite's postfix `x NOT NULL` is `x IS NOT NULL`.
    out.pop();
    out.push({ ws: prev.ws, text: "IS NOT", src: "word" });
  }
  out.push({ ws: t.ws, text: t.text, src: "word" });
}

function translateCall(
  tokens: readonly Token[],
  i: number,
  out: Out[],
  notes: Set<string>,
  fnStack: { name: string; depth: number; polymorphic: boolean }[],
  depth: number,
): number {
  const t = tokens[i];
  const key = t.value.toLowerCase();
  const rule = FUNCTIONS[key];
  const close = matchParen(tokens, i + 1);
  const inner = tokens.slice(i + 2, close);
  const args = inner.length === 0 ? [] : splitTopLevel(inner);
  if (!rule) fail(FUNCTION_HINTS[key] ?? `function ${t.value}() is SQLite-specific or not known to mean the same in PostgreSQL`);
  const isStar = args.length === 1 && args[0].length === 1 && isOp(args[0][0], "*");
  if (args.length < rule.minArgs || args.length > rule.maxArgs) {
    fail(FUNCTION_HINTS[key] ?? `${t.value}() with ${args.length} argument(s)`);
  }
  if (isStar && key !== "count") fail(`${t.value}(*)`);
  const problem = rule.check?.(args);
  if (problem) fail(problem);
  if (rule.rename) notes.add(`${t.value}() written as ${rule.rename}()`);
  if (rule.note) notes.add(rule.note);
  if (key === "sum" || key === "avg") notes.add(`${key}() of integers is numeric in PostgreSQL`);
  out.push({ ws: t.ws, text: rule.rename ?? t.text, src: "word", call: true });
  out.push({ ws: tokens[i + 1].ws, text: "(", src: "op" });
  fnStack.push({ name: key, depth, polymorphic: rule.polymorphic ?? false });
  return i + 1;
}

function literalNumber(o: Out | undefined): boolean {
  return o?.src === "number";
}

const isOpText = (o: Out | undefined, text: string): boolean => o?.src === "op" && o.text === text;

/**
 * The operand ending at out[at], seen through grouping parentheses and a table qualifier: `((t.col))` → col
 * (Access-style SQL such as northwind's `WHERE (((Products.Discontinued)=0))`). Undefined when the parentheses
 * are a function call's or do not wrap exactly one operand.
 */
function operandBefore(out: readonly Out[], at: number): { operand: Out; at: number } | undefined {
  let j = at;
  let n = 0;
  while (isOpText(out[j], ")")) {
    j--;
    n++;
  }
  if (out[j] === undefined) return undefined;
  let start = j;
  while (isOpText(out[start - 1], ".") && out[start - 2] !== undefined) start -= 2;
  for (let p = 1; p <= n; p++) if (!isOpText(out[start - p], "(")) return undefined;
  if (n > 0 && out[start - n - 1]?.call) return undefined;
  return { operand: out[j], at: j };
}

/** The operand starting at out[at], seen through grouping parentheses and a table qualifier: `((t.col))` → col. */
function operandAfter(out: readonly Out[], at: number): { operand: Out; at: number } | undefined {
  let j = at;
  let n = 0;
  while (isOpText(out[j], "(")) {
    j++;
    n++;
  }
  let end = j;
  while (isOpText(out[end + 1], ".") && out[end + 2] !== undefined) end += 2;
  if (out[end] === undefined) return undefined;
  for (let p = 1; p <= n; p++) if (!isOpText(out[end + p], ")")) return undefined;
  return { operand: out[end], at: end };
}

/** Comparisons and arithmetic between a column and a literal whose PostgreSQL types would not match. */
function checkOperands(out: Out[]): void {
  for (let k = 0; k < out.length; k++) {
    const o = out[k];
    if (o.src !== "op") continue;
    const leftAt = operandBefore(out, k - 1);
    const rightAt = operandAfter(out, k + 1);
    const left = leftAt?.operand;
    const right = rightAt?.operand;
    if (COMPARISON.has(o.text)) {
      for (const [col, lit, litAt] of [[left, right, rightAt?.at ?? k + 1], [right, left, leftAt?.at ?? k - 1]] as const) {
        if (!col?.kind || !lit) continue;
        checkLiteral(col, lit, out, litAt);
      }
    } else if (ARITHMETIC.has(o.text) || o.text === "||") {
      for (const side of [left, right]) {
        if (side?.kind && o.text !== "||" && (OPAQUE_KINDS.has(side.kind) || side.kind === "text")) {
          fail(`arithmetic on column ${side.text}, which is ${side.kind} in PostgreSQL`);
        }
        if (side?.kind && o.text === "||" && side.kind !== "text") {
          fail(`|| on column ${side.text}, which is ${side.kind} in PostgreSQL`);
        }
        if (o.text === "||" && literalNumber(side)) fail("|| with a number");
      }
    }
  }
  // col IN (literal, …), also `(t.col) IN (…)`
  for (let k = 0; k < out.length; k++) {
    if (!/^in$/i.test(out[k].text) || out[k + 1]?.text !== "(") continue;
    const col = operandBefore(out, k - 1)?.operand;
    if (!col?.kind) continue;
    for (let j = k + 2; j < out.length && out[j].text !== ")"; j++) {
      if (out[j].src === "number" || out[j].src === "string") checkLiteral(col, out[j], out, j);
    }
  }
}

function checkLiteral(col: Out, lit: Out, out: Out[], litAt: number): void {
  const kind = col.kind!;
  if (lit.src === "number") {
    if (kind === "boolean") {
      if (lit.text !== "0" && lit.text !== "1") fail(`column ${col.text} is boolean in PostgreSQL, compared with ${lit.text}`);
      out[litAt] = { ...lit, text: lit.text === "1" ? "TRUE" : "FALSE", src: "word" };
      return;
    }
    if (kind === "text") fail(`text column ${col.text} compared with the number ${lit.text}`);
    if (OPAQUE_KINDS.has(kind)) fail(`column ${col.text} is ${kind} in PostgreSQL, compared with the number ${lit.text}`);
  } else if (lit.src === "string") {
    if (kind === "boolean" || kind === "json" || kind === "bytes") fail(`column ${col.text} is ${kind} in PostgreSQL, compared with a string`);
    const value = lit.text.slice(1, -1);
    if (NUMERIC_KINDS.has(kind) && !/^\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*$/.test(value)) {
      fail(`numeric column ${col.text} compared with the string ${lit.text}`);
    }
  }
}
