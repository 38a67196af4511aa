/**
 * After `migrate` commits: the state `sync` starts from (src/sync/state.ts), taken from the same SQLite snapshot
 * the copy read, so it describes exactly what PostgreSQL was loaded with. It is recorded in its own transaction
 * right after the migration's; a failure is a warning (the migration stands, `sync` then refuses with the reason).
 */
import type { TablePlan } from "../convert/convert.js";
import type { SqliteTable } from "../core/catalog.js";
import type { EventListener } from "../core/events.js";
import { timedStage } from "../core/events.js";
import type { PgClient } from "../db/pg-client.js";
import type { SqliteDb } from "../db/sqlite-source.js";
import type { TableFilter } from "../introspect/table-filter.js";
import { textFallback } from "../copy/text-fallback.js";
import { tableContext } from "../sync/context.js";
import { readSourceObjects } from "../sync/fingerprint.js";
import { markUnavailable, writeTarget } from "../sync/state.js";
import { recordKeys, recordTable } from "../sync/record.js";
import { startCutHelper } from "../sync/digest-helper.js";
import type { TableContext } from "../sync/context.js";
import type { KeyColumn } from "../sync/keys.js";

export interface RecordInput {
  readonly client: PgClient;
  readonly source: SqliteDb;
  readonly selected: (table: string) => boolean;
  readonly catalog: readonly SqliteTable[];
  readonly pgSchema: string;
  readonly plans: readonly TablePlan[];
  readonly baselineChecksum: string;
  readonly filter?: TableFilter;
  readonly decodeFallback?: string;
  /** Why PostgreSQL does not hold exactly SQLite's rows (rows rejected, left out, references cleared), if so. */
  readonly leftOut?: string;
  readonly emit: EventListener;
  /** The run's snapshot, for a second thread to read the same rows (profile-all.ts ProfileSnapshot). */
  readonly snapshot?: { readonly path: string; unchanged(): boolean };
}

/** Each table recorded; a second thread cuts and digests the last ranged ones when it helps (digest-helper.ts). */
async function recordTables(input: RecordInput, tables: readonly { ctx: TableContext; keys: readonly KeyColumn[] | null }[]): Promise<void> {
  const ranged = tables.filter((t) => t.keys !== null);
  const work = ranged.map(({ ctx, keys }) => ({ plan: ctx.plan, table: ctx.table, keys, spans: [], weight: ctx.plan.rowCount }));
  const helper = input.snapshot ? await startCutHelper(input.snapshot.path, work, input.snapshot.unchanged) : null;
  if (helper) input.emit({ type: "info", message: `[sync] a second thread records ${helper.tables.map((t) => `"${t}"`).join(", ")}` });
  try {
    let unavailable = input.leftOut;
    for (const { ctx, keys } of tables) {
      const cut = helper && keys ? await helper.ranges(ctx.plan.name) : null;
      const { pgRows, rows } = await recordTable(ctx, keys, cut);
      if (pgRows !== rows && unavailable === undefined) {
        unavailable = `PostgreSQL's "${ctx.plan.pgName}" holds ${pgRows} rows, SQLite's snapshot ${rows}`;
        await markUnavailable(input.client, input.pgSchema, unavailable);
      }
    }
  } finally {
    helper?.stop();
  }
}

export async function recordSyncState(input: RecordInput): Promise<void> {
  const { client } = input;
  await timedStage(input.emit, "sync", "recording the state sync starts from (schema sqlite2pg_sync)", async () => {
    await client.query("BEGIN");
    try {
      const byName = new Map(input.catalog.map((t) => [t.name, t]));
      const fallback = input.decodeFallback === undefined ? undefined : textFallback(input.decodeFallback);
      await writeTarget(client, {
        pgSchema: input.pgSchema,
        baselineChecksum: input.baselineChecksum,
        source: readSourceObjects(input.source, input.selected),
        plans: input.plans,
        ...(input.filter ? { filter: input.filter } : {}),
        ...(input.decodeFallback ? { decodeFallback: input.decodeFallback } : {}),
        ...(input.leftOut ? { unavailable: input.leftOut } : {}),
      });
      const tables: { ctx: TableContext; keys: readonly KeyColumn[] | null }[] = [];
      for (const plan of input.plans) {
        const table = byName.get(plan.name);
        if (!table) continue;
        const ctx = await tableContext(client, input.source, input.pgSchema, plan, table, fallback);
        tables.push({ ctx, keys: recordKeys(ctx) });
      }
      await recordTables(input, tables);
      await client.query("COMMIT");
    } catch (err) {
      await client.query("ROLLBACK").catch(() => undefined);
      throw err;
    }
  });
}
