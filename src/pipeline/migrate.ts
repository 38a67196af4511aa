/**
 * `migrate`: the stages in order. Each stage lives in its own folder; this file only lists them.
 *   1 snapshot → check target → 2 introspect → 3 profile → 4 convert → 5 plan → 6 apply + copy → (the state
 *   `sync` starts from) → 7 verify
 * Every step returns data for the next (migrate-load.ts up to the commit, migrate-verify.ts after it); the
 * summary carries the verification's verdict (migrate-result.ts): a failed check is `ok: false` with a
 * `failure`, not an exception.
 */
import type { MigrateSummary } from "../report/summary-types.js";
import { copyStep, orphansStep, planStep, prepareStep, projectStep } from "./migrate-load.js";
import { summarize } from "./migrate-result.js";
import { startRun, type MigrateOptions, type RunIo } from "./migrate-run.js";
import { startReadBackClients, verifyStep } from "./migrate-verify.js";
import { openSnapshot } from "./prepare.js";
import { syncStateStep } from "./migrate-sync-state.js";

export type { MigrateOptions } from "./migrate-run.js";
export { startOver } from "./migrate-run.js";

export async function migrate(options: MigrateOptions): Promise<MigrateSummary> {
  const run = startRun(options);
  const opened = await openSnapshot(options.sqlitePath, run.emit, options.tables);
  // Stops work started ahead of time (the read-back's client generation) when the run ends before using it.
  const generation = new AbortController();
  try {
    const client = await run.target.connect("apply");
    const io: RunIo = { opened, client };
    try {
      const prepared = await prepareStep(run, io);
      const orphans = await orphansStep(run, io, prepared.converted);
      const clients = startReadBackClients(run, io, prepared, generation.signal);
      const planned = await planStep(run, io, prepared);
      const applied = await copyStep(run, io, planned, orphans);
      await syncStateStep(run, io, planned, applied, orphans);
      const project = await projectStep(run, io);
      const verification = await verifyStep(run, io, { prepared, planned, applied, orphans, project, clients });
      return summarize(run, { prepared, planned, applied, orphans, project, verification });
    } finally {
      await client.end().catch(() => undefined);
    }
  } finally {
    generation.abort();
    await opened.dispose();
  }
}
