import { describe, expect, it } from "vitest";
import type { SqliteColumn, SqliteForeignKey, SqliteTable } from "../../src/core/catalog.js";
import { columnKey, planNocase } from "../../src/convert/nocase.js";

function col(name: string, declaredType = "TEXT", pkOrder = 0): SqliteColumn {
  return { name, declaredType, notNull: false, defaultSql: null, pkOrder, hidden: 0 };
}

function table(name: string, sql: string, columns: SqliteColumn[], foreignKeys: SqliteForeignKey[] = []): SqliteTable {
  return { name, sql, columns, indexes: [], foreignKeys, withoutRowid: false, autoincrement: false, sequence: null, rowCount: 0 };
}

const fk = (tableName: string, from: string[], to: (string | null)[]): SqliteForeignKey => ({ id: 0, table: tableName, from, to, onUpdate: "NO ACTION", onDelete: "NO ACTION" });

describe("planNocase", () => {
  const users = table("users", "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT COLLATE NOCASE, n INTEGER COLLATE NOCASE, v VARCHAR(9) collate nocase, bio TEXT)", [
    col("id", "INTEGER", 1), col("email"), col("n", "INTEGER"), col("v", "VARCHAR(9)"), col("bio"),
  ]);

  it("takes text columns declared COLLATE NOCASE (any case of the keyword), not other types or other columns", () => {
    const plan = planNocase({ tables: [users], views: [], triggers: [] }, { available: true });
    expect([...plan.citext].sort()).toEqual([columnKey("users", "email"), columnKey("users", "v")]);
    expect(plan.kept.size).toBe(0);
  });

  it("keeps every NOCASE column as text, with the reason, when the target cannot use citext", () => {
    const plan = planNocase({ tables: [users], views: [], triggers: [] }, { available: false, reason: "no contrib" });
    expect(plan.citext.size).toBe(0);
    expect(plan.kept.get(columnKey("users", "email"))).toBe("no contrib");
  });

  it("a foreign key between a NOCASE column and a case-sensitive one keeps both sides one type (text)", () => {
    const codes = table("codes", "CREATE TABLE codes (code TEXT COLLATE NOCASE PRIMARY KEY)", [col("code", "TEXT", 1)]);
    const exact = table("exact", "CREATE TABLE exact (code TEXT REFERENCES codes)", [col("code")], [fk("codes", ["code"], [null])]);
    const alike = table("alike", "CREATE TABLE alike (code TEXT COLLATE NOCASE REFERENCES codes(code))", [col("code")], [fk("codes", ["code"], ["code"])]);
    const both = planNocase({ tables: [codes, alike], views: [], triggers: [] }, { available: true });
    expect([...both.citext].sort()).toEqual([columnKey("alike", "code"), columnKey("codes", "code")]);
    // exact.code is not NOCASE: codes.code stays text, and then alike.code (joined to it) too.
    const mixed = planNocase({ tables: [codes, exact, alike], views: [], triggers: [] }, { available: true });
    expect(mixed.citext.size).toBe(0);
    expect(mixed.kept.get(columnKey("codes", "code"))).toMatch(/foreign key exact\(code\) → codes\(code\)/);
    expect(mixed.kept.get(columnKey("alike", "code"))).toMatch(/foreign key alike\(code\) → codes\(code\)/);
  });
});
