/**
 * Prisma's implicit many-to-many relation tables (`_CategoryToPost`, named ones like `_Votes`: columns A/B, a unique
 * index `_AB_unique` on SQLite, a primary key `_AB_pkey` on PostgreSQL with Prisma 6) have no model, yet they hold
 * the relation itself: their rows are copied into the table Prisma's own migration creates, counted, verified, and
 * read back through the relation fields — in introspection mode (the corpus' Prisma 4 app and a file built here,
 * with Int, BigInt and String ids and a self-relation) and in `--schema` mode (an existing project). A link missing in
 * PostgreSQL fails `verify` and the read-back, naming the relation table.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runPrisma } from "../helpers/prisma-cli.js";
import { nameSchema } from "../../src/convert/naming/index.js";
import { takeSnapshot } from "../../src/introspect/snapshot.js";
import type { ReadBackResult } from "../../src/verify/readback/check.js";
import { readBackCheck } from "../../src/verify/readback/check.js";
import { buildReadBackSample } from "../../src/verify/readback/sample.js";
import { runCli } from "../helpers/cli.js";
import { buildSqliteFile, copyToTemp, CORPUS, tempDir } from "../helpers/files.js";
import { createTestDatabase, type TestDatabase } from "../helpers/pg.js";

/** The realworld corpus sits beside the pgloader one (shared/corpus/). */
const HN_DB = join(dirname(CORPUS), "realworld", "prisma_hn.db");

interface Summary {
  readonly tables: readonly { table: string; rows: number }[];
  readonly counts: readonly { table: string; sourceRows: number; targetRows: number; ok: boolean }[];
  readonly content: readonly { table: string; ok: boolean }[];
  readonly decisions: readonly { table: string; code: string; message: string }[];
  readonly drift?: { status: string };
  readonly readBack?: ReadBackResult;
}

/** The rows of a table as sorted `A|B` strings, from SQLite. */
function sqlitePairs(path: string, table: string): string[] {
  const d = new Database(path, { readonly: true });
  try {
    return (d.prepare(`SELECT "A" || '|' || "B" AS p FROM "${table}"`).pluck().all() as string[]).sort();
  } finally {
    d.close();
  }
}

async function pgPairs(db: TestDatabase, table: string): Promise<string[]> {
  const rows = await db.query<{ p: string }>(`SELECT "A"::text || '|' || "B"::text AS p FROM "${table}"`);
  return rows.map((r) => r.p).sort();
}

/** Column types and primary key of a relation table in PostgreSQL. */
async function pgShape(db: TestDatabase, table: string): Promise<{ columns: string; pkey: string | undefined }> {
  const cols = await db.query<{ column_name: string; data_type: string }>(
    "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1 ORDER BY ordinal_position",
    [table],
  );
  const [pk] = await db.query<{ conname: string; def: string }>(
    "SELECT conname, pg_get_constraintdef(c.oid) AS def FROM pg_constraint c WHERE conrelid = $1::regclass AND contype = 'p'",
    [`public."${table}"`],
  );
  return { columns: cols.map((c) => `${c.column_name} ${c.data_type}`).join(", "), pkey: pk ? `${pk.conname} ${pk.def}` : undefined };
}

describe("introspection mode: the corpus' Prisma 4 app (prisma_hn.db, join table _Votes)", () => {
  let db: TestDatabase;
  const tmp = tempDir("m2m-hn");
  const out = join(tmp.dir, "prisma");
  let sqlitePath: string;
  let run: Awaited<ReturnType<typeof runCli>>;
  let summary: Summary;

  beforeAll(async () => {
    db = await createTestDatabase("m2m_hn");
    sqlitePath = copyToTemp(HN_DB, tmp.dir);
    run = await runCli(["migrate", sqlitePath, "--to", db.url, "--out", out, "--report", join(tmp.dir, "summary.json"), "--yes"]);
    summary = JSON.parse(readFileSync(join(tmp.dir, "summary.json"), "utf8")) as Summary;
  });
  afterAll(async () => {
    await db?.drop();
    tmp.cleanup();
  });

  it("copies, counts and verifies _Votes like any table; nothing is reported as not migrated", async () => {
    expect(run.code, run.stderr + run.stdout).toBe(0);
    expect(run.stdout + run.stderr).not.toContain("not migrated");
    expect(summary.decisions.filter((d) => d.code === "not-in-schema")).toEqual([]);
    expect(summary.tables.find((t) => t.table === "_Votes")).toMatchObject({ rows: 1 });
    expect(summary.counts.find((c) => c.table === "_Votes")).toMatchObject({ sourceRows: 1, targetRows: 1, ok: true });
    expect(summary.content.find((c) => c.table === "_Votes")).toMatchObject({ ok: true });
    expect(await pgPairs(db, "_Votes")).toEqual(sqlitePairs(sqlitePath, "_Votes"));
    expect(sqlitePairs(sqlitePath, "_Votes")).toEqual(["1|2"]);
    // Into what Prisma 6's own migration created: a primary key instead of SQLite's _Votes_AB_unique.
    expect(await pgShape(db, "_Votes")).toEqual({ columns: "A integer, B integer", pkey: '_Votes_AB_pkey PRIMARY KEY ("A", "B")' });
    expect(readFileSync(join(out, "migrations", "0_init", "migration.sql"), "utf8")).toContain('CONSTRAINT "_Votes_AB_pkey" PRIMARY KEY ("A","B")');
  });

  it("the drift check finds none, and the read-back reads the relation through its fields", () => {
    expect(summary.drift?.status).toBe("no-drift");
    const rb = summary.readBack!;
    expect(rb.status).toBe("same");
    expect(rb.models.find((m) => m.model === "_Votes")).toMatchObject({
      status: "compared",
      rows: 1,
      // Prisma's names (convert/naming/): the named relation's fields take its name.
      relation: ["Link.votes", "User.votes"],
      differences: [],
    });
    expect(run.stdout).toContain("application read-back: 5 rows of 2 models and 1 link of 1 many-to-many relation identical through Prisma Client");
  });

  it("a link missing in PostgreSQL fails the read-back and `verify`, naming _Votes", async () => {
    await db.query('DELETE FROM "_Votes"');
    // The SQLite schema the run started from: Prisma's own introspection of the file.
    const sqliteSchemaPath = join(tmp.dir, "sqlite.prisma");
    writeFileSync(sqliteSchemaPath, `datasource db {\n  provider = "sqlite"\n  url      = "file:./prisma_hn.db"\n}\n`);
    await runPrisma(["db", "pull"], { stage: "introspect", adapter: "sqlite", adapterUrl: `file:${sqlitePath}`, schemaPath: sqliteSchemaPath, cwd: tmp.dir });
    // …with the names the migration gave the fields (migrate renames the SQLite side alike).
    writeFileSync(sqliteSchemaPath, nameSchema(readFileSync(sqliteSchemaPath, "utf8")).schema);
    const snapshot = await takeSnapshot(sqlitePath);
    const rb = await readBackCheck({
      snapshot,
      sqliteSchemaPath,
      pgSchemaPath: join(out, "schema.prisma"),
      targetUrl: db.url,
      pgSchema: "public",
      workDir: join(tmp.dir, "work"),
    }).finally(() => snapshot.dispose());
    expect(rb.status).toBe("different");
    expect(rb.models.find((m) => m.model === "_Votes")?.differences).toEqual([
      { model: "_Votes", key: "Link id=1", field: "votes", sqlite: "[2]", postgres: "[]" },
    ]);
    // The models' own rows are untouched: only the relation differs.
    expect(rb.models.filter((m) => m.relation === undefined).every((m) => m.differences.length === 0)).toBe(true);

    const res = await runCli(["verify", sqlitePath, "--to", db.url]);
    expect(res.code, res.stderr + res.stdout).toBe(1);
    expect(res.stdout + res.stderr).toMatch(/FAIL _Votes\s+rows SQLite 1 \/ PostgreSQL 0/);
    expect(res.stdout + res.stderr).toContain("_Votes [A=1, B=2] missing in PostgreSQL");
  });
});

/**
 * Prisma's SQLite DDL for three relations: `_CategoryToPost` (unnamed, Int ids), `_Likes` (named, String id on the
 * A side — Member sorts before Post — and Int on the B side) and `_Follows` (a self-relation on Member). One Post id
 * exceeds 32 bits, so Post.id becomes BigInt and so must both B columns that reference it.
 */
function buildRelations(dir: string): string {
  const relation = (name: string, a: [string, string], b: [string, string]): string => `
    CREATE TABLE "_${name}" ("A" ${a[1]} NOT NULL, "B" ${b[1]} NOT NULL,
      CONSTRAINT "_${name}_A_fkey" FOREIGN KEY ("A") REFERENCES "${a[0]}" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
      CONSTRAINT "_${name}_B_fkey" FOREIGN KEY ("B") REFERENCES "${b[0]}" ("id") ON DELETE CASCADE ON UPDATE CASCADE);
    CREATE UNIQUE INDEX "_${name}_AB_unique" ON "_${name}"("A", "B");
    CREATE INDEX "_${name}_B_index" ON "_${name}"("B");`;
  return buildSqliteFile(dir, "relations.db", (d) => {
    d.exec(`
      CREATE TABLE "Category" ("id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT, "name" TEXT NOT NULL);
      CREATE TABLE "Post" ("id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT, "title" TEXT NOT NULL);
      CREATE TABLE "Member" ("id" TEXT NOT NULL PRIMARY KEY, "handle" TEXT NOT NULL);
      ${relation("CategoryToPost", ["Category", "INTEGER"], ["Post", "INTEGER"])}
      ${relation("Likes", ["Member", "TEXT"], ["Post", "INTEGER"])}
      ${relation("Follows", ["Member", "TEXT"], ["Member", "TEXT"])}
      INSERT INTO "Category" VALUES (1, 'db'), (2, 'web');
      INSERT INTO "Post" VALUES (1, 'hello'), (5000000000, 'big');
      -- 'Ckz…' sorts before 'ckz…' byte-wise, after it in most PostgreSQL collations: rows are matched by key.
      INSERT INTO "Member" VALUES ('ckz0alice', 'alice'), ('ckz0bob', 'bob'), ('Ckz0carol', 'carol');
      INSERT INTO "_CategoryToPost" VALUES (1, 1), (1, 5000000000), (2, 5000000000);
      INSERT INTO "_Likes" VALUES ('ckz0alice', 1), ('ckz0bob', 5000000000), ('Ckz0carol', 1);
      INSERT INTO "_Follows" VALUES ('ckz0alice', 'ckz0bob'), ('ckz0bob', 'ckz0alice'), ('Ckz0carol', 'ckz0alice');
    `);
  });
}

describe("introspection mode: a file with unnamed, named and self many-to-many relations", () => {
  let db: TestDatabase;
  const tmp = tempDir("m2m-built");
  const out = join(tmp.dir, "prisma");
  let sqlitePath: string;
  let run: Awaited<ReturnType<typeof runCli>>;
  let summary: Summary;

  beforeAll(async () => {
    db = await createTestDatabase("m2m_built");
    sqlitePath = buildRelations(tmp.dir);
    run = await runCli(["migrate", sqlitePath, "--to", db.url, "--out", out, "--report", join(tmp.dir, "summary.json"), "--yes"]);
    summary = JSON.parse(readFileSync(join(tmp.dir, "summary.json"), "utf8")) as Summary;
  });
  afterAll(async () => {
    await db?.drop();
    tmp.cleanup();
  });

  it("copies every link into the tables Prisma's migration creates, typed like the ids they reference", async () => {
    expect(run.code, run.stderr + run.stdout).toBe(0);
    const schema = readFileSync(join(out, "schema.prisma"), "utf8");
    expect(schema).toMatch(/id\s+BigInt\s+@id @default\(autoincrement\(\)\)/);
    for (const table of ["_CategoryToPost", "_Likes", "_Follows"]) {
      expect(await pgPairs(db, table), table).toEqual(sqlitePairs(sqlitePath, table));
      expect(summary.counts.find((c) => c.table === table), table).toMatchObject({ sourceRows: 3, targetRows: 3, ok: true });
      expect(summary.content.find((c) => c.table === table), table).toMatchObject({ ok: true });
    }
    expect(await pgShape(db, "_CategoryToPost")).toEqual({ columns: "A integer, B bigint", pkey: '_CategoryToPost_AB_pkey PRIMARY KEY ("A", "B")' });
    expect(await pgShape(db, "_Likes")).toEqual({ columns: "A text, B bigint", pkey: '_Likes_AB_pkey PRIMARY KEY ("A", "B")' });
    expect(await pgShape(db, "_Follows")).toEqual({ columns: "A text, B text", pkey: '_Follows_AB_pkey PRIMARY KEY ("A", "B")' });
    // No "table has no primary key" advice for tables Prisma manages.
    expect(summary.decisions.filter((d) => d.table.startsWith("_"))).toEqual([]);
  });

  it("drift none; the read-back reads all three relations, both fields of the self-relation", () => {
    expect(summary.drift?.status).toBe("no-drift");
    const rb = summary.readBack!;
    expect(rb.status).toBe("same");
    const byTable = new Map(rb.models.map((m) => [m.model, m]));
    expect(byTable.get("_CategoryToPost")).toMatchObject({ status: "compared", rows: 3, differences: [] });
    expect(byTable.get("_Likes")).toMatchObject({ status: "compared", rows: 3, differences: [] });
    // Every member is an owner (a value of A); each link is read once through each of the two fields.
    expect(byTable.get("_Follows")).toMatchObject({ status: "compared", rows: 6, relation: ["Member.followsA", "Member.followsB"], differences: [] });
  });
});

const USER_SCHEMA = `// A Prisma app on SQLite with implicit many-to-many relations.
generator client {
  provider = "prisma-client-js"
}

datasource db {
  provider = "sqlite"
  url      = env("DATABASE_URL")
}

model Category {
  id    Int    @id @default(autoincrement()) @map("category_id")
  name  String @unique
  posts Post[]

  @@map("categories")
}

model Post {
  id         String     @id @default(cuid())
  title      String
  categories Category[]
  voters     User[]     @relation("Votes")
}

model User {
  id    String @id @default(cuid())
  email String @unique
  votes Post[] @relation("Votes")
}
`;

describe("--schema mode: an existing project declaring `posts Post[]` / `categories Category[]` (@@map, @map on the id) and @relation(\"Votes\")", () => {
  let db: TestDatabase;
  const tmp = tempDir("m2m-project");
  const prismaDir = join(tmp.dir, "prisma");
  const dbPath = join(prismaDir, "dev.db");
  let run: Awaited<ReturnType<typeof runCli>>;
  let summary: Summary;
  let initSql: string;

  beforeAll(async () => {
    db = await createTestDatabase("m2m_project");
    mkdirSync(join(prismaDir, "migrations", "20240101000000_init"), { recursive: true });
    const schemaPath = join(prismaDir, "schema.prisma");
    writeFileSync(schemaPath, USER_SCHEMA);
    const env = { DATABASE_URL: "file:./dev.db" };
    // Prisma's own SQLite DDL for the schema, applied as the project's migration.
    ({ stdout: initSql } = await runPrisma(["migrate", "diff", "--from-empty", "--to-schema-datamodel", schemaPath, "--script"], {
      stage: "plan",
      adapter: "sqlite",
      adapterUrl: ":memory:",
      schemaPath,
      cwd: prismaDir,
      env,
    }));
    writeFileSync(join(prismaDir, "migrations", "20240101000000_init", "migration.sql"), initSql);
    writeFileSync(join(prismaDir, "migrations", "migration_lock.toml"), 'provider = "sqlite"\n');
    await runPrisma(["migrate", "deploy"], { stage: "plan", adapter: "sqlite", adapterUrl: `file:${dbPath}`, schemaPath, cwd: prismaDir, env });
    const d = new Database(dbPath);
    d.exec(`
      INSERT INTO "categories" ("category_id", "name") VALUES (1, 'db'), (2, 'web'), (3, 'empty');
      INSERT INTO "Post" ("id", "title") VALUES ('clq0post000000000000001', 'hello'), ('clq0post000000000000002', 'again'), ('Clq0post000000000000003', 'loud');
      INSERT INTO "User" ("id", "email") VALUES ('clq0user000000000000001', 'a@example.com'), ('clq0user000000000000002', 'b@example.com');
      INSERT INTO "_CategoryToPost" ("A", "B") VALUES (1, 'clq0post000000000000001'), (2, 'clq0post000000000000001'), (2, 'Clq0post000000000000003');
      INSERT INTO "_Votes" ("A", "B") VALUES ('clq0post000000000000001', 'clq0user000000000000001'), ('clq0post000000000000001', 'clq0user000000000000002'), ('Clq0post000000000000003', 'clq0user000000000000002');
    `);
    d.close();
    run = await runCli(["migrate", dbPath, "--schema", schemaPath, "--to", db.url, "--report", join(tmp.dir, "summary.json"), "--yes"]);
    summary = JSON.parse(readFileSync(join(tmp.dir, "summary.json"), "utf8")) as Summary;
  });
  afterAll(async () => {
    await db?.drop();
    tmp.cleanup();
  });

  it("the project's SQLite tables are Prisma's implicit relation tables", () => {
    expect(initSql).toContain('CREATE TABLE "_CategoryToPost"');
    expect(initSql).toContain('CREATE UNIQUE INDEX "_CategoryToPost_AB_unique"');
    // The relation table is named by the models, not by their @@map; A references the mapped id column.
    expect(initSql).toContain('REFERENCES "categories" ("category_id")');
    expect(initSql).toContain('CREATE TABLE "_Votes"');
  });

  it("copies, counts and verifies both relation tables into what Prisma's migration creates", async () => {
    expect(run.code, run.stderr + run.stdout).toBe(0);
    expect(run.stdout + run.stderr).not.toContain("not migrated");
    for (const table of ["_CategoryToPost", "_Votes"]) {
      expect(await pgPairs(db, table), table).toEqual(sqlitePairs(dbPath, table));
      expect(summary.counts.find((c) => c.table === table), table).toMatchObject({ sourceRows: 3, targetRows: 3, ok: true });
      expect(summary.content.find((c) => c.table === table), table).toMatchObject({ ok: true });
    }
    expect(await pgShape(db, "_CategoryToPost")).toEqual({ columns: "A integer, B text", pkey: '_CategoryToPost_AB_pkey PRIMARY KEY ("A", "B")' });
    expect(await pgShape(db, "_Votes")).toEqual({ columns: "A text, B text", pkey: '_Votes_AB_pkey PRIMARY KEY ("A", "B")' });
    // The user's relation fields are kept as written.
    const schema = readFileSync(join(prismaDir, "schema.prisma"), "utf8");
    expect(schema).toMatch(/categories\s+Category\[\]\n/);
    expect(schema).toMatch(/voters\s+User\[\]\s+@relation\("Votes"\)/);
  });

  it("drift none; the read-back reads both relations through the user's fields", async () => {
    expect(summary.drift?.status).toBe("no-drift");
    const rb = summary.readBack!;
    expect(rb.status).toBe("same");
    const byTable = new Map(rb.models.map((m) => [m.model, m]));
    expect(byTable.get("_CategoryToPost")).toMatchObject({ status: "compared", rows: 3, relation: ["Category.posts", "Post.categories"], differences: [] });
    expect(byTable.get("_Votes")).toMatchObject({ status: "compared", rows: 3, relation: ["Post.voters", "User.votes"], differences: [] });
    const res = await runCli(["verify", dbPath, "--to", db.url]);
    expect(res.code, res.stderr + res.stdout).toBe(0);
    expect(res.stdout).toMatch(/ok\s+_Votes\s+3 rows/);
  });
});

describe("the read-back's sample of a relation (readback-sample.ts)", () => {
  const tmp = tempDir("m2m-sample");
  afterAll(() => tmp.cleanup());

  it("holds every link of the owners it samples and the rows they link, and passes over an owner with too many links", async () => {
    const path = buildSqliteFile(tmp.dir, "tags.db", (d) => {
      d.exec(`
        CREATE TABLE "Post" ("id" INTEGER NOT NULL PRIMARY KEY, "title" TEXT NOT NULL);
        CREATE TABLE "Tag" ("id" TEXT NOT NULL PRIMARY KEY);
        CREATE TABLE "_PostToTag" ("A" INTEGER NOT NULL, "B" TEXT NOT NULL);
        CREATE UNIQUE INDEX "_PostToTag_AB_unique" ON "_PostToTag"("A", "B");
        CREATE INDEX "_PostToTag_B_index" ON "_PostToTag"("B");
      `);
      const post = d.prepare(`INSERT INTO "Post" VALUES (?, ?)`);
      const tag = d.prepare(`INSERT INTO "Tag" VALUES (?)`);
      const link = d.prepare(`INSERT INTO "_PostToTag" VALUES (?, ?)`);
      for (let i = 1; i <= 4; i++) post.run(i, `post ${i}`);
      for (let i = 0; i < 25; i++) tag.run(`t${String(i).padStart(2, "0")}`);
      // Post 1 has 25 links: more than the budget of a sample of 2 owners (20 links).
      for (let i = 0; i < 25; i++) link.run(1, `t${String(i).padStart(2, "0")}`);
      link.run(2, "t24");
      link.run(3, "t07");
      link.run(3, "t08");
      link.run(4, "t09");
    });
    const snapshot = await takeSnapshot(path);
    try {
      const samplePath = join(tmp.dir, "sample.db");
      const result = buildReadBackSample({
        source: snapshot.db,
        schemaClonePath: snapshot.schemaClonePath,
        samplePath,
        tables: [{ table: "Post", keyColumns: ["id"] }],
        relations: [{ table: "_PostToTag", a: { table: "Post", keyColumn: "id" }, b: { table: "Tag", keyColumn: "id" } }],
        sampleSize: 2,
      });
      expect(result.failed.size).toBe(0);
      expect(result.owners.get("_PostToTag")).toEqual([2n, 3n]);
      const sample = new Database(samplePath, { readonly: true });
      try {
        expect(sample.prepare(`SELECT "A" || ':' || "B" FROM "_PostToTag" ORDER BY 1`).pluck().all()).toEqual(["2:t24", "3:t07", "3:t08"]);
        expect(sample.prepare(`SELECT "id" FROM "Tag" ORDER BY 1`).pluck().all()).toEqual(["t07", "t08", "t24"]);
        // The model's own sample (its first 2 rows) plus the rows the links point at, each once.
        expect(sample.prepare(`SELECT "id" FROM "Post" ORDER BY 1`).pluck().all()).toEqual([1, 2, 3]);
      } finally {
        sample.close();
      }
    } finally {
      await snapshot.dispose();
    }
  });
});
