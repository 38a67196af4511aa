/** The step of `migrate` after the commit that records the state `sync` starts from (sync-record.ts). */
import type { ApplyResult } from "../apply/apply.js";
import type { OrphanPlan } from "../profile/orphans.js";
import type { Planned } from "./migrate-load.js";
import type { MigrateRun, RunIo } from "./migrate-run.js";
import { recordSyncState } from "./sync-record.js";

export async function syncStateStep(run: MigrateRun, { opened, client }: RunIo, planned: Planned, applied: ApplyResult, orphans: OrphanPlan): Promise<void> {
  if (run.options.syncState !== true) return;
  const rejected = applied.copied.reduce((n, t) => n + t.rejected, 0);
  const skipped = applied.copied.reduce((n, t) => n + t.skipped, 0);
  const nulled = [...orphans.nullify.values()].reduce((n, m) => n + m.size, 0);
  const leftOut = [
    rejected > 0 ? `${rejected} row(s) were rejected (--on-error reject)` : "",
    skipped > 0 ? `${skipped} row(s) were left out (--orphans delete)` : "",
    nulled > 0 ? `${nulled} row(s) had references cleared (--orphans null)` : "",
  ].filter(Boolean);
  await recordSyncState({
    client,
    source: opened.source,
    selected: opened.selected,
    catalog: opened.catalog.tables,
    pgSchema: run.target.pgSchema,
    plans: planned.converted.tables,
    baselineChecksum: planned.plan.checksum,
    filter: run.options.tables,
    decodeFallback: run.options.decodeFallback,
    ...(leftOut.length > 0 ? { leftOut: `the migration changed rows on purpose: ${leftOut.join("; ")}` } : {}),
    emit: run.emit,
    snapshot: { path: opened.snapshot.db.name, unchanged: () => opened.snapshot.unchanged() },
  }).catch((err: unknown) => {
    run.emit({ type: "warning", message: `the state for \`sqlite2pg sync\` was not recorded (sync will refuse this target): ${(err as Error).message}` });
  });
}
