/**
 * The verification of `migrate`, after the commit: every table and column accounted for (always), row counts,
 * every row's content with an independent sample, the drift check and the Prisma Client read-back. The drift
 * check and the read-back run on connections of their own beside the content check (a target with one
 * connection runs them after it, or not at all). Returns the results as data; migrate-result.ts judges them.
 */
import { writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { ApplyResult } from "../apply/apply.js";
import type { TablePlan } from "../convert/convert.js";
import { timedStage } from "../core/events.js";
import type { OrphanPlan } from "../profile/orphans.js";
import { BASELINE_NAME } from "../plan/plan.js";
import type { ProjectFiles } from "../prisma-project/prisma-project.js";
import { compareCounts, type CountCheck } from "../verify/counts.js";
import { targetCoverage, type CoverageResult } from "../verify/coverage.js";
import { checkDrift, type DriftResult } from "../verify/drift/drift.js";
import { generateReadBackClients, readBackCheck, type ReadBackClientFiles, type ReadBackResult } from "../verify/readback/check.js";
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

/**
 * The read-back's two `prisma generate` need only the two schemas: they start before the plan, at low priority,
 * and use the CPU time the plan (one Prisma process) and the copy (its encoder and PostgreSQL) leave idle.
 */
export function startReadBackClients(run: MigrateRun, { opened }: RunIo, prepared: PreparedSource, signal: AbortSignal): Promise<ReadBackClientFiles> | undefined {
  if (run.verifyMode !== "full" || !run.target.can.readBack) return undefined;
  const clients = generateReadBackClients({ sqlite: prepared.sourceSchema, postgresql: prepared.converted.schema }, opened.snapshot.dir, { lowPriority: true, signal });
  clients.catch(() => undefined); // awaited by the read-back, which reports a failure
  return clients;
}

/** `table.column` of the DATETIME columns where convert read (some) integers as epoch seconds (see readback/check.ts). */
function epochSecondsColumns(tables: readonly TablePlan[]): Set<string> {
  return new Set(tables.flatMap((t) => t.columns.filter((c) => c.epochUnit === "s" || c.epochUnit === "mixed").map((c) => `${t.name}.${c.name}`)));
}

export interface VerifyInput {
  readonly prepared: PreparedSource;
  readonly planned: Planned;
  readonly applied: ApplyResult;
  readonly orphans: OrphanPlan;
  readonly project: ProjectFiles | undefined;
  readonly clients: Promise<ReadBackClientFiles> | undefined;
}

export async function verifyStep(run: MigrateRun, io: RunIo, input: VerifyInput): Promise<Verification> {
  const { client } = io;
  const { prepared, planned, applied } = input;
  const schema = run.target.pgSchema;
  const tables = planned.converted.tables;
  const full = run.verifyMode === "full";
  const readingBack = full ? readBack(run, io, input) : undefined;
  readingBack?.catch(() => undefined); // awaited below; a failure must not surface as unhandled meanwhile
  const migrationPath = input.project?.migrationPath ?? planned.plan.migrationPath;
  const checkingDrift = (): Promise<DriftResult> =>
    timedStage(run.emit, "drift", "comparing the database with migrations/ replayed in a shadow", () =>
      checkDrift({
        client: run.target.can.separateConnections ? () => run.target.connect("verify") : client,
        targetUrl: run.options.targetUrl,
        target: run.target,
        pgSchema: schema,
        // <out>/migrations/0_init/migration.sql → <out>/migrations
        migrationsDir: dirname(dirname(migrationPath)),
        // The run's own baseline may be replayed in groups of statements (replay.ts): a user's migrations never are.
        ownBaseline: { name: BASELINE_NAME, checksum: planned.plan.checksum },
      }),
    );
  const drifting = full && run.target.can.separateConnections ? checkingDrift() : undefined;
  // Enumerated from the file, checked in PostgreSQL's catalog: cheap, so it runs whatever --verify says.
  const coverage = await timedStage(run.emit, "verify", "accounting for every table and column of the file", () => targetCoverage(client, schema, prepared.coverageInput));
  const leftOut = new Map(applied.copied.map((t) => [t.table, t.rejected + t.skipped]));
  const counts = run.verifyMode === "none" ? [] : await timedStage(run.emit, "verify", "comparing row counts", () => compareCounts(client, schema, tables, leftOut));
  const content = full ? await timedStage(run.emit, "verify", "comparing every row (checksums of the COPY data)", () => contentCheck(run, io, input)) : undefined;
  const changes = await timedStage(run.emit, "verify", "sampling what changes for the app (ordering, matching, types)", () =>
    appChanges({ source: io.opened.source, tables, schema: planned.converted.schema, profiles: prepared.profiles, client }),
  );
  const drift = full ? await (drifting ?? checkingDrift()) : undefined;
  const readBackResult = await readingBack;
  if (drift?.status === "drift") {
    run.emit({ type: "warning", message: `schema drift: the database differs from migrations/ (${drift.differences?.length} difference(s)):\n${drift.detail}` });
  }
  for (const note of drift?.notes ?? []) run.emit({ type: "warning", message: note });
  return { coverage, counts, appChanges: changes, ...(content ? { content } : {}), ...(drift ? { drift } : {}), ...(readBackResult ? { readBack: readBackResult } : {}) };
}

function contentCheck(run: MigrateRun, { opened, client }: RunIo, { planned, applied, orphans }: VerifyInput): Promise<VerifyResult> {
  return verifyDatabase({
    source: opened.source,
    client,
    pgSchema: run.target.pgSchema,
    tables: planned.converted.tables,
    catalog: new Map(opened.catalog.tables.map((t) => [t.name, t])),
    independent: run.options.verify === "deep" ? "all" : "sample",
    decodeFallback: run.decodeFallback,
    sent: new Map(applied.copied.flatMap((t) => (t.sentChecksum === null ? [] : [[t.table, { checksum: t.sentChecksum, rows: t.rows }]]))),
    leftOut: new Map(
      applied.copied.map((t) => [
        t.table,
        { skip: new Set([...t.rejectedRowids, ...(orphans.skip.get(t.table) ?? [])]), skipKeys: t.rejectedKeys, nullify: orphans.nullify.get(t.table) },
      ]),
    ),
  });
}

/** The read-back's clients were generated beside the copy (startReadBackClients); it reads on connections of its own. */
function readBack(run: MigrateRun, { opened }: RunIo, { prepared, planned, applied, orphans, project, clients }: VerifyInput): Promise<ReadBackResult> {
  return timedStage(run.emit, "readback", "reading a sample of rows through Prisma Client from SQLite and PostgreSQL", async () => {
    const sqliteSchemaPath = join(opened.snapshot.dir, "readback-source.prisma");
    // Synchronously, like readBackCheck up to its sample: nothing else uses the snapshot meanwhile.
    writeFileSync(sqliteSchemaPath, prepared.sourceSchema);
    return readBackCheck({
      clients,
      // SQLite's rows come from the snapshot (its read transaction), not from the live file.
      snapshot: opened.snapshot,
      sqliteSchemaPath,
      pgSchemaPath: project?.schemaPath ?? planned.plan.schemaPath,
      targetUrl: run.options.targetUrl,
      target: run.target,
      pgSchema: run.target.pgSchema,
      workDir: opened.snapshot.dir,
      epochSecondsColumns: epochSecondsColumns(planned.converted.tables),
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
