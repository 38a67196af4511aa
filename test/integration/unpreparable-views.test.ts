/**
 * Views SQLite itself cannot prepare (over a missing table, calling the application's own SQL functions) and a
 * foreign key to a missing table must not stop introspection: each is named and reported with its SQL, the rest
 * migrates. A translated view PostgreSQL would refuse (a TEXT column compared with a number behind Access-style
 * parentheses) is caught when the plan is made, not at post-data after the copy.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { buildSqliteFile, tempDir } from "../helpers/files.js";
import { createTestDatabase, type TestDatabase } from "../helpers/pg.js";

interface Decision {
  table: string;
  column?: string;
  code: string;
  message: string;
}

/** What SQLite stores but cannot run, written as an application (or a dropped table) would leave it. */
const UNPREPARABLE = {
  sorted_titles: "CREATE VIEW sorted_titles AS SELECT title_sort(title) AS sort_key FROM books",
  over_gone: "CREATE VIEW over_gone AS SELECT * FROM gone",
  over_over_gone: "CREATE VIEW over_over_gone AS SELECT * FROM over_gone",
};

function build(d: Database.Database): void {
  // SQLite's default (better-sqlite3 turns enforcement on): a reference to a missing table is stored as written.
  d.pragma("foreign_keys = OFF");
  d.exec(`
    CREATE TABLE books (id INTEGER PRIMARY KEY, title TEXT NOT NULL);
    INSERT INTO books VALUES (1, 'The Hobbit'), (2, 'Dune');
    CREATE TABLE tags (
      id INTEGER PRIMARY KEY,
      book_id INTEGER REFERENCES books(id),
      gone_id INTEGER REFERENCES gone(id),
      label TEXT
    );
    INSERT INTO tags VALUES (1, 1, 41, 'fantasy'), (2, 2, 42, 'sf'), (3, NULL, NULL, 'none');
    CREATE TABLE products (id INTEGER PRIMARY KEY, name TEXT NOT NULL, discontinued TEXT NOT NULL);
    INSERT INTO products VALUES (1, 'Chai', '0'), (2, 'Chang', '1');
    CREATE VIEW book_titles AS SELECT id, title FROM books;
    CREATE VIEW current_products AS SELECT products.* FROM products WHERE (((products.discontinued)=0));
  `);
  d.unsafeMode(true);
  d.pragma("writable_schema = ON");
  const insert = d.prepare("INSERT INTO sqlite_schema (type, name, tbl_name, rootpage, sql) VALUES ('view', ?, ?, 0, ?)");
  for (const [name, sql] of Object.entries(UNPREPARABLE)) insert.run(name, name, sql);
  d.pragma("writable_schema = OFF");
  d.unsafeMode(false);
}

describe("views SQLite cannot prepare, foreign keys to missing tables", () => {
  const tmp = tempDir("unprep-views");
  let db: TestDatabase;
  let empty: TestDatabase;
  let file: string;
  let migrated: { code: number; stdout: string; stderr: string };
  let decisions: Decision[] = [];

  beforeAll(async () => {
    file = buildSqliteFile(tmp.dir, "app.db", build);
    db = await createTestDatabase("unprep_views");
    empty = await createTestDatabase("unprep_views_empty");
    migrated = await runCli(["migrate", file, "--to", db.url, "--out", join(tmp.dir, "prisma"), "--yes", "--json"]);
    if (migrated.code === 0) decisions = (JSON.parse(migrated.stdout) as { decisions: Decision[] }).decisions;
  });
  afterAll(async () => {
    await db?.drop();
    await empty?.drop();
    tmp.cleanup();
  });

  const viewDecision = (name: string): string => decisions.find((d) => d.table === name && d.code === "view")?.message ?? "";

  it("migrates with default flags: introspection does not stop at the views", () => {
    expect(migrated.code, migrated.stderr + migrated.stdout).toBe(0);
  });

  it("names each view SQLite cannot prepare, with SQLite's reason and the view's SQL", () => {
    expect(viewDecision("sorted_titles")).toContain("SQLite itself cannot run it (no such function: title_sort)");
    expect(viewDecision("sorted_titles")).toContain(UNPREPARABLE.sorted_titles);
    expect(viewDecision("over_gone")).toContain("no such table: main.gone");
    expect(viewDecision("over_gone")).toContain(UNPREPARABLE.over_gone);
    expect(viewDecision("over_over_gone")).toContain(UNPREPARABLE.over_over_gone);
  });

  it("the view on a TEXT column compared with a number behind parentheses is refused at plan time, with its SQL", async () => {
    expect(viewDecision("current_products")).toMatch(/view not migrated: not portable \(text column "discontinued" compared with the number 0\)/);
    expect(viewDecision("current_products")).toContain("WHERE (((products.discontinued)=0))");
    const planned = await runCli(["plan", file, "--out", join(tmp.dir, "plan"), "--json", "-q"]);
    expect(planned.code, planned.stderr).toBe(0);
    const planDecisions = (JSON.parse(planned.stdout) as { decisions: Decision[] }).decisions;
    expect(planDecisions.find((d) => d.table === "current_products")?.message).toMatch(/not portable/);
  });

  it("PostgreSQL holds the portable view only, and every row of every table", async () => {
    const views = await db.query<{ viewname: string }>("SELECT viewname FROM pg_views WHERE schemaname = 'public' ORDER BY viewname");
    expect(views.map((v) => v.viewname)).toEqual(["book_titles"]);
    expect(await db.query("SELECT id, title FROM book_titles ORDER BY id")).toEqual([
      { id: 1, title: "The Hobbit" },
      { id: 2, title: "Dune" },
    ]);
    expect(await db.query("SELECT id, book_id, gone_id, label FROM tags ORDER BY id")).toEqual([
      { id: 1, book_id: 1, gone_id: 41, label: "fantasy" },
      { id: 2, book_id: 2, gone_id: 42, label: "sf" },
      { id: 3, book_id: null, gone_id: null, label: "none" },
    ]);
    expect(await db.query("SELECT count(*)::int AS n FROM products")).toEqual([{ n: 2 }]);
  });

  it("a foreign key to a missing table is reported (table, column, missing table), not created, and not an orphan", async () => {
    const fk = decisions.find((d) => d.table === "tags" && d.code === "foreign-key");
    expect(fk?.column).toBe("gone_id");
    expect(fk?.message).toMatch(/foreign key \(gone_id\) → gone\(id\) not migrated: the file has no table "gone"/);
    const constraints = await db.query<{ conname: string }>(
      "SELECT conname FROM pg_constraint WHERE conrelid = 'public.tags'::regclass AND contype = 'f' ORDER BY conname",
    );
    expect(constraints.map((c) => c.conname)).toEqual(["tags_book_id_fkey"]);
  });

  it("plan's migration.sql applies cleanly to an empty database", async () => {
    const sql = readFileSync(join(tmp.dir, "plan", "migrations", "0_init", "migration.sql"), "utf8");
    await empty.query(sql);
    const views = await empty.query<{ viewname: string }>("SELECT viewname FROM pg_views WHERE schemaname = 'public'");
    expect(views.map((v) => v.viewname)).toEqual(["book_titles"]);
  });
});

describe("a translated view PostgreSQL refuses although the translation allowed it", () => {
  const tmp = tempDir("refused-views");
  let db: TestDatabase;
  let empty: TestDatabase;
  let out: string;
  let migrated: { code: number; stdout: string; stderr: string };

  beforeAll(async () => {
    // coalesce(text, integer): the operand check sees no column next to the literal, PostgreSQL refuses the types.
    const file = buildSqliteFile(tmp.dir, "refused.db", (d) =>
      d.exec(`
        CREATE TABLE products (id INTEGER PRIMARY KEY, name TEXT NOT NULL, discontinued TEXT NOT NULL);
        INSERT INTO products VALUES (1, 'Chai', '0'), (2, 'Chang', '1');
        CREATE VIEW in_stock AS SELECT id FROM products WHERE coalesce(discontinued, 0) = 0;
        CREATE VIEW in_stock_names AS SELECT products.name FROM in_stock JOIN products ON products.id = in_stock.id;
        CREATE VIEW all_names AS SELECT id, name FROM products;
      `),
    );
    db = await createTestDatabase("refused_views");
    empty = await createTestDatabase("refused_views_empty");
    out = join(tmp.dir, "prisma");
    migrated = await runCli(["migrate", file, "--to", db.url, "--out", out, "--yes", "--json", "--verify", "counts"]);
  });
  afterAll(async () => {
    await db?.drop();
    await empty?.drop();
    tmp.cleanup();
  });

  it("is tried on the target before the copy and left out with its SQL and PostgreSQL's reason; the run succeeds", async () => {
    expect(migrated.code, migrated.stderr + migrated.stdout).toBe(0);
    const decisions = (JSON.parse(migrated.stdout) as { decisions: Decision[] }).decisions;
    const refused = decisions.find((d) => d.table === "in_stock")?.message ?? "";
    expect(refused).toContain("view not migrated: PostgreSQL refused its translation (COALESCE types text and integer cannot be matched)");
    expect(refused).toContain("SQLite: CREATE VIEW in_stock AS SELECT id FROM products WHERE coalesce(discontinued, 0) = 0");
    expect(decisions.find((d) => d.table === "in_stock_names")?.message).toMatch(/view not migrated/);
    const views = await db.query<{ viewname: string }>("SELECT viewname FROM pg_views WHERE schemaname = 'public'");
    expect(views.map((v) => v.viewname)).toEqual(["all_names"]);
    expect(await db.query("SELECT count(*)::int AS n FROM products")).toEqual([{ n: 2 }]);
  });

  it("the baseline migrate wrote (and recorded) leaves the view out and applies cleanly to an empty database", async () => {
    const sql = readFileSync(join(out, "migrations", "0_init", "migration.sql"), "utf8");
    expect(sql).not.toContain("in_stock");
    await empty.query(sql);
    const [recorded] = await db.query<{ checksum: string }>("SELECT checksum FROM _prisma_migrations");
    const { createHash } = await import("node:crypto");
    expect(recorded.checksum).toBe(createHash("sha256").update(sql, "utf8").digest("hex"));
  });
});
