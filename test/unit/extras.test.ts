import { describe, expect, it } from "vitest";
import type { SqliteCatalog, SqliteColumn, SqliteIndex, SqliteTable } from "../../src/core/catalog.js";
import { convertExtras, renderExtrasSql } from "../../src/convert/extras/index.js";
import { fitIdentifier, fitNames, utf8Length } from "../../src/convert/identifiers.js";
import { parseCreateTable, tokenize, translate, type ColumnKind } from "../../src/convert/sql/index.js";

function col(name: string, declaredType = "TEXT", extra: Partial<SqliteColumn> = {}): SqliteColumn {
  return { name, declaredType, notNull: false, defaultSql: null, pkOrder: 0, hidden: 0, ...extra };
}

function table(name: string, sql: string, columns: SqliteColumn[], indexes: SqliteIndex[] = []): SqliteTable {
  return { name, sql, columns, indexes, foreignKeys: [], withoutRowid: false, autoincrement: false, sequence: null, rowCount: 0 };
}

function catalog(tables: SqliteTable[], extra: Partial<SqliteCatalog> = {}): SqliteCatalog {
  return { tables, views: [], triggers: [], ...extra };
}

const scope = (cols: Record<string, ColumnKind>, closed = true) => ({
  names: new Map(Object.keys(cols).map((c) => [c.toLowerCase(), c])),
  kinds: new Map(Object.entries(cols).map(([c, k]) => [c.toLowerCase(), k])),
  closed,
});

function tr(sql: string, cols: Record<string, ColumnKind>, closed = true) {
  return translate(tokenize(sql), scope(cols, closed));
}

describe("tokenize", () => {
  it("handles strings, the three identifier quotes, numbers, blobs and operators", () => {
    const t = tokenize(`'it''s' "a""b" [c d] \`e\` 1.5e3 x'00' || -> a.b -- c\n/* d */ ?1`);
    expect(t.map((x) => [x.kind, x.value])).toEqual([
      ["string", "it's"], ["ident", 'a"b'], ["ident", "c d"], ["ident", "e"], ["number", "1.5e3"], ["blob", "00"],
      ["op", "||"], ["op", "->"], ["word", "a"], ["op", "."], ["word", "b"], ["param", "?1"],
    ]);
  });
});

describe("translate", () => {
  it("re-quotes identifiers in the catalog's spelling", () => {
    expect(tr(`Email = 'x' AND [Age] > 3 AND "email" IS NOT NULL`, { email: "text", age: "int" })).toEqual({
      ok: true, sql: `"email" = 'x' AND "age" > 3 AND "email" IS NOT NULL`, notes: [],
    });
  });
  it("quotes identifiers with embedded quotes through quoteIdent", () => {
    const r = tr(`"we""ird" > 0`, { 'we"ird': "int" });
    expect(r).toMatchObject({ ok: true, sql: `"we""ird" > 0` });
  });
  it("accepts whitelisted functions and rewrites the safe ones", () => {
    expect(tr("ifnull(a, '') == lower(b)", { a: "text", b: "text" })).toMatchObject({ ok: true, sql: `coalesce("a", '') = lower("b")` });
    expect(tr("instr(a, 'x') > 0", { a: "text" })).toMatchObject({ ok: true, sql: `strpos("a", 'x') > 0` });
    expect(tr("substr(a, 1, 3) = 'abc'", { a: "text" })).toMatchObject({ ok: true });
    expect(tr("CASE WHEN a IN ('x','y') THEN 1 ELSE 0 END = 1", { a: "text" })).toMatchObject({ ok: true });
    expect(tr("n BETWEEN 1 AND 10", { n: "int" })).toMatchObject({ ok: true });
  });
  it("rejects SQLite-only functions, operators and literals", () => {
    for (const sql of ["strftime('%Y', a) = '2024'", "datetime(a) > 0", "group_concat(a) = ''", "a GLOB 'x*'", "a REGEXP 'x'",
      "a -> 'x'", "a = x'00'", "n = 0x10", "round(n, 2) > 1", "substr(a, -2) = 'x'", "typeof(a) = 'text'", "max(n, 1) > 0",
      "a = CURRENT_TIMESTAMP", "CAST(a AS INTEGER) > 0", "a COLLATE NOCASE = 'x'"]) {
      expect(tr(sql, { a: "text", n: "int" }).ok, sql).toBe(false);
    }
  });
  it("refuses unknown names in a closed scope and double-quoted strings", () => {
    expect(tr("b > 0", { a: "int" })).toMatchObject({ ok: false, reason: "unknown name b" });
    expect(tr(`a = "active"`, { a: "text" })).toMatchObject({ ok: false });
  });
  it("translates LIKE to ILIKE and refuses patterns it cannot keep", () => {
    const r = tr("a LIKE 'ab%' AND a NOT LIKE '%x'", { a: "text" });
    expect(r).toMatchObject({ ok: true, sql: `"a" ILIKE 'ab%' AND "a" NOT ILIKE '%x'` });
    expect(r.ok && r.notes.join()).toMatch(/ILIKE/);
    expect(tr("a LIKE b", { a: "text", b: "text" }).ok).toBe(false);
    expect(tr("a LIKE 'x\\%'", { a: "text" }).ok).toBe(false);
  });
  it("rewrites SQLite's IS between values and postfix NOT NULL", () => {
    expect(tr("a IS b", { a: "text", b: "text" })).toMatchObject({ ok: true, sql: `"a" IS NOT DISTINCT FROM "b"` });
    expect(tr("a IS NOT b", { a: "text", b: "text" })).toMatchObject({ ok: true, sql: `"a" IS DISTINCT FROM "b"` });
    expect(tr("a NOT NULL", { a: "text" })).toMatchObject({ ok: true, sql: `"a" IS NOT NULL` });
  });
  it("checks literals against the PostgreSQL type of the column", () => {
    expect(tr("flag = 1", { flag: "boolean" })).toMatchObject({ ok: true, sql: `"flag" = TRUE` });
    expect(tr("flag = 2", { flag: "boolean" }).ok).toBe(false);
    expect(tr("a = 1", { a: "text" }).ok).toBe(false);
    expect(tr("n = 'abc'", { n: "int" }).ok).toBe(false);
    expect(tr("n = '12'", { n: "int" }).ok).toBe(true);
    expect(tr("lower(ts) = 'x'", { ts: "timestamp" }).ok).toBe(false);
    expect(tr("a + 1 > 0", { a: "text" }).ok).toBe(false);
    expect(tr("n || 'x' = 'x'", { n: "int" }).ok).toBe(false);
  });
  it("in an open scope (views) keeps aliases and refuses unresolved double-quoted names", () => {
    const r = tr("SELECT u.a AS Name, count(*) AS n FROM t u GROUP BY u.a ORDER BY name", { a: "text", t: "unknown" }, false);
    expect(r).toMatchObject({ ok: true, sql: `SELECT "u"."a" AS "Name", count(*) AS "n" FROM "t" "u" GROUP BY "u"."a" ORDER BY "Name"` });
    expect(tr(`SELECT a FROM t WHERE a = "x"`, { a: "text", t: "unknown" }, false).ok).toBe(false);
  });
});

describe("parseCreateTable", () => {
  it("finds column and table CHECKs, collations and generated columns, respecting strings and quotes", () => {
    const p = parseCreateTable(`CREATE TABLE "t" (
      id INTEGER PRIMARY KEY,
      "na,me" VARCHAR(10) COLLATE NOCASE NOT NULL CHECK (length("na,me") > 0),
      s TEXT DEFAULT ('a)b') CONSTRAINT s_ok CHECK (s IN ('a)', 'b,c')),
      total REAL GENERATED ALWAYS AS (id * 2) STORED,
      v TEXT AS (upper(s)),
      CONSTRAINT pair CHECK (id > 0), CHECK (s <> 'x'),
      UNIQUE (s)
    )`);
    expect(p.columns.map((c) => [c.name, c.collation, c.generated?.stored])).toEqual([
      ["id", null, undefined], ["na,me", "NOCASE", undefined], ["s", null, undefined], ["total", null, true], ["v", null, false],
    ]);
    expect(p.checks.map((c) => [c.name, c.column, c.expr.map((t) => t.text).join(" ")])).toEqual([
      [null, "na,me", `length ( "na,me" ) > 0`],
      ["s_ok", "s", `s IN ( 'a)' , 'b,c' )`],
      ["pair", null, "id > 0"],
      [null, null, "s <> 'x'"],
    ]);
  });
});

describe("convertExtras", () => {
  const users = table(
    "users",
    `CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT, handle TEXT COLLATE NOCASE UNIQUE, flag BOOLEAN CHECK (flag IN (0, 1)),
      created DATETIME CHECK (strftime('%Y', created) > '2000'), n INTEGER CHECK (n >= 0),
      dbl INTEGER GENERATED ALWAYS AS (n * 2) VIRTUAL, yr TEXT AS (strftime('%Y', created)) STORED)`,
    [col("id", "INTEGER", { pkOrder: 1 }), col("email"), col("handle"), col("flag", "BOOLEAN"), col("created", "DATETIME"), col("n", "INTEGER"),
      col("dbl", "INTEGER", { hidden: 2 }), col("yr", "TEXT", { hidden: 3 })],
    [
      { name: "users_active", unique: false, origin: "c", partial: true, columns: ["email"], sql: "CREATE INDEX users_active ON users(email) WHERE n > 0" },
      { name: "users_lower", unique: true, origin: "c", partial: false, columns: [null], sql: "CREATE UNIQUE INDEX users_lower ON users(lower(email))" },
      { name: "users_bad", unique: false, origin: "c", partial: false, columns: [null], sql: "CREATE INDEX users_bad ON users(date(created))" },
      { name: "sqlite_autoindex_users_1", unique: true, origin: "u", partial: false, columns: ["handle"], sql: null },
    ],
  );
  const result = convertExtras(
    catalog([users, table("logs", "CREATE TABLE logs (msg TEXT)", [col("msg")])], {
      views: [
        { name: "v_ok", sql: "CREATE VIEW v_ok AS SELECT id, email || '!' AS e FROM users WHERE flag = 1" },
        { name: "v_bad", sql: "CREATE VIEW v_bad AS SELECT julianday(created) FROM users" },
        { name: "v_dep", sql: "CREATE VIEW v_dep AS SELECT * FROM v_bad" },
      ],
      triggers: [{ name: "trg", table: "users", sql: "CREATE TRIGGER trg AFTER INSERT ON users BEGIN SELECT 1; END" }],
    }),
  );
  const codes = (code: string) => result.decisions.filter((d) => d.code === code).map((d) => d.message);

  it("translates portable indexes and reports the others; lists them all as handled", () => {
    expect(result.postDataSql).toContain(`CREATE INDEX "users_active" ON "users" ("email") WHERE "n" > 0;`);
    expect(result.postDataSql).toContain(`CREATE UNIQUE INDEX "users_lower" ON "users" ((lower("email")));`);
    expect(codes("index").some((m) => m.includes("users_bad not migrated") && m.includes("CREATE INDEX users_bad ON users(date(created))"))).toBe(true);
    expect(result.indexesHandled).toEqual(["users_active", "users_lower", "users_bad"]);
  });
  it("keeps NOCASE uniqueness as a unique index on lower(col)", () => {
    expect(result.postDataSql).toContain(`CREATE UNIQUE INDEX "users_handle_lower_key" ON "users" (lower("handle"));`);
    expect(codes("nocase-unique")[0]).toMatch(/case-insensitive uniqueness .* consider citext/);
  });
  it("adds portable CHECKs, drops boolean domain checks, reports the rest", () => {
    expect(result.postDataSql).toContain(`ALTER TABLE "users" ADD CONSTRAINT "users_3_check" CHECK ("n" >= 0);`);
    expect(codes("check").some((m) => /dropped: the column is boolean/.test(m))).toBe(true);
    expect(codes("check").some((m) => m.includes("not migrated") && m.includes("CHECK (strftime('%Y', created) > '2000')"))).toBe(true);
  });
  it("adds portable generated columns as STORED and reports the others", () => {
    expect(result.postDataSql).toContain(`ALTER TABLE "users" ADD COLUMN "dbl" BIGINT GENERATED ALWAYS AS ("n" * 2) STORED;`);
    expect(codes("generated").some((m) => m.includes("VIRTUAL in SQLite, STORED"))).toBe(true);
    expect(codes("generated").some((m) => m.includes("not migrated") && m.includes("strftime('%Y', created)"))).toBe(true);
  });
  it("translates portable views, reports the others and the ones depending on them", () => {
    expect(result.postDataSql).toContain(`CREATE VIEW "v_ok" AS SELECT "id", "email" || '!' AS "e" FROM "users" WHERE "flag" = TRUE;`);
    expect(codes("view").filter((m) => m.startsWith("view not migrated"))).toHaveLength(2);
    expect(codes("view").some((m) => m.includes("SQLite: CREATE VIEW v_bad AS SELECT julianday(created) FROM users"))).toBe(true);
  });
  it("reports triggers and tables without a primary key", () => {
    expect(codes("trigger")[0]).toContain("CREATE TRIGGER trg AFTER INSERT ON users BEGIN SELECT 1; END");
    expect(result.decisions.find((d) => d.code === "no-primary-key")?.table).toBe("logs");
  });
  it("orders statements: generated columns, checks, indexes, views", () => {
    const firstOf = (re: RegExp) => result.postDataSql.findIndex((s) => re.test(s));
    expect(firstOf(/ADD COLUMN/)).toBeLessThan(firstOf(/CHECK/));
    expect(firstOf(/CHECK/)).toBeLessThan(firstOf(/INDEX/));
    expect(firstOf(/INDEX/)).toBeLessThan(firstOf(/VIEW/));
    expect(renderExtrasSql(result.postDataSql)).toMatch(/^-- CreateView\nCREATE VIEW "v_ok"/m);
  });
  it("only touches tables and columns the plan migrates", () => {
    const r = convertExtras(catalog([users]), {
      tables: [{ name: "users", pgName: "users", columns: [{ name: "id", pgName: "id", kind: "int" }, { name: "email", pgName: "email", kind: "text" }], keyColumns: ["id"], sequenceFloor: null, rowCount: 0 }],
    });
    expect(r.postDataSql.some((s) => s.includes(`"n" >= 0`))).toBe(false);
    expect(r.decisions.some((d) => d.code === "check" && d.message.includes("unknown name n"))).toBe(true);
  });
});

describe("fitIdentifier", () => {
  const a = "col_very_long_name_that_exceeds_postgresql_identifier_limit_aaax";
  const b = "col_very_long_name_that_exceeds_postgresql_identifier_limit_aaay";
  it("keeps short free names", () => {
    expect(fitIdentifier("id", new Set())).toEqual({ name: "id", changed: false });
  });
  it("shortens long names deterministically and keeps colliding prefixes apart", () => {
    const taken = new Set<string>();
    const fa = fitIdentifier(a, taken);
    const fb = fitIdentifier(b, taken);
    expect(fa.changed && fb.changed).toBe(true);
    expect(fa.name).not.toBe(fb.name);
    expect(utf8Length(fa.name)).toBeLessThanOrEqual(63);
    expect(fitIdentifier(a, new Set()).name).toBe(fa.name);
    expect(fa.name).toBe(`${a.slice(0, 54)}_${fa.name.slice(-8)}`);
    expect(fa.name).toMatch(/_[0-9a-f]{8}$/);
  });
  it("cuts multi-byte names at a character boundary", () => {
    const r = fitIdentifier("é".repeat(40), new Set());
    expect(utf8Length(r.name)).toBeLessThanOrEqual(63);
    expect(r.name.startsWith("é".repeat(27))).toBe(true);
    expect(Buffer.from(r.name, "utf8").toString("utf8")).toBe(r.name);
    const emoji = fitIdentifier("🎉".repeat(20), new Set());
    expect(emoji.name).toMatch(/^(🎉){13}_[0-9a-f]{8}$/u);
  });
  it("resolves a taken name", () => {
    const taken = new Set(["x"]);
    const r = fitIdentifier("x", taken);
    expect(r.changed).toBe(true);
    expect(taken.has(r.name)).toBe(true);
  });
  it("fitNames never renames a name that fits", () => {
    const m = fitNames(["id", a, b]);
    expect(m.get("id")).toBe("id");
    expect(new Set(m.values()).size).toBe(3);
  });
});
