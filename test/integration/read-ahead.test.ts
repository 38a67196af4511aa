/**
 * The copy's read-ahead (copy/copy-table.ts openTableCopy, apply/apply.ts copyInTurn): while one table's COPY waits
 * for PostgreSQL, the next table's chunks are encoded into memory, then sent first when its turn comes. On a real
 * PostgreSQL, made slow on purpose for the first table (a row trigger), so that the socket really fills and the
 * wait really happens:
 * - the table read ahead lands byte for byte as sent (PostgreSQL's COPY TO hashes to the sent checksum), with the
 *   same checksum as a copy of it without any read-ahead;
 * - the read-ahead stops at its cap;
 * - its progress is reported only after its own table-start;
 * - a value problem met while reading ahead is listed as without it, and the table is then only scanned.
 */
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTableCopy, type CopyTableOptions, type TableCopy } from "../../src/copy/copy-table.js";
import { ProblemCollector } from "../../src/core/problems.js";
import type { PipelineEvent as ProgressEvent } from "../../src/core/events.js";
import { hashCopyOut } from "../../src/verify/content/fast-path.js";
import { openSnapshot, prepareSchema, type PreparedSource } from "../../src/pipeline/prepare.js";
import type { PgClient } from "../../src/db/pg-client.js";
import { buildSqliteFile, tempDir } from "../helpers/files.js";
import { createTestDatabase, type TestDatabase } from "../helpers/pg.js";

const tmp = tempDir("read-ahead");
let db: TestDatabase;
let prepared: PreparedSource;
let dispose: () => Promise<void>;

const SLOW_ROWS = 120_000;
const NEXT_ROWS = 40_000;

beforeAll(async () => {
  const file = buildSqliteFile(tmp.dir, "two.db", (d) => {
    d.exec(`CREATE TABLE slow (id INTEGER PRIMARY KEY, body TEXT NOT NULL);
      CREATE TABLE next (id INTEGER PRIMARY KEY, n INTEGER, s TEXT, f REAL, at DATETIME);
      CREATE TABLE bad (id INTEGER PRIMARY KEY, n INTEGER);`);
    const slow = d.prepare("INSERT INTO slow VALUES (?, ?)");
    const next = d.prepare("INSERT INTO next VALUES (?, ?, ?, ?, ?)");
    const bad = d.prepare("INSERT INTO bad VALUES (?, ?)");
    d.transaction(() => {
      for (let i = 1; i <= SLOW_ROWS; i++) slow.run(i, `row ${i} `.padEnd(120, "x\t\\"));
      for (let i = 1; i <= NEXT_ROWS; i++) next.run(i, i * 7 - 3, i % 13 === 0 ? null : `tëxt ${i}\n`, i / 7, `2024-01-${String((i % 28) + 1).padStart(2, "0")} 10:11:12`);
      for (let i = 1; i <= NEXT_ROWS; i++) bad.run(i, i);
    })();
    // A value no PostgreSQL integer holds, far into the table: met while reading ahead, not at its start.
    d.prepare("UPDATE bad SET n = ? WHERE id = ?").run("not a number", NEXT_ROWS - 5);
  });
  const emit = () => undefined;
  const opened = await openSnapshot(file, emit);
  dispose = opened.dispose;
  prepared = await prepareSchema(opened, emit);
  db = await createTestDatabase("readahead");
}, 120_000);

afterAll(async () => {
  await dispose?.();
  await db?.drop();
  tmp.cleanup();
});

async function connect(): Promise<pg.Client> {
  const c = new pg.Client({ connectionString: db.url });
  await c.connect();
  return c;
}

/** The target tables, `slow` with a row trigger that makes PostgreSQL much slower than the encoder. */
async function createTables(c: pg.Client, suffix: string): Promise<void> {
  await c.query(`CREATE TABLE slow${suffix} (id integer PRIMARY KEY, body text NOT NULL);
    CREATE TABLE next${suffix} (id integer PRIMARY KEY, n integer, s text, f double precision, at timestamp(3));
    CREATE TABLE bad${suffix} (id integer PRIMARY KEY, n integer);
    CREATE OR REPLACE FUNCTION slow_row() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN PERFORM pg_catalog.md5(pg_catalog.repeat(NEW.body, 20)); RETURN NEW; END $$;
    CREATE TRIGGER slow_row BEFORE INSERT ON slow${suffix} FOR EACH ROW EXECUTE FUNCTION slow_row();`);
}

function options(name: string, pgName: string, client: PgClient | null, problems: ProblemCollector, events: ProgressEvent[]): CopyTableOptions {
  const plan = prepared.converted.tables.find((t) => t.name === name)!;
  return {
    source: prepared.source,
    client,
    pgSchema: "public",
    plan: { ...plan, pgName },
    table: prepared.catalog.tables.find((t) => t.name === name)!,
    freeze: false,
    onError: "stop",
    problems,
    emit: (e) => events.push(e),
  };
}

describe("reading the next table ahead while PostgreSQL is behind", () => {
  it("sends what it read ahead first: PostgreSQL holds exactly the bytes of a copy without read-ahead", async () => {
    const c = await connect();
    try {
      await createTables(c, "_a");
      await createTables(c, "_b");
      const problems = new ProblemCollector();
      const events: ProgressEvent[] = [];
      const client = c as unknown as PgClient;

      // Without read-ahead: the reference checksum of `next`.
      const plain = await (await openTableCopy(options("next", "next_b", client, problems, events))).run(client);

      events.length = 0;
      const slow = await openTableCopy(options("slow", "slow_a", client, problems, events));
      const next: TableCopy = await openTableCopy(options("next", "next_a", client, problems, events));
      let behind = 0;
      let readAhead = 0;
      const slowResult = await slow.run(client, () => {
        behind++;
        const more = next.readAhead(64 * 1024 * 1024);
        readAhead++;
        return more;
      });
      // PostgreSQL was behind (the trigger), so the wait was used: the next table was (partly) encoded during it.
      expect(behind).toBeGreaterThan(0);
      expect(readAhead).toBeGreaterThan(0);
      // Nothing of `next` was reported before its own turn.
      expect(events.filter((e) => "table" in e && e.table === "next")).toEqual([]);
      const nextResult = await next.run(client);
      const starts = events.filter((e) => e.type === "table-start").map((e) => ("table" in e ? e.table : ""));
      expect(starts).toEqual(["slow", "next"]);
      const firstNextProgress = events.findIndex((e) => e.type === "table-progress" && e.table === "next");
      if (firstNextProgress !== -1) expect(firstNextProgress).toBeGreaterThan(events.findIndex((e) => e.type === "table-start" && e.table === "next"));

      expect(problems.count).toBe(0);
      expect(slowResult.rows).toBe(SLOW_ROWS);
      expect(nextResult.rows).toBe(NEXT_ROWS);
      expect(nextResult.sentChecksum).not.toBeNull();
      expect(nextResult.sentChecksum).toBe(plain.sentChecksum);
      const columns = prepared.converted.tables.find((t) => t.name === "next")!.columns.map((col) => `"${col.pgName}"`).join(", ");
      const back = await hashCopyOut(client, `COPY public.next_a (${columns}) TO STDOUT`);
      expect(back).toEqual({ checksum: nextResult.sentChecksum, rows: NEXT_ROWS });
      const slowBack = await hashCopyOut(client, `COPY public.slow_a (id, body) TO STDOUT`);
      expect(slowBack).toEqual({ checksum: slowResult.sentChecksum, rows: SLOW_ROWS });
    } finally {
      await c.end();
    }
  }, 120_000);

  it("stops at its cap", async () => {
    const c = await connect();
    try {
      await createTables(c, "_d");
      const client = c as unknown as PgClient;
      const next = await openTableCopy(options("next", "next_d", client, new ProblemCollector(), []));
      // One chunk in, and the cap (1 byte) is reached: no more.
      expect(next.readAhead(1)).toBe(false);
      expect(next.readAhead(1)).toBe(false);
      // A larger cap reads on, chunk by chunk, to the end of the table.
      let chunks = 1;
      while (next.readAhead(1 << 30)) chunks++;
      expect(chunks).toBeGreaterThan(2);
      expect(next.readAhead(1 << 30)).toBe(false);
      const result = await next.run(client);
      expect(result.rows).toBe(NEXT_ROWS);
      const [{ n }] = (await c.query<{ n: string }>("SELECT count(*)::text AS n FROM public.next_d")).rows;
      expect(n).toBe(String(NEXT_ROWS));
    } finally {
      await c.end();
    }
  });

  it("lists a problem met while reading ahead as without it; the table is then only scanned, nothing sent", async () => {
    const c = await connect();
    try {
      await createTables(c, "_c");
      const client = c as unknown as PgClient;
      const withAhead = new ProblemCollector();
      const bad = await openTableCopy(options("bad", "bad_c", client, withAhead, []));
      while (bad.readAhead(1 << 30));
      expect(withAhead.count).toBe(1);
      // apply.ts: after a problem in "stop" mode the table's turn is a scan (client null).
      const result = await bad.run(null);
      expect(result.rows).toBeLessThan(NEXT_ROWS);
      const [{ n }] = (await c.query<{ n: string }>("SELECT count(*)::text AS n FROM public.bad_c")).rows;
      expect(n).toBe("0");

      const without = new ProblemCollector();
      await (await openTableCopy(options("bad", "bad_c", null, without, []))).run(null);
      expect(withAhead.listed).toEqual(without.listed);
    } finally {
      await c.end();
    }
  });
});
