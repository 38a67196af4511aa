import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { balanced } from "../../src/copy/sql-chunks.js";

describe("balanced: a long || or AND chain SQLite accepts", () => {
  it("nests halves", () => {
    expect(balanced(["a"], "||")).toBe("a");
    expect(balanced(["a", "b", "c"], "||")).toBe("(a || (b || c))");
    expect(balanced(["a", "b", "c", "d"], "AND")).toBe("((a AND b) AND (c AND d))");
  });
  it("stays under SQLite's expression depth limit where a flat chain does not, with the same value", () => {
    const db = new Database(":memory:");
    const terms = Array.from({ length: 4000 }, (_, i) => `'${i % 10}'`);
    expect(() => db.prepare(`SELECT ${terms.join(" || ")}`)).toThrow(/Expression tree is too large/);
    expect(db.prepare(`SELECT ${balanced(terms, "||")}`).pluck().get()).toBe(terms.map((t) => t[1]).join(""));
    db.close();
  });
});
