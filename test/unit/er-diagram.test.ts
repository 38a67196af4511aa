/** The Markdown reports' schema diagram (src/report/er-diagram.ts): Mermaid `erDiagram` from a schema.prisma. */
import { describe, expect, it } from "vitest";
import { ATTRIBUTE_LIMIT, MODEL_LIMIT, erDiagram, schemaSection } from "../../src/report/er-diagram.js";
import { planMarkdown } from "../../src/report/plan-report.js";
import type { PlanSummary } from "../../src/report/summary-types.js";

const SCHEMA = `datasource db {
  provider = "postgresql"
  url      = env("DATABASE_URL")
}

model User {
  id        Int      @id @default(autoincrement())
  email     String   @unique
  fullName  String?  @map("full_name")
  managerId Int?     @map("manager_id")
  manager   User?    @relation("UserManager", fields: [managerId], references: [id])
  reports   User[]   @relation("UserManager")
  posts     Post[]
  profile   Profile?

  @@map("users")
}

model Post {
  id       Int        @id
  authorId Int        @map("author_id")
  tag      Unsupported("tsvector")?
  author   User       @relation(fields: [authorId], references: [id])
  tags     Tag[]
}

model Profile {
  userId Int  @id @map("user_id")
  user   User @relation(fields: [userId], references: [id])
}

model Tag {
  id    Int    @id
  posts Post[]
}

model PostTagLink {
  postId Int
  tagId  Int
  note   String @map("say \\"hi\\"")

  @@id([postId, tagId])
}
`;

describe("erDiagram", () => {
  it("draws models with their keys and column names, and every relation with its cardinality", () => {
    expect(erDiagram(SCHEMA)).toEqual([
      "erDiagram",
      "  %% User: table users",
      "  User {",
      "    Int id PK",
      "    String email UK",
      '    String fullName "full_name"',
      '    Int managerId FK "manager_id"',
      "  }",
      "  Post {",
      "    Int id PK",
      '    Int authorId FK "author_id"',
      "    Unsupported tag",
      "  }",
      "  Profile {",
      '    Int userId PK, FK "user_id"',
      "  }",
      "  Tag {",
      "    Int id PK",
      "  }",
      "  PostTagLink {",
      "    Int postId PK",
      "    Int tagId PK",
      "    String note \"say 'hi'\"",
      "  }",
      // Optional key: zero or one parent; required: exactly one; a key that is unique on its own: one-to-one.
      "  User |o--o{ User : manager",
      "  User ||--o{ Post : author",
      "  User ||--o| Profile : user",
      // The implicit many-to-many relation, labelled with its name (table _PostToTag).
      '  Post }o--o{ Tag : "PostToTag"',
    ]);
  });

  it("above the attribute limit lists key fields only; above the model limit draws nothing and says why", () => {
    const many = (n: number) =>
      Array.from({ length: n }, (_, i) => `model M${i} {\n  id Int @id\n  label String\n}\n`).join("\n");
    const keysOnly = schemaSection(many(ATTRIBUTE_LIMIT + 1));
    expect(keysOnly).toContain(`${ATTRIBUTE_LIMIT + 1} models: only their key fields are listed.`);
    expect(keysOnly.join("\n")).toContain("    Int id PK");
    expect(keysOnly.join("\n")).not.toContain("label");
    const full = schemaSection(many(ATTRIBUTE_LIMIT));
    expect(full.join("\n")).toContain("    String label");
    const none = schemaSection(many(MODEL_LIMIT + 1));
    expect(none).toEqual(["## Schema", "", `${MODEL_LIMIT + 1} models: too many to draw (the diagram is drawn up to ${MODEL_LIMIT}); see schema.prisma.`, ""]);
    expect(schemaSection(undefined)).toEqual([]);
  });
});

describe("planMarkdown", () => {
  const summary: PlanSummary = {
    source: "app.db",
    schemaPath: "prisma/schema.prisma",
    migrationPath: "prisma/migrations/0_init/migration.sql",
    checksum: "abc",
    tables: [{ table: "users", rows: 2 }],
    decisions: [],
    problems: [],
    problemCount: 0,
    orphans: [],
    coverage: { ok: true, sourceTables: 1, sourceColumns: 4, migratedTables: 1, leftOut: [], missing: [] },
    problemGroups: [],
    suggestion: null,
    appChanges: { ordering: { measured: false, reason: "plan" }, matching: [], stricter: [] },
  };

  it("holds the diagram in a mermaid fence when given the schema, nothing of it otherwise", () => {
    const md = planMarkdown(summary, SCHEMA);
    expect(md).toContain(["## Schema", "", "```mermaid", "erDiagram", "  %% User: table users", "  User {"].join("\n"));
    expect(md.indexOf("```mermaid")).toBeLessThan(md.indexOf("## Decisions to review"));
    expect(planMarkdown(summary)).not.toContain("mermaid");
  });
});
