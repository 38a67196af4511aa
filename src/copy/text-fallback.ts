/**
 * Text whose stored bytes are not UTF-8 (a legacy Latin-1 or windows-1252 database): better-sqlite3 hands it over
 * decoded with U+FFFD in place of each invalid byte, so the copy re-reads the stored bytes (CAST(col AS BLOB),
 * https://sqlite.org/lang_expr.html#castexpr) whenever that character shows up. With `--decode-fallback <encoding>`
 * those bytes are decoded with that encoding (Node's TextDecoder, WHATWG encodings:
 * https://encoding.spec.whatwg.org/#names-and-labels); without it the value is a problem. The copy, `plan` and
 * `verify` all decode the same way, so verification compares the decoded text.
 */
import { isUtf8 } from "node:buffer";
import type { Decision } from "../core/decisions.js";
import { quoteIdent } from "../core/quote.js";
import type { SqliteDb } from "../db/sqlite-source.js";

/** A TEXT value whose stored bytes are not valid UTF-8: kept as bytes (the rejects file writes `{"$bytes": …}`). */
export class InvalidUtf8Text {
  constructor(readonly bytes: Buffer) {}
}

export interface TextFallback {
  /** The encoding's canonical name (TextDecoder's `encoding`: "latin1" is "windows-1252" there). */
  readonly encoding: string;
  /** The bytes decoded, or null when they are not valid in the encoding either. */
  decode(bytes: Buffer): string | null;
}

/**
 * windows-1252's bytes 0x80–0x9F (WHATWG index-windows-1252, https://encoding.spec.whatwg.org/index-windows-1252.txt);
 * every other byte is the code point of the same number. Node ≥ 20.18.3 decodes windows-1252 (and its labels
 * latin1, iso-8859-1, ascii) through a Latin-1 fast path that maps these bytes to C1 controls instead — € and
 * the curly quotes would silently become U+0080, U+0092, … (https://github.com/nodejs/node/issues/56542,
 * https://github.com/nodejs/node/issues/60888) — so this one encoding is decoded here, from the table.
 */
const WINDOWS_1252_80_9F = [
  0x20ac, 0x0081, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021, 0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008d, 0x017d, 0x008f,
  0x0090, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0x009d, 0x017e, 0x0178,
];

function decodeWindows1252(bytes: Buffer): string {
  let out = "";
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    out += String.fromCharCode(b >= 0x80 && b <= 0x9f ? WINDOWS_1252_80_9F[b - 0x80] : b);
  }
  return out;
}

/** A decoder for `--decode-fallback`; throws RangeError for an encoding Node does not know. */
export function textFallback(label: string): TextFallback {
  const decoder = new TextDecoder(label, { fatal: true });
  // Every byte is defined in windows-1252: this decoding never fails.
  if (decoder.encoding === "windows-1252") return { encoding: decoder.encoding, decode: decodeWindows1252 };
  return {
    encoding: decoder.encoding,
    decode(bytes) {
      try {
        return decoder.decode(bytes);
      } catch {
        return null;
      }
    },
  };
}

/**
 * Reads one stored value's bytes by rowid (`rowid` the name to select it by) or, in a WITHOUT ROWID table, by
 * primary key. `keyOf(row)` gives the lookup values from a row as read.
 */
export function storedBytesReader(
  source: SqliteDb,
  table: string,
  rowid: string | null,
  keyColumns: readonly string[],
): (column: string, keyValues: readonly unknown[]) => Buffer | undefined {
  const where = rowid !== null ? `${rowid} = ?` : keyColumns.map((k) => `${quoteIdent(k)} = ?`).join(" AND ");
  const statements = new Map<string, ReturnType<SqliteDb["prepare"]>>();
  return (column, keyValues) => {
    if (rowid === null && keyColumns.length === 0) return undefined;
    let stmt = statements.get(column);
    if (!stmt) {
      stmt = source.prepare(`SELECT CAST(${quoteIdent(column)} AS BLOB) FROM ${quoteIdent(table)} WHERE ${where}`).pluck();
      statements.set(column, stmt);
    }
    return stmt.get([...keyValues]) as Buffer | undefined;
  };
}

/** The stored bytes of a string read with U+FFFD in it, when they are not valid UTF-8; else null. */
export function invalidStoredBytes(value: unknown, read: () => Buffer | undefined): Buffer | null {
  if (typeof value !== "string" || !value.includes("\uFFFD")) return null;
  const bytes = read();
  return bytes && !isUtf8(bytes) ? bytes : null;
}

/**
 * For verify: a row adjuster that replaces each text value whose stored bytes are not UTF-8 by its decoding, as
 * the copy did. `keyIndexes` locate the lookup values (the rowid, or the primary key) in the row as read.
 */
export function decodingAdjuster(
  fallback: TextFallback,
  read: (column: string, keyValues: readonly unknown[]) => Buffer | undefined,
  names: readonly string[],
  textIndexes: readonly number[],
  keyIndexes: readonly number[],
): (values: unknown[]) => unknown[] {
  return (values) => {
    let out = values;
    for (const i of textIndexes) {
      const bytes = invalidStoredBytes(values[i], () => read(names[i], keyIndexes.map((k) => values[k])));
      if (bytes === null) continue;
      const decoded = fallback.decode(bytes);
      if (decoded === null) continue; // the copy refused it: the comparison reports the row
      if (out === values) out = [...values];
      out[i] = decoded;
    }
    return out;
  };
}

/** One decision per column whose values were decoded with the fallback encoding, with their count. */
export function decodedDecisions(
  tables: readonly { readonly table: string; readonly decoded: ReadonlyMap<string, number> }[],
  fallback: TextFallback | undefined,
): Decision[] {
  if (!fallback) return [];
  return tables.flatMap((t) =>
    [...t.decoded].map(([column, n]) => ({
      table: t.table,
      column,
      code: "decode-fallback",
      message: `${n} ${n === 1 ? "value was" : "values were"} not valid UTF-8 and ${n === 1 ? "was" : "were"} decoded as ${fallback.encoding} (--decode-fallback): check that text`,
    })),
  );
}
