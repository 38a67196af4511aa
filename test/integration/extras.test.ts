// convertExtras on a real SQLite file, its SQL applied to a real PostgreSQL: every emitted statement must be valid,
// and the objects must exist in the catalog afterwards.
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { convertExtras, renderExtrasSql, type ExtrasResult } from "../../src/convert/extras/index.js";
import { openSqlite } from "../../src/db/sqlite-source.js";
import { readCatalog } from "../../src/introspect/read-catalog.js";
import { readExtraFacts } from "../../src/introspect/extra-facts.js";
import { tempDir } from "../helpers/files.js";
import { createTestDatabase, type TestDatabase } from "../helpers/pg.js";

const SQLITE_SCHEMA = `
  CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    email TEXT NOT NULL CHECK (length(email) > 3),
    handle TEXT COLLATE NOCASE UNIQUE,
    status TEXT NOT NULL DEFAULT 'active',
    price REAL,
    qty INTEGER,
    total REAL GENERATED ALWAYS AS (price * qty) STORED,
    shout TEXT AS (upper(email)) VIRTUAL,
    CONSTRAINT status_ok CHECK (status IN ('active', 'banned')),
    CHECK (qty >= 0 OR qty IS NULL)
  );
  CREATE INDEX users_active ON users(email) WHERE status = 'active';
  CREATE UNIQUE INDEX users_email_lower ON users(lower(email));
  CREATE VIEW active_users AS SELECT id, email FROM users WHERE status = 'active' AND email LIKE '%@%';
  CREATE VIEW signup_years AS SELECT id, strftime('%Y', 'now') AS y FROM users;
  CREATE TRIGGER users_touch AFTER UPDATE ON users BEGIN UPDATE users SET status = 'active' WHERE id = NEW.id; END;
  CREATE TABLE logs (msg TEXT, at TEXT);
  INSERT INTO users (email, handle, status, price, qty) VALUES ('ann@example.com', 'Ann', 'active', 2.5, 4), ('bob@example.com', 'bob', 'banned', 1, 1);
`;

// What the baseline migration would create (hand-written, as Prisma would: generated columns absent).
const PG_TABLES = `
  CREATE TABLE "users" ("id" SERIAL PRIMARY KEY, "email" TEXT NOT NULL, "handle" TEXT, "status" TEXT NOT NULL DEFAULT 'active',
    "price" DOUBLE PRECISION, "qty" INTEGER);
  CREATE UNIQUE INDEX "users_handle_key" ON "users"("handle");
  CREATE TABLE "logs" ("msg" TEXT, "at" TEXT);
  INSERT INTO "users" ("email", "handle", "status", "price", "qty") VALUES ('ann@example.com', 'Ann', 'active', 2.5, 4), ('bob@example.com', 'bob', 'banned', 1, 1);
`;

let tmp: ReturnType<typeof tempDir>;
let pg: TestDatabase;
let result: ExtrasResult;

beforeAll(async () => {
  tmp = tempDir("extras");
  const file = join(tmp.dir, "extras.db");
  const w = new Database(file);
  w.exec(SQLITE_SCHEMA);
  w.close();
  const db = openSqlite(file);
  try {
    const catalog = readCatalog(db);
    result = convertExtras(catalog, { pgSchema: "public", facts: readExtraFacts(db, catalog) });
  } finally {
    db.close();
  }
  pg = await createTestDatabase("extras");
  await pg.query(PG_TABLES);
  // As the migration file would run it: one script.
  await pg.query(renderExtrasSql(result.postDataSql));
});

afterAll(async () => {
  await pg?.drop();
  tmp?.cleanup();
});

const decision = (code: string, text: string) => result.decisions.find((d) => d.code === code && d.message.includes(text));

describe("extras applied to PostgreSQL", () => {
  it("creates the partial and expression indexes and the case-insensitive unique index", async () => {
    const rows = await pg.query<{ indexname: string; indexdef: string }>(
      "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename = 'users' ORDER BY indexname",
    );
    const defs = Object.fromEntries(rows.map((r) => [r.indexname, r.indexdef]));
    expect(defs.users_active).toMatch(/WHERE \(status = 'active'::text\)/);
    expect(defs.users_email_lower).toMatch(/CREATE UNIQUE INDEX .* \(lower\(email\)\)/);
    expect(defs.users_handle_lower_key).toMatch(/CREATE UNIQUE INDEX .* \(lower\(handle\)\)/);
    expect(result.indexesHandled.sort()).toEqual(["users_active", "users_email_lower"]);
    await expect(pg.query(`INSERT INTO "users" ("email", "handle") VALUES ('zed@example.com', 'ANN')`)).rejects.toThrow(/users_handle_lower_key/);
  });

  it("adds the CHECK constraints, validated against the data", async () => {
    const rows = await pg.query<{ conname: string; def: string }>(
      "SELECT conname, pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE conrelid = 'users'::regclass AND contype = 'c' ORDER BY conname",
    );
    expect(rows.map((r) => r.conname)).toEqual(["status_ok", "users_1_check", "users_3_check"]);
    expect(rows.find((r) => r.conname === "users_1_check")?.def).toMatch(/length\(email\) > 3/);
    await expect(pg.query(`INSERT INTO "users" ("email", "status") VALUES ('x@y.z', 'gone')`)).rejects.toThrow(/status_ok/);
  });

  it("adds both generated columns as STORED and computes them for existing rows", async () => {
    const cols = await pg.query<{ attname: string; attgenerated: string }>(
      "SELECT attname, attgenerated FROM pg_attribute WHERE attrelid = 'users'::regclass AND attgenerated <> '' ORDER BY attname",
    );
    expect(cols).toEqual([{ attname: "shout", attgenerated: "s" }, { attname: "total", attgenerated: "s" }]);
    const rows = await pg.query<{ total: number; shout: string }>(`SELECT total, shout FROM "users" ORDER BY id`);
    expect(rows).toEqual([{ total: 10, shout: "ANN@EXAMPLE.COM" }, { total: 1, shout: "BOB@EXAMPLE.COM" }]);
    expect(decision("generated", "VIRTUAL in SQLite, STORED")?.column).toBe("shout");
  });

  it("creates the portable view (LIKE as ILIKE) and reports the other with its SQLite text", async () => {
    const views = await pg.query<{ table_name: string }>("SELECT table_name FROM information_schema.views WHERE table_schema = 'public'");
    expect(views.map((v) => v.table_name)).toEqual(["active_users"]);
    expect(await pg.query(`SELECT * FROM "active_users"`)).toEqual([{ id: 1, email: "ann@example.com" }]);
    expect(decision("view", "SQLite: CREATE VIEW signup_years AS SELECT id, strftime('%Y', 'now') AS y FROM users")).toBeDefined();
  });

  it("reports the trigger with its SQLite text and the table without a primary key", () => {
    const trigger = decision("trigger", "users_touch");
    expect(trigger?.message).toContain("rewrite it as a PostgreSQL trigger function");
    expect(trigger?.message).toContain("CREATE TRIGGER users_touch AFTER UPDATE ON users BEGIN UPDATE users SET status = 'active' WHERE id = NEW.id; END");
    expect(result.decisions.find((d) => d.code === "no-primary-key")?.table).toBe("logs");
  });
});
