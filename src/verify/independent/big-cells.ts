/**
 * Big cells in the independent check: a TEXT or bytea value above the big-cell threshold (src/copy/big-cells.ts)
 * is compared by its length and sha256, each computed where the value lives. PostgreSQL hashes its own stored
 * bytes (`sha256(bytea)`, https://www.postgresql.org/docs/current/functions-binarystring.html), so the 400 MB hex
 * text of a 200 MB bytea never crosses the wire (nor a V8 string, which cannot exceed 2^29 − 24 characters); SQLite
 * has no sha256, so its value is read once by rowid or key (`CAST(x AS BLOB)`: the stored bytes) and hashed here.
 * Neither side uses the copy's encoders. Key columns are never treated as big.
 */
import { createHash } from "node:crypto";
import { quoteIdent } from "../../core/quote.js";
import type { SqliteDb } from "../../db/sqlite-source.js";
import type { TextFallback } from "../../copy/text-fallback.js";
import { isUtf8 } from "node:buffer";
import type { SqliteCell } from "./compare-value.js";
import type { TargetColumn } from "./target-columns.js";
import { balanced } from "../../copy/sql-chunks.js";

export interface BigCellColumns {
  /** Column indexes that may hold big cells. */
  readonly indexes: readonly number[];
  /** SQLite's select expression of column i (NULL in place of a big value). */
  sqliteExpr(i: number, name: string): string;
  /**
   * One extra SQLite select item, after the columns and the rowid: a '0'/'1' string, its j-th character telling
   * whether indexes[j] holds a big value (null: no column may). One item, not one per column: a table of 1600
   * text columns would otherwise exceed SQLite's 2000 result columns (https://sqlite.org/limits.html#max_column).
   */
  readonly sqliteFlags: string | null;
  /** PostgreSQL's select item of column i: its text, NULL when big. */
  pgItem(i: number, pgName: string, alias: string): string;
  /**
   * One extra PostgreSQL select item: `j=length:sha256hex;` for each big value of indexes[j] (null: no column may).
   * One item for the same reason: PostgreSQL's target lists hold at most 1664 entries.
   */
  readonly pgDigests: string | null;
}

/** column index → digest, from the pgDigests item of a row. */
export function parsePgDigests(text: string | null, indexes: readonly number[]): Map<number, string> | null {
  if (!text) return null;
  const out = new Map<number, string>();
  for (const part of text.split(";")) {
    if (part === "") continue;
    const eq = part.indexOf("=");
    out.set(indexes[Number(part.slice(0, eq))], part.slice(eq + 1));
  }
  return out;
}

/** `length:sha256hex` of bytes. */
export function digestOf(bytes: Uint8Array): string {
  return `${bytes.byteLength}:${createHash("sha256").update(bytes).digest("hex")}`;
}

/** A digest as a difference message shows it. */
export function describeDigest(kind: string, digest: string): string {
  if (digest === "NULL") return "NULL";
  const [len, hex] = digest.split(":");
  return `${kind} of ${len} bytes, sha256 ${hex.slice(0, 16)}…`;
}

export function bigCellColumns(db: SqliteDb, columns: readonly { readonly name: string; readonly pgName: string; readonly target: TargetColumn }[], keyIdx: readonly number[], threshold: number): BigCellColumns {
  // CAST(text AS BLOB) gives the bytes in the database's encoding: text is compared this way only in UTF-8 files.
  const utf8 = db.pragma("encoding", { simple: true }) === "UTF-8";
  const indexes = columns.flatMap((c, i) => (!keyIdx.includes(i) && (c.target.kind === "bytes" || (c.target.kind === "text" && utf8)) ? [i] : []));
  const big = (name: string): string => `octet_length(${name}) > ${threshold}`;
  const bytesOf = (i: number, c: string): string => (columns[i].target.kind === "bytes" ? c : `convert_to(${c}::text, 'UTF8')`);
  // The length in bytes as PostgreSQL stores the value: an enum, citext or varchar column has no octet_length of
  // its own, its text has (the database encoding is UTF-8, as the copy requires).
  const pgLength = (i: number, c: string): string => (columns[i].target.kind === "bytes" ? `octet_length(${c})` : `octet_length(${c}::text)`);
  return {
    indexes,
    sqliteExpr: (i, name) => (indexes.includes(i) ? `CASE WHEN ${big(name)} THEN NULL ELSE ${name} END` : name),
    sqliteFlags:
      indexes.length === 0 ? null : balanced(indexes.map((i) => `(CASE WHEN ${big(quoteIdent(columns[i].name))} THEN '1' ELSE '0' END)`), "||"),
    pgItem: (i, pgName, alias) => {
      const c = quoteIdent(pgName);
      return indexes.includes(i) ? `CASE WHEN ${pgLength(i, c)} > ${threshold} THEN NULL ELSE ${c}::text END AS ${alias}` : `${c}::text AS ${alias}`;
    },
    pgDigests:
      indexes.length === 0
        ? null
        : balanced(
            indexes.map((i, j) => {
              const c = quoteIdent(columns[i].pgName);
              return `(CASE WHEN ${pgLength(i, c)} > ${threshold} THEN '${j}=' || octet_length(${bytesOf(i, c)})::text || ':' || encode(sha256(${bytesOf(i, c)}), 'hex') || ';' ELSE '' END)`;
            }),
            "||",
          ),
  };
}


/** The digest of SQLite's value as the copy meant to write it (its stored bytes; decoded when not UTF-8 and a fallback is given). */
export function sqliteDigest(stored: Buffer | null, kind: string, fallback: TextFallback | undefined): string {
  if (stored === null) return "NULL";
  if (kind === "text" && fallback && !isUtf8(stored)) {
    const decoded = fallback.decode(stored);
    if (decoded !== null) return digestOf(Buffer.from(decoded, "utf8"));
  }
  return digestOf(stored);
}

/** The digest of a cell that was not big on SQLite's side (when PostgreSQL's is). */
export function sqliteCellDigest(cell: SqliteCell): string {
  const v = cell.value;
  if (v === null || v === undefined) return "NULL";
  if (typeof v === "string") return digestOf(cell.bytes ?? Buffer.from(v, "utf8"));
  if (v instanceof Uint8Array) return digestOf(v);
  return digestOf(Buffer.from(String(v), "utf8"));
}

/** The digest of PostgreSQL's text output of a value that was not big there (when SQLite's is). */
export function pgTextDigest(kind: string, text: string | null): string {
  if (text === null) return "NULL";
  if (kind === "bytes" && text.startsWith("\\x")) return digestOf(Buffer.from(text.slice(2), "hex"));
  return digestOf(Buffer.from(text, "utf8"));
}
