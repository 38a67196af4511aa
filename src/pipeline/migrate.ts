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
import { prepareReadBackEarly, startShadow, verifyStep, warmUpReadBack, type EarlyReadBack } from "./migrate-verify.js";
import { openSnapshot } from "./prepare.js";
import { syncStateStep } from "./migrate-sync-state.js";

export type { MigrateOptions } from "./migrate-run.js";
export { startOver } from "./migrate-run.js";

export async function migrate(options: MigrateOptions): Promise<MigrateSummary> {
  const run = startRun(options);
  const opened = await openSnapshot(options.sqlitePath, run.emit, options.tables);
  try {
    const client = await run.target.connect("apply");
    const io: RunIo = { opened, client };
    let shadow: ReturnType<typeof startShadow>;
    let readBackPrepared: EarlyReadBack | undefined;
    try {
      const prepared = await prepareStep(run, io);
      const orphans = await orphansStep(run, io, prepared.converted);
      const planned = await planStep(run, io, prepared);
      shadow = startShadow(run, io, planned, "copy");
      warmUpReadBack(run);
      // Once every row is sent, beside the index builds: what needs none of the data (migrate-verify.ts).
      const applied = await copyStep(run, io, planned, orphans, () => {
        shadow ??= startShadow(run, io, planned, "post-data");
        readBackPrepared = prepareReadBackEarly(run, io, prepared, planned);
      });
      await syncStateStep(run, io, planned, applied, orphans);
      const project = await projectStep(run, io);
      const verification = await verifyStep(run, io, { prepared, planned, applied, orphans, project, shadow, readBackPrepared });
      return summarize(run, { prepared, planned, applied, orphans, project, verification });
    } finally {
      // A shadow started beside the load drops its database before the run ends, whatever became of the run, and a
      // read-back prepared ahead has written its sample before the snapshot's directory is removed.
      await shadow;
      await readBackPrepared?.then((r) => ("status" in r ? undefined : r.dispose())).catch(() => undefined);
      await client.end().catch(() => undefined);
    }
  } finally {
    await opened.dispose();
  }
}
