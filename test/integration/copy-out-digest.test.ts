/**
 * The copy-out digest (src/db/copy-out-digest.ts), which reads `COPY … TO STDOUT` frames off node-postgres's socket:
 * the same sha256 and row count as hashing pg-copy-streams' stream, whatever the rows (empty table, multibyte text,
 * values far larger than a socket read, many tiny rows); an ErrorResponse before or among the rows rejects with
 * PostgreSQL's message and leaves the connection usable; notices among the rows are skipped; a connection lost
 * mid-copy rejects instead of hanging. A real server throughout.
 */
import { createHash } from "node:crypto";
import pg from "pg";
import { to as copyTo } from "pg-copy-streams";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { canDigestCopyOut, digestCopyOut } from "../../src/db/copy-out-digest.js";
import { createTestDatabase, type TestDatabase } from "../helpers/pg.js";

let db: TestDatabase;
let client: pg.Client;

beforeAll(async () => {
  db = await createTestDatabase("copyout");
  client = new pg.Client({ connectionString: db.url });
  await client.connect();
  await client.query(`
    CREATE TABLE empty (id int);
    CREATE TABLE tiny AS SELECT i AS id FROM generate_series(1, 200000) i;
    CREATE TABLE texts AS SELECT i AS id, repeat(chr(233) || 'é😀' || chr(9) || E'\\n\\\\', (i % 50) + 1) AS t FROM generate_series(1, 5000) i;
    CREATE TABLE huge AS SELECT i AS id, repeat(md5(i::text), 40000) AS t FROM generate_series(1, 6) i;
    CREATE FUNCTION noisy(i int) RETURNS int LANGUAGE plpgsql AS $$ BEGIN IF i % 100 = 0 THEN RAISE NOTICE 'row %', i; END IF; RETURN i; END $$;
  `);
});
afterAll(async () => {
  await client.end().catch(() => undefined);
  await db.drop();
});

async function viaStream(sql: string): Promise<{ checksum: string; rows: number }> {
  const hash = createHash("sha256");
  let rows = 0;
  for await (const chunk of client.query(copyTo(sql)) as AsyncIterable<Buffer>) {
    hash.update(chunk);
    for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) rows++;
  }
  return { checksum: hash.digest("hex"), rows };
}

describe("digestCopyOut", () => {
  it("is used for node-postgres's Client", () => {
    expect(canDigestCopyOut(client)).toBe(true);
  });

  it.each([
    ["empty", 0],
    ["tiny", 200000],
    ["texts", 5000],
    ["huge", 6],
  ])("%s: the sha256 and row count of the stream", async (table, rows) => {
    const sql = `COPY ${table} TO STDOUT`;
    const got = await digestCopyOut(client, sql);
    expect(got).toEqual(await viaStream(sql));
    expect(got.rows).toBe(rows);
  });

  it("skips notices sent among the rows", async () => {
    const sql = "COPY (SELECT noisy(i) FROM generate_series(1, 3000) i) TO STDOUT";
    const notices: string[] = [];
    const onNotice = (n: { message?: string }) => notices.push(n.message ?? "");
    client.on("notice", onNotice);
    try {
      const got = await digestCopyOut(client, sql);
      expect(got.rows).toBe(3000);
      expect(got).toEqual(await viaStream(sql));
    } finally {
      client.off("notice", onNotice);
    }
  });

  it("rejects with PostgreSQL's error before any row, and the connection goes on", async () => {
    await expect(digestCopyOut(client, "COPY no_such_table TO STDOUT")).rejects.toThrow(/relation "no_such_table" does not exist/);
    expect((await client.query("SELECT 41 + 1 AS n")).rows).toEqual([{ n: 42 }]);
  });

  it("rejects with PostgreSQL's error among the rows, and the connection goes on", async () => {
    await expect(digestCopyOut(client, "COPY (SELECT 1 / (i - 150000) FROM generate_series(1, 200000) i) TO STDOUT")).rejects.toThrow(/division by zero/);
    expect((await client.query("SELECT 41 + 1 AS n")).rows).toEqual([{ n: 42 }]);
    expect(await digestCopyOut(client, "COPY tiny TO STDOUT")).toEqual(await viaStream("COPY tiny TO STDOUT"));
  });

  it("rejects when the connection is lost mid-copy, instead of waiting", async () => {
    const doomed = new pg.Client({ connectionString: db.url });
    await doomed.connect();
    doomed.on("error", () => undefined);
    const pid = (await doomed.query<{ pid: number }>("SELECT pg_backend_pid() AS pid")).rows[0].pid;
    const copy = digestCopyOut(doomed, "COPY (SELECT i, pg_sleep(CASE WHEN i = 1000 THEN 5 ELSE 0 END) FROM generate_series(1, 2000) i) TO STDOUT");
    // The rejection can arrive before pg_terminate_backend's own reply: expect it first, so it is never unhandled.
    const rejected = expect(copy).rejects.toThrow(/terminat/);
    await new Promise((r) => setTimeout(r, 300));
    await client.query("SELECT pg_terminate_backend($1)", [pid]);
    await rejected;
    await doomed.end().catch(() => undefined);
  });
});
