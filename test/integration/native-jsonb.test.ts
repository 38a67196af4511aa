/**
 * sqlite2pg's SQLite extension, `s2p_jsonb_copy` (native/jsonb-text.c): a JSON text as a COPY field of what
 * PostgreSQL's jsonb_out prints. Held to the JS encoder it stands in for (escapeCopy(pgJsonbText(x)),
 * src/values/pg-text.ts) over fixed edge cases and thousands of random documents — equal bytes, or the NUL byte that
 * hands the value to the JS encoder, and only for the classes the C code leaves to it — and to a real PostgreSQL:
 * what it spells is what jsonb prints back. Then the copy's reader (src/copy/sql-chunks.ts) on a table whose JSON
 * the function sometimes leaves to JS: the same bytes as the row path, and the fast read still used.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import pg from "pg";
import { hasExtension } from "../../src/db/sqlite-extension.js";
import { openSqlite } from "../../src/db/sqlite-source.js";
import { escapeCopy } from "../../src/values/copy-text.js";
import { pgJsonbText, pgJsonbTextCounting } from "../../src/values/pg-text.js";
import { encodeTable } from "../../src/copy/table-encoder.js";
import { emptyTally } from "../../src/copy/copy-result.js";
import { openSnapshot, prepareSchema } from "../../src/pipeline/prepare.js";
import { mulberry32 } from "../helpers/random.js";
import { buildSqliteFile, tempDir } from "../helpers/files.js";
import { createTestDatabase, type TestDatabase } from "../helpers/pg.js";

const tmp = tempDir("native-jsonb");
let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase("nativejsonb");
});
afterAll(async () => {
  await db.drop();
  tmp.cleanup();
});

const FIXED = [
  '{"b":1,"a":[1, 2.50, -0, -0.0, true,false,null],"aa":{"z":"x\\ty","é":"\\u00e9\\n"}}',
  " [ ] ",
  "{}",
  "[]",
  '""',
  '"a\\"b\\\\c\\/d\\u0001\\u001f\\u007f\\ud83d\\ude00\\b\\f\\r"',
  "0",
  "-0",
  "-0.000",
  "123456789012345678901234567890.0100",
  "1e2",
  "1.5e-7",
  "-2.50E+3",
  "1e1000",
  "1e1001",
  "1e-1001",
  "true",
  " null ",
  '{"bb":1,"a":2,"ccc":3,"é":4,"z":5}', // byte length first: "a" "z" "bb" "é" (2 bytes) "ccc"
  '{"outer":{"inner":{"k":[{"x":1},{"y":[2,[3,{"z":"deep"}]]}]}}}',
  "\t\n\r {\"ws\" :\t[ 1 ,2 ] }\n",
  '"\u2028\u2029 ünï©ødé 中文"',
  // Left to the JS encoder:
  '{"a":1,"a":2}', // a repeated key
  '"\\u0000"', // jsonb refuses it
  '"\\ud800"', // an unpaired surrogate
  '"\\udc00x"',
  "01",
  "",
  '{"k":"v"',
  '{"k":"tab\there"}', // a raw control character: invalid JSON
  "[1,]",
  "+1",
  ".5",
  "NaN",
  '"\\x"',
  "[".repeat(70) + "]".repeat(70), // deeper than MAX_DEPTH
];

/** Random JSON texts over what matters: key order and length, escapes, numbers, whitespace, nesting. */
function randomJson(rand: () => number, depth = 0): string {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
  const ws = () => pick(["", "", " ", "\n", "\t", "  "]);
  const str = () => {
    const parts = ["a", "Z", "é", "中", "😀", " ", "\\n", "\\t", '\\"', "\\\\", "\\/", "\\u00e9", "\\u0007", "\\ud83d\\ude00", "key", "ab"];
    let s = "";
    for (let i = Math.floor(rand() * 5); i > 0; i--) s += pick(parts);
    return `"${s}"`;
  };
  const num = () => pick(["0", "-0", "1", "-17", "3.25", "0.10", "-0.0", "12345678901234567890", "1e3", "2.5E-2", "-1e-7", "6.02e23", "9.5e+0"]);
  const r = rand();
  if (depth < 3 && r < 0.25) {
    const n = Math.floor(rand() * 6);
    const seen = new Set<string>();
    const members: string[] = [];
    for (let i = 0; i < n; i++) {
      const k = str();
      if (seen.has(k)) continue; // the same key text twice: a repeated key, covered by FIXED
      seen.add(k);
      members.push(`${ws()}${k}${ws()}:${ws()}${randomJson(rand, depth + 1)}${ws()}`);
    }
    return `{${members.join(",")}}`;
  }
  if (depth < 3 && r < 0.45) return `[${Array.from({ length: Math.floor(rand() * 5) }, () => `${ws()}${randomJson(rand, depth + 1)}${ws()}`).join(",")}]`;
  if (r < 0.7) return str();
  if (r < 0.9) return num();
  return pick(["true", "false", "null"]);
}

const rand = mulberry32(19);
const RANDOM = Array.from({ length: 6000 }, () => `${randomJson(rand)}`);

/** The function's output for each text, from a connection the copy would open. */
function spelled(texts: readonly string[]): string[] {
  const file = buildSqliteFile(tmp.dir, `values-${texts.length}.db`, (d) => {
    d.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)");
    const insert = d.prepare("INSERT INTO t (v) VALUES (?)");
    for (const t of texts) insert.run(t);
  });
  const conn = openSqlite(file);
  try {
    expect(hasExtension(conn)).toBe(true);
    return (conn.prepare("SELECT CAST(s2p_jsonb_copy(v) AS BLOB) FROM t ORDER BY id").pluck().all() as Buffer[]).map((b) => b.toString("utf8"));
  } finally {
    conn.close();
  }
}

/** The JS encoder's text, and whether it dropped a repeated key (which the C code leaves to it, to be reported). */
function jsSpelling(text: string): { out: string | null; repeated: boolean } {
  const stats = { duplicateKeys: 0 };
  const out = pgJsonbTextCounting(text, stats);
  return { out: out === null ? null : escapeCopy(out), repeated: stats.duplicateKeys > 0 };
}

describe("s2p_jsonb_copy", () => {
  it("spells the fixed cases as the JS encoder does, and leaves exactly the expected ones to it", () => {
    const got = spelled(FIXED);
    const handed: string[] = [];
    FIXED.forEach((text, i) => {
      if (got[i] === "\0") handed.push(text);
      else expect(got[i], text).toBe(escapeCopy(pgJsonbText(text)!));
    });
    expect(handed).toEqual([
      "1e1001",
      "1e-1001",
      '{"a":1,"a":2}',
      '"\\u0000"',
      '"\\ud800"',
      '"\\udc00x"',
      "01",
      "",
      '{"k":"v"',
      '{"k":"tab\there"}',
      "[1,]",
      "+1",
      ".5",
      "NaN",
      '"\\x"',
      "[".repeat(70) + "]".repeat(70),
    ]);
    // The JS encoder prints all of these but the invalid and refused ones.
    expect(["1e1001", "1e-1001", '{"a":1,"a":2}', "[".repeat(70) + "]".repeat(70)].map((t) => pgJsonbText(t) === null)).toEqual([true, true, false, false]);
  });

  it("spells thousands of random documents byte for byte as the JS encoder does", () => {
    const got = spelled(RANDOM);
    // Two spellings of one key ("é" and "\u00e9") are a repeated key: left to JS, which reports it.
    const differing = RANDOM.filter((text, i) => {
      const js = jsSpelling(text);
      return got[i] === "\0" ? !js.repeated : got[i] !== js.out;
    });
    expect(differing).toEqual([]);
    expect(got.filter((g) => g === "\0").length).toBeLessThan(RANDOM.length / 20);
    // Not vacuous: escapes, sorted keys and rewritten numbers were among them.
    const all = got.join("\n");
    expect(all).toContain('\\\\"');
    expect(all).toContain("0.0000001");
    expect(got.some((g) => g.includes("{") && g.includes(": "))).toBe(true);
  });

  it("spells what PostgreSQL's jsonb prints back", async () => {
    const texts = [...FIXED.filter((t) => pgJsonbText(t) !== null && !/[eE]1000/.test(t)), ...RANDOM.slice(0, 2000)];
    const got = spelled(texts);
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      const { rows } = await client.query<{ out: string }>("SELECT v::jsonb::text AS out FROM unnest($1::text[]) WITH ORDINALITY AS u(v, i) ORDER BY i", [texts]);
      // COPY text doubles each backslash; jsonb's text holds no tab, newline or carriage return.
      const differing = texts.filter((t, i) => got[i] !== "\0" && got[i] !== rows[i].out.replace(/\\/g, "\\\\"));
      expect(differing).toEqual([]);
      // Left to JS here: repeated keys and the deep nesting only.
      expect(texts.filter((t, i) => got[i] === "\0" && !jsSpelling(t).repeated && !t.startsWith("[".repeat(65)))).toEqual([]);
      expect(got.filter((g) => g !== "\0").length).toBeGreaterThan(1900);
    } finally {
      await client.end();
    }
  });

  it("spells NULL as \\N and an integer in decimal; a REAL or a BLOB is left to JS", () => {
    const conn = openSqlite(buildSqliteFile(tmp.dir, "kinds.db", (d) => d.exec("CREATE TABLE t (v)")));
    try {
      expect(conn.prepare("SELECT s2p_jsonb_copy(NULL), s2p_jsonb_copy(42), s2p_jsonb_copy(-9223372036854775808), s2p_jsonb_copy(1.5), s2p_jsonb_copy(x'7b7d')").raw(true).get()).toEqual([
        "\\N",
        "42",
        "-9223372036854775808",
        "\0",
        "\0",
      ]);
    } finally {
      conn.close();
    }
  });
});

describe("the copy's fast read of a jsonb column", () => {
  it("hands out the row path's bytes when some values are left to JS, and still spells the others in SQLite", async () => {
    const file = buildSqliteFile(tmp.dir, "docs.db", (d) => {
      d.exec("CREATE TABLE docs (id INTEGER PRIMARY KEY, title TEXT NOT NULL, body JSON)");
      const insert = d.prepare("INSERT INTO docs (title, body) VALUES (?, ?)");
      const r = mulberry32(5);
      d.exec("BEGIN");
      for (let i = 0; i < 20_000; i++) {
        // Now and then a value only JS spells: a repeated key, a BLOB, a number with a huge exponent.
        const odd = i % 997 === 0 ? '{"k":1,"k":2}' : i % 1999 === 0 ? Buffer.from('{"blob":true}') : i % 2999 === 0 ? '{"n":1e5000}' : randomJson(r);
        insert.run(`doc ${i}`, i % 11 === 0 ? null : odd);
      }
      // Then a stretch where every value is one: the reader gives the extension up for the table's rest.
      for (let i = 0; i < 3000; i++) insert.run(`dup ${i}`, '{"a":1,"a":2}');
      d.exec("COMMIT");
    });
    const emit = () => undefined;
    const prepared = await prepareSchema(await openSnapshot(file, emit), emit);
    const plan = prepared.converted.tables.find((t) => t.name === "docs")!;
    const table = prepared.catalog.tables.find((t) => t.name === "docs")!;
    const problems: unknown[] = [];
    const run = (rowPathOnly: boolean) => {
      const summary = emptyTally();
      const chunks = [
        ...encodeTable(
          prepared.source,
          { plan, table, pgColumns: null, onError: "stop", rejecting: false, scanOnly: false, hash: true, rowPathOnly },
          { problem: (p) => problems.push(p), reject: () => undefined, progress: () => undefined },
          summary,
        ),
      ];
      return { bytes: Buffer.concat(chunks), summary };
    };
    const fast = run(false);
    const rows = run(true);
    expect(problems).toEqual([]);
    expect(fast.bytes.equals(rows.bytes)).toBe(true);
    expect(fast.summary.sentChecksum).toBe(rows.summary.sentChecksum);
    expect(fast.summary.sqlSpelledRows).toBeGreaterThan(10_000);
  });
});
