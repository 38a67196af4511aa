/** JSON values for json/jsonb columns: kept as written for json, spelled as jsonb prints for jsonb, refused when PostgreSQL would not take them. Pure. */
import { jsonbRefusesString, pgJsonbTextCounting, pgNumericText, type JsonbStats } from "./pg-text.js";
import { type ValueNote, ValueError, type FieldEncoder, escapeCopy, utf8, isBytes, excerptOf, describe } from "./copy-text.js";

/** A parsed JSON value holds a string PostgreSQL's jsonb refuses (U+0000, or an unpaired surrogate). */
export function jsonHasBadString(x: unknown): boolean {
  if (typeof x === "string") return jsonbRefusesString(x);
  if (Array.isArray(x)) return x.some(jsonHasBadString);
  if (x !== null && typeof x === "object") {
    for (const [k, val] of Object.entries(x)) if (jsonbRefusesString(k) || jsonHasBadString(val)) return true;
  }
  return false;
}

/**
 * Whether valid JSON text has an object with a repeated key, for the texts pgJsonbText does not print (a huge
 * exponent, deep nesting): iterative, so no nesting depth overflows it. Strings are skipped by their quotes;
 * keys with escapes are decoded before they are compared.
 */
export function hasRepeatedKey(s: string): boolean {
  const keys: (Set<string> | null)[] = []; // one entry per open object (a Set) or array (null)
  let expectKey = false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 34) {
      const start = i;
      let escaped = false;
      for (i++; s.charCodeAt(i) !== 34; i++) {
        if (s.charCodeAt(i) === 92) {
          escaped = true;
          i++;
        }
      }
      const top = keys[keys.length - 1];
      if (expectKey && top) {
        const raw = s.slice(start, i + 1);
        const key = escaped ? (JSON.parse(raw) as string) : raw.slice(1, -1);
        if (top.has(key)) return true;
        top.add(key);
      }
      expectKey = false;
    } else if (c === 123) {
      keys.push(new Set());
      expectKey = true;
    } else if (c === 91) {
      keys.push(null);
      expectKey = false;
    } else if (c === 125 || c === 93) {
      keys.pop();
      expectKey = false;
    } else if (c === 44) {
      expectKey = keys[keys.length - 1] !== null && keys.length > 0;
    }
  }
  return false;
}

export function jsonEncoder(index: number, pgType: string | undefined, onNote: ((note: ValueNote) => void) | undefined): FieldEncoder {
  // jsonb keeps the value, not the text: send the text jsonb_out will print (pg-text.ts), whose printer also
  // validates. A json column keeps the text exactly as written.
  const jsonb = pgType !== "json";
  const stats: JsonbStats | undefined = onNote ? { duplicateKeys: 0 } : undefined;
  const fail = (v: unknown, why: string): never => {
    throw new ValueError(index, why, excerptOf(v));
  };
  const str = (s: string, v: unknown): string => {
    if (jsonb) {
      const spelled = pgJsonbTextCounting(s, stats);
      if (spelled !== null) {
        if (stats !== undefined && stats.duplicateKeys > 0) {
          stats.duplicateKeys = 0;
          onNote!("json-duplicate-keys");
        }
        return escapeCopy(spelled);
      }
      if (stats !== undefined) stats.duplicateKeys = 0;
    }
    // Slow path: say what is wrong, or send valid JSON the printer would not predict (a huge exponent) as written.
    let parsed: unknown;
    try {
      parsed = JSON.parse(s);
    } catch {
      return fail(v, `${describe(v)}: invalid JSON`);
    }
    // Escapes (\u0000, unpaired \ud800) are the only way such characters reach a parsed string.
    if (s.includes("\\u") && jsonHasBadString(parsed)) {
      return fail(v, `${describe(v)}: JSON contains \\u0000 or an unpaired surrogate escape, which jsonb rejects`);
    }
    if (jsonb && onNote !== undefined && hasRepeatedKey(s)) onNote("json-duplicate-keys");
    return escapeCopy(s);
  };
  return (v) => {
    if (typeof v === "string") return str(v, v);
    if (typeof v === "bigint") return v.toString();
    if (typeof v === "number") {
      if (Number.isFinite(v)) return pgType === "json" ? (Object.is(v, -0) ? "-0" : String(v)) : (pgNumericText(String(v)) ?? String(v));
      return fail(v, `${describe(v)} is not a JSON value`);
    }
    if (isBytes(v)) {
      let s: string;
      try {
        s = utf8.decode(v);
      } catch {
        return fail(v, `${describe(v)} is invalid UTF-8 (json column)`);
      }
      const out = str(s, v);
      onNote?.("text-from-blob");
      return out;
    }
    return fail(v, `${describe(v)} in a json column`);
  };
}
