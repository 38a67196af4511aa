/**
 * sqlite2pg's profile aggregate (native/profile.c, `s2p_profile`) against the JS profile it stands in for
 * (src/profile/profile.ts observe): for every column, the profile with the aggregate (what a run uses) must equal
 * the profile computed in JS alone. Columns built from the value classes the aggregate handles must really have
 * been handled by it (no value left to JS), so the comparison is not between JS and JS; columns mixing in what it
 * leaves to JS must come out the same too. Then every table of the real corpus files, the same comparison.
 */
import Database from "better-sqlite3";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { SqliteTable } from "../../src/core/catalog.js";
import { hasExtension } from "../../src/db/sqlite-extension.js";
import { openSqlite } from "../../src/db/sqlite-source.js";
import { readCatalog } from "../../src/introspect/read-catalog.js";
import { profileTable } from "../../src/profile/profile.js";
import { mulberry32 } from "../helpers/random.js";
import { buildSqliteFile, copyToTemp, CORPUS, redeclare, REALWORLD, tempDir } from "../helpers/files.js";

const tmp = tempDir("native-profile");
afterAll(() => tmp.cleanup());

/** A value to store: bigint (INTEGER), number (REAL), string (TEXT), Buffer (BLOB), { text: bytes } (TEXT of raw bytes). */
type Stored = bigint | number | string | Buffer | { readonly text: Buffer } | null;

/** Value classes the aggregate handles: integers, reals, text of the shapes it reads. */
function handled(rand: () => number): Stored {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
  switch (Math.floor(rand() * 9)) {
    case 0:
      return pick([0n, 1n, -1n, 42n, 9223372036854775807n, -9223372036854775808n, 99_999_999n, 100_000_000n, -100_000_000n, 4_102_444_799n, 4_102_444_800n, -4_102_444_800n, 99_999_999_999n, 100_000_000_000n, -100_000_000_000n, 1_704_164_645_678n]);
    case 1:
      return BigInt(Math.floor(rand() * 2 ** 40)) - 2n ** 39n;
    case 2: {
      // Doubles of every kind: random bits, short decimals, integral, huge, tiny, zeros, infinities.
      const buf = Buffer.alloc(8);
      buf.writeUInt32LE(Math.floor(rand() * 2 ** 32), 0);
      buf.writeUInt32LE(Math.floor(rand() * 2 ** 32), 4);
      const bits = buf.readDoubleLE(0);
      return pick([
        // Integral doubles beyond int64 are left to JS (below).
        Number.isFinite(bits) && (!Number.isInteger(bits) || Math.abs(bits) < 9e18) ? bits : 1.5,
        Math.round(rand() * 1e6) / 100,
        0.1, 0.3, 1 / 3, 2 / 3, 123.456, -0.5, 1e-7, 1.5e-7, 5e-324, 1.7976931348623157e-308, 123456789012345680, 2 ** 53, 2 ** 53 + 2,
        9.2e18, -9.2e18, 0, -0, 1, 7, -12, 4102444800, 1704164645678, Infinity, -Infinity, 0.000001, 0.0000001, 1234.5e10,
      ]);
    }
    case 3:
      return pick(["", "plain", "t", "T", "f", "F", "true", "TRUE", "False", "FALSE", "yes", "x", "tru", "ünï©ødé", "emoji 😀", "中文", "\uFFFD", "a\uFFFDb", "nul\u0000in", "\u0000"]);
    case 4: {
      // Timestamps and dates in the strict shapes, real or not, canonical or not.
      const y = pick(["2024", "0001", "9999", "0000", "1999", "2023"]);
      const mo = pick(["01", "02", "12", "13", "00", "06"]);
      const d = pick(["01", "28", "29", "30", "31", "00"]);
      const date = `${y}-${mo}-${d}`;
      const time = `${pick(["00", "12", "23", "24"])}:${pick(["00", "59", "60"])}:${pick(["00", "59", "60"])}`;
      const frac = pick(["", ".5", ".50", ".123456", ".1234560", ".1234567", ".000", ".000000001", ".1234567891"]);
      return pick([date, `${date} ${time}${frac}`, `${date}T${time}${frac}`, `${date}t${time}`]);
    }
    case 5:
      // Text starting with a digit, sign or point that is neither a number nor date- or time-like for observe().
      return pick(["81.152.137.126", "2001:db8::1", "74:3528:47c5:6f31", "5d:12:ab", "1.2.3", "3rd", "-x", "+1-555-0100", ".hidden", "1e", "12:3x", "2024-01-02x", "2024-1-2"]);
    case 6:
      return pick(["ascii words here", "Zürich", "naïve café", "日本語テキスト", "🙂🙃", "tab\there", "line\nbreak"]);
    case 7:
      return Math.floor(rand() * 2) === 0 ? 0n : 1n;
    default:
      return null;
  }
}

/** Value classes the aggregate leaves to JS. */
function leftToJs(rand: () => number): Stored {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
  return pick<Stored>([
    Buffer.from([1, 2, 3]),
    Buffer.from("utf8 text as blob"),
    Buffer.alloc(0),
    { text: Buffer.from([0x6f, 0x6b, 0x96]) },
    { text: Buffer.from([0xed, 0xa0, 0x80]) },
    "42",
    "1",
    "0",
    "-17",
    "1.50",
    "-1.5e3",
    ".5",
    "12:34",
    "12:34:56.789",
    "2024-01-02 03:04:05Z",
    "2024-01-02 03:04:05+02:00",
    "2024-01-02 03:04",
    2 ** 64,
    -(2 ** 63),
    1e20,
    1e21,
    1.7976931348623157e308,
  ]);
}

/** The declared types the columns get: each family the profile reads differently (DATETIME and DATE count unix times). */
const DECLARED = ["INTEGER", "DATETIME", "DATE", "TEXT", "VARCHAR(40)", "BOOLEAN", "NUMERIC(10,2)", "REAL", "BLOB", ""];

function build(file: string, mixed: boolean): string {
  return buildSqliteFile(tmp.dir, file, (d) => {
    const cols = DECLARED.map((_, i) => `c${i}`);
    // Untyped while filling: column affinity would turn '42' into 42 and 5.0 into 5, changing the storage classes.
    d.exec(`CREATE TABLE t (id INTEGER PRIMARY KEY, ${cols.join(", ")})`);
    const insert = d.prepare(`INSERT INTO t (${cols.join(", ")}) VALUES (${cols.map(() => "?").join(", ")})`);
    const asText = (c: string) => d.prepare(`UPDATE t SET ${c} = CAST(? AS TEXT) WHERE id = ?`);
    const rand = mulberry32(mixed ? 11 : 5);
    d.exec("BEGIN");
    for (let row = 1; row <= 4000; row++) {
      const values = cols.map((_, i) => {
        const v = mixed && rand() < 0.05 ? leftToJs(rand) : handled(rand);
        // A REAL column reads its integers back as doubles (SQLite applies the column's affinity on reading):
        // int64's extremes would read as ±2^63, an integral double beyond int64 which is left to JS.
        return DECLARED[i] === "REAL" && typeof v === "bigint" && (v > 2n ** 62n || v < -(2n ** 62n)) ? 12345n : v;
      });
      insert.run(...values.map((v) => (v !== null && typeof v === "object" && "text" in v ? null : v)));
      values.forEach((v, i) => {
        if (v !== null && typeof v === "object" && "text" in v) asText(cols[i]).run(v.text, row);
      });
    }
    d.exec("COMMIT");
    redeclare(d, "t", `CREATE TABLE t (id INTEGER PRIMARY KEY, ${cols.map((c, i) => `${c} ${DECLARED[i]}`).join(", ")})`);
  });
}

function compareTable(db: Database.Database, table: SqliteTable): void {
  for (const column of table.columns) {
    const only = (c: SqliteTable["columns"][number]) => c.name === column.name;
    const native = profileTable(db, table, only);
    const js = profileTable(db, table, only, { jsOnly: true });
    expect({ table: table.name, column: column.name, profile: native.get(column.name) }).toEqual({ table: table.name, column: column.name, profile: js.get(column.name) });
  }
}

describe("s2p_profile = the JS profile", () => {
  it("handles every value of the classes it reads, with the JS profile's result", () => {
    const db = openSqlite(build("handled.db", false));
    try {
      expect(hasExtension(db)).toBe(true);
      const table = readCatalog(db).tables.find((t) => t.name === "t")!;
      for (const column of table.columns) {
        const [text] = db.prepare(`SELECT s2p_profile("${column.name}", 1) FROM t`).raw(true).get() as [string];
        const p = JSON.parse(text) as { unhandled: number; integer: number; real: number; text: number };
        // Named when it fails: the stored values the aggregate did not handle.
        const left =
          p.unhandled === 0
            ? []
            : (db.prepare(`SELECT DISTINCT quote("${column.name}") FROM t`).pluck().all() as string[]).filter(
                (literal) => JSON.parse(db.prepare(`SELECT s2p_profile(${literal}, 1)`).pluck().get() as string).unhandled > 0,
              );
        expect({ column: column.name, unhandled: p.unhandled, left }).toEqual({ column: column.name, unhandled: 0, left: [] });
        // Every class is there (a REAL column reads its integers as reals).
        if (column.name !== "id") expect(Math.min(p.integer + p.real, p.real, p.text)).toBeGreaterThan(100);
      }
      compareTable(db, table);
    } finally {
      db.close();
    }
  });

  it("leaves columns with other values to JS: the same result", () => {
    const db = openSqlite(build("mixed.db", true));
    try {
      const table = readCatalog(db).tables.find((t) => t.name === "t")!;
      for (const column of table.columns.filter((c) => c.name !== "id")) {
        const [text] = db.prepare(`SELECT s2p_profile("${column.name}", 0) FROM t`).raw(true).get() as [string];
        expect(JSON.parse(text).unhandled).toBeGreaterThan(0);
      }
      compareTable(db, table);
    } finally {
      db.close();
    }
  });

  const files = [...readdirSync(CORPUS).map((f) => join(CORPUS, f)), ...readdirSync(REALWORLD).filter((f) => !f.endsWith(".md")).map((f) => join(REALWORLD, f))];
  it.each(files)("every column of every table of %s", (file) => {
    const db = openSqlite(copyToTemp(file, tmp.dir));
    try {
      for (const table of readCatalog(db).tables) compareTable(db, table);
    } finally {
      db.close();
    }
  });
});
