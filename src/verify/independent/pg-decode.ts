/**
 * PostgreSQL's side of the independent check: every value is read as PostgreSQL prints it (`column::text`, the
 * text output function of its type, under verify's session settings: ISO DateStyle, hex bytea, UTC,
 * shortest-exact floats) and decoded by node-postgres' own type parsers (`pg.types`, i.e. pg-types) — the same
 * parsers an application using `pg` gets — with the parsers set explicitly where the defaults lose information:
 * int8 → BigInt (the default is a string), numeric → an exact decimal (default: the text), timestamp → an exact
 * instant (the default Date keeps milliseconds only), date → a day (the default is a local-time Date), json/jsonb
 * → a document with exact numbers. Nothing here comes from the copy's encoders (src/copy/*) or from
 * canonical.ts, so a mistake there shows up as a difference instead of being repeated on both sides.
 *
 * Reading `::text` rather than letting pg parse the wire value makes the same code serve the embedded PGlite
 * target, whose client parses values its own way; on a server the wire value of a text-format result is exactly
 * this text (https://www.postgresql.org/docs/current/protocol-overview.html#PROTOCOL-FORMAT-CODES).
 */
import pg from "pg";
import { exactDecimal } from "./exact-decimal.js";
import { parseExactJson, type JsonValue } from "./exact-json.js";
import { civilMs, fractionNs, NS_PER_DAY, NS_PER_MS, NS_PER_S } from "./instant.js";

/** What a column's PostgreSQL type means to the comparison, from the catalog (target-columns.ts). */
export type TargetKind = "int" | "float" | "decimal" | "text" | "boolean" | "timestamp" | "date" | "time" | "json" | "bytes" | "uuid" | "other";

/** A decoded PostgreSQL value. */
export type PgValue =
  | { readonly kind: "int"; readonly value: bigint }
  | { readonly kind: "float"; readonly value: number }
  | { readonly kind: "decimal"; readonly value: string } // exactDecimal form, or "NaN"/"Infinity"/"-Infinity"
  | { readonly kind: "text"; readonly value: Buffer } // UTF-8 bytes
  | { readonly kind: "boolean"; readonly value: boolean }
  | { readonly kind: "instant"; readonly value: bigint } // ns since epoch; ±infinity as null below
  | { readonly kind: "day"; readonly value: bigint } // ns since epoch at 00:00 UTC
  | { readonly kind: "time"; readonly value: bigint } // ns since midnight
  | { readonly kind: "json"; readonly value: JsonValue }
  | { readonly kind: "bytes"; readonly value: Buffer }
  | { readonly kind: "undecodable"; readonly why: string };

// pg-types' parsers by type OID (https://github.com/brianc/node-pg-types: text format). Looked up once.
const OID = { bool: 16, bytea: 17, int2: 21, int4: 23, float4: 700, float8: 701 } as const;
const parseBool = pg.types.getTypeParser(OID.bool, "text") as (s: string) => boolean;
const parseBytea = pg.types.getTypeParser(OID.bytea, "text") as (s: string) => Buffer;
const parseInt4 = pg.types.getTypeParser(OID.int4, "text") as (s: string) => number;
export const parseFloat8 = pg.types.getTypeParser(OID.float8, "text") as (s: string) => number;
/** int8 → BigInt: the explicit parser (pg's default returns the text, to spare applications a lossy number). */
const parseInt8 = (s: string): bigint => BigInt(s);

/**
 * `timestamp` / `timestamptz` output in ISO DateStyle: `YYYY-MM-DD HH:MM:SS[.ffffff][±HH[:MM[:SS]]][ BC]`
 * (https://www.postgresql.org/docs/current/datatype-datetime.html#DATATYPE-DATETIME-OUTPUT).
 */
const PG_TIMESTAMP = /^(\d{4,})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?(?:([+-])(\d{2})(?::(\d{2}))?(?::(\d{2}))?)?( BC)?$/;
const PG_DATE = /^(\d{4,})-(\d{2})-(\d{2})( BC)?$/;
const PG_TIME = /^(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?$/;

/** ISO year of a PostgreSQL year: "0001 BC" is year 0 (https://www.postgresql.org/docs/current/datetime-units-history.html). */
function isoYear(digits: string, bc: string | undefined): number {
  return bc ? 1 - Number(digits) : Number(digits);
}

export function parsePgTimestamp(s: string): bigint | null {
  const m = PG_TIMESTAMP.exec(s);
  if (m === null) return null;
  const [, y, mo, d, h, mi, sec, frac, sign, oh, om, os, bc] = m;
  const ms = civilMs(isoYear(y, bc), Number(mo), Number(d), Number(h), Number(mi), Number(sec));
  if (ms === null) return null;
  let ns = BigInt(ms) * NS_PER_MS + fractionNs(frac)!;
  if (sign) {
    const offset = (BigInt(Number(oh) * 3600 + Number(om ?? 0) * 60 + Number(os ?? 0)) * NS_PER_S) * (sign === "-" ? -1n : 1n);
    ns -= offset;
  }
  return ns;
}

export function parsePgDate(s: string): bigint | null {
  const m = PG_DATE.exec(s);
  if (m === null) return null;
  const ms = civilMs(isoYear(m[1], m[4]), Number(m[2]), Number(m[3]));
  return ms === null ? null : (BigInt(ms) * NS_PER_MS) / NS_PER_DAY * NS_PER_DAY;
}

export function parsePgTime(s: string): bigint | null {
  const m = PG_TIME.exec(s);
  if (m === null) return null;
  const [, h, mi, sec, frac] = m;
  if (Number(h) > 24 || Number(mi) > 59 || Number(sec) > 60) return null;
  return BigInt(Number(h) * 3600 + Number(mi) * 60 + Number(sec)) * NS_PER_S + fractionNs(frac)!;
}

/** Decode PostgreSQL's text for a value of the given kind (null = SQL NULL). */
export function decodePg(kind: TargetKind, text: string | null): PgValue | null {
  if (text === null) return null;
  const bad = (why: string): PgValue => ({ kind: "undecodable", why });
  switch (kind) {
    case "int": {
      // int2/int4 through pg's parseInt, int8 through BigInt: both end as exact bigints.
      if (!/^-?\d+$/.test(text)) return bad("not an integer");
      const n = text.length <= 9 ? BigInt(parseInt4(text)) : parseInt8(text);
      return { kind: "int", value: n };
    }
    case "float":
      return { kind: "float", value: parseFloat8(text) };
    case "decimal": {
      if (text === "NaN" || text === "Infinity" || text === "-Infinity") return { kind: "decimal", value: text };
      const d = exactDecimal(text);
      return d === null ? bad("not a decimal") : { kind: "decimal", value: d };
    }
    case "text":
    case "uuid":
    case "other":
      return { kind: "text", value: Buffer.from(text, "utf8") };
    case "boolean":
      return { kind: "boolean", value: parseBool(text) };
    case "timestamp": {
      const ns = parsePgTimestamp(text);
      return ns === null ? bad("not a finite timestamp") : { kind: "instant", value: ns };
    }
    case "date": {
      const ns = parsePgDate(text);
      return ns === null ? bad("not a finite date") : { kind: "day", value: ns };
    }
    case "time": {
      const ns = parsePgTime(text);
      return ns === null ? bad("not a time of day") : { kind: "time", value: ns };
    }
    case "json": {
      const doc = parseExactJson(text);
      return doc === undefined ? bad("not JSON") : { kind: "json", value: doc };
    }
    case "bytes":
      return { kind: "bytes", value: parseBytea(text) };
  }
}

/** The comparison's kind for a PostgreSQL type (pg_type.typname of the column, or of its domain's base type). */
export function targetKindOf(typname: string, typtype: string): TargetKind {
  if (typtype === "e") return "text"; // an enum prints its label
  switch (typname) {
    case "int2":
    case "int4":
    case "int8":
      return "int";
    case "float4":
    case "float8":
      return "float";
    case "numeric":
      return "decimal";
    case "text":
    case "varchar":
    case "bpchar":
    case "citext":
    case "name":
      return "text";
    case "bool":
      return "boolean";
    case "timestamp":
    case "timestamptz":
      return "timestamp";
    case "date":
      return "date";
    case "time":
      return "time";
    case "json":
    case "jsonb":
      return "json";
    case "bytea":
      return "bytes";
    case "uuid":
      return "uuid";
    default:
      return "other";
  }
}
