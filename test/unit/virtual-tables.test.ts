import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { convertVirtualTables, tsvectorExpression, type MigratedTable } from "../../src/convert/virtual-tables.js";
import { tokenize, translate, type ColumnKind } from "../../src/convert/sql/index.js";
import { readSourceTables } from "../../src/introspect/source-tables.js";
import { unpreparableViews } from "../../src/introspect/unpreparable-views.js";
import { describeVirtualTables, ftsOption, moduleArguments } from "../../src/introspect/virtual-tables.js";
import { type SqliteVirtualTable } from "../../src/core/catalog.js";

function describeAll(sql: string): SqliteVirtualTable[] {
  const db = new Database(":memory:");
  try {
    db.exec(sql);
    const rows = db.prepare("SELECT type, name, sql FROM sqlite_schema").all() as { type: string; name: string; sql: string }[];
    return describeVirtualTables(db, readSourceTables(db), (n) => rows.find((r) => r.name === n)!.sql, (n) => rows.find((r) => r.name.toLowerCase() === n.toLowerCase())?.type);
  } finally {
    db.close();
  }
}

const migrated = (pgName: string, cols: Record<string, ColumnKind>): MigratedTable => ({
  pgName,
  columns: new Map(Object.keys(cols).map((c) => [c, c])),
  kinds: new Map(Object.entries(cols)),
});

describe("module arguments", () => {
  it("splits at top-level commas, keeping quotes and parentheses", () => {
    expect(moduleArguments(`CREATE VIRTUAL TABLE t USING fts5(a, "b, c", tokenize = 'porter ascii', content='x''y')`)).toEqual([
      "a",
      '"b, c"',
      "tokenize = 'porter ascii'",
      "content='x''y'",
    ]);
    expect(moduleArguments("CREATE VIRTUAL TABLE t USING VirtualSpatialIndex()")).toEqual([]);
  });

  it("reads FTS options in FTS3/4 and FTS5 spelling; an empty content is contentless", () => {
    expect(ftsOption(moduleArguments(`CREATE VIRTUAL TABLE s USING FTS4 (a, [b c], content="searchable")`), "content")).toBe("searchable");
    expect(ftsOption(moduleArguments("CREATE VIRTUAL TABLE s USING fts5(a, content='')"), "content")).toBe("");
    expect(ftsOption(moduleArguments("CREATE VIRTUAL TABLE s USING fts5(a, b)"), "content")).toBeUndefined();
  });
});

describe("describeVirtualTables", () => {
  it("tells own-content, external-content and contentless FTS, R-trees and their stand-in tables apart", () => {
    const found = describeAll(`
      CREATE TABLE src (id INTEGER PRIMARY KEY, t TEXT);
      CREATE VIRTUAL TABLE own USING fts5(title, body);
      CREATE VIRTUAL TABLE ext USING fts5(t, content='src', content_rowid='id');
      CREATE VIRTUAL TABLE gone USING fts4(t, content="nowhere");
      CREATE VIRTUAL TABLE empty USING fts5(t, content='');
      CREATE VIRTUAL TABLE box USING rtree(id, x0, x1, +note TEXT);
      CREATE VIRTUAL TABLE cells USING rtree_i32(id, a, b);
    `);
    const by = new Map(found.map((v) => [v.name, v]));
    expect(by.get("own")).toMatchObject({ kind: "fts", columns: ["title", "body"], keyColumn: "rowid", plainSql: 'CREATE TABLE "own" ("rowid" INTEGER PRIMARY KEY, "title" TEXT, "body" TEXT)' });
    expect(by.get("own")!.shadowTables).toEqual(expect.arrayContaining(["own_data", "own_idx", "own_content", "own_docsize", "own_config"]));
    expect(by.get("ext")).toMatchObject({ kind: "fts-external", contentTable: "src", contentType: "table" });
    expect(by.get("ext")!.plainSql).toBeUndefined();
    expect(by.get("gone")).toMatchObject({ kind: "fts-external", contentTable: "nowhere" });
    expect(by.get("gone")!.contentType).toBeUndefined();
    expect(by.get("empty")).toMatchObject({ kind: "fts-contentless" });
    expect(by.get("box")).toMatchObject({ kind: "rtree", plainSql: 'CREATE TABLE "box" ("id" INTEGER PRIMARY KEY, "x0" DOUBLE PRECISION, "x1" DOUBLE PRECISION, "note" TEXT)' });
    expect(by.get("cells")!.plainSql).toBe('CREATE TABLE "cells" ("id" INTEGER PRIMARY KEY, "a" INTEGER, "b" INTEGER)');
  });
});

describe("convertVirtualTables", () => {
  const relationNames = () => new Set<string>();

  it("an FTS table gets a GIN index over its text columns; numbers are cast, other kinds refuse the index", () => {
    expect(tsvectorExpression(migrated("d", { a: "text", n: "int" }), ["a", "n"])).toEqual({
      sql: `to_tsvector('simple', coalesce("a", '') || ' ' || coalesce("n"::text, ''))`,
    });
    expect(tsvectorExpression(migrated("d", { at: "timestamp" }), ["at"])).toEqual({ reason: "column at is timestamp in PostgreSQL, which has no immutable text form to index" });
    const [own] = describeAll("CREATE VIRTUAL TABLE docs USING fts5(title, body)");
    const result = convertVirtualTables([own], (n) => (n === "docs" ? migrated("docs", { rowid: "int", title: "text", body: "text" }) : undefined), relationNames());
    expect(result.postDataSql).toEqual([`CREATE INDEX "docs_fts_idx" ON "docs" USING gin (to_tsvector('simple', coalesce("title", '') || ' ' || coalesce("body", '')));`]);
    expect(result.decisions[0]).toMatchObject({ table: "docs", code: "virtual-table" });
  });

  it("columns FTS does not index (FTS5 UNINDEXED, FTS4 notindexed=) are copied but not in the GIN index", () => {
    const found = describeAll(`
      CREATE VIRTUAL TABLE five USING fts5(title, path UNINDEXED);
      CREATE VIRTUAL TABLE four USING fts4(title, path, notindexed=path);
    `);
    for (const v of found) expect(v.indexedColumns, v.name).toEqual(["title"]);
    const result = convertVirtualTables(found, (n) => migrated(n, { rowid: "int", title: "text", path: "text" }), relationNames());
    expect(result.postDataSql).toEqual([
      `CREATE INDEX "five_fts_idx" ON "five" USING gin (to_tsvector('simple', coalesce("title", '')));`,
      `CREATE INDEX "four_fts_idx" ON "four" USING gin (to_tsvector('simple', coalesce("title", '')));`,
    ]);
  });

  it("external content: the index goes on the content table, or the table is reported when the content is missing", () => {
    const found = describeAll(`
      CREATE TABLE src (id INTEGER PRIMARY KEY, t TEXT);
      CREATE VIRTUAL TABLE ext USING fts5(t, content='src');
      CREATE VIRTUAL TABLE gone USING fts4(t, content="nowhere");
    `);
    const result = convertVirtualTables(found, (n) => (n === "src" ? migrated("src", { id: "int", t: "text" }) : undefined), relationNames());
    expect(result.postDataSql).toEqual([`CREATE INDEX "src_fts_idx" ON "src" USING gin (to_tsvector('simple', coalesce("t", '')));`]);
    expect(result.decisions.find((d) => d.table === "gone")?.message).toMatch(/left out: the content table "nowhere" does not exist in the file/);
  });
});

describe("unpreparableViews", () => {
  it("names views over missing tables and views calling the application's functions, with SQLite's reason", () => {
    const dir = mkdtempSync(join(tmpdir(), "s2p-unprep-"));
    try {
      const path = join(dir, "app.db");
      const app = new Database(path);
      app.function("title_sort", (a: unknown) => a);
      app.exec(`CREATE TABLE t (a TEXT); CREATE VIEW ok AS SELECT a FROM t; CREATE TABLE missing (x);
        CREATE VIEW lost AS SELECT * FROM missing; CREATE VIEW lost2 AS SELECT * FROM lost;
        CREATE VIEW sorted AS SELECT title_sort(a) AS s FROM t; DROP TABLE missing;`);
      app.close();
      // Opened as the migration opens it: without the application's title_sort().
      const db = new Database(path, { readonly: true });
      expect(unpreparableViews(db, ["ok", "lost", "lost2", "sorted"])).toEqual(
        new Map([
          ["lost", "no such table: main.missing"],
          ["lost2", "no such table: main.missing"],
          ["sorted", "no such function: title_sort"],
        ]),
      );
      db.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("operand type check through parentheses", () => {
  const scope = { names: new Map([["products", "Products"], ["discontinued", "Discontinued"]]), kinds: new Map<string, ColumnKind>([["discontinued", "text"]]), closed: false };
  it("sees a qualified column behind grouping parentheses, on either side", () => {
    for (const sql of ["SELECT 1 FROM Products WHERE (((Products.Discontinued)=0))", "SELECT 1 FROM Products WHERE 0 = (Products.Discontinued)", "SELECT 1 FROM Products WHERE Products.Discontinued <> 1"]) {
      const r = translate(tokenize(sql), scope);
      expect(r.ok, sql).toBe(false);
      if (!r.ok) expect(r.reason).toMatch(/text column "Discontinued" compared with the number/);
    }
  });
  it("checks IN lists after a parenthesised column too", () => {
    const r = translate(tokenize("SELECT 1 FROM Products WHERE (Products.Discontinued) IN (0, 1)"), scope);
    expect(r.ok).toBe(false);
  });
  it("leaves a function's parentheses alone", () => {
    expect(translate(tokenize("SELECT 1 FROM Products WHERE length(Discontinued) = 0"), scope).ok).toBe(true);
  });
});
