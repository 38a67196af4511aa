/**
 * sqlite2pg's SQLite extension, native/lines.c: `s2p_copy_line(f1, …)` against the `||` chain it stands in for,
 * and the `s2p_copy_lines(r, line)` aggregate against `CAST(group_concat(line, '' ORDER BY r) AS BLOB)`, on real
 * SQLite connections opened by openSqlite, as the copy's are. Then the copy's fast read on a table too wide for one
 * call (more fields than SQLite functions take on every version) must give the row path's bytes.
 */
import { afterAll, describe, expect, it } from "vitest";
import { openSqlite } from "../../src/db/sqlite-source.js";
import { hasExtension } from "../../src/db/sqlite-extension.js";
import { encodeTable } from "../../src/copy/table-encoder.js";
import { emptyTally } from "../../src/copy/copy-result.js";
import { openSnapshot, prepareSchema } from "../../src/pipeline/prepare.js";
import { mulberry32 } from "../helpers/random.js";
import { buildSqliteFile, tempDir } from "../helpers/files.js";

const tmp = tempDir("native-lines");
afterAll(() => tmp.cleanup());

/** Values of every storage class `||` converts: text (escaped or not, multi-byte, empty), integers, reals, blobs. */
function randomValue(rand: () => number): unknown {
  const pick = Math.floor(rand() * 8);
  if (pick === 0) return null;
  if (pick === 1) return BigInt(Math.floor((rand() - 0.5) * 2 ** 53)) * 1024n;
  if (pick === 2) return (rand() - 0.5) * 10 ** Math.floor(rand() * 30);
  if (pick === 3) return Buffer.from(Array.from({ length: Math.floor(rand() * 6) }, () => Math.floor(rand() * 256)));
  if (pick === 4) return "";
  const alphabet = ["a", "Z", " ", "\\", "\t", "é", "😀", "中"];
  return Array.from({ length: Math.floor(rand() * 30) }, () => alphabet[Math.floor(rand() * alphabet.length)]).join("");
}

describe("s2p_copy_line and s2p_copy_lines", () => {
  const file = buildSqliteFile(tmp.dir, "values.db", (d) => {
    d.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, a, b, c)");
    const insert = d.prepare("INSERT INTO t VALUES (?, ?, ?, ?)");
    const rand = mulberry32(11);
    d.exec("BEGIN");
    // Rowids with gaps and negatives; long text so the aggregate's buffer grows past its first 64 KB.
    for (let i = 0; i < 4000; i++) insert.run(i * 7 - 9000, randomValue(rand), randomValue(rand), i % 97 === 0 ? "x".repeat(70_000) : randomValue(rand));
    d.exec("COMMIT");
  });

  it("joins fields exactly as the || chain does, NULL when any field is NULL", () => {
    const db = openSqlite(file);
    expect(hasExtension(db)).toBe(true);
    const rows = db
      .prepare("SELECT id, CAST(s2p_copy_line(a, b, c) AS BLOB), CAST(a || char(9) || b || char(9) || c || char(10) AS BLOB) FROM t ORDER BY id")
      .raw(true)
      .all() as [bigint, Buffer | null, Buffer | null][];
    expect(rows.length).toBe(4000);
    expect(rows.filter(([, x, y]) => (x === null ? y !== null : y === null || !x.equals(y))).map(([id]) => id)).toEqual([]);
    // Not vacuous: both NULL lines and lines of every class were compared.
    expect(rows.filter(([, x]) => x === null).length).toBeGreaterThan(100);
    expect(rows.filter(([, x]) => x !== null).length).toBeGreaterThan(1000);
    expect(db.prepare("SELECT CAST(s2p_copy_line('only') AS BLOB)").pluck().get()).toEqual(Buffer.from("only\n"));
    expect(db.prepare("SELECT CAST(s2p_copy_line(1, 2.5, x'41', '') AS BLOB)").pluck().get()).toEqual(Buffer.from("1\t2.5\tA\t\n"));
    db.close();
  });

  it("concatenates lines in rowid order as group_concat does, skipping NULL lines", () => {
    const db = openSqlite(file);
    const line = "a || char(9) || b || char(9) || c || char(10)";
    for (const [lo, limit] of [[-10_000, 4000], [-9000, 1], [0, 50], [100_000, 10]] as const) {
      const [native, core] = db
        .prepare(
          `SELECT s2p_copy_lines(r, line), CAST(group_concat(line, '' ORDER BY r) AS BLOB) FROM ` +
            `(SELECT rowid AS r, ${line} AS line FROM t WHERE rowid >= ? ORDER BY rowid LIMIT ?)`,
        )
        .raw(true)
        .get(lo, limit) as [Buffer | null, Buffer | null];
      if (core === null) expect(native).toBeNull();
      else expect(native?.equals(core)).toBe(true);
    }
    // The whole table is more than 64 KB: the buffer grew.
    const all = db.prepare(`SELECT s2p_copy_lines(r, line) FROM (SELECT rowid AS r, ${line} AS line FROM t ORDER BY rowid)`).pluck().get() as Buffer;
    expect(all.length).toBeGreaterThan(64 * 1024);
    db.close();
  });

  it("gives NULL when rows come out of rowid order, or repeat a rowid", () => {
    const db = openSqlite(file);
    const descending = db.prepare("SELECT s2p_copy_lines(r, 'x') FROM (SELECT rowid AS r FROM t ORDER BY rowid DESC LIMIT 3)").pluck().get();
    expect(descending).toBeNull();
    expect(db.prepare("SELECT s2p_copy_lines(r, 'x') FROM (SELECT 5 AS r UNION ALL SELECT 5)").pluck().get()).toBeNull();
    expect(db.prepare("SELECT s2p_copy_lines(r, 'x') FROM (SELECT 'a' AS r)").pluck().get()).toBeNull();
    // Ascending, the same rows give their lines; only NULL lines, or no rows, give NULL as group_concat does.
    expect(db.prepare("SELECT s2p_copy_lines(r, 'x') FROM (SELECT rowid AS r FROM t ORDER BY rowid LIMIT 3)").pluck().get()).toEqual(Buffer.from("xxx"));
    expect(db.prepare("SELECT s2p_copy_lines(r, NULL) FROM (SELECT rowid AS r FROM t ORDER BY rowid LIMIT 3)").pluck().get()).toBeNull();
    expect(db.prepare("SELECT s2p_copy_lines(rowid, 'x') FROM t WHERE 0").pluck().get()).toBeNull();
    db.close();
  });
});

describe("the fast read of a table wider than one s2p_copy_line call", () => {
  it("spells 150 columns byte for byte as the row path does, and really through SQLite", async () => {
    const width = 150;
    const file = buildSqliteFile(tmp.dir, "wide.db", (d) => {
      const cols = Array.from({ length: width }, (_, i) => `c${i} ${i % 2 ? "TEXT" : "INTEGER"}`);
      d.exec(`CREATE TABLE wide (id INTEGER PRIMARY KEY, ${cols.join(", ")})`);
      const insert = d.prepare(`INSERT INTO wide VALUES (${Array(width + 1).fill("?").join(", ")})`);
      d.exec("BEGIN");
      for (let r = 1; r <= 300; r++) insert.run(r, ...Array.from({ length: width }, (_, i) => (r % 13 === i % 13 ? null : i % 2 ? `v${r}\t${i}\\` : r * i)));
      d.exec("COMMIT");
    });
    const emit = () => undefined;
    const prepared = await prepareSchema(await openSnapshot(file, emit), emit);
    try {
      const plan = prepared.converted.tables.find((t) => t.name === "wide")!;
      const table = prepared.catalog.tables.find((t) => t.name === "wide")!;
      expect(plan.columns.every((c) => c.sqlSpelling !== undefined)).toBe(true);
      const encode = (rowPathOnly: boolean) => {
        const summary = emptyTally();
        const bytes = Buffer.concat([
          ...encodeTable(
            prepared.source,
            { plan, table, pgColumns: null, onError: "stop", rejecting: false, scanOnly: false, hash: true, rowPathOnly, coreSqlFunctions: false },
            { problem: () => undefined, reject: () => undefined, progress: () => undefined },
            summary,
          ),
        ]);
        return { bytes, summary };
      };
      const fast = encode(false);
      const rows = encode(true);
      expect(fast.summary.sqlSpelledRows).toBe(300);
      expect(fast.bytes.equals(rows.bytes)).toBe(true);
      expect(fast.summary.sentChecksum).toBe(rows.summary.sentChecksum);
    } finally {
      await prepared.dispose();
    }
  });
});
