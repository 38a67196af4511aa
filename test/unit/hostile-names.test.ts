import { getSchema, printSchema, type Model } from "@mrleebo/prisma-ast";
import { describe, expect, it } from "vitest";
import { annotateModels } from "../../src/convert/annotate.js";
import { fitConstraintNames } from "../../src/convert/constraint-names.js";
import { pgNamesFor, renameMessage } from "../../src/convert/pg-names.js";
import { planCloneNames, prismaCleanName, restoreCloneNames } from "../../src/convert/prisma-names.js";
import { reconcileRelations, withoutLeftOutForeignKeys } from "../../src/convert/relations.js";

function modelsOf(schema: string): { ast: ReturnType<typeof getSchema>; models: Map<Model, string> } {
  const ast = getSchema(schema);
  const models = new Map(ast.list.filter((b): b is Model => b.type === "model").map((m) => [m, m.name]));
  return { ast, models };
}

describe("pgNamesFor", () => {
  it("keeps usable names and renames empty, double-quoted, system-column and long names, distinct from the kept ones", () => {
    const long = `c_${"x".repeat(70)}`;
    const names = pgNamesFor(["id", "", 'a"b', "xmin", "xmin_", "XMIN", "ctid", "oid", long], "column");
    expect(names.get("id")).toEqual({ name: "id" });
    expect(names.get("")).toEqual({ name: "unnamed_column", reason: "is empty, which PostgreSQL refuses" });
    expect(names.get('a"b')?.name).toBe("a_b");
    // xmin_ is taken by a real column: the renamed xmin gets the hashed form.
    expect(names.get("xmin")?.name).toMatch(/^xmin__[0-9a-f]{8}$/);
    expect(names.get("xmin_")).toEqual({ name: "xmin_" });
    // System column names are lower case; PostgreSQL compares quoted names exactly, and oid stopped being one in 12.
    expect(names.get("XMIN")).toEqual({ name: "XMIN" });
    expect(names.get("oid")).toEqual({ name: "oid" });
    expect(names.get("ctid")?.name).toBe("ctid_");
    expect(Buffer.byteLength(names.get(long)!.name)).toBe(63);
    expect(new Set([...names.values()].map((n) => n.name)).size).toBe(names.size);
  });

  it("does not treat system column names as special for tables, and names an empty table", () => {
    const names = pgNamesFor(["xmin", ""], "table");
    expect(names.get("xmin")).toEqual({ name: "xmin" });
    expect(names.get("")?.name).toBe("unnamed_table");
  });

  it("words the decision, keeping the long-name wording as it was", () => {
    expect(renameMessage("column", "ctid", { name: "ctid_", reason: "is the name of a PostgreSQL system column (ctid)" })).toBe(
      'column name "ctid" is the name of a PostgreSQL system column (ctid); created as "ctid_" (@map), the data is kept',
    );
    expect(renameMessage("table", "t", { name: "t_1", reason: "is longer than PostgreSQL's 63-byte limit" })).toBe(
      `table name is longer than PostgreSQL's 63-byte limit; created as "t_1" (@@map)`,
    );
  });
});

describe("prismaCleanName / planCloneNames", () => {
  it("derives names as prisma db pull does", () => {
    expect(["a b", "a-b", "1st", "_x", "-a", "a-", "日本", "é", "", " ", "$1", "ok"].map(prismaCleanName)).toEqual([
      "a_b", "a_b", "st", "x", "a", "a_", "", "", "", "", "", "ok",
    ]);
  });

  it("renames every name but the one already clean among those that clean up alike, and the unnameable ones", () => {
    const plan = planCloneNames(
      [
        { name: "a b", columns: ["id", "x y", "x_y", "x-y", "", " "] },
        { name: "a_b", columns: ["id"] },
        { name: "a-b", columns: ["id"] },
        { name: "String", columns: ["id"] },
        { name: 'q"t', columns: ['c"d'] },
        { name: "日本", columns: ["id"] },
        { name: "plain", columns: ["id", "v"] },
      ],
      ["a_b_2"], // an index of that name: SQLite's tables and indexes share a namespace
    );
    expect(plan.tables.map((r) => [r.real, r.clone])).toEqual([
      ["a b", "a_b_3"],
      ["a-b", "a_b_4"],
      ["String", "RenamedString"],
      ['q"t', "q_t"],
      ["日本", "table"],
    ]);
    expect(plan.tables[0].reason).toBe('would be named a_b by Prisma, like table "a_b"');
    expect(plan.tables[2].reason).toBe("is a Prisma scalar type name (String), which a model cannot have");
    expect(plan.columns.get("a b")?.map((r) => [r.real, r.clone])).toEqual([
      ["x y", "x_y_2"],
      ["x-y", "x_y_3"],
      ["", "column"],
      [" ", "column_2"],
    ]);
    expect(plan.columns.get('q"t')?.map((r) => r.clone)).toEqual(["c_d"]);
    expect(plan.columns.has("plain")).toBe(false);
  });

  it("keeps the first of names none of which is clean", () => {
    const plan = planCloneNames([{ name: "t", columns: ["x y", "x-y"] }]);
    expect(plan.columns.get("t")?.map((r) => [r.real, r.clone])).toEqual([["x-y", "x_y_2"]]);
  });
});

describe("restoreCloneNames", () => {
  it("maps renamed models and fields back to the real names, escaped as Prisma strings", () => {
    const pulled = `model q_t {\n  id  Int     @id\n  c_d String?\n}\n\nmodel plain {\n  id Int @id\n}\n`;
    const plan = planCloneNames([{ name: 'q"t', columns: ["id", 'c"d'] }, { name: "plain", columns: ["id"] }]);
    const { schema, decisions } = restoreCloneNames(pulled, plan);
    expect(schema).toContain('c_d String? @map("c\\"d")');
    expect(schema).toContain('@@map("q\\"t")');
    expect(schema).toMatch(/model plain {\n {2}id Int @id\n}/);
    expect(decisions.map((d) => [d.table, d.column, d.code])).toEqual([
      ['q"t', undefined, "model-name"],
      ['q"t', 'c"d', "field-name"],
    ]);
  });

  it("returns the schema untouched when nothing was renamed", () => {
    const pulled = "model a {\n  id Int @id\n}\n";
    expect(restoreCloneNames(pulled, planCloneNames([{ name: "a", columns: ["id"] }])).schema).toBe(pulled);
  });
});

describe("fitConstraintNames", () => {
  it("shortens map: names beyond 63 bytes deterministically, never onto a kept or table name", () => {
    const long = `IDX_${"a".repeat(61)}`; // 65 bytes
    const schema = `model t {\n  id Int @id(map: "${long}_pk")\n  v  Int @unique(map: "short")\n\n  @@index([v], map: "${long}")\n  @@unique([id, v], map: "${long}_u")\n}\n`;
    const { ast, models } = modelsOf(schema);
    const decisions = fitConstraintNames(models, ["t"]);
    const printed = printSchema(ast);
    const names = [...printed.matchAll(/map: "([^"]+)"/g)].map((m) => m[1]);
    expect(names).toHaveLength(4);
    expect(names).toContain("short");
    expect(new Set(names).size).toBe(4);
    for (const n of names) expect(Buffer.byteLength(n)).toBeLessThanOrEqual(63);
    expect(decisions.map((d) => d.message.replace(/"[^"]+"$/, '"…"'))).toEqual([
      `index name ${long}_pk is longer than PostgreSQL's 63-byte limit; created as "…"`,
      `index name ${long} is longer than PostgreSQL's 63-byte limit; created as "…"`,
      `index name ${long}_u is longer than PostgreSQL's 63-byte limit; created as "…"`,
    ]);
    // Same input, same names: reruns produce the same schema.
    const again = modelsOf(schema);
    fitConstraintNames(again.models, ["t"]);
    expect(printSchema(again.ast)).toBe(printed);
  });
});

describe("reconcileRelations", () => {
  it("gives a key and every reference one type: BigInt when any side is BigInt", () => {
    const { ast, models } = modelsOf(`
model user {
  id    Int    @id @default(autoincrement())
  posts post[]
  notes note[]
}
model post {
  id        Int    @id
  author_id BigInt
  author    user   @relation(fields: [author_id], references: [id])
}
model note {
  id      Int  @id
  user_id Int  @db.SmallInt
  user    user @relation(fields: [user_id], references: [id])
}
`);
    const { decisions, widened, leftOut } = reconcileRelations(models);
    expect(widened.map((w) => `${w.model.name}.${w.field.name}`).sort()).toEqual(["note.user_id", "user.id"]);
    expect(leftOut).toEqual([]);
    const printed = printSchema(ast);
    expect(printed).toMatch(/id +BigInt +@id @default\(autoincrement\(\)\)/);
    expect(printed).toMatch(/user_id BigInt\n/); // SmallInt does not apply to BigInt
    expect(decisions.map((d) => `${d.table}.${d.column}`).sort()).toEqual(["note.user_id", "user.id"]);
  });

  it("leaves the types alone when both sides agree", () => {
    const { models } = modelsOf(`
model a {
  id Int @id
  bs b[]
}
model b {
  id   Int @id
  a_id Int
  a    a   @relation(fields: [a_id], references: [id])
}
`);
    expect(reconcileRelations(models)).toEqual({ decisions: [], widened: [], leftOut: [] });
  });

  it("leaves out a relation to non-unique fields, or between different types, with its back relation", () => {
    const { ast, models } = modelsOf(`
model p {
  id   Int     @id
  code String?
  a    Int?
  b    Int?
  cs   c[]     @relation("byCode")
  ts   c[]     @relation("byText")
  ks   c[]     @relation("byPair")

  @@unique([a, b])
}
model c {
  id   Int     @id
  code String?
  t    String?
  a    Int?
  b    Int?
  pc   p?      @relation("byCode", fields: [code], references: [code])
  pt   p?      @relation("byText", fields: [t], references: [id])
  pk   p?      @relation("byPair", fields: [b, a], references: [b, a])
}
`);
    const { decisions, leftOut } = reconcileRelations(models);
    expect(decisions.map((d) => d.message.replace(/ is not created.*$/, ""))).toEqual(["foreign key (code) → p(code)", "foreign key (t) → p(id)"]);
    expect(leftOut.map((l) => l.fields.map((f) => f.name))).toEqual([["code"], ["t"]]);
    const printed = printSchema(ast);
    expect(printed).not.toMatch(/byCode|byText/);
    // A composite key is unique whatever the order its fields are listed in.
    expect(printed).toMatch(/@relation\("byPair"/);
    expect(printed).toMatch(/ks +c\[\] +@relation\("byPair"\)/);
  });

  it("removes left-out keys from the catalog the orphan check reads", () => {
    const tables = [{ name: "c", foreignKeys: [{ from: ["code"] }, { from: ["p_id"] }] }];
    expect(withoutLeftOutForeignKeys(tables, [{ table: "c", columns: ["code"] }])).toEqual([{ name: "c", foreignKeys: [{ from: ["p_id"] }] }]);
    expect(withoutLeftOutForeignKeys(tables, undefined)).toEqual(tables);
  });
});

describe("annotateModels with renamed tables", () => {
  it("puts a table's decisions above its model when the model maps to a different PostgreSQL name", () => {
    const schema = 'model q_t {\n  id Int @id\n\n  @@map("q_t")\n}\n';
    const out = annotateModels(schema, [{ table: 'q"t', code: "identifier", message: "renamed" }], new Map([["q_t", 'q"t']]));
    expect(out).toBe('/// renamed\nmodel q_t {\n  id Int @id\n\n  @@map("q_t")\n}\n');
  });
});
