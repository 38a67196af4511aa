/**
 * Columns whose values decide the type (no declared type, a STRICT table's `ANY`) holding blobs mixed with numbers
 * (issue #16.12): the chosen type must hold every value, or the refusal must name a way out that works.
 *
 * - every blob is UTF-8 text: String, a reported decision (schema comment and summary), every value exact through
 *   `--verify deep` and the Prisma Client read-back;
 * - some blob is binary: no PostgreSQL type holds binary data and numbers exactly; Bytes keeps the blobs, the copy
 *   refuses the numbers before writing anything, and the decision names an UPDATE which, run on a copy of the file,
 *   lets the migration keep every row.
 *
 * SQLite files built here, the real CLI, the real server.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { buildSqliteFile, tempDir } from "../helpers/files.js";
import { createTestDatabase, type TestDatabase } from "../helpers/pg.js";
import type { MigrateSummary } from "../../src/report/summary-types.js";

const tmp = tempDir("mixed-blobs");
const databases: TestDatabase[] = [];
afterAll(async () => {
  for (const db of databases) await db.drop();
  tmp.cleanup();
});

async function newTarget(): Promise<TestDatabase> {
  const db = await createTestDatabase("mixedblobs");
  databases.push(db);
  return db;
}

type Row = readonly [id: number, value: bigint | number | string | Buffer];

function build(name: string, create: string, rows: readonly Row[]): string {
  return buildSqliteFile(tmp.dir, name, (d) => {
    d.exec(create);
    const insert = d.prepare("INSERT INTO t (id, v) VALUES (?, ?)");
    for (const [id, v] of rows) insert.run(id, v);
  });
}

const out = (label: string): string => join(tmp.dir, `out-${label}`);

async function migrate(file: string, db: TestDatabase, label: string): Promise<{ code: number; stderr: string; summary?: MigrateSummary }> {
  const res = await runCli(["migrate", file, "--to", db.url, "--out", out(label), "--yes", "--json", "--verify", "deep"]);
  expect(res.stderr).not.toContain("internal error");
  return { code: res.code, stderr: res.stderr, ...(res.code === 0 ? { summary: JSON.parse(res.stdout) as MigrateSummary } : {}) };
}

const TEXT_BLOBS: readonly Row[] = [
  [1, Buffer.from("abc")],
  [2, 42n],
  [3, 1.5],
  [4, "hello"],
  [5, Buffer.from("grüße", "utf8")],
  [6, -9007199254740993n],
];

describe.each([
  ["untyped", "CREATE TABLE t (id INTEGER PRIMARY KEY, v)"],
  ["STRICT ANY", "CREATE TABLE t (id INTEGER PRIMARY KEY, v ANY) STRICT"],
])("%s column: UTF-8 blobs mixed with numbers and text", (label, create) => {
  it("becomes text (a reported decision), every value exact through --verify deep and the read-back", async () => {
    const key = label.replace(/\W/g, "");
    const file = build(`${key}-text.db`, create, TEXT_BLOBS);
    const db = await newTarget();
    const res = await migrate(file, db, `${key}-text`);
    expect(res.code, res.stderr).toBe(0);
    const summary = res.summary!;
    const decision = summary.decisions.find((d) => d.table === "t" && d.column === "v" && d.code === "type");
    expect(decision?.message).toBe(
      `${label === "untyped" ? "untyped column" : "column"} mixes 2 blob(s) with 2 integer(s), 1 real(s), 1 text value(s); kept as text: numbers as their decimal spelling, blobs as the UTF-8 text they hold`,
    );
    expect(readFileSync(join(out(`${key}-text`), "schema.prisma"), "utf8")).toContain(`/// ${decision!.message}`);
    expect(summary.readBack?.status).toBe("same");
    expect(summary.readBack?.models.map((m) => [m.model, m.status, m.rows])).toEqual([["T", "compared", 6]]); // model T: Prisma's name for table t
    expect(summary.independent).toMatchObject({ mode: "all", ok: true, rows: 6, differenceCount: 0 });
    expect(summary.ok).toBe(true);

    const [col] = await db.query<{ data_type: string }>("SELECT data_type FROM information_schema.columns WHERE table_name = 't' AND column_name = 'v'");
    expect(col.data_type).toBe("text");
    // What SQLite itself says each value is as text (CAST … AS TEXT), compared with PostgreSQL's.
    const sqlite = new Database(file, { readonly: true });
    const expected = sqlite.prepare("SELECT id, CAST(v AS TEXT) AS v FROM t ORDER BY id").all() as { id: number; v: string }[];
    sqlite.close();
    const landed = await db.query<{ id: number; v: string }>('SELECT id, v FROM "t" ORDER BY id');
    expect(landed).toEqual(expected);
    expect(landed.map((r) => r.v)).toEqual(["abc", "42", "1.5", "hello", "grüße", "-9007199254740993"]);
  });
});

describe("untyped column: binary blobs mixed with numbers", () => {
  const rows: readonly Row[] = [
    [1, Buffer.from([0xde, 0xad, 0x00, 0xef])],
    [2, 42n],
    [3, 1.5],
    [4, "hello"],
  ];

  it("is refused before writing, and the UPDATE the decision names makes the migration keep every row", async () => {
    const file = build("binary.db", "CREATE TABLE t (id INTEGER PRIMARY KEY, v)", rows);
    const db = await newTarget();
    const refused = await migrate(file, db, "binary");
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("t.v [2]: integer 42 in a bytes column");
    expect(refused.stderr).toContain("t.v [3]: real 1.5 in a bytes column");
    expect(refused.stderr).toContain("nothing was written");
    expect(await db.query("SELECT 1 FROM information_schema.tables WHERE table_name = 't'")).toEqual([]);

    // The way out, as `plan` shows it (the /// comment of the column).
    const schema = readFileSync(join(out("binary"), "schema.prisma"), "utf8");
    const fix = /on a copy of the file run (UPDATE .*)$/m.exec(schema);
    expect(fix?.[1]).toBe(`UPDATE "t" SET "v" = CAST("v" AS BLOB) WHERE typeof("v") IN ('integer', 'real')`);

    const fixed = buildSqliteFile(tmp.dir, "binary-fixed.db", (d) => {
      d.exec(`ATTACH ${"'" + file.replace(/'/g, "''") + "'"} AS src`);
      d.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, v); INSERT INTO t SELECT * FROM src.t; DETACH src");
      d.exec(fix![1]);
    });
    const db2 = await newTarget();
    const ok = await migrate(fixed, db2, "binary-fixed");
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.summary!.readBack?.status).toBe("same");
    expect(ok.summary!.independent).toMatchObject({ mode: "all", ok: true, rows: 4, differenceCount: 0 });
    expect(ok.summary!.ok).toBe(true);
    const landed = await db2.query<{ id: number; v: string }>(`SELECT id, encode(v, 'hex') AS v FROM "t" ORDER BY id`);
    expect(landed).toEqual([
      { id: 1, v: "dead00ef" },
      { id: 2, v: Buffer.from("42").toString("hex") },
      { id: 3, v: Buffer.from("1.5").toString("hex") },
      { id: 4, v: Buffer.from("hello").toString("hex") },
    ]);
  });
});
