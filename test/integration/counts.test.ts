/**
 * The row-count check (verify/counts.ts) counts several tables per query: every table's count must still land on
 * its own table, across query boundaries and whatever the names, and a table off by one row must be the one named.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compareCounts } from "../../src/verify/counts.js";
import { connectTarget } from "../../src/db/pg-target.js";
import type { PgClient } from "../../src/db/pg-client.js";
import { quoteIdent } from "../../src/core/quote.js";
import { createTestDatabase, type TestDatabase } from "../helpers/pg.js";

const TABLES = 21; // more than two queries' worth
const nameOf = (i: number) => (i === 9 ? `we"ird ${i}` : i === 17 ? `Mixed.Case${i}` : `t${i}`);
let db: TestDatabase;
let client: PgClient;

beforeAll(async () => {
  db = await createTestDatabase("counts");
  await db.query("CREATE SCHEMA app");
  for (let i = 0; i < TABLES; i++) {
    await db.query(`CREATE TABLE app.${quoteIdent(nameOf(i))} (id int PRIMARY KEY, v text UNIQUE)`);
    // Table i holds i rows: a count landing on a neighbour's table would be off.
    if (i > 0) await db.query(`INSERT INTO app.${quoteIdent(nameOf(i))} SELECT g, 'v' || g FROM generate_series(1, ${i}) g`);
  }
  client = await connectTarget(db.url, "verify");
}, 60_000);

afterAll(async () => {
  await client?.end();
  await db?.drop();
});

describe("compareCounts", () => {
  it("gives each table its own count, and names the tables whose counts differ", async () => {
    const tables = Array.from({ length: TABLES }, (_, i) => ({ name: `sqlite_${i}`, pgName: nameOf(i), rowCount: i === 13 ? 14 : i }));
    const checks = await compareCounts(client, "app", tables, new Map([["sqlite_5", 0]]));
    expect(checks.map((c) => c.table)).toEqual(tables.map((t) => t.name));
    expect(checks.map((c) => c.targetRows)).toEqual(tables.map((_, i) => i));
    expect(checks.filter((c) => !c.ok).map((c) => c.table)).toEqual(["sqlite_13"]);
  });

  it("accounts for rows left out on purpose", async () => {
    const tables = [{ name: "a", pgName: nameOf(7), rowCount: 9 }];
    expect((await compareCounts(client, "app", tables, new Map([["a", 2]])))[0]).toMatchObject({ ok: true, targetRows: 7, leftOut: 2 });
    expect((await compareCounts(client, "app", tables, new Map([["a", 1]])))[0]).toMatchObject({ ok: false, targetRows: 7 });
  });
});
