/**
 * Did anyone but sqlite2pg write to a table since the last `migrate`/`sync`? Every row version PostgreSQL
 * stores carries the id of the transaction that wrote it (`xmin`,
 * https://www.postgresql.org/docs/current/ddl-system-columns.html); freezing keeps it
 * (https://www.postgresql.org/docs/current/routine-vacuuming.html#VACUUM-FOR-WRAPAROUND). The state holds the
 * ids of the transactions that loaded and synced each table, so an INSERT or UPDATE by anyone else shows as a
 * row with a foreign xmin, and a DELETE as fewer rows than recorded. Either way sync refuses, naming the table
 * and the keys (or the key ranges) concerned, before it writes anything.
 */
import type { TablePlan } from "../convert/convert.js";
import { quoteIdent, quoteQualified } from "../core/quote.js";
import type { PgClient } from "../db/pg-client.js";
import { describeRange, pgRange, type KeyColumn } from "./keys.js";
import type { TableState } from "./state.js";

export interface ForeignWrite {
  readonly table: string;
  /** Rows written (inserted or updated) by another transaction. */
  readonly written: number;
  /** Rows fewer than recorded (deleted by another transaction). */
  readonly missing: number;
  /** The first keys of rows written by someone else, or the ranges whose rows went missing. */
  readonly where: readonly string[];
}

const NAMED = 5;

export async function findForeignWrites(
  client: PgClient,
  pgSchema: string,
  plan: TablePlan,
  state: TableState,
  keys: readonly KeyColumn[] | null,
): Promise<ForeignWrite | null> {
  const target = quoteQualified(pgSchema, plan.pgName);
  const foreign = "NOT (xmin::text::bigint = ANY($1::bigint[]))";
  const { rows } = await client.query<{ n: string; foreign: string }>(
    `SELECT count(*)::text AS n, count(*) FILTER (WHERE ${foreign})::text AS foreign FROM ${target}`,
    [state.xids],
  );
  const total = Number(rows[0].n);
  const written = Number(rows[0].foreign);
  // Fewer rows than recorded: someone deleted rows (an UPDATE by others shows as a foreign row, not a missing one).
  const missing = Math.max(0, state.rows - total);
  if (written === 0 && missing === 0) return null;
  const where: string[] = [];
  if (written > 0) {
    const keyCols = plan.keyColumns.map((k) => plan.columns.find((c) => c.name === k)?.pgName ?? k);
    const spell = keyCols.length > 0 ? keyCols.map((c) => `${quoteIdent(c)}::text`).join(` || ', ' || `) : `${quoteIdent(plan.pgName)}::text`;
    const { rows: named } = await client.query<{ k: string }>(`SELECT ${spell} AS k FROM ${target} WHERE ${foreign} LIMIT ${NAMED}`, [state.xids]);
    const label = keyCols.length > 0 ? keyCols.join(", ") : "row";
    where.push(...named.map((r) => `${label} = ${r.k}`));
  }
  if (missing > 0) {
    if (keys === null || state.strategy === "whole") where.push(`${missing} row(s) deleted (${describeRange(keys, null, null)})`);
    else {
      for (let i = 0; i < state.ranges.length && where.length < 2 * NAMED; i++) {
        const lo = state.ranges[i].lo;
        const hi = state.ranges[i + 1]?.lo ?? null;
        const range = pgRange(keys, lo, hi);
        const { rows: c } = await client.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${target} WHERE ${range.where}`, range.params);
        const gone = state.ranges[i].rows - Number(c[0].n);
        if (gone > 0) where.push(`${gone} row(s) deleted where ${describeRange(keys, lo, hi)}`);
      }
    }
  }
  return { table: plan.name, written, missing, where };
}
