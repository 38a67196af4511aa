/**
 * The content verification of what a sync pass wrote, before it commits: every range it changed is read back
 * from PostgreSQL inside the pass's transaction (streamed, never held) as COPY text. Each row it wrote must be,
 * byte for byte, the line SQLite's row encoded to; each row it deleted must be gone; the range must hold as many
 * rows as SQLite's. The encoders spell every value as PostgreSQL prints it (the property migrate's own
 * verification rests on, verify/content/sent-checksums.ts), so equal lines are equal values. A table without a
 * key is compared whole, as a multiset of lines.
 */
import type { Bound } from "./keys.js";
import { countRange, keyId, keyIndexesOf, keyedLines, targetLines, type RangeChange, type TableContext } from "./table-diff.js";

export interface TouchedCheck {
  readonly table: string;
  /** Rows read back. */
  readonly rows: number;
  readonly ok: boolean;
  /** The rows that differ (by key), the first few. */
  readonly differences: readonly string[];
}

const LISTED = 20;

export async function verifyTouched(ctx: TableContext, ranges: readonly { readonly lo: Bound | null; readonly hi: Bound | null; readonly change: RangeChange }[]): Promise<TouchedCheck> {
  const differences: string[] = [];
  const keyed = keyIndexesOf(ctx.plan) !== null;
  let rows = 0;
  for (const { lo, hi, change } of ranges) {
    let inRange = 0;
    if (keyed) {
      const expect = change.expect as Map<string, string>;
      const deleted = new Set(change.deletes.map((k) => JSON.stringify(k)));
      const seen = new Set<string>();
      const check = (key: string, hash: string): void => {
        const id = keyId(key);
        const want = expect.get(id);
        if (want !== undefined) {
          seen.add(id);
          if (want !== hash) differences.push(`[${key}] differs from SQLite's row`);
        } else if (deleted.has(id)) differences.push(`[${key}] still in PostgreSQL, deleted in SQLite`);
      };
      if (change.readback === null) {
        await targetLines(ctx, lo, hi, (key, hash) => {
          inRange++;
          check(key!, hash);
        });
      } else {
        // Only the rows written and deleted are read back; the range's row count is counted.
        for (let b = 0; b < change.readback.length; b += READBACK_BATCH) {
          await keyedLines(ctx, change.readback.slice(b, b + READBACK_BATCH), (key, hash) => check(key, hash));
        }
        inRange = await countRange(ctx, lo, hi);
      }
      for (const k of expect.keys()) if (!seen.has(k)) differences.push(`[${JSON.parse(k).join(", ")}] missing in PostgreSQL`);
    } else {
      const got: string[] = [];
      await targetLines(ctx, lo, hi, (_key, hash) => {
        inRange++;
        got.push(hash);
      });
      const want = [...(change.expect as string[])].sort();
      got.sort();
      if (want.some((h, i) => h !== got[i])) differences.push("the rows differ from SQLite's (table without a key: compared as a whole)");
    }
    rows += inRange;
    if (inRange !== change.rows) differences.push(`${inRange} row(s) in PostgreSQL where SQLite holds ${change.rows}`);
  }
  return { table: ctx.plan.name, rows, ok: differences.length === 0, differences: differences.slice(0, LISTED) };
}

const READBACK_BATCH = 5000;
