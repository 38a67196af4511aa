/**
 * The copy's hot loop, free of I/O on the PostgreSQL side: read one table's rows from a SQLite connection, apply
 * the orphan policy, encode each row as a COPY text line, and hand out ~256 KB chunks of UTF-8 bytes, hashed as
 * they go. Problems, rejected rows and progress leave through callbacks (copy-table.ts turns them into the
 * problem list, the rejects file and progress events). Everything it receives and reports is plain data.
 */
import { createHash } from "node:crypto";
import type { ColumnPlan, TablePlan } from "../convert/convert.js";
import type { PgColumn } from "../db/pg-columns.js";
import { quoteIdent } from "../core/quote.js";
import { type SqliteDb } from "../db/sqlite-source.js";
import { rowidAlias, type SqliteTable } from "../core/catalog.js";
import { hashChunk } from "./checksum.js";
import type { CopyTally } from "./copy-result.js";
import { makeFieldEncoder, makeRowEncoder } from "../values/encode.js";
import { INT64_MAX, INT64_MIN } from "../values/numbers.js";
import { excerptOf, ValueError, type EncodeOptions, type ValueNote } from "../values/copy-text.js";
import { bufferCollector } from "./buffer-collector.js";
import { sqlChunkReader } from "./sql-chunks.js";
import type { DataProblem, Remedy } from "../core/problems.js";
import { NoteCounter } from "./note-counter.js";
import { bigCellBytes, bigCellLine, bigCellSlices, type LinePart } from "./big-cells.js";
import type { RejectedRow } from "./rejects.js";
import { SUGGESTED_FALLBACK } from "./remedies.js";
import { InvalidUtf8Text, invalidStoredBytes, storedBytesReader, textFallback, type TextFallback } from "./text-fallback.js";

/** Flush encoded rows in chunks of about this many characters. */
const CHUNK_CHARS = 256 * 1024;
const PROGRESS_EVERY_CHUNKS = 8;

export interface EncodeTableInput {
  readonly plan: TablePlan;
  readonly table: SqliteTable;
  /** The target's column types (they decide the spelling of numeric and json values); null: scan only. */
  readonly pgColumns: ReadonlyMap<string, PgColumn> | null;
  readonly onError: "stop" | "reject";
  /** A rejects file exists ("reject" mode). */
  readonly rejecting: boolean;
  /** rowids to leave out (orphan policy "delete"). */
  readonly skipRows?: ReadonlySet<bigint>;
  /** rowid → columns to write as NULL (orphan policy "null"). */
  readonly nullify?: ReadonlyMap<bigint, readonly string[]>;
  /** Only collect problems, send nothing (another table already failed). */
  readonly scanOnly: boolean;
  /** Hash the bytes handed out (sentChecksum); only migrate's full verification uses the checksum. */
  readonly hash: boolean;
  /** Read every row through the JS encoders, never letting SQLite spell columns (sql-chunks.ts); for tests. */
  readonly rowPathOnly?: boolean;
  /** Let SQLite escape text with its core replace() even where sqlite2pg's extension is loaded; for tests. */
  readonly coreSqlFunctions?: boolean;
  /** `--decode-fallback`: text whose stored bytes are not UTF-8 is decoded with this encoding (text-fallback.ts). */
  readonly decodeFallback?: TextFallback;
  /**
   * Only the rows of a key range, in key order (`sync`, src/sync/): a SQLite WHERE condition with its parameters
   * and an ORDER BY list. Read through the row path: a range is the size of a change, not of the table.
   */
  readonly range?: { readonly where: string; readonly params: readonly unknown[]; readonly orderBy: string };
}

export interface EncodeSinks {
  problem(problem: DataProblem): void;
  reject(row: RejectedRow): void;
  progress(rows: number): void;
}

const hexExcerpt = (bytes: Buffer): string => `x'${bytes.toString("hex").slice(0, 40)}'`;
/** Decodes the bytes a problem's remedy would decode: the suggestion is tried, not guessed. */
const suggestedFallback = textFallback(SUGGESTED_FALLBACK);
const asText = makeFieldEncoder("text");
const encodesAsText = (v: unknown): boolean => {
  try {
    asText(v);
    return true;
  } catch (err) {
    if (err instanceof ValueError) return false;
    throw err;
  }
};

/** Identity of a row of a WITHOUT ROWID table: its primary-key values as SQLite returned them. */
export function leftOutKey(row: readonly unknown[], keyIndexes: readonly number[]): string {
  return keyIndexes.map((i) => (row[i] instanceof Uint8Array ? Buffer.from(row[i] as Uint8Array).toString("hex") : String(row[i]))).join("\u0000");
}

/**
 * The row encoder for a table's columns, with the options the target's types imply. The copy and verify's
 * checksum pass both use it: the checksum pass holds only if both spell every value the same way.
 */
export function tableRowEncoder(
  columns: readonly ColumnPlan[],
  pgColumns: ReadonlyMap<string, PgColumn> | null,
  onNote?: (columnIndex: number, note: ValueNote) => void,
): (row: readonly unknown[]) => string {
  return makeRowEncoder(
    columns.map((c) => c.kind),
    columns.map((c, i) => encodeOptions(c, pgColumns, onNote && ((note) => onNote(i, note)))),
  );
}

/**
 * A row holding a big cell spelled as parts (big-cells.ts bigCellLine), or null: use tableRowEncoder. Verify's
 * checksum pass hashes the parts, so it never holds a big cell's COPY text whole either.
 */
export function tableBigCellLine(columns: readonly ColumnPlan[], pgColumns: ReadonlyMap<string, PgColumn> | null): (row: readonly unknown[]) => LinePart[] | null {
  const kinds = columns.map((c) => c.kind);
  const encoders = columns.map((c) => makeFieldEncoder(c.kind, encodeOptions(c, pgColumns)));
  const threshold = bigCellBytes();
  return (row) => bigCellLine(row, kinds, encoders, threshold);
}

function encodeOptions(c: ColumnPlan, pgColumns: ReadonlyMap<string, PgColumn> | null, onNote?: (note: ValueNote) => void): EncodeOptions {
  const pg = pgColumns?.get(c.pgName);
  return { epochUnit: c.epochUnit, pgType: pg?.typname, scale: pg?.scale, ...(onNote ? { onNote } : {}) };
}

/** Yields the table's COPY data; fills `summary` (complete once the generator is exhausted). */
export function* encodeTable(source: SqliteDb, o: EncodeTableInput, sinks: EncodeSinks, summary: CopyTally): Generator<Buffer> {
  const { plan, table } = o;
  const columns = plan.columns;
  const names = columns.map((c) => c.name);
  const notes = new NoteCounter(columns.length);
  const encode = tableRowEncoder(columns, o.pgColumns, notes.note);
  const sentHash = o.hash ? createHash("sha256") : null;
  const bytes = (text: string): Buffer => (sentHash ? hashChunk(sentHash, text) : Buffer.from(text, "utf8"));
  const rowid = rowidAlias(table);
  const rowidIndex = rowid === null ? -1 : columns.length;
  const textColumns = columns.flatMap((c, i) => (c.kind === "text" || c.kind === "json" ? [i] : []));
  const keyIndexes = plan.keyColumns.map((k) => names.indexOf(k)).filter((i) => i >= 0);
  const selectSql = `SELECT ${[...names.map(quoteIdent), ...(rowid ? [rowid] : [])].join(", ")} FROM ${quoteIdent(plan.name)}`;
  // Re-read one stored value's bytes, by rowid, or by primary key in a WITHOUT ROWID table.
  const lookupKey = rowid !== null ? [rowidIndex] : keyIndexes;
  const readStored = storedBytesReader(source, plan.name, rowid, plan.keyColumns);
  const rawText = (column: string, row: readonly unknown[]): Buffer | undefined => readStored(column, lookupKey.map((i) => row[i]));
  const keyOf = (row: readonly unknown[]): string =>
    keyIndexes.length > 0 ? keyIndexes.map((i) => String(row[i])).join(", ") : rowidIndex >= 0 ? `rowid ${row[rowidIndex]}` : "(no key)";
  const fieldEncoders = columns.map((c) => makeFieldEncoder(c.kind, encodeOptions(c, o.pgColumns)));
  const fallback = o.decodeFallback;
  const kinds = columns.map((c) => c.kind);
  const noteEncoders = columns.map((c, i) => makeFieldEncoder(c.kind, encodeOptions(c, o.pgColumns, (note) => notes.note(i, note))));
  const bigCell = bigCellBytes();
  // The row encoder notes a BLOB stored as text; a big one is spelled without it.
  const onBigCell = (i: number, v: unknown): void => {
    if (kinds[i] === "text" && v instanceof Uint8Array) notes.note(i, "text-from-blob");
  };
  /** Does column i's encoder take v? */
  const encodes = (i: number, v: unknown): boolean => {
    try {
      fieldEncoders[i](v);
      return true;
    } catch (err) {
      if (err instanceof ValueError) return false;
      throw err;
    }
  };

  /**
   * better-sqlite3 decodes invalid UTF-8 stored as TEXT into U+FFFD without error; when that character shows up
   * we re-read the stored bytes. Valid UTF-8 (a real U+FFFD) passes; otherwise the value is decoded with the
   * fallback encoding when one is given, else it is a problem. Returns null when every value is UTF-8 (the hot
   * path allocates nothing), else the row to encode (a copy when a value was decoded) and the columns whose
   * stored bytes are not UTF-8.
   */
  const checkUtf8 = (row: unknown[]): { row: unknown[]; invalid: Map<number, Buffer> | null; decoded: number[] | null } | null => {
    let invalid: Map<number, Buffer> | null = null;
    let decoded: number[] | null = null;
    let out = row;
    for (const i of textColumns) {
      const v = row[i];
      if (typeof v !== "string" || !v.includes("\uFFFD")) continue;
      const stored = invalidStoredBytes(v, () => rawText(names[i], row));
      if (stored === null) continue;
      const text = fallback?.decode(stored) ?? null;
      if (text === null) {
        (invalid ??= new Map()).set(i, stored);
        continue;
      }
      if (out === row) out = [...row];
      out[i] = text;
      (decoded ??= []).push(i);
    }
    return invalid === null && decoded === null ? null : { row: out, invalid, decoded };
  };

  /**
   * A String override changes how the column's every value is spelled, not only the refused ones: it is a remedy
   * only if the column's BLOBs (the one storage class text may refuse) read as text too. Checked once per column.
   */
  const takesText = new Map<number, boolean>();
  const columnTakesText = (i: number): boolean => {
    let ok = takesText.get(i);
    // A reference column must keep its parent key's type (Prisma refuses a relation between different types).
    if (ok === undefined && table.foreignKeys.some((fk) => fk.from.includes(names[i]))) takesText.set(i, (ok = false));
    if (ok === undefined) {
      const c = quoteIdent(names[i]);
      const blobs = source.prepare(`SELECT ${c} FROM ${quoteIdent(plan.name)} WHERE typeof(${c}) = 'blob'`).pluck().iterate() as IterableIterator<unknown>;
      ok = true;
      for (const b of blobs) {
        if (!encodesAsText(b)) {
          ok = false;
          blobs.return?.();
          break;
        }
      }
      takesText.set(i, ok);
    }
    return ok;
  };

  /** Every problem of a row (each value of each column), each with the remedies tried on it. */
  const problemsOf = (row: readonly unknown[], invalid: ReadonlyMap<number, Buffer> | null): DataProblem[] => {
    const key = keyOf(row);
    const found: DataProblem[] = [];
    for (let i = 0; i < columns.length; i++) {
      const v = row[i];
      if (v === null || v === undefined) continue;
      const stored = invalid?.get(i);
      if (stored !== undefined) {
        // What the suggested decoding would give, then whether the column (or a String override) takes it.
        const text = suggestedFallback.decode(stored);
        const lossless: Remedy[] | undefined =
          text === null ? undefined : encodes(i, text) ? ["decode-fallback"] : encodesAsText(text) && columnTakesText(i) ? ["as-text", "decode-fallback"] : undefined;
        const reason = fallback ? `invalid UTF-8 in text, and not valid ${fallback.encoding} either` : "invalid UTF-8 in text";
        found.push({ table: plan.name, column: names[i], key, reason, excerpt: hexExcerpt(stored), ...(lossless ? { lossless } : {}) });
        continue;
      }
      try {
        fieldEncoders[i](v);
      } catch (err) {
        if (!(err instanceof ValueError)) throw err;
        // Text refused by a non-text column may hide bytes that are not UTF-8: as text, it would need decoding too.
        const stored = columns[i].kind === "text" ? null : invalidStoredBytes(v, () => rawText(names[i], row));
        const asWritten = stored === null ? v : suggestedFallback.decode(stored);
        const lossless: Remedy[] | undefined =
          columns[i].kind !== "text" && asWritten !== null && encodesAsText(asWritten) && columnTakesText(i) ? (stored === null ? ["as-text"] : ["as-text", "decode-fallback"]) : undefined;
        found.push({ table: plan.name, column: names[i], key, reason: err.reason, excerpt: err.excerpt ?? excerptOf(v), ...(lossless ? { lossless } : {}) });
      }
    }
    return found;
  };

  /** A rejected row as SQLite stored it: every string whose bytes are not UTF-8 kept as those bytes. */
  const storedRow = (row: readonly unknown[]): Record<string, unknown> =>
    Object.fromEntries(
      names.map((n, i) => {
        const stored = invalidStoredBytes(row[i], () => rawText(n, row));
        return [n, stored === null ? row[i] : new InvalidUtf8Text(stored)];
      }),
    );

  let failed = o.scanOnly;
  let chunk = "";
  let sent = 0;
  const progress = (): void => {
    if (++sent % PROGRESS_EVERY_CHUNKS === 0) sinks.progress(summary.rows);
  };

  /** The row path: each row read as JS values and encoded by the JS encoders; unsent text stays in `chunk`. */
  function* encodeRows(rows: Iterable<unknown[]>): Generator<Buffer> {
    for (let row of rows) {
      if (rowidIndex >= 0 && (o.skipRows || o.nullify)) {
        const id = BigInt(row[rowidIndex] as bigint);
        if (o.skipRows?.has(id)) {
          summary.skipped++;
          continue;
        }
        const nulls = o.nullify?.get(id);
        if (nulls) row = row.map((v, i) => (nulls.includes(names[i]) ? null : v));
      }
      const checked = textColumns.length > 0 ? checkUtf8(row) : null;
      let line: string | null = null;
      let parts: LinePart[] | null = null;
      if (checked?.invalid == null) {
        try {
          parts = bigCellLine(checked?.row ?? row, kinds, noteEncoders, bigCell, onBigCell);
          if (parts === null) line = encode(checked?.row ?? row);
        } catch (err) {
          if (!(err instanceof ValueError)) throw err;
          parts = null;
        }
      }
      if (parts !== null) {
        // A row with a big cell: sent as it is spelled, slice by slice, so no string holds the whole cell.
        notes.commit();
        summary.rows++;
        for (const i of checked?.decoded ?? []) summary.decoded.set(names[i], (summary.decoded.get(names[i]) ?? 0) + 1);
        if (failed) continue;
        for (const part of parts) {
          if (typeof part === "string") chunk += part;
          else {
            if (chunk !== "") yield bytes(chunk);
            chunk = "";
            for (const slice of bigCellSlices(part.kind, part.value)) {
              sentHash?.update(slice);
              yield slice;
            }
            summary.slicedCells++;
          }
        }
        progress();
        continue;
      }
      if (line === null) {
        const problems = problemsOf(checked?.row ?? row, checked?.invalid ?? null);
        // The row is not sent: what its values noted does not count (NoteCounter).
        notes.discard();
        if (problems.length === 0) throw new Error(`${plan.name} [${keyOf(row)}]: the row encoder refused a row no column encoder refuses`);
        if (o.onError === "reject" && o.rejecting) {
          summary.rejected++;
          if (rowidIndex >= 0) summary.rejectedRowids.add(BigInt(row[rowidIndex] as bigint));
          else summary.rejectedKeys.add(leftOutKey(row, keyIndexes));
          // The rejects file keeps what SQLite stored: the original bytes, not their lossy decoding.
          sinks.reject({ ...problems[0], row: storedRow(row) });
          continue;
        }
        for (const p of problems) sinks.problem(p);
        failed = true;
        continue;
      }
      notes.commit();
      summary.rows++;
      for (const i of checked?.decoded ?? []) summary.decoded.set(names[i], (summary.decoded.get(names[i]) ?? 0) + 1);
      if (failed) continue;
      chunk += line;
      if (chunk.length >= CHUNK_CHARS) {
        yield bytes(chunk);
        chunk = "";
        progress();
      }
    }
  }

  const collect = bufferCollector();
  // SQLite spells the columns the profile vouches for, chunk by rowid range (sql-chunks.ts); the orphan policies
  // and a table already known to fail need every row in JS.
  const chunks =
    o.rowPathOnly || failed || o.skipRows || o.nullify || rowid === null || o.range
      ? null
      : sqlChunkReader(
          source,
          plan.name,
          columns,
          rowid,
          noteEncoders,
          bigCell,
          o.coreSqlFunctions ? false : undefined,
          // jsonb as its encoder decides it (json.ts): every json column but one PostgreSQL holds as json.
          columns.map((c) => c.kind === "json" && o.pgColumns?.get(c.pgName)?.typname !== "json"),
        );
  if (o.range) {
    const ranged = source.prepare(`${selectSql} WHERE ${o.range.where} ORDER BY ${o.range.orderBy}`).raw(true);
    yield* encodeRows(ranged.iterate(...o.range.params) as IterableIterator<unknown[]>);
  } else if (chunks === null) {
    yield* encodeRows(source.prepare(selectSql).raw(true).iterate() as IterableIterator<unknown[]>);
  } else {
    const range = source.prepare(`${selectSql} WHERE ${rowid} BETWEEN ? AND ? ORDER BY ${rowid}`).raw(true);
    const rowPath = (lo: bigint, hi: bigint) => encodeRows(range.iterate(lo, hi) as IterableIterator<unknown[]>);
    let lo = INT64_MIN;
    for (;;) {
      if (failed) {
        // Once the table failed ("stop" mode) nothing more is sent; the row path lists the rest of its problems.
        yield* rowPath(lo, INT64_MAX);
        break;
      }
      const next = chunks.read(lo);
      if (next === null) break;
      if (next.data === null) {
        // A chunk that needs the row path: it names the problem (and counts the notes again, row by row).
        notes.discard();
        yield* rowPath(lo, next.hi);
      } else {
        notes.commit();
        if (chunk !== "") {
          yield bytes(chunk);
          chunk = "";
        }
        summary.rows += next.rows;
        summary.sqlSpelledRows += next.rows;
        sentHash?.update(next.data);
        collect(next.data.length);
        yield next.data;
        progress();
      }
      if (next.hi === INT64_MAX) break;
      lo = next.hi + 1n;
    }
  }
  if (chunk !== "" && !failed) yield bytes(chunk);
  summary.sentChecksum = failed || !sentHash ? null : sentHash.digest("hex");
  summary.decisions = notes.decisions(plan.name, names);
}
