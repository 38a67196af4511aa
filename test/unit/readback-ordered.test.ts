import { describe, expect, it } from "vitest";
import { readModels } from "../../src/verify/readback/schema.js";
import { readViews, withSqliteViewBlocks } from "../../src/verify/readback/views.js";
import { appChangeItems } from "../../src/report/app-changes.js";
import type { AppChanges } from "../../src/verify/behaviour/types.js";

const SCHEMA = `datasource db {
  provider = "postgresql"
  url      = env("DATABASE_URL")
}

generator client {
  provider        = "prisma-client-js"
  previewFeatures = ["views"]
}

model user {
  id    Int    @id
  email String @unique @db.VarChar(80)
}

model post {
  id    Int     @id
  score Int
  title String?

  @@index([score])
  @@index([title, score])
}

model tag {
  name String @id
}

model counter {
  id Int @id
  n  Int @unique
}

view Top_posts {
  title String? @db.Text
  n     BigInt?

  @@map("Top posts")
}
`;

describe("the field each model is read in order by", () => {
  it("is a String field with an index: @id, @unique, or the first field of an @@index", () => {
    const byModel = new Map(readModels(SCHEMA).map((m) => [m.model, m.orderedField]));
    expect(byModel.get("user")).toBe("email");
    expect(byModel.get("post")).toBe("title");
    expect(byModel.get("tag")).toBe("name");
    expect(byModel.get("counter")).toBeUndefined();
  });
});

describe("view blocks for the read-back", () => {
  it("reads the view blocks with their PostgreSQL names, and gives the SQLite client the same fields without @db", () => {
    expect(readViews(SCHEMA)).toEqual([{ view: "Top_posts", pgName: "Top posts", columns: new Map([["title", "title"], ["n", "n"]]) }]);
    const sqlite = withSqliteViewBlocks('datasource db {\n  provider = "sqlite"\n  url      = "file:./dev.db"\n}\n\nmodel tag {\n  name String @id\n}\n', SCHEMA);
    expect(sqlite).toMatch(/previewFeatures = \["views"\]/);
    expect(sqlite).toContain('view Top_posts {\n  title String?\n  n     BigInt?\n\n  @@map("Top posts")\n}');
  });
});

describe("ordered reads in What changes for the app", () => {
  const base: AppChanges = { ordering: { measured: false, reason: "x" }, matching: [], stricter: [] };
  it("names each model whose first rows come in another order, with the position and both values", () => {
    const items = appChangeItems({
      ...base,
      orderedReads: [
        { model: "user", field: "email", rows: 100, firstDifference: { position: 2, sqlite: '"Zed"', postgres: '"abe"' } },
        { model: "tag", field: "name", rows: 4 },
        { model: "note", field: "tag", rows: 0, notCompared: "Prisma Client cannot read it from SQLite: x" },
      ],
    });
    const item = items.find((i) => i.heading.startsWith("ordered reads"))!;
    expect(item.heading).toBe("ordered reads through Prisma Client: 1 of 2 model(s) return their rows in another order on PostgreSQL (findMany orderBy an indexed text field asc):");
    expect(item.lines[0]).toBe('user.email: of the first 100 rows, position 3 holds "Zed" on SQLite, "abe" on PostgreSQL');
    expect(item.lines[1]).toBe("note.tag: not compared (Prisma Client cannot read it from SQLite: x)");
  });

  it("says so when every order is the same, and nothing without a read-back", () => {
    expect(appChangeItems({ ...base, orderedReads: [{ model: "tag", field: "name", rows: 4 }] }).map((i) => i.heading)).toContain(
      "ordered reads through Prisma Client: the same order on both sides for 1 model(s) (findMany orderBy an indexed text field asc, first rows)",
    );
    expect(appChangeItems(base).some((i) => i.heading.startsWith("ordered reads"))).toBe(false);
  });
});
