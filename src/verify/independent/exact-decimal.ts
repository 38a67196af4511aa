/**
 * Exact decimal values as comparable strings (PURE). Written for the independent check alone: it must not share
 * the copy's number spelling (src/copy/pg-text.ts), so an error there cannot hide itself here.
 *
 * `exactDecimal("1.50") === exactDecimal("15e-1") === "15e-1"`: the significant digits without leading or trailing
 * zeros, and the power of ten of the last digit. Zero is "0" whatever its sign or scale (numeric has no -0:
 * https://www.postgresql.org/docs/current/datatype-numeric.html#DATATYPE-NUMERIC-DECIMAL).
 */
const DECIMAL = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

/** The canonical exact form of a decimal literal, or null when the text is not one. */
export function exactDecimal(text: string): string | null {
  const m = DECIMAL.exec(text);
  if (m === null) return null;
  const [, sign, whole, fraction = "", exponent] = m;
  if (whole === "" && fraction === "") return null;
  let digits = whole + fraction;
  let power = (exponent === undefined ? 0 : Number(exponent)) - fraction.length;
  let start = 0;
  while (start < digits.length && digits[start] === "0") start++;
  digits = digits.slice(start);
  let end = digits.length;
  while (end > 0 && digits[end - 1] === "0") {
    end--;
    power++;
  }
  digits = digits.slice(0, end);
  if (digits === "") return "0";
  return `${sign === "-" ? "-" : ""}${digits}e${power}`;
}

/** The exact decimal a bigint denotes. */
export function exactInteger(n: bigint): string {
  return exactDecimal(n.toString())!;
}
