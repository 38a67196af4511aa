/**
 * Names PostgreSQL or Prisma would refuse (issue 14, items 5 and 6), through the real CLI into a real PostgreSQL
 * database: each case migrates with every row in place and the decision that says what was renamed, or is left
 * out with a decision — never a raw P1012, a parser stack trace or an internal error. Where names carry SQL, a
 * sentinel table must survive the run (no SQL of the file author's choosing runs on the target).
 */
import { dirname, join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { runCli, type CliResult } from "../helpers/cli.js";
import { buildSqliteFile, copyToTemp, CORPUS, tempDir } from "../helpers/files.js";
import { createTestDatabase, type TestDatabase } from "../helpers/pg.js";
import type { MigrateSummary } from "../../src/report/summary-types.js";
import type { Decision } from "../../src/core/decisions.js";

const q = (name: string): string => `"${name.replace(/"/g, '""')}"`;

/** The summary `--report`/`--json` write: the library's own types, not a copy of them. */
type Summary = MigrateSummary;

// Each case is a full migrate (two Prisma CLI runs, a shadow replay, two generated clients): minutes on a busy machine.
vi.setConfig({ testTimeout: 300_000 });

const tmp = tempDir("hostile-names");
afterAll(() => tmp.cleanup());

let db: TestDatabase;
let caseNo = 0;
beforeEach(async () => {
  db = await createTestDatabase("names");
});
afterEach(async () => {
  await db.drop();
});

function newDb(name: string, build: (d: Database.Database) => void): string {
  // Real files often hold keys SQLite never enforced (foreign_keys is off by default in sqlite3).
  return buildSqliteFile(tmp.dir, name, (d) => {
    d.pragma("foreign_keys = OFF");
    build(d);
  });
}

async function migrate(file: string, extra: readonly string[] = []): Promise<{ res: CliResult; summary: Summary }> {
  const res = await runCli(["migrate", file, "--to", db.url, "--out", join(tmp.dir, `out-${caseNo++}`), "--yes", "--json", ...extra]);
  expect(res.stderr).not.toMatch(/P1012|internal error|^\s+at /m);
  let summary: Summary;
  try {
    summary = JSON.parse(res.stdout) as Summary;
  } catch {
    throw new Error(`--json output is not JSON (exit ${res.code}):\nstdout: ${res.stdout}\nstderr: ${res.stderr}`);
  }
  return { res, summary };
}

/** Every row of a SQLite table, each value as text (NULL stays null), in rowid order. */
function sqliteRows(file: string, table: string, columns: readonly string[]): (string | null)[][] {
  const d = new Database(file, { readonly: true });
  try {
    const sql = `SELECT ${columns.map((c) => `CAST(${q(c)} AS TEXT)`).join(", ")} FROM ${q(table)} ORDER BY rowid`;
    return d.prepare(sql).raw(true).all() as (string | null)[][];
  } finally {
    d.close();
  }
}

/** The same from PostgreSQL (`public.<table>`, schema-qualified: a table may be named like a catalog). */
async function pgRows(table: string, columns: readonly string[], orderBy: string): Promise<(string | null)[][]> {
  const rows = await db.query(`SELECT ${columns.map((c, i) => `${q(c)}::text AS c${i}`).join(", ")} FROM public.${q(table)} ORDER BY ${q(orderBy)}`);
  return rows.map((r) => columns.map((_, i) => (r[`c${i}`] as string | null) ?? null));
}

async function pgColumns(table: string): Promise<string[]> {
  const rows = await db.query<{ attname: string }>(
    `SELECT a.attname FROM pg_catalog.pg_attribute a WHERE a.attrelid = pg_catalog.to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`,
    [`public.${q(table)}`],
  );
  return rows.map((r) => r.attname);
}

async function publicTables(): Promise<string[]> {
  const rows = await db.query<{ relname: string }>(
    "SELECT c.relname FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relkind = 'r' ORDER BY 1",
  );
  return rows.map((r) => r.relname);
}

/** Foreign keys of the public schema as `table(cols) -> parent(cols)`. */
async function pgForeignKeys(): Promise<string[]> {
  const rows = await db.query<{ fk: string }>(
    `SELECT c.relname || '(' || (SELECT string_agg(a.attname, ',' ORDER BY a.attnum) FROM pg_catalog.pg_attribute a WHERE a.attrelid = k.conrelid AND a.attnum = ANY(k.conkey)) || ') -> ' ||
            p.relname || '(' || (SELECT string_agg(a.attname, ',' ORDER BY a.attnum) FROM pg_catalog.pg_attribute a WHERE a.attrelid = k.confrelid AND a.attnum = ANY(k.confkey)) || ')' AS fk
       FROM pg_catalog.pg_constraint k JOIN pg_catalog.pg_class c ON c.oid = k.conrelid JOIN pg_catalog.pg_class p ON p.oid = k.confrelid
       JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
      WHERE k.contype = 'f' AND n.nspname = 'public' ORDER BY 1`,
  );
  return rows.map((r) => r.fk);
}

/** A full, verified run: exit 0, every check green (counts, content, drift, Prisma Client read-back). */
function expectVerified(res: CliResult, summary: Summary, drift: "no-drift" | "drift" = "no-drift"): void {
  expect(res.code, res.stderr).toBe(0);
  expect(summary.ok).toBe(true);
  expect(summary.counts.every((c) => c.ok && c.sourceRows === c.targetRows)).toBe(true);
  expect(summary.drift?.status, JSON.stringify(summary.drift)).toBe(drift);
  expect(summary.readBack?.status, JSON.stringify(summary.readBack)).toBe("same");
}

function decision(summary: Summary, pred: (d: Decision) => boolean): Decision {
  const found = summary.decisions.find(pred);
  expect(found, JSON.stringify(summary.decisions, null, 2)).toBeDefined();
  return found!;
}

describe("index and constraint names over 63 bytes", () => {
  it("shortens Django's 64-byte …_uniq names and Grafana's 64-byte index name, distinct and still unique", async () => {
    const grafana = "IDX_alert_rule_version_rule_org_id_rule_namespace_uid_rule_group"; // 64 bytes
    const djangoA = `auth_group_permissions_group_id_permission_id_0cd325b0_uniq_${"x".repeat(4)}`; // 64 bytes
    const djangoB = `auth_group_permissions_group_id_permission_id_0cd325b0_uniq_${"y".repeat(4)}`; // same first 60 bytes
    expect([grafana, djangoA, djangoB].map((n) => Buffer.byteLength(n))).toEqual([64, 64, 64]);
    const file = newDb("long-index.db", (d) => {
      d.exec(`CREATE TABLE alert_rule_version (id INTEGER PRIMARY KEY, rule_org_id INTEGER, rule_namespace_uid TEXT, rule_group TEXT)`);
      d.exec(`CREATE INDEX ${q(grafana)} ON alert_rule_version (rule_org_id, rule_namespace_uid, rule_group)`);
      d.exec(`CREATE TABLE auth_group_permissions (id INTEGER PRIMARY KEY, group_id INTEGER NOT NULL, permission_id INTEGER NOT NULL, other INTEGER)`);
      d.exec(`CREATE UNIQUE INDEX ${q(djangoA)} ON auth_group_permissions (group_id, permission_id)`);
      d.exec(`CREATE UNIQUE INDEX ${q(djangoB)} ON auth_group_permissions (other)`);
      d.exec(`INSERT INTO alert_rule_version VALUES (1, 1, 'ns', 'g1'), (2, 1, 'ns', 'g2')`);
      d.exec(`INSERT INTO auth_group_permissions VALUES (1, 1, 1, 10), (2, 1, 2, 11), (3, 2, 1, NULL)`);
    });
    const { res, summary } = await migrate(file);
    expectVerified(res, summary);
    for (const [t, cols] of [["alert_rule_version", ["id", "rule_org_id", "rule_namespace_uid", "rule_group"]], ["auth_group_permissions", ["id", "group_id", "permission_id", "other"]]] as const) {
      expect(await pgRows(t, cols, "id")).toEqual(sqliteRows(file, t, cols));
    }
    const created = new Map<string, string>();
    for (const name of [grafana, djangoA, djangoB]) {
      const d = decision(summary, (x) => x.code === "index-name" && x.message.startsWith(`index name ${name} is longer than PostgreSQL's 63-byte limit; created as "`));
      created.set(name, /created as "([^"]+)"/.exec(d.message)![1]);
    }
    const indexes = await db.query<{ indexname: string; indexdef: string }>("SELECT indexname, indexdef FROM pg_catalog.pg_indexes WHERE schemaname = 'public'");
    const byName = new Map(indexes.map((i) => [i.indexname, i.indexdef]));
    expect(new Set(created.values()).size).toBe(3);
    for (const pgName of created.values()) {
      expect(Buffer.byteLength(pgName)).toBeLessThanOrEqual(63);
      expect(byName.has(pgName), pgName).toBe(true);
    }
    expect(byName.get(created.get(djangoA)!)).toMatch(/^CREATE UNIQUE INDEX .* \(group_id, permission_id\)$/);
    expect(byName.get(created.get(djangoB)!)).toMatch(/^CREATE UNIQUE INDEX .* \(other\)$/);
    expect(byName.get(created.get(grafana)!)).toMatch(/^CREATE INDEX .* \(rule_org_id, rule_namespace_uid, rule_group\)$/);
  });
});

describe("names that collide after Prisma's cleanup", () => {
  it('migrates tables "a b", a_b, "a-b" and columns "x y", x_y, "x-y" (with a relation between them) under their own names', async () => {
    const cols = ["id", "x y", "x_y", "x-y"];
    const file = newDb("collide.db", (d) => {
      for (const t of ["a b", "a_b", "a-b"]) {
        d.exec(`CREATE TABLE ${q(t)} (id INTEGER PRIMARY KEY, "x y" TEXT, x_y TEXT, "x-y" TEXT)`);
        d.prepare(`INSERT INTO ${q(t)} VALUES (?, ?, ?, ?), (?, ?, ?, ?)`).run(1, `${t} 1`, `${t} 2`, `${t} 3`, 2, null, `${t} 5`, "");
      }
      d.exec(`CREATE TABLE child (id INTEGER PRIMARY KEY, ab INTEGER REFERENCES "a b"(id), a_dash_b INTEGER REFERENCES "a-b"(id))`);
      d.exec(`INSERT INTO child VALUES (1, 1, 2), (2, 2, 1)`);
    });
    const { res, summary } = await migrate(file);
    expectVerified(res, summary);
    for (const t of ["a b", "a_b", "a-b"]) {
      expect(await pgColumns(t)).toEqual(cols);
      expect(await pgRows(t, cols, "id")).toEqual(sqliteRows(file, t, cols));
    }
    expect(await pgRows("child", ["id", "ab", "a_dash_b"], "id")).toEqual(sqliteRows(file, "child", ["id", "ab", "a_dash_b"]));
    // The relations point at the right tables although Prisma would have named all three models a_b.
    expect(await pgForeignKeys()).toEqual(["child(a_dash_b) -> a-b(id)", "child(ab) -> a b(id)"]);
    decision(summary, (d) => d.table === "a b" && d.code === "model-name" && /would be named a_b by Prisma, like table "a_b"/.test(d.message));
    decision(summary, (d) => d.table === "a-b" && d.code === "model-name" && /would be named a_b by Prisma, like table "a_b"/.test(d.message));
    decision(summary, (d) => d.table === "a_b" && d.column === "x y" && d.code === "field-name" && /would be named x_y by Prisma, like column "x_y"/.test(d.message));
  });
});

describe("tables named like a Prisma scalar type", () => {
  it("migrates tables String, DateTime and Int (models renamed, tables keep their names), and enum (a reserved word)", async () => {
    const file = newDb("scalar-names.db", (d) => {
      for (const t of ["String", "DateTime", "Int", "enum"]) {
        d.exec(`CREATE TABLE ${q(t)} (id INTEGER PRIMARY KEY, v TEXT)`);
        d.prepare(`INSERT INTO ${q(t)} VALUES (1, ?), (2, NULL)`).run(`a ${t}`);
      }
      d.exec(`CREATE TABLE uses (id INTEGER PRIMARY KEY, s INTEGER REFERENCES String(id))`);
      d.exec(`INSERT INTO uses VALUES (1, 1)`);
    });
    const { res, summary } = await migrate(file);
    expectVerified(res, summary);
    for (const t of ["String", "DateTime", "Int"]) {
      expect(await pgRows(t, ["id", "v"], "id")).toEqual(sqliteRows(file, t, ["id", "v"]));
      const d = decision(summary, (x) => x.table === t && x.code === "model-name");
      expect(d.message).toBe(`model named Renamed${t}: the table name is a Prisma scalar type name (${t}), which a model cannot have (@@map keeps the table's name)`);
    }
    // Prisma renames models named like its reserved words itself (Renamedenum, with @@map).
    expect(await pgRows("enum", ["id", "v"], "id")).toEqual(sqliteRows(file, "enum", ["id", "v"]));
    expect(await pgForeignKeys()).toEqual(["uses(s) -> String(id)"]);
  });
});

describe("columns named like PostgreSQL system columns", () => {
  it("gives xmin, xmax, cmin, cmax, ctid and tableoid new PostgreSQL names and copies and verifies their data there", async () => {
    const system = ["xmin", "xmax", "cmin", "cmax", "ctid", "tableoid"];
    const file = newDb("system-columns.db", (d) => {
      d.exec(`CREATE TABLE t (id INTEGER PRIMARY KEY, ${system.map((c) => `${c} TEXT`).join(", ")}, xmin_ TEXT)`);
      d.prepare(`INSERT INTO t VALUES (1, ${system.map(() => "?").join(", ")}, 'taken')`).run(...system.map((c) => `value of ${c}`));
      d.exec(`INSERT INTO t (id) VALUES (2)`);
    });
    const { res, summary } = await migrate(file);
    expectVerified(res, summary);
    const pgCols = await pgColumns("t");
    expect(pgCols).toHaveLength(system.length + 2);
    const pgNames = system.map((c) => {
      const d = decision(summary, (x) => x.table === "t" && x.column === c && x.message.startsWith(`column name "${c}" is the name of a PostgreSQL system column (${c}); created as "`));
      return /created as "([^"]+)"/.exec(d.message)![1];
    });
    // xmin_ exists already: the renamed xmin must not take it.
    expect(new Set([...pgNames, "xmin_"]).size).toBe(system.length + 1);
    for (const n of pgNames) expect(system).not.toContain(n);
    expect(await pgRows("t", ["id", ...pgNames, "xmin_"], "id")).toEqual(sqliteRows(file, "t", ["id", ...system, "xmin_"]));
  });
});

describe("tables named like PostgreSQL catalogs", () => {
  it("creates public.pg_type, pg_class and pg_attribute with keys, an index and a foreign key, and copies them", async () => {
    const file = newDb("catalog-names.db", (d) => {
      d.exec(`CREATE TABLE pg_type (id INTEGER PRIMARY KEY, typname TEXT UNIQUE)`);
      d.exec(`CREATE TABLE pg_class (id INTEGER PRIMARY KEY, relname TEXT, type_id INTEGER REFERENCES pg_type(id))`);
      d.exec(`CREATE TABLE pg_attribute (id INTEGER PRIMARY KEY, attname TEXT)`);
      d.exec(`CREATE INDEX pg_class_relname ON pg_class (relname)`);
      d.exec(`INSERT INTO pg_type VALUES (1, 'int4'), (2, 'text')`);
      d.exec(`INSERT INTO pg_class VALUES (1, 'users', 2), (2, 'posts', 1)`);
      d.exec(`INSERT INTO pg_attribute VALUES (7, 'name')`);
    });
    const { res, summary } = await migrate(file);
    expectVerified(res, summary);
    expect(await pgRows("pg_type", ["id", "typname"], "id")).toEqual(sqliteRows(file, "pg_type", ["id", "typname"]));
    expect(await pgRows("pg_class", ["id", "relname", "type_id"], "id")).toEqual(sqliteRows(file, "pg_class", ["id", "relname", "type_id"]));
    expect(await pgRows("pg_attribute", ["id", "attname"], "id")).toEqual(sqliteRows(file, "pg_attribute", ["id", "attname"]));
    expect(await pgForeignKeys()).toEqual(["pg_class(type_id) -> pg_type(id)"]);
    // The sequences were moved past the copied ids (setval on the public tables, not on the catalogs).
    const [next] = await db.query<{ id: number }>(`INSERT INTO public.pg_type (typname) VALUES ('new') RETURNING id`);
    expect(next.id).toBe(3);
  });
});

describe("empty and blank names", () => {
  it('migrates a table named "" and columns named "" and " " with their data', async () => {
    const file = newDb("empty-names.db", (d) => {
      d.exec(`CREATE TABLE "" (id INTEGER PRIMARY KEY, v TEXT)`);
      d.exec(`INSERT INTO "" VALUES (1, 'in the empty table')`);
      d.exec(`CREATE TABLE t (id INTEGER PRIMARY KEY, "" TEXT, " " TEXT, "  " INTEGER, ok TEXT)`);
      d.exec(`INSERT INTO t VALUES (1, 'empty', 'blank', 22, 'ok'), (2, NULL, '', NULL, NULL)`);
    });
    const { res, summary } = await migrate(file);
    expectVerified(res, summary);
    const table = decision(summary, (d) => d.table === "" && d.code === "identifier");
    expect(table.message).toBe(`table name "" is empty, which PostgreSQL refuses; created as "unnamed_table" (@@map), the data is kept`);
    expect(await pgRows("unnamed_table", ["id", "v"], "id")).toEqual(sqliteRows(file, "", ["id", "v"]));
    const column = decision(summary, (d) => d.table === "t" && d.column === "" && /is empty, which PostgreSQL refuses/.test(d.message));
    expect(column.message).toMatch(/created as "unnamed_column" \(@map\)/);
    expect(await pgColumns("t")).toEqual(["id", "unnamed_column", " ", "  ", "ok"]);
    expect(await pgRows("t", ["id", "unnamed_column", " ", "  ", "ok"], "id")).toEqual(sqliteRows(file, "t", ["id", "", " ", "  ", "ok"]));
  });
});

describe("identifiers containing a double quote", () => {
  it("migrates them under names without one: the SQL in them never runs, the data is kept", async () => {
    const table = 'x"; DROP TABLE sentinel; --';
    const column = 'a" TEXT); COMMIT; DROP TABLE sentinel; CREATE TABLE "zz" ("id" INT, "b';
    const index = 'ix"; DROP TABLE sentinel; --';
    await db.query("CREATE TABLE sentinel (x int)");
    const file = newDb("dq.db", (d) => {
      d.exec(`CREATE TABLE ${q(table)} (id INTEGER PRIMARY KEY, ${q(column)} TEXT, plain TEXT)`);
      d.exec(`CREATE INDEX ${q(index)} ON ${q(table)} (${q(column)})`);
      d.exec(`CREATE TABLE child (id INTEGER PRIMARY KEY, x_id INTEGER REFERENCES ${q(table)}(id))`);
      d.prepare(`INSERT INTO ${q(table)} VALUES (1, ?, 'p'), (2, NULL, NULL)`).run(`"'; DROP TABLE sentinel; --`);
      d.exec(`INSERT INTO child VALUES (1, 1)`);
    });
    const { res, summary } = await migrate(file);
    // The only difference between the database and migrations/ is the sentinel, which is not the migration's.
    expectVerified(res, summary, "drift");
    expect(summary.drift?.differences?.length).toBeGreaterThan(0);
    for (const d of summary.drift?.differences ?? []) expect(d).toMatch(/sentinel/);
    const pgTable = /created as "([^"]+)"/.exec(decision(summary, (d) => d.table === table && d.column === undefined && d.code === "identifier").message)![1];
    const pgColumn = /created as "([^"]+)"/.exec(decision(summary, (d) => d.table === table && d.column === column && d.code === "identifier").message)![1];
    expect(pgTable).toBe("x_; DROP TABLE sentinel; --");
    // `"` became `_`, then the 73-byte result was fitted to 63 bytes.
    expect(pgColumn).toMatch(/^a_ TEXT\); COMMIT; DROP TABLE sentinel; CREATE TABLE _z_[0-9a-f]{8}$/);
    expect(await pgColumns(pgTable)).toEqual(["id", pgColumn, "plain"]);
    expect(await publicTables()).toEqual(["_prisma_migrations", "child", "sentinel", pgTable].sort());
    expect(await pgRows(pgTable, ["id", pgColumn, "plain"], "id")).toEqual(sqliteRows(file, table, ["id", column, "plain"]));
    expect(await pgForeignKeys()).toEqual([`child(x_id) -> ${pgTable}(id)`]);
    const indexDecision = decision(summary, (d) => d.code === "index-name" && d.message.startsWith(`index name ${JSON.stringify(index)} contains a double quote`));
    const pgIndex = /created as "([^"]+)"/.exec(indexDecision.message)![1];
    const [ix] = await db.query<{ indexdef: string }>("SELECT indexdef FROM pg_catalog.pg_indexes WHERE schemaname = 'public' AND indexname = $1", [pgIndex]);
    expect(ix?.indexdef).toContain(pgColumn);
  });
});

describe("foreign keys PostgreSQL cannot create", () => {
  it("leaves out a foreign key to a non-unique column (and one from TEXT to INTEGER) with a decision; every row is copied", async () => {
    const file = newDb("fk-non-unique.db", (d) => {
      d.exec(`CREATE TABLE p (id INTEGER PRIMARY KEY, code TEXT)`);
      d.exec(`CREATE TABLE c (id INTEGER PRIMARY KEY, p_id INTEGER REFERENCES p(id), code TEXT REFERENCES p(code), t TEXT REFERENCES p(id))`);
      d.exec(`INSERT INTO p VALUES (1, 'a'), (2, 'a'), (3, 'b')`);
      // 'zz' and 'x' have no parent: orphans of constraints that are not created must not stop the run.
      d.exec(`INSERT INTO c VALUES (1, 1, 'a', '1'), (2, 3, 'zz', 'x'), (3, NULL, NULL, NULL)`);
    });
    const { res, summary } = await migrate(file);
    expectVerified(res, summary);
    expect(await pgRows("p", ["id", "code"], "id")).toEqual(sqliteRows(file, "p", ["id", "code"]));
    expect(await pgRows("c", ["id", "p_id", "code", "t"], "id")).toEqual(sqliteRows(file, "c", ["id", "p_id", "code", "t"]));
    expect(await pgForeignKeys()).toEqual(["c(p_id) -> p(id)"]);
    expect(decision(summary, (d) => d.table === "c" && d.code === "foreign-key" && d.message.startsWith("foreign key (code) → p(code)")).message).toBe(
      "foreign key (code) → p(code) is not created: the referenced column(s) are not a primary key or unique in SQLite, and PostgreSQL requires one for a foreign key; the data of both tables is copied as it is",
    );
    expect(decision(summary, (d) => d.table === "c" && d.code === "foreign-key" && d.message.startsWith("foreign key (t) → p(id)")).message).toMatch(
      /is not created: String references Int/,
    );
  });

  it("still checks the table's other foreign keys for orphans: plan lists them, migrate stops naming them", async () => {
    const file = newDb("fk-non-unique-orphan.db", (d) => {
      d.exec(`CREATE TABLE p (id INTEGER PRIMARY KEY, code TEXT)`);
      d.exec(`CREATE TABLE c (id INTEGER PRIMARY KEY, p_id INTEGER REFERENCES p(id), code TEXT REFERENCES p(code))`);
      d.exec(`INSERT INTO p VALUES (1, 'a')`);
      d.exec(`INSERT INTO c VALUES (1, 1, 'a'), (2, 9, 'a')`);
    });
    const planned = await runCli(["plan", file, "--out", join(tmp.dir, `out-${caseNo++}`)]);
    expect(planned.stdout).toMatch(/c\.p_id \[2\]: references a missing row of "p" \(value: 9\)/);
    const res = await runCli(["migrate", file, "--to", db.url, "--out", join(tmp.dir, `out-${caseNo++}`), "--yes"]);
    expect(res.code, res.stderr).toBe(1);
    expect(res.stderr).toMatch(/c\.p_id \[2\]: references a missing row of "p"/);
    expect(res.stderr).not.toMatch(/internal error|^\s+at /m);
    expect(await publicTables()).toEqual([]);
  });
});

describe("both sides of a relation get one type", () => {
  it("widens Django's integer primary keys referenced by bigint foreign keys to bigint, keys and references alike", async () => {
    const file = newDb("django-bigint.db", (d) => {
      d.exec(`CREATE TABLE "auth_user" ("id" integer NOT NULL PRIMARY KEY AUTOINCREMENT, "username" varchar(150) NOT NULL UNIQUE)`);
      d.exec(`CREATE TABLE "blog_post" ("id" integer NOT NULL PRIMARY KEY AUTOINCREMENT, "author_id" bigint NOT NULL REFERENCES "auth_user" ("id") DEFERRABLE INITIALLY DEFERRED, "title" varchar(200) NOT NULL)`);
      d.exec(`CREATE TABLE "blog_comment" ("id" integer NOT NULL PRIMARY KEY AUTOINCREMENT, "post_id" integer NOT NULL REFERENCES "blog_post" ("id"), "user_id" integer REFERENCES "auth_user" ("id"))`);
      d.exec(`INSERT INTO auth_user VALUES (1, 'ann'), (2, 'bob')`);
      d.exec(`INSERT INTO blog_post VALUES (1, 1, 'hello'), (2, 2, 'again')`);
      d.exec(`INSERT INTO blog_comment VALUES (1, 2, 1), (2, 1, NULL)`);
    });
    const { res, summary } = await migrate(file);
    expectVerified(res, summary);
    const types = await db.query<{ col: string; type: string }>(
      `SELECT table_name || '.' || column_name AS col, data_type AS type FROM information_schema.columns
        WHERE table_schema = 'public' AND table_name IN ('auth_user', 'blog_post', 'blog_comment') AND column_name LIKE '%id' ORDER BY 1`,
    );
    expect(types).toEqual([
      { col: "auth_user.id", type: "bigint" },
      { col: "blog_comment.id", type: "integer" },
      { col: "blog_comment.post_id", type: "integer" },
      { col: "blog_comment.user_id", type: "bigint" },
      { col: "blog_post.author_id", type: "bigint" },
      { col: "blog_post.id", type: "integer" },
    ]);
    expect(await pgForeignKeys()).toEqual(["blog_comment(post_id) -> blog_post(id)", "blog_comment(user_id) -> auth_user(id)", "blog_post(author_id) -> auth_user(id)"]);
    for (const [t, cols] of [["auth_user", ["id", "username"]], ["blog_post", ["id", "author_id", "title"]], ["blog_comment", ["id", "post_id", "user_id"]]] as const) {
      expect(await pgRows(t, cols, "id")).toEqual(sqliteRows(file, t, cols));
    }
    const d = decision(summary, (x) => x.table === "auth_user" && x.column === "id" && x.code === "type");
    expect(d.message).toBe(
      "Int → BigInt: a foreign key and the key it references must have one type (PostgreSQL, Prisma); blog_post.author_id is BigInt, so the whole group is: auth_user.id, blog_comment.user_id, blog_post.author_id",
    );
    decision(summary, (x) => x.table === "blog_comment" && x.column === "user_id" && x.message.startsWith("Int → BigInt"));
    // The widened serial key keeps counting after the copied ids.
    const [next] = await db.query<{ id: string }>(`INSERT INTO auth_user (username) VALUES ('cy') RETURNING id::text AS id`);
    expect(next.id).toBe("3");
  });
});

describe("a real database: Grafana", () => {
  it("gets past the plan (its 64-byte index name) and migrates with --on-error reject", { timeout: 600_000 }, async () => {
    const file = copyToTemp(join(dirname(CORPUS), "realworld", "grafana.db"), tmp.dir);
    const { res, summary } = await migrate(file, ["--on-error", "reject"]);
    expect(res.code, res.stderr).toBe(0);
    expect(summary.counts.length).toBeGreaterThan(80);
    expect(summary.counts.every((c) => c.ok)).toBe(true);
    decision(summary, (d) => d.table === "alert_rule_version" && d.message.startsWith("index name IDX_alert_rule_version_rule_org_id_rule_namespace_uid_rule_group is longer than"));
  });
});
