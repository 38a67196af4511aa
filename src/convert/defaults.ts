/**
 * Re-derives column defaults from SQLite's own default SQL (PRAGMA table_info.dflt_value). Pure.
 *
 * Why: Prisma's SQLite introspection renders expression defaults such as `datetime('now')` as string literals,
 * which PostgreSQL then stores verbatim. Here each form is recognised and mapped to `now()`, a literal, or a
 * `dbgenerated(...)` expression that cannot fail; anything else is dropped with a note rather than guessed.
 * SQLite default forms: https://sqlite.org/lang_createtable.html#the_default_clause, date functions:
 * https://sqlite.org/lang_datefunc.html. PostgreSQL: https://www.postgresql.org/docs/current/functions-datetime.html.
 */
import type { ColumnTypeChoice } from "../core/column-type.js";

export type DefaultValue =
  | { kind: "now" }
  | { kind: "dbgenerated"; sql: string }
  | { kind: "number"; value: string }
  | { kind: "string"; value: string }
  | { kind: "boolean"; value: boolean };

export interface ConvertedDefault {
  readonly value: DefaultValue | null;
  readonly note?: string;
}

type Literal =
  | { type: "string"; value: string; doubleQuoted: boolean }
  | { type: "number"; text: string }
  | { type: "blob"; hex: string }
  | { type: "keyword"; word: string } // current_timestamp, true, ...
  | { type: "call"; name: string; args: (string | null)[] } // string args; null = not a string literal
  | { type: "other" };

export function convertDefault(defaultSql: string | null, choice: ColumnTypeChoice): ConvertedDefault {
  if (defaultSql === null) return { value: null };
  const sql = stripParens(defaultSql.trim());
  const lit = parseLiteral(sql);
  if (lit.type === "keyword" && lit.word === "null") return { value: null };
  const drop = (why = `default ${defaultSql} has no PostgreSQL equivalent; dropped`): ConvertedDefault => ({ value: null, note: why });

  const clock = clockOf(lit);
  if (clock) return clockDefault(clock, choice, defaultSql) ?? drop();

  switch (choice.kind) {
    case "int":
    case "bigint":
    case "float":
    case "decimal":
      return numberDefault(lit, choice, defaultSql) ?? drop();
    case "boolean":
      return booleanDefault(lit) ?? drop();
    case "text":
      return textDefault(lit, choice, defaultSql) ?? drop();
    case "json": {
      const text = lit.type === "string" ? lit.value : undefined;
      return text !== undefined && isJson(text) ? { value: { kind: "string", value: text } } : drop();
    }
    case "bytes":
      return lit.type === "blob" ? { value: { kind: "dbgenerated", sql: `decode('${lit.hex}', 'hex')` } } : drop();
    case "timestamp":
    case "date":
    case "time": {
      if (lit.type === "number") {
        const label = { timestamp: "DATETIME", date: "DATE", time: "TIME" }[choice.kind];
        return drop(`default ${defaultSql} on a ${label} column has no timestamp meaning; dropped`);
      }
      const pgLiteral = lit.type === "string" ? temporalLiteral(lit.value, choice.kind) : undefined;
      return pgLiteral ? { value: { kind: "dbgenerated", sql: pgLiteral } } : drop();
    }
  }
}

/** `(expr)` → `expr`, only when the outer parentheses enclose the whole expression. */
function stripParens(sql: string): string {
  while (sql.startsWith("(") && sql.endsWith(")")) {
    let depth = 0;
    let quote: string | null = null;
    let closesEarly = false;
    for (let i = 0; i < sql.length; i++) {
      const c = sql[i];
      if (quote) {
        if (c === quote) quote = null;
      } else if (c === "'" || c === '"') quote = c;
      else if (c === "(") depth++;
      else if (c === ")" && --depth === 0 && i < sql.length - 1) closesEarly = true;
    }
    if (closesEarly) break;
    sql = sql.slice(1, -1).trim();
  }
  return sql;
}

const SINGLE = /^'((?:[^']|'')*)'$/s;
const DOUBLE = /^"((?:[^"]|"")*)"$/s;
const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
const HEX_INT = /^[+-]?0x[0-9a-f]+$/i;

function parseLiteral(sql: string): Literal {
  let m = SINGLE.exec(sql);
  if (m) return { type: "string", value: m[1].replace(/''/g, "'"), doubleQuoted: false };
  // In a DEFAULT clause a double-quoted token is a string literal (https://sqlite.org/quirks.html#dblquote).
  m = DOUBLE.exec(sql);
  if (m) return { type: "string", value: m[1].replace(/""/g, '"'), doubleQuoted: true };
  if (NUMBER.test(sql)) return { type: "number", text: sql };
  if (HEX_INT.test(sql)) {
    const neg = sql.startsWith("-");
    const v = BigInt(sql.replace(/^[+-]/, ""));
    return { type: "number", text: (neg ? -v : v).toString() };
  }
  m = /^x'([0-9a-f]*)'$/i.exec(sql);
  if (m && m[1].length % 2 === 0) return { type: "blob", hex: m[1].toLowerCase() };
  if (/^[a-z_]+$/i.test(sql)) return { type: "keyword", word: sql.toLowerCase() };
  m = /^([a-z_]+)\s*\((.*)\)$/is.exec(sql);
  if (m) {
    const args = splitArgs(m[2]);
    if (args) return { type: "call", name: m[1].toLowerCase(), args };
  }
  return { type: "other" };
}

/** Top-level comma split; returns null when an argument is not a plain literal (nested calls etc.). */
function splitArgs(text: string): (string | null)[] | null {
  if (text.trim() === "") return [];
  const parts = text.match(/\s*(?:'(?:[^']|'')*'|[^,']+)\s*(?:,|$)/gy);
  if (!parts || parts.join("") !== text) return null;
  return parts.map((p) => {
    const t = p.replace(/,$/, "").trim();
    const m = SINGLE.exec(t);
    return m ? m[1].replace(/''/g, "'") : NUMBER.test(t) ? t : null;
  });
}

type Clock = { what: "timestamp" | "date" | "time" | "strftime"; localtime: boolean };

const CLOCK_KEYWORDS: Readonly<Record<string, Clock["what"]>> = { current_timestamp: "timestamp", current_date: "date", current_time: "time" };
const CLOCK_FUNCTIONS: Readonly<Record<string, Clock["what"]>> = { datetime: "timestamp", date: "date", time: "time", strftime: "strftime" };

/** Recognise SQLite's "current time" defaults: CURRENT_*, and date functions applied to 'now' (or no time value). */
function clockOf(lit: Literal): Clock | undefined {
  if (lit.type === "keyword") {
    const what = Object.hasOwn(CLOCK_KEYWORDS, lit.word) ? CLOCK_KEYWORDS[lit.word] : undefined;
    return what ? { what, localtime: false } : undefined;
  }
  if (lit.type !== "call") return undefined;
  const what = Object.hasOwn(CLOCK_FUNCTIONS, lit.name) ? CLOCK_FUNCTIONS[lit.name] : undefined;
  if (!what) return undefined;
  const args = what === "strftime" ? lit.args.slice(1) : lit.args;
  if (what === "strftime" && lit.args[0] == null) return undefined;
  if (args.length > 0 && args[0]?.toLowerCase() !== "now") return undefined;
  const modifiers = args.slice(1).map((a) => a?.toLowerCase());
  // Only modifiers that keep "the current instant" are safe; '+1 day' and friends have no plain equivalent.
  if (!modifiers.every((m) => m === "localtime" || m === "utc" || m === "subsec" || m === "subsecond")) return undefined;
  return { what, localtime: modifiers.includes("localtime") };
}

const LOCALTIME_NOTE = "localtime default becomes now() (server time zone semantics differ)";
const UTC_NOTE = "SQLite's 'now' default is UTC; PostgreSQL's follows the session time zone — keep the database/session TimeZone at UTC for the same values";

function clockDefault(clock: Clock, choice: ColumnTypeChoice, sql: string): ConvertedDefault | undefined {
  // SQLite's 'now' is UTC; PostgreSQL's now()/CURRENT_DATE written into a column without time zone follow the
  // session TimeZone (https://www.postgresql.org/docs/current/datatype-datetime.html#DATATYPE-TIMEZONES).
  const note = clock.localtime ? LOCALTIME_NOTE : UTC_NOTE;
  const withNote = (value: DefaultValue): ConvertedDefault => (note ? { value, note } : { value });
  switch (choice.kind) {
    case "timestamp":
    case "date":
      // CURRENT_TIME / time('now') store a bare time of day: no date to default to.
      if (clock.what === "time") return undefined;
      return withNote(clock.what === "date" ? { kind: "dbgenerated", sql: "CURRENT_DATE" } : { kind: "now" });
    case "time":
      return clock.what === "date" ? undefined : withNote({ kind: "now" });
    case "text": {
      // SQLite writes UTC text; reproduce the same format so existing readers keep working.
      const format = { timestamp: "YYYY-MM-DD HH24:MI:SS", date: "YYYY-MM-DD", time: "HH24:MI:SS", strftime: undefined }[clock.what];
      if (!format) return undefined;
      const at = clock.localtime ? "LOCALTIMESTAMP" : "(CURRENT_TIMESTAMP AT TIME ZONE 'UTC')";
      return {
        value: { kind: "dbgenerated", sql: `to_char(${at}, '${format}')` },
        note: `default ${sql} on a text column becomes to_char(...) in the same format`,
      };
    }
    default:
      return undefined;
  }
}

function numberDefault(lit: Literal, choice: ColumnTypeChoice, sql: string): ConvertedDefault | undefined {
  let text: string | undefined;
  let note: string | undefined;
  if (lit.type === "number") text = lit.text;
  else if (lit.type === "string") {
    // '0' is common; '"0"' (the text "0" with quotes) is a frequent mistake meaning 0.
    const inner = lit.value.trim();
    const unq = DOUBLE.exec(inner) ?? /^'(.*)'$/s.exec(inner);
    text = unq ? unq[1].trim() : inner;
    if (unq) note = `default ${sql} read as the number ${text}`;
  } else if (lit.type === "keyword" && (lit.word === "true" || lit.word === "false")) {
    text = lit.word === "true" ? "1" : "0";
  }
  if (text === undefined || !NUMBER.test(text)) return undefined;
  const value = normalizeNumber(text, choice);
  if (value === undefined) return { value: null, note: `default ${sql} does not fit ${describe(choice)}; dropped` };
  return note ? { value: { kind: "number", value }, note } : { value: { kind: "number", value } };
}

function describe(choice: ColumnTypeChoice): string {
  return choice.native ? `${choice.native.name}(${choice.native.args.join(",")})` : choice.prismaType;
}

function normalizeNumber(text: string, choice: ColumnTypeChoice): string | undefined {
  const t = text.replace(/^\+/, "");
  if (choice.kind === "float") {
    const n = Number(t);
    return Number.isFinite(n) ? String(n) : undefined;
  }
  const m = /^(-?)(\d*)(?:\.(\d*))?$/.exec(t);
  if (!m) return undefined; // exponent forms: not exact for integers/decimals
  const [, sign, intPart, frac = ""] = m;
  if (choice.kind === "decimal") {
    const digits = (intPart.replace(/^0+/, "") || "0") + (frac ? `.${frac}` : "");
    const [p, s] = choice.native?.args ?? [65, 30];
    const intDigits = intPart.replace(/^0+/, "").length;
    if (intDigits > p - s || frac.replace(/0+$/, "").length > s) return undefined;
    return digits === "0" ? "0" : sign + digits;
  }
  if (/[1-9]/.test(frac)) return undefined; // Int columns need an integral default
  const v = BigInt(sign + (intPart || "0"));
  const bits = choice.kind === "bigint" ? 63n : choice.native?.name === "SmallInt" ? 15n : 31n;
  return v >= -(2n ** bits) && v < 2n ** bits ? v.toString() : undefined;
}

const TRUE_WORDS = new Set(["1", "true", "t"]);
const FALSE_WORDS = new Set(["0", "false", "f"]);

function booleanDefault(lit: Literal): ConvertedDefault | undefined {
  const word =
    lit.type === "keyword" ? lit.word : lit.type === "number" ? lit.text : lit.type === "string" ? lit.value.trim().toLowerCase() : undefined;
  if (word === undefined) return undefined;
  if (TRUE_WORDS.has(word)) return { value: { kind: "boolean", value: true } };
  if (FALSE_WORDS.has(word)) return { value: { kind: "boolean", value: false } };
  return undefined;
}

function textDefault(lit: Literal, choice: ColumnTypeChoice, sql: string): ConvertedDefault | undefined {
  let value: string | undefined;
  // TEXT affinity stores numbers as their text (https://sqlite.org/datatype3.html#type_affinity).
  if (lit.type === "string") value = lit.value;
  else if (lit.type === "number") value = lit.text;
  if (value === undefined) return undefined;
  if (value.includes("\u0000")) return { value: null, note: `default ${sql} contains a NUL character, which PostgreSQL text cannot hold; dropped` };
  const max = choice.native && (choice.native.name === "VarChar" || choice.native.name === "Char") ? choice.native.args[0] : undefined;
  if (max !== undefined && [...value].length > max) return { value: null, note: `default ${sql} is longer than ${describe(choice)}; dropped` };
  return { value: { kind: "string", value } };
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIME_RE = /^(\d{2}):(\d{2})(?::(\d{2})(\.\d{1,6})?)?$/;

/** A strict, range-checked literal so the cast in the DEFAULT can never fail; undefined otherwise. */
function temporalLiteral(text: string, kind: "timestamp" | "date" | "time"): string | undefined {
  const t = text.trim();
  if (kind === "time") return validTime(t) ? `'${t}'::time` : undefined;
  const [datePart, timePart, ...extra] = t.split(/[ T]/);
  if (extra.length > 0 || !validDate(datePart)) return undefined;
  if (kind === "date") return timePart === undefined ? `'${datePart}'::date` : undefined;
  if (timePart !== undefined && !validTime(timePart)) return undefined;
  return `'${timePart === undefined ? datePart : `${datePart} ${timePart}`}'::timestamp`;
}

function validDate(s: string): boolean {
  const m = DATE_RE.exec(s);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const dt = new Date(0);
  dt.setUTCFullYear(y, mo - 1, d); // not Date.UTC: it maps years 0-99 to 1900-1999
  return y >= 1 && dt.getUTCFullYear() === y && dt.getUTCMonth() === mo - 1 && dt.getUTCDate() === d;
}

function validTime(s: string): boolean {
  const m = TIME_RE.exec(s);
  return !!m && Number(m[1]) < 24 && Number(m[2]) < 60 && Number(m[3] ?? 0) < 60;
}
