import { describe, expect, it } from "vitest";
import { planCoverage, type PlannedTable, type SourceTable } from "../../src/verify/coverage.js";

const col = (name: string, hidden = 0) => ({ name, hidden });
const source: SourceTable[] = [
  { name: "users", kind: "table", columns: [col("id"), col("email"), col("full", 3)] },
  { name: "posts", kind: "table", columns: [col("id"), col("body")] },
  { name: "docs", kind: "virtual", module: "fts5", columns: [col("body"), col("docs", 1), col("rank", 1)] },
  { name: "docs_data", kind: "shadow", owner: "docs", reason: "shadow of docs", columns: [] },
  { name: "sqlite_sequence", kind: "internal", reason: "counters", columns: [] },
];
const plan = (name: string, columns: string[]): PlannedTable => ({ name, pgName: name, columns: columns.map((c) => ({ name: c, pgName: c })) });

describe("planCoverage", () => {
  it("accounts for every table: migrated, internal, shadow, excluded", () => {
    const c = planCoverage({ source, planned: [plan("users", ["id", "email"]), plan("docs", ["body"])], selected: (t) => t !== "posts" });
    expect(c.ok).toBe(true);
    expect(c.migratedTables).toBe(2);
    expect(c.leftOut).toEqual([
      { table: "posts", reason: "left out by --tables/--exclude" },
      { table: "docs_data", reason: "shadow of docs" },
      { table: "sqlite_sequence", reason: "counters" },
    ]);
    // users: id, email, full (generated, computed by PostgreSQL); docs: body (hidden columns are not data)
    expect(c.sourceColumns).toBe(4);
  });

  it("names a table no plan covers, and a column the copy does not fill", () => {
    const c = planCoverage({ source, planned: [plan("users", ["id"])], selected: () => true });
    expect(c.ok).toBe(false);
    expect(c.missing).toEqual([
      { table: "users", column: "email", why: "the copy does not fill this column" },
      { table: "posts", why: "no PostgreSQL table is planned for it" },
      { table: "docs", why: "a virtual table (module fts5) that is not migrated" },
    ]);
  });

  it("a table or column left out on purpose is a reviewed line, not a gap", () => {
    const c = planCoverage({
      source,
      planned: [plan("users", ["id"]), plan("posts", ["id", "body"])],
      selected: () => true,
      leftOutOnPurpose: new Map([
        ["docs", "external-content full-text table: an index on its content table"],
        ["users.email", "a reviewed reason"],
      ]),
    });
    expect(c.ok).toBe(true);
    expect(c.leftOut.slice(0, 2)).toEqual([
      { table: "users", column: "email", reason: "a reviewed reason" },
      { table: "docs", reason: "external-content full-text table: an index on its content table" },
    ]);
  });
});
