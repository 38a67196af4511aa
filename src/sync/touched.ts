/**
 * The content verification of what a sync pass wrote, before it commits: for every range it changed,
 * PostgreSQL's COPY text of the range's rows (read back inside the pass's transaction) must be, line for line,
 * what SQLite's rows encoded to. The encoders spell every value as PostgreSQL prints it (the property migrate's
 * own verification rests on, verify/content/sent-checksums.ts), so equal lines are equal values.
 */
import type { Bound } from "./keys.js";
import { targetLines, type RangeChange, type TableContext } from "./table-diff.js";

export interface TouchedCheck {
  readonly table: string;
  readonly rows: number;
  readonly ok: boolean;
  /** Keys (or, without a key, a count) of the rows that differ, the first few. */
  readonly differences: readonly string[];
}

export async function verifyTouched(ctx: TableContext, ranges: readonly { readonly lo: Bound | null; readonly hi: Bound | null; readonly change: RangeChange }[]): Promise<TouchedCheck> {
  const differences: string[] = [];
  let rows = 0;
  for (const { lo, hi, change } of ranges) {
    const back = await targetLines(ctx, lo, hi);
    rows += back.hashes.length;
    if (change.lineKeys.length > 0) {
      const want = new Map(change.lineKeys.map((k, i) => [k, change.lineHashes[i]]));
      const got = new Map(back.keys.map((k, i) => [k, back.hashes[i]]));
      for (const [k, h] of want) {
        const g = got.get(k);
        if (g === undefined) differences.push(`[${k}] missing in PostgreSQL`);
        else if (g !== h) differences.push(`[${k}] differs`);
      }
      for (const k of got.keys()) if (!want.has(k)) differences.push(`[${k}] extra in PostgreSQL`);
    } else {
      const a = [...change.lineHashes].sort();
      const b = [...back.hashes].sort();
      if (a.length !== b.length || a.some((h, i) => h !== b[i])) differences.push(`${Math.abs(a.length - b.length) || "some"} row(s) differ (table without a key)`);
    }
  }
  return { table: ctx.plan.name, rows, ok: differences.length === 0, differences: differences.slice(0, 20) };
}
