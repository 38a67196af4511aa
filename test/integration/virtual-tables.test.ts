/**
 * Virtual tables through the real CLI into a real PostgreSQL: FTS3/4/5 holding their own text become plain tables
 * with every row and a GIN full-text index; external-content FTS becomes only that index on its content table;
 * contentless FTS and unknown modules are reported and left out; R-trees become plain tables; shadow tables are
 * never tables of their own; `plan`'s migration.sql applies cleanly to an empty database.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { buildSqliteFile, tempDir } from "../helpers/files.js";
import { createTestDatabase, type TestDatabase } from "../helpers/pg.js";

interface Decision {
  table: string;
  code: string;
  message: string;
}

const SHADOW_SUFFIXES = ["content", "data", "idx", "docsize", "config", "segments", "segdir", "stat", "node", "parent", "rowid"];

function build(d: Database.Database): void {
  d.exec(`
    CREATE VIRTUAL TABLE notes3 USING fts3(title, body, tokenize=porter);
    INSERT INTO notes3 (title, body) VALUES ('first', 'the quick brown fox'), ('second', 'jumps over the lazy dog');
    CREATE VIRTUAL TABLE notes4 USING fts4(subject, text);
    INSERT INTO notes4 (docid, subject, text) VALUES (10, 'alpha', 'postgres migration'), (20, 'beta', NULL), (35, NULL, 'sqlite virtual table');
    CREATE VIRTUAL TABLE docs USING fts5(title, body);
    INSERT INTO docs (rowid, title, body) VALUES (1, 'Émile', 'unicode text café'), (7, 'zebra crossing', 'stripes');
    CREATE TABLE articles (id INTEGER PRIMARY KEY, headline TEXT NOT NULL, summary TEXT);
    INSERT INTO articles VALUES (1, 'Elephants return', 'herd seen near river'), (2, 'Budget passes', NULL);
    CREATE VIRTUAL TABLE articles_fts USING fts5(headline, summary, content='articles', content_rowid='id');
    INSERT INTO articles_fts (articles_fts) VALUES ('rebuild');
    CREATE VIRTUAL TABLE tokens_only USING fts5(word, content='');
    INSERT INTO tokens_only (rowid, word) VALUES (1, 'ephemeral');
    CREATE VIRTUAL TABLE boxes USING rtree(id, minX, maxX, minY, maxY);
    INSERT INTO boxes VALUES (1, 0.1, 0.2, -3.3, 4.4), (2, 10, 20, 30, 40);
    CREATE VIRTUAL TABLE grid USING rtree_i32(id, x0, x1, +label TEXT);
    INSERT INTO grid VALUES (5, -7, 9, 'cell'), (6, 100, 200, NULL);
  `);
  // A module better-sqlite3 lacks (spatialite's): the schema names it, SQLite cannot open it.
  d.unsafeMode(true);
  d.pragma("writable_schema = ON");
  d.prepare("INSERT INTO sqlite_schema (type, name, tbl_name, rootpage, sql) VALUES ('table', 'geo_index', 'geo_index', 0, ?)").run(
    "CREATE VIRTUAL TABLE geo_index USING VirtualSpatialIndex()",
  );
  d.pragma("writable_schema = OFF");
  d.unsafeMode(false);
}

describe("virtual tables", () => {
  const tmp = tempDir("vtables");
  let db: TestDatabase;
  let empty: TestDatabase;
  let file: string;
  let out: string;
  let decisions: Decision[];
  let migrated: { code: number; stdout: string; stderr: string };

  beforeAll(async () => {
    file = buildSqliteFile(tmp.dir, "vtables.db", build);
    db = await createTestDatabase("vtables");
    empty = await createTestDatabase("vtables_empty");
    out = join(tmp.dir, "prisma");
    migrated = await runCli(["migrate", file, "--to", db.url, "--out", out, "--yes", "--json"]);
    if (migrated.code === 0) decisions = (JSON.parse(migrated.stdout) as { decisions: Decision[] }).decisions;
  });
  afterAll(async () => {
    await db?.drop();
    await empty?.drop();
    tmp.cleanup();
  });

  const decisionFor = (table: string): string => decisions.filter((d) => d.table === table && (d.code === "virtual-table" || d.code === "left-out")).map((d) => d.message).join("\n");

  it("migrates with default flags (exit 0)", () => {
    expect(migrated.code, migrated.stderr + migrated.stdout).toBe(0);
  });

  it("FTS3, FTS4 and FTS5 tables holding their text: every row in PostgreSQL, the rowid as the key column", async () => {
    expect(await db.query('SELECT rowid::text, title, body FROM notes3 ORDER BY rowid')).toEqual([
      { rowid: "1", title: "first", body: "the quick brown fox" },
      { rowid: "2", title: "second", body: "jumps over the lazy dog" },
    ]);
    expect(await db.query('SELECT rowid::text, subject, text FROM notes4 ORDER BY rowid')).toEqual([
      { rowid: "10", subject: "alpha", text: "postgres migration" },
      { rowid: "20", subject: "beta", text: null },
      { rowid: "35", subject: null, text: "sqlite virtual table" },
    ]);
    expect(await db.query('SELECT rowid::text, title, body FROM docs ORDER BY rowid')).toEqual([
      { rowid: "1", title: "Émile", body: "unicode text café" },
      { rowid: "7", title: "zebra crossing", body: "stripes" },
    ]);
    const key = await db.query<{ column_name: string }>(
      `SELECT a.attname AS column_name FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
        WHERE i.indrelid = 'public.docs'::regclass AND i.indisprimary`,
    );
    expect(key.map((k) => k.column_name)).toEqual(["rowid"]);
    for (const t of ["notes3", "notes4", "docs"]) expect(decisionFor(t)).toMatch(/migrated as a plain table.*key column "rowid"/);
  });

  it("each FTS table gets a GIN index whose expression finds rows with @@ plainto_tsquery", async () => {
    const indexes = await db.query<{ tablename: string; indexdef: string }>(
      "SELECT tablename, indexdef FROM pg_indexes WHERE schemaname = 'public' AND indexdef LIKE '%USING gin%' ORDER BY tablename",
    );
    expect(indexes.map((i) => i.tablename)).toEqual(["articles", "docs", "notes3", "notes4"]);
    for (const i of indexes) expect(i.indexdef).toContain("to_tsvector('simple'::regconfig");
    const hit = await db.query<{ rowid: string }>(
      `SELECT rowid::text FROM notes4 WHERE to_tsvector('simple', coalesce("subject", '') || ' ' || coalesce("text", '')) @@ plainto_tsquery('simple', 'virtual table')`,
    );
    expect(hit).toEqual([{ rowid: "35" }]);
    const fts5 = await db.query<{ rowid: string }>(
      `SELECT rowid::text FROM docs WHERE to_tsvector('simple', coalesce("title", '') || ' ' || coalesce("body", '')) @@ plainto_tsquery('simple', 'café')`,
    );
    expect(fts5).toEqual([{ rowid: "1" }]);
  });

  it("an external-content FTS table becomes only the index on its content table", async () => {
    const tables = await db.query<{ tablename: string }>("SELECT tablename FROM pg_tables WHERE schemaname = 'public'");
    expect(tables.map((t) => t.tablename)).not.toContain("articles_fts");
    expect(await db.query("SELECT count(*)::int AS n FROM articles")).toEqual([{ n: 2 }]);
    const hit = await db.query<{ id: number }>(
      `SELECT id FROM articles WHERE to_tsvector('simple', coalesce("headline", '') || ' ' || coalesce("summary", '')) @@ plainto_tsquery('simple', 'river')`,
    );
    expect(hit).toEqual([{ id: 1 }]);
    expect(decisionFor("articles_fts")).toMatch(/external content \(content="articles"\).*GIN index "articles_fts_idx" on "articles"/);
  });

  it("a contentless FTS5 table and an unknown module are reported by name and left out", async () => {
    const tables = (await db.query<{ tablename: string }>("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")).map((t) => t.tablename);
    expect(tables).not.toContain("tokens_only");
    expect(tables).not.toContain("geo_index");
    expect(decisionFor("tokens_only")).toMatch(/contentless FTS5.*no text to copy; left out/);
    expect(decisionFor("geo_index")).toMatch(/module "virtualspatialindex" not migrated: module "virtualspatialindex" is not available/);
  });

  it("R-tree tables become plain tables with every row: double precision coordinates, integer for rtree_i32", async () => {
    // R-tree stores 32-bit floats: the values PostgreSQL holds are those floats, exactly as SQLite returns them.
    const source = new Database(file, { readonly: true });
    const expected = source.prepare("SELECT id, minX, maxX, minY, maxY FROM boxes ORDER BY id").all();
    source.close();
    expect(await db.query('SELECT id, "minX", "maxX", "minY", "maxY" FROM boxes ORDER BY id')).toEqual(expected);
    const types = await db.query<{ table_name: string; column_name: string; data_type: string }>(
      "SELECT table_name, column_name, data_type FROM information_schema.columns WHERE table_name IN ('boxes', 'grid') ORDER BY table_name, ordinal_position",
    );
    expect(types.filter((t) => t.table_name === "boxes").map((t) => t.data_type)).toEqual(["integer", "double precision", "double precision", "double precision", "double precision"]);
    expect(types.filter((t) => t.table_name === "grid").map((t) => `${t.column_name}:${t.data_type}`)).toEqual(["id:integer", "x0:integer", "x1:integer", "label:text"]);
    expect(await db.query("SELECT id, x0, x1, label FROM grid ORDER BY id")).toEqual([
      { id: 5, x0: -7, x1: 9, label: "cell" },
      { id: 6, x0: 100, x1: 200, label: null },
    ]);
    expect(decisionFor("boxes")).toMatch(/R-tree virtual table migrated as a plain table/);
  });

  it("no shadow table is a PostgreSQL table", async () => {
    const tables = (await db.query<{ tablename: string }>("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")).map((t) => t.tablename);
    const shadows = tables.filter((t) => SHADOW_SUFFIXES.some((s) => t.endsWith(`_${s}`)));
    expect(shadows).toEqual([]);
    expect(tables.sort()).toEqual(["_prisma_migrations", "articles", "boxes", "docs", "grid", "notes3", "notes4"]);
  });

  it("the schema has a model for each stand-in table, and plan's migration.sql applies cleanly to an empty database", async () => {
    const schema = readFileSync(join(out, "schema.prisma"), "utf8");
    // Models by Prisma's conventions, each mapped to its table (convert/naming/).
    for (const [m, t] of [["Notes3", "notes3"], ["Notes4", "notes4"], ["Doc", "docs"], ["Box", "boxes"], ["Grid", "grid"]]) expect(schema).toMatch(new RegExp(`model ${m} \\{[^}]*@@map\\("${t}"\\)\\n\\}`));
    const planOut = join(tmp.dir, "plan");
    const planned = await runCli(["plan", file, "--out", planOut, "-q"]);
    expect(planned.code, planned.stderr).toBe(0);
    const sql = readFileSync(join(planOut, "migrations", "0_init", "migration.sql"), "utf8");
    expect(sql).not.toMatch(/"title" ,/); // the invalid DDL an untyped FTS column used to produce
    await empty.query(sql);
    const created = (await empty.query<{ tablename: string }>("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")).map((t) => t.tablename);
    expect(created.sort()).toEqual(["articles", "boxes", "docs", "grid", "notes3", "notes4"]);
  });
});
