import { getSchema, type Model } from "@mrleebo/prisma-ast";
import { describe, expect, it } from "vitest";
import { findImplicitManyToMany } from "../../src/convert/implicit-m2m.js";
import { describeReadBack } from "../../src/verify/readback/format.js";

const models = (schema: string): Model[] => getSchema(schema).list.filter((b): b is Model => b.type === "model");

describe("findImplicitManyToMany", () => {
  it("names an unnamed relation <A>To<B> by model name order, whatever the field order or @@map", () => {
    const found = findImplicitManyToMany(
      models(`
        model Post {
          id         Int        @id
          categories Category[]
          @@map("posts")
        }
        model Category {
          id    String @id
          posts Post[]
        }`),
    );
    expect(found).toEqual([
      {
        table: "_CategoryToPost",
        relation: "CategoryToPost",
        modelA: "Category",
        modelB: "Post",
        fields: [
          { model: "Category", field: "posts" },
          { model: "Post", field: "categories" },
        ],
      },
    ]);
  });

  it("uses the relation name of @relation(\"X\") and @relation(name: \"X\"); a self-relation has both fields on one model", () => {
    const found = findImplicitManyToMany(
      models(`
        model User {
          id         Int    @id
          votes      Link[] @relation(name: "Votes")
          followers  User[] @relation("Follows")
          following  User[] @relation("Follows")
        }
        model Link {
          id     Int    @id
          voters User[] @relation("Votes")
        }`),
    );
    expect(found.map((r) => [r.table, r.modelA, r.modelB, r.fields.map((f) => `${f.model}.${f.field}`)])).toEqual([
      ["_Votes", "Link", "User", ["Link.voters", "User.votes"]],
      ["_Follows", "User", "User", ["User.followers", "User.following"]],
    ]);
  });

  it("ignores one-to-many relations and explicit relation models", () => {
    const found = findImplicitManyToMany(
      models(`
        model User {
          id    Int    @id
          posts Post[]
          tags  TagOnUser[]
        }
        model Post {
          id       Int  @id
          authorId Int
          author   User @relation(fields: [authorId], references: [id])
        }
        model Tag {
          id    Int         @id
          users TagOnUser[]
        }
        model TagOnUser {
          userId Int
          tagId  Int
          user   User @relation(fields: [userId], references: [id])
          tag    Tag  @relation(fields: [tagId], references: [id])
          @@id([userId, tagId])
        }`),
    );
    expect(found).toEqual([]);
  });
});

describe("describeReadBack with many-to-many relations", () => {
  it("counts the relations' links apart from the models' rows", () => {
    const model = { status: "compared" as const, differences: [], fieldsNotCompared: [] };
    const text = describeReadBack({
      status: "same",
      ms: 1,
      models: [
        { ...model, model: "Link", rows: 4 },
        { ...model, model: "User", rows: 1 },
        { ...model, model: "_Votes", rows: 1, relation: ["Link.User_Votes", "User.Link_Votes"] },
      ],
    });
    expect(text).toBe("5 rows of 2 models and 1 link of 1 many-to-many relation identical through Prisma Client");
  });
});
