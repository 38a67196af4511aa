/**
 * sqlite2pg's SQLite extension (native/copy-text.c, `s2p_copy_text`) against the two spellings it stands in for:
 * the four replace() calls SQLite's core functions need (sql-spelling.ts, used where the extension is not built)
 * and the JS encoders' escapeCopy (copy-text.ts). Real SQLite connections opened by openSqlite, as the copy's are;
 * the values are chosen to hit each branch of the C code: no escape (the value handed back as is), escapes at the
 * start, the end and side by side, an output that outgrows its first buffer, embedded NUL, invalid UTF-8,
 * integers, NULL, and thousands of random strings over the bytes that matter.
 */
import Database from "better-sqlite3";
import { existsSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { EXTENSION_MODULE, hasExtension } from "../../src/db/sqlite-extension.js";
import { openSqlite } from "../../src/db/sqlite-source.js";
import { escapeCopy } from "../../src/values/copy-text.js";
import { sqlSpellingExpression } from "../../src/values/sql-spelling.js";
import { mulberry32 } from "../helpers/random.js";
import { buildSqliteFile, tempDir } from "../helpers/files.js";

const tmp = tempDir("native-escape");
afterAll(() => tmp.cleanup());

const FIXED = [
  "",
  "plain",
  "\\",
  "\t",
  "\n",
  "\r",
  "\r\n",
  "\\N",
  "\\\\\\",
  "\t\t\n\n\r\r",
  "ends with tab\t",
  "\nstarts with LF",
  "ünï©ødé \\ 😀\t中文",
  "'single' \"double\" \u0008 \u000b \u000c \u007f",
  // Every byte escaped: the output is twice the input, past the first buffer (n + n/8 + 16).
  "\\".repeat(5000),
  "\n\t".repeat(3000),
  // Long runs between escapes.
  `${"x".repeat(100_000)}\n${"y".repeat(100_000)}`,
];

function randomText(rand: () => number): string {
  const alphabet = ["a", "Z", " ", "\\", "\t", "\n", "\r", "é", "😀", "N", "\u0001", "\u001f"];
  const length = Math.floor(rand() * 40);
  let s = "";
  for (let i = 0; i < length; i++) s += alphabet[Math.floor(rand() * alphabet.length)];
  return s;
}

describe("s2p_copy_text", () => {
  const file = buildSqliteFile(tmp.dir, "values.db", (d) => {
    d.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, v)");
    const insert = d.prepare("INSERT INTO t (v) VALUES (?)");
    for (const v of FIXED) insert.run(v);
    const rand = mulberry32(7);
    for (let i = 0; i < 5000; i++) insert.run(randomText(rand));
    for (const v of [0n, -1n, 42n, 9223372036854775807n, -9223372036854775808n]) insert.run(v);
    insert.run(null);
    // Stored as TEXT, not what JS strings can hold: invalid UTF-8 and embedded NUL bytes.
    d.exec(`INSERT INTO t (v) VALUES (CAST(x'6f6b96' AS TEXT)), (CAST(x'c3' AS TEXT)), ('nul' || char(0) || 'in' || char(10) || 'side'),
      (char(0)), (char(10) || char(0)), (char(0) || char(92))`);
  });

  it("is built by npm install and loaded into the copy's connections", () => {
    expect(existsSync(EXTENSION_MODULE)).toBe(true);
    const db = openSqlite(file);
    expect(hasExtension(db)).toBe(true);
    db.close();
    // A connection openSqlite did not open has no such function: nothing else loads it.
    const plain = new Database(file, { readonly: true });
    expect(() => plain.prepare("SELECT s2p_copy_text('x')")).toThrow(/no such function/);
    plain.close();
  });

  it("spells every value byte for byte as replace() does", () => {
    const db = openSqlite(file);
    const native = sqlSpellingExpression("text", "v", true);
    const core = sqlSpellingExpression("text", "v", false);
    expect(native).toContain("s2p_copy_text");
    expect(core).not.toContain("s2p_copy_text");
    const rows = db.prepare(`SELECT id, CAST(${native} AS BLOB) AS a, CAST(${core} AS BLOB) AS b FROM t ORDER BY id`).raw(true).all() as [bigint, Buffer, Buffer][];
    expect(rows.length).toBe(FIXED.length + 5000 + 5 + 1 + 6);
    const differing = rows.filter(([, a, b]) => !a.equals(b)).map(([id]) => id);
    expect(differing).toEqual([]);
    // Not vacuous: escapes happened, NUL and invalid bytes went through unchanged.
    const all = Buffer.concat(rows.map(([, a]) => a));
    expect(all.includes("\\t")).toBe(true);
    expect(all.includes(Buffer.from([0x6f, 0x6b, 0x96]))).toBe(true);
    expect(all.includes(Buffer.from("nul\0in\\nside"))).toBe(true);
    db.close();
  });

  it("spells text as the JS encoders' escapeCopy, NULL as \\N and integers in decimal", () => {
    const db = openSqlite(file);
    const rand = mulberry32(7);
    const texts = [...FIXED, ...Array.from({ length: 5000 }, () => randomText(rand))];
    const got = db.prepare(`SELECT CAST(s2p_copy_text(v) AS BLOB) FROM t ORDER BY id LIMIT ${texts.length + 6}`).pluck().all() as Buffer[];
    got.slice(0, texts.length).forEach((bytes, i) => expect(bytes.toString("utf8")).toBe(escapeCopy(texts[i])));
    expect(got.slice(texts.length).map((b) => b.toString("utf8"))).toEqual(["0", "-1", "42", "9223372036854775807", "-9223372036854775808", "\\N"]);
    db.close();
  });

  it("refuses REAL and BLOB values, which no guard lets through", () => {
    const db = openSqlite(file);
    expect(() => db.prepare("SELECT s2p_copy_text(1.5)").get()).toThrow(/REAL or BLOB/);
    expect(() => db.prepare("SELECT s2p_copy_text(x'00')").get()).toThrow(/REAL or BLOB/);
    db.close();
  });
});
