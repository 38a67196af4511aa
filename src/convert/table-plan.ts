/** The per-table column plan the copy encodes with (convert's output besides the schema text). Pure. */
import { type Field, type Model } from "@mrleebo/prisma-ast";
import type { SqliteCatalog, SqliteTable } from "../core/catalog.js";
import { columnNameOf } from "./ast.js";
import type { ColumnProfile, ColumnTypeChoice, ValueKind } from "../core/column-type.js";
import { sqlSpellingFor, type SqlSpelling } from "../values/sql-spelling.js";
import { type ImplicitManyToMany } from "./implicit-m2m.js";
import { epochUnitOf } from "../values/timestamps.js";
import { hasAutoincrement } from "./field-edits.js";
import type { CitextSupport } from "./nocase.js";

export interface ConvertInput {
  readonly pulledSchema: string;
  readonly catalog: SqliteCatalog;
  /** table → column → profile; absent for tables not profiled. */
  readonly profiles: ReadonlyMap<string, ReadonlyMap<string, ColumnProfile>>;
  /** `table.column` → type override (the CLI's --type). */
  readonly typeOverrides?: ReadonlyMap<string, string>;
  /**
   * Can the target create (or does it hold) the citext extension? Checked on the target by migrate
   * (apply/extensions.ts); absent (`plan` with no server): assumed, as on any PostgreSQL ≥ 13 with contrib.
   */
  readonly citext?: CitextSupport;
  /**
   * Where `pulledSchema` comes from (default "introspected"). "user": the schema of an existing Prisma project
   * (`migrate --schema`), already checked against the database. Its names, relations, `@default`s, `@updatedAt`,
   * enums, generators and comments are the user's and are kept; only the provider, native types (same
   * data-aware rules) and what PostgreSQL needs change.
   */
  readonly source?: "introspected" | "user";
}

/** How one column's values are encoded by the copy stage. */
export interface ColumnPlan {
  /** The SQLite column name. */
  readonly name: string;
  /** The PostgreSQL column name: the same unless longer than 63 bytes (see identifiers.ts). */
  readonly pgName: string;
  readonly kind: ValueKind;
  /**
   * For timestamps stored as integers: the unix epoch unit of its integers, each decided by magnitude
   * (encode.ts epochUnitOf); "mixed" when the column holds both seconds and milliseconds.
   */
  readonly epochUnit?: "s" | "ms" | "mixed";
  /** The profile proves SQLite can spell every value in COPY text itself (src/copy/sql-spelling.ts). */
  readonly sqlSpelling?: SqlSpelling;
  /**
   * Declared `COLLATE NOCASE` (nocase.ts): "citext" when PostgreSQL compares it case-insensitively too
   * (`@db.Citext`), "text" when it stays case-sensitive text (the reason is a decision).
   */
  readonly nocase?: "citext" | "text";
}

export interface TablePlan {
  /** The SQLite table name. */
  readonly name: string;
  /** The PostgreSQL table name: the same unless longer than 63 bytes (see identifiers.ts). */
  readonly pgName: string;
  readonly columns: readonly ColumnPlan[];
  /** Primary-key columns in key order (empty when the table has none): rows are named and ordered by them. */
  readonly keyColumns: readonly string[];
  /** The autoincrement column whose sequence must be moved past the copied ids. */
  readonly serialColumn?: string;
  /** Highest id AUTOINCREMENT ever handed out (sqlite_sequence), to never reuse ids. */
  readonly sequenceFloor: bigint | null;
  readonly rowCount: number;
  /** SqliteTable.estimatedBytes: the parallel copy starts with the largest tables. */
  readonly estimatedBytes?: number;
  /** The relation table of an implicit many-to-many relation: it has no model; Prisma's migration creates it. */
  readonly implicitRelation?: ImplicitManyToMany;
}


/**
 * Integers in a DATETIME column are unix epochs, each value's unit decided by its magnitude (encode.ts
 * epochUnitOf): seconds from 10^8 to below 10^11 (as milliseconds they would fall in 1970–1973), milliseconds
 * from 10^11 on (what Prisma's native engine wrote). A column can hold both (an application that changed how it
 * writes): the note gives both counts, and there a value that is seconds after 2100 could as well be
 * milliseconds of 1970–1973: such values are refused as ambiguous. Integers below 10^8 are no plausible unix time
 * (a year, a 0 placeholder) and the copy refuses them; the note says so and how to keep them as numbers. The
 * range is shown as converted.
 */
export function epochUnitFor(table: string, column: string, choice: ColumnTypeChoice, profile: ColumnProfile | undefined): { unit?: "s" | "ms" | "mixed"; note?: string } {
  if (choice.kind !== "timestamp" && choice.kind !== "date") return {};
  if (!profile || profile.minInt === null || profile.maxInt === null) return {};
  const { seconds, millis, implausible, lateSeconds } = profile.epochIntegers;
  if (seconds + millis + implausible === 0) {
    // Not counted (a --type override made the column a timestamp): the range alone tells whether units mix; the
    // encoder decides each value by its magnitude all the same.
    if (profile.storage.integer === 0) return {};
    const s = epochUnitOf(profile.maxInt) !== "ms" && epochUnitOf(profile.minInt) !== "ms";
    const ms = epochUnitOf(profile.maxInt) !== "s" && epochUnitOf(profile.minInt) !== "s";
    const unit = s && !ms ? "s" : ms && !s ? "ms" : "mixed";
    return { unit, note: `${profile.storage.integer} integer value(s) read as unix epoch ${unit === "s" ? "seconds" : unit === "ms" ? "milliseconds" : "seconds or milliseconds, each by its magnitude"} (UTC)` };
  }
  const unit = millis === 0 ? "s" : seconds === 0 ? "ms" : "mixed";
  const show = (v: bigint) => {
    const u = epochUnitOf(v);
    if (u === null) return `${v} (refused)`;
    const d = new Date(Number(u === "s" ? v * 1000n : v));
    return Number.isNaN(d.getTime()) ? String(v) : `${v} → ${d.toISOString().replace("T", " ").replace(/\.000Z$|Z$/, "")}`;
  };
  const read =
    seconds > 0 && millis > 0
      ? `integers decided one by one by magnitude: ${seconds} read as unix epoch seconds (below 10^11) and ${millis} as unix epoch milliseconds (UTC)`
      : `${seconds + millis} integer value(s) read as unix epoch ${millis === 0 ? "seconds" : "milliseconds"} (UTC)`;
  // The override that keeps every value: BigInt for integers alone, String when the column holds anything else too.
  const keep = profile.storage.text + profile.storage.real + profile.storage.blob > 0 ? "String" : "BigInt";
  const refused =
    implausible === 0
      ? ""
      : `; ${implausible} integer value(s) below 10^8 are no plausible unix time (a year, a 0 placeholder?) and are refused by the copy — keep the column's values as they are with --type ${table}.${column}=${keep}`;
  const ambiguous =
    unit === "mixed" && lateSeconds > 0
      ? `; ${lateSeconds} of the seconds fall after 2100 and could as well be milliseconds of 1970–1973: refused as ambiguous by the copy`
      : "";
  return { unit, note: seconds + millis === 0 ? refused.slice(2) : `${read}: from ${show(profile.minInt)} to ${show(profile.maxInt)}${ambiguous}${refused}` };
}

export function planTable(table: SqliteTable, pgName: string, columns: ColumnPlan[], model: Model): TablePlan {
  const serial = model.properties.find((p): p is Field => p.type === "field" && hasAutoincrement(p));
  return {
    name: table.name,
    pgName,
    columns,
    keyColumns: table.columns
      .filter((c) => c.pkOrder > 0)
      .sort((a, b) => a.pkOrder - b.pkOrder)
      .map((c) => c.name),
    serialColumn: serial ? columnNameOf(serial) : undefined,
    sequenceFloor: table.sequence,
    rowCount: table.rowCount,
    estimatedBytes: table.estimatedBytes,
  };
}

/**
 * The copy plan of an implicit many-to-many relation table (implicit-m2m.ts): columns `A` and `B` keep their names
 * and take the value kind of the `@id` they reference, the type Prisma's migration gives them on PostgreSQL.
 * Undefined when the SQLite table is not of that shape (then it stays "not-in-schema", reported).
 */
export function planRelationTable(
  table: SqliteTable,
  pgName: string,
  relation: ImplicitManyToMany,
  idPlans: ReadonlyMap<string, { readonly column: string; readonly plan: TablePlan }>,
  profiles: ReadonlyMap<string, ColumnProfile> | undefined,
): TablePlan | undefined {
  const stored = table.columns.filter((c) => c.hidden === 0).map((c) => c.name);
  if (stored.length !== 2 || !stored.includes("A") || !stored.includes("B")) return undefined;
  const columns: ColumnPlan[] = [];
  for (const [column, model] of [["A", relation.modelA], ["B", relation.modelB]] as const) {
    const id = idPlans.get(model);
    const ref = id?.plan.columns.find((c) => c.name === id.column);
    if (!ref) return undefined;
    // The spelling depends on this column's own stored values, not on those of the id it references.
    const sqlSpelling = sqlSpellingFor(ref.kind, profiles?.get(column), ref.epochUnit);
    columns.push({ name: column, pgName: column, kind: ref.kind, ...(ref.epochUnit ? { epochUnit: ref.epochUnit } : {}), ...(sqlSpelling ? { sqlSpelling } : {}) });
  }
  // `_AB_unique` on SQLite, the primary key (A, B) on PostgreSQL: the pair identifies a row and orders both sides.
  const abUnique = table.indexes.some((ix) => ix.unique && !ix.partial && ix.columns.length === 2 && ix.columns[0] === "A" && ix.columns[1] === "B");
  return {
    name: table.name,
    pgName,
    columns,
    keyColumns: abUnique ? ["A", "B"] : [],
    sequenceFloor: null,
    rowCount: table.rowCount,
    estimatedBytes: table.estimatedBytes,
    implicitRelation: relation,
  };
}
