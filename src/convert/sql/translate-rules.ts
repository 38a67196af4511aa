/**
 * What the SQLite → PostgreSQL translator (translate.ts) accepts: the whitelist of keywords, functions and
 * operators that mean the same in both databases, and the words refused with a reason. Pure data.
 */
import type { Token } from "./tokens.js";

/** How PostgreSQL will type a column (the copy stage's ValueKind, or "unknown"). */
export type ColumnKind =
  | "int" | "bigint" | "float" | "decimal" | "text" | "boolean" | "timestamp" | "date" | "time" | "json" | "bytes" | "unknown";

export const NUMERIC_KINDS = new Set<ColumnKind>(["int", "bigint", "float", "decimal"]);
/** Kinds whose SQLite storage (text or 0/1) PostgreSQL types differently: functions and arithmetic on them differ. */
export const OPAQUE_KINDS = new Set<ColumnKind>(["boolean", "timestamp", "date", "time", "json", "bytes"]);

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
export const KEYWORDS = new Set([
  "select", "distinct", "all", "from", "where", "group", "by", "having", "order", "asc", "desc", "limit", "offset",
  "as", "join", "inner", "left", "outer", "cross", "on", "using", "and", "or", "not", "null", "is", "in", "between",
  "like", "escape", "case", "when", "then", "else", "end", "union", "except", "intersect", "exists", "with",
  "nulls", "first", "last", "isnull", "notnull", "distinct",
]);

/** Keywords (or SQLite-only names) with no same-meaning PostgreSQL spelling. */
export const REJECTED_WORDS: Readonly<Record<string, string>> = {
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

export interface FunctionRule {
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

export const LOWER_NOTE = "lower()/upper() fold only ASCII letters in SQLite and all letters in PostgreSQL";

export function positiveIntegerLiteral(arg: readonly Token[] | undefined): boolean {
  return arg !== undefined && arg.length === 1 && arg[0].kind === "number" && /^\d+$/.test(arg[0].text) && Number(arg[0].text) >= 1;
}

/** Functions that mean the same in PostgreSQL (https://sqlite.org/lang_corefunc.html vs PostgreSQL's). */
export const FUNCTIONS: Readonly<Record<string, FunctionRule>> = {
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

export const FUNCTION_HINTS: Readonly<Record<string, string>> = {
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

export const COMPARISON = new Set(["=", "==", "!=", "<>", "<", "<=", ">", ">="]);
export const ARITHMETIC = new Set(["+", "-", "*", "/", "%"]);
export const ALLOWED_OPS = new Set([...COMPARISON, ...ARITHMETIC, "||", "(", ")", ",", ".", ";"]);
