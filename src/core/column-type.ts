/**
 * The vocabulary shared by convert (which chooses a PostgreSQL type per column), profile (which measures the
 * data that informs the choice) and copy (which encodes values for that type). Pure data, no I/O.
 */

/** SQLite's five column affinities (https://sqlite.org/datatype3.html#determination_of_column_affinity). */
export type Affinity = "INTEGER" | "TEXT" | "BLOB" | "REAL" | "NUMERIC";

/**
 * How a value is encoded for the target column. One kind per PostgreSQL type family; the copy encoders and the
 * verify canonicalizer switch on it.
 */
export type ValueKind =
  | "int" // integer / smallint
  | "bigint"
  | "float" // double precision
  | "decimal" // numeric(p,s)
  | "text" // text / varchar(n) / char(n)
  | "boolean"
  | "timestamp" // timestamp(p) without time zone
  | "date"
  | "time"
  | "json" // jsonb
  | "bytes"; // bytea

/** A Prisma native type attribute such as `@db.VarChar(160)`: name "VarChar", args [160]. */
export interface NativeType {
  readonly name: string;
  readonly args: readonly number[];
}

/** The type chosen for one column. */
export interface ColumnTypeChoice {
  /** Prisma scalar: Int, BigInt, Float, Decimal, String, Boolean, DateTime, Json, Bytes. */
  readonly prismaType: string;
  readonly native?: NativeType;
  readonly kind: ValueKind;
  /** Why, when the choice is not the obvious one (becomes a `///` comment and a report line). */
  readonly note?: string;
}

/** What one streaming pass over a column's values found (see src/profile). */
export interface ColumnProfile {
  readonly nonNull: number;
  /** Count of values per SQLite storage class. */
  readonly storage: { readonly integer: number; readonly real: number; readonly text: number; readonly blob: number };
  /** Smallest and largest integer value seen (storage class INTEGER, or integer text), as bigint. */
  readonly minInt: bigint | null;
  readonly maxInt: bigint | null;
  /** Longest text value in characters (Unicode code points, as PostgreSQL counts them). */
  readonly maxTextLength: number;
  /** For decimal-looking values: largest count of digits before and after the point. */
  readonly maxIntegerDigits: number;
  readonly maxFractionDigits: number;
  /** For timestamp-looking text: largest count of fractional-second digits seen. */
  readonly maxSecondFractionDigits: number;
  /** Every non-null value is 0 or 1 (or 't'/'f'/'true'/'false'). */
  readonly booleanLike: boolean;
  /** Text values shaped like a date, timestamp or time (the preflight re-checks only the other ones). */
  readonly temporalTexts: number;
  /**
   * Text values containing U+FFFD (what invalid UTF-8 decodes to: the preflight re-reads their bytes) or U+0000
   * (PostgreSQL text cannot hold it).
   */
  readonly suspectTexts: number;
  /**
   * BLOB values PostgreSQL text could not hold as they are (not valid UTF-8, or a NUL byte). Counted only where the
   * values decide the type (no declared type, STRICT `ANY`, an unknown name: type-map.ts byValues); 0 elsewhere.
   */
  readonly binaryBlobs: number;
  /** Timestamp text carrying a zone (`Z`, `+02:00`): converted to UTC by the copy, and said so. */
  readonly zonedTexts: number;
  /** Text already in the form PostgreSQL prints a timestamp in (encode.ts isCanonicalTimestampText). */
  readonly canonicalTimestampTexts: number;
  /** Text already in the form PostgreSQL prints a date in (encode.ts isCanonicalDateText). */
  readonly canonicalDateTexts: number;
  /**
   * Integer values (INTEGER storage and integral REALs) by how a DATETIME column reads each one (encode.ts
   * epochUnitOf): unix seconds, unix milliseconds, or no plausible unix time (magnitude below 10^8). `lateSeconds`
   * counts the seconds after 2100 (encode.ts EPOCH_S_AMBIGUOUS_MIN), ambiguous when the column holds milliseconds too.
   * Counted for columns declared DATETIME/DATE only (all zero otherwise).
   */
  readonly epochIntegers: { readonly seconds: number; readonly millis: number; readonly implausible: number; readonly lateSeconds: number };
}
