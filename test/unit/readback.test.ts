import { describe, expect, it } from "vitest";
import { comparisonFor, excerpt, parseUtcTimestamp, sameNumber, sameValue, unreadableOnSqlite } from "../../src/verify/readback/compare.js";
import { clientSchemaText, readModels, unignoreKeyedModels } from "../../src/verify/readback/schema.js";
import { describeReadBack } from "../../src/verify/readback/format.js";
import { countOf } from "../../src/core/plural.js";

/** A stand-in for Prisma.Decimal (decimal.js): what the comparison relies on is `toFixed()` and the digit array `d`. */
class FakeDecimal {
  readonly d: number[] = [];
  constructor(private readonly text: string) {}
  toFixed(): string {
    return this.text;
  }
  toString(): string {
    return this.text;
  }
}

describe("readback-compare", () => {
  it("compares same-typed values as the app would", () => {
    expect(sameValue(new Date(5), new Date(5))).toBe(true);
    expect(sameValue(new Date(5), new Date(6))).toBe(false);
    expect(sameValue(Buffer.from([1, 2]), new Uint8Array([1, 2]))).toBe(true);
    expect(sameValue(new Uint8Array([1, 2]), new Uint8Array([1, 3]))).toBe(false);
    expect(sameValue(new FakeDecimal("1.50"), new FakeDecimal("1.5"))).toBe(true);
    expect(sameValue({ b: 1, a: [1, { c: null }] }, { a: [1, { c: null }], b: 1 })).toBe(true);
    expect(sameValue({ a: 1 }, { a: "1" })).toBe(false);
    expect(sameValue(null, null)).toBe(true);
    expect(sameValue(null, "")).toBe(false);
    expect(sameValue("x", "x")).toBe(true);
  });

  it("accepts only the listed representation changes", () => {
    const bigint = comparisonFor({ sqlite: "Int", postgres: "BigInt" });
    expect(bigint.comparable && bigint.same(5_000_000_000, 5_000_000_000n)).toBe(true);
    expect(bigint.comparable && bigint.same(5, 6n)).toBe(false);
    expect(bigint.comparable && bigint.toTarget(7)).toBe(7n);

    const seconds = comparisonFor({ sqlite: "DateTime", postgres: "DateTime", epochSeconds: true });
    // Prisma on SQLite reads 1704164645 (seconds) as milliseconds.
    expect(seconds.comparable && seconds.same(new Date(1_704_164_645), new Date(1_704_164_645_000))).toBe(true);
    const plain = comparisonFor({ sqlite: "DateTime", postgres: "DateTime" });
    expect(plain.comparable && plain.same(new Date(1_704_164_645), new Date(1_704_164_645_000))).toBe(false);

    const text = comparisonFor({ sqlite: "String", postgres: "DateTime" });
    expect(text.comparable && text.same("2024-01-02 03:04:05.678", new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 678)))).toBe(true);

    const json = comparisonFor({ sqlite: "String", postgres: "Json" });
    expect(json.comparable && json.same('{"b":1,"a":2}', { a: 2, b: 1 })).toBe(true);
    expect(json.comparable && json.same(null, null)).toBe(true);

    const none = comparisonFor({ sqlite: "Boolean", postgres: "String" });
    expect(none).toEqual({ comparable: false, reason: "Prisma type Boolean on SQLite, String on PostgreSQL: no equivalence defined" });
  });

  it("compares numbers exactly across Prisma numeric types", () => {
    expect(sameNumber(0.1, new FakeDecimal("0.10"))).toBe(true);
    expect(sameNumber(1e21, new FakeDecimal("1000000000000000000000"))).toBe(true);
    expect(sameNumber(9_007_199_254_740_993n, new FakeDecimal("9007199254740993"))).toBe(true);
    expect(sameNumber(-0, 0n)).toBe(true);
    expect(sameNumber(0.1, 0.2)).toBe(false);
  });

  it("parses timestamps as UTC unless they carry an offset", () => {
    expect(parseUtcTimestamp("2024-01-02")).toBe(Date.UTC(2024, 0, 2));
    expect(parseUtcTimestamp("2024-01-02T03:04:05+02:00")).toBe(Date.UTC(2024, 0, 2, 1, 4, 5));
    expect(parseUtcTimestamp("yesterday")).toBeNull();
  });

  it("renders values short and unambiguous", () => {
    expect(excerpt("a\tb")).toBe('"a\\tb"');
    expect(excerpt(5n)).toBe("5n");
    expect(excerpt(new Uint8Array([0, 255]))).toBe("<2 bytes 00ff>");
    expect(excerpt("x".repeat(100)).length).toBe(60);
  });
});

describe("readback-schema", () => {
  const schema = `datasource db {
  provider = "sqlite"
  url      = env("DATABASE_URL")
}

generator client {
  provider        = "prisma-client-js"
  previewFeatures = ["views"]
}

generator erd {
  provider = "prisma-erd-generator"
}

model Post {
  id     Int    @id @map("post_id")
  title  String @unique
  author User   @relation(fields: [userId], references: [id])
  userId Int
  @@map("posts")
}

model User {
  id    Int    @id
  posts Post[]
}

model Pair {
  a Int
  b Int
  @@unique([a, b])
}

model tag {
  name String? @id
  @@ignore
}

model log {
  message String?
  @@ignore
}

model autoinc {
  id Unsupported("integer auto_increment") @id
  @@ignore
}
`;

  it("writes a schema with only our generator and a literal URL", () => {
    const text = clientSchemaText(schema);
    expect(text).not.toContain("prisma-erd-generator");
    expect(text).not.toContain("env(");
    expect(text).not.toMatch(/output\s*=/);
    expect(text).toMatch(/engineType\s*=\s*"client"/);
    expect(text).toMatch(/previewFeatures\s*=\s*\["views"\]/);
    expect(text).toMatch(/url\s*=\s*"file:\.\/unused\.db"/);
  });

  it("finds keys, table and column names, and ignored models", () => {
    const models = new Map(readModels(schema).map((m) => [m.model, m]));
    expect(models.get("Post")).toMatchObject({ table: "posts", keyFields: ["id"], ignored: false });
    expect([...models.get("Post")!.columns]).toEqual([["id", "post_id"], ["title", "title"], ["userId", "userId"]]);
    expect(models.get("Pair")?.keyFields).toEqual(["a", "b"]);
    expect(models.get("log")).toMatchObject({ ignored: true, keyFields: [] });
  });

  it("un-ignores a model whose only flaw is a nullable key, as convert does", () => {
    const models = new Map(readModels(unignoreKeyedModels(schema)).map((m) => [m.model, m]));
    expect(models.get("tag")).toMatchObject({ ignored: false, keyFields: ["name"] });
    expect(models.get("log")?.ignored).toBe(true);
    expect(models.get("autoinc")?.ignored).toBe(true);
    expect(unignoreKeyedModels(schema)).toMatch(/name\s+String\s+@id/);
  });
});

describe("read-back summary line", () => {
  const model = (name: string, rows: number) => ({ model: name, status: "compared" as const, rows, differences: [], fieldsNotCompared: [] });
  it("counts rows and models in words that agree with the numbers", () => {
    expect(describeReadBack({ status: "same", models: [model("products", 1)], ms: 1 })).toBe("1 row of 1 model identical through Prisma Client");
    expect(describeReadBack({ status: "same", models: [model("a", 0), model("b", 0)], ms: 1 })).toBe("0 rows of 2 models identical through Prisma Client");
    expect([countOf(1, "table"), countOf(0, "table"), countOf(3, "row")]).toEqual(["1 table", "0 tables", "3 rows"]);
  });
  it("ends with the notes about values the SQLite side could not read", () => {
    const m = { ...model("ev", 2), notes: ["ev.at: unreadable"] };
    expect(describeReadBack({ status: "same", models: [m], ms: 1 })).toBe("2 rows of 1 model identical through Prisma Client; note: ev.at: unreadable");
  });
});

describe("unreadableOnSqlite", () => {
  it("is an Invalid Date on SQLite against a valid Date on PostgreSQL, nothing else", () => {
    const valid = new Date("2024-06-01T10:00:00Z");
    expect(unreadableOnSqlite(new Date("x"), valid)).toBe(true);
    expect(unreadableOnSqlite(new Date("x"), new Date("y"))).toBe(false);
    expect(unreadableOnSqlite(new Date("x"), null)).toBe(false);
    expect(unreadableOnSqlite(valid, new Date("2024-06-01T10:00:01Z"))).toBe(false);
    expect(unreadableOnSqlite("2024-06-01 10:00", valid)).toBe(false);
  });
});
