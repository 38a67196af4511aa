/**
 * The copy's fast read: one SQLite query per chunk of rows returns the COPY text of the columns SQLite can spell
 * (sql-spelling.ts) for the whole chunk as a single BLOB (`group_concat`, or the extension's s2p_copy_lines), so
 * no per-row JS object, string or BigInt is made for them. Columns only the JS encoders can spell (floats,
 * decimals, json, …) are read for the same rowid range and spliced into each line in table order.
 *
 * A chunk is handed back as `data: null` ("take the row path for these rowids") whenever anything in it is not
 * certain to be exact: invalid UTF-8 or a NUL byte in the text SQLite spelled, a storage class the rule does not
 * cover (sql-spelling.ts sqlSpellingGuard), a value a JS encoder refuses, text that may hide invalid UTF-8, or
 * rows out of rowid order. The row path (table-encoder.ts) then reports the problem with its row key, as it
 * always did. So this path only ever produces bytes the row path would have produced.
 */
import { isUtf8 } from "node:buffer";
import type { ColumnPlan } from "../convert/convert.js";
import { quoteIdent } from "../core/quote.js";
import type { SqliteDb } from "../db/sqlite-source.js";
import { hasExtension } from "../db/sqlite-extension.js";
import { ValueError } from "../values/copy-text.js";
import { sqlSpellingExpression, sqlSpellingGuard } from "../values/sql-spelling.js";

/** Aim for chunks of about this many bytes (the row count per chunk adapts to the rows' size). */
const CHUNK_BYTES = 256 * 1024;
const FIRST_CHUNK_ROWS = 64;
const MAX_CHUNK_ROWS = 16384;
/**
 * The stored bytes of TEXT and BLOB values SQLite may spell in one chunk: a row is spelled only when its values
 * are at most this divided by the chunk's row count (and no cell is big, big-cells.ts), else the chunk takes the
 * row path. So the text SQLite builds (`hex()` doubles a BLOB, escapes can double a text) stays near twice this,
 * whatever the rows hold, and never nears SQLITE_MAX_LENGTH (https://sqlite.org/limits.html#max_length).
 * `octet_length()` reads a value's size from the record header without loading the value
 * (https://sqlite.org/lang_corefunc.html#octet_length).
 */
const CHUNK_VALUE_BYTES = 16 * 1024 * 1024;


export interface SqlChunk {
  /** Largest rowid in the chunk; the chunk holds every row with lo ≤ rowid ≤ hi. */
  readonly hi: bigint;
  readonly rows: number;
  /** The rows' COPY text, or null: take the row path for this rowid range. */
  readonly data: Buffer | null;
}

export interface SqlChunkReader {
  /** The chunk of rows from rowid `lo` on, or null past the last row. */
  read(lo: bigint): SqlChunk | null;
}

/** One field of a line: a run of `sql` consecutive SQLite-spelled columns, or one JS-spelled column. */
type Item = { readonly sql: number; readonly end: number } | { readonly js: number };

/**
 * `a op b op c …` as a balanced tree of parenthesized halves. A flat chain of n operators parses as a tree n deep,
 * and SQLite refuses expressions deeper than 1000 (SQLITE_MAX_EXPR_DEPTH, https://sqlite.org/limits.html#max_expr_depth):
 * a table of 500 text columns would already exceed it. Halving keeps the depth at log2(n) for the 2000 columns
 * a SQLite table can have; `||` and AND are associative, so the value is the same.
 */
export function balanced(terms: readonly string[], op: "||" | "AND" | "+"): string {
  if (terms.length === 0) throw new Error("balanced: no terms");
  if (terms.length === 1) return terms[0];
  const half = terms.length >> 1;
  return `(${balanced(terms.slice(0, half), op)} ${op} ${balanced(terms.slice(half), op)})`;
}

/** SQLite hands TEXT over as stored bytes only when the database's text encoding is UTF-8. */
const utf8Databases = new WeakMap<SqliteDb, boolean>();
function storesUtf8(db: SqliteDb): boolean {
  let known = utf8Databases.get(db);
  if (known === undefined) {
    known = db.pragma("encoding", { simple: true }) === "UTF-8";
    utf8Databases.set(db, known);
  }
  return known;
}

/** The most fields s2p_copy_line joins: SQLITE_MAX_FUNCTION_ARG's default before SQLite 3.48. */
const MAX_LINE_FIELDS = 127;

/** After this many chunks in a row that s2p_jsonb_copy could not spell, the table's JSON goes to JS only. */
const JSONB_MISSES = 2;

/**
 * A reader for a table read by rowid (`rowid` is a name for it no column shadows), or null when no column can be
 * spelled by SQLite. `encoders[i]` spells column i's non-null values when the column has no sqlSpelling.
 * `textFunction`: use sqlite2pg's extension (the default where the connection has it) to escape text and to join
 * the fields and lines, or SQLite's replace(), `||` and group_concat (tests compare the two).
 * `jsonb[i]`: column i is a jsonb column (its JS encoder spells jsonb_out's text): with the extension, SQLite
 * spells it too (native/jsonb-text.c s2p_jsonb_copy), and a chunk holding a value that function leaves to JS (a
 * repeated key, a BLOB, invalid JSON: a NUL byte in the chunk) is read again with the JSON spelled in JS, as
 * without the extension; after JSONB_MISSES such chunks in a row the table stays with JS.
 */
export function sqlChunkReader(
  source: SqliteDb,
  table: string,
  columns: readonly ColumnPlan[],
  rowid: string,
  encoders: readonly ((v: unknown) => string)[],
  bigCell: number,
  textFunction = hasExtension(source),
  jsonb: readonly boolean[] = [],
): SqlChunkReader | null {
  const plain = spelledReader(source, table, columns, rowid, encoders, bigCell, textFunction);
  if (!textFunction || !columns.some((c, i) => c.sqlSpelling === undefined && jsonb[i] === true)) return plain;
  const withJsonb = spelledReader(
    source,
    table,
    columns.map((c, i) => (c.sqlSpelling === undefined && jsonb[i] === true ? { ...c, sqlSpelling: "jsonb" as const } : c)),
    rowid,
    encoders,
    bigCell,
    textFunction,
  )!;
  // Without another column SQLite spells, a chunk it cannot spell goes to the row path either way.
  if (plain === null) return withJsonb;
  let misses = 0;
  return {
    read(lo) {
      if (misses < JSONB_MISSES) {
        const chunk = withJsonb.read(lo);
        if (chunk === null || chunk.data !== null) {
          misses = 0;
          return chunk;
        }
        misses++;
      }
      return plain.read(lo);
    },
  };
}

function spelledReader(
  source: SqliteDb,
  table: string,
  columns: readonly ColumnPlan[],
  rowid: string,
  encoders: readonly ((v: unknown) => string)[],
  bigCell: number,
  textFunction: boolean,
): SqlChunkReader | null {
  const sqlColumns = columns.filter((c) => c.sqlSpelling !== undefined);
  if (sqlColumns.length === 0 || !storesUtf8(source)) return null;
  const jsIndexes = columns.flatMap((c, i) => (c.sqlSpelling === undefined ? [i] : []));
  // Text that better-sqlite3 decoded may hide invalid UTF-8 behind U+FFFD; the row path re-reads such values.
  const jsTextual = jsIndexes.map((i) => columns[i].kind === "text" || columns[i].kind === "json");
  const items: Item[] = [];
  let lastSql = columns.length - 1;
  while (columns[lastSql].sqlSpelling === undefined) lastSql--;
  columns.forEach((c, i) => {
    const prev = items[items.length - 1];
    if (c.sqlSpelling === undefined) items.push({ js: jsIndexes.indexOf(i) });
    else if (prev && "sql" in prev) items[items.length - 1] = { sql: prev.sql + 1, end: i === lastSql ? 10 : 9 };
    else items.push({ sql: 1, end: i === lastSql ? 10 : 9 });
  });

  const q = quoteIdent(table);
  const fields = sqlColumns.map((c) => sqlSpellingExpression(c.sqlSpelling!, quoteIdent(c.name), textFunction));
  // With the extension, one call joins the fields (no `||` tree of copies) and the aggregate checks the rowid order
  // instead of sorting the chunk (native/lines.c); the same bytes. Functions take at most SQLITE_MAX_FUNCTION_ARG
  // arguments (127 before SQLite 3.48, https://sqlite.org/limits.html#max_function_arg): wider rows keep `||`.
  const nativeLine = textFunction && fields.length <= MAX_LINE_FIELDS;
  const line = nativeLine
    ? `s2p_copy_line(${fields.join(", ")})`
    : `${balanced(
        fields.flatMap((f, i) => (i === 0 ? [f] : ["char(9)", f])),
        "||",
      )} || char(10)`;
  const sized = sqlColumns.flatMap((c) => (c.sqlSpelling === "text" || c.sqlSpelling === "bytea" || c.sqlSpelling === "jsonb" ? [`coalesce(octet_length(${quoteIdent(c.name)}), 0)`] : []));
  const guards = [
    ...sqlColumns.flatMap((c) => sqlSpellingGuard(c.sqlSpelling!, quoteIdent(c.name)) ?? []),
    ...(sized.length > 0 ? [`${balanced(sized, "+")} <= @cap`] : []),
  ];
  const guard = guards.length === 0 ? "1" : balanced(guards, "AND");
  // Splicing pairs the n-th line with the n-th JS row, so then the order inside the chunk must be guaranteed: by
  // the aggregate's ORDER BY (SQLite ≥ 3.44: https://sqlite.org/lang_aggfunc.html#aggorderby), or, with the
  // extension, checked by s2p_copy_lines, which gives NULL (the row path) for rows out of rowid order. Alone, any
  // order is a copy.
  const order = jsIndexes.length > 0 ? " ORDER BY r" : "";
  const lines = textFunction ? "s2p_copy_lines(r, line)" : `CAST(group_concat(line, ''${order}) AS BLOB)`;
  // A row the guard refuses is not spelled at all (its line is NULL): a big BLOB's hex() is never evaluated. Its
  // line is the only NULL one (every field is spelled non-NULL, `\N` for NULL), so the rows not spelled are
  // counted as the NULL lines, the guard evaluated once per row; a line NULL for any other reason would be counted
  // so too and take the row path, never go missing from the chunk.
  const spelled = guard === "1" ? line : `CASE WHEN ${guard} THEN ${line} END`;
  const chunkSql =
    `SELECT max(r), count(*), count(*) - count(line), ${lines} FROM ` +
    `(SELECT ${rowid} AS r, ${spelled} AS line FROM ${q} WHERE ${rowid} >= @lo ORDER BY ${rowid} LIMIT @limit)`;
  const chunkStmt = source.prepare(chunkSql).raw(true).safeIntegers(true);
  const jsStmt =
    jsIndexes.length === 0
      ? null
      : source
          .prepare(`SELECT ${jsIndexes.map((i) => quoteIdent(columns[i].name)).join(", ")} FROM ${q} WHERE ${rowid} BETWEEN ? AND ? ORDER BY ${rowid}`)
          .raw(true)
          .safeIntegers(true);
  const jsEncoders = jsIndexes.map((i) => encoders[i]);
  let limit = FIRST_CHUNK_ROWS;

  return {
    read(lo) {
      const cap = Math.min(bigCell, Math.floor(CHUNK_VALUE_BYTES / limit));
      const [hi, count, unguarded, text] = chunkStmt.get(sized.length > 0 ? { lo, limit, cap } : { lo, limit }) as [bigint | null, bigint, bigint, Buffer | null];
      if (hi === null) return null;
      const rows = Number(count);
      // Sized on the rows SQLite spelled. A chunk it did not spell halves the next one, which raises the cap: a
      // table of large (not big) values soon gets chunks small enough for SQLite to spell them again.
      if (text !== null && unguarded === 0n) limit = Math.max(1, Math.min(MAX_CHUNK_ROWS, Math.round((CHUNK_BYTES * rows) / Math.max(1, text.length))));
      else limit = Math.max(1, limit >> 1);
      if (unguarded > 0n || text === null || !isUtf8(text) || text.indexOf(0) !== -1) return { hi, rows, data: null };
      if (jsStmt === null) return { hi, rows, data: text };
      const jsRows = jsStmt.all(lo, hi) as unknown[][];
      if (jsRows.length !== rows) throw new Error(`${table}: ${rows} rows in the chunk, ${jsRows.length} read for its other columns`);
      return { hi, rows, data: splice(text, jsRows) };
    },
  };

  /** Interleave SQLite's fields and the JS-spelled ones, line by line; null when a JS value needs the row path. */
  function splice(text: Buffer, jsRows: unknown[][]): Buffer | null {
    let out = Buffer.allocUnsafe(text.length + jsRows.length * 64);
    let w = 0;
    let p = 0;
    const room = (bytes: number): void => {
      if (w + bytes <= out.length) return;
      const bigger = Buffer.allocUnsafe(Math.max(out.length * 2, w + bytes));
      out.copy(bigger, 0, 0, w);
      out = bigger;
    };
    for (const jsRow of jsRows) {
      for (let s = 0; s < items.length; s++) {
        if (s > 0) {
          room(1);
          out[w++] = 9;
        }
        const item = items[s];
        if ("sql" in item) {
          let e = p;
          for (let k = 1; k < item.sql; k++) e = text.indexOf(9, e) + 1;
          e = text.indexOf(item.end, e);
          room(e - p);
          w += text.copy(out, w, p, e);
          p = e + 1;
        } else {
          const v = jsRow[item.js];
          let field: string;
          if (v === null) field = "\\N";
          else {
            if (jsTextual[item.js] && typeof v === "string" && v.includes("\uFFFD")) return null;
            try {
              field = jsEncoders[item.js](v);
            } catch (err) {
              if (err instanceof ValueError) return null;
              throw err;
            }
          }
          room(field.length * 3);
          w += out.write(field, w);
        }
      }
      room(1);
      out[w++] = 10;
    }
    if (p !== text.length) throw new Error(`${table}: chunk text not consumed to its end (${p} of ${text.length} bytes)`);
    return out.subarray(0, w);
  }
}
