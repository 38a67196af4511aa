/**
 * A small SQLite SQL tokenizer (https://sqlite.org/lang_expr.html, https://sqlite.org/lang_keywords.html) and the
 * token helpers the CREATE TABLE parser and the translator share. Pure.
 */
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
