import { describe, expect, it } from "vitest";
import { readBackSchemas } from "../../src/verify/readback/model-sample.js";
import { readModels, readRelations } from "../../src/verify/readback/schema.js";

const DATASOURCE = (provider: string) => `datasource db {\n  provider = "${provider}"\n}\n`;

/** Models m0…m{n-1}, each with a foreign key to the one before; m0 has a many-to-many with m4. */
function schema(provider: string, n: number): string {
  const models = Array.from({ length: n }, (_, i) => {
    const lines = [`  id Int @id`, `  label String @unique`];
    if (i > 0) lines.push(`  parentId Int?`, `  parent m${i - 1}? @relation(fields: [parentId], references: [id])`, `  @@index([parentId])`);
    if (i < n - 1) lines.push(`  children m${i + 1}[]`);
    if (i === 0) lines.push(`  friends m4[]`);
    if (i === 4) lines.push(`  friendsOf m0[]`);
    return `model m${i} {\n${lines.join("\n")}\n}\n`;
  });
  return `${DATASOURCE(provider)}\nenum Mood {\n  happy\n  sad\n}\n\n${models.join("\n")}\nview v {\n  id Int @unique\n}\n`;
}

describe("readBackSchemas (model-sample.ts)", () => {
  it("returns schemas at or below the threshold unchanged, with no sample", () => {
    const sqlite = schema("sqlite", 6);
    const pg = schema("postgresql", 6);
    expect(readBackSchemas(sqlite, pg, 6)).toEqual({ sqlite, postgresql: pg });
  });

  it("above it, keeps the same evenly spread models in both schemas and drops relation fields to the rest", () => {
    const r = readBackSchemas(schema("sqlite", 6), schema("postgresql", 6), 3);
    expect(r.sample).toEqual({ models: 3, of: 6 });
    for (const text of [r.sqlite, r.postgresql]) {
      const models = readModels(text);
      expect(models.map((m) => m.model)).toEqual(["m0", "m2", "m4"]);
      // Scalar fields stay (the foreign-key column is still read and compared); relation fields to m1, m3, m5 go.
      expect([...models.find((m) => m.model === "m2")!.columns.keys()]).toEqual(["id", "label", "parentId"]);
      expect(text).not.toMatch(/\bm[135]\b/);
      expect(text).not.toMatch(/^view /m);
      // A relation between two sampled models is kept.
      expect(readRelations(text).map((x) => [x.modelA, x.modelB])).toEqual([["m0", "m4"]]);
      expect(text).toMatch(/^enum Mood \{/m);
    }
    expect(r.sqlite).toContain('provider = "sqlite"');
    expect(r.postgresql).toContain('provider = "postgresql"');
  });

  it("is deterministic and spreads the sample over the whole schema", () => {
    const pg = schema("postgresql", 40);
    const a = readBackSchemas(pg, pg, 8);
    expect(readBackSchemas(pg, pg, 8)).toEqual(a);
    expect(readModels(a.postgresql).map((m) => m.model)).toEqual(["m0", "m5", "m10", "m15", "m20", "m25", "m30", "m35"]);
  });

  it("finds blocks by brace depth outside strings and comments", () => {
    const pg = `${DATASOURCE("postgresql")}
/// a doc comment with a } brace
model a {
  id   Int    @id
  note String @default("} { \\" }") // and a { here
  cs   c[]
}

model b {
  id Int @id
}

model c {
  id  Int @id
  aId Int
  a   a   @relation(fields: [aId], references: [id])
}
`;
    // Two of three: a and b; c goes, and with it a's relation field to it.
    const r = readBackSchemas(pg, pg, 2);
    expect(r.sample).toEqual({ models: 2, of: 3 });
    expect(readModels(r.postgresql).map((m) => m.model)).toEqual(["a", "b"]);
    expect(r.postgresql).toContain('@default("} { \\" }")');
    expect(r.postgresql).not.toMatch(/\bcs\b|model c/);
  });
});
