/**
 * Read-back, ordered reads: besides rows by key, one `findMany({ orderBy: { field: "asc" }, take })` per model on
 * an indexed text field (schema.ts orderedField), through Prisma Client on both sides — the query an app's list
 * page runs. SQLite orders text by its bytes (or NOCASE where declared) and puts NULLs first; PostgreSQL orders by
 * the database's collation and puts NULLs last for ASC (https://www.postgresql.org/docs/15/queries-order.html).
 * A different order is a change of behaviour the app may rely on, reported in "What changes for the app"
 * (report/app-changes.ts), not a difference in the data: the rows themselves are compared by key.
 *
 * The sample holds the file's first rows in that order (sample.ts orderColumn). Only the values are compared, in
 * sequence: rows that tie on the field may come in any order on either side without changing the sequence.
 */
import type { OrderedRead } from "../behaviour/types.js";
import type { ModelDelegate } from "./client.js";
import { excerpt, sameValue } from "./compare.js";

export interface OrderedReadInput {
  readonly model: string;
  readonly field: string;
  readonly sqliteDelegate: ModelDelegate;
  readonly pgDelegate: ModelDelegate;
  readonly take: number;
  readonly firstLine: (err: unknown) => string;
}

export async function orderedRead(input: OrderedReadInput): Promise<OrderedRead> {
  const { model, field } = input;
  const query = { select: { [field]: true }, orderBy: { [field]: "asc" }, take: input.take };
  let sqlite: unknown[];
  let postgres: unknown[];
  try {
    sqlite = (await input.sqliteDelegate.findMany(query)).map((r) => r[field]);
  } catch (err) {
    return { model, field, rows: 0, notCompared: `Prisma Client cannot read it from SQLite: ${input.firstLine(err)}` };
  }
  try {
    postgres = (await input.pgDelegate.findMany(query)).map((r) => r[field]);
  } catch (err) {
    return { model, field, rows: 0, notCompared: `Prisma Client cannot read it from PostgreSQL: ${input.firstLine(err)}` };
  }
  const rows = Math.min(sqlite.length, postgres.length);
  for (let i = 0; i < Math.max(sqlite.length, postgres.length); i++) {
    if (i < rows && sameValue(sqlite[i], postgres[i])) continue;
    const show = (list: unknown[]) => (i < list.length ? excerpt(list[i], 60) : "(no row)");
    return { model, field, rows, firstDifference: { position: i, sqlite: show(sqlite), postgres: show(postgres) } };
  }
  return { model, field, rows };
}
