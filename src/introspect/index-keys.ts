/**
 * The key columns of a SQLite index, in key order, from PRAGMA index_xinfo
 * (https://sqlite.org/pragma.html#pragma_index_xinfo): the one place that reads it (the catalog, the collations
 * the extras need, the clone's renamed indexes).
 */
import { quoteIdent } from "../core/quote.js";

export interface IndexKey {
  /** The column, or null for an expression (cid -2). */
  readonly name: string | null;
  /** Column number in the table (-1 the rowid, -2 an expression). */
  readonly cid: number;
  readonly desc: boolean;
  /** The collating sequence, upper-cased (BINARY when none is given). */
  readonly collation: string;
}

interface XInfoRow {
  seqno: bigint | number;
  cid: bigint | number;
  name: string | null;
  desc: bigint | number;
  coll: string | null;
  key: bigint | number;
}

/** The index's key columns (not the auxiliary ones index_xinfo also lists), in key order. */
export function readIndexKeys(db: { prepare(sql: string): { all(): unknown[] } }, index: string): IndexKey[] {
  return (db.prepare(`PRAGMA index_xinfo(${quoteIdent(index)})`).all() as XInfoRow[])
    .filter((r) => Number(r.key) === 1)
    .sort((a, b) => Number(a.seqno) - Number(b.seqno))
    .map((r) => ({ name: r.name, cid: Number(r.cid), desc: Number(r.desc) === 1, collation: (r.coll ?? "BINARY").toUpperCase() }));
}
