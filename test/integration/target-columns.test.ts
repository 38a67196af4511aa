/**
 * The independent check's view of the target (src/verify/independent/target-columns.ts): every table's columns,
 * kinds and primary key read from PostgreSQL's catalog in one query — the key in key order, not column order; a
 * domain as its base type; a table without a key; a table that does not exist left out. A real server.
 */
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readTargetTables } from "../../src/verify/independent/target-columns.js";
import { createTestDatabase, type TestDatabase } from "../helpers/pg.js";

let db: TestDatabase;
let client: pg.Client;

beforeAll(async () => {
  db = await createTestDatabase("targetcols");
  client = new pg.Client({ connectionString: db.url });
  await client.connect();
  await client.query(`
    CREATE DOMAIN positive AS bigint CHECK (VALUE > 0);
    CREATE TABLE "Keyed" (a int, b text, c positive, d jsonb, PRIMARY KEY (c, b));
    CREATE TABLE loose (x double precision, y bytea);
    CREATE TABLE dropped (k int PRIMARY KEY, gone text, kept text);
    ALTER TABLE dropped DROP COLUMN gone;
  `);
});
afterAll(async () => {
  await client.end();
  await db.drop();
});

describe("readTargetTables", () => {
  it("describes every table in one query: kinds, the primary key in key order, no dropped column; a missing table left out", async () => {
    const tables = await readTargetTables(client, "public", ["Keyed", "loose", "dropped", "missing"]);
    expect([...tables.keys()].sort()).toEqual(["Keyed", "dropped", "loose"]);
    const keyed = tables.get("Keyed")!;
    expect(keyed.primaryKey).toEqual(["c", "b"]);
    expect([...keyed.targets.keys()]).toEqual(["a", "b", "c", "d"]);
    expect(keyed.targets.get("c")).toMatchObject({ typname: "int8", collatable: false });
    expect(keyed.targets.get("b")).toMatchObject({ typname: "text", collatable: true });
    expect(keyed.targets.get("d")).toMatchObject({ typname: "jsonb" });
    expect(tables.get("loose")!.primaryKey).toEqual([]);
    expect([...tables.get("loose")!.targets.keys()]).toEqual(["x", "y"]);
    expect(tables.get("dropped")!.primaryKey).toEqual(["k"]);
    expect([...tables.get("dropped")!.targets.keys()]).toEqual(["k", "kept"]);
  });
});
