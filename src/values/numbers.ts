/** Integers, decimals, REALs and boolean-like values as PostgreSQL reads them back exactly; the INT32/INT64 bounds. Pure. */
export const INT_TEXT = /^[+-]?\d+$/;

/** A decimal number as PostgreSQL's numeric input accepts it (no whitespace, no NaN/Infinity). */
export const DECIMAL_TEXT = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

export const INT32_MIN = -2147483648n;

export const INT32_MAX = 2147483647n;

export const INT64_MIN = -9223372036854775808n;

export const INT64_MAX = 9223372036854775807n;

/**
 * Canonical form of a decimal literal (matching DECIMAL_TEXT or JS number output): significant digits without
 * leading/trailing zeros plus the exponent of the last digit; "0" for zero. Used to test whether text denotes
 * exactly the value its double parses to.
 */
export function canonDecimal(s: string): string {
  let i = 0;
  let neg = false;
  if (s[0] === "+" || s[0] === "-") {
    neg = s[0] === "-";
    i = 1;
  }
  let e = s.indexOf("e");
  if (e < 0) e = s.indexOf("E");
  const mant = e < 0 ? s.slice(i) : s.slice(i, e);
  let exp = e < 0 ? 0 : Number(s.slice(e + 1));
  const dot = mant.indexOf(".");
  let digits = mant;
  if (dot >= 0) {
    digits = mant.slice(0, dot) + mant.slice(dot + 1);
    exp -= mant.length - dot - 1;
  }
  let a = 0;
  while (a < digits.length && digits[a] === "0") a++;
  let b = digits.length;
  while (b > a && digits[b - 1] === "0") {
    b--;
    exp++;
  }
  if (a === b) return "0";
  return `${neg ? "-" : ""}${digits.slice(a, b)}e${exp}`;
}

/**
 * The text a REAL becomes in a text column: SQLite's own layout (`CAST(x AS TEXT)`, printf "%!.15g": at least one
 * digit after the point, exponent form with at least two exponent digits when the decimal exponent is < -4 or
 * >= 15, infinities as "Inf"/"-Inf") with the *shortest digits that read back as the same double* (ECMAScript's
 * Number::toString, https://tc39.es/ecma262/#sec-numeric-types-number-tostring) instead of SQLite's 15
 * significant digits, which lose the last digits of 0.1+0.2 ("0.3") or of 2^64 ("1.84467440737096e+19").
 *
 * So the text is SQLite's own spelling whenever those 15 digits are exact (the shortest digits then are the same
 * digits: two 15-digit decimals are further apart than a normal double's ulp), and otherwise has up to 17 significant
 * digits. An integral REAL keeps its ".0" (7.0 → "7.0", 2^64 → "1.8446744073709552e+19") so it stays
 * distinguishable from the INTEGER 7 in the same column, as in SQLite; -0.0 keeps its sign ("-0.0").
 */
export function realText(n: number): string {
  if (Number.isNaN(n)) return "NaN";
  if (n === Infinity) return "Inf";
  if (n === -Infinity) return "-Inf";
  if (n === 0) return Object.is(n, -0) ? "-0.0" : "0.0";
  const sign = n < 0 ? "-" : "";
  const t = Math.abs(n).toExponential(); // shortest round-trip digits, "d.ddde±x"
  const ePos = t.indexOf("e");
  const exp = Number(t.slice(ePos + 1));
  const digits = ePos > 1 ? t[0] + t.slice(2, ePos) : t[0];
  if (exp < -4 || exp > 14) {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : `${digits}.0`;
    const ae = Math.abs(exp);
    return `${sign}${m}e${exp < 0 ? "-" : "+"}${ae < 10 ? "0" : ""}${ae}`;
  }
  if (exp < 0) return `${sign}0.${"0".repeat(-exp - 1)}${digits}`;
  if (digits.length <= exp + 1) return `${sign}${digits}${"0".repeat(exp + 1 - digits.length)}.0`;
  return `${sign}${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}`;
}

/** Parse a boolean-like value: true, false, or null when it is not one. Shared with the profiler. */
export function parseBooleanLike(v: unknown): boolean | null {
  if (typeof v === "bigint") return v === 1n ? true : v === 0n ? false : null;
  if (typeof v === "number") return v === 1 ? true : v === 0 ? false : null;
  if (typeof v === "string") {
    switch (v.length) {
      case 1:
        if (v === "1" || v === "t" || v === "T") return true;
        if (v === "0" || v === "f" || v === "F") return false;
        return null;
      case 4:
        return v.toLowerCase() === "true" ? true : null;
      case 5:
        return v.toLowerCase() === "false" ? false : null;
      default:
        return null;
    }
  }
  return null;
}

// ---------------------------------------------------------------------------------------------------------------
// Date and time arithmetic (proleptic Gregorian, exact, no JS Date)
