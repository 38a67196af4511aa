import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { classifySourceTables, readSourceTables, virtualModule } from "../../src/introspect/source-tables.js";

describe("source tables", () => {
  it("reads the module of a virtual table", () => {
    expect(virtualModule('CREATE VIRTUAL TABLE "docs" USING fts5(title, body)')).toBe("fts5");
    expect(virtualModule("create virtual table if not exists [t x] using RTREE(id, a, b)")).toBe("rtree");
    expect(virtualModule("CREATE TABLE t (a)")).toBeUndefined();
  });

  it("classifies user, virtual, shadow and internal tables of a real file", () => {
    const db = new Database(":memory:");
    db.exec(`CREATE TABLE posts (id INTEGER PRIMARY KEY, body TEXT);
      CREATE VIRTUAL TABLE docs USING fts5(title, body);
      CREATE VIRTUAL TABLE old USING fts4(body);
      CREATE VIRTUAL TABLE boxes USING rtree(id, minx, maxx);
      CREATE TABLE docs_notes (x);
      CREATE TABLE _prisma_migrations (id TEXT);
      CREATE TABLE _Migration (revision INTEGER);
      CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT);`);
    const byName = new Map(readSourceTables(db).map((t) => [t.name, t]));
    expect(byName.get("posts")?.kind).toBe("table");
    expect(byName.get("docs")).toEqual({ name: "docs", kind: "virtual", module: "fts5" });
    expect(byName.get("old")?.module).toBe("fts4");
    for (const s of ["docs_data", "docs_idx", "docs_content", "docs_docsize", "docs_config", "old_segments", "old_segdir", "old_stat", "boxes_node", "boxes_parent", "boxes_rowid"]) {
      expect(byName.get(s)?.kind, s).toBe("shadow");
    }
    expect(byName.get("docs_data")?.owner).toBe("docs");
    // A user's table that merely shares a virtual table's prefix is user data.
    expect(byName.get("docs_notes")?.kind).toBe("table");
    expect(byName.get("_prisma_migrations")?.kind).toBe("internal");
    expect(byName.get("_Migration")?.kind).toBe("internal");
    expect(byName.get("sqlite_sequence")?.kind).toBe("internal");
  });

  it("falls back to the documented shadow names when SQLite cannot tell", () => {
    const rows = [
      { type: "table", name: "x", sql: "CREATE VIRTUAL TABLE x USING fts4(a)" },
      { type: "table", name: "x_segdir", sql: "CREATE TABLE 'x_segdir'(level)" },
      { type: "table", name: "x_other", sql: "CREATE TABLE x_other(a)" },
    ];
    expect(classifySourceTables(rows).map((t) => t.kind)).toEqual(["virtual", "shadow", "table"]);
  });
});
