/**
 * The order tables are copied in, shared by the one-transaction copy (apply.ts), the parallel one
 * (parallel-apply.ts) and the checksums' two connections (verify/content/two-connections.ts).
 */
import type { TablePlan } from "../convert/convert.js";

/**
 * Largest tables first (by estimated bytes, which track copy time better than rows), so the last table to finish
 * is a small one and no large table starts late.
 */
export function copyOrder(tables: readonly TablePlan[]): TablePlan[] {
  const sized = tables.every((t) => t.estimatedBytes !== undefined);
  const size = (t: TablePlan): number => (sized ? t.estimatedBytes! : t.rowCount);
  return [...tables].sort((a, b) => size(b) - size(a));
}
