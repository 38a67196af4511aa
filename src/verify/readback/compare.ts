/**
 * Read-back, comparison (PURE): is the JavaScript value Prisma Client returns from PostgreSQL the one it returned
 * from SQLite? Same Prisma type: equal JS values (Dates by instant, bytes by content, Decimals by value, Json by
 * deep equality with key order ignored — jsonb does not keep it). Different Prisma types: only the changes that
 * conversion makes on purpose count as equal, each listed in EQUIVALENCES with the reason it exists; any other
 * pair is reported as "not compared", never silently passed.
 */

/** How one field is typed on each side (Prisma scalar name; enums count as String: both sides read text). */
export interface FieldTypes {
  readonly sqlite: string;
  readonly postgres: string;
  /**
   * convert read this column's integers as unix epoch *seconds* (decision "epoch"); Prisma on SQLite reads every
   * integer DateTime as milliseconds (docs/toolchain.md), so the app saw 1970 dates there.
   */
  readonly epochSeconds?: boolean;
}

export interface Equivalence {
  readonly from: string;
  readonly to: string;
  readonly epochSeconds?: boolean;
  /** Why conversion makes this change (shown nowhere; it is the reason the pair may compare equal). */
  readonly why: string;
  readonly same: (sqlite: unknown, postgres: unknown) => boolean;
  /** The SQLite value as the PostgreSQL client takes it in a filter (key fields only). */
  readonly toTarget?: (sqlite: unknown) => unknown;
}

/** Deliberate representation changes. Keep each entry justified by a rule in src/convert. */
export const EQUIVALENCES: readonly Equivalence[] = [
  {
    from: "Int",
    to: "BigInt",
    why: "type-map.ts: an INTEGER column whose values (or AUTOINCREMENT ids) exceed 32 bits becomes BigInt; Prisma returns bigint for it",
    same: sameNumber,
    toTarget: (v) => (typeof v === "number" && Number.isSafeInteger(v) ? BigInt(v) : v),
  },
  {
    from: "DateTime",
    to: "DateTime",
    epochSeconds: true,
    why: "convert.ts epochUnitFor: integers below 10^11 in a DATETIME column are epoch seconds (each value by its magnitude, so a column can mix both units); Prisma on SQLite misreads them as milliseconds",
    same: (s, p) => s instanceof Date && p instanceof Date && (s.getTime() * 1000 === p.getTime() || s.getTime() === p.getTime()),
    toTarget: (v) => (v instanceof Date ? new Date(v.getTime() * 1000) : v),
  },
  ...(["Float", "Int", "BigInt", "String"] as const).map((to) => ({
    from: "Decimal",
    to,
    why: "type-map.ts: a NUMERIC-affinity column of an unknown declared type is typed by its values (Prisma introspects it as Decimal), and values beyond numeric's limits stay text",
    same: sameNumber,
  })),
  {
    from: "Float",
    to: "Decimal",
    why: "--type table.column=Decimal(p,s) on a REAL column: numeric keeps the same value in decimal",
    same: sameNumber,
  },
  {
    from: "String",
    to: "DateTime",
    why: "--type table.column=Timestamp(…) on a TEXT column: the copy parses the text as a UTC timestamp",
    same: (s, p) => typeof s === "string" && p instanceof Date && parseUtcTimestamp(s) === p.getTime(),
  },
  {
    from: "DateTime",
    to: "String",
    why: "--type table.column=String on a DATETIME column: PostgreSQL keeps the stored text, which names the same instant",
    same: (s, p) => s instanceof Date && typeof p === "string" && parseUtcTimestamp(p) === s.getTime(),
  },
  {
    from: "String",
    to: "Json",
    why: "--type table.column=Json on a TEXT column holding JSON documents: jsonb stores the parsed document",
    same: (s, p) => typeof s === "string" && sameJson(parseJson(s), p),
  },
];

export type Comparison = { readonly comparable: true; readonly same: (s: unknown, p: unknown) => boolean; readonly toTarget: (s: unknown) => unknown } | { readonly comparable: false; readonly reason: string };

const identity = (v: unknown): unknown => v;

/** How values of a field are compared, or why they cannot be. */
export function comparisonFor(types: FieldTypes): Comparison {
  const rule = EQUIVALENCES.find((e) => e.from === types.sqlite && e.to === types.postgres && Boolean(e.epochSeconds) === Boolean(types.epochSeconds));
  if (rule) return { comparable: true, same: (s, p) => (s === null && p === null) || rule.same(s, p), toTarget: rule.toTarget ?? identity };
  if (types.sqlite === types.postgres) return { comparable: true, same: sameValue, toTarget: identity };
  return { comparable: false, reason: `Prisma type ${types.sqlite} on SQLite, ${types.postgres} on PostgreSQL: no equivalence defined` };
}

/** Equal JS values as Prisma Client returns them for one Prisma type. */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === null || a === undefined || b === null || b === undefined) return (a ?? null) === (b ?? null);
  if (a instanceof Date || b instanceof Date) return a instanceof Date && b instanceof Date && a.getTime() === b.getTime();
  if (a instanceof Uint8Array || b instanceof Uint8Array) return a instanceof Uint8Array && b instanceof Uint8Array && Buffer.compare(a, b) === 0;
  if (isDecimal(a) || isDecimal(b)) return sameNumber(a, b);
  if (typeof a === "number" && typeof b === "number") return a === b || (Number.isNaN(a) && Number.isNaN(b));
  if (typeof a === "object" || typeof b === "object") return sameJson(a, b);
  return a === b;
}

/** decimal.js instances (Prisma.Decimal) of either generated client: each client bundles its own class. */
interface DecimalLike {
  toString(): string;
  toFixed(): string;
  constructor: new (v: string) => DecimalLike & { eq(other: DecimalLike | string): boolean };
}
function isDecimal(v: unknown): v is DecimalLike {
  return typeof v === "object" && v !== null && typeof (v as { toFixed?: unknown }).toFixed === "function" && typeof (v as { d?: unknown }).d === "object";
}

/** Numbers of any Prisma numeric type (and numeric text) compared by value, exactly. */
export function sameNumber(a: unknown, b: unknown): boolean {
  const x = numericText(a);
  const y = numericText(b);
  return x !== null && x === y;
}

/** A canonical decimal string: no exponent, no trailing fraction zeros, no "-0". */
function numericText(v: unknown): string | null {
  let s: string;
  if (typeof v === "bigint") s = v.toString();
  else if (typeof v === "number") {
    if (!Number.isFinite(v)) return String(v);
    s = Number.isInteger(v) && Math.abs(v) < 1e21 ? BigInt(v).toString() : String(v);
  } else if (isDecimal(v)) s = v.toFixed();
  else if (typeof v === "string" && /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(v.trim())) s = v.trim();
  else return null;
  return canonicalDecimal(s);
}

function canonicalDecimal(text: string): string {
  const m = /^([+-]?)(\d*)\.?(\d*)(?:[eE]([+-]?\d+))?$/.exec(text);
  if (!m) return text;
  const [, sign, int, frac, exp] = m;
  let digits = `${int}${frac}`;
  let point = int.length + Number(exp ?? 0);
  if (point < 0) {
    digits = "0".repeat(-point) + digits;
    point = 0;
  }
  if (point > digits.length) digits += "0".repeat(point - digits.length);
  const whole = digits.slice(0, point).replace(/^0+/, "") || "0";
  const fraction = digits.slice(point).replace(/0+$/, "");
  const body = fraction ? `${whole}.${fraction}` : whole;
  return sign === "-" && body !== "0" ? `-${body}` : body;
}

/** Deep equality for Json values; object key order ignored (jsonb sorts keys). */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) return a.length === (b as unknown[]).length && a.every((x, i) => sameJson(x, (b as unknown[])[i]));
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && sameJson((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

function parseJson(s: string): unknown {
  try {
    return JSON.parse(s) as unknown;
  } catch {
    return Symbol("not JSON");
  }
}

/**
 * `YYYY-MM-DD[ T]HH:MM[:SS[.fff…]][Z|±hh:mm]` or a date alone, as epoch milliseconds; no zone means UTC, as the
 * copy reads SQLite text (https://sqlite.org/lang_datefunc.html: SQLite's own functions assume UTC).
 */
export function parseUtcTimestamp(text: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i.exec(text.trim());
  if (!m) return null;
  const [, y, mo, d, h = "0", mi = "0", s = "0", frac = "", zone] = m;
  let ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), Number(frac.padEnd(3, "0").slice(0, 3)));
  if (zone && zone.toUpperCase() !== "Z") {
    const z = /([+-])(\d{2}):?(\d{2})/.exec(zone)!;
    ms -= (z[1] === "-" ? -1 : 1) * (Number(z[2]) * 60 + Number(z[3])) * 60_000;
  }
  return ms;
}

/** A short, unambiguous rendering of a value for a report line. */
export function excerpt(v: unknown, max = 60): string {
  let s: string;
  if (v === null || v === undefined) s = "null";
  else if (v instanceof Date) s = Number.isNaN(v.getTime()) ? "Invalid Date" : v.toISOString();
  else if (typeof v === "bigint") s = `${v}n`;
  else if (v instanceof Uint8Array) s = `<${v.length} bytes ${Buffer.from(v.subarray(0, 16)).toString("hex")}${v.length > 16 ? "…" : ""}>`;
  else if (isDecimal(v)) s = `Decimal(${v.toString()})`;
  else if (typeof v === "string") s = JSON.stringify(v);
  else if (typeof v === "object") s = JSON.stringify(v);
  else s = String(v);
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

/**
 * A DateTime Prisma Client on SQLite could not parse (it returns an Invalid Date) while PostgreSQL holds a valid
 * one: the SQLite side's limitation, not a difference. Prisma's SQLite driver reads DATETIME text in the forms it
 * writes itself (RFC 3339 with seconds, https://www.prisma.io/docs/orm/overview/databases/sqlite#type-mapping-between-sqlite-to-prisma-schema),
 * so valid SQLite time text such as '2024-06-01 10:00' (no seconds, https://sqlite.org/lang_datefunc.html#time_values)
 * reads as Invalid Date; the copy's own checks (checksums, the independent decode) cover the value itself.
 */
export function unreadableOnSqlite(sqlite: unknown, postgres: unknown): boolean {
  return sqlite instanceof Date && Number.isNaN(sqlite.getTime()) && postgres instanceof Date && !Number.isNaN(postgres.getTime());
}

/**
 * A column decoded with --decode-fallback: Prisma Client reads SQLite's invalid bytes as U+FFFD, PostgreSQL holds
 * their decoding. Equal when the text agrees everywhere else (each U+FFFD standing for one or more characters).
 */
export function sameOutsideInvalidBytes(sqlite: unknown, postgres: unknown): boolean {
  if (typeof sqlite !== "string" || typeof postgres !== "string" || !sqlite.includes("\uFFFD")) return false;
  const parts = sqlite.split(/\uFFFD+/).map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
  return new RegExp(`^${parts.join("[\\s\\S]+?")}$`, "u").test(postgres);
}
