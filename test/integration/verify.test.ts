/**
 * `sqlite2pg verify` end to end through the real CLI: a fresh migration verifies clean (exit 0); each kind of
 * tampering on the PostgreSQL side — a changed text, a deleted row, a timestamp shifted by one second, an extra
 * row, a flipped boolean, a changed blob byte, a lost duplicate in a table without key — exits 1 and names the
 * table, the row key and the column.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import pg from "pg";
import type { TablePlan } from "../../src/convert/convert.js";
import type { MigrateSummary } from "../../src/report/summary-types.js";
import { matchSentChecksum } from "../../src/verify/content/sent-checksums.js";
import { verifyDatabase, type VerifyResult } from "../../src/pipeline/verify.js";
import { runCli } from "../helpers/cli.js";
import { copyToTemp, corpusFile, EXAMPLE_DB, tempDir } from "../helpers/files.js";
import { createTestDatabase, type TestDatabase } from "../helpers/pg.js";

async function migrateInto(db: TestDatabase, sqlite: string, dir: string, report?: string): Promise<void> {
  const res = await runCli(["migrate", sqlite, "--to", db.url, "--out", join(dir, "prisma"), "--yes", "--quiet", ...(report ? ["--report", report] : [])]);
  expect(res.code, res.stderr).toBe(0);
}

/** Run `verify` once: human output on stdout, the full result from --report. */
async function verify(db: TestDatabase, sqlite: string, dir: string): Promise<{ code: number; stdout: string; result: VerifyResult }> {
  const report = join(dir, `verify-${Date.now()}.json`);
  const res = await runCli(["verify", sqlite, "--to", db.url, "--report", report, "--quiet"]);
  expect(res.code === 0 || res.code === 1, res.stderr).toBe(true);
  return { code: res.code, stdout: res.stdout, result: JSON.parse(readFileSync(report, "utf8")) as VerifyResult };
}

function tableResult(result: VerifyResult, table: string) {
  const t = result.tables.find((x) => x.table === table);
  if (!t) throw new Error(`no result for ${table}`);
  return t;
}

describe("verify the bundled blog example", () => {
  let db: TestDatabase;
  const tmp = tempDir("verify-blog");
  let source: string;

  beforeAll(async () => {
    db = await createTestDatabase("verify_blog");
    source = copyToTemp(EXAMPLE_DB, tmp.dir);
    await migrateInto(db, source, tmp.dir);
  });
  afterAll(async () => {
    await db.drop();
    tmp.cleanup();
  });

  it("exits 0 on a fresh migration and prints every table with its checksum", async () => {
    const report = join(tmp.dir, "verify.json");
    const res = await runCli(["verify", source, "--to", db.url, "--report", report, "--quiet"]);
    expect(res.code, res.stderr + res.stdout).toBe(0);
    expect(res.stdout).toMatch(/ok\s+post\s+4 rows\s+checksum ok/);
    expect(res.stdout).toMatch(/ok\s+user\s+3 rows\s+checksum ok/);
    expect(res.stdout).toContain("verified");
    const written = JSON.parse(readFileSync(report, "utf8")) as VerifyResult;
    expect(written.ok).toBe(true);
    for (const t of written.tables) {
      expect(t.sourceChecksum).toMatch(/^[0-9a-f]{64}$/);
      expect(t.targetChecksum).toBe(t.sourceChecksum);
      expect(t.differenceCount).toBe(0);
    }
  });

  it("names a changed text value and a timestamp shifted by one second", async () => {
    await db.query(`UPDATE post SET title = title || '!' WHERE id = 2`);
    await db.query(`UPDATE post SET created = created + interval '1 second' WHERE id = 3`);
    const res = await verify(db, source, tmp.dir);
    expect(res.code).toBe(1);
    expect(res.stdout).toContain('post [id=2] title: SQLite "Tabs\\tand \\"quotes\\"" ≠ PostgreSQL "Tabs\\tand \\"quotes\\"!"');
    expect(res.stdout).toContain('post [id=3] created: SQLite "2024-02-01 12:00:00" ≠ PostgreSQL "2024-02-01 12:00:01"');
    expect(res.stdout).toMatch(/FAIL\s+post\s+4 rows\s+checksum DIFFERS/);
    expect(res.stdout).toMatch(/ok\s+user/);
    expect(res.stdout).toContain("verification FAILED: 1 table(s) differ");

    const { result } = res;
    expect(result.ok).toBe(false);
    const post = tableResult(result, "post");
    expect(post.differenceCount).toBe(2);
    expect(post.differences.map((d) => [d.kind, d.key, d.column])).toEqual([
      ["value", "id=2", "title"],
      ["value", "id=3", "created"],
    ]);
    expect(post.sourceChecksum).not.toBe(post.targetChecksum);
  });
});

describe("verify Chinook", () => {
  let db: TestDatabase;
  const tmp = tempDir("verify-chinook");
  let source: string;

  beforeAll(async () => {
    db = await createTestDatabase("verify_chinook");
    source = copyToTemp(corpusFile("Chinook_Sqlite.sqlite"), tmp.dir);
    await migrateInto(db, source, tmp.dir, join(tmp.dir, "migrate.json"));
  });

  it("migrate proved every table by the checksum of the COPY data it sent = PostgreSQL's COPY output", () => {
    const summary = JSON.parse(readFileSync(join(tmp.dir, "migrate.json"), "utf8")) as MigrateSummary;
    expect(summary.content).toHaveLength(11);
    for (const t of summary.content) {
      expect({ table: t.table, method: t.method, ok: t.ok }).toEqual({ table: t.table, method: "sent", ok: true });
      expect(t.targetChecksum).toBe(t.sourceChecksum);
      expect(t.sourceChecksum).toMatch(/^[0-9a-f]{64}$/);
    }
  });
  afterAll(async () => {
    await db.drop();
    tmp.cleanup();
  });

  it("exits 0 with equal counts and checksums for all 11 tables", async () => {
    const started = performance.now();
    const res = await runCli(["verify", source, "--to", db.url, "--json"]);
    expect(res.code, res.stderr).toBe(0);
    const result = JSON.parse(res.stdout) as VerifyResult;
    console.log(`verify Chinook via CLI (snapshot + introspect + compare): ${Math.round(performance.now() - started)} ms`);
    expect(result.ok).toBe(true);
    expect(result.tables).toHaveLength(11);
    expect(tableResult(result, "PlaylistTrack").sourceRows).toBe(8715);
    expect(tableResult(result, "Invoice").targetRows).toBe(412);
    // SQLite re-read and encoded, hashed against PostgreSQL's COPY output: no row-by-row merge was needed.
    expect(result.tables.map((t) => t.method)).toEqual(Array(11).fill("checksum"));
  });

  it("names a deleted row (composite key) and an extra row", async () => {
    await db.query(`DELETE FROM "PlaylistTrack" WHERE "PlaylistId" = 1 AND "TrackId" = 3402`);
    await db.query(`INSERT INTO "Genre" ("GenreId", "Name") VALUES (26, 'Extra')`);
    // Put the rows back afterwards: every test of this block starts from the migrated database.
    onTestFinished(async () => {
      await db.query(`DELETE FROM "Genre" WHERE "GenreId" = 26`);
      await db.query(`INSERT INTO "PlaylistTrack" ("PlaylistId", "TrackId") VALUES (1, 3402)`);
    });
    const res = await verify(db, source, tmp.dir);
    expect(res.code).toBe(1);
    expect(res.stdout).toContain("PlaylistTrack [PlaylistId=1, TrackId=3402] missing in PostgreSQL");
    expect(res.stdout).toContain("Genre [GenreId=26] extra in PostgreSQL");

    const { result } = res;
    const pt = tableResult(result, "PlaylistTrack");
    expect([pt.sourceRows, pt.targetRows, pt.differenceCount]).toEqual([8715, 8714, 1]);
    const genre = tableResult(result, "Genre");
    expect([genre.sourceRows, genre.targetRows]).toEqual([25, 26]);
    expect(genre.differences).toEqual([expect.objectContaining({ kind: "extra", key: "GenreId=26" })]);
    expect(result.tables.filter((t) => !t.ok).map((t) => t.table).sort()).toEqual(["Genre", "PlaylistTrack"]);
    expect(genre.method).toBe("rows"); // the checksums differed, so the merge ran and named the row
  });

  it("the checksum migrate recorded for the data it sent no longer matches the tampered table", async () => {
    const summary = JSON.parse(readFileSync(join(tmp.dir, "migrate.json"), "utf8")) as MigrateSummary;
    const sentFor = (table: string) => {
      const c = summary.content.find((x) => x.table === table)!;
      return { checksum: c.sourceChecksum!, rows: summary.tables.find((x) => x.table === table)!.rows };
    };
    const plan = (name: string, columns: [string, "int" | "text"][]): TablePlan => ({
      name,
      pgName: name,
      columns: columns.map(([n, kind]) => ({ name: n, pgName: n, kind })),
      keyColumns: [columns[0][0]],
      sequenceFloor: null,
      rowCount: 0,
    });
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      // Untouched: still byte-identical to what the copy sent.
      const artist = await matchSentChecksum(client, "public", plan("Artist", [["ArtistId", "int"], ["Name", "text"]]), sentFor("Artist"));
      expect(artist?.ok).toBe(true);
      const genre = plan("Genre", [["GenreId", "int"], ["Name", "text"]]);
      expect((await matchSentChecksum(client, "public", genre, sentFor("Genre")))?.ok).toBe(true);
      // One extra row: the digest and the row count differ, so no verdict from the fast path.
      await client.query(`INSERT INTO "Genre" ("GenreId", "Name") VALUES (27, 'Tampered')`);
      try {
        expect(await matchSentChecksum(client, "public", genre, sentFor("Genre"))).toBeNull();
      } finally {
        await client.query(`DELETE FROM "Genre" WHERE "GenreId" = 27`);
      }
    } finally {
      await client.end();
    }
  });

  /** What migrate recorded for Artist and Genre: the checksum of the COPY data it sent, and the rows. */
  const sentByMigrate = () => {
    const summary = JSON.parse(readFileSync(join(tmp.dir, "migrate.json"), "utf8")) as MigrateSummary;
    return new Map(
      ["Artist", "Genre"].map((table) => [
        table,
        { checksum: summary.content.find((x) => x.table === table)!.sourceChecksum!, rows: summary.tables.find((x) => x.table === table)!.rows },
      ]),
    );
  };
  /** A plan of Artist or Genre (an int key and a Name); estimated as large, the second connection is used from 8 MB of COPY data on (pipeline/verify.ts). */
  const twoColumnPlan = (name: string, key: string, estimatedBytes = 8 << 20): TablePlan => ({
    name,
    pgName: name,
    columns: [
      { name: key, pgName: key, kind: "int" },
      { name: "Name", pgName: "Name", kind: "text" },
    ],
    keyColumns: [key],
    sequenceFloor: null,
    rowCount: 0,
    estimatedBytes,
  });

  it("matches the sent checksums over two connections in one snapshot, and still names a tampered table's row", async () => {
    const sent = sentByMigrate();
    const plan = twoColumnPlan;
    const sqlite = new Database(source, { readonly: true });
    sqlite.defaultSafeIntegers(true);
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    let opened = 0;
    let meanwhile = async () => {};
    const connect = async () => {
      opened++;
      const second = new pg.Client({ connectionString: db.url });
      await second.connect();
      await meanwhile(); // runs after the first connection exported its snapshot, before the second imports it
      return second;
    };
    const run = (bytes: number) =>
      verifyDatabase({ source: sqlite, client, pgSchema: "public", tables: [plan("Artist", "ArtistId", bytes), plan("Genre", "GenreId", bytes)], sent, connect, independent: "off" });
    try {
      // A row committed meanwhile is in neither connection's snapshot: Genre (the second connection's table, the
      // queue being largest first, then in order) still hashes to what was sent.
      meanwhile = () => db.query(`INSERT INTO "Genre" ("GenreId", "Name") VALUES (29, 'Later')`).then(() => undefined);
      const clean = await run(8 << 20);
      expect(opened).toBe(1);
      expect(clean.tables.map((t) => [t.table, t.method, t.ok])).toEqual([["Artist", "sent", true], ["Genre", "sent", true]]);
      meanwhile = async () => {};
      await db.query(`DELETE FROM "Genre" WHERE "GenreId" = 29`);

      await db.query(`INSERT INTO "Genre" ("GenreId", "Name") VALUES (28, 'Tampered')`);
      onTestFinished(() => db.query(`DELETE FROM "Genre" WHERE "GenreId" = 28`).then(() => undefined));
      const tampered = await run(8 << 20);
      expect(opened).toBe(2);
      expect(tampered.ok).toBe(false);
      expect(tampered.tables.map((t) => [t.table, t.method, t.ok])).toEqual([["Artist", "sent", true], ["Genre", "rows", false]]);
      expect(tampered.tables[1].differences).toEqual([expect.objectContaining({ kind: "extra", key: "GenreId=28" })]);

      // Small tables: one connection does it all.
      await run(1024);
      expect(opened).toBe(2);

      // No second connection to be had (a connection limit): the one connection does it all, same verdicts.
      const refused = await verifyDatabase({
        source: sqlite,
        client,
        pgSchema: "public",
        tables: [plan("Artist", "ArtistId", 8 << 20), plan("Genre", "GenreId", 8 << 20)],
        sent,
        connect: () => Promise.reject(new Error("too many connections for role")),
        independent: "off",
      });
      expect(refused.tables.map((t) => [t.table, t.method, t.ok])).toEqual([["Artist", "sent", true], ["Genre", "rows", false]]);
    } finally {
      await client.end();
      sqlite.close();
    }
  });

  it("runs the independent sample on a third connection in the same snapshot, beside the tables, or after them without one", async () => {
    const sent = sentByMigrate();
    const plan = (name: string, key: string) => twoColumnPlan(name, key);
    const sqlite = new Database(source, { readonly: true });
    sqlite.defaultSafeIntegers(true);
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    onTestFinished(() => db.query(`DELETE FROM "Genre" WHERE "GenreId" = 30`).then(() => undefined));
    let opened = 0;
    let refuseFrom = Infinity;
    let inserted = false;
    let insertion: Promise<unknown> = Promise.resolve();
    const connect = async () => {
      const n = ++opened;
      if (n > refuseFrom) throw new Error("too many connections for role");
      const c = new pg.Client({ connectionString: db.url });
      await c.connect();
      // After the first connection exported its snapshot, before the others import it: committed in none of them.
      if (n === 1 && !inserted) {
        inserted = true;
        insertion = db.query(`INSERT INTO "Genre" ("GenreId", "Name") VALUES (30, 'Meanwhile')`);
      }
      // Every connection starts its transaction once the row is committed: only the imported snapshot hides it.
      await insertion;
      return c;
    };
    // migrate's coverage and counts go with the independent check: same connection, same snapshot.
    const alongside: { sameClient: boolean; genres: number }[] = [];
    const run = () =>
      verifyDatabase({
        source: sqlite,
        client,
        pgSchema: "public",
        tables: [plan("Artist", "ArtistId"), plan("Genre", "GenreId")],
        sent,
        connect,
        independent: "sample",
        alongside: async (c) => {
          alongside.push({ sameClient: c === client, genres: Number((await c.query(`SELECT count(*) AS n FROM "Genre"`)).rows[0].n) });
        },
      });
    try {
      const beside = await run();
      expect(alongside).toEqual([{ sameClient: false, genres: 25 }]);
      expect(opened).toBe(2); // the tables' second connection and the independent check's
      expect(beside.tables.map((t) => [t.table, t.method, t.ok])).toEqual([["Artist", "sent", true], ["Genre", "sent", true]]);
      expect(beside.independent).toMatchObject({ ok: true, tables: 2, differenceCount: 0 });
      expect(beside.ok).toBe(true);

      // Now committed before the snapshot: the independent check sees it too, as an extra row, on whichever
      // connection it runs — the third, or the first after the tables when no third can be had.
      for (const limit of [Infinity, 1]) {
        opened = 0;
        refuseFrom = limit;
        const seen = await run();
        expect(alongside.at(-1)).toEqual({ sameClient: limit === 1, genres: 26 });
        expect(opened).toBe(2);
        expect(seen.tables.map((t) => [t.table, t.ok])).toEqual([["Artist", true], ["Genre", false]]);
        expect(seen.independent?.ok).toBe(false);
        expect(seen.independent?.differences).toEqual([expect.objectContaining({ table: "Genre", kind: "extra", key: expect.stringContaining("30") })]);
      }
    } finally {
      await client.end();
      sqlite.close();
    }
  });
});

describe("verify booleans, blobs and a table without a primary key", () => {
  let db: TestDatabase;
  const tmp = tempDir("verify-fixture");
  const source = join(tmp.dir, "fixture.db");

  beforeAll(async () => {
    const s = new Database(source);
    s.exec(`
      CREATE TABLE flags (id INTEGER PRIMARY KEY, active BOOLEAN NOT NULL, data BLOB, price NUMERIC(10,2), note TEXT);
      CREATE TABLE log (msg TEXT, n INTEGER);
    `);
    const ins = s.prepare("INSERT INTO flags (id, active, data, price, note) VALUES (?, ?, ?, ?, ?)");
    ins.run(1, 1, Buffer.from([0x00, 0x01, 0xff]), 1.5, "tab\there");
    ins.run(2, 0, Buffer.from("hello"), 10, null);
    ins.run(3, 1, Buffer.alloc(0), null, "back\\slash\nnewline");
    const log = s.prepare("INSERT INTO log (msg, n) VALUES (?, ?)");
    for (const [m, n] of [["dup", 1], ["dup", 1], ["b", null], ["a", 2]] as const) log.run(m, n);
    s.close();
    db = await createTestDatabase("verify_fixture");
    await migrateInto(db, source, tmp.dir);
  });
  afterAll(async () => {
    await db.drop();
    tmp.cleanup();
  });

  it("exits 0 on a fresh migration", async () => {
    const { code, result } = await verify(db, source, tmp.dir);
    expect(code).toBe(0);
    expect(result.tables.map((t) => [t.table, t.sourceRows, t.ok])).toEqual([
      ["flags", 3, true],
      ["log", 4, true],
    ]);
  });

  it("verifies inside the caller's transaction without committing or disturbing it", async () => {
    const plan: TablePlan = {
      name: "flags",
      pgName: "flags",
      columns: [
        { name: "id", pgName: "id", kind: "int" },
        { name: "active", pgName: "active", kind: "boolean" },
        { name: "data", pgName: "data", kind: "bytes" },
        { name: "price", pgName: "price", kind: "decimal" },
        { name: "note", pgName: "note", kind: "text" },
      ],
      keyColumns: ["id"],
      sequenceFloor: null,
      rowCount: 3,
    };
    const sqlite = new Database(source, { readonly: true });
    sqlite.defaultSafeIntegers(true);
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      await client.query("BEGIN");
      await client.query(`UPDATE flags SET note = 'uncommitted' WHERE id = 2`);
      const result = await verifyDatabase({ source: sqlite, client, pgSchema: "public", tables: [plan] });
      expect(result.tables[0].differences).toEqual([
        { kind: "value", table: "flags", key: "id=2", column: "note", sourceValue: null, targetValue: "uncommitted" },
      ]);
      // Still in the caller's transaction, with its own session settings.
      const [{ note }] = (await client.query(`SELECT note FROM flags WHERE id = 2`)).rows;
      expect(note).toBe("uncommitted");
      await client.query("ROLLBACK");
    } finally {
      await client.end();
      sqlite.close();
    }
    const [{ note }] = await db.query(`SELECT note FROM flags WHERE id = 2`);
    expect(note).toBeNull();
  });

  it("names a flipped boolean, a changed blob byte and a lost duplicate row", async () => {
    await db.query(`UPDATE flags SET active = NOT active WHERE id = 2`);
    await db.query(`UPDATE flags SET data = set_byte(data, 2, 254) WHERE id = 1`);
    await db.query(`DELETE FROM log WHERE ctid = (SELECT ctid FROM log WHERE msg = 'dup' LIMIT 1)`);
    const res = await verify(db, source, tmp.dir);
    expect(res.code).toBe(1);
    expect(res.stdout).toContain('flags [id=2] active: SQLite "f" ≠ PostgreSQL "t"');
    expect(res.stdout).toContain('flags [id=1] data: SQLite "\\\\x0001ff" ≠ PostgreSQL "\\\\x0001fe"');
    expect(res.stdout).toContain("log [(no primary key) msg=dup, n=1] missing in PostgreSQL");

    const { result } = res;
    expect(tableResult(result, "flags").differences.map((d) => `${d.key}:${d.column}`).sort()).toEqual(["id=1:data", "id=2:active"]);
    const log = tableResult(result, "log");
    expect([log.sourceRows, log.targetRows, log.differenceCount]).toEqual([4, 3, 1]);
  });
});
