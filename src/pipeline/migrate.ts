/**
 * `migrate`: the stages in order. Each stage lives in its own folder; this file only wires them.
 *   1 snapshot → check target → 2 introspect → 3 profile → 4 convert → 5 plan → 6 apply + copy → 7 verify
 */
import { applyMigration } from "../apply/apply-migration.js";
import { assertNamesFree, assertTargetEmpty, planLocks } from "../apply/target-check.js";
import { createdObjects } from "../plan/created-objects.js";
import type { Decision } from "../convert/decisions.js";
import type { TablePlan } from "../convert/convert.js";
import { connectTarget } from "../db/pg-target.js";
import { isPgliteUrl } from "../db/pglite-target.js";
import { parseTargetUrl } from "../db/pg-url.js";
import { BASELINE_NAME, writePlan } from "../plan/plan.js";
import { refusedViewStatements } from "../apply/validate-views.js";
import { compareCounts, type CountCheck } from "../verify/counts.js";
import { coverageName, targetCoverage, type CoverageResult } from "../verify/coverage.js";
import { formatVerifyResult, verifyDatabase, type TableVerification } from "../verify/verify.js";
import { checkDrift, type DriftResult } from "../verify/drift.js";
import { generateReadBackClients, readBackCheck, type ReadBackResult } from "../verify/client-readback.js";
import { describeReadBack, formatReadBackDifferences } from "../verify/readback-format.js";
import { describeIndependent, formatIndependentDifferences, type IndependentResult } from "../verify/independent/independent-check.js";
import { pgNamesFor } from "../convert/pg-names.js";
import { Sqlite2pgError } from "../errors.js";
import { dirname, join } from "node:path";
import { writeFileSync } from "node:fs";
import { dataProblemsError, ProblemCollector, withMoreProblems, type DataProblem } from "../copy/problems.js";
import { decodedDecisions, textFallback } from "../copy/text-fallback.js";
import { RejectsFile } from "../copy/rejects.js";
import { findUniqueCollisions } from "../copy/unique-collisions.js";
import type { TableFilter } from "../introspect/table-filter.js";
import { findOrphans, type OrphanPlan, type OrphanPolicy } from "../profile/orphans.js";
import { withoutLeftOutForeignKeys } from "../convert/relations.js";
import { redactUrl } from "../redact.js";
import { quoteQualified } from "../db/quote.js";
import { noopListener, timedStage, type EventListener } from "./events.js";
import { recordStages, type StageTiming } from "./stage-timings.js";
import { openSnapshot, prepareSchema, type PreparedSource } from "./prepare.js";
import { assertProjectWritable, installProjectFiles, type ProjectFiles } from "./prisma-project.js";

export interface MigrateOptions {
  readonly sqlitePath: string;
  readonly targetUrl: string;
  readonly outDir: string;
  readonly typeOverrides?: ReadonlyMap<string, string>;
  /** `--tables` / `--exclude` globs. */
  readonly tables?: TableFilter;
  /** What to do with values that cannot be converted exactly (default "stop": nothing is written). */
  readonly onError?: "stop" | "reject";
  /** Where rejected rows go with onError "reject" (default `<outDir>/rejects.jsonl`). */
  readonly rejectsPath?: string;
  /** What to do with rows whose foreign key points nowhere (default "stop"). */
  readonly orphans?: OrphanPolicy;
  /**
   * full (default): counts + content of every row, with a sample of rows also compared independently of the
   * copy's encoder; deep: the same, the independent comparison on every row; counts: row counts only; none.
   */
  readonly verify?: "full" | "deep" | "counts" | "none";
  /** Tables copied at once over separate connections (default 1: one transaction on one connection). */
  readonly jobs?: number;
  /**
   * An existing Prisma project (`--schema`): its schema.prisma (provider sqlite) is converted instead of an
   * introspected one, and the project files in `outDir` are replaced in place once the data is committed
   * (original schema backed up, old migrations archived). See prisma-project.ts.
   */
  readonly userSchemaPath?: string;
  /** With userSchemaPath: write Prisma 7 style (datasource without url, prisma.config.ts next to the schema). */
  readonly prisma7?: boolean;
  /** `--decode-fallback`: the encoding of text whose stored bytes are not UTF-8 (e.g. "windows-1252"). */
  readonly decodeFallback?: string;
  readonly emit?: EventListener;
}

export interface TableSummary {
  readonly table: string;
  readonly rows: number;
  readonly rejected: number;
  readonly skipped: number;
  readonly ms: number;
}

export interface ContentCheck {
  readonly table: string;
  readonly ok: boolean;
  /** How the rows were compared (compare-table.ts TableVerification.method). */
  readonly method: TableVerification["method"];
  readonly sourceChecksum: string | null;
  readonly targetChecksum: string | null;
  readonly differences: number;
}

export interface MigrateSummary {
  readonly source: string;
  /** The target URL with its password redacted. */
  readonly target: string;
  readonly pgSchema: string;
  readonly schemaPath: string;
  readonly migrationPath: string;
  readonly checksum: string;
  readonly tables: readonly TableSummary[];
  readonly decisions: readonly Decision[];
  readonly counts: readonly CountCheck[];
  /** Every table and column of the SQLite file: migrated (checked in PostgreSQL's catalog) or left out, and why. */
  readonly coverage: CoverageResult;
  /** What was verified: "full" = counts and every row's content, "counts", or "none". */
  readonly verified: "full" | "counts" | "none";
  /** With --verify=full: does the database match migrations/ (replayed in a shadow, catalogs compared)? */
  readonly drift?: DriftResult;
  /** With --verify=full: a sample of rows per model read through Prisma Client from both databases, compared. */
  readonly readBack?: ReadBackResult;
  readonly content: readonly ContentCheck[];
  /** With --verify=full/deep: PostgreSQL's values decoded by pg's parsers against SQLite's (a sample, or every row). */
  readonly independent?: IndependentResult;
  /** Rejected rows (onError "reject"): where they are and how many. */
  readonly rejects?: { readonly path: string; readonly count: number };
  readonly orphans: { readonly policy: OrphanPolicy; readonly found: number; readonly cascaded: number; readonly droppedForeignKeys: number };
  readonly timings: Readonly<Record<string, number>>;
  /** Every stage's step with its start (from the run's start) and wall time, in start order. */
  readonly stages: readonly StageTiming[];
  readonly ok: boolean;
  /** Existing Prisma project mode (`--schema`): what was replaced in place and where the originals are. */
  readonly project?: ProjectFiles & { readonly schemaCheck: "identical" | "names" };
}

const NO_ORPHANS: OrphanPlan = { nullify: new Map(), skip: new Map(), droppedForeignKeys: [], orphans: [], cascaded: 0, unresolvable: [] };

const COLLISIONS_HINT =
  "these rows hold values SQLite kept apart (another storage class, another spelling of one time or number) that are equal once converted, so PostgreSQL's unique index refuses them; nothing was committed. Make the values distinct (or delete the duplicate row) in SQLite, then run again";

const ORPHANS_HINT =
  "SQLite did not enforce these foreign keys. Fix the rows, or choose --orphans=null (clear the reference), --orphans=delete (leave the rows out) or --orphans=keep-without-fk (keep them, skip the constraint)";

/** A data-problems failure listing `list` (orphans, unique collisions) with its hint. */
function problemsError(list: readonly DataProblem[], hint: string): Sqlite2pgError {
  const problems = new ProblemCollector();
  for (const p of list) problems.add(p);
  return dataProblemsError(problems, hint);
}

/**
 * After a failure past the commit: the statements that remove what the run created, so the user can start over
 * into the same database (CASCADE takes the foreign keys, indexes, owned sequences and views on these tables).
 */
export function startOver(pgSchema: string, tables: readonly { readonly pgName: string }[]): string {
  const names = [...tables.map((t) => t.pgName), "_prisma_migrations"].map((n) => quoteQualified(pgSchema, n));
  return `To start over, remove what this run created (enum types, if any, too: see migration.sql) and run again: DROP TABLE IF EXISTS ${names.join(", ")} CASCADE;`;
}

/** `table.column` of the DATETIME columns where convert read (some) integers as epoch seconds (see client-readback.ts). */
function epochSecondsColumns(tables: readonly TablePlan[]): Set<string> {
  return new Set(tables.flatMap((t) => t.columns.filter((c) => c.epochUnit === "s" || c.epochUnit === "mixed").map((c) => `${t.name}.${c.name}`)));
}

export async function migrate(options: MigrateOptions): Promise<MigrateSummary> {
  const recorder = recordStages(options.emit ?? noopListener);
  const emit = recorder.emit;
  const target = parseTargetUrl(options.targetUrl);
  const decodeFallback = options.decodeFallback === undefined ? undefined : textFallback(options.decodeFallback);
  const started = performance.now();
  const opened = await openSnapshot(options.sqlitePath, emit, options.tables);
  // Stops work started ahead of time (the read-back's client generation) when the run ends before using it.
  const generation = new AbortController();
  try {
    const client = await connectTarget(options.targetUrl, "apply");
    try {
      // Refuse a non-empty target first: before the slow stages, before writing any file.
      // The PostgreSQL names convert will give the tables (pg-names.ts: long, empty and `"` names differ).
      const pgNames = pgNamesFor([...opened.catalog.tables.map((t) => t.name), ...opened.catalog.views.map((v) => v.name)], "table");
      await assertTargetEmpty(client, target.schema, opened.catalog.tables.map((t) => pgNames.get(t.name)?.name ?? t.name));
      const prepared = await prepareSchema(opened, emit, options.typeOverrides, {
        userSchemaPath: options.userSchemaPath,
      });
      const { source, schemaCheck } = prepared;
      let { converted } = prepared;
      // A project's files are replaced only once PostgreSQL holds the data: until then they are staged.
      const inPlace = options.userSchemaPath !== undefined;
      if (inPlace) await assertProjectWritable(options.outDir);
      const policy = options.orphans ?? "stop";
      // With the default policy the pre-check is skipped: PostgreSQL checks every foreign key when it builds it,
      // inside the same transaction, and only if that fails do we ask SQLite which rows are orphans (see below).
      // The other policies must know the orphans before copying.
      const orphans =
        policy === "stop"
          ? NO_ORPHANS
          : await timedStage(emit, "orphans", "checking foreign keys", async () => findOrphans(source, withoutLeftOutForeignKeys(opened.catalog.tables, converted.leftOutForeignKeys), policy));
      if (orphans.unresolvable.length > 0) throw problemsError(orphans.unresolvable, ORPHANS_HINT);
      const rejects = options.onError === "reject" ? new RejectsFile(options.rejectsPath ?? join(options.outDir, "rejects.jsonl")) : undefined;
      // "deep" is a full verification whose independent comparison reads every row.
      const verifyMode = options.verify === "deep" ? "full" : (options.verify ?? "full");
      const embedded = isPgliteUrl(options.targetUrl);
      // The read-back's two `prisma generate` need only the two schemas: they start now, at low priority, and use
      // the CPU time the plan (one Prisma process) and the copy (its encoder and PostgreSQL) leave idle.
      const readBackClients =
        verifyMode === "full" && !embedded
          ? generateReadBackClients({ sqlite: prepared.sourceSchema, postgresql: converted.schema }, opened.snapshot.dir, { lowPriority: true, signal: generation.signal })
          : undefined;
      readBackClients?.catch(() => undefined); // awaited by the read-back, which reports a failure
      const planFor = (p: PreparedSource) =>
        timedStage(emit, "plan", "prisma migrate diff", () =>
          writePlan({
            outDir: inPlace ? join(opened.snapshot.dir, "project") : options.outDir,
            schema: p.converted.schema,
            pgSchema: target.schema,
            workDir: opened.snapshot.dir,
            extrasSql: p.extrasSql,
          }),
        );
      let plan = await planFor(prepared);
      // Indexes, sequences and enum types share names with what the target may hold already: refused now,
      // not when the index or the final move meets them after the copy.
      const objects = createdObjects(plan.migrationSql);
      await assertNamesFree(client, target.schema, objects);
      const locks = embedded ? undefined : await planLocks(client, target.schema, objects, converted.tables.length);
      // A view PostgreSQL refuses is found now, on empty tables, not at post-data after the copy: it is left out
      // (a decision with its SQL) and the baseline is written again without it.
      const refused =
        prepared.viewStatements.length === 0
          ? new Map<string, string>()
          : await timedStage(emit, "plan", "creating every view on the target, rolled back", () =>
              refusedViewStatements(client, target.schema, plan, prepared.viewStatements.map((v) => v.sql)),
            );
      if (refused.size > 0) {
        const byView = new Map(prepared.viewStatements.filter((v) => refused.has(v.sql.trim())).map((v) => [v.view, refused.get(v.sql.trim())!]));
        for (const [view, error] of byView) emit({ type: "warning", message: `${view}: view left out, PostgreSQL refused it: ${error}` });
        const again = prepared.withoutViews(byView);
        converted = again.converted;
        plan = await planFor(again);
      }
      const tablesByName = new Map(opened.catalog.tables.map((t) => [t.name, t]));
      const applied = await applyMigration({
        jobs: options.jobs ?? 1, locks,
        // Only the full verification compares the checksums of the data sent (sent-checksums.ts).
        hashSent: verifyMode === "full",
        // The embedded target is one in-process database with a single connection.
        connect: embedded ? undefined : () => connectTarget(options.targetUrl, "apply"),
        client,
        source,
        pgSchema: target.schema,
        plan,
        tables: converted.tables,
        catalog: tablesByName,
        onError: options.onError ?? "stop",
        rejects,
        orphans,
        decodeFallback,
        emit,
      })
        .catch((err: unknown) => {
          // Stopped on values: the orphans PostgreSQL would refuse next belong to the same list (every problem at once).
          if (policy === "stop" && err instanceof Sqlite2pgError && err.code === "DATA_PROBLEMS") {
            throw withMoreProblems(err, findOrphans(source, opened.catalog.tables, "stop").orphans, ORPHANS_HINT);
          }
          // A foreign key PostgreSQL could not build (23503): the transaction is rolled back; name the orphans.
          if (policy === "stop" && err instanceof Sqlite2pgError && err.code === "PG_23503") {
            const found = findOrphans(source, withoutLeftOutForeignKeys(opened.catalog.tables, converted.leftOutForeignKeys), "stop").orphans;
            if (found.length > 0) throw problemsError(found, ORPHANS_HINT);
          }
          // A unique index PostgreSQL could not build (23505): values SQLite kept apart became one in conversion.
          if (err instanceof Sqlite2pgError && err.code === "PG_23505") {
            const collisions = converted.tables.flatMap((t) => findUniqueCollisions(source, tablesByName.get(t.name)!, t));
            if (collisions.length > 0) throw problemsError(collisions, COLLISIONS_HINT);
          }
          throw err;
        })
        .finally(() => rejects?.close());
      const project = inPlace
        ? await timedStage(emit, "plan", `writing the project files in ${options.outDir}`, () =>
            installProjectFiles({ stagedDir: join(opened.snapshot.dir, "project"), outDir: options.outDir, userSchemaPath: options.userSchemaPath!, prisma7: options.prisma7 }),
          ).catch((cause: unknown) => {
            throw new Sqlite2pgError(`PostgreSQL is migrated, but the project files could not be written to ${options.outDir}: ${(cause as Error).message}`, {
              code: "PROJECT_FILES",
              kind: "target",
              stage: "plan",
              cause,
              hint: "fix the folder, then `sqlite2pg plan` writes the same schema and baseline (the checksum recorded in _prisma_migrations must match)",
            });
          })
        : undefined;
      const leftOut = new Map(applied.copied.map((t) => [t.table, t.rejected + t.skipped]));
      const migrationPath = project?.migrationPath ?? plan.migrationPath;
      // The read-back's clients were generated beside the copy (above); it reads on connections of its own, while
      // the counts, the content and the drift are checked on the target connection.
      const readingBack =
        verifyMode !== "full"
          ? undefined
          : timedStage(emit, "readback", "reading a sample of rows through Prisma Client from SQLite and PostgreSQL", async () => {
              const sqliteSchemaPath = join(opened.snapshot.dir, "readback-source.prisma");
              // Synchronously, like readBackCheck up to its sample: nothing else uses the snapshot meanwhile.
              writeFileSync(sqliteSchemaPath, prepared.sourceSchema);
              return readBackCheck({
                clients: readBackClients,
                // SQLite's rows come from the snapshot (its read transaction), not from the live file.
                snapshot: opened.snapshot,
                sqliteSchemaPath,
                pgSchemaPath: project?.schemaPath ?? plan.schemaPath,
                targetUrl: options.targetUrl,
                pgSchema: target.schema,
                workDir: opened.snapshot.dir,
                epochSecondsColumns: epochSecondsColumns(converted.tables),
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
      readingBack?.catch(() => undefined); // awaited below; a failure must not surface as unhandled meanwhile
      // The drift check reads catalogs and replays migrations/ in a shadow: on a connection of its own it runs
      // alongside the content verification (the embedded target has one connection: it runs after).
      const checkingDrift = (): Promise<DriftResult> =>
        timedStage(emit, "drift", "comparing the database with migrations/ replayed in a shadow", () =>
          checkDrift({
            client: embedded ? client : () => connectTarget(options.targetUrl, "verify"),
            targetUrl: options.targetUrl,
            pgSchema: target.schema,
            // <out>/migrations/0_init/migration.sql → <out>/migrations
            migrationsDir: dirname(dirname(migrationPath)), ownBaseline: { name: BASELINE_NAME, checksum: plan.checksum },
          }),
        );
      const drifting = verifyMode === "full" && !embedded ? checkingDrift() : undefined;
      // Enumerated from the file, checked in PostgreSQL's catalog: cheap, so it runs whatever --verify says.
      const coverage = await timedStage(emit, "verify", "accounting for every table and column of the file", () =>
        targetCoverage(client, target.schema, prepared.coverageInput),
      );
      const counts =
        verifyMode === "none"
          ? []
          : await timedStage(emit, "verify", "comparing row counts", () =>
              compareCounts(client, target.schema, converted.tables, leftOut),
            );
      const content =
        verifyMode !== "full"
          ? undefined
          : await timedStage(emit, "verify", "comparing every row (checksums of the COPY data)", () =>
              verifyDatabase({
                source,
                client,
                pgSchema: target.schema,
                tables: converted.tables,
                catalog: tablesByName,
                independent: options.verify === "deep" ? "all" : "sample",
                decodeFallback,
                sent: new Map(applied.copied.flatMap((t) => (t.sentChecksum === null ? [] : [[t.table, { checksum: t.sentChecksum, rows: t.rows }]]))),
                leftOut: new Map(
                  applied.copied.map((t) => [
                    t.table,
                    {
                      skip: new Set([...t.rejectedRowids, ...(orphans.skip.get(t.table) ?? [])]),
                      skipKeys: t.rejectedKeys,
                      nullify: orphans.nullify.get(t.table),
                    },
                  ]),
                ),
              }),
            );
      const drift = verifyMode !== "full" ? undefined : await (drifting ?? checkingDrift());
      const readBack = await readingBack;
      if (drift?.status === "drift") {
        emit({ type: "warning", message: `schema drift: the database differs from migrations/ (${drift.differences?.length} difference(s)):\n${drift.detail}` });
      }
      for (const note of drift?.notes ?? []) emit({ type: "warning", message: note });
      const summary: MigrateSummary = {
        source: options.sqlitePath,
        target: redactUrl(options.targetUrl),
        pgSchema: target.schema,
        schemaPath: project?.schemaPath ?? plan.schemaPath,
        migrationPath,
        checksum: plan.checksum,
        tables: applied.copied.map(({ table, rows, rejected, skipped, ms }) => ({ table, rows, rejected, skipped, ms })),
        // The schema's decisions, then those the copy made value by value (counted while copying).
        decisions: [...converted.decisions, ...applied.copied.flatMap((t) => t.decisions), ...decodedDecisions(applied.copied, decodeFallback)],
        counts,
        coverage,
        verified: verifyMode,
        ...(drift ? { drift } : {}),
        ...(readBack ? { readBack } : {}),
        ...(content?.independent ? { independent: content.independent } : {}),
        content: (content?.tables ?? []).map((t) => ({
          table: t.table,
          ok: t.ok,
          method: t.method,
          sourceChecksum: t.sourceChecksum,
          targetChecksum: t.targetChecksum,
          differences: t.differenceCount,
        })),
        ...(rejects ? { rejects: { path: rejects.path, count: rejects.count } } : {}),
        orphans: {
          policy,
          found: orphans.orphans.length,
          cascaded: orphans.cascaded,
          droppedForeignKeys: orphans.droppedForeignKeys.length,
        },
        timings: { ...applied.timings, totalMs: performance.now() - started },
        stages: recorder.stages(),
        ok: coverage.ok && counts.every((c) => c.ok) && (content?.ok ?? true) && readBack?.status !== "different",
        ...(project ? { project: { ...project, schemaCheck: schemaCheck?.result ?? "identical" } } : {}),
      };
      if (!coverage.ok) {
        throw new Sqlite2pgError(
          `data of the SQLite file is not in PostgreSQL:\n${coverage.missing.map((m) => `  - ${coverageName(m)}: ${m.why}`).join("\n")}`,
          {
            code: "VERIFY_COVERAGE",
            kind: "verification",
            stage: "verify",
            object: { table: coverage.missing[0].table, column: coverage.missing[0].column },
            hint: `the data is committed but incomplete; please report this. ${startOver(target.schema, converted.tables)}`,
            details: { summary },
          },
        );
      }
      const bad = counts.filter((c) => !c.ok);
      if (bad.length > 0) {
        throw new Sqlite2pgError(
          `row counts differ: ${bad.map((c) => `${c.table} (SQLite ${c.sourceRows}, PostgreSQL ${c.targetRows})`).join("; ")}`,
          { code: "VERIFY_COUNTS", kind: "verification", stage: "verify", object: { table: bad[0].table }, hint: `the data is committed. ${startOver(target.schema, converted.tables)}`, details: { summary } },
        );
      }
      if (content && content.tables.some((t) => !t.ok)) {
        const bad = content.tables.filter((t) => !t.ok);
        throw new Sqlite2pgError(`the copy differs from the source:\n${formatVerifyResult({ ok: false, tables: bad })}`, {
          code: "VERIFY_CONTENT",
          kind: "verification",
          stage: "verify",
          object: { table: bad[0].table, row: bad[0].differences[0]?.key },
          hint: `please report this: the committed data differs from SQLite; \`sqlite2pg verify\` re-checks it. ${startOver(target.schema, converted.tables)}`,
          details: { summary },
        });
      }
      if (content?.independent && !content.independent.ok) {
        const first = content.independent.differences[0];
        throw new Sqlite2pgError(`the copy differs from the source (${describeIndependent(content.independent)}):\n${formatIndependentDifferences(content.independent)}`, {
          code: "VERIFY_INDEPENDENT",
          kind: "verification",
          stage: "verify",
          object: { table: first?.table, row: first?.key, column: first?.column },
          hint: `please report this: PostgreSQL's values, read back through pg's own parsers, mean something else than SQLite's; the checksums could not see it because they share the copy's encoder. ${startOver(target.schema, converted.tables)}`,
          details: { summary },
        });
      }
      if (readBack?.status === "different") {
        const first = readBack.models.find((m) => m.status === "failed" || m.differences.length > 0)!;
        throw new Sqlite2pgError(`the application would read different data through Prisma Client: ${describeReadBack(readBack)}\n${formatReadBackDifferences(readBack)}`, {
          code: "VERIFY_READBACK",
          kind: "verification",
          stage: "verify",
          object: { table: first.model, row: first.differences[0]?.key, column: first.differences[0]?.field },
          hint: `the data is committed; compare the values above (a field whose Prisma type changed may need a --type override). ${startOver(target.schema, converted.tables)}`,
          details: { summary },
        });
      }
      return summary;
    } finally {
      await client.end().catch(() => undefined);
    }
  } finally {
    generation.abort();
    await opened.dispose();
  }
}
