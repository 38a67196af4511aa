/** The row shapes the independent check pairs and compares, and its batch sizes. */
import { type SqliteCell } from "./compare-value.js";
import { type KeyPart } from "./pairing.js";
import type { TargetColumn } from "./target-columns.js";

export const WINDOWS = 10;

export const FETCH = 5000;

export interface SqliteRow {
  readonly cells: SqliteCell[];
  /** Per column: the digest of a big cell (big-cells.ts), else null; null when the row has none. */
  readonly digests: (string | null)[] | null;
  readonly rowid: bigint | null;
  readonly key: readonly KeyPart[];
}

export interface PgRow {
  readonly texts: (string | null)[];
  readonly digests: (string | null)[] | null;
  readonly key: readonly KeyPart[];
}

export interface Column {
  readonly name: string;
  readonly pgName: string;
  readonly target: TargetColumn;
}
