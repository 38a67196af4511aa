/**
 * What copying one table did: the one result type of the copy, from the encoder (table-encoder.ts, which fills a
 * CopyTally while it reads the rows) through copyTable (copy-table.ts) to apply's list of copied tables and the
 * verification and summary built from it.
 */
import type { Decision } from "../core/decisions.js";

export interface TableCopyResult {
  /** The SQLite table's name. */
  readonly table: string;
  readonly rows: number;
  /**
   * sha256 of the COPY text bytes sent, in the order sent; null when not hashed or nothing was sent (scan only, a
   * problem in "stop" mode). The encoders spell values as PostgreSQL prints them, so `COPY … TO STDOUT` of the
   * table must give back exactly these bytes (src/verify/content/sent-checksums.ts).
   */
  readonly sentChecksum: string | null;
  readonly rejected: number;
  /** Rows left out by the orphan policy "delete". */
  readonly skipped: number;
  /** rowids of the rejected rows (verify leaves them out too). */
  readonly rejectedRowids: ReadonlySet<bigint>;
  /** Primary keys (table-encoder.ts leftOutKey) of rejected rows in WITHOUT ROWID tables. */
  readonly rejectedKeys: ReadonlySet<string>;
  /** Rows whose COPY text SQLite built (sql-chunks.ts); the others went through the row path. */
  readonly sqlSpelledRows: number;
  /** Big TEXT/BLOB cells sent in slices (big-cells.ts), never as one string. */
  readonly slicedCells: number;
  /** Values copied exactly in meaning but not in form (values/ ValueNote), counted per column. */
  readonly decisions: readonly Decision[];
  /** column → values decoded with the fallback encoding (text not valid UTF-8). */
  readonly decoded: ReadonlyMap<string, number>;
  readonly ms: number;
}

type Writable<T> = { -readonly [K in keyof T]: T[K] };

/** The encoder's running counts: the result without its table and timing, writable while the rows are read. */
export type CopyTally = Writable<Omit<TableCopyResult, "table" | "ms" | "rejectedRowids" | "rejectedKeys" | "decisions" | "decoded">> & {
  rejectedRowids: Set<bigint>;
  rejectedKeys: Set<string>;
  decisions: Decision[];
  decoded: Map<string, number>;
};

export function emptyTally(): CopyTally {
  return { rows: 0, rejected: 0, skipped: 0, rejectedRowids: new Set(), rejectedKeys: new Set(), sentChecksum: null, sqlSpelledRows: 0, slicedCells: 0, decisions: [], decoded: new Map() };
}
