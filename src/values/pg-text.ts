/**
 * PostgreSQL's own output text for three types whose input accepts many spellings of one value: double precision,
 * numeric and jsonb. The copy sends values in exactly the form PostgreSQL prints them back, for two reasons:
 * the value is the same either way (these are lossless re-spellings, checked in test/unit/pg-text.test.ts against
 * a real server), and then `COPY … TO STDOUT` of the loaded table is byte-for-byte what the copy sent, so
 * verification can compare one sha256 per table instead of re-reading and re-parsing every row
 * (src/verify/sent-checksums.ts).
 *
 * Every function returns null when it cannot be sure of PostgreSQL's exact output; the caller then sends the
 * original text, and verification falls back to its row-by-row comparison for that table.
 */

/**
 * float8out with extra_float_digits ≥ 1 (the default since PostgreSQL 12): the shortest digits that round-trip
 * (as ECMAScript's Number::toString), written in exponent form when the decimal exponent is < -4 or ≥ 15
 * (DBL_DIG), with at least two exponent digits: 1e+15, 1e-05, 1.2345678901234568e+20
 * (https://www.postgresql.org/docs/current/datatype-numeric.html#DATATYPE-FLOAT).
 */
export function pgFloatText(n: number): string {
  const a = Math.abs(n);
  // Both print fixed notation in this range, with the same shortest digits.
  if (a >= 1e-4 && a < 1e15) return String(n);
  if (n === 0) return Object.is(n, -0) ? "-0" : "0";
  if (Number.isNaN(n)) return "NaN";
  if (a === Infinity) return n > 0 ? "Infinity" : "-Infinity";
  const e = n.toExponential(); // shortest round-trip digits, "d.ddde±x"
  const ePos = e.indexOf("e");
  const neg = e.charCodeAt(0) === 45;
  const mantissa = e.slice(neg ? 1 : 0, ePos);
  const exp = Number(e.slice(ePos + 1));
  const sign = neg ? "-" : "";
  if (exp < -4 || exp >= 15) {
    const ae = Math.abs(exp);
    return `${sign}${mantissa}e${exp < 0 ? "-" : "+"}${ae < 10 ? "0" : ""}${ae}`;
  }
  // Unreachable for finite non-zero n outside [1e-4, 1e15) but kept exact: fixed notation from the digits.
  const digits = mantissa.length > 1 ? mantissa[0] + mantissa.slice(2) : mantissa;
  if (exp < 0) return `${sign}0.${"0".repeat(-exp - 1)}${digits}`;
  if (digits.length <= exp + 1) return `${sign}${digits}${"0".repeat(exp + 1 - digits.length)}`;
  return `${sign}${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}`;
}

const NUMERIC_LITERAL = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;
/** Beyond this exponent we do not build the digits (PostgreSQL accepts up to 131072 digits before the point). */
const MAX_EXPONENT = 1000;

/**
 * numeric_out of a decimal literal as numeric_in reads it: the display scale is the literal's fraction digits
 * minus its exponent (never below 0), so "1.50" prints "1.50", "1e2" "100", "1.23e1" "12.3", "-0.0" "0.0"
 * (https://www.postgresql.org/docs/current/datatype-numeric.html#DATATYPE-NUMERIC-DECIMAL). With a declared
 * scale (numeric(p,s)) the output has exactly s fraction digits; a literal that needs rounding to get there
 * gives null (PostgreSQL would round it; that is not a re-spelling).
 */
export function pgNumericText(literal: string, scale?: number): string | null {
  const m = NUMERIC_LITERAL.exec(literal);
  if (m === null) return null;
  const intDigits = m[2];
  const fracDigits = m[3] ?? "";
  if (intDigits === "" && fracDigits === "") return null;
  const exp = m[4] === undefined ? 0 : Number(m[4]);
  if (Math.abs(exp) > MAX_EXPONENT) return null;
  let digits = intDigits + fracDigits;
  let point = intDigits.length + exp; // position of the decimal point within `digits`
  if (point < 0) {
    digits = "0".repeat(-point) + digits;
    point = 0;
  } else if (point > digits.length) {
    digits += "0".repeat(point - digits.length);
  }
  let intPart = digits.slice(0, point).replace(/^0+/, "");
  let frac = digits.slice(point);
  if (scale !== undefined) {
    if (frac.length > scale) {
      if (!/^0*$/.test(frac.slice(scale))) return null;
      frac = frac.slice(0, scale);
    } else if (frac.length < scale) {
      frac += "0".repeat(scale - frac.length);
    }
  }
  if (intPart === "") intPart = "0";
  const zero = intPart === "0" && /^0*$/.test(frac);
  return `${m[1] === "-" && !zero ? "-" : ""}${intPart}${frac === "" ? "" : `.${frac}`}`;
}

/**
 * jsonb_out of a JSON text: object keys sorted by byte length, then bytewise, a repeated key keeping its last
 * value, ", " and ": " separators, numbers as numeric prints them, strings re-escaped like escape_json (the same
 * characters JSON.stringify escapes) (https://www.postgresql.org/docs/current/datatype-json.html).
 *
 * It is also a strict validator (RFC 8259 grammar, plus what jsonb refuses: `\u0000` and unpaired surrogate
 * escapes), so the copy needs no separate JSON.parse: null means "invalid, or something we would rather not
 * predict (a number with a huge exponent)", and the caller then validates the slow way and reports why.
 */
export function pgJsonbText(src: string): string | null {
  return pgJsonbTextCounting(src, undefined);
}

/** pgJsonbText, adding to `stats` what jsonb drops (repeated keys). */
export function pgJsonbTextCounting(src: string, stats: JsonbStats | undefined): string | null {
  try {
    const p = new JsonbPrinter(src, stats);
    const out = p.value();
    p.skipSpace();
    return p.pos === src.length ? out : null;
  } catch {
    return null; // UNPREDICTABLE, a bad escape (JSON.parse of one string), or nesting deeper than the stack
  }
}

/** What jsonb does to a document beyond re-spelling it: keys it drops (a repeated key keeps its last value). */
export interface JsonbStats {
  duplicateKeys: number;
}

const UNPREDICTABLE = Symbol("unpredictable");
/** RFC 8259 number grammar (pgNumericText alone would accept "+1", ".5", "01", "1."). */
const JSON_NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;
/** Characters jsonb refuses in a string: U+0000, and a surrogate without its pair. */
const JSONB_BAD_STRING = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** A (decoded) JSON string jsonb refuses to store (https://www.postgresql.org/docs/current/datatype-json.html). */
export function jsonbRefusesString(s: string): boolean {
  return JSONB_BAD_STRING.test(s);
}

interface Member {
  readonly key: string;
  readonly keyOut: string;
  readonly bytes: number;
  readonly value: string;
}

function byJsonbKeyOrder(a: Member, b: Member): number {
  if (a.bytes !== b.bytes) return a.bytes - b.bytes;
  if (a.bytes === a.key.length && b.bytes === b.key.length) return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
  return Buffer.compare(Buffer.from(a.key, "utf8"), Buffer.from(b.key, "utf8"));
}

class JsonbPrinter {
  pos = 0;
  constructor(
    private readonly src: string,
    private readonly stats?: JsonbStats,
  ) {}

  skipSpace(): void {
    const s = this.src;
    for (;;) {
      const c = s.charCodeAt(this.pos);
      if (c === 32 || c === 10 || c === 13 || c === 9) this.pos++;
      else return;
    }
  }

  value(): string {
    this.skipSpace();
    const c = this.src.charCodeAt(this.pos);
    if (c === 123) return this.object();
    if (c === 91) return this.array();
    if (c === 34) return this.string()[1];
    if (c === 116) return this.word("true");
    if (c === 102) return this.word("false");
    if (c === 110) return this.word("null");
    return this.number();
  }

  private word(w: string): string {
    if (!this.src.startsWith(w, this.pos)) throw UNPREDICTABLE;
    this.pos += w.length;
    return w;
  }

  private number(): string {
    const s = this.src;
    const start = this.pos;
    for (;;) {
      const c = s.charCodeAt(this.pos);
      // digits, '+', '-', '.', 'e', 'E'
      if ((c >= 48 && c <= 57) || c === 43 || c === 45 || c === 46 || c === 101 || c === 69) this.pos++;
      else break;
    }
    const literal = s.slice(start, this.pos);
    const out = JSON_NUMBER.test(literal) ? pgNumericText(literal) : null;
    if (out === null) throw UNPREDICTABLE;
    return out;
  }

  /** [decoded string, jsonb output text] */
  private string(): [string, string] {
    const s = this.src;
    const start = this.pos;
    let escaped = false;
    this.pos++;
    for (;;) {
      const c = s.charCodeAt(this.pos);
      if (c === 34) break;
      if (c === 92) {
        escaped = true;
        this.pos += 2;
      } else if (c < 32 || Number.isNaN(c)) {
        throw UNPREDICTABLE; // a raw control character, or the text ended inside the string
      } else {
        this.pos++;
      }
    }
    this.pos++;
    const raw = s.slice(start, this.pos);
    // Unescaped JSON strings hold no '"', '\\' or control characters: nothing for escape_json to change.
    if (!escaped) return [raw.slice(1, -1), raw];
    const decoded = JSON.parse(raw) as string; // validates the escapes
    if (jsonbRefusesString(decoded)) throw UNPREDICTABLE;
    return [decoded, JSON.stringify(decoded)];
  }

  private array(): string {
    this.pos++;
    this.skipSpace();
    if (this.src.charCodeAt(this.pos) === 93) {
      this.pos++;
      return "[]";
    }
    let out = "[";
    for (;;) {
      out += this.value();
      this.skipSpace();
      const c = this.src.charCodeAt(this.pos++);
      if (c === 93) return out + "]";
      if (c !== 44) throw UNPREDICTABLE;
      out += ", ";
    }
  }

  private object(): string {
    this.pos++;
    this.skipSpace();
    if (this.src.charCodeAt(this.pos) === 125) {
      this.pos++;
      return "{}";
    }
    const members: Member[] = [];
    for (;;) {
      this.skipSpace();
      if (this.src.charCodeAt(this.pos) !== 34) throw UNPREDICTABLE; // keys are strings
      const [key, keyOut] = this.string();
      this.skipSpace();
      if (this.src.charCodeAt(this.pos++) !== 58) throw UNPREDICTABLE;
      const value = this.value();
      members.push({ key, keyOut, bytes: Buffer.byteLength(key, "utf8"), value });
      this.skipSpace();
      const c = this.src.charCodeAt(this.pos++);
      if (c === 125) break;
      if (c !== 44) throw UNPREDICTABLE;
    }
    if (members.length > 1) {
      // Array.prototype.sort is stable: among equal keys the last one written stays last, and wins.
      members.sort(byJsonbKeyOrder);
    }
    let out = "{";
    for (let i = 0; i < members.length; i++) {
      const m = members[i];
      if (i + 1 < members.length && members[i + 1].key === m.key) {
        if (this.stats) this.stats.duplicateKeys++;
        continue;
      }
      out += `${out.length > 1 ? ", " : ""}${m.keyOut}: ${m.value}`;
    }
    return out + "}";
  }
}
