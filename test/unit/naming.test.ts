/**
 * The naming pass (src/convert/naming/) on small schemas: Prisma's conventions, every rename through @map/@@map,
 * clashes (other models, enums, reserved and scalar type names, fields), self-relations, several relations between
 * two models, implicit many-to-many relations (their table name and A/B order kept), and determinism.
 */
import { getSchema, type Field, type Model } from "@mrleebo/prisma-ast";
import { describe, expect, it } from "vitest";
import { applyNames, nameSchema, planNames } from "../../src/convert/naming/index.js";
import { camelCase, pascalCase, singularWords, splitWords, withoutKeyWord } from "../../src/convert/naming/words.js";
import { findImplicitManyToMany } from "../../src/convert/implicit-m2m.js";
import { columnNameOf, tableNameOf } from "../../src/convert/ast.js";

const HEAD = `datasource db {\n  provider = "postgresql"\n  url      = env("DATABASE_URL")\n}\n\n`;

function models(schema: string): Model[] {
  return getSchema(schema).list.filter((b): b is Model => b.type === "model");
}

function model(schema: string, name: string): Model {
  const m = models(schema).find((x) => x.name === name);
  if (!m) throw new Error(`no model ${name} in\n${schema}`);
  return m;
}

function field(schema: string, modelName: string, fieldName: string): Field {
  const f = model(schema, modelName).properties.find((p): p is Field => p.type === "field" && p.name === fieldName);
  if (!f) throw new Error(`no field ${modelName}.${fieldName} in\n${schema}`);
  return f;
}

/** Model → table, and per model field → column: what the database sees, which naming must never change. */
function databaseNames(schema: string): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const m of models(schema)) {
    const scalars = m.properties.filter((p): p is Field => p.type === "field" && !models(schema).some((x) => x.name === p.fieldType));
    out[tableNameOf(m)] = scalars.map(columnNameOf);
  }
  return out;
}

const BLOG = `${HEAD}model users {
  id         Int     @id @default(autoincrement())
  email      String  @unique
  full_name  String?
  manager_id Int?
  users      users?  @relation("usersTousers", fields: [manager_id], references: [id])
  other_users users[] @relation("usersTousers")
  posts_posts_author_idTousers posts[] @relation("posts_author_idTousers")
  posts_posts_editor_idTousers posts[] @relation("posts_editor_idTousers")
  profile    profile?
}

model posts {
  id         Int      @id @default(autoincrement())
  title      String
  author_id  Int
  editor_id  Int?
  created_at DateTime
  users_posts_author_idTousers users  @relation("posts_author_idTousers", fields: [author_id], references: [id])
  users_posts_editor_idTousers users? @relation("posts_editor_idTousers", fields: [editor_id], references: [id])
  post_tags  post_tags[]

  @@index([author_id, created_at(sort: Desc)])
}

model post_tags {
  post_id Int
  tag_id  Int
  posts   posts @relation(fields: [post_id], references: [id])
  tags    tags  @relation(fields: [tag_id], references: [id])

  @@id([post_id, tag_id])
}

model tags {
  id        Int         @id
  name      String      @unique(map: "tags_name_idx")
  post_tags post_tags[]
}

model profile {
  id      Int    @id
  user_id Int    @unique
  users   users  @relation(fields: [user_id], references: [id])
}
`;

describe("words", () => {
  it("splits snake_case, camelCase and acronyms; PascalCase singular, camelCase", () => {
    expect(splitWords("post_tags")).toEqual(["post", "tags"]);
    expect(splitWords("postedById")).toEqual(["posted", "By", "Id"]);
    expect(splitWords("HTMLParser")).toEqual(["HTML", "Parser"]);
    expect(pascalCase(singularWords(splitWords("post_tags")))).toBe("PostTag");
    expect(pascalCase(singularWords(splitWords("USERS")))).toBe("User");
    expect(pascalCase(singularWords(splitWords("people")))).toBe("Person");
    expect(pascalCase(singularWords(splitWords("InvoiceLine")))).toBe("InvoiceLine");
    expect(camelCase(splitWords("user_id"))).toBe("userId");
    expect(camelCase(splitWords("AlbumId"))).toBe("albumId");
    expect(camelCase(splitWords("URL"))).toBe("url");
    expect(withoutKeyWord("author_id")).toEqual(["author"]);
    expect(withoutKeyWord("SupportRepId")).toEqual(["Support", "Rep"]);
    expect(withoutKeyWord("ReportsTo")).toEqual([]);
    expect(withoutKeyWord("id")).toEqual([]);
  });
});

describe("Prisma's conventions, every rename through @map/@@map", () => {
  const named = nameSchema(BLOG);
  const s = named.schema;

  it("models PascalCase singular, tables kept by @@map", () => {
    expect(models(s).map((m) => `${m.name}=${tableNameOf(m)}`)).toEqual(["User=users", "Post=posts", "PostTag=post_tags", "Tag=tags", "Profile=profile"]);
  });

  it("fields camelCase, columns kept by @map; field references follow (@@id, @@index with sort, @relation)", () => {
    expect(databaseNames(s)).toEqual(databaseNames(BLOG));
    expect(s).toMatch(/fullName\s+String\?\s+@map\("full_name"\)/);
    expect(s).toMatch(/createdAt\s+DateTime\s+@map\("created_at"\)/);
    expect(s).toContain("@@id([postId, tagId])");
    expect(s).toContain("@@index([authorId, createdAt(sort: Desc)])");
    expect(s).toContain('@unique(map: "tags_name_idx")');
    // Unchanged names get no @map.
    expect(s).not.toContain('@map("email")');
    expect(s).not.toContain('@map("id")');
  });

  it("relation fields after their key; back-relations plural; several relations told apart by their keys", () => {
    expect(s).toMatch(/author\s+User\s+@relation\("PostAuthor", fields: \[authorId\], references: \[id\]\)/);
    expect(s).toMatch(/editor\s+User\?\s+@relation\("PostEditor", fields: \[editorId\], references: \[id\]\)/);
    expect(s).toMatch(/authorPosts\s+Post\[\]\s+@relation\("PostAuthor"\)/);
    expect(s).toMatch(/editorPosts\s+Post\[\]\s+@relation\("PostEditor"\)/);
    // One relation between two models: no relation name needed.
    expect(s).toMatch(/post\s+Post\s+@relation\(fields: \[postId\], references: \[id\]\)/);
    expect(s).toMatch(/postTags\s+PostTag\[\]\n/);
    expect(s).toMatch(/user\s+User\s+@relation\(fields: \[userId\], references: \[id\]\)/);
    expect(s).toMatch(/profile\s+Profile\?\n/);
  });

  it("a self-relation: the key's name, and its back side told apart by it", () => {
    expect(s).toMatch(/manager\s+User\?\s+@relation\("UserManager", fields: \[managerId\], references: \[id\]\)/);
    expect(s).toMatch(/managerUsers\s+User\[\]\s+@relation\("UserManager"\)/);
  });

  it("a key column named like its relation (no `_id`) becomes <name>Id, the relation takes the name", () => {
    const e = nameSchema(`${HEAD}model Employee {
  EmployeeId Int @id
  ReportsTo  Int?
  Employee   Employee?  @relation("EmployeeToEmployee", fields: [ReportsTo], references: [EmployeeId])
  other_Employee Employee[] @relation("EmployeeToEmployee")
}

model notes {
  id     Int   @id
  author Int
  users  users @relation(fields: [author], references: [id])
}

model users {
  id    Int     @id
  notes notes[]
}
`).schema;
    expect(e).toMatch(/reportsToId\s+Int\?\s+@map\("ReportsTo"\)/);
    expect(e).toMatch(/reportsTo\s+Employee\?\s+@relation\("EmployeeReportsTo", fields: \[reportsToId\], references: \[employeeId\]\)/);
    expect(e).toMatch(/reportsToEmployees\s+Employee\[\]\s+@relation\("EmployeeReportsTo"\)/);
    expect(e).toMatch(/authorId\s+Int\s+@map\("author"\)/);
    expect(e).toMatch(/author\s+User\s+@relation\(fields: \[authorId\], references: \[id\]\)/);
    expect(databaseNames(e)).toEqual({ Employee: ["EmployeeId", "ReportsTo"], notes: ["id", "author"], users: ["id"] });
  });

  it("one decision per renamed model, naming each rename", () => {
    const posts = named.decisions.find((d) => d.table === "posts");
    expect(posts?.code).toBe("naming");
    expect(posts?.message).toContain("model Post (was posts; @@map keeps the table name)");
    expect(posts?.message).toContain("authorId ← author_id");
    expect(posts?.message).toContain("author (was users_posts_author_idTousers)");
    expect(named.decisions.map((d) => d.table)).toEqual(["users", "posts", "post_tags", "tags", "profile"]);
  });

  it("deterministic: the same names whatever the order of the models", () => {
    const blocks = BLOG.slice(HEAD.length).split(/\n(?=model )/);
    const reversed = HEAD + [...blocks].reverse().join("\n");
    const again = nameSchema(reversed);
    const flat = (plan: typeof named.plan) => [...plan.fields].flatMap(([m, fs]) => [...fs].map(([f, to]) => `${m}.${f}→${plan.models.get(m)}.${to}`)).sort();
    expect(models(again.schema).map((m) => m.name)).toEqual(["Profile", "Tag", "PostTag", "Post", "User"]);
    expect(flat(again.plan)).toEqual(flat(named.plan));
  });
});

describe("clashes", () => {
  it("two tables that singularize alike: the one already singular keeps it, the other stays plural", () => {
    const s = nameSchema(`${HEAD}model users {\n  id Int @id\n}\n\nmodel user {\n  id Int @id\n}\n`).schema;
    expect(models(s).map((m) => `${m.name}=${tableNameOf(m)}`)).toEqual(["Users=users", "User=user"]);
  });

  it("a table already in PascalCase keeps its name, no @@map, no decision; the plural one gets the other", () => {
    const r = nameSchema(`${HEAD}model Category {\n  id Int @id\n}\n\nmodel categories {\n  id Int @id\n}\n`);
    expect(models(r.schema).map((m) => `${m.name}=${tableNameOf(m)}`)).toEqual(["Category=Category", "Categories=categories"]);
    expect(r.schema).not.toContain('@@map("Category")');
    expect(r.decisions.map((d) => d.table)).toEqual(["categories"]);
  });

  it("scalar type names and Prisma's reserved names are never taken", () => {
    const s = nameSchema(`${HEAD}model string {\n  id Int @id\n}\n\nmodel ints {\n  id Int @id\n}\n\nmodel prisma_client {\n  id Int @id\n}\n\nmodel prisma {\n  id Int @id\n}\n\nmodel date_times {\n  id Int @id\n}\n`).schema;
    expect(models(s).map((m) => m.name)).toEqual(["StringModel", "Ints", "PrismaClientModel", "PrismaModel", "DateTimes"]);
  });

  it("an enum's name is not taken by a model", () => {
    const s = nameSchema(`${HEAD}enum Status {\n  a\n  b\n}\n\nmodel statuses {\n  id Int @id\n  s Status\n}\n`).schema;
    expect(models(s).map((m) => m.name)).toEqual(["Statuses"]);
    expect(s).toMatch(/s\s+Status\n/);
  });

  it("fields: an idiomatic name keeps it, the other keeps its own; a relation field does not take a column's name", () => {
    const s = nameSchema(`${HEAD}model a {\n  id Int @id\n  userId Int\n  user_id Int\n  author String\n  author_id Int\n  b b @relation(fields: [author_id], references: [id])\n}\n\nmodel b {\n  id Int @id\n  a a[]\n}\n`).schema;
    expect(s).toMatch(/userId\s+Int\n/);
    expect(s).toMatch(/user_id\s+Int\n/);
    expect(s).toMatch(/authorId\s+Int\s+@map\("author_id"\)/);
    expect(s).toMatch(/\bb\s+B\s+@relation\(fields: \[authorId\], references: \[id\]\)/);
    expect(databaseNames(s)).toEqual({ a: ["id", "userId", "user_id", "author", "author_id"], b: ["id"] });
  });

  it("a name already mapped (a clone rename, a shortened PostgreSQL name) keeps its @map", () => {
    const s = nameSchema(`${HEAD}model t {\n  id Int @id\n  long_name Int @map("long_name_x")\n\n  @@map("t t")\n}\n`).schema;
    expect(s).toMatch(/longName\s+Int\s+@map\("long_name_x"\)/);
    expect(s).toContain('@@map("t t")');
    expect(s.match(/(?<!@)@map\(/g)).toHaveLength(1);
  });
});

const M2M = `${HEAD}model Category {
  id    Int     @id
  posts posts[]
}

model posts {
  id       Int        @id
  Category Category[]
  tags     tags[]     @relation("Tagged")
}

model tags {
  id    Int     @id
  posts posts[] @relation("Tagged")
}

model Member {
  id       String   @id
  Member_A Member[] @relation("Follows")
  Member_B Member[] @relation("Follows")
}
`;

describe("implicit many-to-many relations", () => {
  const r = nameSchema(M2M);

  it("readable fields; the relation keeps its name, so its table (_CategoryToposts) stays", () => {
    expect(r.schema).toMatch(/posts\s+Post\[\]\s+@relation\("CategoryToposts"\)/);
    expect(r.schema).toMatch(/categories\s+Category\[\]\s+@relation\("CategoryToposts"\)/);
    // A named relation: its name on both sides.
    expect(r.schema).toMatch(/tagged\s+Tag\[\]\s+@relation\("Tagged"\)/);
    expect(r.schema).toMatch(/tagged\s+Post\[\]\s+@relation\("Tagged"\)/);
    expect(r.plan.pinned.size).toBe(0);
    const relations = findImplicitManyToMany(models(r.schema));
    expect(relations.map((x) => x.table).sort()).toEqual(findImplicitManyToMany(models(M2M)).map((x) => x.table).sort());
  });

  it("each relation's A and B models stay the same tables", () => {
    const side = (schema: string) =>
      findImplicitManyToMany(models(schema)).map((x) => `${x.table}:${tableNameOf(model(schema, x.modelA))}/${tableNameOf(model(schema, x.modelB))}`).sort();
    expect(side(r.schema)).toEqual(side(M2M));
  });

  it("a self-relation's two fields keep their order by name and in the file", () => {
    const fields = model(r.schema, "Member").properties.filter((p): p is Field => p.type === "field").map((f) => f.name);
    expect(fields).toEqual(["id", "followsA", "followsB"]);
  });

  it("models whose new names would swap A and B keep their names, with a decision saying why", () => {
    // `Tag` < `post` byte-wise (A = Tag), but `Post` < `Tag`: renaming `post` would make Post the A side.
    const flip = nameSchema(`${HEAD}model Tag {\n  id Int @id\n  post post[]\n}\n\nmodel post {\n  id Int @id\n  Tag Tag[]\n}\n\nmodel users {\n  id Int @id\n}\n`);
    expect(models(flip.schema).map((m) => m.name)).toEqual(["Tag", "post", "User"]);
    const [rel] = findImplicitManyToMany(models(flip.schema));
    expect(rel).toMatchObject({ table: "_TagTopost", modelA: "Tag", modelB: "post" });
    expect(flip.decisions.find((d) => d.table === "post")?.message).toMatch(/model name post kept: .*A\/B columns/);
    expect(flip.plan.pinned).toEqual(new Map([["Tag", "Tag"], ["post", "post"]]));
  });
});

describe("the same plan on the SQLite schema of the read-back", () => {
  it("renames what it knows; a field the plan does not know keeps its name, made unique", () => {
    const pg = `${HEAD}model users {\n  id Int @id\n  user_name String\n}\n`;
    const { plan } = nameSchema(pg);
    const sqlite = applyNames(`${HEAD}model users {\n  id Int @id\n  user_name String\n  userName Int\n}\n`, plan);
    expect(field(sqlite, "User", "userName").fieldType).toBe("String");
    expect(columnNameOf(field(sqlite, "User", "userName"))).toBe("user_name");
    expect(columnNameOf(field(sqlite, "User", "userName2"))).toBe("userName");
  });

  it("planNames alone: every model and field has an entry", () => {
    const plan = planNames({ models: models(BLOG) });
    expect(plan.models.size).toBe(5);
    for (const m of models(BLOG)) expect(plan.fields.get(m.name)?.size).toBe(m.properties.filter((p) => p.type === "field").length);
  });
});
