/**
 * Columns SQLite can spell in COPY text itself, byte for byte as the JS encoders in encode.ts would.
 *
 * Reading a row through better-sqlite3 costs a JS array, a V8 string per text value (decoded from UTF-8, later
 * encoded back) and a BigInt per integer; for the blog benchmark's comments that is more than half the copy's
 * CPU time. When the profile, taken on the very snapshot the copy reads (src/introspect/snapshot.ts), proves a
 * column holds only values whose COPY spelling is a plain SQL expression of the stored value, SQLite builds that
 * text (string functions in C, https://sqlite.org/lang_corefunc.html) and hands whole chunks over as one BLOB
 * (src/copy/sql-chunks.ts). Nothing is guessed: a column outside these rules, or any value the profile did not
 * vouch for, goes through the JS encoder as before.
 *
 * Pure: profile in, rule out.
 */
import type { ColumnProfile, ValueKind } from "../core/column-type.js";
import { MAX_EPOCH_MS, MIN_EPOCH_MS } from "./timestamps.js";
import { INT32_MAX, INT32_MIN } from "./numbers.js";

/**
 * How SQLite spells a column:
 * - "integer": INTEGER storage only, printed in decimal (as bigint.toString());
 * - "text": TEXT or INTEGER storage, COPY-escaped with replace() (an integer prints in decimal, as the JS encoder's
 *   toString). Never a REAL: replace() would turn it into SQLite's 15-digit text, so the guard sends such a chunk
 *   down the row path (encode.ts realText). Invalid UTF-8 and NUL bytes are caught per chunk (sql-chunks.ts), not
 *   here, and so is the storage class when the column was not profiled (sqlSpellingGuard);
 * - "boolean": INTEGER 0/1 only, as t/f;
 * - "verbatim": text already in PostgreSQL's output form (timestamps, dates), sent as stored;
 * - "epoch-s" / "epoch-ms": INTEGER unix time (Prisma's native engine stored DateTime as milliseconds) within
 *   years 0001..9999, every value of the column in the one unit (encode.ts epochUnitOf), as
 *   `YYYY-MM-DD HH:MM:SS[.fff]` UTC with trailing fraction zeros dropped, the JS encoder's TimestampReader.epochMs. strftime's 'unixepoch' is exact for whole seconds (https://sqlite.org/lang_datefunc.html);
 *   milliseconds are split off with a floor division, so times before 1970 are right too;
 * - "bytea": BLOB storage only (checked per chunk when not profiled), as `\\x` and lowercase hex;
 * - "jsonb": a jsonb column's values as jsonb_out prints them, by sqlite2pg's extension only (native/jsonb-text.c),
 *   which marks what it leaves to the JS encoder with a NUL byte. Never chosen from the profile (sqlSpellingFor):
 *   the copy's reader decides it per connection (src/copy/sql-chunks.ts).
 */
export type SqlSpelling = "integer" | "text" | "boolean" | "verbatim" | "epoch-s" | "epoch-ms" | "bytea" | "jsonb";

/** The rule for a column of this kind whose values the profile describes, or null: the JS encoder spells it. */
export function sqlSpellingFor(kind: ValueKind, profile: ColumnProfile | undefined, epochUnit?: "s" | "ms" | "mixed"): SqlSpelling | null {
  // Plain TEXT and BLOB columns are not profiled (profile-all.ts): their storage classes are checked per chunk
  // instead (sqlSpellingGuard), which costs SQLite almost nothing.
  if (profile === undefined) return kind === "text" ? "text" : kind === "bytes" ? "bytea" : null;
  const { integer, real, text, blob } = profile.storage;
  const onlyIntegers = real === 0 && text === 0 && blob === 0;
  switch (kind) {
    case "int":
      // Within int4: out-of-range values are the JS encoder's to report.
      return onlyIntegers && (profile.minInt === null || (profile.minInt >= INT32_MIN && profile.maxInt! <= INT32_MAX)) ? "integer" : null;
    case "bigint":
      return onlyIntegers ? "integer" : null;
    case "text":
      // SQLite would print a REAL with 15 significant digits (%!.15g, losing the rest of the double); only the JS
      // encoder (encode.ts realText) spells it with every digit, so a column holding any REAL is left to it.
      return real === 0 && blob === 0 ? "text" : null;
    case "boolean":
      return onlyIntegers && profile.booleanLike ? "boolean" : null;
    case "timestamp": {
      // One unit for the whole column, every integer counted in it: none the JS encoder refuses as no plausible
      // unix time, and a column mixing seconds and milliseconds is decided value by value in JS (epochUnitOf).
      const { seconds, millis } = profile.epochIntegers;
      if (onlyIntegers && integer > 0 && (epochUnit === "s" || epochUnit === "ms") && seconds + millis === integer) {
        const scale = epochUnit === "s" ? 1000n : 1n;
        const inRange = profile.minInt! * scale >= BigInt(MIN_EPOCH_MS) && profile.maxInt! * scale <= BigInt(MAX_EPOCH_MS);
        return inRange ? (epochUnit === "s" ? "epoch-s" : "epoch-ms") : null;
      }
      return integer === 0 && real === 0 && blob === 0 && profile.canonicalTimestampTexts === text ? "verbatim" : null;
    }
    case "date":
      return integer === 0 && real === 0 && blob === 0 && profile.canonicalDateTexts === text ? "verbatim" : null;
    case "bytes":
      return integer === 0 && real === 0 && text === 0 ? "bytea" : null;
    default:
      // float (float8out's shortest round trip), decimal (numeric_out at the column's scale), json (jsonb_out's
      // key order), time: only the JS encoders know these spellings.
      return null;
  }
}

/**
 * The SQL expression giving one column's COPY field (`\N` for NULL) under a rule. `column` is already quoted;
 * `textFunction`: the connection has `s2p_copy_text`.
 * SQL string literals do not treat backslash specially (https://sqlite.org/lang_expr.html#literal_values_constants_),
 * so '\\' below is two backslashes and '\t' is a backslash and a t, as COPY wants them.
 */
export function sqlSpellingExpression(rule: SqlSpelling, column: string, textFunction = false): string {
  switch (rule) {
    case "integer":
    case "verbatim":
      return `coalesce(${column}, '\\N')`;
    case "text":
      // COPY text format escapes (https://www.postgresql.org/docs/current/sql-copy.html#id-1.9.3.55.9.2): in one
      // pass by sqlite2pg's extension where the connection has it (native/copy-text.c, db/sqlite-extension.ts),
      // else in four passes of replace(); the same bytes either way.
      return textFunction
        ? `s2p_copy_text(${column})`
        : `coalesce(replace(replace(replace(replace(${column}, '\\', '\\\\'), char(9), '\\t'), char(10), '\\n'), char(13), '\\r'), '\\N')`;
    case "boolean":
      return `CASE WHEN ${column} IS NULL THEN '\\N' WHEN ${column} = 1 THEN 't' ELSE 'f' END`;
    case "epoch-s":
      return `CASE WHEN ${column} IS NULL THEN '\\N' ELSE strftime('%Y-%m-%d %H:%M:%S', ${column}, 'unixepoch') END`;
    case "epoch-ms": {
      const milli = `((${column} % 1000 + 1000) % 1000)`;
      return (
        `CASE WHEN ${column} IS NULL THEN '\\N' ELSE strftime('%Y-%m-%d %H:%M:%S', (${column} - ${milli}) / 1000, 'unixepoch') || ` +
        `CASE WHEN ${milli} = 0 THEN '' ELSE rtrim('.' || substr('00' || ${milli}, -3), '0') END END`
      );
    }
    case "bytea":
      // bytea's hex input form, its backslash escaped for COPY.
      return `CASE WHEN ${column} IS NULL THEN '\\N' ELSE '\\\\x' || lower(hex(${column})) END`;
    case "jsonb":
      if (!textFunction) throw new Error("the jsonb spelling needs sqlite2pg's extension");
      return `s2p_jsonb_copy(${column})`;
  }
}

/**
 * For rules that hold per storage class, a SQL condition that is true when a value has one of the classes the rule
 * spells exactly; a chunk with any other value goes through the row path. Null: the profile already proved it.
 */
export function sqlSpellingGuard(rule: SqlSpelling, column: string): string | null {
  switch (rule) {
    case "text":
      return `typeof(${column}) IN ('text', 'integer', 'null')`;
    case "bytea":
      return `typeof(${column}) IN ('blob', 'null')`;
    default:
      return null;
  }
}
