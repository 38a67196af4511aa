/**
 * The verification of `migrate`, after the commit: every table and column accounted for (always), row counts,
 * every row's content with an independent sample, the drift check and the Prisma Client read-back. The drift
 * check and the read-back run on connections of their own beside the content check (a target with one
 * connection runs them after it, or not at all). Returns the results as data; migrate-result.ts judges them.
 */
import { writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { setImmediate as yieldToEventLoop } from "node:timers/promises";
import type { ApplyResult } from "../apply/apply.js";
import type { TablePlan } from "../convert/convert.js";
import { timedStage } from "../core/events.js";
import type { OrphanPlan } from "../profile/orphans.js";
import { BASELINE_NAME } from "../plan/plan.js";
import type { ProjectFiles } from "../prisma-project/prisma-project.js";
import { compareCounts, type CountCheck } from "../verify/counts.js";
import { targetCoverage, type CoverageResult } from "../verify/coverage.js";
import { checkDrift, describeShadow, type DriftOptions, type DriftResult, type ShadowCatalog } from "../verify/drift/drift.js";
import { prepareReadBack, readPreparedBack, type PreparedReadBack, type ReadBackOptions, type ReadBackResult } from "../verify/readback/check.js";
import { precompileQueryCompiler } from "../db/prisma-client.js";
import type { PgClient } from "../db/pg-client.js";
import type { Planned } from "./migrate-load.js";
import type { MigrateRun, RunIo } from "./migrate-run.js";
import type { PreparedSource } from "./prepare.js";
import { verifyDatabase, type VerifyResult } from "./verify.js";
import { appChanges, type AppChanges } from "../verify/behaviour/app-changes.js";

export interface Verification {
  readonly coverage: CoverageResult;
  readonly counts: readonly CountCheck[];
  readonly content?: VerifyResult;
  readonly drift?: DriftResult;
  readonly readBack?: ReadBackResult;
  /** What changes for the app (ordering, matching, stricter types), measured on the data. */
  readonly appChanges: AppChanges;
}

/** What the drift check reads: the target through its own connection when it can have one. */
function driftOptions(run: MigrateRun, { client }: RunIo, migrationPath: string, planned: Planned): Omit<DriftOptions, "shadow"> {
  return {
    client: run.target.can.separateConnections ? () => run.target.connect("verify") : client,
    targetUrl: run.options.targetUrl,
    target: run.target,
    pgSchema: run.target.pgSchema,
    // <out>/migrations/0_init/migration.sql → <out>/migrations
    migrationsDir: dirname(dirname(migrationPath)),
    // The run's own baseline may be replayed in groups of statements (replay.ts): a user's migrations never are.
    ownBaseline: { name: BASELINE_NAME, checksum: planned.plan.checksum },
  };
}

/**
 * Source data up to this size (estimated bytes) has its drift check's shadow replayed beside the copy.
 * `SQLITE2PG_SHADOW_BESIDE_COPY_BYTES` changes it, so that tests can interrupt a long copy with a shadow beside it
 * (an internal knob, not a user option).
 */
function shadowBesideCopyBytes(): number {
  const env = Number(process.env.SQLITE2PG_SHADOW_BESIDE_COPY_BYTES);
  return Number.isSafeInteger(env) && env >= 0 ? env : 32 * 1024 * 1024;
}

/**
 * The drift check's shadow needs only migrations/: it is replayed and described on a connection of its own while
 * the data is loaded, so that after the commit only the target is left to describe. `phase` says when the caller
 * is: the shadow starts with the copy where the copy is short, else once every row is sent, beside the index and
 * foreign-key builds (one backend, so a core is left; beside a long copy the replay slowed the COPY down, on the
 * 2.4M-row bench copy +1 s: docs/benchmarks.md). Not for a project written in place (its files are installed
 * after the copy) nor a target with one connection. Settles (never rejects) once its shadow database is dropped;
 * the caller awaits it whatever happens to the run.
 */
export function startShadow(run: MigrateRun, io: RunIo, planned: Planned, phase: "copy" | "post-data"): Promise<ShadowCatalog | Error> | undefined {
  if (run.verifyMode !== "full" || run.inPlace || !run.target.can.separateConnections) return undefined;
  const bytes = planned.converted.tables.reduce((sum, t) => sum + (t.estimatedBytes ?? 0), 0);
  if ((bytes <= shadowBesideCopyBytes() ? "copy" : "post-data") !== phase) return undefined;
  return describeShadow(driftOptions(run, io, planned.plan.migrationPath, planned)).catch((err: unknown) => (err instanceof Error ? err : new Error(String(err))));
}

/**
 * The read-back's query compilers (WASM, ~2 MB each) compile on V8's background threads while the copy runs, so
 * the read-back's first queries do not wait for them (db/prisma-client.ts).
 */
export function warmUpReadBack(run: MigrateRun): void {
  if (run.verifyMode !== "full" || !run.target.can.readBack) return;
  for (const provider of ["sqlite", "postgresql"] as const) precompileQueryCompiler(provider).catch(() => undefined);
}

/** `table.column` of the DATETIME columns where convert read (some) integers as epoch seconds (see readback/check.ts). */
function epochSecondsColumns(tables: readonly TablePlan[]): Set<string> {
  return new Set(tables.flatMap((t) => t.columns.filter((c) => c.epochUnit === "s" || c.epochUnit === "mixed").map((c) => `${t.name}.${c.name}`)));
}

/** Up to this many tables, the drift check and the read-back run beside the content check. */
const CHECKS_ALONGSIDE_TABLES = 200;

/**
 * On its own connections beside the content check; the embedded target (one connection) reads back last, and so
 * does a schema of many tables: side by side, the checks' catalogs and clients raise the peak for little time.
 */
function checksAlongside(run: MigrateRun, tables: readonly TablePlan[]): boolean {
  return run.target.can.separateConnections && tables.length <= CHECKS_ALONGSIDE_TABLES;
}

/** A read-back prepared ahead (prepareReadBackEarly), or its result when it cannot run. */
export type EarlyReadBack = Promise<PreparedReadBack | ReadBackResult>;

/**
 * The read-back's preparation (readback/check.ts prepareReadBack) needs only the snapshot and the two schemas:
 * `migrate` starts it once every row is sent, where Node waits on PostgreSQL's index builds, not at the start of
 * the verification, where its ~0.15 s of the main thread held back the checksums' first COPY. Deferred to the
 * next turn of the event loop, so the first index build is sent before it. Only where the read-back runs beside
 * the content check, and not for a project written in place (its schema is installed after the copy).
 */
export function prepareReadBackEarly(run: MigrateRun, io: RunIo, prepared: PreparedSource, planned: Planned): EarlyReadBack | undefined {
  if (run.verifyMode !== "full" || run.inPlace || !run.target.can.readBack || !checksAlongside(run, planned.converted.tables)) return undefined;
  const early = yieldToEventLoop().then(() => startReadBack(run, io, { prepared, planned, project: undefined }));
  early.catch(() => undefined); // awaited by the verification, or by migrate before the snapshot is removed
  return early;
}

export interface VerifyInput {
  readonly prepared: PreparedSource;
  readonly planned: Planned;
  readonly applied: ApplyResult;
  readonly orphans: OrphanPlan;
  readonly project: ProjectFiles | undefined;
  /** The drift check's shadow, replayed beside the load (startShadow). */
  readonly shadow?: Promise<ShadowCatalog | Error>;
  /** The read-back, prepared while the indexes were built (prepareReadBackEarly). */
  readonly readBackPrepared?: EarlyReadBack;
}

export async function verifyStep(run: MigrateRun, io: RunIo, input: VerifyInput): Promise<Verification> {
  const { planned } = input;
  const tables = planned.converted.tables;
  const full = run.verifyMode === "full";
  const alongside = checksAlongside(run, tables);
  const readingBack = full && alongside ? readBack(run, io, input) : undefined;
  readingBack?.catch(() => undefined); // awaited below; a failure must not surface as unhandled meanwhile
  const migrationPath = input.project?.migrationPath ?? planned.plan.migrationPath;
  const shadow = input.shadow?.then((r) => (r instanceof Error ? Promise.reject(r) : r));
  const checkingDrift = (): Promise<DriftResult> =>
    timedStage(run.emit, "drift", "comparing the database with migrations/ replayed in a shadow", () =>
      checkDrift({ ...driftOptions(run, io, migrationPath, planned), ...(shadow ? { shadow } : {}) }),
    );
  const drifting = full && alongside ? checkingDrift() : undefined;
  try {
    return await sequentialChecks(run, io, input, { readingBack, drifting, checkingDrift });
  } catch (err) {
    // The read-back writes its sample into the snapshot's work directory: it must end before the caller removes it.
    await Promise.allSettled([readingBack, drifting]);
    throw err;
  }
}

/** The checks on the run's own connection, then the results of those started beside them. */
async function sequentialChecks(
  run: MigrateRun,
  io: RunIo,
  input: VerifyInput,
  beside: { readonly readingBack?: Promise<ReadBackResult>; readonly drifting?: Promise<DriftResult>; readonly checkingDrift: () => Promise<DriftResult> },
): Promise<Verification> {
  const { client } = io;
  const { prepared, planned, applied } = input;
  const { readingBack, drifting, checkingDrift } = beside;
  const schema = run.target.pgSchema;
  const tables = planned.converted.tables;
  const full = run.verifyMode === "full";
  const leftOut = new Map(applied.copied.map((t) => [t.table, t.rejected + t.skipped]));
  // Enumerated from the file, checked in PostgreSQL's catalog: cheap, so it runs whatever --verify says.
  const coverageOn = (c: PgClient) => timedStage(run.emit, "verify", "accounting for every table and column of the file", () => targetCoverage(c, schema, prepared.coverageInput));
  const countsOn = (c: PgClient) => timedStage(run.emit, "verify", "comparing row counts", () => compareCounts(c, schema, tables, leftOut));
  let coverage: CoverageResult | undefined;
  let counts: readonly CountCheck[] | undefined;
  const changesOn = (c: PgClient): Promise<AppChanges> =>
    timedStage(run.emit, "verify", "sampling what changes for the app (ordering, matching, types)", () =>
      appChanges({ source: io.opened.source, tables, schema: planned.converted.schema, profiles: prepared.profiles, client: c }),
    );
  // It sorts samples with the target's collation and reads none of the copied tables: on a connection of its own,
  // beside the content check, not after it (on the run's connection when no other can be had).
  const changing = full && run.target.can.separateConnections ? onOwnConnection(run, changesOn).catch(() => changesOn(client)) : undefined;
  changing?.catch(() => undefined); // awaited below
  // The full verification runs both in the content check's snapshot, beside the tables it prints (verify.ts).
  const content = full
    ? await timedStage(run.emit, "verify", "comparing every row (checksums of the COPY data)", () =>
        contentCheck(run, io, input, async (c) => {
          coverage = await coverageOn(c);
          counts = await countsOn(c);
        }),
      )
    : undefined;
  coverage ??= await coverageOn(client);
  counts ??= run.verifyMode === "none" ? [] : await countsOn(client);
  const changes = await (changing ?? changesOn(client));
  const drift = full ? await (drifting ?? checkingDrift()) : undefined;
  const readBackResult = await (readingBack ?? (full ? readBack(run, io, input) : undefined));
  if (drift?.status === "drift") {
    run.emit({ type: "warning", message: `schema drift: the database differs from migrations/ (${drift.differences?.length} difference(s)):\n${drift.detail}` });
  }
  for (const note of drift?.notes ?? []) run.emit({ type: "warning", message: note });
  // The read-back's ordered reads are behaviour: they belong with what changes for the app.
  const withOrdered = readBackResult?.orderedReads ? { ...changes, orderedReads: readBackResult.orderedReads } : changes;
  return { coverage, counts, appChanges: withOrdered, ...(content ? { content } : {}), ...(drift ? { drift } : {}), ...(readBackResult ? { readBack: readBackResult } : {}) };
}

function contentCheck(run: MigrateRun, { opened, client }: RunIo, { planned, applied, orphans }: VerifyInput, alongside: (c: PgClient) => Promise<void>): Promise<VerifyResult> {
  return verifyDatabase({
    alongside,
    source: opened.source,
    client,
    pgSchema: run.target.pgSchema,
    tables: planned.converted.tables,
    catalog: new Map(opened.catalog.tables.map((t) => [t.name, t])),
    independent: run.options.verify === "deep" ? "all" : "sample",
    decodeFallback: run.decodeFallback,
    ...(run.target.can.separateConnections ? { connect: () => run.target.connect("verify") } : {}),
    sent: new Map(applied.copied.flatMap((t) => (t.sentChecksum === null ? [] : [[t.table, { checksum: t.sentChecksum, rows: t.rows }]]))),
    leftOut: new Map(
      applied.copied.map((t) => [
        t.table,
        { skip: new Set([...t.rejectedRowids, ...(orphans.skip.get(t.table) ?? [])]), skipKeys: t.rejectedKeys, nullify: orphans.nullify.get(t.table) },
      ]),
    ),
  });
}

/** `use` on a new connection to the target, closed afterwards; rejects when none can be opened. */
async function onOwnConnection<T>(run: MigrateRun, use: (c: PgClient) => Promise<T>): Promise<T> {
  const own = await run.target.connect("verify");
  try {
    return await use(own);
  } finally {
    await own.end().catch(() => undefined);
  }
}

/** The read-back's options, but for the rows changed on purpose (known once the copy is done). */
function readBackOptions(run: MigrateRun, { opened, client }: RunIo, { prepared, planned, project }: Pick<VerifyInput, "prepared" | "planned" | "project">): Omit<ReadBackOptions, "changedOnPurpose"> {
  return {
    // SQLite's rows come from the snapshot (its read transaction), not from the live file.
    snapshot: opened.snapshot,
    sqliteSchemaPath: join(opened.snapshot.dir, "readback-source.prisma"),
    pgSchemaPath: project?.schemaPath ?? planned.plan.schemaPath,
    targetUrl: run.options.targetUrl,
    target: run.target,
    client,
    pgSchema: run.target.pgSchema,
    workDir: opened.snapshot.dir,
    epochSecondsColumns: epochSecondsColumns(planned.converted.tables),
    views: prepared.viewStatements,
  };
}

/** The read-back prepared (synchronously up to its sample: nothing else uses the snapshot meanwhile). */
function startReadBack(run: MigrateRun, io: RunIo, input: Pick<VerifyInput, "prepared" | "planned" | "project">): EarlyReadBack {
  const options = readBackOptions(run, io, input);
  writeFileSync(options.sqliteSchemaPath, input.prepared.sourceSchema);
  return prepareReadBack(options);
}

/** The read-back: on connections of its own on a server, on the run's PGlite instance when embedded. */
function readBack(run: MigrateRun, io: RunIo, input: VerifyInput): Promise<ReadBackResult> {
  const { applied, orphans } = input;
  return timedStage(run.emit, "readback", "reading a sample of rows through Prisma Client from SQLite and PostgreSQL", async () => {
    const prepared = await (input.readBackPrepared ?? startReadBack(run, io, input));
    if ("status" in prepared) return prepared;
    return readPreparedBack(prepared, {
      ...readBackOptions(run, io, input),
      changedOnPurpose: new Map(
        applied.copied.map((t) => [
          t.table,
          {
            leftOut: t.rejected + t.skipped > 0,
            nullified: new Set([...(orphans.nullify.get(t.table)?.values() ?? [])].flat()),
            decoded: new Set(t.decoded.keys()),
          },
        ]),
      ),
    });
  });
}
