/**
 * Counts of the ValueNotes of the rows a table's copy sent (encode.ts ValueNote), turned into the report's
 * decisions. Split from table-encoder.ts, which uses it.
 */
import type { Decision } from "../core/decisions.js";
import type { ValueNote } from "../values/copy-text.js";

const NOTE_MESSAGES: Readonly<Record<ValueNote, (count: number, table: string, column: string) => string>> = {
  "json-duplicate-keys": (n) =>
    `${n} JSON value(s) hold an object with a repeated key: jsonb keeps only the last value of each key (https://www.postgresql.org/docs/current/datatype-json.html)`,
  "text-from-blob": (n, table, column) =>
    `${n} BLOB value(s) hold UTF-8 text and are stored as that text (--type ${table}.${column}=Bytes keeps them as bytes)`,
};

/**
 * Counts of ValueNotes. A note is pending until its row is known to be sent (a row the encoder then refuses, or a
 * chunk of the fast read handed to the row path, encodes its values again or not at all).
 */
export class NoteCounter {
  private readonly pending: number[][];
  private readonly total: number[][];
  private dirty = false;
  constructor(columns: number) {
    this.pending = Array.from({ length: columns }, () => [0, 0]);
    this.total = Array.from({ length: columns }, () => [0, 0]);
  }
  readonly note = (columnIndex: number, note: ValueNote): void => {
    this.pending[columnIndex][note === "json-duplicate-keys" ? 0 : 1]++;
    this.dirty = true;
  };
  commit(): void {
    if (!this.dirty) return;
    this.pending.forEach((p, i) => {
      this.total[i][0] += p[0];
      this.total[i][1] += p[1];
      p[0] = p[1] = 0;
    });
    this.dirty = false;
  }
  discard(): void {
    if (!this.dirty) return;
    for (const p of this.pending) p[0] = p[1] = 0;
    this.dirty = false;
  }
  decisions(table: string, columns: readonly string[]): Decision[] {
    return this.total.flatMap(([dup, blob], i) =>
      (
        [
          ["json-duplicate-keys", dup],
          ["text-from-blob", blob],
        ] as const
      )
        .filter(([, n]) => n > 0)
        .map(([code, n]) => ({ table, column: columns[i], code, message: NOTE_MESSAGES[code](n, table, columns[i]) })),
    );
  }
}
