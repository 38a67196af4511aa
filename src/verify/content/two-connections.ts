/**
 * migrate's sent checksums matched over two connections, the second in the first's snapshot
 * (pg_export_snapshot, https://www.postgresql.org/docs/current/functions-admin.html#FUNCTIONS-SNAPSHOT-SYNCHRONIZATION).
 * PostgreSQL prints a table for `COPY … TO` on one backend, one core, while Node only hashes the bytes: two tables
 * are printed at once, the largest first. Each result is what the one-connection pass would give (null: not
 * matched, for its full comparison on the first connection).
 *
 * `beside`, when given, runs on a third connection in the same snapshot while the tables are printed: migrate's
 * independent check, whose work is mostly Node's (decoding and comparing a sample), fills the time Node would
 * otherwise wait for PostgreSQL's output. (Run as the last task of the two connections' queue instead, it measured
 * no gain: it then started only when a connection was free, docs/benchmarks.md, session 9.)
 */
import type { TablePlan } from "../../convert/convert.js";
import type { PgClient } from "../../db/pg-client.js";
import { targetError } from "../../db/pg-target.js";
import { Sqlite2pgError } from "../../core/errors.js";
import { copyOrder } from "../../apply/copy-order.js";
import type { TableVerification } from "./compare-table.js";
import { matchSentChecksum, type SentChecksum } from "./sent-checksums.js";

/** Per table matched here: its result and how long it took. */
export type EarlyResults = ReadonlyMap<string, { readonly result: TableVerification | null; readonly ms: number }>;

/** Below this many bytes of COPY data in all, one connection does it all (a second costs ~10 ms). */
export const SECOND_CONNECTION_BYTES = 8 * 1024 * 1024;

export interface TwoConnectionsInput<T = never> {
  /** In its REPEATABLE READ transaction, with `sessionSettings` applied. */
  readonly client: PgClient;
  readonly connect: () => Promise<PgClient>;
  readonly sessionSettings: readonly string[];
  readonly pgSchema: string;
  readonly tables: readonly TablePlan[];
  readonly sent: ReadonlyMap<string, SentChecksum>;
  /** Work for a third connection in the snapshot, beside the tables; not run when that connection cannot be had. */
  readonly beside?: (client: PgClient) => Promise<T>;
}

export interface TwoConnectionsResult<T> {
  readonly done: EarlyResults;
  /** `beside`'s result; absent when it did not run (no connection for it): the caller runs it itself. */
  readonly beside?: { readonly value: T };
}

/** Worth a second connection: at least two tables and SECOND_CONNECTION_BYTES of COPY data. */
export function worthTwoConnections(tables: readonly TablePlan[]): boolean {
  return tables.length >= 2 && tables.reduce((sum, t) => sum + (t.estimatedBytes ?? 0), 0) >= SECOND_CONNECTION_BYTES;
}

export async function onTwoConnections<T = never>(input: TwoConnectionsInput<T>): Promise<TwoConnectionsResult<T>> {
  const { client, sent } = input;
  const done = new Map<string, { readonly result: TableVerification | null; readonly ms: number }>();
  const { rows } = await client.query<{ id: string }>("SELECT pg_catalog.pg_export_snapshot() AS id");
  const [second, third] = await Promise.all([openInSnapshot(input, rows[0].id), input.beside ? openInSnapshot(input, rows[0].id) : null]);
  // No second connection (the role's or the server's connection limit, a pooler refusing the snapshot): the
  // one-connection pass does every table, as it would have without this one.
  if (second === null) {
    await third?.end().catch(() => undefined);
    return { done };
  }
  let beside: Promise<T> | undefined;
  try {
    beside = third ? input.beside!(third) : undefined;
    beside?.catch(() => undefined); // awaited below, after the tables

    const queue = copyOrder(input.tables.filter((t) => sent.has(t.name)));
    const work = async (conn: PgClient): Promise<void> => {
      for (let plan = queue.shift(); plan !== undefined; plan = queue.shift()) {
        const started = performance.now();
        try {
          const result = await matchSentChecksum(conn, input.pgSchema, plan, sent.get(plan.name)!);
          done.set(plan.name, { result, ms: performance.now() - started });
        } catch (err) {
          if (err instanceof Sqlite2pgError) throw err;
          throw targetError("verify", `verifying "${plan.name}" failed`, err, plan.name);
        }
      }
    };
    await Promise.all([work(client), work(second)]);
    return beside ? { done, beside: { value: await beside } } : { done };
  } finally {
    // Whatever failed, `beside` has settled before its connection ends.
    await beside?.catch(() => undefined);
    for (const conn of [second, third]) {
      if (conn === null) continue;
      await conn.query("ROLLBACK").catch(() => undefined);
      await conn.end().catch(() => undefined);
    }
  }
}

/** A second connection in the first's snapshot with the same session settings, or null when one cannot be had. */
async function openInSnapshot(input: Pick<TwoConnectionsInput, "connect" | "sessionSettings">, id: string): Promise<PgClient | null> {
  // A utility statement takes no parameters; the identifier PostgreSQL made is hex digits and dashes, checked so.
  if (!/^[0-9A-F]+-[0-9A-F]+-[0-9]+$/i.test(id)) return null;
  let second: PgClient | undefined;
  try {
    second = await input.connect();
    await second.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    await second.query(`SET TRANSACTION SNAPSHOT '${id}'`);
    for (const sql of input.sessionSettings) await second.query(sql);
    return second;
  } catch {
    await second?.end().catch(() => undefined);
    return null;
  }
}
