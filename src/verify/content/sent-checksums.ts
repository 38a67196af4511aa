/**
 * migrate's own verification, fast: the copy hashed the exact COPY text bytes it sent for each table
 * (copy-table.ts, sentChecksum), spelled the way PostgreSQL prints every value; here PostgreSQL prints the table
 * back with `COPY table (columns) TO STDOUT` and the bytes are hashed as they arrive. The table was loaded by one
 * COPY into a new heap, so a plain scan returns the rows in the order they were sent (synchronized scans are off
 * in the verification transaction, verify.ts). Same digest and row count: PostgreSQL holds exactly what SQLite's
 * snapshot encoded to, without reading SQLite a second time.
 *
 * A different digest is not yet a verdict (rows can legitimately come back in another order after a concurrent
 * update, a value can have a second spelling): the caller then runs the full comparison against SQLite, which
 * names every differing row.
 */
import type { TablePlan } from "../../convert/convert.js";
import type { PgClient } from "../../db/pg-client.js";
import { quoteIdent, quoteQualified } from "../../core/quote.js";
import type { TableVerification } from "./compare-table.js";
import { hashCopyOut } from "./fast-path.js";

export interface SentChecksum {
  readonly checksum: string;
  readonly rows: number;
}

/** The table's verification when PostgreSQL's bytes hash to what was sent; null when they do not. */
export async function matchSentChecksum(client: PgClient, pgSchema: string, plan: TablePlan, sent: SentChecksum): Promise<TableVerification | null> {
  const columns = plan.columns.map((c) => quoteIdent(c.pgName)).join(", ");
  const back = await hashCopyOut(client, `COPY ${quoteQualified(pgSchema, plan.pgName)} (${columns}) TO STDOUT`);
  if (back.checksum !== sent.checksum || back.rows !== sent.rows) return null;
  return {
    table: plan.name,
    sourceRows: sent.rows,
    targetRows: back.rows,
    sourceChecksum: sent.checksum,
    targetChecksum: back.checksum,
    ok: true,
    method: "sent",
    differences: [],
    differenceCount: 0,
  };
}
