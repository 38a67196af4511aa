/**
 * Every encoder's output goes through a real COPY FROM STDIN (text format) and is read back: the stored value must
 * be exactly the one intended.
 */
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import pg from "pg";
import { from as copyFrom } from "pg-copy-streams";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ValueKind } from "../../src/core/column-type.js";
import { makeRowEncoder } from "../../src/values/encode.js";
import { type EncodeOptions } from "../../src/values/copy-text.js";

const ADMIN_URL = process.env.TEST_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
const DB_NAME = `s2p_enc_${process.pid}_${Date.now()}`;

let admin: pg.Client;
let client: pg.Client;

beforeAll(async () => {
  admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${DB_NAME}"`);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${DB_NAME}`;
  client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  await client.query("SET DateStyle = ISO; SET TimeZone = 'UTC'; SET extra_float_digits = 1; SET bytea_output = hex");
});

afterAll(async () => {
  await client?.end();
  if (admin) {
    await admin.query(`DROP DATABASE IF EXISTS "${DB_NAME}" WITH (FORCE)`);
    await admin.end();
  }
});

const COLUMNS: readonly { name: string; type: string; kind: ValueKind; opts?: EncodeOptions }[] = [
  { name: "i", type: "integer", kind: "int" },
  { name: "b", type: "bigint", kind: "bigint" },
  { name: "f", type: "double precision", kind: "float" },
  { name: "d", type: "numeric(20,6)", kind: "decimal" },
  { name: "t", type: "text", kind: "text" },
  { name: "bo", type: "boolean", kind: "boolean" },
  { name: "ts", type: "timestamp(6)", kind: "timestamp" },
  { name: "tss", type: "timestamp(6)", kind: "timestamp" },
  { name: "dt", type: "date", kind: "date" },
  { name: "tm", type: "time(6)", kind: "time" },
  { name: "j", type: "jsonb", kind: "json" },
  { name: "by", type: "bytea", kind: "bytes" },
];

/** Per column: [input as better-sqlite3 returns it, expected `::text` of the stored value (null = SQL NULL)]. */
const CASES: Record<string, [unknown, string | null][]> = {
  i: [
    [42n, "42"],
    [-2147483648n, "-2147483648"],
    [2147483647n, "2147483647"],
    ["42", "42"],
    ["-007", "-7"],
    [7.0, "7"],
    [-0.0, "0"],
    [null, null],
  ],
  b: [
    [9223372036854775807n, "9223372036854775807"],
    [-9223372036854775808n, "-9223372036854775808"],
    ["9223372036854775807", "9223372036854775807"],
    [0n, "0"],
    [2 ** 60, "1152921504606846976"],
  ],
  // float expectations are compared by value (PostgreSQL prints 1e-07 where JS prints 1e-7)
  f: [
    [0.1, "0.1"],
    [0.1 + 0.2, "0.30000000000000004"],
    [1e308, "1e+308"],
    [5e-324, "5e-324"],
    [-0.0, "-0"],
    [Infinity, "Infinity"],
    [-Infinity, "-Infinity"],
    [NaN, "NaN"],
    [9007199254740992n, "9007199254740992"],
    ["2.5", "2.5"],
    [1.5e-7, "1.5e-07"],
    [123456789.123456789, "123456789.12345679"],
  ],
  d: [
    [123n, "123.000000"],
    [12.34, "12.340000"],
    ["123.4500", "123.450000"],
    ["-1.5e3", "-1500.000000"],
    ["99999999999999.999999", "99999999999999.999999"],
    [0.000001, "0.000001"],
    [-0.0, "0.000000"],
  ],
  t: [
    ["plain", "plain"],
    ["", ""],
    [null, null],
    ["back\\slash\ttab\nnewline\rcr", "back\\slash\ttab\nnewline\rcr"],
    ["\\N", "\\N"],
    ["\\.", "\\."],
    ["héllo 日本語 🎉👍🏽 \u200b", "héllo 日本語 🎉👍🏽 \u200b"],
    [12.3, "12.3"],
    [1e308, "1.0e+308"],
    [7.0, "7.0"],
    [-9223372036854775808n, "-9223372036854775808"],
    [Buffer.from("from a blob ✓\n", "utf8"), "from a blob ✓\n"],
    [Buffer.from("\ufeffbom", "utf8"), "\ufeffbom"],
    ["'; DROP TABLE x; --", "'; DROP TABLE x; --"],
  ],
  bo: [
    [1n, "true"],
    [0n, "false"],
    ["t", "true"],
    ["FALSE", "false"],
    [1.0, "true"],
  ],
  ts: [
    ["2024-01-02 03:04:05", "2024-01-02 03:04:05"],
    ["2024-01-02T03:04:05.123456", "2024-01-02 03:04:05.123456"],
    ["2024-01-02T03:04:05.678+00:00", "2024-01-02 03:04:05.678"],
    ["2024-01-02T03:04:05.678Z", "2024-01-02 03:04:05.678"],
    ["2024-01-02T01:04:05.000001+05:30", "2024-01-01 19:34:05.000001"],
    ["2023-12-31T22:30:00-0500", "2024-01-01 03:30:00"],
    ["2024-01-02", "2024-01-02 00:00:00"],
    ["2024-01-02 03:04:05.123456000", "2024-01-02 03:04:05.123456"],
    [1704164645678n, "2024-01-02 03:04:05.678"],
    [100000000000n, "1973-03-03 09:46:40"],
    [-62135596800000n, "0001-01-01 00:00:00"],
    [253402300799999n, "9999-12-31 23:59:59.999"],
    ["9999-12-31 23:59:59.999999", "9999-12-31 23:59:59.999999"],
  ],
  tss: [
    // Integers below 10^11 are unix seconds (encode.ts epochUnitOf).
    [1704164645n, "2024-01-02 03:04:05"],
    [-100000000n, "1966-10-31 14:13:20"],
    [99999999999n, "5138-11-16 09:46:39"],
  ],
  dt: [
    ["2024-01-02", "2024-01-02"],
    ["2024-02-29T00:00:00.000Z", "2024-02-29"],
    ["0001-01-01", "0001-01-01"],
    [1704153600000n, "2024-01-02"],
  ],
  tm: [
    ["03:04", "03:04:00"],
    ["23:59:59.999999", "23:59:59.999999"],
    ["12:30:00.5", "12:30:00.5"],
  ],
  j: [
    ['{"a":1,"b":[true,null,"x"]}', '{"a": 1, "b": [true, null, "x"]}'],
    ['{"s":"line\\nbreak \\\\ back\\ttab"}', '{"s": "line\\nbreak \\\\ back\\ttab"}'],
    ['{\n  "pretty": "yes"\n}', '{"pretty": "yes"}'],
    ['"\\ud83c\\udf89"', '"🎉"'],
    ['"\\\\u0000"', '"\\\\u0000"'],
    ["[]", "[]"],
    ["1.50", "1.50"],
    [5n, "5"],
  ],
  by: [
    [Buffer.from("Hello"), "\\x48656c6c6f"],
    [Buffer.alloc(0), "\\x"],
    [null, null],
    [Buffer.from([0, 9, 10, 13, 92, 255]), "\\x00090a0d5cff"],
    ["é", "\\xc3a9"],
  ],
};

async function copyRows(table: string, columns: readonly string[], lines: Iterable<string>): Promise<void> {
  const stream = client.query(copyFrom(`COPY "${table}" (${columns.map((c) => `"${c}"`).join(", ")}) FROM STDIN`));
  await pipeline(Readable.from(lines), stream);
}

describe("COPY round trip", () => {
  it("stores every encoded value exactly", async () => {
    await client.query(
      `CREATE TABLE rt (rn integer PRIMARY KEY, ${COLUMNS.map((c) => `"${c.name}" ${c.type}`).join(", ")})`,
    );
    const encode = makeRowEncoder(
      ["int", ...COLUMNS.map((c) => c.kind)],
      [undefined, ...COLUMNS.map((c) => c.opts)],
    );
    const rowCount = Math.max(...Object.values(CASES).map((c) => c.length));
    const lines: string[] = [];
    for (let r = 0; r < rowCount; r++) {
      lines.push(encode([BigInt(r), ...COLUMNS.map((c) => (CASES[c.name][r] ? CASES[c.name][r][0] : null))]));
    }
    await copyRows("rt", ["rn", ...COLUMNS.map((c) => c.name)], lines);

    const res = await client.query({
      text: `SELECT rn, ${COLUMNS.map((c) => `"${c.name}"::text AS "${c.name}"`).join(", ")} FROM rt ORDER BY rn`,
    });
    expect(res.rows.length).toBe(rowCount);
    const mismatches: string[] = [];
    for (const row of res.rows as Record<string, string | null>[]) {
      const r = Number(row.rn);
      for (const c of COLUMNS) {
        const [input, want] = CASES[c.name][r] ?? [null, null];
        const got = row[c.name];
        const ok =
          c.kind === "float" && want !== null && got !== null
            ? Object.is(Number(got), Number(want)) && Object.is(Number(got), typeof input === "string" || typeof input === "bigint" ? Number(input) : input)
            : got === want;
        if (!ok) mismatches.push(`${c.name}[${r}] input ${String(input)}: want ${JSON.stringify(want)}, got ${JSON.stringify(got)}`);
      }
    }
    expect(mismatches).toEqual([]);
  });

  it("round-trips random text full of COPY metacharacters", async () => {
    await client.query("CREATE TABLE rt_text (rn integer PRIMARY KEY, t text, j jsonb, by bytea)");
    const encode = makeRowEncoder(["int", "text", "json", "bytes"]);
    const alphabet = ["\\", "\t", "\n", "\r", "N", ".", "a", "é", "🎉", " ", '"', "'", "\\N", "\u2028", "\u0001"];
    let seed = 42;
    const rnd = (n: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const texts: string[] = [];
    for (let i = 0; i < 2000; i++) {
      let s = "";
      const len = rnd(20);
      for (let k = 0; k < len; k++) s += alphabet[rnd(alphabet.length)];
      texts.push(s);
    }
    await copyRows(
      "rt_text",
      ["rn", "t", "j", "by"],
      texts.map((s, i) => encode([BigInt(i), s, JSON.stringify({ s }), Buffer.from(s, "utf8")])),
    );
    const res = await client.query("SELECT rn, t, j ->> 's' AS js, encode(by, 'hex') AS hex FROM rt_text ORDER BY rn");
    expect(res.rows.length).toBe(texts.length);
    for (const row of res.rows as { rn: number; t: string; js: string; hex: string }[]) {
      const s = texts[row.rn];
      expect(row.t).toBe(s);
      expect(row.js).toBe(s);
      expect(row.hex).toBe(Buffer.from(s, "utf8").toString("hex"));
    }
  });
});
