/**
 * Prisma's names for an introspected database (src/convert/naming/), end to end on a file built here: snake_case
 * plural tables, a table already in PascalCase, a scalar type name, a self-relation, two relations between two
 * models, a composite key, and two implicit many-to-many tables — one whose models would swap A and B if renamed.
 *
 * - `plan` writes the renamed schema (Prisma validates it), lists each rename as a decision, and its migration.sql
 *   is byte for byte the one `--naming keep` writes, creating exactly the file's tables and columns;
 * - `migrate` lands every row in the file's own tables and reads them back through Prisma Client under the new
 *   names (both clients are generated with them), relations included; its Markdown report draws the schema.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runPrisma } from "../helpers/prisma-cli.js";
import type { MigrateSummary } from "../../src/report/summary-types.js";
import { runCli, type CliResult } from "../helpers/cli.js";
import { buildSqliteFile, tempDir } from "../helpers/files.js";
import { createTestDatabase, type TestDatabase } from "../helpers/pg.js";

/** Prisma's SQLite DDL for an implicit many-to-many table (as in implicit-m2m.test.ts). */
const relationTable = (name: string, a: string, b: string): string => `
  CREATE TABLE "_${name}" ("A" INTEGER NOT NULL, "B" INTEGER NOT NULL,
    CONSTRAINT "_${name}_A_fkey" FOREIGN KEY ("A") REFERENCES "${a}" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "_${name}_B_fkey" FOREIGN KEY ("B") REFERENCES "${b}" ("id") ON DELETE CASCADE ON UPDATE CASCADE);
  CREATE UNIQUE INDEX "_${name}_AB_unique" ON "_${name}"("A", "B");
  CREATE INDEX "_${name}_B_index" ON "_${name}"("B");`;

function buildBlog(dir: string): string {
  return buildSqliteFile(dir, "blog.db", (d) => {
    d.exec(`
      CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL UNIQUE, full_name TEXT, manager_id INTEGER REFERENCES users(id));
      CREATE TABLE posts (id INTEGER PRIMARY KEY, title TEXT NOT NULL, author_id INTEGER NOT NULL REFERENCES users(id),
        editor_id INTEGER REFERENCES users(id), created_at DATETIME NOT NULL);
      CREATE INDEX posts_author_created ON posts(author_id, created_at);
      CREATE TABLE tags (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
      CREATE TABLE post_tags (post_id INTEGER NOT NULL REFERENCES posts(id), tag_id INTEGER NOT NULL REFERENCES tags(id), PRIMARY KEY (post_id, tag_id));
      CREATE TABLE "Category" (id INTEGER PRIMARY KEY, name TEXT NOT NULL);
      ${relationTable("CategoryToposts", "Category", "posts")}
      -- "Label" sorts before "article" (A = Label), but "Article" would sort before "Label".
      CREATE TABLE "Label" (id INTEGER PRIMARY KEY, text TEXT NOT NULL);
      CREATE TABLE article (id INTEGER PRIMARY KEY, body TEXT NOT NULL);
      ${relationTable("LabelToarticle", "Label", "article")}
      CREATE TABLE "string" (id INTEGER PRIMARY KEY, v TEXT);
      INSERT INTO users VALUES (1, 'ann@example.com', 'Ann', NULL), (2, 'bob@example.com', 'Bob', 1), (3, 'cy@example.com', NULL, 1);
      INSERT INTO posts VALUES (1, 'hello', 1, 2, '2024-01-02 03:04:05'), (2, 'again', 2, NULL, '2024-02-03 04:05:06');
      INSERT INTO tags VALUES (1, 'db'), (2, 'web');
      INSERT INTO post_tags VALUES (1, 1), (1, 2), (2, 2);
      INSERT INTO "Category" VALUES (1, 'news'), (2, 'howto');
      INSERT INTO "_CategoryToposts" VALUES (1, 1), (2, 1), (2, 2);
      INSERT INTO "Label" VALUES (1, 'red'), (2, 'blue');
      INSERT INTO article VALUES (10, 'a'), (20, 'b');
      INSERT INTO "_LabelToarticle" VALUES (1, 10), (2, 10), (1, 20);
      INSERT INTO "string" VALUES (1, 'x');
    `);
  });
}

/** `CREATE TABLE "t" ( "c" …, … )` of a migration: table → its columns, in order. */
function createdTables(sql: string): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const m of sql.matchAll(/CREATE TABLE "([^"]+)"\.?"?([^"\s]*)"? \(\n([\s\S]*?)\n\);/g)) {
    const table = m[2] !== "" ? m[2] : m[1];
    out[table] = [...m[3].matchAll(/^\s+"([^"]+)" /gm)].map((c) => c[1]);
  }
  return out;
}

function sqliteTables(path: string): Record<string, string[]> {
  const d = new Database(path, { readonly: true });
  try {
    const names = d.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").pluck().all() as string[];
    return Object.fromEntries(names.map((t) => [t, (d.prepare("SELECT name FROM pragma_table_info(?)").pluck().all(t) as string[])]));
  } finally {
    d.close();
  }
}

const sorted = (r: Record<string, string[]>) => Object.fromEntries(Object.entries(r).sort(([a], [b]) => (a < b ? -1 : 1)));

describe("plan: Prisma's names by default, the database's with --naming keep", () => {
  const tmp = tempDir("naming-plan");
  let file: string;
  let named: CliResult;
  let kept: CliResult;
  const read = (out: string, ...p: string[]) => readFileSync(join(tmp.dir, out, ...p), "utf8");

  beforeAll(async () => {
    file = buildBlog(tmp.dir);
    [named, kept] = await Promise.all([
      runCli(["plan", file, "--out", join(tmp.dir, "named"), "--report", join(tmp.dir, "plan.md")]),
      runCli(["plan", file, "--out", join(tmp.dir, "kept"), "--naming", "keep", "--quiet"]),
    ]);
  });
  afterAll(() => tmp.cleanup());

  it("the same migration.sql either way: the file's own tables and columns", () => {
    expect(named.code, named.stderr).toBe(0);
    expect(kept.code, kept.stderr).toBe(0);
    const migration = read("named", "migrations", "0_init", "migration.sql");
    expect(migration).toBe(read("kept", "migrations", "0_init", "migration.sql"));
    expect(sorted(createdTables(migration))).toEqual(sorted(sqliteTables(file)));
  });

  it("models PascalCase singular, fields camelCase, relation fields after their keys, each through @map/@@map", () => {
    const schema = read("named", "schema.prisma");
    expect(schema).toMatch(/model User \{[^}]*fullName\s+String\?\s+@map\("full_name"\)[^}]*@@map\("users"\)\n\}/);
    expect(schema).toMatch(/author\s+User\s+@relation\("PostAuthor", fields: \[authorId\], references: \[id\]/);
    expect(schema).toMatch(/editor\s+User\?\s+@relation\("PostEditor", fields: \[editorId\], references: \[id\]/);
    expect(schema).toMatch(/authorPosts\s+Post\[\]\s+@relation\("PostAuthor"\)/);
    expect(schema).toMatch(/manager\s+User\?\s+@relation\("UserManager", fields: \[managerId\], references: \[id\]/);
    expect(schema).toMatch(/@@id\(\[postId, tagId\]\)\n\s+@@map\("post_tags"\)/);
    expect(schema).toMatch(/@@index\(\[authorId, createdAt\], map: "posts_author_created"\)/);
    expect(schema).toMatch(/categories\s+Category\[\]\s+@relation\("CategoryToposts"\)/);
    expect(schema).toMatch(/model Category \{[^}]*posts\s+Post\[\]\s+@relation\("CategoryToposts"\)\n\}/);
    expect(schema).toMatch(/model StringModel \{[^}]*@@map\("string"\)/);
    // A/B of _LabelToarticle kept: both models keep their names.
    expect(schema).toMatch(/model Label \{/);
    expect(schema).toMatch(/model article \{/);
    // The kept schema is Prisma's introspection, names untouched.
    expect(read("kept", "schema.prisma")).toMatch(/model users \{/);
  });

  it("Prisma validates the renamed schema", async () => {
    const res = await runPrisma(["validate"], { stage: "plan", adapter: "sqlite", adapterUrl: ":memory:", schemaPath: join(tmp.dir, "named", "schema.prisma"), env: { DATABASE_URL: "postgresql://localhost/unused" } });
    expect(res.stdout).toContain("is valid");
  });

  it("every rename is a decision plan lists; the pinned models say why", () => {
    expect(named.stdout).toContain("users: Prisma names: model User (was users; @@map keeps the table name); fields fullName ← full_name, managerId ← manager_id (@map keeps the column names)");
    expect(named.stdout).toContain("posts: Prisma names: model Post (was posts; @@map keeps the table name); fields authorId ← author_id, editorId ← editor_id, createdAt ← created_at");
    expect(named.stdout).toContain("post_tags: Prisma names: model PostTag (was post_tags;");
    expect(named.stdout).toMatch(/article: Prisma names: model name article kept: another name would change which model comes first, and so the A\/B columns, of an implicit many-to-many table/);
    expect(kept.stdout).not.toContain("Prisma names");
    expect(named.stdout).toContain("Label: Prisma names: model name Label kept: another name would change which model comes first");
    // A model already named the Prisma way, whose fields are too (Category: id, name, posts): nothing to report.
    expect(named.stdout).not.toContain("Category: Prisma names");
  });

  it("the Markdown plan draws the schema", () => {
    const md = readFileSync(join(tmp.dir, "plan.md"), "utf8");
    expect(md).toContain("```mermaid\nerDiagram\n");
    expect(md).toContain("  User ||--o{ Post : author");
    expect(md).toContain("  User |o--o{ Post : editor");
    expect(md).toContain('  Category }o--o{ Post : "CategoryToposts"');
    expect(md).toContain('    Int authorId FK "author_id"');
  });
});

describe("migrate: rows in the file's tables, read back under Prisma's names", () => {
  const tmp = tempDir("naming-migrate");
  let db: TestDatabase;
  let file: string;
  let res: CliResult;
  let summary: MigrateSummary;

  beforeAll(async () => {
    db = await createTestDatabase("naming");
    file = buildBlog(tmp.dir);
    res = await runCli(["migrate", file, "--to", db.url, "--out", join(tmp.dir, "prisma"), "--report", join(tmp.dir, "report.md"), "--json", "--yes"]);
    summary = JSON.parse(res.stdout) as MigrateSummary;
  });
  afterAll(async () => {
    await db?.drop();
    tmp.cleanup();
  });

  it("exit 0; PostgreSQL has the file's tables and columns, with their rows", async () => {
    expect(res.code, res.stderr + res.stdout).toBe(0);
    const rows = await db.query<{ t: string; c: string }>(
      "SELECT table_name AS t, column_name AS c FROM information_schema.columns WHERE table_schema = 'public' AND table_name <> '_prisma_migrations' ORDER BY table_name, ordinal_position",
    );
    const pg: Record<string, string[]> = {};
    for (const r of rows) (pg[r.t] ??= []).push(r.c);
    expect(sorted(pg)).toEqual(sorted(sqliteTables(file)));
    expect(await db.query(`SELECT author_id, editor_id FROM posts ORDER BY id`)).toEqual([{ author_id: 1, editor_id: 2 }, { author_id: 2, editor_id: null }]);
    expect(await db.query(`SELECT "A", "B" FROM "_LabelToarticle" ORDER BY 1, 2`)).toEqual([{ A: 1, B: 10 }, { A: 1, B: 20 }, { A: 2, B: 10 }]);
  });

  it("the read-back compares every keyed model and both many-to-many relations under the new names", () => {
    const rb = summary.readBack!;
    expect(rb.status).toBe("same");
    const byModel = new Map(rb.models.map((m) => [m.model, m]));
    for (const [model, rows] of [["User", 3], ["Post", 2], ["Tag", 2], ["PostTag", 3], ["Category", 2], ["Label", 2], ["article", 2], ["StringModel", 1]] as const) {
      expect(byModel.get(model), model).toMatchObject({ status: "compared", rows, differences: [] });
    }
    expect(byModel.get("_CategoryToposts")).toMatchObject({ status: "compared", relation: ["Category.posts", "Post.categories"], differences: [] });
    expect(byModel.get("_LabelToarticle")).toMatchObject({ status: "compared", differences: [] });
  });

  it("the Markdown report draws the schema under Prisma's names", () => {
    const md = readFileSync(join(tmp.dir, "report.md"), "utf8");
    expect(md).toContain("## Schema\n\n```mermaid\nerDiagram\n  Category {\n");
    expect(md).toContain("  %% User: table users\n  User {\n    Int id PK\n    String email UK\n    String fullName \"full_name\"\n");
    expect(md).toContain("  User ||--o{ Post : author");
    expect(md).toContain("  Post ||--o{ PostTag : post");
    expect(md).toContain('  Label }o--o{ article : "LabelToarticle"');
  });
});
