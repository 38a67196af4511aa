/**
 * The content verification of what a sync pass wrote, before it commits: every range it changed is read back
 * from PostgreSQL inside the pass's transaction (streamed, never held) as COPY text. Each row it wrote must be,
 * byte for byte, the line SQLite's row encoded to; each row it deleted must be gone; the range must hold as many
 * rows as SQLite's. The encoders spell every value as PostgreSQL prints it (the property migrate's own
 * verification rests on, verify/content/sent-checksums.ts), so equal lines are equal values. A table without a
 * key is compared whole, as a multiset of lines.
 */
import type { Bound } from "./keys.js";
import { countRange, keyedLines } from "./key-lists.js";
import { keyId, keyIndexesOf, targetLines, type RangeChange, type TableContext } from "./table-diff.js";

export interface TouchedCheck {
  readonly table: string;
  /** Rows read back. */
  readonly rows: number;
  readonly ok: boolean;
  /** The rows that differ (by key), the first few. */
  readonly differences: readonly string[];
}

const LISTED = 20;

/** `total`: the rows SQLite's table holds now (PostgreSQL's table must hold as many). */
export async function verifyTouched(
  ctx: TableContext,
  ranges: readonly { readonly lo: Bound | null; readonly hi: Bound | null; readonly change: RangeChange }[],
  total: number,
): Promise<TouchedCheck> {
  const differences: string[] = [];
  const keyed = keyIndexesOf(ctx.plan) !== null;
  let rows = 0;
  // Rows written and deleted by key (ranges diffed by their row digests): read back together, in batches.
  const expect = new Map<string, string>();
  const deleted = new Set<string>();
  const readback: Bound[] = [];
  const seen = new Set<string>();
  const check = (key: string, hash: string): void => {
    const id = keyId(key);
    const want = expect.get(id);
    if (want !== undefined) {
      seen.add(id);
      if (want !== hash) differences.push(`[${key}] differs from SQLite's row`);
    } else if (deleted.has(id)) differences.push(`[${key}] still in PostgreSQL, deleted in SQLite`);
  };
  for (const { lo, hi, change } of ranges) {
    if (keyed) {
      for (const [k, h] of change.expect as Map<string, string>) expect.set(k, h);
      for (const k of change.deletes) deleted.add(JSON.stringify(k));
      if (change.readback !== null) {
        readback.push(...change.readback);
        continue;
      }
      let inRange = 0;
      await targetLines(ctx, lo, hi, (key, hash) => {
        inRange++;
        check(key!, hash);
      });
      rows += inRange;
      if (inRange !== change.rows) differences.push(`${inRange} row(s) in PostgreSQL where SQLite holds ${change.rows}`);
    } else {
      let inRange = 0;
      const got: string[] = [];
      await targetLines(ctx, lo, hi, (_key, hash) => {
        inRange++;
        got.push(hash);
      });
      const want = [...(change.expect as string[])].sort();
      got.sort();
      if (want.length !== got.length || want.some((h, i) => h !== got[i])) differences.push("the rows differ from SQLite's (table without a key: compared as a whole)");
      rows += inRange;
    }
  }
  for (let b = 0; b < readback.length; b += READBACK_BATCH) {
    await keyedLines(ctx, readback.slice(b, b + READBACK_BATCH), (key, hash) => {
      rows++;
      check(key, hash);
    });
  }
  for (const k of expect.keys()) if (!seen.has(k)) differences.push(`[${(JSON.parse(k) as string[]).join(", ")}] missing in PostgreSQL`);
  if (readback.length > 0) {
    const count = await countRange(ctx, null, null);
    if (count !== total) differences.push(`${count} row(s) in PostgreSQL where SQLite holds ${total}`);
  }
  return { table: ctx.plan.name, rows, ok: differences.length === 0, differences: differences.slice(0, LISTED) };
}

const READBACK_BATCH = 5000;
