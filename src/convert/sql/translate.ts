/**
 * A conservative SQLite → PostgreSQL expression translator. Pure.
 *
 * The translator accepts only constructs that mean the same in both databases (a whitelist of functions and
 * keywords, see FUNCTIONS / KEYWORDS), rewrites the few that have an exact PostgreSQL spelling (`==` → `=`,
 * `ifnull` → `coalesce`, `instr` → `strpos`, `LIKE` → `ILIKE`, `a IS b` → `a IS NOT DISTINCT FROM b`, …) and
 * re-quotes every identifier with quoteIdent, spelled as the catalog spells it (SQLite identifiers are
 * case-insensitive, quoted PostgreSQL ones are not). Anything else makes the expression "not portable" with a
 * reason, so the caller reports it instead of emitting SQL that means something else.
 */
import { quoteIdent } from "../../core/quote.js";
import { isOp, isWord, matchParen, render, splitTopLevel, SqlSyntaxError, type Token, type TokenKind } from "./tokens.js";
import { ALLOWED_OPS, ARITHMETIC, COMPARISON, FUNCTION_HINTS, FUNCTIONS, KEYWORDS, NUMERIC_KINDS, OPAQUE_KINDS, REJECTED_WORDS, type ColumnKind, type TranslateResult, type TranslateScope } from "./translate-rules.js";

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
