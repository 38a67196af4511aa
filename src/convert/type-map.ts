/**
 * Chooses the PostgreSQL (Prisma) type of each column. Pure.
 *
 * Why not trust `prisma db pull` on the SQLite file: it maps every INTEGER to Int (PostgreSQL `integer` then
 * rejects values beyond 2^31), drops VARCHAR(n)/NUMERIC(p,s) parameters and turns odd declarations into
 * `Unsupported`. SQLite only enforces an *affinity* (https://sqlite.org/datatype3.html), so the data itself
 * (a ColumnProfile) decides whenever the declaration alone could lose values.
 *
 * Two steps: TYPE_RULES (a data table, first match wins) maps a declared type to a family; a family resolver
 * combines the declaration with the profile. When no rule matches, the SQLite affinity picks the family.
 */
import { Sqlite2pgError } from "../core/errors.js";
import type { SqliteColumn } from "../core/catalog.js";
import { quoteIdent } from "../core/quote.js";
import { INT32_MAX, INT32_MIN } from "../values/numbers.js";
import { affinityOf, parseDeclaredType, type DeclaredType } from "./affinity.js";
import type { Affinity, ColumnProfile, ColumnTypeChoice, NativeType, ValueKind } from "../core/column-type.js";

export type TypeFamily =
  | "boolean"
  | "timestamp"
  | "date"
  | "time"
  | "json"
  | "smallint"
  | "bigint"
  | "integer"
  | "loose-integer" // INTEGER affinity from a non-standard name ("intege", "integer auto_increment"): values decide
  | "float"
  | "decimal"
  | "varchar"
  | "char"
  | "text"
  | "bytes"
  | "untyped" // no declared type: values decide
  | "numeric"; // NUMERIC affinity with an unknown name: values decide

export interface TypeRule {
  /** Tested against the parsed base name: lowercased, unquoted, no parameters ("double precision", "nvarchar"). */
  readonly base: RegExp;
  readonly family: TypeFamily;
  /** The rule applies only with at least this many parameters (`char` without a length is not char(1)). */
  readonly minParams?: number;
}

/** Declared type → family, first match wins. Anything not listed falls back to AFFINITY_FAMILY. */
export const TYPE_RULES: readonly TypeRule[] = [
  { base: /^$/, family: "untyped" },
  { base: /^(boolean|bool)$/, family: "boolean" },
  { base: /^(datetime|timestamp)$/, family: "timestamp" },
  { base: /^date$/, family: "date" },
  { base: /^time$/, family: "time" },
  { base: /^jsonb?$/, family: "json" },
  { base: /^uuid$/, family: "text" },
  { base: /^(tinyint|smallint|int2)$/, family: "smallint" },
  { base: /^(bigint|int8|unsigned big int)$/, family: "bigint" },
  { base: /^(int|integer|int4|mediumint)$/, family: "integer" },
  { base: /^(numeric|decimal)$/, family: "decimal" },
  {
    base: /^(varchar|nvarchar|varchar2|nvarchar2|character varying|varying character|national varchar|national character varying)$/,
    family: "varchar",
    minParams: 1,
  },
  { base: /^(char|character|nchar|national char|national character|native character)$/, family: "char", minParams: 1 },
];

/** The family of a declaration no rule matched: what SQLite itself does with it. */
export const AFFINITY_FAMILY: Readonly<Record<Affinity, TypeFamily>> = {
  INTEGER: "loose-integer",
  TEXT: "text",
  REAL: "float",
  NUMERIC: "numeric",
  BLOB: "bytes",
};

export interface ChooseColumnTypeInput {
  readonly table: string;
  readonly column: SqliteColumn;
  /** Absent when the table is empty or was not profiled: the declaration alone decides. */
  readonly profile?: ColumnProfile;
  readonly isAutoincrementPk?: boolean;
  /** A user override (`--type`), e.g. "BigInt", "Decimal(12,4)", "VarChar(20)", "Timestamp(6)". */
  readonly override?: string;
  /** Replaces TYPE_RULES (e.g. a user's own table put in front of the defaults). */
  readonly rules?: readonly TypeRule[];
}

export function chooseColumnType(input: ChooseColumnTypeInput): ColumnTypeChoice {
  if (input.override !== undefined) return parseTypeOverride(input.override, input.table, input.column.name);
  const declared = parseDeclaredType(input.column.declaredType);
  const family = familyOf(input.column.declaredType, input.rules ?? TYPE_RULES);
  const profile = input.profile && input.profile.nonNull > 0 ? input.profile : undefined;
  return RESOLVERS[family]({ declared, profile, isAutoincrementPk: input.isAutoincrementPk ?? false, where: { table: input.table, column: input.column.name } });
}

/** Which family a declared type belongs to under the given rules. */
export function familyOf(declaredType: string, rules: readonly TypeRule[] = TYPE_RULES): TypeFamily {
  const d = parseDeclaredType(declaredType);
  const rule = rules.find((r) => r.base.test(d.base) && d.params.length >= (r.minParams ?? 0));
  return rule ? rule.family : AFFINITY_FAMILY[affinityOf(declaredType)];
}

interface Ctx {
  readonly declared: DeclaredType;
  /** Only set when at least one non-null value was seen. */
  readonly profile?: ColumnProfile;
  readonly isAutoincrementPk: boolean;
  /** The column, for hints that name it. */
  readonly where?: { readonly table: string; readonly column: string };
}

const INT16_MIN = -(2n ** 15n);
const INT16_MAX = 2n ** 15n - 1n;
const FLOAT_SAFE = 2n ** 53n;
/** PostgreSQL limits: numeric precision and varchar/char length (https://www.postgresql.org/docs/current/datatype.html). */
const PG_MAX_NUMERIC_PRECISION = 1000;
const PG_MAX_CHAR_LENGTH = 10_485_760;

function choice(prismaType: string, kind: ValueKind, native?: NativeType, ...notes: (string | undefined)[]): ColumnTypeChoice {
  const note = notes.filter((n): n is string => !!n).join("; ");
  return { prismaType, kind, ...(native ? { native } : {}), ...(note ? { note } : {}) };
}

const nat = (name: string, ...args: number[]): NativeType => ({ name, args });

function inRange(p: ColumnProfile | undefined, min: bigint, max: bigint): boolean {
  if (!p || p.minInt === null || p.maxInt === null) return true;
  return p.minInt >= min && p.maxInt <= max;
}

/** Int when every value fits PostgreSQL `integer`, else BigInt (`bigint` is SQLite's full 64-bit range). */
function intOrBigInt(p: ColumnProfile | undefined, note?: string): ColumnTypeChoice {
  if (inRange(p, INT32_MIN, INT32_MAX)) return choice("Int", "int", undefined, note);
  const over = p!.maxInt! > INT32_MAX ? `up to ${p!.maxInt}` : `down to ${p!.minInt}`;
  return choice("BigInt", "bigint", undefined, `INTEGER values ${over} exceed 32 bits`, note);
}

/** SQLite could not convert these values to the column's affinity; the copy stage rejects them row by row. */
function strayNote(p: ColumnProfile | undefined, allowed: readonly (keyof ColumnProfile["storage"])[]): string | undefined {
  if (!p) return undefined;
  const stray = (["integer", "real", "text", "blob"] as const).filter((k) => !allowed.includes(k) && p.storage[k] > 0);
  if (stray.length === 0) return undefined;
  return `column holds ${stray.map((k) => `${p.storage[k]} ${k}`).join(", ")} value(s) of another storage class: those that convert exactly (e.g. '42', 7.0) are copied, any other stops the copy (or goes to the rejects file)`;
}

/** Decide from the storage classes actually present (untyped and unknown NUMERIC-affinity columns). */
function byValues(p: ColumnProfile, what: string, where?: Ctx["where"]): ColumnTypeChoice {
  const { integer, real, text, blob } = p.storage;
  if (blob > 0) {
    const numbers = integer + real;
    if (numbers === 0) return choice("Bytes", "bytes", undefined, text > 0 ? `${what} holds blobs mixed with text; kept as bytes (text as its UTF-8 bytes)` : undefined);
    // bytea has no exact form for a number, so text is the one type holding them all: numbers as SQLite spells
    // them (CAST(x AS TEXT)), blobs as the UTF-8 text they hold (https://sqlite.org/datatype3.html#storage_classes_and_datatypes).
    const mix = `${what} mixes ${blob} blob(s) with ${[integer && `${integer} integer(s)`, real && `${real} real(s)`, text && `${text} text value(s)`].filter(Boolean).join(", ")}`;
    if (p.binaryBlobs === 0) return choice("String", "text", undefined, `${mix}; kept as text: numbers as their decimal spelling, blobs as the UTF-8 text they hold`);
    // Some blob is binary: no PostgreSQL type holds both exactly. Bytes keeps the blobs; the copy refuses the numbers,
    // with this as the way out that keeps every row (bytea then holds each number's spelling as bytes).
    const fix = where
      ? `: to keep them as bytes, on a copy of the file run UPDATE ${quoteIdent(where.table)} SET ${quoteIdent(where.column)} = CAST(${quoteIdent(where.column)} AS BLOB) WHERE typeof(${quoteIdent(where.column)}) IN ('integer', 'real')`
      : "";
    return choice("Bytes", "bytes", undefined, `${mix}, and ${p.binaryBlobs} blob(s) are not UTF-8 text: no PostgreSQL type holds binary data and numbers exactly, so the copy refuses the numbers${fix}`);
  }
  if (text > 0) return choice("String", "text", undefined, integer + real > 0 ? `${what} holds text values; kept as text` : undefined);
  if (real > 0) {
    if (integer > 0 && !inRange(p, -FLOAT_SAFE, FLOAT_SAFE)) {
      return choice("String", "text", undefined, `${what} mixes reals with integers beyond 2^53; kept as text`);
    }
    return choice("Float", "float");
  }
  return intOrBigInt(p);
}

function digitsOf(n: bigint | null): number {
  if (n === null || n === 0n) return 0;
  return (n < 0n ? -n : n).toString().length;
}

function decimalChoice(ctx: Ctx): ColumnTypeChoice {
  const [p0, s0 = 0] = ctx.declared.params;
  const valid = p0 !== undefined && Number.isInteger(p0) && Number.isInteger(s0) && p0 >= 1 && p0 <= PG_MAX_NUMERIC_PRECISION && s0 >= 0 && s0 <= p0;
  const [p, s] = valid ? [p0, s0] : [65, 30];
  const bare = valid ? undefined : `${ctx.declared.base} without a (valid) precision becomes Decimal(65,30), Prisma's default`;
  const prof = ctx.profile;
  if (!prof) return choice("Decimal", "decimal", nat("Decimal", p, s), bare);
  const intDigits = Math.max(prof.maxIntegerDigits, digitsOf(prof.minInt), digitsOf(prof.maxInt));
  const fracDigits = prof.maxFractionDigits;
  const stray = strayNote(prof, ["integer", "real", "text"]);
  if (intDigits <= p - s && fracDigits <= s) return choice("Decimal", "decimal", nat("Decimal", p, s), bare, stray);
  const s2 = Math.max(s, fracDigits);
  const p2 = Math.max(p - s, intDigits) + s2;
  const need = `values need ${intDigits} integer and ${fracDigits} fraction digits`;
  if (p2 > PG_MAX_NUMERIC_PRECISION) return choice("String", "text", undefined, `${need}, beyond numeric's limits; kept as text`);
  return choice("Decimal", "decimal", nat("Decimal", p2, s2), `${need}; widened numeric(${p},${s}) to numeric(${p2},${s2})`, stray);
}

function boundedText(ctx: Ctx, nativeName: "VarChar" | "Char", sqlName: string): ColumnTypeChoice {
  const n = ctx.declared.params[0];
  if (!Number.isInteger(n) || n < 1 || n > PG_MAX_CHAR_LENGTH) {
    return choice("String", "text", undefined, `${sqlName}(${n}) is not a valid PostgreSQL length; kept as text`);
  }
  const longest = ctx.profile?.maxTextLength ?? 0;
  if (longest > n) return choice("String", "text", undefined, `values up to ${longest} characters exceed ${sqlName}(${n}); kept as text`);
  return choice("String", "text", nat(nativeName, n));
}

/** Timestamp(3) matches what Prisma writes (milliseconds); 6 is PostgreSQL's maximum. */
function fractionalPrecision(ctx: Ctx): { precision: number; note?: string } {
  const digits = ctx.profile?.maxSecondFractionDigits ?? 0;
  if (digits <= 3) return { precision: 3 };
  if (digits <= 6) return { precision: 6, note: "microsecond values present" };
  return { precision: 6, note: `values with ${digits} fractional-second digits; PostgreSQL keeps 6 (rounds the rest)` };
}

const RESOLVERS: Readonly<Record<TypeFamily, (ctx: Ctx) => ColumnTypeChoice>> = {
  boolean: (ctx) => {
    if (!ctx.profile || ctx.profile.booleanLike) return choice("Boolean", "boolean");
    const c = byValues(ctx.profile, "column", ctx.where);
    return { ...c, note: ["BOOLEAN column holds values other than 0/1", c.note].filter(Boolean).join("; ") + `; kept as ${c.prismaType}` };
  },
  timestamp: (ctx) => {
    const { precision, note } = fractionalPrecision(ctx);
    const zoned = ctx.profile?.zonedTexts
      ? `${ctx.profile.zonedTexts} value(s) carry a non-UTC offset (±hh:mm): converted to UTC (timestamp without time zone), so their clock time changes`
      : undefined;
    return choice("DateTime", "timestamp", nat("Timestamp", precision), note, zoned);
  },
  date: () => choice("DateTime", "date", nat("Date")),
  time: (ctx) => {
    const { precision, note } = fractionalPrecision(ctx);
    return choice("DateTime", "time", nat("Time", precision), note);
  },
  // Prisma's Json is jsonb on PostgreSQL (https://www.prisma.io/docs/orm/reference/prisma-schema-reference#json).
  json: () => choice("Json", "json"),
  smallint: (ctx) => {
    const fits16 = inRange(ctx.profile, INT16_MIN, INT16_MAX);
    if (fits16 && !ctx.isAutoincrementPk) return choice("Int", "int", nat("SmallInt"), strayNote(ctx.profile, ["integer"]));
    return intOrBigInt(ctx.profile, strayNote(ctx.profile, ["integer"]));
  },
  bigint: (ctx) => choice("BigInt", "bigint", undefined, strayNote(ctx.profile, ["integer"])),
  integer: (ctx) => intOrBigInt(ctx.profile, strayNote(ctx.profile, ["integer"])),
  // A declared name that is not a standard integer type states no clear intent: if the data is not all
  // integers, the values decide (e.g. sqlite.db's `intege` column holding 1, 'toto' and 12.3 becomes text).
  "loose-integer": (ctx) =>
    ctx.profile && ctx.profile.storage.integer !== ctx.profile.nonNull
      ? byValues(ctx.profile, `column declared "${ctx.declared.base}"`, ctx.where)
      : intOrBigInt(ctx.profile),
  // REAL is an 8-byte IEEE double in SQLite (https://sqlite.org/datatype3.html): only double precision holds it exactly.
  float: (ctx) => choice("Float", "float", undefined, strayNote(ctx.profile, ["integer", "real"])),
  decimal: decimalChoice,
  varchar: (ctx) => boundedText(ctx, "VarChar", "varchar"),
  // PostgreSQL char(n) pads shorter values with spaces when read back; SQLite stores them as written.
  char: (ctx) => {
    const c = boundedText(ctx, "VarChar", `char`);
    return c.native ? { ...c, note: `char(${ctx.declared.params[0]}) → varchar(${ctx.declared.params[0]}): PostgreSQL char(n) would pad shorter values with spaces` } : c;
  },
  text: (ctx) => choice("String", "text", undefined, strayNote(ctx.profile, ["integer", "real", "text"])),
  bytes: (ctx) => choice("Bytes", "bytes", undefined, strayNote(ctx.profile, ["blob"])),
  untyped: (ctx) =>
    ctx.profile ? byValues(ctx.profile, "untyped column", ctx.where) : choice("String", "text", undefined, "no declared type and no values; chose String"),
  numeric: (ctx) =>
    ctx.profile
      ? byValues(ctx.profile, "column", ctx.where)
      : choice("Decimal", "decimal", nat("Decimal", 65, 30), `unknown type "${ctx.declared.base}" with no values; chose Decimal(65,30)`),
};

interface OverrideForm {
  readonly prismaType: string;
  readonly kind: ValueKind;
  /** Native attribute name; undefined means the Prisma scalar's default on postgresql. */
  readonly native?: string;
  /** Allowed argument counts, and the arguments used when none are given. */
  readonly arity: readonly number[];
  readonly defaultArgs?: readonly number[];
}

/** Names accepted by `--type`: Prisma scalars and the `@db.*` attributes of the postgresql provider. */
export const OVERRIDE_FORMS: Readonly<Record<string, OverrideForm>> = {
  int: { prismaType: "Int", kind: "int", arity: [0] },
  integer: { prismaType: "Int", kind: "int", arity: [0] },
  smallint: { prismaType: "Int", kind: "int", native: "SmallInt", arity: [0] },
  bigint: { prismaType: "BigInt", kind: "bigint", arity: [0] },
  float: { prismaType: "Float", kind: "float", arity: [0] },
  doubleprecision: { prismaType: "Float", kind: "float", arity: [0] },
  decimal: { prismaType: "Decimal", kind: "decimal", native: "Decimal", arity: [0, 1, 2], defaultArgs: [65, 30] },
  string: { prismaType: "String", kind: "text", arity: [0] },
  text: { prismaType: "String", kind: "text", arity: [0] },
  varchar: { prismaType: "String", kind: "text", native: "VarChar", arity: [1] },
  char: { prismaType: "String", kind: "text", native: "Char", arity: [1] },
  uuid: { prismaType: "String", kind: "text", native: "Uuid", arity: [0] },
  boolean: { prismaType: "Boolean", kind: "boolean", arity: [0] },
  datetime: { prismaType: "DateTime", kind: "timestamp", native: "Timestamp", arity: [0], defaultArgs: [3] },
  timestamp: { prismaType: "DateTime", kind: "timestamp", native: "Timestamp", arity: [0, 1], defaultArgs: [3] },
  date: { prismaType: "DateTime", kind: "date", native: "Date", arity: [0] },
  time: { prismaType: "DateTime", kind: "time", native: "Time", arity: [0, 1], defaultArgs: [3] },
  json: { prismaType: "Json", kind: "json", arity: [0] },
  jsonb: { prismaType: "Json", kind: "json", arity: [0] },
  bytes: { prismaType: "Bytes", kind: "bytes", arity: [0] },
  bytea: { prismaType: "Bytes", kind: "bytes", arity: [0] },
};

/**
 * Parse a `--type` value: "BigInt", "Decimal(12,4)", "VarChar(20)", "@db.Timestamp(6)" or "String @db.VarChar(20)"
 * (the `@db.` attribute wins when both are given).
 */
export function parseTypeOverride(text: string, table: string, column: string): ColumnTypeChoice {
  const attr = /@db\.(.+)$/.exec(text.trim());
  const spec = (attr ? attr[1] : text).trim();
  const m = /^([A-Za-z ]+?)\s*(?:\(\s*([^)]*)\))?$/.exec(spec);
  const key = m ? m[1].replace(/\s+/g, "").toLowerCase() : "";
  const form = Object.hasOwn(OVERRIDE_FORMS, key) ? OVERRIDE_FORMS[key] : undefined;
  const args = m?.[2] !== undefined && m[2].trim() !== "" ? m[2].split(",").map((a) => Number(a.trim())) : [];
  const argsOk = args.every((a) => Number.isInteger(a) && a >= 0) && form?.arity.includes(args.length);
  if (!form || !argsOk || !validOverrideArgs(form, args)) {
    throw new Sqlite2pgError(`invalid --type override "${text}" for ${table}.${column}`, {
      code: "BAD_TYPE_OVERRIDE",
      kind: "usage",
      stage: "convert",
      object: { table, column },
      hint: `use a Prisma type or @db attribute, e.g. BigInt, String, Decimal(12,4), VarChar(20), Timestamp(6); known: ${Object.keys(OVERRIDE_FORMS).join(", ")}`,
    });
  }
  const nativeArgs = args.length === 1 && form.native === "Decimal" ? [args[0], 0] : args.length > 0 ? args : form.defaultArgs ?? [];
  const native = form.native ? nat(form.native, ...nativeArgs) : undefined;
  return choice(form.prismaType, form.kind, native, "overridden by --type");
}

function validOverrideArgs(form: OverrideForm, args: readonly number[]): boolean {
  if (form.native === "Decimal" && args.length > 0) {
    const [p, s = 0] = args;
    return p >= 1 && p <= PG_MAX_NUMERIC_PRECISION && s <= p;
  }
  if (form.native === "Timestamp" || form.native === "Time") return args.every((a) => a <= 6);
  if (form.native === "VarChar" || form.native === "Char") return args[0] >= 1 && args[0] <= PG_MAX_CHAR_LENGTH;
  return true;
}
