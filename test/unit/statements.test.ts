/**
 * The baseline's statements classified once by the plan (src/plan/statements.ts, through split.ts), on real
 * Prisma output: the reviewed golden migrations (test/golden/, checked against Prisma by schema-conversion.test.ts)
 * and test/fixtures/prisma-shapes/migration.sql, which `prisma migrate diff --from-empty --to-schema-datamodel
 * schema.prisma --script` wrote for the schema.prisma beside it (an enum, a composite key, a composite foreign key,
 * a hash index). Apply runs statements by these kinds; what is not recognised must be "extra".
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { splitMigration } from "../../src/plan/split.js";
import { namesSchema, postDataStatement, preDataStatement, type PlannedStatement } from "../../src/plan/statements.js";
import { renderExtrasSql } from "../../src/convert/extras/render.js";

const GOLDEN = join(__dirname, "..", "golden");
const statementsOf = (sql: string): PlannedStatement[] => {
  const split = splitMigration(sql);
  return [...split.preData, ...split.postData];
};
const sections = (sql: string, kind: string): number => sql.split("\n").filter((l) => l === `-- ${kind}`).length;
const quoted = (name: string): string => `"${name.replace(/"/g, '""')}"`;

describe.each(readdirSync(GOLDEN))("golden migration %s", (dir) => {
  const sql = readFileSync(join(GOLDEN, dir, "migration.sql"), "utf8");
  const statements = statementsOf(sql);
  const of = <K extends PlannedStatement["kind"]>(kind: K) => statements.filter((s): s is Extract<PlannedStatement, { kind: K }> => s.kind === kind);

  it("recognises every statement Prisma wrote: one schema, a table per CreateTable, an index per CreateIndex, a foreign key per AddForeignKey", () => {
    expect(of("extra")).toEqual([]);
    expect(of("schema").map((s) => s.name)).toEqual(["public"]);
    expect(of("table")).toHaveLength(sections(sql, "CreateTable"));
    expect(of("index")).toHaveLength(sections(sql, "CreateIndex"));
    expect(of("foreignKey")).toHaveLength(sections(sql, "AddForeignKey"));
  });

  it("names the table each statement belongs to, as the statement spells it", () => {
    const tables = new Set(of("table").map((t) => t.table));
    for (const t of of("table")) expect(t.sql.startsWith(`CREATE TABLE ${quoted(t.table)} (`)).toBe(true);
    for (const k of of("primaryKey")) {
      expect(tables.has(k.table)).toBe(true);
      expect(k.sql.startsWith(`ALTER TABLE ${quoted(k.table)} ADD CONSTRAINT ${quoted(k.name)} PRIMARY KEY (`)).toBe(true);
    }
    for (const i of of("index")) {
      expect(tables.has(i.table)).toBe(true);
      expect(i.sql).toMatch(new RegExp(`^CREATE (UNIQUE )?INDEX ${quoted(i.name)} ON ${quoted(i.table)}\\(`));
    }
    for (const fk of of("foreignKey")) {
      expect(tables.has(fk.table) && tables.has(fk.references.table)).toBe(true);
      expect(fk.sql).toContain(`FOREIGN KEY (${fk.columns.map(quoted).join(", ")}) REFERENCES ${quoted(fk.references.table)}(${fk.references.columns.map(quoted).join(", ")})`);
    }
    // Every statement's text is Prisma's (a deferred key repeats the CREATE TABLE's own constraint text).
    for (const s of statements) if (s.kind !== "primaryKey" && s.kind !== "table") expect(sql).toContain(s.sql);
  });
});

describe("classification on real Prisma output", () => {
  it("test_pk.db: the foreign key's table, columns and referenced table as data", () => {
    const fks = statementsOf(readFileSync(join(GOLDEN, "test_pk.db", "migration.sql"), "utf8")).filter((s) => s.kind === "foreignKey");
    expect(fks.map(({ sql: _, ...fk }) => fk)).toEqual([
      {
        kind: "foreignKey",
        table: "division",
        name: "division_division_kind_id_fkey",
        columns: ["division_kind_id"],
        references: { table: "division_kind", columns: ["division_kind_id"] },
      },
    ]);
  });

  it("an enum, composite keys and a composite foreign key; an index Prisma writes with USING stays extra (the final transaction)", () => {
    const sql = readFileSync(join(__dirname, "..", "fixtures", "prisma-shapes", "migration.sql"), "utf8");
    expect(statementsOf(sql).map(({ sql: _, ...s }) => s)).toEqual([
      { kind: "schema", name: "public" },
      { kind: "enum", name: "Role" },
      { kind: "table", table: "Parent" },
      { kind: "table", table: "Child" },
      { kind: "primaryKey", table: "Parent", name: "Parent_pkey" },
      { kind: "primaryKey", table: "Child", name: "Child_pkey" },
      { kind: "extra" },
      { kind: "index", table: "Child", name: "Child_pa_pb_key" },
      { kind: "foreignKey", table: "Child", name: "Child_pa_pb_fkey", columns: ["pa", "pb"], references: { table: "Parent", columns: ["a", "b"] } },
    ]);
    expect(statementsOf(sql).find((s) => s.kind === "extra")?.sql).toBe('CREATE INDEX "Parent_role_idx" ON "Parent" USING HASH ("role");');
  });

  it("the extra SQL appended to the migration is extra, after the data", () => {
    const extras = renderExtrasSql([
      `CREATE INDEX "users_active" ON "users" ("email") WHERE "n" > 0;`,
      `ALTER TABLE "users" ADD CONSTRAINT "users_3_check" CHECK ("n" >= 0);`,
      `CREATE VIEW "v_ok" AS SELECT "id" FROM "users";`,
    ]);
    const split = splitMigration(`-- CreateSchema\nCREATE SCHEMA IF NOT EXISTS "public";\n\n${extras}`);
    expect(split.postData.map((s) => s.kind)).toEqual(["extra", "extra", "extra"]);
  });

  it("a schema-qualified name or two statements in one section is extra: never built per table, never dropped as a foreign key", () => {
    expect(preDataStatement('CREATE TABLE "app"."t" (\n    "id" INTEGER NOT NULL\n);').kind).toBe("extra");
    expect(preDataStatement('CREATE TABLE "a" ("id" INTEGER);\nCREATE TABLE "b" ("id" INTEGER);').kind).toBe("extra");
    expect(preDataStatement('CREATE EXTENSION IF NOT EXISTS "citext";').kind).toBe("extra");
    expect(postDataStatement('CREATE INDEX "i" ON "app"."t"("id");').kind).toBe("extra");
    expect(postDataStatement('ALTER TABLE "app"."t" ADD CONSTRAINT "f" FOREIGN KEY ("p") REFERENCES "p"("id");').kind).toBe("extra");
    expect(postDataStatement('CREATE INDEX "i" ON "t"("id");\nCREATE INDEX "j" ON "t"("x");').kind).toBe("extra");
    expect(postDataStatement('CREATE INDEX "i" ON "t"("id");\n').kind).toBe("index");
  });

  it("keeps doubled quotes in names as PostgreSQL reads them", () => {
    expect(postDataStatement('ALTER TABLE "o""t" ADD CONSTRAINT "f" FOREIGN KEY ("a,b", "c") REFERENCES "p""q"("x")')).toMatchObject({
      kind: "foreignKey",
      table: 'o"t',
      columns: ["a,b", "c"],
      references: { table: 'p"q', columns: ["x"] },
    });
  });
});

describe("namesSchema", () => {
  it("finds a statement that qualifies a name with the target schema, quoted or not", () => {
    const s = (sql: string) => [postDataStatement(sql)];
    expect(namesSchema(s('CREATE VIEW "v" AS SELECT * FROM "app"."t";'), "app")).toBe(true);
    expect(namesSchema(s('CREATE VIEW "v" AS SELECT * FROM app."t";'), "app")).toBe(true);
    expect(namesSchema(s('CREATE VIEW "v" AS SELECT * FROM "t";'), "app")).toBe(false);
    expect(namesSchema([preDataStatement('CREATE SCHEMA IF NOT EXISTS "app";')], "app")).toBe(false);
  });
});
