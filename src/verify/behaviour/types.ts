/** "What changes for the app": behaviour the SQLite app relied on that PostgreSQL changes, measured on the data. */

/** Where a column lives, in the app's names (the Prisma model and field) and the database's. */
export interface AppColumn {
  readonly table: string;
  readonly column: string;
  readonly model: string;
  readonly field: string;
}

/** Text ORDER BY: SQLite compares bytes (or NOCASE), PostgreSQL the database's collation. */
export interface OrderingChange extends AppColumn {
  /** Distinct text values sampled from SQLite. */
  readonly sampled: number;
  /** Sampled values whose position differs between SQLite's order and PostgreSQL's. */
  readonly differing: number;
  /** Two adjacent values SQLite orders `[a, b]` and PostgreSQL `[b, a]`. */
  readonly example?: readonly [string, string];
}

export type OrderingEvidence =
  | {
      readonly measured: true;
      /** The target database's default collation, as PostgreSQL names it (e.g. "en-US (icu)", "C.UTF-8"). */
      readonly collation: string;
      /** Text columns sampled. */
      readonly columns: number;
      /** Only the columns whose sample orders differently. */
      readonly changes: readonly OrderingChange[];
    }
  | { readonly measured: false; readonly reason: string };

/** Prisma's contains/startsWith/endsWith (LIKE): ASCII case ignored on SQLite, not on PostgreSQL. */
export interface MatchingChange extends AppColumn {
  readonly sampled: number;
  /** Sampled values holding an ASCII letter: those whose match depends on case. */
  readonly withLetters: number;
  /** A value and a `contains` argument that found it on SQLite and does not on PostgreSQL. */
  readonly example?: { readonly value: string; readonly contains: string };
}

/** A column whose SQLite values were looser than the type PostgreSQL now enforces on every write. */
export interface StricterColumn extends AppColumn {
  /** The PostgreSQL type, as the schema says (e.g. "integer", "varchar(40)"). */
  readonly pgType: string;
  /** What SQLite let in that PostgreSQL refuses from now on (one sentence). */
  readonly what: string;
  /** A value SQLite held that shows it, when there is one. */
  readonly example?: string;
}

/**
 * One ordered read per model with an indexed text field, through Prisma Client on both sides (readback/ordered.ts):
 * `findMany({ orderBy: { field: "asc" }, take })`, the values in the order each side returned them.
 */
export interface OrderedRead {
  readonly model: string;
  readonly field: string;
  /** Rows each side returned (the same count unless rows differ, which the read-back reports). */
  readonly rows: number;
  /** The first position (0-based) where the two orders differ, with each side's value there; absent: the same order. */
  readonly firstDifference?: { readonly position: number; readonly sqlite: string; readonly postgres: string };
  /** Why this model's ordered read could not be compared. */
  readonly notCompared?: string;
}

export interface AppChanges {
  readonly ordering: OrderingEvidence;
  /** Set after a read-back (migrate with --verify full): the ordered reads of Prisma Client on both sides. */
  readonly orderedReads?: readonly OrderedRead[];
  readonly matching: readonly MatchingChange[];
  readonly stricter: readonly StricterColumn[];
}
