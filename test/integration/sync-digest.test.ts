/**
 * `sync` knows a row changed from its digest over SQLite's stored values (src/values/row-hash.ts): changes a
 * weaker digest would miss must each be synced — an integer past 2^53 (lost by a JS number), two different
 * invalid UTF-8 byte strings (equal once decoded: both become U+FFFD), an integer replaced by the equal real in
 * an untyped column PostgreSQL holds as text ("1" vs "1.0"), NULL vs ''. A range whose text holds U+FFFD is
 * digested from its bytes; a pass with nothing changed then still writes nothing. The passes digest the table on
 * the second thread (digest-helper.ts, its threshold lowered), so its digests are held to the same outcomes.
 */
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { buildSqliteFile, tempDir } from "../helpers/files.js";
import { createTestDatabase, type TestDatabase } from "../helpers/pg.js";
import { writeSqlite } from "../helpers/sync.js";

const tmp = tempDir("sync-digest");
/** The second thread's threshold lowered: it digests (and records) "Cell" in every pass of this file. */
const PARALLEL = { SQLITE2PG_SYNC_PARALLEL_ROWS: "0" };
const databases: TestDatabase[] = [];
afterAll(async () => {
  for (const db of databases) await db.drop();
  tmp.cleanup();
});

interface Summary {
  totals: { inserted: number; updated: number; deleted: number };
  tables: { table: string; rangesChanged: number; ranges: number }[];
}

async function sync(file: string, db: TestDatabase): Promise<Summary> {
  const res = await runCli(["sync", file, "--to", db.url, "--yes", "--json"], PARALLEL);
  expect(res.code, res.stderr + res.stdout).toBe(0);
  return JSON.parse(res.stdout) as Summary;
}

describe("sync: the row digest sees every change of a stored value", () => {
  let file: string;
  let db: TestDatabase;
  const cell = async (id: number) => (await db.query<{ big: string; note: string | null; any: string }>(`SELECT big::text AS big, note, "any" FROM "Cell" WHERE id = $1`, [id]))[0];

  it("migrates a table of tricky values (3000 rows: two ranges)", async () => {
    file = buildSqliteFile(tmp.dir, "cells.db", (d) => {
      d.exec(`CREATE TABLE "Aux" ("id" INTEGER NOT NULL PRIMARY KEY, "v" TEXT)`);
      d.exec(`INSERT INTO "Aux" VALUES (1, 'a'), (2, 'b')`);
      d.exec(`CREATE TABLE "Cell" ("id" INTEGER NOT NULL PRIMARY KEY, "big" BIGINT, "note" TEXT, "any")`);
      const ins = d.prepare(`INSERT INTO "Cell" VALUES (?, ?, ?, ?)`);
      d.exec("BEGIN");
      // Reals in the untyped column (a JS number binds as a real), one text: PostgreSQL holds it as text.
      for (let i = 1; i <= 3000; i++) ins.run(BigInt(i), BigInt(i), `n${i}`, i + 0.5);
      d.exec(`UPDATE "Cell" SET "any" = 'abc' WHERE id = 9`);
      d.exec(`UPDATE "Cell" SET big = 9007199254740993, "any" = 1 WHERE id = 7`);
      d.exec(`UPDATE "Cell" SET note = CAST(x'41ff' AS TEXT) WHERE id = 8`);
      d.exec(`UPDATE "Cell" SET note = 'x\uFFFD' WHERE id = 10`);
      d.exec(`UPDATE "Cell" SET note = NULL WHERE id = 11`);
      d.exec("COMMIT");
    });
    db = await createTestDatabase("sync_digest");
    databases.push(db);
    const res = await runCli(["migrate", file, "--to", db.url, "--out", join(tmp.dir, "out"), "--yes", "--sync-state", "--verify", "counts", "--decode-fallback", "windows-1252"], PARALLEL);
    expect(res.code, res.stderr + res.stdout).toBe(0);
    // The state of "Cell" recorded by the second thread.
    expect(res.stderr).toContain(`[sync] a second thread records "Cell"`);
    expect(await cell(7)).toEqual({ big: "9007199254740993", note: "n7", any: "1" });
    expect(await cell(8)).toMatchObject({ note: "Aÿ" });
  });

  it("with nothing changed (a range digested from its bytes included), nothing is written; the second thread digests", async () => {
    expect((await sync(file, db)).totals).toEqual({ inserted: 0, updated: 0, deleted: 0 });
    const res = await runCli(["sync", file, "--to", db.url, "--yes"], PARALLEL);
    expect(res.code, res.stderr + res.stdout).toBe(0);
    expect(res.stderr).toContain(`[sync] a second thread digests "Cell"`);
    expect(res.stdout).toContain("nothing written");
  });

  it("an integer past 2^53 changed in its last bit", async () => {
    writeSqlite(file, `UPDATE "Cell" SET big = 9007199254740992 WHERE id = 7`);
    expect((await sync(file, db)).totals).toEqual({ inserted: 0, updated: 1, deleted: 0 });
    expect(await cell(7)).toMatchObject({ big: "9007199254740992" });
  });

  it("one invalid UTF-8 byte replaced by another (both decode to U+FFFD); the row beside it with a real U+FFFD stays", async () => {
    writeSqlite(file, `UPDATE "Cell" SET note = CAST(x'41fe' AS TEXT) WHERE id = 8`);
    expect((await sync(file, db)).totals).toEqual({ inserted: 0, updated: 1, deleted: 0 });
    expect(await cell(8)).toMatchObject({ note: "Aþ" });
    expect(await cell(10)).toMatchObject({ note: "x\uFFFD" });
  });

  it("a text holding U+FFFD changed", async () => {
    writeSqlite(file, `UPDATE "Cell" SET note = 'y\uFFFD' WHERE id = 10`);
    expect((await sync(file, db)).totals).toEqual({ inserted: 0, updated: 1, deleted: 0 });
    expect(await cell(10)).toMatchObject({ note: "y\uFFFD" });
  });

  it("the integer 1 replaced by the real 1.0 in an untyped column held as text", async () => {
    writeSqlite(file, `UPDATE "Cell" SET "any" = 1.0 WHERE id = 7`);
    expect((await sync(file, db)).totals).toEqual({ inserted: 0, updated: 1, deleted: 0 });
    expect(await cell(7)).toMatchObject({ any: "1.0" });
  });

  it("NULL replaced by the empty text", async () => {
    writeSqlite(file, `UPDATE "Cell" SET note = '' WHERE id = 11`);
    const summary = await sync(file, db);
    expect(summary.totals).toEqual({ inserted: 0, updated: 1, deleted: 0 });
    // Only the range holding the row was read.
    expect(summary.tables).toContainEqual(expect.objectContaining({ table: "Cell", rangesChanged: 1, ranges: 2 }));
    expect(await cell(11)).toMatchObject({ note: "" });
    expect((await sync(file, db)).totals).toEqual({ inserted: 0, updated: 0, deleted: 0 });
  });

  it("verify agrees afterwards", async () => {
    const res = await runCli(["verify", file, "--to", db.url, "--decode-fallback", "windows-1252", "--quiet"]);
    expect(res.code, res.stderr + res.stdout).toBe(0);
  });
});
