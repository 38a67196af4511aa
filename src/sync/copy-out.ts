/**
 * PostgreSQL's rows of a range as COPY text lines (`COPY (SELECT …) TO STDOUT`,
 * https://www.postgresql.org/docs/current/sql-copy.html), the spelling the copy's encoders produce for SQLite's
 * rows, so a line from either side can be compared byte for byte. COPY takes no bind parameters: a range's
 * bounds travel as parameters of set_config (local to the transaction) and the query reads them back with
 * current_setting (https://www.postgresql.org/docs/current/functions-admin.html#FUNCTIONS-ADMIN-SET).
 */
import { to as copyTo } from "pg-copy-streams";
import type { PgClient } from "../db/pg-client.js";

const SETTING = "sqlite2pg_sync.p";

/** Spell parameter n of a COPY query (see keys.ts pgRange). */
export const copyMark = (n: number): string => `current_setting('${SETTING}${n}')`;

/** Set the parameters a query built with copyMark reads. */
export async function bindCopyParams(client: PgClient, params: readonly unknown[]): Promise<void> {
  for (let i = 0; i < params.length; i++) await client.query("SELECT set_config($1, $2, true)", [`${SETTING}${i + 1}`, String(params[i])]);
}

/** Every line of a COPY TO STDOUT (one "\n" per row: the text format escapes newlines inside values). */
export async function copyOutLines(client: PgClient, sql: string, onLine: (line: Buffer) => void): Promise<void> {
  const stream = client.query(copyTo(sql, { highWaterMark: 1 << 20 }));
  let rest: Buffer | null = null;
  for await (const raw of stream as AsyncIterable<Buffer>) {
    const chunk: Buffer = rest ? Buffer.concat([rest, raw]) : raw;
    let start = 0;
    for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, start)) {
      onLine(chunk.subarray(start, i));
      start = i + 1;
    }
    rest = start < chunk.length ? Buffer.from(chunk.subarray(start)) : null;
  }
  if (rest) onLine(rest);
}

/** Split COPY text chunks (each ending on a line end, as the encoder hands them out) into lines. */
export function* linesOf(chunks: Iterable<Buffer>): Generator<Buffer> {
  let rest: Buffer | null = null;
  for (const raw of chunks) {
    const chunk: Buffer = rest ? Buffer.concat([rest, raw]) : raw;
    let start = 0;
    for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, start)) {
      yield chunk.subarray(start, i);
      start = i + 1;
    }
    rest = start < chunk.length ? Buffer.from(chunk.subarray(start)) : null;
  }
  if (rest) yield rest;
}

/** The fields at `indexes` of a line, as text joined by tabs (a tab inside a value is escaped: unambiguous). */
export function fieldsOf(line: Buffer, indexes: readonly number[]): string {
  const out: string[] = [];
  let field = 0;
  let start = 0;
  const want = new Set(indexes);
  const found = new Map<number, string>();
  for (let i = 0; i <= line.length; i++) {
    if (i === line.length || line[i] === 9) {
      if (want.has(field)) found.set(field, line.toString("utf8", start, i));
      field++;
      start = i + 1;
    }
  }
  for (const i of indexes) out.push(found.get(i) ?? "");
  return out.join("\t");
}

/** A COPY text field back to its value's text (https://www.postgresql.org/docs/current/sql-copy.html#id-1.9.3.55.9.2). */
export function unescapeCopyField(field: string): string {
  if (!field.includes("\\")) return field;
  const map: Record<string, string> = { b: "\b", f: "\f", n: "\n", r: "\r", t: "\t", v: "\v", "\\": "\\" };
  return field.replace(/\\([bfnrtv\\]|[0-7]{1,3}|x[0-9a-fA-F]{1,2}|.)/g, (_m, c: string) => {
    if (c in map) return map[c];
    if (/^[0-7]+$/.test(c)) return String.fromCharCode(parseInt(c, 8));
    if (c[0] === "x" && c.length > 1) return String.fromCharCode(parseInt(c.slice(1), 16));
    return c;
  });
}
