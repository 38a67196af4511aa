/**
 * Writing a pass's changes, every table inside the pass's one transaction. PostgreSQL checks the foreign keys
 * and unique indexes Prisma created as each statement ends (they are not deferrable,
 * https://www.postgresql.org/docs/current/sql-set-constraints.html), so the order matters: first inserts (parent
 * tables first), updates, then deletes (child tables first) — a new child's parent exists, a re-pointed child no
 * longer holds its old parent. A row deleted and another inserted with its unique value needs the opposite
 * order; when the first order meets a constraint (SQLSTATE 23xxx) the pass is rolled back and run again with
 * deletes first. SQLite's snapshot satisfies the constraints, so one of the two orders does, unless the change
 * swaps unique values between rows; then the error is the constraint PostgreSQL names.
 */
import type { SqliteTable } from "../core/catalog.js";
import { Sqlite2pgError } from "../core/errors.js";
import { applyChange, type RangeChange } from "./table-diff.js";
import type { TableDiff } from "./table-pass.js";

type Kind = "inserts" | "updates" | "deletes";

/** Tables ordered parents before children (a cycle keeps the catalog's order). */
export function parentsFirst<T extends { readonly ctx: { readonly table: SqliteTable } }>(items: readonly T[]): T[] {
  const byName = new Map(items.map((d) => [d.ctx.table.name, d]));
  const out: T[] = [];
  const state = new Map<string, "visiting" | "done">();
  const visit = (d: T): void => {
    const name = d.ctx.table.name;
    if (state.has(name)) return;
    state.set(name, "visiting");
    for (const fk of d.ctx.table.foreignKeys) {
      const parent = byName.get(fk.table);
      if (parent && fk.table !== name) visit(parent);
    }
    state.set(name, "done");
    out.push(d);
  };
  for (const d of items) visit(d);
  return out;
}

/** A table's changes as one batch (one COPY, one UPDATE, DELETEs of 5000 keys), not one per range. */
function batched(d: TableDiff): RangeChange[] {
  const changes = d.changed.map((x) => x.change);
  if (changes.length <= 1 || changes.some((c) => c.rewrite !== null)) return changes;
  return [
    {
      ...changes[0],
      inserts: changes.flatMap((c) => c.inserts),
      updates: changes.flatMap((c) => c.updates),
      deletes: changes.flatMap((c) => c.deletes),
    },
  ];
}

async function run(diffs: readonly TableDiff[], steps: readonly { readonly kind: Kind; readonly reverse: boolean }[]): Promise<void> {
  const work = diffs.map((d) => ({ d, changes: batched(d) }));
  for (const { kind, reverse } of steps) {
    for (const { d, changes } of reverse ? [...work].reverse() : work) {
      const started = performance.now();
      for (const change of changes) await applyChange(d.ctx, change, kind);
      d.ms += performance.now() - started;
    }
  }
}

/** The two orders (see above). */
export type WriteOrder = "inserts-first" | "deletes-first";

const STEPS: Record<WriteOrder, readonly { readonly kind: Kind; readonly reverse: boolean }[]> = {
  "inserts-first": [
    { kind: "inserts", reverse: false },
    { kind: "updates", reverse: false },
    { kind: "deletes", reverse: true },
  ],
  "deletes-first": [
    { kind: "deletes", reverse: true },
    { kind: "updates", reverse: false },
    { kind: "inserts", reverse: false },
  ],
};

/** A constraint PostgreSQL refused (class 23, integrity constraint violation). */
export const isConstraintError = (err: unknown): boolean => err instanceof Sqlite2pgError && /^PG_23/.test(err.code);

/**
 * Apply every diff (`diffs` parents first) in `order`. No savepoint: rows written in a subtransaction carry the
 * subtransaction's id as xmin, not the one the state records (target-guard.ts); the caller retries the whole
 * pass in the other order instead.
 */
export async function applyDiffs(diffs: readonly TableDiff[], order: WriteOrder): Promise<void> {
  await run(diffs, STEPS[order]);
}
