/**
 * The statement scanner the drift check uses to replay the run's own baseline in groups (src/verify/drift/replay.ts):
 * a `;` inside a string, a quoted identifier, a dollar-quoted body or a comment never ends a statement, and the
 * pieces always join back into the file.
 */
import { describe, expect, it } from "vitest";
import { replayGroups, splitStatements } from "../../src/verify/drift/replay.js";

describe("splitStatements", () => {
  it("cuts after each top-level ';' and keeps every character", () => {
    const sql = '-- CreateTable\nCREATE TABLE "a" ("id" INTEGER);\n\n-- CreateIndex\nCREATE INDEX "i" ON "a"("id");\n';
    const pieces = splitStatements(sql)!;
    expect(pieces).toEqual(['-- CreateTable\nCREATE TABLE "a" ("id" INTEGER);', '\n\n-- CreateIndex\nCREATE INDEX "i" ON "a"("id");', "\n"]);
    expect(pieces.join("")).toBe(sql);
  });

  it("never cuts inside strings, identifiers, dollar quotes or comments", () => {
    const cases = [
      `CREATE TABLE "x;y" ("v" TEXT DEFAULT 'a;b''c;');`,
      `CREATE TABLE "t" ("v" TEXT DEFAULT E'it\\'s; here');`,
      `CREATE FUNCTION f() RETURNS int AS $body$ SELECT 1; SELECT 2; $body$ LANGUAGE sql;`,
      `CREATE FUNCTION g() RETURNS int AS $$ BEGIN RETURN 1; END; $$ LANGUAGE plpgsql;`,
      `-- a comment; with a semicolon\nCREATE TABLE "c" ("id" INT);`,
      `/* outer /* nested; */ still; */ CREATE TABLE "d" ("id" INT);`,
      `CREATE VIEW "v" AS SELECT 'x -- not a comment;' AS s;`,
    ];
    for (const sql of cases) expect(splitStatements(sql), sql).toEqual([sql]);
  });

  it("a '$1' parameter or an identifier with '$' is not a dollar quote", () => {
    const sql = `CREATE TABLE a$b ("id" INT);SELECT $1;`;
    expect(splitStatements(sql)).toEqual(["CREATE TABLE a$b (\"id\" INT);", "SELECT $1;"]);
  });

  it("refuses what it cannot follow: an unterminated string, body or comment, a statement without ';'", () => {
    expect(splitStatements("SELECT 'open;")).toBeNull();
    expect(splitStatements("SELECT $x$ open;")).toBeNull();
    expect(splitStatements("/* open; ")).toBeNull();
    expect(splitStatements("SELECT 1; SELECT 2")).toBeNull();
  });
});

describe("replayGroups", () => {
  it("groups statements by the lock budget (~5 per statement) and joins back to the file", () => {
    const sql = Array.from({ length: 7 }, (_, i) => `CREATE TABLE "t${i}" ("id" SERIAL);\n`).join("");
    const groups = replayGroups(sql, 10)!;
    expect(groups).toHaveLength(4); // 2 statements per group, then the last one and the trailing newline
    expect(groups.join("")).toBe(sql);
    expect(replayGroups("SELECT 'open;", 64)).toBeNull();
  });
});
