/**
 * The fast path of verification, for the common case where the copy is exact: both sides are read as COPY text
 * lines (SQLite's through the copy's own encoders, PostgreSQL's from `COPY (SELECT …) TO STDOUT`), with only the
 * kinds whose text form can legitimately differ (floats, decimals, timestamps, JSON, bytes) canonicalized, and
 * compared line by line in key order. No per-row objects, no per-value work for integers and text.
 *
 * At the first line that differs (or a row count that differs) it stops and says so; compare-table.ts then runs
 * the full canonical merge, which names every differing row. So this path can only ever say "identical" when
 * every line was identical.
 */
import { createHash } from "node:crypto";
import { StringDecoder } from "node:string_decoder";
import { to as copyTo } from "pg-copy-streams";
import { escapeCopy, makeFieldEncoder, ValueError } from "../copy/encode.js";
import type { PgClient } from "../db/pg-target.js";
import type { SqliteDb } from "../db/sqlite-source.js";
import { makeSourceCanonicalizer, makeTargetCanonicalizer, unescapeCopyText, type CanonicalColumn } from "./canonical.js";

export interface FastPathResult {
  readonly equal: boolean;
  readonly rows: number;
  readonly checksum: string;
}

/**
 * Kinds printed identically by the copy's encoder and by PostgreSQL (DateStyle ISO, bytea_output hex, as verify.ts
 * sets them) once both are escaped as COPY text: the encoder already writes timestamps the way PostgreSQL prints
 * them (fraction without trailing zeros) and bytea as lower-case hex.
 */
const VERBATIM = new Set(["int", "bigint", "boolean", "date", "text", "timestamp", "time", "bytes"]);

function verbatim(spec: CanonicalColumn): boolean {
  return VERBATIM.has(spec.kind) && !(spec.kind === "text" && (spec.pgType === "bpchar" || spec.pgType === "uuid"));
}

export async function linesEqual(options: {
  readonly source: SqliteDb;
  readonly client: PgClient;
  readonly sqliteSql: string;
  readonly pgSql: string;
  readonly specs: readonly CanonicalColumn[];
  readonly adjust?: (values: unknown[]) => unknown[] | null;
}): Promise<FastPathResult> {
  const { specs } = options;
  const n = specs.length;
  const sourceField = specs.map((spec) => {
    if (verbatim(spec)) {
      const enc = makeFieldEncoder(spec.kind, spec.epochUnit ? { epochUnit: spec.epochUnit } : undefined);
      return (v: unknown) => (v === null || v === undefined ? "\\N" : enc(v));
    }
    const canon = makeSourceCanonicalizer(spec);
    return (v: unknown) => {
      const c = canon(v);
      return c === null ? "\\N" : escapeCopy(c);
    };
  });
  const fixTarget = specs.map((spec) => {
    if (verbatim(spec)) return undefined;
    const canon = makeTargetCanonicalizer(spec);
    return (field: string) => (field === "\\N" ? field : escapeCopy(canon(unescapeCopyText(field)) ?? ""));
  });
  const anyFix = fixTarget.some((f) => f !== undefined);

  const it = options.source.prepare(options.sqliteSql).raw(true).iterate() as IterableIterator<unknown[]>;
  const nextSourceValues = (): unknown[] | undefined => {
    for (;;) {
      const r = it.next();
      if (r.done) return undefined;
      const values = options.adjust ? options.adjust(r.value) : r.value;
      if (values !== null) return values;
    }
  };
  const nextSourceLine = (): string | undefined => {
    const values = nextSourceValues();
    if (values === undefined) return undefined;
    let line = sourceField[0](values[0]);
    for (let i = 1; i < n; i++) line += "\t" + sourceField[i](values[i]);
    return line;
  };

  const hash = createHash("sha256");
  let pending = "";
  let rows = 0;
  let equal = true;
  const stream = options.client.query(copyTo(options.pgSql, { highWaterMark: 1 << 20 }));
  const decoder = new StringDecoder("utf8");
  let rest = "";
  // Without columns to canonicalize, whole lines compare; otherwise field by field.
  const sameRow = anyFix
    ? (pgLine: string): boolean => {
        const values = nextSourceValues();
        if (values === undefined) return false;
        const fields = pgLine.split("\t");
        if (fields.length !== n) return false;
        for (let i = 0; i < n; i++) {
          const f = fixTarget[i];
          if (sourceField[i](values[i]) !== (f ? f(fields[i]) : fields[i])) return false;
        }
        return true;
      }
    : (pgLine: string): boolean => nextSourceLine() === pgLine;
  const check = (pgLine: string): boolean => {
    try {
      if (!sameRow(pgLine)) return false;
    } catch (err) {
      if (err instanceof ValueError) return false; // a value the copy would refuse: the full merge reports it
      throw err;
    }
    rows++;
    // The rows are equal: PostgreSQL's line is the canonical text of both.
    pending += pgLine + "\n";
    if (pending.length > 65536) {
      hash.update(pending);
      pending = "";
    }
    return true;
  };
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      if (!equal) continue; // drain: the connection must reach the end of the COPY
      const lines = (rest + decoder.write(chunk)).split("\n");
      rest = lines.pop() ?? "";
      for (const line of lines) {
        if (!check(line)) {
          equal = false;
          break;
        }
      }
    }
    const tail = rest + decoder.end();
    if (equal && tail !== "") equal = check(tail);
    if (equal && nextSourceValues() !== undefined) equal = false; // SQLite has more rows
  } finally {
    it.return?.();
  }
  return { equal, rows, checksum: hash.update(pending).digest("hex") };
}
