/**
 * The post-data statements as one multi-statement query (src/apply/apply.ts runStatementsAtOnce): all of them in
 * one round trip inside the caller's transaction, sections that end in a `--` comment or without a `;` included;
 * on a failure, back to the savepoint and one by one, so the error names the statement that failed, as
 * runStatements does. A real server.
 */
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runStatementsAtOnce } from "../../src/apply/apply.js";
import { createTestDatabase, type TestDatabase } from "../helpers/pg.js";

let db: TestDatabase;
let client: pg.Client;

beforeAll(async () => {
  db = await createTestDatabase("postdata");
  client = new pg.Client({ connectionString: db.url });
  await client.connect();
});
afterAll(async () => {
  await client.end();
  await db.drop();
});

/** The queries sent, in order. */
function recording(c: pg.Client): { sent: string[]; client: pg.Client } {
  const sent: string[] = [];
  const query = c.query.bind(c) as (...args: unknown[]) => unknown;
  const proxy = new Proxy(c, {
    get(target, prop, receiver) {
      if (prop === "query") return (...args: unknown[]) => (sent.push(String(args[0])), query(...args));
      return Reflect.get(target, prop, receiver);
    },
  });
  return { sent, client: proxy };
}

const SECTIONS = [
  { sql: "-- CreateIndex\nCREATE INDEX t_a_idx ON t (a);" },
  { sql: "CREATE UNIQUE INDEX t_b_key ON t (b)\n-- a trailing comment, no semicolon" },
  { sql: "-- AddForeignKey\nALTER TABLE u ADD CONSTRAINT u_t_fkey FOREIGN KEY (t_id) REFERENCES t (a);" },
];

describe("runStatementsAtOnce", () => {
  it("runs every section in one query inside the transaction, and the transaction goes on", async () => {
    await client.query("BEGIN");
    try {
      await client.query("CREATE TABLE t (a int PRIMARY KEY, b text); CREATE TABLE u (id int, t_id int); INSERT INTO t VALUES (1, 'x'), (2, 'y'); INSERT INTO u VALUES (1, 2)");
      const r = recording(client);
      await runStatementsAtOnce(r.client as never, [{ sql: SECTIONS[0].sql.replace("t_a_idx", "t_a2_idx") }, ...SECTIONS.slice(1)]);
      expect(r.sent).toHaveLength(3); // SAVEPOINT, the sections, RELEASE
      expect(r.sent[1]).toContain("CREATE INDEX t_a2_idx");
      const { rows } = await client.query("SELECT indexname FROM pg_indexes WHERE tablename = 't' ORDER BY 1");
      expect(rows.map((x) => x.indexname)).toEqual(["t_a2_idx", "t_b_key", "t_pkey"]);
      expect((await client.query("SELECT count(*)::int AS n FROM pg_constraint WHERE conname = 'u_t_fkey'")).rows[0].n).toBe(1);
    } finally {
      await client.query("ROLLBACK");
    }
  });

  it("on a failure, names the statement that failed with PostgreSQL's error, like one by one", async () => {
    await client.query("BEGIN");
    try {
      await client.query("CREATE TABLE t (a int PRIMARY KEY, b text); CREATE TABLE u (id int, t_id int); INSERT INTO t VALUES (1, 'x'), (2, 'x'); INSERT INTO u VALUES (1, 2)");
      const r = recording(client);
      const err = await runStatementsAtOnce(r.client as never, SECTIONS).then(
        () => null,
        (e: unknown) => e as Error & { code?: string },
      );
      expect(err).not.toBeNull();
      // The second section fails (b holds 'x' twice): named with its SQL, the first one ran again before it.
      expect(err!.message).toContain("PostgreSQL rejected:\nCREATE UNIQUE INDEX t_b_key ON t (b)");
      expect(err!.message).toMatch(/could not create unique index "t_b_key"/);
      expect(r.sent.slice(2)).toEqual(["ROLLBACK TO SAVEPOINT sqlite2pg_post_data", SECTIONS[0].sql, SECTIONS[1].sql]);
    } finally {
      await client.query("ROLLBACK");
    }
  });
});
