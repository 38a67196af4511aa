/**
 * `sync`: make a migrated PostgreSQL equal to its SQLite file's current content again, in one transaction
 * (kill -9 leaves PostgreSQL as it was), from one consistent snapshot of the file (a live WAL source keeps
 * being written meanwhile), with the conversion rules `migrate` used (the table plans it recorded).
 *
 *   refuse unless: a baseline and state from this tool → the SQLite schema unchanged → nobody else wrote to the
 *   tables (target-guard.ts); then per table: range digests (SQLite) → changed ranges read from both sides and
 *   diffed → written (apply-pass.ts) → sequences → what was written read back and compared → new state → COMMIT
 *
 * The cost follows the size of the change beyond one digest scan of SQLite and one count of PostgreSQL.
 */
import { markCommitted } from "../core/interrupt.js";
import { Sqlite2pgError } from "../core/errors.js";
import { noopListener, timedStage, type EventListener } from "../core/events.js";
import { PRISMA_MIGRATIONS_TABLE } from "../core/prisma-migrations.js";
import { migrationSearchPath, quoteQualified } from "../core/quote.js";
import type { SqliteTable } from "../core/catalog.js";
import type { PgClient } from "../db/pg-client.js";
import { targetError } from "../db/pg-target.js";
import { openTarget, type Target } from "../db/target.js";
import { textFallback } from "../copy/text-fallback.js";
import { BASELINE_NAME } from "../plan/plan.js";
import { applyDiffs, isConstraintError, parentsFirst, type WriteOrder } from "../sync/apply-pass.js";
import { tableContext } from "../sync/context.js";
import { readSourceObjects, schemaDifferences } from "../sync/fingerprint.js";
import { advanceSequence } from "../sync/sequences.js";
import { countPass, readState, writeTableRecord, SYNC_SCHEMA, type SyncState } from "../sync/state.js";
import { startDigestHelper } from "../sync/digest-helper.js";
import { diffTable, finishTable, planSpans, recordRanges, type TableDiff, type TablePass } from "../sync/table-pass.js";
import { findForeignWrites, type ForeignWrite } from "../sync/target-guard.js";
import type { TableContext } from "../sync/table-diff.js";
import type { SyncSummary } from "../report/sync-summary.js";
import { openSnapshot, type OpenedSnapshot } from "./prepare.js";
import { SESSION_SETTINGS } from "./verify.js";

export interface SyncOptions {
  readonly sqlitePath: string;
  readonly targetUrl: string;
  readonly emit?: EventListener;
}

export async function sync(options: SyncOptions): Promise<SyncSummary> {
  const emit = options.emit ?? noopListener;
  const started = performance.now();
  const target = openTarget(options.targetUrl);
  const client = await target.connect("sync");
  try {
    const state = await readState(client, target.pgSchema);
    assertSyncable(state, target.pgSchema);
    await assertBaseline(client, target.pgSchema, state.baselineChecksum);
    const opened = await openSnapshot(options.sqlitePath, emit, state.filter);
    try {
      const differences = schemaDifferences(state.source, readSourceObjects(opened.source, opened.selected));
      if (differences.length > 0) throw schemaChanged(options.sqlitePath, differences);
      const pass: Pass = { options, emit, started, target, client, state, opened };
      try {
        return await runPass(pass, "inserts-first");
      } catch (err) {
        if (!isConstraintError(err)) throw err;
        emit({ type: "info", message: "[sync] a constraint refused inserts before deletes: the pass runs again, deletes first" });
        return await runPass(pass, "deletes-first");
      }
    } finally {
      await opened.dispose();
    }
  } finally {
    await client.end().catch(() => undefined);
  }
}

interface Pass {
  readonly options: SyncOptions;
  readonly emit: EventListener;
  readonly started: number;
  readonly target: Target;
  readonly client: PgClient;
  readonly state: SyncState;
  readonly opened: OpenedSnapshot;
}

/** One pass in one transaction, its writes in `order` (apply-pass.ts). */
async function runPass(pass: Pass, order: WriteOrder): Promise<SyncSummary> {
  const { client, state, opened } = pass;
  const catalog = new Map(opened.catalog.tables.map((t) => [t.name, t]));
  await client.query("BEGIN");
  try {
    const contexts = await lockedTables(pass, catalog);
    await assertOnlyOurWrites(pass, contexts);
    const diffs = await timedStage(pass.emit, "sync", "comparing range digests, reading the changed ranges", () => diffAll(pass, contexts));
    await timedStage(pass.emit, "sync", "writing the changes", () => applyDiffs(diffs, order));
    const sequences: { table: string; last: string }[] = [];
    for (const ctx of contexts) {
      const last = await advanceSequence(client, pass.target.pgSchema, ctx.plan, catalog.get(ctx.plan.name)!.sequence);
      if (last !== null) sequences.push({ table: ctx.plan.name, last: last.toString() });
    }
    const passes: TablePass[] = [];
    for (const d of diffs) {
      const done = await finishTable(d);
      passes.push(done);
      pass.emit({ type: "info", message: `[sync] ${done.table}: ${done.inserted} inserted, ${done.updated} updated, ${done.deleted} deleted (${done.rangesChanged}/${done.ranges} ranges changed, ${Math.round(done.ms)} ms)` });
    }
    const bad = passes.filter((p) => p.check && !p.check.ok);
    if (bad.length > 0) throw verificationFailed(bad);
    await recordPass(pass, passes);
    await client.query("COMMIT");
    markCommitted("the sync pass");
    return passSummary(pass, passes, sequences);
  } catch (err) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw err;
  }
}

/** Every table's diff, parents first; the digests of the last tables computed by a second thread when it helps. */
async function diffAll({ state, opened, emit }: Pass, contexts: readonly TableContext[]): Promise<TableDiff[]> {
  const ordered = parentsFirst(contexts.map((c) => ({ ctx: c }))).map((x) => x.ctx);
  const work = ordered.map((ctx) => {
    const t = tableStateOf(state, ctx.plan.name);
    const { ctx: c, spans } = planSpans(ctx, t);
    return { plan: c.plan, table: c.table, keys: c.keys, spans: spans.map((s) => ({ lo: s.lo, hi: s.hi, digest: s.recorded?.digest ?? null, rows: s.recorded?.rows ?? -1 })), weight: t.rows };
  });
  const helper = await startDigestHelper(opened.snapshot.db.name, work, () => opened.snapshot.unchanged());
  if (helper) emit({ type: "info", message: `[sync] a second thread digests ${helper.tables.map((t) => `"${t}"`).join(", ")}` });
  try {
    const out: TableDiff[] = [];
    for (const ctx of ordered) {
      const diff = await diffTable(ctx, tableStateOf(state, ctx.plan.name), helper ? await helper.digests(ctx.plan.name) : null);
      await recordRanges(diff);
      out.push(diff);
    }
    return out;
  } finally {
    helper?.stop();
  }
}

/** Inside the pass's transaction: search_path and session settings, every migrated table locked, each one's context. */
async function lockedTables({ client, target, state, opened }: Pass, catalog: ReadonlyMap<string, SqliteTable>): Promise<TableContext[]> {
  const fallback = state.decodeFallback === undefined ? undefined : textFallback(state.decodeFallback);
  await client.query("SELECT set_config('search_path', $1, true)", [migrationSearchPath(target.pgSchema)]);
  for (const sql of SESSION_SETTINGS) await client.query(sql);
  // Writers wait until the pass ends (readers do not): what is checked below stays true until COMMIT
  // (https://www.postgresql.org/docs/current/explicit-locking.html#LOCKING-TABLES). Two syncs take turns.
  const names = state.plans.map((p) => quoteQualified(target.pgSchema, p.pgName));
  if (names.length > 0) await query(client, `LOCK TABLE ${names.join(", ")} IN SHARE ROW EXCLUSIVE MODE`, "locking the migrated tables");
  const contexts: TableContext[] = [];
  for (const plan of state.plans) {
    const table = catalog.get(plan.name);
    if (!table) throw internal(`table "${plan.name}" of the sync state is not in the snapshot`);
    contexts.push(await tableContext(client, opened.source, target.pgSchema, plan, table, fallback));
  }
  return contexts;
}

/** Refuse (nothing written yet) when someone else wrote to a migrated table since the last migrate or sync. */
async function assertOnlyOurWrites({ client, target, state, emit }: Pass, contexts: readonly TableContext[]): Promise<void> {
  const foreign: ForeignWrite[] = [];
  await timedStage(emit, "sync", "checking that only sqlite2pg wrote to the tables", async () => {
    for (const ctx of contexts) {
      const found = await findForeignWrites(client, target.pgSchema, ctx.plan, tableStateOf(state, ctx.plan.name), ctx.keys);
      if (found) foreign.push(found);
    }
  });
  if (foreign.length > 0) throw targetChanged(foreign);
}

/** The new state, in the pass's transaction: per changed table its row and the transaction ids that wrote it (its ranges are written: recordRanges). */
async function recordPass({ client, target, state }: Pass, passes: readonly TablePass[]): Promise<void> {
  const wrote = passes.some((p) => p.wrote);
  const xid = wrote ? (await client.query<{ xid: string }>("SELECT pg_catalog.pg_current_xact_id()::xid::text AS xid")).rows[0].xid : null;
  for (const p of passes) {
    if (p.rangesChanged === 0 && p.next.strategy === tableStateOf(state, p.table).strategy) continue;
    const xids = p.rewritten && xid !== null ? [xid] : p.wrote && xid !== null && !p.next.xids.includes(xid) ? [...p.next.xids, xid] : p.next.xids;
    await writeTableRecord(client, target.pgSchema, { ...p.next, xids });
  }
  await countPass(client, target.pgSchema);
}

function passSummary({ options, target, state, started }: Pass, passes: readonly TablePass[], sequences: SyncSummary["sequences"]): SyncSummary {
  const checked = passes.filter((p) => p.check);
  return {
    ok: true,
    sqlitePath: options.sqlitePath,
    target: target.redacted,
    pgSchema: target.pgSchema,
    tables: passes.map((p) => ({ table: p.table, inserted: p.inserted, updated: p.updated, deleted: p.deleted, rangesChanged: p.rangesChanged, ranges: p.ranges, rows: p.next.rows, ms: p.ms })),
    totals: {
      inserted: passes.reduce((n, p) => n + p.inserted, 0),
      updated: passes.reduce((n, p) => n + p.updated, 0),
      deleted: passes.reduce((n, p) => n + p.deleted, 0),
    },
    verified: { tables: checked.length, rows: checked.reduce((n, p) => n + (p.check?.rows ?? 0), 0) },
    sequences,
    pass: state.passes + 1,
    ms: performance.now() - started,
  };
}

async function query(client: PgClient, sql: string, what: string): Promise<void> {
  try {
    await client.query(sql);
  } catch (err) {
    throw targetError("sync", `${what} failed`, err);
  }
}

function tableStateOf(state: SyncState, table: string) {
  const t = state.tables.get(table);
  if (!t) throw internal(`the sync state has no entry for table "${table}"`);
  return t;
}

function internal(message: string): Sqlite2pgError {
  return new Sqlite2pgError(message, { code: "INTERNAL", kind: "internal", stage: "sync", hint: `run migrate again into an empty database, or report this; the state is in schema ${SYNC_SCHEMA}` });
}

function assertSyncable(state: SyncState | null, pgSchema: string): asserts state is SyncState {
  if (state === null) {
    throw new Sqlite2pgError(`the target has no sync state for schema "${pgSchema}": it was not migrated with --sync-state (or migrate could not record the state, and said so in a warning), so sync cannot know what PostgreSQL held`, {
      code: "SYNC_NO_STATE",
      kind: "target",
      stage: "sync",
      hint: "run `sqlite2pg migrate --sync-state` into an empty database first (it records the state sync starts from, in the schema sqlite2pg_sync)",
    });
  }
  if (state.unavailable) {
    throw new Sqlite2pgError(`this target cannot be synced: ${state.unavailable}`, {
      code: "SYNC_UNAVAILABLE",
      kind: "target",
      stage: "sync",
      hint: "sync makes PostgreSQL equal to SQLite; a migration that left rows out or changed them on purpose cannot be kept level. Fix the rows in SQLite and migrate again into an empty database",
    });
  }
}

async function assertBaseline(client: PgClient, pgSchema: string, checksum: string): Promise<void> {
  const table = quoteQualified(pgSchema, PRISMA_MIGRATIONS_TABLE);
  const { rows } = await client.query<{ ok: boolean }>(
    `SELECT to_regclass($1) IS NOT NULL AS ok`,
    [table],
  );
  const found = rows[0]?.ok ? (await client.query<{ checksum: string }>(`SELECT checksum FROM ${table} WHERE migration_name = $1 AND rolled_back_at IS NULL`, [BASELINE_NAME])).rows : [];
  if (!found.some((r) => r.checksum === checksum)) {
    throw new Sqlite2pgError(`the target has no baseline from this tool: ${table} holds no applied ${BASELINE_NAME} migration with the checksum sqlite2pg recorded`, {
      code: "SYNC_NO_BASELINE",
      kind: "target",
      stage: "sync",
      hint: "sync keeps a database level that `sqlite2pg migrate` created; this one was not (or its migration history was changed)",
    });
  }
}

function schemaChanged(path: string, differences: readonly string[]): Sqlite2pgError {
  return new Sqlite2pgError(`the SQLite schema of ${path} changed since the last migrate/sync; nothing was written:\n${differences.map((d) => `  - ${d}`).join("\n")}`, {
    code: "SYNC_SOURCE_SCHEMA_CHANGED",
    kind: "source",
    stage: "sync",
    details: { sync: { differences } },
    hint: "PostgreSQL's schema must change first: that needs a Prisma migration (prisma migrate dev on the PostgreSQL project), or migrate the file again into an empty database",
  });
}

function targetChanged(found: readonly ForeignWrite[]): Sqlite2pgError {
  const lines = found.map((f) => {
    const what = [f.written > 0 ? `${f.written} row(s) inserted or updated` : "", f.missing > 0 ? `${f.missing} row(s) deleted` : ""].filter(Boolean).join(", ");
    return `  - ${f.table}: ${what} by someone else${f.where.length > 0 ? `: ${f.where.join("; ")}` : ""}`;
  });
  return new Sqlite2pgError(`rows in PostgreSQL changed since the last migrate/sync, written by someone other than sqlite2pg; nothing was written:\n${lines.join("\n")}`, {
    code: "SYNC_TARGET_CHANGED",
    kind: "target",
    stage: "sync",
    object: { table: found[0].table },
    details: { sync: { tables: found } },
    hint: "sync would overwrite those writes. If the application already writes to PostgreSQL, the cutover is done: stop syncing. Otherwise undo them (or migrate again into an empty database)",
  });
}

function verificationFailed(bad: readonly TablePass[]): Sqlite2pgError {
  const lines = bad.flatMap((p) => [`  - ${p.table}:`, ...(p.check?.differences ?? []).map((d) => `      ${d}`)]);
  return new Sqlite2pgError(`what sync wrote does not read back equal to SQLite's rows; nothing was committed:\n${lines.join("\n")}`, {
    code: "SYNC_VERIFICATION",
    kind: "verification",
    stage: "sync",
    object: { table: bad[0].table },
    hint: "this is a defect of sqlite2pg (please report it with the table's CREATE TABLE statement); PostgreSQL was left as it was",
  });
}
